"""Writes to results frameworks: one function per use case, transactional, scope-checked.

Rules enforced here:

- A result sits exactly one level under its parent (outcome under goal, output under
  outcome, activity under output) in the same framework; a goal has no parent.
- A computed indicator has a valid ``computation``; reported and roll-up ones have none.
  Roll-ups live only in programme frameworks and say how they aggregate. A project indicator
  contributes only to a roll-up indicator of its own programme's framework, in the same unit.
- Reported values move draft → submitted → verified (step 1) → approved (step 2), each step
  by a different person; a rejection at either step returns the value for correction.
  Computed and rolled-up values are never entered by hand.
- A disaggregation cell is ``{}`` (the total) or exactly **one** dimension of the
  indicator, e.g. ``{"sex": "F"}``. Cross-tabulated cells (``sex`` × ``village``) are
  refused: reporting forms (attendance sheets, engineers' sign-offs) give one-way
  breakdowns, and each dimension's cells must add up to the total on their own.
- For additive units (persons, households, km …) a total is approved only when, for every
  dimension the indicator requires, its cells are all given and add up to the total.
- Nothing changes in a locked period; only an administrator unlocks one, with a reason that
  the period's history keeps.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from mekong.core.changes import apply_changes, full_clean_or_raise, save_new
from mekong.core.errors import Conflict, InvalidInput, PermissionDenied
from mekong.partners.access import acting_user, role_of
from mekong.partners.models import Role
from mekong.projects.access import APPROVERS, side_of
from mekong.projects.access import in_scope as project_in_scope
from mekong.projects.models import Programme, Project
from mekong.projects.money import validate_currency
from mekong.results.access import covers_whole_scope, require_can_edit_framework
from mekong.results.computations import parse_computation
from mekong.results.models import (
    LEVEL_ORDER,
    SEX_CATEGORIES,
    VALUE_PLACES,
    Aggregation,
    Dimension,
    Evidence,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    Level,
    Narrative,
    NarrativeSection,
    ReportingPeriod,
    ResultNode,
    ResultsFramework,
    Target,
    Unit,
    ValueSource,
    ValueStatus,
    disaggregation_key,
)

# Roles that enter and submit reported values (the people who hold the attendance sheets and
# sign-offs); they may do so only for frameworks wholly inside their scope.
VALUE_ENTERERS = frozenset(
    {
        Role.ADMINISTRATOR,
        Role.PROGRAMME_OFFICER,
        Role.JOINT_OFFICE,
        Role.ME_OFFICER,
        Role.COUNTERPART,
    }
)
# Step 1 of the approval: checking the value against its evidence.
VERIFIERS = frozenset({Role.ME_OFFICER, Role.PROGRAMME_OFFICER})
# Roles that lock a period (administrators also unlock).
LOCKERS = frozenset({Role.ADMINISTRATOR, Role.PROGRAMME_OFFICER, Role.ME_OFFICER})

# Units whose disaggregated cells add up to the total.
ADDITIVE_UNITS = frozenset(
    {Unit.NUMBER, Unit.PERSONS, Unit.HOUSEHOLDS, Unit.KM, Unit.HA, Unit.M2, Unit.MONEY}
)
MONEY_UNITS = frozenset({Unit.MONEY, Unit.MONEY_PER_PERSON_YEAR})
# Dimensions whose categories are known, so a "complete set of cells" is defined.
CLOSED_CATEGORIES: dict[str, tuple[str, ...]] = {
    Dimension.SEX: tuple(SEX_CATEGORIES),
    Dimension.DISABILITY: ("no", "yes"),
}
# Statuses in which a person may still change a reported value.
EDITABLE = frozenset({ValueStatus.DRAFT, ValueStatus.REJECTED})

SDG_PATTERN = re.compile(r"^\d{1,2}\.[a-z0-9]{1,2}\.\d{1,2}$")
SDMX_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]{1,29}$")
DHIS2_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")
CATEGORY_PATTERN = re.compile(r"^[^|=]{1,60}$")

EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


class ApprovalStepRefused(PermissionDenied):
    """The person may not take this approval step (their role, or they took an earlier one)."""


class DisaggregationMismatch(InvalidInput):
    """A total's cells are missing or do not add up to it."""


def _attribute(instance: Model, user: object | None, reason: str = "") -> None:
    # The history row names the person even when the change comes through the API or a job,
    # where the request middleware does not know the user.
    instance._history_user = acting_user(user)  # type: ignore[attr-defined]
    if reason:
        instance._change_reason = reason  # type: ignore[attr-defined]


def _check_code(code: str, field: str = "code") -> str:
    """A code as people write it on one line: codes end up in file names, HTTP headers and
    exchange files, where a line break or control character breaks them."""
    code = (code or "").strip()
    if not code or not code.isprintable():
        raise InvalidInput(
            _("%(field)s: a code is one line of printable characters, such as 2024-Q1.")
            % {"field": field},
            field=field,
        )
    return code


def _check_framework(user: object | None, framework: ResultsFramework) -> None:
    if user is not None:
        require_can_edit_framework(user, framework)


