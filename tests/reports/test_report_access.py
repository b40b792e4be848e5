"""Every persona against the report page, the downloads and the API: out of scope is 404."""

from __future__ import annotations

import json

import pytest

from mekong.partners.models import User
from tests.conftest import Personas, client_for
from tests.results.report_fixtures import ReportWorld

# Who sees the Myanmar project's framework (scope by country; anonymous must sign in).
PAGE_STATUS = {
    "officer": 200,
    "mm_counterpart": 200,
    "la_counterpart": 404,
    "enumerator": 200,
    "anonymous": 302,
}
API_STATUS = {**PAGE_STATUS, "anonymous": 401}


def test_report_page_by_persona(
    report_world: ReportWorld, persona: tuple[str, User | None]
) -> None:
    name, user = persona
    framework = report_world.results.project_framework
    response = client_for(user).get(f"/reports/{framework.id}/")
    assert response.status_code == PAGE_STATUS[name]
    if response.status_code == 200:
        page = response.content.decode()
        assert "2024" in page
        assert "export.sdmx" in page
        assert "export.dhis2" in page
        assert "MM-P1" in page  # listed as left out of DHIS2 (no data element)


def test_exports_by_persona(report_world: ReportWorld, persona: tuple[str, User | None]) -> None:
    name, user = persona
    framework = report_world.results.project_framework
    client = client_for(user)
    for export in ("csv", "sdmx", "dhis2"):
        response = client.get(f"/reports/{framework.id}/export.{export}")
        assert response.status_code == PAGE_STATUS[name], export


@pytest.mark.parametrize(
    "path",
    [
        "report.xlsx?period=2024&language=zh-hans",
        "values.csv",
        "sdmx.csv?period=2024",
        "dhis2.json?org_units=MMR=ImspTQPwCqd",
    ],
)
def test_api_by_persona(
    report_world: ReportWorld, persona: tuple[str, User | None], path: str
) -> None:
    name, user = persona
    framework = report_world.results.project_framework
    response = client_for(user).get(f"/api/reports/frameworks/{framework.id}/{path}")
    assert response.status_code == API_STATUS[name]


def test_page_downloads_the_chosen_report(report_world: ReportWorld, personas: Personas) -> None:
    framework = report_world.results.project_framework
    response = client_for(personas.mm_counterpart).get(
        f"/reports/{framework.id}/",
        {"download": "1", "period": "2024", "language": "my", "format": "xlsx"},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="report-MM-01-2024-my.xlsx"'
    assert response.content.startswith(b"PK")


def test_page_names_an_unknown_period(report_world: ReportWorld, personas: Personas) -> None:
    framework = report_world.results.project_framework
    response = client_for(personas.officer).get(
        f"/reports/{framework.id}/", {"download": "1", "period": "2031", "format": "pdf"}
    )
    assert response.status_code == 400
    assert "no reporting period “2031”" in response.content.decode()


def test_api_pdf_download(report_world: ReportWorld, personas: Personas) -> None:
    framework = report_world.results.project_framework
    response = client_for(personas.officer).get(
        f"/api/reports/frameworks/{framework.id}/report.pdf",
        {"period": "2024", "language": "en"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_api_errors_name_the_field(report_world: ReportWorld, personas: Personas) -> None:
    framework = report_world.results.project_framework
    client = client_for(personas.officer)
    base = f"/api/reports/frameworks/{framework.id}"
    missing = client.get(f"{base}/report.pdf", {"period": "1999"})
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["field"] == "period"
    language = client.get(f"{base}/report.pdf", {"period": "2024", "language": "fr"})
    assert language.status_code == 422
    assert language.json()["errors"][0]["field"] == "language"
    mapping = client.get(f"{base}/dhis2.json", {"org_units": "MMR"})
    assert mapping.status_code == 400
    assert mapping.json()["errors"][0]["field"] == "org_units"


def test_api_dhis2_lists_skipped_indicators(report_world: ReportWorld, personas: Personas) -> None:
    framework = report_world.results.project_framework
    response = client_for(personas.officer).get(
        f"/api/reports/frameworks/{framework.id}/dhis2.json",
        {"org_units": "MMR=ImspTQPwCqd", "period": "2024"},
    )
    assert response.status_code == 200
    assert [v["period"] for v in json.loads(response.content)["dataValues"]] == ["2024"]
    assert response["X-Skipped-Indicators"] == "MM-G1,MM-P1"
    assert response["X-Skipped-Values"] == "6"  # 3 MM-G1 cells, 3 MM-P1 values


def test_programme_framework_hidden_from_lao_only_when_no_project_in_scope(
    report_world: ReportWorld, personas: Personas
) -> None:
    framework = report_world.results.programme_framework
    # The programme has a Lao project, so the Lao counterpart sees its framework.
    response = client_for(personas.la_counterpart).get(
        f"/api/reports/frameworks/{framework.id}/values.csv"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
