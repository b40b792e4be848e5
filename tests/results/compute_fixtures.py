"""Rows the computation tests add to results_world, each chosen so the expected values can be
checked by hand (the numbers are worked out in the tests that use them).

- ``add_members``: a head and a spouse per household, observed in both rounds. Heads: MM-H1
  F, MM-H2 M, MM-H3 F, MM-H4 M, born 1980 (25-59); spouses of the other sex born 2005
  (15-24 in 2023 and 2024). MM-H3's spouse cannot walk (Washington Group 4) in 2024 only.
  Heads' ethnicity: Shan, Shan, Chin, blank.
- ``add_mpi``: an MPI scheme (global weights, k = 1/3) classifying the four households in 2024.
- ``add_lao``: a Lao scheme and two households in the Lao village observed in LA-2024 (LAK).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from mekong.registry.models import (
    Classification,
    Household,
    Member,
    MemberObservation,
    PovertyScheme,
    SchemeKind,
    SurveyRound,
)
from mekong.results.models import (
    Indicator,
    IndicatorKind,
    IndicatorValue,
    ReportingPeriod,
    ResultsFramework,
    Unit,
    ValueSource,
    ValueStatus,
    disaggregation_key,
)
from tests.conftest import World
from tests.registry.exit_fixtures import household, observe
from tests.results.conftest import ResultsWorld

HEADS = {"MM-H1": ("F", "Shan"), "MM-H2": ("M", "Shan"), "MM-H3": ("F", "Chin"), "MM-H4": ("M", "")}


def computed(
    framework: ResultsFramework,
    code: str,
    computation: dict[str, Any],
    *,
    unit: str = Unit.PERCENT,
    disaggregations: list[str] | None = None,
    contributes_to: Indicator | None = None,
    currency: str = "",
) -> Indicator:
    return Indicator.objects.create(
        framework=framework,
        result=framework.nodes.order_by("id")[0],
        code=code,
        name=code,
        unit=unit,
        kind=IndicatorKind.COMPUTED,
        computation=computation,
        disaggregations=disaggregations or [],
        contributes_to=contributes_to,
        currency=currency,
    )


def add_members(rw: ResultsWorld) -> None:
    for hh in rw.households:
        sex, ethnicity = HEADS[hh.external_id]
        head = Member.objects.create(
            household=hh,
            external_id=f"{hh.external_id}-1",
            name_latin="Head",
            sex=sex,
            birth_year=1980,
            relation="head",
            ethnicity=ethnicity,
        )
        spouse = Member.objects.create(
            household=hh,
            external_id=f"{hh.external_id}-2",
            name_latin="Spouse",
            sex="M" if sex == "F" else "F",
            birth_year=2005,
            relation="spouse",
        )
        for survey_round in (rw.r2023, rw.r2024):
            MemberObservation.objects.create(member=head, survey_round=survey_round)
            walking = 4 if hh.external_id == "MM-H3" and survey_round == rw.r2024 else 1
            MemberObservation.objects.create(
                member=spouse, survey_round=survey_round, wg_walking=walking
            )


# MM-MPI deprivations in 2024 (global MPI weights: 1/6 for health and education, 1/18 for
# living standards; k = 1/3): MM-H1 score 1/3 (poor), MM-H2 7/18 (poor), MM-H3 1/9, MM-H4 0.
MPI_DEPRIVATIONS = {
    "MM-H1": ["child_mortality", "nutrition"],
    "MM-H2": ["electricity", "nutrition", "years_of_schooling"],
    "MM-H3": ["electricity", "sanitation"],
    "MM-H4": [],
}
MPI_SCORES = {"MM-H1": "1/3", "MM-H2": "7/18", "MM-H3": "1/9", "MM-H4": "0/1"}


def add_mpi(rw: ResultsWorld, world: World) -> PovertyScheme:
    scheme = PovertyScheme.objects.create(
        code="MM-MPI",
        name="Myanmar MPI (synthetic)",
        kind=SchemeKind.MPI,
        country=world.myanmar,
        config={},
        valid_from=date(2020, 1, 1),
    )
    for hh in rw.households:
        score = MPI_SCORES[hh.external_id]
        poor = hh.external_id in ("MM-H1", "MM-H2")
        Classification.objects.create(
            household=hh,
            survey_round=rw.r2024,
            scheme=scheme,
            poor=poor,
            level="poor" if poor else "non_poor",
            value=Decimal(score.split("/")[0]) / Decimal(score.split("/")[1]),
            reasons={"score": score, "k": "1/3", "deprivations": MPI_DEPRIVATIONS[hh.external_id]},
        )
    return scheme


@dataclass
class Lao:
    scheme: PovertyScheme
    survey_round: SurveyRound
    households: list[Household]
    framework: ResultsFramework
    p2023: ReportingPeriod
    p2024: ReportingPeriod


# LA-H1 poor (size 3), LA-H2 not poor (size 5): 3 of 8 people poor = 37.5 % in 2024.
LAO_HOUSEHOLDS = {"LA-H1": (3, 500, True), "LA-H2": (5, 5000, False)}


def add_lao(rw: ResultsWorld, world: World, portfolio: Any) -> Lao:
    from mekong.results.models import Level, ResultNode

    scheme = PovertyScheme.objects.create(
        code="LA-NL",
        name="Lao national line (synthetic)",
        kind=SchemeKind.MONETARY,
        country=world.laos,
        config={"period": "year", "line": "1000", "currency": "LAK", "price_year": 2020},
        valid_from=date(2020, 1, 1),
    )
    survey_round = SurveyRound.objects.get(code="LA-2024")
    households = []
    for code, (size, income, poor) in LAO_HOUSEHOLDS.items():
        hh = household(world.la_published, code)
        observe(hh, survey_round, per_capita=income, size=size, currency="LAK")
        Classification.objects.create(
            household=hh,
            survey_round=survey_round,
            scheme=scheme,
            poor=poor,
            level="poor" if poor else "non_poor",
        )
        households.append(hh)
    framework = ResultsFramework.objects.create(
        project=portfolio.la_project, title="Lao villages results"
    )
    ResultNode.objects.create(framework=framework, level=Level.GOAL, code="1", statement="Goal")
    p2023 = ReportingPeriod.objects.create(
        framework=framework, code="2023", starts_on=date(2023, 1, 1), ends_on=date(2023, 12, 31)
    )
    p2024 = ReportingPeriod.objects.create(
        framework=framework, code="2024", starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31)
    )
    return Lao(scheme, survey_round, households, framework, p2023, p2024)


def reported(
    indicator: Indicator,
    period: ReportingPeriod,
    value: str,
    cell: dict[str, str] | None = None,
    *,
    status: str = ValueStatus.APPROVED,
) -> IndicatorValue:
    cell = cell or {}
    return IndicatorValue.objects.create(
        indicator=indicator,
        period=period,
        disaggregation=cell,
        disaggregation_key=disaggregation_key(cell),
        value=Decimal(value),
        source=ValueSource.REPORTED,
        status=status,
    )


__all__ = ["add_lao", "add_members", "add_mpi", "computed", "observe", "reported"]
