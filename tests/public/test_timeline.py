"""An area's public timeline: every public event, newest first, and nothing internal.

The timeline is built in ``public.selectors`` as a list of small events
(date at its precision, kind, text, details) from a fixed number of queries,
and ordered in Python so that SQLite and PostgreSQL give the same page.
"""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse

from actions.models import Plan
from inspections.models import Intervention, Judgement, ProgressReview
from progress.models import BoardMeeting, ProgressReport
from public.selectors import area_timeline
from tests.factories import (
    make_area,
    make_finding,
    make_inspection,
    make_plan,
    partial,
)
from tests.public.test_public_pages import main, texts

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 2)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def make_review(area, ref, *, held=None, kind=ProgressReview.Kind.PROGRESS_REVIEW, **more):
    review = ProgressReview(area=area, ref=ref, kind=kind, **more)
    review.held = partial(held)
    review.save()
    return review


def make_intervention(
    area, ref, kind=Intervention.Kind.IMPROVEMENT_NOTICE, *, issued=None, lifted=None, **more
):
    intervention = Intervention(area=area, ref=ref, kind=kind, **more)
    intervention.issued, intervention.lifted = partial(issued), partial(lifted)
    intervention.save()
    return intervention


def make_report(plan, *, number=1, audience=ProgressReport.Audience.PUBLIC, published="2024-04-02"):
    return ProgressReport.objects.create(
        plan=plan,
        audience=audience,
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 3, 31),
        state=ProgressReport.State.PUBLISHED,
        number=number,
        sha256="0" * 64,
        published_at=datetime.datetime.fromisoformat(f"{published}T12:00:00+00:00"),
    )


def timelineshire(slug="timelineshire", name="Timelineshire"):
    """A story with every kind of public event, dates at every precision and some missing.

    Everything marked LEAK must never be shown; everything else is public.
    """
    area = make_area(slug=slug, name=name)
    first = make_inspection(
        area=area, start="2017-06", published="2017-08-01", outcome="wsoa_required"
    )
    first.notes = "LEAK-inspection-notes"
    first.save()
    weaknesses = [make_finding(inspection=first, number=n) for n in (1, 2)]
    revisit = make_inspection(
        area=area, ref="2019-revisit", kind="revisit", start="2019-11", outcome="revisit_reported"
    )
    Judgement.objects.create(
        finding=weaknesses[0], inspection=revisit, verdict=Judgement.Verdict.SUFFICIENT
    )
    Judgement.objects.create(
        finding=weaknesses[1],
        inspection=revisit,
        verdict=Judgement.Verdict.INSUFFICIENT,
        commentary="LEAK-verdict-commentary",
    )
    app = make_plan(
        inspection=revisit,
        kind=Plan.Kind.ACCELERATED,
        status=Plan.Status.PUBLISHED,
        findings=[weaknesses[1]],
    )
    wsoa = make_plan(
        inspection=first,
        status=Plan.Status.SUPERSEDED,
        submitted="2017-11-07",
        judged="2018-02",
        published="2018-03",
        closed="2019",
        findings=weaknesses,
    )
    wsoa.judgement, wsoa.judged_by = "fit for purpose", "Ofsted and CQC"
    wsoa.superseded_by = app
    wsoa.public_summary = "How the area will fix its weaknesses."
    wsoa.notes = "LEAK-plan-notes"
    wsoa.save()
    draft = make_plan(
        inspection=first, ref="draft", submitted="2018-01-01", findings=[weaknesses[0]]
    )
    draft.title = "LEAK-draft-plan"
    draft.save()
    make_review(area, "stocktake", kind=ProgressReview.Kind.STOCKTAKE)
    review = make_review(
        area,
        "2020-review",
        held="2020",
        result="LEAK-review-result",
        public_summary="DfE found some progress.",
    )
    Judgement.objects.create(
        finding=weaknesses[1], review=review, verdict=Judgement.Verdict.STILL_MONITORED
    )
    notice = make_intervention(
        area,
        "notice",
        issued="2021-03",
        lifted="2022-06-30",
        public_summary="The council must fix EHC plans.",
        notes="LEAK-intervention-notes",
    )
    make_review(
        area,
        "notice-review",
        kind=ProgressReview.Kind.INTERVENTION_REVIEW,
        intervention=notice,
        result="LEAK-notice-review-result",
    )
    make_review(
        area,
        "engagement",
        held="2023-05-10",
        kind=ProgressReview.Kind.ENGAGEMENT_MEETING,
        conducted_by="Ofsted",
        public_summary="An annual conversation about progress.",
    )
    BoardMeeting.objects.create(
        area=area,
        held_on=datetime.date(2024, 1, 15),
        what_was_said="Waits are shorter.",
        internal_minutes="LEAK-minutes",
        is_published=True,
    )
    BoardMeeting.objects.create(
        area=area, held_on=datetime.date(2024, 2, 1), what_was_said="LEAK-unpublished-meeting"
    )
    BoardMeeting.objects.create(area=area, held_on=datetime.date(2024, 3, 1), is_published=True)
    BoardMeeting.objects.create(
        area=area, held_on=TODAY + datetime.timedelta(days=30), is_published=True
    )
    make_report(app)
    make_report(app, audience=ProgressReport.Audience.BOARD)
    full = make_inspection(
        area=area,
        ref="2025-inspection",
        framework="2023",
        start="2025-01-13",
        end="2025-01-24",
        outcome="3",
    )
    full.findings_judged, full.findings_resolved = 10, 8
    full.save()
    return area


