"""Persona scopes on exit cases: a Lao counterpart cannot see or act on a Myanmar case."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from mekong.core.errors import NotFound, PermissionDenied
from mekong.partners.models import User
from mekong.registry import exit_selectors, exits
from mekong.registry.models import ExitCase, ExitState, Household
from tests.conftest import Personas, World
from tests.registry.exit_fixtures import ExitWorld, build_exit_world, classify, household

D0 = date(2024, 3, 1)


@pytest.fixture
def ew(world: World) -> ExitWorld:
    return build_exit_world(world)


@pytest.fixture
def hh(world: World, ew: ExitWorld) -> Household:
    h = household(world.mm_published, "MM-HH-1")
    classify(h, ew.r2024, ew.scheme, poor=False)
    return h


def _actor(persona: tuple[str, User | None]) -> object:
    _name, user = persona
    return user if user is not None else AnonymousUser()


# Who may propose a Myanmar exit: field and office staff in scope, not Laos, not the public.
MAY_PROPOSE = {"officer", "mm_counterpart", "enumerator"}
# Who sees a Myanmar case.
MAY_SEE = {"officer", "mm_counterpart", "enumerator"}
# Who may approve (sign for a side) a Myanmar exit.
MAY_APPROVE = {"officer", "mm_counterpart"}


def test_proposing_by_persona(
    persona: tuple[str, User | None], ew: ExitWorld, hh: Household
) -> None:
    name, _user = persona
    if name in MAY_PROPOSE:
        case = exits.exit_case_propose(
            user=_actor(persona), household=hh, survey_round=ew.r2024, on=D0
        )
        assert case.proposed_by.get_username() == _user.get_username()  # type: ignore[union-attr]
    else:
        with pytest.raises(PermissionDenied, match="MM-HH-1"):
            exits.exit_case_propose(
                user=_actor(persona), household=hh, survey_round=ew.r2024, on=D0
            )
        assert not ExitCase.objects.exists()


def test_reading_cases_by_persona(
    persona: tuple[str, User | None], personas: Personas, ew: ExitWorld, hh: Household
) -> None:
    case = exits.exit_case_propose(
        user=personas.enumerator, household=hh, survey_round=ew.r2024, on=D0
    )
    name, _user = persona
    if name in MAY_SEE:
        assert exit_selectors.exit_case_get_for_user(user=_actor(persona), case_id=case.id) == case
        listed = exit_selectors.exit_case_list(user=_actor(persona), household_id=hh.id)
        assert list(listed) == [case]
    else:
        # Outside the scope is indistinguishable from missing.
        with pytest.raises(NotFound):
            exit_selectors.exit_case_get_for_user(user=_actor(persona), case_id=case.id)
        with pytest.raises(NotFound):
            exit_selectors.exit_case_list(user=_actor(persona), household_id=hh.id)


def _closed_case(personas: Personas, ew: ExitWorld, hh: Household) -> ExitCase:
    case = exits.exit_case_propose(
        user=personas.enumerator, household=hh, survey_round=ew.r2024, on=D0
    )
    exits.exit_case_record_visit(user=personas.enumerator, case=case, on=D0, confirms_non_poor=True)
    exits.exit_case_appraise(user=personas.enumerator, case=case, on=D0, passed=True)
    exits.exit_case_post_notice(user=personas.enumerator, case=case, on=D0)
    return exits.exit_case_close_notice(
        user=personas.enumerator, case=case, on=D0 + timedelta(days=7)
    )


def test_approving_by_persona(
    persona: tuple[str, User | None], personas: Personas, ew: ExitWorld, hh: Household
) -> None:
    case = _closed_case(personas, ew, hh)
    name, _user = persona
    on = D0 + timedelta(days=7)
    if name in MAY_APPROVE:
        approval = exits.exit_case_approve(user=_actor(persona), case=case, on=on)
        assert approval.side == ("chinese" if name == "officer" else "partner")
    else:
        with pytest.raises(PermissionDenied, match="may not approve"):
            exits.exit_case_approve(user=_actor(persona), case=case, on=on)
        case.refresh_from_db()
        assert case.state == ExitState.NOTICE_CLOSED


def test_lao_counterpart_cannot_act_on_a_myanmar_case(
    personas: Personas, ew: ExitWorld, hh: Household
) -> None:
    case = _closed_case(personas, ew, hh)
    lao = personas.la_counterpart
    on = D0 + timedelta(days=8)
    with pytest.raises(PermissionDenied):
        exits.exit_case_withdraw(user=lao, case=case, on=on, reason="Not mine to do.")
    with pytest.raises(PermissionDenied):
        exits.exit_case_approve(user=lao, case=case, on=on)
    case.refresh_from_db()
    assert case.state == ExitState.NOTICE_CLOSED
    assert case.approvals.count() == 0
