"""Small-number suppression for every measure figure the portal publishes.

A figure about a handful of children can identify them, especially in a small
area where families know each other. UK official statistics withhold counts
under 5 for this reason (the Government Statistical Service's disclosure
control guidance; Department for Education releases show such cells as "c"),
and the portal follows the same threshold. Anything shown publicly — pages,
charts, data tables, downloads — goes through ``public_figure`` or
``public_baseline`` first; nothing else reads ``MeasureValue.value``,
``numerator`` or ``denominator`` for publication.

The rules
---------

Counts. A count (a measure whose unit is "count", or the numerator used as
the count when no value is stored) whose size is under 5 — 0, 1, 2, 3 or 4 —
is shown as "fewer than 5" and never as a number. Zero is withheld as well:
a count of 0 and a count of 3 must look the same, or "fewer than 5" would
give away that it was not 0. A negative count (a fall) is judged by its
size.

Rates. When a figure has the counts behind it (numerator and denominator),
whatever its unit, it is withheld if

* the numerator is 1 to 4 (a few children meet the measure), or
* the denominator minus the numerator is 1 to 4 (a few do not: the
  complement would give away a small count), or
* the denominator is under 5 (the whole group is small).

A withheld rate reads "Not shown: based on fewer than 5 children and young
people" and its counts are withheld with it. Every withheld rate gives the
same reason: which count was small would tell whether the rate is near 0% or
near 100%.

Decisions
---------

* A numerator of 0 with a denominator of 5 or more is shown (0.0%): "none of
  these children" is not about any one child. For the same reason a
  numerator equal to the denominator (100.0%) is shown.
* A rate stored without its counts cannot be checked, so it is shown as
  stored. The measure form asks for the counts behind a rate; enter them.
* Weeks and days are durations, not counts of children, so they are shown
  unless counts are stored with them, in which case the rate rules apply
  (an average over fewer than 5 children is about those children).
* Targets and national figures are not data about local children and are
  never withheld. A baseline is: a count baseline under 5 is withheld (a
  baseline has no counts stored, so only the count rule can apply).
* Suppression is per figure. It does not stop a withheld figure being
  worked out from others (for example from a total and the other parts);
  publish measures whose parts are not also published.

Formatting: percentages to 1 decimal place with "%"; weeks and days with the
unit word ("31 weeks", "1 day"), whole when whole and otherwise to 1 decimal
place; counts as whole numbers with thousands separators ("1,204"). Rounding
is half up, as people round by hand.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

THRESHOLD = 5

COUNT = "count"
PERCENT = "percent"
WEEKS = "weeks"
DAYS = "days"

FEWER_THAN_5 = "fewer than 5"
RATE_WITHHELD = "Not shown: based on fewer than 5 children and young people"
NO_FIGURE = "No figure"

REASON_SMALL_COUNT = "The count is fewer than 5, so it could identify children."
# One reason for every withheld rate: saying which count was small would say
# whether the rate is near 0% or near 100%.
REASON_SMALL_GROUP = (
    "A number behind the figure is fewer than 5, so it could identify children and young people."
)
REASON_NO_FIGURE = "No figure was given for this period."
REASON_BAD_COUNTS = "The counts behind the figure do not add up, so it is not shown."

_ONE_DP = Decimal("0.1")
_WHOLE = Decimal("1")
_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class PublicFigure:
    """A figure as it may be published.

    ``text`` is always safe to show. ``number`` is the figure (unrounded) for
    drawing, or None when it is withheld or missing. ``numerator`` and
    ``denominator`` are the counts behind a rate, or None when there are none
    or they are withheld. ``reason`` says why a figure is withheld or
    missing, and is empty otherwise.
    """

    text: str
    number: Decimal | None
    suppressed: bool
    reason: str = ""
    numerator: int | None = None
    denominator: int | None = None

    @property
    def short_text(self):
        """Words for a withheld figure in a tight space, such as a chart label.

        A withheld count is "fewer than 5"; a withheld rate is "not shown",
        because "fewer than 5" beside a rate reads as under 5%, and for a
        rate withheld because few children are *not* counted it is untrue.
        """
        if not self.suppressed:
            return self.text
        return FEWER_THAN_5 if self.text == FEWER_THAN_5 else "not shown"

    @property
    def counts_text(self):
        """ "31 of 67" when the counts may be shown, and otherwise ""."""
        if self.numerator is None or self.denominator is None:
            return ""
        return f"{self.numerator:,} of {self.denominator:,}"


def _round(value, places):
    return value.quantize(places, rounding=ROUND_HALF_UP)


def format_figure(unit, value, *, compact=False):
    """Format a figure in a measure's unit; no suppression (see the module docstring).

    ``compact`` drops a trailing ".0" from percentages, for round figures set
    by people rather than measured, such as targets ("Target 60%").
    """
    value = Decimal(value)
    if unit == PERCENT:
        rounded = _round(value, _ONE_DP)
        if compact and rounded == rounded.to_integral_value():
            return f"{rounded:,.0f}%"
        return f"{rounded:,.1f}%"
    if unit in (WEEKS, DAYS):
        rounded = _round(value, _ONE_DP)
        whole = rounded == rounded.to_integral_value()
        number = f"{rounded:,.0f}" if whole else f"{rounded:,.1f}"
        word = unit[:-1] if number in ("1", "-1") else unit
        return f"{number} {word}"
    return f"{_round(value, _WHOLE):,.0f}"


def _small(count):
    return 0 < count < THRESHOLD


def _withheld_rate(reason, text=RATE_WITHHELD):
    return PublicFigure(text, None, True, reason)


def public_figure(measure, measure_value):
    """The publishable figure for one of ``measure``'s values."""
    unit = measure.unit
    value = measure_value.value
    numerator = measure_value.numerator
    denominator = measure_value.denominator
    has_counts = numerator is not None and denominator is not None

    if has_counts:
        if numerator < 0 or numerator > denominator:
            return _withheld_rate(REASON_BAD_COUNTS, "Not shown")
        if denominator < THRESHOLD or _small(numerator) or _small(denominator - numerator):
            return _withheld_rate(REASON_SMALL_GROUP)

    if value is None:
        if unit == PERCENT and has_counts:
            value = Decimal(numerator) * _HUNDRED / Decimal(denominator)
        elif unit == COUNT and numerator is not None:
            value = Decimal(numerator)
        else:
            return PublicFigure(NO_FIGURE, None, False, REASON_NO_FIGURE)
    value = Decimal(value)

    if unit == COUNT and abs(value) < THRESHOLD:
        return PublicFigure(FEWER_THAN_5, None, True, REASON_SMALL_COUNT)

    return PublicFigure(
        format_figure(unit, value),
        value,
        False,
        "",
        numerator if has_counts else None,
        denominator if has_counts else None,
    )


def public_baseline(measure):
    """The publishable baseline, or None when the measure has none."""
    if measure.baseline is None:
        return None
    value = Decimal(measure.baseline)
    if measure.unit == COUNT and abs(value) < THRESHOLD:
        return PublicFigure(FEWER_THAN_5, None, True, REASON_SMALL_COUNT)
    return PublicFigure(format_figure(measure.unit, value), value, False)
