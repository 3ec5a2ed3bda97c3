from django.contrib import admin

from kit.admin import AuditedAdmin

from .models import (
    BoardMeeting,
    Evidence,
    ForumReply,
    ForumResponse,
    Measure,
    MeasureValue,
    ProgressReport,
    ProgressUpdate,
    YouSaidWeDid,
)


def _update_is_fixed(update):
    """A submitted, approved or published update says what it said: the workflow alone moves it."""
    return update is not None and update.pk and update.state not in ProgressUpdate.EDITABLE_STATES


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["title", "file", "visibility", "original_name", "content_type", "size"]
    readonly_fields = ["original_name", "content_type", "size"]

    # ``obj`` is the update: its evidence is fixed with it.
    def has_add_permission(self, request, obj=None):
        return not _update_is_fixed(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _update_is_fixed(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _update_is_fixed(obj) and super().has_delete_permission(request, obj)


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
    # Once submitted, what an update says, its state and its workflow record are
    # fixed here too: only the workflow moves it on, and a published update can
    # be neither changed nor unpublished (moved back to draft, or its
    # publication time moved on). A correction is a new update.
    fixed_once_submitted = [
        *ProgressUpdate.CONTENT_FIELDS,
        "action",
        "state",
        "return_reason",
        "author",
        "submitted_at",
        "approved_by",
        "approved_at",
        "publish_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if _update_is_fixed(obj):
            readonly += [name for name in self.fixed_once_submitted if name not in readonly]
        return readonly

    def has_change_permission(self, request, obj=None):
        # Published or withdrawn: view only. Withdrawal is its own audited step
        # (progress/withdrawal.py), never an admin edit, and cannot be undone.
        if obj is not None and obj.state in (
            ProgressUpdate.State.PUBLISHED,
            ProgressUpdate.State.WITHDRAWN,
        ):
            return False  # view only
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if _update_is_fixed(obj):
            return False
        return super().has_delete_permission(request, obj)


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


# Published or withdrawn (withdrawal is its own audited step, progress/withdrawal.py).
FROZEN_REPORT_STATES = (ProgressReport.State.PUBLISHED, ProgressReport.State.WITHDRAWN)


@admin.register(ProgressReport)
class ProgressReportAdmin(AuditedAdmin):
    list_display = ["__str__", "audience", "state", "sha256", "published_at"]
    list_filter = ["audience", "state", "plan__area"]
    list_select_related = ["plan__area"]
    readonly_fields = ["state", "number", "sha256", "pdf", "published_at", "published_by"]
    # What a report is of, and for whom, is fixed once it is asked for: changing the
    # audience of a board pack would serve the internal pack publicly. A
    # published report cannot be changed or deleted at all.
    fixed_once_requested = ["plan", "audience", "period_start", "period_end", "introduction"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk:
            readonly += [name for name in self.fixed_once_requested if name not in readonly]
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.state in FROZEN_REPORT_STATES:
            return False  # view only
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.state in FROZEN_REPORT_STATES:
            return False
        return super().has_delete_permission(request, obj)


class FixedOnceWrittenAdmin(AuditedAdmin):
    """The parent carer forum's words and the board's replies: read-only once written.

    A superuser may still delete one (for example if it names a child), with
    the deletion in its history; nobody may change what it says (the models
    refuse that too).
    """

    fixed_fields = ()

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + list(self.fixed_fields) if obj is not None else readonly


@admin.register(ForumResponse)
class ForumResponseAdmin(FixedOnceWrittenAdmin):
    list_display = ["__str__", "kind", "responded_at", "answered_at", "is_illustrative"]
    list_filter = ["kind", "update__action__plan__area"]
    list_select_related = ["update__action"]
    raw_id_fields = ["update", "responded_by"]
    fixed_fields = ["update", "kind", "text", "responded_by", "responded_at", "answered_at"]


@admin.register(ForumReply)
class ForumReplyAdmin(FixedOnceWrittenAdmin):
    list_display = ["__str__", "replied_at", "is_illustrative"]
    list_select_related = ["challenge__update__action"]
    raw_id_fields = ["challenge", "replied_by"]
    fixed_fields = ["challenge", "text", "replied_by", "replied_at"]
