"""Progress updates on actions, their evidence, measures and board meetings."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from simple_history.models import HistoricalRecords

from actions.models import ActionItem, DeliveryStatus, ImpactStatus, Plan
from inspections.models import (
    LONG_TEXT,
    MINUTES_TEXT,
    REASON_TEXT,
    SUMMARY_TEXT,
    Finding,
    LocalArea,
)
from kit.versioning import Versioned

# What the public may see is decided by these querysets, next to the models
# they guard; public.selectors builds every public page from them and progress
# reports for the public read through them too.


class ProgressUpdateQuerySet(models.QuerySet):
    def published(self, now=None):
        """Updates published, whose publication time has come (never a withdrawn one)."""
        return self.filter(
            state=ProgressUpdate.State.PUBLISHED, publish_at__lte=now or timezone.now()
        )

    def withdrawn_publicly(self):
        """Withdrawn updates that were public before they were withdrawn.

        Their pages and the feed show only "Withdrawn on DATE: reason" in their
        place, never what they said. One withdrawn before its publication time
        was never public, so nothing is said about it.
        """
        return self.filter(
            state=ProgressUpdate.State.WITHDRAWN, publish_at__lte=models.F("withdrawn_at")
        )


class EvidenceQuerySet(models.QuerySet):
    def public(self, now=None):
        """Files marked public, on published updates of plans the public may see."""
        return self.filter(
            visibility=Evidence.Visibility.PUBLIC,
            update__in=ProgressUpdate.objects.published(now),
            update__action__plan__in=Plan.objects.public(),
        )


class MeasureQuerySet(models.QuerySet):
    def public(self):
        """Measures marked public (small numbers are still suppressed when shown)."""
        return self.filter(is_public=True)


class BoardMeetingQuerySet(models.QuerySet):
    def announced(self):
        """Meetings whose public summary is published: their date may be shown."""
        return self.filter(is_published=True)

    def public(self):
        """Announced meetings with something to say publicly."""
        return self.announced().exclude(models.Q(what_was_said="") & models.Q(what_we_will_do=""))


class YouSaidWeDidQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_published=True)


class ForumResponseQuerySet(models.QuerySet):
    def public(self, now=None):
        """Responses on updates the public may see: published, their time come, public plans."""
        return self.filter(
            update__in=ProgressUpdate.objects.published(now),
            update__action__plan__in=Plan.objects.public(),
        )


class ProgressReportQuerySet(models.QuerySet):
    def public(self):
        """Published public reports (board packs are never public; nor is a withdrawn report)."""
        return self.filter(
            audience=ProgressReport.Audience.PUBLIC, state=ProgressReport.State.PUBLISHED
        )

    def withdrawn_publicly(self):
        """Public reports withdrawn after publication: listed as withdrawn, their PDF gone."""
        return self.filter(
            audience=ProgressReport.Audience.PUBLIC, state=ProgressReport.State.WITHDRAWN
        )


# Withdrawal: a published update or public report stays published in its history, and
# its record is kept; withdrawing it (progress/withdrawal.py) is its own audited step,
# with a reason the public sees in its place ("Withdrawn on 3 December 2026: ...").

WITHDRAW_REASON_MAX_CHARACTERS = 500


class Withdrawable(models.Model):
    """When, by whom and why a published record was withdrawn; empty until it is."""

    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="The officer who withdrew it. Never shown publicly.",
    )
    withdraw_reason = models.TextField(
        "reason for withdrawal",
        max_length=WITHDRAW_REASON_MAX_CHARACTERS,
        blank=True,
        editable=False,
        help_text="Shown publicly in place of what was withdrawn.",
    )

    # What withdrawal records: fixed once it is withdrawn.
    WITHDRAWAL_FIELDS = ("state", "withdrawn_at", "withdrawn_by_id", "withdraw_reason")

    class Meta:
        abstract = True

    @property
    def is_withdrawn(self):
        return self.state == "withdrawn"

    def refuse_unfreezing(self, stored):
        """Refuse a save that would undo or rewrite a withdrawal.

        ``stored`` is the row as it is in the database (its state and withdrawal fields).
        A withdrawn record stays withdrawn, with the same who, when and why. (That a
        published one is never unpublished is kept by the workflow and the admin.)
        """
        if stored["state"] == "withdrawn" and any(
            stored[name] != getattr(self, name) for name in self.WITHDRAWAL_FIELDS
        ):
            raise ValidationError("A withdrawn record stays withdrawn, with its reason.")


def withdrawal_constraints(prefix, *, frozen):
    """The database's rules for withdrawal, named ``<prefix>_...``.

    Withdrawn needs a reason and a time (and ``frozen``, what a published record
    needs); only a withdrawn record has them; the reason is not too long.
    """
    withdrawn = models.Q(state="withdrawn")
    return [
        models.CheckConstraint(
            condition=~withdrawn
            | (~models.Q(withdraw_reason="") & models.Q(withdrawn_at__isnull=False) & frozen),
            name=f"{prefix}_withdrawn_has_reason",
            violation_error_message="Say why it is being withdrawn.",
        ),
        models.CheckConstraint(
            condition=withdrawn
            | models.Q(withdraw_reason="", withdrawn_at__isnull=True, withdrawn_by__isnull=True),
            name=f"{prefix}_only_withdrawn_has_withdrawal",
            violation_error_message="Only a withdrawn record has a reason for withdrawal.",
        ),
        models.CheckConstraint(
            condition=LessThanOrEqual(Length("withdraw_reason"), WITHDRAW_REASON_MAX_CHARACTERS),
            name=f"{prefix}_withdraw_reason_not_too_long",
            violation_error_message=(
                f"The reason for withdrawal must be {WITHDRAW_REASON_MAX_CHARACTERS} characters "
                "or fewer."
            ),
        ),
    ]


class ProgressUpdate(Versioned, Withdrawable):
    """An update on one action for one period.

    Updates are append-only: once submitted, what an update says is fixed; a
    correction is a new update. Only drafts and returned updates may change.
    """

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for approval"
        RETURNED = "returned", "Returned for changes"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    EDITABLE_STATES = {State.DRAFT, State.RETURNED}
    CONTENT_FIELDS = (
        "period_start",
        "period_end",
        "delivery_status",
        "impact_status",
        "narrative",
        "public_summary",
        "status_change_reason",
    )

    action = models.ForeignKey(ActionItem, on_delete=models.PROTECT, related_name="updates")
    period_start = models.DateField("period covered from")
    period_end = models.DateField("period covered to")
    delivery_status = models.CharField(max_length=20, choices=DeliveryStatus.choices)
    impact_status = models.CharField(max_length=20, choices=ImpactStatus.choices)
    narrative = models.TextField(
        "internal narrative",
        max_length=LONG_TEXT,
        help_text="For the board only. Never shown to the public.",
    )
    public_summary = models.TextField(
        "summary for families",
        max_length=SUMMARY_TEXT,
        help_text="Plain English; shown publicly once published.",
    )
    status_change_reason = models.TextField(
        "reason for status change",
        max_length=REASON_TEXT,
        blank=True,
        help_text="Required when the delivery or impact status changes.",
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    return_reason = models.TextField(max_length=REASON_TEXT, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="authored_updates",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_updates",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    publish_at = models.DateTimeField(
        "publish from",
        null=True,
        blank=True,
        help_text="Published updates appear publicly from this moment.",
    )
    is_illustrative = models.BooleanField("illustrative (invented for the demo)", default=False)

    objects = ProgressUpdateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "period_end", "pk"]
        indexes = [
            # The public pages ask for each action's newest published update, in the order
            # they pick it (public.selectors._latest_published): the index hands over the
            # first row, with nothing to sort.
            models.Index(
                "action",
                "state",
                models.F("period_end").desc(),
                models.F("publish_at").desc(),
                models.F("id").desc(),
                name="progress_update_newest",
            ),
            # The public page cache asks for the next publication still to come
            # (public.cache): only published updates, in publication order.
            models.Index(
                fields=["publish_at"],
                condition=models.Q(state="published"),
                name="progress_update_next_publish",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="progress_progressupdate_period_in_order",
                violation_error_message="The end of the period cannot be before its start.",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="returned") | ~models.Q(return_reason=""),
                name="progress_progressupdate_returned_has_reason",
                violation_error_message="Say why the update is being returned.",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="published") | models.Q(publish_at__isnull=False),
                name="progress_progressupdate_published_has_time",
                violation_error_message="A published update needs the time it is published from.",
            ),
            *withdrawal_constraints(
                "progress_progressupdate", frozen=models.Q(publish_at__isnull=False)
            ),
        ]

    def __str__(self):
        return f"Update on {self.action.ref} for {self.period_start:%d %b %Y} to {self.period_end:%d %b %Y}"

    def save(self, *args, **kwargs):
        # Checked whatever the new state is, so moving an update back to draft
        # cannot smuggle in a change to what was submitted.
        if self.pk:
            stored = (
                type(self)
                .objects.filter(pk=self.pk)
                .values(*self.CONTENT_FIELDS, *self.WITHDRAWAL_FIELDS, "publish_at")
                .first()
            )
            if stored:
                self.refuse_unfreezing(stored)
                if (
                    stored["state"] == self.State.WITHDRAWN
                    and stored["publish_at"] != self.publish_at
                ):
                    raise ValidationError("A withdrawn update stays withdrawn, with its reason.")
            if stored and stored["state"] not in self.EDITABLE_STATES:
                changed = [f for f in self.CONTENT_FIELDS if stored[f] != getattr(self, f)]
                if changed:
                    raise ValidationError(
                        "A submitted update cannot be changed; write a new update instead."
                    )
        super().save(*args, **kwargs)

    def clean(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError(
                {"period_end": "The end of the period cannot be before its start."}
            )


def evidence_path(instance, filename):
    # Never build a storage path from the uploader's filename: keep only the extension.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"evidence/{instance.update.action.plan.area.slug}/{instance.uuid}.{suffix[:8]}"


class Evidence(models.Model):
    """A file supporting an update, marked public or internal."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public: can be shown to families"
        INTERNAL = "internal", "Internal: board and officers only"

    update = models.ForeignKey(ProgressUpdate, on_delete=models.PROTECT, related_name="evidence")
    uuid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=evidence_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["update", "uploaded_at", "pk"]
        verbose_name_plural = "evidence"

    def __str__(self):
        return self.title


