"""Each plan's statutory and official due dates, worked out from the DeadlineRule data.

``plan_deadlines(plan, today=...)`` gives one Deadline per active rule for the
plan's kind, in rule order. ``deadlines_for_plans(plans, today=...)`` does the
same for many plans with a fixed number of queries. Nothing here reads the
clock: callers pass ``today`` (``portal_today()`` in views and commands), so
the answers can be tested and are the same throughout one request.

How a due date is counted
-------------------------
* From the report being received: the inspection's ``received`` date; when
  only its publication date is known the clock is counted from publication
  and the Deadline says so (``counted_from_publication``). A receipt date
  known only to the month is still used (and so gives "not known" below),
  because counting from the later publication date would give a deadline
  later than the real one.
* Working days use England and Wales bank holidays; the day the clock starts
  is day 0. Calendar days and weeks are plain date arithmetic; months use
  ``relativedelta`` (31 August + 6 months is 28 or 29 February). A due date
  counted in months or weeks may fall at a weekend; it is not moved.
* A rule counted from another rule takes that rule's due date plus its own
  offset (for example evidence two weeks before the next review).
* A repeating rule (progress reviews) is due one interval after the latest
  review of the area held after the anchor and not after today, else one
  interval after the anchor. It never steps further forward, so a missed
  review stays overdue rather than quietly moving to the next slot.

Dates known only to the month or year
-------------------------------------
* Working days, calendar days and weeks from a date known only to the month
  cannot give a real date: the Deadline has ``due=None``, status "unknown"
  and a reason such as "the report date is known only to the month (May 2018)".
* Months from a date known only to the month give a month: 18 months after
  "October 2018" is "April 2020" (``due`` is the 1st, ``due_precision`` is
  "month"). This applies to every month rule, approximate or not, because the
  month is the honest answer. Such a deadline is "overdue" only once the
  whole month has passed, so nobody is told they are late when they may not be.
* Anything counted from a date known only to the year is "unknown".
* Approximate rules ("usually within 18 months") are shown to the month
  ("About March 2023") and are overdue only once that month has passed.
* ``working_days_left`` is given only for exact, non-approximate due dates;
  counting working days to "about March" would be false precision.

When a deadline counts as met
-----------------------------
``met_by`` says what meets it: the plan's submitted or published date, or the
first revisit or monitoring inspection of the area starting after the anchor.
A plan whose status shows it was submitted (or published) but has no date
recorded is met with ``met_on=None``, so old records without dates are not
shown as years overdue. A repeating rule on an open plan is never met (the
next review has not happened yet). On a closed or superseded plan a repeating
rule shows its last review as met, or is left out if there was none, and
reminders that nothing can meet (``met_by`` blank) are left out too.
A reminder counted from another rule is left out once that rule is met, and
a rule counted from an inactive rule is left out: the reminder means nothing
without the deadline it prepares for.
"""

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils import timezone

from inspections.models import Inspection, ProgressReview
from kit.calendar import add_working_days, working_days_between
from kit.dates import PartialDate, Precision, format_date

from .models import DeadlineRule, Plan

MET = "met"
DUE = "due"
OVERDUE = "overdue"
UNKNOWN = "unknown"

FOLLOW_UP_KINDS = frozenset({Inspection.Kind.REVISIT, Inspection.Kind.MONITORING})

# A plan in one of these states has been submitted, whether or not the date was recorded.
SUBMITTED_STATES = frozenset(Plan.Status) - {Plan.Status.DRAFT}
PUBLISHED_STATES = frozenset({Plan.Status.PUBLISHED, Plan.Status.CLOSED})

_UNIT_NAMES = {
    DeadlineRule.Unit.WORKING_DAYS: ("working day", "working days"),
    DeadlineRule.Unit.DAYS: ("day", "days"),
    DeadlineRule.Unit.WEEKS: ("week", "weeks"),
    DeadlineRule.Unit.MONTHS: ("month", "months"),
}


def portal_today():
    """Today in the portal's time zone (Europe/London), for callers to pass in."""
    return timezone.localdate()


