"""An officer opens a project dashboard, sees every chart drawn, switches the map's indicator
and drills down to the villages; a Myanmar counterpart opens the programme dashboard."""

from __future__ import annotations

from typing import Any

from tests.conftest import PASSWORD, Personas
from tests.e2e.conftest import chart_width, resize_window_at_zero_size, screenshot
from tests.projects.conftest import portfolio  # noqa: F401  (fixture)
from tests.results.conftest import results_world  # noqa: F401  (fixture)
from tests.results.dashboard_fixtures import DashboardWorld, dashboard_world  # noqa: F401

CHARTS = ["#chart-targets", "#chart-headcount", "#chart-mpi", "#chart-gic", "#dashboard-map"]


def _open(page: Any, live_server: Any, username: str, path: str) -> None:
    """Sign in straight to ``path`` (no stop at the home page, whose map would still be
    loading when the next navigation starts)."""
    page.goto(f"{live_server.url}/accounts/login/?next={path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"**{path}")


def test_project_dashboard_charts_and_map_switch(
    page: Any,
    live_server: Any,
    personas: Personas,
    dashboard_world: DashboardWorld,  # noqa: F811
) -> None:
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    results = dashboard_world.results
    _open(
        page,
        live_server,
        personas.officer.username,
        f"/results/{results.project_framework.id}/dashboard/",
    )
    for selector in CHARTS:
        page.wait_for_selector(f"{selector}[data-ready='true']")
        assert page.locator(f"{selector} canvas").count() >= 1, selector
    page.wait_for_selector("body[data-dashboard-ready='true']")
    assert page.locator("#table-targets tbody tr").count() == 4
    assert "120" in page.inner_text("#table-targets")
    assert page.get_attribute("#dashboard-map", "data-indicator") == str(results.headcount.id)

    page.select_option("#map-indicator", str(dashboard_world.water.id))
    page.wait_for_selector(f"#dashboard-map[data-indicator='{dashboard_world.water.id}']")
    page.wait_for_selector("#dashboard-map[data-ready='true']")
    page.wait_for_selector("#table-drill tbody tr")
    page.click("#table-drill tbody button:has-text('Myanmar')")
    page.wait_for_selector("#drill-path >> text=Myanmar")
    page.click("#table-drill tbody button:has-text('Nay Pyi Taw')")
    page.click("#table-drill tbody button:has-text('Lewe')")
    page.wait_for_selector("#table-drill tbody >> text=Min Pyin")
    assert "70" in page.inner_text("#table-drill")
    page.wait_for_selector("body[data-dashboard-ready='true']")
    screenshot(page, "dashboard-project")
    assert console_errors == []


def test_programme_dashboard_for_a_counterpart(
    page: Any,
    live_server: Any,
    personas: Personas,
    dashboard_world: DashboardWorld,  # noqa: F811
) -> None:
    results = dashboard_world.results
    _open(
        page,
        live_server,
        personas.mm_counterpart.username,
        f"/results/{results.programme_framework.id}/dashboard/",
    )
    page.wait_for_selector("#dashboard-map[data-ready='true']")
    page.wait_for_selector("#chart-headcount[data-ready='true']")
    page.wait_for_selector("body[data-dashboard-ready='true']")
    assert page.locator("#scope-note").count() == 1
    assert "Ban Xor" not in page.inner_text("main")
    assert page.locator("#headcount-village option").count() == 2
    screenshot(page, "dashboard-programme-counterpart")


def test_targets_chart_only_where_a_period_has_targets(
    page: Any,
    live_server: Any,
    personas: Personas,
    dashboard_world: DashboardWorld,  # noqa: F811
) -> None:
    # The programme framework has targets in 2024 only (dashboard_fixtures.py): its 2023
    # page has no bars to draw and shows the table alone.
    framework = dashboard_world.results.programme_framework
    p2023 = framework.periods.get(code="2023")
    path = f"/results/{framework.id}/dashboard/"
    _open(page, live_server, personas.officer.username, path)
    page.wait_for_selector("body[data-dashboard-ready='true']")
    assert page.input_value("#period") == str(dashboard_world.programme_p2024.id)
    assert page.locator("#chart-targets").is_visible()
    page.goto(f"{live_server.url}{path}?period={p2023.id}")
    page.wait_for_selector("body[data-dashboard-ready='true']")
    assert page.locator("#table-targets tbody tr").count() == 2
    assert not page.locator("#chart-targets").is_visible()


def test_dashboard_map_survives_a_window_resize_at_zero_size(
    page: Any,
    live_server: Any,
    personas: Personas,
    dashboard_world: DashboardWorld,  # noqa: F811
) -> None:
    # ECharts 6.1.0 throws from its geo layout at 0x0 (apache/echarts#21706): a window
    # resize while the map has no size must raise no JavaScript error, and the map must
    # take the new size once it has one.
    _open(
        page,
        live_server,
        personas.officer.username,
        f"/results/{dashboard_world.results.project_framework.id}/dashboard/",
    )
    page.wait_for_selector("body[data-dashboard-ready='true']")
    page.wait_for_selector("#dashboard-map[data-ready='true']")
    resize_window_at_zero_size(page, "dashboard-map")
    ours, element = chart_width(page, "dashboard-map")
    assert ours == element