class Measure(Versioned):
    """An aggregate measure of progress (never data about an individual child)."""

    class Unit(models.TextChoices):
        PERCENT = "percent", "Percentage"
        COUNT = "count", "Number"
        WEEKS = "weeks", "Weeks"
        DAYS = "days", "Days"

    area = models.ForeignKey(LocalArea, on_delete=models.CASCADE, related_name="measures")
    plan = models.ForeignKey(
        Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="measures"
    )
    finding = models.ForeignKey(
        Finding, on_delete=models.SET_NULL, null=True, blank=True, related_name="measures"
    )
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    definition = models.TextField(
        max_length=REASON_TEXT, help_text="Exactly what is counted, and over what period."
    )
    source = models.CharField(max_length=300, help_text="Where the figures come from.")
    unit = models.CharField(max_length=10, choices=Unit.choices)
    higher_is_better = models.BooleanField(default=True)
    baseline = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    baseline_date = models.DateField(null=True, blank=True)
    target = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    national_comparator = models.DecimalField(
        "national figure", max_digits=10, decimal_places=2, null=True, blank=True
    )
    national_comparator_label = models.CharField(
        "national figure: period and source", max_length=200, blank=True
    )
    is_public = models.BooleanField(default=True)
    is_illustrative = models.BooleanField("illustrative (invented for the demo)", default=False)

    objects = MeasureQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["area", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "slug"],
                name="progress_measure_unique_slug",
                violation_error_message="Another measure in this area already has this short name.",
            ),
            models.CheckConstraint(
                condition=models.Q(target_date__isnull=True)
                | models.Q(baseline_date__isnull=True)
                | models.Q(target_date__gt=models.F("baseline_date")),
                name="progress_measure_target_after_baseline",
                violation_error_message="The target date must be after the baseline date.",
            ),
        ]

    def __str__(self):
        return self.name


