"""What a progress report contains: its context, "what changed" since the last one, its HTML.

``build_report_context`` gathers everything a report on one plan for one
period shows, in a fixed number of queries whatever the size of the plan.
There are two audiences:

* ``public``: reads through the models' ``public()``/``published()``
  querysets, the same rules the public pages follow. Only published updates whose ``publish_at`` has come (and whose
  period ends within the report's period) are shown, with their public
  evidence; an action's status is the one its latest such update reported,
  never the internal current status; only public measures (small numbers
  withheld) and published board meetings. Internal narratives, reasons for
  status changes, return reasons, internal minutes, internal evidence and
  officers' names are never put into a public context at all: the report's
  own records are built from the allowed fields only, so the template
  cannot show what it was never given.
* ``board_pack``: everything above plus internal narratives, updates in
  every state (drafts, submitted and returned ones flagged as such, with
  return reasons), internal evidence titles, non-public measures, internal
  minutes, the internal notes on the inspection and on interventions, the
  period's change log (who changed what, when and why), and the parent
  carer forum's challenges still needing the board's reply.

Both audiences see the inspection the plan answers with its outcome in the
framework's own words (from its code, whether or not the report's wording
was recorded), and the area's government interventions (Improvement
Notices, statutory directions, commissioners) in force at any time in the
report's period: what each is, who issued it, when it was issued and
lifted, what it covers and its public summary.

What the report says about the period:

* An update is *in the period* when the period it covers ends within the
  report's period.
* An action's status is the one reported by its latest update covering a
  period that ends by the report's period end: for the public, the latest
  published one; for the board, the latest approved or published one (an
  action with none shows its recorded status).
* An action is overdue when its due date is before the end of the period and
  it was not reported delivered.
* A verdict on a finding counts when it is dated on or before the period end
  (a date known only to the month or year counts from the period's first
  day; an undated verdict always counts). A finding is closed when such a
  verdict is sufficient progress, effective action or closed by DfE review.
* Measures are those of the plan, of the findings it addresses, and the
  area's measures tied to no plan or finding; figures for periods ending
  after the report's period are left out.
* The parent carer forum's challenges (``progress.forum``) are listed when
  made within the period, with the board's reply if it had replied when the
  report was generated; the public report reads them through
  ``ForumResponse.objects.public()``, and never names who wrote either. The
  board pack also lists every challenge on the plan's updates that had no
  reply when it was generated, whenever it was made, as items needing a
  reply.
* An intervention counts when it was in force on any day of the period:
  issued by the period's end (or its date unknown) and not lifted before the
  period began. A date known only to the month or year is read as the model's
  ``Intervention.in_force_on`` reads it: issued from the period's first day,
  lifted at its last.

The summary ("is it getting better?") is counted by ``progress.summary``, the
same code the public area page and home page count with: actions by delivery
and by impact, how many are overdue, findings closed and still open (with
verdicts an inspection gave only as counts), and each measure's latest figure
against its baseline and target.

``snapshot_from_context`` keeps the figures a report showed as JSON, and
``changes_since`` compares two snapshots in plain English. A report is only
ever compared with an earlier report of the same plan and audience, so a
public report never says what an internal status used to be.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.template.loader import render_to_string
from django.utils import timezone

from actions.models import (
    DELIVERY_MEANINGS,
    IMPACT_MEANINGS,
    ActionItem,
    DeliveryStatus,
    ImpactStatus,
    Milestone,
    Plan,
)
from actions.selectors import is_overdue
from inspections.models import Finding, Inspection, Intervention, Judgement, Partnership
from kit.dates import PartialDate, format_date
from kit.history import describe_histories, person_name

from .charts import measure_display
from .models import (
    BoardMeeting,
    Evidence,
    ForumResponse,
    Measure,
    MeasureValue,
    ProgressReport,
    ProgressUpdate,
)
from .summary import (
    NO_PUBLISHED_UPDATE,
    ActionRow,
    FindingRow,
    InspectionRow,
    StatusCount,
    count_actions,
    count_findings,
    counted_verdicts,
    measure_belongs,
    measure_trend,
)

BOARD = ProgressReport.Audience.BOARD
PUBLIC = ProgressReport.Audience.PUBLIC
BOARD_WARNING = "Board pack – internal: not for publication"
CLOSING_VERDICTS = Judgement.RESOLVED_VERDICTS
SNAPSHOT_VERSION = 1
LOG_TEXT_LIMIT = 300

UpdateState = ProgressUpdate.State


# What a report shows. Each record holds only what its audience may see.


@dataclass
class ReportEvidence:
    title: str
    is_public: bool


@dataclass
class ReportUpdate:
    """An update as the report shows it; the internal fields stay empty in a public report."""

    pk: int
    period_start: datetime.date
    period_end: datetime.date
    delivery_label: str
    impact_label: str
    public_summary: str
    evidence: list = field(default_factory=list)
    # Board pack only.
    state: str = ""
    state_label: str = ""
    flag: str = ""  # "Draft: not yet submitted" and the like; "" when published and live
    narrative: str = ""
    status_change_reason: str = ""
    return_reason: str = ""
    author_name: str = ""
    approved_by_name: str = ""

    @property
    def period_text(self):
        return f"{format_date(self.period_start)} to {format_date(self.period_end)}"


@dataclass
class ReportMilestone:
    title: str
    due_date: datetime.date
    completed_on: datetime.date | None  # only if completed by the end of the period
    overdue: bool
    notes: str = ""  # board pack only


@dataclass
class ReportAction:
    pk: int
    ref: str
    title: str
    finding_id: int
    public_summary: str
    lead_name: str
    due_date: datetime.date
    delivery: str  # the status code, or "" when none is published
    delivery_label: str
    impact: str
    impact_label: str
    status_as_at: datetime.date | None  # the end of the period the status was reported for
    overdue: bool
    latest_update: ReportUpdate | None
    updates: list = field(default_factory=list)  # board pack: every update in the period
    milestones: list = field(default_factory=list)
    lead_officer_name: str = ""  # board pack only

    @property
    def is_delivered(self):
        return self.delivery == DeliveryStatus.DELIVERED


@dataclass
class ReportVerdict:
    verdict: str
    label: str
    source: str  # "Revisit, November 2021"
    date: PartialDate | None

    @property
    def text(self):
        return f"{self.label} ({self.source})" if self.source else self.label


@dataclass
class ReportFinding:
    pk: int
    label: str  # "Area of significant weakness 1"
    text: str
    wording_note: str
    inspection: str  # "Joint local area SEND inspection, March 2018"
    families_summary: str
    verdicts: list
    closed_by: ReportVerdict | None
    actions: list = field(default_factory=list)
    inspection_pk: int | None = None  # the inspection that made the finding

    @property
    def is_closed(self):
        return self.closed_by is not None


@dataclass
class ReportInspection:
    """The inspection the plan answers, with its outcome in the framework's own words."""

    name: str  # "Area SEND inspection, 6 March 2023"
    outcome_label: str  # "Outcome 3: widespread and/or systemic failings"; "" if none yet
    outcome_statement: str  # the framework's words, from the outcome's code
    outcome_text: str  # the inspectors' own words, when recorded
    verdict_counts: str  # "Sufficient progress on 1 of 13 findings", when only counts are public
    public_summary: str
    report_url: str
    notes: str = ""  # board pack only


