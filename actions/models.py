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

from inspections.models import (
    LONG_TEXT,
    REASON_TEXT,
    SUMMARY_TEXT,
    Finding,
    Inspection,
    Intervention,
    LocalArea,
    Organisation,
)
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
        max_length=LONG_TEXT,
        blank=True,
        help_text="The judgement in its own words, for example fit for purpose.",
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
    public_summary = models.TextField(max_length=SUMMARY_TEXT, blank=True)
    # With the two-person rule on, a summary written by the officer who makes it
    # public waits here until another officer publishes it (actions/services.py).
    summary_waiting = models.TextField(
        "new summary for families waiting to be published",
        max_length=SUMMARY_TEXT,
        blank=True,
        editable=False,
    )
    notes = models.TextField(max_length=LONG_TEXT, blank=True)
    sources = models.TextField(max_length=LONG_TEXT, blank=True)
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


class PlanIntervention(models.Model):
    """A government intervention a plan answers, such as the plan an Improvement Notice requires.

    Explicit, so each link is in history. A plan still answers its inspection;
    this says it also answers (or was required by) the intervention.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="plan_interventions")
    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="plan_links"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "intervention__issued_on", "intervention_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "intervention"],
                name="actions_planintervention_unique",
                violation_error_message="The plan already answers this intervention.",
            )
        ]

    def __str__(self):
        return f"{self.plan} answers {self.intervention}"

    def clean(self):
        if self.plan_id and self.intervention_id and self.plan.area_id != self.intervention.area_id:
            raise ValidationError(
                {"intervention": "The intervention must be of this plan's local area."}
            )


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
    description = models.TextField(max_length=LONG_TEXT, blank=True)
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
    success_criteria = models.TextField(
        max_length=SUMMARY_TEXT, help_text="How everyone will know the action has worked."
    )
    delivery_status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.NOT_STARTED
    )
    impact_status = models.CharField(
        max_length=20, choices=ImpactStatus.choices, default=ImpactStatus.NO_EVIDENCE
    )
    public_summary = models.TextField(
        max_length=SUMMARY_TEXT,
        blank=True,
        help_text="What the action is, in plain words for families.",
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
    notes = models.TextField(max_length=LONG_TEXT, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "due_date", "pk"]

    def __str__(self):
        return self.title

    @property
    def is_complete(self):
        return self.completed_on is not None


class DeadlineRule(models.Model):
    """A statutory or official date, counted from an anchor date, for plans or inspections.

    A rule is about one kind of plan (``plan_kind``: submit the WSOA within
    70 working days) or about every inspection with one outcome
    (``inspection_outcome``: the next full inspection about three years after
    outcome 2), never both. A rule with no offset is a reminder with no due
    date (no deadline is given). ``ends_when`` and ``ended_after`` say when a
    rule stops applying without being met, so nothing is shown as due or
    overdue after a programme ends or a later event supersedes it;
    ``confirmed_until`` says which handbook version its figures were checked
    against. The code that turns rules into dates is ``actions/deadlines.py``.
    """

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
        FULL_INSPECTION = "full_inspection", "A later full inspection taking place"
        PROGRESS_REVIEW = "progress_review", "A progress review being held"
        ENGAGEMENT_MEETING = "engagement_meeting", "An engagement meeting being held"

    class EndsWhen(models.TextChoices):
        NOTHING = "", "Nothing: only being met, or the plan closing, ends it"
        LATER_INSPECTION = "later_inspection", "A later inspection of the area"
        LATER_INSPECTION_OR_INTERVENTION = (
            "later_inspection_or_intervention",
            "A later inspection of the area or a government intervention",
        )

    # What meets a repeating rule: a review of this kind.
    REVIEW_MET_BY = frozenset({MetBy.PROGRESS_REVIEW, MetBy.ENGAGEMENT_MEETING})
    PLAN_MET_BY = frozenset({MetBy.SUBMITTED, MetBy.PUBLISHED})

    code = models.SlugField(max_length=60, unique=True)
    plan_kind = models.CharField(
        max_length=30,
        choices=Plan.Kind.choices,
        blank=True,
        help_text="For a rule about a kind of plan. Leave blank for a rule about an inspection outcome.",
    )
    inspection_outcome = models.CharField(
        max_length=20,
        choices=Inspection.Outcome.choices,
        blank=True,
        help_text=(
            "For a rule about every inspection with this outcome, for example the next full "
            "inspection after outcome 2. Leave blank for a rule about a kind of plan."
        ),
    )
    label = models.CharField(max_length=200, help_text="For example, Submit the WSOA to Ofsted.")
    anchor = models.CharField(
        max_length=20,
        choices=Anchor.choices,
        help_text=(
            "The event the rule counts from. For accelerated progress plan reviews, DfE's "
            "approval of the plan (the practice) or the revisit report's publication (the "
            "wording of the 2021 parliamentary answer)."
        ),
    )
    relative_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependants",
        help_text="For a rule counted from another rule's date.",
    )
    offset = models.IntegerField(
        null=True,
        blank=True,
        help_text=(
            "How many units after the anchor; negative for before. Leave blank, with no unit, "
            "for a reminder that has no due date because the source gives no deadline."
        ),
    )
    unit = models.CharField(max_length=20, choices=Unit.choices, blank=True)
    repeats = models.BooleanField(
        default=False,
        help_text="Due again every offset after the last review (for regular progress reviews).",
    )
    approximate = models.BooleanField(
        default=False, help_text="The source says 'about' or 'usually'."
    )
    met_by = models.CharField(max_length=20, choices=MetBy.choices, blank=True)
    ends_when = models.CharField(
        "also ends when",
        max_length=40,
        choices=EndsWhen.choices,
        blank=True,
        help_text=(
            "An event that ends the rule without meeting it, for example a later inspection or "
            "an Improvement Notice superseding an accelerated progress plan. From then on the "
            "rule is shown as no longer applying, never as overdue."
        ),
    )
    ended_after = models.DateField(
        "no longer applies after",
        null=True,
        blank=True,
        help_text=(
            "The last day the rule applied to anyone, for example 31 December 2022 for the "
            "2016 framework's revisits."
        ),
    )
    ended_because = models.CharField(
        "why it no longer applies",
        max_length=200,
        blank=True,
        help_text="Shown to the board, for example: the revisit programme ended in December 2022.",
    )
    confirmed_until = models.DateField(
        "confirmed for inspections up to",
        null=True,
        blank=True,
        help_text=(
            "The last day of the handbook version the rule's figures were checked against. For "
            "a later inspection, or one with no date, the board is told they are not confirmed."
        ),
    )
    source = models.TextField(
        max_length=REASON_TEXT, help_text="Where the rule comes from, with a link."
    )
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_kind", "inspection_outcome", "pk"]
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
                condition=models.Q(offset__isnull=True) | ~models.Q(offset=0),
                name="actions_deadlinerule_offset_not_zero",
                violation_error_message="The offset cannot be zero.",
            ),
            models.CheckConstraint(
                condition=(models.Q(plan_kind="") & ~models.Q(inspection_outcome=""))
                | (~models.Q(plan_kind="") & models.Q(inspection_outcome="")),
                name="actions_deadlinerule_one_scope",
                violation_error_message=(
                    "A rule is about either a kind of plan or an inspection outcome: "
                    "choose one of them, not both."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(offset__isnull=True, unit="")
                | (models.Q(offset__isnull=False) & ~models.Q(unit="")),
                name="actions_deadlinerule_offset_has_unit",
                violation_error_message=(
                    "Enter both the offset and its unit, or neither for a reminder with no "
                    "due date."
                ),
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def scope_text(self):
        """'Priority action plan' or 'Inspections with outcome 2: inconsistent …'."""
        if self.plan_kind:
            return self.get_plan_kind_display()
        return (
            f"Inspections with {self.get_inspection_outcome_display()[:1].lower()}"
            + (self.get_inspection_outcome_display()[1:])
        )

    def clean(self):
        errors = {}
        if self.inspection_outcome:
            if self.anchor == self.Anchor.PLAN_JUDGED:
                errors["anchor"] = (
                    "A rule about an inspection counts from its report, not from a plan's "
                    "judgement. Choose the report being received or published."
                )
            if self.met_by in self.PLAN_MET_BY:
                errors["met_by"] = (
                    "A rule about an inspection cannot be met by a plan. Choose an inspection "
                    "or a review, or nothing."
                )
        if self.offset is None:
            if self.repeats:
                errors["offset"] = "Enter how often a repeating rule is due."
            elif self.anchor == self.Anchor.RULE:
                errors["offset"] = "Enter how long before or after the other rule's date."
        if self.repeats and self.met_by not in self.REVIEW_MET_BY:
            errors["met_by"] = (
                "A repeating rule is met by each review held: choose progress review or "
                "engagement meeting."
            )
        if self.ended_after and not self.ended_because:
            errors["ended_because"] = "Say why the rule no longer applies: the board sees it."
        if self.ended_because and not self.ended_after:
            errors["ended_after"] = "Enter the last day the rule applied."
        if self.relative_to_id:
            base = self.relative_to
            if self.relative_to_id == self.pk:
                errors["relative_to"] = "A rule cannot count from itself."
            elif (base.plan_kind, base.inspection_outcome) != (
                self.plan_kind,
                self.inspection_outcome,
            ):
                errors["relative_to"] = (
                    "Count only from a rule for the same kind of plan."
                    if self.plan_kind
                    else "Count only from a rule for the same inspection outcome."
                )
            elif base.anchor == self.Anchor.RULE:
                errors["relative_to"] = "Count from a rule that is itself counted from an event."
            elif base.offset is None:
                errors["relative_to"] = "Count from a rule that has a due date."
        if errors:
            raise ValidationError(errors)


class StatedDeadline(Versioned):
    """A due date stated by the source, such as a DfE letter or notice: it wins over the rule's.

    It belongs to a plan (for a plan's rule) or an inspection (for an
    inspection outcome's rule). The deadline shown is the stated one, and
    the board also sees the rule's own date when the two differ. A repeating
    rule (progress reviews) may have a stated date for each review; any other
    rule has one, corrected in place so its history keeps the old date.
    """

    plan = models.ForeignKey(
        Plan,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="stated_deadlines",
        help_text="For a rule about a kind of plan.",
    )
    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="stated_deadlines",
        help_text="For a rule about an inspection outcome.",
    )
    rule = models.ForeignKey(
        DeadlineRule,
        on_delete=models.PROTECT,
        related_name="stated_deadlines",
        help_text="The rule whose date the source states.",
    )
    due_on = models.DateField("due on")
    due_on_precision = precision_field("due date known to")
    stated_in = models.CharField(
        max_length=200,
        help_text=(
            "Where the date is stated, as the board should read it after 'stated in', for "
            "example DfE's letter of 22 November 2021."
        ),
    )
    source = models.TextField(
        max_length=REASON_TEXT, blank=True, help_text="A link to the letter or notice."
    )
    notes = models.TextField(max_length=LONG_TEXT, blank=True)

    due = PartialDateAccessor("due_on")

    history = HistoricalRecords()

    class Meta:
        ordering = ["rule", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(plan__isnull=False, inspection__isnull=True)
                | models.Q(plan__isnull=True, inspection__isnull=False),
                name="actions_stateddeadline_one_subject",
                violation_error_message=(
                    "A stated date belongs to either a plan or an inspection, not both or neither."
                ),
            ),
            models.CheckConstraint(
                condition=partial_date_is_normalised("due_on"),
                name="actions_stateddeadline_due_on_normalised",
                violation_error_message=NORMALISED_MESSAGE,
            ),
        ]

    def __str__(self):
        return f"{self.rule}: {self.due} (stated in {self.stated_in})"

    @property
    def subject(self):
        return self.plan or self.inspection

    def clean(self):
        if not self.rule_id:
            return
        rule = self.rule
        errors = {}
        if rule.plan_kind:
            if self.inspection_id:
                errors["inspection"] = (
                    "This rule is about a plan: choose the plan, not an inspection."
                )
            if not self.plan_id:
                errors["plan"] = "Choose the plan this date is for."
            elif self.plan.kind != rule.plan_kind:
                errors["rule"] = (
                    f"This rule is for a {rule.get_plan_kind_display().lower()}. Choose a rule "
                    f"for a {self.plan.get_kind_display().lower()}."
                )
        else:
            if self.plan_id:
                errors["plan"] = (
                    "This rule is about an inspection: choose the inspection, not a plan."
                )
            if not self.inspection_id:
                errors["inspection"] = "Choose the inspection this date is for."
            elif self.inspection.outcome != rule.inspection_outcome:
                errors["rule"] = (
                    "This rule is for inspections with "
                    f"{rule.get_inspection_outcome_display().lower()}; this inspection's "
                    "outcome is different."
                )
        if not errors:
            same = StatedDeadline.objects.filter(
                rule_id=self.rule_id, plan_id=self.plan_id, inspection_id=self.inspection_id
            ).exclude(pk=self.pk)
            if not rule.repeats and same.exists():
                errors["rule"] = (
                    "A date is already stated for this rule. Change that one instead: its "
                    "history keeps the old date."
                )
            elif rule.repeats and self.due_on and same.filter(due_on=self.due_on).exists():
                errors["due_on"] = "This date is already stated for this rule."
        if errors:
            raise ValidationError(errors)


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
