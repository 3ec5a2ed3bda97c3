"""Is it getting better? The counts and sentences of an area's summary, worked out from plain rows.

The public area page and the home page (``public/selectors.py``) and the
progress report (``progress/reports.py``) each load their own records,
through the querysets that say what their reader may see, and hand plain
rows to the functions here. So every page counts the same way:

* An action's status is the one its latest update *the reader may see*
  reported: for the public, the latest published one, never the internal
  current status. An action with no such update is counted as "no published
  update yet".
* An action is overdue when its due date has passed (it is before ``today``,
  or before the end of a report's period) and that status is not
  "delivered" (``actions.selectors.is_overdue``). An action delivered late
  is not overdue; one past its due date with no published update at all is.
* A finding is closed once a verdict resolved it (sufficient progress,
  effective action, closed by DfE review, no longer needing priority action:
  ``Judgement.RESOLVED_VERDICTS``); every other finding is still open. When
  an inspection published only its counts ("sufficient progress on 1 of 13")
  on all the findings of the inspection before it, and none of those findings
  has a verdict of its own, its count of resolved findings is used.
* A measure's latest figure is compared with its baseline (else with its
  earliest figure) and its target only when both figures are public: a
  withheld figure (``progress.suppression``) is never compared, so no
  comparison can give it away. Figures are compared as they are shown
  (rounded), so "60.0%" is at a target of 60%.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from actions.models import DeliveryStatus, ImpactStatus
from actions.selectors import is_overdue
from inspections.models import Judgement

from .charts import month_year
from .suppression import COUNT, format_figure, public_baseline, public_figure

NO_PUBLISHED_UPDATE = "No published update yet"

BETTER = "better"
WORSE = "worse"
NO_CHANGE = "no change"

# How each status reads inside a sentence: "2 delivered, 6 on track".
DELIVERY_WORDS = {
    DeliveryStatus.NOT_STARTED: "not started",
    DeliveryStatus.ON_TRACK: "on track",
    DeliveryStatus.AT_RISK: "at risk",
    DeliveryStatus.OFF_TRACK: "off track",
    DeliveryStatus.DELIVERED: "delivered",
}
IMPACT_WORDS = {
    ImpactStatus.NO_EVIDENCE: "with no evidence yet",
    ImpactStatus.SOME_EVIDENCE: "with some evidence",
    ImpactStatus.CLEAR_EVIDENCE: "with clear evidence",
}
NO_UPDATE_WORDS = "with no published update yet"


def _plural(count, singular, plural=None):
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def _and(parts):
    """'a', 'a and b', 'a, b and c'."""
    parts = list(parts)
    if len(parts) < 2:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


# Actions


class ActionRow(NamedTuple):
    """One action as its reader may see it: "" for a status no visible update gave."""

    due_date: datetime.date
    delivery_status: str
    impact_status: str


@dataclass(frozen=True)
class StatusCount:
    label: str
    count: int
    is_status: bool = True  # False for "No published update yet"
    status: str = ""  # the status code; "" for "No published update yet"

    @property
    def words(self):
        return _plural(self.count, "action")

    @property
    def text(self):
        return f"{self.label}: {self.words}"


@dataclass(frozen=True)
class ActionCounts:
    """A plan's actions counted by delivery and by impact, and how many are overdue."""

    total: int
    delivery: tuple  # StatusCount per delivery status, in the scale's order, then any with none
    impact: tuple
    overdue: int
    no_update: int

    @property
    def delivery_text(self):
        """'12 actions: 2 not started, 6 on track and 4 delivered' (only the statuses with some)."""
        if not self.total:
            return "No actions published yet"
        parts = [
            f"{row.count} {DELIVERY_WORDS[row.status] if row.is_status else NO_UPDATE_WORDS}"
            for row in self.delivery
            if row.count
        ]
        return f"{_plural(self.total, 'action')}: {_and(parts)}"

    @property
    def impact_text(self):
        """'1 with clear evidence and 11 with no published update yet' (evidence of impact)."""
        parts = [
            f"{row.count} {IMPACT_WORDS[row.status] if row.is_status else NO_UPDATE_WORDS}"
            for row in self.impact
            if row.count
        ]
        return _and(parts)

    @property
    def overdue_text(self):
        """'2 of 12 actions are overdue.', 'None of the 12 actions is overdue.'"""
        if not self.total:
            return ""
        if not self.overdue:
            if self.total == 1:
                return "The 1 action is not overdue."
            return f"None of the {self.total} actions is overdue."
        verb = "is" if self.overdue == 1 else "are"
        return f"{self.overdue} of {_plural(self.total, 'action')} {verb} overdue."


