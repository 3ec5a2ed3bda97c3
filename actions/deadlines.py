"""Statutory and official dates for plans and inspections, worked out from the DeadlineRule data.

``plan_deadlines(plan, today=...)`` gives one Deadline per active rule for the
plan's kind, in rule order; ``deadlines_for_plans(plans, today=...)`` does the
same for many plans in at most five queries. ``inspection_deadlines`` and
``deadlines_for_inspections`` do the same for the rules about an inspection's
outcome (the next full inspection after outcome 1, 2 or 3), which hang off the
inspection whether or not a plan answers it. Nothing here reads the clock:
callers pass ``today`` (``portal_today()`` in views and commands), so the
answers can be tested and are the same throughout one request.

How a due date is counted
-------------------------
* From the report being received: the inspection's ``received`` date; when
  only its publication date is known the clock is counted from publication
  and the Deadline says so (``counted_from_publication``). A receipt date
  known only to the month is still used (and so gives "not known" below),
  because counting from the later publication date would give a deadline
  later than the real one.
* From the plan being judged or approved: the plan's ``judged`` date (for a
  WSOA, Ofsted and CQC judging it fit for purpose; for an accelerated
  progress plan, DfE approving it). Which event a rule counts from is the
  rule's ``anchor``, so it can be changed as data.
* Working days use England and Wales bank holidays; the day the clock starts
  is day 0. Calendar days and weeks are plain date arithmetic; months use
  ``relativedelta`` (31 August + 6 months is 28 or 29 February). A due date
  counted in months or weeks may fall at a weekend; it is not moved.
* A rule with no offset is a reminder with no due date: the source asks for
  something (the strategic plan updated after each inspection) but gives no
  deadline. It is shown as "No deadline is given" until it is met.
* A rule counted from another rule takes that rule's due date plus its own
  offset (for example evidence two weeks before the next review).
* A repeating rule (progress reviews) is due one interval after the latest
  review of its kind held after the anchor and not after today, else one
  interval after the anchor. It never steps further forward, so a missed
  review stays overdue rather than quietly moving to the next slot.

A date stated by the source wins
--------------------------------
A StatedDeadline (a date in a DfE letter or notice) replaces the rule's due
date; the Deadline keeps the rule's own date in ``computed_due`` so the board
can see both when they differ (``stated_text``: "Due 4 June 2025 (stated in
DfE's letter); the rule gives 3 June 2025"). For a repeating rule, the stated
date used is the earliest one whose period starts after the latest review held
(or the anchor): a review held in the stated month, or later, uses it up. A
review held before its stated date does not, so record the review's date and
correct the stated one if a review is brought forward.

When a rule no longer applies
-----------------------------
A rule that is not met is shown as "No longer applies" (status ``ended``),
never as due or overdue, once

* its ``ended_after`` day has passed: the 2016 framework's revisit programme
  ended in December 2022, so no revisit is expected or overdue after that;
* a later event supersedes it (``ends_when``): a later inspection of the area,
  or a government intervention issued after the inspection the plan answers.
  This ends an accelerated progress plan's six-monthly reviews.

Dates known only to the month or year
-------------------------------------
* Working days, calendar days and weeks from a date known only to the month
  cannot give a real date: the Deadline has ``due=None``, status "unknown"
  and a reason such as "the report date is known only to the month (May 2018)".
* Months from a date known only to the month give a month: 18 months after
  "October 2018" is "April 2020" (``due`` is the 1st, ``due_precision`` is
  "month"). Such a deadline is "overdue" only once the whole month has
  passed, so nobody is told they are late when they may not be.
* Anything counted from a date known only to the year is "unknown".
* Approximate rules ("usually within 18 months") are shown to the month
  ("About March 2023") and are overdue only once that month has passed.
* ``working_days_left`` is given only for exact, non-approximate due dates;
  counting working days to "about March" would be false precision.

When a deadline counts as met
-----------------------------
``met_by`` says what meets it: the plan's submitted or published date, the
first revisit or monitoring inspection (or full inspection) of the area
starting after the anchor, or the first review of a kind held after it.
A plan whose status shows it was submitted (or published) but has no date
recorded is met with ``met_on=None``, so old records without dates are not
shown as years overdue. A repeating rule on an open plan is never met (the
next review has not happened yet). On a closed or superseded plan a repeating
rule shows its last review as met, or is left out if there was none, and
reminders that nothing can meet (``met_by`` blank) or that have no due date
are left out too, unless they were met.
A reminder counted from another rule is left out once that rule is met or no
longer applies, and a rule counted from an inactive rule is left out: the
reminder means nothing without the deadline it prepares for.

Handbook versions
-----------------
A rule's ``confirmed_until`` is the last day of the handbook version its
figures were checked against. For an inspection after it (or one with no
date) the Deadline carries a ``caveat`` that the describe() text shows.
"""

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils import timezone

