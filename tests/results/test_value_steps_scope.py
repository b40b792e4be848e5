"""Holes in the approval steps: nobody verifies a number they typed themselves (also when
they typed it into someone else's draft), and people outside a framework's scope learn
nothing about its values from a refused step (no status, number or lock date)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mekong.results import services
from mekong.results.models import IndicatorValue, ValueStatus
from tests.conftest import Personas, client_for
from tests.results.conftest import ResultsWorld
from tests.results.core_fixtures import Staff, staff_fixture  # noqa: F401  (fixture)


def _post(client: Client, url: str, body: Mapping[str, object] | None = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def _draft(personas: Personas, rw: ResultsWorld, number: int = 75) -> IndicatorValue:
    return services.value_create(
        user=personas.mm_counterpart, indicator=rw.trained, period=rw.p2024, value=number
    )


def test_who_changes_the_number_of_a_draft_may_not_verify_it(
    personas: Personas, staff: Staff, results_world: ResultsWorld
) -> None:
    value = _draft(personas, results_world)
    me = client_for(staff.me_officer)
    changed = me.patch(
        f"/api/results/values/{value.id}",
        json.dumps({"value": "999"}),
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    assert _post(me, f"/api/results/values/{value.id}/submit").status_code == 200
    verify = _post(me, f"/api/results/values/{value.id}/verify")
    assert verify.status_code == 403, verify.content
    value.refresh_from_db()
    assert value.status == ValueStatus.SUBMITTED
    assert value.entered_by == staff.me_officer
    # The counterpart who typed the first number is not the one whose number is verified.
    assert value.value == 999


def test_a_note_only_change_keeps_who_entered_the_number(
    personas: Personas, staff: Staff, results_world: ResultsWorld
) -> None:
    value = _draft(personas, results_world)
    services.value_update(user=staff.me_officer, value=value, changes={"note": "sheet 3"})
    value.refresh_from_db()
    assert value.entered_by == personas.mm_counterpart


def test_refused_steps_out_of_scope_tell_nothing_about_the_value(
    personas: Personas, staff: Staff, results_world: ResultsWorld
) -> None:
    rw = results_world
    draft = _draft(personas, rw, 4321)
    la = client_for(personas.la_counterpart)
    for step, body in (("verify", {}), ("approve", {}), ("reject", {"reason": "x"})):
        response = _post(la, f"/api/results/values/{draft.id}/{step}", body)
        assert response.status_code == 403, (step, response.content)
        assert b"4321" not in response.content
    rw.p2024.locked_at = timezone.now()
    rw.p2024.save()
    for step, body in (("verify", {}), ("approve", {}), ("reject", {"reason": "x"})):
        response = _post(la, f"/api/results/values/{draft.id}/{step}", body)
        assert response.status_code == 403, (step, response.content)
        assert b"locked" not in response.content


def _count_waiting(client: Client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/results/values/waiting")
    assert response.status_code == 200
    return len(response.json()), len(queries.captured_queries)


def test_waiting_list_query_count_does_not_grow_with_values(
    personas: Personas, staff: Staff, results_world: ResultsWorld
) -> None:
    rw = results_world
    client = client_for(staff.me_officer)
    client.get("/api/results/values/waiting")  # warm the session and the user's scope
    for cell, number in (({"sex": "F"}, 40), ({"sex": "M"}, 35)):
        row = services.value_create(
            user=personas.mm_counterpart,
            indicator=rw.trained,
            period=rw.p2024,
            value=number,
            disaggregation=cell,
        )
        services.value_submit(user=personas.mm_counterpart, value=row)
    two, queries_for_two = _count_waiting(client)
    row = services.value_create(
        user=personas.mm_counterpart, indicator=rw.trained, period=rw.p2023, value=75
    )
    services.value_submit(user=personas.mm_counterpart, value=row)
    three, queries_for_three = _count_waiting(client)
    assert (two, three) == (2, 3)
    assert queries_for_three == queries_for_two


def test_absurd_ids_in_a_query_are_a_422_naming_the_parameter(
    personas: Personas, results_world: ResultsWorld
) -> None:
    fw = results_world.project_framework
    client = client_for(personas.officer)
    huge = "99999999999999999999999"
    for path, field in (
        (f"/api/results/frameworks/{fw.id}/values?period={huge}", "period"),
        (f"/api/results/frameworks/{fw.id}/values?indicator={huge}", "indicator"),
        (f"/api/results/frameworks/{fw.id}/narratives?period={huge}", "period"),
        (f"/api/results/frameworks/{fw.id}?period={huge}", "period"),
    ):
        response = client.get(path)
        assert response.status_code == 422, (path, response.content[:200])
        assert response.json()["errors"][0]["field"] == field


@pytest.mark.parametrize("decimals", [-1, 7, 99999999999])
def test_decimals_shown_are_bounded(
    staff: Staff, results_world: ResultsWorld, decimals: int
) -> None:
    rw = results_world
    response = client_for(staff.me_officer).patch(
        f"/api/results/indicators/{rw.trained.id}",
        json.dumps({"decimals": decimals}),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "decimals"
    rw.trained.refresh_from_db()
    assert rw.trained.decimals == 0
    # The pages that pad numbers to the indicator's decimals still render.
    page = client_for(staff.me_officer).get(f"/results/indicators/{rw.trained.id}/")
    assert page.status_code == 200
