"""Reads of results frameworks, always through results.access (the user's scope).

Nothing here carries household data: values are aggregates, and evidence files are served
only through a scope-checked view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from mekong.core.errors import DomainError, NotFound
from mekong.results import services
from mekong.results.access import framework_for, frameworks_visible_to
from mekong.results.models import (
    Evidence,
    Indicator,
    IndicatorValue,
    ReportingPeriod,
    ResultNode,
    ResultsFramework,
    Target,
    ValueStatus,
    disaggregation_key,
)


def framework_list(*, user: object) -> QuerySet[ResultsFramework]:
    return frameworks_visible_to(user).order_by("title")


def framework_get(*, user: object, framework_id: int) -> ResultsFramework:
    return framework_for(user, framework_id)


@dataclass
class IndicatorRow:
    indicator: Indicator
    target: Target | None
    value: IndicatorValue | None
    cells: list[IndicatorValue] = field(default_factory=list)


@dataclass
class NodeRow:
    node: ResultNode
    depth: int
    indicators: list[IndicatorRow]
    children: list[NodeRow] = field(default_factory=list)


def framework_tree(framework: ResultsFramework, period: ReportingPeriod | None) -> list[NodeRow]:
    """Goals with their outcomes, outputs and activities, each with its indicators, their
    target and values in ``period`` (the total as ``value``, the cells as ``cells``)."""
    nodes = list(framework.nodes.order_by("order", "code"))
    indicators = list(
        framework.indicators.select_related("result", "contributes_to", "responsible").order_by(
            "order", "code"
        )
    )
    targets: dict[int, Target] = {}
    values: dict[int, list[IndicatorValue]] = {}
    if period is not None:
        for target in Target.objects.filter(period=period, indicator__framework=framework):
            targets[target.indicator_id] = target
        for value in IndicatorValue.objects.filter(
            period=period, indicator__framework=framework
        ).order_by("disaggregation_key"):
            values.setdefault(value.indicator_id, []).append(value)
    by_node: dict[int, list[IndicatorRow]] = {}
    for indicator in indicators:
        rows = values.get(indicator.id, [])
        total = next((v for v in rows if not v.disaggregation_key), None)
        by_node.setdefault(indicator.result_id, []).append(
            IndicatorRow(
                indicator=indicator,
                target=targets.get(indicator.id),
                value=total,
                cells=[v for v in rows if v.disaggregation_key],
            )
        )
    children: dict[int | None, list[ResultNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def build(node: ResultNode, depth: int) -> NodeRow:
        return NodeRow(
            node=node,
            depth=depth,
            indicators=by_node.get(node.id, []),
            children=[build(child, depth + 1) for child in children.get(node.id, [])],
        )

    return [build(root, 0) for root in children.get(None, [])]


def flatten(tree: list[NodeRow]) -> list[NodeRow]:
    """The tree in reading order (each node followed by its descendants)."""
    out: list[NodeRow] = []
    for row in tree:
        out.append(row)
        out.extend(flatten(row.children))
    return out


def period_for(framework: ResultsFramework, period_id: int | str | None) -> ReportingPeriod | None:
    """The chosen period of the framework, or its latest one that has started."""
    periods = framework.periods.all()
    if period_id not in (None, ""):
        found = periods.filter(id=int(period_id)).first() if str(period_id).isdecimal() else None
        if found is None:
            raise NotFound(_("No reporting period %(id)s in this framework.") % {"id": period_id})
        return found
    from django.utils import timezone

    started = periods.filter(starts_on__lte=timezone.localdate()).order_by("-starts_on").first()
    return started or periods.order_by("starts_on").first()


def indicator_get(*, user: object, indicator_id: int) -> Indicator:
    indicator = (
        Indicator.objects.select_related(
            "framework", "framework__project", "framework__programme", "result", "contributes_to"
        )
        .filter(id=indicator_id, framework__in=frameworks_visible_to(user))
        .first()
    )
    if indicator is None:
        raise NotFound(_("No indicator %(id)s.") % {"id": indicator_id})
    return indicator


def indicator_list(*, user: object, framework: ResultsFramework) -> QuerySet[Indicator]:
    framework_for(user, framework.id)
    return framework.indicators.select_related("result", "contributes_to").order_by("order", "code")


def value_get(*, user: object, value_id: int) -> IndicatorValue:
    value = (
        IndicatorValue.objects.select_related(
            "indicator__framework__project",
            "indicator__framework__programme",
            "period",
            "entered_by",
            "verified_by",
            "approved_by",
        )
        .filter(id=value_id, indicator__framework__in=frameworks_visible_to(user))
        .first()
    )
    if value is None:
        raise NotFound(_("No indicator value %(id)s.") % {"id": value_id})
    return value


def value_list(
    *,
    user: object,
    framework: ResultsFramework,
    period_id: int | None = None,
    indicator_id: int | None = None,
    disaggregation: dict[str, str] | None = None,
    totals_only: bool = False,
) -> QuerySet[IndicatorValue]:
    framework_for(user, framework.id)
    values = (
        IndicatorValue.objects.filter(indicator__framework=framework)
        .select_related("indicator", "period")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("id")))
        .order_by("indicator__order", "indicator__code", "period__starts_on", "disaggregation_key")
    )
    if period_id is not None:
        values = values.filter(period_id=period_id)
    if indicator_id is not None:
        values = values.filter(indicator_id=indicator_id)
    if disaggregation is not None:
        values = values.filter(disaggregation_key=disaggregation_key(disaggregation))
    elif totals_only:
        values = values.filter(disaggregation_key="")
    return values


def evidence_get(*, user: object, evidence_id: int) -> Evidence:
    evidence = (
        Evidence.objects.select_related("value__indicator")
        .filter(id=evidence_id, value__indicator__framework__in=frameworks_visible_to(user))
        .first()
    )
    if evidence is None:
        raise NotFound(_("No evidence file %(id)s.") % {"id": evidence_id})
    return evidence


@dataclass
class WaitingValue:
    value: IndicatorValue
    step: str  # "verify", "approve" or "correct"


def _allowed(check: Any, user: object, row: IndicatorValue) -> bool:
    try:
        check(user, row)
    except DomainError:
        return False
    return True


def values_waiting_for(*, user: object) -> list[WaitingValue]:
    """Values whose next step is the user's: to verify, to approve, or (their own, returned)
    to correct and submit again."""
    member_id = getattr(user, "id", None)
    candidates = (
        IndicatorValue.objects.filter(
            indicator__framework__in=frameworks_visible_to(user), period__locked_at__isnull=True
        )
        .filter(
            Q(status__in=[ValueStatus.SUBMITTED, ValueStatus.VERIFIED])
            | Q(status=ValueStatus.REJECTED, entered_by_id=member_id)
        )
        .select_related(
            "indicator__framework__project",
            "indicator__framework__programme",
            "period",
            "entered_by",
            "verified_by",
        )
        .order_by("submitted_at", "id")
    )
    waiting = []
    # The answer depends only on the framework and on who took the earlier steps, so each
    # combination is asked once (scope checks query the framework's countries).
    decided: dict[tuple[int, str, int | None, int | None], bool] = {}
    for row in candidates:
        if row.status == ValueStatus.REJECTED:
            waiting.append(WaitingValue(row, "correct"))
            continue
        step = "verify" if row.status == ValueStatus.SUBMITTED else "approve"
        key = (row.indicator.framework_id, step, row.entered_by_id, row.verified_by_id)
        if key not in decided:
            check = (
                services._require_can_verify if step == "verify" else services._require_can_approve
            )
            decided[key] = _allowed(check, user, row)
        if decided[key]:
            waiting.append(WaitingValue(row, step))
    return waiting


def next_steps_for(user: object, row: IndicatorValue) -> set[str]:
    """What the user may do to the value now: edit, submit, verify, approve, reject."""
    if row.period.is_locked or row.source != "reported":
        return set()
    steps: set[str] = set()
    if row.status in services.EDITABLE and _allowed(
        lambda u, r: services._require_can_enter(u, r.indicator), user, row
    ):
        steps |= {"edit", "submit", "evidence"}
    if row.status == ValueStatus.SUBMITTED:
        if _allowed(lambda u, r: services._require_can_enter(u, r.indicator), user, row):
            steps.add("evidence")
        if _allowed(services._require_can_verify, user, row):
            steps |= {"verify", "reject"}
    if row.status == ValueStatus.VERIFIED and _allowed(services._require_can_approve, user, row):
        steps |= {"approve", "reject"}
    return steps
