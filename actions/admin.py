from django.contrib import admin
from django.utils.html import format_html_join

from kit.admin import AuditedAdmin

from .deadlines import plan_deadlines, portal_today
from .models import ActionItem, DeadlineRule, Milestone, Plan, PlanFinding, PlanImport


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
    readonly_fields = ["statutory_dates"]
    inlines = [PlanFindingInline]

    @admin.display(description="Statutory and official dates")
    def statutory_dates(self, obj):
        if obj.pk is None:
            return "Shown once the plan is saved."
        deadlines = plan_deadlines(obj, today=portal_today())
        if not deadlines:
            return "No deadline rules apply to this kind of plan."
        return format_html_join(
            "",
            "<p><strong>{}</strong>: {} <br>({})</p>",
            ((d.label, d.describe(), d.anchor_description) for d in deadlines),
        )


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


@admin.register(PlanImport)
class PlanImportAdmin(AuditedAdmin):
    list_display = ["filename", "plan", "uploaded_by", "uploaded_at", "state"]
    list_filter = ["state", "plan__area"]
    list_select_related = ["plan__area", "uploaded_by"]
    readonly_fields = ["uuid", "sha256", "size", "summary", "imported_at"]
