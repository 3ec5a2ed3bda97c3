"""Due dates from the deadline rules, checked against real areas' dates and the frameworks' rules.

Each rule's source is in its ``source`` (migrations 0002 and 0007); the
rules are checked against docs/domain-rules.md and the verified
framework rules: the 2016 framework's revisit (about 18 months, ended
December 2022), accelerated progress plan reviews (six-monthly from DfE's
approval, ending when a later inspection or intervention supersedes the
plan), the 2023 framework's priority action plan (35 and 70 working days),
strategic plan, monitoring and next full inspection, and dates stated by
the source winning over the rule's.
"""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from actions.deadlines import (
    DUE,
    ENDED,
    MET,
    NO_DATE,
    OVERDUE,
    UNKNOWN,
    Deadline,
    deadlines_for_inspections,
    deadlines_for_plans,
    inspection_deadlines,
    plan_deadlines,
    portal_today,
)
from actions.models import DeadlineRule, Plan, StatedDeadline
from inspections.models import Inspection, Intervention, ProgressReview
from kit.dates import PartialDate, Precision
from tests.factories import make_area, make_inspection, make_plan, make_review

D = datetime.date
pytestmark = pytest.mark.django_db

SEEDED = {
    "wsoa-submit",
    "wsoa-revisit",
    "app-review",
    "app-review-evidence",
    "pap-submit",
    "pap-publish",
    "pap-monitoring",
    "strategic-plan-update",
    "full-1-next-inspection",
    "full-2-next-inspection",
    "full-3-next-inspection",
    "full-1-engagement",
    "full-2-engagement",
    "full-3-engagement",
}
OUTCOME_1 = Inspection.Outcome.POSITIVE
OUTCOME_2 = Inspection.Outcome.INCONSISTENT
OUTCOME_3 = Inspection.Outcome.SYSTEMIC
SEND_2023 = Inspection.Framework.AREA_SEND_2023


def by_code(deadlines):
    return {deadline.rule.code: deadline for deadline in deadlines}


def rule(code):
    return DeadlineRule.objects.get(code=code)


def wsoa(*, area_slug="testshire", received=None, published=None, **plan_fields):
    area = make_area(slug=area_slug)
    inspection = make_inspection(
        area=area, start="2018-03-01", received=received, published=published
    )
    return make_plan(inspection=inspection, **plan_fields)


def accelerated(*, published="2021-11-05", area_slug="revisited", **plan_fields):
    area = make_area(slug=area_slug)
    make_inspection(area=area, ref="2018-inspection", start="2018-03-01")
    revisit = make_inspection(
        area=area,
        ref="2021-revisit",
        kind=Inspection.Kind.REVISIT,
        start="2021-09-20",
        published=published,
    )
    return make_plan(inspection=revisit, kind=Plan.Kind.ACCELERATED, **plan_fields)


def approved_accelerated(**plan_fields):
    """Southend's dates: DfE approved the plan on 22 November 2021."""
    return accelerated(judged="2021-11-22", status=Plan.Status.APPROVED, **plan_fields)


def priority_action(*, received="2023-12-05", start="2023-10-16", **plan_fields):
    area = make_area(slug="full-inspected")
    inspection = make_inspection(
        area=area,
        ref="2023-inspection",
        framework=SEND_2023,
        start=start,
        received=received,
        outcome=OUTCOME_3,
    )
    return make_plan(inspection=inspection, kind=Plan.Kind.PRIORITY_ACTION, **plan_fields)


def full_inspection(*, outcome, area_slug="fully", ref="2024-inspection", **dates):
    area = make_area(slug=area_slug)
    return make_inspection(area=area, ref=ref, framework=SEND_2023, outcome=outcome, **dates)


def later_full_inspection(area, *, start, ref="later-inspection"):
    return make_inspection(area=area, ref=ref, framework=SEND_2023, start=start, outcome=OUTCOME_2)


def review(area, ref, held, kind=ProgressReview.Kind.PROGRESS_REVIEW):
    row = ProgressReview(area=area, ref=ref, kind=kind)
    row.held = PartialDate.parse(held)
    row.save()
    return row


def intervention(area, *, issued, kind=Intervention.Kind.IMPROVEMENT_NOTICE, ref="notice"):
    row = Intervention(area=area, ref=ref, kind=kind)
    row.issued = PartialDate.parse(issued)
    row.save()
    return row


def stated(*, due, stated_in="DfE's letter", plan=None, inspection=None, code):
    row = StatedDeadline(plan=plan, inspection=inspection, rule=rule(code), stated_in=stated_in)
    row.due = PartialDate.parse(due)
    row.save()
    return row


def test_the_migration_seeds_the_rules_with_their_sources():
    rules = {rule.code: rule for rule in DeadlineRule.objects.all()}
    assert SEEDED.issubset(rules)
    assert all(rules[code].source for code in SEEDED)
    assert rules["app-review-evidence"].relative_to == rules["app-review"]
    assert "regulation 4" in rules["wsoa-submit"].source
    for rule_row in rules.values():
        rule_row.full_clean()


def test_the_migration_keeps_a_corrected_rule_and_does_not_bring_back_a_deleted_one():
    migration = importlib.import_module("actions.migrations.0007_framework_calendar_rules")
    DeadlineRule.objects.filter(code="wsoa-revisit").update(source="Corrected by hand.")
    DeadlineRule.objects.filter(code="app-review").update(anchor="report_published", met_by="")
    DeadlineRule.objects.filter(code="pap-monitoring").delete()
    DeadlineRule.objects.filter(code="pap-publish").update(confirmed_until=None)

    migration.apply_rules(django_apps, None)

    revisit, review = rule("wsoa-revisit"), rule("app-review")
    assert revisit.source == "Corrected by hand."  # not the seeded text: kept
    assert revisit.ended_after == D(2022, 12, 31)  # a new field: always set
    assert (review.anchor, review.met_by) == ("plan_judged", "progress_review")  # seeded: updated
    assert rule("pap-publish").confirmed_until == D(2025, 6, 5)
    assert not DeadlineRule.objects.filter(code="pap-monitoring").exists()
    assert revisit.history.first().history_change_reason == migration.REASON


def test_each_rule_cites_the_sources_it_was_checked_against():
    rules = {rule.code: rule for rule in DeadlineRule.objects.all()}
    assert "9 November 2018" in rules["wsoa-revisit"].source
    assert "revisits continued up to December 2022" in rules["wsoa-revisit"].source
    # Both the official wording and the practice, for the review clock.
    assert "6435" in rules["app-review"].source
    assert "22 November 2021" in rules["app-review"].source
    for code in ("pap-submit", "pap-publish"):
        assert "before 6 June 2025" in rules[code].source
        assert "paragraph 149" in rules[code].source
    assert "paragraph 21" in rules["pap-monitoring"].source
    assert "No deadline was found" in rules["strategic-plan-update"].source
    assert "approximately three years" in rules["full-2-next-inspection"].source


def test_the_migration_sets_what_the_frameworks_say():
    revisit, review = rule("wsoa-revisit"), rule("app-review")
    assert (revisit.ended_after, revisit.ended_because) == (
        D(2022, 12, 31),
        "the revisit programme ended in December 2022",
    )
    assert review.anchor == DeadlineRule.Anchor.PLAN_JUDGED
    assert review.met_by == DeadlineRule.MetBy.PROGRESS_REVIEW
    assert review.ends_when == DeadlineRule.EndsWhen.LATER_INSPECTION_OR_INTERVENTION
    assert rule("pap-submit").label == "Submit the priority action plan"
    assert rule("pap-submit").confirmed_until == D(2025, 6, 5)
    assert rule("pap-monitoring").ends_when == DeadlineRule.EndsWhen.LATER_INSPECTION
    assert rule("strategic-plan-update").offset is None
    assert {
        code: (r.inspection_outcome, r.offset, r.approximate)
        for code in ("full-1-next-inspection", "full-2-next-inspection", "full-3-next-inspection")
        for r in [rule(code)]
    } == {
        "full-1-next-inspection": ("1", 60, True),
        "full-2-next-inspection": ("2", 36, True),
        "full-3-next-inspection": ("3", 36, True),
    }
    # Engagement meetings' frequency is not confirmed, so those rules start switched off.
    assert not DeadlineRule.objects.filter(code__endswith="-engagement", is_active=True).exists()


