"""Plans' due dates from the seeded deadline rules, checked against real areas' dates."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.deadlines import (
    DUE,
    MET,
    OVERDUE,
    UNKNOWN,
    Deadline,
    deadlines_for_plans,
    plan_deadlines,
    portal_today,
)
from actions.models import DeadlineRule, Plan
from inspections.models import Inspection
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
}


def by_code(deadlines):
    return {deadline.rule.code: deadline for deadline in deadlines}


def wsoa(*, area_slug="testshire", received=None, published=None, **plan_fields):
    area = make_area(slug=area_slug)
    inspection = make_inspection(
        area=area, start="2018-03-01", received=received, published=published
    )
    return make_plan(inspection=inspection, **plan_fields)


def accelerated(*, published="2021-11-05", **plan_fields):
    area = make_area(slug="revisited")
    make_inspection(area=area, ref="2018-inspection", start="2018-03-01")
    revisit = make_inspection(
        area=area,
        ref="2021-revisit",
        kind=Inspection.Kind.REVISIT,
        start="2021-09-20",
        published=published,
    )
    return make_plan(inspection=revisit, kind=Plan.Kind.ACCELERATED, **plan_fields)


def priority_action(*, received="2023-12-05", **plan_fields):
    area = make_area(slug="full-inspected")
    inspection = make_inspection(
        area=area,
        ref="2023-inspection",
        framework=Inspection.Framework.AREA_SEND_2023,
        start="2023-10-16",
        received=received,
    )
    return make_plan(inspection=inspection, kind=Plan.Kind.PRIORITY_ACTION, **plan_fields)


def test_the_migration_seeds_the_rules_with_their_sources():
    rules = {rule.code: rule for rule in DeadlineRule.objects.all()}
    assert SEEDED.issubset(rules)
    assert all(rules[code].source for code in SEEDED)
    assert rules["app-review-evidence"].relative_to == rules["app-review"]
    assert "regulation 4" in rules["wsoa-submit"].source
    for rule in rules.values():
        rule.full_clean()


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


# Accelerated progress plans: reviews every six months.


def test_first_review_six_months_after_the_revisit_report_and_evidence_two_weeks_before():
    plan = accelerated()
    deadlines = by_code(plan_deadlines(plan, today=D(2022, 1, 4)))
    review, evidence = deadlines["app-review"], deadlines["app-review-evidence"]
    assert review.due == D(2022, 5, 5)
    assert review.anchor_description == (
        "6 months after the report was published on 5 November 2021; "
        "due again every 6 months after each review"
    )
    assert evidence.due == D(2022, 4, 21)
    assert evidence.anchor_description == (
        "2 weeks before “DfE and NHS England progress review” (due 5 May 2022)"
    )
    assert evidence.status == DUE


def test_next_review_six_months_after_the_latest_review_held():
    plan = accelerated()
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


def test_a_missed_review_stays_overdue_rather_than_moving_on():
    plan = accelerated()
    make_review(area=plan.area, ref="6-month", held="2022-05-10")
    deadline = by_code(plan_deadlines(plan, today=D(2023, 8, 1)))["app-review"]
    assert deadline.due == D(2022, 11, 10)
    assert deadline.status == OVERDUE
    assert deadline.working_days_left < 0


def test_a_review_known_to_the_month_gives_a_month_and_no_evidence_date():
    plan = accelerated()
    make_review(area=plan.area, ref="12-month", held="2022-11")
    deadlines = by_code(plan_deadlines(plan, today=D(2023, 3, 1)))
    review, evidence = deadlines["app-review"], deadlines["app-review-evidence"]
    assert (review.due, review.due_precision) == (D(2023, 5, 1), Precision.MONTH)
    assert review.describe() == "Due in May 2023"
    assert by_code(plan_deadlines(plan, today=D(2023, 6, 1)))["app-review"].describe() == (
        "Due in May 2023 – overdue"
    )
    assert evidence.status == UNKNOWN
    assert evidence.unknown_reason == (
        "the date of “DfE and NHS England progress review” is known only to the month (May 2023)"
    )


def test_a_closed_plan_shows_its_last_review_and_no_future_ones():
    plan = accelerated(status=Plan.Status.CLOSED)
    make_review(area=plan.area, ref="6-month", held="2022-05-10")
    make_review(area=plan.area, ref="12-month", held="2022-11-14")
    deadlines = by_code(plan_deadlines(plan, today=D(2024, 1, 1)))
    assert set(deadlines) == {"app-review"}
    review = deadlines["app-review"]
    assert review.status == MET
    assert review.due == D(2022, 11, 10)
    assert review.met_on == PartialDate(D(2022, 11, 14))


def test_a_superseded_plan_without_reviews_shows_none():
    plan = accelerated(status=Plan.Status.SUPERSEDED)
    assert plan_deadlines(plan, today=D(2024, 1, 1)) == []


# Priority action plans (2023 framework).


def test_priority_action_plan_35_and_70_working_days():
    plan = priority_action(published="2024-02-20")
    deadlines = by_code(plan_deadlines(plan, today=D(2024, 1, 8)))
    # Christmas, Boxing Day and New Year's Day 2024 are not working days.
    assert deadlines["pap-submit"].due == D(2024, 1, 26)
    assert deadlines["pap-submit"].status == DUE
    assert deadlines["pap-publish"].due == D(2024, 3, 15)
    assert deadlines["pap-publish"].status == MET
    assert deadlines["pap-monitoring"].due == D(2025, 6, 5)
    assert deadlines["pap-monitoring"].describe() == "About June 2025 (approximate)"


def test_monitoring_inspection_meets_the_priority_action_plan_rule():
    plan = priority_action()
    make_inspection(
        area=plan.area,
        ref="2025-monitoring",
        framework=Inspection.Framework.AREA_SEND_2023,
        kind=Inspection.Kind.MONITORING,
        start="2025-05",
    )
    deadline = by_code(plan_deadlines(plan, today=D(2025, 9, 1)))["pap-monitoring"]
    assert deadline.status == MET
    assert deadline.describe() == "About June 2025 (approximate) – met in May 2025"


def test_plans_without_rules_have_no_deadlines():
    area = make_area()
    inspection = make_inspection(area=area, framework=Inspection.Framework.AREA_SEND_2023)
    plan = make_plan(inspection=inspection, kind=Plan.Kind.STRATEGIC)
    assert plan_deadlines(plan, today=D(2024, 1, 1)) == []


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


def test_prefetched_rules_are_filtered_to_the_plan_kind_and_active():
    plan = wsoa(received="2018-05-16")
    rules = list(DeadlineRule.objects.all())
    for rule in rules:
        if rule.code == "wsoa-revisit":
            rule.is_active = False
    deadlines = plan_deadlines(plan, today=D(2018, 6, 1), rules=rules, reviews=[], follow_ups=[])
    assert [d.rule.code for d in deadlines] == ["wsoa-submit"]


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
        plans.append(make_plan(inspection=revisit, kind=Plan.Kind.ACCELERATED))
    return [Plan.objects.get(pk=plan.pk) for plan in plans]  # nothing cached


@pytest.mark.parametrize("count", [1, 5])
def test_deadlines_for_plans_uses_three_queries_for_any_number_of_plans(
    count, django_assert_num_queries
):
    plans = make_mixed_plans(count)
    with django_assert_num_queries(3):
        result = deadlines_for_plans(plans, today=D(2022, 6, 1))
        texts = [d.describe() for deadlines in result.values() for d in deadlines]
    assert len(result) == 2 * count
    assert len(texts) == 4 * count


def test_deadlines_for_plans_agrees_with_plan_deadlines():
    plans = make_mixed_plans(2)
    today = D(2022, 6, 1)
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
    assert len(queries) <= 4  # rules, the inspection it answers, reviews, follow-ups


def test_portal_today_is_the_london_date():
    assert isinstance(portal_today(), D)


def test_deadline_is_frozen():
    deadline = by_code(plan_deadlines(wsoa(received="2018-05-16"), today=D(2018, 6, 1)))[
        "wsoa-submit"
    ]
    assert isinstance(deadline, Deadline)
    with pytest.raises(AttributeError):
        deadline.due = None
