"""Reminders before board meetings and the officers' weekly digest.

Both are jobs for ``notices.schedule.JOBS``: ``job(now) -> int``, the number
of messages queued. The scheduler (``manage.py send_reminders``) may run them
as often as it likes: every message has an idempotency key, so nothing is
sent twice for the same meeting, person or week (``notices.outbox``).

Who owes an update is decided in one place, ``progress.selectors``
(``actions_owing_update``), which My to-do uses too; the rule is described
in docs/design.md ("The board's reporting cycle").
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from actions.deadlines import OVERDUE, deadlines_for_plans
from actions.models import Plan
from inspections.access import ROLE_PERMISSIONS, Can
from inspections.models import LocalArea, Membership
from kit.calendar import add_working_days, is_working_day, working_days_between
from kit.dates import format_date
from progress.models import ProgressUpdate
from progress.selectors import (
    OPEN_PLAN_STATES,
    actions_owing_update,
    overdue_actions,
    reporting_cycle,
)

from .kinds import Kind
from .links import absolute_url
from .outbox import queue_message

# Statutory dates this many working days ahead (or already passed) are in the digest.
DIGEST_HORIZON_WORKING_DAYS = 30
# Reminders and digests go out from this hour (local time), not in the night.
SEND_FROM_HOUR = 7


def _roles_with(permission):
    return [role for role, permissions in ROLE_PERMISSIONS.items() if permission in permissions]


def _members_with(area, permission, user_ids=None):
    """{user id: user} for active members of ``area`` with an email whose role has ``permission``."""
    memberships = Membership.objects.filter(
        area=area, role__in=_roles_with(permission), user__is_active=True
    ).exclude(user__email="")
    if user_ids is not None:
        memberships = memberships.filter(user_id__in=user_ids)
    return {m.user_id: m.user for m in memberships.select_related("user").order_by("user_id")}


def _name(user):
    return user.get_full_name() or user.get_username()


def _local(now):
    return timezone.localtime(now) if timezone.is_aware(now) else now


def first_working_day_of_week(day):
    """The week's first working day: Monday, or the next one after a bank holiday."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday if is_working_day(monday) else add_working_days(monday, 1)


# Reminders before board meetings.


def meeting_reminders(now):
    """One email to each action lead who owes an update, before the area's next board meeting.

    An area's reminders go out when its next board meeting (after today) is
    ``LocalArea.reminder_working_days`` working days away or fewer (0 turns
    them off), so a run that was missed is made up by the next one. Each lead
    gets one email listing every action they owe an update on, once per
    meeting (key ``meeting-reminder:<meeting>:<user>``), on a run from
    ``SEND_FROM_HOUR`` in the morning. Only leads who are still members of
    the area, with a role that may write updates, are sent one; a person who
    turned these reminders off gets none.
    """
    local = _local(now)
    if local.hour < SEND_FROM_HOUR:
        return 0
    today = local.date()
    queued = 0
    for area in LocalArea.objects.filter(reminder_working_days__gt=0).order_by("pk"):
        cycle = reporting_cycle(area, today=today)
        meeting = cycle.next_meeting
        if meeting is None or meeting.held_on <= today:
            continue
        days_away = working_days_between(today, meeting.held_on)
        if days_away > area.reminder_working_days:
            continue
        owed = actions_owing_update(area, today=today, cycle=cycle)
        by_lead = {}
        for action in owed:
            by_lead.setdefault(action.lead_officer_id, []).append(action)
        leads = _members_with(area, Can.UPDATE, user_ids=list(by_lead))
        for user_id, user in leads.items():
            actions = by_lead[user_id]
            context = {
                "name": _name(user),
                "area_name": area.name,
                "meeting_date": format_date(meeting.held_on),
                "meeting_title": meeting.title,
                "working_days": days_away,
                "period_text": cycle.period_text,
                "since": format_date(cycle.starts),
                "todo_url": absolute_url("board:todo", area.slug),
                "actions": [
                    {
                        "ref": action.ref,
                        "title": action.title,
                        "due": format_date(action.due_date),
                        "why": cycle.owed_reason(action),
                        "latest": cycle.latest_text(action),
                        "url": absolute_url("board:action", area.slug, action.pk),
                        "update_url": absolute_url("progress:update-create", area.slug, action.pk),
                    }
                    for action in actions
                ],
            }
            message = queue_message(
                key=f"meeting-reminder:{meeting.pk}:{user.pk}",
                kind=Kind.MEETING_REMINDER,
                to=user.email,
                template="meeting_reminder",
                context=context,
                user=user,
            )
            queued += message is not None
    return queued


# The officers' weekly digest.


