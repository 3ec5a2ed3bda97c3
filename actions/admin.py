from django.contrib import admin
from django.utils.html import format_html_join

from kit.admin import AuditedAdmin

from .deadlines import inspection_deadlines, plan_deadlines, portal_today
from .models import (
    ActionItem,
    DeadlineRule,
    Milestone,
    Plan,
    PlanFinding,
    PlanImport,
    PlanIntervention,
    StatedDeadline,
)


class PlanFindingInline(admin.TabularInline):
    model = PlanFinding
    extra = 0


class PlanInterventionInline(admin.TabularInline):
    model = PlanIntervention
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class StatedDeadlineInline(admin.StackedInline):
    """Dates stated in letters or notices, recorded on the plan they are for."""

    model = StatedDeadline
    fk_name = "plan"
    extra = 0
    fields = ["rule", "due_on", "due_on_precision", "stated_in", "source", "notes"]


@admin.register(Plan)
class PlanAdmin(AuditedAdmin):
    list_display = ["title", "area", "kind", "status", "is_illustrative"]
    list_filter = ["kind", "status", "area", "is_illustrative"]
    list_select_related = ["area"]
    search_fields = ["title", "local_name", "ref"]
    readonly_fields = ["statutory_dates"]
    inlines = [PlanFindingInline, PlanInterventionInline, StatedDeadlineInline]

    @admin.display(description="Statutory and official dates")
    def statutory_dates(self, obj):
        if obj.pk is None:
            return "Shown once the plan is saved."
        deadlines = plan_deadlines(obj, today=portal_today())
        if not deadlines:
            return "No deadline rules apply to this kind of plan."
        return format_html_join(
            "",
            "<p><strong>{}</strong>: {} <br>({}){}</p>",
            ((d.label, d.describe(), d.anchor_description, _stated_line(d)) for d in deadlines),
        )


def _stated_line(deadline):
    return f" {deadline.stated_text}." if deadline.stated_differs else ""


@admin.register(PlanFinding)
class PlanFindingAdmin(AuditedAdmin):
    list_display = ["plan", "finding"]
    list_select_related = ["plan__area", "finding"]


@admin.register(PlanIntervention)
class PlanInterventionAdmin(AuditedAdmin):
    list_display = ["plan", "intervention"]
    list_select_related = ["plan__area", "intervention"]


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
    list_display = [
        "label",
        "scope_text",
        "offset",
        "unit",
        "anchor",
        "repeats",
        "ended_after",
        "is_active",
    ]
    list_filter = ["plan_kind", "inspection_outcome", "is_active"]
    search_fields = ["code", "label", "source"]


@admin.register(StatedDeadline)
class StatedDeadlineAdmin(AuditedAdmin):
    list_display = ["rule", "plan", "inspection", "due_on", "due_on_precision", "stated_in"]
    list_filter = ["rule"]
    list_select_related = ["rule", "plan__area", "inspection__area"]
    search_fields = ["stated_in", "source", "plan__title", "inspection__area__name"]
    raw_id_fields = ["plan", "inspection"]
    readonly_fields = ["what_the_rule_gives"]

    @admin.display(description="What the rule gives")
    def what_the_rule_gives(self, obj):
        if obj.pk is None:
            return "Shown once the date is saved."
        today = portal_today()
        if obj.plan_id:
            deadlines = plan_deadlines(obj.plan, today=today)
        else:
            deadlines = inspection_deadlines(obj.inspection, today=today)
        deadline = next((d for d in deadlines if d.rule.pk == obj.rule_id), None)
        if deadline is None or deadline.stated is None or deadline.stated.pk != obj.pk:
            return "This date is not in use now (the rule is off, met or for another review)."
        if not deadline.stated_differs:
            return f"The same date as the rule gives: {deadline.computed_text}."
        return f"The rule gives {deadline.computed_text}."


@admin.register(PlanImport)
class PlanImportAdmin(AuditedAdmin):
    list_display = ["filename", "plan", "uploaded_by", "uploaded_at", "state"]
    list_filter = ["state", "plan__area"]
    list_select_related = ["plan__area", "uploaded_by"]
    readonly_fields = ["uuid", "sha256", "size", "summary", "imported_at"]
