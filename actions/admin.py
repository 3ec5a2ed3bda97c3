from django.contrib import admin

from send_portal.admin import AuditedAdmin

from .models import ActionItem, DeadlineRule, Milestone, Plan, PlanFinding


class PlanFindingInline(admin.TabularInline):
    model = PlanFinding
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Plan)
class PlanAdmin(AuditedAdmin):
    list_display = ["title", "area", "kind", "status", "is_illustrative"]
    list_filter = ["kind", "status", "area", "is_illustrative"]
    list_select_related = ["area"]
    search_fields = ["title", "local_name", "ref"]
    inlines = [PlanFindingInline]


@admin.register(PlanFinding)
class PlanFindingAdmin(AuditedAdmin):
    list_display = ["plan", "finding"]
    list_select_related = ["plan__area", "finding"]


@admin.register(ActionItem)
class ActionItemAdmin(AuditedAdmin):
    list_display = ["ref", "title", "plan", "delivery_status", "impact_status", "due_date"]
    list_filter = ["delivery_status", "impact_status", "plan__area", "is_illustrative"]
    list_select_related = ["plan__area"]
    search_fields = ["ref", "title"]
    raw_id_fields = ["lead_officer"]
    inlines = [MilestoneInline]


@admin.register(Milestone)
class MilestoneAdmin(AuditedAdmin):
    list_display = ["title", "action", "due_date", "completed_on"]
    list_select_related = ["action"]


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(AuditedAdmin):
    list_display = ["label", "plan_kind", "offset", "unit", "anchor", "repeats", "is_active"]
    list_filter = ["plan_kind", "is_active"]
