"""The progress-update workflow: draft → submitted → approved or returned → published.

``STEPS`` is the whole workflow. Each step says which states it may be taken
from and the state it moves to, the role permission it needs, its "who may"
rule (the author or an officer; never anyone who wrote or changed the
text, for approval and publication) and its effect function. Editing a draft and adding evidence to it are steps too,
so every page asks the one question ``may(update, user, step)`` and every
write goes through the services below, which check the same rule again
inside the transaction that saves.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from actions.models import ActionItem
from inspections.access import Can, user_can
from kit import two_person
from kit.plain_english import CheckedText, check_wording, history_note
from kit.versioning import EditConflict, delete_with_history, save_with_history

from .models import ProgressUpdate
from .signals import update_step_taken

State = ProgressUpdate.State


# "Who may" rules: each returns why ``user`` may not take the step, or None.


def author_or_officer(verb):
    def rule(update, user):
        if update.author_id in (None, user.pk) or user_can(user, _area(update), Can.APPROVE):
            return None
        return f"Only the person who wrote this update, or an officer, can {verb}."

    return rule


def text_writers(update):
    """Everyone who wrote or changed what ``update`` says: its author and, from its
    history, each person whose save changed one of its content fields.

    Read once per update object (cached on it), in one query; a page showing
    many updates reads them all at once with ``read_text_writers``.
    """
    return two_person.writers(update, **_WRITERS)


def read_text_writers(updates):
    """Work out ``text_writers`` for many updates in one query (cached on each)."""
    two_person.read_writers(updates, **_WRITERS)


# An update's text is published once, so everyone who ever wrote it counts.
_WRITERS = {
    "fields": ProgressUpdate.CONTENT_FIELDS,
    "author_field": "author_id",
    "cache": "_text_writers",
}


def not_a_writer(verb):
    """Maker and checker are different people: nobody who wrote or changed the text may ``verb`` it."""

    def rule(update, user):
        if update.state not in (State.SUBMITTED, State.APPROVED):
            return None  # the step's state check explains why not, without reading history
        if user.pk in text_writers(update):
            return (
                f"You cannot {verb} an update you wrote or changed. "
                f"Ask another officer to {verb} it."
            )
        return None

    return rule


# Kept for readers of older code: approval's rule.
not_the_author = not_a_writer("approve")


def anyone_permitted(update, user):
    return None


# Effects: each changes the update for its step and returns the history reason.


def _with_note(text, note):
    return text + (f": {note.strip()}" if note.strip() else "")


def on_submit(update, *, by, now, reason, publish_at):
    validate_status_reason(update)
    update.submitted_at = now
    update.return_reason = ""
    return _with_note("Submitted for approval", reason)


def on_approve(update, *, by, now, reason, publish_at):
    update.approved_by = by
    update.approved_at = now
    return _with_note("Approved", reason)


def on_return(update, *, by, now, reason, publish_at):
    update.return_reason = reason.strip()
    return f"Returned for changes: {update.return_reason}"


def on_publish(update, *, by, now, reason, publish_at):
    if publish_at is not None and publish_at < now:
        raise ValidationError({"publish_at": "The publication time must be in the future"})
    update.publish_at = publish_at or now
    if publish_at is None:
        return "Published"
    return f"Scheduled for publication at {timezone.localtime(publish_at):%-d %B %Y %H:%M}"


def after_approve(update, *, by):
    """An approved update sets the action's current statuses, with the update's reason."""
    action = ActionItem.objects.select_for_update().get(pk=update.action_id)
    if (action.delivery_status, action.impact_status) == (
        update.delivery_status,
        update.impact_status,
    ):
        return
    action.delivery_status = update.delivery_status
    action.impact_status = update.impact_status
    period = f"{update.period_start:%-d %B %Y} to {update.period_end:%-d %B %Y}"
    reason = f"Approved update for {period}: {update.status_change_reason}".rstrip(": ")
    save_with_history(action, by=by, reason=reason)


EDITABLE = frozenset(ProgressUpdate.EDITABLE_STATES)


@dataclass(frozen=True)
class Step:
    slug: str
    label: str
    source: frozenset  # the states the step may be taken from
    target: str | None  # the state it moves to; None for a step that keeps the state
    permission: Can  # what the person's role must allow in the area
    who: Callable  # (update, user) -> why not, or None
    not_now: str  # why not, when the update is in another state
    effect: Callable | None = None
    after: Callable | None = None  # run once the update is saved
    needs_reason: bool = False
    done: str = ""  # the message shown once the step is taken


STEPS = {
    step.slug: step
    for step in (
        Step("edit", "Edit", EDITABLE, None, Can.UPDATE, author_or_officer("edit it"),
             "This update has been submitted, so it can no longer be changed."),
        Step("delete", "Delete draft", EDITABLE, None, Can.UPDATE, author_or_officer("delete it"),
             "This update has been submitted, so it can no longer be deleted.",
             done="Draft update deleted."),
        Step("add_evidence", "Add evidence", EDITABLE, None, Can.UPDATE,
             author_or_officer("add evidence to it"),
             "Evidence can only be added to a draft or returned update."),
        Step("submit", "Submit for approval", EDITABLE, State.SUBMITTED, Can.UPDATE,
             author_or_officer("submit it"), "This update is {state}, so it cannot be submitted now.",
             effect=on_submit, done="Update submitted for approval."),
        Step("approve", "Approve", frozenset({State.SUBMITTED}), State.APPROVED, Can.APPROVE,
             not_a_writer("approve"), "This update is {state}, so it cannot be approved now.",
             effect=on_approve, after=after_approve,
             done="Update approved. The action's status now shows what it reported."),
        Step("return", "Return for changes", frozenset({State.SUBMITTED}), State.RETURNED,
             Can.APPROVE, anyone_permitted, "This update is {state}, so it cannot be returned now.",
             effect=on_return, needs_reason=True,
             done="Update returned to its author with your reason."),
        Step("publish", "Publish", frozenset({State.APPROVED}), State.PUBLISHED, Can.APPROVE,
             not_a_writer("publish"), "This update is {state}, so it cannot be published now.",
             effect=on_publish, done="Update published."),
    )
}  # fmt: skip

# The message once "Approve and publish now" (``approve_and_publish``) is done.
APPROVED_AND_PUBLISHED = (
    "Update approved and published. The action's status now shows what it reported, and "
    "families can read the update on the area's public page."
)

# The steps that move an update to another state: the buttons on its page.
TRANSITIONS = {slug: step for slug, step in STEPS.items() if step.target is not None}


def _area(update):
    return update.action.plan.area


def check(update, user, slug):
    """Raise PermissionDenied (not this person) or ValidationError (not now) unless allowed."""
    step = STEPS[slug]
    if not user_can(user, _area(update), step.permission):
        raise PermissionDenied(f"Your role does not allow you to {step.permission.value}.")
    problem = step.who(update, user)
    if problem:
        raise PermissionDenied(problem)
    if update.state not in step.source:
        raise ValidationError(step.not_now.format(state=update.get_state_display().lower()))
    return step


def may(update, user, slug):
    """May ``user`` take step ``slug`` on ``update`` now? The one question every page asks."""
    try:
        check(update, user, slug)
    except (PermissionDenied, ValidationError):
        return False
    return True


def allowed_steps(update, user):
    """The state changes ``user`` may make on ``update`` now, for its page's buttons."""
    return [step for slug, step in TRANSITIONS.items() if may(update, user, slug)]