from inspections.models import Inspection, Intervention, ProgressReview
from kit.calendar import add_working_days, working_days_between
from kit.dates import PartialDate, Precision, format_date
from kit.loading import Children, PreparedChildren

from .models import DeadlineRule, Plan, StatedDeadline

MET = "met"
DUE = "due"
OVERDUE = "overdue"
UNKNOWN = "unknown"
ENDED = "ended"  # no longer applies: a programme ended, or a later event superseded it
NO_DATE = "no_date"  # a reminder for which the source gives no deadline

FOLLOW_UP_KINDS = frozenset({Inspection.Kind.REVISIT, Inspection.Kind.MONITORING})

# What inspections meet a rule, by its met_by.
_MET_BY_INSPECTIONS = {
    DeadlineRule.MetBy.FOLLOW_UP: FOLLOW_UP_KINDS,
    DeadlineRule.MetBy.FULL_INSPECTION: frozenset({Inspection.Kind.FULL}),
}
# What reviews meet a rule, by its met_by.
_MET_BY_REVIEWS = {
    DeadlineRule.MetBy.PROGRESS_REVIEW: frozenset({ProgressReview.Kind.PROGRESS_REVIEW}),
    DeadlineRule.MetBy.ENGAGEMENT_MEETING: frozenset({ProgressReview.Kind.ENGAGEMENT_MEETING}),
}
_INTERVENTION_ENDS = DeadlineRule.EndsWhen.LATER_INSPECTION_OR_INTERVENTION

