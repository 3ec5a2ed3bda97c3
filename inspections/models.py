"""Local areas, their partners, inspections, findings and verdicts on findings."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from kit.dates import (
    PartialDateAccessor,
    partial_date_is_normalised,
    precision_field,
)
from kit.versioning import Versioned

# The longest text each kind of field takes, checked by the models (every writer:
# board forms, importers, the admin) and shown by the forms. Generous for any real
# text, short enough that no single record can break a page or a board pack.
LONG_TEXT = 20_000  # narratives, notes, sources, the inspectors' words
SUMMARY_TEXT = 10_000  # plain-English summaries for families
REASON_TEXT = 2_000  # reasons, definitions, sources of a rule
MINUTES_TEXT = 50_000  # a board meeting's internal minutes


class Organisation(models.Model):
    """A council, NHS body, provider or forum; one can partner several local areas."""

    class Kind(models.TextChoices):
        COUNCIL = "council", "Council"
        COUNCIL_COMPANY = "council_company", "Council-owned children's services company"
        CCG = "ccg", "Clinical commissioning group (CCG)"
        ICB = "icb", "Integrated care board (ICB)"
        NHS_PROVIDER = "nhs_provider", "NHS provider"
        PARENT_CARER_FORUM = "parent_carer_forum", "Parent carer forum"
        OTHER = "other", "Other partner"

    slug = models.SlugField("short name", max_length=80, unique=True)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # An organisation can change kind over time: NHS clinical commissioning
    # groups became integrated care boards on 1 July 2022 (Health and Care Act 2022).
    former_kind = models.CharField(
        "kind before the change", max_length=20, choices=Kind.choices, blank=True
    )
    kind_changed_on = models.DateField("kind changed on", null=True, blank=True)
    kind_changed_on_precision = precision_field("kind change date known to")
    website = models.URLField(blank=True)
    notes = models.TextField(max_length=LONG_TEXT, blank=True)

    kind_changed = PartialDateAccessor("kind_changed_on")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(former_kind="") | models.Q(kind_changed_on__isnull=False),
                name="inspections_organisation_kind_change_dated",
                violation_error_message="Enter the date the organisation changed kind.",
            ),
            models.CheckConstraint(
                condition=partial_date_is_normalised("kind_changed_on"),
                name="inspections_organisation_kind_changed_on_normalised",
                violation_error_message=(
                    "A date known only to the month or year must be stored as the first "
                    "day of that month or year."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def kind_on(self, day):
        """The organisation's kind on ``day`` (its former kind before the change)."""
        if self.former_kind and self.kind_changed_on and day < self.kind_changed.date:
            return self.former_kind
        return self.kind

    def kind_label_on(self, day):
        return self.Kind(self.kind_on(day)).label

    def clean(self):
        if self.former_kind and self.former_kind == self.kind:
            raise ValidationError(
                {"former_kind": "The kind before the change must differ from the kind now."}
            )


class LocalArea(models.Model):
    """A council's area and its partnership: the unit that is inspected."""

    slug = models.SlugField(
        max_length=80,
        unique=True,
        help_text="Used in web addresses, for example worcestershire.",
    )
    name = models.CharField(max_length=120, unique=True)
    summary = models.TextField(
        max_length=SUMMARY_TEXT, blank=True, help_text="A plain-English introduction for families."
    )
    local_offer_url = models.URLField("Local Offer website", blank=True)
    sources = models.TextField(
        max_length=LONG_TEXT,
        blank=True,
        help_text="Public sources for the facts held, one per line.",
    )
    partners = models.ManyToManyField(Organisation, through="Partnership", related_name="areas")
    reminder_working_days = models.PositiveSmallIntegerField(
        "reminders before board meetings (working days)",
        default=5,
        validators=[MaxValueValidator(30)],
        help_text=(
            "How many working days before each board meeting action leads who owe an update "
            "are reminded by email. 0 turns the reminders off."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("public:area", kwargs={"slug": self.slug})

    @property
    def source_list(self):
        return [line.strip() for line in self.sources.splitlines() if line.strip()]


class Partnership(models.Model):
    """One organisation's place in one local area's partnership.

    An explicit model so that adding a partner is recorded in history
    (Django's ``add()`` on a many-to-many writes no history).
    """

    area = models.ForeignKey(LocalArea, on_delete=models.CASCADE, related_name="partnerships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="partnerships"
    )
    description = models.CharField(
        max_length=300, blank=True, help_text="For example, later NHS Black Country ICB."
    )
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["area", "order", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "organisation"],
                name="inspections_partnership_unique",
                violation_error_message="This organisation is already a partner in this area.",
            )
        ]

    def __str__(self):
        return f"{self.organisation} in {self.area}"


