"""Results endpoints under /api/results/: reads scoped like the pages, writes through
results.services. Reading outside one's scope answers 404, writing outside it 403."""

# No `from __future__ import annotations`: django-ninja reads these signatures at run time.

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from mekong.core.errors import InvalidInput, NotFound
from mekong.projects.models import Programme, Project
from mekong.results import selectors, services
from mekong.results.models import (
    Evidence,
    Indicator,
    IndicatorValue,
    Narrative,
    ReportingPeriod,
    ResultNode,
    ResultsFramework,
    Target,
)

router = Router(tags=["results"])

# A row id in a query string: bounded so an absurd number is a 422 naming the parameter, not
# an OverflowError from SQLite (whose integers are 64-bit) inside a foreign-key filter.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class FrameworkOut(Schema):
    id: int
    title: str
    translations: dict[str, Any]
    description: str
    owner: str
    owner_kind: str

    @staticmethod
    def resolve_owner(obj: ResultsFramework) -> str:
        return obj.owner_code

    @staticmethod
    def resolve_owner_kind(obj: ResultsFramework) -> str:
        return "project" if obj.project_id else "programme"


class PeriodOut(Schema):
    id: int
    code: str
    starts_on: date
    ends_on: date
    locked_at: datetime | None


class TargetOut(Schema):
    indicator: int
    period: str
    value: Decimal
    note: str

    @staticmethod
    def resolve_indicator(obj: Target) -> int:
        return obj.indicator_id

    @staticmethod
    def resolve_period(obj: Target) -> str:
        return obj.period.code


class IndicatorOut(Schema):
    id: int
    code: str
    name: str
    translations: dict[str, Any]
    definition: str
    result: str
    unit: str
    currency: str
    decimals: int
    direction: str
    frequency: str
    kind: str
    computation: dict[str, Any]
    contributes_to: int | None
    aggregation: str
    data_source: str
    disaggregations: list[str]
    baseline_value: Decimal | None
    baseline_date: date | None
    sdg_indicator: str
    sdmx_series: str
    dhis2_data_element: str

    @staticmethod
    def resolve_result(obj: Indicator) -> str:
        return obj.result.code

    @staticmethod
    def resolve_contributes_to(obj: Indicator) -> int | None:
        return obj.contributes_to_id


class ValueOut(Schema):
    id: int
    indicator: str
    period: str
    disaggregation: dict[str, str]
    value: Decimal | None
    unavailable_reason: str
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    source: str
    status: str
    note: str
    rejection_reason: str
    submitted_at: datetime | None
    verified_at: datetime | None
    approved_at: datetime | None
    computed_at: datetime | None
    evidence: list[int]

    @staticmethod
    def resolve_indicator(obj: IndicatorValue) -> str:
        return obj.indicator.code

    @staticmethod
    def resolve_period(obj: IndicatorValue) -> str:
        return obj.period.code

    @staticmethod
    def resolve_evidence(obj: IndicatorValue) -> list[int]:
        return [e.id for e in obj.evidence.all()]


class ResultNodeOut(Schema):
    id: int
    level: str
    code: str
    statement: str
    parent: int | None

    @staticmethod
    def resolve_parent(obj: ResultNode) -> int | None:
        return obj.parent_id


class NodeOut(Schema):
    id: int
    level: str
    code: str
    statement: str
    translations: dict[str, Any]
    indicators: list[IndicatorOut]
    children: list["NodeOut"]


class TreeOut(Schema):
    framework: FrameworkOut
    period: PeriodOut | None
    results: list[NodeOut]
    targets: list[TargetOut]
    values: list[ValueOut]


class EvidenceOut(Schema):
    id: int
    value: int
    description: str
    content_type: str
    size: int
    uploaded_at: datetime

    @staticmethod
    def resolve_value(obj: Evidence) -> int:
        return obj.value_id


class ValueIn(Schema):
    indicator: int
    period: int
    value: Decimal
    disaggregation: dict[str, str] = {}
    note: str = ""


class ValueChangeIn(Schema):
    value: Decimal | None = None
    note: str | None = None


class StepIn(Schema):
    note: str = ""


