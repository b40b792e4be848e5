"""A small results world on top of the portfolio fixture, built with the model constructors so
every test module (services, computation, dashboards, reports, exchange) shares it.

- Programme framework ``EA-PILOT`` with one roll-up indicator per kind of aggregation.
- Myanmar project ``MM-01`` framework: goal → outcome → output, periods 2023 and 2024,
  a computed headcount under the synthetic Myanmar line and a reported "persons trained".
- Register: four Myanmar households (size 2) observed in 2023 and 2024 and classified under
  ``MM-NL`` (line 1,000 MMK per person per year; see tests/registry/exit_fixtures.py).
  Poor in 2023: MM-H1, MM-H2 (2 of 4); in 2024: MM-H1 only (1 of 4). Per-capita incomes
  are chosen so each expected value is checked by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from mekong.registry.models import Household, PovertyScheme, SurveyRound
from mekong.results.models import (
    Aggregation,
    Indicator,
    IndicatorKind,
    Level,
    ReportingPeriod,
    ResultNode,
    ResultsFramework,
    Unit,
)
from tests.conftest import World
from tests.projects.conftest import Portfolio, portfolio  # noqa: F401  (fixture)
from tests.registry.exit_fixtures import build_exit_world, classify, household, observe

# Per-capita net income (MMK/person/year) by household and round; line 1,000.
INCOMES = {
    "MM-H1": (600, 800),
    "MM-H2": (900, 1200),
    "MM-H3": (1500, 1800),
    "MM-H4": (2000, 2600),
}


@dataclass
class ResultsWorld:
    programme_framework: ResultsFramework
    project_framework: ResultsFramework
    goal: ResultNode
    outcome: ResultNode
    output: ResultNode
    p2023: ReportingPeriod
    p2024: ReportingPeriod
    headcount: Indicator
    trained: Indicator
    programme_trained: Indicator
    programme_headcount: Indicator
    scheme: PovertyScheme
    r2023: SurveyRound
    r2024: SurveyRound
    households: list[Household]


def _periods(framework: ResultsFramework) -> tuple[ReportingPeriod, ReportingPeriod]:
    return (
        ReportingPeriod.objects.create(
            framework=framework, code="2023", starts_on=date(2023, 1, 1), ends_on=date(2023, 12, 31)
        ),
        ReportingPeriod.objects.create(
            framework=framework, code="2024", starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31)
        ),
    )


@pytest.fixture
def results_world(world: World, portfolio: Portfolio) -> ResultsWorld:  # noqa: F811
    exit_world = build_exit_world(world)
    households = []
    for code, (y2023, y2024) in INCOMES.items():
        hh = household(world.mm_published, code)
        for survey_round, income in ((exit_world.r2023, y2023), (exit_world.r2024, y2024)):
            observe(hh, survey_round, per_capita=income)
            classify(hh, survey_round, exit_world.scheme, poor=income < 1000)
        households.append(hh)

    programme_fw = ResultsFramework.objects.create(
        programme=portfolio.programme, title="Demonstration cooperation results"
    )
    pg_goal = ResultNode.objects.create(
        framework=programme_fw, level=Level.GOAL, code="G", statement="Poverty reduced"
    )
    pg_output = ResultNode.objects.create(
        framework=programme_fw,
        parent=pg_goal,
        level=Level.OUTCOME,
        code="O",
        statement="Capacity built",
    )
    _periods(programme_fw)
    programme_headcount = Indicator.objects.create(
        framework=programme_fw,
        result=pg_goal,
        code="PG-1",
        name="People below the national line",
        unit=Unit.PERCENT,
        direction="decrease",
        kind=IndicatorKind.ROLLUP,
        aggregation=Aggregation.WEIGHTED_MEAN,
        sdg_indicator="1.2.1",
        sdmx_series="SI_POV_NAHC",
    )
    programme_trained = Indicator.objects.create(
        framework=programme_fw,
        result=pg_output,
        code="PG-2",
        name="Persons trained",
        unit=Unit.PERSONS,
        decimals=0,
        kind=IndicatorKind.ROLLUP,
        aggregation=Aggregation.SUM,
    )

    project_fw = ResultsFramework.objects.create(
        project=portfolio.mm_project, title="Myanmar villages results"
    )
    goal = ResultNode.objects.create(
        framework=project_fw, level=Level.GOAL, code="1", statement="Fewer poor households"
    )
    outcome = ResultNode.objects.create(
        framework=project_fw,
        parent=goal,
        level=Level.OUTCOME,
        code="1.1",
        statement="Households earn more",
    )
    output = ResultNode.objects.create(
        framework=project_fw,
        parent=outcome,
        level=Level.OUTPUT,
        code="1.1.1",
        statement="Farmers trained",
    )
    p2023, p2024 = _periods(project_fw)
    headcount = Indicator.objects.create(
        framework=project_fw,
        result=goal,
        code="MM-G1",
        name="People below the national line",
        translations={"zh-hans": "国家贫困线以下人口比例", "my": "အမျိုးသားဆင်းရဲမှုမျဉ်းအောက်ရှိ လူဦးရေ"},
        unit=Unit.PERCENT,
        direction="decrease",
        kind=IndicatorKind.COMPUTED,
        computation={"kind": "headcount", "scheme": "MM-NL", "per": "person"},
        disaggregations=["village"],
        contributes_to=programme_headcount,
        sdg_indicator="1.2.1",
        sdmx_series="SI_POV_NAHC",
    )
    trained = Indicator.objects.create(
        framework=project_fw,
        result=output,
        code="MM-P1",
        name="Persons trained in production practices",
        unit=Unit.PERSONS,
        decimals=0,
        kind=IndicatorKind.REPORTED,
        disaggregations=["sex"],
        contributes_to=programme_trained,
        data_source="Attendance sheets",
    )
    return ResultsWorld(
        programme_framework=programme_fw,
        project_framework=project_fw,
        goal=goal,
        outcome=outcome,
        output=output,
        p2023=p2023,
        p2024=p2024,
        headcount=headcount,
        trained=trained,
        programme_trained=programme_trained,
        programme_headcount=programme_headcount,
        scheme=exit_world.scheme,
        r2023=exit_world.r2023,
        r2024=exit_world.r2024,
        households=households,
    )
