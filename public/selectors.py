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
* board meetings and "You said, we did": only those published;
* inspections, interventions and reviews: their dates, outcomes and
  summaries for families, never their notes, nor a review's ``result``.

Internal narratives, reasons for status changes, return reasons, internal
minutes, internal evidence and officers' names never leave this module.

"Where it stands now" (``where_it_stands``) is a few named rules tried in
order; the area's timeline (``build_timeline``) is a list of small events.
Both put records in order here, in Python, so every database agrees.
"""

import calendar
import datetime
from dataclasses import dataclass, field, fields

from django.db import connection
from django.db.models import FilteredRelation, OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from actions.deadlines import DUE, OVERDUE, deadlines_for_plans, plan_deadlines
from actions.models import ActionItem, Plan, PlanFinding
from actions.selectors import is_overdue
from inspections.models import (
    Finding,
    Inspection,
    Intervention,
    Judgement,
    LocalArea,
    ProgressReview,
)
from kit.dates import PartialDate, Precision, format_date
from kit.loading import Children, PreparedChildren, attach
from kit.prepared import Prepared, PreparedSQL
from progress import forum, withdrawal
from progress.models import (
    BoardMeeting,
    Evidence,
    ForumResponse,
    Measure,
    MeasureValue,
    ProgressReport,
    ProgressUpdate,
    YouSaidWeDid,
)
from progress.summary import (
    ActionCounts,
    FindingCounts,
    FindingRow,
    InspectionRow,
    count_actions,
    count_findings,
    counted_verdicts,
    measure_belongs,
    measure_trend,
    measures_text,
)

from .cache import area_rows


def published_updates(now=None):
    return ProgressUpdate.objects.published(now)


def area_public_updates(area, now=None):
    """The area's updates a visitor may read: published, their time come, on public plans."""
    return forum.public_updates(now).filter(action__plan__area=area)


def public_plans():
    return Plan.objects.public()


def public_area(slug):
    """The area a public page is about, or 404 (every area's public pages exist)."""
    return get_object_or_404(LocalArea, slug=slug)


def public_area_with_inspections(slug):
    """``public_area(slug)`` with its inspections (in the order they were recorded) and its
    progress reviews, in one query."""
    found = _AREA_WITH_HISTORY(slug)
    if not found:
        raise Http404("No such area.")
    return found[0]


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


# Ordering. Everything public is put in order here, in Python, with a total
# key (date, precision, then a fixed rank and the primary key), so the pages
# read the same on SQLite and PostgreSQL whatever each does with NULLs. A date
# known only to the month sorts on the month's first day, before the days in
# it; a record with no date is placed by its parent's date (see the timeline).

PRECISION_RANK = {Precision.YEAR: 0, Precision.MONTH: 1, Precision.DAY: 2}
UNDATED = (datetime.date.min, 0)
MAIN_KINDS = frozenset({Inspection.Kind.INITIAL, Inspection.Kind.FULL})


def date_key(partial):
    """A partial date's place in time: (first day, precision); undated records come first."""
    if partial is None:
        return UNDATED
    return (partial.date, PRECISION_RANK.get(partial.precision, 2))


def chronological(inspections, parents=None):
    """Inspections oldest first, the same on every database.

    ``parents`` maps an inspection's pk to the pks of the inspections whose
    findings it judged: an undated revisit or monitoring inspection is placed
    just after the inspection it followed up, not at the start of the story.
    """
    parents = parents or {}
    own = {id(i): date_key(i.placed_on) for i in inspections}
    by_pk = {i.pk: i for i in inspections if i.pk is not None}

    def key(inspection):
        when = own[id(inspection)]
        depth = 0
        if when == UNDATED:
            placed = [own[id(by_pk[pk])] for pk in parents.get(inspection.pk, ()) if pk in by_pk]
            if placed:
                when, depth = max(placed), 1
        return (*when, depth, inspection.pk or 0)

    return sorted(inspections, key=key)


# Where it stands now: one plain sentence per area, from a few named rules
# tried in order; the first that applies gives the sentence.

# A report letter "usually gets published about two months after the
# inspection" (Special Needs Jungle, in the project's domain brief, §1.1); a
# 2023 framework inspection runs three weeks from notification to the end of
# fieldwork (§1.2), so a start date alone stands for an end three weeks on.
# Until then an inspection with no outcome recorded is "under way"; after it,
# the page says the outcome is not yet recorded here rather than pretend.
REPORT_EXPECTED_AFTER = datetime.timedelta(days=60)
INSPECTION_LASTS = datetime.timedelta(days=21)


@dataclass
class Story:
    """What "where it stands now" reads of one area: its public records and today's date.

    ``inspections`` are oldest first (``chronological``); ``plans`` are the
    public plans, each with ``responds_to`` set; ``verdicts`` maps an
    inspection's pk to the verdict codes it gave on earlier findings.
    """

    inspections: list
    plans: list
    today: datetime.date
    interventions: list = field(default_factory=list)
    verdicts: dict = field(default_factory=dict)

    @property
    def latest(self):
        return self.inspections[-1] if self.inspections else None

    @property
    def cycle(self):
        """The inspections since the latest full (or 2016 initial) inspection, which begins a cycle."""
        starts = [n for n, i in enumerate(self.inspections) if i.kind in MAIN_KINDS]
        return self.inspections[starts[-1] :] if starts else self.inspections

    @property
    def plan(self):
        """The plan answering an inspection of the latest cycle: plans for older ones are history."""
        cycle = self.cycle
        return current_plan([plan for plan in self.plans if plan.responds_to in cycle])


def _month(partial):
    """'March 2023' for a date known to the day or month; '2023' for one known to the year."""
    if partial.precision == Precision.YEAR:
        return str(partial.date.year)
    return f"{calendar.month_name[partial.date.month]} {partial.date.year}"


def _since(intervention):
    return f" since {_month(intervention.issued)}" if intervention.issued_on else ""


def _issuer(intervention):
    """Who issued it, short: 'DfE' for the Department for Education (explained on each page)."""
    return intervention.issued_by.replace("Department for Education", "DfE").strip() or "DfE"


def _under_phrase(intervention):
    """'a DfE Improvement Notice', 'a statutory direction': what an area is under."""
    Kind = Intervention.Kind
    if intervention.kind == Kind.IMPROVEMENT_NOTICE:
        issuer = _issuer(intervention)
        return (
            f"a {issuer} Improvement Notice"
            if issuer == "DfE"
            else (f"an Improvement Notice from {issuer}")
        )
    if intervention.kind == Kind.STATUTORY_DIRECTION:
        return "a statutory direction"
    return f"an intervention ({intervention.name})"


# Most serious first: a statutory direction is the step beyond an Improvement
# Notice (docs/domain-rules.md, section 9).
INTERVENTION_RANK = {
    Intervention.Kind.STATUTORY_DIRECTION: 0,
    Intervention.Kind.IMPROVEMENT_NOTICE: 1,
    Intervention.Kind.OTHER: 2,
    Intervention.Kind.COMMISSIONER: 3,
}


def interventions_in_force(interventions, today):
    """Those in force today, most serious first (then oldest first), the same on every database."""
    return sorted(
        (i for i in interventions if i.in_force_on(today)),
        key=lambda i: (INTERVENTION_RANK.get(i.kind, 9), *date_key(i.issued), i.pk or 0),
    )


