"""Is it getting better? The summary at the top of each area page, on the home page and in the report.

The counting rules (``progress.summary``) are tested on plain rows first; then
an area (Testshire) with a plan whose six actions cover every case is read on
its public page, on the home page and in a public progress report, which must
all say the same; last, each seed area's page is opened in Chromium at
1280×800 and its summary must end within the first screen.

The pages read the real clock, so every date here is counted from today.
"""

import datetime
import io
import random
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.deadlines import plan_deadlines
from actions.models import ActionItem, DeliveryStatus, ImpactStatus, Plan
from inspections.models import Inspection, Judgement, LocalArea
from progress import summary as summary_module
from progress.charts import month_year
from progress.models import Measure, MeasureValue, ProgressUpdate
from progress.reports import PUBLIC, build_report_context, render_report_html
from progress.summary import (
    BETTER,
    NO_CHANGE,
    WORSE,
    ActionRow,
    FindingRow,
    InspectionRow,
    MeasureTrend,
    count_actions,
    count_findings,
    counted_verdicts,
    measure_belongs,
    measure_trend,
)
from progress.suppression import format_figure, public_baseline, public_figure
from public.selectors import area_page, home_areas
from tests.browser.conftest import browser_type_launch_args  # noqa: F401 - Debian's Chromium
from tests.factories import (
    make_action,
    make_area,
    make_finding,
    make_inspection,
    make_organisation,
    make_plan,
    make_review,
)
from tests.public.test_public_pages import get, main, row_for, short_forms, texts

TODAY = timezone.localdate()
PAST = TODAY - datetime.timedelta(days=60)
FUTURE = TODAY + datetime.timedelta(days=60)
State = ProgressUpdate.State


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


# Counting actions, on plain rows


def test_actions_are_counted_by_delivery_and_by_impact_with_those_never_updated():
    counts = count_actions(
        [
            ActionRow(FUTURE, "on_track", "some_evidence"),
            ActionRow(FUTURE, "on_track", "no_evidence_yet"),
            ActionRow(FUTURE, "delivered", "clear_evidence"),
            ActionRow(FUTURE, "", ""),
        ],
        today=TODAY,
    )
    assert counts.total == 4
    assert [(row.label, row.count) for row in counts.delivery] == [
        ("Not started", 0),
        ("On track", 2),
        ("At risk", 0),
        ("Off track", 0),
        ("Delivered", 1),
        ("No published update yet", 1),
    ]
    assert [(row.label, row.count) for row in counts.impact] == [
        ("No evidence of impact yet", 1),
        ("Some evidence of impact", 1),
        ("Clear evidence of impact", 1),
        ("No published update yet", 1),
    ]
    assert counts.delivery_text == (
        "4 actions: 2 on track, 1 delivered and 1 with no published update yet"
    )
    assert counts.impact_text == (
        "1 with no evidence yet, 1 with some evidence, 1 with clear evidence and "
        "1 with no published update yet"
    )


def test_every_action_updated_leaves_out_the_no_update_row():
    counts = count_actions([ActionRow(FUTURE, "at_risk", "some_evidence")], today=TODAY)
    assert [row.label for row in counts.delivery][-1] == "Delivered"
    assert counts.no_update == 0
    assert counts.delivery_text == "1 action: 1 at risk"


def test_an_action_is_overdue_when_its_due_date_has_passed_and_it_is_not_delivered():
    yesterday = TODAY - datetime.timedelta(days=1)
    rows = [
        ActionRow(yesterday, "on_track", "some_evidence"),  # overdue, whatever it says
        ActionRow(yesterday, "off_track", "no_evidence_yet"),  # overdue
        ActionRow(yesterday, "", ""),  # overdue: past its date with no published update
        ActionRow(yesterday, "delivered", "no_evidence_yet"),  # delivered late: not overdue
        ActionRow(TODAY, "not_started", "no_evidence_yet"),  # due today: not yet overdue
        ActionRow(FUTURE, "", ""),  # not yet due
    ]
    counts = count_actions(rows, today=TODAY)
    assert counts.overdue == 3
    assert counts.overdue_text == "3 of 6 actions are overdue."


