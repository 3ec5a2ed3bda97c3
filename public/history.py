"""An area's whole public history, section by section, for the open data files.

Each section is one kind of record: the partnership, its inspections, their
findings, the verdicts given on findings, reviews of every kind, government
interventions, the plans the public may see, and the due dates of those plans
and of the inspections (``actions.deadlines``).
``SECTIONS`` lists them; each has its columns (``Column``: a name, what it
means, an example) and a function that returns its rows as dicts keyed by
the column names, for one area. The CSV files, the JSON file and the
documentation page (``/open-data/``) all come from these lists, so they
cannot drift apart. Column names are stable: add new ones at the end and
never rename or remove one.

What is public is decided here field by field: every row is built from
named public fields only. Internal notes (of inspections, findings, plans
and interventions), a review's ``result``, a verdict's commentary and plans
still being written (``Plan.objects.public()``) never reach a row; nor does
a public plan's link to a later plan still being written.

Dates are written at the precision they are known to: ``2023-03-16`` for a
day, ``2023-03`` for a month and ``2023`` for a year, with a separate
``…_precision`` column saying ``day``, ``month`` or ``year``. Each section
takes a fixed number of queries, whatever the size of the area's history.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Prefetch
from django.urls import reverse

from actions.deadlines import deadlines_for_inspections, deadlines_for_plans
from actions.models import Plan, PlanFinding, PlanIntervention
from inspections.models import (
    Finding,
    Inspection,
    Intervention,
    InterventionFinding,
    Judgement,
    Partnership,
    ProgressReview,
)

LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class Column:
    """One column of a CSV file (and key of each JSON object): its name, what it means, an example."""

    name: str
    meaning: str
    example: str


@dataclass(frozen=True)
class Section:
    """One kind of record in the history: its file name, what a row is, its columns and rows."""

    name: str  # the JSON key and the CSV file's name (``<name>.csv``)
    title: str
    row_is: str  # "one row for each inspection"
    columns: tuple
    rows: Callable  # rows(area, *, absolute, today) -> [dict]

    @property
    def column_names(self):
        return tuple(column.name for column in self.columns)

    @property
    def file_name(self):
        return f"{self.name}.csv"


# Small helpers


def _text(value):
    """Text as written, or None when empty."""
    return value or None


def _lines(text):
    """Text kept one item per line (sources), tidied; None when empty."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return "\n".join(lines) or None


def _date(partial, name):
    """A date at its precision, and the precision, as two columns named after ``name``."""
    return {
        name: partial.isoformat() if partial else None,
        f"{name}_precision": partial.precision if partial else None,
    }


def _date_key(*partials):
    """Sort by the first known date; undated records come last (the same on every database)."""
    for partial in partials:
        if partial:
            return partial.date
    return datetime.date.max


def _inspection_key(inspection):
    return (
        _date_key(inspection.placed_on),
        inspection.pk,
    )


def _finding_label(finding):
    return f"{finding.get_kind_display()} {finding.number}"


def _finding_key(finding):
    """Findings by inspection, then in the framework's order (most serious kind first)."""
    return (_inspection_key(finding.inspection), finding.kind_rank, finding.number, finding.pk)


def _findings_list(links):
    """Linked findings, each named as in findings.csv ("2023-inspection: Area for …")."""
    findings = sorted((link.finding for link in links), key=_finding_key)
    return LIST_SEPARATOR.join(f"{f.inspection.ref}: {_finding_label(f)}" for f in findings) or None


def _area_columns(area):
    return {"area": area.name, "area_slug": area.slug}


AREA_COLUMNS = (
    Column("area", "The local area’s name.", "Exampleshire"),
    Column(
        "area_slug",
        "The local area’s short name, as used in this website’s addresses.",
        "exampleshire",
    ),
)


