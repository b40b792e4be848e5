"""The project cycle is an enforced state machine; every move is dated and attributed."""

from __future__ import annotations

import json
from datetime import date

import pytest

from mekong.core.errors import InvalidInput, PermissionDenied
from mekong.projects import services
from mekong.projects.models import ProjectStatus, ProjectTransition
from tests.conftest import Personas, client_for
from tests.projects.conftest import Portfolio


def test_cycle_moves_one_step_at_a_time(portfolio: Portfolio, personas: Personas) -> None:
    project = portfolio.mm_project
    steps = list(ProjectStatus)[1:]
    for number, status in enumerate(steps, start=1):
        services.project_transition(
            user=personas.officer,
            project=project,
            to_status=status,
            occurred_on=date(2017, 1, number),
        )
    project.refresh_from_db()
    assert project.status == ProjectStatus.CLOSED
    moves = list(ProjectTransition.objects.filter(project=project))
    assert [m.to_status for m in moves] == [s.value for s in steps]
    assert all(m.by == personas.officer for m in moves)


@pytest.mark.parametrize("target", [ProjectStatus.APPROVED, ProjectStatus.CLOSED])
def test_skipping_a_step_is_refused_and_writes_nothing(
    portfolio: Portfolio, personas: Personas, target: ProjectStatus
) -> None:
    with pytest.raises(services.IllegalTransition, match="next step: Feasibility study"):
        services.project_transition(
            user=personas.officer,
            project=portfolio.mm_project,
            to_status=target,
            occurred_on=date(2017, 1, 1),
        )
    portfolio.mm_project.refresh_from_db()
    assert portfolio.mm_project.status == ProjectStatus.IDENTIFIED
    assert not ProjectTransition.objects.exists()


def test_going_back_is_refused(portfolio: Portfolio, personas: Personas) -> None:
    services.project_transition(
        user=personas.officer,
        project=portfolio.mm_project,
        to_status="feasibility",
        occurred_on=date(2017, 1, 1),
    )
    with pytest.raises(services.IllegalTransition):
        services.project_transition(
            user=personas.officer,
            project=portfolio.mm_project,
            to_status="identified",
            occurred_on=date(2017, 2, 1),
        )


def test_a_step_cannot_predate_the_previous_one(portfolio: Portfolio, personas: Personas) -> None:
    services.project_transition(
        user=personas.officer,
        project=portfolio.mm_project,
        to_status="feasibility",
        occurred_on=date(2017, 3, 1),
    )
    with pytest.raises(InvalidInput, match="before the previous step"):
        services.project_transition(
            user=personas.officer,
            project=portfolio.mm_project,
            to_status="approved",
            occurred_on=date(2017, 2, 1),
        )


def test_counterpart_and_enumerator_cannot_move_the_cycle(
    portfolio: Portfolio, personas: Personas
) -> None:
    for user in (personas.mm_counterpart, personas.enumerator, personas.la_counterpart):
        with pytest.raises(PermissionDenied):
            services.project_transition(
                user=user,
                project=portfolio.mm_project,
                to_status="feasibility",
                occurred_on=date(2017, 1, 1),
            )


def test_illegal_transition_over_the_api_is_409(portfolio: Portfolio, personas: Personas) -> None:
    response = client_for(personas.officer).post(
        f"/api/projects/{portfolio.mm_project.id}/transitions",
        data=json.dumps({"to_status": "closed", "occurred_on": "2017-01-01"}),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "cannot become" in response.json()["detail"]


def test_unknown_sector_code_and_bad_shares_are_refused(
    portfolio: Portfolio,
    world,
    personas: Personas,  # type: ignore[no-untyped-def]
) -> None:
    from decimal import Decimal

    with pytest.raises(InvalidInput, match="not an OECD-DAC purpose code"):
        services.project_create(
            user=personas.officer,
            programme=portfolio.programme,
            code="X-1",
            title="x",
            countries=[world.myanmar],
            currency="CNY",
            sectors={"99999": Decimal("100")},
        )
    with pytest.raises(InvalidInput, match="add up to 90"):
        services.project_create(
            user=personas.officer,
            programme=portfolio.programme,
            code="X-2",
            title="x",
            countries=[world.myanmar],
            currency="CNY",
            sectors={"43040": Decimal("90")},
        )
    from mekong.projects.models import Project

    assert not Project.objects.filter(code__in=["X-1", "X-2"]).exists()
