"""The admin base class every app's admin uses: history, the acting user and a reason."""

from django import forms
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from .versioning import delete_with_history, save_with_history


class ChangeReasonForm(forms.ModelForm):
    """An admin form that asks why, so every change made here has a reason in history."""

    change_reason = forms.CharField(
        label="Reason for this change",
        help_text="Recorded in the history with your name, for example “Corrected the date from the report”.",
        max_length=500,
        widget=forms.TextInput(attrs={"size": 80}),
        error_messages={"required": "Enter the reason for this change"},
    )


class AuditedAdmin(SimpleHistoryAdmin):
    """Admin with history, the acting user and a required reason on every save."""

    form = ChangeReasonForm

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data["change_reason"]
        request._portal_change_reason = reason
        # Through the one write path: the version goes up, so a board form
        # opened before this edit is shown a conflict rather than saving over it.
        save_with_history(obj, by=request.user, reason=reason)

    def save_formset(self, request, form, formset, change):
        reason = getattr(request, "_portal_change_reason", None) or form.cleaned_data.get(
            "change_reason"
        )
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            delete_with_history(obj, by=request.user, reason=reason)
        for instance in instances:
            save_with_history(instance, by=request.user, reason=reason)
        formset.save_m2m()

    def delete_model(self, request, obj):
        delete_with_history(obj, by=request.user, reason="Deleted in the administration site")

    def delete_queryset(self, request, queryset):
        # The "delete selected" action: Django's default deletes the queryset in
        # one go, which records the user but no reason; delete each object as
        # the delete page does, so both ways leave the same history.
        with transaction.atomic(using=queryset.db):
            for obj in queryset:
                self.delete_model(request, obj)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Admin for records only the portal writes (the mail outbox): list, view and history only.

    Nothing can be added, changed or deleted here, so a record's history shows
    only what the portal did with it.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
