"""Improvement plans, the findings they address, their actions and milestones.

Also the statutory deadline rules: they are data (editable by superusers and
seeded by a migration), so a change in the inspection handbook is an edit,
not a release.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from inspections.models import Finding, Inspection, LocalArea, Organisation
from kit.dates import PartialDateAccessor, partial_date_is_normalised, precision_field
from kit.versioning import Versioned

NORMALISED_MESSAGE = (
    "A date known only to the month or year must be stored as the first day of that month or year."
)


class PlanQuerySet(models.QuerySet):
    def public(self):
        """Plans the public may see: all but one still being written (draft)."""
        return self.exclude(status=Plan.Status.DRAFT)


class Plan(Versioned):
    """A plan that answers an inspection: WSOA, accelerated plan, priority action or strategic plan."""

    class Kind(models.TextChoices):
        WSOA = "wsoa", "Written statement of action"
        ACCELERATED = "accelerated_progress_plan", "Accelerated progress plan"
        PRIORITY_ACTION = "priority_action_plan", "Priority action plan"
        STRATEGIC = "strategic_plan", "Strategic plan"

    class Status(models.TextChoices):
        DRAFT = "draft", "Being written"
        SUBMITTED = "submitted", "Submitted"
        FIT = "judged_fit", "Judged fit for purpose"
        NOT_FIT = "judged_not_fit", "Judged not fit for purpose"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published and being delivered"
        CLOSED = "closed", "Closed"
        SUPERSEDED = "superseded", "Replaced by a later plan"
        UNKNOWN = "unknown", "Status not known"

    # The inspection a plan answers must be of a kind that calls for it.
    RESPONDS_TO = {
        Kind.WSOA: {Inspection.Kind.INITIAL},
        Kind.ACCELERATED: {Inspection.Kind.REVISIT},
        Kind.PRIORITY_ACTION: {Inspection.Kind.FULL},
        Kind.STRATEGIC: {Inspection.Kind.FULL},
    }

    RESPONDS_TO_HINTS = {
        Kind.WSOA: "A written statement of action answers an inspection under the 2016 framework.",
        Kind.ACCELERATED: "An accelerated progress plan answers a revisit.",
        Kind.PRIORITY_ACTION: "A priority action plan answers a full inspection under the 2023 framework.",
        Kind.STRATEGIC: "A strategic plan answers a full inspection under the 2023 framework.",
    }

    area = models.ForeignKey(LocalArea, on_delete=models.CASCADE, related_name="plans")
    ref = models.SlugField(
        "reference",
        max_length=40,
        help_text="Short and unique within the area, for example wsoa-2018.",
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=200)
    local_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="What the area calls it, for example SEND Accelerated Action Plan (SAAP).",
    )
    responds_to = models.ForeignKey(
        Inspection,
        verbose_name="inspection it answers",
        on_delete=models.PROTECT,
        related_name="plans",
    )
    findings = models.ManyToManyField(
        Finding, through="PlanFinding", related_name="plans", verbose_name="findings it addresses"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_on = models.DateField(null=True, blank=True)
    submitted_on_precision = precision_field("submitted date known to")
    judged_on = models.DateField("judged or approved on", null=True, blank=True)
    judged_on_precision = precision_field("judged date known to")
    judgement = models.TextField(
        blank=True, help_text="The judgement in its own words, for example fit for purpose."
    )
    judged_by = models.CharField(
        max_length=120, blank=True, help_text="For example, Ofsted and CQC."
    )
    published_on = models.DateField(null=True, blank=True)
    published_on_precision = precision_field("published date known to")
    closed_on = models.DateField(null=True, blank=True)
    closed_on_precision = precision_field("closed date known to")
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="supersedes"
    )
    public_summary = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    sources = models.TextField(blank=True)
    is_illustrative = models.BooleanField(
        "illustrative (invented for the demo)",
        default=False,
        help_text="Shown with a label so nobody mistakes demo content for a real area's plan.",
    )

    submitted = PartialDateAccessor("submitted_on")
    judged = PartialDateAccessor("judged_on")
    published = PartialDateAccessor("published_on")
    closed = PartialDateAccessor("closed_on")

    objects = PlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["area", "responds_to__start_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "ref"],
                name="actions_plan_unique_ref",
                violation_error_message="Another plan in this area already has this reference.",
            ),
            models.CheckConstraint(
                condition=models.Q(judged_on__isnull=True)
                | models.Q(submitted_on__isnull=True)
                | models.Q(judged_on__gte=models.F("submitted_on"))
                # A date known only to the month or year is stored as the period's first
                # day, so only a day-precise later date can be compared here; clean()
                # compares partial dates fairly.
                | ~models.Q(judged_on_precision="day"),
                name="actions_plan_judged_after_submitted",
                violation_error_message="A plan cannot be judged before it is submitted.",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(published_on__isnull=True)
                | models.Q(closed_on__gte=models.F("published_on"))
                # A date known only to the month or year is stored as the period's first
                # day, so only a day-precise later date can be compared here; clean()
                # compares partial dates fairly.
                | ~models.Q(closed_on_precision="day"),
                name="actions_plan_closed_after_published",
                violation_error_message="A plan cannot close before it is published.",
            ),
            *[
                models.CheckConstraint(
                    condition=partial_date_is_normalised(field),
                    name=f"actions_plan_{field}_normalised",
                    violation_error_message=NORMALISED_MESSAGE,
                )
                for field in ("submitted_on", "judged_on", "published_on", "closed_on")
            ],
        ]

    def __str__(self):
        return f"{self.area}: {self.title}"

    @property
    def is_open(self):
        return self.status not in (self.Status.CLOSED, self.Status.SUPERSEDED, self.Status.UNKNOWN)

    def _outcome_problem(self, inspection):
        """Does the inspection's outcome call for this kind of plan? (docs/domain-rules.md)"""
        Outcome = Inspection.Outcome
        if self.kind == self.Kind.WSOA and inspection.outcome == Outcome.NO_WSOA:
            return (
                "This inspection did not require a written statement of action. Check the "
                "inspection's outcome or the plan's kind."
            )
        if self.kind == self.Kind.PRIORITY_ACTION and inspection.outcome not in (
            "",
            Outcome.SYSTEMIC,
        ):
            return (
                "A priority action plan answers an inspection with outcome 3 (widespread and/or "
                "systemic failings). For outcome 2, record a strategic plan."
            )
        if self.kind == self.Kind.ACCELERATED and _all_judged_sufficient(inspection):
            return (
                "This revisit found sufficient progress on every weakness, so no accelerated "
                "progress plan follows it. Check the revisit's verdicts."
            )
        return ""

    def clean(self):
        errors = {}
        if self.responds_to_id and self.kind:
            inspection = self.responds_to
            if self.area_id and inspection.area_id != self.area_id:
                errors["responds_to"] = "The inspection must be of this plan's local area."
            elif inspection.kind not in self.RESPONDS_TO[self.kind]:
                errors["responds_to"] = self.RESPONDS_TO_HINTS[self.kind]
            else:
                problem = self._outcome_problem(inspection)
                if problem:
                    errors["responds_to"] = problem
        if self.status in (self.Status.FIT, self.Status.NOT_FIT) and self.kind != self.Kind.WSOA:
            errors["status"] = (
                "“Fit for purpose” is Ofsted and CQC's judgement on a written statement of "
                "action. For this plan, choose approved (or record the words in the judgement)."
            )
        for later, earlier, message in (
            ("judged", "submitted", "A plan cannot be judged before it is submitted."),
            ("closed", "published", "A plan cannot close before it is published."),
        ):
            late, early = getattr(self, later), getattr(self, earlier)
            if late and early and late.last_day < early.date:
                errors[f"{later}_on"] = message
        if self.superseded_by_id and self.superseded_by_id == self.pk:
            errors["superseded_by"] = "A plan cannot replace itself."
        if errors:
            raise ValidationError(errors)