def _date_columns(name, what, example, precision_example, *, empty="Empty if not known."):
    """The two columns of a date: the date at its precision, and the precision."""
    return (
        Column(
            name,
            f"{what}, written at the precision it is known to: YYYY-MM-DD for a day, "
            f"YYYY-MM for a month, YYYY for a year. {empty}",
            example,
        ),
        Column(
            f"{name}_precision",
            f"How precisely {name} is known: day, month or year. Empty if {name} is empty.",
            precision_example,
        ),
    )


# The partnership


def partnership_rows(area, *, absolute, today=None):
    """One row: the area's name, summary, Local Offer, partners and sources (one query)."""
    partners = [
        p.organisation.name
        for p in Partnership.objects.filter(area=area)
        .select_related("organisation")
        .order_by("order", "organisation__name", "pk")
    ]
    return [
        {
            **_area_columns(area),
            "summary": _text(area.summary),
            "local_offer_url": _text(area.local_offer_url),
            "partners": LIST_SEPARATOR.join(partners) or None,
            "sources": _lines(area.sources),
            "page_url": absolute(reverse("public:area", args=[area.slug])),
        }
    ]


PARTNERSHIP_COLUMNS = (
    *AREA_COLUMNS,
    Column(
        "summary",
        "A plain-English introduction to the area for families. Empty if there is none.",
        "Exampleshire Council and NHS Exampleshire ICB work together for children with SEND.",
    ),
    Column(
        "local_offer_url",
        "The area’s Local Offer website, where families find its services. Empty if not recorded.",
        "https://www.exampleshire.gov.uk/localoffer",
    ),
    Column(
        "partners",
        "The organisations in the local area partnership, separated by a semicolon and a space.",
        "Exampleshire Council; NHS Exampleshire Integrated Care Board",
    ),
    Column(
        "sources",
        "The public sources of the facts held about the area, one per line.",
        "https://reports.ofsted.gov.uk/provider/44/80000",
    ),
    Column(
        "page_url",
        "The area’s page on this website.",
        "https://example.org/areas/exampleshire/",
    ),
)


# Inspections


def inspection_rows(area, *, absolute=None, today=None):
    """One row per inspection, in date order (one query)."""
    inspections = sorted(Inspection.objects.filter(area=area), key=_inspection_key)
    return [
        {
            **_area_columns(area),
            "inspection_ref": inspection.ref,
            "title": inspection.title,
            "framework": inspection.framework,
            "kind": inspection.get_kind_display(),
            **_date(inspection.start, "start_date"),
            **_date(inspection.end, "end_date"),
            **_date(inspection.received, "report_received"),
            **_date(inspection.published, "report_published"),
            "outcome": _text(inspection.outcome),
            "outcome_label": _text(inspection.get_outcome_display() if inspection.outcome else ""),
            "outcome_statement": _text(inspection.outcome_statement),
            "outcome_text": _text(inspection.outcome_text),
            "findings_judged": inspection.findings_judged,
            "findings_resolved": inspection.findings_resolved,
            "verdict_counts": _text(inspection.verdict_counts_text),
            "public_summary": _text(inspection.public_summary),
            "report_url": _text(inspection.report_url),
            "sources": _lines(inspection.sources),
        }
        for inspection in inspections
    ]


