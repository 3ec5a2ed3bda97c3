"""Deleting a draft update: its author, or an officer, while it is a draft or returned.

Kept apart from the other update pages; the rule and the write are the
workflow's (``progress.workflow``'s ``delete`` step and ``delete_update``).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from inspections.access import Can, get_area_for_user, get_in_area
from kit.forms import PortalFormMixin
from kit.links import action_url
from kit.versioning import EditConflict

from . import workflow
from .models import ProgressUpdate


class DeleteDraftForm(PortalFormMixin, forms.Form):
    submit_label = "Delete this draft"

    version = forms.IntegerField(
        widget=forms.HiddenInput, required=True, min_value=0, max_value=2**31 - 1
    )


@login_required
@require_http_methods(["GET", "POST"])
def update_delete(request, area_slug, pk):
    area = get_area_for_user(request, area_slug, Can.UPDATE)
    update = get_in_area(
        request,
        area,
        ProgressUpdate.objects.select_related("action__plan__area", "author"),
        area_path="action__plan__area",
        pk=pk,
        need=Can.UPDATE,
    )
    action = update.action
    back = action_url(area, action)
    try:
        workflow.check(update, request.user, "delete")
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(back + f"#update-{update.pk}")
    form = DeleteDraftForm(request.POST or None, initial={"version": update.version})
    if request.method == "POST" and form.is_valid():
        try:
            workflow.delete_update(
                update, by=request.user, expected_version=form.cleaned_data["version"]
            )
        except EditConflict:
            form.add_error(
                None,
                "Someone else changed this update while you were looking at it. "
                "Check the update again before you delete it.",
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, workflow.STEPS["delete"].done)
            return redirect(back + "#updates")
    return render(
        request,
        "progress/update_delete.html",
        {
            "area": area,
            "action": action,
            "update": update,
            "form": form,
            "title": f"Delete draft update on action {action.ref}",
            "back_url": back + f"#update-{update.pk}",
        },
    )