def _all_judged_sufficient(revisit):
    """Did the revisit find sufficient progress on every weakness it judged?"""
    if revisit.findings_judged is not None and revisit.findings_resolved is not None:
        return revisit.findings_resolved == revisit.findings_judged
    if not revisit.pk:
        return False
    verdicts = set(revisit.judgements.values_list("verdict", flat=True))
    return bool(verdicts) and verdicts <= {"sufficient_progress"}


class PlanFinding(models.Model):
    """A finding that a plan addresses (explicit so each link is in history)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="plan_findings")
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="plan_findings")

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "finding__kind_rank", "finding__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "finding"],
                name="actions_planfinding_unique",
                violation_error_message="The plan already addresses this finding.",
            )
        ]

    def __str__(self):
        return f"{self.plan} addresses {self.finding}"

    def clean(self):
        if not (self.plan_id and self.finding_id):
            return
        plan, finding = self.plan, self.finding
        if finding.inspection.area_id != plan.area_id:
            raise ValidationError({"finding": "The finding must be from this plan's local area."})
        if plan.kind == Plan.Kind.ACCELERATED:
            # An accelerated plan carries over exactly what the revisit found insufficient.
            judged_insufficient = finding.judgements.filter(
                inspection_id=plan.responds_to_id, verdict="insufficient_progress"
            ).exists()
            if not judged_insufficient:
                raise ValidationError(
                    {
                        "finding": (
                            "An accelerated progress plan addresses only the weaknesses its "
                            "revisit judged not to have made sufficient progress."
                        )
                    }
                )
        elif finding.inspection_id != plan.responds_to_id:
            raise ValidationError(
                {"finding": "Choose a finding of the inspection this plan answers."}
            )


class DeliveryStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    DELIVERED = "delivered", "Delivered"


DELIVERY_MEANINGS = {
    DeliveryStatus.NOT_STARTED: "Work on this action has not begun yet.",
    DeliveryStatus.ON_TRACK: "The action is going to plan and should finish by its due date.",
    DeliveryStatus.AT_RISK: (
        "There are problems that could stop the action finishing on time; leads are dealing with them."
    ),
    DeliveryStatus.OFF_TRACK: (
        "The action will not finish by its due date without a change of plan or more support."
    ),
    DeliveryStatus.DELIVERED: "Everything the action promised has been done.",
}


class ImpactStatus(models.TextChoices):
    NO_EVIDENCE = "no_evidence_yet", "No evidence of impact yet"
    SOME_EVIDENCE = "some_evidence", "Some evidence of impact"
    CLEAR_EVIDENCE = "clear_evidence", "Clear evidence of impact"


IMPACT_MEANINGS = {
    ImpactStatus.NO_EVIDENCE: (
        "Children, young people and families are not yet seeing a difference from this action."
    ),
    ImpactStatus.SOME_EVIDENCE: (
        "Some families or measures show a difference, but it is not yet consistent or sustained."
    ),
    ImpactStatus.CLEAR_EVIDENCE: (
        "Measures and families' feedback show a clear, sustained difference to their experience."
    ),
}


class ActionItem(Versioned):
    """One action in a plan, serving one finding, with a named lead."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    ref = models.CharField("reference", max_length=20, help_text="For example, 2.3")
    finding = models.ForeignKey(
        Finding, on_delete=models.PROTECT, related_name="actions", verbose_name="finding it serves"
    )
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    lead_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="led_actions"
    )
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_actions",
    )
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField()
    success_criteria = models.TextField(help_text="How everyone will know the action has worked.")
    delivery_status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.NOT_STARTED
    )
    impact_status = models.CharField(
        max_length=20, choices=ImpactStatus.choices, default=ImpactStatus.NO_EVIDENCE
    )
    public_summary = models.TextField(
        blank=True, help_text="What the action is, in plain words for families."
    )
    is_illustrative = models.BooleanField("illustrative (invented for the demo)", default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "finding__kind_rank", "finding__number", "ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "ref"],
                name="actions_actionitem_unique_ref",
                violation_error_message="Another action in this plan already has this reference.",
            ),
            models.CheckConstraint(
                condition=models.Q(start_date__isnull=True)
                | models.Q(due_date__gte=models.F("start_date")),
                name="actions_actionitem_due_after_start",
                violation_error_message="The due date cannot be before the start date.",
            ),
        ]

    def __str__(self):
        return f"{self.ref} {self.title}"

    @property
    def delivery_meaning(self):
        return DELIVERY_MEANINGS[self.delivery_status]

    @property
    def impact_meaning(self):
        return IMPACT_MEANINGS[self.impact_status]

    def clean(self):
        if (
            self.plan_id
            and self.finding_id
            and not self.plan.plan_findings.filter(finding_id=self.finding_id).exists()
        ):
            raise ValidationError({"finding": "Choose one of the findings this plan addresses."})