@dataclass(frozen=True)
class Deadline:
    """One rule's due date for one plan, and whether it has been met."""

    rule: DeadlineRule
    label: str
    due: datetime.date | None
    approximate: bool
    anchor_description: str
    met_on: PartialDate | None
    status: str
    working_days_left: int | None
    # "month" when only the month of the due date can be known.
    due_precision: str = Precision.DAY
    counted_from_publication: bool = False
    unknown_reason: str = ""

    @property
    def due_partial(self):
        return PartialDate(self.due, self.due_precision) if self.due else None

    @property
    def is_met(self):
        return self.status == MET

    @property
    def is_overdue(self):
        return self.status == OVERDUE

    @property
    def due_text(self):
        """'Due 23 August 2018', 'Due in May 2022' or 'About March 2023 (approximate)'."""
        if self.due is None:
            return "Due date not known"
        if self.approximate:
            return f"About {_month_text(self.due)} (approximate)"
        if self.due_precision == Precision.MONTH:
            return f"Due in {_month_text(self.due)}"
        return f"Due {format_date(self.due)}"

    def describe(self):
        """The sentence people see, for example 'Due 16 February 2022 – 12 working days left'."""
        if self.status == MET:
            return f"{self.due_text} – {_met_text(self.met_on)}"
        if self.status == UNKNOWN:
            return f"Date not known – {self.unknown_reason}"
        if self.approximate:
            return self.due_text + (" – later than expected" if self.is_overdue else "")
        if self.due_precision == Precision.MONTH or self.working_days_left is None:
            return self.due_text + (" – overdue" if self.is_overdue else "")
        left = self.working_days_left
        if self.status == OVERDUE:
            if left == 0:  # the due day has passed but no working day since (a weekend)
                return f"Overdue (due {format_date(self.due)})"
            return f"Overdue by {_count(-left, 'working day')} (due {format_date(self.due)})"
        if left == 0:
            return f"Due today ({format_date(self.due)})"
        return f"{self.due_text} – {_count(left, 'working day')} left"

    @property
    def text(self):
        return self.describe()

    def __str__(self):
        return f"{self.label}: {self.describe()}"


def plan_deadlines(plan, *, today, rules=None, reviews=None, follow_ups=None):
    """The plan's deadlines, one per active rule for its kind, in rule order.

    ``rules``, ``reviews`` and ``follow_ups`` may be passed already fetched
    (any areas and kinds; they are filtered here) so that a page of plans
    needs no query per plan. Left out, each is fetched for this plan.
    """
    if rules is None:
        rules = DeadlineRule.objects.filter(is_active=True, plan_kind=plan.kind)
    rules = [r for r in rules if r.is_active and r.plan_kind == plan.kind]
    if not rules:
        return []
    if reviews is None:
        reviews = ProgressReview.objects.filter(area_id=plan.area_id, held_on__isnull=False)
    if follow_ups is None:
        follow_ups = Inspection.objects.filter(area_id=plan.area_id, kind__in=FOLLOW_UP_KINDS)
    context = _PlanContext(
        plan=plan,
        today=today,
        reviews=[r for r in reviews if r.area_id == plan.area_id],
        follow_ups=[
            i for i in follow_ups if i.area_id == plan.area_id and i.kind in FOLLOW_UP_KINDS
        ],
    )
    # Rules counted from an event first, so those counted from a rule can use them
    # (a rule counts only from an event-anchored rule; DeadlineRule.clean sees to that).
    computed = {}
    for rule in rules:
        if rule.anchor != DeadlineRule.Anchor.RULE:
            computed[rule.pk] = _event_deadline(rule, context)
    for rule in rules:
        if rule.anchor == DeadlineRule.Anchor.RULE:
            base = computed.get(rule.relative_to_id)
            computed[rule.pk] = _rule_deadline(rule, base, context) if base else None
    return [computed[rule.pk] for rule in rules if computed[rule.pk] is not None]


def deadlines_for_plans(plans, *, today):
    """{plan: [Deadline, ...]} for any number of plans in at most three queries.

    One query each for the rules, the areas' inspections (the ones the plans
    answer and their follow-ups) and the areas' progress reviews. The plans'
    ``responds_to`` is filled from the inspections when it was not fetched.
    """
    plans = list(plans)
    if not plans:
        return {}
    area_ids = {plan.area_id for plan in plans}
    rules = list(
        DeadlineRule.objects.filter(is_active=True, plan_kind__in={plan.kind for plan in plans})
    )
    inspections = Inspection.objects.filter(
        Q(area_id__in=area_ids) | Q(pk__in={plan.responds_to_id for plan in plans})
    )
    inspections_by_id = {inspection.pk: inspection for inspection in inspections}
    follow_ups = defaultdict(list)
    for inspection in inspections_by_id.values():
        if inspection.kind in FOLLOW_UP_KINDS:
            follow_ups[inspection.area_id].append(inspection)
    reviews = defaultdict(list)
    if any(rule.repeats for rule in rules):
        for review in ProgressReview.objects.filter(area_id__in=area_ids, held_on__isnull=False):
            reviews[review.area_id].append(review)
    result = {}
    for plan in plans:
        if not Plan.responds_to.is_cached(plan):
            plan.responds_to = inspections_by_id[plan.responds_to_id]
        result[plan] = plan_deadlines(
            plan,
            today=today,
            rules=rules,
            reviews=reviews[plan.area_id],
            follow_ups=follow_ups[plan.area_id],
        )
    return result


