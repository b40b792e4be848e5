"""Work plans bind only when both sides approved; each side approves once; scope holds."""

from __future__ import annotations

import json

import pytest

from mekong.core.errors import PermissionDenied
from mekong.partners.models import User
from mekong.projects import services
from mekong.projects.models import WorkPlanApproval
from tests.conftest import Personas, client_for
from tests.projects.conftest import Portfolio


def _plan(portfolio: Portfolio, personas: Personas):  # type: ignore[no-untyped-def]
    return services.work_plan_create(
        user=personas.officer,
        project=portfolio.mm_project,
        year=2019,
        title="Year 1: wells and roads",
    )


def test_plan_binds_after_both_sides(portfolio: Portfolio, personas: Personas) -> None:
    plan = _plan(portfolio, personas)
    services.work_plan_approve(user=personas.officer, work_plan=plan)
    assert not services.work_plan_is_binding(plan)
    services.work_plan_approve(user=personas.mm_counterpart, work_plan=plan)
    assert services.work_plan_is_binding(plan)
    sides = dict(plan.approvals.values_list("side", "approved_by__username"))
    assert sides == {"chinese": "li.wei", "partner": "thida"}


def test_second_approval_by_the_same_side_is_refused(
    portfolio: Portfolio, personas: Personas, joint_office_partner: User
) -> None:
    plan = _plan(portfolio, personas)
    services.work_plan_approve(user=personas.mm_counterpart, work_plan=plan)
    # A Myanmar joint-office member signs for the partner side too: already given.
    with pytest.raises(services.ApprovalAlreadyGiven, match="partner side approved"):
        services.work_plan_approve(user=joint_office_partner, work_plan=plan)
    assert WorkPlanApproval.objects.filter(work_plan=plan).count() == 1
    assert not services.work_plan_is_binding(plan)


def test_lao_counterpart_cannot_approve_or_see_a_myanmar_plan(
    portfolio: Portfolio, personas: Personas
) -> None:
    plan = _plan(portfolio, personas)
    with pytest.raises(PermissionDenied):
        services.work_plan_approve(user=personas.la_counterpart, work_plan=plan)
    client = client_for(personas.la_counterpart)
    assert client.get(f"/api/projects/{portfolio.mm_project.id}/work-plans").status_code == 404
    assert client.get(f"/projects/{portfolio.mm_project.id}/").status_code == 404


def test_approval_over_the_api_twice_is_409(portfolio: Portfolio, personas: Personas) -> None:
    plan = _plan(portfolio, personas)
    client = client_for(personas.mm_counterpart)
    url = f"/api/work-plans/{plan.id}/approvals"
    first = client.post(url, data=json.dumps({"note": "ok"}), content_type="application/json")
    second = client.post(url, data=json.dumps({"note": "ok"}), content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 409)


def test_enumerator_cannot_approve(portfolio: Portfolio, personas: Personas) -> None:
    plan = _plan(portfolio, personas)
    response = client_for(personas.enumerator).post(
        f"/api/work-plans/{plan.id}/approvals", data="{}", content_type="application/json"
    )
    assert response.status_code == 403


def test_joint_office_user_who_is_not_a_member_cannot_sign(
    portfolio: Portfolio,
    personas: Personas,
    world,  # type: ignore[no-untyped-def]
) -> None:
    # A Myanmar joint-office account with no person, or a person outside this project's
    # office, signs for neither side (review finding: it used to count as the Chinese side).
    from mekong.partners.models import Role
    from tests.conftest import PASSWORD

    stranger = User.objects.create_user(
        username="office2", password=PASSWORD, role=Role.JOINT_OFFICE
    )
    stranger.scope_countries.set([world.myanmar])
    plan = _plan(portfolio, personas)
    services.work_plan_approve(user=personas.mm_counterpart, work_plan=plan)
    with pytest.raises(PermissionDenied, match="do not sign for either side"):
        services.work_plan_approve(user=stranger, work_plan=plan)
    assert not services.work_plan_is_binding(plan)


def test_administrator_does_not_sign_for_a_government(
    portfolio: Portfolio, personas: Personas
) -> None:
    from mekong.partners.models import Role
    from tests.conftest import PASSWORD

    admin = User.objects.create_user(
        username="root2", password=PASSWORD, role=Role.ADMINISTRATOR, scope_all_countries=True
    )
    plan = _plan(portfolio, personas)
    with pytest.raises(PermissionDenied):
        services.work_plan_approve(user=admin, work_plan=plan)
