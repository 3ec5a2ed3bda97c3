from django import forms
from django.contrib import admin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin


class SuperuserAdminSite(admin.AdminSite):
    site_header = "SEND Improvement Portal administration"
    site_title = "SEND Improvement Portal administration"
    index_title = "Records and their history"

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser


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
        obj._change_reason = form.cleaned_data["change_reason"]
        request._portal_change_reason = obj._change_reason
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        reason = getattr(request, "_portal_change_reason", None) or form.cleaned_data.get(
            "change_reason"
        )
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj._history_user = request.user
            obj._change_reason = reason
            obj.delete()
        for instance in instances:
            instance._history_user = request.user
            instance._change_reason = reason
            instance.save()
        formset.save_m2m()

    def delete_model(self, request, obj):
        obj._history_user = request.user
        obj._change_reason = "Deleted in the administration site"
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # The "delete selected" action: Django's default deletes the queryset in
        # one go, which records the user but no reason; delete each object as
        # the delete page does, so both ways leave the same history.
        with transaction.atomic(using=queryset.db):
            for obj in queryset:
                self.delete_model(request, obj)
