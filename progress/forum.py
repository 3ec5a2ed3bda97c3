"""The parent carer forum's voice: acknowledging or challenging published updates, and replies.

The parent carer forum is the independent group of parents and carers of
children with SEND in the area. Its representative (the ``forum`` role, which
may only ``Can.RESPOND``) reads the area's published updates, never its
internal pages, and may

* **acknowledge** an update, with an optional short note, once per update;
* **challenge** it with a short public response that the board must answer.
  An update has at most one open challenge: once the board has replied, the
  forum may challenge it again.

An officer (``Can.APPROVE``) answers a challenge with a public reply, checked
for plain English like any text the public reads. Everything here is public
from the moment it is written, in the forum's or the board's name, never a
person's. Nobody edits what the forum wrote (no service, no form; the models'
``save`` refuses and the admin shows it read-only), and a reply is fixed once
published too.

The services below are the only code that writes these records, each through
``save_with_history`` and each checking who may, inside the transaction that
saves, with the update (or the challenge) row locked.
"""

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from actions.models import Plan
from inspections.access import Can, user_can
from kit.plain_english import CheckedText, check_wording, history_note, with_note
from kit.versioning import save_with_history

from .models import (
    CHALLENGE_MAX_CHARACTERS,
    NOTE_MAX_CHARACTERS,
    REPLY_MAX_CHARACTERS,
    ForumReply,
    ForumResponse,
    ProgressUpdate,
)
from .signals import forum_challenged, forum_replied

Kind = ForumResponse.Kind

NOT_THE_FORUM = (
    "Only the parent carer forum’s representative for this area can acknowledge or challenge "
    "its updates."
)
NOT_AN_OFFICER = "Only an officer can reply to the parent carer forum for the board."
NOT_PUBLISHED = "The forum can only respond to an update once it is published."
ALREADY_ACKNOWLEDGED = "The forum has already acknowledged this update."
ALREADY_CHALLENGED = (
    "The forum has already challenged this update, and the board has not replied yet."
)
ALREADY_ANSWERED = "The board has already replied to this challenge."
REASONS = {
    Kind.ACKNOWLEDGE: "Acknowledged by the parent carer forum",
    Kind.CHALLENGE: "Challenged by the parent carer forum",
}


def normalise(text):
    """Line breaks as one character each (browsers send two), and no space at either end."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def text_problem(kind, text):
    """What is wrong with the forum's text for ``kind``, in GOV.UK words, or None."""
    if kind == Kind.CHALLENGE:
        if not text:
            return "Enter your challenge"
        if len(text) > CHALLENGE_MAX_CHARACTERS:
            return f"Your challenge must be {CHALLENGE_MAX_CHARACTERS:,} characters or fewer"
    elif len(text) > NOTE_MAX_CHARACTERS:
        return f"Your note must be {NOTE_MAX_CHARACTERS} characters or fewer"
    return None


def reply_problem(text):
    if not text:
        return "Enter the board’s reply"
    if len(text) > REPLY_MAX_CHARACTERS:
        return f"The reply must be {REPLY_MAX_CHARACTERS:,} characters or fewer"
    return None


# What the forum may see and answer


def public_updates(now=None):
    """Updates the public may see (so the forum may): published, their time come, public plans."""
    return ProgressUpdate.objects.published(now).filter(action__plan__in=Plan.objects.public())


def _with_replies():
    return ForumResponse.objects.select_related("reply").order_by("responded_at", "pk")


def forum_updates(area, *, now=None):
    """The area's public updates, newest first, each with the forum's responses and replies."""
    return (
        public_updates(now)
        .filter(action__plan__area=area)
        .select_related("action__plan__area")
        .prefetch_related(Prefetch("forum_responses", queryset=_with_replies()))
        .order_by("-publish_at", "-pk")
    )


def responses_by_update(updates):
    """{update pk: its forum responses, oldest first, with their replies and authors}: one query."""
    by_update = {}
    responses = _with_replies().select_related("responded_by", "reply__replied_by")
    for response in responses.filter(update__in=[u.pk for u in updates]):
        by_update.setdefault(response.update_id, []).append(response)
    return by_update


def challenges(area):
    """The forum's challenges on the area's updates, open ones first, then newest first."""
    return (
        ForumResponse.objects.filter(kind=Kind.CHALLENGE, update__action__plan__area=area)
        .select_related("update__action", "reply")
        .order_by("answered_at", "-responded_at", "-pk")
    )


def open_challenges(area):
    """Challenges the board has not replied to yet, oldest first: the ones waiting longest."""
    return challenges(area).filter(answered_at__isnull=True).order_by("responded_at", "pk")