INSPECTION_COLUMNS = (
    *AREA_COLUMNS,
    Column(
        "inspection_ref",
        "The inspection’s reference, unique within the area. It does not change.",
        "2023-inspection",
    ),
    Column(
        "title",
        "What the inspection is called, for example Joint local area SEND inspection, Revisit, "
        "Area SEND inspection or Area SEND monitoring inspection.",
        "Area SEND inspection",
    ),
    Column(
        "framework",
        "The Ofsted and CQC (Care Quality Commission) framework it was made under: 2016 for the "
        "joint local area SEND inspections (2016 to 2022), 2023 for area SEND inspections "
        "(from January 2023).",
        "2023",
    ),
    Column(
        "kind",
        "The kind of inspection: Inspection or Revisit (2016 framework), Full inspection or "
        "Monitoring inspection (2023 framework).",
        "Full inspection",
    ),
    *_date_columns("start_date", "The day the inspection began", "2023-03-06", "day"),
    *_date_columns("end_date", "The day the inspection ended", "2023-03-10", "day"),
    *_date_columns(
        "report_received",
        "When the area received the report (statutory deadlines count from this day)",
        "2023-05",
        "month",
    ),
    *_date_columns("report_published", "When the report was published", "2023-05-09", "day"),
    Column(
        "outcome",
        "The outcome’s code: wsoa_required or no_wsoa (2016 inspection: a written statement of "
        "action required or not), revisit_reported (2016 revisit), 1, 2 or 3 (2023 full "
        "inspection) or monitoring_reported (2023 monitoring inspection). Empty if no outcome "
        "is recorded yet.",
        "3",
    ),
    Column(
        "outcome_label",
        "The outcome in a few words. Empty if no outcome is recorded yet.",
        "Outcome 3: widespread and/or systemic failings",
    ),
    Column(
        "outcome_statement",
        "The outcome in the framework’s own words, from its code, whether or not the report’s "
        "wording was recorded. Empty if no outcome is recorded yet.",
        "There are widespread and/or systemic failings leading to significant concerns about "
        "the experiences and outcomes of children and young people with SEND, which the local "
        "area partnership must address urgently.",
    ),
    Column(
        "outcome_text",
        "The outcome in the inspectors’ own words, as written in this report. Empty if not "
        "recorded.",
        "The local area partnership’s arrangements lead to inconsistent experiences.",
    ),
    Column(
        "findings_judged",
        "For a revisit, monitoring inspection or full inspection that judged earlier findings "
        "when only the counts are public: how many findings it judged (13 in “sufficient "
        "progress in 1 of 13”). Empty otherwise; the verdicts file then has each verdict.",
        "13",
    ),
    Column(
        "findings_resolved",
        "How many of those findings had sufficient progress, effective action or no longer "
        "need priority action (1 in “sufficient progress in 1 of 13”). Empty if not known.",
        "1",
    ),
    Column(
        "verdict_counts",
        "The counts in words. Empty when no counts are recorded.",
        "Sufficient progress on 1 of 13 findings",
    ),
    Column(
        "public_summary",
        "A plain-English summary of the inspection for families. Empty if there is none.",
        "Inspectors found that families wait too long for help.",
    ),
    Column(
        "report_url",
        "Where to read the inspection report. Empty if not recorded.",
        "https://reports.ofsted.gov.uk/provider/44/80000",
    ),
    Column(
        "sources",
        "The public sources of these facts, one per line. Empty if none are recorded.",
        "https://reports.ofsted.gov.uk/provider/44/80000",
    ),
)


# Findings


def finding_rows(area, *, absolute, today=None):
    """One row per finding, by inspection and then in the framework's order (one query)."""
    findings = sorted(
        Finding.objects.filter(inspection__area=area).select_related(
            "inspection", "lead_organisation"
        ),
        key=_finding_key,
    )
    return [
        {
            **_area_columns(area),
            "finding_id": finding.pk,
            "inspection_ref": finding.inspection.ref,
            "finding": _finding_label(finding),
            "kind": finding.get_kind_display(),
            "number": finding.number,
            "text": _text(finding.text),
            "wording": finding.get_wording_display(),
            "lead_partner": finding.lead_organisation.name if finding.lead_organisation else None,
            "families_summary": _text(finding.families_summary),
            "finding_url": absolute(reverse("public:area-finding", args=[area.slug, finding.pk])),
        }
        for finding in findings
    ]


