from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from inspections.forms import FindingChoiceField, partner_queryset
from inspections.models import Finding, Inspection, Organisation
from kit.forms import (
    GovDateField,
    PartialDateField,
    PortalFormMixin,
    RecordForm,
    gov_errors,
    reference_field,
)
from kit.history import person_name
from kit.plain_english import PlainEnglishFormMixin

from .deadlines import portal_today
from .models import ActionItem, DeliveryStatus, ImpactStatus, Milestone, Plan


class ActionFilterForm(forms.Form):
    """My area's filters: read from the query string, so they work without JavaScript."""

    delivery = forms.ChoiceField(
        label="Delivery status", required=False, choices=[("", "Any"), *DeliveryStatus.choices]
    )
    impact = forms.ChoiceField(
        label="Impact status", required=False, choices=[("", "Any"), *ImpactStatus.choices]
    )
    finding = forms.TypedChoiceField(label="Finding", required=False, coerce=int, empty_value=None)
    organisation = forms.TypedChoiceField(
        label="Lead organisation", required=False, coerce=int, empty_value=None
    )
    overdue = forms.BooleanField(label="Only overdue actions", required=False)

    def __init__(self, *args, findings, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].choices = [("", "Any")] + [
            (f.pk, f"{f.get_kind_display()} {f.number}: {f.short_text}") for f in findings
        ]
        self.fields["organisation"].choices = [("", "Any")] + [
            (o.pk, o.name) for o in organisations
        ]

    @property
    def active(self):
        return self.is_valid() and any(self.cleaned_data.values())


class AsAtForm(PortalFormMixin, forms.Form):
    submit_label = "Show the action on this date"

    as_at = GovDateField(
        what="the date",
        required=False,
        label="Date",
        help_text="For example, 31 3 2025",
    )


# Board: records editing (plans, actions, milestones)


class InspectionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        when = f", {obj.start}" if obj.start_date else ""
        return f"{obj.title}{when} ({obj.ref})"


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.ref})"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_name(obj)


def people_in_area(area):
    """Users with a role in ``area``: the only people who may lead its actions."""
    return (
        get_user_model()
        .objects.filter(memberships__area=area)
        .order_by("first_name", "last_name", "username")
        .distinct()
    )


