"""The /api/results/ endpoints for every persona: out-of-scope reads 404, writes 403, bad
input 400 naming the field, and the approval steps end to end."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from django.test import Client

from mekong.partners.models import User
from mekong.results.models import IndicatorValue, ValueStatus
from tests.conftest import Personas, client_for
from tests.projects.conftest import Portfolio
from tests.results.conftest import ResultsWorld
from tests.results.core_fixtures import Staff, staff_fixture  # noqa: F401  (fixture)

# Which frameworks each persona sees: the Myanmar project's framework, and the programme's
# (visible to whoever sees one of its projects: the Lao counterpart sees LA-01).
VISIBLE = {
    "officer": {"MM-01", "EA-PILOT"},
    "mm_counterpart": {"MM-01", "EA-PILOT"},
    "la_counterpart": {"EA-PILOT"},
    "enumerator": {"MM-01", "EA-PILOT"},
}


def _post(client: Client, url: str, body: Mapping[str, object]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_framework_list_is_scoped(
    persona: tuple[str, User | None], results_world: ResultsWorld
) -> None:
    name, user = persona
    response = client_for(user).get("/api/results/frameworks")
    if user is None:
        assert response.status_code == 401
        return
    assert {f["owner"] for f in response.json()} == VISIBLE[name]


def test_project_framework_404_outside_scope(
    persona: tuple[str, User | None], results_world: ResultsWorld
) -> None:
    name, user = persona
    fw = results_world.project_framework
    client = client_for(user)
    urls = [
        f"/api/results/frameworks/{fw.id}",
        f"/api/results/frameworks/{fw.id}/indicators",
        f"/api/results/frameworks/{fw.id}/values",
        f"/api/results/indicators/{results_world.trained.id}",
    ]
    for url in urls:
        status = client.get(url).status_code
        if user is None:
            assert status == 401
        else:
            assert status == (200 if "MM-01" in VISIBLE[name] else 404), url


def test_tree_carries_levels_targets_and_values(
    personas: Personas, results_world: ResultsWorld
) -> None:
    rw = results_world
    client = client_for(personas.officer)
    target = _post(
        client,
        f"/api/results/frameworks/{rw.project_framework.id}/targets",
        {"indicator": rw.trained.id, "period": rw.p2024.id, "value": "150"},
    )
    assert target.status_code == 201
    body = client.get(
        f"/api/results/frameworks/{rw.project_framework.id}?period={rw.p2024.id}"
    ).json()
    goal = body["results"][0]
    assert (goal["level"], goal["children"][0]["level"]) == ("goal", "outcome")
    output = goal["children"][0]["children"][0]
    assert [i["code"] for i in output["indicators"]] == ["MM-P1"]
    assert body["targets"] == [
        {"indicator": rw.trained.id, "period": "2024", "value": "150.000000", "note": ""}
    ]


def test_values_through_the_api(
    personas: Personas, staff: Staff, results_world: ResultsWorld
) -> None:
    rw = results_world
    fw = rw.project_framework
    entry = client_for(personas.mm_counterpart)
    ids = {}
    # 40 women + 35 men = 75 (synthetic attendance sheets).
    for cell, number in (({"sex": "F"}, 40), ({"sex": "M"}, 35), ({}, 75)):
        response = _post(
            entry,
            f"/api/results/frameworks/{fw.id}/values",
            {
                "indicator": rw.trained.id,
                "period": rw.p2024.id,
                "value": number,
                "disaggregation": cell,
            },
        )
        assert response.status_code == 201, response.content
        ids[json.dumps(cell)] = response.json()["id"]
    total = ids["{}"]
    again = _post(
        entry,
        f"/api/results/frameworks/{fw.id}/values",
        {"indicator": rw.trained.id, "period": rw.p2024.id, "value": 75},
    )
    assert again.status_code == 409
    assert IndicatorValue.objects.filter(indicator=rw.trained, disaggregation_key="").count() == 1

    filtered = entry.get(f"/api/results/frameworks/{fw.id}/values?disaggregation=sex=F").json()
    assert [v["value"] for v in filtered] == ["40.000000"]

    assert entry.post(f"/api/results/values/{total}/submit").status_code == 200
    assert entry.post(f"/api/results/values/{total}/submit").status_code == 409
    waiting = client_for(staff.me_officer).get("/api/results/values/waiting").json()
    assert [v["id"] for v in waiting] == [total]
    assert (
        _post(client_for(staff.me_officer), f"/api/results/values/{total}/verify", {}).status_code
        == 200
    )
    approved = _post(client_for(personas.officer), f"/api/results/values/{total}/approve", {})
    assert approved.status_code == 200
    assert approved.json()["status"] == ValueStatus.APPROVED


def test_out_of_scope_write_is_403_and_missing_is_404(
    personas: Personas, results_world: ResultsWorld
) -> None:
    rw = results_world
    fw = rw.project_framework
    body = {"indicator": rw.trained.id, "period": rw.p2024.id, "value": 5}
    la = client_for(personas.la_counterpart)
    assert _post(la, f"/api/results/frameworks/{fw.id}/values", body).status_code == 403
    assert _post(la, "/api/results/frameworks/999999/values", body).status_code == 404
    lock = la.post(f"/api/results/frameworks/{fw.id}/periods/{rw.p2024.id}/lock")
    assert lock.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": 5, "disaggregation": {"village": "MM-V1"}}, "disaggregation"),
        ({"value": 5, "disaggregation": {"sex": "W"}}, "disaggregation.sex"),
        ({"value": -1}, "value"),
        ({"value": 5, "indicator": 999999}, "indicator"),
        ({"value": 5, "period": 999999}, "period"),
    ],
)
def test_bad_value_input_names_the_field(
    personas: Personas, results_world: ResultsWorld, body: dict[str, object], field: str
) -> None:
    rw = results_world
    full = {"indicator": rw.trained.id, "period": rw.p2024.id, **body}
    response = _post(
        client_for(personas.officer),
        f"/api/results/frameworks/{rw.project_framework.id}/values",
        full,
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_lock_and_unlock_through_the_api(
    personas: Personas, staff: Staff, results_world: ResultsWorld
) -> None:
    rw = results_world
    base = f"/api/results/frameworks/{rw.project_framework.id}/periods/{rw.p2024.id}"
    assert client_for(personas.officer).post(f"{base}/lock").json()["locked_at"]
    refused = _post(
        client_for(personas.officer),
        f"/api/results/frameworks/{rw.project_framework.id}/values",
        {"indicator": rw.trained.id, "period": rw.p2024.id, "value": 5},
    )
    assert refused.status_code == 409
    assert "Period 2024 is locked" in refused.json()["detail"]
    assert _post(client_for(personas.officer), f"{base}/unlock", {"reason": "x"}).status_code == 403
    reopened = _post(client_for(staff.admin), f"{base}/unlock", {"reason": "late sheet"})
    assert reopened.json()["locked_at"] is None


def test_value_list_query_count_does_not_grow_with_values(
    personas: Personas, results_world: ResultsWorld, django_assert_max_num_queries: Any
) -> None:
    rw = results_world
    url = f"/api/results/frameworks/{rw.project_framework.id}/values"
    client = client_for(personas.officer)
    client.get(url)  # warm the session and the user's scope
    for cell, number in (({"sex": "F"}, 40), ({"sex": "M"}, 35), ({}, 75)):
        _post(
            client,
            url,
            {
                "indicator": rw.trained.id,
                "period": rw.p2024.id,
                "value": number,
                "disaggregation": cell,
            },
        )
    # Session, user, scope, framework lookup, values, their evidence: a fixed handful.
    with django_assert_max_num_queries(10):
        assert len(client.get(url).json()) == 3


def test_build_a_framework_through_the_api(personas: Personas, portfolio: Portfolio) -> None:
    officer = client_for(personas.officer)
    made = _post(officer, "/api/results/frameworks", {"title": "Lao results", "project": "LA-01"})
    assert made.status_code == 201
    fw = made.json()["id"]
    assert (
        _post(officer, "/api/results/frameworks", {"title": "x", "project": "LA-01"}).status_code
        == 409
    )
    goal = _post(
        officer,
        f"/api/results/frameworks/{fw}/results",
        {"level": "goal", "code": "1", "statement": "Fewer poor households"},
    ).json()
    misplaced = _post(
        officer,
        f"/api/results/frameworks/{fw}/results",
        {"level": "output", "code": "1.1", "statement": "Roads", "parent": goal["id"]},
    )
    assert misplaced.status_code == 400
    assert misplaced.json()["errors"][0]["field"] == "parent"
    indicator = _post(
        officer,
        f"/api/results/frameworks/{fw}/indicators",
        {
            "result": goal["id"],
            "code": "G1",
            "name": "Headcount",
            "unit": "percent",
            "kind": "computed",
            "computation": {"kind": "headcount", "scheme": "LAO-D285"},
        },
    )
    assert indicator.status_code == 201, indicator.content
    bad = _post(
        officer,
        f"/api/results/frameworks/{fw}/indicators",
        {
            "result": goal["id"],
            "code": "G2",
            "name": "x",
            "unit": "percent",
            "kind": "computed",
            "computation": {"kind": "mpi"},
        },
    )
    assert bad.json()["errors"][0]["field"] == "computation.mpi.scheme"
    changed = officer.patch(
        f"/api/results/indicators/{indicator.json()['id']}",
        json.dumps({"sdg_indicator": "one"}),
        content_type="application/json",
    )
    assert changed.status_code == 400
    assert changed.json()["errors"][0]["field"] == "sdg_indicator"
    # The Myanmar counterpart may not build the Lao framework (nor any: not an editor).
    refused = _post(
        client_for(personas.mm_counterpart),
        f"/api/results/frameworks/{fw}/results",
        {"level": "goal", "code": "2", "statement": "x"},
    )
    assert refused.status_code == 403


def test_narratives_through_the_api(personas: Personas, results_world: ResultsWorld) -> None:
    rw = results_world
    url = f"/api/results/frameworks/{rw.project_framework.id}/narratives"
    body = {"period": rw.p2024.id, "section": "summary", "language": "my", "text": "နမူနာ"}
    written = client_for(personas.officer).put(
        url, json.dumps(body), content_type="application/json"
    )
    assert written.status_code == 200
    assert client_for(personas.mm_counterpart).get(url).json()[0]["text"] == "နမူနာ"
    assert client_for(personas.la_counterpart).get(url).status_code == 404
    refused = client_for(personas.la_counterpart).put(
        url, json.dumps(body), content_type="application/json"
    )
    assert refused.status_code == 403