FINDING_COLUMNS = (
    *AREA_COLUMNS,
    Column(
        "finding_id",
        "The finding’s number on this website (as in its page’s address). It does not change.",
        "12",
    ),
    Column(
        "inspection_ref",
        "The reference of the inspection that made the finding.",
        "2023-inspection",
    ),
    Column("finding", "The finding’s kind and number.", "Area for priority action 1"),
    Column(
        "kind",
        "The kind of finding: Area of significant weakness, Fundamental failing or Area of "
        "significant concern (2016 framework); Area for priority action or Area for "
        "improvement (2023 framework).",
        "Area for priority action",
    ),
    Column("number", "The finding’s number within its inspection and kind.", "1"),
    Column(
        "text",
        "What the inspectors found, as the wording column describes.",
        "Leaders do not know how long families wait for an assessment.",
    ),
    Column(
        "wording",
        "How text relates to the inspection report: the inspectors’ exact words, a paraphrase, "
        "a theme, or not in the public sources.",
        "The inspectors' exact words",
    ),
    Column(
        "lead_partner",
        "The partner the report asked to lead on the finding. Empty if not named.",
        "NHS Exampleshire Integrated Care Board",
    ),
    Column(
        "families_summary",
        "What the finding means for families, in plain English. Empty if there is none.",
        "Some children wait over a year to be seen.",
    ),
    Column(
        "finding_url",
        "The finding’s page on this website, with its verdicts and the actions answering it.",
        "https://example.org/areas/exampleshire/findings/12/",
    ),
)


# Verdicts


def _verdict_source(judgement):
    """(inspection or review, its reference, its name, its date) for a verdict."""
    if judgement.inspection_id:
        inspection = judgement.inspection
        return "inspection", inspection.ref, inspection.title, inspection.start
    review = judgement.review
    return "review", review.ref, review.name, review.held


def verdict_rows(area, *, absolute=None, today=None):
    """One row per verdict on a finding, by finding and then date (one query)."""
    judgements = Judgement.objects.filter(finding__inspection__area=area).select_related(
        "finding__inspection", "inspection", "review"
    )
    rows = []
    for judgement in judgements:
        source, ref, name, when = _verdict_source(judgement)
        finding = judgement.finding
        key = (_finding_key(finding), _date_key(when), judgement.pk)
        rows.append(
            (
                key,
                {
                    **_area_columns(area),
                    "finding_id": finding.pk,
                    "inspection_ref": finding.inspection.ref,
                    "finding": _finding_label(finding),
                    "judged_at": source,
                    "judged_at_ref": ref,
                    "judged_at_name": name,
                    **_date(when, "judged_on"),
                    "verdict": judgement.get_verdict_display(),
                    "verdict_code": judgement.verdict,
                    "resolved": judgement.verdict in Judgement.RESOLVED_VERDICTS,
                },
            )
        )
    return [row for _, row in sorted(rows, key=lambda pair: pair[0])]


VERDICT_COLUMNS = (
    *AREA_COLUMNS,
    Column("finding_id", "The finding judged, as in the findings file.", "12"),
    Column(
        "inspection_ref",
        "The reference of the inspection that made the finding.",
        "2018-inspection",
    ),
    Column("finding", "The finding’s kind and number.", "Area of significant weakness 2"),
    Column(
        "judged_at",
        "What gave the verdict: inspection (a revisit, monitoring inspection or full "
        "inspection) or review (a Department for Education or NHS England review).",
        "inspection",
    ),
    Column(
        "judged_at_ref",
        "The reference of that inspection (in the inspections file) or review (in the reviews "
        "file).",
        "2021-revisit",
    ),
    Column("judged_at_name", "What that inspection or review is called.", "Revisit"),
    *_date_columns(
        "judged_on",
        "When the inspection began or the review was held",
        "2021-11",
        "month",
    ),
    Column(
        "verdict",
        "The verdict: Sufficient progress or Not sufficient progress (revisit); Effective "
        "action or Not yet effective action (monitoring inspection); No longer needs priority "
        "action or Still needs priority action (a later full inspection); Closed by DfE review "
        "or Still monitored by DfE (a review).",
        "Not sufficient progress",
    ),
    Column(
        "verdict_code",
        "The verdict’s code: sufficient_progress, insufficient_progress, effective_action, "
        "not_effective_action, no_longer_priority, still_priority, closed_by_review or "
        "still_monitored.",
        "insufficient_progress",
    ),
    Column(
        "resolved",
        "true if the verdict means the finding no longer needs action (sufficient progress, "
        "effective action, no longer needs priority action or closed by review); otherwise "
        "false.",
        "false",
    ),
)