def _refuse_locked(period: ReportingPeriod) -> None:
    if period.is_locked:
        raise Conflict(
            _("Period %(period)s is locked (since %(when)s); nothing in it can change.")
            % {"period": period.code, "when": period.locked_at.date() if period.locked_at else ""},
            field="period",
        )


def validate_period_change(period: ReportingPeriod) -> None:
    """A stored period may change only while it is not locked (the admin's rule too)."""
    if period.pk:
        _refuse_locked(ReportingPeriod.objects.get(pk=period.pk))


def validate_node(node: ResultNode) -> None:
    """A result sits directly under a result one level up in the same framework."""
    _validate_parent(node.framework, node.level, node.parent)


def validate_target(target: Target) -> None:
    """A target belongs to a period of its indicator's framework that is not locked."""
    indicator, period = target.indicator, target.period
    if period.framework_id != indicator.framework_id:
        raise InvalidInput(
            _("period: %(period)s belongs to another framework than %(code)s.")
            % {"period": period.code, "code": indicator.code},
            field="period",
        )
    _refuse_locked(period)


def _fresh_period(period: ReportingPeriod) -> ReportingPeriod:
    """The period row, locked against a concurrent lock/unlock while this write runs."""
    locked = ReportingPeriod.objects.select_for_update().get(id=period.id)
    _refuse_locked(locked)
    return locked


# ---------------------------------------------------------------- frameworks and results


@transaction.atomic
def framework_create(
    *,
    user: object | None,
    title: str,
    programme: Programme | None = None,
    project: Project | None = None,
    description: str = "",
    translations: dict[str, str] | None = None,
) -> ResultsFramework:
    if (programme is None) == (project is None):
        raise InvalidInput(
            _("owner: a results framework belongs to a programme or to a project, not both."),
            field="project" if project is not None else "programme",
        )
    framework = ResultsFramework(
        programme=programme,
        project=project,
        title=title,
        description=description,
        translations=translations or {},
    )
    _check_framework(user, framework)
    owner = project or programme
    assert owner is not None
    if ResultsFramework.objects.filter(
        **({"project": project} if project else {"programme": programme})
    ).exists():
        raise Conflict(
            _("%(code)s has a results framework already.") % {"code": owner.code},
            field="project" if project else "programme",
        )
    full_clean_or_raise(framework)
    _attribute(framework, user)
    save_new(
        framework,
        conflict=_("%(code)s has a results framework already.") % {"code": owner.code},
        field="project" if project else "programme",
    )
    return framework


@transaction.atomic
def framework_update(
    *, user: object | None, framework: ResultsFramework, changes: Mapping[str, Any]
) -> ResultsFramework:
    _check_framework(user, framework)
    updated = apply_changes(framework, changes, allowed={"title", "description", "translations"})
    full_clean_or_raise(updated)
    _attribute(updated, user)
    updated.save()
    return updated


def _validate_parent(framework: ResultsFramework, level: str, parent: ResultNode | None) -> None:
    if level not in Level.values:
        raise InvalidInput(
            _("level: %(level)r is not one of %(levels)s.")
            % {"level": level, "levels": ", ".join(Level.values)},
            field="level",
        )
    position = LEVEL_ORDER.index(Level(level))
    if position == 0:
        if parent is not None:
            raise InvalidInput(_("parent: a goal has no parent result."), field="parent")
        return
    expected = LEVEL_ORDER[position - 1]
    if parent is None:
        raise InvalidInput(
            _("parent: a result of level “%(level)s” needs a parent of level “%(parent)s”.")
            % {"level": Level(level).label, "parent": expected.label},
            field="parent",
        )
    if parent.framework_id != framework.id:
        raise InvalidInput(
            _("parent: result %(code)s belongs to another framework.") % {"code": parent.code},
            field="parent",
        )
    if parent.level != expected:
        raise InvalidInput(
            _(
                "parent: a result of level “%(level)s” sits directly under one of level "
                "“%(expected)s”; %(code)s is of level “%(found)s”."
            )
            % {
                "level": Level(level).label,
                "expected": expected.label,
                "code": parent.code,
                "found": Level(parent.level).label,
            },
            field="parent",
        )


@transaction.atomic
def node_create(
    *,
    user: object | None,
    framework: ResultsFramework,
    level: str,
    code: str,
    statement: str,
    parent: ResultNode | None = None,
    order: int = 0,
    translations: dict[str, str] | None = None,
) -> ResultNode:
    _check_framework(user, framework)
    code = _check_code(code)
    _validate_parent(framework, level, parent)
    conflict = _("Result code %(code)s is used in this framework already.") % {"code": code}
    if ResultNode.objects.filter(framework=framework, code=code).exists():
        raise Conflict(conflict, field="code")
    node = ResultNode(
        framework=framework,
        parent=parent,
        level=level,
        code=code,
        statement=statement,
        order=order,
        translations=translations or {},
    )
    full_clean_or_raise(node)
    _attribute(node, user)
    save_new(node, conflict=conflict, field="code")
    return node