class RejectIn(Schema):
    reason: str


class FrameworkIn(Schema):
    title: str
    programme: str | None = None
    project: str | None = None
    description: str = ""
    translations: dict[str, str] = {}


class ResultIn(Schema):
    level: str
    code: str
    statement: str
    parent: int | None = None
    order: int = 0
    translations: dict[str, str] = {}


class IndicatorIn(Schema):
    result: int
    code: str
    name: str
    unit: str
    kind: str
    translations: dict[str, str] = {}
    definition: str = ""
    currency: str = ""
    decimals: int = 1
    direction: str = "increase"
    frequency: str = "annual"
    computation: dict[str, Any] = {}
    contributes_to: int | None = None
    aggregation: str = ""
    data_source: str = ""
    disaggregations: list[str] = []
    baseline_value: Decimal | None = None
    baseline_date: date | None = None
    sdg_indicator: str = ""
    sdmx_series: str = ""
    dhis2_data_element: str = ""
    order: int = 0


class IndicatorChangeIn(Schema):
    name: str | None = None
    translations: dict[str, str] | None = None
    definition: str | None = None
    decimals: int | None = None
    direction: str | None = None
    frequency: str | None = None
    computation: dict[str, Any] | None = None
    aggregation: str | None = None
    data_source: str | None = None
    disaggregations: list[str] | None = None
    baseline_value: Decimal | None = None
    baseline_date: date | None = None
    sdg_indicator: str | None = None
    sdmx_series: str | None = None
    dhis2_data_element: str | None = None
    order: int | None = None


class NarrativeOut(Schema):
    period: str
    section: str
    language: str
    text: str
    updated_at: datetime

    @staticmethod
    def resolve_period(obj: Narrative) -> str:
        return obj.period.code


class NarrativeIn(Schema):
    period: int
    section: str
    language: str
    text: str


class PeriodIn(Schema):
    code: str
    starts_on: date
    ends_on: date


class UnlockIn(Schema):
    reason: str


class TargetIn(Schema):
    indicator: int
    period: int
    value: Decimal
    note: str = ""


class ValueFilterIn(Schema):
    period: RowId | None = None
    indicator: RowId | None = None
    disaggregation: str | None = None
    totals_only: bool = False


def _node_dict(row: selectors.NodeRow) -> dict[str, Any]:
    return {
        "id": row.node.id,
        "level": row.node.level,
        "code": row.node.code,
        "statement": row.node.statement,
        "translations": row.node.translations,
        "indicators": [item.indicator for item in row.indicators],
        "children": [_node_dict(child) for child in row.children],
    }


def _framework_for_write(framework_id: int) -> ResultsFramework:
    # Writes look the framework up without scope so that out-of-scope answers 403, not 404.
    framework = (
        ResultsFramework.objects.select_related("project", "programme")
        .filter(id=framework_id)
        .first()
    )
    if framework is None:
        raise NotFound(_("No results framework %(id)s.") % {"id": framework_id})
    return framework


def _value_for_write(value_id: int) -> IndicatorValue:
    value = (
        IndicatorValue.objects.select_related(
            "indicator__framework__project", "indicator__framework__programme", "period"
        )
        .filter(id=value_id)
        .first()
    )
    if value is None:
        raise NotFound(_("No indicator value %(id)s.") % {"id": value_id})
    return value


def _period_of(framework: ResultsFramework, period_id: int) -> ReportingPeriod:
    period = framework.periods.filter(id=period_id).first()
    if period is None:
        raise InvalidInput(
            _("period: no period %(id)s in this framework.") % {"id": period_id}, field="period"
        )
    return period


def _parse_cell(text: str) -> dict[str, str]:
    """``sex=F`` (the canonical key) or a JSON object; ``""`` is the total."""
    text = text.strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            cell = json.loads(text)
        except ValueError as exc:
            raise InvalidInput(
                _("disaggregation: not valid JSON."), field="disaggregation"
            ) from exc
        if not isinstance(cell, dict):
            raise InvalidInput(_("disaggregation: an object."), field="disaggregation")
        return {str(k): str(v) for k, v in cell.items()}
    cell = {}
    for part in text.split("|"):
        name, sep, category = part.partition("=")
        if not sep:
            raise InvalidInput(
                _("disaggregation: write it as dimension=category, e.g. sex=F."),
                field="disaggregation",
            )
        cell[name] = category
    return cell