# Reviews


def review_rows(area, *, absolute=None, today=None):
    """One row per review of every kind, in date order (one query).

    An undated review of an intervention is placed at that intervention's date.
    """
    reviews = sorted(
        ProgressReview.objects.filter(area=area).select_related("intervention"),
        key=lambda r: (
            _date_key(r.held, r.intervention.issued if r.intervention_id else None),
            r.pk,
        ),
    )
    return [
        {
            **_area_columns(area),
            "review_ref": review.ref,
            "kind": review.get_kind_display(),
            "name": review.name,
            **_date(review.held, "held_on"),
            "label": _text(review.label),
            "conducted_by": _text(review.conducted_by),
            "intervention_ref": review.intervention.ref if review.intervention_id else None,
            "public_summary": _text(review.public_summary),
        }
        for review in reviews
    ]


REVIEW_COLUMNS = (
    *AREA_COLUMNS,
    Column(
        "review_ref",
        "The review’s reference, unique within the area. It does not change.",
        "dfe-review-2022-06",
    ),
    Column(
        "kind",
        "The kind of review: Progress review, Monitoring visit, Stocktake, Engagement meeting, "
        "Review of an intervention or Other review.",
        "Review of an intervention",
    ),
    Column("name", "What the review is called: its label, else its kind.", "Six-month review"),
    *_date_columns("held_on", "When the review was held", "2024-02", "month"),
    Column("label", "The review’s own name, if it has one.", "Six-month review"),
    Column("conducted_by", "Who held the review.", "DfE and NHS England"),
    Column(
        "intervention_ref",
        "The intervention it reviewed, as in the interventions file. Empty if none.",
        "improvement-notice-2023",
    ),
    Column(
        "public_summary",
        "A plain-English summary of the review for families. Empty if there is none.",
        "Advisers found the area has made progress on waiting times.",
    ),
)


# Interventions


def intervention_rows(area, *, absolute=None, today):
    """One row per government intervention, in date order (two queries)."""
    covered = InterventionFinding.objects.select_related("finding__inspection")
    interventions = sorted(
        Intervention.objects.filter(area=area)
        .select_related("replaced_by")
        .prefetch_related(Prefetch("intervention_findings", queryset=covered)),
        key=lambda i: (_date_key(i.issued), i.pk),
    )
    return [
        {
            **_area_columns(area),
            "intervention_ref": intervention.ref,
            "kind": intervention.get_kind_display(),
            "name": intervention.name,
            **_date(intervention.issued, "issued_on"),
            "issued_by": _text(intervention.issued_by),
            "legal_basis": _text(intervention.legal_basis),
            "covers": _text(intervention.covers),
            "commissioner": _text(intervention.commissioner),
            "review_every_months": intervention.review_every_months,
            **_date(intervention.lifted, "lifted_on"),
            "in_force": intervention.in_force_on(today),
            "replaced_by": intervention.replaced_by.ref if intervention.replaced_by_id else None,
            "findings_covered": _findings_list(intervention.intervention_findings.all()),
            "public_summary": _text(intervention.public_summary),
            "sources": _lines(intervention.sources),
        }
        for intervention in interventions
    ]