def intervention_in_force(story):
    """Rule 1: an intervention in force comes first, whatever the plans say.

    "Under a DfE Improvement Notice since March 2023"; "Under a statutory
    direction, with a SEND commissioner, since October 2021". A commissioner,
    appointed on its own record or named on the direction, is said alongside.
    """
    in_force = interventions_in_force(story.interventions, story.today)
    if not in_force:
        return None
    commissioners = [i for i in in_force if i.kind == Intervention.Kind.COMMISSIONER]
    others = [i for i in in_force if i.kind != Intervention.Kind.COMMISSIONER]
    if not others:
        return f"With a SEND commissioner appointed by {_issuer(commissioners[0])}" + _since(
            commissioners[0]
        )
    phrases = []
    for n, intervention in enumerate(others):
        phrase = _under_phrase(intervention)
        since = _since(intervention)
        if n == 0 and (commissioners or intervention.commissioner):
            phrase += (
                f", with a SEND commissioner,{since}" if since else " with a SEND commissioner"
            )
        else:
            phrase += since
        phrases.append(phrase)
    return "Under " + " and ".join(phrases)


def no_inspection_yet(story):
    """Rule 2: nothing to say about an area never inspected."""
    return None if story.inspections else "No inspection recorded yet"


def report_expected_by(inspection):
    """The last day before the report should be out: published, else received, else estimated."""
    report = inspection.published or inspection.received
    if report:
        return report.last_day
    if inspection.end:
        return inspection.end.last_day + REPORT_EXPECTED_AFTER
    if inspection.start:
        return inspection.start.last_day + INSPECTION_LASTS + REPORT_EXPECTED_AFTER
    return None


INSPECTED = {
    Inspection.Kind.INITIAL: "Inspected",
    Inspection.Kind.FULL: "Inspected",
    Inspection.Kind.REVISIT: "Revisited",
    Inspection.Kind.MONITORING: "Monitoring inspection",
}


def outcome_awaited(story):
    """Rule 3: the latest inspection has no outcome recorded.

    It is "under way" only until its report is due (published, else received,
    else about two months after it ended); after that the page says plainly
    that the outcome is not yet recorded here. A public plan answering it
    shows the outcome is known, so then rule 4 says how far the plan has got.
    """
    latest = story.latest
    if latest.outcome or any(plan.responds_to == latest for plan in story.plans):
        return None
    when = latest.placed_on
    if latest.start and latest.start.date > story.today:
        return f"{latest.title} due in {_month(latest.start)}"
    expected = report_expected_by(latest)
    if expected is not None and story.today <= expected:
        year = latest.start_date.year if latest.start_date else None
        return f"{latest.title} under way{f' ({year})' if year else ''}"
    if when is None:
        return f"{latest.title}: outcome not yet recorded here"
    return f"{INSPECTED[latest.kind]} in {_month(when)}; outcome not yet recorded here"


def plan_for_latest_inspection(story):
    """Rule 4: a public plan answering the latest cycle says how far it has got.

    Only plans answering the latest full inspection (or 2016 inspection), or
    a revisit or monitoring inspection after it, count: a later inspection's
    outcome supersedes an older plan's status (rule 5 then says it).
    """
    plan = story.plan
    if plan is None:
        return None
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


def verdict_summary(inspection, verdicts=()):
    """The result on earlier findings: the counts recorded, else counted from per-finding verdicts.

    "Sufficient progress on 1 of 13 findings"; "" when nothing was judged.
    """
    if inspection.verdict_counts_text:
        return inspection.verdict_counts_text
    if not verdicts or not inspection.can_judge_earlier_findings:
        return ""
    resolved = sum(verdict in Judgement.RESOLVED_VERDICTS for verdict in verdicts)
    counted = Inspection(
        kind=inspection.kind, findings_judged=len(verdicts), findings_resolved=resolved
    )
    return counted.verdict_counts_text


NUMBERED_OUTCOMES = {
    Inspection.Outcome.POSITIVE,
    Inspection.Outcome.INCONSISTENT,
    Inspection.Outcome.SYSTEMIC,
}


def outcome_label(inspection):
    """'Outcome 3' for the 2023 framework's numbered outcomes, else 'Outcome'."""
    if inspection.outcome in NUMBERED_OUTCOMES:
        return inspection.get_outcome_display().split(":", 1)[0]
    return "Outcome"


def _outcome_phrase(inspection, verdicts):
    Outcome = Inspection.Outcome
    if inspection.outcome in NUMBERED_OUTCOMES:
        number, words = inspection.get_outcome_display().split(": ", 1)
        return f"{words} ({number.lower()})"
    if inspection.outcome == Outcome.WSOA_REQUIRED:
        return "written statement of action required"
    if inspection.outcome == Outcome.NO_WSOA:
        return "no written statement of action needed"
    summary = verdict_summary(inspection, verdicts)
    return summary[:1].lower() + summary[1:]


INSPECTION_NOUN = {
    Inspection.Kind.INITIAL: "inspection",
    Inspection.Kind.FULL: "inspection",
    Inspection.Kind.REVISIT: "revisit",
    Inspection.Kind.MONITORING: "monitoring inspection",
}


def latest_inspection_outcome(story):
    """Rule 5: otherwise, the latest inspection's outcome, in short.

    "2024 inspection: widespread and/or systemic failings (outcome 3)";
    "2016 inspection: no written statement of action needed"; "2021 revisit:
    sufficient progress on 1 of 13 findings".
    """
    latest = story.latest
    when = latest.placed_on
    head = f"{when.date.year} {INSPECTION_NOUN[latest.kind]}" if when else latest.title
    phrase = _outcome_phrase(latest, story.verdicts.get(latest.pk, ()))
    return f"{head}: {phrase}" if phrase else head


STANDS_RULES = (
    intervention_in_force,
    no_inspection_yet,
    outcome_awaited,
    plan_for_latest_inspection,
    latest_inspection_outcome,
)


def stands_by_rule(story):
    """(the rule that applied, its sentence); (None, "") when none did."""
    for rule in STANDS_RULES:
        text = rule(story)
        if text:
            return rule, text
    return None, ""


def where_it_stands(story):
    """One plain sentence for the home page and the area page: the first rule that applies."""
    return stands_by_rule(story)[1]


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


@dataclass(slots=True)
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
    # What the parent carer forum said about the latest published update, and the board's replies.
    forum_responses: list = field(default_factory=list)
    # Due date passed and not reported delivered by a published update (progress.summary).
    overdue: bool = False
    # Its withdrawn updates: the public sees only "Withdrawn on DATE: reason" (progress.withdrawal).
    withdrawn: list = field(default_factory=list)


def public_actions(plan, now):
    """The plan's actions with what their latest published update said, in two queries:
    the actions, then their latest updates (``_PLAN_ACTION_ROWS``)."""
    return _public_actions([plan], _plan_action_rows(plan.pk, now), now)[plan.pk]


_ACTION_FIELDS = (
    "pk",
    "plan_id",
    "ref",
    "title",
    "finding_id",
    "due_date",
    "public_summary",
    "is_illustrative",
    "lead_organisation__name",
)
_UPDATE_FIELDS = (
    "pk",
    "delivery_status",
    "impact_status",
    "public_summary",
    "period_end",
    "publish_at",
)


_NO_UPDATE = (None,) * len(_UPDATE_FIELDS)  # an action with no published update yet