@transaction.atomic
def node_update(*, user: object | None, node: ResultNode, changes: Mapping[str, Any]) -> ResultNode:
    """Change a result's wording, code or order; its level and place in the tree stay."""
    _check_framework(user, node.framework)
    if "code" in changes:
        changes = {**changes, "code": _check_code(changes["code"])}
    updated = apply_changes(node, changes, allowed={"code", "statement", "translations", "order"})
    if (
        "code" in changes
        and ResultNode.objects.filter(framework_id=node.framework_id, code=updated.code)
        .exclude(id=node.id)
        .exists()
    ):
        raise Conflict(
            _("Result code %(code)s is used in this framework already.") % {"code": updated.code},
            field="code",
        )
    full_clean_or_raise(updated)
    _attribute(updated, user)
    updated.save()
    return updated


# ---------------------------------------------------------------- indicators


INDICATOR_FIELDS = frozenset(
    {
        "code",
        "name",
        "translations",
        "definition",
        "unit",
        "currency",
        "decimals",
        "direction",
        "frequency",
        "kind",
        "computation",
        "contributes_to",
        "aggregation",
        "data_source",
        "responsible",
        "disaggregations",
        "baseline_value",
        "baseline_date",
        "sdg_indicator",
        "sdmx_series",
        "dhis2_data_element",
        "order",
        "result",
    }
)


