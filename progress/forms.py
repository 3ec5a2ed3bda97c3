import datetime

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import (
    ConditionalQuestion,
    ConditionalRadios,
    Div,
    Field,
    Layout,
    Submit,
)
from django import forms
from django.conf import settings
from django.db.models import Case, F, IntegerField, Value, When
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.functional import cached_property

from actions.forms import PlanChoiceField
from actions.models import DELIVERY_MEANINGS, IMPACT_MEANINGS, DeliveryStatus, ImpactStatus, Plan
from inspections.forms import FindingChoiceField
from inspections.models import Finding
from kit.forms import (
    AuditedModelForm,
    GovDateField,
    PortalFormMixin,
    RecordForm,
    gov_errors,
)
from kit.plain_english import (
    CONFIRM_FIELD,
    CheckedText,
    PlainEnglishFormMixin,
    check_wording,
    confirm_field,
    history_note,
)
from kit.two_person import two_person_rule_on

from . import publishing
from .evidence import EvidenceProblem, check_evidence_file
from .models import (
    REPORT_INTRODUCTION_MAX_CHARACTERS,
    BoardMeeting,
    Evidence,
    Measure,
    MeasureValue,
    ProgressReport,
    ProgressUpdate,
    YouSaidWeDid,
)
from .workflow import status_changes

# The name of the update form's second button, which checks the wording without saving.
CHECK_WORDING = "check_wording"


def _choices_with_meanings(choices, meanings):
    return [Choice(value, label, hint=meanings[value]) for value, label in choices]


