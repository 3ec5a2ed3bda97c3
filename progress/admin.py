from django.contrib import admin

from kit.admin import AuditedAdmin

from .models import (
    BoardMeeting,
    Evidence,
    Measure,
    MeasureValue,
    ProgressReport,
    ProgressUpdate,
    YouSaidWeDid,
)


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["title", "file", "visibility", "original_name", "content_type", "size"]
    readonly_fields = ["original_name", "content_type", "size"]


class MeasureValueInline(admin.TabularInline):
    model = MeasureValue
    extra = 0


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(AuditedAdmin):
    list_display = ["__str__", "state", "delivery_status", "impact_status", "author"]
    list_filter = ["state", "action__plan__area", "is_illustrative"]
    list_select_related = ["action", "author"]
    raw_id_fields = ["author", "approved_by"]
    inlines = [EvidenceInline]


@admin.register(Evidence)
class EvidenceAdmin(AuditedAdmin):
    list_display = ["title", "visibility", "update", "uploaded_at"]
    list_filter = ["visibility"]
    list_select_related = ["update__action"]
    raw_id_fields = ["uploaded_by"]


@admin.register(Measure)
class MeasureAdmin(AuditedAdmin):
    list_display = ["name", "area", "unit", "is_public", "is_illustrative"]
    list_filter = ["area", "unit", "is_illustrative"]
    list_select_related = ["area"]
    inlines = [MeasureValueInline]


@admin.register(MeasureValue)
class MeasureValueAdmin(AuditedAdmin):
    list_display = ["measure", "period_end", "value", "numerator", "denominator"]
    list_select_related = ["measure"]


@admin.register(BoardMeeting)
class BoardMeetingAdmin(AuditedAdmin):
    list_display = ["title", "area", "held_on", "is_published", "is_illustrative"]
    list_filter = ["area", "is_published"]
    list_select_related = ["area"]


@admin.register(YouSaidWeDid)
class YouSaidWeDidAdmin(AuditedAdmin):
    list_display = ["__str__", "area", "heard_on", "is_published", "is_illustrative"]
    list_filter = ["area", "is_published"]
    list_select_related = ["area"]


@admin.register(ProgressReport)
class ProgressReportAdmin(AuditedAdmin):
    list_display = ["__str__", "audience", "state", "sha256", "published_at"]
    list_filter = ["audience", "state", "plan__area"]
    list_select_related = ["plan__area"]
    readonly_fields = ["state", "number", "sha256", "pdf", "published_at", "published_by"]