@dataclass
class ReportIntervention:
    """A government intervention in force during the report's period."""

    pk: int
    name: str  # its own title, else its kind: "Improvement Notice"
    kind_label: str
    explanation: str  # what this kind of intervention is, in plain English
    issued: PartialDate | None
    issued_by: str
    legal_basis: str
    commissioner: str
    covers: str
    lifted: PartialDate | None  # only if lifted by the end of the period
    in_force_at_end: bool
    public_summary: str
    notes: str = ""  # board pack only

    @property
    def issued_text(self):
        return str(self.issued) if self.issued else "date not known"

    @property
    def lifted_text(self):
        return str(self.lifted) if self.lifted else ""


# What each kind of intervention is, for readers who have not met one. An Improvement
# Notice is non-statutory (written answer HL1076, 31 July 2017); a statutory direction is
# made under section 497A of the Education Act 1996; a SEND commissioner is appointed by
# the Secretary of State (Birmingham, October 2021).
INTERVENTION_EXPLANATIONS = {
    Intervention.Kind.IMPROVEMENT_NOTICE: (
        "An Improvement Notice is the Department for Education’s formal notice of what the "
        "area must improve. It is not a legal order: the department checks progress regularly "
        "and can take stronger action if things do not improve."
    ),
    Intervention.Kind.STATUTORY_DIRECTION: (
        "A statutory direction is a legal order from the Secretary of State for Education "
        "saying what the council must do, or who must do it."
    ),
    Intervention.Kind.COMMISSIONER: (
        "A commissioner is an expert appointed by the government to oversee or advise on how "
        "the area’s SEND services are run."
    ),
}


@dataclass
class ReportMeeting:
    held_on: datetime.date
    title: str
    what_was_said: str
    what_we_will_do: str
    is_published: bool
    internal_minutes: str = ""  # board pack only


@dataclass
class ReportForumChallenge:
    """One of the parent carer forum's challenges on an update, and the board's reply."""

    pk: int
    action_ref: str
    action_title: str
    update_period_text: str
    challenged_on: datetime.date
    text: str
    reply: str = ""  # "" when the board had not replied when the report was generated
    replied_on: datetime.date | None = None


@dataclass
class LogEntry:
    when: datetime.datetime
    who: str
    subject: str
    kind: str
    reason: str
    changes: list


# Small helpers