INTERVENTION_COLUMNS = (
    *AREA_COLUMNS,
    Column(
        "intervention_ref",
        "The intervention’s reference, unique within the area. It does not change.",
        "improvement-notice-2023",
    ),
    Column(
        "kind",
        "The kind of intervention: Improvement Notice, Statutory direction, SEND commissioner "
        "appointed or Other intervention.",
        "Improvement Notice",
    ),
    Column("name", "What it is called: its own title, else its kind.", "SEND Improvement Notice"),
    *_date_columns("issued_on", "When it was issued", "2023-11-16", "day"),
    Column("issued_by", "Who issued it.", "Department for Education"),
    Column(
        "legal_basis",
        "The law it was made under, for a statutory direction. Empty if none is recorded (an "
        "Improvement Notice is not statutory).",
        "Section 497A(4B) Education Act 1996",
    ),
    Column(
        "covers",
        "What the area must do, or the services it covers, in plain English.",
        "Improve the timeliness and quality of education, health and care plans.",
    ),
    Column(
        "commissioner",
        "The commissioner or adviser appointed, if any.",
        "A SEND commissioner appointed by the Secretary of State",
    ),
    Column(
        "review_every_months",
        "How often progress against it is reviewed, in months. Empty if not recorded.",
        "6",
    ),
    *_date_columns(
        "lifted_on",
        "When it was lifted or replaced",
        "2025-03",
        "month",
        empty="Empty while it is in force, or if the date is not known.",
    ),
    Column(
        "in_force",
        "true if it was in force on the day the file was made (issued and not yet lifted); "
        "otherwise false.",
        "false",
    ),
    Column(
        "replaced_by",
        "The later intervention that took its place, as in intervention_ref. Empty if none.",
        "statutory-direction-2025",
    ),
    Column(
        "findings_covered",
        "The inspection findings it covers, each as its inspection’s reference and the finding, "
        "separated by a semicolon and a space. Empty if none are recorded.",
        "2023-inspection: Area for priority action 1; 2023-inspection: Area for priority action 2",
    ),
    Column(
        "public_summary",
        "A plain-English summary of the intervention for families. Empty if there is none.",
        "The government told the council what it must improve, and checks every six months.",
    ),
    Column(
        "sources",
        "The public sources of these facts, one per line. Empty if none are recorded.",
        "https://www.gov.uk/government/publications/exampleshire-send-improvement-notice",
    ),
)


# Plans


def _public_plans(area):
    return Plan.objects.public().filter(area=area).select_related("responds_to")


def _plan_key(plan):
    return (_inspection_key(plan.responds_to), _date_key(plan.submitted, plan.published), plan.pk)


def plan_rows(area, *, absolute=None, today=None):
    """One row per plan the public may see, by the inspection it answers (three queries)."""
    addressed = PlanFinding.objects.select_related("finding__inspection")
    plans = sorted(
        _public_plans(area)
        .select_related("superseded_by")
        .prefetch_related(
            Prefetch("plan_findings", queryset=addressed),
            Prefetch(
                "plan_interventions",
                queryset=PlanIntervention.objects.select_related("intervention").order_by("pk"),
            ),
        ),
        key=_plan_key,
    )
    rows = []
    for plan in plans:
        later = plan.superseded_by
        rows.append(
            {
                **_area_columns(area),
                "plan_ref": plan.ref,
                "title": plan.title,
                "local_name": _text(plan.local_name),
                "kind": plan.get_kind_display(),
                "status": plan.get_status_display(),
                "responds_to": plan.responds_to.ref,
                **_date(plan.submitted, "submitted_on"),
                **_date(plan.judged, "judged_on"),
                "judgement": _text(plan.judgement),
                "judged_by": _text(plan.judged_by),
                **_date(plan.published, "published_on"),
                **_date(plan.closed, "closed_on"),
                # A later plan still being written is not public, so neither is the link to it.
                "superseded_by": (
                    later.ref if later is not None and later.status != Plan.Status.DRAFT else None
                ),
                "findings_addressed": _findings_list(plan.plan_findings.all()),
                "interventions_answered": "; ".join(
                    link.intervention.ref for link in plan.plan_interventions.all()
                ),
                "public_summary": _text(plan.public_summary),
                "is_illustrative": plan.is_illustrative,
            }
        )
    return rows


