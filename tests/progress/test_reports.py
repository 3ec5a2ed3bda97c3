"""What a progress report contains: cover, summary, findings, what changed, and who may see what.

One area (Testshire) is filled with two quarters of progress on its written
statement of action: Q1 2026 is report 1, Q2 2026 report 2. Between them one
action is delivered, one slips from at risk to off track, one is added, a
revisit closes a finding and a measure moves. Q2 also has an update in every
state (draft, submitted, returned, approved, published later), internal
evidence, a non-public measure, internal minutes and an unpublished meeting.

Everything internal carries a ``LEAK-…`` marker (never in the public report,
always in the board pack); everything public a ``SHOW-…`` marker (in both);
and what belongs to neither report (another area, another period, uploaders'
file names) a ``NEVER-…`` marker.
"""

import datetime
import io
import itertools
import json
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import ActionItem, Milestone, Plan, PlanFinding
from inspections.models import Inspection, Intervention, Judgement
from kit.dates import PartialDate
from progress.models import (
    BoardMeeting,
    Evidence,
    Measure,
    MeasureValue,
    ProgressReport,
    ProgressUpdate,
)
from progress.reports import (
    build_report_context,
    changes_since,
    render_report_html,
    snapshot_from_context,
)
from tests.cast import make_user
from tests.factories import (
    make_area,
    make_finding,
    make_inspection,
    make_organisation,
    make_partner,
)
from tests.pdf_reading import figure_alts, read
from tests.pdf_ua import problems

pytestmark = pytest.mark.django_db