def _ref_key(ref):
    """Sort "1.2" before "1.10": split into text and whole numbers."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", ref)]


def _moment(day, end=False):
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.max if end else datetime.time.min)
    )


def _labels(choices):
    return {value: str(label) for value, label in choices}


DELIVERY_LABELS = _labels(DeliveryStatus.choices)
IMPACT_LABELS = _labels(ImpactStatus.choices)


def _verdict_date(judgement):
    if judgement.inspection_id:
        return judgement.inspection.start
    return judgement.review.held if judgement.review_id else None


def _verdict_source(judgement):
    if judgement.inspection_id:
        inspection = judgement.inspection
        when = inspection.start
        return f"{inspection.title}, {when}" if when else inspection.title
    review = judgement.review
    name = f"{review.conducted_by} {(review.label or 'progress review').lower()}".strip()
    return f"{name}, {review.held}" if review.held else name


def _counts_by_date(verdict, period_end):
    return verdict.date is None or verdict.date.date <= period_end


def _finding_label(finding):
    return f"{finding.get_kind_display()} {finding.number}"


# Gathering the report


def build_report_context(
    plan,
    *,
    audience,
    period_start,
    period_end,
    number=None,
    previous=None,
    now=None,
    introduction="",
    draft=False,
):
    """Everything the report on ``plan`` for the period shows, for ``audience``.

    ``draft``: the report is not yet published, though ``number`` is the number it will
    have if it is published next. A draft says DRAFT on every page and shows no number;
    its HTML also carries the published wording, hidden, which ``published_html`` shows
    when it is published (so the published PDF is the same report, without the marks).
    A report with no number is always a draft.

    ``previous`` is the previous published report of the same plan and
    audience, or None; "what changed" compares with its snapshot.
    ``introduction`` is the officer's own text for the top of the report.
    """
    _check_arguments(plan, audience, period_start, period_end, previous)
    now = now or timezone.now()
    board = audience == BOARD
    plan = _load_plan(plan, board=board)
    area = plan.area

    partners = _partners(area)
    interventions = _interventions(
        area, board=board, period_start=period_start, period_end=period_end
    )
    findings = _findings(plan, period_end)
    actions = _actions(plan, board=board, period_start=period_start, period_end=period_end, now=now)
    _attach_actions(findings, actions)
    measures = _measures(plan, area, findings, board=board, period_end=period_end)
    meetings = _meetings(area, board=board, period_start=period_start, period_end=period_end)
    forum = _forum_challenges(
        plan, board=board, period_start=period_start, period_end=period_end, now=now
    )
    counted = _counted_verdicts(area, period_end)

    context = {
        "audience": audience,
        "board": board,
        "introduction": (introduction or "").strip(),
        **_headings(plan, number=number, board=board, draft=draft),
        "cover": _cover(
            plan,
            partners,
            period_start=period_start,
            period_end=period_end,
            number=number,
            now=now,
            draft=draft,
        ),
        "summary": _summary(actions, findings, measures, counted, period_end=period_end),
        "inspection": _inspection(plan, board=board),
        "interventions": interventions,
        "findings": findings,
        "actions": actions,
        "measures": measures,
        "meetings": meetings,
        "forum": forum,
        "meanings": _meanings(),
        "previous": None,
        "changes": None,
        "change_log": [],
    }
    if board:  # the change log names officers and gives reasons: board pack only
        context["change_log"] = _change_log(plan, period_start, period_end)
    if previous is not None:
        _compare_with_previous(context, previous)
    return context


def _check_arguments(plan, audience, period_start, period_end, previous):
    """Refuse an unknown audience, a backwards period or a previous report of another kind."""
    if audience not in (BOARD, PUBLIC):
        raise ValueError(f"Unknown report audience {audience!r}")
    if period_end < period_start:
        raise ValueError("The end of the period cannot be before its start.")
    if previous is not None and (previous.plan_id != plan.pk or previous.audience != audience):
        raise ValueError("A report can only be compared with one of the same plan and audience.")


def _load_plan(plan, *, board):
    """The plan afresh, with its area and inspection; for the public, only if it is public."""
    plans = Plan.objects.public() if not board else Plan.objects.all()
    plan = plans.select_related("area", "responds_to").filter(pk=plan.pk).first()
    if plan is None:
        raise ValueError("A public report cannot be made for a plan that is still being written.")
    return plan


def _partners(area):
    """The names of the area's partner organisations, in their order: one query."""
    return [
        p.organisation.name
        for p in Partnership.objects.filter(area=area)
        .select_related("organisation")
        .order_by("order", "organisation__name")
    ]


def _inspection(plan, *, board):
    """The inspection the plan answers, its outcome always in the framework's words (no query)."""
    inspection = plan.responds_to
    return ReportInspection(
        name=f"{inspection.title}, {inspection.start}" if inspection.start else inspection.title,
        outcome_label=inspection.get_outcome_display() if inspection.outcome else "",
        outcome_statement=inspection.outcome_statement,
        outcome_text=inspection.outcome_text,
        verdict_counts=inspection.verdict_counts_text,
        public_summary=inspection.public_summary,
        report_url=inspection.report_url,
        notes=inspection.notes if board else "",
    )


