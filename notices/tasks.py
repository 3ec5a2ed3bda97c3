"""Sending the outbox: each message at most once, with every attempt in its history.

``deliver_message`` runs in the task worker (django.tasks; the immediate
backend runs it at once in tests and the demo). It locks the message's row
for the whole attempt, so two runs of the task for the same message (a
retry racing the first run, say) cannot both send it: the second waits for
the first and then finds it sent. A message that could not be sent is
marked failed with the error; ``retry_failed``, run by the scheduler
(``manage.py send_reminders``), tries it again later, up to ``MAX_ATTEMPTS``.
"""

import datetime
import logging
from functools import partial

from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from kit.versioning import save_with_history

from .models import OutboxMessage, wants

log = logging.getLogger(__name__)

State = OutboxMessage.State

# How many times a message is tried before it is left as failed for good.
MAX_ATTEMPTS = 5
# The wait before the second attempt; it doubles after each failure (5, 10, 20, 40 minutes).
FIRST_RETRY_AFTER = datetime.timedelta(minutes=5)
# A message still waiting this long after it was queued lost its task (the
# queue was down when it was queued, say) and is enqueued again.
STALE_AFTER = datetime.timedelta(minutes=15)
# The header that tells a backend (GOV.UK Notify) which outbox row a mail is.
REFERENCE_HEADER = "X-Outbox-Reference"


def build_email(message):
    """The outbox row as a Django email: plain text with an HTML version and unsubscribe headers."""
    headers = {REFERENCE_HEADER: f"outbox-{message.pk}"}
    if message.unsubscribe_url:
        # RFC 2369 and RFC 8058: mail programs show an unsubscribe button that
        # POSTs "List-Unsubscribe=One-Click" to this address.
        headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMultiAlternatives(
        subject=message.subject, body=message.body_text, to=[message.to], headers=headers
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def _send(message):
    if mailers.default.send_messages([build_email(message)]) != 1:
        raise RuntimeError("The mail service did not accept the message")


@task()
def deliver_message(message_id):
    """Send one outbox message unless it is sent already; return its state."""
    with transaction.atomic():
        message = (
            # Lock the message's row only: PostgreSQL cannot lock the nullable side of a join.
            OutboxMessage.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=message_id)
            .first()
        )
        if message is None:
            return None
        if message.state not in (State.QUEUED, State.FAILED) or message.attempts >= MAX_ATTEMPTS:
            return message.state
        user = message.user
        if user is not None and not (user.is_active and wants(user, message.kind)):
            # Turned off (or the account closed) between queueing and sending.
            message.state = State.SKIPPED
            save_with_history(message, by=None, reason="Not sent: the person no longer gets these")
            return message.state
        message.attempts += 1
        message.last_attempt_at = timezone.now()
        try:
            _send(message)
        except Exception as error:  # any failure is recorded on the row, to be tried again
            log.warning("Outbox message %s could not be sent", message.pk, exc_info=True)
            message.state = State.FAILED
            message.last_error = (f"{type(error).__name__}: {error}")[:2000]
            save_with_history(message, by=None, reason=f"Failed: {message.last_error[:500]}")
            return message.state
        message.state = State.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        save_with_history(message, by=None, reason="Sent")
        return message.state


def retry_after(attempts):
    """How long after its last attempt a message that failed ``attempts`` times is tried again."""
    return FIRST_RETRY_AFTER * (2 ** max(attempts - 1, 0))


def retry_failed(now):
    """Scheduler job: enqueue failed messages whose wait is over, and lost queued ones."""
    due = []
    failed = OutboxMessage.objects.filter(state=State.FAILED, attempts__lt=MAX_ATTEMPTS)
    for pk, attempts, last_attempt_at in failed.values_list("pk", "attempts", "last_attempt_at"):
        if last_attempt_at is None or now >= last_attempt_at + retry_after(attempts):
            due.append(pk)
    # Lost is a matter of real time passed: a run "as if" at a later time
    # (--now) must not take the messages its own jobs just queued for lost.
    lost_before = min(now, timezone.now()) - STALE_AFTER
    due += OutboxMessage.objects.filter(
        state=State.QUEUED, created_at__lte=lost_before
    ).values_list("pk", flat=True)
    for pk in due:
        transaction.on_commit(partial(deliver_message.enqueue, pk), robust=True)
    return len(due)
