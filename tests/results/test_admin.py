"""The results admin opens, keeps values read-only and checks the service rules on save."""

from __future__ import annotations

from django.contrib import admin

from mekong.results import models as m
from tests.conftest import client_for
from tests.results.conftest import ResultsWorld
from tests.results.core_fixtures import Staff, staff_fixture  # noqa: F401  (fixture)


def test_every_results_model_is_registered_and_opens(
    staff: Staff, results_world: ResultsWorld
) -> None:
    client = client_for(staff.admin)
    for model in (
        m.ResultsFramework,
        m.ResultNode,
        m.Indicator,
        m.ReportingPeriod,
        m.Target,
        m.IndicatorValue,
        m.Evidence,
        m.Narrative,
        m.Analysis,
    ):
        assert model in admin.site._registry
        meta = model._meta
        assert client.get(f"/admin/results/{meta.model_name}/").status_code == 200
    assert (
        client.get(f"/admin/results/indicator/{results_world.trained.id}/change/").status_code
        == 200
    )


def test_values_cannot_be_added_in_the_admin(staff: Staff, results_world: ResultsWorld) -> None:
    assert client_for(staff.admin).get("/admin/results/indicatorvalue/add/").status_code == 403


def test_admin_result_form_refuses_a_wrong_level(staff: Staff, results_world: ResultsWorld) -> None:
    rw = results_world
    response = client_for(staff.admin).post(
        "/admin/results/resultnode/add/",
        {
            "framework": rw.project_framework.id,
            "parent": rw.goal.id,
            "level": "output",
            "code": "9.9",
            "statement": "Misplaced output",
            "translations": "{}",
            "order": 0,
        },
    )
    assert response.status_code == 200
    assert "sits directly under one of level “Outcome”" in response.content.decode()
    assert not m.ResultNode.objects.filter(code="9.9").exists()


def test_admin_target_form_refuses_a_locked_period_and_another_framework(
    staff: Staff, results_world: ResultsWorld
) -> None:
    from django.utils import timezone

    from mekong.results.admin import TargetForm

    rw = results_world
    other = m.ReportingPeriod.objects.get(framework=rw.programme_framework, code="2024")
    form = TargetForm(data={"indicator": rw.trained.id, "period": other.id, "value": "10"})
    assert not form.is_valid()
    assert "another framework" in str(form.errors["period"])

    rw.p2024.locked_at = timezone.now()
    rw.p2024.save()
    form = TargetForm(data={"indicator": rw.trained.id, "period": rw.p2024.id, "value": "10"})
    assert not form.is_valid()
    assert "locked" in str(form.errors["period"])
    assert not m.Target.objects.filter(indicator=rw.trained).exists()
