"""Read queries about progress that pages in higher layers share.

The board's reporting cycle (docs/design.md, "The board's reporting cycle")
is decided here, once, for My to-do and for the reminders sent before board
meetings: ``reporting_cycle`` finds the current reporting period and
``actions_owing_update`` the actions whose lead owes an update for it.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Max, Q

from actions.models import ActionItem, DeliveryStatus, Milestone, Plan
from kit.dates import format_date

from .models import BoardMeeting, ProgressUpdate

# With no board meeting before today, the reporting period is the last 90 days.
REPORTING_FALLBACK_DAYS = 90

# A plan in one of these states is being delivered or written (``Plan.is_open``):
# its actions owe updates and can be overdue. Closed, superseded and
# unknown-status plans ask nothing of anyone.
OPEN_PLAN_STATES = [
    status
    for status in Plan.Status
    if status not in (Plan.Status.CLOSED, Plan.Status.SUPERSEDED, Plan.Status.UNKNOWN)
]


def latest_reported_updates(plan):
    """Each action's latest approved or published update, by action id (one query)."""
    latest = {}
    for update in ProgressUpdate.objects.filter(
        action__plan=plan,
        state__in=[ProgressUpdate.State.APPROVED, ProgressUpdate.State.PUBLISHED],
    ).order_by("action_id", "-period_end", "-pk"):
        latest.setdefault(update.action_id, update)
    return latest


@dataclass(frozen=True)
class ReportingCycle:
    """Where an area is in the board's reporting cycle on ``today``.

    The current reporting period starts the day after the last board meeting
    held before today (or ``REPORTING_FALLBACK_DAYS`` days before today when
    there is none) and runs to the next meeting, which may be today.
    """

    today: datetime.date
    last_meeting: BoardMeeting | None
    next_meeting: BoardMeeting | None

    @property
    def starts(self):
        if self.last_meeting is not None:
            return self.last_meeting.held_on + datetime.timedelta(days=1)
        return self.today - datetime.timedelta(days=REPORTING_FALLBACK_DAYS)

    @property
    def period_text(self):
        """'since the board met on 3 November 2026' or 'for the last 90 days (since …)'."""
        if self.last_meeting is not None:
            return f"since the board met on {format_date(self.last_meeting.held_on)}"
        return (
            f"for the last {REPORTING_FALLBACK_DAYS} days (since {format_date(self.starts)}), "
            "as no earlier board meeting is recorded"
        )

    @property
    def next_meeting_text(self):
        if self.next_meeting is None:
            return "no next board meeting is planned yet"
        if self.next_meeting.held_on == self.today:
            return "the board meets today"
        return f"the next meeting is on {format_date(self.next_meeting.held_on)}"

    def owed_reason(self, action):
        """Why ``action`` (from ``actions_owing_update``) is owed an update, in plain English."""
        return (
            f"No update yet for the period {self.period_text}; {self.next_meeting_text}. "
            + self.latest_text(action)
        )

    @staticmethod
    def latest_text(action):
        """What the action's latest update covers, from ``actions_owing_update``'s annotation."""
        latest = getattr(action, "latest_period_end", None)
        if latest is None:
            return "There has been no update on this action yet."
        return f"The latest update covers the period up to {format_date(latest)}."


def reporting_cycle(area, *, today):
    """The area's reporting cycle on ``today`` (two queries)."""
    meetings = BoardMeeting.objects.filter(area=area)
    return ReportingCycle(
        today=today,
        last_meeting=meetings.filter(held_on__lt=today).order_by("-held_on", "-pk").first(),
        next_meeting=meetings.filter(held_on__gte=today).order_by("held_on", "pk").first(),
    )


def open_actions(area):
    """The area's actions still to be delivered, in plans being written or delivered."""
    return (
        ActionItem.objects.filter(
            plan__area=area, plan__status__in=OPEN_PLAN_STATES, plan__superseded_by__isnull=True
        )
        .exclude(delivery_status=DeliveryStatus.DELIVERED)
        .select_related("plan", "lead_officer")
    )


def actions_owing_update(area, *, today, lead=None, cycle=None):
    """The open actions whose lead owes an update for the current reporting period (one query).

    The rule (a portal rule, not a statutory one; docs/design.md):

    - the action is open: not delivered, in a plan that is neither closed,
      superseded nor of unknown status (``open_actions``);
    - it has a lead officer (``lead``, if given, limits it to that person's);
    - it has started: no start date, or one on or before ``today``;
    - it has no update, in any state (draft, submitted, returned, approved or
      published), whose reporting period ends on or after the start of the
      current reporting period (``ReportingCycle.starts``: the day after the
      last board meeting held before today, or 90 days ago). It is the period
      an update reports on that counts, never when it was written. Drafts and
      returned updates are listed on My to-do in their own sections.

    Each action carries ``latest_period_end``: the end of its latest update's
    period, or None. Pass ``cycle`` when it is already known.
    """
    cycle = cycle or reporting_cycle(area, today=today)
    actions = open_actions(area).filter(lead_officer__isnull=False)
    if lead is not None:
        actions = actions.filter(lead_officer=lead)
    return list(
        actions.filter(Q(start_date__isnull=True) | Q(start_date__lte=today))
        .annotate(latest_period_end=Max("updates__period_end"))
        .filter(Q(latest_period_end__isnull=True) | Q(latest_period_end__lt=cycle.starts))
        .order_by("due_date", "plan_id", "ref")
    )


def overdue_actions(area, *, today, lead=None):
    """Open actions past their due date (``actions.selectors.is_overdue``), oldest first (one query)."""
    actions = open_actions(area).filter(due_date__lt=today)
    if lead is not None:
        actions = actions.filter(lead_officer=lead)
    return list(actions.order_by("due_date", "plan_id", "ref"))


def overdue_milestones(area, *, today, lead=None):
    """Milestones not completed by their due date, on open actions, oldest first (one query)."""
    milestones = Milestone.objects.filter(
        action__in=open_actions(area).values("pk"), completed_on__isnull=True, due_date__lt=today
    )
    if lead is not None:
        milestones = milestones.filter(action__lead_officer=lead)
    return list(
        milestones.select_related("action").order_by("due_date", "action__plan_id", "action__ref")
    )
