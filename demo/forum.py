"""The parent carer forum's voice in the demo: invented responses, clearly labelled.

In one seed area (``FORUM_AREA``) the demo's forum representative
acknowledges one published update and challenges another, and the demo
officer replies, through the same services as the pages
(``progress.forum``). Each text starts "Illustrative:" and each record is
marked ``is_illustrative``, so nobody mistakes it for what a real parent
carer forum said. It is written once: a second run changes nothing.
"""

import datetime

from django.utils import timezone

from progress import forum
from progress.models import ForumResponse

FORUM_AREA = "worcestershire"

ACKNOWLEDGEMENT = (
    "Illustrative: we welcome the extra clinics. Families tell us the wait feels a little shorter."
)
CHALLENGE = (
    "Illustrative: families tell us they still do not know how long they will wait. "
    "When will every family get a letter with the expected wait?"
)
REPLY = (
    "Illustrative: from next month, every family on the waiting list will get a letter with "
    "the expected wait and a named contact. We will report on this at the next board meeting."
)


def _latest_public_update(plan, ref, now):
    return (
        forum.public_updates(now)
        .filter(action__plan=plan, action__ref=ref)
        .order_by("-period_end", "-pk")
        .first()
    )


def _soon_after(moment, days, now):
    """``days`` after ``moment``, but never later than now."""
    return min(moment + datetime.timedelta(days=days), now)


def add_forum_responses(plan, *, forum_user, officer, now=None):
    """The forum acknowledges action 1.1's latest update and challenges 1.2's; the board replies.

    Returns False (and writes nothing) if the plan's updates already have
    responses, or it has no published updates to respond to.
    """
    now = now or timezone.now()
    if ForumResponse.objects.filter(update__action__plan=plan).exists():
        return False
    acknowledged = _latest_public_update(plan, "1.1", now)
    challenged = _latest_public_update(plan, "1.2", now)
    if acknowledged is None or challenged is None:
        return False
    forum.respond(
        acknowledged,
        kind=ForumResponse.Kind.ACKNOWLEDGE,
        text=ACKNOWLEDGEMENT,
        by=forum_user,
        now=_soon_after(acknowledged.publish_at, 4, now),
        is_illustrative=True,
    )
    challenge = forum.respond(
        challenged,
        kind=ForumResponse.Kind.CHALLENGE,
        text=CHALLENGE,
        by=forum_user,
        now=_soon_after(challenged.publish_at, 5, now),
        is_illustrative=True,
    )
    forum.reply(
        challenge,
        text=REPLY,
        by=officer,
        expected_version=challenge.version,
        now=_soon_after(challenge.responded_at, 9, now),
        is_illustrative=True,
    )
    return True