# Real areas' statutory 70-working-day WSOA deadlines.


def test_worcestershire_wsoa_due_70_working_days_after_the_report_letter():
    plan = wsoa(area_slug="worcestershire", received="2018-05-16", published="2018-05-24")
    deadline = by_code(plan_deadlines(plan, today=D(2018, 6, 1)))["wsoa-submit"]
    assert deadline.due == D(2018, 8, 23)
    assert deadline.anchor_description == (
        "70 working days after the report was received on 16 May 2018"
    )
    assert not deadline.counted_from_publication


def test_wolverhampton_wsoa_due_16_february_2022_with_working_days_left():
    plan = wsoa(area_slug="wolverhampton", received="2021-11-05")
    deadline = by_code(plan_deadlines(plan, today=D(2022, 1, 31)))["wsoa-submit"]
    assert deadline.due == D(2022, 2, 16)
    assert deadline.status == DUE
    assert deadline.working_days_left == 12
    assert deadline.describe() == "Due 16 February 2022 – 12 working days left"


def test_essex_counted_from_publication_when_receipt_is_not_known():
    plan = wsoa(area_slug="essex", published="2019-12-23")
    deadline = by_code(plan_deadlines(plan, today=D(2020, 1, 6)))["wsoa-submit"]
    assert deadline.due == D(2020, 4, 2)
    assert deadline.counted_from_publication
    assert deadline.anchor_description == (
        "70 working days after the report was published on 23 December 2019, counted from "
        "publication (the date the report was received is not known)"
    )


# Statuses with a fixed today.


def test_met_when_the_plan_was_submitted():
    plan = wsoa(received="2018-05-16", submitted="2018-07-27", status=Plan.Status.SUBMITTED)
    deadline = by_code(plan_deadlines(plan, today=D(2019, 1, 1)))["wsoa-submit"]
    assert deadline.status == MET
    assert deadline.met_on == PartialDate(D(2018, 7, 27))
    assert deadline.working_days_left is None
    assert deadline.describe() == "Due 23 August 2018 – met on 27 July 2018"


def test_met_late_is_still_met():
    plan = wsoa(received="2018-05-16", submitted="2018-09-03")
    deadline = by_code(plan_deadlines(plan, today=D(2019, 1, 1)))["wsoa-submit"]
    assert deadline.status == MET
    assert deadline.describe() == "Due 23 August 2018 – met on 3 September 2018"


def test_a_submitted_plan_without_a_date_is_met_not_years_overdue():
    plan = wsoa(received="2018-05-16", status=Plan.Status.FIT)
    deadline = by_code(plan_deadlines(plan, today=D(2024, 1, 1)))["wsoa-submit"]
    assert deadline.status == MET
    assert deadline.met_on is None
    assert deadline.describe() == "Due 23 August 2018 – met (date not recorded)"


def test_submitted_month_is_shown_as_a_month():
    plan = wsoa(received="2018-05-16", submitted="2018-08")
    deadline = by_code(plan_deadlines(plan, today=D(2019, 1, 1)))["wsoa-submit"]
    assert deadline.describe() == "Due 23 August 2018 – met in August 2018"


@pytest.mark.parametrize(
    ("today", "status", "left", "text"),
    [
        (D(2018, 5, 16), DUE, 70, "Due 23 August 2018 – 70 working days left"),
        (D(2018, 8, 22), DUE, 1, "Due 23 August 2018 – 1 working day left"),
        (D(2018, 8, 23), DUE, 0, "Due today (23 August 2018)"),
        (D(2018, 8, 24), OVERDUE, -1, "Overdue by 1 working day (due 23 August 2018)"),
        # Monday 27 August 2018 was the summer bank holiday.
        (D(2018, 8, 29), OVERDUE, -3, "Overdue by 3 working days (due 23 August 2018)"),
    ],
)
def test_due_and_overdue_count_working_days(today, status, left, text):
    plan = wsoa(received="2018-05-16")
    deadline = by_code(plan_deadlines(plan, today=today))["wsoa-submit"]
    assert (deadline.status, deadline.working_days_left, deadline.describe()) == (
        status,
        left,
        text,
    )


def test_overdue_at_the_weekend_after_a_friday_deadline():
    plan = priority_action()  # 35 working days end on Friday 26 January 2024
    deadline = by_code(plan_deadlines(plan, today=D(2024, 1, 27)))["pap-submit"]
    assert deadline.status == OVERDUE
    assert deadline.working_days_left == 0
    assert deadline.describe() == "Overdue (due 26 January 2024)"


def test_unknown_when_no_report_date_is_recorded():
    plan = wsoa()
    deadline = by_code(plan_deadlines(plan, today=D(2019, 1, 1)))["wsoa-submit"]
    assert deadline.status == UNKNOWN
    assert deadline.due is None
    assert deadline.working_days_left is None
    assert deadline.describe() == (
        "Date not known – the date the report was received is not recorded"
    )


# Dates known only to the month or the year.


def test_working_days_from_a_month_give_no_date():
    plan = wsoa(received="2018-05", published="2018-05-24")
    deadline = by_code(plan_deadlines(plan, today=D(2018, 6, 1)))["wsoa-submit"]
    assert deadline.due is None
    assert deadline.status == UNKNOWN
    assert deadline.unknown_reason == "the report date is known only to the month (May 2018)"
    # The later publication date is not used instead: it would give a later deadline.
    assert not deadline.counted_from_publication


def test_months_from_a_month_give_a_month():
    plan = wsoa(received="2018-05-16", judged="2018-10", status=Plan.Status.FIT)
    deadline = by_code(plan_deadlines(plan, today=D(2020, 4, 30)))["wsoa-revisit"]
    assert deadline.due == D(2020, 4, 1)
    assert deadline.due_precision == Precision.MONTH
    assert deadline.due_partial == PartialDate(D(2020, 4, 1), Precision.MONTH)
    assert deadline.status == DUE
    assert deadline.working_days_left is None
    assert deadline.describe() == "About April 2020 (approximate)"
    assert deadline.anchor_description == "18 months after the plan was judged in October 2018"


def test_an_approximate_month_is_late_only_once_the_month_has_passed():
    plan = wsoa(received="2018-05-16", judged="2018-10", status=Plan.Status.FIT)
    deadline = by_code(plan_deadlines(plan, today=D(2020, 5, 1)))["wsoa-revisit"]
    assert deadline.status == OVERDUE
    assert deadline.describe() == "About April 2020 (approximate) – later than expected"


def test_an_exact_approximate_date_is_shown_to_the_month():
    plan = wsoa(received="2018-05-16", judged="2018-09-14", status=Plan.Status.FIT)
    deadline = by_code(plan_deadlines(plan, today=D(2019, 1, 1)))["wsoa-revisit"]
    assert deadline.due == D(2020, 3, 14)
    assert deadline.working_days_left is None
    assert deadline.describe() == "About March 2020 (approximate)"


def test_a_year_gives_no_date():
    plan = wsoa(received="2018-05-16", judged="2018", status=Plan.Status.FIT)
    deadline = by_code(plan_deadlines(plan, today=D(2019, 1, 1)))["wsoa-revisit"]
    assert deadline.status == UNKNOWN
    assert deadline.describe() == (
        "Date not known – the date the plan was judged is known only to the year (2018)"
    )


def test_the_revisit_is_unknown_until_the_plan_is_judged():
    plan = wsoa(received="2018-05-16", submitted="2018-08-20", status=Plan.Status.SUBMITTED)
    deadline = by_code(plan_deadlines(plan, today=D(2018, 9, 1)))["wsoa-revisit"]
    assert deadline.status == UNKNOWN
    assert deadline.unknown_reason == "the plan has not been judged yet"


def test_the_revisit_is_met_by_the_first_revisit_after_the_judgement():
    plan = wsoa(received="2018-05-16", judged="2018-10-01", status=Plan.Status.FIT)
    for ref, start in (("2021-revisit", "2021-11"), ("2020-revisit", "2020-03-02")):
        make_inspection(area=plan.area, ref=ref, kind=Inspection.Kind.REVISIT, start=start)
    deadline = by_code(plan_deadlines(plan, today=D(2022, 1, 1)))["wsoa-revisit"]
    assert deadline.status == MET
    assert deadline.met_on == PartialDate(D(2020, 3, 2))
    assert deadline.describe() == "About April 2020 (approximate) – met on 2 March 2020"