# A plan in one of these states has been submitted, whether or not the date was recorded.
SUBMITTED_STATES = frozenset(Plan.Status) - {Plan.Status.DRAFT}
PUBLISHED_STATES = frozenset({Plan.Status.PUBLISHED, Plan.Status.CLOSED})
# A plan in one of these states has been judged or approved, whether or not the date was recorded.
_JUDGED_STATES = frozenset(Plan.Status) - {Plan.Status.DRAFT, Plan.Status.SUBMITTED}

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
    """One rule's due date for one plan or inspection, and whether it has been met."""

    rule: DeadlineRule
    label: str
    due: datetime.date | None
    approximate: bool
    anchor_description: str
    met_on: PartialDate | None
    status: str
    working_days_left: int | None
    # "month" (or "year") when only the month (or year) of the due date can be known.
    due_precision: str = Precision.DAY
    counted_from_publication: bool = False
    unknown_reason: str = ""
    # Why the rule no longer applies (status "ended").
    ended_reason: str = ""
    # A warning that the rule's figures are not confirmed for this inspection's handbook.
    caveat: str = ""
    # The date stated by the source, which wins, and what the rule alone gives.
    stated: StatedDeadline | None = None
    computed_due: datetime.date | None = None
    computed_precision: str = Precision.DAY
    computed_approximate: bool = False
    computed_reason: str = ""
    # The rule sets no due date (a reminder): shown as "No deadline is given".
    no_deadline: bool = False

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
    def is_ended(self):
        return self.status == ENDED

    @property
    def is_stated(self):
        return self.stated is not None

    @property
    def due_text(self):
        """'Due 23 August 2018', 'Due in May 2022' or 'About March 2023 (approximate)'."""
        if self.due is None:
            return "No deadline is given" if self.no_deadline else "Due date not known"
        if self.approximate:
            return f"About {_period_text(self.due, self.due_precision)} (approximate)"
        if self.due_precision != Precision.DAY:
            return f"Due in {_period_text(self.due, self.due_precision)}"
        return f"Due {format_date(self.due)}"

    @property
    def computed_text(self):
        """What the rule alone gives: '3 June 2025', 'about June 2025' or 'no date (…)'."""
        if self.computed_due is None:
            if self.no_deadline or (self.stated and self.rule.offset is None):
                return "no date (no deadline is given)"
            return f"no date ({self.computed_reason})" if self.computed_reason else "no date"
        if self.computed_approximate:
            return f"about {_period_text(self.computed_due, Precision.MONTH)}"
        if self.computed_precision != Precision.DAY:
            return _period_text(self.computed_due, self.computed_precision)
        return format_date(self.computed_due)

    @property
    def stated_differs(self):
        """Is the stated date different from the rule's own date?"""
        if self.stated is None:
            return False
        return (self.computed_due, self.computed_precision) != (self.due, self.due_precision)

    @property
    def stated_text(self):
        """'Due 4 June 2025 (stated in DfE's letter); the rule gives 3 June 2025', or ''."""
        if self.stated is None:
            return ""
        text = f"{self.due_text} (stated in {self.stated.stated_in})"
        if self.stated_differs:
            text += f"; the rule gives {self.computed_text}"
        return text

    def describe(self):
        """The sentence people see, for example 'Due 16 February 2022 – 12 working days left'."""
        if self.status == MET:
            return f"{self.due_text} – {_met_text(self.met_on)}"
        if self.status == ENDED:
            text = f"No longer applies: {self.ended_reason}"
            if self.met_on:
                text += f" (the last review was held {_on(self.met_on)})"
            return text
        return self._open_text() + (f" ({self.caveat})" if self.caveat else "")

    def _open_text(self):
        if self.status == UNKNOWN:
            return f"Date not known – {self.unknown_reason}"
        if self.status == NO_DATE:
            return f"{self.due_text} – not recorded as done"
        if self.approximate:
            return self.due_text + (" – later than expected" if self.is_overdue else "")
        if self.due_precision != Precision.DAY or self.working_days_left is None:
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


# The entry points.


def plan_deadlines(
    plan, *, today, rules=None, reviews=None, inspections=None, interventions=None, stated=None
):
    """The plan's deadlines, one per active rule for its kind, in rule order.

    ``rules``, ``reviews``, ``inspections`` (the area's, of every kind),
    ``interventions`` and ``stated`` (StatedDeadline rows) may be passed
    already fetched, for any areas and plans (they are filtered here), so that
    a page of plans needs no query per plan. Left out, each is fetched.
    """
    if rules is None and stated is None:
        rules, stated = rules_and_stated(plan)
    elif rules is None:
        rules = DeadlineRule.objects.filter(is_active=True, plan_kind=plan.kind)
    rules = [r for r in rules if r.is_active and r.plan_kind and r.plan_kind == plan.kind]
    if not rules:
        return []
    records = _AreaRecords.fetch(
        {plan.area_id},
        rules,
        reviews=reviews,
        inspections=inspections,
        interventions=interventions,
    )
    if stated is None:
        stated = StatedDeadline.objects.filter(plan=plan)
    subject = _Subject(
        plan=plan,
        inspection=plan.responds_to,
        today=today,
        records=records,
        stated=_stated_by_rule(s for s in stated if s.plan_id == plan.pk),
    )
    return _deadlines(rules, subject)


_RULES_AND_STATED = PreparedChildren(
    DeadlineRule,
    lambda kind, plan_id: DeadlineRule.objects.filter(is_active=True, plan_kind=kind),
    str,
    int,
    relations=lambda kind, plan_id: (
        Children("stated_deadlines", condition=Q(stated_deadlines__plan_id=plan_id)),
    ),
)


