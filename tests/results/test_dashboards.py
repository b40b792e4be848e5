"""Dashboard selectors against the hand-computed values of tests/results/dashboard_fixtures.py."""

from __future__ import annotations

import math
from datetime import date

import pytest
from numpy.testing import assert_allclose

from mekong.core.errors import NotFound
from mekong.results import dashboards
from mekong.results.dashboards import DashboardScope
from mekong.results.models import IndicatorValue, ReportingPeriod
from tests.conftest import Personas, World
from tests.results.dashboard_fixtures import (  # noqa: F401
    DashboardWorld,
    dashboard_world,
    put_value,
)

pytestmark = pytest.mark.django_db


def _scope(user: object, framework_id: int) -> DashboardScope:
    return dashboards.dashboard_scope(user=user, framework_id=framework_id)


def _num(value: float | None) -> float:
    assert value is not None
    return value


def _rows_by_code(rows: list[dashboards.TargetRow]) -> dict[str, dashboards.TargetRow]:
    return {row["indicator"]["code"]: row for row in rows}


def test_project_targets_against_actuals(
    dashboard_world: DashboardWorld,  # noqa: F811
    personas: Personas,
) -> None:
    results = dashboard_world.results
    scope = _scope(personas.officer, results.project_framework.id)
    rows = _rows_by_code(dashboards.targets_vs_actuals(scope=scope, period=results.p2024))
    assert list(rows) == ["MM-G1", "MM-P1", "MM-O1", "MM-P2"]
    # Hand-computed in dashboard_fixtures.py; tolerance for float rounding only.
    assert_allclose(_num(rows["MM-G1"]["actual"]), 24.0)
    assert_allclose(_num(rows["MM-G1"]["percent_of_target"]), 120.0, rtol=1e-9)
    assert rows["MM-G1"]["met"] is True
    assert_allclose(_num(rows["MM-O1"]["percent_of_target"]), 55.0, rtol=1e-9)
    assert rows["MM-O1"]["met"] is False
    assert_allclose(_num(rows["MM-P2"]["percent_of_target"]), 62.5, rtol=1e-9)
    assert_allclose(_num(rows["MM-P1"]["percent_of_target"]), 75.0, rtol=1e-9)
    assert rows["MM-P1"]["actual_text"] == "150"
    assert rows["MM-G1"]["percent_text"] == "120"


def test_percent_of_target_rules() -> None:
    # Lower is better without a baseline: target / actual.
    assert_allclose(
        _num(
            dashboards.percent_of_target(actual=40, target=30, baseline=None, direction="decrease")
        ),
        75.0,
    )
    assert (
        dashboards.percent_of_target(actual=0, target=0, baseline=None, direction="increase")
        is None
    )
    assert dashboards.target_met(actual=102, target=100, direction="maintain")
    assert not dashboards.target_met(actual=110, target=100, direction="maintain")


def test_programme_targets_for_whole_and_partial_scope(
    dashboard_world: DashboardWorld,  # noqa: F811
    personas: Personas,
) -> None:
    framework = dashboard_world.results.programme_framework
    period = dashboard_world.programme_p2024
    whole = _rows_by_code(
        dashboards.targets_vs_actuals(scope=_scope(personas.officer, framework.id), period=period)
    )
    assert_allclose(_num(whole["PG-1"]["actual"]), 29.333333)
    assert_allclose(_num(whole["PG-1"]["percent_of_target"]), 25 / 29.333333 * 100, rtol=1e-9)
    assert_allclose(_num(whole["PG-2"]["percent_of_target"]), 200 / 300 * 100, rtol=1e-9)
    # A Myanmar counterpart sees Myanmar's country cells and no framework-wide percentage.
    partial = _rows_by_code(
        dashboards.targets_vs_actuals(
            scope=_scope(personas.mm_counterpart, framework.id), period=period
        )
    )
    assert partial["PG-1"]["actual"] == 24.0
    assert partial["PG-2"]["actual"] == 150.0
    assert partial["PG-1"]["percent_of_target"] is None


def test_headcount_series_and_scope(
    dashboard_world: DashboardWorld,  # noqa: F811
    personas: Personas,
) -> None:
    framework = dashboard_world.results.programme_framework
    officer = dashboards.headcount_series(scope=_scope(personas.officer, framework.id))
    assert officer["schemes"] == ["LA-NL", "MM-NL"]
    mm = dashboards.headcount_series(scope=_scope(personas.mm_counterpart, framework.id))
    assert mm["schemes"] == ["MM-NL"]
    assert [v["code"] for v in mm["series"]["villages"]] == ["MM-V1", "MM-V2"]
    first = mm["series"]["villages"][0]["values"][1]
    assert_allclose(
        [first["ci_low"], first["ci_high"]],
        [first["estimate"] - 1.96 * first["se"], first["estimate"] + 1.96 * first["se"]],
    )
    la = dashboards.headcount_series(scope=_scope(personas.la_counterpart, framework.id))
    assert la["schemes"] == ["LA-NL"]
    assert [v["code"] for v in la["series"]["villages"]] == ["LA-V1"]
    with pytest.raises(NotFound):
        dashboards.headcount_series(
            scope=_scope(personas.la_counterpart, framework.id), scheme="MM-NL"
        )


