"""The exit workflow: one function per step, transactional, scope-checked, dated by argument.

Rules enforced here (DOMAIN.md §2.5, §6B):

- a case is proposed only for an active household whose latest result under the policy's
  scheme is non-poor, and only one case per household is open at a time. There is no
  override "with justification": a household whose data say poor but whose life says
  otherwise is re-surveyed and re-classified first, so that the evidence of every exit is a
  recorded result — exactly what the independent check later samples;
- steps go in order (proposed → visited → appraised → on notice → notice closed → approved
  → exited), never dated before the step before them; the visit may be skipped only where
  the policy does not require it; a failed visit or appraisal rejects the case;
- the notice closes no earlier than ``notice_days`` after it was posted; objections are
  lodged only while it is open; an upheld objection rejects the case; an unresolved one
  blocks approval;
- each side of the joint office approves once; the second side's approval exits the
  household (``Household.status``) in the same transaction.

Dates are arguments (``on``), never the clock, so that rules are testable and a step typed
in late keeps the day it happened.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from mekong.core.changes import full_clean_or_raise
from mekong.core.errors import Conflict, InvalidInput, PermissionDenied
from mekong.geo.models import AdminArea, Country
from mekong.partners.access import role_of
from mekong.partners.models import User
from mekong.registry.access import ANALYSTS
from mekong.registry.exit_access import (
    require_exit_approver,
    require_exit_decider,
    require_exit_worker,
)
from mekong.registry.models import (
    OPEN_EXIT_STATES,
    Classification,
    ExitApproval,
    ExitCase,
    ExitEvent,
    ExitPolicy,
    ExitState,
    ExitStep,
    Household,
    HouseholdStatus,
    Objection,
    PovertyScheme,
    SurveyRound,
)

SIDES = ("chinese", "partner")


class NoExitPolicy(InvalidInput):
    pass


class ExitCriteriaNotMet(InvalidInput):
    pass


class HouseholdNotActive(Conflict):
    pass


class ExitCaseAlreadyOpen(Conflict):
    pass


class IllegalExitStep(Conflict):
    pass


class NoticePeriodNotOver(Conflict):
    pass


class ObjectionsUnresolved(Conflict):
    pass


class ApprovalAlreadyGiven(Conflict):
    pass


# --- policy -------------------------------------------------------------------------------


@transaction.atomic
def exit_policy_create(
    *,
    user: object | None,
    country: Country,
    name: str,
    scheme: PovertyScheme,
    valid_from: date,
    admin_area: AdminArea | None = None,
    notice_days: int = 7,
    visit_required: bool = True,
    relapse_multiplier: str | float | None = None,
    income_fall_threshold: str | float | None = None,
    shock_triggers: list[str] | None = None,
    valid_to: date | None = None,
    source: str = "",
) -> ExitPolicy:
    """Configure exits for a jurisdiction; ``user=None`` for set-up scripts."""
    if user is not None and role_of(user) not in ANALYSTS:
        raise PermissionDenied(_("Your role may not configure exit policies."))
    if admin_area is not None and admin_area.country_id != country.id:
        raise InvalidInput(
            _("admin_area: the area is not in %(country)s.") % {"country": country.iso3},
            field="admin_area",
        )
    if scheme.country_id is not None and scheme.country_id != country.id:
        raise InvalidInput(_("scheme: the scheme belongs to another country."), field="scheme")
    if valid_to is not None and valid_to < valid_from:
        raise InvalidInput(_("valid_to: a policy cannot end before it starts."), field="valid_to")
    policy = ExitPolicy(
        country=country,
        admin_area=admin_area,
        name=name,
        scheme=scheme,
        notice_days=notice_days,
        visit_required=visit_required,
        valid_from=valid_from,
        valid_to=valid_to,
        source=source,
    )
    try:
        if relapse_multiplier is not None:
            policy.relapse_multiplier = Decimal(str(relapse_multiplier))
        if income_fall_threshold is not None:
            policy.income_fall_threshold = Decimal(str(income_fall_threshold))
    except InvalidOperation as exc:
        raise InvalidInput(_("A threshold is not a number."), field="relapse_multiplier") from exc
    if shock_triggers is not None:
        if not all(isinstance(s, str) and s for s in shock_triggers):
            raise InvalidInput(
                _("shock_triggers: give a list of shock codes."), field="shock_triggers"
            )
        policy.shock_triggers = sorted(set(shock_triggers))
    full_clean_or_raise(policy)
    policy.save()
    return policy


def exit_policy_for(*, household: Household, on: date) -> ExitPolicy:
    """The most specific policy valid on ``on`` for the household's village.

    An area's policy beats the country's; among equals the latest ``valid_from`` wins.
    """
    village = household.village
    area_path = village.admin_area.path
    candidates = (
        ExitPolicy.objects.select_related("scheme", "admin_area")
        .filter(country_id=village.country_id, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    )
    best: ExitPolicy | None = None
    best_key: tuple[int, date] | None = None
    for policy in candidates:
        if policy.admin_area is not None and not area_path.startswith(policy.admin_area.path):
            continue
        depth = policy.admin_area.depth if policy.admin_area is not None else 0
        key = (depth, policy.valid_from)
        if best_key is None or key > best_key:
            best, best_key = policy, key
    if best is None:
        raise NoExitPolicy(
            _("No exit policy is configured for %(country)s on %(on)s; ask an analyst to set one.")
            % {"country": village.country.iso3, "on": on}
        )
    return best


# --- the case -----------------------------------------------------------------------------


def _step(
    case: ExitCase,
    *,
    event: ExitEvent,
    from_state: str,
    on: date,
    by: User,
    note: str = "",
) -> None:
    ExitStep.objects.create(
        case=case, event=event, from_state=from_state, to_state=case.state, on=on, by=by, note=note
    )


def _save_case(case: ExitCase, by: User) -> None:
    case._history_user = by  # type: ignore[attr-defined]  # read by simple_history
    case.save()


def _lock(case: ExitCase) -> ExitCase:
    return (
        ExitCase.objects.select_for_update()
        .select_related("household__village", "policy")
        .get(pk=case.pk)
    )


def _last_step_date(case: ExitCase) -> date:
    last = case.steps.order_by("-id").values_list("on", flat=True).first()
    return last if last is not None else case.proposed_on


def _require_state(case: ExitCase, allowed: tuple[str, ...], *, step: str) -> None:
    if case.state not in allowed:
        raise IllegalExitStep(
            _("Cannot %(step)s: the case is %(state)s.")
            % {"step": step, "state": ExitState(case.state).label.lower()}
        )


def _require_not_before_last(case: ExitCase, on: date) -> None:
    last = _last_step_date(case)
    if on < last:
        raise InvalidInput(
            _("on: %(on)s is before the case's previous step (%(last)s).")
            % {"on": on, "last": last},
            field="on",
        )


def _reject(case: ExitCase, *, event: ExitEvent, on: date, by: User, reason: str) -> None:
    from_state = case.state
    case.state = ExitState.REJECTED
    case.decided_on = on
    case.reason = reason
    _save_case(case, by)
    _step(case, event=event, from_state=from_state, on=on, by=by, note=reason)


@transaction.atomic
def exit_case_propose(
    *,
    user: object,
    household: Household,
    survey_round: SurveyRound,
    on: date,
    note: str = "",
) -> ExitCase:
    """Open an exit case on the household's latest non-poor result under the policy's scheme."""
    by = require_exit_worker(user, household)
    household = Household.objects.select_for_update().select_related("village").get(pk=household.pk)
    if household.status != HouseholdStatus.ACTIVE:
        raise HouseholdNotActive(
            _("Household %(id)s is %(status)s, not active: only active households can exit.")
            % {"id": household.external_id, "status": household.get_status_display().lower()}
        )
    if ExitCase.objects.filter(household=household, state__in=_open_states()).exists():
        raise ExitCaseAlreadyOpen(
            _("Household %(id)s already has an open exit case; finish or withdraw it first.")
            % {"id": household.external_id}
        )
    if survey_round.country_id != household.village.country_id:
        raise InvalidInput(
            _("survey_round: round %(round)s is of another country.") % {"round": survey_round},
            field="survey_round",
        )
    policy = exit_policy_for(household=household, on=on)
    latest = (
        Classification.objects.filter(household=household, scheme=policy.scheme)
        .select_related("survey_round")
        .order_by("-survey_round__started_on", "-id")
        .first()
    )
    if latest is None or latest.survey_round_id != survey_round.id:
        raise ExitCriteriaNotMet(
            _(
                "Household %(id)s has no result under %(scheme)s in round %(round)s, or a later "
                "round exists; classify it in its latest round first."
            )
            % {"id": household.external_id, "scheme": policy.scheme, "round": survey_round},
            field="survey_round",
        )
    if latest.poor:
        raise ExitCriteriaNotMet(
            _("Household %(id)s is still poor under %(scheme)s in round %(round)s (%(level)s).")
            % {
                "id": household.external_id,
                "scheme": policy.scheme,
                "round": survey_round,
                "level": latest.level,
            }
        )
    case = ExitCase(
        household=household,
        survey_round=survey_round,
        policy=policy,
        classification=latest,
        proposed_on=on,
        proposed_by=by,
    )
    _save_case(case, by)
    _step(case, event=ExitEvent.PROPOSED, from_state="", on=on, by=by, note=note)
    return case


def _open_states() -> list[str]:
    return [s.value for s in OPEN_EXIT_STATES]


@transaction.atomic
def exit_case_record_visit(
    *, user: object, case: ExitCase, on: date, confirms_non_poor: bool, note: str = ""
) -> ExitCase:
    """The verification visit to the family; a visit that finds them poor rejects the case."""
    by = require_exit_worker(user, case.household)
    case = _lock(case)
    _require_state(case, (ExitState.PROPOSED,), step=_("record the verification visit"))
    _require_not_before_last(case, on)
    case.visited_on = on
    case.visit_note = note
    if not confirms_non_poor:
        _reject(
            case,
            event=ExitEvent.VISITED,
            on=on,
            by=by,
            reason=note or _("The verification visit found the household still poor."),
        )
        return case
    case.state = ExitState.VISITED
    _save_case(case, by)
    _step(case, event=ExitEvent.VISITED, from_state=ExitState.PROPOSED, on=on, by=by, note=note)
    return case


@transaction.atomic
def exit_case_appraise(
    *,
    user: object,
    case: ExitCase,
    on: date,
    passed: bool,
    votes_for: int | None = None,
    votes_against: int | None = None,
    note: str = "",
) -> ExitCase:
    """The villager representatives' appraisal and vote; a failed appraisal rejects the case."""
    by = require_exit_worker(user, case.household)
    case = _lock(case)
    if case.state == ExitState.PROPOSED and case.policy.visit_required:
        raise IllegalExitStep(
            _("Cannot appraise yet: this jurisdiction requires a verification visit first.")
        )
    _require_state(case, (ExitState.PROPOSED, ExitState.VISITED), step=_("appraise"))
    _require_not_before_last(case, on)
    if (votes_for is None) != (votes_against is None):
        raise InvalidInput(_("votes: give both the votes for and against, or neither."))
    case.appraised_on = on
    case.votes_for = votes_for
    case.votes_against = votes_against
    from_state = case.state
    if not passed:
        _reject(
            case,
            event=ExitEvent.APPRAISED,
            on=on,
            by=by,
            reason=note or _("The village appraisal did not support the exit."),
        )
        return case
    case.state = ExitState.APPRAISED
    _save_case(case, by)
    _step(case, event=ExitEvent.APPRAISED, from_state=from_state, on=on, by=by, note=note)
    return case