class Milestone(Versioned):
    """A checkpoint on the way to an action's outcome (for example at 3, 6 and 12 months)."""

    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=300)
    due_date = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "due_date", "pk"]

    def __str__(self):
        return self.title

    @property
    def is_complete(self):
        return self.completed_on is not None


class DeadlineRule(models.Model):
    """A statutory or official deadline for a kind of plan, counted from an anchor date."""

    class Anchor(models.TextChoices):
        REPORT_RECEIVED = "report_received", "The inspection report is received"
        REPORT_PUBLISHED = "report_published", "The inspection report is published"
        PLAN_JUDGED = "plan_judged", "The plan is judged fit for purpose or approved"
        RULE = "rule", "Another rule's date"

    class Unit(models.TextChoices):
        WORKING_DAYS = "working_days", "working days"
        DAYS = "days", "calendar days"
        WEEKS = "weeks", "weeks"
        MONTHS = "months", "months"

    class MetBy(models.TextChoices):
        NOTHING = "", "Nothing recorded (a reminder only)"
        SUBMITTED = "submitted", "The plan being submitted"
        PUBLISHED = "published", "The plan being published"
        FOLLOW_UP = "follow_up", "A revisit or monitoring inspection taking place"

    code = models.SlugField(max_length=60, unique=True)
    plan_kind = models.CharField(max_length=30, choices=Plan.Kind.choices)
    label = models.CharField(max_length=200, help_text="For example, Submit the WSOA to Ofsted.")
    anchor = models.CharField(max_length=20, choices=Anchor.choices)
    relative_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependants",
        help_text="For a rule counted from another rule's date.",
    )
    offset = models.IntegerField(help_text="How many units after the anchor; negative for before.")
    unit = models.CharField(max_length=20, choices=Unit.choices)
    repeats = models.BooleanField(
        default=False,
        help_text="Due again every offset after the last review (for regular progress reviews).",
    )
    approximate = models.BooleanField(
        default=False, help_text="The source says 'about' or 'usually'."
    )
    met_by = models.CharField(max_length=20, choices=MetBy.choices, blank=True)
    source = models.TextField(help_text="Where the rule comes from, with a link.")
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(anchor="rule", relative_to__isnull=False)
                | (~models.Q(anchor="rule") & models.Q(relative_to__isnull=True)),
                name="actions_deadlinerule_relative_to_only_for_rule_anchor",
                violation_error_message=(
                    "Choose the rule to count from only when the anchor is another rule's date."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(offset=0),
                name="actions_deadlinerule_offset_not_zero",
                violation_error_message="The offset cannot be zero.",
            ),
        ]

    def __str__(self):
        return self.label

    def clean(self):
        if self.relative_to_id:
            if self.relative_to_id == self.pk:
                raise ValidationError({"relative_to": "A rule cannot count from itself."})
            if self.relative_to.plan_kind != self.plan_kind:
                raise ValidationError(
                    {"relative_to": "Count only from a rule for the same kind of plan."}
                )
            if self.relative_to.anchor == self.Anchor.RULE:
                raise ValidationError(
                    {"relative_to": "Count from a rule that is itself counted from an event."}
                )


class PlanImport(models.Model):
    """A spreadsheet uploaded to bring a plan's actions in, from preview to import.

    The file is kept only until it is imported or abandoned, so the
    confirmed import can be checked against what was previewed; the record
    stays as the log of who imported what, when, and what it changed.
    """

    class State(models.TextChoices):
        PREVIEWED = "previewed", "Previewed, not imported"
        IMPORTED = "imported", "Imported"
        DISCARDED = "discarded", "Abandoned"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plan_imports"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField(editable=False, blank=True)
    columns = models.JSONField(
        default=dict,
        blank=True,
        help_text="How each sheet is read, when the person importing chose it.",
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.PREVIEWED)
    imported_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    history = HistoricalRecords(excluded_fields=["content"])

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.filename} into {self.plan}"