State = ProgressUpdate.State
UTC = datetime.UTC
NOW = datetime.datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
SET_UP = datetime.datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
Q1 = (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
Q2 = (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
BOARD = ProgressReport.Audience.BOARD
PUBLIC = ProgressReport.Audience.PUBLIC


class Markers:
    """Unique marker strings; each ends in a fixed-width number, so none is part of another."""

    def __init__(self):
        self._numbers = itertools.count(1)
        self.show, self.leak, self.never = set(), set(), set()

    def _make(self, kind, what, into):
        marker = f"{kind}-{what}-{next(self._numbers):04d}Q"
        into.add(marker)
        return marker

    def public(self, what):
        return self._make("SHOW", what, self.show)

    def internal(self, what):
        return self._make("LEAK", what, self.leak)

    def nowhere(self, what):
        return self._make("NEVER", what, self.never)


def at(day, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=UTC)


def make_update(action, period, state, delivery, impact, *, summary, narrative="", **fields):
    """An update created directly, in ``state``, with its history dated ``history_at`` if given."""
    history_at = fields.pop("history_at", None)
    by = fields.pop("by", None)
    if state == State.RETURNED:
        fields.setdefault("return_reason", "Please add the dates.")
    if state == State.PUBLISHED:
        fields.setdefault("publish_at", at(period[1] + datetime.timedelta(days=7)))
    update = ProgressUpdate(
        action=action,
        period_start=period[0],
        period_end=period[1],
        delivery_status=delivery,
        impact_status=impact,
        narrative=narrative or "Internal notes.",
        public_summary=summary,
        state=state,
        **fields,
    )
    if history_at:
        update._history_date = history_at
        update._history_user = by
        update._change_reason = f"{update.get_state_display()}"
    update.save()
    return update


def add_evidence(update, *, title, visibility, original_name="scan.pdf"):
    return Evidence.objects.create(
        update=update,
        title=title,
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="upload.pdf"),
        original_name=original_name,
        content_type="application/pdf",
        size=15,
        visibility=visibility,
    )


def new_action(plan, finding, lead, ref, title, due, *, officer=None, history_at=None, by=None):
    action = ActionItem(
        plan=plan,
        ref=ref,
        finding=finding,
        title=title,
        lead_organisation=lead,
        lead_officer=officer,
        due_date=due,
        success_criteria="Families notice the difference.",
        public_summary=f"What {ref} is for.",
    )
    if history_at:
        action._history_date = history_at
        action._history_user = by
        action._change_reason = "Added to the plan"
    action.save()
    return action


@pytest.fixture
def world(cast):
    """Testshire's plan over Q1 and Q2 2026, with markers in everything internal."""
    m = Markers()
    area, council, plan = cast.area, cast.council, cast.plan
    icb = make_organisation(slug="testshire-icb", name="NHS Testshire ICB", kind="icb")
    make_partner(area=area, organisation=icb, order=1)
    plan.status = Plan.Status.PUBLISHED
    plan.save()
    officer = make_user(
        "lena", first_name=m.internal("OFFICER-FIRST"), last_name=m.internal("OFFICER-LAST")
    )
    author = make_user(
        "amir", first_name=m.internal("AUTHOR-FIRST"), last_name=m.internal("AUTHOR-LAST")
    )

    inspection = plan.responds_to
    finding1 = cast.action.finding
    finding1.families_summary = m.public("FAMILIES-1")
    finding1.save()
    finding2 = make_finding(inspection=inspection, number=2, text="Joint commissioning is weak.")
    finding2.families_summary = m.public("FAMILIES-2")
    finding2.save()
    finding3 = make_finding(inspection=inspection, number=3, text="Families are not listened to.")
    for finding in (finding2, finding3):
        PlanFinding.objects.create(plan=plan, finding=finding)
    revisit = make_inspection(
        area=area,
        ref="2026-revisit",
        kind=Inspection.Kind.REVISIT,
        start="2026-05",
        outcome=Inspection.Outcome.REVISIT_REPORTED,
    )
    Judgement.objects.create(
        finding=finding1, inspection=revisit, verdict=Judgement.Verdict.INSUFFICIENT
    )
    Judgement.objects.create(
        finding=finding2, inspection=revisit, verdict=Judgement.Verdict.SUFFICIENT
    )

    a11 = cast.action
    a11.title = "Publish a clear Local Offer"
    a11.lead_officer = officer
    a11.save()
    a12 = new_action(
        plan, finding1, council, "1.2", "Cut waits for needs assessments",
        datetime.date(2026, 5, 31), officer=officer,
    )  # fmt: skip
    a21 = new_action(
        plan, finding2, icb, "2.1", "Train SENCOs in every school", datetime.date(2026, 12, 31)
    )
    a22 = new_action(
        plan, finding2, icb, "2.2", "Set up a joint commissioning panel",
        datetime.date(2026, 6, 15),
    )  # fmt: skip

    # Q1: one published update on each action.
    for action, delivery, impact in (
        (a11, "on_track", "some_evidence"),
        (a12, "at_risk", "no_evidence_yet"),
        (a21, "on_track", "no_evidence_yet"),
        (a22, "not_started", "no_evidence_yet"),
    ):
        make_update(
            action, Q1, State.PUBLISHED, delivery, impact,
            summary=f"Q1 summary for {action.ref}.",
            narrative=m.nowhere(f"Q1-NARRATIVE-{action.ref}"),
        )  # fmt: skip

    # Public measure, a non-public one, and one of another area.
    ehc = Measure.objects.create(
        area=area,
        plan=plan,
        slug="ehc-20-weeks",
        name="EHC plans issued within 20 weeks",
        definition="New plans issued within 20 weeks, as a percentage.",
        source="SEN2 return",
        unit=Measure.Unit.PERCENT,
        target=Decimal("60"),
    )
    MeasureValue.objects.create(
        measure=ehc, period_end=Q1[1], period_label="Q1 2026", value=Decimal("45.0")
    )
    hidden = Measure.objects.create(
        area=area,
        slug="internal-waits",
        name=m.internal("MEASURE-NAME"),
        definition=m.internal("MEASURE-DEFINITION"),
        source="Case management system",
        unit=Measure.Unit.WEEKS,
        is_public=False,
    )
    MeasureValue.objects.create(
        measure=hidden, period_end=Q1[1], period_label=m.internal("MEASURE-PERIOD"), value=31
    )
    # The inspection's summary and notes, and the government's interventions over the years.
    inspection.public_summary = m.public("INSPECTION-SUMMARY")
    inspection.notes = m.internal("INSPECTION-NOTES")
    inspection.save()
    interventions = {
        "notice": make_intervention(
            area, "notice-2025", Intervention.Kind.IMPROVEMENT_NOTICE,
            issued="2025-11-20", lifted="2026-05",
            covers=m.public("NOTICE-COVERS"), public_summary=m.public("NOTICE-SUMMARY"),
            notes=m.internal("NOTICE-NOTES"),
        ),
        "direction": make_intervention(
            area, "direction-2026", Intervention.Kind.STATUTORY_DIRECTION,
            issued="2026-05-14", title="Statutory direction on SEND services",
            issued_by="Secretary of State for Education",
            legal_basis="Section 497A(4B) Education Act 1996",
            commissioner=m.public("COMMISSIONER"), notes=m.internal("DIRECTION-NOTES"),
        ),
        # Lifted long before, issued after the period, another area's: in neither report.
        "old": make_intervention(
            area, "old-2019", Intervention.Kind.OTHER, issued="2019", lifted="2020-01-31",
            public_summary=m.nowhere("OLD-INTERVENTION"), notes=m.nowhere("OLD-NOTES"),
        ),
        "future": make_intervention(
            area, "future-2026", Intervention.Kind.COMMISSIONER, issued="2026-08-03",
            public_summary=m.nowhere("FUTURE-INTERVENTION"),
        ),
        "elsewhere": make_intervention(
            cast.other_plan.area, "elsewhere", Intervention.Kind.IMPROVEMENT_NOTICE,
            issued="2025-01", public_summary=m.nowhere("OTHER-AREA-INTERVENTION"),
        ),
    }  # fmt: skip

    # Everything so far was set up before the reports' periods.
    for model in (ActionItem, Milestone, ProgressUpdate):
        model.history.filter(history_date__gt=at(Q1[0])).update(history_date=SET_UP)
    return SimpleNamespace(
        m=m,
        cast=cast,
        area=area,
        plan=plan,
        council=council,
        icb=icb,
        officer=officer,
        author=author,
        findings=(finding1, finding2, finding3),
        actions={"1.1": a11, "1.2": a12, "2.1": a21, "2.2": a22},
        ehc=ehc,
        hidden=hidden,
        inspection=inspection,
        interventions=interventions,
    )


def make_intervention(area, ref, kind, *, issued=None, lifted=None, **fields):
    intervention = Intervention(area=area, ref=ref, kind=kind, **fields)
    intervention.issued = PartialDate.parse(issued) if issued else None
    intervention.lifted = PartialDate.parse(lifted) if lifted else None
    intervention.save()
    return intervention


def fill_q2(world):
    """Everything that happens in Q2 2026, after report 1."""
    m, plan = world.m, world.plan
    a = world.actions
    finding3 = world.findings[2]
    a["3.1"] = new_action(
        plan, finding3, world.council, "3.1", "Run a parent carer survey each term",
        datetime.date(2027, 3, 31), history_at=at(datetime.date(2026, 4, 2)), by=world.officer,
    )  # fmt: skip

    delivered = make_update(
        a["1.1"], Q2, State.PUBLISHED, "delivered", "clear_evidence",
        summary=m.public("SUMMARY-PUBLISHED-1.1"),
        narrative=m.internal("NARRATIVE-PUBLISHED-1.1"),
        status_change_reason=m.internal("STATUS-REASON-1.1"),
        author=world.author, approved_by=world.officer,
        publish_at=NOW - datetime.timedelta(days=3),
        history_at=at(datetime.date(2026, 6, 20)), by=world.author,
    )  # fmt: skip
    add_evidence(delivered, title=m.public("EVIDENCE-PUBLIC"), visibility="public",
                 original_name=m.nowhere("ORIGINAL-NAME") + ".pdf")  # fmt: skip
    add_evidence(delivered, title=m.internal("EVIDENCE-INTERNAL"), visibility="internal")

    make_update(
        a["1.2"], Q2, State.PUBLISHED, "off_track", "no_evidence_yet",
        summary=m.public("SUMMARY-PUBLISHED-1.2"),
        narrative=m.internal("NARRATIVE-PUBLISHED-1.2"),
        publish_at=NOW - datetime.timedelta(days=2),
    )  # fmt: skip
    make_update(
        a["1.2"], Q2, State.RETURNED, "off_track", "no_evidence_yet",
        summary=m.internal("SUMMARY-RETURNED-1.2"),
        narrative=m.internal("NARRATIVE-RETURNED-1.2"),
        return_reason=m.internal("RETURN-REASON-1.2"),
    )  # fmt: skip
    scheduled = make_update(
        a["2.1"], Q2, State.PUBLISHED, "on_track", "some_evidence",
        summary=m.internal("SUMMARY-SCHEDULED-2.1"),
        publish_at=NOW + datetime.timedelta(days=1),
    )  # fmt: skip
    add_evidence(scheduled, title=m.internal("EVIDENCE-PUBLIC-ON-SCHEDULED"), visibility="public")
    approved = make_update(
        a["2.2"], Q2, State.APPROVED, "at_risk", "no_evidence_yet",
        summary=m.internal("SUMMARY-APPROVED-2.2"),
        approved_by=world.officer,
        # Approval alone never publishes, even with a publication time already past.
        publish_at=NOW - datetime.timedelta(hours=2),
    )  # fmt: skip
    add_evidence(approved, title=m.internal("EVIDENCE-PUBLIC-ON-APPROVED"), visibility="public")
    make_update(
        a["3.1"], Q2, State.DRAFT, "on_track", "no_evidence_yet",
        summary=m.internal("SUMMARY-DRAFT-3.1"),
    )  # fmt: skip
    make_update(
        a["3.1"], Q2, State.SUBMITTED, "on_track", "no_evidence_yet",
        summary=m.internal("SUMMARY-SUBMITTED-3.1"),
    )  # fmt: skip

    Milestone.objects.create(
        action=a["1.1"], title="Local Offer website live", due_date=datetime.date(2026, 4, 30),
        completed_on=datetime.date(2026, 4, 20), notes=m.internal("MILESTONE-NOTES"),
    )  # fmt: skip
    Milestone.objects.create(
        action=a["1.2"], title="Extra assessors recruited", due_date=datetime.date(2026, 5, 31)
    )

    MeasureValue.objects.create(
        measure=world.ehc, period_end=Q2[1], period_label="Q2 2026", value=Decimal("52.3")
    )
    MeasureValue.objects.create(measure=world.hidden, period_end=Q2[1], value=27)

    BoardMeeting.objects.create(
        area=world.area,
        held_on=datetime.date(2026, 5, 14),
        what_was_said=m.public("MEETING-SAID"),
        what_we_will_do=m.public("MEETING-WILL-DO"),
        internal_minutes=m.internal("MEETING-MINUTES"),
        is_published=True,
    )
    BoardMeeting.objects.create(
        area=world.area,
        held_on=datetime.date(2026, 6, 10),
        title=m.internal("MEETING-TITLE-UNPUBLISHED"),
        what_was_said=m.internal("MEETING-SAID-UNPUBLISHED"),
        internal_minutes=m.internal("MEETING-MINUTES-UNPUBLISHED"),
        is_published=False,
    )
    # A meeting after the period, and another area's update: in neither report.
    BoardMeeting.objects.create(
        area=world.area,
        held_on=datetime.date(2026, 7, 8),
        what_was_said=m.nowhere("MEETING-AFTER-PERIOD"),
        is_published=True,
    )
    make_update(
        world.cast.other_action, Q2, State.PUBLISHED, "on_track", "some_evidence",
        summary=m.nowhere("OTHER-AREA-SUMMARY"), narrative=m.nowhere("OTHER-AREA-NARRATIVE"),
        publish_at=NOW - datetime.timedelta(days=1),
    )  # fmt: skip

    # A change to an action in the period, with who and why.
    action = a["1.2"]
    action.due_date = datetime.date(2026, 5, 31)
    action.title = "Cut waits for needs assessments"
    action.success_criteria = "Nine in ten assessments finish within 6 weeks."
    action._history_date = at(datetime.date(2026, 5, 3))
    action._history_user = world.officer
    action._change_reason = m.internal("LOG-REASON")
    action.save()


def report(world, audience, period, *, number=None, previous=None):
    return build_report_context(
        world.plan,
        audience=audience,
        period_start=period[0],
        period_end=period[1],
        number=number,
        previous=previous,
        now=NOW,
    )


def published(world, audience, context, number):
    return ProgressReport.objects.create(
        plan=world.plan,
        audience=audience,
        period_start=context["cover"]["period_start"],
        period_end=context["cover"]["period_end"],
        number=number,
        snapshot=snapshot_from_context(context),
    )


def two_reports(world, audience):
    """Report 1 for Q1, then Q2 happens, then report 2 for Q2 comparing with report 1."""
    first = report(world, audience, Q1, number=1)
    previous = published(world, audience, first, 1)
    fill_q2(world)
    return first, report(world, audience, Q2, number=2, previous=previous)


def counts(rows):
    return [(row.label, row.count) for row in rows]


# The cover


def test_the_cover_names_the_area_partners_plan_period_number_and_date(world):
    _, context = two_reports(world, PUBLIC)
    cover = context["cover"]
    assert cover["area"] == "Testshire"
    assert cover["partners"] == ["Testshire Council", "NHS Testshire ICB"]
    assert cover["plan_title"] == "Written statement of action for Testshire"
    assert cover["plan_kind"] == "Written statement of action"
    assert cover["period_text"] == "1 April 2026 to 30 June 2026"
    assert cover["number_text"] == "Report 2"
    assert cover["issued_text"] == "15 July 2026"
    assert cover["inspection"] == "Joint local area SEND inspection, 4 March 2024"

    html = render_report_html(context)
    assert html.startswith('<!DOCTYPE html>\n<html lang="en-GB">')
    assert (
        "<title>Testshire: progress report 2 – Written statement of action for Testshire</title>"
        in html
    )
    assert '<link rel="stylesheet" href="portal/report.css" />' in html
    assert '<div class="running-title">Testshire progress report 2</div>' in html
    assert "<h1>Testshire: progress report 2</h1>" in html
    assert "Testshire Council, NHS Testshire ICB" in html
    assert "Board pack" not in html
    assert "{%" not in html and "{{" not in html


def test_an_unnumbered_report_is_a_draft(world):
    context = report(world, PUBLIC, Q1)
    assert context["cover"]["number_text"] == "Draft"
    html = render_report_html(context)
    assert "<title>Testshire: progress report (draft) – Written statement" in html


def test_the_board_pack_says_it_is_internal_on_the_cover_and_every_page(world):
    _, context = two_reports(world, BOARD)
    html = render_report_html(context)
    assert (
        '<div class="running-title">Board pack – internal: not for publication – '
        "Testshire progress report 2</div>"
    ) in html
    cover = html.split('<section class="cover">')[1].split("</section>")[0]
    assert "Board pack – internal: not for publication" in cover


def test_headings_run_in_order_and_the_contents_link_to_sections(world):
    _, context = two_reports(world, BOARD)
    html = render_report_html(context)
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", html)]
    assert levels[0] == 1 and levels.count(1) == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, "a heading level is skipped"
    targets = re.findall(r'<nav class="contents".*?</nav>', html, re.S)[0]
    for href in re.findall(r'href="#([^"]+)"', targets):
        assert f'id="{href}"' in html
    # Every table has column widths, for WeasyPrint's fixed layout.
    assert html.count("<table>") == html.count("<colgroup>") > 0


# The summary


def test_public_summary_counts_follow_published_updates_only(world):
    _, context = two_reports(world, PUBLIC)
    summary = context["summary"]
    assert summary["total"] == 5
    assert counts(summary["delivery"]) == [
        ("Not started", 1),  # 2.2: its approved update is not published
        ("On track", 1),  # 2.1: its Q2 update is published only tomorrow
        ("At risk", 0),
        ("Off track", 1),
        ("Delivered", 1),
        ("No published update yet", 1),  # 3.1: a draft and a submitted update
    ]
    assert counts(summary["impact"]) == [
        ("No evidence of impact yet", 3),
        ("Some evidence of impact", 0),
        ("Clear evidence of impact", 1),
        ("No published update yet", 1),
    ]
    assert [a.ref for a in summary["overdue"]] == ["1.2", "2.2"]
    assert [f.label for f in summary["findings_closed"]] == ["Area of significant weakness 2"]
    html = render_report_html(context)
    assert '<th scope="row"><span class="tag">Delivered</span></th><td>1 action</td>' in html
    assert (
        '<th scope="row"><span class="tag">No evidence of impact yet</span></th><td>3 actions</td>'
        in html
    )
    assert "1 of 3 findings closed by the end of the period." in html


def test_board_summary_counts_follow_approved_updates(world):
    _, context = two_reports(world, BOARD)
    summary = context["summary"]
    assert counts(summary["delivery"]) == [
        ("Not started", 1),  # 3.1: no approved update, so its recorded status
        ("On track", 1),
        ("At risk", 1),  # 2.2: approved, not yet published
        ("Off track", 1),
        ("Delivered", 1),
    ]
    assert counts(summary["impact"]) == [
        ("No evidence of impact yet", 3),
        ("Some evidence of impact", 1),  # 2.1: published from tomorrow
        ("Clear evidence of impact", 1),
    ]
    assert [a.ref for a in summary["overdue"]] == ["1.2", "2.2"]


def test_the_first_quarter_has_no_closed_findings_or_overdue_actions(world):
    context = report(world, PUBLIC, Q1, number=1)
    assert context["summary"]["findings_closed"] == []
    assert context["summary"]["overdue"] == []
    assert counts(context["summary"]["delivery"]) == [
        ("Not started", 1),
        ("On track", 2),
        ("At risk", 1),
        ("Off track", 0),
        ("Delivered", 0),
    ]
    # The May 2026 revisit is after the period, so no verdict shows yet.
    assert all(f.verdicts == [] for f in context["findings"])


def test_findings_show_verdicts_at_their_precision_and_what_they_mean_for_families(world):
    _, context = two_reports(world, PUBLIC)
    finding1, finding2, finding3 = context["findings"]
    assert [v.text for v in finding1.verdicts] == ["Not sufficient progress (Revisit, May 2026)"]
    assert not finding1.is_closed
    assert finding2.closed_by.text == "Sufficient progress (Revisit, May 2026)"
    assert [a.ref for a in finding2.actions] == ["2.1", "2.2"]
    assert [a.ref for a in finding3.actions] == ["3.1"]
    action = finding1.actions[0]
    assert (action.ref, action.title, action.lead_name) == (
        "1.1",
        "Publish a clear Local Offer",
        "Testshire Council",
    )
    assert (action.delivery_label, action.impact_label) == ("Delivered", "Clear evidence of impact")
    assert [(ms.title, ms.completed_on) for ms in action.milestones] == [
        ("Local Offer website live", datetime.date(2026, 4, 20))
    ]
    html = render_report_html(context)
    # Ids are on headings, not on the sections and row groups (their styles are then shared).
    assert (
        f'<section class="finding">\n  <h3 id="finding-{finding2.pk}">'
        'Area of significant weakness 2 <span class="tag">Closed</span></h3>'
    ) in html
    assert '<span class="tag">Sufficient progress</span> – Revisit, May 2026' in html
    assert f'<h4 id="action-{action.pk}">1.1 Publish a clear Local Offer</h4>' in html
    # Each action is a row of its finding's table, headed by the action, with its latest
    # update and milestones in the row directly beneath (one row group per action).
    row = (
        '<tbody class="action"><tr class="action-row"><th scope="row">'
        f'<h4 id="action-{finding1.actions[1].pk}">1.2 Cut waits for needs assessments</h4></th>'
        '<td>Testshire Council</td><td>31 May 2026 <span class="tag">Overdue</span></td>'
        '<td class="status">Off track</td>'
        '<td class="status">No evidence of impact yet</td></tr>'
    )
    assert row in html
    group = html.split(row)[1].split("</tbody>")[0]
    assert '<tr class="action-detail">' in group
    assert "<strong>Latest update, for 1 April 2026 to 30 June 2026:</strong>" in group
    assert "<h4" not in group
    # WeasyPrint gives an element with an id, and all inside it, styles of their own: in the
    # findings and measures, only headings (leaves) carry ids, so everything else shares.
    repeated = html.split('<section id="findings">')[1].split('<section id="meetings">')[0]
    repeated = repeated.replace('<section id="measures">', "")
    assert set(re.findall(r"<(\w+)[^>]*\sid=", repeated)) <= {"h3", "h4", "title", "desc"}
    assert 'Extra assessors recruited – due 31 May 2026: <span class="tag">Overdue' in html
    assert "What this means for families" in html


def test_measures_have_their_chart_and_data_table(world):
    _, context = two_reports(world, PUBLIC)
    assert [m["slug"] for m in context["measures"]] == ["ehc-20-weeks"]
    html = render_report_html(context)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html
    assert 'role="img"' in html
    assert '<title id="report-measure-' in html
    assert '<th scope="row">Q2 2026</th><td class="num">52.3%</td>' in html


# The inspection and government intervention


def test_the_report_gives_the_inspections_outcome_in_the_frameworks_words(world):
    _, context = two_reports(world, PUBLIC)
    inspection = context["inspection"]
    statement = Inspection.OUTCOME_STATEMENTS[Inspection.Outcome.WSOA_REQUIRED]
    assert inspection.name == "Joint local area SEND inspection, 4 March 2024"
    assert inspection.outcome_label == "Written statement of action required"
    assert inspection.outcome_statement == statement
    assert inspection.outcome_text == ""
    assert inspection.notes == ""
    html = render_report_html(context)
    assert "In the inspection framework’s words: A written statement of action is required" in html
    assert "<dt>Inspection outcome</dt><dd>Written statement of action required</dd>" in html
    assert "The inspectors wrote" not in html  # no wording was recorded
    assert "Internal notes on the inspection" not in html


def test_the_inspectors_own_words_and_counts_are_given_beside_the_frameworks(world):
    inspection = world.inspection
    inspection.outcome_text = "Leaders do not know how well children are doing."
    inspection.save()
    html = render_report_html(report(world, PUBLIC, Q1, number=1))
    assert "The inspectors wrote: “Leaders do not know how well children are doing.”" in html
    assert "In the inspection framework’s words: A written statement" in html


def test_an_inspection_with_no_outcome_yet_says_so(world):
    inspection = world.inspection
    inspection.outcome = ""
    inspection.save()
    context = report(world, PUBLIC, Q1, number=1)
    assert context["inspection"].outcome_statement == ""
    html = render_report_html(context)
    assert "No outcome has been recorded for this inspection yet." in html
    assert "<dt>Inspection outcome</dt>" not in html


def test_interventions_in_force_at_any_time_in_the_period_are_in_the_report(world):
    first, second = two_reports(world, PUBLIC)
    # Q1: the Improvement Notice, in force then (it was lifted in May 2026).
    (notice,) = first["interventions"]
    assert (notice.name, notice.issued_text, notice.in_force_at_end) == (
        "Improvement Notice",
        "20 November 2025",
        True,
    )
    assert notice.lifted is None  # not yet lifted at the end of Q1
    assert notice.issued_by == "Department for Education"
    assert notice.explanation.startswith("An Improvement Notice is the Department for Education")
    # Q2: the notice was lifted and a statutory direction with a commissioner followed.
    notice, direction = second["interventions"]
    assert (notice.in_force_at_end, notice.lifted_text) == (False, "May 2026")
    assert (direction.name, direction.kind_label) == (
        "Statutory direction on SEND services",
        "Statutory direction",
    )
    assert direction.in_force_at_end is True
    assert direction.legal_basis == "Section 497A(4B) Education Act 1996"
    assert direction.issued_by == "Secretary of State for Education"
    assert all(i.notes == "" for i in first["interventions"] + second["interventions"])

    html = render_report_html(second)
    assert '<h4>Improvement Notice <span class="tag">Lifted</span></h4>' in html
    assert "Issued 20 November 2025 by Department for Education. Lifted May 2026." in html
    # A named intervention says what kind it is; one named by its kind does not repeat it.
    assert "Statutory direction. Issued 14 May 2026 by Secretary of State for Education." in html
    assert "Improvement Notice. Issued" not in html
    assert '<h4>Statutory direction on SEND services <span class="tag">In force</span></h4>' in html
    assert "In force at the end of the period (30 June 2026)." in html
    assert "<dt>Made under</dt><dd>Section 497A(4B) Education Act 1996</dd>" in html
    assert (
        "<dt>Government intervention</dt><dd>Improvement Notice (lifted May 2026); "
        "Statutory direction on SEND services (in force)</dd>"
    ) in html
    assert "Internal notes" not in html


def test_a_period_with_no_intervention_says_so(world):
    Intervention.objects.filter(area=world.area).delete()
    context = report(world, PUBLIC, Q1, number=1)
    assert context["interventions"] == []
    html = render_report_html(context)
    assert "No government intervention, such as an Improvement Notice" in html
    assert "<dt>Government intervention</dt>" not in html


@pytest.mark.parametrize(
    ("issued", "lifted", "counts"),
    [
        (None, None, True),  # date not known, never lifted: in force throughout
        ("2026-06-30", None, True),  # issued on the period's last day
        ("2026-07-01", None, False),  # issued the day after the period
        ("2026-07", None, False),  # issued in the month after it
        ("2026", None, True),  # issued in the period's year
        ("2025-01-01", "2026-04-01", False),  # lifted on the period's first day
        ("2025-01-01", "2026-04-02", True),  # lifted on its second day
        ("2025-01-01", "2026-04", True),  # lifted some time in its first month
        ("2025-01-01", "2026-03", False),  # lifted the month before it
        ("2025", "2025", False),  # issued and lifted the year before
    ],
)
def test_an_intervention_counts_when_it_was_in_force_on_any_day_of_the_period(
    db, issued, lifted, counts
):
    area = make_area(slug="edgeshire")
    make_intervention(
        area, "edge", Intervention.Kind.IMPROVEMENT_NOTICE, issued=issued, lifted=lifted
    )
    inspection = make_inspection(area=area, start="2024-03-04")
    plan = Plan.objects.create(
        area=area, ref="wsoa", kind=Plan.Kind.WSOA, title="Plan", responds_to=inspection,
        status=Plan.Status.PUBLISHED,
    )  # fmt: skip
    context = build_report_context(
        plan, audience=PUBLIC, period_start=Q2[0], period_end=Q2[1], now=NOW
    )
    assert bool(context["interventions"]) is counts


def test_the_board_pack_also_has_the_notes_on_the_inspection_and_interventions(world):
    _, context = two_reports(world, BOARD)
    notice, direction = context["interventions"]
    assert notice.notes.startswith("LEAK-NOTICE-NOTES")
    assert direction.notes.startswith("LEAK-DIRECTION-NOTES")
    assert context["inspection"].notes.startswith("LEAK-INSPECTION-NOTES")
    html = render_report_html(context)
    assert "<p><strong>Internal notes on the inspection</strong></p>" in html
    assert html.count("<p><strong>Internal notes</strong></p>") == 2


# What changed


def test_what_changed_since_the_previous_report(world):
    first, second = two_reports(world, PUBLIC)
    assert second["changes"] == {
        "status_changes": [
            "1.1 Publish a clear Local Offer – delivery: On track → Delivered",
            "1.1 Publish a clear Local Offer – impact: Some evidence of impact → "
            "Clear evidence of impact",
            "1.2 Cut waits for needs assessments – delivery: At risk → Off track",
        ],
        "new_actions": ["3.1 Run a parent carer survey each term"],
        "delivered": ["1.1 Publish a clear Local Offer"],
        "removed_actions": [],
        "findings_closed": [
            "Area of significant weakness 2: Sufficient progress (Revisit, May 2026)"
        ],
        "measures": ["EHC plans issued within 20 weeks: 45.0% (Q1 2026) → 52.3% (Q2 2026)"],
    }
    html = render_report_html(second)
    assert "Since Report 1 (1 January 2026 to 31 March 2026):" in html
    for items in second["changes"].values():
        for item in items:
            assert f"<li>{item}</li>" in html
    assert first["changes"] is None
    assert "This is the first report on this plan" in render_report_html(first)


def test_the_board_pack_compares_internal_statuses(world):
    _, second = two_reports(world, BOARD)
    q1_label = MeasureValue.objects.get(measure=world.hidden, period_end=Q1[1]).period_label
    assert second["changes"]["status_changes"] == [
        "1.1 Publish a clear Local Offer – delivery: On track → Delivered",
        "1.1 Publish a clear Local Offer – impact: Some evidence of impact → "
        "Clear evidence of impact",
        "1.2 Cut waits for needs assessments – delivery: At risk → Off track",
        "2.1 Train SENCOs in every school – impact: No evidence of impact yet → "
        "Some evidence of impact",
        "2.2 Set up a joint commissioning panel – delivery: Not started → At risk",
    ]
    assert second["changes"]["measures"] == [
        "EHC plans issued within 20 weeks: 45.0% (Q1 2026) → 52.3% (Q2 2026)",
        f"{world.hidden.name}: 31 weeks ({q1_label}) → 27 weeks (June 2026)",
    ]


def test_snapshots_are_json_and_changes_read_plainly():
    previous = {
        "actions": {"1.1": {"title": "Old", "delivery": "On track", "impact": "Some"}},
        "findings_closed": [],
        "measures": {"m": {"name": "Waits", "text": "20 weeks", "period": "Q1"}},
    }
    current = {
        "actions": {"2.1": {"title": "New", "delivery": "Delivered", "impact": "Some"}},
        "findings": {"7": {"label": "Area for improvement 1", "closed_by": ""}},
        "findings_closed": [7],
        "measures": {
            "m": {"name": "Waits", "text": "20 weeks", "period": "Q1"},
            "n": {"name": "Surveys", "text": "120", "period": "Q2"},
        },
    }
    changes = changes_since(previous, current)
    assert changes["new_actions"] == ["2.1 New"]
    assert changes["delivered"] == ["2.1 New"]
    assert changes["removed_actions"] == ["1.1 Old is no longer in the plan"]
    assert changes["findings_closed"] == ["Area for improvement 1"]
    assert changes["measures"] == ["Surveys: 120 (Q2), first reported"]


def test_a_snapshot_round_trips_through_json(world):
    _, context = two_reports(world, PUBLIC)
    snapshot = snapshot_from_context(context)
    assert json.loads(json.dumps(snapshot)) == snapshot
    assert snapshot["actions"]["1.1"] == {
        "title": "Publish a clear Local Offer",
        "delivery": "Delivered",
        "impact": "Clear evidence of impact",
    }
    assert snapshot["actions"]["3.1"]["delivery"] == "No published update yet"
    assert snapshot["findings_closed"] == [world.findings[1].pk]
    assert snapshot["measures"] == {
        "ehc-20-weeks": {
            "name": "EHC plans issued within 20 weeks",
            "text": "52.3%",
            "period": "Q2 2026",
        }
    }


def test_a_report_is_never_compared_with_another_audience(world):
    board_first = report(world, BOARD, Q1, number=1)
    board_previous = published(world, BOARD, board_first, 1)
    with pytest.raises(ValueError, match="same plan and audience"):
        report(world, PUBLIC, Q2, number=2, previous=board_previous)


def test_a_plan_being_written_has_no_public_report(world):
    world.plan.status = Plan.Status.DRAFT
    world.plan.save()
    with pytest.raises(ValueError, match="still being written"):
        report(world, PUBLIC, Q1)
    assert report(world, BOARD, Q1)["board"] is True


# Public and internal


def test_nothing_internal_reaches_the_public_report(world):
    _, context = two_reports(world, PUBLIC)
    html = render_report_html(context)
    leaked = sorted(marker for marker in world.m.leak | world.m.never if marker in html)
    assert leaked == []
    missing = sorted(marker for marker in world.m.show if marker not in html)
    assert missing == []
    for word in ("Internal narrative", "Returned because", "Why the status changed", "Written by"):
        assert word not in html
    # The public context itself holds no internal text, whatever a template might do.
    text = repr(context)
    assert sorted(marker for marker in world.m.leak if marker in text) == []


def test_the_board_pack_has_everything_relevant(world):
    _, context = two_reports(world, BOARD)
    html = render_report_html(context)
    missing = sorted(marker for marker in world.m.leak | world.m.show if marker not in html)
    assert missing == []
    assert sorted(marker for marker in world.m.never if marker in html) == []
    assert "Draft: not yet submitted" in html
    assert "Submitted: waiting for approval" in html
    assert "Returned for changes" in html
    assert "Approved: not yet published" in html
    assert "Scheduled: public from 16 July 2026 at 13:00"  # British Summer Time in html
    assert "Internal: not published" in html  # the non-public measure
    assert "Public summary not published" in html  # the unpublished meeting


def test_the_board_pack_change_log_says_who_what_when_and_why(world):
    _, context = two_reports(world, BOARD)
    log = context["change_log"]
    reason = next(marker for marker in world.m.leak if marker.startswith("LEAK-LOG-REASON"))
    entry = next(e for e in log if e.reason == reason)
    assert entry.subject == "Action 1.2 Cut waits for needs assessments"
    assert entry.who == world.officer.get_full_name()
    assert entry.when == at(datetime.date(2026, 5, 3))
    assert [(c.label, c.old, c.new) for c in entry.changes] == [
        (
            "Success criteria",
            "Families notice the difference.",
            "Nine in ten assessments finish within 6 weeks.",
        )
    ]
    subjects = [e.subject for e in log]
    assert "Action 3.1 Run a parent carer survey each term" in subjects
    assert "Update on action 1.1 for 1 April 2026 to 30 June 2026" in subjects
    # Only the period's changes: Q1 work and the set-up done today are not in it.
    assert all(at(Q2[0], 0) <= e.when <= at(Q2[1], 23) for e in log), [e.when for e in log]
    html = render_report_html(context)
    assert "Success criteria: Families notice the difference. → Nine in ten assessments" in html


# Query counts


def grow(world, size, *, start):
    """Add ``size`` actions, each with Q2 updates in two states, evidence, a milestone and history."""
    finding = world.findings[2]
    for n in range(start, start + size):
        action = new_action(
            world.plan, finding, world.icb, f"9.{n}", f"Extra action {n}",
            datetime.date(2026, 5, 1), officer=world.officer,
            history_at=at(datetime.date(2026, 4, 3)), by=world.officer,
        )  # fmt: skip
        update = make_update(
            action, Q2, State.PUBLISHED, "on_track", "some_evidence",
            summary=f"Extra {n}.", author=world.author, approved_by=world.officer,
            publish_at=NOW - datetime.timedelta(days=1),
            history_at=at(datetime.date(2026, 6, 2)), by=world.author,
        )  # fmt: skip
        add_evidence(update, title=f"Public {n}", visibility="public")
        add_evidence(update, title=f"Internal {n}", visibility="internal")
        make_update(
            action, Q2, State.RETURNED, "on_track", "some_evidence", summary=f"Back {n}.",
            author=world.author, history_at=at(datetime.date(2026, 6, 3)), by=world.author,
        )  # fmt: skip
        make_intervention(world.area, f"extra-{n}", Intervention.Kind.OTHER, issued="2026-04")
        milestone = Milestone(action=action, title=f"Step {n}", due_date=datetime.date(2026, 4, 9))
        milestone._history_date = at(datetime.date(2026, 4, 4))
        milestone._history_user = world.officer
        milestone.save()


def queries_for(world, audience, previous):
    with CaptureQueriesContext(connection) as captured:
        render_report_html(report(world, audience, Q2, number=2, previous=previous))
    return len(captured.captured_queries)


@pytest.mark.parametrize("audience", [PUBLIC, BOARD])
def test_query_count_does_not_grow_with_the_plan(world, audience):
    first = report(world, audience, Q1, number=1)
    previous = published(world, audience, first, 1)
    fill_q2(world)
    grow(world, 2, start=1)
    small = queries_for(world, audience, previous)
    grow(world, 10, start=3)
    large = queries_for(world, audience, previous)
    assert small == large, (small, large)
    # One query for the area's interventions (the inspection comes with the plan), one for
    # its inspections, for verdicts given only as counts in the summary, and one for the
    # parent carer forum's challenges.
    assert large == (14 if audience == PUBLIC else 21)


# The PDF


def pdf_text(context):
    from pypdf import PdfReader

    from progress.pdf import html_to_pdf

    data = html_to_pdf(render_report_html(context))
    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() for page in reader.pages]
    return pages, re.sub(r"\s+", " ", " ".join(pages))