def validate_indicator(indicator: Indicator) -> None:
    """The rules between an indicator's fields (InvalidInput naming the first wrong one)."""
    framework = indicator.framework
    if indicator.result.framework_id != framework.id:
        raise InvalidInput(
            _("result: result %(code)s belongs to another framework.")
            % {"code": indicator.result.code},
            field="result",
        )
    kind = indicator.kind
    if kind not in IndicatorKind.values:
        raise InvalidInput(
            _("kind: %(kind)r is not one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(IndicatorKind.values)},
            field="kind",
        )
    if kind == IndicatorKind.COMPUTED:
        if not isinstance(indicator.computation, dict) or not indicator.computation:
            raise InvalidInput(
                _("computation: a computed indicator needs its computation."),
                field="computation",
            )
        indicator.computation = parse_computation(indicator.computation).model_dump(
            exclude_none=True
        )
    elif indicator.computation:
        raise InvalidInput(
            _("computation: only computed indicators have a computation."), field="computation"
        )
    if kind == IndicatorKind.ROLLUP:
        if framework.programme_id is None:
            raise InvalidInput(
                _("kind: roll-up indicators belong to programme frameworks only."), field="kind"
            )
        if indicator.aggregation not in Aggregation.values:
            raise InvalidInput(
                _("aggregation: a roll-up indicator needs one of %(values)s.")
                % {"values": ", ".join(Aggregation.values)},
                field="aggregation",
            )
    elif indicator.aggregation:
        raise InvalidInput(
            _("aggregation: only roll-up indicators aggregate."), field="aggregation"
        )
    if indicator.unit in MONEY_UNITS:
        indicator.currency = validate_currency(indicator.currency)
    elif indicator.currency:
        raise InvalidInput(_("currency: only money indicators have a currency."), field="currency")
    _validate_contribution(indicator)
    decimals = indicator.decimals
    if not isinstance(decimals, int) or not 0 <= decimals <= VALUE_PLACES:
        # Pages and reports pad numbers to this many places: a huge one exhausts memory.
        raise InvalidInput(
            _("decimals: a whole number from 0 to %(most)s.") % {"most": VALUE_PLACES},
            field="decimals",
        )
    dimensions = indicator.disaggregations
    if not isinstance(dimensions, list) or any(d not in Dimension.values for d in dimensions):
        raise InvalidInput(
            _("disaggregations: a list of dimensions among %(values)s.")
            % {"values": ", ".join(Dimension.values)},
            field="disaggregations",
        )
    if len(set(dimensions)) != len(dimensions):
        raise InvalidInput(_("disaggregations: each dimension once."), field="disaggregations")
    for field, pattern, example in (
        ("sdg_indicator", SDG_PATTERN, "1.2.1"),
        ("sdmx_series", SDMX_PATTERN, "SI_POV_NAHC"),
        ("dhis2_data_element", DHIS2_PATTERN, "fbfJHSPpUQD"),
    ):
        value = getattr(indicator, field)
        if value and not pattern.match(value):
            raise InvalidInput(
                _("%(field)s: %(value)r is not in the expected form (e.g. %(example)s).")
                % {"field": field, "value": value, "example": example},
                field=field,
            )


def _validate_contribution(indicator: Indicator) -> None:
    target = indicator.contributes_to
    if target is None:
        return
    project = indicator.framework.project
    if project is None:
        raise InvalidInput(
            _("contributes_to: only a project's indicators contribute to a programme's."),
            field="contributes_to",
        )
    own = ResultsFramework.objects.filter(programme_id=project.programme_id).first()
    if own is None or target.framework_id != own.id:
        raise InvalidInput(
            _(
                "contributes_to: %(code)s is not an indicator of programme %(programme)s's "
                "results framework."
            )
            % {"code": target.code, "programme": project.programme.code},
            field="contributes_to",
        )
    if target.kind != IndicatorKind.ROLLUP:
        raise InvalidInput(
            _("contributes_to: %(code)s is not a roll-up indicator.") % {"code": target.code},
            field="contributes_to",
        )
    if target.unit != indicator.unit or target.currency != indicator.currency:
        raise InvalidInput(
            _("contributes_to: %(code)s is in %(theirs)s; this indicator is in %(ours)s.")
            % {
                "code": target.code,
                "theirs": Unit(target.unit).label,
                "ours": Unit(indicator.unit).label if indicator.unit in Unit.values else "?",
            },
            field="contributes_to",
        )


@transaction.atomic
def indicator_create(
    *,
    user: object | None,
    result: ResultNode,
    code: str,
    name: str,
    unit: str,
    kind: str,
    **fields: Any,
) -> Indicator:
    framework = result.framework
    _check_framework(user, framework)
    unknown = sorted(set(fields) - INDICATOR_FIELDS)
    if unknown:
        raise InvalidInput(
            _("These fields cannot be set here: %(fields)s.") % {"fields": ", ".join(unknown)},
            field=unknown[0],
        )
    code = _check_code(code)
    conflict = _("Indicator code %(code)s is used in this framework already.") % {"code": code}
    if Indicator.objects.filter(framework=framework, code=code).exists():
        raise Conflict(conflict, field="code")
    indicator = Indicator(
        framework=framework, result=result, code=code, name=name, unit=unit, kind=kind, **fields
    )
    full_clean_or_raise(indicator)
    validate_indicator(indicator)
    _attribute(indicator, user)
    save_new(indicator, conflict=conflict, field="code")
    return indicator


@transaction.atomic
def indicator_update(
    *, user: object | None, indicator: Indicator, changes: Mapping[str, Any]
) -> Indicator:
    _check_framework(user, indicator.framework)
    if "code" in changes:
        changes = {**changes, "code": _check_code(changes["code"])}
    updated = apply_changes(indicator, changes, allowed=INDICATOR_FIELDS)
    retyped = (
        changes.get("kind", indicator.kind) != indicator.kind
        or changes.get("unit", indicator.unit) != indicator.unit
    )
    if retyped and indicator.values.exclude(status=ValueStatus.COMPUTED).exists():
        raise Conflict(
            _("kind: %(code)s has reported values; its kind and unit cannot change.")
            % {"code": indicator.code},
            field="kind" if "kind" in changes else "unit",
        )
    if (
        "code" in changes
        and Indicator.objects.filter(framework_id=indicator.framework_id, code=updated.code)
        .exclude(id=indicator.id)
        .exists()
    ):
        raise Conflict(
            _("Indicator code %(code)s is used in this framework already.")
            % {"code": updated.code},
            field="code",
        )
    full_clean_or_raise(updated)
    validate_indicator(updated)
    _attribute(updated, user)
    updated.save()
    return updated


# ---------------------------------------------------------------- periods and targets


@transaction.atomic
def period_create(
    *,
    user: object | None,
    framework: ResultsFramework,
    code: str,
    starts_on: date,
    ends_on: date,
) -> ReportingPeriod:
    _check_framework(user, framework)
    code = _check_code(code)
    if ends_on < starts_on:
        raise InvalidInput(
            _("ends_on: %(end)s is before the start (%(start)s).")
            % {"end": ends_on, "start": starts_on},
            field="ends_on",
        )
    conflict = _("Period %(code)s exists in this framework already.") % {"code": code}
    if ReportingPeriod.objects.filter(framework=framework, code=code).exists():
        raise Conflict(conflict, field="code")
    period = ReportingPeriod(framework=framework, code=code, starts_on=starts_on, ends_on=ends_on)
    full_clean_or_raise(period)
    _attribute(period, user)
    save_new(period, conflict=conflict, field="code")
    return period


@transaction.atomic
def period_lock(*, user: object | None, period: ReportingPeriod) -> ReportingPeriod:
    """Freeze every value, target and narrative of the period."""
    if user is not None and (
        role_of(user) not in LOCKERS or not covers_whole_scope(user, period.framework)
    ):
        raise PermissionDenied(
            _("You may not lock period %(period)s: it is outside your role or scope.")
            % {"period": period.code}
        )
    locked = ReportingPeriod.objects.select_for_update().get(id=period.id)
    if locked.is_locked:
        raise Conflict(
            _("Period %(period)s is locked already.") % {"period": locked.code}, field="period"
        )
    locked.locked_at = timezone.now()
    locked.locked_by = acting_user(user)
    _attribute(locked, user, reason="locked")
    locked.save(update_fields=["locked_at", "locked_by"])
    return locked


@transaction.atomic
def period_unlock(*, user: object, period: ReportingPeriod, reason: str) -> ReportingPeriod:
    """Reopen a locked period: administrators only, with a reason kept in its history."""
    if role_of(user) != Role.ADMINISTRATOR:
        raise PermissionDenied(
            _("Only an administrator may unlock period %(period)s.") % {"period": period.code}
        )
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("reason: say why the period is reopened."), field="reason")
    locked = ReportingPeriod.objects.select_for_update().get(id=period.id)
    if not locked.is_locked:
        raise Conflict(
            _("Period %(period)s is not locked.") % {"period": locked.code}, field="period"
        )
    locked.locked_at = None
    locked.locked_by = None
    _attribute(locked, user, reason=f"unlocked: {reason}"[:100])
    locked.save(update_fields=["locked_at", "locked_by"])
    return locked


