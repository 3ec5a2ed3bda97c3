from django.contrib import admin

from kit.admin import AuditedAdmin

from .models import (
    Finding,
    Inspection,
    Intervention,
    InterventionFinding,
    Judgement,
    LocalArea,
    Membership,
    Organisation,
    Partnership,
    ProgressReview,
)


class PartnershipInline(admin.TabularInline):
    model = Partnership
    extra = 0
    autocomplete_fields = ["organisation"]


class FindingInline(admin.StackedInline):
    model = Finding
    extra = 0
    fields = ["kind", "number", "text", "wording", "lead_organisation"]
    autocomplete_fields = ["lead_organisation"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(LocalArea)
class LocalAreaAdmin(AuditedAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PartnershipInline]


@admin.register(Partnership)
class PartnershipAdmin(AuditedAdmin):
    list_display = ["organisation", "area", "description"]
    list_filter = ["area"]
    list_select_related = ["organisation", "area"]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "area", "role", "organisation"]
    list_filter = ["area", "role"]
    list_select_related = ["user", "area", "organisation"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["organisation"]


@admin.register(Inspection)
class InspectionAdmin(AuditedAdmin):
    list_display = ["area", "title", "start_display", "outcome", "ref"]
    list_filter = ["framework", "kind", "area"]
    list_select_related = ["area"]
    search_fields = ["area__name", "ref", "outcome_text"]
    inlines = [FindingInline]

    @admin.display(description="Start", ordering="start_date")
    def start_display(self, obj):
        return obj.start or "—"


@admin.register(Finding)
class FindingAdmin(AuditedAdmin):
    list_display = ["__str__", "inspection", "short_text", "wording"]
    list_filter = ["kind", "wording", "inspection__area"]
    list_select_related = ["inspection__area"]
    search_fields = ["text"]
    autocomplete_fields = ["lead_organisation"]


@admin.register(ProgressReview)
class ProgressReviewAdmin(AuditedAdmin):
    list_display = ["__str__", "area", "kind", "conducted_by"]
    list_filter = ["kind", "area"]
    list_select_related = ["area"]


class InterventionFindingInline(admin.TabularInline):
    model = InterventionFinding
    extra = 0
    raw_id_fields = ["finding"]


@admin.register(Intervention)
class InterventionAdmin(AuditedAdmin):
    list_display = ["__str__", "area", "kind", "issued_on", "lifted_on"]
    list_filter = ["kind", "area"]
    list_select_related = ["area"]
    inlines = [InterventionFindingInline]


@admin.register(InterventionFinding)
class InterventionFindingAdmin(AuditedAdmin):
    list_display = ["intervention", "finding"]
    list_select_related = ["intervention__area", "finding__inspection"]
    raw_id_fields = ["finding"]


@admin.register(Judgement)
class JudgementAdmin(AuditedAdmin):
    list_display = ["finding", "verdict", "inspection", "review"]
    list_filter = ["verdict", "finding__inspection__area"]
    list_select_related = ["finding__inspection__area", "inspection__area", "review__area"]
