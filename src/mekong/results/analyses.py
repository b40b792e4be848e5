"""The shapes of the precomputed dashboard series (``Analysis.payload``) and their readers.

results.compute writes these payloads after each refresh; dashboards only read them, so a
dashboard never touches the household register. Payloads hold aggregates only.

``headcount_by_village`` (key: the poverty scheme's code)
    Poverty headcount (percent of people) per village and survey round, with its standard
    error, 95 % confidence interval and number of observations.
``mpi_composition`` (key: the MPI scheme's code)
    Alkire-Foster H (percent), A and M0 (0–1) of one round, as the ``mpi`` computed
    indicator gives them, and each indicator's weight (0–1), censored headcount (percent)
    and percentage contribution to M0 (the contributions add up to 100).
``growth_incidence`` (key: ``""``)
    Growth incidence curve of per-capita income between two rounds: annualised growth (%)
    of each percentile ``p`` with its confidence interval, and the growth of the mean.
"""

from __future__ import annotations

from typing import Any, TypedDict

from mekong.results.models import Analysis, AnalysisKind, ResultsFramework


class RoundRef(TypedDict):
    code: str
    label: str
    year: int


class VillageRoundValue(TypedDict):
    round: str
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None


class VillageHeadcount(TypedDict):
    code: str
    name: str
    country: str
    lat: float
    lon: float
    values: list[VillageRoundValue]


class HeadcountByVillage(TypedDict):
    scheme: str
    rounds: list[RoundRef]
    villages: list[VillageHeadcount]


class MpiIndicator(TypedDict):
    name: str
    weight: float
    censored_headcount: float
    contribution: float


class MpiComposition(TypedDict):
    scheme: str
    round: str
    indicators: list[MpiIndicator]
    H: float
    A: float
    M0: float


class GicPoint(TypedDict):
    p: int
    growth: float | None
    ci_low: float | None
    ci_high: float | None


class GrowthIncidence(TypedDict):
    from_round: str
    to_round: str
    currency: str
    points: list[GicPoint]
    mean_growth: float | None


def _payloads(framework: ResultsFramework, kind: AnalysisKind) -> dict[str, Any]:
    rows = Analysis.objects.filter(framework=framework, kind=kind).order_by("key")
    return {row.key: row.payload for row in rows.only("key", "payload")}


def headcount_schemes(framework: ResultsFramework) -> list[str]:
    """Codes of the schemes with a headcount series, without reading the (large) payloads."""
    rows = Analysis.objects.filter(framework=framework, kind=AnalysisKind.HEADCOUNT_BY_VILLAGE)
    return sorted(rows.values_list("key", flat=True))


def headcount_by_village(
    framework: ResultsFramework, scheme: str | None = None
) -> dict[str, HeadcountByVillage]:
    """The headcount series of one scheme (or of every scheme), by scheme code."""
    if scheme is not None:
        row = Analysis.objects.filter(
            framework=framework, kind=AnalysisKind.HEADCOUNT_BY_VILLAGE, key=scheme
        ).first()
        return {scheme: row.payload} if row is not None else {}
    found: dict[str, HeadcountByVillage] = _payloads(framework, AnalysisKind.HEADCOUNT_BY_VILLAGE)
    return found


def mpi_composition(framework: ResultsFramework) -> dict[str, MpiComposition]:
    """Every MPI scheme's composition of the framework, by scheme code."""
    found: dict[str, MpiComposition] = _payloads(framework, AnalysisKind.MPI_COMPOSITION)
    return found


def growth_incidence(framework: ResultsFramework) -> GrowthIncidence | None:
    """The framework's growth incidence curve, or None before the first refresh."""
    found: dict[str, GrowthIncidence] = _payloads(framework, AnalysisKind.GROWTH_INCIDENCE)
    return found.get("")