@transaction.atomic
def target_set(
    *,
    user: object | None,
    indicator: Indicator,
    period: ReportingPeriod,
    value: Decimal,
    note: str = "",
) -> Target:
    """Set (or change) an indicator's target for a period of its own framework."""
    _check_framework(user, indicator.framework)
    validate_target(Target(indicator=indicator, period=period))
    _fresh_period(period)
    target = Target.objects.select_for_update().filter(indicator=indicator, period=period).first()
    if target is None:
        target = Target(indicator=indicator, period=period)
    target.value = _decimal(value, "value")
    target.note = note
    full_clean_or_raise(target)
    _attribute(target, user)
    target.save()
    return target


# ---------------------------------------------------------------- reported values


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(
            _("%(field)s: %(value)r is not a number.") % {"field": field, "value": value},
            field=field,
        ) from exc
    if not number.is_finite():
        raise InvalidInput(
            _("%(field)s: %(value)r is not a number.") % {"field": field, "value": value},
            field=field,
        )
    return number


def _check_value_range(indicator: Indicator, value: Decimal) -> None:
    unit = indicator.unit
    if unit in ADDITIVE_UNITS and value < 0 and unit != Unit.MONEY:
        raise InvalidInput(
            _("value: %(value)s %(unit)s cannot be negative.")
            % {"value": value, "unit": Unit(unit).label},
            field="value",
        )
    if unit == Unit.PERCENT and not Decimal(0) <= value <= Decimal(100):
        raise InvalidInput(
            _("value: a percentage lies between 0 and 100, not %(value)s.") % {"value": value},
            field="value",
        )
    if unit == Unit.PROPORTION and not Decimal(0) <= value <= Decimal(1):
        raise InvalidInput(
            _("value: a proportion lies between 0 and 1, not %(value)s.") % {"value": value},
            field="value",
        )


def _project_countries_and_villages(framework: ResultsFramework) -> tuple[set[str], set[str]]:
    if framework.project is not None:
        projects = [framework.project]
    elif framework.programme is not None:
        projects = list(framework.programme.projects.all())
    else:
        projects = []
    countries = {c.iso3 for p in projects for c in p.countries.all()}
    villages = {v.code for p in projects for v in p.villages.all()}
    return countries, villages


def clean_disaggregation(indicator: Indicator, cell: Mapping[str, Any] | None) -> dict[str, str]:
    """The cell as ``{}`` or ``{dimension: category}`` with the dimension one the indicator
    requires and the category valid for it; InvalidInput naming the problem otherwise."""
    if not cell:
        return {}
    if not isinstance(cell, Mapping):
        raise InvalidInput(
            _('disaggregation: an object such as {"sex": "F"}.'), field="disaggregation"
        )
    if len(cell) > 1:
        raise InvalidInput(
            _(
                "disaggregation: one dimension per cell (%(given)s given); enter each "
                "dimension's breakdown as separate cells."
            )
            % {"given": ", ".join(sorted(cell))},
            field="disaggregation",
        )
    ((dimension, category),) = cell.items()
    if dimension not in indicator.disaggregations:
        allowed = ", ".join(indicator.disaggregations) or _("none")
        raise InvalidInput(
            _(
                "disaggregation: %(code)s is not broken down by %(dimension)r "
                "(it is by: %(allowed)s)."
            )
            % {"code": indicator.code, "dimension": dimension, "allowed": allowed},
            field="disaggregation",
        )
    category = str(category).strip() if category is not None else ""
    if not CATEGORY_PATTERN.match(category):
        raise InvalidInput(
            _("disaggregation.%(dimension)s: a category of 1–60 characters without | or =.")
            % {"dimension": dimension},
            field=f"disaggregation.{dimension}",
        )
    known: tuple[str, ...] | set[str] | None = CLOSED_CATEGORIES.get(dimension)
    if dimension in (Dimension.COUNTRY, Dimension.VILLAGE):
        countries, villages = _project_countries_and_villages(indicator.framework)
        known = countries if dimension == Dimension.COUNTRY else villages
    if known is not None and category not in known:
        raise InvalidInput(
            _("disaggregation.%(dimension)s: %(category)r is not one of %(known)s.")
            % {"dimension": dimension, "category": category, "known": ", ".join(sorted(known))},
            field=f"disaggregation.{dimension}",
        )
    return {str(dimension): category}


def _require_can_enter(user: object | None, indicator: Indicator) -> None:
    if user is None:
        return
    if role_of(user) not in VALUE_ENTERERS or not covers_whole_scope(user, indicator.framework):
        raise PermissionDenied(
            _("You may not report values of %(code)s: it is outside your role or scope.")
            % {"code": indicator.code}
        )