def test_a_revisit_in_another_area_does_not_count():
    plan = wsoa(received="2018-05-16", judged="2018-10-01", status=Plan.Status.FIT)
    elsewhere = make_area(slug="elsewhere")
    make_inspection(area=elsewhere, ref="old", start="2017-01-09")
    make_inspection(area=elsewhere, ref="revisit", kind=Inspection.Kind.REVISIT, start="2020-03")
    deadline = by_code(plan_deadlines(plan, today=D(2022, 1, 1)))["wsoa-revisit"]
    assert deadline.status == OVERDUE


# The 2016 framework's revisits ended in December 2022.

REVISIT_ENDED = "No longer applies: the revisit programme ended in December 2022"


@pytest.mark.parametrize(
    ("today", "status"),
    [(D(2022, 12, 31), OVERDUE), (D(2023, 1, 1), ENDED), (D(2026, 11, 22), ENDED)],
)
def test_no_revisit_is_expected_or_overdue_after_december_2022(today, status):
    plan = wsoa(received="2018-05-16", judged="2018-10-01", status=Plan.Status.FIT)
    deadline = by_code(plan_deadlines(plan, today=today))["wsoa-revisit"]
    assert deadline.status == status
    if status == ENDED:
        assert deadline.describe() == REVISIT_ENDED
        assert not deadline.is_overdue
        assert deadline.ended_reason == "the revisit programme ended in December 2022"


def test_a_revisit_still_to_come_when_the_programme_ended_no_longer_applies():
    # Judged in October 2021: the revisit was expected about April 2023, after the end.
    plan = wsoa(received="2021-05-16", judged="2021-10-01", status=Plan.Status.FIT)
    assert by_code(plan_deadlines(plan, today=D(2022, 12, 1)))["wsoa-revisit"].status == DUE
    deadline = by_code(plan_deadlines(plan, today=D(2023, 5, 1)))["wsoa-revisit"]
    assert deadline.status == ENDED
    assert deadline.describe() == REVISIT_ENDED


def test_after_december_2022_no_plan_shows_a_revisit_expected_or_overdue():
    plans = [
        wsoa(area_slug="judged", received="2018-05-16", judged="2018-10-01", status="judged_fit"),
        wsoa(area_slug="month", received="2018-05", judged="2019-02", status="judged_fit"),
        wsoa(area_slug="year", received="2018-05-16", judged="2019", status="judged_fit"),
        wsoa(area_slug="not-judged", received="2018-05-16", status="submitted"),
        wsoa(area_slug="no-dates"),
        wsoa(area_slug="closed", judged="2019-01-10", status="closed"),
        wsoa(area_slug="unknown", judged="2019-01-10", status="unknown"),
    ]
    result = deadlines_for_plans(plans, today=D(2023, 1, 1))
    revisits = [by_code(found)["wsoa-revisit"] for found in result.values()]
    assert len(revisits) == len(plans)
    assert {d.status for d in revisits} == {ENDED}
    assert {d.describe() for d in revisits} == {REVISIT_ENDED}


def test_a_revisit_that_happened_stays_met_after_the_programme_ended():
    plan = wsoa(received="2018-05-16", judged="2018-10-01", status=Plan.Status.FIT)
    make_inspection(
        area=plan.area, ref="2020-revisit", kind=Inspection.Kind.REVISIT, start="2020-03-02"
    )
    deadline = by_code(plan_deadlines(plan, today=D(2026, 1, 1)))["wsoa-revisit"]
    assert deadline.status == MET
    assert deadline.describe() == "About April 2020 (approximate) – met on 2 March 2020"


def test_a_stated_revisit_date_does_not_outlive_the_programme():
    plan = wsoa(received="2018-05-16", judged="2021-10-01", status=Plan.Status.FIT)
    stated(plan=plan, code="wsoa-revisit", due="2023-03", stated_in="Ofsted's letter")
    deadline = by_code(plan_deadlines(plan, today=D(2023, 6, 1)))["wsoa-revisit"]
    assert deadline.status == ENDED
    assert deadline.describe() == REVISIT_ENDED


# Accelerated progress plans: reviews every six months from DfE's approval.


def test_first_review_six_months_after_dfe_approved_the_plan_and_evidence_two_weeks_before():
    # Southend: revisit in 2021, plan approved by DfE on 22 November 2021, review in May 2022.
    plan = approved_accelerated()
    deadlines = by_code(plan_deadlines(plan, today=D(2022, 1, 4)))
    review_due, evidence = deadlines["app-review"], deadlines["app-review-evidence"]
    assert review_due.due == D(2022, 5, 22)
    assert review_due.anchor_description == (
        "6 months after the plan was approved on 22 November 2021; "
        "due again every 6 months after each review"
    )
    assert evidence.due == D(2022, 5, 8)
    assert evidence.anchor_description == (
        "2 weeks before “DfE and NHS England progress review” (due 22 May 2022)"
    )
    assert evidence.status == DUE


def test_counting_from_the_revisit_report_is_a_rule_setting():
    # The 2021 parliamentary answer's wording: within 6 months of the revisit report.
    DeadlineRule.objects.filter(code="app-review").update(
        anchor=DeadlineRule.Anchor.REPORT_PUBLISHED
    )
    plan = approved_accelerated()
    deadlines = by_code(plan_deadlines(plan, today=D(2022, 1, 4)))
    assert deadlines["app-review"].due == D(2022, 5, 5)
    assert deadlines["app-review"].anchor_description.startswith(
        "6 months after the report was published on 5 November 2021"
    )
    assert deadlines["app-review-evidence"].due == D(2022, 4, 21)


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (Plan.Status.SUBMITTED, "the plan has not been approved yet"),
        (Plan.Status.APPROVED, "the date the plan was approved is not recorded"),
        (Plan.Status.PUBLISHED, "the date the plan was approved is not recorded"),
    ],
)
def test_the_first_review_is_unknown_until_the_approval_date_is_known(status, reason):
    plan = accelerated(status=status)
    deadlines = by_code(plan_deadlines(plan, today=D(2022, 1, 4)))
    assert deadlines["app-review"].status == UNKNOWN
    assert deadlines["app-review"].describe() == f"Date not known – {reason}"
    assert deadlines["app-review-evidence"].status == UNKNOWN


def test_next_review_six_months_after_the_latest_review_held():
    plan = approved_accelerated()
    make_review(area=plan.area, ref="earlier-plan", held="2020-06-01")  # before the revisit
    make_review(area=plan.area, ref="6-month", held="2022-05-10")
    make_review(area=plan.area, ref="12-month", held="2022-11-14")
    make_review(area=plan.area, ref="scheduled", held="2023-06-01")  # not held yet
    make_review(area=plan.area, ref="vague", held="2023")  # known only to the year
    deadlines = by_code(plan_deadlines(plan, today=D(2023, 3, 1)))
    assert deadlines["app-review"].due == D(2023, 5, 14)
    assert deadlines["app-review"].anchor_description.startswith(
        "6 months after the last progress review on 14 November 2022"
    )
    assert deadlines["app-review"].status == DUE
    assert deadlines["app-review-evidence"].due == D(2023, 4, 30)


def test_only_progress_reviews_count_as_the_plans_reviews():
    plan = approved_accelerated()
    review(plan.area, "engagement", "2022-05-10", ProgressReview.Kind.ENGAGEMENT_MEETING)
    review(plan.area, "notice-review", "2022-06-10", ProgressReview.Kind.INTERVENTION_REVIEW)
    deadline = by_code(plan_deadlines(plan, today=D(2022, 7, 1)))["app-review"]
    assert deadline.due == D(2022, 5, 22)
    assert deadline.status == OVERDUE


def test_a_missed_review_stays_overdue_rather_than_moving_on():
    plan = approved_accelerated()
    make_review(area=plan.area, ref="6-month", held="2022-05-10")
    deadline = by_code(plan_deadlines(plan, today=D(2023, 8, 1)))["app-review"]
    assert deadline.due == D(2022, 11, 10)
    assert deadline.status == OVERDUE
    assert deadline.working_days_left < 0