def count_actions(rows, *, today):
    """Count ``rows`` (ActionRow, or anything with the same fields) by status, as at ``today``."""
    rows = list(rows)
    delivery = Counter(row.delivery_status or "" for row in rows)
    impact = Counter(row.impact_status or "" for row in rows)
    delivery_counts = [
        StatusCount(str(choice.label), delivery[choice.value], status=choice.value)
        for choice in DeliveryStatus
    ]
    impact_counts = [
        StatusCount(str(choice.label), impact[choice.value], status=choice.value)
        for choice in ImpactStatus
    ]
    if delivery[""]:
        delivery_counts.append(StatusCount(NO_PUBLISHED_UPDATE, delivery[""], is_status=False))
    if impact[""]:
        impact_counts.append(StatusCount(NO_PUBLISHED_UPDATE, impact[""], is_status=False))
    return ActionCounts(
        total=len(rows),
        delivery=tuple(delivery_counts),
        impact=tuple(impact_counts),
        overdue=sum(1 for row in rows if is_overdue(row, today)),
        no_update=delivery[""],
    )


# Findings


class FindingRow(NamedTuple):
    """One finding: the inspection that made it (any key), and the verdicts given on it."""

    inspection: object
    verdicts: tuple


class InspectionRow(NamedTuple):
    """An inspection, in time order, as far as counting verdicts given only as counts needs."""

    key: object
    starts_cycle: bool  # a 2016 inspection or a 2023 full inspection: it makes findings
    findings: int  # how many findings it made
    judged: int | None  # earlier findings judged, when only the counts are public
    resolved: int | None
    gave_verdicts: bool  # gave a verdict on any finding itself


class CountedVerdicts(NamedTuple):
    """Verdicts known only by their counts, on the findings of the inspection ``judged_inspection``."""

    judged_inspection: object
    judged: int
    resolved: int
    findings: int  # how many findings that inspection made


def counted_verdicts(inspections):
    """From ``inspections`` (InspectionRow, oldest first), the verdicts given only as counts.

    Each such inspection judged the findings of the latest inspection before it
    that made findings.
    """
    result, previous = [], None
    for row in inspections:
        if (
            previous is not None
            and row.resolved is not None
            and row.judged is not None
            and not row.gave_verdicts
        ):
            result.append(
                CountedVerdicts(previous.key, row.judged, row.resolved, previous.findings)
            )
        if row.starts_cycle and row.findings:
            previous = row
    return result


@dataclass(frozen=True)
class FindingCounts:
    total: int
    closed: int

    @property
    def open(self):
        return self.total - self.closed

    @property
    def text(self):
        """'8 of 12 findings closed by inspections or reviews; 4 still open.'"""
        if not self.total:
            return ""
        noun = "finding" if self.total == 1 else "findings"
        text = f"{self.closed} of {self.total} {noun} closed by inspections or reviews"
        if self.open:
            return f"{text}; {self.open} still open."
        return f"{text}."

    @property
    def short_text(self):
        """'8 of 12 findings closed.'"""
        if not self.total:
            return ""
        return (
            f"{self.closed} of {self.total} {'finding' if self.total == 1 else 'findings'} closed."
        )


def is_closed(verdicts):
    return any(verdict in Judgement.RESOLVED_VERDICTS for verdict in verdicts)


def count_findings(rows, counted=()):
    """Count ``rows`` (FindingRow) as closed or open; ``counted`` from ``counted_verdicts``."""
    rows = list(rows)
    by_inspection = defaultdict(list)
    for row in rows:
        by_inspection[row.inspection].append(row)
    closed, by_count = 0, set()
    for verdicts in counted:
        own = by_inspection.get(verdicts.judged_inspection, [])
        if (
            verdicts.judged_inspection not in by_count
            and own
            and not any(row.verdicts for row in own)
            and len(own) == verdicts.judged == verdicts.findings
        ):
            closed += min(verdicts.resolved, len(own))
            by_count.add(verdicts.judged_inspection)
    closed += sum(1 for row in rows if row.inspection not in by_count and is_closed(row.verdicts))
    return FindingCounts(total=len(rows), closed=closed)


# Measures


def measure_belongs(measure, plan_id, finding_ids):
    """A plan's measures: its own, those of the findings it addresses, and the area's untied ones."""
    if measure.plan_id is not None:
        return measure.plan_id == plan_id
    if measure.finding_id is not None:
        return measure.finding_id in finding_ids
    return True


_ONE_DP = Decimal("0.1")


def _as_shown(unit, number):
    """The figure as it is shown (rounded half up), so comparisons agree with the words."""
    places = Decimal(1) if unit == COUNT else _ONE_DP
    return Decimal(number).quantize(places, rounding=ROUND_HALF_UP)