@pytest.mark.parametrize(
    ("rows", "text"),
    [
        ([ActionRow(PAST, "on_track", "")], "1 of 1 action is overdue."),
        ([ActionRow(PAST, "", ""), ActionRow(FUTURE, "", "")], "1 of 2 actions is overdue."),
        ([ActionRow(PAST, "delivered", ""), ActionRow(FUTURE, "", "")], (
            "None of the 2 actions is overdue."
        )),
        ([ActionRow(PAST, "delivered", "")], "The 1 action is not overdue."),
        ([], ""),
    ],
)  # fmt: skip
def test_overdue_is_said_honestly_in_words(rows, text):
    assert count_actions(rows, today=TODAY).overdue_text == text


def test_a_report_counts_overdue_as_at_the_end_of_its_period():
    row = ActionRow(datetime.date(2026, 5, 31), "on_track", "some_evidence")
    assert count_actions([row], today=datetime.date(2026, 3, 31)).overdue == 0
    assert count_actions([row], today=datetime.date(2026, 6, 30)).overdue == 1


# Counting findings


def test_a_finding_is_closed_by_any_resolved_verdict_and_open_otherwise():
    rows = [
        FindingRow(1, ("sufficient_progress",)),
        FindingRow(1, ("insufficient_progress", "closed_by_review")),
        FindingRow(1, ("insufficient_progress", "still_monitored")),
        FindingRow(2, ("no_longer_priority",)),
        FindingRow(2, ("effective_action",)),
        FindingRow(2, ("still_priority",)),
        FindingRow(2, ()),
    ]
    counts = count_findings(rows)
    assert (counts.total, counts.closed, counts.open) == (7, 4, 3)
    assert counts.text == "4 of 7 findings closed by inspections or reviews; 3 still open."
    assert counts.short_text == "4 of 7 findings closed."
    assert count_findings([FindingRow(1, ("sufficient_progress",))]).text == (
        "1 of 1 finding closed by inspections or reviews."
    )
    assert count_findings([]).text == ""


def inspection_rows(*, judged=13, resolved=1, gave_verdicts=False, findings=13):
    return [
        InspectionRow(1, True, findings, None, None, False),  # the 2016 inspection
        InspectionRow(2, False, 0, judged, resolved, gave_verdicts),  # its revisit
    ]


def test_verdicts_known_only_by_counts_close_the_findings_they_judged():
    rows = [FindingRow(1, ()) for _ in range(13)]
    counts = count_findings(rows, counted_verdicts(inspection_rows()))
    assert (counts.closed, counts.open) == (1, 12)


def test_counts_are_not_used_where_they_cannot_be_matched_to_the_findings():
    # Verdicts given finding by finding win over the counts.
    with_own = [FindingRow(1, ("sufficient_progress",))] + [FindingRow(1, ()) for _ in range(12)]
    assert count_findings(with_own, counted_verdicts(inspection_rows())).closed == 1
    # The plan addresses only some of the findings judged: the counts say nothing about which.
    some = [FindingRow(1, ()) for _ in range(4)]
    assert count_findings(some, counted_verdicts(inspection_rows(resolved=3))).closed == 0
    # An inspection that gave its own verdicts is not counted again.
    every = [FindingRow(1, ()) for _ in range(13)]
    assert count_findings(every, counted_verdicts(inspection_rows(gave_verdicts=True))).closed == 0
    # A revisit with no inspection before it judged nothing here.
    assert counted_verdicts(inspection_rows()[1:]) == []


# Measures: direction against the baseline and the target, from public figures only


def measure(unit=Measure.Unit.PERCENT, *, higher_is_better=True, **fields):
    values = {
        "name": "Plans on time",
        "unit": unit,
        "higher_is_better": higher_is_better,
        "baseline": Decimal(45),
        "baseline_date": datetime.date(2024, 3, 31),
        "target": Decimal(60),
    }
    values.update(fields)
    return Measure(**values)


def value(month, figure=None, *, numerator=None, denominator=None, label=""):
    year, month = divmod(month - 1, 12)
    day = datetime.date(2025 + year, month + 1, 28)
    return MeasureValue(
        period_end=day,
        period_label=label,
        value=None if figure is None else Decimal(str(figure)),
        numerator=numerator,
        denominator=denominator,
    )


