"""Selectors behind the programme and project dashboards, scoped to who asks.

Dashboards read only precomputed rows — ``IndicatorValue`` cells, ``Target`` and
``Analysis`` — never the household register, so they stay fast with a million households.

Scope. A user who sees every country a framework reports on sees everything. A user who
sees only some of them (a counterpart on a programme dashboard) sees only those countries
and their villages: the map, the drill-down and the headcount series drop every other
village and country; the targets table shows each indicator's value over their countries
(from the country cells) without a percentage of the framework-wide target; MPI
composition and growth incidence, which are framework-wide aggregates, are withheld.

Aggregating village cells to an administrative area (the drill-down below country):

- shares, means and rates (``percent``, ``proportion``, ``index``, ``minutes``, ``t_per_ha``,
  ``money_per_person_year``) are the mean of the village values weighted by the cell's
  ``population`` (falling back to the village's recorded population); villages with
  neither are left out;
- additive units (``number``, ``persons``, ``households``, ``km``, ``ha``, ``m2``,
  ``money``) are summed.

The standard error of an area assumes villages are independent samples (each village its
own stratum): ``se = sqrt(sum((w_i / W)**2 * se_i**2))`` for a weighted mean,
``se = sqrt(sum(se_i**2))`` for a sum; the 95 % interval is ``value ± 1.96 se``. An area
gets no standard error when any of its villages lacks one. Country rows use the country
cells computed from the households themselves, not an aggregate of villages.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any, Literal, TypedDict

from django.db.models import F, QuerySet
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mekong.core.errors import NotFound
from mekong.geo.models import AdminArea, Country, Village
from mekong.partners.access import country_ids_in_scope
from mekong.results import analyses
from mekong.results.access import covers_whole_scope, framework_for, frameworks_visible_to
from mekong.results.models import (
    Direction,
    Indicator,
    IndicatorValue,
    ReportingPeriod,
    ResultsFramework,
    Target,
    Unit,
)

# Units whose values are shares, means or rates: areas take the population-weighted mean.
MEAN_UNITS = frozenset(
    {
        Unit.PERCENT,
        Unit.PROPORTION,
        Unit.INDEX,
        Unit.MINUTES,
        Unit.TONNES_PER_HA,
        Unit.MONEY_PER_PERSON_YEAR,
    }
)
# Units of money: cells of different countries may be in different currencies.
MONEY_UNITS = frozenset({Unit.MONEY, Unit.MONEY_PER_PERSON_YEAR})
# A "keep at target" indicator meets its target within this share of the target.
MAINTAIN_TOLERANCE = 0.05
Z_95 = 1.959964

Method = Literal["cell", "weighted_mean", "sum"]


@dataclass(frozen=True)
class VillageRef:
    id: int
    code: str
    name: str
    country_iso3: str
    country_name: str
    area_path: str
    area_id: int
    lat: float
    lon: float
    population: int | None


@dataclass
class DashboardScope:
    """A framework as one user may see it. Build with :func:`dashboard_scope`."""

    framework: ResultsFramework
    # Countries the user sees among the framework's; the framework's own when ``whole``.
    country_ids: frozenset[int]
    whole: bool
    _villages: dict[str, VillageRef] | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        """Identifies what this user may see, for cache keys."""
        if self.whole:
            return "all"
        return ",".join(str(i) for i in sorted(self.country_ids)) or "none"

    @cached_property
    def countries(self) -> list[Country]:
        return list(Country.objects.filter(id__in=self.country_ids).order_by("iso3"))

    @property
    def village_count(self) -> int:
        if self._villages is not None:
            return len(self._villages)
        return _framework_villages(self.framework).filter(country_id__in=self.country_ids).count()

    @property
    def villages(self) -> dict[str, VillageRef]:
        """The framework's villages in the user's scope, by code."""
        if self._villages is None:
            # Tuples, not model instances: a programme has thousands of villages.
            rows = (
                _framework_villages(self.framework)
                .filter(country_id__in=self.country_ids)
                .order_by("country__iso3", "name_latin")
                .values_list(
                    "id",
                    "code",
                    "name_latin",
                    "name_local",
                    "country__iso3",
                    "admin_area__path",
                    "admin_area_id",
                    "latitude",
                    "longitude",
                    "population",
                )
            )
            names = {c.iso3: c.display_name for c in self.countries}
            probe = Village(name_latin="latin", name_local="local")
            local_first = {iso3: probe.display_name_for(iso3) == "local" for iso3 in names}
            self._villages = {
                code: VillageRef(
                    id=pk,
                    code=code,
                    name=(local or latin) if local_first.get(iso3) else latin,
                    country_iso3=iso3,
                    country_name=names.get(iso3, iso3),
                    area_path=path,
                    area_id=area_id,
                    lat=float(lat),
                    lon=float(lon),
                    population=population,
                )
                for pk, code, latin, local, iso3, path, area_id, lat, lon, population in rows
            }
        return self._villages


def _framework_villages(framework: ResultsFramework) -> QuerySet[Village]:
    if framework.project_id is not None:
        return Village.objects.filter(projects__id=framework.project_id).distinct()
    return Village.objects.filter(projects__programme__results_framework=framework).distinct()


def _framework_country_ids(framework: ResultsFramework) -> set[int]:
    if framework.project_id is not None:
        ids = Country.objects.filter(projects__id=framework.project_id)
    else:
        ids = Country.objects.filter(projects__programme__results_framework=framework)
    return set(ids.values_list("id", flat=True).distinct())


def dashboard_scope(*, user: object, framework_id: int) -> DashboardScope:
    """The framework as ``user`` may see it; NotFound when it is missing or out of scope."""
    framework = framework_for(user, framework_id)
    countries = _framework_country_ids(framework)
    in_scope = country_ids_in_scope(user)
    whole = covers_whole_scope(user, framework) if in_scope is not None else True
    if in_scope is not None:
        countries &= in_scope
    return DashboardScope(framework=framework, country_ids=frozenset(countries), whole=whole)


# --- periods and indicators -------------------------------------------------------------


def period_choose(*, scope: DashboardScope, period_id: int | None) -> ReportingPeriod:
    """The chosen period, or by default the latest one that has started and holds a
    value the user may see (the framework's totals, or their countries' cells); the
    latest started one when none does.

    A new period opens before its first survey or report: opening on it would show a
    page of "no value" while last period's results sit one click away."""
    periods = list(scope.framework.periods.order_by("starts_on", "code"))
    if period_id is not None:
        for period in periods:
            if period.id == period_id:
                return period
        raise NotFound(_("No reporting period %(id)s in this framework.") % {"id": period_id})
    if not periods:
        raise NotFound(_("This framework has no reporting periods yet."))
    started = [p for p in periods if p.starts_on <= date.today()] or periods
    values = IndicatorValue.objects.filter(
        indicator__framework=scope.framework, period__in=started, value__isnull=False
    )
    if scope.whole:
        values = values.filter(disaggregation_key="")
    else:
        values = values.filter(
            disaggregation_key__in=[f"country={c.iso3}" for c in scope.countries]
        )
    with_values = set(values.values_list("period_id", flat=True).distinct())
    return next((p for p in reversed(started) if p.id in with_values), started[-1])