def acknowledged(responses):
    return any(r.kind == Kind.ACKNOWLEDGE for r in responses)


def open_challenge(responses):
    return next((r for r in responses if r.is_challenge and r.answered_at is None), None)


def may_respond(update, user, kind, responses):
    """May ``user`` add a response of ``kind`` to ``update`` now, given its ``responses``?"""
    if not user_can(user, update.action.plan.area, Can.RESPOND):
        return False
    if kind == Kind.ACKNOWLEDGE:
        return not acknowledged(responses)
    return open_challenge(responses) is None


# The services: the only code that writes the forum's responses and the board's replies.


@transaction.atomic
def respond(update, *, kind, text, by, now=None, is_illustrative=False):
    """The forum acknowledges or challenges ``update``; returns the saved ForumResponse.

    Raises PermissionDenied unless ``by`` is the forum's representative in the
    update's area, and ValidationError for an update the public cannot see
    yet, a second acknowledgement, a second open challenge or text that is
    missing or too long.
    """
    now = now or timezone.now()
    update = (
        ProgressUpdate.objects.select_for_update(of=("self",))
        .select_related("action__plan__area")
        .get(pk=update.pk)
    )
    if not user_can(by, update.action.plan.area, Can.RESPOND):
        raise PermissionDenied(NOT_THE_FORUM)
    if kind not in Kind.values:
        raise ValidationError("Choose to acknowledge or to challenge the update.")
    if not public_updates(now).filter(pk=update.pk).exists():
        raise ValidationError(NOT_PUBLISHED)
    text = normalise(text)
    problem = text_problem(kind, text)
    if problem:
        raise ValidationError({"text": problem})
    existing = list(update.forum_responses.all())
    if kind == Kind.ACKNOWLEDGE and acknowledged(existing):
        raise ValidationError(ALREADY_ACKNOWLEDGED)
    if kind == Kind.CHALLENGE and open_challenge(existing) is not None:
        raise ValidationError(ALREADY_CHALLENGED)
    response = ForumResponse(
        update=update,
        kind=kind,
        text=text,
        responded_by=by,
        responded_at=now,
        is_illustrative=is_illustrative,
    )
    save_with_history(response, by=by, reason=REASONS[kind])
    if kind == Kind.CHALLENGE:
        # Once committed, the notices layer emails the area's officers: the board must answer.
        transaction.on_commit(
            partial(forum_challenged.send, sender=ForumResponse, response=response), robust=True
        )
    return response


def reply_wording(text):
    """The plain-English check of a reply, as the pages show it, or []."""
    check = check_wording(text)
    return [CheckedText("the reply", "text", check)] if check else []


@transaction.atomic
def reply(
    challenge,
    *,
    text,
    by,
    expected_version,
    confirmed_wording=False,
    now=None,
    is_illustrative=False,
):
    """The board answers the forum's ``challenge``; returns the saved ForumReply.

    Only an officer (``Can.APPROVE``) of the update's area may. The challenge
    is locked and saved as answered with ``expected_version``, the version the
    reply page was loaded at, so of two officers replying at once one wins
    and the other gets ``EditConflict`` naming who replied. The history
    reason records the reply's reading age ("reading age 8").
    """
    now = now or timezone.now()
    challenge = (
        ForumResponse.objects.select_for_update(of=("self",))
        .select_related("update__action__plan__area")
        .get(pk=challenge.pk)
    )
    if not user_can(by, challenge.update.action.plan.area, Can.APPROVE):
        raise PermissionDenied(NOT_AN_OFFICER)
    if challenge.kind != Kind.CHALLENGE:
        raise ValidationError("The board replies to the forum’s challenges only.")
    text = normalise(text)
    problem = reply_problem(text)
    if problem:
        raise ValidationError({"text": problem})
    if challenge.answered_at is not None and expected_version in (None, challenge.version):
        raise ValidationError(ALREADY_ANSWERED)
    challenge.answered_at = now
    # Raises EditConflict if someone replied since the page was loaded.
    save_with_history(
        challenge,
        by=by,
        reason="The board replied",
        expected_version=expected_version,
    )
    note = history_note(reply_wording(text), confirmed=confirmed_wording)
    answer = ForumReply(
        challenge=challenge,
        text=text,
        replied_by=by,
        replied_at=now,
        is_illustrative=is_illustrative,
    )
    save_with_history(
        answer, by=by, reason=with_note("Board replied to the parent carer forum", note)
    )
    transaction.on_commit(partial(forum_replied.send, sender=ForumReply, reply=answer), robust=True)
    return answer
