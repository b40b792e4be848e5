"""A Myanmar counterpart opens a project, switches the chart currency and approves a plan."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from mekong.projects import services
from tests.conftest import PASSWORD, Personas
from tests.e2e.conftest import screenshot
from tests.projects.conftest import Portfolio, portfolio  # noqa: F401  (fixture)


def test_project_page_chart_and_approval(
    page: Any,
    live_server: Any,
    personas: Personas,
    portfolio: Portfolio,  # noqa: F811
) -> None:
    project = portfolio.mm_project
    services.budget_line_create(
        user=None,
        project=project,
        year=2019,
        amount=Decimal("68000"),
        currency="CNY",
        value_date=date(2019, 1, 15),
    )
    services.transaction_record(
        user=None,
        project=project,
        kind="expenditure",
        amount=Decimal("34000"),
        currency="CNY",
        value_date=date(2019, 1, 20),
    )
    plan = services.work_plan_create(user=None, project=project, year=2019, title="Year 1")
    services.work_plan_approve(user=personas.officer, work_plan=plan)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", personas.mm_counterpart.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/projects/{project.id}/")
    page.wait_for_selector("#finance-chart[data-ready='true']")
    page.click(".currency-switch button[data-currency='MMK']")
    assert page.get_attribute("#finance-chart", "data-currency") == "MMK"
    assert page.locator("#finance-chart canvas").count() >= 1

    page.click("text=Approve for my side")
    page.wait_for_url(f"**/projects/{project.id}/#office")
    assert "binding" in page.inner_text("#office ~ table")
    assert plan.approvals.count() == 2
    screenshot(page, "project-page")