def test_the_public_pdf_has_the_figures_and_nothing_internal(world):
    _, context = two_reports(world, PUBLIC)
    pages, text = pdf_text(context)
    assert "Testshire: progress report 2" in pages[0]
    assert "Report 2" in pages[0] and "1 April 2026 to 30 June 2026" in pages[0]
    assert "1 of 3 findings closed by the end of the period." in text
    assert "Sufficient progress" in text and "Revisit, May 2026" in text
    assert "Area of significant weakness 2: Sufficient progress (Revisit, May 2026)" in text
    assert "3.1 Run a parent carer survey each term" in text
    assert "45.0% (Q1 2026)" in text and "52.3% (Q2 2026)" in text
    squashed = text.replace(" ", "")
    assert sorted(m for m in world.m.leak | world.m.never if m in squashed) == []
    assert "Board pack" not in text


def test_a_charts_alternative_text_in_the_pdf_gives_its_trend_not_only_its_name(world):
    """The audit found each chart's /Alt was only its title (the measure's name)."""
    from progress.pdf import html_to_pdf

    _, context = two_reports(world, PUBLIC)
    alts = figure_alts(read(html_to_pdf(render_report_html(context))))
    (name,) = [m["name"] for m in context["measures"]]
    charts = [alt for alt in alts if alt.startswith(name)]
    assert charts, alts
    assert all(len(alt) > len(name) + 20 and "52.3%" in alt for alt in charts), charts


