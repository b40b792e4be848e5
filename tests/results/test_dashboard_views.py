"""Dashboard pages and /api/dashboards/ endpoints for every persona, and their cache."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mekong.partners.models import User
from mekong.results.models import IndicatorValue, Target
from tests.conftest import Personas, client_for
from tests.results.dashboard_fixtures import DashboardWorld, dashboard_world  # noqa: F401

pytestmark = pytest.mark.django_db

ENDPOINTS = ["summary", "targets", "headcount", "mpi", "gic", "map", "drilldown"]
# Who sees which villages of the programme's dashboard (None: refused).
PROGRAMME_VILLAGES: dict[str, set[str] | None] = {
    "officer": {"MM-V1", "MM-V2", "LA-V1"},
    "mm_counterpart": {"MM-V1", "MM-V2"},
    "la_counterpart": {"LA-V1"},
    "enumerator": {"MM-V1", "MM-V2"},
    "anonymous": None,
}


def _get(client: Any, url: str) -> Any:
    return client.get(url, HTTP_ACCEPT="application/json")


def test_programme_dashboard_for_every_persona(
    dashboard_world: DashboardWorld,  # noqa: F811
    persona: tuple[str, User | None],
) -> None:
    name, user = persona
    framework = dashboard_world.results.programme_framework
    client = client_for(user)
    page = client.get(f"/results/{framework.id}/dashboard/")
    expected = PROGRAMME_VILLAGES[name]
    if expected is None:
        assert page.status_code == 302
        assert page["Location"].startswith("/accounts/login/")
        for endpoint in ENDPOINTS:
            assert _get(client, f"/api/dashboards/{framework.id}/{endpoint}").status_code == 401
        return
    assert page.status_code == 200
    assert b'id="dashboard-config"' in page.content
    for endpoint in ENDPOINTS:
        response = _get(client, f"/api/dashboards/{framework.id}/{endpoint}")
        assert response.status_code == 200, (endpoint, response.content)
    indicator = dashboard_world.results.programme_headcount.id
    data = _get(client, f"/api/dashboards/{framework.id}/map?indicator={indicator}").json()
    assert {v["code"] for v in data["villages"]} == expected
    headcount = _get(client, f"/api/dashboards/{framework.id}/headcount").json()
    for scheme in headcount["schemes"]:
        series = _get(client, f"/api/dashboards/{framework.id}/headcount?scheme={scheme}").json()
        assert {v["code"] for v in series["series"]["villages"]} <= expected
    drill = _get(client, f"/api/dashboards/{framework.id}/drilldown?indicator={indicator}").json()
    shown = {row["key"] for row in drill["rows"]}
    countries = {"MM": "country:MMR", "LA": "country:LAO"}
    assert shown == {countries[code[:2]] for code in expected}
    body = b"".join(
        _get(client, f"/api/dashboards/{framework.id}/{endpoint}").content for endpoint in ENDPOINTS
    )
    hidden = {"MM-V1", "MM-V2", "LA-V1"} - expected
    for code in hidden:
        assert code.encode() not in body


def test_project_dashboard_out_of_scope_is_not_found(
    dashboard_world: DashboardWorld,  # noqa: F811
    personas: Personas,
) -> None:
    framework = dashboard_world.results.project_framework
    client = client_for(personas.la_counterpart)
    assert client.get(f"/results/{framework.id}/dashboard/").status_code == 404
    for endpoint in ENDPOINTS:
        assert _get(client, f"/api/dashboards/{framework.id}/{endpoint}").status_code == 404


def test_bad_parameters_answer_not_found(
    dashboard_world: DashboardWorld,  # noqa: F811
    personas: Personas,
) -> None:
    framework = dashboard_world.results.project_framework
    other_period = dashboard_world.programme_p2024.id
    client = client_for(personas.officer)
    base = f"/api/dashboards/{framework.id}"
    assert _get(client, f"{base}/targets?period={other_period}").status_code == 404
    programme_indicator = dashboard_world.results.programme_headcount.id
    assert _get(client, f"{base}/map?indicator={programme_indicator}").status_code == 404
    assert _get(client, f"{base}/drilldown?area=country:LAO").status_code == 404
    assert _get(client, f"{base}/drilldown?area=nonsense").status_code == 404
    # Digits that int() refuses ("²" is a digit to str.isdigit) are not found, not a 500.
    assert _get(client, f"{base}/drilldown?area=area:%C2%B2").status_code == 404
    assert _get(client, f"{base}/drilldown?area=area:99999999999999999999").status_code == 404
    assert client.get(f"/results/{framework.id}/dashboard/?period=%C2%B2").status_code == 200
    assert _get(client, f"{base}/headcount?scheme=NONE").status_code == 404
    assert (
        client.get(f"/results/{framework.id}/dashboard/?period={other_period}").status_code == 404
    )


def test_dashboard_list_shows_frameworks_in_scope(
    dashboard_world: DashboardWorld,  # noqa: F811
    personas: Personas,
) -> None:
    results = dashboard_world.results
    officer = client_for(personas.officer).get("/results/dashboards/")
    assert officer.status_code == 200
    assert f"/results/{results.programme_framework.id}/dashboard/".encode() in officer.content
    assert f"/results/{results.project_framework.id}/dashboard/".encode() in officer.content
    la = client_for(personas.la_counterpart).get("/results/dashboards/")
    assert f"/results/{results.project_framework.id}/dashboard/".encode() not in la.content
    assert client_for(None).get("/results/dashboards/").status_code == 302


def test_page_passes_translated_labels(
    dashboard_world: DashboardWorld,  # noqa: F811
    personas: Personas,
) -> None:
    framework = dashboard_world.results.project_framework
    client = client_for(personas.officer)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(f"/results/{framework.id}/dashboard/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    config = page.context["config"]
    assert set(config["labels"]) >= {"target", "actual", "ci", "no_value"}
    assert config["map_indicator"] == dashboard_world.results.headcount.id
    assert config["api"] == f"/api/dashboards/{framework.id}/"


def test_cached_response_is_reused(
    dashboard_world: DashboardWorld,  # noqa: F811
    personas: Personas,
) -> None:
    framework = dashboard_world.results.project_framework
    client = client_for(personas.officer)
    url = f"/api/dashboards/{framework.id}/drilldown?area=country:MMR"
    with CaptureQueriesContext(connection) as first:
        assert _get(client, url).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert _get(client, url).status_code == 200
    assert len(second) < len(first)


def test_cache_invalidated_when_a_value_changes(
    dashboard_world: DashboardWorld,  # noqa: F811
    personas: Personas,
) -> None:
    results = dashboard_world.results
    framework = results.project_framework
    water = dashboard_world.water
    client = client_for(personas.officer)
    url = f"/api/dashboards/{framework.id}/map?indicator={water.id}&period={results.p2024.id}"

    def values() -> dict[str, float | None]:
        return {v["code"]: v["value"] for v in _get(client, url).json()["villages"]}

    assert values() == {"MM-V1": 70.0, "MM-V2": 50.0}
    # An edit through the ORM (a history row).
    cell = IndicatorValue.objects.get(indicator=water, disaggregation_key="village=MM-V1")
    cell.value = Decimal("75")
    cell.save()
    assert values() == {"MM-V1": 75.0, "MM-V2": 50.0}
    # A bulk refresh that writes no history still moves computed_at.
    IndicatorValue.objects.filter(indicator=water, disaggregation_key="village=MM-V2").update(
        value=Decimal("55"), computed_at=timezone.now()
    )
    assert values() == {"MM-V1": 75.0, "MM-V2": 55.0}


def test_cache_invalidated_when_a_target_changes(
    dashboard_world: DashboardWorld,  # noqa: F811
    personas: Personas,
) -> None:
    results = dashboard_world.results
    client = client_for(personas.officer)
    url = f"/api/dashboards/{results.project_framework.id}/targets?period={results.p2024.id}"
    rows = {r["indicator"]["code"]: r for r in _get(client, url).json()["rows"]}
    assert rows["MM-P2"]["target"] == 8.0
    target = Target.objects.get(indicator=dashboard_world.road, period=results.p2024)
    target.value = Decimal("10")
    target.save()
    rows = {r["indicator"]["code"]: r for r in _get(client, url).json()["rows"]}
    assert rows["MM-P2"]["target"] == 10.0
    assert rows["MM-P2"]["percent_of_target"] == 50.0


def test_cache_invalidated_when_a_period_is_added(
    dashboard_world: DashboardWorld,  # noqa: F811
    personas: Personas,
) -> None:
    from datetime import date

    from mekong.results.models import ReportingPeriod

    framework = dashboard_world.results.project_framework
    client = client_for(personas.officer)
    url = f"/api/dashboards/{framework.id}/summary?period={dashboard_world.results.p2024.id}"
    before = [p["code"] for p in _get(client, url).json()["periods"]]
    ReportingPeriod.objects.create(
        framework=framework, code="2031", starts_on=date(2031, 1, 1), ends_on=date(2031, 12, 31)
    )
    assert [p["code"] for p in _get(client, url).json()["periods"]] == [*before, "2031"]