def _require_reported(indicator: Indicator) -> None:
    if indicator.kind != IndicatorKind.REPORTED:
        raise InvalidInput(
            _("indicator: %(code)s is %(kind)s; its values come from the data, not from entry.")
            % {"code": indicator.code, "kind": IndicatorKind(indicator.kind).label.lower()},
            field="indicator",
        )


@transaction.atomic
def value_create(
    *,
    user: object | None,
    indicator: Indicator,
    period: ReportingPeriod,
    value: Any,
    disaggregation: Mapping[str, Any] | None = None,
    note: str = "",
) -> IndicatorValue:
    """Enter a reported value (a draft) for one cell of one period.

    A cell has one row: entering it twice is a Conflict naming the existing value, which is
    changed with :func:`value_update` instead.
    """
    _require_reported(indicator)
    _require_can_enter(user, indicator)
    if period.framework_id != indicator.framework_id:
        raise InvalidInput(
            _("period: %(period)s belongs to another framework than %(code)s.")
            % {"period": period.code, "code": indicator.code},
            field="period",
        )
    _fresh_period(period)
    cell = clean_disaggregation(indicator, disaggregation)
    key = disaggregation_key(cell)
    number = _decimal(value, "value")
    _check_value_range(indicator, number)
    existing = IndicatorValue.objects.filter(
        indicator=indicator, period=period, disaggregation_key=key
    ).first()
    label = f"{indicator.code} {period.code}" + (f" [{key}]" if key else "")
    conflict = _("%(cell)s has a value already (id %(id)s); change that one.")
    if existing is not None:
        raise Conflict(conflict % {"cell": label, "id": existing.id}, field="disaggregation")
    row = IndicatorValue(
        indicator=indicator,
        period=period,
        disaggregation=cell,
        disaggregation_key=key,
        value=number,
        note=note,
        source=ValueSource.REPORTED,
        status=ValueStatus.DRAFT,
        entered_by=acting_user(user),
    )
    full_clean_or_raise(row)
    _attribute(row, user)
    save_new(row, conflict=conflict % {"cell": label, "id": "?"}, field="disaggregation")
    return row


def _locked_value(value: IndicatorValue) -> IndicatorValue:
    # ``of=("self",)``: PostgreSQL cannot lock the nullable side of the framework's outer joins.
    row = (
        IndicatorValue.objects.select_for_update(of=("self",))
        .select_related(
            "indicator__framework__project", "indicator__framework__programme", "period"
        )
        .get(id=value.id)
    )
    _fresh_period(row.period)
    return row


@transaction.atomic
def value_update(
    *, user: object | None, value: IndicatorValue, changes: Mapping[str, Any]
) -> IndicatorValue:
    """Correct a draft or returned value (its number and note); it becomes a draft again."""
    _require_can_enter(user, value.indicator)
    row = _locked_value(value)
    _require_reported(row.indicator)
    if row.status not in EDITABLE:
        raise Conflict(
            _("%(value)s is %(status)s; only drafts and returned values can change.")
            % {"value": row, "status": ValueStatus(row.status).label.lower()},
            field="status",
        )
    unknown = sorted(set(changes) - {"value", "note"})
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)},
            field=unknown[0],
        )
    if "value" in changes:
        number = _decimal(changes["value"], "value")
        _check_value_range(row.indicator, number)
        if number != row.value:
            # Whoever types the number answers for it: otherwise a verifier could change a
            # colleague's draft and then verify their own figure.
            row.entered_by = acting_user(user) or row.entered_by
        row.value = number
    if "note" in changes:
        row.note = str(changes["note"] or "")
    row.status = ValueStatus.DRAFT
    full_clean_or_raise(row)
    _attribute(row, user)
    row.save()
    return row


@transaction.atomic
def value_submit(*, user: object | None, value: IndicatorValue) -> IndicatorValue:
    """Send a draft (or a corrected returned value) for verification."""
    _require_can_enter(user, value.indicator)
    row = _locked_value(value)
    if row.status == ValueStatus.SUBMITTED:
        raise Conflict(
            _("%(value)s was submitted already (%(when)s).")
            % {"value": row, "when": row.submitted_at.date() if row.submitted_at else ""},
            field="status",
        )
    if row.status not in EDITABLE:
        raise Conflict(
            _("%(value)s is %(status)s; only drafts and returned values are submitted.")
            % {"value": row, "status": ValueStatus(row.status).label.lower()},
            field="status",
        )
    if row.value is None:
        raise InvalidInput(_("value: enter the number before submitting."), field="value")
    row.status = ValueStatus.SUBMITTED
    row.submitted_at = timezone.now()
    row.rejection_reason = ""
    _attribute(row, user, reason="submitted")
    row.save()
    return row


def _same_person(user: object, other_id: int | None) -> bool:
    member = acting_user(user)
    return member is not None and other_id is not None and member.id == other_id