def _in_force_during(intervention, period_start, period_end):
    """Was it in force on any day from ``period_start`` to ``period_end``?"""
    issued, lifted = intervention.issued, intervention.lifted
    if issued and issued.date > period_end:
        return False
    return not (lifted and lifted.last_day <= period_start)


def _interventions(area, *, board, period_start, period_end):
    """The area's interventions in force at any time in the period, oldest first: one query."""
    interventions = [
        intervention
        for intervention in Intervention.objects.filter(area=area)
        if _in_force_during(intervention, period_start, period_end)
    ]
    interventions.sort(key=lambda i: (i.issued_on or datetime.date.max, i.pk))
    result = []
    for intervention in interventions:
        lifted = intervention.lifted
        in_force_at_end = intervention.in_force_on(period_end)
        result.append(
            ReportIntervention(
                pk=intervention.pk,
                name=intervention.name,
                kind_label=intervention.get_kind_display(),
                explanation=INTERVENTION_EXPLANATIONS.get(intervention.kind, ""),
                issued=intervention.issued,
                issued_by=intervention.issued_by,
                legal_basis=intervention.legal_basis,
                commissioner=intervention.commissioner,
                covers=intervention.covers,
                # A lifting recorded for after the period is not yet news in this report.
                lifted=None if in_force_at_end else lifted,
                in_force_at_end=in_force_at_end,
                public_summary=intervention.public_summary,
                notes=intervention.notes if board else "",
            )
        )
    return result


def _attach_actions(findings, actions):
    """Give each finding the list of the report's actions that serve it (no queries)."""
    by_finding = defaultdict(list)
    for action in actions:
        by_finding[action.finding_id].append(action)
    for finding in findings:
        finding.actions = by_finding.get(finding.pk, [])


def _headings(plan, *, number, board, draft):
    """The report's title, running title and board warning; a report with no number is a draft.

    A draft's wording says DRAFT and gives no number; ``published_title`` and
    ``published_running_title`` are its wording once published (None without a number).
    """
    area_name = plan.area.name
    warn = f"{BOARD_WARNING} – " if board else ""
    published_title = f"{area_name}: progress report {number} – {plan.title}" if number else None
    published_running_title = f"{warn}{area_name} progress report {number}" if number else None
    headings = {
        "draft": draft or not number,
        "title": published_title,
        "area": area_name,
        "plan": plan.title,
        "number": number,
        "running_title": published_running_title,
        "published_title": published_title,
        "published_running_title": published_running_title,
        "board_warning": BOARD_WARNING if board else "",
    }
    if headings["draft"]:
        headings["title"] = f"{area_name}: progress report (draft) – {plan.title}"
        headings["running_title"] = (
            f"DRAFT – {warn}{area_name} draft progress report (not published)"
            if number
            else f"{warn}{area_name} draft progress report"
        )
    return headings


def _cover(plan, partners, *, period_start, period_end, number, now, draft=False):
    """What the cover page shows: area, partners, plan, inspection, period, number and date."""
    responds_to = plan.responds_to
    issued = timezone.localdate(now)
    return {
        "area": plan.area.name,
        "partners": partners,
        "plan_title": plan.title,
        "plan_local_name": plan.local_name,
        "plan_kind": plan.get_kind_display(),
        "inspection": (
            f"{responds_to.title}, {responds_to.start}" if responds_to.start else responds_to.title
        ),
        "period_start": period_start,
        "period_end": period_end,
        "period_text": f"{format_date(period_start)} to {format_date(period_end)}",
        "number_text": (
            ("Draft report (not published)" if draft else f"Report {number}") if number else "Draft"
        ),
        "published_number_text": f"Report {number}" if number else None,
        "issued": issued,
        "issued_text": format_date(issued),
        "is_illustrative": plan.is_illustrative,
    }


def _meanings():
    """What each delivery and impact status means, as (label, meaning) pairs."""
    return {
        "delivery": [(DELIVERY_LABELS[k], v) for k, v in DELIVERY_MEANINGS.items()],
        "impact": [(IMPACT_LABELS[k], v) for k, v in IMPACT_MEANINGS.items()],
    }


def _compare_with_previous(context, previous):
    """Describe the previous report and, if it kept a snapshot, say what changed since it.

    Sets ``context["previous"]`` first, then ``context["changes"]`` from a
    snapshot of the finished context.
    """
    context["previous"] = {
        "number_text": f"Report {previous.number}" if previous.number else "the previous report",
        "period_text": (
            f"{format_date(previous.period_start)} to {format_date(previous.period_end)}"
        ),
        "has_snapshot": bool(previous.snapshot and "actions" in previous.snapshot),
    }
    if context["previous"]["has_snapshot"]:
        context["changes"] = changes_since(previous.snapshot, snapshot_from_context(context))


