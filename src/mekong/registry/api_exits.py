"""Exit verification and relapse monitoring endpoints; writes through the services.

Reads outside the user's scope answer 404; writes outside it answer 403 (the services check).
"""

# No `from __future__ import annotations`: django-ninja reads these signatures at run time.

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from mekong.core.errors import InvalidInput, NotFound
from mekong.geo.models import Country
from mekong.projects.models import Project
from mekong.registry import exit_selectors as selectors
from mekong.registry import exits, relapse, verification
from mekong.registry.models import (
    AlertOutcome,
    AlertStatus,
    ExitCase,
    ExitPolicy,
    ExitState,
    PovertyScheme,
    RelapseAlert,
    SampleFrame,
    SurveyRound,
    VerificationSample,
)

router = Router(tags=["exits"])


# --- schemas --------------------------------------------------------------------------------


class ExitStepOut(Schema):
    event: str
    from_state: str
    to_state: str
    on: date
    at: datetime
    by: str
    note: str

    @staticmethod
    def resolve_by(obj: Any) -> str:
        return str(obj.by.get_username())


class ObjectionOut(Schema):
    id: int
    lodged_on: date
    summary: str
    resolved_on: date | None
    resolution: str
    upheld: bool | None


class ExitApprovalOut(Schema):
    side: str
    approved_on: date
    approved_by: str
    note: str

    @staticmethod
    def resolve_approved_by(obj: Any) -> str:
        return str(obj.approved_by.get_username())


class ExitCaseOut(Schema):
    id: int
    household_id: int
    survey_round: str
    policy: str
    scheme: str
    state: ExitState
    proposed_on: date
    visited_on: date | None
    appraised_on: date | None
    notice_posted_on: date | None
    notice_ends_on: date | None
    notice_closed_on: date | None
    decided_on: date | None
    reason: str
    steps: list[ExitStepOut]
    objections: list[ObjectionOut]
    approvals: list[ExitApprovalOut]

    @staticmethod
    def resolve_survey_round(obj: ExitCase) -> str:
        return obj.survey_round.code

    @staticmethod
    def resolve_policy(obj: ExitCase) -> str:
        return obj.policy.name

    @staticmethod
    def resolve_scheme(obj: ExitCase) -> str:
        return str(obj.classification.scheme)

    @staticmethod
    def resolve_notice_ends_on(obj: ExitCase) -> date | None:
        return exits.notice_ends_on(obj)

    @staticmethod
    def resolve_steps(obj: ExitCase) -> list[Any]:
        return list(obj.steps.all())

    @staticmethod
    def resolve_objections(obj: ExitCase) -> list[Any]:
        return list(obj.objections.all())

    @staticmethod
    def resolve_approvals(obj: ExitCase) -> list[Any]:
        return list(obj.approvals.all())


class ExitProposeIn(Schema):
    survey_round_id: int
    on: date
    note: str = Field("", max_length=2000)


class VisitIn(Schema):
    on: date
    confirms_non_poor: bool
    note: str = Field("", max_length=4000)


class AppraisalIn(Schema):
    on: date
    passed: bool
    votes_for: int | None = Field(None, ge=0)
    votes_against: int | None = Field(None, ge=0)
    note: str = Field("", max_length=4000)


class StepIn(Schema):
    on: date
    note: str = Field("", max_length=4000)


class ObjectionIn(Schema):
    on: date
    summary: str = Field(..., min_length=1, max_length=4000)


class ResolutionIn(Schema):
    on: date
    upheld: bool
    resolution: str = Field(..., min_length=1, max_length=4000)


class WithdrawalIn(Schema):
    on: date
    reason: str = Field(..., min_length=1, max_length=4000)


class SampleIn(Schema):
    frame: SampleFrame
    country: str = Field(..., min_length=3, max_length=3)
    size: int = Field(..., ge=1, le=100_000)
    on: date
    seed: int | None = Field(None, ge=0, le=2**62)
    project_id: int | None = None
    survey_round_id: int | None = None
    scheme_id: int | None = None
    stratify_by_village: bool = False
    assessor: str = Field("", max_length=200)


