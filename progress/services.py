"""The progress-update workflow: draft → submitted → approved or returned → published.

Each transition is a named function that checks the move is allowed, writes
who and why into history, and saves in one transaction. Views call these and
nothing else changes an update's state.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from actions.models import ActionItem
from inspections.access import Can, user_can
from inspections.versioning import save_versioned

from .models import ProgressUpdate

State = ProgressUpdate.State


@dataclass(frozen=True)
class Transition:
    slug: str
    label: str
    source: frozenset
    target: str
    permission: Can
    needs_reason: bool = False


# The one table of allowed moves.
TRANSITIONS = {
    t.slug: t
    for t in (
        Transition("submit", "Submit for approval", frozenset({State.DRAFT, State.RETURNED}), State.SUBMITTED, Can.UPDATE),
        Transition("approve", "Approve", frozenset({State.SUBMITTED}), State.APPROVED, Can.APPROVE),
        Transition("return", "Return for changes", frozenset({State.SUBMITTED}), State.RETURNED, Can.APPROVE, needs_reason=True),
        Transition("publish", "Publish", frozenset({State.APPROVED}), State.PUBLISHED, Can.APPROVE),
    )
}  # fmt: skip


def allowed_transitions(update, user):
    """The transitions ``user`` may make on ``update`` now, for its page's buttons."""
    area = update.action.plan.area
    return [
        t
        for t in TRANSITIONS.values()
        if update.state in t.source
        and user_can(user, area, t.permission)
        and _who_may_problem(t, update, user) is None
    ]


def _who_may_problem(transition, update, user):
    if (
        transition.slug == "submit"
        and update.author_id not in (None, user.pk)
        and not user_can(user, update.action.plan.area, Can.APPROVE)
    ):
        return "Only the person who wrote this update, or an officer, can submit it."
    if transition.slug == "approve" and update.author_id == user.pk:
        # Maker and checker are different people.
        return "You cannot approve an update you wrote. Ask another officer to approve it."
    return None


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


@transaction.atomic
def create_update(update, *, by):
    update.author = by
    update.state = State.DRAFT
    update._history_user = by
    update._change_reason = "Draft update started"
    update.full_clean()
    update.save()
    return update


@transaction.atomic
def apply_transition(update, slug, *, by, expected_version, reason="", publish_at=None):
    """Move ``update`` along ``slug``; raise PermissionDenied or ValidationError if not allowed."""
    transition = TRANSITIONS.get(slug)
    if transition is None:
        raise ValidationError("That is not something you can do to an update.")
    area = update.action.plan.area
    if not user_can(by, area, transition.permission):
        raise PermissionDenied(f"Your role does not allow you to {transition.permission.value}.")
    problem = _who_may_problem(transition, update, by)
    if problem:
        raise PermissionDenied(problem)
    if update.state not in transition.source:
        raise ValidationError(
            f"This update is {update.get_state_display().lower()}, so it cannot be "
            f"{_past(transition)} now."
        )
    if transition.needs_reason and not reason.strip():
        raise ValidationError({"reason": "Enter the reason you are returning this update"})
    now = timezone.now()
    if slug == "submit":
        validate_status_reason(update)
        update.submitted_at = now
        update.return_reason = ""
        history_reason = "Submitted for approval" + (
            f": {reason.strip()}" if reason.strip() else ""
        )
    elif slug == "approve":
        update.approved_by = by
        update.approved_at = now
        history_reason = "Approved" + (f": {reason.strip()}" if reason.strip() else "")
    elif slug == "return":
        update.return_reason = reason.strip()
        history_reason = f"Returned for changes: {update.return_reason}"
    else:
        if publish_at is not None and publish_at < now:
            raise ValidationError({"publish_at": "The publication time must be in the future"})
        update.publish_at = publish_at or now
        history_reason = (
            "Published"
            if publish_at is None
            else f"Scheduled for publication at {timezone.localtime(publish_at):%-d %B %Y %H:%M}"
        )
    update.state = transition.target
    save_versioned(update, expected_version=expected_version, by=by, reason=history_reason)
    if slug == "approve":
        _apply_to_action(update, by=by)
    return update


def _apply_to_action(update, *, by):
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
    action._history_user = by
    action._change_reason = f"Approved update for {period}: {update.status_change_reason}".rstrip(
        ": "
    )
    action.version += 1
    action.full_clean()
    action.save()


def _past(transition):
    return {
        "submit": "submitted",
        "approve": "approved",
        "return": "returned",
        "publish": "published",
    }[transition.slug]
