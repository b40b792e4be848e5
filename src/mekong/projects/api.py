"""Portfolio endpoints; reads scoped like the pages, writes through projects.services."""

# No `from __future__ import annotations`: django-ninja reads these signatures at run time.

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from mekong.core.errors import InvalidInput, NotFound
from mekong.projects import selectors, services
from mekong.projects.models import (
    Asset,
    Component,
    ExchangeRate,
    Framework,
    Programme,
    ProgressUpdate,
    Project,
    ProjectStatus,
    RateType,
    Transaction,
    TransactionKind,
    WorkPlan,
)

router = Router(tags=["projects"])


class FrameworkOut(Schema):
    code: str
    name: str
    name_zh: str
    launched_on: date | None


class ProgrammeOut(Schema):
    id: int
    code: str
    title: str
    framework: str

    @staticmethod
    def resolve_framework(obj: Programme) -> str:
        return obj.framework.code


class ProjectOut(Schema):
    id: int
    code: str
    title: str
    title_zh: str
    programme: str
    framework: str
    countries: list[str]
    focus_areas: list[str]
    status: ProjectStatus
    currency: str
    start_date: date | None
    end_date: date | None
    is_synthetic: bool

    @staticmethod
    def resolve_programme(obj: Project) -> str:
        return obj.programme.code

    @staticmethod
    def resolve_framework(obj: Project) -> str:
        return obj.programme.framework.code

    @staticmethod
    def resolve_countries(obj: Project) -> list[str]:
        return [c.iso3 for c in obj.countries.all()]


class ProjectFilterIn(Schema):
    country: str | None = Field(None, min_length=3, max_length=3)
    framework: str | None = None
    status: ProjectStatus | None = None
    focus_area: str | None = None
    sector: str | None = Field(None, min_length=5, max_length=5)
    search: str | None = Field(None, max_length=100)


class TransitionIn(Schema):
    to_status: ProjectStatus
    occurred_on: date
    note: str = ""


class TransitionOut(Schema):
    from_status: ProjectStatus
    to_status: ProjectStatus
    occurred_on: date
    by: str | None
    note: str

    @staticmethod
    def resolve_by(obj: Any) -> str | None:
        return obj.by.get_username() if obj.by else None


class AssetOut(Schema):
    id: int
    asset_type: str
    description: str
    unit: str
    planned_quantity: Decimal
    actual_quantity: Decimal
    percent_complete: int
    procurement_mode: str
    surface: str
    village: str | None
    completed_on: date | None
    handed_over_on: date | None

    @staticmethod
    def resolve_village(obj: Asset) -> str | None:
        return obj.village.code if obj.village else None


class ActivityOut(Schema):
    id: int
    title: str
    assets: list[AssetOut]

    @staticmethod
    def resolve_assets(obj: Any) -> list[Asset]:
        return list(obj.assets.all())


class ComponentOut(Schema):
    id: int
    focus_area: str
    title: str
    activities: list[ActivityOut]

    @staticmethod
    def resolve_activities(obj: Component) -> list[Any]:
        return list(obj.activities.all())


class ProgressIn(Schema):
    reported_on: date
    percent_complete: int = Field(ge=0, le=100)
    actual_quantity: Decimal = Field(ge=0, max_digits=12, decimal_places=3)
    note: str = ""


class TransactionIn(Schema):
    kind: TransactionKind
    amount: Decimal = Field(gt=0, max_digits=18, decimal_places=2)
    currency: str = Field(min_length=3, max_length=3)
    value_date: date
    component_id: int | None = None
    commitment_id: int | None = None
    description: str = Field("", max_length=255)


class TransactionOut(Schema):
    id: int
    kind: TransactionKind
    amount: Decimal
    currency: str
    value_date: date
    component_id: int | None
    commitment_id: int | None
    description: str


class ConvertedAmount(Schema):
    currency: str
    amount: Decimal | None
    rate_used: str


class FinanceRowOut(Schema):
    transaction: TransactionOut
    converted: list[ConvertedAmount]


class BudgetActualOut(Schema):
    component: str
    year: int
    budget: Decimal
    spent: Decimal