@pytest.mark.parametrize(
    ("latest", "against", "sentence"),
    [
        (50, BETTER, "Plans on time: 50.0% in June 2025. Better than the baseline of 45.0% in "
         "March 2024; not yet at the target of 60%."),
        (40, WORSE, "Plans on time: 40.0% in June 2025. Worse than the baseline of 45.0% in "
         "March 2024; not yet at the target of 60%."),
        (45.04, NO_CHANGE, "Plans on time: 45.0% in June 2025. No change from the baseline of "
         "45.0% in March 2024; not yet at the target of 60%."),
        (61, BETTER, "Plans on time: 61.0% in June 2025. Better than the baseline of 45.0% in "
         "March 2024; at or better than the target of 60%."),
    ],
)  # fmt: skip
def test_a_higher_is_better_measure_says_better_worse_or_no_change(latest, against, sentence):
    trend = measure_trend(measure(), [value(3, 20), value(6, latest)])
    assert trend.against == against
    assert trend.direction == {BETTER: "Better", WORSE: "Worse", NO_CHANGE: "No change"}[against]
    assert trend.sentence == sentence


def test_a_lower_is_better_measure_is_better_when_it_falls():
    waits = measure(
        Measure.Unit.WEEKS,
        higher_is_better=False,
        name="Wait for an assessment",
        baseline=Decimal(40),
        target=Decimal(18),
    )
    fell = measure_trend(waits, [value(6, 31)])
    assert fell.against == BETTER
    assert fell.sentence == (
        "Wait for an assessment: 31 weeks in June 2025. Better than the baseline of 40 weeks in "
        "March 2024; not yet at the target of 18 weeks."
    )
    rose = measure_trend(waits, [value(6, 44)])
    assert rose.against == WORSE
    assert rose.comparison.startswith("Worse than the baseline of 40 weeks")
    reached = measure_trend(waits, [value(6, 17.96)])
    assert reached.target_met is True
    assert reached.comparison.endswith("at or better than the target of 18 weeks.")


def test_a_target_is_met_when_the_figure_as_shown_meets_it():
    # 59.96% is shown as 60.0%: saying it is "not yet at the target of 60%" would read wrong.
    trend = measure_trend(measure(), [value(6, 59.96)])
    assert trend.latest == "60.0% in June 2025"
    assert trend.target_met is True


@pytest.mark.parametrize(
    ("unit", "latest", "hidden"),
    [
        (Measure.Unit.COUNT, value(6, 3), ["3"]),
        (Measure.Unit.COUNT, value(6, 0), ["0"]),
        (Measure.Unit.PERCENT, value(6, numerator=3, denominator=40), ["7.5", "3 of 40"]),
        (Measure.Unit.PERCENT, value(6, numerator=38, denominator=40), ["95", "38"]),
        (Measure.Unit.PERCENT, value(6, numerator=2, denominator=3), ["66.7", "2 of 3"]),
    ],
)
def test_a_withheld_latest_figure_is_never_shown_or_compared(unit, latest, hidden):
    small = measure(unit, name="Appeals", baseline=Decimal(12), target=Decimal(10))
    trend = measure_trend(small, [value(3, 20, numerator=20, denominator=40), latest])
    assert trend.withheld_period == "June 2025"
    assert (trend.against, trend.target_met, trend.latest) == ("", None, "")
    assert trend.sentence == (
        "Appeals: the latest figure, for June 2025, is not shown, because it is based on fewer "
        "than 5 children and young people."
    )
    words = trend.sentence.replace("fewer than 5", "")
    for number in hidden:
        assert not re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", words), number


def test_a_withheld_baseline_is_not_mentioned_and_the_earliest_figure_is_used():
    appeals = measure(
        Measure.Unit.COUNT, higher_is_better=False, name="Appeals", baseline=Decimal(3), target=None
    )
    trend = measure_trend(appeals, [value(3, 20), value(6, 12)])
    assert "baseline" not in trend.sentence
    assert trend.sentence == "Appeals: 12 in June 2025. Better than 20 in March 2025."
    assert trend.reference_is_baseline is False


def test_a_measure_with_no_baseline_is_compared_with_its_earliest_figure():
    no_baseline = measure(baseline=None, baseline_date=None, target=None)
    trend = measure_trend(no_baseline, [value(3, 30, label="Q1 2025"), value(6, 30)])
    assert trend.against == NO_CHANGE
    assert trend.sentence == "Plans on time: 30.0% in June 2025. No change from 30.0% in Q1 2025."
    one = measure_trend(no_baseline, [value(6, 30)])
    assert one.sentence == "Plans on time: 30.0% in June 2025."
    assert measure_trend(no_baseline, []).sentence == "Plans on time: no figures published yet."