class PlanForm(PlainEnglishFormMixin, RecordForm):
    """A plan's details. Its kind and the inspection it answers are fixed when it is added.

    Its summary for families is public unless the plan is being written (a draft),
    so saving it with any other status runs the plain-English check.
    """

    scope_fields = ("area",)
    plain_english_fields = {"public_summary": "the summary for families"}
    partial_dates = ("submitted_on", "judged_on", "published_on", "closed_on")

    ref = reference_field("the plan reference", "wsoa-2018")
    status = forms.ChoiceField(
        label="Status",
        choices=Plan.Status.choices,
        error_messages=gov_errors(
            "the status", required="Select the plan’s status", invalid="Select the plan’s status"
        ),
    )
    submitted_on = PartialDateField(what="the date submitted", label="Date submitted (optional)")
    judged_on = PartialDateField(
        what="the date judged or approved", label="Date judged or approved (optional)"
    )
    published_on = PartialDateField(what="the date published", label="Date published (optional)")
    closed_on = PartialDateField(what="the date closed", label="Date closed (optional)")
    superseded_by = PlanChoiceField(
        label="Replaced by (optional)",
        help_text="The later plan that replaced this one, if there is one.",
        queryset=Plan.objects.none(),
        required=False,
        empty_label="Not replaced",
        error_messages=gov_errors(
            "the plan that replaced this one",
            invalid="Select one of this area’s plans as the plan that replaced this one",
        ),
    )

    class Meta:
        model = Plan
        fields = [
            "ref",
            "title",
            "local_name",
            "status",
            "submitted_on",
            "judged_on",
            "judgement",
            "judged_by",
            "published_on",
            "closed_on",
            "superseded_by",
            "public_summary",
            "notes",
            "sources",
        ]
        labels = {
            "title": "Title",
            "local_name": "Local name (optional)",
            "judgement": "Judgement (optional)",
            "judged_by": "Judged by (optional)",
            "public_summary": "Summary for families (optional)",
            "notes": "Notes (optional)",
            "sources": "Public sources (optional)",
        }
        help_texts = {
            "title": "For example, Written statement of action for Testshire.",
            "local_name": "What the area calls it, for example SEND Accelerated Action Plan (SAAP).",
            "judgement": "The judgement in its own words, for example fit for purpose.",
            "judged_by": "For example, Ofsted and CQC.",
            "public_summary": "What the plan is for, in plain English for parents and carers.",
            "notes": "Anything else worth knowing about this plan.",
            "sources": "One link or reference per line.",
        }
        error_messages = {
            "title": gov_errors(
                "the plan title", max_length="The plan title must be 200 characters or fewer"
            ),
            "local_name": gov_errors(
                "the local name", max_length="The local name must be 200 characters or fewer"
            ),
            "judgement": gov_errors("the judgement"),
            "judged_by": gov_errors(
                "who judged the plan",
                max_length="Who judged the plan must be 120 characters or fewer",
            ),
            "public_summary": gov_errors("the summary for families"),
            "notes": gov_errors("the notes"),
            "sources": gov_errors("the public sources"),
        }
        widgets = {
            "judgement": forms.Textarea(attrs={"rows": 3}),
            "public_summary": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "sources": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        others = Plan.objects.filter(area=self.area).order_by("ref")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["superseded_by"].queryset = others
        if self.instance.summary_waiting:
            # The newest summary is the one waiting for a second officer to publish it.
            if not self.is_bound:
                self.initial["public_summary"] = self.instance.summary_waiting
            self.fields["public_summary"].help_text = (
                "This is the new summary waiting to be published; the public page still "
                "shows the one before it until another officer publishes this one."
            )

    def text_is_public(self, values):
        return values.get("status") not in (None, "", Plan.Status.DRAFT)


class PlanCreateForm(PlanForm):
    """A new plan: also its kind and the inspection it answers, which bring in its findings."""

    submit_label = "Add plan"

    kind = forms.ChoiceField(
        label="Kind of plan",
        choices=Plan.Kind.choices,
        widget=forms.RadioSelect,
        error_messages=gov_errors(
            "the kind of plan",
            required="Select the kind of plan",
            invalid="Select the kind of plan",
        ),
    )
    responds_to = InspectionChoiceField(
        label="Inspection it answers",
        help_text=(
            "The plan will address every finding of this inspection; an accelerated progress "
            "plan addresses the weaknesses its revisit judged insufficient."
        ),
        queryset=Inspection.objects.none(),
        empty_label="Choose an inspection",
        error_messages=gov_errors(
            "the inspection the plan answers",
            required="Select the inspection the plan answers",
            invalid="Select one of this area’s inspections",
        ),
    )

    class Meta(PlanForm.Meta):
        fields = ["ref", "kind", "responds_to", *PlanForm.Meta.fields[1:]]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responds_to"].queryset = Inspection.objects.filter(area=self.area).order_by(
            "start_date", "pk"
        )

    def plan_fields(self, plan):
        """What ``actions.services.create_plan`` needs, from the validated (unsaved) plan."""
        fixed = {"id", "version", "area", "responds_to", "kind", "ref", "title"}
        return {
            "area": plan.area,
            "responds_to": plan.responds_to,
            "kind": plan.kind,
            "ref": plan.ref,
            "title": plan.title,
            **{
                field.attname: getattr(plan, field.attname)
                for field in Plan._meta.concrete_fields
                if field.name not in fixed
            },
        }