PLAN = "Written statement of action for Timelineshire"
APP = "Accelerated progress plan for Timelineshire"
EXPECTED = [
    (
        "13 January 2025",
        "verdicts",
        "Area SEND inspection: no longer needing priority action on 8 of 10 findings",
    ),
    ("13 January 2025", "inspection", "Area SEND inspection"),
    ("2 April 2024", "report", "Progress report 1 published"),
    ("15 January 2024", "meeting", "SEND improvement board met"),
    ("10 May 2023", "review", "Engagement meeting by Ofsted"),
    ("30 June 2022", "intervention", "Improvement Notice lifted"),
    ("Date not known", "review", "Review of an intervention by DfE and NHS England"),
    ("March 2021", "intervention", "Improvement Notice issued"),
    ("2020", "review", "Progress review by DfE and NHS England"),
    ("Date not known", "plan", f"{APP}: published and being delivered"),
    ("November 2019", "verdicts", "Revisit: sufficient progress on 1 of 2 findings"),
    ("November 2019", "inspection", "Revisit"),
    ("2019", "plan", f"{PLAN} replaced by {APP}"),
    ("March 2018", "plan", f"{PLAN} published"),
    ("February 2018", "plan", f"{PLAN} judged: fit for purpose"),
    ("7 November 2017", "plan", f"{PLAN} submitted"),
    ("June 2017", "inspection", "Joint local area SEND inspection"),
    ("Date not known", "review", "Stocktake by DfE and NHS England"),
]


def outline(events):
    return [(event.label, event.kind, event.text) for event in events]


def test_the_timeline_holds_every_public_event_newest_first():
    area = timelineshire()
    assert outline(area_timeline(area, today=TODAY)) == EXPECTED