PLAN_COLUMNS = (
    *AREA_COLUMNS,
    Column(
        "plan_ref",
        "The plan’s reference, unique within the area, as in the progress file. It does not "
        "change.",
        "pap-2023",
    ),
    Column("title", "The plan’s title.", "Priority action plan for Exampleshire"),
    Column(
        "local_name",
        "What the area calls the plan, if it has its own name.",
        "SEND Improvement Plan",
    ),
    Column(
        "kind",
        "What kind of plan it is: Written statement of action, Accelerated progress plan, "
        "Priority action plan or Strategic plan.",
        "Priority action plan",
    ),
    Column(
        "status",
        "Where the plan is now, for example Submitted, Judged fit for purpose, Approved, "
        "Published and being delivered, Closed, Replaced by a later plan or Status not known. "
        "Plans still being written are not in the file.",
        "Published and being delivered",
    ),
    Column(
        "responds_to",
        "The inspection the plan answers, as in the inspections file.",
        "2023-inspection",
    ),
    *_date_columns("submitted_on", "When the plan was submitted", "2023-06-26", "day"),
    *_date_columns("judged_on", "When the plan was judged or approved", "2023-08", "month"),
    Column(
        "judgement",
        "The judgement on the plan in its own words. Empty if none is recorded.",
        "Fit for purpose",
    ),
    Column("judged_by", "Who judged or approved the plan.", "Ofsted and CQC"),
    *_date_columns("published_on", "When the plan was published", "2023-09-01", "day"),
    *_date_columns("closed_on", "When the plan was closed", "2025", "year"),
    Column(
        "superseded_by",
        "The later plan that replaced it, as in plan_ref. Empty if none (or if the later plan "
        "is still being written).",
        "app-2021",
    ),
    Column(
        "findings_addressed",
        "The inspection findings the plan addresses, each as its inspection’s reference and the "
        "finding, separated by a semicolon and a space.",
        "2023-inspection: Area for priority action 1; 2023-inspection: Area for priority action 2",
    ),
    Column(
        "interventions_answered",
        "The government interventions the plan answers (for example the plan an Improvement "
        "Notice requires), as in the interventions file's intervention_ref, separated by a "
        "semicolon and a space. Empty if none.",
        "improvement-notice-2024",
    ),
    Column(
        "public_summary",
        "A plain-English summary of the plan for families. Empty if there is none.",
        "How the partners will cut waiting times for assessments.",
    ),
    Column(
        "is_illustrative",
        "true if the plan was invented for the demonstration of this website, not taken from a "
        "real plan; otherwise false.",
        "false",
    ),
)


# Due dates of the plans and inspections


def _deadline_row(area, deadline, *, plan_ref, inspection_ref):
    stated = deadline.stated
    return {
        **_area_columns(area),
        "plan_ref": plan_ref,
        "inspection_ref": inspection_ref,
        "deadline": deadline.label,
        **_date(deadline.due_partial, "due_date"),
        "approximate": deadline.approximate,
        "counted_from": _text(deadline.anchor_description),
        "stated_in": _text(stated.stated_in) if stated is not None else None,
        "status": deadline.status,
        **_date(deadline.met_on, "met_on"),
        "description": deadline.describe(),
        "rule_source": _lines(deadline.rule.source),
    }


def deadline_rows(area, *, absolute=None, today):
    """One row per due date: each public plan's, then each inspection's, in rule order.

    A fixed number of queries: the public plans, the inspections and what
    ``actions.deadlines`` needs for each (at most five each).
    """
    plans = sorted(_public_plans(area), key=_plan_key)
    inspections = sorted(Inspection.objects.filter(area=area), key=_inspection_key)
    by_plan = deadlines_for_plans(plans, today=today)
    by_inspection = deadlines_for_inspections(inspections, today=today)
    rows = [
        _deadline_row(area, deadline, plan_ref=plan.ref, inspection_ref=plan.responds_to.ref)
        for plan in plans
        for deadline in by_plan.get(plan, [])
    ]
    rows += [
        _deadline_row(area, deadline, plan_ref=None, inspection_ref=inspection.ref)
        for inspection in inspections
        for deadline in by_inspection.get(inspection, [])
    ]
    return rows