def _require_can_verify(user: object, row: IndicatorValue) -> None:
    if role_of(user) not in VERIFIERS or not covers_whole_scope(user, row.indicator.framework):
        raise ApprovalStepRefused(
            _(
                "You may not verify values of %(code)s: step 1 is for M&E or programme "
                "officers whose scope covers the framework."
            )
            % {"code": row.indicator.code}
        )
    if _same_person(user, row.entered_by_id):
        raise ApprovalStepRefused(
            _("You entered %(value)s; someone else must verify it.") % {"value": row}
        )


def _require_can_approve(user: object, row: IndicatorValue) -> None:
    framework = row.indicator.framework
    project = framework.project
    allowed = role_of(user) in APPROVERS
    if project is not None:
        allowed = allowed and project_in_scope(user, project) and side_of(user, project) is not None
    else:
        allowed = allowed and covers_whole_scope(user, framework)
    if not allowed:
        raise ApprovalStepRefused(
            _(
                "You may not approve values of %(code)s: step 2 is for someone who signs for "
                "a side of the project, within their scope."
            )
            % {"code": row.indicator.code}
        )
    if _same_person(user, row.entered_by_id) or _same_person(user, row.verified_by_id):
        raise ApprovalStepRefused(
            _("You entered or verified %(value)s; a third person approves it.") % {"value": row}
        )


def _require_may_take_a_step(user: object, value: IndicatorValue, *, step: str) -> None:
    """Refuse people who could neither verify nor approve the value before anything about it
    is told (its status, number or its period's lock): out of scope it must look the same
    whatever state it is in. The refusal is the one of ``step`` ("verify" or "approve")."""
    checks = [_require_can_verify, _require_can_approve]
    if step == "approve":
        checks.reverse()
    try:
        checks[0](user, value)
    except ApprovalStepRefused as refused:
        try:
            checks[1](user, value)
        except ApprovalStepRefused:
            raise refused from None


def plain(number: Decimal | None) -> str:
    """A decimal as people write it: no exponent, no trailing zeros (75, 2.08)."""
    if number is None:
        return "–"
    return format(number.normalize(), "f")


def check_cells_add_up(row: IndicatorValue) -> None:
    """Refuse a total of an additive unit whose cells (per required dimension) are missing or
    do not add up to it; the message names the cells."""
    indicator = row.indicator
    if row.disaggregation_key or indicator.unit not in ADDITIVE_UNITS:
        return
    cells = list(
        IndicatorValue.objects.filter(indicator=indicator, period=row.period)
        .exclude(disaggregation_key="")
        .order_by("disaggregation_key")
    )
    for dimension in indicator.disaggregations:
        mine = [c for c in cells if dimension in c.disaggregation]
        given = {c.disaggregation[dimension] for c in mine}
        known: tuple[str, ...] | set[str] | None = CLOSED_CATEGORIES.get(dimension)
        if dimension in (Dimension.COUNTRY, Dimension.VILLAGE):
            countries, villages = _project_countries_and_villages(indicator.framework)
            known = countries if dimension == Dimension.COUNTRY else villages
        missing = sorted(set(known) - given) if known is not None else []
        if not mine or missing:
            names = ", ".join(f"{dimension}={m}" for m in missing) or dimension
            raise DisaggregationMismatch(
                _("disaggregation: the total of %(code)s %(period)s needs its cells by %(cells)s.")
                % {"code": indicator.code, "period": row.period.code, "cells": names},
                field="disaggregation",
            )
        total = sum((c.value or Decimal(0) for c in mine), Decimal(0))
        if total != row.value:
            parts = " + ".join(f"{c.disaggregation_key} ({plain(c.value)})" for c in mine)
            raise DisaggregationMismatch(
                _(
                    "disaggregation: the cells by %(dimension)s add up to %(sum)s, not to the "
                    "total %(total)s: %(cells)s."
                )
                % {
                    "dimension": dimension,
                    "sum": plain(total),
                    "total": plain(row.value),
                    "cells": parts,
                },
                field="disaggregation",
            )


@transaction.atomic
def value_verify(*, user: object, value: IndicatorValue, note: str = "") -> IndicatorValue:
    """Step 1: someone other than the person who entered it checks it against the evidence."""
    _require_may_take_a_step(user, value, step="verify")
    row = _locked_value(value)
    _require_can_verify(user, row)
    if row.status != ValueStatus.SUBMITTED:
        raise Conflict(
            _("%(value)s is %(status)s; only submitted values are verified.")
            % {"value": row, "status": ValueStatus(row.status).label.lower()},
            field="status",
        )
    row.status = ValueStatus.VERIFIED
    row.verified_by = acting_user(user)
    row.verified_at = timezone.now()
    _attribute(row, user, reason=f"verified: {note}"[:100] if note else "verified")
    row.save()
    return row