def _findings(plan, period_end):
    """The findings the plan addresses (and any its actions serve), with verdicts to the period end."""
    judgements = Judgement.objects.select_related("inspection", "review").order_by("pk")
    findings = list(
        Finding.objects.filter(Q(plan_findings__plan=plan) | Q(actions__plan=plan))
        .distinct()
        .select_related("inspection")
        .prefetch_related(Prefetch("judgements", queryset=judgements))
        .order_by("inspection__start_date", "inspection_id", "kind_rank", "number")
    )
    result = []
    for finding in findings:
        verdicts = [
            ReportVerdict(
                verdict=j.verdict,
                label=j.get_verdict_display(),
                source=_verdict_source(j),
                date=_verdict_date(j),
            )
            for j in finding.judgements.all()
        ]
        verdicts = [v for v in verdicts if _counts_by_date(v, period_end)]
        verdicts.sort(key=lambda v: v.date.date if v.date else datetime.date.max)
        closing = [v for v in verdicts if v.verdict in CLOSING_VERDICTS]
        inspection = finding.inspection
        result.append(
            ReportFinding(
                pk=finding.pk,
                label=_finding_label(finding),
                text=finding.text,
                wording_note=(
                    ""
                    if finding.wording == Finding.Wording.VERBATIM
                    else finding.get_wording_display()
                ),
                inspection=(
                    f"{inspection.title}, {inspection.start}"
                    if inspection.start
                    else inspection.title
                ),
                families_summary=finding.families_summary,
                verdicts=verdicts,
                closed_by=closing[0] if closing else None,
                inspection_pk=inspection.pk,
            )
        )
    return result


def _actions(plan, *, board, period_start, period_end, now):
    """The plan's actions with their reported status, updates in the period and milestones.

    Four queries: actions (with their status as a subquery), milestones,
    updates in the period and their evidence.
    """
    if board:
        reported = ProgressUpdate.objects.filter(
            state__in=[UpdateState.APPROVED, UpdateState.PUBLISHED]
        ).order_by("-period_end", "-pk")
    else:
        reported = ProgressUpdate.objects.published(now).order_by(
            "-period_end", "-publish_at", "-pk"
        )
    reported = reported.filter(action=OuterRef("pk"), period_end__lte=period_end)
    rows = list(
        ActionItem.objects.filter(plan=plan)
        .select_related("lead_organisation", *(["lead_officer"] if board else []))
        .annotate(
            reported_delivery=Subquery(reported.values("delivery_status")[:1]),
            reported_impact=Subquery(reported.values("impact_status")[:1]),
            reported_period_end=Subquery(reported.values("period_end")[:1]),
        )
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "pk"))
        )
    )

    if board:
        updates = ProgressUpdate.objects.select_related("author", "approved_by")
        evidence = Evidence.objects.order_by("pk")
    else:
        updates = ProgressUpdate.objects.published(now)
        evidence = Evidence.objects.public(now).order_by("pk")
    updates = list(
        updates.filter(action__plan=plan, period_end__gte=period_start, period_end__lte=period_end)
        .prefetch_related(Prefetch("evidence", queryset=evidence))
        .order_by("period_end", *([] if board else ["publish_at"]), "pk")
    )
    in_period = defaultdict(list)
    for update in updates:
        in_period[update.action_id].append(_report_update(update, board=board, now=now))

    actions = []
    for row in rows:
        if row.reported_delivery:
            delivery, impact = row.reported_delivery, row.reported_impact
        elif board:
            delivery, impact = row.delivery_status, row.impact_status
        else:
            delivery, impact = "", ""
        own = in_period.get(row.pk, [])
        if not board:
            own = own[-1:]  # only the latest published update in the period
        milestones = []
        for milestone in row.milestones.all():
            done = (
                milestone.completed_on
                if (milestone.completed_on and milestone.completed_on <= period_end)
                else None
            )
            milestones.append(
                ReportMilestone(
                    title=milestone.title,
                    due_date=milestone.due_date,
                    completed_on=done,
                    overdue=done is None and milestone.due_date < period_end,
                    notes=milestone.notes if board else "",
                )
            )
        actions.append(
            ReportAction(
                pk=row.pk,
                ref=row.ref,
                title=row.title,
                finding_id=row.finding_id,
                public_summary=row.public_summary,
                lead_name=row.lead_organisation.name,
                due_date=row.due_date,
                delivery=delivery,
                delivery_label=DELIVERY_LABELS.get(delivery, NO_PUBLISHED_UPDATE),
                impact=impact,
                impact_label=IMPACT_LABELS.get(impact, NO_PUBLISHED_UPDATE),
                status_as_at=row.reported_period_end,
                overdue=is_overdue(
                    SimpleNamespace(due_date=row.due_date, delivery_status=delivery), period_end
                ),
                latest_update=own[-1] if own else None,
                updates=own,
                milestones=milestones,
                lead_officer_name=person_name(row.lead_officer) if board else "",
            )
        )
    actions.sort(key=lambda a: _ref_key(a.ref))
    return actions


