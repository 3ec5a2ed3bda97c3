"""Forms for the board's record pages: inspections, findings, verdicts and members.

Every field has a label, a hint where it helps and GOV.UK error messages
written for it. The model's own rules and constraints are checked by the
form (RecordForm), so a broken rule shows on the page, never as an error page.
"""

from crispy_forms_gds.choices import Choice
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from kit.forms import PartialDateField, RecordForm, gov_errors, reference_field

from .models import Finding, Inspection, Intervention, Judgement, Membership, Organisation


def partner_queryset(area):
    """The organisations in ``area``'s partnership, the only ones a record there may name."""
    return Organisation.objects.filter(partnerships__area=area).order_by("name").distinct()


def finding_label(finding, *, with_inspection=False):
    label = f"{finding.get_kind_display()} {finding.number}: {finding.short_text}"
    if with_inspection:
        inspection = finding.inspection
        when = f", {inspection.start}" if inspection.start_date else ""
        label = f"{inspection.title}{when} – {label}"
    return label


class FindingChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, with_inspection=False, **kwargs):
        self.with_inspection = with_inspection
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return finding_label(obj, with_inspection=self.with_inspection)


class InspectionForm(RecordForm):
    partial_dates = ("start_date", "end_date", "report_received", "report_published")
    scope_fields = ("area",)

    ref = reference_field("the inspection reference", "2018-inspection")
    framework = forms.ChoiceField(
        label="Inspection framework",
        choices=Inspection.Framework.choices,
        widget=forms.RadioSelect,
        error_messages=gov_errors(
            "the inspection framework",
            required="Select the inspection framework",
            invalid="Select the inspection framework",
        ),
    )
    kind = forms.ChoiceField(
        label="Kind of inspection",
        help_text=(
            "Under the 2016 framework, an inspection or a revisit. Under the 2023 framework, "
            "a full inspection or a monitoring inspection."
        ),
        choices=Inspection.Kind.choices,
        widget=forms.RadioSelect,
        error_messages=gov_errors(
            "the kind of inspection",
            required="Select the kind of inspection",
            invalid="Select the kind of inspection",
        ),
    )
    start_date = PartialDateField(what="the start date", label="Start date (optional)")
    end_date = PartialDateField(what="the end date", label="End date (optional)")
    report_received = PartialDateField(
        what="the date the report was received",
        label="Date the report was received (optional)",
        help_text=(
            "Statutory deadlines run from this day. For example, 2018-05-16, or 2018-05 "
            "if only the month is known."
        ),
    )
    report_published = PartialDateField(
        what="the date the report was published",
        label="Date the report was published (optional)",
    )
    findings_judged = forms.IntegerField(
        label="Earlier findings judged (optional)",
        help_text=(
            "Only when the report gives counts rather than a verdict on each finding. For "
            "“sufficient progress in 1 of 13”, enter 13 here and 1 below."
        ),
        required=False,
        min_value=0,
        max_value=200,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter the findings judged as a whole number, like 13",
            "min_value": "The findings judged must be 0 or more",
            "max_value": "The findings judged must be 200 or fewer",
        },
    )
    findings_resolved = forms.IntegerField(
        label="Of which resolved (optional)",
        help_text="Sufficient progress, effective action or no longer needing priority action.",
        required=False,
        min_value=0,
        max_value=200,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter the findings resolved as a whole number, like 1",
            "min_value": "The findings resolved must be 0 or more",
            "max_value": "The findings resolved must be 200 or fewer",
        },
    )
    outcome = forms.ChoiceField(
        label="Outcome (optional)",
        help_text="Leave as “Not known yet” until the report is received.",
        choices=[("", "Not known yet"), *Inspection.Outcome.choices],
        required=False,
        error_messages=gov_errors(
            "the outcome",
            invalid="Select the outcome from the list",
        ),
    )

    class Meta:
        model = Inspection
        fields = [
            "ref",
            "framework",
            "kind",
            "start_date",
            "end_date",
            "report_received",
            "report_published",
            "outcome",
            "outcome_text",
            "findings_judged",
            "findings_resolved",
            "public_summary",
            "report_url",
            "notes",
            "sources",
        ]
        labels = {
            "public_summary": "Summary for families (optional)",
            "outcome_text": "Outcome in the inspectors’ words (optional)",
            "report_url": "Link to the report (optional)",
            "notes": "Notes (optional)",
            "sources": "Public sources (optional)",
        }
        help_texts = {
            "public_summary": (
                "Plain English for parents and carers: what the inspection found and what "
                "happens next. Shown on the public pages; notes are not."
            ),
            "outcome_text": "For example, a quotation from the report’s summary or letter.",
            "report_url": "For example, https://reports.ofsted.gov.uk/provider/44/80567",
            "notes": "Anything else worth knowing about this inspection.",
            "sources": "One link or reference per line.",
        }
        error_messages = {
            "report_url": gov_errors(
                "the link to the report",
                invalid=(
                    "Enter the link to the report in the correct format, like "
                    "https://reports.ofsted.gov.uk/provider/44/80567"
                ),
                max_length="The link to the report must be 500 characters or fewer",
            ),
            "outcome_text": gov_errors("the outcome in the inspectors’ words"),
            "public_summary": gov_errors("the summary for families"),
            "notes": gov_errors("the notes"),
            "sources": gov_errors("the public sources"),
        }
        widgets = {
            "public_summary": forms.Textarea(attrs={"rows": 3}),
            "outcome_text": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "sources": forms.Textarea(attrs={"rows": 3}),
        }


