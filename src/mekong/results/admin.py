"""Admin for results frameworks. Frameworks, results, indicators, periods and targets are
edited through forms that run the services' validation; values, evidence and precomputed
analyses are read-only here, so the admin cannot bypass the approval and locking rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from mekong.core.admin import ReadOnlyAdmin
from mekong.core.errors import DomainError
from mekong.results import models as m
from mekong.results import services


class _RuleForm(forms.ModelForm):  # type: ignore[type-arg]
    """A model form that, after Django's full_clean, checks the row with ``rules``: the same
    validators of results.services that the services themselves call."""

    rules: ClassVar[tuple[Callable[[Any], None], ...]]

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        if self.errors:
            return
        try:
            for rule in self.rules:
                rule(self.instance)
        except DomainError as exc:
            field = (exc.field or "").split(".")[0]
            self.add_error(field if field in self.fields else None, ValidationError(exc.message))


class ResultNodeForm(_RuleForm):
    rules = (services.validate_node,)

    class Meta:
        model = m.ResultNode
        fields = ("framework", "parent", "level", "code", "statement", "translations", "order")


class IndicatorForm(_RuleForm):
    rules = (services.validate_indicator,)

    class Meta:
        model = m.Indicator
        fields = (
            "framework",
            "result",
            "code",
            "order",
            *sorted(services.INDICATOR_FIELDS - {"result", "code", "order"}),
        )


class PeriodForm(_RuleForm):
    rules = (services.validate_period_change,)

    class Meta:
        model = m.ReportingPeriod
        fields = ("framework", "code", "starts_on", "ends_on")


class TargetForm(_RuleForm):
    rules = (services.validate_target,)

    class Meta:
        model = m.Target
        fields = ("indicator", "period", "value", "note")


@admin.register(m.ResultsFramework)
class ResultsFrameworkAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("title", "programme", "project")
    search_fields = ("title",)


@admin.register(m.ResultNode)
class ResultNodeAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    form = ResultNodeForm
    list_display = ("code", "statement", "level", "framework")
    list_filter = ("level", "framework")
    search_fields = ("code", "statement")


@admin.register(m.Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    form = IndicatorForm
    list_display = ("code", "name", "framework", "kind", "unit", "sdg_indicator")
    list_filter = ("kind", "unit", "framework")
    search_fields = ("code", "name")


@admin.register(m.ReportingPeriod)
class ReportingPeriodAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    form = PeriodForm
    list_display = ("code", "framework", "starts_on", "ends_on", "locked_at", "locked_by")
    list_filter = ("framework",)
    # Locking and unlocking go through results.services (who may, and the reason kept).
    readonly_fields = ("locked_at", "locked_by")


@admin.register(m.Target)
class TargetAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    form = TargetForm
    list_display = ("indicator", "period", "value")
    list_filter = ("indicator__framework",)


@admin.register(m.IndicatorValue)
class IndicatorValueAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "period", "disaggregation_key", "value", "status", "source")
    list_filter = ("status", "source", "indicator__framework")


@admin.register(m.Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ("value", "description", "content_type", "size", "uploaded_at")


@admin.register(m.Narrative)
class NarrativeAdmin(ReadOnlyAdmin):
    list_display = ("framework", "period", "section", "language", "updated_at")
    list_filter = ("section", "language")


@admin.register(m.Analysis)
class AnalysisAdmin(ReadOnlyAdmin):
    list_display = ("framework", "kind", "key", "computed_at")
    list_filter = ("kind",)