def _latest_published(now):
    """The pk of the latest published update of the action in the outer query."""
    return Subquery(
        published_updates(now)
        .filter(action=OuterRef("pk"))
        .order_by("-period_end", "-publish_at", "-pk")
        .values("pk")[:1]
    )


# One plan's actions (a plan's pages): each action with the pk of its latest published
# update, from a subquery per action that the database answers from the index in that
# order (progress_update_newest) alone; then those updates by pk. Joining the update
# instead let the planner read and hash every update in the table (on the bench: 2 ms
# with one plan's updates in it, 6 ms with seven plans').
_PLAN_ACTION_ROWS = Prepared(
    lambda plan_id, now: (
        ActionItem.objects.filter(plan_id=plan_id)
        .annotate(latest_pk=_latest_published(now))
        .order_by("ref")
        .values_list(*_ACTION_FIELDS, "latest_pk")
    ),
    int,
    datetime.datetime,
)
# Checked again as published: a pk read a moment ago may have been withdrawn since.
_LATEST_UPDATES = Prepared(
    lambda pks, now: (
        published_updates(now).filter(pk__in=pks).order_by().values_list(*_UPDATE_FIELDS)
    ),
    list,
    datetime.datetime,
)
# Many plans' actions (the home page's): a join, as reading most of the updates is the job.
_PLANS_ACTION_ROWS = Prepared(
    lambda plan_ids, now: (
        ActionItem.objects.filter(plan__in=plan_ids)
        .annotate(
            latest=FilteredRelation("updates", condition=Q(updates__pk=_latest_published(now)))
        )
        .order_by("plan_id", "ref")
        .values_list(*_ACTION_FIELDS, *(f"latest__{name}" for name in _UPDATE_FIELDS))
    ),
    list,
    datetime.datetime,
)


def _lateral_sql(connection):
    """One plan's actions, each joined LATERAL to its latest published update: the SQL.

    The update is picked as ``_latest_published`` picks it, and the columns are
    ``_ACTION_FIELDS`` then ``_UPDATE_FIELDS``, as _PLANS_ACTION_ROWS has them.
    Values: the published state, now, the plan's pk.
    """
    qn = connection.ops.quote_name
    action, update = ActionItem._meta, ProgressUpdate._meta
    lead = action.get_field("lead_organisation")

    def column(meta, alias, name):
        return f"{alias}.{qn((meta.pk if name == 'pk' else meta.get_field(name)).column)}"

    def update_column(name):
        return column(update, "u0", name)

    selected = [
        f"o.{qn(lead.related_model._meta.get_field('name').column)}"
        if name == "lead_organisation__name"
        else column(action, "a", name)
        for name in _ACTION_FIELDS
    ] + [column(update, "u", name) for name in _UPDATE_FIELDS]
    return (
        f"SELECT {', '.join(selected)} FROM {qn(action.db_table)} a "  # noqa: S608 - quoted names, parameters
        f"INNER JOIN {qn(lead.related_model._meta.db_table)} o "
        f"ON o.{qn(lead.target_field.column)} = a.{qn(lead.column)} "
        f"LEFT JOIN LATERAL (SELECT {', '.join(map(update_column, _UPDATE_FIELDS))} "
        f"FROM {qn(update.db_table)} u0 "
        f"WHERE {update_column('action')} = a.{qn(action.pk.column)} "
        f"AND {update_column('state')} = %s AND {update_column('publish_at')} <= %s "
        f"ORDER BY {update_column('period_end')} DESC, {update_column('publish_at')} DESC, "
        f"{update_column('pk')} DESC LIMIT 1) u ON TRUE "
        f"WHERE {column(action, 'a', 'plan')} = %s ORDER BY {column(action, 'a', 'ref')}"
    )


# One plan's actions on PostgreSQL: in one query, each action's latest published update
# found from the index in that order (progress_update_newest) and read beside it: about
# 1 ms less than reading the pks, then the updates (on the bench: 1.6 ms against 2.7 ms).
# The ORM cannot write a LATERAL join; SQLite has none, and reads by lookup.
_PLAN_ACTION_ROWS_LATERAL = PreparedSQL(_lateral_sql)


def _plan_action_rows(plan_id, now):
    """One plan's rows, as _PLANS_ACTION_ROWS gives them (the action's fields, then its
    latest update's): on PostgreSQL in one query, elsewhere by lookup."""
    if connection.vendor == "postgresql":
        return _PLAN_ACTION_ROWS_LATERAL(ProgressUpdate.State.PUBLISHED, now, plan_id)
    return _plan_action_rows_by_lookup(plan_id, now)


def _plan_action_rows_by_lookup(plan_id, now):
    """One plan's rows read the way _PLAN_ACTION_ROWS reads them: the actions with the pk
    of their latest published update, then those updates by pk."""
    rows = _PLAN_ACTION_ROWS(plan_id, now)
    updates = {
        update[0]: update for update in _LATEST_UPDATES([row[-1] for row in rows if row[-1]], now)
    }
    return [(*row[:-1], *updates.get(row[-1], _NO_UPDATE)) for row in rows]


def public_actions_for_plans(plans, now):
    """{plan pk: its actions with what their latest published update said}, in one query
    (a join: ``_PLANS_ACTION_ROWS``), however many plans."""
    plans = list(plans)
    if not plans:
        return {}
    return _public_actions(plans, _PLANS_ACTION_ROWS([plan.pk for plan in plans], now), now)


def _public_actions(plans, rows, now):
    """{plan pk: [PublicAction]} from rows of an action's fields and its latest update's.

    An action with no published update yet comes with no update. An action is
    ``overdue`` when its due date is before today and its latest published
    update did not report it delivered (or there is none yet).
    """
    today = timezone.localdate(now)
    delivery = dict(ProgressUpdate._meta.get_field("delivery_status").flatchoices)
    impact = dict(ProgressUpdate._meta.get_field("impact_status").flatchoices)
    result = {plan.pk: [] for plan in plans}
    for (
        pk,
        plan_id,
        ref,
        title,
        finding_id,
        due_date,
        public_summary,
        is_illustrative,
        lead_name,
        update_id,
        delivery_status,
        impact_status,
        summary,
        period_end,
        published_at,
    ) in rows:
        public_action = PublicAction(
            pk=pk,
            ref=ref,
            title=title,
            finding_id=finding_id,
            due_date=due_date,
            public_summary=public_summary,
            is_illustrative=is_illustrative,
            lead_name=lead_name,
            update_id=update_id,
            delivery_status=delivery_status,
            impact_status=impact_status,
            delivery_label=delivery.get(delivery_status),
            impact_label=impact.get(impact_status),
            summary=summary,
            summary_period_end=period_end,
            published_at=published_at,
        )
        public_action.overdue = is_overdue(public_action, today)
        result[plan_id].append(public_action)
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
        attach_forum_responses(actions, now)
        withdrawn = withdrawal.withdrawn_updates_by_action(a.pk for a in actions)
        for public_action in actions:
            public_action.withdrawn = withdrawn.get(public_action.pk, [])
    return {"area": area, "finding": finding, "plan": plan, "actions": actions}


def public_forum_responses(now=None):
    """The parent carer forum's responses the public may see, with the board's replies."""
    return ForumResponse.objects.public(now).select_related("reply").order_by("responded_at", "pk")


def attach_forum_responses(actions, now):
    """Give each public action the forum's responses to its latest published update (one query)."""
    by_update = {}
    for response in public_forum_responses(now).filter(
        update_id__in=[a.update_id for a in actions if a.update_id]
    ):
        by_update.setdefault(response.update_id, []).append(response)
    for public_action in actions:
        public_action.forum_responses = by_update.get(public_action.update_id, [])