def _report_update(update, *, board, now):
    evidence = [
        ReportEvidence(e.title, e.visibility == Evidence.Visibility.PUBLIC)
        for e in update.evidence.all()
    ]
    report_update = ReportUpdate(
        pk=update.pk,
        period_start=update.period_start,
        period_end=update.period_end,
        delivery_label=DELIVERY_LABELS.get(update.delivery_status, update.delivery_status),
        impact_label=IMPACT_LABELS.get(update.impact_status, update.impact_status),
        public_summary=update.public_summary,
        evidence=evidence,
    )
    if not board:
        return report_update
    live = (
        update.state == UpdateState.PUBLISHED
        and update.publish_at is not None
        and update.publish_at <= now
    )
    flag = {
        UpdateState.DRAFT: "Draft: not yet submitted",
        UpdateState.SUBMITTED: "Submitted: waiting for approval",
        UpdateState.RETURNED: "Returned for changes",
        UpdateState.APPROVED: "Approved: not yet published",
    }.get(update.state, "")
    if update.state == UpdateState.PUBLISHED and not live:
        when = timezone.localtime(update.publish_at)
        flag = f"Scheduled: public from {format_date(when.date())} at {when:%H:%M}"
    report_update.state = update.state
    report_update.state_label = update.get_state_display()
    report_update.flag = flag
    report_update.narrative = update.narrative
    report_update.status_change_reason = update.status_change_reason
    report_update.return_reason = update.return_reason
    report_update.author_name = person_name(update.author)
    report_update.approved_by_name = person_name(update.approved_by)
    return report_update


def _measures(plan, area, findings, *, board, period_end):
    finding_ids = {f.pk for f in findings}
    measures = Measure.objects.filter(area=area)
    if not board:
        measures = measures.public()
    measures = measures.prefetch_related(
        Prefetch("values", queryset=MeasureValue.objects.order_by("period_end"))
    ).order_by("name")
    result = []
    for measure in measures:
        if not measure_belongs(measure, plan.pk, finding_ids):
            continue
        values = [v for v in measure.values.all() if v.period_end <= period_end]
        # In the PDF a figure's alternative text is its <title>: give it the trend too.
        display = measure_display(
            measure, values, chart_id=f"report-measure-{measure.pk}", summary_in_title=True
        )
        latest = display["latest"]
        result.append(
            {
                "pk": measure.pk,
                "slug": measure.slug,
                "name": measure.name,
                "is_public": measure.is_public,
                "display": display,
                "latest_text": latest[2].text if latest else "",
                "latest_period": latest[0] if latest else "",
                "trend": measure_trend(measure, values),
            }
        )
    return result


def _meetings(area, *, board, period_start, period_end):
    if board:
        meetings = BoardMeeting.objects.filter(
            area=area, held_on__gte=period_start, held_on__lte=period_end
        )
    else:
        meetings = BoardMeeting.objects.public().filter(
            area=area, held_on__gte=period_start, held_on__lte=period_end
        )
    meetings = sorted(meetings, key=lambda m: (m.held_on, m.pk))
    return [
        ReportMeeting(
            held_on=m.held_on,
            title=m.title,
            what_was_said=m.what_was_said,
            what_we_will_do=m.what_we_will_do,
            is_published=m.is_published,
            internal_minutes=m.internal_minutes if board else "",
        )
        for m in meetings
    ]


def _forum_challenges(plan, *, board, period_start, period_end, now):
    """The forum's challenges in the period and, for the board, those needing a reply: one query.

    A reply shows if it was made by ``now``, when the report is generated.
    """
    challenges = ForumResponse.objects if board else ForumResponse.objects.public(now)
    rows = (
        challenges.filter(
            kind=ForumResponse.Kind.CHALLENGE,
            update__action__plan=plan,
            responded_at__lte=now,
        )
        .select_related("update__action", "reply")
        .order_by("responded_at", "pk")
    )
    in_period, needing_reply = [], []
    for row in rows:
        reply = getattr(row, "reply", None)
        if reply is not None and reply.replied_at > now:
            reply = None
        update = row.update
        challenged_on = timezone.localdate(row.responded_at)
        item = ReportForumChallenge(
            pk=row.pk,
            action_ref=update.action.ref,
            action_title=update.action.title,
            update_period_text=(
                f"{format_date(update.period_start)} to {format_date(update.period_end)}"
            ),
            challenged_on=challenged_on,
            text=row.text,
            reply=reply.text if reply else "",
            replied_on=timezone.localdate(reply.replied_at) if reply else None,
        )
        if period_start <= challenged_on <= period_end:
            in_period.append(item)
        if board and reply is None:
            needing_reply.append(item)
    return {"in_period": in_period, "needing_reply": needing_reply}