def _eager_trend(measure, values):
    """measure_trend as it was: every value's public figure worked out first (the reference)."""
    points = sorted(
        ((value, public_figure(measure, value)) for value in values),
        key=lambda point: point[0].period_end,
    )
    points = [(v, f) for v, f in points if f.number is not None or f.suppressed]
    trend = {"name": measure.name, "higher_is_better": measure.higher_is_better, "latest": ""}
    if not points:
        return MeasureTrend(**trend)
    latest_value, latest = points[-1]
    if latest.suppressed:
        return MeasureTrend(**trend, withheld_period=summary_module._when(latest_value))
    trend["latest"] = f"{latest.text} in {summary_module._when(latest_value)}"
    baseline = public_baseline(measure)
    direction = summary_module._direction
    if baseline is not None and baseline.number is not None:
        when = f" in {month_year(measure.baseline_date)}" if measure.baseline_date else ""
        trend["reference"] = f"the baseline of {baseline.text}{when}"
        trend["against"] = direction(measure, latest.number, baseline.number)
    else:
        first_value, first = next((v, f) for v, f in points if f.number is not None)
        if first_value is not latest_value:
            trend["reference"] = f"{first.text} in {summary_module._when(first_value)}"
            trend["reference_is_baseline"] = False
            trend["against"] = direction(measure, latest.number, first.number)
    if measure.target is not None:
        trend["target"] = format_figure(measure.unit, measure.target, compact=True)
        trend["target_met"] = direction(measure, latest.number, measure.target) != WORSE
    return MeasureTrend(**trend)


def test_the_trend_reads_only_the_figures_it_needs_and_says_what_reading_all_said():
    """4,000 generated series: gaps, withheld and bad counts, ties, every unit, with and
    without baseline and target, in any order."""
    rng = random.Random(2026)
    units = [unit for unit, _ in Measure.Unit.choices]
    for _ in range(4000):
        unit = rng.choice(units)
        kept = measure(
            unit,
            higher_is_better=rng.random() < 0.5,
            baseline=rng.choice([None, Decimal(rng.randint(0, 90)), Decimal("3")]),
            baseline_date=rng.choice([None, datetime.date(2024, 3, 31)]),
            target=rng.choice([None, Decimal(rng.randint(0, 90))]),
        )
        values = []
        for _ in range(rng.randint(0, 8)):
            numerator = rng.choice([None, None, 0, 2, 3, 20, 50, 120])
            denominator = rng.choice([None, 4, 40, 100]) if numerator is not None else None
            figure = rng.choice([None, round(rng.uniform(0, 100), 2)])
            values.append(
                value(rng.randint(1, 12), figure, numerator=numerator, denominator=denominator)
            )
        assert measure_trend(kept, values) == _eager_trend(kept, values)


def test_a_long_period_label_gives_way_to_the_month():
    trend = measure_trend(measure(), [value(6, 50, label="Quarter to June 2025 (provisional)")])
    assert trend.latest == "50.0% in June 2025"


def test_a_plans_measures_are_its_own_its_findings_and_the_areas_untied_ones():
    assert measure_belongs(Measure(plan_id=1), 1, set())
    assert not measure_belongs(Measure(plan_id=2), 1, {5})
    assert measure_belongs(Measure(finding_id=5), 1, {5})
    assert not measure_belongs(Measure(finding_id=6), 1, {5})
    assert measure_belongs(Measure(), 1, set())
    assert measure_belongs(Measure(), None, set())


# One area read on its page, on the home page and in the report


def publish(action, delivery, impact, *, state=State.PUBLISHED, publish_at=None, ends=PAST):
    return ProgressUpdate.objects.create(
        action=action,
        period_start=ends - datetime.timedelta(days=89),
        period_end=ends,
        delivery_status=delivery,
        impact_status=impact,
        narrative="Internal narrative.",
        public_summary=f"{action.ref}: {delivery}.",
        state=state,
        publish_at=publish_at
        if publish_at is not None
        else (timezone.now() - datetime.timedelta(days=1) if state == State.PUBLISHED else None),
        return_reason="Add the dates." if state == State.RETURNED else "",
    )


def action(plan, finding, council, ref, due):
    made = make_action(plan=plan, finding=finding, lead=council, ref=ref, due=due.isoformat())
    made.title = f"Action {ref}"
    made.save()
    return made