@dataclass(frozen=True)
class ForumEntry:
    """A "You said, we did" entry made of a forum challenge and the board's reply, if any."""

    pk: int
    heard_on: datetime.date
    action_ref: str
    action_title: str
    url: str  # the finding page, at the action
    you_said: str
    we_did: str  # "" while the board has not replied
    replied_on: datetime.date | None
    is_illustrative: bool


def forum_you_said_we_did(area, now=None):
    """The forum's public challenges on ``area``'s updates as "You said, we did", newest first."""
    challenges = (
        public_forum_responses(now)
        .filter(kind=ForumResponse.Kind.CHALLENGE, update__action__plan__area=area)
        .select_related("update__action")
    )
    entries = []
    for challenge in challenges:
        action = challenge.update.action
        reply = getattr(challenge, "reply", None)
        entries.append(
            ForumEntry(
                pk=challenge.pk,
                heard_on=timezone.localdate(challenge.responded_at),
                action_ref=action.ref,
                action_title=action.title,
                url=reverse("public:area-finding", args=[area.slug, action.finding_id])
                + f"#action-{action.pk}",
                you_said=challenge.text,
                we_did=reply.text if reply else "",
                replied_on=timezone.localdate(reply.replied_at) if reply else None,
                is_illustrative=challenge.is_illustrative,
            )
        )
    entries.sort(key=lambda e: (e.heard_on, e.pk), reverse=True)
    return entries


# The public timeline: every public event of an area's story.


@dataclass(frozen=True)
class TimelineEvent:
    """One public event: its own date (at its precision), what kind it is, and what happened.

    ``date`` is None when the record has no date; the event is then placed by
    its parent's date (a plan by its inspection's, a review by the
    intervention it reviewed) and labelled "Date not known". ``details`` are
    further sentences, every one of them public.
    """

    date: PartialDate | None
    kind: str
    text: str
    details: tuple = ()
    url: str = ""
    link_text: str = ""
    illustrative: bool = False
    placed: tuple = field(default=UNDATED, compare=False, repr=False)

    KIND_LABELS = {
        "inspection": "Inspection",
        "verdicts": "Verdicts on earlier findings",
        "intervention": "Government intervention",
        "plan": "Plan",
        "review": "Review",
        "report": "Progress report",
        "meeting": "Board meeting",
    }

    @property
    def label(self):
        """'16 May 2018', 'March 2023', '2026' or 'Date not known'."""
        return str(self.date) if self.date else "Date not known"

    @property
    def iso(self):
        """For <time datetime>: '2018-05-16', '2023-03' or '2026'."""
        return self.date.isoformat() if self.date else ""

    @property
    def kind_label(self):
        return self.KIND_LABELS[self.kind]


# On the same date, events follow the order things happen in: an inspection,
# its verdicts, an intervention, a plan, a review, a report, a board meeting.
STEP = {kind: n for n, kind in enumerate(TimelineEvent.KIND_LABELS)}


def _day(value):
    return PartialDate(value) if value else None


class _Placer:
    """Makes events with a total sort key: own date, else the parent's, then a fixed order."""

    def __init__(self):
        self.events = []

    def add(self, when, kind, text, *, parent=UNDATED, order=(0, 0), not_before=UNDATED, **extra):
        key = max(date_key(when) if when else parent, not_before)
        placed = (*key, STEP[kind], *order)
        self.events.append(TimelineEvent(when, kind, text, placed=placed, **extra))
        return key


@dataclass
class AreaRecords:
    """Everything public about one area, loaded in a fixed number of queries."""

    area: LocalArea
    today: datetime.date
    inspections: list  # oldest first, with findings and their verdicts prefetched
    plans: list  # public plans, responds_to set
    reviews: list
    interventions: list  # with intervention_findings prefetched
    meetings: list  # published board meeting summaries, held by today
    reports: list  # published public progress reports
    withdrawn_reports: list = field(default_factory=list)  # public reports withdrawn since

    @property
    def judgements(self):
        """Every verdict on the area's findings, each with its finding (oldest finding first)."""
        return [
            (finding, judgement)
            for inspection in self.inspections
            for finding in inspection.findings.all()
            for judgement in finding.judgements.all()
        ]

    def story(self):
        verdicts = {}
        for _, judgement in self.judgements:
            if judgement.inspection_id:
                verdicts.setdefault(judgement.inspection_id, []).append(judgement.verdict)
        return Story(
            inspections=self.inspections,
            plans=self.plans,
            today=self.today,
            interventions=self.interventions,
            verdicts=verdicts,
        )


# The area page's queries, built and compiled once (kit.prepared): a page built
# afresh spends more on making its SQL than the database spends answering it.
_AREA_WITH_HISTORY = PreparedChildren(
    LocalArea,
    lambda slug: LocalArea.objects.filter(slug=slug),
    str,
    # Reviews in ProgressReview's own order; an area has a handful of each.
    relations=("inspections", Children("reviews", order_by=("held_on", "pk"))),
)
_FINDINGS = PreparedChildren(
    Finding,
    lambda area_id: Finding.objects.filter(inspection__area_id=area_id).order_by(
        "kind_rank", "number", "pk"
    ),
    int,
    relations=("judgements",),
)
_REVIEWS = PreparedChildren(
    ProgressReview, lambda area_id: ProgressReview.objects.filter(area_id=area_id), int
)
_INTERVENTIONS = PreparedChildren(
    Intervention,
    lambda area_id: Intervention.objects.filter(area_id=area_id).order_by("pk"),
    int,
    relations=("intervention_findings",),
)
_PLANS = PreparedChildren(
    Plan,
    lambda area_id: public_plans().filter(area_id=area_id).order_by("pk"),
    int,
    relations=("plan_findings",),
)
_MEETINGS = PreparedChildren(
    BoardMeeting,
    lambda area_id, today: (
        BoardMeeting.objects.public()
        .filter(area_id=area_id, held_on__lte=today)
        .order_by("-held_on")
    ),
    int,
    datetime.date,
)
_REPORTS = PreparedChildren(
    ProgressReport,
    lambda area_id: (
        (ProgressReport.objects.public() | ProgressReport.objects.withdrawn_publicly())
        .filter(plan__area_id=area_id)
        .order_by("-published_at")
    ),
    int,
)


def area_records(area, *, today):
    """Load an area's public records in seven queries (five if the area came with its
    inspections and reviews, ``public_area_with_inspections``), however long its history."""
    loaded = getattr(area, "_prefetched_objects_cache", {})
    if "inspections" in loaded:
        inspections = list(area.inspections.all())  # public_area_with_inspections read them
    else:
        inspections = list(area.inspections.order_by("pk"))
    # The findings come with their verdicts, in one query, each inspection's in order.
    findings = {}
    for finding in _FINDINGS(area.pk):
        findings.setdefault(finding.inspection_id, []).append(finding)
    attach(inspections, "findings", findings)
    # The reviews, unless public_area_with_inspections read them with the area.
    reviews = list(area.reviews.all()) if "reviews" in loaded else _REVIEWS(area.pk)
    interventions = _INTERVENTIONS(area.pk)
    parents = _join_loaded(inspections, reviews, interventions)
    by_id = {i.pk: i for i in inspections}
    # Each plan with the findings it answers (plan.plan_findings), in one query.
    plans = _PLANS(area.pk)
    for plan in plans:
        plan.responds_to = by_id[plan.responds_to_id]
        plan.area = area
    reports = _REPORTS(area.pk)  # published and withdrawn, in one query
    _attach_plans(reports, plans)
    return AreaRecords(
        area=area,
        today=today,
        inspections=chronological(inspections, parents),
        plans=plans,
        reviews=reviews,
        interventions=interventions,
        meetings=_MEETINGS(area.pk, today),
        reports=[report for report in reports if not report.is_withdrawn],
        withdrawn_reports=[report for report in reports if report.is_withdrawn],
    )