class FindingForm(RecordForm):
    scope_fields = ("inspection",)

    kind = forms.ChoiceField(
        label="Kind of finding",
        widget=forms.RadioSelect,
        error_messages=gov_errors(
            "the kind of finding",
            required="Select the kind of finding",
            invalid="Select the kind of finding",
        ),
    )
    number = forms.IntegerField(
        label="Number",
        help_text="Numbered within the inspection and kind of finding, starting at 1. For example, 3.",
        min_value=1,
        max_value=32767,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter the finding number",
            "invalid": "The finding number must be a whole number, like 3",
            "min_value": "The finding number must be 1 or more",
            "max_value": "The finding number must be 32767 or less",
        },
    )
    wording = forms.ChoiceField(
        label="How the text relates to the report",
        choices=Finding.Wording.choices,
        widget=forms.RadioSelect,
        error_messages=gov_errors(
            "how the text relates to the report",
            required="Select how the text relates to the report",
            invalid="Select how the text relates to the report",
        ),
    )
    lead_organisation = forms.ModelChoiceField(
        label="Lead partner (optional)",
        help_text="The partner leading the work on this finding.",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="No lead partner",
        error_messages=gov_errors(
            "the lead partner",
            invalid="Select one of the area’s partners as the lead partner",
        ),
    )

    class Meta:
        model = Finding
        fields = [
            "kind",
            "number",
            "text",
            "wording",
            "lead_organisation",
            "families_summary",
            "notes",
        ]
        labels = {
            "text": "What the inspectors found",
            "families_summary": "What this means for families (optional)",
            "notes": "Notes (optional)",
        }
        help_texts = {
            "text": "Use the inspectors’ exact words where you can.",
            "families_summary": (
                "Shown on the public page. In plain English: what the finding means for children, "
                "young people and families, and what is changing."
            ),
            "notes": "Anything else worth knowing about this finding.",
        }
        error_messages = {
            "text": gov_errors("what the inspectors found"),
            "notes": gov_errors("the notes"),
        }
        widgets = {
            "text": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, inspection, **kwargs):
        self.inspection = inspection
        super().__init__(*args, **kwargs)
        allowed = set(Finding.KINDS_BY_FRAMEWORK.get(inspection.framework, set()))
        if inspection.outcome != Inspection.Outcome.SYSTEMIC:
            # Areas for priority action come only with outcome 3.
            allowed.discard(Finding.Kind.PRIORITY_ACTION)
        self.fields["kind"].choices = [
            (v, label) for v, label in Finding.Kind.choices if v in allowed
        ]
        self.fields["kind"].help_text = Finding.KIND_HINTS.get(inspection.framework, "")
        self.fields["lead_organisation"].queryset = partner_queryset(self.area)