def _counted_verdicts(area, period_end):
    """Verdicts the area's inspections gave only as counts, by the period's end: one query.

    Inspections are put in order by their first known date (undated ones
    first, as the public pages place an inspection with no date and no verdicts).
    """
    inspections = sorted(
        Inspection.objects.filter(area=area).annotate(
            findings_count=Count("findings", distinct=True),
            verdicts_given=Count("judgements", distinct=True),
        ),
        key=lambda i: (
            i.start_date
            or i.end_date
            or i.report_received
            or i.report_published
            or datetime.date.min,
            i.pk,
        ),
    )
    return counted_verdicts(
        InspectionRow(
            key=inspection.pk,
            starts_cycle=inspection.kind in (Inspection.Kind.INITIAL, Inspection.Kind.FULL),
            findings=inspection.findings_count,
            # Counts from an inspection after the period are not yet news.
            judged=inspection.findings_judged if _counts_by_start(inspection, period_end) else None,
            resolved=inspection.findings_resolved,
            gave_verdicts=bool(inspection.verdicts_given),
        )
        for inspection in inspections
    )


def _counts_by_start(inspection, period_end):
    return inspection.start_date is None or inspection.start_date <= period_end


def _summary(actions, findings, measures, counted, *, period_end):
    """What the summary counts, with ``progress.summary`` (as the public area page counts)."""
    counts = count_actions(
        (ActionRow(a.due_date, a.delivery, a.impact) for a in actions), today=period_end
    )
    finding_counts = count_findings(
        (FindingRow(f.inspection_pk, tuple(v.verdict for v in f.verdicts)) for f in findings),
        counted,
    )
    return {
        "total": len(actions),
        "total_words": StatusCount("", len(actions)).words,
        "delivery": list(counts.delivery),
        "impact": list(counts.impact),
        "overdue": [a for a in actions if a.overdue],
        "findings_total": len(findings),
        "findings_closed": [f for f in findings if f.is_closed],
        "actions": counts,
        "findings": finding_counts,
        "measures": [item["trend"] for item in measures],
    }


def _change_log(plan, period_start, period_end):
    """Who changed the plan's actions, milestones and updates in the period: one query per model.

    Each history is read from its beginning to the end of the period, so the
    first change in the period is compared with the record as it stood before.
    """
    start, end = _moment(period_start), _moment(period_end, end=True)
    ever_in_plan = ActionItem.history.filter(plan_id=plan.pk).values("id")
    sources = (
        (ActionItem, ActionItem.history.filter(plan_id=plan.pk), {"plan"}),
        (Milestone, Milestone.history.filter(action_id__in=ever_in_plan), {"action"}),
        (
            ProgressUpdate,
            ProgressUpdate.history.filter(action_id__in=ever_in_plan),
            {"action", "created_at", "author"},
        ),
    )
    loaded = []
    for model, records, hidden in sources:
        by_record = defaultdict(list)
        for record in (
            records.filter(history_date__lte=end)
            .select_related("history_user")
            .order_by("id", "-history_date", "-history_id")
        ):
            by_record[record.id].append(record)
        loaded.append((model, by_record, hidden))

    refs = {}
    for record_id, records in loaded[0][1].items():
        refs[record_id] = records[0].ref  # the newest record's reference
    entries = []
    for model, by_record, hidden in loaded:
        series, subjects = [], []
        for records in by_record.values():
            within = [r for r in records if r.history_date >= start]
            if not within:
                continue
            before = records[len(within)] if len(records) > len(within) else None
            series.append((within, before))
            subjects.append(_log_subject(model, within[0], refs))
        described = describe_histories(model, series, hidden=hidden)
        for subject, items in zip(subjects, described, strict=True):
            for entry in items:
                entries.append(
                    LogEntry(
                        when=entry.when,
                        who=entry.who_name,
                        subject=subject,
                        kind=entry.kind,
                        reason=entry.reason,
                        changes=[
                            SimpleNamespace(
                                label=c.label,
                                old=_clip(c.old),
                                new=_clip(c.new),
                            )
                            for c in entry.changes
                        ],
                    )
                )
    entries.sort(key=lambda e: e.when)
    return entries


def _clip(text):
    return text if len(text) <= LOG_TEXT_LIMIT else text[: LOG_TEXT_LIMIT - 1].rstrip() + "…"


def _log_subject(model, record, refs):
    if model is ActionItem:
        return f"Action {record.ref} {record.title}"
    ref = refs.get(record.action_id, "?")
    if model is Milestone:
        return f"Milestone “{record.title}” of action {ref}"
    return (
        f"Update on action {ref} for {format_date(record.period_start)} to "
        f"{format_date(record.period_end)}"
    )


# Snapshots and what changed


def snapshot_from_context(context):
    """The figures the report showed, as JSON, so the next report can say what changed."""
    return {
        "version": SNAPSHOT_VERSION,
        "audience": str(context["audience"]),
        "period_start": context["cover"]["period_start"].isoformat(),
        "period_end": context["cover"]["period_end"].isoformat(),
        "actions": {
            a.ref: {"title": a.title, "delivery": a.delivery_label, "impact": a.impact_label}
            for a in context["actions"]
        },
        "findings": {
            str(f.pk): {
                "label": f.label,
                "closed_by": f.closed_by.text if f.closed_by else "",
            }
            for f in context["findings"]
        },
        "findings_closed": [f.pk for f in context["findings"] if f.is_closed],
        "measures": {
            m["slug"]: {"name": m["name"], "text": m["latest_text"], "period": m["latest_period"]}
            for m in context["measures"]
            if m["latest_text"]
        },
    }


