"""The outbox (every email ever queued, and what became of it) and each person's choices."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from kit.versioning import Versioned

from .kinds import ALWAYS_SENT, Kind


class OutboxMessage(Versioned):
    """One email to one address, queued once (by its ``key``) and sent at most once.

    Rows are written by ``notices.outbox.queue_message`` and changed only by
    the delivery task (``notices.tasks.deliver_message``), never by hand: the
    history shows each attempt ("Sent", "Failed: ...").
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Could not be sent"
        SKIPPED = "skipped", "Not sent"

    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="What the message is about; the same key is never queued twice.",
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    to = models.EmailField("to", max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notices",
    )
    subject = models.CharField(max_length=300)
    body_text = models.TextField("plain-text body")
    body_html = models.TextField("HTML body", blank=True)
    unsubscribe_url = models.CharField(max_length=1000, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    # The bodies never change after queueing: the row keeps them, the history
    # keeps each change of state.
    history = HistoricalRecords(excluded_fields=["body_text", "body_html"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "outbox message"
        indexes = [models.Index("state", "created_at", name="notices_outbox_state")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="sent") | models.Q(sent_at__isnull=False),
                name="notices_outboxmessage_sent_has_time",
                violation_error_message="A sent message needs the time it was sent.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.to}"


class NoticePreferenceQuerySet(models.QuerySet):
    def turned_off(self, user):
        """The kinds ``user`` has turned off."""
        return set(self.filter(user=user, enabled=False).values_list("kind", flat=True))


class NoticePreference(Versioned):
    """Whether a person gets one kind of email. With no row, they get it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    enabled = models.BooleanField("send these emails", default=True)

    objects = NoticePreferenceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                name="notices_noticepreference_one_per_kind",
                violation_error_message="This person already has a choice for this kind of email.",
            )
        ]

    def __str__(self):
        state = "on" if self.enabled else "off"
        return f"{self.user}: {self.get_kind_display()} ({state})"


def wants(user, kind):
    """Does ``user`` get emails of ``kind``? Yes unless they turned it off."""
    if kind in ALWAYS_SENT:
        return True
    return not NoticePreference.objects.filter(user=user, kind=kind, enabled=False).exists()
