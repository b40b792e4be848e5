"""The exit workflow: every step, every refusal, notice days from the policy, two sides,
history kept with the user (DOMAIN.md §2.5, §6B)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mekong.core.errors import Conflict, InvalidInput, PermissionDenied
from mekong.geo.models import AdminLevel
from mekong.geo.services import admin_area_create
from mekong.registry import exits
from mekong.registry.models import (
    ExitCase,
    ExitEvent,
    ExitState,
    Household,
    HouseholdStatus,
)
from tests.conftest import Personas, World
from tests.registry.exit_fixtures import (
    ExitWorld,
    build_exit_world,
    classify,
    household,
    joint_office_user,
)

D0 = date(2024, 3, 1)


@pytest.fixture
def ew(world: World) -> ExitWorld:
    return build_exit_world(world)


@pytest.fixture
def hh(world: World, ew: ExitWorld) -> Household:
    """Active, poor in 2023, non-poor in 2024 under the policy's scheme: eligible."""
    h = household(world.mm_published, "MM-HH-1")
    classify(h, ew.r2023, ew.scheme, poor=True)
    classify(h, ew.r2024, ew.scheme, poor=False)
    return h


def _propose(personas: Personas, ew: ExitWorld, hh: Household, on: date = D0) -> ExitCase:
    return exits.exit_case_propose(
        user=personas.enumerator, household=hh, survey_round=ew.r2024, on=on
    )


def _to_notice(personas: Personas, ew: ExitWorld, hh: Household) -> ExitCase:
    case = _propose(personas, ew, hh)
    exits.exit_case_record_visit(
        user=personas.enumerator, case=case, on=D0 + timedelta(days=2), confirms_non_poor=True
    )
    exits.exit_case_appraise(
        user=personas.enumerator,
        case=case,
        on=D0 + timedelta(days=5),
        passed=True,
        votes_for=18,
        votes_against=2,
    )
    return exits.exit_case_post_notice(
        user=personas.enumerator, case=case, on=D0 + timedelta(days=10)
    )


NOTICE_ON = D0 + timedelta(days=10)


def _closed(personas: Personas, ew: ExitWorld, hh: Household) -> ExitCase:
    case = _to_notice(personas, ew, hh)
    return exits.exit_case_close_notice(
        user=personas.mm_counterpart, case=case, on=NOTICE_ON + timedelta(days=7)
    )


# --- the whole way ------------------------------------------------------------------------------


def test_exit_runs_every_step_and_exits_with_both_sides(
    personas: Personas, ew: ExitWorld, hh: Household
) -> None:
    case = _closed(personas, ew, hh)
    assert case.state == ExitState.NOTICE_CLOSED
    approve_on = NOTICE_ON + timedelta(days=8)
    exits.exit_case_approve(user=personas.officer, case=case, on=approve_on)
    case.refresh_from_db()
    hh.refresh_from_db()
    assert case.state == ExitState.APPROVED
    assert hh.status == HouseholdStatus.ACTIVE  # one side is not enough
    exits.exit_case_approve(user=personas.mm_counterpart, case=case, on=approve_on)
    case.refresh_from_db()
    hh.refresh_from_db()
    assert case.state == ExitState.EXITED
    assert case.decided_on == approve_on
    assert hh.status == HouseholdStatus.EXITED
    assert sorted(case.approvals.values_list("side", flat=True)) == ["chinese", "partner"]
    steps = list(case.steps.values_list("event", "from_state", "to_state"))
    assert steps == [
        (ExitEvent.PROPOSED, "", ExitState.PROPOSED),
        (ExitEvent.VISITED, ExitState.PROPOSED, ExitState.VISITED),
        (ExitEvent.APPRAISED, ExitState.VISITED, ExitState.APPRAISED),
        (ExitEvent.NOTICE_POSTED, ExitState.APPRAISED, ExitState.ON_NOTICE),
        (ExitEvent.NOTICE_CLOSED, ExitState.ON_NOTICE, ExitState.NOTICE_CLOSED),
        (ExitEvent.APPROVED, ExitState.NOTICE_CLOSED, ExitState.APPROVED),
        (ExitEvent.APPROVED, ExitState.APPROVED, ExitState.EXITED),
    ]
    assert case.classification.survey_round == ew.r2024