@router.get("/frameworks", response=list[FrameworkOut], summary="Results frameworks you see")
def list_frameworks(request: HttpRequest) -> Any:
    return list(selectors.framework_list(user=request.user))


@router.get(
    "/frameworks/{framework_id}",
    response=TreeOut,
    summary="A framework's results tree with targets and values for one period",
)
def get_framework(request: HttpRequest, framework_id: int, period: RowId | None = None) -> Any:
    framework = selectors.framework_get(user=request.user, framework_id=framework_id)
    chosen = selectors.period_for(framework, period)
    tree = selectors.framework_tree(framework, chosen)
    rows = [item for node in selectors.flatten(tree) for item in node.indicators]
    return {
        "framework": framework,
        "period": chosen,
        "results": [_node_dict(node) for node in tree],
        "targets": [row.target for row in rows if row.target is not None],
        "values": list(
            selectors.value_list(
                user=request.user, framework=framework, period_id=chosen.id if chosen else None
            )
        )
        if chosen
        else [],
    }


@router.post(
    "/frameworks",
    response={201: FrameworkOut},
    summary="Create the results framework of a programme or of a project (by code)",
)
def create_framework(request: HttpRequest, payload: FrameworkIn) -> Any:
    programme = project = None
    if payload.programme:
        programme = Programme.objects.filter(code=payload.programme).first()
        if programme is None:
            raise InvalidInput(
                _("programme: no programme %(code)s.") % {"code": payload.programme},
                field="programme",
            )
    if payload.project:
        project = Project.objects.filter(code=payload.project).first()
        if project is None:
            raise InvalidInput(
                _("project: no project %(code)s.") % {"code": payload.project}, field="project"
            )
    framework = services.framework_create(
        user=request.user,
        title=payload.title,
        programme=programme,
        project=project,
        description=payload.description,
        translations=payload.translations,
    )
    return Status(201, framework)


@router.post("/frameworks/{framework_id}/results", response={201: ResultNodeOut})
def create_result(request: HttpRequest, framework_id: int, payload: ResultIn) -> Any:
    framework = _framework_for_write(framework_id)
    parent = None
    if payload.parent is not None:
        parent = framework.nodes.filter(id=payload.parent).first()
        if parent is None:
            raise InvalidInput(
                _("parent: no result %(id)s in this framework.") % {"id": payload.parent},
                field="parent",
            )
    node = services.node_create(
        user=request.user,
        framework=framework,
        level=payload.level,
        code=payload.code,
        statement=payload.statement,
        parent=parent,
        order=payload.order,
        translations=payload.translations,
    )
    return Status(201, node)


@router.post("/frameworks/{framework_id}/indicators", response={201: IndicatorOut})
def create_indicator(request: HttpRequest, framework_id: int, payload: IndicatorIn) -> Any:
    framework = _framework_for_write(framework_id)
    fields = payload.dict()
    result = framework.nodes.filter(id=fields.pop("result")).first()
    if result is None:
        raise InvalidInput(
            _("result: no result %(id)s in this framework.") % {"id": payload.result},
            field="result",
        )
    fields["contributes_to"] = _contribution(fields.pop("contributes_to"))
    indicator = services.indicator_create(user=request.user, result=result, **fields)
    return Status(201, indicator)


def _contribution(indicator_id: int | None) -> Indicator | None:
    if indicator_id is None:
        return None
    found = Indicator.objects.select_related("framework").filter(id=indicator_id).first()
    if found is None:
        raise InvalidInput(
            _("contributes_to: no indicator %(id)s.") % {"id": indicator_id},
            field="contributes_to",
        )
    return found