class Membership(Versioned):
    """A person's role in one local area; access to internal data comes only from this."""

    class Role(models.TextChoices):
        BOARD_MEMBER = "board_member", "Board member"
        OFFICER = "officer", "Officer"
        AREA_ADMIN = "area_admin", "Area administrator"
        # Outside the ladder above: may only respond to published updates (inspections.access).
        FORUM = "forum", "Parent carer forum representative"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    area = models.ForeignKey(LocalArea, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        help_text="The organisation the person works for, if it is a partner.",
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["area", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "area"],
                name="inspections_membership_one_per_area",
                violation_error_message="This person already has a role in this area.",
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} in {self.area}"


# When each framework was in force (docs/domain-rules.md): the 2016 joint local
# area SEND inspections ran from May 2016 and the last revisits took place in
# 2022; area SEND inspections under the 2023 framework began in January 2023.
FRAMEWORK_BEGAN = {
    "2016": datetime.date(2016, 5, 1),
    "2023": datetime.date(2023, 1, 1),
}
FRAMEWORK_2016_ENDED = datetime.date(2022, 12, 31)
FRAMEWORK_NAMES = {
    "2016": "joint local area SEND inspection framework (2016)",
    "2023": "area SEND inspection framework (2023)",
}


class Inspection(Versioned):
    """An Ofsted and CQC inspection of a local area, under either framework."""

    class Framework(models.TextChoices):
        JOINT_2016 = "2016", "Joint local area SEND inspection (2016 framework)"
        AREA_SEND_2023 = "2023", "Area SEND inspection (2023 framework)"

    class Kind(models.TextChoices):
        INITIAL = "initial", "Inspection"
        FULL = "full", "Full inspection"
        REVISIT = "revisit", "Revisit"
        MONITORING = "monitoring", "Monitoring inspection"

    class Outcome(models.TextChoices):
        WSOA_REQUIRED = "wsoa_required", "Written statement of action required"
        NO_WSOA = "no_wsoa", "No written statement of action required"
        REVISIT_REPORTED = "revisit_reported", "Progress judged on each weakness"
        POSITIVE = "1", "Outcome 1: typically positive experiences and outcomes"
        INCONSISTENT = "2", "Outcome 2: inconsistent experiences and outcomes"
        SYSTEMIC = "3", "Outcome 3: widespread and/or systemic failings"
        MONITORING_REPORTED = "monitoring_reported", "Action judged on each priority"

    # Which kinds and outcomes belong to which framework.
    KINDS_BY_FRAMEWORK = {
        Framework.JOINT_2016: {Kind.INITIAL, Kind.REVISIT},
        Framework.AREA_SEND_2023: {Kind.FULL, Kind.MONITORING},
    }
    KIND_HINTS = {
        Framework.JOINT_2016: "Under the 2016 framework, choose inspection or revisit.",
        Framework.AREA_SEND_2023: (
            "Under the 2023 framework, choose full inspection or monitoring inspection."
        ),
    }
    KIND_PHRASES = {
        Kind.INITIAL: "an inspection",
        Kind.FULL: "a full inspection",
        Kind.REVISIT: "a revisit",
        Kind.MONITORING: "a monitoring inspection",
    }
    # Each outcome in the framework's own words, always shown, whatever else
    # was recorded. 2016: Ofsted and CQC's report letters and revisit letters;
    # 2023: "Area SEND inspections: framework and handbook", the three
    # inspection outcomes (see docs/domain-rules.md).
    OUTCOME_STATEMENTS = {
        Outcome.WSOA_REQUIRED: (
            "A written statement of action is required because of significant areas of "
            "weakness in the local area's practice."
        ),
        Outcome.NO_WSOA: (
            "No written statement of action was required: inspectors did not find "
            "significant areas of weakness that called for one."
        ),
        Outcome.REVISIT_REPORTED: (
            "The revisit judged whether the area had made sufficient progress in addressing "
            "each area of significant weakness."
        ),
        Outcome.POSITIVE: (
            "The local area partnership's SEND arrangements typically lead to positive "
            "experiences and outcomes for children and young people with SEND. The local "
            "area partnership is taking action where improvements are needed."
        ),
        Outcome.INCONSISTENT: (
            "The local area partnership's arrangements lead to inconsistent experiences and "
            "outcomes for children and young people with SEND. The local area partnership "
            "must work jointly to make improvements."
        ),
        Outcome.SYSTEMIC: (
            "There are widespread and/or systemic failings leading to significant concerns "
            "about the experiences and outcomes of children and young people with SEND, "
            "which the local area partnership must address urgently."
        ),
        Outcome.MONITORING_REPORTED: (
            "The monitoring inspection judged whether the local area partnership is taking "
            "effective action on each area for priority action."
        ),
    }
    OUTCOMES_BY_KIND = {
        Kind.INITIAL: {Outcome.WSOA_REQUIRED, Outcome.NO_WSOA},
        Kind.REVISIT: {Outcome.REVISIT_REPORTED},
        Kind.FULL: {Outcome.POSITIVE, Outcome.INCONSISTENT, Outcome.SYSTEMIC},
        Kind.MONITORING: {Outcome.MONITORING_REPORTED},
    }

    area = models.ForeignKey(LocalArea, on_delete=models.CASCADE, related_name="inspections")
    ref = models.SlugField(
        "reference",
        max_length=40,
        help_text="Short and unique within the area, for example 2018-inspection.",
    )
    framework = models.CharField(max_length=4, choices=Framework.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    start_date = models.DateField(null=True, blank=True)
    start_date_precision = precision_field("start date known to")
    end_date = models.DateField(null=True, blank=True)
    end_date_precision = precision_field("end date known to")
    report_received = models.DateField(
        "report received",
        null=True,
        blank=True,
        help_text="Statutory clocks run from the day the area receives the report.",
    )
    report_received_precision = precision_field("report received date known to")
    report_published = models.DateField(null=True, blank=True)
    report_published_precision = precision_field("report published date known to")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_text = models.TextField(
        "outcome in the inspectors' words",
        max_length=LONG_TEXT,
        blank=True,
    )
    report_url = models.URLField("link to the report", max_length=500, blank=True)
    public_summary = models.TextField(
        "summary for families",
        max_length=SUMMARY_TEXT,
        blank=True,
        help_text="Plain English for parents and carers. Shown publicly; notes are not.",
    )
    findings_judged = models.PositiveSmallIntegerField(
        "earlier findings judged",
        null=True,
        blank=True,
        help_text=(
            "How many earlier findings this inspection judged, when only the counts are "
            "public (for example 13 in 'sufficient progress in 1 of 13')."
        ),
    )
    findings_resolved = models.PositiveSmallIntegerField(
        "of which resolved",
        null=True,
        blank=True,
        help_text=(
            "How many of them had sufficient progress, effective action or no longer need "
            "priority action (for example 1 in 'sufficient progress in 1 of 13')."
        ),
    )
    notes = models.TextField(max_length=LONG_TEXT, blank=True)
    sources = models.TextField(
        max_length=LONG_TEXT, blank=True, help_text="Public sources, one per line."
    )

    start = PartialDateAccessor("start_date")
    end = PartialDateAccessor("end_date")
    received = PartialDateAccessor("report_received")
    published = PartialDateAccessor("report_published")

    history = HistoricalRecords()

    class Meta:
        ordering = ["area", "start_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "ref"],
                name="inspections_inspection_unique_ref",
                violation_error_message="Another inspection in this area already has this reference.",
            ),
            models.CheckConstraint(
                condition=models.Q(framework="2016", kind__in=["initial", "revisit"])
                | models.Q(framework="2023", kind__in=["full", "monitoring"]),
                name="inspections_inspection_kind_fits_framework",
                violation_error_message=(
                    "Under the 2016 framework an inspection is an inspection or a revisit; "
                    "under the 2023 framework it is a full or monitoring inspection."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date"))
                # A date known only to the month or year is stored as the period's first
                # day, so only a day-precise later date can be compared here; clean()
                # compares partial dates fairly.
                | ~models.Q(end_date_precision="day"),
                name="inspections_inspection_end_after_start",
                violation_error_message="The inspection cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(report_published__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(report_published__gte=models.F("start_date"))
                # A date known only to the month or year is stored as the period's first
                # day, so only a day-precise later date can be compared here; clean()
                # compares partial dates fairly.
                | ~models.Q(report_published_precision="day"),
                name="inspections_inspection_published_after_start",
                violation_error_message="The report cannot be published before the inspection starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(findings_resolved__isnull=True)
                | models.Q(
                    findings_judged__isnull=False,
                    findings_resolved__lte=models.F("findings_judged"),
                ),
                name="inspections_inspection_resolved_within_judged",
                violation_error_message=(
                    "The findings resolved cannot be more than the findings judged."
                ),
            ),
            *[
                models.CheckConstraint(
                    condition=partial_date_is_normalised(field),
                    name=f"inspections_inspection_{field}_normalised",
                    violation_error_message=(
                        "A date known only to the month or year must be stored as the "
                        "first day of that month or year."
                    ),
                )
                for field in ("start_date", "end_date", "report_received", "report_published")
            ],
        ]

    def __str__(self):
        when = f" {self.start}" if self.start_date else ""
        return f"{self.area}: {self.title}{when}"

    @property
    def title(self):
        if self.framework == self.Framework.JOINT_2016:
            return {
                self.Kind.INITIAL: "Joint local area SEND inspection",
                self.Kind.REVISIT: "Revisit",
            }.get(self.kind, self.get_kind_display())
        return {
            self.Kind.FULL: "Area SEND inspection",
            self.Kind.MONITORING: "Area SEND monitoring inspection",
        }.get(self.kind, self.get_kind_display())

    @property
    def judges_findings(self):
        """Revisits and monitoring inspections give verdicts on earlier findings only."""
        return self.kind in (self.Kind.REVISIT, self.Kind.MONITORING)

    @property
    def can_judge_earlier_findings(self):
        """Revisits, monitoring inspections and 2023 full inspections judge earlier findings.

        A full inspection under the 2023 framework reports on the areas for
        priority action of the inspection before it (for example "8 of 10 no
        longer need priority action"), as well as making findings of its own.
        """
        return self.judges_findings or self.kind == self.Kind.FULL

    @property
    def outcome_statement(self):
        """The outcome in the framework's own words, from its code; "" when not recorded."""
        return self.OUTCOME_STATEMENTS.get(self.outcome, "")

    @property
    def verdict_counts_text(self):
        """The result when only counts are public, such as "Resolved: 1 of 13 findings"."""
        if self.findings_judged is None:
            return ""
        resolved = self.findings_resolved
        if self.kind == self.Kind.REVISIT:
            what = "sufficient progress"
        elif self.kind == self.Kind.MONITORING:
            what = "effective action"
        else:
            what = "no longer needing priority action"
        if resolved is None:
            return f"{self.findings_judged} earlier findings judged"
        noun = "finding" if self.findings_judged == 1 else "findings"
        return f"{what.capitalize()} on {resolved} of {self.findings_judged} {noun}"

    @property
    def placed_on(self):
        """The date the inspection is placed by: its start, else its end, report receipt
        or publication (a PartialDate, or None when none is known)."""
        return self.start or self.end or self.received or self.published

    @property
    def clock_start(self):
        """The date statutory clocks run from: receipt of the report, else its publication."""
        return self.received or self.published

    def clean(self):
        errors = {}
        allowed_kinds = self.KINDS_BY_FRAMEWORK.get(self.framework, set())
        if self.framework and self.kind and self.kind not in allowed_kinds:
            errors["kind"] = self.KIND_HINTS[self.framework]
        if self.outcome and self.kind and self.outcome not in self.OUTCOMES_BY_KIND[self.kind]:
            errors["outcome"] = (
                f"“{self.get_outcome_display()}” is not an outcome of {self.KIND_PHRASES[self.kind]}."
            )
        errors.update(self._date_problems())
        errors.update(self._framework_period_problems())
        errors.update(self._count_problems())
        if (
            self.pk
            and self.outcome
            and self.outcome != self.Outcome.SYSTEMIC
            and self.findings.filter(kind="area_for_priority_action").exists()
        ):
            errors.setdefault(
                "outcome",
                "This inspection has areas for priority action, which come only with outcome 3. "
                "Change those findings first, or keep outcome 3.",
            )
        if errors:
            raise ValidationError(errors)

    def _date_problems(self):
        """Dates in order: an inspection starts, ends, then its report arrives and is published."""
        errors = {}
        if self.start and self.end and self.end.last_day < self.start.date:
            errors["end_date"] = "The inspection cannot end before it starts."
        for field, label in (
            ("report_received", "The report cannot be received"),
            ("report_published", "The report cannot be published"),
        ):
            value = getattr(self, field.replace("report_", ""), None)
            if value and self.start and value.last_day < self.start.date:
                errors[field] = f"{label} before the inspection starts."
            elif value and self.end and value.last_day < self.end.date:
                errors[field] = f"{label} before the inspection ends. Check the dates."
        return errors

    def _framework_period_problems(self):
        """A framework's inspections fall within the years it was in force."""
        when = self.start or self.end or self.published
        if not when or not self.framework:
            return {}
        began = FRAMEWORK_BEGAN.get(self.framework)
        if began and when.last_day < began:
            return {
                "start_date": (
                    f"The {FRAMEWORK_NAMES[self.framework]} began in "
                    f"{began:%B %Y}, so an inspection under it cannot be dated before then. "
                    "Check the framework or the date."
                )
            }
        if self.framework == self.Framework.JOINT_2016 and when.date > FRAMEWORK_2016_ENDED:
            thing = "revisit" if self.kind == self.Kind.REVISIT else "inspection"
            return {
                "start_date": (
                    f"The 2016 framework's {thing}s ended in {FRAMEWORK_2016_ENDED:%B %Y}. "
                    "Record a later inspection under the 2023 framework."
                )
            }
        return {}

    def _count_problems(self):
        """Verdict counts belong to an inspection that judges earlier findings."""
        if self.findings_judged is None and self.findings_resolved is None:
            return {}
        if self.kind and not self.can_judge_earlier_findings:
            return {
                "findings_judged": (
                    "Only a revisit, a monitoring inspection or a 2023 full inspection judges "
                    "earlier findings. Leave the counts blank."
                )
            }
        if self.findings_judged is None:
            return {"findings_judged": "Enter how many findings were judged"}
        if self.findings_resolved is not None and self.findings_resolved > self.findings_judged:
            return {
                "findings_resolved": "The findings resolved cannot be more than the findings judged."
            }
        return {}


class Finding(Versioned):
    """One area of significant weakness, area for priority action or area for improvement."""

    class Kind(models.TextChoices):
        SIGNIFICANT_WEAKNESS = "significant_weakness", "Area of significant weakness"
        # Some 2016 report letters named two kinds of finding, for example
        # "fundamental failings" and "areas of significant concern".
        FUNDAMENTAL_FAILING = "fundamental_failing", "Fundamental failing"
        SIGNIFICANT_CONCERN = "area_of_significant_concern", "Area of significant concern"
        PRIORITY_ACTION = "area_for_priority_action", "Area for priority action"
        IMPROVEMENT = "area_for_improvement", "Area for improvement"

    KINDS_BY_FRAMEWORK = {
        Inspection.Framework.JOINT_2016: {
            Kind.SIGNIFICANT_WEAKNESS,
            Kind.FUNDAMENTAL_FAILING,
            Kind.SIGNIFICANT_CONCERN,
        },
        Inspection.Framework.AREA_SEND_2023: {Kind.PRIORITY_ACTION, Kind.IMPROVEMENT},
    }
    # The framework's order: the most serious first (priority actions before
    # areas for improvement), stored so every database sorts the same way.
    KIND_RANK = {
        Kind.FUNDAMENTAL_FAILING: 1,
        Kind.SIGNIFICANT_WEAKNESS: 2,
        Kind.SIGNIFICANT_CONCERN: 3,
        Kind.PRIORITY_ACTION: 4,
        Kind.IMPROVEMENT: 5,
    }

    KIND_HINTS = {
        Inspection.Framework.JOINT_2016: (
            "Findings of a 2016 inspection are areas of significant weakness (or, where the "
            "report used them, fundamental failings or areas of significant concern)."
        ),
        Inspection.Framework.AREA_SEND_2023: (
            "Findings of a 2023 inspection are areas for priority action or areas for improvement."
        ),
    }

    class Wording(models.TextChoices):
        VERBATIM = "verbatim", "The inspectors' exact words"
        PARAPHRASE = "paraphrase", "A paraphrase of the inspectors' words"
        THEME = "theme", "A theme, not the official wording"
        NOT_CAPTURED = "not_captured", "The wording is not in the public sources"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    kind_rank = models.PositiveSmallIntegerField(default=0, editable=False)
    number = models.PositiveSmallIntegerField(
        help_text="Numbered within the inspection and kind, starting at 1."
    )
    text = models.TextField(max_length=LONG_TEXT)
    wording = models.CharField(
        "how the text relates to the report",
        max_length=20,
        choices=Wording.choices,
        default=Wording.VERBATIM,
    )
    lead_organisation = models.ForeignKey(
        Organisation,
        verbose_name="lead partner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_findings",
    )
    families_summary = models.TextField(
        "what this means for families",
        max_length=SUMMARY_TEXT,
        blank=True,
        help_text="Plain English for parents and carers: what the finding means and what is changing.",
    )
    notes = models.TextField(max_length=LONG_TEXT, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["inspection", "kind_rank", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "kind", "number"],
                name="inspections_finding_unique_number",
                violation_error_message=(
                    "Another finding of this kind in this inspection already has this number."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1),
                name="inspections_finding_number_positive",
                violation_error_message="Finding numbers start at 1.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @property
    def short_text(self):
        return self.text if len(self.text) <= 90 else self.text[:87].rstrip() + "…"

    def save(self, *args, **kwargs):
        self.kind_rank = self.KIND_RANK.get(self.kind, 9)
        super().save(*args, **kwargs)

    def clean(self):
        if not self.inspection_id or not self.kind:
            return
        inspection = self.inspection
        framework = inspection.framework
        if self.kind not in self.KINDS_BY_FRAMEWORK.get(framework, set()):
            raise ValidationError({"kind": self.KIND_HINTS[framework]})
        if inspection.judges_findings:
            raise ValidationError(
                {
                    "inspection": "Findings belong to the inspection that made them, not to a revisit."
                }
            )
        if (
            self.kind == self.Kind.PRIORITY_ACTION
            and inspection.outcome != Inspection.Outcome.SYSTEMIC
        ):
            # Area SEND framework and handbook: areas for priority action come only
            # with the third outcome (docs/domain-rules.md).
            raise ValidationError(
                {
                    "kind": (
                        "Areas for priority action come only with outcome 3 (widespread and/or "
                        "systemic failings). Record the inspection's outcome first, or choose "
                        "area for improvement."
                    )
                }
            )


class Intervention(Versioned):
    """A government intervention in an area's SEND services: a notice, a direction, a commissioner.

    The Department for Education can issue an Improvement Notice, give a
    statutory direction (for example under section 497A(4B) of the Education
    Act 1996) or appoint a SEND commissioner, sometimes with NHS England
    (docs/domain-rules.md). An intervention is in force from the day it is
    issued until it is lifted or replaced.
    """

    class Kind(models.TextChoices):
        IMPROVEMENT_NOTICE = "improvement_notice", "Improvement Notice"
        STATUTORY_DIRECTION = "statutory_direction", "Statutory direction"
        COMMISSIONER = "commissioner", "SEND commissioner appointed"
        OTHER = "other", "Other intervention"

    area = models.ForeignKey(LocalArea, on_delete=models.CASCADE, related_name="interventions")
    ref = models.SlugField(
        "reference",
        max_length=40,
        help_text="Short and unique within the area, for example improvement-notice-2023.",
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text="Its own name, if it has one. Leave blank for the kind.",
    )
    issued_on = models.DateField("issued on", null=True, blank=True)
    issued_on_precision = precision_field("issued date known to")
    issued_by = models.CharField(
        max_length=160,
        default="Department for Education",
        help_text="For example, Department for Education and NHS England.",
    )
    legal_basis = models.CharField(
        max_length=200,
        blank=True,
        help_text="For a statutory direction, for example section 497A(4B) Education Act 1996.",
    )
    covers = models.TextField(
        "conditions or areas covered",
        max_length=LONG_TEXT,
        blank=True,
        help_text="What the area must do, or the services it covers, in plain English.",
    )
    commissioner = models.CharField("commissioner or adviser appointed", max_length=160, blank=True)
    review_every_months = models.PositiveSmallIntegerField(
        "reviewed every (months)", null=True, blank=True
    )
    lifted_on = models.DateField("lifted or replaced on", null=True, blank=True)
    lifted_on_precision = precision_field("lifted date known to")
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        help_text="A later intervention that took its place.",
    )
    findings = models.ManyToManyField(
        "Finding", through="InterventionFinding", related_name="interventions", blank=True
    )
    public_summary = models.TextField(
        "summary for families",
        max_length=SUMMARY_TEXT,
        blank=True,
        help_text="Plain English for parents and carers. Shown publicly; notes are not.",
    )
    notes = models.TextField(max_length=LONG_TEXT, blank=True)
    sources = models.TextField(
        max_length=LONG_TEXT, blank=True, help_text="Public sources, one per line."
    )

    issued = PartialDateAccessor("issued_on")
    lifted = PartialDateAccessor("lifted_on")

    history = HistoricalRecords()

    class Meta:
        ordering = ["area", "issued_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "ref"],
                name="inspections_intervention_unique_ref",
                violation_error_message="Another intervention in this area already has this reference.",
            ),
            models.CheckConstraint(
                condition=models.Q(lifted_on__isnull=True)
                | models.Q(issued_on__isnull=True)
                | models.Q(lifted_on__gte=models.F("issued_on"))
                | ~models.Q(lifted_on_precision="day"),
                name="inspections_intervention_lifted_after_issued",
                violation_error_message="An intervention cannot be lifted before it is issued.",
            ),
            *[
                models.CheckConstraint(
                    condition=partial_date_is_normalised(field),
                    name=f"inspections_intervention_{field}_normalised",
                    violation_error_message=(
                        "A date known only to the month or year must be stored as the "
                        "first day of that month or year."
                    ),
                )
                for field in ("issued_on", "lifted_on")
            ],
        ]

    def __str__(self):
        when = f", {self.issued}" if self.issued_on else ""
        return f"{self.name}{when}"

    @property
    def name(self):
        return self.title or self.get_kind_display()

    def in_force_on(self, day):
        """Is it in force on ``day``? Issued (or date unknown) and not yet lifted."""
        if self.issued_on and self.issued.date > day:
            return False
        return not (self.lifted_on and self.lifted.last_day <= day)

    def clean(self):
        if self.issued and self.lifted and self.lifted.last_day < self.issued.date:
            raise ValidationError(
                {"lifted_on": "An intervention cannot be lifted before it is issued."}
            )
        if self.replaced_by_id and self.replaced_by_id == self.pk:
            raise ValidationError({"replaced_by": "An intervention cannot replace itself."})
        if self.replaced_by_id and self.replaced_by.area_id != self.area_id:
            raise ValidationError(
                {"replaced_by": "The later intervention must be in the same area."}
            )