@transaction.atomic
def value_approve(*, user: object, value: IndicatorValue, note: str = "") -> IndicatorValue:
    """Step 2: a third person who signs for a side approves; a total must match its cells."""
    _require_may_take_a_step(user, value, step="approve")
    row = _locked_value(value)
    _require_can_approve(user, row)
    if row.status != ValueStatus.VERIFIED:
        raise Conflict(
            _("%(value)s is %(status)s; only verified values are approved.")
            % {"value": row, "status": ValueStatus(row.status).label.lower()},
            field="status",
        )
    check_cells_add_up(row)
    row.status = ValueStatus.APPROVED
    row.approved_by = acting_user(user)
    row.approved_at = timezone.now()
    _attribute(row, user, reason=f"approved: {note}"[:100] if note else "approved")
    row.save()
    return row


@transaction.atomic
def value_reject(*, user: object, value: IndicatorValue, reason: str) -> IndicatorValue:
    """Return a submitted value (step 1, by a verifier) or a verified one (step 2, by an
    approver) for correction; the reason is shown to the person who entered it."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("reason: say what must be corrected."), field="reason")
    _require_may_take_a_step(user, value, step="verify")
    row = _locked_value(value)
    if row.status == ValueStatus.SUBMITTED:
        _require_can_verify(user, row)
    elif row.status == ValueStatus.VERIFIED:
        _require_can_approve(user, row)
    else:
        raise Conflict(
            _("%(value)s is %(status)s; only submitted or verified values are returned.")
            % {"value": row, "status": ValueStatus(row.status).label.lower()},
            field="status",
        )
    row.status = ValueStatus.REJECTED
    row.rejection_reason = reason
    row.verified_by = None
    row.verified_at = None
    _attribute(row, user, reason=f"rejected: {reason}"[:100])
    row.save()
    return row


# ---------------------------------------------------------------- evidence and narratives

ZIP_MAGIC = b"PK\x03\x04"
EVIDENCE_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv",
}


def sniff_evidence(upload: Any) -> str:
    """The file's kind from its first bytes (never from its name): pdf, jpg, png, xlsx,
    docx or csv; InvalidInput otherwise."""
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            names = set()
        upload.seek(0)
        if "[Content_Types].xml" in names:
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
            if any(n.startswith("word/") for n in names):
                return "docx"
    elif _looks_like_csv(upload):
        return "csv"
    raise InvalidInput(
        _("file: only PDF, JPEG, PNG, XLSX, DOCX or CSV files are accepted."), field="file"
    )


def _looks_like_csv(upload: Any) -> bool:
    sample = upload.read(64 * 1024)
    upload.seek(0)
    if not sample or b"\x00" in sample:
        return False
    try:
        text = sample.decode("utf-8-sig")
    except UnicodeDecodeError:
        # A cut in the middle of a multi-byte character at the end of the sample.
        try:
            text = sample[:-3].decode("utf-8-sig")
        except UnicodeDecodeError:
            return False
    printable = all(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return printable and ("," in text or ";" in text or "\t" in text)


@transaction.atomic
def evidence_attach(
    *, user: object | None, value: IndicatorValue, upload: Any, description: str = ""
) -> Evidence:
    """Attach a file (at most 20 MB) behind a reported value that is not yet approved."""
    _require_can_enter(user, value.indicator)
    row = _locked_value(value)
    if row.status == ValueStatus.APPROVED:
        raise Conflict(
            _("%(value)s is approved; its evidence cannot change.") % {"value": row},
            field="status",
        )
    size = getattr(upload, "size", 0) or 0
    if size > EVIDENCE_MAX_BYTES:
        raise InvalidInput(
            _("file: %(size)s bytes is over the 20 MB limit.") % {"size": size}, field="file"
        )
    if size == 0:
        raise InvalidInput(_("file: the file is empty."), field="file")
    kind = sniff_evidence(upload)
    evidence = Evidence(
        value=row,
        description=description[:255],
        content_type=EVIDENCE_TYPES[kind],
        size=size,
        uploaded_by=acting_user(user),
    )
    count = row.evidence.count() + 1
    # The stored name comes from the value and the sniffed kind, never from the upload's name.
    evidence.file.save(f"{row.id}-{count}.{kind}", upload, save=False)
    evidence.save()
    return evidence


@transaction.atomic
def narrative_write(
    *,
    user: object | None,
    framework: ResultsFramework,
    period: ReportingPeriod,
    section: str,
    language: str,
    text: str,
) -> Narrative:
    """Write (or rewrite) one section of a period's report in one language."""
    _check_framework(user, framework)
    if period.framework_id != framework.id:
        raise InvalidInput(
            _("period: %(period)s belongs to another framework.") % {"period": period.code},
            field="period",
        )
    if section not in NarrativeSection.values:
        raise InvalidInput(
            _("section: one of %(values)s.") % {"values": ", ".join(NarrativeSection.values)},
            field="section",
        )
    _fresh_period(period)
    narrative = (
        Narrative.objects.select_for_update()
        .filter(framework=framework, period=period, section=section, language=language)
        .first()
    )
    if narrative is None:
        narrative = Narrative(
            framework=framework, period=period, section=section, language=language
        )
    narrative.text = text
    narrative.written_by = acting_user(user)
    full_clean_or_raise(narrative)
    _attribute(narrative, user)
    narrative.save()
    return narrative