@dataclass(frozen=True)
class _PlanContext:
    plan: Plan
    today: datetime.date
    reviews: list
    follow_ups: list


@dataclass(frozen=True)
class _Anchor:
    """Where a rule counts from: a date (or None), how to say it, and why it may be missing."""

    date: PartialDate | None
    phrase: str  # "the report was received on 16 May 2018"
    subject: str  # "the report date", for "… is known only to the month"
    missing_reason: str = ""
    counted_from_publication: bool = False


def _event_anchor(rule, plan):
    inspection = plan.responds_to
    if rule.anchor == DeadlineRule.Anchor.REPORT_RECEIVED:
        if inspection.received:
            return _Anchor(
                inspection.received,
                f"the report was received {_on(inspection.received)}",
                "the report date",
            )
        if inspection.published:
            return _Anchor(
                inspection.published,
                f"the report was published {_on(inspection.published)}, counted from "
                "publication (the date the report was received is not known)",
                "the report's publication date",
                counted_from_publication=True,
            )
        return _Anchor(
            None,
            "the report is received",
            "the report date",
            "the date the report was received is not recorded",
        )
    if rule.anchor == DeadlineRule.Anchor.REPORT_PUBLISHED:
        if inspection.published:
            return _Anchor(
                inspection.published,
                f"the report was published {_on(inspection.published)}",
                "the report's publication date",
            )
        return _Anchor(
            None,
            "the report is published",
            "the report's publication date",
            "the report's publication date is not recorded",
        )
    # Anchor.PLAN_JUDGED
    if plan.judged:
        return _Anchor(
            plan.judged, f"the plan was judged {_on(plan.judged)}", "the date the plan was judged"
        )
    judged_states = {Plan.Status.FIT, Plan.Status.NOT_FIT, Plan.Status.APPROVED}
    return _Anchor(
        None,
        "the plan is judged fit for purpose or approved",
        "the date the plan was judged",
        "the date the plan was judged is not recorded"
        if plan.status in judged_states
        else "the plan has not been judged yet",
    )


def _event_deadline(rule, context):
    plan = context.plan
    anchor = _event_anchor(rule, plan)
    if rule.repeats:
        return _repeating_deadline(rule, anchor, context)
    met_on, met = _met(rule, plan, anchor, context)
    due, precision, reason = _shift(anchor, rule)
    if not plan.is_open and not met and rule.met_by == DeadlineRule.MetBy.NOTHING:
        return None  # a reminder for a closed plan is moot
    return _deadline(
        rule,
        due=due,
        precision=precision,
        approximate=rule.approximate,
        anchor_description=f"{_amount(rule)} {anchor.phrase}",
        met_on=met_on,
        met=met,
        unknown_reason=reason,
        counted_from_publication=anchor.counted_from_publication,
        today=context.today,
    )


def _repeating_deadline(rule, anchor, context):
    plan, today = context.plan, context.today
    # Reviews of this plan: after the anchor (or, when it is not known, after the
    # inspection the plan answers), already held, and known at least to the month.
    after = anchor.date or plan.responds_to.start
    held = sorted(
        (
            review
            for review in context.reviews
            if review.held
            and review.held.precision in (Precision.DAY, Precision.MONTH)
            and review.held.date <= today
            and (after is None or review.held.last_day > after.date)
        ),
        key=lambda review: (review.held_on, review.pk),
    )
    every = (
        f"; due again every {_count(abs(rule.offset), *_UNIT_NAMES[rule.unit])} after each review"
    )
    if plan.is_open:
        if held:
            latest = held[-1]
            base = _Anchor(
                latest.held,
                f"the last progress review {_on(latest.held)}",
                "the last review's date",
            )
        else:
            base = anchor
        due, precision, reason = _shift(base, rule)
        return _deadline(
            rule,
            due=due,
            precision=precision,
            approximate=rule.approximate,
            anchor_description=f"{_amount(rule)} {base.phrase}{every}",
            met_on=None,
            met=False,
            unknown_reason=reason,
            counted_from_publication=base.counted_from_publication,
            today=today,
        )
    # A closed or superseded plan expects no more reviews: show the last one as met.
    if not held:
        return None
    latest = held[-1]
    if len(held) > 1:
        previous = held[-2]
        base = _Anchor(
            previous.held,
            f"the progress review {_on(previous.held)}",
            "the previous review's date",
        )
    else:
        base = anchor
    due, precision, reason = _shift(base, rule)
    return _deadline(
        rule,
        due=due,
        precision=precision,
        approximate=rule.approximate,
        anchor_description=f"{_amount(rule)} {base.phrase}",
        met_on=latest.held,
        met=True,
        unknown_reason=reason,
        counted_from_publication=base.counted_from_publication,
        today=today,
    )