@transaction.atomic
def exit_case_post_notice(*, user: object, case: ExitCase, on: date, note: str = "") -> ExitCase:
    by = require_exit_worker(user, case.household)
    case = _lock(case)
    _require_state(case, (ExitState.APPRAISED,), step=_("post the public notice"))
    _require_not_before_last(case, on)
    case.state = ExitState.ON_NOTICE
    case.notice_posted_on = on
    _save_case(case, by)
    _step(
        case, event=ExitEvent.NOTICE_POSTED, from_state=ExitState.APPRAISED, on=on, by=by, note=note
    )
    return case


def notice_ends_on(case: ExitCase) -> date | None:
    """The first day the notice may close: posted on + the policy's notice days."""
    if case.notice_posted_on is None:
        return None
    return case.notice_posted_on + timedelta(days=case.policy.notice_days)


@transaction.atomic
def objection_lodge(*, user: object, case: ExitCase, on: date, summary: str) -> Objection:
    by = require_exit_worker(user, case.household)
    case = _lock(case)
    _require_state(case, (ExitState.ON_NOTICE,), step=_("lodge an objection"))
    if not summary.strip():
        raise InvalidInput(_("summary: say what the objection is."), field="summary")
    assert case.notice_posted_on is not None
    if on < case.notice_posted_on:
        raise InvalidInput(
            _("on: the notice was posted on %(posted)s.") % {"posted": case.notice_posted_on},
            field="on",
        )
    objection = Objection(case=case, lodged_on=on, summary=summary.strip(), recorded_by=by)
    objection._history_user = by  # type: ignore[attr-defined]
    objection.save()
    _step(
        case,
        event=ExitEvent.OBJECTION_LODGED,
        from_state=case.state,
        on=on,
        by=by,
        note=summary.strip(),
    )
    return objection