def summary_area(slug="testshire", name="Testshire", *, extra_actions=0):
    """A 2018 WSOA being delivered: six actions covering every case, three findings, measures."""
    area = make_area(slug=slug, name=name)
    council = make_organisation(slug=f"{slug}-council", name=f"{name} Council")
    inspection = make_inspection(
        area=area, start="2018-03", received="2018-05-14", outcome="wsoa_required"
    )
    findings = [make_finding(inspection=inspection, number=n) for n in (1, 2, 3)]
    revisit = make_inspection(
        area=area, ref="2019-revisit", kind=Inspection.Kind.REVISIT, start="2019-11",
        outcome=Inspection.Outcome.REVISIT_REPORTED,
    )  # fmt: skip
    Judgement.objects.create(finding=findings[0], inspection=revisit, verdict="sufficient_progress")
    for finding in findings[1:]:
        Judgement.objects.create(
            finding=finding, inspection=revisit, verdict="insufficient_progress"
        )
    review = make_review(area=area, ref="2021-review", held="2021-06", label="Progress review")
    Judgement.objects.create(finding=findings[1], review=review, verdict="closed_by_review")
    plan = make_plan(
        inspection=inspection, status=Plan.Status.PUBLISHED, findings=findings, submitted="2018-08"
    )

    # 1.1 delivered late: not overdue.
    publish(action(plan, findings[0], council, "1.1", PAST), "delivered", "clear_evidence")
    # 1.2 past its date and on track: overdue.
    publish(action(plan, findings[0], council, "1.2", PAST), "on_track", "some_evidence")
    # 2.1 past its date with no update at all: overdue.
    action(plan, findings[1], council, "2.1", PAST)
    # 2.2 not yet due.
    publish(action(plan, findings[1], council, "2.2", FUTURE), "at_risk", "some_evidence")
    # 3.1 past its date; delivered only in updates the public may not see, and internally.
    a31 = action(plan, findings[2], council, "3.1", PAST)
    for state in (State.DRAFT, State.SUBMITTED, State.RETURNED, State.APPROVED):
        publish(a31, "delivered", "clear_evidence", state=state)
    ActionItem.objects.filter(pk=a31.pk).update(
        delivery_status=DeliveryStatus.DELIVERED, impact_status=ImpactStatus.CLEAR_EVIDENCE
    )
    # 3.2 not yet due: on track; an off-track update is scheduled for tomorrow.
    a32 = action(plan, findings[2], council, "3.2", FUTURE)
    publish(a32, "on_track", "no_evidence_yet", ends=PAST - datetime.timedelta(days=90))
    publish(
        a32, "off_track", "no_evidence_yet", publish_at=timezone.now() + datetime.timedelta(days=1)
    )
    for n in range(extra_actions):
        publish(action(plan, findings[2], council, f"9.{n}", FUTURE), "on_track", "some_evidence")

    rate = Measure.objects.create(
        area=area, slug="timely", name="Plans on time", definition="Plans issued in 20 weeks.",
        source="SEN2", unit=Measure.Unit.PERCENT, baseline=45, baseline_date=datetime.date(2024, 3, 31),
        target=60,
    )  # fmt: skip
    MeasureValue.objects.create(measure=rate, period_end=PAST, numerator=30, denominator=60)
    waits = Measure.objects.create(
        area=area, plan=plan, slug="waits", name="Wait for an assessment", definition="Weeks.",
        source="Council", unit=Measure.Unit.WEEKS, higher_is_better=False, baseline=40,
        baseline_date=datetime.date(2024, 3, 31), target=18,
    )  # fmt: skip
    MeasureValue.objects.create(measure=waits, period_end=PAST, value=44)
    appeals = Measure.objects.create(
        area=area, slug="appeals", name="Tribunal appeals", definition="Appeals registered.",
        source="Tribunal", unit=Measure.Unit.COUNT, higher_is_better=False,
    )  # fmt: skip
    MeasureValue.objects.create(
        measure=appeals, period_end=PAST - datetime.timedelta(days=90), value=12
    )
    MeasureValue.objects.create(measure=appeals, period_end=PAST, value=3)
    hidden = Measure.objects.create(
        area=area, slug="internal", name="NOT-PUBLIC measure", definition="Internal.",
        source="Council", unit=Measure.Unit.COUNT, is_public=False,
    )  # fmt: skip
    MeasureValue.objects.create(measure=hidden, period_end=PAST, value=40)
    other_plan = make_plan(
        inspection=revisit, kind=Plan.Kind.ACCELERATED, status=Plan.Status.CLOSED
    )
    Measure.objects.create(
        area=area, plan=other_plan, slug="old", name="OTHER-PLAN measure", definition="Old.",
        source="Council", unit=Measure.Unit.COUNT,
    )  # fmt: skip
    return plan