def status_changes(update):
    """Plain words for how the update changes the action's statuses, or []."""
    action = update.action
    changes = []
    if update.delivery_status != action.delivery_status:
        changes.append(
            f"delivery from “{action.get_delivery_status_display()}” to "
            f"“{update.get_delivery_status_display()}”"
        )
    if update.impact_status != action.impact_status:
        changes.append(
            f"impact from “{action.get_impact_status_display()}” to "
            f"“{update.get_impact_status_display()}”"
        )
    return changes


def validate_status_reason(update):
    """A change of status needs a reason, checked in forms and again on submit."""
    if status_changes(update) and not update.status_change_reason.strip():
        raise ValidationError({"status_change_reason": "Enter the reason the status is changing"})


# The services: the only code that writes updates and their evidence.


@transaction.atomic
def create_update(update, *, by):
    update.author = by
    update.state = State.DRAFT
    return save_with_history(update, by=by, reason="Draft update started")


@transaction.atomic
def edit_update(update, *, by, expected_version, reason="Draft edited"):
    """Save the author's (or an officer's) changes to a draft or returned update."""
    check(update, by, "edit")
    saved = save_with_history(update, by=by, reason=reason, expected_version=expected_version)
    two_person.forget_writers(update, cache="_text_writers")  # who wrote it has changed
    return saved