def test_joint_office_members_sign_for_their_own_side(
    personas: Personas, world: World, ew: ExitWorld, hh: Household
) -> None:
    case = _closed(personas, ew, hh)
    mm_member = joint_office_user(world, "myo", partner=True)
    cn_member = joint_office_user(world, "zhang", partner=False)
    on = NOTICE_ON + timedelta(days=7)
    assert exits.exit_case_approve(user=mm_member, case=case, on=on).side == "partner"
    assert exits.exit_case_approve(user=cn_member, case=case, on=on).side == "chinese"
    hh.refresh_from_db()
    assert hh.status == HouseholdStatus.EXITED


def test_a_side_approves_only_once(
    personas: Personas, world: World, ew: ExitWorld, hh: Household
) -> None:
    case = _closed(personas, ew, hh)
    on = NOTICE_ON + timedelta(days=7)
    exits.exit_case_approve(user=personas.mm_counterpart, case=case, on=on)
    # Another person of the same side is still the same side.
    with pytest.raises(exits.ApprovalAlreadyGiven, match="partner side approved this exit"):
        exits.exit_case_approve(
            user=joint_office_user(world, "myo", partner=True), case=case, on=on
        )
    with pytest.raises(Conflict):
        exits.exit_case_approve(user=personas.mm_counterpart, case=case, on=on)
    case.refresh_from_db()
    assert case.state == ExitState.APPROVED
    assert case.approvals.count() == 1


# --- proposal refusals --------------------------------------------------------------------------


def test_only_active_households_can_be_proposed(
    personas: Personas, ew: ExitWorld, hh: Household
) -> None:
    Household.objects.filter(pk=hh.pk).update(status=HouseholdStatus.MOVED)
    hh.refresh_from_db()
    with pytest.raises(exits.HouseholdNotActive, match="moved away"):
        _propose(personas, ew, hh)


def test_a_poor_household_cannot_be_proposed(
    personas: Personas, world: World, ew: ExitWorld
) -> None:
    poor = household(world.mm_published, "MM-HH-POOR")
    classify(poor, ew.r2024, ew.scheme, poor=True)
    with pytest.raises(exits.ExitCriteriaNotMet, match="still poor"):
        _propose(personas, ew, poor)
    assert not ExitCase.objects.exists()


def test_proposal_needs_a_result_in_the_latest_round(
    personas: Personas, world: World, ew: ExitWorld
) -> None:
    unclassified = household(world.mm_published, "MM-HH-NONE")
    with pytest.raises(exits.ExitCriteriaNotMet, match="no result"):
        _propose(personas, ew, unclassified)
    # Non-poor in 2023 but poor again in 2024: the 2023 result is stale.
    relapsed = household(world.mm_published, "MM-HH-STALE")
    classify(relapsed, ew.r2023, ew.scheme, poor=False)
    classify(relapsed, ew.r2024, ew.scheme, poor=True)
    with pytest.raises(exits.ExitCriteriaNotMet, match="later round"):
        exits.exit_case_propose(
            user=personas.enumerator, household=relapsed, survey_round=ew.r2023, on=D0
        )


def test_proposal_refuses_a_round_of_another_country(
    personas: Personas, ew: ExitWorld, hh: Household
) -> None:
    with pytest.raises(InvalidInput, match="another country") as excinfo:
        exits.exit_case_propose(
            user=personas.enumerator, household=hh, survey_round=ew.la_round, on=D0
        )
    assert excinfo.value.field == "survey_round"


def test_only_one_open_case_per_household(personas: Personas, ew: ExitWorld, hh: Household) -> None:
    case = _propose(personas, ew, hh)
    with pytest.raises(exits.ExitCaseAlreadyOpen):
        _propose(personas, ew, hh)
    exits.exit_case_withdraw(
        user=personas.mm_counterpart, case=case, on=D0, reason="Family asked to wait a year."
    )
    again = _propose(personas, ew, hh, on=D0 + timedelta(days=1))
    assert again.state == ExitState.PROPOSED