def _attach_plans(reports, plans):
    """Give each report its plan, already loaded (a plan the public no longer sees is read)."""
    by_id = {plan.pk: plan for plan in plans}
    missing = {report.plan_id for report in reports} - by_id.keys()
    if missing:
        by_id |= Plan.objects.select_related("area").in_bulk(missing)
    for report in reports:
        report.plan = by_id[report.plan_id]


def _join_loaded(inspections, reviews, interventions):
    """Point loaded records at each other, so nothing is fetched twice.

    Returns, for each inspection that judged earlier findings, the pks of the
    inspections whose findings it judged (to place an undated revisit).
    """
    by_id = {i.pk: i for i in inspections}
    reviews_by_id = {r.pk: r for r in reviews}
    interventions_by_id = {i.pk: i for i in interventions}
    parents = {}
    for inspection in inspections:
        for finding in inspection.findings.all():
            finding.inspection = inspection
            for judgement in finding.judgements.all():
                judgement.finding = finding
                if judgement.inspection_id in by_id:
                    judgement.inspection = by_id[judgement.inspection_id]
                    parents.setdefault(judgement.inspection_id, set()).add(inspection.pk)
                if judgement.review_id in reviews_by_id:
                    judgement.review = reviews_by_id[judgement.review_id]
    for review in reviews:
        if review.intervention_id in interventions_by_id:
            review.intervention = interventions_by_id[review.intervention_id]
    for intervention in interventions:
        if intervention.replaced_by_id in interventions_by_id:
            intervention.replaced_by = interventions_by_id[intervention.replaced_by_id]
    return parents


def _inspection_events(records, placer):
    """Each inspection with its outcome, and the verdicts each gave on earlier findings."""
    verdicts = {}
    for finding, judgement in records.judgements:
        if judgement.inspection_id:
            verdicts.setdefault(judgement.inspection_id, []).append((finding, judgement))
    placed, previous = {}, UNDATED
    for inspection in records.inspections:
        details = []
        if inspection.outcome:
            details.append(f"{outcome_label(inspection)}: {inspection.outcome_statement}")
        else:
            details.append("Outcome not yet recorded here.")
        if inspection.outcome_text:
            details.append(f"In the inspectors’ words: “{inspection.outcome_text}”")
        if inspection.public_summary:
            details.append(inspection.public_summary)
        if inspection.published:
            details.append(f"Report published {inspection.published}.")
        when = inspection.placed_on
        # An undated inspection keeps its place in the chronological list (an
        # undated revisit just after the inspection it followed up).
        key = placer.add(
            when,
            "inspection",
            inspection.title,
            parent=previous,
            order=(inspection.pk or 0, 0),
            details=tuple(details),
            url=inspection.report_url,
            link_text=(
                f"Read the report of the {_lower_first(inspection.title)}"
                + (f", {when}" if when else "")
            )
            if inspection.report_url
            else "",
        )
        placed[inspection.pk] = previous = key
        given = verdicts.get(inspection.pk, [])
        summary = verdict_summary(inspection, [j.verdict for _, j in given])
        if not summary:
            continue
        # Dated by the report that gave them, but never before the inspection
        # itself (a report known only to the year would otherwise come first).
        placer.add(
            inspection.published or when,
            "verdicts",
            f"{inspection.title}: {_lower_first(summary)}",
            parent=key,
            not_before=key,
            order=(inspection.pk or 0, 0),
            details=_verdict_lines(given),
        )
    return placed


def _inspection_named(inspection):
    when = f", {inspection.start}" if inspection.start else ""
    return f"{_lower_first(inspection.title)}{when}"


def _verdict_line(finding, judgement):
    named = _inspection_named(finding.inspection)
    return f"{finding} ({named}): {judgement.get_verdict_display()}"


def _verdict_lines(given):
    """A line per verdict; several on one inspection's findings name that inspection once."""
    if len(given) < 2 or len({finding.inspection.pk for finding, _ in given}) > 1:
        return tuple(_verdict_line(finding, judgement) for finding, judgement in given)
    named = _inspection_named(given[0][0].inspection)
    return (
        f"On the findings of the {named}:",
        *(f"{finding}: {judgement.get_verdict_display()}" for finding, judgement in given),
    )


def _lower_first(text):
    """'revisit', 'joint local area SEND inspection': a title inside a sentence."""
    return text[:1].lower() + text[1:]


def _intervention_events(records, placer, inspections_placed):
    """Each intervention issued, and lifted or replaced, at its dates."""
    finding_inspection = {
        finding.pk: inspection.pk
        for inspection in records.inspections
        for finding in inspection.findings.all()
    }
    placed = {}
    for intervention in records.interventions:
        covered = [
            inspections_placed[finding_inspection[link.finding_id]]
            for link in intervention.intervention_findings.all()
            if link.finding_id in finding_inspection
        ]
        commissioner = intervention.kind == Intervention.Kind.COMMISSIONER
        issued = placer.add(
            intervention.issued,
            "intervention",
            intervention.name if commissioner else f"{intervention.name} issued",
            parent=max(covered, default=UNDATED),
            order=(intervention.pk, 1),
            details=intervention_details(intervention),
        )
        placed[intervention.pk] = issued
        if not intervention.lifted_on:
            continue
        if intervention.replaced_by:
            text = f"{intervention.name} replaced by {_a(intervention.replaced_by)}"
        elif commissioner:
            text = f"{intervention.name}: appointment ended"
        else:
            text = f"{intervention.name} lifted"
        # Lifted before anything issued the same day: one ends, the next begins.
        placer.add(intervention.lifted, "intervention", text, order=(0, intervention.pk))
    return placed


def _a(intervention):
    """'a statutory direction': an intervention inside a sentence (its own title if it has one)."""
    if intervention.title:
        return intervention.title
    return {
        Intervention.Kind.IMPROVEMENT_NOTICE: "an Improvement Notice",
        Intervention.Kind.STATUTORY_DIRECTION: "a statutory direction",
        Intervention.Kind.COMMISSIONER: "a SEND commissioner",
    }.get(intervention.kind, "another intervention")


def intervention_details(intervention):
    """What a parent may read about an intervention, one sentence each (never its notes)."""
    verb = "appointed" if intervention.kind == Intervention.Kind.COMMISSIONER else "issued"
    details = [f"Who {verb} it: {intervention.issued_by}." if intervention.issued_by else ""]
    if intervention.legal_basis:
        details.append(f"Legal basis: {intervention.legal_basis}.")
    if intervention.covers:
        details.append(f"What it covers: {intervention.covers}")
    if intervention.commissioner:
        details.append(f"Commissioner or adviser appointed: {intervention.commissioner}.")
    if intervention.review_every_months:
        details.append(f"Reviewed every {intervention.review_every_months} months.")
    if intervention.public_summary:
        details.append(intervention.public_summary)
    return tuple(d for d in details if d)