def changes_since(previous_snapshot, current_snapshot):
    """What changed between two snapshots, as lists of plain-English sentences."""
    delivered_label = DELIVERY_LABELS[DeliveryStatus.DELIVERED]
    before = previous_snapshot.get("actions", {})
    now = current_snapshot.get("actions", {})
    status_changes, new_actions, delivered, removed = [], [], [], []
    for ref in sorted(now, key=_ref_key):
        action = now[ref]
        name = f"{ref} {action['title']}"
        old = before.get(ref)
        if old is None:
            new_actions.append(name)
            if action["delivery"] == delivered_label:
                delivered.append(name)
            continue
        for key in ("delivery", "impact"):
            if old.get(key) != action[key]:
                status_changes.append(f"{name} – {key}: {old.get(key)} → {action[key]}")
        if action["delivery"] == delivered_label and old.get("delivery") != delivered_label:
            delivered.append(name)
    for ref in sorted(set(before) - set(now), key=_ref_key):
        removed.append(f"{ref} {before[ref]['title']} is no longer in the plan")

    findings = current_snapshot.get("findings", {})
    was_closed = {str(pk) for pk in previous_snapshot.get("findings_closed", [])}
    findings_closed = []
    for pk in current_snapshot.get("findings_closed", []):
        if str(pk) in was_closed:
            continue
        finding = findings.get(str(pk), {})
        label = finding.get("label", "A finding")
        closed_by = finding.get("closed_by")
        findings_closed.append(f"{label}: {closed_by}" if closed_by else label)

    old_measures = previous_snapshot.get("measures", {})
    measures = []
    for slug, measure in sorted(
        current_snapshot.get("measures", {}).items(), key=lambda i: i[1]["name"]
    ):
        old = old_measures.get(slug)
        new_text = f"{measure['text']} ({measure['period']})"
        if old is None:
            measures.append(f"{measure['name']}: {new_text}, first reported")
        elif (old["text"], old["period"]) != (measure["text"], measure["period"]):
            measures.append(f"{measure['name']}: {old['text']} ({old['period']}) → {new_text}")
    return {
        "status_changes": status_changes,
        "new_actions": new_actions,
        "delivered": delivered,
        "removed_actions": removed,
        "findings_closed": findings_closed,
        "measures": measures,
    }


CHANGE_HEADINGS = (
    ("status_changes", "Changes of status"),
    ("new_actions", "New actions"),
    ("delivered", "Actions delivered"),
    ("removed_actions", "Actions taken out of the plan"),
    ("findings_closed", "Findings closed"),
    ("measures", "Measures whose latest figure changed"),
)


# A draft's HTML: its root element says so, and its head names the title it will have once
# published. Officers' text is escaped, so it can hold neither.
DRAFT_ROOT = '<html lang="en-GB" class="draft">'
PUBLISHED_ROOT = '<html lang="en-GB">'
_TITLE = re.compile(r"<title>[^<]*</title>")
_DRAFT_ONLY = re.compile(
    r'<span class="draft-only">[^<]*</span>'
    r'|<p class="draft-notice draft-only"><strong>DRAFT</strong>[^<]*</p>\n?'
)
# Written self-closed (a report's HTML is well-formed XML, see progress.pdf); drafts stored
# before that end it with ">".
_PUBLISHED_TITLE = re.compile(r'<meta name="published-title" content="([^"<>]*)"(?: />|>)\n?')


def published_html(html):
    """A draft report's HTML as published: no DRAFT marks, its number shown; else None.

    None for HTML that is not a numbered draft's (a report made before drafts were
    marked, whose PDF already gives its number).
    """
    head, end, body = html.partition("</head>")
    title = _PUBLISHED_TITLE.search(head)
    if not end or head.count(DRAFT_ROOT) != 1 or title is None or len(_TITLE.findall(head)) != 1:
        return None
    head = _PUBLISHED_TITLE.sub("", head).replace(DRAFT_ROOT, PUBLISHED_ROOT)
    head = _TITLE.sub(lambda _: f"<title>{title.group(1)}</title>", head)
    # The draft's own words go too, so the stored HTML says DRAFT nowhere.
    body = _DRAFT_ONLY.sub("", body)
    return head + end + body


def render_report_html(context):
    """The report as a standalone HTML document (``templates/reports/report.html``)."""
    changes = context.get("changes")
    change_groups = []
    if changes:
        change_groups = [
            {"key": key, "heading": heading, "items": changes.get(key, [])}
            for key, heading in CHANGE_HEADINGS
            if changes.get(key)
        ]
    return render_to_string("reports/report.html", {**context, "change_groups": change_groups})