def test_proposal_needs_a_policy_in_force(personas: Personas, ew: ExitWorld, hh: Household) -> None:
    with pytest.raises(exits.NoExitPolicy, match="No exit policy"):
        _propose(personas, ew, hh, on=date(2019, 12, 31))


# --- steps in order -----------------------------------------------------------------------------


def test_steps_go_in_order_only(personas: Personas, ew: ExitWorld, hh: Household) -> None:
    case = _propose(personas, ew, hh)
    with pytest.raises(exits.IllegalExitStep, match="requires a verification visit"):
        exits.exit_case_appraise(user=personas.enumerator, case=case, on=D0, passed=True)
    with pytest.raises(exits.IllegalExitStep, match="proposed"):
        exits.exit_case_post_notice(user=personas.enumerator, case=case, on=D0)
    with pytest.raises(exits.IllegalExitStep):
        exits.exit_case_close_notice(user=personas.enumerator, case=case, on=D0)
    with pytest.raises(exits.IllegalExitStep):
        exits.objection_lodge(user=personas.enumerator, case=case, on=D0, summary="Too early")
    with pytest.raises(exits.IllegalExitStep):
        exits.exit_case_approve(user=personas.officer, case=case, on=D0)
    exits.exit_case_record_visit(user=personas.enumerator, case=case, on=D0, confirms_non_poor=True)
    with pytest.raises(exits.IllegalExitStep, match="verification visit done"):
        exits.exit_case_record_visit(
            user=personas.enumerator, case=case, on=D0, confirms_non_poor=True
        )
    case.refresh_from_db()
    assert case.state == ExitState.VISITED
    assert case.steps.count() == 2


def test_a_step_cannot_be_dated_before_the_previous_one(
    personas: Personas, ew: ExitWorld, hh: Household
) -> None:
    case = _propose(personas, ew, hh)
    with pytest.raises(InvalidInput, match="before the case's previous step") as excinfo:
        exits.exit_case_record_visit(
            user=personas.enumerator,
            case=case,
            on=D0 - timedelta(days=1),
            confirms_non_poor=True,
        )
    assert excinfo.value.field == "on"


def test_visit_may_be_skipped_where_the_area_policy_allows(
    personas: Personas, world: World, ew: ExitWorld, hh: Household
) -> None:
    # Under the country-wide policy the Lewe township refines: no visit, 14 days' notice.
    exits.exit_policy_create(
        user=None,
        country=world.myanmar,
        admin_area=world.mm_township,
        name="Lewe township exits",
        scheme=ew.scheme,
        valid_from=date(2024, 1, 1),
        notice_days=14,
        visit_required=False,
    )
    case = _propose(personas, ew, hh)
    assert case.policy.name == "Lewe township exits"
    exits.exit_case_appraise(user=personas.enumerator, case=case, on=D0, passed=True)
    exits.exit_case_post_notice(user=personas.enumerator, case=case, on=D0)
    # 14 days from the area policy, not the country's 7.
    with pytest.raises(exits.NoticePeriodNotOver, match="14 days"):
        exits.exit_case_close_notice(
            user=personas.enumerator, case=case, on=D0 + timedelta(days=13)
        )
    closed = exits.exit_case_close_notice(
        user=personas.enumerator, case=case, on=D0 + timedelta(days=14)
    )
    assert closed.state == ExitState.NOTICE_CLOSED


def test_an_area_policy_elsewhere_does_not_apply(
    personas: Personas, world: World, ew: ExitWorld, hh: Household
) -> None:
    other = admin_area_create(
        country=world.myanmar,
        code="MM-NPT-OTT",
        name_latin="Ottarathiri",
        level=AdminLevel.COUNTY,
        parent=world.mm_township.parent,
    )
    exits.exit_policy_create(
        user=None,
        country=world.myanmar,
        admin_area=other,
        name="Ottarathiri exits",
        scheme=ew.scheme,
        valid_from=date(2024, 1, 1),
        visit_required=False,
    )
    assert exits.exit_policy_for(household=hh, on=D0) == ew.policy