def _plan_events(records, placer, inspections_placed):
    """Each public plan submitted, judged, published and closed, at the dates recorded."""
    by_id = {plan.pk: plan for plan in records.plans}
    for plan in records.plans:
        answered = plan.responds_to
        when = f", {answered.start}" if answered.start else ""
        about = [f"It answers the {_lower_first(answered.title)}{when}."]
        if plan.public_summary:
            about.append(plan.public_summary)
        parent = inspections_placed.get(answered.pk, UNDATED)
        steps = _plan_steps(plan, by_id)
        if not steps:
            status = plan.get_status_display().lower()
            steps = [(None, f"{plan.title}: {status}", ())]
        for n, (when_done, text, extra) in enumerate(steps):
            placer.add(
                when_done,
                "plan",
                text,
                parent=parent,
                order=(plan.pk, n),
                details=(tuple(about) if n == 0 else ()) + extra,
                illustrative=plan.is_illustrative,
            )


def _plan_steps(plan, public_by_id):
    steps = []
    if plan.submitted:
        steps.append((plan.submitted, f"{plan.title} submitted", ()))
    if plan.judged:
        if plan.judgement:
            text = f"{plan.title} judged: {plan.judgement}"
        elif plan.status in (Plan.Status.FIT, Plan.Status.NOT_FIT):
            text = f"{plan.title} {plan.get_status_display().lower()}"
        elif plan.kind == Plan.Kind.WSOA:
            text = f"{plan.title} judged"
        else:
            text = f"{plan.title} approved"
        by = (f"By {plan.judged_by}.",) if plan.judged_by else ()
        steps.append((plan.judged, text, by))
    if plan.published:
        steps.append((plan.published, f"{plan.title} published", ()))
    if plan.closed:
        later = public_by_id.get(plan.superseded_by_id)
        if later is not None:
            text = f"{plan.title} replaced by {later.title}"
        elif plan.status == Plan.Status.SUPERSEDED:
            text = f"{plan.title} replaced by a later plan"
        else:
            text = f"{plan.title} closed"
        steps.append((plan.closed, text, ()))
    return steps


def _review_events(records, placer, interventions_placed, inspections_placed):
    """Every review, of every kind, with its public summary and any verdicts (never its result)."""
    verdicts = {}
    for finding, judgement in records.judgements:
        if judgement.review_id:
            verdicts.setdefault(judgement.review_id, []).append((finding, judgement))
    for review in records.reviews:
        given = verdicts.get(review.pk, [])
        details = []
        if review.intervention:
            when = f" ({review.intervention.issued})" if review.intervention.issued_on else ""
            details.append(f"It reviewed the {review.intervention.name}{when}.")
        if review.public_summary:
            details.append(review.public_summary)
        details.extend(_verdict_lines(given))
        if review.intervention_id:
            parent = interventions_placed.get(review.intervention_id, UNDATED)
        else:
            parent = max((inspections_placed[f.inspection.pk] for f, _ in given), default=UNDATED)
        by = f" by {review.conducted_by}" if review.conducted_by else ""
        placer.add(
            review.held,
            "review",
            f"{review.name}{by}",
            parent=parent,
            order=(review.pk, 0),
            details=tuple(details),
        )


def _report_and_meeting_events(records, placer):
    slug = records.area.slug
    for report in records.reports:
        published = report.published_at
        placer.add(
            _day(timezone.localdate(published)) if published else None,
            "report",
            f"Progress report {report.number} published",
            order=(report.pk, 0),
            details=(
                f"On the {report.plan.title}, {format_date(report.period_start)} to "
                f"{format_date(report.period_end)}.",
            ),
            url=reverse("public:public-report", args=[slug, report.uuid]),
            link_text=f"Download progress report {report.number} (PDF)",
            illustrative=report.plan.is_illustrative,
        )
    for report in records.withdrawn_reports:
        notice = withdrawal.notice(report)
        placer.add(
            _day(timezone.localdate(report.published_at)) if report.published_at else None,
            "report",
            f"Progress report {report.number} published",
            order=(report.pk, 0),
            details=(
                f"On the {report.plan.title}, {format_date(report.period_start)} to "
                f"{format_date(report.period_end)}.",
                notice,
            ),
            illustrative=report.plan.is_illustrative,
        )
        placer.add(
            _day(timezone.localdate(report.withdrawn_at)),
            "report",
            f"Progress report {report.number} withdrawn",
            order=(report.pk, 1),
            details=(notice,),
            illustrative=report.plan.is_illustrative,
        )
    for meeting in records.meetings:
        placer.add(
            _day(meeting.held_on),
            "meeting",
            f"{meeting.title} met",
            order=(meeting.pk, 0),
            details=("The board published what was said and what it will do.",),
            url=reverse("public:area-meetings", args=[slug]) + f"#meeting-{meeting.pk}",
            link_text=f"Read the summary of the meeting on {format_date(meeting.held_on)}",
            illustrative=meeting.is_illustrative,
        )


def build_timeline(records):
    """Every public event of the area's story, newest first.

    Newest first because a parent comes to find out what is happening now:
    the latest events are read first, and the story goes back from there.
    Records with no date are placed by their parent's date and read "Date not
    known"; anything with neither comes last (the start of the story).
    """
    placer = _Placer()
    inspections_placed = _inspection_events(records, placer)
    interventions_placed = _intervention_events(records, placer, inspections_placed)
    _plan_events(records, placer, inspections_placed)
    _review_events(records, placer, interventions_placed, inspections_placed)
    _report_and_meeting_events(records, placer)
    return sorted(placer.events, key=lambda event: event.placed, reverse=True)


def area_timeline(area, *, today=None):
    """The area's public timeline, newest first, in a fixed number of queries."""
    return build_timeline(area_records(area, today=today or timezone.localdate()))