@pytest.mark.parametrize("audience", [PUBLIC, BOARD])
def test_the_report_pdf_passes_the_pdf_ua_structure_check(world, audience):
    """Tagged or artifact, TH scope, figure /Alt, link words, headings, metadata (tests/pdf_ua.py)."""
    from progress.pdf import html_to_pdf

    _, context = two_reports(world, audience)
    data = html_to_pdf(render_report_html(context))
    assert problems(data) == []
    # Not claimed until a full validator passes the reports.
    metadata = read(data).trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"dc:title" in metadata and b"pdfuaid" not in metadata


def test_the_board_pack_pdf_has_the_internal_detail_and_its_warning(world):
    _, context = two_reports(world, BOARD)
    pages, text = pdf_text(context)
    assert "Board pack – internal: not for publication" in pages[0]
    for page in pages[1:]:
        assert "Board pack – internal: not for publication" in page
    assert "2.2 Set up a joint commissioning panel – delivery: Not started → At risk" in text
    squashed = text.replace(" ", "")
    for what in ("RETURN-REASON-1.2", "NARRATIVE-RETURNED-1.2", "MEETING-MINUTES-", "LOG-REASON"):
        assert any(what in m and m in squashed for m in world.m.leak), what


@pytest.mark.parametrize("audience", [PUBLIC, BOARD])
def test_the_report_is_read_by_the_xml_parser_into_the_pdf_weasyprints_parser_gives(
    world, audience, monkeypatch
):
    """A report's HTML is well-formed, so progress.pdf parses it with the C XML parser.

    Officers' line breaks, quotes and markup-like words included; the PDF is the one
    WeasyPrint's own HTML5 parser gives, byte for byte.
    """
    from progress import pdf

    typed = 'First line of the <b>summary</b> & more\nSecond line, "quoted"\n\nit\'s done'
    ProgressUpdate.objects.filter(action__plan=world.plan).update(public_summary=typed)
    world.plan.findings.update(text=typed, families_summary=typed)
    _, context = two_reports(world, audience)
    html = render_report_html({**context, "introduction": typed})
    assert "<br />" in html and "<br>" not in html
    assert "<p>First line of the &lt;b&gt;summary" in html  # the introduction's paragraphs
    assert "&lt;b&gt;summary&lt;/b&gt; &amp; more<br />Second line" in html
    assert pdf.well_formed_root(html) is not None
    fast = pdf.render_pdf(html)
    monkeypatch.setattr(pdf, "well_formed_root", lambda html: None)
    assert pdf.render_pdf(html) == fast
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in read(fast).pages))
    assert 'First line of the <b>summary</b> & more Second line, "quoted"' in text