def test_a_review_known_to_the_month_gives_a_month_and_no_evidence_date():
    plan = approved_accelerated()
    make_review(area=plan.area, ref="12-month", held="2022-11")
    deadlines = by_code(plan_deadlines(plan, today=D(2023, 3, 1)))
    review_due, evidence = deadlines["app-review"], deadlines["app-review-evidence"]
    assert (review_due.due, review_due.due_precision) == (D(2023, 5, 1), Precision.MONTH)
    assert review_due.describe() == "Due in May 2023"
    assert by_code(plan_deadlines(plan, today=D(2023, 6, 1)))["app-review"].describe() == (
        "Due in May 2023 – overdue"
    )
    assert evidence.status == UNKNOWN
    assert evidence.unknown_reason == (
        "the date of “DfE and NHS England progress review” is known only to the month (May 2023)"
    )


def test_a_closed_plan_shows_its_last_review_and_no_future_ones():
    plan = accelerated(judged="2021-11-22", status=Plan.Status.CLOSED)
    make_review(area=plan.area, ref="6-month", held="2022-05-10")
    make_review(area=plan.area, ref="12-month", held="2022-11-14")
    deadlines = by_code(plan_deadlines(plan, today=D(2024, 1, 1)))
    assert set(deadlines) == {"app-review"}
    review_due = deadlines["app-review"]
    assert review_due.status == MET
    assert review_due.due == D(2022, 11, 10)
    assert review_due.met_on == PartialDate(D(2022, 11, 14))


def test_a_superseded_plan_without_reviews_shows_none():
    plan = accelerated(status=Plan.Status.SUPERSEDED)
    assert plan_deadlines(plan, today=D(2024, 1, 1)) == []


def test_a_plan_replaced_by_a_later_plan_expects_no_more_reviews_whatever_its_status():
    plan = approved_accelerated()
    make_review(area=plan.area, ref="6-month", held="2022-05-10")
    later = make_plan(inspection=plan.responds_to, kind=Plan.Kind.ACCELERATED, ref="app-2")
    plan.superseded_by = later
    plan.save()
    deadlines = by_code(plan_deadlines(plan, today=D(2025, 1, 1)))
    assert set(deadlines) == {"app-review"}
    assert deadlines["app-review"].status == MET


# The review cycle ends when a later inspection or an intervention supersedes the plan.


def test_reviews_stop_after_a_later_inspection():
    plan = approved_accelerated()
    make_review(area=plan.area, ref="6-month", held="2022-05-10")
    later_full_inspection(plan.area, start="2024-03-04")
    before = by_code(plan_deadlines(plan, today=D(2024, 3, 1)))
    assert before["app-review"].status == OVERDUE  # the November 2022 review was missed
    after = by_code(plan_deadlines(plan, today=D(2026, 11, 22)))
    assert set(after) == {"app-review"}  # no evidence reminder for reviews that will not come
    deadline = after["app-review"]
    assert deadline.status == ENDED
    assert not deadline.is_overdue
    assert deadline.working_days_left is None
    assert deadline.describe() == (
        "No longer applies: superseded by the Area SEND inspection that started on "
        "4 March 2024 (the last review was held on 10 May 2022)"
    )


def test_reviews_stop_after_an_improvement_notice_and_are_not_years_overdue():
    # Approved in 2021, no review recorded: without the notice this would be
    # "overdue by" hundreds of working days by 2026.
    plan = approved_accelerated()
    intervention(plan.area, issued="2023-11-16")
    deadline = by_code(plan_deadlines(plan, today=D(2026, 11, 22)))["app-review"]
    assert deadline.status == ENDED
    assert deadline.describe() == (
        "No longer applies: superseded by the Improvement Notice issued on 16 November 2023"
    )


@pytest.mark.parametrize(
    ("kind", "phrase"),
    [
        (Intervention.Kind.STATUTORY_DIRECTION, "the statutory direction given in February 2024"),
        (Intervention.Kind.COMMISSIONER, "the appointment of a SEND commissioner in February 2024"),
        (Intervention.Kind.OTHER, "a government intervention in February 2024"),
    ],
)
def test_any_kind_of_intervention_ends_the_reviews(kind, phrase):
    plan = approved_accelerated()
    intervention(plan.area, issued="2024-02", kind=kind)
    deadline = by_code(plan_deadlines(plan, today=D(2024, 6, 1)))["app-review"]
    assert deadline.describe() == f"No longer applies: superseded by {phrase}"


def test_the_earliest_superseding_event_is_named():
    plan = approved_accelerated()
    later_full_inspection(plan.area, start="2024-03-04")
    intervention(plan.area, issued="2023-11-16")
    deadline = by_code(plan_deadlines(plan, today=D(2025, 1, 1)))["app-review"]
    assert "Improvement Notice issued on 16 November 2023" in deadline.describe()


def test_an_intervention_before_the_revisit_does_not_end_the_reviews():
    plan = approved_accelerated()
    intervention(plan.area, issued="2019-06-03")
    intervention(plan.area, issued="2021-09", ref="same-month")  # cannot be told apart
    deadline = by_code(plan_deadlines(plan, today=D(2022, 7, 1)))["app-review"]
    assert deadline.status == OVERDUE


def test_an_event_in_another_area_or_still_to_come_does_not_end_the_reviews():
    plan = approved_accelerated()
    elsewhere = make_area(slug="elsewhere")
    intervention(elsewhere, issued="2022-01-10")
    later_full_inspection(elsewhere, start="2022-02-07")
    intervention(plan.area, issued="2023-01-09")
    deadline = by_code(plan_deadlines(plan, today=D(2022, 7, 1)))["app-review"]
    assert deadline.status == OVERDUE


def test_reviews_held_after_the_cycle_ended_are_not_its_last_review():
    plan = approved_accelerated()
    make_review(area=plan.area, ref="6-month", held="2022-05-10")
    intervention(plan.area, issued="2023-11-16")
    make_review(area=plan.area, ref="notice-6-month", held="2024-05-20")
    deadline = by_code(plan_deadlines(plan, today=D(2025, 1, 1)))["app-review"]
    assert deadline.met_on == PartialDate(D(2022, 5, 10))


# Priority action plans (2023 framework): 35 and 70 working days from receiving the report.


def test_priority_action_plan_35_and_70_working_days():
    plan = priority_action(published="2024-02-20")
    deadlines = by_code(plan_deadlines(plan, today=D(2024, 1, 8)))
    # Christmas, Boxing Day and New Year's Day 2024 are not working days.
    assert deadlines["pap-submit"].due == D(2024, 1, 26)
    assert deadlines["pap-submit"].status == DUE
    assert deadlines["pap-submit"].label == "Submit the priority action plan"
    assert deadlines["pap-submit"].anchor_description == (
        "35 working days after the report was received on 5 December 2023"
    )
    assert deadlines["pap-publish"].due == D(2024, 3, 15)
    assert deadlines["pap-publish"].status == MET
    assert deadlines["pap-monitoring"].due == D(2025, 6, 5)
    assert deadlines["pap-monitoring"].describe() == "About June 2025 (approximate)"


def test_priority_action_plan_days_skip_easter_and_the_may_bank_holidays():
    # Received Friday 22 March 2024: Good Friday, Easter Monday, 6 May and 27 May are skipped.
    plan = priority_action(received="2024-03-22", start="2024-02-05")
    deadlines = by_code(plan_deadlines(plan, today=D(2024, 5, 14)))
    assert deadlines["pap-submit"].due == D(2024, 5, 15)
    assert deadlines["pap-submit"].describe() == "Due 15 May 2024 – 1 working day left"
    assert deadlines["pap-publish"].due == D(2024, 7, 4)
    assert deadlines["pap-publish"].working_days_left == 36


def test_priority_action_plan_counted_from_publication_when_receipt_is_not_known():
    inspection = full_inspection(outcome=OUTCOME_3, start="2023-12-04", published="2024-02-20")
    plan = make_plan(inspection=inspection, kind=Plan.Kind.PRIORITY_ACTION)
    deadline = by_code(plan_deadlines(plan, today=D(2024, 3, 1)))["pap-submit"]
    assert deadline.counted_from_publication
    assert deadline.due == D(2024, 4, 11)  # Good Friday and Easter Monday skipped