class ActionForm(RecordForm):
    """An action of a plan: its finding is one the plan addresses, its leads are the area's."""

    scope_fields = ("plan",)
    constraint_fields = {"actions_actionitem_due_after_start": "due_date"}

    ref = forms.CharField(
        label="Action reference",
        max_length=20,
        help_text="Unique within the plan. For example, 2.3",
        error_messages=gov_errors(
            "the action reference",
            max_length="The action reference must be 20 characters or fewer",
        ),
    )
    finding = FindingChoiceField(
        label="Finding it serves",
        queryset=Finding.objects.none(),
        empty_label="Choose a finding",
        error_messages=gov_errors(
            "the finding",
            required="Select the finding the action serves",
            invalid="Select one of the findings this plan addresses",
        ),
    )
    lead_organisation = forms.ModelChoiceField(
        label="Lead organisation",
        help_text="One of the area’s partners.",
        queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        error_messages=gov_errors(
            "the lead organisation",
            required="Select the lead organisation",
            invalid="Select one of the area’s partners as the lead organisation",
        ),
    )
    lead_officer = PersonChoiceField(
        label="Lead officer (optional)",
        help_text="Someone with a role in this area.",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="No lead officer yet",
        error_messages=gov_errors(
            "the lead officer",
            invalid="Select someone with a role in this area as the lead officer",
        ),
    )
    start_date = GovDateField(
        what="the start date",
        required=False,
        label="Start date (optional)",
        help_text="For example, 1 4 2026",
    )
    due_date = GovDateField(
        what="the due date", label="Due date", help_text="For example, 31 3 2027"
    )

    class Meta:
        model = ActionItem
        fields = [
            "ref",
            "finding",
            "title",
            "description",
            "lead_organisation",
            "lead_officer",
            "start_date",
            "due_date",
            "success_criteria",
            "public_summary",
        ]
        labels = {
            "title": "Action title",
            "description": "Description (optional)",
            "success_criteria": "Success criteria",
            "public_summary": "Summary for families (optional)",
        }
        help_texts = {
            "title": "What will be done, for example Publish a new Local Offer website.",
            "description": "More detail for the board and officers.",
            "success_criteria": "How everyone will know the action has worked.",
            "public_summary": "What the action is, in plain words for families.",
        }
        error_messages = {
            "title": gov_errors(
                "the action title", max_length="The action title must be 300 characters or fewer"
            ),
            "description": gov_errors("the description"),
            "success_criteria": gov_errors("the success criteria"),
            "public_summary": gov_errors("the summary for families"),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "success_criteria": forms.Textarea(attrs={"rows": 3}),
            "public_summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, plan, **kwargs):
        self.plan = plan
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = (
            Finding.objects.filter(plan_findings__plan=plan)
            .select_related("inspection")
            .order_by("kind_rank", "number")
        )
        self.fields["lead_organisation"].queryset = partner_queryset(self.area)
        self.fields["lead_officer"].queryset = people_in_area(self.area)

    def clean(self):
        cleaned = super().clean()
        start, due = cleaned.get("start_date"), cleaned.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", "The due date must be the same as or after the start date")
        return cleaned


class MilestoneForm(RecordForm):
    scope_fields = ("action",)

    due_date = GovDateField(
        what="the due date", label="Due date", help_text="For example, 30 9 2026"
    )
    completed_on = GovDateField(
        what="the date it was completed",
        required=False,
        label="Date completed (optional)",
        help_text="Leave blank until the milestone is reached. For example, 28 9 2026",
    )

    class Meta:
        model = Milestone
        fields = ["title", "due_date", "completed_on", "notes"]
        labels = {"title": "Milestone", "notes": "Notes (optional)"}
        help_texts = {
            "title": "What will have happened by the due date, for example 50 staff trained.",
            "notes": "Anything the board should know about this milestone.",
        }
        error_messages = {
            "title": gov_errors(
                "the milestone", max_length="The milestone must be 300 characters or fewer"
            ),
            "notes": gov_errors("the notes"),
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, action, **kwargs):
        self.action = action
        super().__init__(*args, **kwargs)

    def clean_completed_on(self):
        completed = self.cleaned_data.get("completed_on")
        if completed and completed > portal_today():
            raise ValidationError("The date completed must be today or in the past")
        return completed
