"""Queueing an email: render it once, store it in the outbox, send it after commit.

Every email the portal sends goes through ``queue_message``. The ``key`` says
what the email is about ("update-approved:12:v4:7"); a key already in the
outbox is never queued again, so a job or a signal that runs twice sends
nothing twice. The delivery task (``notices.tasks.deliver_message``) is
enqueued once the transaction that queued the email commits, so no email is
sent about something that was rolled back.
"""

import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from kit.versioning import save_with_history

from . import links
from .kinds import Kind, about
from .models import OutboxMessage, wants
from .tasks import deliver_message

log = logging.getLogger(__name__)


def render_message(template, context):
    """(subject, plain text, HTML) from templates/notices/<template>_subject.txt, .txt and .html."""
    subject = render_to_string(f"notices/{template}_subject.txt", context)
    text = render_to_string(f"notices/{template}.txt", context)
    html = render_to_string(f"notices/{template}.html", context)
    # One line, however the template wraps it: a line break would split the header.
    return " ".join(subject.split()), _tidy_text(text), html.strip() + "\n"


def _tidy_text(text):
    """Lines without trailing spaces, and no more than one blank line in a row."""
    lines, blank = [], False
    for line in text.strip().splitlines():
        line = line.rstrip()
        if not line:
            if not blank:
                lines.append("")
            blank = True
            continue
        lines.append(line)
        blank = False
    return "\n".join(lines) + "\n"


def message_context(context, *, kind, user=None, unsubscribe_url=""):
    """What every email's templates are given besides the caller's context."""
    return {
        **context,
        "kind": Kind(kind),
        "because": about(kind).because,
        "recipient": user,
        "site_url": links.absolute_url("/"),
        "portal_name": getattr(settings, "PORTAL_NAME", "SEND Improvement Portal"),
        "preferences_url": links.preferences_url() if user is not None else "",
        "unsubscribe_url": unsubscribe_url,
    }


def queue_message(*, key, kind, to, template, context, user=None, unsubscribe_url=""):
    """Queue one email to ``to``; return its outbox row, or None if nothing was queued.

    Nothing is queued when the key is already in the outbox, when ``user``
    has turned this kind of email off or is no longer active, or when there
    is no usable address. With ``user``, the email carries a one-click link
    that turns this kind off (unless the caller passes its own link).
    """
    kind = Kind(kind)
    to = (to or "").strip()
    if not to:
        return None  # no address: nothing to send to
    try:
        validate_email(to)
    except ValidationError:
        log.warning("Not queued %s: %r is not an email address", key, to)
        return None
    if user is not None:
        if not user.is_active or not wants(user, kind):
            return None
        unsubscribe_url = unsubscribe_url or links.unsubscribe_url(user, kind)
    if OutboxMessage.objects.filter(key=key).exists():
        return None
    full_context = message_context(context, kind=kind, user=user, unsubscribe_url=unsubscribe_url)
    subject, body_text, body_html = render_message(template, full_context)
    message = OutboxMessage(
        key=key,
        kind=kind,
        to=to,
        user=user,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        unsubscribe_url=unsubscribe_url,
    )
    try:
        # A savepoint: another process may queue the same key at the same
        # moment, and the unique key lets only one of them through.
        with transaction.atomic():
            save_with_history(message, by=None, reason="Queued", validate_constraints=False)
    except IntegrityError:
        return None
    # robust: a queue that cannot be reached is logged, not raised into the
    # page that took the step; the scheduler's retry job enqueues it again.
    transaction.on_commit(partial(deliver_message.enqueue, message.pk), robust=True)
    return message