@transaction.atomic
def objection_resolve(
    *, user: object, objection: Objection, on: date, upheld: bool, resolution: str
) -> Objection:
    """Decide an objection. Upheld, it rejects the case; dismissed, the case goes on."""
    case = objection.case
    by = require_exit_decider(user, case.household)
    case = _lock(case)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.is_resolved:
        raise Conflict(_("This objection was resolved on %(on)s.") % {"on": objection.resolved_on})
    _require_state(
        case, (ExitState.ON_NOTICE, ExitState.NOTICE_CLOSED), step=_("resolve an objection")
    )
    if not resolution.strip():
        raise InvalidInput(_("resolution: say how the objection was resolved."), field="resolution")
    if on < objection.lodged_on:
        raise InvalidInput(
            _("on: the objection was lodged on %(lodged)s.") % {"lodged": objection.lodged_on},
            field="on",
        )
    objection.resolved_on = on
    objection.resolution = resolution.strip()
    objection.upheld = upheld
    objection.resolved_by = by
    objection._history_user = by  # type: ignore[attr-defined]
    objection.save()
    _step(
        case,
        event=ExitEvent.OBJECTION_RESOLVED,
        from_state=case.state,
        on=on,
        by=by,
        note=resolution.strip(),
    )
    if upheld:
        _reject(
            case,
            event=ExitEvent.REJECTED,
            on=on,
            by=by,
            reason=_("An objection was upheld: %(resolution)s")
            % {"resolution": resolution.strip()},
        )
    return objection


