"""NUL characters in a request body answer 400 naming the field, never a 500: PostgreSQL
stores no NUL in text or JSON, and the error would come from deep inside a save."""

from __future__ import annotations

import json

import pytest

from mekong.results import services
from mekong.results.models import IndicatorValue
from tests.conftest import Personas, client_for
from tests.results.conftest import ResultsWorld


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": 5, "note": "a\x00b"}, "note"),
        ({"value": 5, "disaggregation": {"sex": "F\x00"}}, "disaggregation.sex"),
    ],
)
def test_nul_in_a_json_body_is_a_400_naming_the_field(
    personas: Personas, results_world: ResultsWorld, body: dict[str, object], field: str
) -> None:
    rw = results_world
    response = client_for(personas.officer).post(
        f"/api/results/frameworks/{rw.project_framework.id}/values",
        json.dumps({"indicator": rw.trained.id, "period": rw.p2024.id, **body}),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == field
    assert not IndicatorValue.objects.exists()


def test_nul_in_a_posted_form_is_a_400(personas: Personas, results_world: ResultsWorld) -> None:
    rw = results_world
    value = services.value_create(
        user=personas.mm_counterpart, indicator=rw.trained, period=rw.p2024, value=75
    )
    response = client_for(personas.mm_counterpart).post(
        f"/results/values/{value.id}/edit/", {"value": "76", "note": "sheet\x00"}
    )
    assert response.status_code == 400
    assert "note" in response.content.decode()
    value.refresh_from_db()
    assert value.value == 75
