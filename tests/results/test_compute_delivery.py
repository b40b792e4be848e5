"""Asset and delivery indicators: km of road, counts of assets, assisted and exited
households, each checked against the rows the test creates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mekong.partners.models import Role, User
from mekong.projects import services as project_services
from mekong.registry.models import (
    AssistanceMeasure,
    Classification,
    ExitCase,
    ExitPolicy,
    ExitState,
)
from mekong.results.compute import refresh_framework
from mekong.results.models import IndicatorValue
from tests.conftest import World
from tests.projects.conftest import Portfolio
from tests.results.compute_fixtures import computed
from tests.results.conftest import ResultsWorld


def _values(code: str) -> dict[tuple[str, str], Decimal | None]:
    return {
        (v.period.code, v.disaggregation_key): v.value
        for v in IndicatorValue.objects.filter(indicator__code=code).select_related("period")
    }


@pytest.fixture
def roads(results_world: ResultsWorld, world: World, portfolio: Portfolio) -> None:
    """Road A: 1.0 km by March 2023, finished at 2.5 km on 30 June 2023. Road B: 1.2 of
    4 km by May 2024, not finished. A well finished in 2024 (counted in units)."""
    component = project_services.component_create(
        user=None, project=portfolio.mm_project, focus_area="infrastructure", title="Roads"
    )
    activity = project_services.activity_create(user=None, component=component, title="Build")
    common = {"procurement_mode": "chinese_contractor", "village": world.mm_published}
    road_a = project_services.asset_create(
        user=None,
        activity=activity,
        asset_type="road",
        unit="km",
        surface="concrete",
        planned_quantity=Decimal("2.5"),
        **common,
    )
    road_b = project_services.asset_create(
        user=None,
        activity=activity,
        asset_type="road",
        unit="km",
        surface="gravel",
        planned_quantity=Decimal("4"),
        **common,
    )
    well = project_services.asset_create(
        user=None,
        activity=activity,
        asset_type="well",
        unit="units",
        planned_quantity=Decimal("1"),
        **common,
    )
    for asset, on, percent, quantity in (
        (road_a, date(2023, 3, 1), 40, "1.0"),
        (road_a, date(2023, 6, 30), 100, "2.5"),
        (road_b, date(2024, 5, 1), 30, "1.2"),
        (well, date(2024, 2, 1), 100, "1"),
    ):
        project_services.asset_progress_record(
            user=None,
            asset=asset,
            reported_on=on,
            percent_complete=percent,
            actual_quantity=Decimal(quantity),
        )


@pytest.mark.usefixtures("roads")
def test_km_of_road_completed_and_in_progress(results_world: ResultsWorld) -> None:
    framework = results_world.project_framework
    computed(
        framework,
        "KM-DONE",
        {"kind": "asset_quantity", "asset_type": "road", "unit": "km"},
        unit="km",
    )
    computed(
        framework,
        "KM-ALL",
        {"kind": "asset_quantity", "asset_type": "road", "unit": "km", "completed_only": False},
        unit="km",
    )
    computed(
        framework,
        "KM-GRAVEL",
        {
            "kind": "asset_quantity",
            "asset_type": "road",
            "unit": "km",
            "surface": "gravel",
            "completed_only": False,
        },
        unit="km",
    )
    computed(
        framework, "KM-M", {"kind": "asset_quantity", "asset_type": "road", "unit": "m"}, unit="km"
    )
    computed(framework, "ROADS", {"kind": "asset_count", "asset_type": "road"}, unit="number")
    computed(framework, "WELLS", {"kind": "asset_count", "asset_type": "well"}, unit="number")
    refresh_framework(framework)
    # Completed: road A (2.5 km) from June 2023 on.
    assert _values("KM-DONE") == {("2023", ""): Decimal("2.5"), ("2024", ""): Decimal("2.5")}
    # Latest progress on or before the period's end: 2023 2.5; 2024 2.5 + 1.2.
    assert _values("KM-ALL") == {("2023", ""): Decimal("2.5"), ("2024", ""): Decimal("3.7")}
    assert _values("KM-GRAVEL") == {("2023", ""): Decimal("0"), ("2024", ""): Decimal("1.2")}
    assert _values("ROADS") == {("2023", ""): Decimal("1"), ("2024", ""): Decimal("1")}
    assert _values("WELLS") == {("2023", ""): Decimal("0"), ("2024", ""): Decimal("1")}
    wrong_unit = IndicatorValue.objects.get(indicator__code="KM-M", period__code="2024")
    assert wrong_unit.value is None
    assert wrong_unit.unavailable_reason == "Assets of type road are recorded in km, not m."


def test_assisted_and_exited_households_by_period(
    results_world: ResultsWorld, world: World
) -> None:
    h1, h2, h3, _h4 = results_world.households
    for hh, category, on in (
        (h1, "production", date(2023, 5, 1)),
        (h1, "production", date(2023, 7, 1)),  # the same household counts once
        (h2, "education", date(2024, 3, 1)),
        (h3, "production", date(2024, 4, 1)),
    ):
        AssistanceMeasure.objects.create(
            household=hh,
            category=category,
            description="Seeds",
            value=Decimal("100"),
            currency="MMK",
            value_date=on,
        )
    officer = User.objects.create_user(username="officer", password="x", role=Role.JOINT_OFFICE)
    ExitCase.objects.create(
        household=h2,
        survey_round=results_world.r2024,
        policy=ExitPolicy.objects.get(),
        classification=Classification.objects.get(household=h2, survey_round=results_world.r2024),
        state=ExitState.EXITED,
        proposed_on=date(2024, 2, 1),
        proposed_by=officer,
        decided_on=date(2024, 6, 1),
    )
    framework = results_world.project_framework
    computed(framework, "ASSISTED", {"kind": "assisted_households"}, unit="households")
    computed(
        framework,
        "SCHOOLING",
        {"kind": "assisted_households", "category": "education"},
        unit="households",
    )
    computed(framework, "EXITED", {"kind": "exited_households"}, unit="households")
    refresh_framework(framework)
    village = f"village={world.mm_published.code}"
    assert _values("ASSISTED") == {
        ("2023", ""): 1,
        ("2023", village): 1,
        ("2023", "country=MMR"): 1,
        ("2024", ""): 2,
        ("2024", village): 2,
        ("2024", "country=MMR"): 2,
    }
    assert _values("SCHOOLING")[("2024", "")] == 1
    assert _values("SCHOOLING")[("2023", "")] == 0
    assert _values("EXITED") == {
        ("2023", ""): 0,
        ("2024", ""): 1,
        ("2024", village): 1,
        ("2024", "country=MMR"): 1,
    }


def test_counts_by_village_add_up_to_the_total(results_world: ResultsWorld, world: World) -> None:
    from tests.registry.exit_fixtures import household

    hidden = household(world.mm_hidden, "MM-H9")
    for hh in (*results_world.households[:2], hidden):
        AssistanceMeasure.objects.create(
            household=hh,
            category="production",
            description="Pigs",
            value=Decimal("50"),
            currency="MMK",
            value_date=date(2024, 1, 15),
        )
    computed(
        results_world.project_framework,
        "ASSISTED",
        {"kind": "assisted_households"},
        unit="households",
    )
    refresh_framework(results_world.project_framework)
    values = _values("ASSISTED")
    villages = [v for (p, k), v in values.items() if p == "2024" and k.startswith("village=")]
    assert len(villages) == 2
    assert sum(v or 0 for v in villages) == values[("2024", "")] == 3