def test_each_event_carries_its_public_details():
    events = {event.text: event for event in area_timeline(timelineshire(), today=TODAY)}
    assert events["Joint local area SEND inspection"].details == (
        "Outcome: A written statement of action is required because of significant areas of "
        "weakness in the local area's practice.",
        "Report published 1 August 2017.",
    )
    assert (
        events["Area SEND inspection"]
        .details[0]
        .startswith("Outcome 3: There are widespread and/or systemic failings")
    )
    # Several verdicts on one inspection's findings name the inspection once.
    assert events["Revisit: sufficient progress on 1 of 2 findings"].details == (
        "On the findings of the joint local area SEND inspection, June 2017:",
        "Area of significant weakness 1: Sufficient progress",
        "Area of significant weakness 2: Not sufficient progress",
    )
    # A plan's first event says what it answers and its summary for families.
    assert events[f"{PLAN} submitted"].details == (
        "It answers the joint local area SEND inspection, June 2017.",
        "How the area will fix its weaknesses.",
    )
    assert events[f"{PLAN} judged: fit for purpose"].details == ("By Ofsted and CQC.",)
    assert events["Progress review by DfE and NHS England"].details == (
        "DfE found some progress.",
        "Area of significant weakness 2 (joint local area SEND inspection, June 2017): "
        "Still monitored by DfE",
    )
    assert events["Review of an intervention by DfE and NHS England"].details == (
        "It reviewed the Improvement Notice (March 2021).",
    )
    assert events["Improvement Notice issued"].details == (
        "Who issued it: Department for Education.",
        "The council must fix EHC plans.",
    )
    report = events["Progress report 1 published"]
    assert report.details == (
        "On the Accelerated progress plan for Timelineshire, 1 January 2024 to 31 March 2024.",
    )
    assert report.url.startswith("/areas/timelineshire/reports/")
    meeting = events["SEND improvement board met"]
    assert meeting.url.startswith("/areas/timelineshire/board-meetings/#meeting-")


def test_events_know_their_dates_precision():
    events = area_timeline(timelineshire(), today=TODAY)
    by_text = {event.text: event for event in events}
    assert by_text["Joint local area SEND inspection"].iso == "2017-06"
    assert by_text[f"{PLAN} submitted"].iso == "2017-11-07"
    assert by_text[f"{PLAN} replaced by {APP}"].iso == "2019"
    undated = by_text["Stocktake by DfE and NHS England"]
    assert (undated.date, undated.iso, undated.label) == (None, "", "Date not known")
    assert {event.kind_label for event in events} == {
        "Inspection",
        "Verdicts on earlier findings",
        "Government intervention",
        "Plan",
        "Review",
        "Progress report",
        "Board meeting",
    }


def test_an_undated_record_is_placed_by_its_parents_date():
    texts_in_order = [text for _, _, text in EXPECTED]
    # A plan with no dates sits with the revisit it answers, an undated review
    # of a notice with the notice, and a record with no parent at the start.
    assert texts_in_order.index(f"{APP}: published and being delivered") == (
        texts_in_order.index("Revisit: sufficient progress on 1 of 2 findings") - 1
    )
    events = outline(area_timeline(timelineshire(), today=TODAY))
    assert events == EXPECTED
    assert events[-1] == ("Date not known", "review", "Stocktake by DfE and NHS England")


def test_an_undated_intervention_is_placed_by_the_findings_it_covers():
    area = make_area(slug="undated", name="Undated")
    first = make_inspection(area=area, start="2018-03", outcome="wsoa_required")
    weakness = make_finding(inspection=first)
    make_inspection(area=area, ref="2019-revisit", kind="revisit", start="2019-11")
    notice = make_intervention(area, "notice")
    notice.intervention_findings.create(finding=weakness)
    assert outline(area_timeline(area, today=TODAY)) == [
        ("November 2019", "inspection", "Revisit"),
        ("Date not known", "intervention", "Improvement Notice issued"),
        ("March 2018", "inspection", "Joint local area SEND inspection"),
    ]


def test_an_undated_revisit_is_placed_after_the_inspection_it_followed_up():
    area = make_area(slug="undated", name="Undated")
    make_inspection(area=area, ref="2016-inspection", start="2016-09", outcome="no_wsoa")
    first = make_inspection(area=area, start="2018-03", outcome="wsoa_required")
    weakness = make_finding(inspection=first)
    revisit = make_inspection(area=area, ref="revisit", kind="revisit", outcome="revisit_reported")
    Judgement.objects.create(finding=weakness, inspection=revisit, verdict="sufficient_progress")
    make_inspection(area=area, ref="2021-inspection", start="2021-10", outcome="no_wsoa")
    assert outline(area_timeline(area, today=TODAY)) == [
        ("October 2021", "inspection", "Joint local area SEND inspection"),
        ("Date not known", "verdicts", "Revisit: sufficient progress on 1 of 1 finding"),
        ("Date not known", "inspection", "Revisit"),
        ("March 2018", "inspection", "Joint local area SEND inspection"),
        ("September 2016", "inspection", "Joint local area SEND inspection"),
    ]


