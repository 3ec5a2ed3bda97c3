"""Approving several submitted updates at once, optionally publishing them too.

Each update goes through the workflow's own steps (``workflow.apply_transition``
for "approve", ``workflow.approve_and_publish`` for both), in its own
transaction, so every rule of the single pages holds for each one: the role's
permission, the two-person rule, the plain-English check that gates publishing
and the version the page was shown at. One update refused does not stop the
others: the result lists which were approved and, for the others, why not.

An update whose summary for families is above the reading-age limit is not
approved and published here (``workflow.approve_and_publish`` refuses it):
publishing it needs the person to confirm they have checked its wording,
which they do on its own page.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from kit.versioning import EditConflict

from . import workflow
from .models import ProgressUpdate


@dataclass
class Outcome:
    update: ProgressUpdate
    done: bool
    why: str = ""  # why not, when not done


def waiting(area):
    """The area's updates waiting for approval, oldest submission first, with who wrote each."""
    updates = list(
        ProgressUpdate.objects.filter(action__plan__area=area, state=ProgressUpdate.State.SUBMITTED)
        .select_related("action__plan__area", "author")
        .order_by("submitted_at", "pk")
    )
    workflow.read_text_writers(updates)  # the two-person rule, for all of them in one query
    return updates


def _changed_since(update):
    return (
        f"Someone changed it after this page was shown (it is now "
        f"{update.get_state_display().lower()}). Read it again before you decide."
    )


def approve_one(update, expected_version, *, by, reason, publish):
    """Approve (and publish) one update, in its own transaction; return its Outcome."""
    try:
        with transaction.atomic():
            if update.version != expected_version:
                return Outcome(update, False, _changed_since(update))
            if publish:
                workflow.approve_and_publish(
                    update, by=by, expected_version=expected_version, reason=reason
                )
            else:
                workflow.apply_transition(
                    update, "approve", by=by, expected_version=expected_version, reason=reason
                )
    except EditConflict:
        update.refresh_from_db()
        return Outcome(update, False, _changed_since(update))
    except (PermissionDenied, ValidationError) as problem:
        update.refresh_from_db()  # nothing was saved; forget what the steps began to change
        messages = problem.messages if isinstance(problem, ValidationError) else [str(problem)]
        return Outcome(update, False, " ".join(messages))
    return Outcome(update, True)


def approve_many(area, versions, *, by, reason, publish):
    """Approve (and publish) the area's updates in ``versions`` ({pk: version shown}), one by one.

    Returns an Outcome for each, in the order they were submitted. An update
    not in the area is not looked at (the form refuses it first).
    """
    updates = list(
        ProgressUpdate.objects.filter(action__plan__area=area, pk__in=list(versions))
        .select_related("action__plan__area", "author")
        .order_by("submitted_at", "pk")
    )
    workflow.read_text_writers(updates)
    return [
        approve_one(update, versions[update.pk], by=by, reason=reason, publish=publish)
        for update in updates
    ]