class JudgementForm(RecordForm):
    """A revisit's or monitoring inspection's verdict on an earlier finding of the same area."""

    scope_fields = ("inspection",)

    finding = FindingChoiceField(
        label="Finding",
        help_text="A finding of an earlier inspection of this area.",
        queryset=Finding.objects.none(),
        with_inspection=True,
        empty_label="Choose a finding",
        error_messages=gov_errors(
            "the finding",
            required="Select the finding",
            invalid="Select one of this area’s findings from the list",
        ),
    )
    verdict = forms.ChoiceField(
        label="Verdict",
        widget=forms.RadioSelect,
        error_messages=gov_errors(
            "the verdict", required="Select the verdict", invalid="Select the verdict"
        ),
    )

    class Meta:
        model = Judgement
        fields = ["finding", "verdict", "commentary"]
        labels = {"commentary": "What the inspectors said (optional)"}
        help_texts = {"commentary": "For example, a quotation from the revisit letter."}
        error_messages = {"commentary": gov_errors("what the inspectors said")}
        widgets = {"commentary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, inspection, **kwargs):
        self.inspection = inspection
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = (
            Finding.objects.filter(inspection__area=self.area)
            .exclude(inspection=inspection)
            .select_related("inspection")
            .order_by("inspection__start_date", "inspection__pk", "kind_rank", "number")
        )
        allowed = Judgement.INSPECTION_VERDICTS.get(inspection.kind, set())
        self.fields["verdict"].choices = [
            (v, label) for v, label in Judgement.Verdict.choices if v in allowed
        ]


class InterventionForm(RecordForm):
    """A DfE intervention: an Improvement Notice, a statutory direction, a commissioner."""

    partial_dates = ("issued_on", "lifted_on")
    scope_fields = ("area",)

    ref = reference_field("the intervention reference", "improvement-notice-2023")
    kind = forms.ChoiceField(
        label="Kind of intervention",
        choices=Intervention.Kind.choices,
        widget=forms.RadioSelect,
        error_messages=gov_errors(
            "the kind of intervention",
            required="Select the kind of intervention",
            invalid="Select the kind of intervention",
        ),
    )
    issued_on = PartialDateField(
        what="the date it was issued",
        label="Date issued (optional)",
        help_text="For example, 2023-03-14, or 2023-03 if only the month is known.",
    )
    lifted_on = PartialDateField(
        what="the date it was lifted or replaced",
        label="Date lifted or replaced (optional)",
        help_text="Leave blank while it is in force.",
    )
    findings = forms.ModelMultipleChoiceField(
        label="Findings it covers (optional)",
        queryset=Finding.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages=gov_errors(
            "the findings", invalid="Select findings of this area from the list"
        ),
    )
    replaced_by = forms.ModelChoiceField(
        label="Replaced by (optional)",
        queryset=Intervention.objects.none(),
        required=False,
        empty_label="Not replaced",
        error_messages=gov_errors(
            "the later intervention", invalid="Select one of this area’s interventions"
        ),
    )

    class Meta:
        model = Intervention
        fields = [
            "ref",
            "kind",
            "title",
            "issued_on",
            "issued_by",
            "legal_basis",
            "commissioner",
            "covers",
            "review_every_months",
            "lifted_on",
            "replaced_by",
            "public_summary",
            "notes",
            "sources",
        ]
        labels = {
            "title": "Its own name (optional)",
            "issued_by": "Issued by",
            "legal_basis": "Legal basis (optional)",
            "commissioner": "Commissioner or adviser appointed (optional)",
            "covers": "Conditions or areas covered (optional)",
            "review_every_months": "Reviewed every (months) (optional)",
            "public_summary": "Summary for families (optional)",
            "notes": "Notes (optional)",
            "sources": "Public sources (optional)",
        }
        help_texts = {
            "legal_basis": "For a statutory direction, for example section 497A(4B) Education Act 1996.",
            "public_summary": "Plain English for parents and carers. Shown publicly; notes are not.",
            "sources": "One link or reference per line, such as the notice on GOV.UK.",
        }
        error_messages = {
            "title": gov_errors("its name", max_length="The name must be 200 characters or fewer"),
            "issued_by": gov_errors(
                "who issued it", max_length="Who issued it must be 160 characters or fewer"
            ),
            "legal_basis": gov_errors(
                "the legal basis", max_length="The legal basis must be 200 characters or fewer"
            ),
            "commissioner": gov_errors(
                "the commissioner", max_length="The commissioner must be 160 characters or fewer"
            ),
            "covers": gov_errors("what it covers"),
            "review_every_months": gov_errors(
                "how often it is reviewed",
                invalid="Enter how often it is reviewed as a number of months, like 6",
            ),
            "public_summary": gov_errors("the summary for families"),
            "notes": gov_errors("the notes"),
            "sources": gov_errors("the public sources"),
        }
        widgets = {
            "kind": forms.RadioSelect,
            "covers": forms.Textarea(attrs={"rows": 3}),
            "public_summary": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "sources": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["findings"].queryset = (
            Finding.objects.filter(inspection__area=self.area)
            .select_related("inspection")
            .order_by("inspection__start_date", "inspection__pk", "kind_rank", "number")
        )
        self.fields["findings"].label_from_instance = lambda f: finding_label(
            f, with_inspection=True
        )
        if self.instance.pk:
            self.initial.setdefault(
                "findings", list(self.instance.findings.values_list("pk", flat=True))
            )
        others = Intervention.objects.filter(area=self.area)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["replaced_by"].queryset = others.order_by("issued_on", "pk")


class MembershipForm(RecordForm):
    """Change a member's role or organisation; the area always keeps an administrator."""

    scope_fields = ("area", "user")

    role = forms.ChoiceField(
        label="Role",
        choices=Membership.Role.choices,
        widget=forms.RadioSelect,
        error_messages=gov_errors(
            "the role", required="Select the role", invalid="Select the role"
        ),
    )
    organisation = forms.ModelChoiceField(
        label="Organisation (optional)",
        help_text="The partner organisation the person works for.",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Not one of the area’s partners",
        error_messages=gov_errors(
            "the organisation",
            invalid="Select one of the area’s partners as the organisation",
        ),
    )

    ROLE_HINTS = {
        Membership.Role.BOARD_MEMBER: "Can see the area’s board pages and write progress updates.",
        Membership.Role.OFFICER: (
            "Can also approve and publish updates, and edit inspections, plans, actions, "
            "measures and meetings."
        ),
        Membership.Role.AREA_ADMIN: "Can also choose who has access to the area.",
        Membership.Role.FORUM: (
            "For the parent carer forum: can acknowledge or challenge published updates, "
            "which the board must answer. Cannot see the board’s internal pages."
        ),
    }

    class Meta:
        model = Membership
        fields = ["role", "organisation"]

    def __init__(self, *args, editor=None, **kwargs):
        self.editor = editor
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            Choice(value, label, hint=self.ROLE_HINTS[value])
            for value, label in Membership.Role.choices
        ]
        self.fields["organisation"].queryset = partner_queryset(self.area)

    def clean_role(self):
        role = self.cleaned_data["role"]
        stored = self.instance
        if (
            stored.pk
            and stored.role == Membership.Role.AREA_ADMIN
            and role != Membership.Role.AREA_ADMIN
            and not Membership.objects.filter(
                area_id=stored.area_id, role=Membership.Role.AREA_ADMIN
            )
            .exclude(pk=stored.pk)
            .exists()
        ):
            if self.editor is not None and stored.user_id == self.editor.pk:
                raise ValidationError(
                    "You are the only area administrator, so you cannot change your own role. "
                    "Make someone else an area administrator first."
                )
            raise ValidationError(
                "This is the only area administrator, so their role cannot change. "
                "Make someone else an area administrator first."
            )
        return role


class MemberAddForm(MembershipForm):
    """Give an existing user a role in the area, found by their username."""

    submit_label = "Add person"
    constraint_fields = {"inspections_membership_one_per_area": "username"}

    username = forms.CharField(
        label="Username",
        help_text="The username they sign in with. Their account must already exist.",
        max_length=150,
        error_messages=gov_errors(
            "the username", max_length="The username must be 150 characters or fewer"
        ),
    )

    class Meta(MembershipForm.Meta):
        fields = ["role", "organisation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["username", "role", "organisation"])
        self.fields["change_reason"] = self.fields.pop("change_reason")
        self.fields["version"] = self.fields.pop("version")

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise ValidationError(
                f"There is no one with the username “{username}”. Check the username, or ask a "
                "portal administrator to create their account first."
            )
        if Membership.objects.filter(user=user, area=self.area).exists():
            raise ValidationError(
                "This person already has a role in this area. Change their role from the list "
                "of members instead."
            )
        self.instance.user = user
        return username