def test_the_order_does_not_depend_on_the_order_records_were_made_in():
    """The same story entered in reverse gives the same timeline (no database NULL ordering)."""

    def build(slug, order):
        area = make_area(slug=slug)
        makers = {
            "undated": lambda: make_inspection(area=area, ref="undated", outcome="no_wsoa"),
            "year": lambda: make_inspection(area=area, ref="year", start="2018", outcome="no_wsoa"),
            "month": lambda: make_inspection(
                area=area, ref="month", start="2018-01", outcome="no_wsoa"
            ),
            "day": lambda: make_inspection(
                area=area, ref="day", start="2018-01-01", outcome="no_wsoa"
            ),
            "review": lambda: make_review(area, "review", held="2018-01-01"),
            "undated-review": lambda: make_review(area, "undated-review"),
        }
        for name in order:
            makers[name]()
        return outline(area_timeline(area, today=TODAY))

    names = ["undated", "year", "month", "day", "review", "undated-review"]
    forwards = build("forwards", names)
    assert forwards == build("backwards", names[::-1])
    # At the same first day: the year, then the month, then the day itself.
    assert [label for label, _, _ in forwards] == [
        "1 January 2018",
        "1 January 2018",
        "January 2018",
        "2018",
        "Date not known",
        "Date not known",
    ]


def test_a_revisit_known_only_by_its_counts_and_a_full_inspection_judging_earlier_findings(
    client,
):
    area = make_area(slug="counted", name="Counted")
    make_inspection(area=area, start="2018-03", outcome="wsoa_required")
    revisit = make_inspection(
        area=area,
        ref="2021-revisit",
        kind="revisit",
        start="2021-11",
        published="2022-01-20",
        outcome="revisit_reported",
    )
    revisit.findings_judged, revisit.findings_resolved = 13, 1
    revisit.save()
    old = make_inspection(
        area=area, ref="2023-inspection", framework="2023", start="2023-05", outcome="3"
    )
    priorities = [
        make_finding(inspection=old, number=n, kind="area_for_priority_action") for n in (1, 2)
    ]
    full = make_inspection(
        area=area, ref="2025-inspection", framework="2023", start="2025-01", outcome="2"
    )
    Judgement.objects.create(finding=priorities[0], inspection=full, verdict="no_longer_priority")
    Judgement.objects.create(finding=priorities[1], inspection=full, verdict="still_priority")
    events = outline(area_timeline(area, today=TODAY))
    assert (
        "January 2025",
        "verdicts",
        "Area SEND inspection: no longer needing priority action on 1 of 2 findings",
    ) in events
    # Counts are dated by the report that gave them.
    assert (
        "20 January 2022",
        "verdicts",
        "Revisit: sufficient progress on 1 of 13 findings",
    ) in events
    page = main(client.get(reverse("public:area", args=[area.slug])))
    assert "On the findings of the area SEND inspection, May 2023:" in page
    assert "Area for priority action 2: Still needs priority action" in page


def test_reviews_of_every_kind_are_events_with_or_without_verdicts():
    area = make_area(slug="reviewed", name="Reviewed")
    for n, kind in enumerate(ProgressReview.Kind.values, start=1):
        make_review(area, kind.replace("_", "-"), held=f"2024-{n:02d}", kind=kind)
    texts_shown = [text for _, kind, text in outline(area_timeline(area, today=TODAY))]
    assert texts_shown == [
        f"{label} by DfE and NHS England" for label in reversed(ProgressReview.Kind.labels)
    ]