def test_a_visit_finding_the_family_poor_rejects_the_case(
    personas: Personas, ew: ExitWorld, hh: Household
) -> None:
    case = _propose(personas, ew, hh)
    exits.exit_case_record_visit(
        user=personas.enumerator,
        case=case,
        on=D0,
        confirms_non_poor=False,
        note="Harvest failed after the survey.",
    )
    case.refresh_from_db()
    assert case.state == ExitState.REJECTED
    assert case.reason == "Harvest failed after the survey."
    with pytest.raises(exits.IllegalExitStep, match="rejected"):
        exits.exit_case_appraise(user=personas.enumerator, case=case, on=D0, passed=True)


def test_a_failed_appraisal_rejects_the_case(
    personas: Personas, ew: ExitWorld, hh: Household
) -> None:
    case = _propose(personas, ew, hh)
    exits.exit_case_record_visit(user=personas.enumerator, case=case, on=D0, confirms_non_poor=True)
    with pytest.raises(InvalidInput, match="both the votes"):
        exits.exit_case_appraise(
            user=personas.enumerator, case=case, on=D0, passed=False, votes_for=3
        )
    exits.exit_case_appraise(
        user=personas.enumerator, case=case, on=D0, passed=False, votes_for=3, votes_against=15
    )
    case.refresh_from_db()
    assert case.state == ExitState.REJECTED
    assert (case.votes_for, case.votes_against) == (3, 15)


# --- the notice ---------------------------------------------------------------------------------


def test_notice_cannot_close_before_the_policy_days(
    personas: Personas, ew: ExitWorld, hh: Household
) -> None:
    case = _to_notice(personas, ew, hh)
    with pytest.raises(exits.NoticePeriodNotOver, match="7 days"):
        exits.exit_case_close_notice(
            user=personas.enumerator, case=case, on=NOTICE_ON + timedelta(days=6)
        )
    with pytest.raises(exits.NoticePeriodNotOver, match="still open"):
        exits.exit_case_approve(user=personas.officer, case=case, on=NOTICE_ON)
    case.refresh_from_db()
    assert case.state == ExitState.ON_NOTICE
    exits.exit_case_close_notice(
        user=personas.enumerator, case=case, on=NOTICE_ON + timedelta(days=7)
    )


def test_a_changed_policy_applies_to_new_cases_only(
    personas: Personas, world: World, ew: ExitWorld, hh: Household
) -> None:
    case = _to_notice(personas, ew, hh)
    exits.exit_policy_create(
        user=None,
        country=world.myanmar,
        name="Myanmar exits 2024 (longer notice)",
        scheme=ew.scheme,
        valid_from=D0 + timedelta(days=1),
        notice_days=30,
    )
    # The case keeps the 7 days it was proposed under.
    closed = exits.exit_case_close_notice(
        user=personas.enumerator, case=case, on=NOTICE_ON + timedelta(days=7)
    )
    assert closed.policy.notice_days == 7


def test_unresolved_objection_blocks_approval_and_a_dismissed_one_does_not(
    personas: Personas, ew: ExitWorld, hh: Household
) -> None:
    case = _to_notice(personas, ew, hh)
    objection = exits.objection_lodge(
        user=personas.enumerator,
        case=case,
        on=NOTICE_ON + timedelta(days=2),
        summary="Neighbours say the son's wages stopped in March.",
    )
    on = NOTICE_ON + timedelta(days=7)
    exits.exit_case_close_notice(user=personas.enumerator, case=case, on=on)
    with pytest.raises(exits.ObjectionsUnresolved, match="1 objection"):
        exits.exit_case_approve(user=personas.officer, case=case, on=on)
    with pytest.raises(PermissionDenied):  # enumerators record, officials decide
        exits.objection_resolve(
            user=personas.enumerator, objection=objection, on=on, upheld=False, resolution="No"
        )
    exits.objection_resolve(
        user=personas.mm_counterpart,
        objection=objection,
        on=on,
        upheld=False,
        resolution="Wages checked with the employer: still paid.",
    )
    with pytest.raises(Conflict, match="resolved on"):
        exits.objection_resolve(
            user=personas.mm_counterpart, objection=objection, on=on, upheld=True, resolution="x"
        )
    exits.exit_case_approve(user=personas.officer, case=case, on=on)
    events = list(case.steps.values_list("event", flat=True))
    assert ExitEvent.OBJECTION_LODGED in events
    assert ExitEvent.OBJECTION_RESOLVED in events