def _direction(measure, latest, reference):
    latest, reference = _as_shown(measure.unit, latest), _as_shown(measure.unit, reference)
    if latest == reference:
        return NO_CHANGE
    return BETTER if (latest > reference) == measure.higher_is_better else WORSE


@dataclass(frozen=True)
class MeasureTrend:
    """Where a measure's latest public figure stands against its baseline and target."""

    name: str
    higher_is_better: bool
    latest: str  # "69.8% in September 2026"; "" when there is no figure
    withheld_period: str = ""  # the latest figure's period, when that figure is withheld
    against: str = ""  # BETTER, WORSE or NO_CHANGE against ``reference``; "" when not compared
    reference: str = ""  # "the baseline of 49.2% in June 2025", "21 in March 2025"
    reference_is_baseline: bool = True
    target: str = ""  # "60%"
    target_met: bool | None = None  # None when there is no target or nothing to compare

    @property
    def direction(self):
        """'Better', 'Worse', 'No change', or '' when the figure is not compared."""
        return self.against.capitalize()

    @property
    def comparison(self):
        """'Better than the baseline of 45% in March 2024; not yet at the target of 60%.'"""
        parts = []
        if self.against:
            if self.against == NO_CHANGE:
                parts.append(f"No change from {self.reference}")
            else:
                parts.append(f"{self.direction} than {self.reference}")
        if self.target_met is not None:
            if self.target_met:
                parts.append(f"at or better than the target of {self.target}")
            else:
                parts.append(f"not yet at the target of {self.target}")
        if not parts:
            return ""
        text = "; ".join(parts)
        return text[:1].upper() + text[1:] + "."

    @property
    def statement(self):
        """What the sentence says after the measure's name."""
        if self.withheld_period:
            return (
                f"the latest figure, for {self.withheld_period}, is not shown, "
                "because it is based on fewer than 5 children and young people."
            )
        if not self.latest:
            return "no figures published yet."
        comparison = self.comparison
        return f"{self.latest}." + (f" {comparison}" if comparison else "")

    @property
    def sentence(self):
        """The whole sentence, as the summary shows it."""
        return f"{self.name}: {self.statement}"


def _when(value):
    """The period, short: its own label when short ("Q1 2025"), else the month it ends."""
    label = value.period_label
    return label if label and len(label) <= 12 else month_year(value.period_end)


def measure_trend(measure, values):
    """The trend of ``measure`` from its ``values``, from public figures only.

    Only the figures it needs are worked out: from the newest back to the latest
    shown or withheld one, and, with no baseline to compare with, from the oldest
    on to the first shown one (a measure may have years of monthly values).
    """
    ordered = sorted(values, key=lambda value: value.period_end)
    # "No figure" periods say nothing: the latest is the newest shown or withheld figure.
    trend = {"name": measure.name, "higher_is_better": measure.higher_is_better, "latest": ""}
    for latest_value in reversed(ordered):
        latest = public_figure(measure, latest_value)
        if latest.number is not None or latest.suppressed:
            break
    else:
        return MeasureTrend(**trend)
    if latest.suppressed:
        return MeasureTrend(**trend, withheld_period=_when(latest_value))
    trend["latest"] = f"{latest.text} in {_when(latest_value)}"
    baseline = public_baseline(measure)
    if baseline is not None and baseline.number is not None:
        when = f" in {month_year(measure.baseline_date)}" if measure.baseline_date else ""
        trend["reference"] = f"the baseline of {baseline.text}{when}"
        trend["against"] = _direction(measure, latest.number, baseline.number)
    else:  # no baseline, or a withheld one: compare with the earliest figure shown
        first_value, first = next(
            (value, figure)
            for value, figure in ((value, public_figure(measure, value)) for value in ordered)
            if figure.number is not None
        )
        if first_value is not latest_value:
            trend["reference"] = f"{first.text} in {_when(first_value)}"
            trend["reference_is_baseline"] = False
            trend["against"] = _direction(measure, latest.number, first.number)
    if measure.target is not None:
        trend["target"] = format_figure(measure.unit, measure.target, compact=True)
        met = _direction(measure, latest.number, measure.target) != WORSE
        trend["target_met"] = met
    return MeasureTrend(**trend)


def measures_text(trends):
    """'2 of 3 headline measures are better than at the start; 1 is worse.' for one line."""
    compared = Counter(trend.against for trend in trends if trend.against)
    if not compared:
        return ""
    better, worse = compared[BETTER], compared[WORSE]
    noun = "headline measure" if len(trends) == 1 else "headline measures"
    text = f"{better} of {len(trends)} {noun} {'is' if better == 1 else 'are'} better than at the start"
    if worse:
        text += f"; {worse} {'is' if worse == 1 else 'are'} worse"
    return text + "."