@transaction.atomic
def exit_case_close_notice(*, user: object, case: ExitCase, on: date, note: str = "") -> ExitCase:
    by = require_exit_worker(user, case.household)
    case = _lock(case)
    _require_state(case, (ExitState.ON_NOTICE,), step=_("close the public notice"))
    ends = notice_ends_on(case)
    assert ends is not None
    if on < ends:
        raise NoticePeriodNotOver(
            _(
                "The public notice runs %(days)s days from %(posted)s; it may close on "
                "%(ends)s at the earliest."
            )
            % {"days": case.policy.notice_days, "posted": case.notice_posted_on, "ends": ends}
        )
    _require_not_before_last(case, on)
    case.state = ExitState.NOTICE_CLOSED
    case.notice_closed_on = on
    _save_case(case, by)
    _step(
        case, event=ExitEvent.NOTICE_CLOSED, from_state=ExitState.ON_NOTICE, on=on, by=by, note=note
    )
    return case


@transaction.atomic
def exit_case_approve(*, user: object, case: ExitCase, on: date, note: str = "") -> ExitApproval:
    """Approve for the user's side; with both sides the household exits, in this transaction."""
    by, side = require_exit_approver(user, case.household)
    case = _lock(case)
    if case.state == ExitState.ON_NOTICE:
        ends = notice_ends_on(case)
        raise NoticePeriodNotOver(
            _("The public notice is still open (until %(ends)s at the earliest); close it first.")
            % {"ends": ends}
        )
    _require_state(case, (ExitState.NOTICE_CLOSED, ExitState.APPROVED), step=_("approve"))
    unresolved = case.objections.filter(resolved_on__isnull=True).count()
    if unresolved:
        raise ObjectionsUnresolved(
            _("%(count)s objection(s) to this exit are unresolved; resolve them first.")
            % {"count": unresolved}
        )
    existing = case.approvals.filter(side=side).select_related("approved_by").first()
    if existing is not None:
        raise ApprovalAlreadyGiven(
            _("The %(side)s approved this exit already (%(who)s, %(when)s).")
            % {
                "side": existing.get_side_display().lower(),
                "who": existing.approved_by.get_username(),
                "when": existing.approved_on,
            }
        )
    _require_not_before_last(case, on)
    approval = ExitApproval(case=case, side=side, approved_on=on, approved_by=by, note=note)
    approval._history_user = by  # type: ignore[attr-defined]
    approval.save()
    from_state = case.state
    sides = set(case.approvals.values_list("side", flat=True))
    if sides >= set(SIDES):
        case.state = ExitState.EXITED
        case.decided_on = on
        household = Household.objects.select_for_update().get(pk=case.household_id)
        household.status = HouseholdStatus.EXITED
        household._history_user = by  # type: ignore[attr-defined]
        household.save(update_fields=["status"])
    else:
        case.state = ExitState.APPROVED
    _save_case(case, by)
    _step(case, event=ExitEvent.APPROVED, from_state=from_state, on=on, by=by, note=note)
    return approval


@transaction.atomic
def exit_case_withdraw(*, user: object, case: ExitCase, on: date, reason: str) -> ExitCase:
    by = require_exit_decider(user, case.household)
    case = _lock(case)
    _require_state(case, tuple(_open_states()), step=_("withdraw the case"))
    if not reason.strip():
        raise InvalidInput(_("reason: say why the case is withdrawn."), field="reason")
    _require_not_before_last(case, on)
    from_state = case.state
    case.state = ExitState.WITHDRAWN
    case.decided_on = on
    case.reason = reason.strip()
    _save_case(case, by)
    _step(case, event=ExitEvent.WITHDRAWN, from_state=from_state, on=on, by=by, note=reason.strip())
    return case
