import datetime

from crispy_forms_gds.choices import Choice
from django import forms
from django.conf import settings
from django.utils import timezone

from actions.models import DELIVERY_MEANINGS, IMPACT_MEANINGS, DeliveryStatus, ImpactStatus
from inspections.forms_base import AuditedModelForm, GovDateField, PortalFormMixin, gov_errors

from .evidence import EvidenceProblem, check_evidence_file
from .models import Evidence, ProgressUpdate
from .services import status_changes


def _choices_with_meanings(choices, meanings):
    return [Choice(value, label, hint=meanings[value]) for value, label in choices]


class UpdateForm(AuditedModelForm):
    period_start = GovDateField(what="the date the update covers from")
    period_end = GovDateField(what="the date the update covers to")
    delivery_status = forms.ChoiceField(
        label="Delivery status",
        choices=_choices_with_meanings(DeliveryStatus.choices, DELIVERY_MEANINGS),
        widget=forms.RadioSelect,
        error_messages=gov_errors("the delivery status", required="Select the delivery status"),
    )
    impact_status = forms.ChoiceField(
        label="Impact on children, young people and families",
        choices=_choices_with_meanings(ImpactStatus.choices, IMPACT_MEANINGS),
        widget=forms.RadioSelect,
        error_messages=gov_errors("the impact status", required="Select the impact status"),
    )

    class Meta:
        model = ProgressUpdate
        fields = [
            "period_start",
            "period_end",
            "delivery_status",
            "impact_status",
            "status_change_reason",
            "narrative",
            "public_summary",
        ]
        labels = {
            "narrative": "Internal narrative",
            "public_summary": "Summary for families",
            "status_change_reason": "Reason for the change of status",
        }
        help_texts = {
            "narrative": "For the board and officers only. Never shown to the public.",
            "public_summary": (
                "Published on the area's public page once approved. Write in plain English "
                "for parents and carers, without names of children or families."
            ),
            "status_change_reason": (
                "Needed if the delivery or impact status differs from the action's current one."
            ),
        }
        error_messages = {
            "narrative": gov_errors("the internal narrative"),
            "public_summary": gov_errors("a summary for families"),
        }

    def __init__(self, *args, action, **kwargs):
        self.action = action
        super().__init__(*args, **kwargs)
        # Drafts are saved as work in progress; the reason is asked where it matters.
        self.fields["change_reason"].required = False
        self.fields["change_reason"].widget = forms.HiddenInput()
        if self.instance.pk is None and not self.is_bound:
            self.initial.setdefault("delivery_status", action.delivery_status)
            self.initial.setdefault("impact_status", action.impact_status)
        self.fields["status_change_reason"].required = False

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error(
                "period_end", "The date the update covers to must be the same as or after the start"
            )
        if end and end > timezone.localdate() + datetime.timedelta(days=31):
            self.add_error(
                "period_end", "The update cannot cover a period ending more than a month from now"
            )
        probe = ProgressUpdate(
            action=self.action,
            delivery_status=cleaned.get("delivery_status") or self.action.delivery_status,
            impact_status=cleaned.get("impact_status") or self.action.impact_status,
        )
        if status_changes(probe) and not (cleaned.get("status_change_reason") or "").strip():
            self.add_error("status_change_reason", "Enter the reason the status is changing")
        return cleaned


class EvidenceForm(PortalFormMixin, forms.ModelForm):
    submit_label = "Upload evidence"

    class Meta:
        model = Evidence
        fields = ["title", "file", "visibility"]
        labels = {"title": "Title of the evidence", "file": "File", "visibility": "Who can see it"}
        help_texts = {
            "title": "For example, Minutes of the June co-production workshop.",
            "file": "",
        }
        widgets = {"visibility": forms.RadioSelect}
        error_messages = {
            "title": gov_errors("a title for the evidence"),
            "file": {"required": "Select a file to upload", "empty": "The selected file is empty"},
            "visibility": {"required": "Select who can see the evidence"},
        }

    def __init__(self, *args, area=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"PDF, Word, Excel, PowerPoint, CSV, text, PNG or JPEG, up to "
            f"{settings.EVIDENCE_MAX_BYTES // (1024 * 1024)} MB. Do not upload anything "
            "that names a child or family."
        )
        self.fields["visibility"].choices = [(v, label) for v, label in Evidence.Visibility.choices]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.checked = check_evidence_file(upload)
        except EvidenceProblem as problem:
            raise forms.ValidationError(str(problem)) from None
        return upload


class TransitionForm(PortalFormMixin, forms.Form):
    """The reason (to return) or the publication time (to publish) for a workflow step."""

    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        error_messages=gov_errors(
            "the reason", max_length="The reason must be 2000 characters or fewer"
        ),
    )
    when = forms.ChoiceField(
        label="When should it appear on the public page?",
        choices=[("now", "Now"), ("later", "At a date and time I choose")],
        widget=forms.RadioSelect,
        initial="now",
        required=False,
    )
    publish_date = GovDateField(what="the publication date", required=False)
    publish_time = forms.TimeField(
        label="Time",
        help_text="24-hour clock, for example 09:30",
        required=False,
        error_messages={"invalid": "Enter the time like 09:30"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=True)

    def __init__(self, *args, transition, **kwargs):
        self.transition = transition
        super().__init__(*args, **kwargs)
        self.submit_label = transition.label
        if transition.slug == "return":
            self.fields["reason"].required = True
            self.fields["reason"].label = "Why are you returning this update?"
            self.fields["reason"].help_text = "The author will see this."
            self.fields["reason"].error_messages["required"] = (
                "Enter the reason you are returning this update"
            )
        else:
            self.fields["reason"].label = "Comment (optional)"
        if transition.slug != "publish":
            for name in ("when", "publish_date", "publish_time"):
                del self.fields[name]
        else:
            del self.fields["reason"]

    def clean(self):
        cleaned = super().clean()
        if self.transition.slug == "publish" and cleaned.get("when") == "later":
            day, time = cleaned.get("publish_date"), cleaned.get("publish_time")
            if day is None and "publish_date" not in self.errors:
                self.add_error("publish_date", "Enter the publication date")
            if time is None and "publish_time" not in self.errors:
                self.add_error("publish_time", "Enter the publication time")
            if day and time:
                moment = timezone.make_aware(datetime.datetime.combine(day, time))
                if moment <= timezone.now():
                    self.add_error(
                        "publish_date", "The publication date and time must be in the future"
                    )
                cleaned["publish_at"] = moment
        return cleaned
