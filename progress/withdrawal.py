"""Withdrawing a published progress update or public report: its own audited step.

A published update or report is frozen: nobody changes what it says or
unpublishes it, not even in the admin. When one must come down (it was wrong,
or it said something it should not have), an officer or the area's admin
withdraws it, giving a reason in plain English. Nothing is deleted:

* the record stays, marked withdrawn, with who withdrew it, when and why, and
  its history records the step ("Withdrawn: <reason>");
* the public pages and the area's feed show "Withdrawn on 3 December 2026:
  <reason>" in its place, never what it said; a withdrawn report's PDF address
  answers "gone" (410) with a page saying why;
* the board keeps seeing it, marked withdrawn;
* counts and "is it getting better?" summaries leave it out, since they read
  ``ProgressUpdate.objects.published()``, which never includes a withdrawn
  update; an action whose update is withdrawn is owed a new one.

Withdrawal cannot be undone: a correction is a new update or a new report.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from actions.models import Plan
from inspections.access import Can, user_can
from kit.plain_english import CheckedText, check_wording, history_note, with_note
from kit.versioning import save_with_history

from .models import WITHDRAW_REASON_MAX_CHARACTERS, ProgressReport, ProgressUpdate

# Officers and the area's admin: the people who publish may withdraw.
WITHDRAW = Can.APPROVE


def may_withdraw(user, area):
    """May ``user`` withdraw published updates and reports in ``area``?"""
    return user_can(user, area, WITHDRAW)


def normalise(text):
    """Line breaks as one character each (browsers send two), and no space at either end."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def reason_problem(text):
    """What is wrong with a reason for withdrawal, in GOV.UK words, or None."""
    if not text:
        return "Enter why it is being withdrawn"
    if len(text) > WITHDRAW_REASON_MAX_CHARACTERS:
        return f"The reason must be {WITHDRAW_REASON_MAX_CHARACTERS} characters or fewer"
    return None


def reason_wording(text):
    """The plain-English check of a reason (public text), as the pages show it, or []."""
    check = check_wording(text)
    return [CheckedText("the reason", "reason", check)] if check else []


def _check(user, area, record, what):
    if not may_withdraw(user, area):
        raise PermissionDenied(f"Your role does not allow you to withdraw a {what}.")
    if record.state == record.State.WITHDRAWN:
        raise ValidationError(f"This {what} has already been withdrawn.")
    if record.state != record.State.PUBLISHED:
        raise ValidationError(f"Only a published {what} can be withdrawn.")


def _withdraw(record, *, by, reason, confirmed_wording, expected_version=None):
    reason = normalise(reason)
    problem = reason_problem(reason)
    if problem:
        raise ValidationError({"reason": problem})
    record.state = record.State.WITHDRAWN
    record.withdrawn_at = timezone.now()
    record.withdrawn_by = by
    record.withdraw_reason = reason
    note = history_note(reason_wording(reason), confirmed=confirmed_wording)
    save_with_history(
        record,
        by=by,
        reason=with_note(f"Withdrawn: {reason}", note),
        expected_version=expected_version,
    )
    return record


@transaction.atomic
def withdraw_update(update, *, by, reason, expected_version=None, confirmed_wording=False):
    """Withdraw a published update, checked against it as it is now (its row locked).

    Saving it clears the area's cached public pages (``public/cache.py`` answers
    every save), so the notice replaces it at once.
    """
    current = (
        ProgressUpdate.objects.select_for_update()
        .select_related("action__plan__area")
        .get(pk=update.pk)
    )
    _check(by, current.action.plan.area, current, "update")
    return _withdraw(
        current,
        by=by,
        reason=reason,
        confirmed_wording=confirmed_wording,
        expected_version=expected_version,
    )


@transaction.atomic
def withdraw_report(report, *, by, reason, confirmed_wording=False):
    """Withdraw a published public report: listed as withdrawn, its PDF no longer served."""
    current = (
        ProgressReport.objects.select_for_update().select_related("plan__area").get(pk=report.pk)
    )
    if current.audience != ProgressReport.Audience.PUBLIC:
        raise ValidationError("Only a public report can be withdrawn.")
    _check(by, current.plan.area, current, "report")
    return _withdraw(current, by=by, reason=reason, confirmed_wording=confirmed_wording)


# What the public sees in place of a withdrawn update or report.


def notice(record):
    """'Withdrawn on 3 December 2026: <reason>', the words shown in a withdrawn record's place."""
    return f"Withdrawn on {timezone.localdate(record.withdrawn_at):%-d %B %Y}: {record.withdraw_reason}"


@dataclass(frozen=True)
class WithdrawnUpdate:
    """What the public may know of a withdrawn update: when it covered, and the notice."""

    pk: int
    action_id: int
    period_start: object
    period_end: object
    published_at: object
    withdrawn_at: object
    withdraw_reason: str

    @property
    def notice(self):
        return notice(self)


def public_withdrawn_updates():
    """Withdrawn updates on plans the public may see, that were public before withdrawal."""
    return ProgressUpdate.objects.withdrawn_publicly().filter(
        action__plan__in=Plan.objects.public()
    )


def _public_facts(rows):
    return [
        WithdrawnUpdate(
            pk=row["pk"],
            action_id=row["action_id"],
            period_start=row["period_start"],
            period_end=row["period_end"],
            published_at=row["publish_at"],
            withdrawn_at=row["withdrawn_at"],
            withdraw_reason=row["withdraw_reason"],
        )
        for row in rows
    ]


_FACTS = (
    "pk",
    "action_id",
    "period_start",
    "period_end",
    "publish_at",
    "withdrawn_at",
    "withdraw_reason",
)


def withdrawn_updates_by_action(action_ids):
    """{action id: its withdrawn updates the public may know of, newest first}: one query.

    Only the public facts are read (the period, when, and the reason), never
    what the update said.
    """
    by_action = {}
    rows = (
        public_withdrawn_updates()
        .filter(action_id__in=list(action_ids))
        .order_by("-period_end", "-withdrawn_at", "-pk")
        .values(*_FACTS)
    )
    for item in _public_facts(rows):
        by_action.setdefault(item.action_id, []).append(item)
    return by_action


def area_withdrawn_updates(area):
    """The area's withdrawn updates the public may know of, with their actions (public facts)."""
    return public_withdrawn_updates().filter(action__plan__area=area)