class InterventionFinding(models.Model):
    """A finding an intervention covers (explicit, so each link is in history)."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="intervention_findings"
    )
    finding = models.ForeignKey("Finding", on_delete=models.CASCADE, related_name="+")

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "finding"],
                name="inspections_interventionfinding_unique",
                violation_error_message="This intervention already covers this finding.",
            )
        ]

    def __str__(self):
        return f"{self.intervention} covers {self.finding}"

    def clean(self):
        if (
            self.intervention_id
            and self.finding_id
            and self.finding.inspection.area_id != self.intervention.area_id
        ):
            raise ValidationError({"finding": "The finding must be of the same local area."})


class ProgressReview(models.Model):
    """A dated review of an area's progress between inspections, by DfE, NHS England or both.

    Progress reviews, monitoring visits, stocktakes and engagement meetings
    are all recorded, whether or not they give a verdict on a finding; a
    review of an intervention (such as an Improvement Notice review) names it.
    """

    class Kind(models.TextChoices):
        PROGRESS_REVIEW = "progress_review", "Progress review"
        MONITORING_VISIT = "monitoring_visit", "Monitoring visit"
        STOCKTAKE = "stocktake", "Stocktake"
        ENGAGEMENT_MEETING = "engagement_meeting", "Engagement meeting"
        INTERVENTION_REVIEW = "intervention_review", "Review of an intervention"
        OTHER = "other", "Other review"

    area = models.ForeignKey(LocalArea, on_delete=models.CASCADE, related_name="reviews")
    ref = models.SlugField("reference", max_length=40)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.PROGRESS_REVIEW)
    held_on = models.DateField("date held", null=True, blank=True)
    held_on_precision = precision_field("date known to")
    label = models.CharField(max_length=120, blank=True, help_text="For example, 15-month review.")
    conducted_by = models.CharField(max_length=120, default="DfE and NHS England")
    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviews",
        help_text="The intervention this reviewed, if any.",
    )
    result = models.TextField(max_length=LONG_TEXT, blank=True)
    public_summary = models.TextField(
        "summary for families",
        max_length=SUMMARY_TEXT,
        blank=True,
        help_text="Plain English for parents and carers. Shown publicly; the result is not.",
    )
    sources = models.TextField(max_length=LONG_TEXT, blank=True)

    held = PartialDateAccessor("held_on")

    history = HistoricalRecords()

    class Meta:
        ordering = ["area", "held_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "ref"],
                name="inspections_progressreview_unique_ref",
                violation_error_message="Another review in this area already has this reference.",
            ),
            models.CheckConstraint(
                condition=partial_date_is_normalised("held_on"),
                name="inspections_progressreview_held_on_normalised",
                violation_error_message=(
                    "A date known only to the month or year must be stored as the first "
                    "day of that month or year."
                ),
            ),
        ]

    def __str__(self):
        when = str(self.held) if self.held_on else "date not known"
        return f"{self.name} ({when})"

    @property
    def name(self):
        return self.label or self.get_kind_display()

    def clean(self):
        if self.intervention_id and self.intervention.area_id != self.area_id:
            raise ValidationError(
                {"intervention": "The intervention must be of the same local area."}
            )


class Judgement(Versioned):
    """A verdict on one finding, from a revisit, a monitoring inspection or a DfE review."""

    class Verdict(models.TextChoices):
        SUFFICIENT = "sufficient_progress", "Sufficient progress"
        INSUFFICIENT = "insufficient_progress", "Not sufficient progress"
        EFFECTIVE = "effective_action", "Effective action"
        NOT_EFFECTIVE = "not_effective_action", "Not yet effective action"
        CLOSED = "closed_by_review", "Closed by DfE review"
        STILL_MONITORED = "still_monitored", "Still monitored by DfE"
        NO_LONGER_PRIORITY = "no_longer_priority", "No longer needs priority action"
        STILL_PRIORITY = "still_priority", "Still needs priority action"

    INSPECTION_VERDICTS = {
        Inspection.Kind.REVISIT: {Verdict.SUFFICIENT, Verdict.INSUFFICIENT},
        Inspection.Kind.MONITORING: {Verdict.EFFECTIVE, Verdict.NOT_EFFECTIVE},
        # A 2023 full inspection reports on the earlier inspection's areas for
        # priority action (docs/domain-rules.md).
        Inspection.Kind.FULL: {
            Verdict.NO_LONGER_PRIORITY,
            Verdict.STILL_PRIORITY,
            Verdict.EFFECTIVE,
            Verdict.NOT_EFFECTIVE,
        },
    }
    REVIEW_VERDICTS = {Verdict.CLOSED, Verdict.STILL_MONITORED}
    RESOLVED_VERDICTS = {
        Verdict.SUFFICIENT,
        Verdict.EFFECTIVE,
        Verdict.CLOSED,
        Verdict.NO_LONGER_PRIORITY,
    }
    UNRESOLVED_VERDICTS = {
        Verdict.INSUFFICIENT,
        Verdict.NOT_EFFECTIVE,
        Verdict.STILL_MONITORED,
        Verdict.STILL_PRIORITY,
    }

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="judgements")
    inspection = models.ForeignKey(
        Inspection,
        verbose_name="judged at inspection",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="judgements",
    )
    review = models.ForeignKey(
        ProgressReview,
        verbose_name="judged at review",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="judgements",
    )
    verdict = models.CharField(max_length=30, choices=Verdict.choices)
    commentary = models.TextField(max_length=LONG_TEXT, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["finding", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(inspection__isnull=False, review__isnull=True)
                | models.Q(inspection__isnull=True, review__isnull=False),
                name="inspections_judgement_one_source",
                violation_error_message=(
                    "A verdict comes from either an inspection or a DfE review, not both or neither."
                ),
            ),
            models.UniqueConstraint(
                fields=["finding", "inspection"],
                name="inspections_judgement_once_per_inspection",
                violation_error_message="This inspection has already given a verdict on this finding.",
            ),
            models.UniqueConstraint(
                fields=["finding", "review"],
                name="inspections_judgement_once_per_review",
                violation_error_message="This review has already given a verdict on this finding.",
            ),
        ]

    def __str__(self):
        return f"{self.finding}: {self.get_verdict_display()}"

    @property
    def is_unresolved(self):
        return self.verdict in self.UNRESOLVED_VERDICTS

    def clean(self):
        if not self.finding_id:
            return
        if self.inspection_id:
            inspection = self.inspection
            allowed = self.INSPECTION_VERDICTS.get(inspection.kind)
            if allowed is None:
                raise ValidationError(
                    {
                        "inspection": (
                            "Only a revisit, a monitoring inspection or a 2023 full inspection "
                            "gives verdicts on earlier findings."
                        )
                    }
                )
            if inspection.pk == self.finding.inspection_id:
                raise ValidationError(
                    {"inspection": "An inspection cannot judge its own findings."}
                )
            judged_from = self.finding.inspection.start
            if judged_from and inspection.start and inspection.start.last_day < judged_from.date:
                raise ValidationError(
                    {
                        "inspection": (
                            "A finding cannot be judged before the inspection that made it "
                            f"started ({judged_from})."
                        )
                    }
                )
            if inspection.area_id != self.finding.inspection.area_id:
                raise ValidationError(
                    {"inspection": "The inspection must be of the same local area as the finding."}
                )
            if self.verdict and self.verdict not in allowed:
                raise ValidationError(
                    {
                        "verdict": (
                            f"A {inspection.get_kind_display().lower()} cannot give the verdict "
                            f"“{self.get_verdict_display()}”."
                        )
                    }
                )
        if self.review_id:
            judged_from = self.finding.inspection.start
            held = self.review.held
            if judged_from and held and held.last_day < judged_from.date:
                raise ValidationError(
                    {
                        "review": (
                            "A finding cannot be judged before the inspection that made it "
                            f"started ({judged_from})."
                        )
                    }
                )
            if self.review.area_id != self.finding.inspection.area_id:
                raise ValidationError(
                    {"review": "The review must be of the same local area as the finding."}
                )
            if self.verdict and self.verdict not in self.REVIEW_VERDICTS:
                raise ValidationError(
                    {
                        "verdict": (
                            "A DfE review can only close a finding or keep monitoring it, "
                            f"not give “{self.get_verdict_display()}”."
                        )
                    }
                )