def test_priority_action_plan_met_when_submitted_and_published():
    plan = priority_action(
        submitted="2024-01-25", published="2024-03-01", status=Plan.Status.PUBLISHED
    )
    deadlines = by_code(plan_deadlines(plan, today=D(2024, 6, 1)))
    assert deadlines["pap-submit"].describe() == "Due 26 January 2024 – met on 25 January 2024"
    assert deadlines["pap-publish"].describe() == "Due 15 March 2024 – met on 1 March 2024"


def test_the_35_days_are_flagged_as_not_confirmed_for_inspections_from_june_2025():
    plan = priority_action(start="2025-07-01", received="2025-07-14")
    deadline = by_code(plan_deadlines(plan, today=D(2025, 8, 1)))["pap-submit"]
    assert deadline.due == D(2025, 9, 2)
    assert deadline.caveat == (
        "confirmed only for inspections up to 5 June 2025: check the handbook in force for "
        "this inspection"
    )
    assert deadline.describe() == (
        "Due 2 September 2025 – 21 working days left (confirmed only for inspections up to "
        "5 June 2025: check the handbook in force for this inspection)"
    )


@pytest.mark.parametrize(("start", "flagged"), [("2025-06-05", False), ("2025-06", True)])
def test_an_inspection_that_may_have_started_after_the_june_2025_handbook_is_flagged(
    start, flagged
):
    plan = priority_action(start=start, received="2025-07-14")
    deadline = by_code(plan_deadlines(plan, today=D(2025, 8, 1)))["pap-publish"]
    assert bool(deadline.caveat) is flagged


def test_an_undated_inspection_is_flagged_and_a_met_deadline_is_not():
    plan = priority_action(start=None, received=None)
    deadline = by_code(plan_deadlines(plan, today=D(2025, 8, 1)))["pap-submit"]
    assert deadline.describe() == (
        "Date not known – the date the report was received is not recorded (confirmed only "
        "for inspections up to 5 June 2025, and this inspection's date is not recorded)"
    )
    done = make_plan(
        inspection=plan.responds_to,
        kind=Plan.Kind.PRIORITY_ACTION,
        ref="pap-2",
        submitted="2025-08-01",
    )
    assert by_code(plan_deadlines(done, today=D(2025, 9, 1)))["pap-submit"].caveat == ""


def test_an_earlier_inspection_is_not_flagged():
    plan = priority_action()
    deadlines = plan_deadlines(plan, today=D(2024, 1, 8))
    assert all(deadline.caveat == "" for deadline in deadlines)


def test_monitoring_inspection_meets_the_priority_action_plan_rule():
    plan = priority_action()
    make_inspection(
        area=plan.area,
        ref="2025-monitoring",
        framework=SEND_2023,
        kind=Inspection.Kind.MONITORING,
        start="2025-05",
    )
    deadline = by_code(plan_deadlines(plan, today=D(2025, 9, 1)))["pap-monitoring"]
    assert deadline.status == MET
    assert deadline.describe() == "About June 2025 (approximate) – met in May 2025"


def test_a_monitoring_inspection_later_than_18_months_is_later_than_expected():
    # Monitoring inspections were paused from autumn 2024 to June 2025.
    plan = priority_action()
    deadline = by_code(plan_deadlines(plan, today=D(2025, 7, 1)))["pap-monitoring"]
    assert deadline.status == OVERDUE
    assert deadline.describe() == "About June 2025 (approximate) – later than expected"


def test_a_full_reinspection_before_any_monitoring_ends_the_monitoring_rule():
    plan = priority_action()
    later_full_inspection(plan.area, start="2025-03-10")
    deadline = by_code(plan_deadlines(plan, today=D(2025, 9, 1)))["pap-monitoring"]
    assert deadline.status == ENDED
    assert deadline.describe() == (
        "No longer applies: superseded by the Area SEND inspection that started on 10 March 2025"
    )


# Strategic plans: updated and published after each inspection, with no deadline found.


def strategic(**plan_fields):
    inspection = full_inspection(outcome=OUTCOME_2, area_slug="dudley", published="2025-03-11")
    return make_plan(inspection=inspection, kind=Plan.Kind.STRATEGIC, **plan_fields)


def test_the_strategic_plan_is_a_reminder_without_a_due_date():
    deadline_plan = strategic()
    deadline = by_code(plan_deadlines(deadline_plan, today=D(2025, 3, 20)))["strategic-plan-update"]
    assert deadline.status == NO_DATE
    assert deadline.due is None
    assert not deadline.is_overdue
    assert deadline.working_days_left is None
    assert deadline.describe() == "No deadline is given – not recorded as done"
    assert deadline.anchor_description == (
        "After the report was published on 11 March 2025, counted from publication (the date "
        "the report was received is not known); no deadline is given"
    )
    # However long it waits, it is never overdue.
    later = by_code(plan_deadlines(deadline_plan, today=D(2030, 1, 1)))
    assert later["strategic-plan-update"].status == NO_DATE


def test_the_strategic_plan_reminder_is_met_by_publication():
    # Dudley published its updated plan on 15 April 2025.
    plan = strategic(published="2025-04-15", status=Plan.Status.PUBLISHED)
    deadline = by_code(plan_deadlines(plan, today=D(2025, 5, 1)))["strategic-plan-update"]
    assert deadline.status == MET
    assert deadline.describe() == "No deadline is given – met on 15 April 2025"


def test_a_closed_strategic_plan_counts_as_published_and_a_replaced_one_is_not_chased():
    closed = strategic(status=Plan.Status.CLOSED)
    deadline = by_code(plan_deadlines(closed, today=D(2026, 1, 1)))["strategic-plan-update"]
    assert deadline.status == MET  # a closed plan was published
    replaced = make_plan(
        inspection=closed.responds_to,
        kind=Plan.Kind.STRATEGIC,
        ref="strategic-old",
        status=Plan.Status.SUPERSEDED,
    )
    assert plan_deadlines(replaced, today=D(2026, 1, 1)) == []


def test_a_stated_date_gives_the_strategic_plan_a_deadline():
    plan = strategic()
    stated(plan=plan, code="strategic-plan-update", due="2025-06", stated_in="the board's minutes")
    deadline = by_code(plan_deadlines(plan, today=D(2025, 7, 1)))["strategic-plan-update"]
    assert deadline.status == OVERDUE
    assert deadline.describe() == "Due in June 2025 – overdue"
    assert deadline.stated_text == (
        "Due in June 2025 (stated in the board's minutes); the rule gives no date (no deadline "
        "is given)"
    )


def test_plans_without_active_rules_have_no_deadlines():
    DeadlineRule.objects.filter(code="strategic-plan-update").update(is_active=False)
    assert plan_deadlines(strategic(), today=D(2025, 3, 20)) == []


# Rules about an inspection's outcome (2023 framework): the next full inspection.


@pytest.mark.parametrize(
    ("outcome", "text"),
    [
        (OUTCOME_1, "About December 2028 (approximate)"),
        (OUTCOME_2, "About December 2026 (approximate)"),
        (OUTCOME_3, "About December 2026 (approximate)"),
    ],
)
def test_next_full_inspection_about_5_years_after_outcome_1_and_3_years_after_2_or_3(outcome, text):
    inspection = full_inspection(outcome=outcome, start="2023-10-16", received="2023-12-05")
    deadlines = by_code(inspection_deadlines(inspection, today=D(2024, 1, 8)))
    assert set(deadlines) == {f"full-{outcome}-next-inspection"}
    deadline = deadlines[f"full-{outcome}-next-inspection"]
    assert deadline.status == DUE
    assert deadline.describe() == text
    assert deadline.label == "Next full inspection expected"


def test_dudleys_next_inspection_within_about_three_years_of_its_report():
    inspection = full_inspection(outcome=OUTCOME_2, area_slug="dudley", published="2025-03-11")
    deadline = inspection_deadlines(inspection, today=D(2025, 4, 1))[0]
    assert deadline.describe() == "About March 2028 (approximate)"
    assert deadline.counted_from_publication