def rules_and_stated(plan):
    """The active rules for the plan's kind and the dates stated for the plan, in one query."""
    rules = _RULES_AND_STATED(plan.kind, plan.pk)
    return rules, [row for rule in rules for row in rule.stated_deadlines.all()]


def deadlines_for_plans(plans, *, today, inspections=None, reviews=None, interventions=None):
    """{plan: [Deadline, ...]} for any number of plans in at most five queries.

    One query each for the rules, the areas' inspections (the ones the plans
    answer, their follow-ups and any later ones), the areas' reviews (only if
    a rule needs them), the areas' interventions (only if a rule ends with
    one) and the dates stated for the plans. The plans' ``responds_to`` is
    filled from the inspections when it was not fetched.

    A page that has already loaded the areas' records passes them in, as for
    ``plan_deadlines``, and they are not fetched again: ``inspections``, every
    one of the plans' areas (and those the plans answer); ``reviews`` and
    ``interventions``, the areas' dated ones.
    """
    plans = list(plans)
    if not plans:
        return {}
    area_ids = {plan.area_id for plan in plans}
    rules = list(
        DeadlineRule.objects.filter(is_active=True, plan_kind__in={plan.kind for plan in plans})
    )
    if inspections is None:
        inspections = Inspection.objects.filter(
            Q(area_id__in=area_ids) | Q(pk__in={plan.responds_to_id for plan in plans})
        )
    inspections = list(inspections)
    records = _AreaRecords.fetch(
        area_ids, rules, inspections=inspections, reviews=reviews, interventions=interventions
    )
    stated = defaultdict(list)
    if rules:
        for row in StatedDeadline.objects.filter(plan__in=plans, rule__in=rules):
            stated[row.plan_id].append(row)
    inspections_by_id = {inspection.pk: inspection for inspection in inspections}
    result = {}
    for plan in plans:
        if not Plan.responds_to.is_cached(plan):
            plan.responds_to = inspections_by_id[plan.responds_to_id]
        plan_rules = [rule for rule in rules if rule.plan_kind == plan.kind]
        if not plan_rules:
            result[plan] = []
            continue
        subject = _Subject(
            plan=plan,
            inspection=plan.responds_to,
            today=today,
            records=records,
            stated=_stated_by_rule(stated[plan.pk]),
        )
        result[plan] = _deadlines(plan_rules, subject)
    return result


def deadlines_for_inspections(inspections, *, today):
    """{inspection: [Deadline, ...]} for the rules about each inspection's outcome.

    For example the next full inspection about three years after outcome 2.
    At most five queries for any number of inspections: the rules, the areas'
    inspections, reviews and interventions (each only if needed) and the
    dates stated for the inspections. None at all when no inspection has an
    outcome recorded.
    """
    inspections = list(inspections)
    if not inspections:
        return {}
    outcomes = {inspection.outcome for inspection in inspections if inspection.outcome}
    rules = (
        list(DeadlineRule.objects.filter(is_active=True, inspection_outcome__in=outcomes))
        if outcomes
        else []
    )
    if not rules:
        return {inspection: [] for inspection in inspections}
    area_ids = {inspection.area_id for inspection in inspections}
    records = _AreaRecords.fetch(area_ids, rules)
    stated = defaultdict(list)
    for row in StatedDeadline.objects.filter(inspection__in=inspections, rule__in=rules):
        stated[row.inspection_id].append(row)
    result = {}
    for inspection in inspections:
        own_rules = [rule for rule in rules if rule.inspection_outcome == inspection.outcome]
        if not own_rules or not inspection.outcome:
            result[inspection] = []
            continue
        subject = _Subject(
            plan=None,
            inspection=inspection,
            today=today,
            records=records,
            stated=_stated_by_rule(stated[inspection.pk]),
        )
        result[inspection] = _deadlines(own_rules, subject)
    return result


def inspection_deadlines(inspection, *, today):
    """The deadlines of the rules about one inspection's outcome, in rule order."""
    return deadlines_for_inspections([inspection], today=today)[inspection]