def test_mpi_and_gic_whole_scope_only(
    dashboard_world: DashboardWorld,  # noqa: F811
    personas: Personas,
) -> None:
    programme = dashboard_world.results.programme_framework
    project = dashboard_world.results.project_framework
    mpi = dashboards.mpi_composition(scope=_scope(personas.officer, programme.id))
    assert mpi["available"]
    assert_allclose(sum(i["contribution"] for i in mpi["composition"]["indicators"]), 100.0)
    assert not dashboards.mpi_composition(scope=_scope(personas.mm_counterpart, programme.id))[
        "available"
    ]
    assert not dashboards.growth_incidence_curve(
        scope=_scope(personas.mm_counterpart, programme.id)
    )["available"]
    # The Myanmar project lies wholly in the counterpart's scope.
    gic = dashboards.growth_incidence_curve(scope=_scope(personas.mm_counterpart, project.id))
    assert gic["available"]
    assert gic["curve"]["mean_growth"] == 21.5


def test_map_colours_villages_by_indicator(
    dashboard_world: DashboardWorld,  # noqa: F811
    personas: Personas,
) -> None:
    results = dashboard_world.results
    scope = _scope(personas.officer, results.project_framework.id)
    data = dashboards.map_data(scope=scope, indicator=dashboard_world.water, period=results.p2024)
    values = {v["code"]: v["value"] for v in data["villages"]}
    assert values == {"MM-V1": 70.0, "MM-V2": 50.0}
    assert (data["min"], data["max"]) == (50.0, 70.0)
    # Persons trained has no village cells: villages are drawn without a value.
    trained = dashboards.map_data(scope=scope, indicator=results.trained, period=results.p2024)
    assert {v["value"] for v in trained["villages"]} == {None}


def test_map_and_drilldown_hide_villages_out_of_scope(
    dashboard_world: DashboardWorld,  # noqa: F811
    personas: Personas,
    world: World,
) -> None:
    results = dashboard_world.results
    framework = results.programme_framework
    period = dashboard_world.programme_p2024
    indicator = results.programme_headcount
    officer = _scope(personas.officer, framework.id)
    assert {
        v["code"]
        for v in dashboards.map_data(scope=officer, indicator=indicator, period=period)["villages"]
    } == {
        "MM-V1",
        "MM-V2",
        "LA-V1",
    }
    mm = _scope(personas.mm_counterpart, framework.id)
    points = dashboards.map_data(scope=mm, indicator=indicator, period=period)["villages"]
    assert {v["code"] for v in points} == {"MM-V1", "MM-V2"}
    top = dashboards.drilldown(scope=mm, indicator=indicator, period=period, area=None)
    assert [(r["key"], r["value"]) for r in top["rows"]] == [("country:MMR", 24.0)]
    with pytest.raises(NotFound):
        dashboards.drilldown(scope=mm, indicator=indicator, period=period, area="country:LAO")
    la_area = f"area:{world.la_district.id}"
    with pytest.raises(NotFound):
        dashboards.drilldown(scope=mm, indicator=indicator, period=period, area=la_area)
    la = _scope(personas.la_counterpart, framework.id)
    assert [
        r["key"]
        for r in dashboards.drilldown(scope=la, indicator=indicator, period=period, area=None)[
            "rows"
        ]
    ] == ["country:LAO"]