DEADLINE_COLUMNS = (
    *AREA_COLUMNS,
    Column(
        "plan_ref",
        "The plan the date is for, as in the plans file. Empty for a date about an inspection "
        "itself, such as when the next inspection is expected.",
        "wsoa-2018",
    ),
    Column(
        "inspection_ref",
        "The inspection the plan answers, as in the inspections file; for a date about an "
        "inspection itself, that inspection.",
        "2018-inspection",
    ),
    Column(
        "deadline",
        "What is due, by law or by the inspectorates’ or the Department for Education’s rules.",
        "Submit the written statement of action to Ofsted",
    ),
    *_date_columns("due_date", "When it is due", "2018-08-23", "day"),
    Column(
        "approximate",
        "true if the rule gives only an approximate time (for example “usually within 18 "
        "months”); otherwise false.",
        "false",
    ),
    Column(
        "counted_from",
        "How the rule works out the due date.",
        "70 working days after the report was received on 16 May 2018",
    ),
    Column(
        "stated_in",
        "Where the due date is stated, when a letter or notice gives the date itself (it then "
        "replaces the date the rule works out). Empty otherwise.",
        "DfE's letter of 22 November 2021",
    ),
    Column(
        "status",
        "met (done), due (not done, not yet late), overdue (not done and late), unknown (the "
        "date cannot be worked out from what is known), ended (no longer applies, for example "
        "because the revisit programme ended in December 2022) or no_date (the rules ask for "
        "it but give no deadline).",
        "met",
    ),
    *_date_columns(
        "met_on",
        "When it was met",
        "2018-08-20",
        "day",
        empty="Empty if it was not met, or if the date was not recorded.",
    ),
    Column(
        "description",
        "The due date and its status in words.",
        "Due 23 August 2018 – met on 20 August 2018",
    ),
    Column(
        "rule_source",
        "Where the rule comes from: the law, handbook or guidance, with its paragraph.",
        "SI 2015/1792 regulation 4: within 70 working days of receiving the report",
    ),
)


SECTIONS = (
    Section(
        "partnership",
        "The local area partnership",
        "one row: the area, its partners and its sources",
        PARTNERSHIP_COLUMNS,
        partnership_rows,
    ),
    Section(
        "inspections",
        "Inspections",
        "one row for each inspection, revisit and monitoring inspection, oldest first",
        INSPECTION_COLUMNS,
        inspection_rows,
    ),
    Section(
        "findings",
        "Findings",
        "one row for each finding of every inspection, by inspection, most serious kind first",
        FINDING_COLUMNS,
        finding_rows,
    ),
    Section(
        "verdicts",
        "Verdicts on findings",
        "one row for each verdict a later inspection or a review gave on a finding",
        VERDICT_COLUMNS,
        verdict_rows,
    ),
    Section(
        "reviews",
        "Reviews",
        "one row for each review, monitoring visit, stocktake or engagement meeting, oldest first",
        REVIEW_COLUMNS,
        review_rows,
    ),
    Section(
        "interventions",
        "Government interventions",
        "one row for each Improvement Notice, statutory direction or commissioner, oldest first",
        INTERVENTION_COLUMNS,
        intervention_rows,
    ),
    Section(
        "plans",
        "Plans",
        "one row for each plan, except plans still being written",
        PLAN_COLUMNS,
        plan_rows,
    ),
    Section(
        "deadlines",
        "Due dates",
        "one row for each statutory or official due date of each plan in the plans file, "
        "then of each inspection (such as when the next inspection is expected)",
        DEADLINE_COLUMNS,
        deadline_rows,
    ),
)
SECTIONS_BY_NAME = {section.name: section for section in SECTIONS}


def section_records(section, area, *, absolute, today):
    """The section's rows for the area, each with exactly the section's columns, in order."""
    return [
        {name: row[name] for name in section.column_names}
        for row in section.rows(area, absolute=absolute, today=today)
    ]


def history(area, *, absolute, today):
    """{section name: rows} for every section, in a fixed number of queries."""
    return {
        section.name: section_records(section, area, absolute=absolute, today=today)
        for section in SECTIONS
    }