def test_the_next_full_inspection_is_met_by_a_full_inspection_not_a_monitoring_one():
    inspection = full_inspection(outcome=OUTCOME_3, start="2023-10-16", received="2023-12-05")
    make_inspection(
        area=inspection.area,
        ref="monitoring",
        framework=SEND_2023,
        kind=Inspection.Kind.MONITORING,
        start="2025-07-07",
    )
    assert inspection_deadlines(inspection, today=D(2025, 9, 1))[0].status == DUE
    later_full_inspection(inspection.area, start="2026-09")
    deadline = inspection_deadlines(inspection, today=D(2027, 1, 1))[0]
    assert deadline.status == MET
    assert deadline.describe() == "About December 2026 (approximate) – met in September 2026"


def test_a_late_next_inspection_is_later_than_expected_not_overdue_by_days():
    inspection = full_inspection(outcome=OUTCOME_2, start="2023-10-16", received="2023-12-05")
    deadline = inspection_deadlines(inspection, today=D(2027, 1, 1))[0]
    assert deadline.status == OVERDUE
    assert deadline.working_days_left is None
    assert deadline.describe() == "About December 2026 (approximate) – later than expected"


def test_inspections_without_an_outcome_or_with_a_2016_outcome_have_no_outcome_rules(
    django_assert_num_queries,
):
    area = make_area()
    no_outcome = make_inspection(area=area, ref="new", framework=SEND_2023, start="2024-06-10")
    old = make_inspection(
        area=area, ref="old", start="2017-01-09", outcome=Inspection.Outcome.WSOA_REQUIRED
    )
    with django_assert_num_queries(0):
        assert deadlines_for_inspections([no_outcome], today=D(2025, 1, 1)) == {no_outcome: []}
    assert deadlines_for_inspections([old], today=D(2025, 1, 1)) == {old: []}
    assert deadlines_for_inspections([], today=D(2025, 1, 1)) == {}


def test_a_stated_next_inspection_date_wins_for_an_inspection():
    inspection = full_inspection(outcome=OUTCOME_2, start="2023-10-16", received="2023-12-05")
    stated(
        inspection=inspection,
        code="full-2-next-inspection",
        due="2027-03",
        stated_in="Ofsted's letter",
    )
    deadline = inspection_deadlines(inspection, today=D(2027, 1, 1))[0]
    assert deadline.status == DUE
    assert deadline.describe() == "Due in March 2027"
    assert deadline.stated_text == (
        "Due in March 2027 (stated in Ofsted's letter); the rule gives about December 2026"
    )


# Engagement meetings: their frequency is not confirmed, so the rules start off.


def test_engagement_meetings_are_not_expected_until_the_rule_is_switched_on():
    inspection = full_inspection(outcome=OUTCOME_1, start="2023-10-16", received="2023-12-05")
    assert set(by_code(inspection_deadlines(inspection, today=D(2025, 1, 1)))) == {
        "full-1-next-inspection"
    }


def test_switched_on_engagement_meetings_repeat_from_the_last_one_held():
    DeadlineRule.objects.filter(code="full-1-engagement").update(is_active=True)
    inspection = full_inspection(outcome=OUTCOME_1, start="2023-10-16", received="2023-12-05")
    review(inspection.area, "progress", "2024-06-01")  # not an engagement meeting
    first = by_code(inspection_deadlines(inspection, today=D(2024, 7, 1)))["full-1-engagement"]
    assert first.describe() == "About December 2024 (approximate)"
    review(inspection.area, "engagement", "2024-11-20", ProgressReview.Kind.ENGAGEMENT_MEETING)
    second = by_code(inspection_deadlines(inspection, today=D(2025, 1, 1)))["full-1-engagement"]
    assert second.describe() == "About November 2025 (approximate)"
    assert second.anchor_description.startswith(
        "12 months after the last engagement meeting on 20 November 2024"
    )
    later_full_inspection(inspection.area, start="2026-02-02")
    ended = by_code(inspection_deadlines(inspection, today=D(2026, 6, 1)))["full-1-engagement"]
    assert ended.status == ENDED
    assert ended.describe() == (
        "No longer applies: superseded by the Area SEND inspection that started on "
        "2 February 2026 (the last review was held on 20 November 2024)"
    )


# A date stated by the source wins over the rule's.


def pap_due_3_june_2025():
    # Received 9 April 2025: 35 working days (Easter, 5 May and 26 May skipped) end 3 June.
    return priority_action(start="2025-02-03", received="2025-04-09")


def test_a_stated_date_wins_and_the_rule_date_is_kept():
    plan = pap_due_3_june_2025()
    stated(plan=plan, code="pap-submit", due="2025-06-04")
    deadline = by_code(plan_deadlines(plan, today=D(2025, 6, 4)))["pap-submit"]
    assert deadline.is_stated
    assert (deadline.due, deadline.computed_due) == (D(2025, 6, 4), D(2025, 6, 3))
    assert deadline.status == DUE
    assert deadline.describe() == "Due today (4 June 2025)"
    assert deadline.stated_differs
    assert deadline.stated_text == (
        "Due 4 June 2025 (stated in DfE's letter); the rule gives 3 June 2025"
    )
    # The rule's own clock is still described.
    assert deadline.anchor_description == (
        "35 working days after the report was received on 9 April 2025"
    )
    overdue = by_code(plan_deadlines(plan, today=D(2025, 6, 5)))["pap-submit"]
    assert overdue.describe() == "Overdue by 1 working day (due 4 June 2025)"


def test_a_stated_date_the_same_as_the_rules_is_not_shown_as_a_difference():
    plan = pap_due_3_june_2025()
    stated(plan=plan, code="pap-submit", due="2025-06-03", stated_in="Ofsted's letter")
    deadline = by_code(plan_deadlines(plan, today=D(2025, 5, 1)))["pap-submit"]
    assert deadline.is_stated
    assert not deadline.stated_differs
    assert deadline.stated_text == "Due 3 June 2025 (stated in Ofsted's letter)"


def test_a_stated_date_counts_when_the_rule_cannot_give_one():
    plan = priority_action(received=None)
    stated(plan=plan, code="pap-publish", due="2024-03-15")
    deadline = by_code(plan_deadlines(plan, today=D(2024, 3, 1)))["pap-publish"]
    assert deadline.status == DUE
    assert deadline.working_days_left == 10
    assert deadline.stated_text == (
        "Due 15 March 2024 (stated in DfE's letter); the rule gives no date (the date the "
        "report was received is not recorded)"
    )
    assert not deadline.counted_from_publication


def test_a_stated_date_is_still_met_by_what_meets_the_rule():
    plan = pap_due_3_june_2025()
    plan.submitted_on = D(2025, 6, 4)
    plan.status = Plan.Status.SUBMITTED
    plan.save()
    stated(plan=plan, code="pap-submit", due="2025-06-04")
    deadline = by_code(plan_deadlines(plan, today=D(2025, 7, 1)))["pap-submit"]
    assert deadline.describe() == "Due 4 June 2025 – met on 4 June 2025"


def test_a_stated_review_date_wins_and_moves_the_evidence_reminder():
    # Southend's letter: "Your six-month review meeting … will take place in May 2022".
    plan = approved_accelerated()
    stated(plan=plan, code="app-review", due="2022-05-26", stated_in="DfE's approval letter")
    deadlines = by_code(plan_deadlines(plan, today=D(2022, 1, 4)))
    assert deadlines["app-review"].due == D(2022, 5, 26)
    assert deadlines["app-review"].stated_text == (
        "Due 26 May 2022 (stated in DfE's approval letter); the rule gives 22 May 2022"
    )
    assert deadlines["app-review-evidence"].due == D(2022, 5, 12)
    assert deadlines["app-review-evidence"].anchor_description == (
        "2 weeks before “DfE and NHS England progress review” (due 26 May 2022)"
    )


def test_a_stated_review_date_applies_only_until_that_review_is_held():
    plan = approved_accelerated()
    stated(plan=plan, code="app-review", due="2022-05", stated_in="DfE's approval letter")
    stated(plan=plan, code="app-review", due="2022-11-30", stated_in="DfE's review letter")
    first = by_code(plan_deadlines(plan, today=D(2022, 1, 4)))["app-review"]
    assert first.describe() == "Due in May 2022"
    make_review(area=plan.area, ref="6-month", held="2022-05-10")
    second = by_code(plan_deadlines(plan, today=D(2022, 6, 1)))["app-review"]
    assert second.due == D(2022, 11, 30)
    assert second.stated.stated_in == "DfE's review letter"
    make_review(area=plan.area, ref="12-month", held="2022-11-30")
    third = by_code(plan_deadlines(plan, today=D(2022, 12, 1)))["app-review"]
    assert not third.is_stated
    assert third.due == D(2023, 5, 30)