# What the rules are worked out against.


@dataclass(frozen=True)
class _AreaRecords:
    """The areas' inspections, reviews and interventions, by area."""

    inspections: dict
    reviews: dict
    interventions: dict

    @classmethod
    def fetch(cls, area_ids, rules, *, reviews=None, inspections=None, interventions=None):
        """Group what was passed in, fetching (one query each) only what the rules need."""
        needs_reviews = any(r.repeats or r.met_by in _MET_BY_REVIEWS for r in rules)
        needs_interventions = any(r.ends_when == _INTERVENTION_ENDS for r in rules)
        if inspections is None:
            inspections = Inspection.objects.filter(area_id__in=area_ids)
        if reviews is None:
            reviews = (
                ProgressReview.objects.filter(area_id__in=area_ids, held_on__isnull=False)
                if needs_reviews
                else []
            )
        if interventions is None:
            interventions = (
                Intervention.objects.filter(area_id__in=area_ids, issued_on__isnull=False)
                if needs_interventions
                else []
            )
        return cls(
            inspections=_by_area(inspections, area_ids),
            reviews=_by_area(reviews, area_ids),
            interventions=_by_area(interventions, area_ids),
        )


def _by_area(rows, area_ids):
    grouped = defaultdict(list)
    for row in rows:
        if row.area_id in area_ids:
            grouped[row.area_id].append(row)
    return grouped


def _stated_by_rule(rows):
    grouped = defaultdict(list)
    for row in sorted(rows, key=lambda s: (s.due_on, s.pk)):
        grouped[row.rule_id].append(row)
    return grouped


@dataclass(frozen=True)
class _Subject:
    """What the rules are about: a plan and the inspection it answers, or an inspection alone."""

    plan: Plan | None
    inspection: Inspection
    today: datetime.date
    records: _AreaRecords
    stated: dict  # rule id -> [StatedDeadline] in date order

    @property
    def area_id(self):
        return self.inspection.area_id

    @property
    def is_open(self):
        """Can more be expected? Not of a closed, superseded or unknown plan."""
        if self.plan is None:
            return True
        return self.plan.is_open and not self.plan.superseded_by_id

    @property
    def inspections(self):
        return self.records.inspections[self.area_id]

    @property
    def reviews(self):
        return self.records.reviews[self.area_id]

    @property
    def interventions(self):
        return self.records.interventions[self.area_id]


@dataclass(frozen=True)
class _Anchor:
    """Where a rule counts from: a date (or None), how to say it, and why it may be missing."""

    date: PartialDate | None
    phrase: str  # "the report was received on 16 May 2018"
    subject: str  # "the report date", for "… is known only to the month"
    missing_reason: str = ""
    counted_from_publication: bool = False


def _deadlines(rules, subject):
    # Rules counted from an event first, so those counted from a rule can use them
    # (a rule counts only from an event-anchored rule; DeadlineRule.clean sees to that).
    computed = {}
    for rule in rules:
        if rule.anchor != DeadlineRule.Anchor.RULE:
            computed[rule.pk] = _event_deadline(rule, subject)
    for rule in rules:
        if rule.anchor == DeadlineRule.Anchor.RULE:
            base = computed.get(rule.relative_to_id)
            computed[rule.pk] = _rule_deadline(rule, base, subject) if base else None
    return [computed[rule.pk] for rule in rules if computed[rule.pk] is not None]


def _event_anchor(rule, subject):
    inspection = subject.inspection
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
    # Anchor.PLAN_JUDGED: Ofsted and CQC judge a WSOA; DfE approves other plans.
    plan = subject.plan
    if plan is None:  # DeadlineRule.clean refuses this; say so rather than fail
        return _Anchor(
            None,
            "a plan is approved",
            "the plan's date",
            "this rule counts from a plan's approval, so it cannot apply to an inspection",
        )
    verb = "judged" if plan.kind == Plan.Kind.WSOA else "approved"
    if plan.judged:
        return _Anchor(
            plan.judged, f"the plan was {verb} {_on(plan.judged)}", f"the date the plan was {verb}"
        )
    return _Anchor(
        None,
        "the plan is judged fit for purpose" if verb == "judged" else "the plan is approved",
        f"the date the plan was {verb}",
        f"the date the plan was {verb} is not recorded"
        if plan.status in _JUDGED_STATES
        else f"the plan has not been {verb} yet",
    )