class FinanceOut(Schema):
    rate_type: str
    project_currency: str
    currencies: list[str]
    transactions: list[FinanceRowOut]
    budget_vs_actual: list[BudgetActualOut]
    missing_rates: list[str]


class ExchangeRateIn(Schema):
    base: str = Field(min_length=3, max_length=3)
    quote: str = Field(min_length=3, max_length=3)
    rate_type: RateType
    date: date
    rate: Decimal = Field(gt=0, max_digits=20, decimal_places=8)
    source: str = Field("", max_length=255)


class RatePointIn(Schema):
    date: date
    rate: Decimal = Field(gt=0, max_digits=20, decimal_places=8)


class ExchangeRateSeriesIn(Schema):
    base: str = Field(min_length=3, max_length=3)
    quote: str = Field(min_length=3, max_length=3)
    rate_type: RateType
    source: str = Field("", max_length=255)
    # Twenty years of daily rates at most in one request.
    rates: list[RatePointIn] = Field(min_length=1, max_length=7500)


class ExchangeRateOut(Schema):
    base: str
    quote: str
    rate_type: RateType
    date: date
    rate: Decimal
    source: str


class WorkPlanIn(Schema):
    year: int = Field(ge=2000, le=2100)
    title: str = Field(min_length=1, max_length=255)
    content: str = ""


class ApprovalOut(Schema):
    side: str
    approved_by: str
    approved_at: Any
    note: str

    @staticmethod
    def resolve_approved_by(obj: Any) -> str:
        return str(obj.approved_by.get_username())


class WorkPlanOut(Schema):
    id: int
    year: int
    title: str
    binding: bool
    approvals: list[ApprovalOut]

    @staticmethod
    def resolve_binding(obj: WorkPlan) -> bool:
        return {a.side for a in obj.approvals.all()} == {"chinese", "partner"}

    @staticmethod
    def resolve_approvals(obj: WorkPlan) -> list[Any]:
        return list(obj.approvals.all())


class ApprovalIn(Schema):
    note: str = ""


class TeamMemberOut(Schema):
    name: str
    specialism: str
    is_leader: bool


class ExpertTeamOut(Schema):
    batch_number: int
    arrived_on: date
    left_on: date | None
    villages: list[str]
    members: list[TeamMemberOut]

    @staticmethod
    def resolve_villages(obj: Any) -> list[str]:
        return [v.code for v in obj.villages.all()]

    @staticmethod
    def resolve_members(obj: Any) -> list[Any]:
        return list(obj.members.all())


class VoteOptionOut(Schema):
    title: str
    votes: int
    rank: int
    component_id: int | None


class VotingRoundOut(Schema):
    village: str
    held_on: date
    participants: int
    options: list[VoteOptionOut]


def _project_for_write(project_id: int) -> Project:
    # Writes look the project up without scope so that out-of-scope answers 403, not 404.
    project = Project.objects.filter(id=project_id).first()
    if project is None:
        raise NotFound(_("No project with id %(id)s.") % {"id": project_id})
    return project


@router.get("/frameworks", response=list[FrameworkOut], summary="Cooperation frameworks")
def list_frameworks(request: HttpRequest) -> Any:
    return Framework.objects.order_by("code")


@router.get("/programmes", response=list[ProgrammeOut], summary="Programmes")
def list_programmes(request: HttpRequest) -> Any:
    return Programme.objects.select_related("framework").order_by("code")


@router.get("/projects", response=list[ProjectOut], summary="Projects in your scope")
@paginate(PageNumberPagination)
def list_projects(request: HttpRequest, filters: Query[ProjectFilterIn]) -> Any:
    return selectors.project_list(
        user=request.user, filters=selectors.ProjectFilters(**filters.dict())
    )


@router.get("/projects/{project_id}", response=ProjectOut)
def get_project(request: HttpRequest, project_id: int) -> Any:
    return selectors.project_get_for_user(user=request.user, project_id=project_id)


@router.get("/projects/{project_id}/transitions", response=list[TransitionOut])
def list_transitions(request: HttpRequest, project_id: int) -> Any:
    project = selectors.project_get_for_user(user=request.user, project_id=project_id)
    return list(project.transitions.select_related("by"))


