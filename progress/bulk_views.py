"""The "Approve several updates" page: tick the submitted updates, give one reason, approve them.

Officers and area administrators only (``Can.APPROVE``). The rules and the
writes are the workflow's, one update at a time (``progress.bulk_approval``):
each update approved, or approved and published, in its own transaction, and
the result page says which were and, for the others, why not.
"""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from inspections.access import Can, get_area_for_user
from kit.forms import PortalFormMixin, gov_errors
from kit.plain_english import check_wording

from . import bulk_approval, workflow
from .models import ProgressUpdate

MAX_ID = 2**31 - 1


def _version_field(pk):
    return f"version-{pk}"


def _number(text):
    """``text`` as a database id or version, or None."""
    text = (text or "").strip()
    if not text.isdigit() or len(text) > 10 or int(text) > MAX_ID:
        return None
    return int(text)


class ApproveManyForm(PortalFormMixin, forms.Form):
    """Which updates, whether to publish them too, and one reason for all of them.

    Each ticked update carries the version the page showed (``version-<pk>``),
    so one changed since is not approved unseen. ``updates`` accepts any
    update of this area (the service says why one not waiting cannot be
    approved); one from another area, or made up, is an error on the page.
    """

    submit_label = "Approve the updates I ticked"

    updates = forms.MultipleChoiceField(
        label="Which updates do you approve?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select the updates you approve",
            "invalid_choice": "Select only updates from this list",
        },
    )
    publish = forms.ChoiceField(
        label="Publish them now as well?",
        widget=forms.RadioSelect,
        choices=[
            Choice(
                "no",
                "No, approve them only",
                hint="Each waits to be published from its action’s page, now or at a time "
                "you choose.",
            ),
            Choice(
                "yes",
                "Yes, approve them and publish them now",
                hint="Each goes on the area’s public page straight away. An update whose "
                "summary for families is above the reading-age limit is not approved here: "
                "approve and publish it on its own page.",
            ),
        ],
        error_messages={
            "required": "Select whether to publish the updates now as well",
            "invalid_choice": "Select whether to publish the updates now as well",
        },
    )
    reason = forms.CharField(
        label="Why are you approving them?",
        help_text="Kept in each update’s history with your name, for example “Agreed at the "
        "board meeting on 3 December”.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=gov_errors(
            "why you are approving them", max_length="The reason must be 500 characters or fewer"
        ),
    )

    def __init__(self, *args, area, shown, **kwargs):
        super().__init__(*args, **kwargs)
        self.area = area
        choices = [(str(update.pk), update.action.ref) for update in shown]
        if self.is_bound:
            # What was ticked may have left the list since the page was shown: any
            # update of this area is looked at (and refused, saying why, if need be).
            ticked = {_number(value) for value in self.data.getlist("updates")} - {None}
            listed = {update.pk for update in shown}
            choices += [
                (str(pk), "")
                for pk in ProgressUpdate.objects.filter(
                    action__plan__area=area, pk__in=ticked - listed
                ).values_list("pk", flat=True)
            ]
        self.fields["updates"].choices = choices

    def build_helper(self):
        helper = super().build_helper()
        # The checkboxes are laid out by the page (each with a link to read the update).
        helper.layout = Layout(
            Field("publish"), Field("reason"), Submit("submit", self.submit_label)
        )
        return helper

    def clean(self):
        cleaned = super().clean()
        versions = {}
        for value in cleaned.get("updates") or ():
            pk = int(value)
            version = _number(self.data.get(_version_field(pk)))
            if version is None:
                self.add_error("updates", "Select only updates from this list")
                break
            versions[pk] = version
        cleaned["versions"] = versions
        return cleaned


def _rows(form, shown):
    """Each update to tick: its checkbox id, whether it is ticked, the version it carries."""
    ticked = set(form.data.getlist("updates")) if form.is_bound else set()
    rows = []
    for number, update in enumerate(shown, start=1):
        # After an error the page keeps the version it was first shown at.
        posted = _number(form.data.get(_version_field(update.pk))) if form.is_bound else None
        rows.append(
            {
                "update": update,
                "id": f"id_updates_{number}",
                "ticked": str(update.pk) in ticked,
                "version_name": _version_field(update.pk),
                "version": update.version if posted is None else posted,
                # Said beside it, since "publish them now" passes it by (see bulk_approval).
                "hard_to_read": _above_reading_age(update),
            }
        )
    return rows


def _above_reading_age(update):
    check = check_wording(update.public_summary)
    return check is not None and check.above_level


def _why_not(update, user):
    """Why ``user`` may not approve ``update`` now (the workflow's own words), or None."""
    try:
        workflow.check(update, user, "approve")
    except PermissionDenied as problem:
        return str(problem)
    except ValidationError as problem:
        return " ".join(problem.messages)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def approve_many(request, area_slug):
    area = get_area_for_user(request, area_slug, Can.APPROVE)
    # What the person may approve is listed to tick; the rest, each with why not.
    shown, not_yours = [], []
    for update in bulk_approval.waiting(area):
        why_not = _why_not(update, request.user)
        if why_not:
            not_yours.append((update, why_not))
        else:
            shown.append(update)
    form = ApproveManyForm(request.POST or None, area=area, shown=shown)
    if request.method == "POST" and form.is_valid():
        publish = form.cleaned_data["publish"] == "yes"
        outcomes = bulk_approval.approve_many(
            area,
            form.cleaned_data["versions"],
            by=request.user,
            reason=form.cleaned_data["reason"],
            publish=publish,
        )
        done = [outcome for outcome in outcomes if outcome.done]
        return render(
            request,
            "progress/approve_many_done.html",
            {
                "area": area,
                "publish": publish,
                "done": done,
                "refused": [outcome for outcome in outcomes if not outcome.done],
                "title": (
                    f"{'Approved and published' if publish else 'Approved'} "
                    f"{len(done)} of {len(outcomes)} update{'s' if len(outcomes) != 1 else ''}"
                ),
            },
        )
    return render(
        request,
        "progress/approve_many.html",
        {
            "area": area,
            "form": form,
            "rows": _rows(form, shown),
            "not_yours": not_yours,
            "title": "Approve several updates",
        },
    )