def _event_deadline(rule, subject):
    anchor = _event_anchor(rule, subject)
    if rule.repeats:
        return _repeating_deadline(rule, anchor, subject)
    met_on, met = _met(rule, subject, anchor)
    if not subject.is_open and not met and _is_reminder(rule):
        return None  # a reminder for a closed plan is moot
    due, precision, reason = _shift(anchor, rule)
    ended = None if met else _ended(rule, subject)
    return _deadline(
        rule,
        subject,
        due=due,
        precision=precision,
        approximate=rule.approximate,
        anchor_description=_describe_anchor(rule, anchor),
        met_on=met_on,
        met=met,
        unknown_reason=reason,
        counted_from_publication=anchor.counted_from_publication,
        ended=ended,
        stated=_only_stated(rule, subject),
    )


def _repeating_deadline(rule, anchor, subject):
    today = subject.today
    # Reviews of this kind after the anchor (or, when it is not known, after the
    # inspection), already held, and known at least to the month.
    after = anchor.date or subject.inspection.start
    kinds = _MET_BY_REVIEWS.get(rule.met_by)
    held = sorted(
        (
            review
            for review in subject.reviews
            if review.held
            and (kinds is None or review.kind in kinds)
            and review.held.precision in (Precision.DAY, Precision.MONTH)
            and review.held.date <= today
            and (after is None or review.held.last_day > after.date)
        ),
        key=lambda review: (review.held_on, review.pk),
    )
    every = (
        f"; due again every {_count(abs(rule.offset), *_UNIT_NAMES[rule.unit])} after each review"
    )
    if not subject.is_open:
        return _closed_repeating_deadline(rule, anchor, subject, held)
    ended = _ended(rule, subject)
    if ended:
        # The cycle has ended: no more reviews are expected, so none is overdue.
        reason, ended_on = ended
        before_end = [review for review in held if review.held.date <= ended_on]
        base = _latest_review_anchor(before_end[-1]) if before_end else anchor
        due, precision, unknown = _shift(base, rule)
        return _deadline(
            rule,
            subject,
            due=due,
            precision=precision,
            approximate=rule.approximate,
            anchor_description=f"{_amount(rule)} {base.phrase}{every}",
            met_on=before_end[-1].held if before_end else None,
            met=False,
            unknown_reason=unknown,
            counted_from_publication=base.counted_from_publication,
            ended=ended,
            stated=None,
        )
    base = _latest_review_anchor(held[-1]) if held else anchor
    due, precision, reason = _shift(base, rule)
    # A date stated for the next review: the earliest one whose period starts after the
    # latest review held (or the anchor), so a review held in a stated month uses it up.
    stated = next(
        (
            row
            for row in subject.stated.get(rule.pk, [])
            if base.date is None or row.due.date > base.date.date
        ),
        None,
    )
    return _deadline(
        rule,
        subject,
        due=due,
        precision=precision,
        approximate=rule.approximate,
        anchor_description=f"{_amount(rule)} {base.phrase}{every}",
        met_on=None,
        met=False,
        unknown_reason=reason,
        counted_from_publication=base.counted_from_publication,
        stated=stated,
    )


def _closed_repeating_deadline(rule, anchor, subject, held):
    """A closed or superseded plan expects no more reviews: show the last one as met."""
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
        subject,
        due=due,
        precision=precision,
        approximate=rule.approximate,
        anchor_description=f"{_amount(rule)} {base.phrase}",
        met_on=latest.held,
        met=True,
        unknown_reason=reason,
        counted_from_publication=base.counted_from_publication,
        stated=None,
    )