class SampledHouseholdOut(Schema):
    draw_order: int
    household_id: int
    external_id: str
    village: str

    @staticmethod
    def resolve_external_id(obj: Any) -> str:
        return str(obj.household.external_id)

    @staticmethod
    def resolve_village(obj: Any) -> str:
        return str(obj.household.village.code)


class SampleOut(Schema):
    id: int
    frame: SampleFrame
    country: str
    seed: int
    size: int
    frame_size: int
    stratify_by_village: bool
    assessor: str
    drawn_on: date
    households: list[SampledHouseholdOut]

    @staticmethod
    def resolve_country(obj: VerificationSample) -> str:
        return obj.country.iso3

    @staticmethod
    def resolve_households(obj: VerificationSample) -> list[Any]:
        return list(obj.draws.select_related("household__village"))


class FindingIn(Schema):
    household_id: int
    on: date
    found_poor: bool
    satisfied: bool | None = None
    notes: str = Field("", max_length=4000)


class FindingOut(Schema):
    id: int
    household_id: int
    checked_on: date
    found_poor: bool
    satisfied: bool | None
    notes: str


class ProportionOut(Schema):
    count: int
    total: int
    rate: float | None
    low: float | None
    high: float | None


class RatesOut(Schema):
    frame: SampleFrame
    measure: Literal["wrongful_exit", "omission"]
    sampled: int
    checked: int
    error: ProportionOut
    satisfaction: ProportionOut


class ScanIn(Schema):
    survey_round_id: int
    policy_id: int
    on: date


class ScanOut(Schema):
    scanned: int
    flagged: int
    opened: int
    updated: int
    unchanged: int


class FollowUpOut(Schema):
    on: date
    action: str
    outcome: str
    by: str

    @staticmethod
    def resolve_by(obj: Any) -> str:
        return str(obj.by.get_username())


class AlertOut(Schema):
    id: int
    household_id: int
    survey_round: str
    triggers: list[str]
    details: dict[str, Any]
    opened_on: date
    status: AlertStatus
    closed_on: date | None
    outcome: str
    follow_ups: list[FollowUpOut]

    @staticmethod
    def resolve_survey_round(obj: RelapseAlert) -> str:
        return obj.survey_round.code

    @staticmethod
    def resolve_follow_ups(obj: RelapseAlert) -> list[Any]:
        return list(obj.follow_ups.all())


class AlertFilterIn(Schema):
    status: AlertStatus | None = None
    survey_round_id: int | None = None


class FollowUpIn(Schema):
    on: date
    action: str = Field(..., min_length=1, max_length=4000)
    outcome: str = Field("", max_length=4000)
    close_as: AlertOutcome | None = None


# --- helpers ----------------------------------------------------------------------------------


def _round(round_id: int, field: str = "survey_round_id") -> SurveyRound:
    found = SurveyRound.objects.filter(id=round_id).first()
    if found is None:
        raise InvalidInput(_("No survey round with id %(id)s.") % {"id": round_id}, field=field)
    return found


def _case_out(case: ExitCase, request: HttpRequest) -> ExitCase:
    return selectors.exit_case_get_for_user(user=request.user, case_id=case.id)


# --- exit cases -------------------------------------------------------------------------------


@router.get("/households/{household_id}/exit-cases", response=list[ExitCaseOut])
def list_exit_cases(request: HttpRequest, household_id: int) -> Any:
    return selectors.exit_case_list(user=request.user, household_id=household_id)


@router.post("/households/{household_id}/exit-cases", response={201: ExitCaseOut})
def propose_exit(request: HttpRequest, household_id: int, payload: ExitProposeIn) -> Any:
    household = selectors.household_for_write(household_id)
    case = exits.exit_case_propose(
        user=request.user,
        household=household,
        survey_round=_round(payload.survey_round_id),
        on=payload.on,
        note=payload.note,
    )
    return Status(201, _case_out(case, request))


