"""Reads for reports and exports.

``reportable_values`` is the one door through which indicator values reach a report or an
export: approved reported values and computed or rolled-up values. Drafts, submitted,
verified and rejected values never leave the platform this way.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from mekong.core.errors import NotFound
from mekong.results.access import framework_for
from mekong.results.models import IndicatorValue, ReportingPeriod, ResultsFramework, ValueStatus

# Computed and rolled-up values are ``computed``: their sources are approved where they live.
REPORTABLE_STATUSES = (ValueStatus.APPROVED, ValueStatus.COMPUTED)


def reportable_values(
    *, framework: ResultsFramework, periods: list[ReportingPeriod] | None = None
) -> QuerySet[IndicatorValue]:
    """Values of the framework's indicators that may appear in reports and exports."""
    values = IndicatorValue.objects.filter(
        indicator__framework=framework, status__in=REPORTABLE_STATUSES
    )
    if periods is not None:
        values = values.filter(period__in=periods)
    return values.select_related("indicator", "period").order_by(
        "indicator__order", "indicator__code", "period__starts_on", "disaggregation_key"
    )


def report_framework_get(*, user: object, framework_id: int) -> ResultsFramework:
    """The framework if ``user`` may see it (NotFound for missing and out of scope alike)."""
    return framework_for(user, framework_id)


def report_period_get(*, framework: ResultsFramework, code: str) -> ReportingPeriod:
    period = framework.periods.filter(code=code).first()
    if period is None:
        known = ", ".join(framework.periods.values_list("code", flat=True)) or "–"
        raise NotFound(
            _("The framework “%(title)s” has no reporting period “%(code)s” (it has: %(known)s).")
            % {"title": framework.title, "code": code, "known": known},
            field="period",
        )
    return period
