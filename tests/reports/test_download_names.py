"""Codes people type end up in download names and headers: a quote, a line break or a
non-Latin code must give a well-formed header, never a 500; new codes are one printable line."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import quote

import pytest

from mekong.results.models import ReportingPeriod
from tests.conftest import Personas, client_for
from tests.results.core_fixtures import Staff, staff_fixture  # noqa: F401  (fixture)
from tests.results.report_fixtures import ReportWorld


@pytest.mark.parametrize("code", ['2031"x', "2031\nX", "二〇三一"])
def test_odd_period_codes_give_well_formed_download_headers(
    personas: Personas, report_world: ReportWorld, code: str
) -> None:
    framework = report_world.results.project_framework
    # Written past the service, as an older row or the admin could have it.
    ReportingPeriod.objects.create(
        framework=framework, code=code, starts_on=date(2031, 1, 1), ends_on=date(2031, 12, 31)
    )
    client = client_for(personas.officer)
    for url in (
        f"/reports/{framework.id}/export.csv?period={quote(code)}",
        f"/api/reports/frameworks/{framework.id}/values.csv?period={quote(code)}",
        f"/reports/{framework.id}/?download=1&format=xlsx&period={quote(code)}",
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        header = response["Content-Disposition"]
        assert header.startswith("attachment; filename"), header
        assert "\n" not in header, header
        assert "=?utf-8?" not in header, header
        assert header.count('"') in (0, 2) or '\\"' in header, header


@pytest.mark.parametrize("code", ["2031\nX", "\t", "  ", "20\x0731"])
def test_a_period_code_is_one_printable_line(
    staff: Staff, report_world: ReportWorld, code: str
) -> None:
    framework = report_world.results.project_framework
    response = client_for(staff.me_officer).post(
        f"/api/results/frameworks/{framework.id}/periods",
        json.dumps({"code": code, "starts_on": "2031-01-01", "ends_on": "2031-12-31"}),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "code"
    assert not ReportingPeriod.objects.filter(starts_on=date(2031, 1, 1)).exists()


def test_an_indicator_code_is_one_printable_line(staff: Staff, report_world: ReportWorld) -> None:
    rw = report_world.results
    client = client_for(staff.me_officer)
    created = client.post(
        f"/api/results/frameworks/{rw.project_framework.id}/indicators",
        json.dumps(
            {
                "result": rw.output.id,
                "code": "X\n1",
                "name": "n",
                "unit": "persons",
                "kind": "reported",
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 400, created.content
    assert created.json()["errors"][0]["field"] == "code"
    changed = client.patch(
        f"/api/results/indicators/{rw.trained.id}",
        json.dumps({"code": "MM\rP1"}),
        content_type="application/json",
    )
    # ``code`` is not changeable through the API's change schema: ignored or refused, not kept.
    rw.trained.refresh_from_db()
    assert rw.trained.code == "MM-P1", changed.content
