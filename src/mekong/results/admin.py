"""Admin for results frameworks. Frameworks, results, indicators, periods and targets are
edited through forms that run the services' validation; values, evidence and precomputed
analyses are read-only here, so the admin cannot bypass the approval and locking rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from mekong.core.admin import ReadOnlyAdmin
from mekong.core.errors import DomainError
from mekong.results import models as m
from mekong.results import services


class _RuleForm(forms.ModelForm):  # type: ignore[type-arg]
    """A model form that, after Django's full_clean, checks the service rules of the row."""

    def check_rules(self, instance: Any) -> None:
        raise NotImplementedError

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        if self.errors:
            return
        try:
            self.check_rules(self.instance)
        except DomainError as exc:
            field = (exc.field or "").split(".")[0]
            self.add_error(field if field in self.fields else None, ValidationError(exc.message))


class ResultNodeForm(_RuleForm):
    class Meta:
        model = m.ResultNode
        fields = ("framework", "parent", "level", "code", "statement", "translations", "order")

    def check_rules(self, instance: m.ResultNode) -> None:
        services._validate_parent(instance.framework, instance.level, instance.parent)


class IndicatorForm(_RuleForm):
    class Meta:
        model = m.Indicator
        fields = (
            "framework",
            "result",
            "code",
            "order",
            *sorted(services.INDICATOR_FIELDS - {"result", "code", "order"}),
        )

    def check_rules(self, instance: m.Indicator) -> None:
        services.validate_indicator(instance)


class PeriodForm(_RuleForm):
    class Meta:
        model = m.ReportingPeriod
        fields = ("framework", "code", "starts_on", "ends_on")

    def check_rules(self, instance: m.ReportingPeriod) -> None:
        if (
            instance.pk
            and m.ReportingPeriod.objects.filter(pk=instance.pk, locked_at__isnull=False).exists()
        ):
            raise DomainError(str(_("A locked period cannot change.")))


class TargetForm(_RuleForm):
    class Meta:
        model = m.Target
        fields = ("indicator", "period", "value", "note")

    def check_rules(self, instance: m.Target) -> None:
        if instance.period.framework_id != instance.indicator.framework_id:
            raise DomainError(str(_("The period belongs to another framework.")), field="period")
        if instance.period.is_locked:
            raise DomainError(
                str(_("Period %(period)s is locked.") % {"period": instance.period.code}),
                field="period",
            )


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
