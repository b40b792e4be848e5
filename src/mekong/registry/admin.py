from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from mekong.core.admin import ReadOnlyAdmin
from mekong.registry import models as m


class MemberInline(admin.TabularInline[m.Member, m.Household]):
    model = m.Member
    extra = 0


@admin.register(m.Household)
class HouseholdAdmin(SimpleHistoryAdmin):
    list_display = ("external_id", "village", "status", "main_cause", "is_synthetic")
    list_filter = ("status", "village__country", "is_synthetic")
    search_fields = ("external_id",)
    inlines = (MemberInline,)


@admin.register(m.Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ("external_id", "household", "sex", "birth_year", "relation")
    search_fields = ("external_id",)


@admin.register(m.SurveyRound)
class SurveyRoundAdmin(admin.ModelAdmin[m.SurveyRound]):
    list_display = ("code", "kind", "country", "started_on", "ended_on", "is_sample")
    list_filter = ("kind", "country")


@admin.register(m.HouseholdObservation)
class ObservationAdmin(SimpleHistoryAdmin):
    list_display = ("household", "survey_round", "observed_on", "size", "currency")
    list_filter = ("survey_round",)


@admin.register(m.MemberObservation)
class MemberObservationAdmin(SimpleHistoryAdmin):
    list_display = ("member", "survey_round", "health", "labour")
    list_filter = ("survey_round",)


@admin.register(m.PovertyScheme)
class SchemeAdmin(SimpleHistoryAdmin):
    list_display = ("code", "version", "name", "kind", "country", "valid_from")
    list_filter = ("kind", "country")


@admin.register(m.Classification)
class ClassificationAdmin(SimpleHistoryAdmin):
    list_display = ("household", "survey_round", "scheme", "poor", "level", "value")
    list_filter = ("scheme", "survey_round", "poor")

    # Results come from registry.services.classify_round; editing them by hand would
    # break the link between a result and the rule that produced it.
    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(m.AssistanceMeasure)
class AssistanceAdmin(SimpleHistoryAdmin):
    list_display = ("household", "category", "description", "value", "currency", "value_date")
    list_filter = ("category",)


@admin.register(m.ExitPolicy)
class ExitPolicyAdmin(admin.ModelAdmin[m.ExitPolicy]):
    list_display = ("name", "country", "admin_area", "scheme", "notice_days", "valid_from")
    list_filter = ("country",)


class StepInline(admin.TabularInline[m.ExitStep, m.ExitCase]):
    model = m.ExitStep
    extra = 0
    can_delete = False


@admin.register(m.ExitCase)
class ExitCaseAdmin(ReadOnlyAdmin):
    list_display = ("household", "state", "proposed_on", "policy")
    list_filter = ("state",)
    inlines = (StepInline,)


for model in (
    m.Objection,
    m.ExitApproval,
    m.VerificationSample,
    m.VerificationFinding,
    m.RelapseAlert,
    m.FollowUp,
    m.ImportBatch,
):
    admin.site.register(model, ReadOnlyAdmin)
