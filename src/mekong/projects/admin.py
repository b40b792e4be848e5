from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from mekong.core.admin import ReadOnlyAdmin
from mekong.projects import models as m


@admin.register(m.Framework)
class FrameworkAdmin(admin.ModelAdmin[m.Framework]):
    list_display = ("code", "name", "name_zh", "launched_on")


@admin.register(m.Programme)
class ProgrammeAdmin(admin.ModelAdmin[m.Programme]):
    list_display = ("code", "title", "framework")
    list_filter = ("framework",)


class SectorInline(admin.TabularInline[m.ProjectSector, m.Project]):
    model = m.ProjectSector
    extra = 0


class ParticipantInline(admin.TabularInline[m.ProjectParticipant, m.Project]):
    model = m.ProjectParticipant
    extra = 0
    autocomplete_fields = ("organisation",)


class TransitionInline(admin.TabularInline[m.ProjectTransition, m.Project]):
    model = m.ProjectTransition
    extra = 0
    # The cycle moves only through projects.services.project_transition.
    readonly_fields = ("from_status", "to_status", "occurred_on", "by", "note", "recorded_at")
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(m.Project)
class ProjectAdmin(admin.ModelAdmin[m.Project]):
    list_display = ("code", "title", "programme", "status", "currency", "is_synthetic")
    list_filter = ("status", "programme__framework", "countries", "is_synthetic")
    search_fields = ("code", "title", "title_zh")
    filter_horizontal = ("countries", "villages")
    readonly_fields = ("status",)
    inlines = (SectorInline, ParticipantInline, TransitionInline)


class ActivityInline(admin.TabularInline[m.Activity, m.Component]):
    model = m.Activity
    extra = 0


@admin.register(m.Component)
class ComponentAdmin(admin.ModelAdmin[m.Component]):
    list_display = ("title", "project", "focus_area", "position")
    list_filter = ("focus_area", "project")
    inlines = (ActivityInline,)


class AssetInline(admin.TabularInline[m.Asset, m.Activity]):
    model = m.Asset
    extra = 0


@admin.register(m.Activity)
class ActivityAdmin(admin.ModelAdmin[m.Activity]):
    list_display = ("title", "component")
    inlines = (AssetInline,)


class ProgressInline(admin.TabularInline[m.ProgressUpdate, m.Asset]):
    model = m.ProgressUpdate
    extra = 0


@admin.register(m.Asset)
class AssetAdmin(admin.ModelAdmin[m.Asset]):
    list_display = (
        "__str__",
        "asset_type",
        "unit",
        "planned_quantity",
        "actual_quantity",
        "percent_complete",
        "procurement_mode",
    )
    list_filter = ("asset_type", "procurement_mode")
    inlines = (ProgressInline,)


@admin.register(m.ExchangeRate)
class ExchangeRateAdmin(SimpleHistoryAdmin):
    list_display = ("base", "quote", "rate_type", "date", "rate", "source")
    list_filter = ("base", "quote", "rate_type")
    date_hierarchy = "date"


@admin.register(m.BudgetLine)
class BudgetLineAdmin(SimpleHistoryAdmin):
    list_display = ("project", "component", "year", "amount", "currency", "value_date")
    list_filter = ("project", "year")


@admin.register(m.Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ("project", "kind", "amount", "currency", "value_date", "component")
    list_filter = ("kind", "project", "currency")


class MemberInline(admin.TabularInline[m.JointOfficeMember, m.JointOffice]):
    model = m.JointOfficeMember
    extra = 0
    autocomplete_fields = ("person",)


@admin.register(m.JointOffice)
class JointOfficeAdmin(admin.ModelAdmin[m.JointOffice]):
    list_display = ("project", "location", "established_on")
    inlines = (MemberInline,)


class ApprovalInline(admin.TabularInline[m.WorkPlanApproval, m.WorkPlan]):
    model = m.WorkPlanApproval
    extra = 0
    readonly_fields = ("side", "approved_by", "approved_at", "note")
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(m.WorkPlan)
class WorkPlanAdmin(admin.ModelAdmin[m.WorkPlan]):
    list_display = ("project", "year", "title")
    inlines = (ApprovalInline,)


@admin.register(m.WorkPlanApproval)
class WorkPlanApprovalAdmin(ReadOnlyAdmin):
    list_display = ("work_plan", "side", "approved_by", "approved_at")


class DecisionInline(admin.TabularInline[m.Decision, m.Meeting]):
    model = m.Decision
    extra = 0


@admin.register(m.Meeting)
class MeetingAdmin(admin.ModelAdmin[m.Meeting]):
    list_display = ("office", "held_on", "title")
    inlines = (DecisionInline,)


class TeamMemberInline(admin.TabularInline[m.ExpertTeamMember, m.ExpertTeam]):
    model = m.ExpertTeamMember
    extra = 0


class ReportInline(admin.TabularInline[m.MissionReport, m.ExpertTeam]):
    model = m.MissionReport
    extra = 0


@admin.register(m.ExpertTeam)
class ExpertTeamAdmin(admin.ModelAdmin[m.ExpertTeam]):
    list_display = ("project", "batch_number", "arrived_on", "left_on")
    inlines = (TeamMemberInline, ReportInline)


class OptionInline(admin.TabularInline[m.VotingOption, m.VotingRound]):
    model = m.VotingOption
    extra = 0


@admin.register(m.VotingRound)
class VotingRoundAdmin(admin.ModelAdmin[m.VotingRound]):
    list_display = ("project", "village", "held_on", "participants")
    inlines = (OptionInline,)