@router.patch("/indicators/{indicator_id}", response=IndicatorOut)
def update_indicator(request: HttpRequest, indicator_id: int, payload: IndicatorChangeIn) -> Any:
    indicator = (
        Indicator.objects.select_related("framework__project", "framework__programme")
        .filter(id=indicator_id)
        .first()
    )
    if indicator is None:
        raise NotFound(_("No indicator %(id)s.") % {"id": indicator_id})
    return services.indicator_update(
        user=request.user, indicator=indicator, changes=payload.dict(exclude_unset=True)
    )


@router.get("/frameworks/{framework_id}/narratives", response=list[NarrativeOut])
def list_narratives(request: HttpRequest, framework_id: int, period: RowId | None = None) -> Any:
    framework = selectors.framework_get(user=request.user, framework_id=framework_id)
    narratives = framework.narratives.select_related("period").order_by(
        "period__starts_on", "section", "language"
    )
    if period is not None:
        narratives = narratives.filter(period_id=period)
    return list(narratives)


@router.put(
    "/frameworks/{framework_id}/narratives",
    response=NarrativeOut,
    summary="Write one section of a period's narrative in one language",
)
def write_narrative(request: HttpRequest, framework_id: int, payload: NarrativeIn) -> Any:
    framework = _framework_for_write(framework_id)
    return services.narrative_write(
        user=request.user,
        framework=framework,
        period=_period_of(framework, payload.period),
        section=payload.section,
        language=payload.language,
        text=payload.text,
    )


@router.get("/frameworks/{framework_id}/indicators", response=list[IndicatorOut])
def list_indicators(request: HttpRequest, framework_id: int) -> Any:
    framework = selectors.framework_get(user=request.user, framework_id=framework_id)
    return list(selectors.indicator_list(user=request.user, framework=framework))


@router.get("/indicators/{indicator_id}", response=IndicatorOut)
def get_indicator(request: HttpRequest, indicator_id: int) -> Any:
    return selectors.indicator_get(user=request.user, indicator_id=indicator_id)


@router.get("/frameworks/{framework_id}/periods", response=list[PeriodOut])
def list_periods(request: HttpRequest, framework_id: int) -> Any:
    framework = selectors.framework_get(user=request.user, framework_id=framework_id)
    return list(framework.periods.order_by("starts_on"))


@router.post("/frameworks/{framework_id}/periods", response={201: PeriodOut})
def create_period(request: HttpRequest, framework_id: int, payload: PeriodIn) -> Any:
    period = services.period_create(
        user=request.user, framework=_framework_for_write(framework_id), **payload.dict()
    )
    return Status(201, period)


@router.post(
    "/frameworks/{framework_id}/periods/{period_id}/lock",
    response=PeriodOut,
    summary="Lock a period: no value, target or narrative in it changes any more",
)
def lock_period(request: HttpRequest, framework_id: int, period_id: int) -> Any:
    framework = _framework_for_write(framework_id)
    return services.period_lock(user=request.user, period=_period_of(framework, period_id))


@router.post(
    "/frameworks/{framework_id}/periods/{period_id}/unlock",
    response=PeriodOut,
    summary="Reopen a locked period (administrators, with a reason)",
)
def unlock_period(
    request: HttpRequest, framework_id: int, period_id: int, payload: UnlockIn
) -> Any:
    framework = _framework_for_write(framework_id)
    return services.period_unlock(
        user=request.user, period=_period_of(framework, period_id), reason=payload.reason
    )


@router.get("/frameworks/{framework_id}/targets", response=list[TargetOut])
def list_targets(request: HttpRequest, framework_id: int) -> Any:
    framework = selectors.framework_get(user=request.user, framework_id=framework_id)
    return list(Target.objects.filter(indicator__framework=framework).select_related("period"))


@router.post("/frameworks/{framework_id}/targets", response={201: TargetOut})
def set_target(request: HttpRequest, framework_id: int, payload: TargetIn) -> Any:
    framework = _framework_for_write(framework_id)
    indicator = framework.indicators.filter(id=payload.indicator).first()
    if indicator is None:
        raise InvalidInput(
            _("indicator: no indicator %(id)s in this framework.") % {"id": payload.indicator},
            field="indicator",
        )
    target = services.target_set(
        user=request.user,
        indicator=indicator,
        period=_period_of(framework, payload.period),
        value=payload.value,
        note=payload.note,
    )
    return Status(201, target)