@pytest.fixture
def plan(db):
    return summary_area()


DELIVERY = "6 actions: 2 on track, 1 at risk, 1 delivered and 2 with no published update yet"
IMPACT = (
    "1 with no evidence yet, 2 with some evidence, 1 with clear evidence and 2 with no "
    "published update yet"
)
MEASURES = [
    "Plans on time: 50.0% in {month}. Better than the baseline of 45.0% in March 2024; not yet "
    "at the target of 60%.",
    "Tribunal appeals: the latest figure, for {month}, is not shown, because it is based on fewer "
    "than 5 children and young people.",
    "Wait for an assessment: 44 weeks in {month}. Worse than the baseline of 40 weeks in March "
    "2024; not yet at the target of 18 weeks.",
]


def month(day):
    return day.strftime("%B %Y")


def summary_text(page):
    """The summary's words as read, with no space before punctuation (a tag ends before it)."""
    return re.sub(r" ([:.,;])", r"\1", " ".join(texts(page, element_id="summary")))


def test_the_summary_counts_only_what_published_updates_said(plan):
    summary = area_page(plan.area)["summary"]
    counts = summary.actions
    assert counts.delivery_text == DELIVERY
    assert counts.impact_text == IMPACT
    # 1.2, 2.1 and 3.1: 3.1's approved "delivered" and its internal status count for nothing.
    assert counts.overdue_text == "3 of 6 actions are overdue."
    assert summary.findings.text == (
        "2 of 3 findings closed by inspections or reviews; 1 still open."
    )
    assert [trend.sentence for trend in summary.measures] == [
        sentence.format(month=month(PAST)) for sentence in MEASURES
    ]
    assert summary.stands == "Written Statement of Action: being delivered"
    assert summary.latest_inspection == (
        "Revisit, November 2019: sufficient progress on 1 of 3 findings"
    )
    assert summary.plan_text == (
        "Written statement of action for Testshire, answering the 2018 inspection: published "
        "and being delivered."
    )


def test_the_area_page_answers_at_the_top_in_words_and_numbers(client, plan):
    page = get(client, "public:area", "testshire")
    summary = summary_text(page)
    for words in (
        "Is it getting better?",
        "Where it stands now Written Statement of Action: being delivered.",
        f"Actions {DELIVERY}. 3 of 6 actions are overdue.",
        f"Impact for families {IMPACT[0].upper()}{IMPACT[1:]}.",
        "Findings 2 of 3 findings closed by inspections or reviews; 1 still open.",
        "Headline measures Plans on time: 50.0%",
    ):
        assert words in summary, words
    body = main(page)
    assert body.index("Is it getting better?") < body.index("What is being done now")
    # Nothing unpublished, internal or about a few children reaches the page.
    assert "NOT-PUBLIC" not in body and "OTHER-PLAN" not in body
    assert "off_track" not in body and "Off track" not in body
    assert not re.search(r"Tribunal appeals: 3\b", body)


def test_each_overdue_action_is_marked_overdue_in_its_table(client, plan):
    page = get(client, "public:area", "testshire")
    due = PAST.strftime("%-d %B %Y")
    assert row_for(page, "1.1 Action 1.1") == "1.1 Action 1.1 Delivered Clear evidence of impact"
    assert row_for(page, "1.2 Action 1.2") == (
        f"1.2 Action 1.2 On track Overdue due {due} Some evidence of impact"
    )
    assert row_for(page, "2.1 Action 2.1") == (
        f"2.1 Action 2.1 No published update yet Overdue due {due} No published update yet"
    )
    assert row_for(page, "2.2 Action 2.2") == "2.2 Action 2.2 At risk Some evidence of impact"
    assert row_for(page, "3.1 Action 3.1") == (
        f"3.1 Action 3.1 No published update yet Overdue due {due} No published update yet"
    )
    assert row_for(page, "3.2 Action 3.2") == "3.2 Action 3.2 On track No evidence of impact yet"