def area_page(area, *, now=None, today=None):
    """Everything the public area page shows, in a fixed number of queries."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    records = area_records(area, today=today)
    inspections = records.inspections
    for inspection in inspections:
        inspection.outcome_label = outcome_label(inspection)
    story = records.story()
    # The plan answering the latest inspection's cycle; failing that, the last plan
    # published, said plainly to belong to an earlier inspection.
    plan = story.plan or current_plan(records.plans)
    earlier_cycle = story.latest if plan is not None and story.plan is None else None
    findings = {f.pk: f for i in inspections for f in i.findings.all()}
    finding_groups, actions, addressed, deadlines = [], [], set(), []
    if plan is not None:
        actions = public_actions(plan, now)
        addressed = {link.finding_id for link in plan.plan_findings.all()}
        by_finding = {}  # each action read once, not once per finding
        for action in actions:
            by_finding.setdefault(action.finding_id, []).append(action)
        for inspection in inspections:
            for finding in inspection.findings.all():
                if finding.pk not in addressed:
                    continue
                own = by_finding.get(finding.pk, [])
                finding_groups.append(FindingProgress(finding, own, _latest_summary(own)))
        deadlines = plan_deadlines(
            plan,
            today=today,
            inspections=records.inspections,
            reviews=[review for review in records.reviews if review.held_on],
            interventions=[i for i in records.interventions if i.issued_on],
        )
    in_force = interventions_in_force(records.interventions, today)
    for intervention in in_force:
        intervention.public_details = intervention_details(intervention)
        intervention.covered_findings = [
            findings[link.finding_id]
            for link in intervention.intervention_findings.all()
            if link.finding_id in findings
        ]
    summary = build_area_summary(
        story,
        plan=plan,
        actions=actions,
        addressed=addressed,
        findings={
            pk: FindingRow(
                finding.inspection_id,
                tuple(judgement.verdict for judgement in finding.judgements.all()),
            )
            for pk, finding in findings.items()
        },
        finding_counts={i.pk: len(i.findings.all()) for i in inspections},
        measures=public_measure_series(area),
        deadlines=deadlines,
        today=today,
    )
    return {
        "area": area,
        "reports": records.reports,
        "withdrawn_reports": records.withdrawn_reports,
        "inspections": inspections,
        "plans": records.plans,
        "plan": plan,
        "plan_before_latest_inspection": earlier_cycle,
        "latest_needs_no_plan": bool(earlier_cycle)
        and earlier_cycle.outcome in (Inspection.Outcome.POSITIVE, Inspection.Outcome.NO_WSOA),
        "finding_groups": finding_groups,
        "stands": summary.stands,
        "summary": summary,
        "interventions_in_force": in_force,
        "timeline": build_timeline(records),
    }


# Is it getting better? One area's answer in words and numbers, built here for
# the area page and the home page from records already loaded, and counted by
# progress.summary, the same code the public progress report counts with.


@dataclass
class AreaSummary:
    """Where an area stands and whether it is getting better.

    ``latest_inspection`` is given only when "where it stands" does not
    already say it (an intervention or a plan's stage came first);
    ``next_date`` is the plan's most pressing statutory date, if any;
    ``actions`` and ``findings`` are counted from what the public may see
    (``progress.summary``); ``measures`` are MeasureTrends of the plan's
    public measures.
    """

    stands: str
    latest_inspection: str = ""
    plan: Plan | None = None
    plan_text: str = ""
    next_date: str = ""
    actions: ActionCounts | None = None
    findings: FindingCounts | None = None
    measures: list = field(default_factory=list)

    @property
    def line(self):
        """One line for the home page: overdue actions, findings closed and measures."""
        if self.plan is None:
            return "No plan published here yet."
        parts = []
        if self.actions is not None and self.actions.total:
            parts.append(self.actions.overdue_text)
        if self.findings is not None:
            parts.append(self.findings.short_text)
        parts.append(measures_text(self.measures))
        return " ".join(part for part in parts if part) or "No actions published yet."


def inspection_outcome_text(inspection, verdicts=()):
    """'Area SEND inspection, March 2024: widespread and/or systemic failings (outcome 3)'."""
    when = inspection.placed_on
    head = f"{inspection.title}, {_month(when)}" if when else inspection.title
    phrase = _outcome_phrase(inspection, verdicts)
    return f"{head}: {phrase or 'outcome not yet recorded here'}"


def plan_summary_text(plan):
    """'Written Statement of Action, answering the 2019 inspection: closed.'"""
    answered = plan.responds_to
    when = answered.placed_on
    answers = f", answering the {when.date.year} {INSPECTION_NOUN[answered.kind]}" if when else ""
    return f"{plan.title}{answers}: {plan.get_status_display().lower()}."


def next_statutory_date(deadlines, today):
    """The most pressing statutory date: the first one overdue, else the soonest still to come."""
    overdue = [d for d in deadlines if d.status == OVERDUE]
    if overdue:
        return str(min(overdue, key=lambda d: (d.due or datetime.date.max, d.label)))
    coming = [d for d in deadlines if d.status == DUE and d.due is not None and d.due >= today]
    if coming:
        return str(min(coming, key=lambda d: (d.due, d.label)))
    return ""


def build_area_summary(
    story, *, plan, actions, addressed, findings, finding_counts, measures, deadlines, today
):
    """The area's summary from records already loaded: no queries.

    ``actions`` are the plan's PublicActions; ``addressed`` the pks of the
    findings the plan addresses; ``findings`` maps every finding's pk to its
    FindingRow (the inspection that made it, the verdicts given on it in the
    order they were recorded); ``finding_counts`` maps an inspection's pk to
    how many findings it made; ``measures`` are the area's public measures,
    each paired with its values in time order; ``deadlines`` the plan's.
    """
    rule, stands = stands_by_rule(story)
    summary = AreaSummary(stands=stands)
    latest = story.latest
    if latest is not None and rule in (intervention_in_force, plan_for_latest_inspection):
        summary.latest_inspection = inspection_outcome_text(
            latest, story.verdicts.get(latest.pk, ())
        )
    finding_ids = set()
    if plan is not None:
        # The plan's findings, and any finding its actions serve, as the report counts them.
        finding_ids = set(addressed) | {action.finding_id for action in actions}
        summary.plan = plan
        summary.plan_text = plan_summary_text(plan)
        summary.next_date = next_statutory_date(deadlines, today)
        summary.actions = count_actions(actions, today=today)
        rows = [findings[pk] for pk in sorted(finding_ids) if pk in findings]
        inspections = [
            InspectionRow(
                key=inspection.pk,
                starts_cycle=inspection.kind in MAIN_KINDS,
                findings=finding_counts.get(inspection.pk, 0),
                judged=inspection.findings_judged,
                resolved=inspection.findings_resolved,
                gave_verdicts=bool(story.verdicts.get(inspection.pk)),
            )
            for inspection in story.inspections
        ]
        summary.findings = count_findings(rows, counted_verdicts(inspections))
    plan_id = plan.pk if plan is not None else None
    summary.measures = [
        measure_trend(measure, values)
        for measure, values in measures
        if measure_belongs(measure, plan_id, finding_ids)
    ]
    return summary


def _group(rows, key):
    grouped = {}
    for row in rows:
        grouped.setdefault(key(row), []).append(row)
    return grouped


# The home page's queries, for any number of areas, each built and compiled once
# for each number of areas it is asked about (kit.prepared): usually one, the area
# whose row changed.
_HOME_INSPECTIONS = PreparedChildren(
    Inspection, lambda ids: Inspection.objects.filter(area__in=ids).order_by("pk"), list
)
_HOME_FINDINGS = Prepared(
    lambda ids: (
        Finding.objects.filter(inspection__area__in=ids)
        .order_by("pk")
        .values_list("pk", "inspection_id")
    ),
    list,
)
_HOME_VERDICTS = Prepared(
    lambda ids: (
        Judgement.objects.filter(finding__inspection__area__in=ids)
        .order_by("pk")
        .values_list("finding_id", "inspection_id", "verdict")
    ),
    list,
)
_HOME_PLANS = PreparedChildren(
    Plan, lambda ids: public_plans().filter(area__in=ids).order_by("pk"), list
)
_HOME_INTERVENTIONS = PreparedChildren(
    Intervention, lambda ids: Intervention.objects.filter(area__in=ids).order_by("pk"), list
)
_HOME_MEETINGS = PreparedChildren(
    BoardMeeting,
    lambda today, ids: BoardMeeting.objects.announced().filter(held_on__gte=today, area__in=ids),
    datetime.date,
    list,
)
# Each measure's fields with one of its values a row (public_measure_series).
_MEASURE_SERIES = Prepared(
    lambda ids: (
        Measure.objects.public()
        .filter(area__in=ids)
        .order_by("name", "pk", "values__period_end")
        .values_list(*_MEASURE_NAMES, *(f"values__{name}" for name in FIGURE_FIELDS))
    ),
    list,
)
_HOME_ADDRESSED = Prepared(
    lambda plan_ids: (
        PlanFinding.objects.filter(plan__in=plan_ids)
        .order_by()
        .values_list("plan_id", "finding_id")
    ),
    list,
)


def home_areas(*, now=None, today=None, areas=None):
    """Each area with where it stands now, its next key date and its summary.

    The page shows every area, so each kind of record is read once for all of
    them, in flat queries grouped here (no query per area, and no prefetch per
    record): a fixed number of queries however many areas there are. Findings
    and verdicts are read as plain rows, since only their counts are shown.
    Given ``areas`` (LocalAreas), only those are read, in the same queries.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    areas = list(LocalArea.objects.order_by("name") if areas is None else areas)
    ids = [area.pk for area in areas]
    inspections = _HOME_INSPECTIONS(ids)
    inspections_by_id = {inspection.pk: inspection for inspection in inspections}
    # Each finding of the areas shown, and each verdict with the inspection of the
    # finding it judged (a verdict is given in the finding's own area).
    finding_inspection = dict(_HOME_FINDINGS(ids))
    verdicts = _HOME_VERDICTS(ids)
    on_finding, given, parents = {}, {}, {}
    for finding_id, inspection_id, verdict in verdicts:
        on_finding.setdefault(finding_id, []).append(verdict)
        if inspection_id is not None:
            given.setdefault(inspection_id, []).append(verdict)
            parents.setdefault(inspection_id, set()).add(finding_inspection[finding_id])
    findings = {
        pk: FindingRow(inspection_id, tuple(on_finding.get(pk, ())))
        for pk, inspection_id in finding_inspection.items()
    }
    finding_counts, area_findings = {}, {}
    for pk, inspection_id in finding_inspection.items():
        finding_counts[inspection_id] = finding_counts.get(inspection_id, 0) + 1
        area_id = inspections_by_id[inspection_id].area_id
        area_findings.setdefault(area_id, {})[pk] = findings[pk]
    plans = _HOME_PLANS(ids)
    for plan in plans:
        plan.responds_to = inspections_by_id[plan.responds_to_id]
    interventions = _HOME_INTERVENTIONS(ids)
    meetings = _group(_HOME_MEETINGS(today, ids), lambda m: m.area_id)
    measures_by_area = _group(_measure_series(_MEASURE_SERIES(ids)), lambda p: p[0].area_id)
    by_area = {
        "inspections": _group(inspections, lambda i: i.area_id),
        "plans": _group(plans, lambda p: p.area_id),
        "interventions": _group(interventions, lambda i: i.area_id),
    }
    shown = set()
    for area in areas:
        own = by_area["inspections"].get(area.pk, [])
        area.current_plan = current_plan(by_area["plans"].get(area.pk, []))
        area.story = Story(
            inspections=chronological(own, {i.pk: parents[i.pk] for i in own if i.pk in parents}),
            plans=by_area["plans"].get(area.pk, []),
            today=today,
            interventions=by_area["interventions"].get(area.pk, []),
            verdicts={i.pk: given[i.pk] for i in own if i.pk in given},
        )
        # The plan the area page shows: the latest cycle's, else the last published.
        area.summary_plan = area.story.plan or area.current_plan
        shown.update(plan for plan in (area.current_plan, area.summary_plan) if plan)
    shown = sorted(shown, key=lambda plan: plan.pk)
    deadlines = deadlines_for_plans(
        shown,
        today=today,
        inspections=inspections,
        interventions=[i for i in interventions if i.issued_on],
    )
    actions = public_actions_for_plans(shown, now)
    addressed = {}
    for plan_id, finding_id in _HOME_ADDRESSED([plan.pk for plan in shown]):
        addressed.setdefault(plan_id, set()).add(finding_id)
    for area in areas:
        plan = area.current_plan
        area.stands = where_it_stands(area.story)
        area.next_date = next_key_date(
            plan, deadlines.get(plan, []) if plan else [], meetings.get(area.pk, []), today
        )
        summary_plan = area.summary_plan
        area.summary = build_area_summary(
            area.story,
            plan=summary_plan,
            actions=actions.get(summary_plan.pk, []) if summary_plan else [],
            addressed=addressed.get(summary_plan.pk, set()) if summary_plan else set(),
            findings=area_findings.get(area.pk, {}),
            finding_counts=finding_counts,
            measures=measures_by_area.get(area.pk, []),
            deadlines=deadlines.get(summary_plan, []) if summary_plan else [],
            today=today,
        )
    return areas


@dataclass(frozen=True)
class HomeRow:
    """One area on the home page, in words (kept in the cache as it is)."""

    name: str
    url: str
    stands: str
    line: str
    next_date: str | None


def home_rows(*, now=None):
    """Every area's row on the home page: from the cache, but for areas changed since.

    One area's save rebuilds only its own row (``public.cache.area_rows``), in
    the fixed number of queries of ``home_areas``.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    areas = list(LocalArea.objects.order_by("name"))

    def build(missing):
        return {
            area.pk: HomeRow(
                area.name, area.get_absolute_url(), area.stands, area.summary.line, area.next_date
            )
            for area in home_areas(now=now, today=today, areas=missing)
        }

    return area_rows(areas, build, name="home", today=today)


def public_measures_with_values():
    """Public measures, each with its values in time order (small numbers suppressed when shown)."""
    return (
        Measure.objects.public()
        .prefetch_related(Prefetch("values", queryset=MeasureValue.objects.order_by("period_end")))
        .order_by("name", "pk")
    )


def public_measures(area):
    """The area's public measures, each with its values in time order."""
    return public_measures_with_values().filter(area=area)


@dataclass(frozen=True, slots=True)
class FigureRow:
    """What a measure's trend reads of one of its values (progress.summary.measure_trend)."""

    period_end: datetime.date
    period_label: str
    value: object  # Decimal or None
    numerator: int | None
    denominator: int | None


FIGURE_FIELDS = tuple(field.name for field in fields(FigureRow))


_MEASURE_NAMES = [field.attname for field in Measure._meta.concrete_fields]


def public_measure_series(area):
    """The area's public measures, each with its values in time order, in one query.

    [(measure, [FigureRow, ...])], for the summary's trends: the values are
    light rows, not records (a measure may have dozens; the page needs only
    their figures).
    """
    return _measure_series(_MEASURE_SERIES([area.pk]))


def _measure_series(rows):
    """[(measure, [FigureRow, ...])] from rows of a measure's fields and one of its values."""
    names, series = _MEASURE_NAMES, {}
    width = len(names)
    for row in rows:
        pk = row[0]
        if pk not in series:
            series[pk] = (Measure.from_db(Measure.objects.db, names, row[:width]), [])
        if row[width] is not None:  # a measure with no values yet comes once, with none
            series[pk][1].append(FigureRow(*row[width:]))
    return list(series.values())


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


def withdrawn_reports(area):
    """The area's public reports withdrawn after publication: listed as withdrawn, PDF gone."""
    return (
        ProgressReport.objects.withdrawn_publicly()
        .filter(plan__area=area)
        .select_related("plan__area")
        .order_by("-published_at")
    )


def listed_reports(area):
    """Published and withdrawn public reports together, newest first, for one query."""
    return (
        (ProgressReport.objects.public() | ProgressReport.objects.withdrawn_publicly())
        .filter(plan__area=area)
        .select_related("plan__area")
        .order_by("-published_at")
    )