def indicator_choose(*, scope: DashboardScope, indicator_id: int | None) -> Indicator:
    """The chosen indicator, or by default the first one that has village values."""
    indicators = scope.framework.indicators.order_by("order", "code")
    if indicator_id is not None:
        found = indicators.filter(id=indicator_id).first()
        if found is None:
            raise NotFound(_("No indicator %(id)s in this framework.") % {"id": indicator_id})
        return found
    with_villages = indicators.filter(values__disaggregation_key__startswith="village=")
    first = with_villages.first() or indicators.first()
    if first is None:
        raise NotFound(_("This framework has no indicators yet."))
    return first


class IndicatorRef(TypedDict):
    id: int
    code: str
    name: str
    unit: str
    unit_label: str
    decimals: int
    direction: str


def indicator_ref(indicator: Indicator) -> IndicatorRef:
    unit_label = str(Unit(indicator.unit).label) if indicator.unit in Unit.values else ""
    if indicator.currency and indicator.unit == Unit.MONEY:
        unit_label = indicator.currency
    elif indicator.currency and indicator.unit == Unit.MONEY_PER_PERSON_YEAR:
        unit_label = f"{indicator.currency} {unit_label}"
    return {
        "id": indicator.id,
        "code": indicator.code,
        "name": indicator.text(get_language() or "en"),
        "unit": indicator.unit,
        "unit_label": unit_label,
        "decimals": indicator.decimals,
        "direction": indicator.direction,
    }