def test_a_superseded_cycle_ignores_a_stated_review_date():
    plan = approved_accelerated()
    stated(plan=plan, code="app-review", due="2024-05-01")
    intervention(plan.area, issued="2023-11-16")
    deadline = by_code(plan_deadlines(plan, today=D(2024, 6, 1)))["app-review"]
    assert deadline.status == ENDED
    assert not deadline.is_stated


def test_a_stated_date_for_another_plan_is_not_used():
    plan = pap_due_3_june_2025()
    other = make_plan(inspection=plan.responds_to, kind=Plan.Kind.PRIORITY_ACTION, ref="pap-2")
    stated(plan=other, code="pap-submit", due="2025-06-20")
    deadline = by_code(plan_deadlines(plan, today=D(2025, 5, 1)))["pap-submit"]
    assert not deadline.is_stated
    together = deadlines_for_plans([plan, other], today=D(2025, 5, 1))
    assert by_code(together[plan])["pap-submit"].due == D(2025, 6, 3)
    assert by_code(together[other])["pap-submit"].due == D(2025, 6, 20)


def test_my_area_shows_the_stated_date_and_the_rules_date(client, cast):
    # Testshire's WSOA report was received on 16 May 2024: 70 working days end 23 August.
    stated(
        plan=cast.plan,
        code="wsoa-submit",
        due="2024-08-30",
        stated_in="Ofsted's letter of 16 May 2024",
    )
    client.force_login(cast.board_member)
    page = client.get(reverse("board:my-area", kwargs={"area_slug": cast.area.slug}))
    assert page.status_code == 200
    assert (
        escape(
            "Due 30 August 2024 (stated in Ofsted's letter of 16 May 2024); the rule gives "
            "23 August 2024"
        )
        in page.content.decode()
    )


def stated_row(**fields):
    values = {"due_on": D(2025, 6, 4), "stated_in": "DfE's letter", **fields}
    return StatedDeadline(**values)


def errors_of(row):
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    return error.value.message_dict


def test_a_stated_date_must_fit_its_rule():
    plan = pap_due_3_june_2025()
    inspection = plan.responds_to
    assert errors_of(stated_row(rule=rule("pap-submit"))) == {
        "plan": ["Choose the plan this date is for."]
    }
    assert errors_of(stated_row(rule=rule("wsoa-submit"), plan=plan))["rule"] == [
        "This rule is for a written statement of action. Choose a rule for a priority action plan."
    ]
    assert errors_of(stated_row(rule=rule("pap-submit"), inspection=inspection))["inspection"] == [
        "This rule is about a plan: choose the plan, not an inspection."
    ]
    assert errors_of(stated_row(rule=rule("full-3-next-inspection"), plan=plan))["plan"] == [
        "This rule is about an inspection: choose the inspection, not a plan."
    ]
    assert errors_of(stated_row(rule=rule("full-2-next-inspection"), inspection=inspection))[
        "rule"
    ] == [
        "This rule is for inspections with outcome 2: inconsistent experiences and outcomes; "
        "this inspection's outcome is different."
    ]
    stated_row(rule=rule("full-3-next-inspection"), inspection=inspection).full_clean()


def test_a_rule_due_once_has_one_stated_date_and_a_repeating_one_one_per_date():
    plan = pap_due_3_june_2025()
    stated(plan=plan, code="pap-submit", due="2025-06-04")
    assert errors_of(stated_row(rule=rule("pap-submit"), plan=plan))["rule"] == [
        "A date is already stated for this rule. Change that one instead: its history keeps "
        "the old date."
    ]
    app = approved_accelerated()
    stated(plan=app, code="app-review", due="2022-05-26")
    stated_row(rule=rule("app-review"), plan=app, due_on=D(2022, 11, 26)).full_clean()
    assert errors_of(stated_row(rule=rule("app-review"), plan=app, due_on=D(2022, 5, 26))) == {
        "due_on": ["This date is already stated for this rule."]
    }


def test_a_stated_month_must_be_stored_as_its_first_day():
    plan = pap_due_3_june_2025()
    row = stated_row(rule=rule("pap-submit"), plan=plan, due_on=D(2025, 6, 4))
    row.due_on_precision = Precision.MONTH
    assert errors_of(row) == {
        "__all__": [
            "A date known only to the month or year must be stored as the first day of that "
            "month or year."
        ]
    }


# The rules are data.


def test_editing_a_rule_changes_the_due_date():
    plan = wsoa(received="2018-05-16")
    DeadlineRule.objects.filter(code="wsoa-submit").update(offset=20)
    deadline = by_code(plan_deadlines(plan, today=D(2018, 6, 1)))["wsoa-submit"]
    assert deadline.due == D(2018, 6, 14)  # Spring bank holiday 28 May skipped
    assert deadline.anchor_description.startswith("20 working days after")


def test_deactivating_a_rule_removes_it():
    plan = wsoa(received="2018-05-16")
    DeadlineRule.objects.filter(code="wsoa-revisit").update(is_active=False)
    assert set(by_code(plan_deadlines(plan, today=D(2018, 6, 1)))) == {"wsoa-submit"}


def test_deactivating_a_rule_removes_the_reminders_counted_from_it():
    plan = accelerated()
    DeadlineRule.objects.filter(code="app-review").update(is_active=False)
    assert plan_deadlines(plan, today=D(2022, 1, 4)) == []


def test_a_new_rule_is_picked_up():
    plan = wsoa(received="2018-05-16")
    DeadlineRule.objects.create(
        code="wsoa-draft-to-board",
        plan_kind=Plan.Kind.WSOA,
        label="Draft to the improvement board",
        anchor=DeadlineRule.Anchor.RULE,
        relative_to=DeadlineRule.objects.get(code="wsoa-submit"),
        offset=-10,
        unit=DeadlineRule.Unit.WORKING_DAYS,
        source="Local practice.",
    )
    deadline = by_code(plan_deadlines(plan, today=D(2018, 6, 1)))["wsoa-draft-to-board"]
    assert deadline.due == D(2018, 8, 9)
    assert deadline.anchor_description == (
        "10 working days before “Submit the written statement of action to Ofsted” "
        "(due 23 August 2018)"
    )


def test_a_reminder_goes_once_the_deadline_it_prepares_for_is_met():
    plan = wsoa(received="2018-05-16", submitted="2018-08-20")
    DeadlineRule.objects.create(
        code="wsoa-draft-to-board",
        plan_kind=Plan.Kind.WSOA,
        label="Draft to the improvement board",
        anchor=DeadlineRule.Anchor.RULE,
        relative_to=DeadlineRule.objects.get(code="wsoa-submit"),
        offset=-10,
        unit=DeadlineRule.Unit.WORKING_DAYS,
        source="Local practice.",
    )
    assert "wsoa-draft-to-board" not in by_code(plan_deadlines(plan, today=D(2018, 9, 1)))


def test_prefetched_records_are_filtered_to_the_plan_and_need_no_query(
    django_assert_num_queries,
):
    plan = wsoa(received="2018-05-16")
    other = wsoa(area_slug="other", received="2018-05-16")
    rules = list(DeadlineRule.objects.all())
    for rule_row in rules:
        if rule_row.code == "wsoa-revisit":
            rule_row.is_active = False
    elsewhere = stated(plan=other, code="wsoa-submit", due="2018-09-01")
    with django_assert_num_queries(0):
        deadlines = plan_deadlines(
            plan,
            today=D(2018, 6, 1),
            rules=rules,
            reviews=[],
            inspections=[plan.responds_to, other.responds_to],
            interventions=[],
            stated=[elsewhere],
        )
    assert [d.rule.code for d in deadlines] == ["wsoa-submit"]
    assert not deadlines[0].is_stated


# The rules' own integrity.


