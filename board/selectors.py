"""Read queries for the board's pages, each in a fixed number of queries.

The board's pages bring together an area's inspections, plans and progress,
so these queries may use every domain app; nothing below this layer imports them.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from actions.deadlines import deadlines_for_plans
from actions.models import ActionItem, DeliveryStatus, Plan
from actions.selectors import is_overdue
from inspections.access import Can, user_can
from inspections.models import Finding, Judgement
from kit.dates import format_date
from kit.history import describe_histories, describe_record_changes
from progress.models import Evidence, MeasureValue, ProgressUpdate
from progress.selectors import (
    actions_owing_update,
    open_actions,
    overdue_actions,
    overdue_milestones,
    reporting_cycle,
)


def records(area):
    """The area's inspections, findings, verdicts, plans, measures and meetings, for editing."""
    findings = Finding.objects.select_related("lead_organisation").order_by("kind_rank", "number")
    judgements = Judgement.objects.select_related("finding__inspection").order_by(
        "finding__inspection__start_date", "finding__kind_rank", "finding__number", "pk"
    )
    return {
        "inspections": list(
            area.inspections.prefetch_related(
                Prefetch("findings", queryset=findings),
                Prefetch("judgements", queryset=judgements),
            )
        ),
        "plans": list(
            Plan.objects.filter(area=area).select_related("responds_to", "superseded_by")
        ),
        "measures": list(
            area.measures.prefetch_related(
                Prefetch("values", queryset=MeasureValue.objects.order_by("-period_end"))
            )
        ),
        "interventions": list(
            area.interventions.prefetch_related("findings").order_by("issued_on", "pk")
        ),
        "meetings": list(area.board_meetings.order_by("-held_on", "pk")),
        "you_said": list(area.you_said_we_did.order_by("-heard_on", "pk")),
    }


@dataclass
class FindingGroup:
    finding: Finding
    actions: list = field(default_factory=list)


@dataclass
class PlanGroup:
    plan: Plan
    deadlines: list
    findings: list  # FindingGroup
    action_count: int = 0


def my_area(area, *, today, filters):
    """The area's plans with their findings and (filtered) actions, overdue flags and due dates."""
    plans = list(
        Plan.objects.filter(area=area)
        .select_related("responds_to")
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.order_by("kind_rank", "number"))
        )
        .order_by("-responds_to__start_date", "pk")
    )
    actions = ActionItem.objects.filter(plan__area=area).select_related(
        "lead_organisation", "lead_officer"
    )
    if filters.get("delivery"):
        actions = actions.filter(delivery_status=filters["delivery"])
    if filters.get("impact"):
        actions = actions.filter(impact_status=filters["impact"])
    if filters.get("finding"):
        actions = actions.filter(finding_id=filters["finding"])
    if filters.get("organisation"):
        actions = actions.filter(lead_organisation_id=filters["organisation"])
    if filters.get("overdue"):
        actions = actions.filter(due_date__lt=today).exclude(
            delivery_status=DeliveryStatus.DELIVERED
        )
    by_plan_finding = {}
    for action in actions.order_by("ref"):
        action.overdue = is_overdue(action, today)
        by_plan_finding.setdefault((action.plan_id, action.finding_id), []).append(action)
    deadlines = deadlines_for_plans(plans, today=today)
    groups = []
    for plan in plans:
        finding_groups = [
            FindingGroup(finding, by_plan_finding.get((plan.pk, finding.pk), []))
            for finding in plan.findings.all()
        ]
        groups.append(
            PlanGroup(
                plan=plan,
                deadlines=deadlines.get(plan, []),
                findings=finding_groups,
                action_count=sum(len(g.actions) for g in finding_groups),
            )
        )
    # Open plans first, newest inspection first within each.
    groups.sort(key=lambda g: not g.plan.is_open)
    return groups


@dataclass
class TodoItem:
    """One thing on My to-do: the record it is about and why it is there, in plain English."""

    record: object
    why: str


def _person(user):
    return (user.get_full_name() or user.get_username()) if user else "someone"


def _when(moment):
    """'1 December 2026' (local date) for a timestamp, or '' when there is none."""
    return format_date(timezone.localtime(moment).date()) if moment else ""


def _period(update):
    return f"{format_date(update.period_start)} to {format_date(update.period_end)}"