@router.get("/exit-cases/{case_id}", response=ExitCaseOut)
def get_exit_case(request: HttpRequest, case_id: int) -> Any:
    return selectors.exit_case_get_for_user(user=request.user, case_id=case_id)


@router.post("/exit-cases/{case_id}/visit", response=ExitCaseOut)
def record_visit(request: HttpRequest, case_id: int, payload: VisitIn) -> Any:
    case = exits.exit_case_record_visit(
        user=request.user,
        case=selectors.exit_case_for_write(case_id),
        on=payload.on,
        confirms_non_poor=payload.confirms_non_poor,
        note=payload.note,
    )
    return _case_out(case, request)


@router.post("/exit-cases/{case_id}/appraisal", response=ExitCaseOut)
def appraise(request: HttpRequest, case_id: int, payload: AppraisalIn) -> Any:
    case = exits.exit_case_appraise(
        user=request.user,
        case=selectors.exit_case_for_write(case_id),
        on=payload.on,
        passed=payload.passed,
        votes_for=payload.votes_for,
        votes_against=payload.votes_against,
        note=payload.note,
    )
    return _case_out(case, request)


@router.post("/exit-cases/{case_id}/notice", response=ExitCaseOut)
def post_notice(request: HttpRequest, case_id: int, payload: StepIn) -> Any:
    case = exits.exit_case_post_notice(
        user=request.user,
        case=selectors.exit_case_for_write(case_id),
        on=payload.on,
        note=payload.note,
    )
    return _case_out(case, request)


@router.post("/exit-cases/{case_id}/notice/close", response=ExitCaseOut)
def close_notice(request: HttpRequest, case_id: int, payload: StepIn) -> Any:
    case = exits.exit_case_close_notice(
        user=request.user,
        case=selectors.exit_case_for_write(case_id),
        on=payload.on,
        note=payload.note,
    )
    return _case_out(case, request)


@router.post("/exit-cases/{case_id}/objections", response={201: ObjectionOut})
def lodge_objection(request: HttpRequest, case_id: int, payload: ObjectionIn) -> Any:
    objection = exits.objection_lodge(
        user=request.user,
        case=selectors.exit_case_for_write(case_id),
        on=payload.on,
        summary=payload.summary,
    )
    return Status(201, objection)


@router.post("/exit-objections/{objection_id}/resolution", response=ObjectionOut)
def resolve_objection(request: HttpRequest, objection_id: int, payload: ResolutionIn) -> Any:
    return exits.objection_resolve(
        user=request.user,
        objection=selectors.objection_for_write(objection_id),
        on=payload.on,
        upheld=payload.upheld,
        resolution=payload.resolution,
    )


@router.post("/exit-cases/{case_id}/approvals", response={201: ExitCaseOut})
def approve_exit(request: HttpRequest, case_id: int, payload: StepIn) -> Any:
    case = selectors.exit_case_for_write(case_id)
    exits.exit_case_approve(user=request.user, case=case, on=payload.on, note=payload.note)
    return Status(201, _case_out(case, request))


@router.post("/exit-cases/{case_id}/withdrawal", response=ExitCaseOut)
def withdraw_exit(request: HttpRequest, case_id: int, payload: WithdrawalIn) -> Any:
    case = exits.exit_case_withdraw(
        user=request.user,
        case=selectors.exit_case_for_write(case_id),
        on=payload.on,
        reason=payload.reason,
    )
    return _case_out(case, request)


# --- independent verification -------------------------------------------------------------------