@transaction.atomic
def delete_update(update, *, by, expected_version):
    """Delete a draft or returned update (its author's, or an officer's), with its evidence.

    The row is locked and checked as it is now, so an update being submitted
    at the same moment is not deleted.
    """
    current = (
        ProgressUpdate.objects.select_for_update()
        .select_related("action__plan__area")
        .get(pk=update.pk)
    )
    check(current, by, "delete")
    if expected_version is not None and current.version != expected_version:
        raise EditConflict(current=current, entries=[])
    for evidence in current.evidence.all():
        delete_with_history(evidence, by=by, reason="The draft update it supported was deleted")
    delete_with_history(current, by=by, reason="Draft update deleted")


@transaction.atomic
def add_evidence(update, evidence, *, by):
    """Attach ``evidence`` to ``update``, checked against the update as it is now.

    The update's row is locked, so evidence cannot land on an update that is
    being submitted at the same moment.
    """
    update = (
        ProgressUpdate.objects.select_for_update()
        .select_related("action__plan__area")
        .get(pk=update.pk)
    )
    check(update, by, "add_evidence")
    evidence.update = update
    evidence.uploaded_by = by
    return save_with_history(evidence, by=by, reason="Evidence uploaded")


@transaction.atomic
def apply_transition(
    update, slug, *, by, expected_version, reason="", publish_at=None, history_note=""
):
    """Move ``update`` along step ``slug``; raise PermissionDenied or ValidationError if not allowed.

    ``history_note``, when given, is added to the history reason the step's
    effect writes ("Published; reading age 9"), so the change log keeps it.
    """
    _take_step(
        update,
        slug,
        by=by,
        expected_version=expected_version,
        reason=reason,
        publish_at=publish_at,
        history_note=history_note,
    )
    _announce(update, slug, by=by, steps=(slug,))
    return update


@transaction.atomic
def approve_and_publish(update, *, by, expected_version, reason=""):
    """Approve ``update`` and publish it now, in one transaction: both steps happen or neither.

    Each step is the workflow's own (``approve`` then ``publish``), checked and
    saved as if taken on its own page, so each has its row in the history with
    who, when and why, the two-person rule holds for both, and a change since
    ``expected_version`` stops both. The layers above are told once, as the
    publication (``steps`` names both), so the author gets one email, not an
    "approved, publish it next" one as well.

    A summary for families above the reading-age limit is refused: publishing
    it needs the publisher to confirm the wording, which only the publish page
    asks. Otherwise its reading age goes into the publication's history.
    """
    check = check_wording(update.public_summary)
    if check is not None and check.above_level:
        raise ValidationError(
            f"Its summary for families has a reading age of {check.reading_age}, above the "
            f"limit of {check.level}. Approve and publish it on its own page, where you can "
            "confirm you have checked the wording, or return it for changes."
        )
    wording = (
        history_note([CheckedText("the summary for families", "public_summary", check)])
        if check is not None
        else ""
    )
    note = "approved and published together"
    _take_step(
        update,
        "approve",
        by=by,
        expected_version=expected_version,
        reason=reason,
        history_note=note,
    )
    _take_step(
        update,
        "publish",
        by=by,
        expected_version=update.version,  # the version the approval just saved
        history_note="; ".join(part for part in (note, wording) if part),
    )
    _announce(update, "publish", by=by, steps=("approve", "publish"))
    return update


def _take_step(update, slug, *, by, expected_version, reason="", publish_at=None, history_note=""):
    step = TRANSITIONS.get(slug)
    if step is None:
        raise ValidationError("That is not something you can do to an update.")
    check(update, by, slug)
    if step.needs_reason and not reason.strip():
        raise ValidationError({"reason": "Enter the reason you are returning this update"})
    history_reason = step.effect(
        update, by=by, now=timezone.now(), reason=reason, publish_at=publish_at
    )
    if history_note.strip():
        history_reason = f"{history_reason}; {history_note.strip()}"
    update.state = step.target
    save_with_history(update, by=by, reason=history_reason, expected_version=expected_version)
    if step.after is not None:
        step.after(update, by=by)


def _announce(update, slug, *, by, steps):
    """Once committed, tell the layers above (the notices email the people concerned).

    robust: a failure there is logged; it cannot undo or fail the step now saved.
    ``steps`` lists every step taken, when one announcement stands for several.
    """
    transaction.on_commit(
        partial(
            update_step_taken.send,
            sender=ProgressUpdate,
            update=update,
            step=slug,
            by=by,
            steps=steps,
        ),
        robust=True,
    )