def test_the_timeline_is_built_in_a_fixed_number_of_queries(django_assert_num_queries):
    small = timelineshire()
    large = timelineshire("large", "Large")
    for n in range(2, 8):
        make_review(large, f"extra-{n}", held=f"202{n}-01", public_summary="More.")
        make_intervention(large, f"extra-{n}", Intervention.Kind.OTHER, issued=f"202{n}-02")
        make_report(large.plans.get(kind="accelerated_progress_plan"), number=n)
    # Inspections; their findings with the findings' verdicts; reviews;
    # interventions with the findings they cover; public plans with the findings
    # they answer; published board meetings; published reports.
    with django_assert_num_queries(7):
        small_events = area_timeline(small, today=TODAY)
    with django_assert_num_queries(7):
        large_events = area_timeline(large, today=TODAY)
    assert len(large_events) == len(small_events) + 18


def test_nothing_internal_reaches_the_timeline_or_the_page(client):
    area = timelineshire()
    events = area_timeline(area, today=TODAY)
    everything = " ".join(
        " ".join((event.text, *event.details, event.link_text)) for event in events
    )
    assert "LEAK" not in everything
    page = client.get(reverse("public:area", args=[area.slug])).content.decode()
    assert "LEAK" not in page
    # A plan still being written leaves no trace: not its title, nor its date.
    assert "1 January 2018" not in main(client.get(reverse("public:area", args=[area.slug])))


def test_the_area_page_shows_the_timeline_as_an_ordered_list_with_machine_readable_dates(client):
    area = timelineshire()
    response = client.get(reverse("public:area", args=[area.slug]))
    content = response.content.decode()
    timeline = content[content.index('id="timeline"') :]
    timeline = timeline[: timeline.index("</ol>")]
    assert "<ol" in timeline
    assert '<time datetime="2017-06">June 2017</time>' in timeline
    assert '<time datetime="2019">2019</time>' in timeline
    assert '<time datetime="2017-11-07">7 November 2017</time>' in timeline
    items = [item.replace(" ,", ",") for item in texts(timeline, tag="li")]
    assert len(items) == len(EXPECTED)
    assert items[0].startswith("13 January 2025, verdicts on earlier findings Area SEND inspection")
    assert items[-1].startswith("Date not known, review Stocktake by DfE and NHS England")
    # Links on the timeline say where they go.
    assert "Download progress report 1 (PDF)" in timeline
    assert "Read the summary of the meeting on 15 January 2024" in timeline


def test_verdicts_dated_only_to_the_year_still_come_after_their_revisit():
    area = make_area(slug="essex")
    first = make_inspection(area=area, start="2019-09-30", outcome="wsoa_required")
    weakness = make_finding(inspection=first)
    revisit = make_inspection(
        area=area,
        ref="2022-revisit",
        kind="revisit",
        start="2022-05-17",
        published="2022",
        outcome="revisit_reported",
    )
    Judgement.objects.create(finding=weakness, inspection=revisit, verdict="sufficient_progress")
    make_review(area, "2022-review", held="2022-02")
    assert outline(area_timeline(area, today=TODAY)) == [
        ("2022", "verdicts", "Revisit: sufficient progress on 1 of 1 finding"),
        ("17 May 2022", "inspection", "Revisit"),
        ("February 2022", "review", "Progress review by DfE and NHS England"),
        ("30 September 2019", "inspection", "Joint local area SEND inspection"),
    ]


def test_a_plan_from_before_the_latest_inspection_is_said_to_be_so(client, db):
    area = make_area(slug="latershire")
    first = make_inspection(area=area, start="2018-03-12", outcome="wsoa_required")
    plan = make_plan(inspection=first, findings=[make_finding(inspection=first)])
    plan.status = "published"
    plan.save()
    page = client.get(f"/areas/{area.slug}/").text
    assert "This plan answered an earlier inspection" not in page

    make_inspection(
        area=area, ref="2024-inspection", framework="2023", start="2024-04-15", outcome="3"
    )
    cache.clear()
    page = client.get(f"/areas/{area.slug}/").text
    assert "This plan answered an earlier inspection." in page
    assert "no plan answering that inspection is published here yet" in page