@router.post(
    "/projects/{project_id}/transitions",
    response={201: TransitionOut},
    summary="Move the project to the next step of its cycle",
)
def create_transition(request: HttpRequest, project_id: int, payload: TransitionIn) -> Any:
    move = services.project_transition(
        user=request.user, project=_project_for_write(project_id), **payload.dict()
    )
    return Status(201, move)


@router.get("/projects/{project_id}/components", response=list[ComponentOut])
def list_components(request: HttpRequest, project_id: int) -> Any:
    project = selectors.project_get_for_user(user=request.user, project_id=project_id)
    return selectors.project_components(project)


@router.post(
    "/assets/{asset_id}/progress", response={201: AssetOut}, summary="Report progress on an asset"
)
def report_progress(request: HttpRequest, asset_id: int, payload: ProgressIn) -> Any:
    asset = Asset.objects.select_related("activity__component__project").filter(id=asset_id).first()
    if asset is None:
        raise NotFound(_("No asset with id %(id)s.") % {"id": asset_id})
    services.asset_progress_record(user=request.user, asset=asset, **payload.dict())
    asset.refresh_from_db()
    return Status(201, asset)


class ProgressUpdateOut(Schema):
    id: int
    reported_on: date
    percent_complete: int
    actual_quantity: Decimal
    note: str
    has_photo: bool

    @staticmethod
    def resolve_has_photo(obj: ProgressUpdate) -> bool:
        return bool(obj.photo)


@router.get("/assets/{asset_id}/progress", response=list[ProgressUpdateOut])
def list_progress(request: HttpRequest, asset_id: int) -> Any:
    asset = Asset.objects.select_related("activity__component").filter(id=asset_id).first()
    if asset is None:
        raise NotFound(_("No asset with id %(id)s.") % {"id": asset_id})
    # Visible only through a project the user may see.
    selectors.project_get_for_user(
        user=request.user, project_id=asset.activity.component.project_id
    )
    return list(asset.progress_updates.all())


@router.post(
    "/progress-updates/{update_id}/photo",
    response={201: ProgressUpdateOut},
    summary="Attach a photo (JPEG, PNG or WebP, at most 10 MB) to a progress update",
)
def attach_photo(request: HttpRequest, update_id: int, photo: File[UploadedFile]) -> Any:
    update = (
        ProgressUpdate.objects.select_related("asset__activity__component__project")
        .filter(id=update_id)
        .first()
    )
    if update is None:
        raise NotFound(_("No progress update with id %(id)s.") % {"id": update_id})
    services.progress_photo_attach(user=request.user, update=update, photo=photo)
    return Status(201, update)


@router.get(
    "/projects/{project_id}/finance",
    response=FinanceOut,
    summary="Transactions in three currencies and budget against spending",
)
def project_finance(
    request: HttpRequest, project_id: int, rates: Literal["official", "market"] = "official"
) -> Any:
    project = selectors.project_get_for_user(user=request.user, project_id=project_id)
    summary = selectors.project_finance(project, rate_type=rates)
    return {
        "rate_type": summary.rate_type,
        "project_currency": project.currency,
        "currencies": summary.currencies,
        "transactions": [
            {
                "transaction": row.transaction,
                "converted": [
                    {
                        "currency": c,
                        "amount": row.converted.amounts[c],
                        "rate_used": row.converted.notes[c],
                    }
                    for c in summary.currencies
                ],
            }
            for row in summary.rows
        ],
        "budget_vs_actual": [
            {"component": component, "year": year, **values}
            for (component, year), values in summary.budget_vs_actual.items()
        ],
        "missing_rates": summary.missing_rates,
    }


@router.post(
    "/projects/{project_id}/transactions",
    response={201: TransactionOut},
    summary="Record a commitment, disbursement or expenditure",
)
def create_transaction(request: HttpRequest, project_id: int, payload: TransactionIn) -> Any:
    project = _project_for_write(project_id)
    data = payload.dict()
    component = None
    if data["component_id"] is not None:
        component = Component.objects.filter(id=data["component_id"], project=project).first()
        if component is None:
            raise InvalidInput(
                _("component_id: no such component in this project."), field="component_id"
            )
    commitment = None
    if data["commitment_id"] is not None:
        commitment = Transaction.objects.filter(id=data["commitment_id"]).first()
        if commitment is None:
            raise InvalidInput(_("commitment_id: no such transaction."), field="commitment_id")
    record = services.transaction_record(
        user=request.user,
        project=project,
        kind=data["kind"],
        amount=data["amount"],
        currency=data["currency"],
        value_date=data["value_date"],
        component=component,
        commitment=commitment,
        description=data["description"],
    )
    return Status(201, record)