@dataclass
class Digest:
    """What an area's officers are told once a week."""

    to_approve: list
    to_publish: list
    overdue: list
    deadlines: list

    def __bool__(self):
        return bool(self.to_approve or self.to_publish or self.overdue or self.deadlines)


def area_digest(area, *, today):
    """The digest's content for ``area`` on ``today``: plain values, ready for the templates."""
    updates = ProgressUpdate.objects.filter(action__plan__area=area).select_related(
        "action", "author", "approved_by"
    )
    to_approve = [
        {
            "ref": update.action.ref,
            "title": update.action.title,
            "author": _name(update.author) if update.author else "someone",
            "author_id": update.author_id,
            "submitted": format_date(timezone.localdate(update.submitted_at))
            if update.submitted_at
            else "",
            "url": absolute_url("board:action", area.slug, update.action_id)
            + f"#update-{update.pk}",
        }
        for update in updates.filter(state=ProgressUpdate.State.SUBMITTED).order_by(
            "submitted_at", "pk"
        )
    ]
    to_publish = [
        {
            "ref": update.action.ref,
            "title": update.action.title,
            "approved": format_date(timezone.localdate(update.approved_at))
            if update.approved_at
            else "",
            "url": absolute_url("board:action", area.slug, update.action_id)
            + f"#update-{update.pk}",
        }
        for update in updates.filter(state=ProgressUpdate.State.APPROVED).order_by(
            "approved_at", "pk"
        )
    ]
    overdue = [
        {
            "ref": action.ref,
            "title": action.title,
            "due": format_date(action.due_date),
            "lead": _name(action.lead_officer) if action.lead_officer else "no named lead",
            "delivery": action.get_delivery_status_display().lower(),
            "url": absolute_url("board:action", area.slug, action.pk),
        }
        for action in overdue_actions(area, today=today)
    ]
    horizon = add_working_days(today, DIGEST_HORIZON_WORKING_DAYS)
    plans = Plan.objects.filter(
        area=area, status__in=OPEN_PLAN_STATES, superseded_by__isnull=True
    ).order_by("pk")
    deadlines = []
    for plan, plan_deadlines in deadlines_for_plans(plans, today=today).items():
        for deadline in plan_deadlines:
            if deadline.due is None or deadline.is_met or deadline.is_ended:
                continue
            if deadline.status == OVERDUE or today <= deadline.due <= horizon:
                deadlines.append(
                    {
                        "plan": plan.title,
                        "label": deadline.label,
                        "text": deadline.describe(),
                        "overdue": deadline.status == OVERDUE,
                        "due": deadline.due,
                    }
                )
    deadlines.sort(key=lambda d: (d["due"], d["plan"], d["label"]))
    return Digest(
        to_approve=to_approve, to_publish=to_publish, overdue=overdue, deadlines=deadlines
    )


def week_label(day):
    """'2026-W49': the ISO year and week ``day`` falls in."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def officer_digests(now):
    """Once a week, each area's officers and administrators get a list of what needs doing.

    The digest lists updates waiting for approval (not the reader's own),
    approved updates not yet published, overdue actions, and statutory dates
    on open plans that have passed without being met or fall within the next
    30 working days. It goes
    out on the week's first working day (Monday, or Tuesday after a bank
    holiday), on a run from ``SEND_FROM_HOUR`` in the morning, and is not sent
    when there is nothing in it. Key: ``officer-digest:<area>:<user>:<year-Wweek>``.
    """
    local = _local(now)
    today = local.date()
    if local.hour < SEND_FROM_HOUR or today != first_working_day_of_week(today):
        return 0
    week = week_label(today)
    queued = 0
    for area in LocalArea.objects.order_by("pk"):
        officers = _members_with(area, Can.APPROVE)
        if not officers:
            continue
        digest = area_digest(area, today=today)
        if not digest:
            continue
        for user in officers.values():
            # Nobody approves their own update, so it is not listed for its author.
            to_approve = [item for item in digest.to_approve if item["author_id"] != user.pk]
            if not (to_approve or digest.to_publish or digest.overdue or digest.deadlines):
                continue
            context = {
                "name": _name(user),
                "area_name": area.name,
                "week_of": format_date(today),
                "horizon_days": DIGEST_HORIZON_WORKING_DAYS,
                "todo_url": absolute_url("board:todo", area.slug),
                "to_approve": to_approve,
                "to_publish": digest.to_publish,
                "overdue": digest.overdue,
                "deadlines": digest.deadlines,
            }
            message = queue_message(
                key=f"officer-digest:{area.pk}:{user.pk}:{week}",
                kind=Kind.OFFICER_DIGEST,
                to=user.email,
                template="officer_digest",
                context=context,
                user=user,
            )
            queued += message is not None
    return queued
