"""The board's pages that withdraw a published update or public report (``progress/withdrawal.py``).

Each is one page that says what withdrawal does and that it cannot be undone,
asks for the reason the public will see, and withdraws only when the officer
presses "Withdraw". Officers and the area's admin may (``Can.APPROVE``);
other members are refused, and people outside the area find nothing.
"""

from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from inspections.access import get_area_for_user, get_in_area
from kit.forms import PortalFormMixin
from kit.links import action_url
from kit.plain_english import CONFIRM_FIELD, CONFIRM_LABEL, confirm_field
from kit.versioning import EditConflict

from . import withdrawal
from .models import WITHDRAW_REASON_MAX_CHARACTERS, ProgressReport, ProgressUpdate


class WithdrawForm(PortalFormMixin, forms.Form):
    """The reason for withdrawal: public text, so checked for plain English.

    A reason with a reading age above the limit needs "Publish anyway: I have
    checked the wording" ticked; the box appears only then.
    """

    reason = forms.CharField(
        label="Why are you withdrawing it?",
        help_text=(
            "Shown on the area’s public pages in its place, for example “Withdrawn on 3 December "
            "2026: the figures in this update were wrong. A corrected update will follow.” Write "
            "in plain English for parents and carers, without names of children or families."
        ),
        widget=forms.Textarea,
        required=False,
        strip=False,
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1
    )

    def __init__(self, *args, what, **kwargs):
        super().__init__(*args, **kwargs)
        self.submit_label = f"Withdraw this {what}"
        self.fields[CONFIRM_FIELD] = confirm_field(required=False)
        self.wording_checks = []
        self.wording_needs_confirmation = False

    def build_helper(self):
        helper = super().build_helper()
        items = [Field.textarea("reason", rows=5, max_characters=WITHDRAW_REASON_MAX_CHARACTERS)]
        if self.wording_needs_confirmation:
            items.append(Field(CONFIRM_FIELD))
        helper.layout = Layout(
            *items, Submit("submit", self.submit_label, css_class="govuk-button--warning")
        )
        return helper

    def clean_reason(self):
        reason = withdrawal.normalise(self.cleaned_data.get("reason"))
        problem = withdrawal.reason_problem(reason)
        if problem:
            raise forms.ValidationError(problem)
        return reason

    def clean(self):
        cleaned = super().clean()
        reason = cleaned.get("reason")
        if not reason:
            return cleaned
        self.wording_checks = withdrawal.reason_wording(reason)
        above = [item for item in self.wording_checks if item.check.above_level]
        if not above:
            return cleaned
        self.wording_needs_confirmation = True
        if not cleaned.get(CONFIRM_FIELD):
            check = above[0].check
            self.add_error(
                "reason",
                f"The reason has a reading age of {check.reading_age}, above the limit of "
                f"{check.level}. Make it simpler, or tick “{CONFIRM_LABEL}”",
            )
        return cleaned

    @property
    def wording_confirmed(self):
        return bool(self.is_bound and self.cleaned_data.get(CONFIRM_FIELD))


def _add_service_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
    else:
        for problem in error.messages:
            form.add_error(None, problem)


DONE = (
    "{What} withdrawn. The area’s public pages now show “{notice}” in its place. "
    "The board still sees it, marked withdrawn."
)


@login_required
@require_http_methods(["GET", "POST"])
def update_withdraw(request, area_slug, pk):
    """Withdraw a published update, after saying what that does and asking why."""
    area = get_area_for_user(request, area_slug, withdrawal.WITHDRAW)
    update = get_in_area(
        request,
        area,
        ProgressUpdate.objects.select_related("action__plan__area", "withdrawn_by"),
        area_path="action__plan__area",
        pk=pk,
        need=withdrawal.WITHDRAW,
    )
    back = action_url(area, update.action, anchor=f"update-{update.pk}")
    if update.state != ProgressUpdate.State.PUBLISHED and request.method == "GET":
        if update.state == ProgressUpdate.State.WITHDRAWN:
            messages.info(request, "This update has already been withdrawn.")
        else:
            messages.info(request, "Only a published update can be withdrawn.")
        return redirect(back)
    form = WithdrawForm(request.POST or None, what="update", initial={"version": update.version})
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            update = withdrawal.withdraw_update(
                update,
                by=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
                confirmed_wording=form.wording_confirmed,
            )
        except EditConflict:
            conflict = True
            form.add_error(
                None,
                "Someone else changed this update while you were on this page. It has not been "
                "withdrawn. Go back to the action and check it again.",
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, DONE.format(What="Update", notice=withdrawal.notice(update)))
            return redirect(back)
    return render(
        request,
        "progress/withdraw.html",
        {
            "area": area,
            "update": update,
            "form": form,
            "what": "update",
            "title": f"Withdraw the update on action {update.action.ref}",
            "back_url": back,
        },
        status=409 if conflict else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_withdraw(request, area_slug, pk):
    """Withdraw a published public report, after saying what that does and asking why."""
    area = get_area_for_user(request, area_slug, withdrawal.WITHDRAW)
    report = get_in_area(
        request,
        area,
        ProgressReport.objects.filter(audience=ProgressReport.Audience.PUBLIC).select_related(
            "plan__area", "withdrawn_by"
        ),
        area_path="plan__area",
        pk=pk,
        need=withdrawal.WITHDRAW,
    )
    back = reverse("progress:report", kwargs={"area_slug": area.slug, "pk": report.pk})
    if report.state != ProgressReport.State.PUBLISHED and request.method == "GET":
        if report.state == ProgressReport.State.WITHDRAWN:
            messages.info(request, "This report has already been withdrawn.")
        else:
            messages.info(request, "Only a published report can be withdrawn.")
        return redirect(back)
    form = WithdrawForm(request.POST or None, what="report")
    if request.method == "POST" and form.is_valid():
        try:
            report = withdrawal.withdraw_report(
                report,
                by=request.user,
                reason=form.cleaned_data["reason"],
                confirmed_wording=form.wording_confirmed,
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, DONE.format(What="Report", notice=withdrawal.notice(report)))
            return redirect(back)
    return render(
        request,
        "progress/withdraw.html",
        {
            "area": area,
            "report": report,
            "form": form,
            "what": "report",
            "title": f"Withdraw report {report.number}",
            "back_url": back,
        },
    )
