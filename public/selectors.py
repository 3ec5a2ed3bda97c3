"""What the public pages may show, and nothing else.

Every public page reads through the functions here, so the rules live in one
place:

* updates: only ``published`` ones whose ``publish_at`` has come;
* evidence: only files marked public, on such updates;
* an action's status: the one its latest *published* update reported, never
  the internal current status (which changes on approval, before
  publication);
* plans: not while they are being written (draft);
* measures: only those marked public, with small numbers suppressed;
* board meetings and "You said, we did": only those published.

Internal narratives, reasons for status changes, return reasons, internal
minutes, internal evidence and officers' names never leave this module.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from actions.deadlines import deadlines_for_plans
from actions.models import ActionItem, Plan, PlanFinding
from inspections.models import Finding, Inspection, Judgement, LocalArea
from progress.models import (
    BoardMeeting,
    Evidence,
    Measure,
    MeasureValue,
    ProgressReport,
    ProgressUpdate,
    YouSaidWeDid,
)


def published_updates(now=None):
    return ProgressUpdate.objects.published(now)


def public_plans():
    return Plan.objects.public()


def public_area(slug):
    """The area a public page is about, or 404 (every area's public pages exist)."""
    return get_object_or_404(LocalArea, slug=slug)


def all_areas():
    return LocalArea.objects.order_by("name")


def public_findings(area):
    """The area's findings with their verdicts, for a finding's public page."""
    return (
        Finding.objects.filter(inspection__area=area)
        .select_related("inspection")
        .prefetch_related(
            Prefetch(
                "judgements", queryset=Judgement.objects.select_related("inspection", "review")
            )
        )
    )


def public_evidence(area, now=None):
    """Evidence files the public may download from ``area``'s pages."""
    return Evidence.objects.public(now).filter(update__action__plan__area=area)


def current_plan(plans):
    """The plan being delivered now: the newest open plan, else the newest plan."""
    plans = [plan for plan in plans if plan.status != Plan.Status.DRAFT]
    if not plans:
        return None
    # Inspections with no dates sort first, so a dated one counts as newer.
    newest_first = sorted(
        plans,
        key=lambda p: (
            p.responds_to.start_date or p.responds_to.report_published or datetime.date.min,
            p.pk,
        ),
    )[::-1]
    return next((plan for plan in newest_first if plan.is_open), newest_first[0])


def where_it_stands(inspections, plan):
    """One plain sentence for the home page, such as "Priority action plan after the 2024 inspection"."""
    if not inspections:
        return "No inspection recorded yet"
    latest = inspections[-1]
    year = latest.start_date.year if latest.start_date else None
    if latest.framework == Inspection.Framework.AREA_SEND_2023 and not latest.outcome:
        return f"Area SEND inspection under way{f' ({year})' if year else ''}"
    if plan is None:
        if latest.outcome == Inspection.Outcome.POSITIVE:
            return f"Positive inspection in {year}"
        return f"{latest.title} in {year}" if year else latest.title
    answered = plan.responds_to
    answered_year = answered.start_date.year if answered.start_date else None
    if plan.kind == Plan.Kind.WSOA:
        state = {
            Plan.Status.SUBMITTED: "submitted",
            Plan.Status.FIT: "judged fit for purpose",
            Plan.Status.NOT_FIT: "judged not fit for purpose",
            Plan.Status.APPROVED: "approved",
            Plan.Status.PUBLISHED: "being delivered",
            Plan.Status.CLOSED: "completed",
            Plan.Status.SUPERSEDED: "replaced",
        }.get(plan.status, plan.get_status_display().lower())
        return f"Written Statement of Action: {state}"
    event = "revisit" if answered.kind == Inspection.Kind.REVISIT else "inspection"
    label = plan.get_kind_display()
    text = f"{label} after the {answered_year} {event}" if answered_year else label
    if plan.status == Plan.Status.CLOSED:
        text += " (completed)"
    return text


def next_key_date(plan, deadlines, meetings, today):
    """The soonest date still to come: a deadline not yet met, else the next board meeting."""
    candidates = []
    for deadline in deadlines:
        if deadline.status in ("due", "overdue") and deadline.due and deadline.due >= today:
            when = deadline.due_text
            candidates.append((deadline.due, f"{deadline.label}: {when[0].lower()}{when[1:]}"))
    for meeting in meetings:
        if meeting.held_on >= today:
            candidates.append((meeting.held_on, f"Next board meeting: {meeting.held_on:%-d %B %Y}"))
    if not candidates:
        return None
    return min(candidates)[1]


@dataclass
class PublicAction:
    """What the public may see of an action: its plan facts and its latest published update."""

    pk: int
    ref: str
    title: str
    finding_id: int
    due_date: object
    public_summary: str
    is_illustrative: bool
    lead_name: str
    update_id: int | None
    delivery_status: str | None
    impact_status: str | None
    delivery_label: str | None
    impact_label: str | None
    summary: str | None
    summary_period_end: object
    published_at: object = None  # when the latest published update appeared publicly
    evidence: list = field(default_factory=list)


def public_actions(plan, now):
    """The plan's actions with what their latest published update said (two queries)."""
    latest_update = Subquery(
        published_updates(now)
        .filter(action=OuterRef("pk"))
        .order_by("-period_end", "-publish_at", "-pk")
        .values("pk")[:1]
    )
    actions = list(
        ActionItem.objects.filter(plan=plan)
        .annotate(public_update_id=latest_update)
        .order_by("ref")
        .values(
            "pk",
            "ref",
            "title",
            "finding_id",
            "due_date",
            "public_summary",
            "is_illustrative",
            "lead_organisation__name",
            "public_update_id",
        )
    )
    updates = {
        row["pk"]: row
        for row in ProgressUpdate.objects.filter(
            pk__in=[a["public_update_id"] for a in actions if a["public_update_id"]]
        ).values(
            "pk", "delivery_status", "impact_status", "public_summary", "period_end", "publish_at"
        )
    }
    delivery = dict(ProgressUpdate._meta.get_field("delivery_status").flatchoices)
    impact = dict(ProgressUpdate._meta.get_field("impact_status").flatchoices)
    result = []
    for action in actions:
        update = updates.get(action["public_update_id"]) or {}
        result.append(
            PublicAction(
                pk=action["pk"],
                ref=action["ref"],
                title=action["title"],
                finding_id=action["finding_id"],
                due_date=action["due_date"],
                public_summary=action["public_summary"],
                is_illustrative=action["is_illustrative"],
                lead_name=action["lead_organisation__name"],
                update_id=action["public_update_id"],
                delivery_status=update.get("delivery_status"),
                impact_status=update.get("impact_status"),
                delivery_label=delivery.get(update.get("delivery_status")),
                impact_label=impact.get(update.get("impact_status")),
                summary=update.get("public_summary"),
                summary_period_end=update.get("period_end"),
                published_at=update.get("publish_at"),
            )
        )
    return result


@dataclass
class FindingProgress:
    finding: Finding
    actions: list  # PublicAction
    latest: PublicAction | None  # the action whose published summary is newest


def _latest_summary(actions):
    with_summary = [a for a in actions if a.summary]
    return max(with_summary, key=lambda a: (a.summary_period_end, a.ref), default=None)


def attach_public_evidence(actions):
    """Give each public action the public evidence of its latest published update (one query)."""
    update_ids = [a.update_id for a in actions if a.update_id]
    evidence = {}
    for item in Evidence.objects.filter(
        update_id__in=update_ids, visibility=Evidence.Visibility.PUBLIC
    ).order_by("pk"):
        evidence.setdefault(item.update_id, []).append(item)
    for public_action in actions:
        public_action.evidence = evidence.get(public_action.update_id, [])


def finding_page(area, finding, *, now=None):
    """One finding with its verdicts and every action's latest published update and evidence."""
    now = now or timezone.now()
    plans = list(
        public_plans()
        .filter(area=area, plan_findings__finding=finding)
        .select_related("responds_to")
        .order_by("pk")
    )
    plan = current_plan(plans)
    actions = []
    if plan is not None:
        actions = [a for a in public_actions(plan, now) if a.finding_id == finding.pk]
        attach_public_evidence(actions)
    return {"area": area, "finding": finding, "plan": plan, "actions": actions}


def area_page(area, *, now=None, today=None):
    """Everything the public area page shows, in a fixed number of queries."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    judgements = Judgement.objects.select_related("inspection", "review").order_by("pk")
    findings = Finding.objects.select_related("lead_organisation").prefetch_related(
        Prefetch("judgements", queryset=judgements)
    )
    inspections = list(
        area.inspections.prefetch_related(Prefetch("findings", queryset=findings)).order_by(
            "start_date", "pk"
        )
    )
    by_id = {i.pk: i for i in inspections}
    plans = list(public_plans().filter(area=area).order_by("pk"))
    for plan in plans:
        plan.responds_to = by_id[plan.responds_to_id]
    plan = current_plan(plans)
    finding_groups = []
    if plan is not None:
        actions = public_actions(plan, now)
        addressed = set(PlanFinding.objects.filter(plan=plan).values_list("finding_id", flat=True))
        for inspection in inspections:
            for finding in inspection.findings.all():
                if finding.pk not in addressed:
                    continue
                own = [a for a in actions if a.finding_id == finding.pk]
                finding_groups.append(FindingProgress(finding, own, _latest_summary(own)))
    return {
        "area": area,
        "reports": published_reports(area),
        "inspections": inspections,
        "plans": plans,
        "plan": plan,
        "finding_groups": finding_groups,
    }


def home_areas(*, now=None, today=None):
    """Each area with where it stands now and its next key date."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    areas = list(
        LocalArea.objects.prefetch_related(
            Prefetch("inspections", queryset=Inspection.objects.order_by("start_date", "pk")),
            Prefetch("plans", queryset=public_plans().order_by("pk")),
            Prefetch(
                "board_meetings",
                queryset=BoardMeeting.objects.announced().filter(held_on__gte=today),
            ),
        ).order_by("name")
    )
    plans = []
    for area in areas:
        by_id = {i.pk: i for i in area.inspections.all()}
        for plan in area.plans.all():
            plan.responds_to = by_id[plan.responds_to_id]
        area.current_plan = current_plan(list(area.plans.all()))
        if area.current_plan:
            plans.append(area.current_plan)
    deadlines = deadlines_for_plans(plans, today=today)
    for area in areas:
        plan = area.current_plan
        area.stands = where_it_stands(list(area.inspections.all()), plan)
        area.next_date = next_key_date(
            plan, deadlines.get(plan, []) if plan else [], area.board_meetings.all(), today
        )
    return areas


def public_measures(area):
    """The area's public measures, each with its values in time order."""
    return (
        Measure.objects.public()
        .filter(area=area)
        .prefetch_related(Prefetch("values", queryset=MeasureValue.objects.order_by("period_end")))
        .order_by("name")
    )


def public_meetings(area):
    """Published board meeting summaries with something to say, newest first."""
    return BoardMeeting.objects.public().filter(area=area).order_by("-held_on")


def public_you_said_we_did(area):
    return YouSaidWeDid.objects.public().filter(area=area).order_by("-heard_on")


def published_reports(area):
    """The area's published public reports, newest first (board packs are never public)."""
    return (
        ProgressReport.objects.public()
        .filter(plan__area=area)
        .select_related("plan__area")
        .order_by("-published_at")
    )