def _latest_review_anchor(review):
    noun = "engagement meeting" if review.kind == ProgressReview.Kind.ENGAGEMENT_MEETING else None
    return _Anchor(
        review.held,
        f"the last {noun or 'progress review'} {_on(review.held)}",
        "the last review's date",
    )


def _rule_deadline(rule, base, subject):
    if not subject.is_open and base.rule.repeats:
        return None  # no more reviews to prepare for
    if base.status == ENDED:
        return None  # nothing to prepare for
    if base.status == MET and rule.met_by == DeadlineRule.MetBy.NOTHING:
        return None  # a reminder is moot once what it prepares for has been done
    base_text = _first_lower(base.due_text) if base.due else "its due date is not known yet"
    anchor = _Anchor(
        base.due_partial,
        f"“{base.label}” ({base_text})",
        f"the date of “{base.label}”",
        base.unknown_reason or f"“{base.label}” has no due date",
        base.counted_from_publication,
    )
    met_on, met = _met(rule, subject, anchor)
    if not subject.is_open and not met and _is_reminder(rule):
        return None
    due, precision, reason = _shift(anchor, rule)
    return _deadline(
        rule,
        subject,
        due=due,
        precision=precision,
        approximate=rule.approximate or base.approximate,
        anchor_description=_describe_anchor(rule, anchor),
        met_on=met_on,
        met=met,
        unknown_reason=reason,
        counted_from_publication=anchor.counted_from_publication,
        ended=None if met else _ended(rule, subject),
        stated=_only_stated(rule, subject),
    )


def _is_reminder(rule):
    """Nothing can meet it, or it has no due date: moot once the plan is closed."""
    return rule.met_by == DeadlineRule.MetBy.NOTHING or rule.offset is None


def _only_stated(rule, subject):
    """The date stated for a rule that is due once (StatedDeadline.clean allows one)."""
    rows = subject.stated.get(rule.pk, [])
    return rows[-1] if rows else None


def _shift(anchor, rule):
    """(due date, its precision, why it is not known) for the rule counted from the anchor."""
    if rule.offset is None:
        return None, Precision.DAY, ""  # a reminder: the source gives no deadline
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


def _met(rule, subject, anchor):
    """(the date the rule was met or None, whether it was met)."""
    plan = subject.plan
    if rule.met_by == DeadlineRule.MetBy.SUBMITTED:
        if plan is None:
            return None, False
        return plan.submitted, bool(plan.submitted) or plan.status in SUBMITTED_STATES
    if rule.met_by == DeadlineRule.MetBy.PUBLISHED:
        if plan is None:
            return None, False
        return plan.published, bool(plan.published) or plan.status in PUBLISHED_STATES
    # Without the anchor date, anything after the inspection the rule is about counts.
    after = anchor.date or subject.inspection.start
    kinds = _MET_BY_INSPECTIONS.get(rule.met_by)
    if kinds:
        candidates = sorted(
            (
                inspection
                for inspection in subject.inspections
                if inspection.kind in kinds
                and inspection.start
                and inspection.pk != subject.inspection.pk
                and (after is None or inspection.start.last_day > after.date)
            ),
            key=lambda inspection: (inspection.start_date, inspection.pk),
        )
        if candidates:
            return candidates[0].start, True
    kinds = _MET_BY_REVIEWS.get(rule.met_by)
    if kinds:
        candidates = sorted(
            (
                review
                for review in subject.reviews
                if review.kind in kinds
                and review.held
                and review.held.date <= subject.today
                and (after is None or review.held.last_day > after.date)
            ),
            key=lambda review: (review.held_on, review.pk),
        )
        if candidates:
            return candidates[0].held, True
    return None, False