class UpdateForm(AuditedModelForm):
    period_start = GovDateField(
        what="the start of the period covered",
        label="Start of the period covered",
        help_text="For example, 1 4 2025",
    )
    period_end = GovDateField(
        what="the end of the period covered",
        label="End of the period covered",
        help_text="For example, 30 6 2025",
    )
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
                "for parents and carers, without names of children or families. "
                "Use “Check the wording” to see its reading age and what to simplify."
            ),
            "status_change_reason": (
                "Needed if the delivery or impact status differs from the action's current one."
            ),
        }
        error_messages = {
            "narrative": gov_errors("the internal narrative"),
            "public_summary": gov_errors("a summary for families"),
        }

    def __init__(self, *args, action, checking_wording=False, **kwargs):
        self.action = action
        # "Check the wording" saves nothing, so it shows no errors about the other fields.
        self.checking_wording = checking_wording
        super().__init__(*args, **kwargs)
        # Drafts are saved as work in progress; the reason is asked where it matters.
        self.fields["change_reason"].required = False
        self.fields["change_reason"].widget = forms.HiddenInput()
        if self.instance.pk is None and not self.is_bound:
            self.initial.setdefault("delivery_status", action.delivery_status)
            self.initial.setdefault("impact_status", action.impact_status)
            # A new update usually starts where the last one ended.
            last = (
                ProgressUpdate.objects.filter(action=action)
                .order_by("-period_end")
                .values_list("period_end", flat=True)
                .first()
            )
            if last is not None:
                self.initial.setdefault("period_start", last + datetime.timedelta(days=1))
        self.fields["status_change_reason"].required = False

    def build_helper(self):
        # Save the draft, or check the summary's wording without saving (no JavaScript needed).
        helper = super().build_helper()
        fields = [item for item in helper.layout.fields if not isinstance(item, Submit)]
        helper.layout = Layout(
            *fields,
            Div(
                Submit("submit", self.submit_label),
                Submit(CHECK_WORDING, "Check the wording", css_class="govuk-button--secondary"),
                css_class="govuk-button-group",
            ),
        )
        return helper

    def full_clean(self):
        if self.checking_wording:
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    @cached_property
    def wording_checks(self):
        """The plain-English check of the summary for families as typed: guidance for a draft."""
        if self.is_bound:
            text = self.data.get(self.add_prefix("public_summary"), "")
        else:
            text = self.initial.get("public_summary") or self.instance.public_summary
        check = check_wording(text)
        if check is None:
            return []
        return [CheckedText("the summary for families", "public_summary", check)]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error(
                "period_end", "The end of the period covered must be the same as or after the start"
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


# The name of the approve page's second button: approve, then publish at once.
APPROVE_AND_PUBLISH = "approve_and_publish"


class TransitionForm(PortalFormMixin, forms.Form):
    """The reason (to return) or the publication time (to publish) for a workflow step.

    The approve page (``offer_publish``) has two buttons: "Approve and publish
    now" (``APPROVE_AND_PUBLISH``; ``publishing_too`` says it was pressed) and
    "Approve only", which leaves the publication, now or at a chosen time, to
    the publish page. An update whose summary for families is above the
    reading-age limit has "Approve" alone (``publish_now_refused`` says why):
    publishing it needs the confirmation the publish page asks for.
    """

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
    # A text input (not Django's TimeInput) so it is a GOV.UK input: its text
    # size, width and red error border.
    publish_time = forms.TimeField(
        label="Time",
        help_text="24-hour clock, for example 09:30",
        required=False,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-5", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={"invalid": "Enter the time like 09:30"},
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput, required=True, min_value=0, max_value=2**31 - 1
    )

    def __init__(self, *args, transition, update=None, offer_publish=False, **kwargs):
        self.transition = transition
        super().__init__(*args, **kwargs)
        self.submit_label = transition.label
        self.offer_publish = offer_publish and transition.slug == "approve"
        self.publishing_too = self.offer_publish and APPROVE_AND_PUBLISH in self.data
        # The plain-English check of the summary for families, shown on every step's page.
        check = check_wording(update.public_summary) if update is not None else None
        self.wording_checks = (
            [CheckedText("the summary for families", "public_summary", check)] if check else []
        )
        # A summary above the reading-age limit is published only after the publisher
        # confirms the wording, on the publish page: it is not approved and published
        # in one go.
        self.publish_now_refused = ""
        if self.offer_publish and check is not None and check.above_level:
            self.publish_now_refused = (
                f"Its summary for families has a reading age of {check.reading_age}, above "
                f"the limit of {check.level}, so it cannot be approved and published in one "
                "go. Approve it here and publish it from the action’s page, where you confirm "
                "you have checked the wording, or return it for changes."
            )
        if transition.slug == "publish" and check is not None and check.above_level:
            # What an approved update says is fixed: the choice is to publish it or not.
            self.fields[CONFIRM_FIELD] = confirm_field(
                required=True,
                hint=(
                    f"Its summary for families has a reading age of {check.reading_age}, above "
                    f"the limit of {check.level}. An approved update cannot be changed: to say it "
                    "more simply, write a new update instead of publishing this one."
                ),
            )
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

    def build_helper(self):
        helper = super().build_helper()
        if self.offer_publish and not self.publish_now_refused:
            fields = [item for item in helper.layout.fields if not isinstance(item, Submit)]
            helper.layout = Layout(
                *fields,
                Div(
                    Submit(APPROVE_AND_PUBLISH, "Approve and publish now"),
                    Submit("submit", "Approve only", css_class="govuk-button--secondary"),
                    css_class="govuk-button-group",
                ),
            )
            return helper
        if self.transition.slug != "publish":
            return helper
        # The date and time show under "At a date and time I choose" only when it
        # is chosen (GOV.UK conditional reveal); without JavaScript they always show.
        rest = [
            item
            for item in helper.layout.fields
            if not (isinstance(item, Field) and item.fields[0] in self.PUBLISH_FIELDS)
        ]
        helper.layout = Layout(
            ConditionalRadios(
                "when",
                "Now",
                ConditionalQuestion(
                    "At a date and time I choose", Field("publish_date"), Field("publish_time")
                ),
            ),
            *rest,
        )
        return helper

    PUBLISH_FIELDS = ("when", "publish_date", "publish_time")

    def clean(self):
        cleaned = super().clean()
        if self.publishing_too and self.publish_now_refused:
            self.add_error(None, self.publish_now_refused)
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

    @property
    def wording_note(self):
        """'reading age N' for the publishing save's history reason, or ''."""
        if self.transition.slug != "publish":
            return ""
        return history_note(
            self.wording_checks, confirmed=bool(self.cleaned_data.get(CONFIRM_FIELD))
        )


# Board: records editing (measures, values, meetings)


def _number_errors(what, example):
    """GOV.UK messages for a decimal with up to 8 whole digits and 2 decimal places."""
    capital = f"{what[0].upper()}{what[1:]}"
    return {
        "required": f"Enter {what}",
        "invalid": f"{capital} must be a number, like {example}",
        "max_digits": f"{capital} must be less than 100,000,000",
        "max_whole_digits": f"{capital} must be less than 100,000,000",
        "max_decimal_places": f"{capital} can have no more than 2 decimal places",
    }


class MeasureForm(RecordForm):
    """An aggregate measure of the area's progress, never data about one child."""

    scope_fields = ("area",)
    constraint_fields = {"progress_measure_target_after_baseline": "target_date"}

    slug = forms.SlugField(
        label="Short name",
        max_length=80,
        help_text=(
            "Unique within the area, using lower-case letters, numbers and hyphens. "
            "For example, ehcp-within-20-weeks."
        ),
        error_messages=gov_errors(
            "a short name for the measure",
            invalid=(
                "The short name must only include lower-case letters, numbers and hyphens, "
                "like ehcp-within-20-weeks"
            ),
            max_length="The short name must be 80 characters or fewer",
        ),
    )
    unit = forms.ChoiceField(
        label="Unit",
        choices=Measure.Unit.choices,
        widget=forms.RadioSelect,
        error_messages=gov_errors(
            "the unit", required="Select the unit", invalid="Select the unit"
        ),
    )
    baseline = forms.DecimalField(
        label="Baseline (optional)",
        help_text="The figure before the improvement work began. For example, 42.5",
        required=False,
        max_digits=10,
        decimal_places=2,
        error_messages=_number_errors("the baseline", "42.5"),
    )
    baseline_date = GovDateField(
        what="the baseline date",
        required=False,
        label="Date of the baseline (optional)",
        help_text="For example, 31 3 2024",
    )
    target = forms.DecimalField(
        label="Target (optional)",
        help_text="For example, 60",
        required=False,
        max_digits=10,
        decimal_places=2,
        error_messages=_number_errors("the target", "60"),
    )
    target_date = GovDateField(
        what="the target date",
        required=False,
        label="Target date (optional)",
        help_text="For example, 31 3 2026",
    )
    national_comparator = forms.DecimalField(
        label="National figure (optional)",
        help_text="For example, 46.4",
        required=False,
        max_digits=10,
        decimal_places=2,
        error_messages=_number_errors("the national figure", "46.4"),
    )
    plan = PlanChoiceField(
        label="Plan it measures (optional)",
        queryset=Plan.objects.none(),
        required=False,
        empty_label="No particular plan",
        error_messages=gov_errors("the plan", invalid="Select one of this area’s plans"),
    )
    finding = FindingChoiceField(
        label="Finding it measures (optional)",
        queryset=Finding.objects.none(),
        with_inspection=True,
        required=False,
        empty_label="No particular finding",
        error_messages=gov_errors("the finding", invalid="Select one of this area’s findings"),
    )

    class Meta:
        model = Measure
        fields = [
            "name",
            "slug",
            "definition",
            "source",
            "unit",
            "higher_is_better",
            "baseline",
            "baseline_date",
            "target",
            "target_date",
            "national_comparator",
            "national_comparator_label",
            "plan",
            "finding",
            "is_public",
        ]
        labels = {
            "name": "Name of the measure",
            "definition": "Definition",
            "source": "Source of the figures",
            "higher_is_better": "Higher figures are better",
            "national_comparator_label": "National figure: period and source (optional)",
            "is_public": "Show this measure on the area’s public page",
        }
        help_texts = {
            "name": "For example, New EHC plans issued within 20 weeks.",
            "definition": "Exactly what is counted, and over what period. Never a single child.",
            "source": "Where the figures come from, for example SEN2 returns.",
            "higher_is_better": "Untick for measures where a lower figure is better, such as waiting times.",
            "national_comparator_label": "For example, England, calendar year 2023 (SEN2).",
            "is_public": "",
        }
        error_messages = {
            "name": gov_errors(
                "the name of the measure", max_length="The name must be 200 characters or fewer"
            ),
            "definition": gov_errors("the definition of the measure"),
            "source": gov_errors(
                "where the figures come from",
                max_length="The source must be 300 characters or fewer",
            ),
            "national_comparator_label": gov_errors(
                "the period and source of the national figure",
                max_length="The period and source must be 200 characters or fewer",
            ),
        }
        widgets = {"definition": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.filter(area=self.area).order_by("ref")
        self.fields["finding"].queryset = (
            Finding.objects.filter(inspection__area=self.area)
            .select_related("inspection")
            .order_by("inspection__start_date", "inspection__pk", "kind_rank", "number")
        )

    def clean(self):
        cleaned = super().clean()
        baseline, target = cleaned.get("baseline_date"), cleaned.get("target_date")
        if baseline and target and target <= baseline:
            self.add_error("target_date", "The target date must be after the baseline date")
        return cleaned


class MeasureValueForm(RecordForm):
    """A measure's figure for one period: a value, or the counts a rate is worked out from."""

    scope_fields = ("measure",)
    constraint_fields = {
        "progress_measurevalue_has_figure": "value",
        "progress_measurevalue_counts_consistent": "denominator",
    }

    period_end = GovDateField(
        what="the end of the period", label="Period ending", help_text="For example, 30 6 2025"
    )
    value = forms.DecimalField(
        label="Value (optional if you give the counts)",
        help_text="For example, 2.3",
        required=False,
        max_digits=10,
        decimal_places=2,
        error_messages=_number_errors("the value", "2.3"),
    )
    numerator = forms.IntegerField(
        label="Number meeting the measure (optional)",
        help_text="For a rate, how many met it. For example, 45",
        required=False,
        min_value=0,
        error_messages={
            "invalid": "The number meeting the measure must be a whole number, like 45",
            "min_value": "The number meeting the measure must be 0 or more",
        },
    )
    denominator = forms.IntegerField(
        label="Total (optional)",
        help_text="For a rate, how many there were in all. For example, 60",
        required=False,
        min_value=1,
        error_messages={
            "invalid": "The total must be a whole number, like 60",
            "min_value": "The total must be 1 or more",
        },
    )

    class Meta:
        model = MeasureValue
        fields = ["period_end", "period_label", "value", "numerator", "denominator", "note"]
        labels = {"period_label": "Period label (optional)", "note": "Note (optional)"}
        help_texts = {
            "period_label": "For example, Q1 2025",
            "note": "For example, provisional figure.",
        }
        error_messages = {
            "period_label": gov_errors(
                "the period label", max_length="The period label must be 60 characters or fewer"
            ),
            "note": gov_errors("the note", max_length="The note must be 300 characters or fewer"),
        }

    def __init__(self, *args, measure, **kwargs):
        self.measure = measure
        super().__init__(*args, **kwargs)
        self.fields["value"].help_text = (
            f"In {measure.get_unit_display().lower()}. For example, 2.3. Leave blank if you "
            "give the counts below instead."
        )

    def clean(self):
        cleaned = super().clean()
        value = cleaned.get("value")
        numerator, denominator = cleaned.get("numerator"), cleaned.get("denominator")
        failed = {"value", "numerator", "denominator"} & set(self.errors)
        if failed:
            return cleaned
        if numerator is not None and denominator is None:
            self.add_error("denominator", "Enter the total")
        elif denominator is not None and numerator is None:
            self.add_error("numerator", "Enter the number meeting the measure")
        elif numerator is not None and numerator > denominator:
            self.add_error(
                "numerator", "The number meeting the measure cannot be more than the total"
            )
        elif value is None and numerator is None:
            self.add_error("value", "Enter a value, or the counts it is worked out from")
        return cleaned


class SecondPersonPublishes:
    """A public record's form: with the two-person rule on, its writer may not publish it.

    Given the signed-in ``user``, the "publish" box is disabled, with the
    reason, for someone who wrote or changed the unpublished public text, and
    ticking it while changing that text is refused with the same reason. The
    service (``progress.publishing.save_public_record``) checks again.
    """

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user is None or not two_person_rule_on():
            return
        model = type(self.instance)
        field = self.fields["is_published"]
        if publishing.writer_may_not_publish(self.instance, user):
            field.disabled = True
            field.help_text = publishing.wrote_it(model)
        else:
            field.help_text = " ".join(
                filter(
                    None,
                    [
                        str(field.help_text or ""),
                        "Another officer must publish text you write or change.",
                    ],
                )
            )

    def clean(self):
        cleaned = super().clean()
        if self.user is None or not cleaned.get("is_published"):
            return cleaned
        model = type(self.instance)
        values = {
            field: cleaned.get(field, getattr(self.instance, field))
            for field in publishing.PUBLIC_TEXT[model]
        }
        values["is_published"] = True
        stored = self.instance if self.instance.pk is not None else None
        problem = publishing.publish_problem(model, values, stored, self.user)
        if problem:
            self.add_error("is_published", problem)
        return cleaned


class BoardMeetingForm(SecondPersonPublishes, RecordForm):
    scope_fields = ("area",)
    constraint_fields = {"progress_boardmeeting_unique": "held_on"}

    held_on = GovDateField(
        what="the date of the meeting",
        label="Date of the meeting",
        help_text="For example, 14 5 2025",
    )

    class Meta:
        model = BoardMeeting
        fields = [
            "held_on",
            "title",
            "what_was_said",
            "what_we_will_do",
            "internal_minutes",
            "is_published",
        ]
        labels = {
            "title": "Name of the meeting",
            "what_was_said": "What was said (optional)",
            "what_we_will_do": "What we will do (optional)",
            "internal_minutes": "Internal minutes and decisions (optional)",
            "is_published": "Publish the public summary",
        }
        help_texts = {
            "title": "For example, SEND improvement board.",
            "what_was_said": "Public: shown to families once published. No names of children or families.",
            "what_we_will_do": "Public: shown to families once published.",
            "internal_minutes": "For the board and officers only. Never shown to the public.",
            "is_published": "Shows what was said and what we will do on the area’s public page.",
        }
        error_messages = {
            "title": gov_errors(
                "the name of the meeting",
                max_length="The name of the meeting must be 200 characters or fewer",
            ),
            "what_was_said": gov_errors("what was said"),
            "what_we_will_do": gov_errors("what we will do"),
            "internal_minutes": gov_errors("the internal minutes"),
        }
        widgets = {
            "what_was_said": forms.Textarea(attrs={"rows": 4}),
            "what_we_will_do": forms.Textarea(attrs={"rows": 4}),
            "internal_minutes": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_published") and not (
            (cleaned.get("what_was_said") or "").strip()
            or (cleaned.get("what_we_will_do") or "").strip()
        ):
            self.add_error(
                "is_published",
                "Enter what was said or what we will do before publishing the public summary",
            )
        return cleaned


class YouSaidWeDidForm(SecondPersonPublishes, PlainEnglishFormMixin, RecordForm):
    scope_fields = ("area",)
    plain_english_fields = {"you_said": "“You said”", "we_did": "“We did”"}

    heard_on = GovDateField(
        what="the date families raised it",
        label="When families raised it",
        help_text="For example, 14 5 2025",
    )

    class Meta:
        model = YouSaidWeDid
        fields = ["heard_on", "source", "you_said", "we_did", "is_published"]
        labels = {
            "source": "Where it was raised (optional)",
            "you_said": "You said",
            "we_did": "We did",
            "is_published": "Publish this on the area’s public page",
        }
        help_texts = {
            "source": "For example, the parent carer forum’s spring survey.",
            "you_said": "What families told you, in their words where you can. No names.",
            "we_did": "What changed because of it.",
        }
        error_messages = {
            "you_said": gov_errors("what families said"),
            "we_did": gov_errors("what you did"),
            "source": gov_errors(
                "where it was raised",
                max_length="Where it was raised must be 200 characters or fewer",
            ),
        }
        widgets = {
            "you_said": forms.Textarea(attrs={"rows": 4}),
            "we_did": forms.Textarea(attrs={"rows": 4}),
        }

    def text_is_public(self, values):
        return bool(values.get("is_published"))


class ReportRequestForm(PlainEnglishFormMixin, PortalFormMixin, forms.Form):
    """Which plan, period and audience a new progress report covers, and its introduction.

    A public report's introduction is public text: the plain-English check
    reads it, and above the reading age limit asks the officer to confirm.
    ``reason("Report requested")`` adds its reading age to the history.
    """

    submit_label = "Generate the report"
    plain_english_fields = {"introduction": "the introduction"}

    plan = forms.ModelChoiceField(
        label="Plan",
        queryset=Plan.objects.none(),
        error_messages={
            "required": "Select the plan the report is about",
            "invalid_choice": "Select one of this area’s plans",
        },
    )
    audience = forms.ChoiceField(
        label="Who is it for?",
        choices=[
            Choice(
                ProgressReport.Audience.BOARD,
                "Board pack (internal)",
                hint="Includes internal narratives, updates waiting for approval and the change log.",
            ),
            Choice(
                ProgressReport.Audience.PUBLIC,
                "Public report",
                hint="Only published text and public evidence, for families and the Local Offer.",
            ),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select who the report is for"},
    )
    period_start = GovDateField(
        what="the start of the period",
        label="Start of the period",
        help_text="For example, 1 4 2026",
    )
    period_end = GovDateField(
        what="the end of the period", label="End of the period", help_text="For example, 30 9 2026"
    )
    introduction = forms.CharField(
        label="Introduction (optional)",
        required=False,
        max_length=REPORT_INTRODUCTION_MAX_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=(
            "A few sentences at the top of the report: what it covers and anything readers "
            "should know first. In a public report families read it, so write in plain English: "
            f"short sentences and everyday words. Up to {REPORT_INTRODUCTION_MAX_CHARACTERS:,} "
            "characters."
        ),
        error_messages=gov_errors(
            "the introduction",
            max_length=(
                f"The introduction must be {REPORT_INTRODUCTION_MAX_CHARACTERS:,} characters "
                "or fewer"
            ),
        ),
    )

    def text_is_public(self, values):
        return values.get("audience") == ProgressReport.Audience.PUBLIC

    def __init__(self, *args, area, **kwargs):
        super().__init__(*args, **kwargs)
        # Plans still open first (a replaced or closed plan is rarely reported on),
        # then the plan answering the latest inspection.
        finished = [Plan.Status.SUPERSEDED, Plan.Status.CLOSED]
        self.fields["plan"].queryset = (
            Plan.objects.filter(area=area)
            .annotate(
                finished=Case(
                    When(status__in=finished, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            )
            .order_by("finished", F("responds_to__start_date").desc(nulls_last=True), "-pk")
        )
        self.fields["plan"].label_from_instance = lambda plan: (
            f"{plan.title} ({plan.get_kind_display().lower()}, {plan.get_status_display().lower()})"
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The end of the period must be on or after its start")
        return cleaned