def _rule_deadline(rule, base, context):
    plan = context.plan
    if not plan.is_open and base.rule.repeats:
        return None  # no more reviews to prepare for
    if base.status == MET and rule.met_by == DeadlineRule.MetBy.NOTHING:
        return None  # a reminder is moot once what it prepares for has been done
    base_text = _first_lower(base.due_text) if base.due else "its due date is not known yet"
    anchor = _Anchor(
        base.due_partial,
        f"“{base.label}” ({base_text})",
        f"the date of “{base.label}”",
        base.unknown_reason,
        base.counted_from_publication,
    )
    met_on, met = _met(rule, plan, anchor, context)
    if not plan.is_open and not met and rule.met_by == DeadlineRule.MetBy.NOTHING:
        return None
    due, precision, reason = _shift(anchor, rule)
    return _deadline(
        rule,
        due=due,
        precision=precision,
        approximate=rule.approximate or base.approximate,
        anchor_description=f"{_amount(rule)} {anchor.phrase}",
        met_on=met_on,
        met=met,
        unknown_reason=reason,
        counted_from_publication=anchor.counted_from_publication,
        today=context.today,
    )


def _shift(anchor, rule):
    """(due date, its precision, why it is not known) for the rule counted from the anchor."""
    start = anchor.date
    if start is None:
        return None, Precision.DAY, anchor.missing_reason
    if start.precision == Precision.DAY:
        return _add(start.date, rule.offset, rule.unit), Precision.DAY, ""
    if start.precision == Precision.MONTH and rule.unit == DeadlineRule.Unit.MONTHS:
        return start.date + relativedelta(months=rule.offset), Precision.MONTH, ""
    return None, Precision.DAY, f"{anchor.subject} is known only to the {start.precision} ({start})"


def _add(day, offset, unit):
    if unit == DeadlineRule.Unit.WORKING_DAYS:
        return add_working_days(day, offset)
    if unit == DeadlineRule.Unit.MONTHS:
        return day + relativedelta(months=offset)
    if unit == DeadlineRule.Unit.WEEKS:
        return day + datetime.timedelta(weeks=offset)
    return day + datetime.timedelta(days=offset)


def _met(rule, plan, anchor, context):
    """(the date the rule was met or None, whether it was met)."""
    if rule.met_by == DeadlineRule.MetBy.SUBMITTED:
        return plan.submitted, bool(plan.submitted) or plan.status in SUBMITTED_STATES
    if rule.met_by == DeadlineRule.MetBy.PUBLISHED:
        return plan.published, bool(plan.published) or plan.status in PUBLISHED_STATES
    if rule.met_by == DeadlineRule.MetBy.FOLLOW_UP:
        # Without the anchor date, any follow-up after the inspection the plan answers counts.
        after = anchor.date or plan.responds_to.start
        candidates = sorted(
            (
                inspection
                for inspection in context.follow_ups
                if inspection.start
                and inspection.pk != plan.responds_to_id
                and (after is None or inspection.start.last_day > after.date)
            ),
            key=lambda inspection: (inspection.start_date, inspection.pk),
        )
        if candidates:
            return candidates[0].start, True
    return None, False


def _deadline(
    rule,
    *,
    due,
    precision,
    approximate,
    anchor_description,
    met_on,
    met,
    unknown_reason,
    counted_from_publication,
    today,
):
    left = None
    if met:
        status = MET
    elif due is None:
        status = UNKNOWN
    elif approximate or precision != Precision.DAY:
        # Late only once the whole month has passed.
        status = OVERDUE if today > _month_end(due) else DUE
    else:
        status = OVERDUE if today > due else DUE
        left = working_days_between(today, due)
    return Deadline(
        rule=rule,
        label=rule.label,
        due=due,
        approximate=approximate,
        anchor_description=anchor_description,
        met_on=met_on,
        status=status,
        working_days_left=left,
        due_precision=precision,
        counted_from_publication=counted_from_publication,
        unknown_reason="" if met or due is not None else unknown_reason,
    )


def _amount(rule):
    """'70 working days after' or '2 weeks before'."""
    direction = "before" if rule.offset < 0 else "after"
    return f"{_count(abs(rule.offset), *_UNIT_NAMES[rule.unit])} {direction}"


def _count(number, singular, plural=None):
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def _on(partial):
    """'on 16 May 2018', 'in May 2018' or 'in 2018'."""
    return f"on {partial}" if partial.is_exact else f"in {partial}"


def _met_text(met_on):
    if met_on is None:
        return "met (date not recorded)"
    return f"met {_on(met_on)}"


def _first_lower(text):
    # Only the first letter: month names and "DfE" keep their capitals.
    return text[:1].lower() + text[1:]


def _month_text(day):
    return f"{calendar.month_name[day.month]} {day.year}"


def _month_end(day):
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])