def number_text(value: float | Decimal | None, decimals: int) -> str:
    """A figure as the reader's locale writes it (thousands grouped), or an en dash."""
    if value is None:
        return "–"
    # Half away from zero, as readers round (62.5 % → 63 %), not to even.
    exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return formats.number_format(exact, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


# --- targets against actuals ------------------------------------------------------------


def percent_of_target(
    *, actual: float, target: float, baseline: float | None, direction: str
) -> float | None:
    """Progress towards the target, in percent (100 = target reached).

    With a baseline ``b`` different from the target ``t``: ``(a - b) / (t - b) × 100``,
    which reads the same way for rising and falling indicators. Without one: ``a / t × 100``
    for "higher is better" and "keep at target", ``t / a × 100`` for "lower is better".
    None when the ratio is undefined (a zero denominator).
    """
    if baseline is not None and target != baseline:
        return (actual - baseline) / (target - baseline) * 100
    if direction == Direction.DECREASE:
        return target / actual * 100 if actual > 0 else None
    return actual / target * 100 if target != 0 else None


def target_met(*, actual: float, target: float, direction: str) -> bool:
    if direction == Direction.INCREASE:
        return actual >= target
    if direction == Direction.DECREASE:
        return actual <= target
    return abs(actual - target) <= MAINTAIN_TOLERANCE * abs(target)


class TargetRow(TypedDict):
    indicator: IndicatorRef
    direction_label: str
    baseline: float | None
    target: float | None
    actual: float | None
    ci_low: float | None
    ci_high: float | None
    actual_text: str
    target_text: str
    percent_of_target: float | None
    percent_text: str
    met: bool | None
    unavailable_reason: str


def _combine(
    cells: list[tuple[float, float | None, float | None]], *, unit: str
) -> tuple[float | None, float | None, Method]:
    """(value, se, method) from (value, weight, se) cells; see the module's Notes."""
    if not cells:
        return None, None, "cell"
    if unit in MEAN_UNITS:
        weighted = [(v, w, se) for v, w, se in cells if w]
        total = sum(w for _, w, _ in weighted if w)
        if not weighted or total <= 0:
            return None, None, "weighted_mean"
        value = sum(v * w for v, w, _ in weighted if w) / total
        ses = [se for _, _, se in weighted]
        se = (
            math.sqrt(sum((w / total) ** 2 * s**2 for (_, w, s) in weighted if w and s is not None))
            if all(s is not None for s in ses)
            else None
        )
        return value, se, "weighted_mean"
    value = sum(v for v, _, _ in cells)
    ses = [se for _, _, se in cells]
    se = (
        math.sqrt(sum(s**2 for s in ses if s is not None))
        if all(s is not None for s in ses)
        else None
    )
    return value, se, "sum"


def targets_vs_actuals(*, scope: DashboardScope, period: ReportingPeriod) -> list[TargetRow]:
    """Every indicator of the framework in ``period``: target, actual and progress.

    Users who see the whole framework get its total cells; the others get the value over
    their countries (the country cells, combined as in the module's Notes) and no
    percentage, since the target is set for the whole framework.
    """
    indicators = list(scope.framework.indicators.order_by("order", "code"))
    targets = {
        t.indicator_id: float(t.value)
        for t in Target.objects.filter(indicator__in=indicators, period=period)
    }
    values = IndicatorValue.objects.filter(indicator__in=indicators, period=period)
    if scope.whole:
        totals = {v.indicator_id: v for v in values.filter(disaggregation_key="")}
        country_cells: dict[int, list[IndicatorValue]] = {}
    else:
        totals = {}
        keys = [f"country={c.iso3}" for c in scope.countries]
        country_cells = {}
        for v in values.filter(disaggregation_key__in=keys):
            country_cells.setdefault(v.indicator_id, []).append(v)
    rows: list[TargetRow] = []
    for indicator in indicators:
        ref = indicator_ref(indicator)
        target = targets.get(indicator.id)
        baseline = _float(indicator.baseline_value)
        actual: float | None = None
        ci_low = ci_high = None
        reason = ""
        if scope.whole:
            total = totals.get(indicator.id)
            if total is not None:
                actual = _float(total.value)
                ci_low, ci_high = total.ci_low, total.ci_high
                reason = total.unavailable_reason
        else:
            cells = [c for c in country_cells.get(indicator.id, []) if c.value is not None]
            if len(cells) == 1:
                actual = _float(cells[0].value)
                ci_low, ci_high = cells[0].ci_low, cells[0].ci_high
            elif cells and indicator.unit in MONEY_UNITS and not indicator.currency:
                # Country cells of money report in each country's currency (MMK, LAK …):
                # no sum or mean of them is a figure in any currency.
                reason = _(
                    "The countries in your scope may report this in different currencies, "
                    "so their values are not combined."
                )
            elif cells:
                actual, se, _method = _combine(
                    [(float(c.value or 0), c.population, c.se) for c in cells],
                    unit=indicator.unit,
                )
                if actual is not None and se is not None:
                    ci_low, ci_high = actual - Z_95 * se, actual + Z_95 * se
            else:
                reasons = [c.unavailable_reason for c in country_cells.get(indicator.id, [])]
                reason = next((r for r in reasons if r), "")
        percent = None
        met = None
        if actual is not None and target is not None:
            met = target_met(actual=actual, target=target, direction=indicator.direction)
            if scope.whole:
                percent = percent_of_target(
                    actual=actual, target=target, baseline=baseline, direction=indicator.direction
                )
        rows.append(
            {
                "indicator": ref,
                "direction_label": str(Direction(indicator.direction).label),
                "baseline": baseline,
                "target": target,
                "actual": actual,
                "ci_low": ci_low,
                "ci_high": ci_high,
                "actual_text": number_text(actual, indicator.decimals),
                "target_text": number_text(target, indicator.decimals),
                "percent_of_target": percent,
                "percent_text": number_text(percent, 0),
                "met": met,
                "unavailable_reason": reason,
            }
        )
    return rows


# --- precomputed series ------------------------------------------------------------------


def headcount_series(*, scope: DashboardScope, scheme: str | None = None) -> dict[str, Any]:
    """Headcount by village and round (with CIs) for the villages in scope.

    Schemes with no village left in scope are dropped; ``scheme`` picks one (default: the
    first in code order). Whole-scope readers load only the chosen scheme's payload.
    """
    allowed = scope.villages
    if scope.whole:
        schemes = analyses.headcount_schemes(scope.framework)
        if scheme is not None and scheme not in schemes:
            raise NotFound(_("No headcount series for the scheme %(code)s.") % {"code": scheme})
        chosen = scheme or (schemes[0] if schemes else None)
        payloads = analyses.headcount_by_village(scope.framework, chosen) if chosen else {}
    else:
        payloads = analyses.headcount_by_village(scope.framework)
    series: dict[str, analyses.HeadcountByVillage] = {}
    for code, payload in payloads.items():
        villages = []
        for village in payload.get("villages", []):
            ref = allowed.get(village["code"])
            if ref is None:
                continue
            villages.append({**village, "name": ref.name, "country": ref.country_name})
        if villages or scope.whole:
            series[code] = {**payload, "villages": villages}  # type: ignore[typeddict-item]
    if not scope.whole:
        schemes = sorted(series)
        if scheme is not None and scheme not in series:
            raise NotFound(_("No headcount series for the scheme %(code)s.") % {"code": scheme})
        chosen = scheme or (schemes[0] if schemes else None)
    return {
        "schemes": schemes,
        "scheme": chosen,
        "series": series.get(chosen) if chosen else None,
    }


def _withheld() -> dict[str, Any]:
    return {
        "available": False,
        "reason": _(
            "This series covers countries outside your scope, so it is not shown. "
            "Open the dashboard of a project in your country."
        ),
    }


def mpi_composition(*, scope: DashboardScope, scheme: str | None = None) -> dict[str, Any]:
    """Contribution of each MPI indicator to M0 (framework-wide; withheld from partial
    scopes)."""
    if not scope.whole:
        return {**_withheld(), "schemes": [], "composition": None}
    found = analyses.mpi_composition(scope.framework)
    schemes = sorted(found)
    if scheme is not None and scheme not in found:
        raise NotFound(_("No MPI composition for the scheme %(code)s.") % {"code": scheme})
    chosen = scheme or (schemes[0] if schemes else None)
    composition = found.get(chosen) if chosen else None
    return {
        "available": composition is not None,
        "reason": "" if composition else _("Not computed yet."),
        "schemes": schemes,
        "composition": composition,
    }


def growth_incidence_curve(*, scope: DashboardScope) -> dict[str, Any]:
    """Growth incidence of income (framework-wide; withheld from partial scopes)."""
    if not scope.whole:
        return {**_withheld(), "curve": None}
    curve = analyses.growth_incidence(scope.framework)
    return {
        "available": curve is not None,
        "reason": "" if curve else _("Not computed yet."),
        "curve": curve,
    }


# --- map and drill-down ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    """The parts of an IndicatorValue a dashboard shows."""

    value: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    population: float | None


_CELL_FIELDS = ("disaggregation_key", "value", "se", "ci_low", "ci_high", "n", "population")


def _cells(values: QuerySet[IndicatorValue], prefix: str) -> dict[str, Cell]:
    """Single-dimension cells ``<prefix>=<code>`` by code (tuples, not model instances)."""
    found: dict[str, Cell] = {}
    for key, value, se, ci_low, ci_high, n, population in values.values_list(*_CELL_FIELDS):
        if "|" not in key:
            found[key.removeprefix(prefix)] = Cell(
                _float(value), se, ci_low, ci_high, n, population
            )
    return found


def _village_cells(indicator: Indicator, period: ReportingPeriod) -> dict[str, Cell]:
    return _cells(
        IndicatorValue.objects.filter(
            indicator=indicator, period=period, disaggregation_key__startswith="village="
        ),
        "village=",
    )


class MapPoint(TypedDict):
    code: str
    name: str
    country: str
    lat: float
    lon: float
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None


def map_data(
    *, scope: DashboardScope, indicator: Indicator, period: ReportingPeriod
) -> dict[str, Any]:
    """Villages in scope with coordinates and the indicator's village value (or None)."""
    cells = _village_cells(indicator, period)
    points: list[MapPoint] = []
    for ref in scope.villages.values():
        cell = cells.get(ref.code)
        value = cell.value if cell is not None else None
        points.append(
            {
                "code": ref.code,
                "name": ref.name,
                "country": ref.country_name,
                "lat": ref.lat,
                "lon": ref.lon,
                "value": value,
                "ci_low": cell.ci_low if cell is not None else None,
                "ci_high": cell.ci_high if cell is not None else None,
                "n": cell.n if cell is not None else None,
            }
        )
    known = [p["value"] for p in points if p["value"] is not None]
    return {
        "indicator": indicator_ref(indicator),
        "period": period.code,
        "min": min(known) if known else None,
        "max": max(known) if known else None,
        "villages": points,
    }


class DrillRow(TypedDict):
    key: str | None
    kind: Literal["country", "area", "village"]
    name: str
    value: float | None
    text: str
    ci_low: float | None
    ci_high: float | None
    n: int | None
    villages: int
    method: Method


class Crumb(TypedDict):
    key: str | None
    name: str


def _area_row(
    *,
    key: str,
    name: str,
    members: list[VillageRef],
    cells: dict[str, Cell],
    indicator: Indicator,
) -> DrillRow:
    combined: list[tuple[float, float | None, float | None]] = []
    n_total = 0
    for ref in members:
        cell = cells.get(ref.code)
        if cell is None or cell.value is None:
            continue
        weight = cell.population if cell.population is not None else ref.population
        combined.append((cell.value, float(weight) if weight else None, cell.se))
        n_total += cell.n or 0
    value, se, method = _combine(combined, unit=indicator.unit)
    if not combined:
        method = "weighted_mean" if indicator.unit in MEAN_UNITS else "sum"
    return {
        "key": key,
        "kind": "area",
        "name": name,
        "value": value,
        "text": number_text(value, indicator.decimals),
        "ci_low": value - Z_95 * se if value is not None and se is not None else None,
        "ci_high": value + Z_95 * se if value is not None and se is not None else None,
        "n": n_total or None,
        "villages": len(members),
        "method": method,
    }


def _cell_row(
    *,
    key: str | None,
    kind: Literal["country", "village"],
    name: str,
    cell: Cell | None,
    indicator: Indicator,
    villages: int,
) -> DrillRow:
    value = cell.value if cell is not None else None
    return {
        "key": key,
        "kind": kind,
        "name": name,
        "value": value,
        "text": number_text(value, indicator.decimals),
        "ci_low": cell.ci_low if cell is not None else None,
        "ci_high": cell.ci_high if cell is not None else None,
        "n": cell.n if cell is not None else None,
        "villages": villages,
        "method": "cell",
    }


def _areas_containing(refs: Iterable[VillageRef]) -> dict[str, AdminArea]:
    """Every admin area on the path of the villages, by path."""
    paths: set[str] = set()
    for ref in refs:
        parts = ref.area_path.strip("/").split("/")
        for depth in range(2, len(parts) + 1):
            paths.add("/".join(parts[:depth]) + "/")
    areas = AdminArea.objects.filter(path__in=paths).select_related("country")
    return {a.path: a for a in areas}


def drilldown(
    *, scope: DashboardScope, indicator: Indicator, period: ReportingPeriod, area: str | None
) -> dict[str, Any]:
    """One level of the country → admin area → village drill-down.

    ``area`` is None (the countries), ``country:<ISO3>`` (its top-level areas) or
    ``area:<id>`` (its child areas and the villages directly in it). Keys outside the
    user's scope, or without a framework village, answer NotFound.
    """
    refs = list(scope.villages.values())
    path: list[Crumb] = [{"key": None, "name": _("All countries")}]
    rows: list[DrillRow] = []
    if area is None:
        cells = _cells(
            IndicatorValue.objects.filter(
                indicator=indicator,
                period=period,
                disaggregation_key__in=[f"country={c.iso3}" for c in scope.countries],
            ),
            "country=",
        )
        per_country = Counter(r.country_iso3 for r in refs)
        for country in scope.countries:
            rows.append(
                _cell_row(
                    key=f"country:{country.iso3}",
                    kind="country",
                    name=country.display_name,
                    cell=cells.get(country.iso3),
                    indicator=indicator,
                    villages=per_country[country.iso3],
                )
            )
        return _drill_result(indicator, period, path, rows, level="country")

    village_cells = _village_cells(indicator, period)
    areas = _areas_containing(refs)
    kind, _sep, ident = area.partition(":")
    if kind == "country":
        chosen = next((c for c in scope.countries if c.iso3 == ident), None)
        if chosen is None:
            raise NotFound(_("No country %(code)s on this dashboard.") % {"code": ident})
        path.append({"key": area, "name": chosen.display_name})
        children = [a for a in areas.values() if a.country_id == chosen.id and a.depth == 1]
        direct: list[VillageRef] = []
    # isdecimal, not isdigit: "²" is a digit that int() refuses (a 500, not a 404).
    elif kind == "area" and ident.isdecimal():
        node = next((a for a in areas.values() if a.id == int(ident)), None)
        if node is None:
            raise NotFound(_("No area %(id)s on this dashboard.") % {"id": ident})
        path.append({"key": f"country:{node.country.iso3}", "name": node.country.display_name})
        for ancestor in sorted(
            (a for a in areas.values() if node.path.startswith(a.path) and a.id != node.id),
            key=lambda a: a.depth,
        ):
            path.append({"key": f"area:{ancestor.id}", "name": ancestor.display_name})
        path.append({"key": area, "name": node.display_name})
        children = [a for a in areas.values() if a.parent_id == node.id]
        direct = [r for r in refs if r.area_id == node.id]
    else:
        raise NotFound(_("No area %(key)s on this dashboard.") % {"key": area})
    for child in sorted(children, key=lambda a: a.display_name):
        members = [r for r in refs if r.area_path.startswith(child.path)]
        rows.append(
            _area_row(
                key=f"area:{child.id}",
                name=child.display_name,
                members=members,
                cells=village_cells,
                indicator=indicator,
            )
        )
    for ref in direct:
        rows.append(
            _cell_row(
                key=None,
                kind="village",
                name=ref.name,
                cell=village_cells.get(ref.code),
                indicator=indicator,
                villages=1,
            )
        )
    return _drill_result(indicator, period, path, rows, level="area")


def _drill_result(
    indicator: Indicator,
    period: ReportingPeriod,
    path: list[Crumb],
    rows: list[DrillRow],
    *,
    level: str,
) -> dict[str, Any]:
    return {
        "indicator": indicator_ref(indicator),
        "period": period.code,
        "level": level,
        "path": path,
        "rows": rows,
    }


# --- summary -----------------------------------------------------------------------------


def dashboard_summary(*, scope: DashboardScope, period: ReportingPeriod) -> dict[str, Any]:
    """What the page needs to set itself up: framework, periods, indicators, scope."""
    framework = scope.framework
    owner = framework.project or framework.programme
    language = get_language() or "en"
    title = (
        framework.translations.get(language) if isinstance(framework.translations, dict) else None
    )
    return {
        "framework": {
            "id": framework.id,
            "title": str(title or framework.title),
            "kind": "project" if framework.project_id else "programme",
            "owner_code": owner.code if owner is not None else "",
        },
        "period": {"id": period.id, "code": period.code},
        "periods": [
            {"id": p.id, "code": p.code} for p in framework.periods.order_by("starts_on", "code")
        ],
        "indicators": [indicator_ref(i) for i in framework.indicators.order_by("order", "code")],
        "countries": [{"iso3": c.iso3, "name": c.display_name} for c in scope.countries],
        "villages": scope.village_count,
        "whole_scope": scope.whole,
    }


def dashboards_visible_to(user: object) -> QuerySet[ResultsFramework]:
    """Frameworks whose dashboard the user may open, programmes first."""
    return frameworks_visible_to(user).order_by(F("project_id").asc(nulls_first=True), "title")