def _ended(rule, subject):
    """(why the rule no longer applies, the day it ended) or None while it still applies."""
    today = subject.today
    if rule.ended_after and today > rule.ended_after:
        return rule.ended_because or f"it ended on {format_date(rule.ended_after)}", (
            rule.ended_after
        )
    if not rule.ends_when:
        return None
    since = subject.inspection.placed_on
    if since is None:
        return None  # nothing can be said to be later than an undated inspection
    events = []
    for inspection in subject.inspections:
        when = inspection.placed_on
        if inspection.pk != subject.inspection.pk and _later(when, since, today):
            events.append((when.date, inspection.pk, _inspection_phrase(inspection)))
    if rule.ends_when == _INTERVENTION_ENDS:
        for intervention in subject.interventions:
            if _later(intervention.issued, since, today):
                events.append(
                    (intervention.issued.date, intervention.pk, _intervention_phrase(intervention))
                )
    if not events:
        return None
    day, _pk, phrase = min(events)
    return f"superseded by {phrase}", day


def _later(when, since, today):
    """Did it happen after ``since`` (surely, at the dates' precision) and by today?"""
    return when is not None and when.date > since.last_day and when.date <= today


def _inspection_phrase(inspection):
    if inspection.start:
        return f"the {inspection.title} that started {_on(inspection.start)}"
    if inspection.end:
        return f"the {inspection.title} that ended {_on(inspection.end)}"
    return f"the {inspection.title} reported {_on(inspection.received or inspection.published)}"


def _intervention_phrase(intervention):
    when = _on(intervention.issued)
    Kind = Intervention.Kind
    if intervention.kind == Kind.IMPROVEMENT_NOTICE:
        return f"the Improvement Notice issued {when}"
    if intervention.kind == Kind.STATUTORY_DIRECTION:
        return f"the statutory direction given {when}"
    if intervention.kind == Kind.COMMISSIONER:
        return f"the appointment of a SEND commissioner {when}"
    if intervention.title:
        return f"“{intervention.title}”, a government intervention {when}"
    return f"a government intervention {when}"


def _caveat(rule, subject):
    """A warning when the rule's figures are not confirmed for this inspection's handbook."""
    if rule.confirmed_until is None:
        return ""
    when = subject.inspection.placed_on
    confirmed = format_date(rule.confirmed_until)
    if when is None:
        return (
            f"confirmed only for inspections up to {confirmed}, and this inspection's date "
            "is not recorded"
        )
    if when.last_day > rule.confirmed_until:
        return (
            f"confirmed only for inspections up to {confirmed}: check the handbook in force "
            "for this inspection"
        )
    return ""


def _deadline(
    rule,
    subject,
    *,
    due,
    precision,
    approximate,
    anchor_description,
    met_on,
    met,
    unknown_reason,
    counted_from_publication,
    stated,
    ended=None,
):
    computed = {
        "computed_due": due,
        "computed_precision": precision,
        "computed_approximate": approximate,
        "computed_reason": unknown_reason,
    }
    if stated is not None:
        # The source's own date wins; it is as precise as the source says, not approximate.
        due, precision, approximate, unknown_reason = (
            stated.due_on,
            stated.due_on_precision,
            False,
            "",
        )
    left = None
    if met:
        status = MET
    elif ended:
        status = ENDED
    elif due is None:
        status = NO_DATE if rule.offset is None and stated is None else UNKNOWN
    elif approximate or precision != Precision.DAY:
        # Late only once the whole month (or year) has passed.
        shown = Precision.MONTH if precision == Precision.DAY else precision
        status = OVERDUE if subject.today > PartialDate(due, shown).last_day else DUE
    else:
        status = OVERDUE if subject.today > due else DUE
        left = working_days_between(subject.today, due)
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
        counted_from_publication=counted_from_publication and stated is None,
        unknown_reason=unknown_reason if status == UNKNOWN else "",
        ended_reason=ended[0] if status == ENDED else "",
        caveat=_caveat(rule, subject) if status not in (MET, ENDED) else "",
        stated=stated,
        no_deadline=rule.offset is None and stated is None,
        **computed,
    )


def _describe_anchor(rule, anchor):
    if rule.offset is None:
        return f"After {anchor.phrase}; no deadline is given"
    return f"{_amount(rule)} {anchor.phrase}"


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


def _period_text(day, precision):
    if precision == Precision.YEAR:
        return str(day.year)
    return f"{calendar.month_name[day.month]} {day.year}"
