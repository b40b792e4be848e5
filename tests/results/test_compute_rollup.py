"""Programme roll-ups: sums cell by cell, population-weighted means, missing contributors.

MM-G1 (Myanmar project headcount) gives 50 % (2023) and 25 % (2024) of 8 people
(results_world); the Lao project's LA-G1 gives 37.5 % of 8 people in 2024 and nothing in
2023 (tests/results/compute_fixtures.py, LAO_HOUSEHOLDS).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from numpy.testing import assert_allclose

from mekong.results.compute import refresh_all, refresh_framework
from mekong.results.models import (
    Indicator,
    IndicatorKind,
    IndicatorValue,
    ReportingPeriod,
    Unit,
    ValueSource,
    ValueStatus,
)
from tests.conftest import World
from tests.projects.conftest import Portfolio
from tests.results.compute_fixtures import add_lao, computed, reported
from tests.results.conftest import ResultsWorld


def _value(code: str, period: str, key: str = "") -> IndicatorValue:
    return IndicatorValue.objects.get(
        indicator__code=code, period__code=period, disaggregation_key=key
    )


def test_weighted_mean_of_project_headcounts(
    results_world: ResultsWorld, world: World, portfolio: Portfolio
) -> None:
    lao = add_lao(results_world, world, portfolio)
    computed(
        lao.framework,
        "LA-G1",
        {"kind": "headcount", "scheme": "LA-NL"},
        contributes_to=results_world.programme_headcount,
    )
    reports = refresh_all()
    assert [r.title for r in reports][-1] == results_world.programme_framework.title
    total = _value("PG-1", "2024")
    # (25 % × 8 + 37.5 % × 8) / 16 = 31.25 %, over 16 people.
    assert total.value == Decimal("31.25")
    assert (total.population, total.n, total.source) == (16.0, 6, ValueSource.ROLLUP)
    # Country cells come from one project each; villages likewise.
    assert _value("PG-1", "2024", "country=MMR").value == Decimal("25")
    assert _value("PG-1", "2024", "country=LAO").value == Decimal("37.5")
    cells = IndicatorValue.objects.filter(
        indicator__code="PG-1", period__code="2024", disaggregation_key__startswith="country="
    )
    weighted = sum(float(c.value or 0) * (c.population or 0) for c in cells) / 16
    assert_allclose(weighted, 31.25, atol=1e-6)
    # 2023: the Lao project has no observation, so the programme total names it.
    missing = _value("PG-1", "2023")
    assert missing.value is None
    assert missing.unavailable_reason == "No usable value yet from: LA-G1 (LA-01)."


def test_sum_adds_approved_reported_values_cell_by_cell(
    results_world: ResultsWorld, world: World, portfolio: Portfolio
) -> None:
    lao = add_lao(results_world, world, portfolio)
    la_trained = Indicator.objects.create(
        framework=lao.framework,
        result=lao.framework.nodes.get(),
        code="LA-P1",
        name="Persons trained",
        unit=Unit.PERSONS,
        kind=IndicatorKind.REPORTED,
        contributes_to=results_world.programme_trained,
    )
    mm = results_world.trained
    for indicator, period, total, women, men in (
        (mm, results_world.p2023, "30", "10", "20"),
        (la_trained, lao.p2023, "12", "5", "7"),
    ):
        reported(indicator, period, total)
        reported(indicator, period, women, {"sex": "F"})
        reported(indicator, period, men, {"sex": "M"})
    # 2024: Myanmar's value is only submitted, not approved: it does not count yet.
    reported(mm, results_world.p2024, "40", status=ValueStatus.SUBMITTED)
    reported(la_trained, lao.p2024, "8")
    refresh_framework(results_world.programme_framework)
    assert _value("PG-2", "2023").value == Decimal("42")
    assert _value("PG-2", "2023", "sex=F").value == Decimal("15")
    assert _value("PG-2", "2023", "sex=M").value == Decimal("27")
    women_and_men = _value("PG-2", "2023", "sex=F").value + _value("PG-2", "2023", "sex=M").value  # type: ignore[operator]
    assert women_and_men == _value("PG-2", "2023").value
    assert _value("PG-2", "2024").unavailable_reason == "No usable value yet from: MM-P1 (MM-01)."


def test_periods_match_by_dates_when_codes_differ(
    results_world: ResultsWorld, world: World, portfolio: Portfolio
) -> None:
    ReportingPeriod.objects.filter(framework=results_world.project_framework, code="2024").update(
        code="FY2024"
    )
    reported(results_world.trained, ReportingPeriod.objects.get(code="FY2024"), "9")
    refresh_framework(results_world.programme_framework)
    assert _value("PG-2", "2024").value == Decimal("9")


def test_a_rollup_without_contributors_says_so(results_world: ResultsWorld) -> None:
    Indicator.objects.create(
        framework=results_world.programme_framework,
        result=results_world.programme_framework.nodes.order_by("id")[0],
        code="PG-9",
        name="Nothing feeds this",
        unit=Unit.NUMBER,
        kind=IndicatorKind.ROLLUP,
        aggregation="sum",
    )
    refresh_framework(results_world.programme_framework)
    assert _value("PG-9", "2024").unavailable_reason == "No indicator contributes to this roll-up."


def test_period_end_dates_never_mix(results_world: ResultsWorld) -> None:
    # A period that ends elsewhere (2024-H1) does not match 2024 by dates.
    ReportingPeriod.objects.create(
        framework=results_world.programme_framework,
        code="2024-H1",
        starts_on=date(2024, 1, 1),
        ends_on=date(2024, 6, 30),
    )
    reported(results_world.trained, results_world.p2024, "9")
    refresh_framework(results_world.programme_framework)
    assert _value("PG-2", "2024-H1").value is None