@router.post("/exit-samples", response={201: SampleOut})
def draw_sample(request: HttpRequest, payload: SampleIn) -> Any:
    country = Country.objects.filter(iso3=payload.country.upper()).first()
    if country is None:
        raise InvalidInput(
            _("No country with code %(code)s.") % {"code": payload.country}, field="country"
        )
    project = None
    if payload.project_id is not None:
        project = Project.objects.filter(id=payload.project_id).first()
        if project is None:
            raise InvalidInput(_("No such project."), field="project_id")
    scheme = None
    if payload.scheme_id is not None:
        scheme = PovertyScheme.objects.filter(id=payload.scheme_id).first()
        if scheme is None:
            raise InvalidInput(_("No such poverty scheme."), field="scheme_id")
    sample = verification.verification_sample_draw(
        user=request.user,
        frame=payload.frame,
        country=country,
        size=payload.size,
        on=payload.on,
        seed=payload.seed,
        project=project,
        survey_round=None if payload.survey_round_id is None else _round(payload.survey_round_id),
        scheme=scheme,
        stratify_by_village=payload.stratify_by_village,
        assessor=payload.assessor,
    )
    return Status(201, sample)


@router.get("/exit-samples/{sample_id}", response=SampleOut)
def get_sample(request: HttpRequest, sample_id: int) -> Any:
    return selectors.sample_get_for_user(user=request.user, sample_id=sample_id)


@router.post("/exit-samples/{sample_id}/findings", response={201: FindingOut})
def record_finding(request: HttpRequest, sample_id: int, payload: FindingIn) -> Any:
    finding = verification.verification_finding_record(
        user=request.user,
        sample=selectors.sample_for_write(sample_id),
        household=selectors.household_for_write(payload.household_id),
        on=payload.on,
        found_poor=payload.found_poor,
        satisfied=payload.satisfied,
        notes=payload.notes,
    )
    return Status(201, finding)


@router.get("/exit-samples/{sample_id}/rates", response=RatesOut)
def sample_rates(request: HttpRequest, sample_id: int) -> Any:
    sample = selectors.sample_get_for_user(user=request.user, sample_id=sample_id)
    rates = verification.verification_rates(sample=sample)
    return {
        "frame": rates.frame,
        "measure": "wrongful_exit" if rates.frame == SampleFrame.EXITED else "omission",
        "sampled": rates.sampled,
        "checked": rates.checked,
        "error": rates.error,
        "satisfaction": rates.satisfaction,
    }


# --- relapse --------------------------------------------------------------------------------------


@router.post("/relapse-scans", response=ScanOut)
def scan_relapse(request: HttpRequest, payload: ScanIn) -> Any:
    policy = ExitPolicy.objects.select_related("scheme").filter(id=payload.policy_id).first()
    if policy is None:
        raise InvalidInput(_("No exit policy with id %(id)s.") % {"id": payload.policy_id})
    return relapse.relapse_scan(
        user=request.user,
        survey_round=_round(payload.survey_round_id),
        policy=policy,
        on=payload.on,
    )


@router.get("/relapse-alerts", response=list[AlertOut])
def list_alerts(request: HttpRequest, filters: Query[AlertFilterIn]) -> Any:
    survey_round = None
    if filters.survey_round_id is not None:
        survey_round = SurveyRound.objects.filter(id=filters.survey_round_id).first()
        if survey_round is None:
            raise NotFound(_("No survey round with id %(id)s.") % {"id": filters.survey_round_id})
    return relapse.relapse_alert_list(
        user=request.user, status=filters.status, survey_round=survey_round
    )


@router.post("/relapse-alerts/{alert_id}/follow-ups", response={201: AlertOut})
def follow_up(request: HttpRequest, alert_id: int, payload: FollowUpIn) -> Any:
    alert = selectors.alert_for_write(alert_id)
    relapse.relapse_alert_follow_up(
        user=request.user,
        alert=alert,
        on=payload.on,
        action=payload.action,
        outcome=payload.outcome,
        close_as=payload.close_as,
    )
    return Status(201, relapse.relapse_alert_list(user=request.user).get(id=alert_id))
