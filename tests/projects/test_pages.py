"""Portfolio and project pages, exports and scope for every persona."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from mekong.projects import services
from tests.conftest import Personas, World, client_for
from tests.projects.conftest import Portfolio

VISIBLE = {
    "officer": {"MM-01", "LA-01"},
    "mm_counterpart": {"MM-01"},
    "la_counterpart": {"LA-01"},
    "enumerator": {"MM-01"},
}


def test_portfolio_lists_only_projects_in_scope(persona, portfolio: Portfolio) -> None:
    name, user = persona
    response = client_for(user).get("/projects/")
    if user is None:
        assert response.status_code == 302
        return
    body = response.content.decode()
    shown = {code for code in ("MM-01", "LA-01") if f">{code}</a>" in body}
    assert shown == VISIBLE[name]


def test_project_page_404_outside_scope(persona, portfolio: Portfolio) -> None:
    name, user = persona
    for project in (portfolio.mm_project, portfolio.la_project):
        response = client_for(user).get(f"/projects/{project.id}/")
        if user is None:
            assert response.status_code == 302
        else:
            assert response.status_code == (200 if project.code in VISIBLE[name] else 404)


def test_api_project_list_scoped(persona, portfolio: Portfolio) -> None:
    name, user = persona
    response = client_for(user).get("/api/projects")
    if user is None:
        assert response.status_code == 401
        return
    assert {p["code"] for p in response.json()["items"]} == VISIBLE[name]


def test_portfolio_filters(personas: Personas, portfolio: Portfolio) -> None:
    client = client_for(personas.officer)

    def codes(query: str) -> set[str]:
        return {p["code"] for p in client.get(f"/api/projects?{query}").json()["items"]}

    assert codes("country=LAO") == {"LA-01"}
    assert codes("focus_area=infrastructure") == {"MM-01"}
    assert codes("sector=14030") == {"MM-01"}
    assert codes("framework=EAPRI") == {"MM-01", "LA-01"}
    assert codes("status=closed") == set()


def test_project_page_shows_money_in_three_currencies(
    personas: Personas, portfolio: Portfolio
) -> None:
    services.transaction_record(
        user=personas.officer,
        project=portfolio.mm_project,
        kind="commitment",
        amount=Decimal("6800"),
        currency="CNY",
        value_date=date(2019, 1, 2),
    )
    body = client_for(personas.officer).get(f"/projects/{portfolio.mm_project.id}/").content
    text = body.decode()
    # 6,800 CNY = 1,000 USD = 1,500,000 MMK at the fixture's official rates.
    assert "6,800.00" in text
    assert "1,000.00" in text
    assert "1,500,000.00" in text
    assert "1 USD = 1500 MMK (official, 2019-01-01)" in text


def test_finance_export_is_a_workbook_with_the_rates(
    personas: Personas, portfolio: Portfolio
) -> None:
    services.transaction_record(
        user=personas.officer,
        project=portfolio.mm_project,
        kind="commitment",
        amount=Decimal("6800"),
        currency="CNY",
        value_date=date(2019, 1, 2),
    )
    response = client_for(personas.officer).get(
        f"/projects/{portfolio.mm_project.id}/finance.xlsx?rates=market"
    )
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    sheet = book["Transactions"]
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["Date", "Kind", "Component", "Description", "Amount", "Currency"]
    row = [c.value for c in sheet[2]]
    # Market rate 1,600 MMK/USD: 1,000 USD = 1,600,000 MMK.
    assert row[header.index("MMK")] == pytest.approx(1600000)
    assert "market" in row[header.index("MMK") + 1]


def test_portfolio_export_respects_scope(personas: Personas, portfolio: Portfolio) -> None:
    response = client_for(personas.la_counterpart).get("/projects/export.xlsx")
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    codes = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert codes == ["LA-01"]


def test_project_villages_json_scoped(
    personas: Personas, portfolio: Portfolio, world: World
) -> None:
    data = client_for(personas.la_counterpart).get("/projects/villages.json").json()
    assert {v["id"] for v in data["villages"]} == {world.la_published.id}


def test_approve_button_records_the_sides_approval(
    personas: Personas, portfolio: Portfolio
) -> None:
    plan = services.work_plan_create(
        user=None, project=portfolio.mm_project, year=2019, title="Year 1"
    )
    client = client_for(personas.mm_counterpart)
    page = client.get(f"/projects/{portfolio.mm_project.id}/").content.decode()
    url = f"/projects/{portfolio.mm_project.id}/work-plans/{plan.id}/approve/"
    assert url in page
    assert client.post(url).status_code == 302
    assert list(plan.approvals.values_list("side", flat=True)) == ["partner"]
    # The button is gone for the side that approved; a second post is refused with a message.
    assert url not in client.get(f"/projects/{portfolio.mm_project.id}/").content.decode()
    client.post(url)
    assert plan.approvals.count() == 1
    # The enumerator sees no button, and a forged post is refused.
    enumerator = client_for(personas.enumerator)
    assert url not in enumerator.get(f"/projects/{portfolio.mm_project.id}/").content.decode()
    assert enumerator.post(url).status_code == 403


def test_record_next_step_from_the_page(personas: Personas, portfolio: Portfolio) -> None:
    client = client_for(personas.officer)
    url = f"/projects/{portfolio.mm_project.id}/advance/"
    response = client.post(url, {"to_status": "feasibility", "occurred_on": "2017-05-01"})
    assert response.status_code == 302
    portfolio.mm_project.refresh_from_db()
    assert portfolio.mm_project.status == "feasibility"
    # Skipping is refused and shown as a message, not a crash.
    client.post(url, {"to_status": "closed", "occurred_on": "2017-06-01"})
    portfolio.mm_project.refresh_from_db()
    assert portfolio.mm_project.status == "feasibility"
    assert (
        client_for(personas.mm_counterpart)
        .post(url, {"to_status": "approved", "occurred_on": "2017-06-01"})
        .status_code
        == 403
    )