@router.get(
    "/frameworks/{framework_id}/values",
    response=list[ValueOut],
    summary="Values, filtered by period, indicator or disaggregation cell (e.g. sex=F)",
)
def list_values(request: HttpRequest, framework_id: int, filters: Query[ValueFilterIn]) -> Any:
    framework = selectors.framework_get(user=request.user, framework_id=framework_id)
    return list(
        selectors.value_list(
            user=request.user,
            framework=framework,
            period_id=filters.period,
            indicator_id=filters.indicator,
            disaggregation=_parse_cell(filters.disaggregation)
            if filters.disaggregation is not None
            else None,
            totals_only=filters.totals_only,
        )
    )


@router.post(
    "/frameworks/{framework_id}/values",
    response={201: ValueOut},
    summary="Enter a reported value (a draft) for one cell; a cell that has one answers 409",
)
def create_value(request: HttpRequest, framework_id: int, payload: ValueIn) -> Any:
    framework = _framework_for_write(framework_id)
    indicator = framework.indicators.filter(id=payload.indicator).first()
    if indicator is None:
        raise InvalidInput(
            _("indicator: no indicator %(id)s in this framework.") % {"id": payload.indicator},
            field="indicator",
        )
    value = services.value_create(
        user=request.user,
        indicator=indicator,
        period=_period_of(framework, payload.period),
        value=payload.value,
        disaggregation=payload.disaggregation,
        note=payload.note,
    )
    return Status(201, value)


@router.get("/values/waiting", response=list[ValueOut], summary="Values waiting for your step")
def waiting_values(request: HttpRequest) -> Any:
    values = [item.value for item in selectors.values_waiting_for(user=request.user)]
    # ValueOut lists each value's evidence: one query for all, not one per value.
    prefetch_related_objects(values, Prefetch("evidence", queryset=Evidence.objects.order_by("id")))
    return values


@router.get("/values/{value_id}", response=ValueOut)
def get_value(request: HttpRequest, value_id: int) -> Any:
    return selectors.value_get(user=request.user, value_id=value_id)


@router.patch("/values/{value_id}", response=ValueOut, summary="Correct a draft or returned value")
def update_value(request: HttpRequest, value_id: int, payload: ValueChangeIn) -> Any:
    changes = payload.dict(exclude_unset=True)
    return services.value_update(
        user=request.user, value=_value_for_write(value_id), changes=changes
    )


@router.post("/values/{value_id}/submit", response=ValueOut)
def submit_value(request: HttpRequest, value_id: int) -> Any:
    return services.value_submit(user=request.user, value=_value_for_write(value_id))


@router.post("/values/{value_id}/verify", response=ValueOut, summary="Step 1 of the approval")
def verify_value(request: HttpRequest, value_id: int, payload: StepIn) -> Any:
    return services.value_verify(
        user=request.user, value=_value_for_write(value_id), note=payload.note
    )


@router.post("/values/{value_id}/approve", response=ValueOut, summary="Step 2 of the approval")
def approve_value(request: HttpRequest, value_id: int, payload: StepIn) -> Any:
    return services.value_approve(
        user=request.user, value=_value_for_write(value_id), note=payload.note
    )


@router.post(
    "/values/{value_id}/reject", response=ValueOut, summary="Return a value for correction"
)
def reject_value(request: HttpRequest, value_id: int, payload: RejectIn) -> Any:
    return services.value_reject(
        user=request.user, value=_value_for_write(value_id), reason=payload.reason
    )


@router.post(
    "/values/{value_id}/evidence",
    response={201: EvidenceOut},
    summary="Attach evidence (PDF, JPEG, PNG, XLSX, DOCX or CSV; at most 20 MB)",
)
def attach_evidence(
    request: HttpRequest,
    value_id: int,
    file: File[UploadedFile],
    description: Form[str] = "",
) -> Any:
    evidence = services.evidence_attach(
        user=request.user, value=_value_for_write(value_id), upload=file, description=description
    )
    return Status(201, evidence)