def test_the_report_templates_write_well_formed_markup_in_every_branch():
    """What a test world does not reach is checked in the templates' own source."""
    from django.conf import settings

    void = re.compile(r"<(area|base|br|col|embed|hr|img|input|link|meta|source|track|wbr)\b[^>]*>")
    entity = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)\w+;")
    templates = sorted((settings.BASE_DIR / "templates" / "reports").glob("*.html"))
    assert len(templates) >= 8
    for path in templates:
        source = path.read_text("utf-8")
        assert [
            tag.group(0) for tag in void.finditer(source) if not tag.group(0).endswith(" />")
        ] == []
        assert not entity.search(source), path.name
        assert "linebreaks" not in source, path.name  # |lines writes <br />
        assert "<!doctype" not in source, path.name  # XML's DOCTYPE is upper case


def test_the_report_text_filters_escape_and_write_line_breaks_well_formed():
    from django.template import Context, Template
    from django.utils.safestring import mark_safe

    template = Template("{% load report_text %}{{ text|lines }}|{{ text|paragraphs }}")
    typed = "One <b>&\r\ntwo\n\nthree"
    assert template.render(Context({"text": typed})) == (
        "One &lt;b&gt;&amp;<br />two<br /><br />three|"
        "<p>One &lt;b&gt;&amp;<br />two</p>\n\n<p>three</p>"
    )
    # Text already marked safe is not escaped again, as with Django's own filters.
    assert template.render(Context({"text": mark_safe("<i>a</i>\nb")})) == (
        "<i>a</i><br />b|<p><i>a</i><br />b</p>"
    )


def test_an_actions_due_date_is_never_broken_over_two_lines(world):
    """The widest date the table shows ("31 May 2026") fits its column on one line."""
    _, context = two_reports(world, PUBLIC)
    pages, _ = pdf_text(context)
    # The action's row in its finding's table (the summary's overdue table has it too).
    rows = [
        line
        for page in pages
        for line in page.splitlines()
        if "Cut waits for needs assessments Testshire Council" in line
    ]
    assert rows and all("Testshire Council 31 May 2026" in row for row in rows), rows