class MeasureValue(Versioned):
    """A measure's value for one period, with the counts behind a rate when there are any."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="values")
    period_end = models.DateField("period ending")
    period_label = models.CharField(max_length=60, blank=True, help_text="For example, Q1 2025.")
    value = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "period_end"],
                name="progress_measurevalue_one_per_period",
                violation_error_message="This measure already has a value for this period.",
            ),
            models.CheckConstraint(
                condition=models.Q(value__isnull=False) | models.Q(numerator__isnull=False),
                name="progress_measurevalue_has_figure",
                violation_error_message="Enter a value, or the counts it is worked out from.",
            ),
            models.CheckConstraint(
                condition=models.Q(numerator__isnull=True, denominator__isnull=True)
                | models.Q(
                    numerator__isnull=False,
                    denominator__gt=0,
                    numerator__lte=models.F("denominator"),
                ),
                name="progress_measurevalue_counts_consistent",
                violation_error_message=(
                    "Give both counts, with the number meeting the measure no larger than the total."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.measure}: {self.period_label or self.period_end}"


class BoardMeeting(Versioned):
    """A meeting of the improvement board, with what is said publicly about it."""

    area = models.ForeignKey(LocalArea, on_delete=models.CASCADE, related_name="board_meetings")
    held_on = models.DateField("date of meeting")
    title = models.CharField(max_length=200, default="SEND improvement board")
    what_was_said = models.TextField("what was said (public)", max_length=LONG_TEXT, blank=True)
    what_we_will_do = models.TextField("what we will do (public)", max_length=LONG_TEXT, blank=True)
    internal_minutes = models.TextField(
        "internal minutes and decisions",
        max_length=MINUTES_TEXT,
        blank=True,
        help_text="Never shown to the public.",
    )
    is_published = models.BooleanField("public summary published", default=False)
    is_illustrative = models.BooleanField("illustrative (invented for the demo)", default=False)

    objects = BoardMeetingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["area", "-held_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "held_on", "title"],
                name="progress_boardmeeting_unique",
                violation_error_message="This board already has a meeting on this date.",
            )
        ]

    def __str__(self):
        return f"{self.title}, {self.held_on:%d %B %Y}"


class YouSaidWeDid(Versioned):
    """What families told the area, and what the area did about it ("You said, we did")."""

    area = models.ForeignKey(LocalArea, on_delete=models.CASCADE, related_name="you_said_we_did")
    you_said = models.TextField("you said", max_length=SUMMARY_TEXT)
    we_did = models.TextField("we did", max_length=SUMMARY_TEXT)
    heard_on = models.DateField("date", help_text="When families raised it.")
    source = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where it was raised, for example the parent carer forum's survey.",
    )
    is_published = models.BooleanField("published", default=False)
    is_illustrative = models.BooleanField("illustrative (invented for the demo)", default=False)

    objects = YouSaidWeDidQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["area", "-heard_on", "pk"]
        verbose_name = "“You said, we did” entry"
        verbose_name_plural = "“You said, we did” entries"

    def __str__(self):
        return self.you_said[:60]


# The parent carer forum's voice: its representative acknowledges or challenges a
# published update, and the board must answer a challenge. Both are public from the
# moment they are written; what was written is never changed (progress/forum.py).

CHALLENGE_MAX_CHARACTERS = 1500
NOTE_MAX_CHARACTERS = 500
REPLY_MAX_CHARACTERS = 1500


def _text_within(limit):
    """The text is at most ``limit`` characters long: for a check constraint."""
    return LessThanOrEqual(Length("text"), limit)


class ForumResponse(Versioned):
    """The parent carer forum's response to a published update: an acknowledgement or a challenge.

    Written by the forum's representative and published in the forum's name
    straight away. Its words are the forum's own: nobody may change them
    afterwards (``save`` refuses), not even the person who wrote them. A
    challenge stays open until the board replies (``ForumReply``); an update
    has at most one open challenge and one acknowledgement.
    """

    class Kind(models.TextChoices):
        ACKNOWLEDGE = "acknowledge", "Acknowledgement"
        CHALLENGE = "challenge", "Challenge"

    # What the forum wrote: fixed once saved.
    FIXED_FIELDS = ("update_id", "kind", "text", "responded_by_id", "responded_at")

    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.PROTECT, related_name="forum_responses"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField(
        max_length=SUMMARY_TEXT,
        blank=True,
        help_text=(
            "The forum's own words, shown publicly under the update. Required for a challenge "
            f"(up to {CHALLENGE_MAX_CHARACTERS:,} characters); an optional short note with an "
            f"acknowledgement (up to {NOTE_MAX_CHARACTERS} characters)."
        ),
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="forum_responses",
        help_text="The forum's representative who wrote it. Never shown publicly.",
    )
    responded_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(
        null=True, blank=True, help_text="When the board replied to the challenge."
    )
    is_illustrative = models.BooleanField("illustrative (invented for the demo)", default=False)

    objects = ForumResponseQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["update", "responded_at", "pk"]
        verbose_name = "parent carer forum response"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="challenge") | ~models.Q(text=""),
                name="progress_forumresponse_challenge_has_text",
                violation_error_message="Enter what the forum wants the board to answer.",
            ),
            models.CheckConstraint(
                condition=models.Q(_text_within(CHALLENGE_MAX_CHARACTERS), kind="challenge")
                | models.Q(_text_within(NOTE_MAX_CHARACTERS), kind="acknowledge"),
                name="progress_forumresponse_text_not_too_long",
                violation_error_message=(
                    f"A challenge must be {CHALLENGE_MAX_CHARACTERS:,} characters or fewer, and "
                    f"a note with an acknowledgement {NOTE_MAX_CHARACTERS} characters or fewer."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(kind="challenge") | models.Q(answered_at__isnull=True),
                name="progress_forumresponse_only_challenges_answered",
                violation_error_message="Only a challenge is answered by the board.",
            ),
            models.UniqueConstraint(
                fields=["update"],
                condition=models.Q(kind="acknowledge"),
                name="progress_forumresponse_one_acknowledgement",
                violation_error_message="The forum has already acknowledged this update.",
            ),
            models.UniqueConstraint(
                fields=["update"],
                condition=models.Q(kind="challenge", answered_at__isnull=True),
                name="progress_forumresponse_one_open_challenge",
                violation_error_message=(
                    "The forum has already challenged this update, and the board has not "
                    "replied yet."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.update}"

    @property
    def is_challenge(self):
        return self.kind == self.Kind.CHALLENGE

    def clean(self):
        if self.update_id and self.update.state != ProgressUpdate.State.PUBLISHED:
            raise ValidationError("The forum can only respond to a published update.")

    def save(self, *args, **kwargs):
        # Whoever saves (a service, the admin, a shell), the forum's words stay its own.
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values(*self.FIXED_FIELDS).first()
            if stored and any(stored[f] != getattr(self, f) for f in self.FIXED_FIELDS):
                raise ValidationError(
                    "What the parent carer forum wrote cannot be changed. The board can reply to "
                    "a challenge instead."
                )
        super().save(*args, **kwargs)


class ForumReply(Versioned):
    """The board's public reply to one of the forum's challenges; fixed once written."""

    FIXED_FIELDS = ("challenge_id", "text", "replied_by_id", "replied_at")

    challenge = models.OneToOneField(
        ForumResponse,
        on_delete=models.PROTECT,
        related_name="reply",
        limit_choices_to={"kind": ForumResponse.Kind.CHALLENGE},
    )
    text = models.TextField(
        max_length=SUMMARY_TEXT,
        blank=True,  # the constraint below says what is missing, in plain English
        help_text=(
            "The board's answer, in plain English, shown publicly under the challenge "
            f"(up to {REPLY_MAX_CHARACTERS:,} characters)."
        ),
    )
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="forum_replies",
        help_text="The officer who wrote it. Never shown publicly.",
    )
    replied_at = models.DateTimeField(default=timezone.now)
    is_illustrative = models.BooleanField("illustrative (invented for the demo)", default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["replied_at", "pk"]
        verbose_name = "board reply to the parent carer forum"
        verbose_name_plural = "board replies to the parent carer forum"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(text=""),
                name="progress_forumreply_has_text",
                violation_error_message="Enter the board’s reply.",
            ),
            models.CheckConstraint(
                condition=models.Q(_text_within(REPLY_MAX_CHARACTERS)),
                name="progress_forumreply_text_not_too_long",
                violation_error_message=(
                    f"The board’s reply must be {REPLY_MAX_CHARACTERS:,} characters or fewer."
                ),
            ),
        ]

    def __str__(self):
        return f"Reply to the {self.challenge}"

    def clean(self):
        if self.challenge_id and self.challenge.kind != ForumResponse.Kind.CHALLENGE:
            raise ValidationError("The board replies to the forum’s challenges only.")

    def save(self, *args, **kwargs):
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values(*self.FIXED_FIELDS).first()
            if stored and any(stored[f] != getattr(self, f) for f in self.FIXED_FIELDS):
                raise ValidationError(
                    "A reply to the forum cannot be changed once it is published."
                )
        super().save(*args, **kwargs)


def report_pdf_path(instance, filename):
    return f"reports/{instance.plan.area.slug}/{instance.uuid}.pdf"


def report_prepared_pdf_path(instance, filename):
    return f"reports/{instance.plan.area.slug}/{instance.uuid}-published.pdf"


REPORT_INTRODUCTION_MAX_CHARACTERS = 2000


class ProgressReport(Withdrawable):
    """A progress report on a plan for a period: generated, previewed, and once published, frozen.

    A published report's HTML and PDF are stored with the PDF's SHA-256 and
    are never regenerated; it is numbered per plan and audience (Report 1, 2,
    ...). ``snapshot`` keeps the figures the report showed, so the next report
    can say what changed since.
    """

    class Audience(models.TextChoices):
        BOARD = "board_pack", "Board pack (internal)"
        PUBLIC = "public", "Public report"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to be generated"
        GENERATING = "generating", "Being generated"
        READY = "ready", "Ready to check"
        FAILED = "failed", "Could not be generated"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    uuid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reports")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    period_start = models.DateField("period from")
    period_end = models.DateField("period to")
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    number = models.PositiveIntegerField(null=True, blank=True, editable=False)
    html = models.TextField(blank=True, editable=False)
    pdf = models.FileField(upload_to=report_pdf_path, blank=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    # The report as it will be published (no DRAFT marks, the number planned for it), drawn
    # by the worker with the draft (tasks.generate_report), with its SHA-256, so that
    # publishing draws nothing: it checks this file and swaps it in as ``pdf`` and ``sha256``,
    # and empties these (report_services.publish_report). Empty for a report generated before.
    prepared_pdf = models.FileField(upload_to=report_prepared_pdf_path, blank=True, editable=False)
    prepared_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    snapshot = models.JSONField(default=dict, blank=True, editable=False)
    error = models.TextField(blank=True, editable=False)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    generated_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The officer's own words at the top of the report, written when asking for it: public
    # text in a public report, so the request form checks its wording (progress/forms.py).
    introduction = models.TextField(
        blank=True,
        max_length=REPORT_INTRODUCTION_MAX_CHARACTERS,
        help_text=(
            "Optional. A few plain sentences at the top of the report: what it covers and "
            "anything readers should know first."
        ),
    )

    # While it is being generated: when it must have finished (the render's time limit plus
    # a margin). A report still "being generated" after then was stopped with its worker, so
    # it is marked failed, with "Try again" (report_services.fail_stale_reports).
    lease_expires_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ProgressReportQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["html", "snapshot"])

    class Meta:
        ordering = ["plan", "-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "audience", "number"],
                name="progress_progressreport_unique_number",
                violation_error_message="This plan already has a report with this number.",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="progress_progressreport_period_in_order",
                violation_error_message="The end of the period cannot be before its start.",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="published")
                | (models.Q(number__isnull=False) & ~models.Q(sha256="")),
                name="progress_progressreport_published_is_frozen",
                violation_error_message="A published report needs its number and its stored PDF.",
            ),
            *withdrawal_constraints(
                "progress_progressreport",
                frozen=models.Q(number__isnull=False) & ~models.Q(sha256=""),
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(
                    Length("introduction"), REPORT_INTRODUCTION_MAX_CHARACTERS
                ),
                name="progress_progressreport_introduction_not_too_long",
                violation_error_message=(
                    f"The introduction must be {REPORT_INTRODUCTION_MAX_CHARACTERS:,} characters "
                    "or fewer."
                ),
            ),
        ]

    def __str__(self):
        label = f"Report {self.number}" if self.number else "Draft report"
        return f"{label}: {self.plan.title}, {self.period_start:%-d %b %Y} to {self.period_end:%-d %b %Y}"

    def save(self, *args, **kwargs):
        # Whoever saves (a service, the admin, a shell), a published report is never
        # unpublished, and a withdrawal is never undone or rewritten.
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values(*self.WITHDRAWAL_FIELDS).first()
            if stored:
                self.refuse_unfreezing(stored)
        super().save(*args, **kwargs)

    @property
    def is_being_made(self):
        """Waiting for the worker or being drawn: its page follows it until it is done."""
        return self.state in (self.State.QUEUED, self.State.GENERATING)