def todo(area, user, *, today, now=None):
    """What the user should do next in the area, each item saying why, in a fixed number of queries.

    For everyone: the actions they lead that owe an update for the current
    reporting period (``progress.selectors.actions_owing_update``, the rule the
    reminders use too), their overdue actions and milestones, their returned
    updates and their drafts. For those who may approve: updates waiting for
    approval, approved updates waiting to be published, publications
    scheduled for later, and (for those who edit records) open actions with no
    named lead, whom no reminder reaches.
    """
    now = now or timezone.now()
    cycle = reporting_cycle(area, today=today)
    needs_update = [
        TodoItem(action, cycle.owed_reason(action))
        for action in actions_owing_update(area, today=today, lead=user, cycle=cycle)
    ]
    overdue = [
        TodoItem(
            action,
            f"It was due on {format_date(action.due_date)} and is not marked as delivered "
            f"(it is {action.get_delivery_status_display().lower()}).",
        )
        for action in overdue_actions(area, today=today, lead=user)
    ]
    milestones = [
        TodoItem(
            milestone,
            f"It was due on {format_date(milestone.due_date)} and is not marked as complete.",
        )
        for milestone in overdue_milestones(area, today=today, lead=user)
    ]
    updates = ProgressUpdate.objects.filter(action__plan__area=area).select_related(
        "action", "author", "approved_by"
    )
    mine = updates.filter(author=user)
    returned = [
        TodoItem(update, f"Returned because: {update.return_reason}")
        for update in mine.filter(state=ProgressUpdate.State.RETURNED).order_by("-pk")
    ]
    drafts = [
        TodoItem(
            update,
            f"You started this update for {_period(update)} on {_when(update.created_at)} "
            "and have not submitted it yet.",
        )
        for update in mine.filter(state=ProgressUpdate.State.DRAFT).order_by("-pk")
    ]
    to_approve, to_publish, scheduled, no_lead = [], [], [], []
    if user_can(user, area, Can.APPROVE):
        to_approve = [
            TodoItem(
                update,
                f"Submitted on {_when(update.submitted_at)} for {_period(update)}. It needs an "
                "officer other than its author to approve it or return it with a reason.",
            )
            for update in updates.filter(state=ProgressUpdate.State.SUBMITTED)
            .exclude(author=user)
            .order_by("submitted_at", "pk")
        ]
        to_publish = [
            TodoItem(
                update,
                f"Approved by {_person(update.approved_by)} on {_when(update.approved_at)}. "
                "It is not on the public site until it is published.",
            )
            for update in updates.filter(state=ProgressUpdate.State.APPROVED).order_by(
                "approved_at", "pk"
            )
        ]
        scheduled = [
            TodoItem(
                update,
                "Published, and due to appear on the public site at "
                f"{timezone.localtime(update.publish_at):%H:%M} on {_when(update.publish_at)}. "
                "Until then you can still check it.",
            )
            for update in updates.filter(
                state=ProgressUpdate.State.PUBLISHED, publish_at__gt=now
            ).order_by("publish_at", "pk")
        ]
    if user_can(user, area, Can.EDIT):
        no_lead = [
            TodoItem(
                action,
                "Nobody is named as its lead, so nobody is reminded to update it before board "
                "meetings.",
            )
            for action in open_actions(area)
            .filter(lead_officer__isnull=True)
            .order_by("due_date", "plan_id", "ref")
        ]
    return {
        "cycle": cycle,
        "next_meeting": cycle.next_meeting,
        "since": cycle.starts,
        "needs_update": needs_update,
        "overdue_actions": overdue,
        "overdue_milestones": milestones,
        "returned": returned,
        "drafts": drafts,
        "to_approve": to_approve,
        "to_publish": to_publish,
        "scheduled": scheduled,
        "no_lead": no_lead,
        "may_approve": user_can(user, area, Can.APPROVE),
        "may_edit": user_can(user, area, Can.EDIT),
        "count": sum(
            len(items)
            for items in (
                needs_update,
                overdue,
                milestones,
                returned,
                drafts,
                to_approve,
                to_publish,
                no_lead,
            )
        ),
    }


def action_page(action, *, as_at=None):
    """Milestones, updates with evidence, the change log and, if asked, the action as at a date."""
    updates = list(
        action.updates.select_related("author", "approved_by")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("pk")))
        .order_by("-period_end", "-pk")
    )
    for update in updates:
        update.action = action  # already loaded; saves a query per update
    records = list(
        action.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    log = [
        {"subject": "Action", "entry": entry}
        for entry in describe_record_changes(ActionItem, records)
    ]
    update_records = list(
        ProgressUpdate.history.filter(action_id=action.pk)
        .select_related("history_user")
        .order_by("id", "-history_date", "-history_id")
    )
    by_update = {}
    for record in update_records:
        by_update.setdefault(record.id, []).append(record)
    update_by_id = {update.pk: update for update in updates}
    described = describe_histories(
        ProgressUpdate,
        [(recs, None) for recs in by_update.values()],
        hidden={"action", "created_at", "author"},
    )
    for update_id, entries in zip(by_update, described, strict=True):
        update = update_by_id.get(update_id)
        subject = (
            f"Update for {update.period_start:%-d %B %Y} to {update.period_end:%-d %B %Y}"
            if update
            else "An update"
        )
        log.extend({"subject": subject, "entry": entry} for entry in entries)
    log.sort(key=lambda item: item["entry"].when, reverse=True)
    as_at_action = None
    if as_at is not None:
        moment = timezone.make_aware(datetime.datetime.combine(as_at, datetime.time.max))
        as_at_action = (
            action.history.filter(history_date__lte=moment)
            .exclude(history_type="-")
            .order_by("-history_date", "-history_id")
            .first()
        )
    return {
        "milestones": list(action.milestones.order_by("due_date", "pk")),
        "updates": updates,
        "log": log,
        "as_at_action": as_at_action,
    }


def plan_filters_choices(area):
    """Findings and lead organisations for My area's filter form (two queries)."""
    findings = Finding.objects.filter(inspection__area=area, plans__area=area).distinct()
    organisations = area.partners.order_by("name")
    return findings, organisations