def rule_row(**overrides):
    fields = {
        "code": "a-new-rule",
        "plan_kind": Plan.Kind.WSOA,
        "label": "A new rule",
        "anchor": DeadlineRule.Anchor.REPORT_RECEIVED,
        "offset": 10,
        "unit": DeadlineRule.Unit.WORKING_DAYS,
        "source": "Local practice.",
    }
    return DeadlineRule(**{**fields, **overrides})


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"plan_kind": "", "inspection_outcome": "2", "anchor": "plan_judged"},
            "anchor",
            "A rule about an inspection counts from its report, not from a plan's judgement. "
            "Choose the report being received or published.",
        ),
        (
            {"plan_kind": "", "inspection_outcome": "2", "met_by": "submitted"},
            "met_by",
            "A rule about an inspection cannot be met by a plan. Choose an inspection or a "
            "review, or nothing.",
        ),
        (
            {"repeats": True, "offset": None, "unit": "", "met_by": "progress_review"},
            "offset",
            "Enter how often a repeating rule is due.",
        ),
        (
            {"repeats": True, "unit": "months", "offset": 6},
            "met_by",
            "A repeating rule is met by each review held: choose progress review or "
            "engagement meeting.",
        ),
        (
            {"ended_after": D(2022, 12, 31)},
            "ended_because",
            "Say why the rule no longer applies: the board sees it.",
        ),
        (
            {"ended_because": "it ended"},
            "ended_after",
            "Enter the last day the rule applied.",
        ),
    ],
)
def test_a_rule_must_make_sense(overrides, field, message):
    assert errors_of(rule_row(**overrides))[field] == [message]


def test_a_rule_counted_from_another_needs_the_same_scope_and_a_due_date():
    next_inspection = rule("full-2-next-inspection")
    other_outcome = rule_row(
        plan_kind="",
        inspection_outcome="3",
        anchor=DeadlineRule.Anchor.RULE,
        relative_to=next_inspection,
        offset=-1,
        unit="months",
    )
    assert errors_of(other_outcome)["relative_to"] == [
        "Count only from a rule for the same inspection outcome."
    ]
    reminder = rule_row(
        plan_kind=Plan.Kind.STRATEGIC,
        anchor=DeadlineRule.Anchor.RULE,
        relative_to=rule("strategic-plan-update"),
        offset=-10,
    )
    assert errors_of(reminder)["relative_to"] == ["Count from a rule that has a due date."]
    no_offset = rule_row(
        anchor=DeadlineRule.Anchor.RULE,
        relative_to=rule("wsoa-submit"),
        offset=None,
        unit="",
    )
    assert errors_of(no_offset)["offset"] == [
        "Enter how long before or after the other rule's date."
    ]


def test_a_rule_is_about_a_plan_or_an_outcome_and_has_an_offset_with_a_unit():
    assert errors_of(rule_row(inspection_outcome="2")) == {
        "__all__": [
            "A rule is about either a kind of plan or an inspection outcome: choose one of "
            "them, not both."
        ]
    }
    assert errors_of(rule_row(unit="")) == {
        "__all__": [
            "Enter both the offset and its unit, or neither for a reminder with no due date."
        ]
    }
    rule_row(offset=None, unit="").full_clean()  # a reminder with no due date


def test_a_rule_says_what_it_is_about():
    assert rule("pap-submit").scope_text == "Priority action plan"
    assert rule("full-2-next-inspection").scope_text == (
        "Inspections with outcome 2: inconsistent experiences and outcomes"
    )


# Queries.


def make_mixed_plans(count):
    plans = []
    for n in range(count):
        area = make_area(slug=f"area-{n}")
        first = make_inspection(area=area, start="2018-03-01", received="2018-05-16")
        plans.append(make_plan(inspection=first, judged="2018-10-01", status=Plan.Status.FIT))
        make_review(area=area, ref="review", held="2022-05-10")
        revisit = make_inspection(
            area=area,
            ref="revisit",
            kind=Inspection.Kind.REVISIT,
            start="2021-09-20",
            published="2021-11-05",
        )
        app = make_plan(inspection=revisit, kind=Plan.Kind.ACCELERATED, judged="2021-11-22")
        plans.append(app)
        stated(plan=app, code="app-review", due="2022-11-30")
        intervention(area, issued="2023-11-16")
        full = make_inspection(
            area=area,
            ref="2024-inspection",
            framework=SEND_2023,
            start="2024-03-04",
            received="2024-04-22",
            outcome=OUTCOME_3,
        )
        plans.append(make_plan(inspection=full, kind=Plan.Kind.PRIORITY_ACTION))
        plans.append(make_plan(inspection=full, kind=Plan.Kind.STRATEGIC))
    return [Plan.objects.get(pk=plan.pk) for plan in plans]  # nothing cached


@pytest.mark.parametrize("count", [1, 5])
def test_deadlines_for_plans_uses_five_queries_for_any_number_of_plans(
    count, django_assert_num_queries
):
    plans = make_mixed_plans(count)
    # The rules, the areas' inspections, reviews and interventions, the stated dates.
    with django_assert_num_queries(5):
        result = deadlines_for_plans(plans, today=D(2022, 6, 1))
        texts = [d.describe() for deadlines in result.values() for d in deadlines]
    assert len(result) == 4 * count
    # WSOA: submit, revisit; accelerated: review, evidence; priority action: submit,
    # publish, monitoring; strategic: the reminder.
    assert len(texts) == 8 * count
    assert sum(d.is_stated for found in result.values() for d in found) == count


def test_deadlines_for_plans_agrees_with_plan_deadlines():
    plans = make_mixed_plans(2)
    for today in (D(2022, 6, 1), D(2026, 11, 22)):
        together = deadlines_for_plans(plans, today=today)
        for plan in plans:
            alone = plan_deadlines(Plan.objects.get(pk=plan.pk), today=today)
            assert [d.describe() for d in together[plan]] == [d.describe() for d in alone]


def test_deadlines_for_no_plans_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert deadlines_for_plans([], today=D(2022, 6, 1)) == {}


def test_plan_deadlines_alone_needs_few_queries():
    plan = Plan.objects.get(pk=accelerated().pk)
    with CaptureQueriesContext(connection) as queries:
        plan_deadlines(plan, today=D(2022, 6, 1))
    # Rules, the inspection it answers, the area's inspections, reviews and
    # interventions, and the stated dates.
    assert len(queries) <= 6


def make_inspected_areas(count):
    inspections = []
    for n in range(count):
        for outcome in (OUTCOME_1, OUTCOME_2, OUTCOME_3):
            area = make_area(slug=f"area-{n}-{outcome}")
            inspection = make_inspection(
                area=area,
                ref="2024-inspection",
                framework=SEND_2023,
                start="2024-03-04",
                received="2024-04-22",
                outcome=outcome,
            )
            later_full_inspection(area, start="2026-09-07")
            review(area, "engagement", "2025-04-01", ProgressReview.Kind.ENGAGEMENT_MEETING)
            inspections.append(inspection)
        stated(inspection=inspection, code="full-3-next-inspection", due="2027-04")
    return [Inspection.objects.get(pk=inspection.pk) for inspection in inspections]


@pytest.mark.parametrize("count", [1, 4])
def test_deadlines_for_inspections_uses_a_fixed_number_of_queries(count, django_assert_num_queries):
    DeadlineRule.objects.filter(code__endswith="-engagement").update(is_active=True)
    inspections = make_inspected_areas(count)
    # The rules, the areas' inspections and reviews, the stated dates.
    with django_assert_num_queries(4):
        result = deadlines_for_inspections(inspections, today=D(2026, 11, 22))
        texts = [d.describe() for deadlines in result.values() for d in deadlines]
    assert len(texts) == 2 * 3 * count  # the next inspection and engagement meetings
    assert sum(d.is_stated for found in result.values() for d in found) == count


def test_deadlines_for_inspections_agrees_with_inspection_deadlines():
    inspections = make_inspected_areas(1)
    together = deadlines_for_inspections(inspections, today=D(2026, 11, 22))
    for inspection in inspections:
        alone = inspection_deadlines(inspection, today=D(2026, 11, 22))
        assert [d.describe() for d in together[inspection]] == [d.describe() for d in alone]
        assert all(d.status == MET for d in alone)  # the September 2026 inspection came


def test_portal_today_is_the_london_date():
    assert isinstance(portal_today(), D)


def test_deadline_is_frozen():
    deadline = by_code(plan_deadlines(wsoa(received="2018-05-16"), today=D(2018, 6, 1)))[
        "wsoa-submit"
    ]
    assert isinstance(deadline, Deadline)
    with pytest.raises(AttributeError):
        deadline.due = None