def test_an_upheld_objection_rejects_the_case(
    personas: Personas, ew: ExitWorld, hh: Household
) -> None:
    case = _to_notice(personas, ew, hh)
    objection = exits.objection_lodge(
        user=personas.enumerator, case=case, on=NOTICE_ON, summary="The house is unsafe."
    )
    exits.objection_resolve(
        user=personas.mm_counterpart,
        objection=objection,
        on=NOTICE_ON + timedelta(days=3),
        upheld=True,
        resolution="Dangerous-house grade C confirmed.",
    )
    case.refresh_from_db()
    hh.refresh_from_db()
    assert case.state == ExitState.REJECTED
    assert "Dangerous-house grade C" in case.reason
    assert hh.status == HouseholdStatus.ACTIVE


def test_objections_only_while_the_notice_is_open(
    personas: Personas, ew: ExitWorld, hh: Household
) -> None:
    case = _to_notice(personas, ew, hh)
    with pytest.raises(InvalidInput, match="posted on") as excinfo:
        exits.objection_lodge(
            user=personas.enumerator, case=case, on=NOTICE_ON - timedelta(days=1), summary="x"
        )
    assert excinfo.value.field == "on"
    with pytest.raises(InvalidInput, match="summary"):
        exits.objection_lodge(user=personas.enumerator, case=case, on=NOTICE_ON, summary="  ")
    exits.exit_case_close_notice(
        user=personas.enumerator, case=case, on=NOTICE_ON + timedelta(days=7)
    )
    with pytest.raises(exits.IllegalExitStep, match="notice closed"):
        exits.objection_lodge(
            user=personas.enumerator, case=case, on=NOTICE_ON + timedelta(days=8), summary="Late"
        )


def test_withdrawal_needs_a_reason_and_an_open_case(
    personas: Personas, ew: ExitWorld, hh: Household
) -> None:
    case = _propose(personas, ew, hh)
    with pytest.raises(InvalidInput, match="reason"):
        exits.exit_case_withdraw(user=personas.mm_counterpart, case=case, on=D0, reason=" ")
    with pytest.raises(PermissionDenied):
        exits.exit_case_withdraw(user=personas.enumerator, case=case, on=D0, reason="x")
    exits.exit_case_withdraw(user=personas.mm_counterpart, case=case, on=D0, reason="Moved")
    with pytest.raises(exits.IllegalExitStep, match="withdrawn"):
        exits.exit_case_withdraw(user=personas.mm_counterpart, case=case, on=D0, reason="Again")


# --- history ------------------------------------------------------------------------------------


def test_history_keeps_who_when_and_old_and_new_state(
    personas: Personas, ew: ExitWorld, hh: Household
) -> None:
    case = _closed(personas, ew, hh)
    on = NOTICE_ON + timedelta(days=7)
    exits.exit_case_approve(user=personas.officer, case=case, on=on)
    exits.exit_case_approve(user=personas.mm_counterpart, case=case, on=on)
    rows = list(case.history.order_by("history_date", "history_id"))
    assert [(r.state, r.history_user) for r in rows] == [
        (ExitState.PROPOSED, personas.enumerator),
        (ExitState.VISITED, personas.enumerator),
        (ExitState.APPRAISED, personas.enumerator),
        (ExitState.ON_NOTICE, personas.enumerator),
        (ExitState.NOTICE_CLOSED, personas.mm_counterpart),
        (ExitState.APPROVED, personas.officer),
        (ExitState.EXITED, personas.mm_counterpart),
    ]
    delta = rows[-1].diff_against(rows[-2])
    changed = {c.field: (c.old, c.new) for c in delta.changes}
    assert changed["state"] == (ExitState.APPROVED, ExitState.EXITED)
    status_row = hh.history.order_by("-history_date", "-history_id").first()
    assert status_row is not None
    assert status_row.status == HouseholdStatus.EXITED
    assert status_row.history_user == personas.mm_counterpart
    assert all(step.by_id is not None and step.at is not None for step in case.steps.all())
