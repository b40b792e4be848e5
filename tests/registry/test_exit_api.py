"""The exits API end to end.

Needs the router registered in src/mekong/api/main.py as
``api.add_router("/", exits_router)`` (``from mekong.registry.api_exits import router as
exits_router``); the reg-exit branch does so.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client

from mekong.registry.models import ExitCase, Household, HouseholdStatus, RelapseAlert
from tests.conftest import Personas, World, client_for
from tests.registry.exit_fixtures import (
    ExitWorld,
    build_exit_world,
    classify,
    household,
    me_officer,
    observe,
)


@pytest.fixture
def ew(world: World) -> ExitWorld:
    return build_exit_world(world)


@pytest.fixture
def hh(world: World, ew: ExitWorld) -> Household:
    h = household(world.mm_published, "MM-HH-1")
    classify(h, ew.r2024, ew.scheme, poor=False)
    return h


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_an_exit_through_the_api(personas: Personas, ew: ExitWorld, hh: Household) -> None:
    field = client_for(personas.enumerator)
    response = _post(
        field,
        f"/api/households/{hh.id}/exit-cases",
        {"survey_round_id": ew.r2024.id, "on": "2024-03-01"},
    )
    assert response.status_code == 201, response.content
    case_id = response.json()["id"]
    base = f"/api/exit-cases/{case_id}"
    assert (
        _post(field, f"{base}/visit", {"on": "2024-03-02", "confirms_non_poor": True}).status_code
        == 200
    )
    assert (
        _post(field, f"{base}/appraisal", {"on": "2024-03-03", "passed": True}).status_code == 200
    )
    posted = _post(field, f"{base}/notice", {"on": "2024-03-04"}).json()
    assert posted["notice_ends_on"] == "2024-03-11"
    objection = _post(field, f"{base}/objections", {"on": "2024-03-05", "summary": "Land sold"})
    assert objection.status_code == 201
    early = _post(field, f"{base}/notice/close", {"on": "2024-03-10"})
    assert early.status_code == 409
    assert "2024-03-11" in early.json()["detail"]
    assert _post(field, f"{base}/notice/close", {"on": "2024-03-11"}).status_code == 200
    officer = client_for(personas.officer)
    blocked = _post(officer, f"{base}/approvals", {"on": "2024-03-12"})
    assert blocked.status_code == 409
    assert "unresolved" in blocked.json()["detail"]
    resolved = _post(
        client_for(personas.mm_counterpart),
        f"/api/exit-objections/{objection.json()['id']}/resolution",
        {"on": "2024-03-12", "upheld": False, "resolution": "Only a small plot, rented back."},
    )
    assert resolved.status_code == 200
    assert _post(officer, f"{base}/approvals", {"on": "2024-03-12"}).status_code == 201
    assert _post(officer, f"{base}/approvals", {"on": "2024-03-12"}).status_code == 409
    done = _post(client_for(personas.mm_counterpart), f"{base}/approvals", {"on": "2024-03-13"})
    assert done.status_code == 201
    body = done.json()
    assert body["state"] == "exited"
    assert [s["event"] for s in body["steps"]][-2:] == ["approved", "approved"]
    assert {a["side"] for a in body["approvals"]} == {"chinese", "partner"}
    hh.refresh_from_db()
    assert hh.status == HouseholdStatus.EXITED
    listed = field.get(f"/api/households/{hh.id}/exit-cases").json()
    assert [c["id"] for c in listed] == [case_id]


def test_outside_scope_reads_404_and_writes_403(
    personas: Personas, ew: ExitWorld, hh: Household
) -> None:
    case = _post(
        client_for(personas.enumerator),
        f"/api/households/{hh.id}/exit-cases",
        {"survey_round_id": ew.r2024.id, "on": "2024-03-01"},
    ).json()
    lao = client_for(personas.la_counterpart)
    assert lao.get(f"/api/exit-cases/{case['id']}").status_code == 404
    assert lao.get(f"/api/households/{hh.id}/exit-cases").status_code == 404
    refused = _post(
        lao, f"/api/exit-cases/{case['id']}/withdrawal", {"on": "2024-03-02", "reason": "x"}
    )
    assert refused.status_code == 403
    proposing = _post(
        lao,
        f"/api/households/{hh.id}/exit-cases",
        {"survey_round_id": ew.r2024.id, "on": "2024-03-01"},
    )
    assert proposing.status_code == 403
    assert ExitCase.objects.get().state == "proposed"
    assert Client().get(f"/api/exit-cases/{case['id']}").status_code == 401
    assert lao.get("/api/exit-cases/999999").status_code == 404


def test_refused_proposal_names_the_reason(personas: Personas, world: World, ew: ExitWorld) -> None:
    poor = household(world.mm_published, "MM-POOR")
    classify(poor, ew.r2024, ew.scheme, poor=True)
    response = _post(
        client_for(personas.enumerator),
        f"/api/households/{poor.id}/exit-cases",
        {"survey_round_id": ew.r2024.id, "on": "2024-03-01"},
    )
    assert response.status_code == 400
    assert "still poor" in response.json()["detail"]


def test_sample_findings_and_rates(world: World, ew: ExitWorld) -> None:
    for i in range(4):
        household(world.mm_published, f"MM-X-{i}", status=HouseholdStatus.EXITED)
    analyst = client_for(me_officer(world))
    drawn = _post(
        analyst,
        "/api/exit-samples",
        {"frame": "exited", "country": "MMR", "size": 2, "on": "2024-06-01", "seed": 9},
    )
    assert drawn.status_code == 201, drawn.content
    sample = drawn.json()
    assert sample["seed"] == 9
    assert [h["draw_order"] for h in sample["households"]] == [1, 2]
    for h, poor in zip(sample["households"], [True, False], strict=True):
        recorded = _post(
            analyst,
            f"/api/exit-samples/{sample['id']}/findings",
            {"household_id": h["household_id"], "on": "2024-06-02", "found_poor": poor},
        )
        assert recorded.status_code == 201
    rates = analyst.get(f"/api/exit-samples/{sample['id']}/rates").json()
    assert rates["measure"] == "wrongful_exit"
    assert (rates["error"]["count"], rates["error"]["total"], rates["error"]["rate"]) == (1, 2, 0.5)


def test_relapse_scan_alerts_and_follow_up(personas: Personas, world: World, ew: ExitWorld) -> None:
    hh = household(world.mm_published, "MM-R", status=HouseholdStatus.EXITED)
    observe(hh, ew.r2024, per_capita=900, shocks=["illness"])
    officer = client_for(personas.officer)
    body = {"survey_round_id": ew.r2024.id, "policy_id": ew.policy.id, "on": "2024-04-01"}
    assert _post(officer, "/api/relapse-scans", body).json()["opened"] == 1
    assert _post(officer, "/api/relapse-scans", body).json()["opened"] == 0
    assert _post(client_for(personas.enumerator), "/api/relapse-scans", body).status_code == 403
    alerts = client_for(personas.mm_counterpart).get("/api/relapse-alerts?status=open").json()
    assert [a["triggers"] for a in alerts] == [["low_income", "shock"]]
    assert client_for(personas.la_counterpart).get("/api/relapse-alerts").json() == []
    alert_id = alerts[0]["id"]
    closed = _post(
        client_for(personas.enumerator),
        f"/api/relapse-alerts/{alert_id}/follow-ups",
        {
            "on": "2024-04-10",
            "action": "Health insurance claim filed.",
            "outcome": "Costs covered.",
            "close_as": "stabilised",
        },
    )
    assert closed.status_code == 201
    assert closed.json()["status"] == "closed"
    assert RelapseAlert.objects.get().follow_ups.count() == 1


def test_bad_input_names_the_field(personas: Personas, ew: ExitWorld, hh: Household) -> None:
    response = _post(
        client_for(personas.enumerator),
        f"/api/households/{hh.id}/exit-cases",
        {"survey_round_id": ew.r2024.id, "on": "not a date"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "on"
    unknown = _post(
        client_for(personas.enumerator),
        f"/api/households/{hh.id}/exit-cases",
        {"survey_round_id": 999999, "on": "2024-03-01"},
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "survey_round_id"


def test_the_schema_lists_the_exit_endpoints() -> None:
    from mekong.api.main import api

    paths = api.get_openapi_schema()["paths"]
    assert "/api/exit-cases/{case_id}/approvals" in paths
    assert "/api/relapse-alerts" in paths


def test_list_endpoints_use_a_fixed_number_of_queries(
    personas: Personas, world: World, ew: ExitWorld, django_assert_max_num_queries: Any
) -> None:
    for i in range(3):
        hh = household(world.mm_published, f"MM-Q-{i}", status=HouseholdStatus.EXITED)
        observe(hh, ew.r2024, per_capita=900)
    from mekong.registry.relapse import relapse_scan

    relapse_scan(survey_round=ew.r2024, policy=ew.policy, on=date(2024, 4, 1))
    client = client_for(personas.mm_counterpart)
    client.get("/api/relapse-alerts")  # warm the session
    # Session, user, scope countries, alerts, follow-ups: not one query per alert.
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/relapse-alerts").json()) == 3