@router.get("/exchange-rates", response=list[ExchangeRateOut], summary="Dated exchange rates")
@paginate(PageNumberPagination)
def list_rates(request: HttpRequest, base: str | None = None, quote: str | None = None) -> Any:
    rates = ExchangeRate.objects.all()
    if base:
        rates = rates.filter(base=base.upper())
    if quote:
        rates = rates.filter(quote=quote.upper())
    return rates


@router.post("/exchange-rates", response={201: ExchangeRateOut}, summary="Record a rate")
def create_rate(request: HttpRequest, payload: ExchangeRateIn) -> Any:
    data = payload.dict()
    rate = services.exchange_rate_record(
        user=request.user,
        base=data["base"],
        quote=data["quote"],
        rate_type=data["rate_type"],
        on=data["date"],
        rate=data["rate"],
        source=data["source"],
    )
    return Status(201, rate)


@router.post(
    "/exchange-rates/series",
    response={201: list[ExchangeRateOut]},
    summary="Record a dated series of rates of one pair at once",
    description="All or nothing: a date given twice or already recorded refuses the whole "
    "series and names the date.",
)
def create_rate_series(request: HttpRequest, payload: ExchangeRateSeriesIn) -> Any:
    data = payload.dict()
    rates = services.exchange_rate_series_record(
        user=request.user,
        base=data["base"],
        quote=data["quote"],
        rate_type=data["rate_type"],
        rates=[(point["date"], point["rate"]) for point in data["rates"]],
        source=data["source"],
    )
    return Status(201, rates)


@router.get("/projects/{project_id}/work-plans", response=list[WorkPlanOut])
def list_work_plans(request: HttpRequest, project_id: int) -> Any:
    project = selectors.project_get_for_user(user=request.user, project_id=project_id)
    return selectors.project_work_plans(project)


@router.post("/projects/{project_id}/work-plans", response={201: WorkPlanOut})
def create_work_plan(request: HttpRequest, project_id: int, payload: WorkPlanIn) -> Any:
    plan = services.work_plan_create(
        user=request.user, project=_project_for_write(project_id), **payload.dict()
    )
    return Status(201, plan)


@router.post(
    "/work-plans/{plan_id}/approvals",
    response={201: ApprovalOut},
    summary="Approve a work plan for your side",
)
def approve_work_plan(request: HttpRequest, plan_id: int, payload: ApprovalIn) -> Any:
    plan = WorkPlan.objects.select_related("project").filter(id=plan_id).first()
    if plan is None:
        raise NotFound(_("No work plan with id %(id)s.") % {"id": plan_id})
    approval = services.work_plan_approve(user=request.user, work_plan=plan, note=payload.note)
    return Status(201, approval)


@router.get("/projects/{project_id}/expert-teams", response=list[ExpertTeamOut])
def list_expert_teams(request: HttpRequest, project_id: int) -> Any:
    project = selectors.project_get_for_user(user=request.user, project_id=project_id)
    return list(project.expert_teams.prefetch_related("members", "villages"))


@router.get(
    "/projects/{project_id}/votes",
    response=list[VotingRoundOut],
    summary="Village votes (voting with beans) and their ranking",
)
def list_votes(request: HttpRequest, project_id: int) -> Any:
    project = selectors.project_get_for_user(user=request.user, project_id=project_id)
    rounds = []
    for voting_round in project.voting_rounds.select_related("village").prefetch_related("options"):
        options = sorted(voting_round.options.all(), key=lambda o: (-o.votes, o.title))
        rounds.append(
            {
                "village": voting_round.village.code,
                "held_on": voting_round.held_on,
                "participants": voting_round.participants,
                "options": [
                    {
                        "title": o.title,
                        "votes": o.votes,
                        "rank": rank,
                        "component_id": o.component_id,
                    }
                    for rank, o in enumerate(options, start=1)
                ],
            }
        )
    return rounds