def test_the_public_report_shows_the_same_summary(client, plan):
    area_summary = area_page(plan.area)["summary"]
    context = build_report_context(
        plan, audience=PUBLIC, period_start=TODAY - datetime.timedelta(days=365), period_end=TODAY
    )
    report = context["summary"]
    assert report["actions"] == area_summary.actions
    assert report["findings"] == area_summary.findings
    assert report["measures"] == area_summary.measures
    html = re.sub(r"\s+", " ", render_report_html(context))
    page = summary_text(get(client, "public:area", "testshire"))
    for sentence in (
        DELIVERY,
        "3 of 6 actions are overdue.",
        IMPACT,
        "2 of 3 findings closed by inspections or reviews; 1 still open.",
        *(sentence.format(month=month(PAST)) for sentence in MEASURES),
    ):
        assert sentence in html, sentence
        assert sentence in page, sentence
    assert "NOT-PUBLIC" not in html and "OTHER-PLAN" not in html


def count_queries(function):
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_the_summary_is_built_in_a_fixed_number_of_queries(client):
    small = summary_area("small", "Small")
    large = summary_area("large", "Large", extra_actions=12)

    def page(plan):
        cache.clear()
        return count_queries(lambda: get(client, "public:area", plan.area.slug))

    def report(plan):
        return count_queries(
            lambda: build_report_context(plan, audience=PUBLIC, period_start=PAST, period_end=TODAY)
        )

    # The area page: the area with its inspections and reviews; their findings with their
    # verdicts; interventions with the findings they cover; public plans with the findings
    # they answer; published meetings; reports; the plan's actions with their latest
    # published updates (on PostgreSQL one query, a LATERAL join; elsewhere two); the
    # deadline rules with the dates stated for the plan; public measures with their
    # values; the next scheduled publication (how long the page may be cached).
    assert page(small) == page(large) == (10 if connection.vendor == "postgresql" else 11)
    # The report, as in tests/progress/test_reports.py (with the parent carer forum's
    # challenges).
    assert report(small) == report(large) == 14
    # The home page, for every area at once: the areas; inspections; their findings and
    # every verdict (as plain rows, read once); public plans; interventions; meetings to
    # come; public measures with their values; deadline rules and stated dates (the
    # inspections and interventions already read); the plans' actions with their latest
    # published updates; the findings the plans address; the next scheduled publication.
    # A third area with a plan asks nothing more.
    cache.clear()
    two = count_queries(lambda: get(client, "public:home"))
    summary_area("third", "Third", extra_actions=3)
    cache.clear()
    assert count_queries(lambda: get(client, "public:home")) == two == 13


def test_the_home_page_gives_one_line_per_area(client, plan):
    quiet = make_area(slug="quiet", name="Quiet")
    make_inspection(area=quiet, ref="2026-inspection", framework="2023", start="2026-11")
    line = (
        "3 of 6 actions are overdue. 2 of 3 findings closed. 1 of 3 headline measures is "
        "better than at the start; 1 is worse."
    )
    assert {area.name: area.summary.line for area in home_areas()} == {
        "Quiet": "No plan published here yet.",
        "Testshire": line,
    }
    home = get(client, "public:home")
    rows = {row.split(" ", 1)[0]: row for row in texts(home, cls="portal-area")}
    assert rows["Testshire"] == (
        "Testshire Where it stands now Written Statement of Action: being delivered "
        f"Is it getting better? {line} Next key date None set"
    )
    assert "No plan published here yet." in rows["Quiet"]


@pytest.mark.django_db
def test_verdicts_known_only_by_counts_are_counted_on_the_page_and_in_the_report(client):
    area = make_area(slug="counted", name="Counted")
    inspection = make_inspection(area=area, start="2017-06", outcome="wsoa_required")
    findings = [make_finding(inspection=inspection, number=n) for n in (1, 2, 3)]
    revisit = make_inspection(
        area=area, ref="2019-revisit", kind=Inspection.Kind.REVISIT, start="2019-10",
        outcome=Inspection.Outcome.REVISIT_REPORTED,
    )  # fmt: skip
    Inspection.objects.filter(pk=revisit.pk).update(findings_judged=3, findings_resolved=2)
    plan = make_plan(inspection=inspection, status=Plan.Status.PUBLISHED, findings=findings)
    text = "2 of 3 findings closed by inspections or reviews; 1 still open."
    assert area_page(area)["summary"].findings.text == text
    assert text in summary_text(get(client, "public:area", "counted"))
    context = build_report_context(plan, audience=PUBLIC, period_start=PAST, period_end=TODAY)
    assert context["summary"]["findings"].text == text
    # Before the revisit, the report could not know its counts.
    early = build_report_context(
        plan,
        audience=PUBLIC,
        period_start=datetime.date(2018, 1, 1),
        period_end=datetime.date(2018, 12, 31),
    )
    assert early["summary"]["findings"].closed == 0