def test_drilldown_from_country_to_village(
    dashboard_world: DashboardWorld,  # noqa: F811
    personas: Personas,
    world: World,
) -> None:
    results = dashboard_world.results
    scope = _scope(personas.officer, results.project_framework.id)
    headcount, period = results.headcount, results.p2024
    countries = dashboards.drilldown(scope=scope, indicator=headcount, period=period, area=None)
    assert [(r["name"], r["value"], r["method"]) for r in countries["rows"]] == [
        ("Myanmar", 24.0, "cell")
    ]
    region = dashboards.drilldown(
        scope=scope, indicator=headcount, period=period, area="country:MMR"
    )
    assert [r["name"] for r in region["rows"]] == ["Nay Pyi Taw"]
    township_key = region["rows"][0]["key"]
    township = dashboards.drilldown(
        scope=scope, indicator=headcount, period=period, area=township_key
    )
    row = township["rows"][0]
    assert row["key"] == f"area:{world.mm_township.id}"
    # Population-weighted mean of the village cells (30·1200 + 15·800)/2000 and its SE
    # sqrt((0.6·3)² + (0.4·4)²), see dashboard_fixtures.py.
    assert_allclose(_num(row["value"]), 24.0)
    assert_allclose((row["ci_high"] - row["value"]) / dashboards.Z_95, math.sqrt(5.8))
    assert row["method"] == "weighted_mean"
    assert row["villages"] == 2
    villages = dashboards.drilldown(
        scope=scope, indicator=headcount, period=period, area=row["key"]
    )
    assert sorted((r["kind"], r["value"]) for r in villages["rows"]) == [
        ("village", 15.0),
        ("village", 30.0),
    ]
    assert [c["name"] for c in villages["path"]] == [
        "All countries",
        "Myanmar",
        "Nay Pyi Taw",
        "Lewe",
    ]
    # Kilometres of road add up.
    road = dashboards.drilldown(
        scope=scope, indicator=dashboard_world.road, period=period, area=township_key
    )
    assert road["rows"][0]["value"] == 5.0
    assert road["rows"][0]["method"] == "sum"
    water = dashboards.drilldown(
        scope=scope, indicator=dashboard_world.water, period=period, area=township_key
    )
    assert_allclose(_num(water["rows"][0]["value"]), 62.0)


def test_counterpart_outside_the_project_gets_not_found(
    dashboard_world: DashboardWorld,  # noqa: F811
    personas: Personas,
) -> None:
    with pytest.raises(NotFound):
        _scope(personas.la_counterpart, dashboard_world.results.project_framework.id)
    with pytest.raises(NotFound):
        _scope(None, dashboard_world.results.project_framework.id)


def test_partial_scope_does_not_mix_currencies_of_countries(
    dashboard_world: DashboardWorld,  # noqa: F811
) -> None:
    from mekong.geo.models import Country
    from mekong.results.models import Indicator, IndicatorKind, Unit
    from tests.results.dashboard_fixtures import put_value

    framework = dashboard_world.results.programme_framework
    period = dashboard_world.programme_p2024
    income = Indicator.objects.create(
        framework=framework,
        result=framework.nodes.order_by("id")[0],
        code="PG-INC",
        name="Income",
        unit=Unit.MONEY_PER_PERSON_YEAR,
        kind=IndicatorKind.COMPUTED,
        computation={"kind": "mean_income"},
    )
    # Mean income per country, each in its own currency (MMK and LAK).
    put_value(income, period, 1600, cell={"country": "MMR"}, population=8)
    put_value(income, period, 3312.5, cell={"country": "LAO"}, population=8)
    # Someone who sees two countries of a programme that would span more.
    ids = frozenset(Country.objects.filter(iso3__in=["MMR", "LAO"]).values_list("id", flat=True))
    scope = DashboardScope(framework=framework, country_ids=ids, whole=False)
    row = _rows_by_code(dashboards.targets_vs_actuals(scope=scope, period=period))["PG-INC"]
    assert row["actual"] is None  # not (1600 + 3312.5) / 2 "MMK-or-LAK"
    assert "different currencies" in row["unavailable_reason"]
    # With the indicator's currency set, every cell is in it and they combine.
    income.currency = "MMK"
    income.save()
    row = _rows_by_code(dashboards.targets_vs_actuals(scope=scope, period=period))["PG-INC"]
    assert row["actual"] == 2456.25


def test_default_period_is_the_latest_started_one_with_values_in_scope(
    dashboard_world: DashboardWorld,  # noqa: F811
    personas: Personas,
) -> None:
    framework = dashboard_world.results.programme_framework
    pg1 = dashboard_world.results.programme_headcount

    def default(user: object) -> str:
        return dashboards.period_choose(scope=_scope(user, framework.id), period_id=None).code

    # 2025 has started (the test runs later) but holds only an empty cell; 2099 has not.
    p2025 = ReportingPeriod.objects.create(
        framework=framework, code="2025", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31)
    )
    ReportingPeriod.objects.create(
        framework=framework, code="2099", starts_on=date(2099, 1, 1), ends_on=date(2099, 12, 31)
    )
    put_value(pg1, p2025, None)
    assert default(personas.officer) == "2024"
    # Myanmar reports 2025 first: its counterpart opens on 2025, the whole framework and
    # Laos stay on 2024, whose values they can see.
    put_value(pg1, p2025, 20.0, cell={"country": "MMR"}, se=2.0, population=2000)
    assert default(personas.mm_counterpart) == "2025"
    assert default(personas.la_counterpart) == "2024"
    assert default(personas.officer) == "2024"
    # A chosen period is kept, values or not.
    chosen = dashboards.period_choose(
        scope=_scope(personas.officer, framework.id), period_id=p2025.id
    )
    assert chosen == p2025
    # Without any value in scope, the latest period that has started.
    IndicatorValue.objects.filter(indicator__framework=framework).update(value=None)
    assert default(personas.officer) == "2025"