@pytest.mark.django_db
def test_a_plan_with_nothing_to_count_says_so(client):
    area = make_area(slug="empty", name="Empty")
    inspection = make_inspection(area=area, start="2017-06", outcome="wsoa_required")
    make_plan(inspection=inspection, status=Plan.Status.PUBLISHED)
    (summary,) = [area.summary for area in home_areas()]
    assert summary.line == "No actions published yet."
    body = summary_text(get(client, "public:area", "empty"))
    assert "Actions No actions published yet." in body
    assert "overdue" not in body and "Impact for families" not in body


@pytest.mark.django_db
def test_an_area_with_no_plan_says_where_it_stands_and_nothing_it_cannot_count(client):
    area = make_area(slug="quiet", name="Quiet")
    make_inspection(area=area, framework="2023", start="2024-06")
    summary = area_page(area)["summary"]
    assert summary.plan is None and summary.actions is None and summary.findings is None
    assert summary.measures == []
    body = summary_text(get(client, "public:area", "quiet"))
    assert "Where it stands now Inspected in June 2024; outcome not yet recorded here." in body
    assert "Actions" not in body and "overdue" not in body


def priority_area(*, received_days_ago, published=False):
    area = make_area(slug="prioritise", name="Prioritise")
    received = TODAY - datetime.timedelta(days=received_days_ago)
    inspection = make_inspection(
        area=area, framework="2023", start=(received - datetime.timedelta(days=50)).isoformat(),
        received=received.isoformat(), outcome=Inspection.Outcome.SYSTEMIC,
    )  # fmt: skip
    return make_plan(
        inspection=inspection,
        kind=Plan.Kind.PRIORITY_ACTION,
        status=Plan.Status.PUBLISHED if published else Plan.Status.SUBMITTED,
        submitted=received.isoformat(),
        published=received.isoformat() if published else None,
    )


@pytest.mark.django_db
def test_the_plans_next_statutory_date_is_given_and_an_overdue_one_first(client):
    plan = priority_area(received_days_ago=400)
    summary = area_page(plan.area)["summary"]
    deadlines = plan_deadlines(plan, today=TODAY)
    overdue = [d for d in deadlines if d.is_overdue]
    assert [d.label for d in overdue] == ["Publish the priority action plan"]
    assert summary.next_date == str(overdue[0])
    assert summary.latest_inspection.endswith("widespread and/or systemic failings (outcome 3)")
    body = summary_text(get(client, "public:area", "prioritise"))
    assert f"Next statutory date: {overdue[0]}." in body
    assert "Latest inspection Area SEND inspection," in short_forms(body)


@pytest.mark.django_db
def test_a_statutory_date_to_come_is_the_soonest_one(client):
    plan = priority_area(received_days_ago=10)
    summary = area_page(plan.area)["summary"]
    assert summary.next_date.startswith("Publish the priority action plan: Due ")
    assert "working days left" in summary.next_date


# The first screen, in Chromium


@pytest.fixture
def seed_areas(live_server):
    cache.clear()
    call_command("load_demo", force=True, stdout=io.StringIO())
    yield list(LocalArea.objects.order_by("name"))
    cache.clear()


# Loading the demo publishes a report, whose PDF is made in a forked child while the live
# server's thread runs: harmless here, and said by Python as a DeprecationWarning.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_each_seed_areas_summary_fits_the_first_screen(browser, live_server, seed_areas):
    assert len(seed_areas) == 4
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        for area in seed_areas:
            response = page.goto(f"{live_server.url}{area.get_absolute_url()}")
            assert response.ok
            assert page.evaluate("() => window.scrollY") == 0
            summary = page.locator("#summary")
            box = summary.bounding_box()
            assert box["y"] + box["height"] <= 800, (
                f"{area.name}: the summary ends at {box['y'] + box['height']:.0f}px, below 800px"
            )
            words = summary.inner_text()
            assert "Where it stands now" in words
            assert "overdue" in words, f"{area.name}: no overdue count in the summary"
            assert "Headline measures" in words
            assert re.search(r"\b(Better|Worse|No change)\b", words), area.name
            headings = page.evaluate(
                "() => [...document.querySelectorAll('h1, h2')].slice(0, 2)"
                ".map(h => h.tagName + ' ' + h.textContent.trim())"
            )
            assert headings == [f"H1 {area.name}", "H2 Is it getting better?"]
    finally:
        context.close()
