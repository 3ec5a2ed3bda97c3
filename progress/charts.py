"""Server-drawn line charts of a measure, as inline SVG.

The chart is a picture of the data table that always sits beside it, so it
needs no CSS or JavaScript: every colour, dash and font is an SVG
presentation attribute (the site's Content-Security-Policy refuses inline
``style`` attributes; presentation attributes are not styles). It prints and
goes into PDFs as it is.

* ``role="img"`` with ``aria-labelledby`` naming a ``<title>`` (the measure)
  and a ``<desc>`` (one plain-English sentence, such as "Rose from 36.7% in
  March 2025 to 69.8% in December 2026; target 60%; England 46.4%.").
* The series is a solid blue line with round markers, and the first and last
  figures are written beside their points. The target is a dashed line
  labelled "Target 60%", the national figure a dotted grey line labelled
  "England 46.4%", and the baseline an open square labelled "Baseline …":
  each is told apart by its shape and words, never by colour alone.
* A withheld figure (see ``progress.suppression``) is a gap in the line with
  a small "fewer than 5" (a count) or "not shown" (a rate) mark on the axis.
  Nothing in the SVG depends on a withheld figure: not a label, a point, the
  scale nor the summary. A chart with a withheld figure of 2 is byte for byte
  the chart with 4.
* Colours are GOV.UK's: text #0b0c0c, the line #1d70b8 (5.2:1 on white),
  secondary #505a5f (7:1). Gridlines are #b1b4b6 and carry no meaning.
* The y-axis starts at 0 (or below, for negative figures) and ends at a
  round number, with round ticks; counts tick in whole numbers. Points sit
  at their dates, so uneven gaps between periods look uneven.
* Output is deterministic: the same measure and values give the same bytes.

Every piece of text is escaped with ``django.utils.html.escape`` before the
string is marked safe.

``measure_display`` gathers everything ``templates/includes/measure.html``
shows about a measure, all of it through ``progress.suppression``, so the
template only renders words and never sees a withheld number::

    display = measure_display(measure, measure.values.all())
    {% include "includes/measure.html" with display=display only %}

The caller decides whether the measure may be shown at all (``is_public``).
"""

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from itertools import pairwise

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .suppression import COUNT, DAYS, PERCENT, WEEKS, format_figure, public_baseline, public_figure

TEXT = "#0b0c0c"
LINE = "#1d70b8"
SECONDARY = "#505a5f"
GRID = "#b1b4b6"
WHITE = "#ffffff"

FONT = 14
SMALL_FONT = 12
CHAR_WIDTH = 0.56  # average Arial character width, in ems, for laying out labels

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

UNIT_CAPTIONS = {COUNT: "Number", WEEKS: "Weeks", DAYS: "Days"}

_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))

# A label's white outline, so it stays readable where it crosses a line.
_HALO = f'stroke="{WHITE}" stroke-width="4" stroke-linejoin="round" paint-order="stroke"'


def month_year(day):
    return f"{MONTHS[day.month - 1]} {day.year}"


def full_date(day):
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def period_name(measure_value):
    """The period's label ("Q1 2025"), or the month it ends ("March 2025")."""
    return measure_value.period_label or month_year(measure_value.period_end)


def _short_date(day):
    return f"{MONTHS[day.month - 1][:3]} {day.year}"


def _width(text, size=FONT):
    return len(text) * size * CHAR_WIDTH


def _n(number):
    """A coordinate: one decimal place, so output is short and deterministic."""
    return f"{number:.1f}"


def nice_scale(low, high, *, whole=False, intervals=5):
    """A round (low, high, step) covering low..high in about ``intervals`` steps."""
    low, high = Decimal(low), Decimal(high)
    if high <= low:
        high = low + 10
    raw = (high - low) / intervals
    magnitude = Decimal(1).scaleb(raw.adjusted())
    step = _STEPS[-1] * magnitude
    for multiple in _STEPS:
        candidate = multiple * magnitude
        if whole and candidate != candidate.to_integral_value():
            continue
        if candidate >= raw:
            step = candidate
            break
    if whole and step < 1:
        step = Decimal(1)
    low = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    high = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
    return low, high, step


def _tick_text(unit, tick):
    tick = tick.normalize()
    text = f"{tick:,.0f}" if tick == tick.to_integral_value() else f"{tick:,f}"
    return f"{text}%" if unit == PERCENT else text


def _summary(measure, points):
    """One plain-English sentence describing the chart, built from public figures only."""
    unit = measure.unit
    shown = [(mv, fig) for mv, fig in points if fig.number is not None]
    withheld = sum(1 for _, fig in points if fig.suppressed)
    parts = []
    if not points:
        parts.append("No figures have been published yet")
    elif not shown:
        if withheld == len(points):
            parts.append(
                "The figure is withheld as a small number that could identify children"
                if withheld == 1
                else f"All {withheld} figures are withheld as small numbers that could identify children"
            )
        else:
            parts.append("No figures have been given yet")
    else:
        first_mv, first = shown[0]
        last_mv, last = shown[-1]
        if len(shown) == 1:
            parts.append(f"Was {first.text} in {period_name(first_mv)}")
        elif first.text == last.text:
            parts.append(
                f"Was {first.text} in {period_name(first_mv)} and {last.text} in {period_name(last_mv)}"
            )
        else:
            verb = "Rose" if last.number > first.number else "Fell"
            parts.append(
                f"{verb} from {first.text} in {period_name(first_mv)} "
                f"to {last.text} in {period_name(last_mv)}"
            )
        if withheld:
            parts.append(
                "1 figure withheld as a small number"
                if withheld == 1
                else f"{withheld} figures withheld as small numbers"
            )
    if measure.target is not None:
        target = f"target {format_figure(unit, measure.target, compact=True)}"
        if measure.target_date:
            target += f" by {month_year(measure.target_date)}"
        parts.append(target)
    if measure.national_comparator is not None:
        parts.append(f"England {format_figure(unit, measure.national_comparator)}")
    if not measure.higher_is_better:
        parts.append("lower is better")
    return "; ".join(parts) + "."


def _spread(positions, gap, low, high):
    """Move label positions (y, key) apart by at least ``gap``, within low..high."""
    positions = sorted(positions)
    placed = []
    for y, key in positions:
        y = max(y, low)
        if placed and y - placed[-1][0] < gap:
            y = placed[-1][0] + gap
        placed.append([y, key])
    # Pushed past the bottom: shift everything up as one.
    overflow = placed[-1][0] - high if placed else 0
    if overflow > 0:
        for item in placed:
            item[0] -= overflow
    return {key: y for y, key in placed}


# Fixed parts of the layout, in px: the space above and below the plot area,
# and the gap between the y-axis (or the right edge) and the first (or last) point.
_TOP = 30.0
_BOTTOM = 44.0
_INSET = 14.0


def _default_chart_id(measure):
    """The chart's id when the caller gives none: from the measure's pk, else its slug."""
    if measure.pk is not None:
        return f"measure-chart-{measure.pk}"
    if measure.slug:
        return f"measure-chart-{measure.slug}"
    return "measure-chart"


def _line_labels(measure):
    """The right-hand labels (target, national) for the horizontal lines; None where absent.

    The national label gives only the figure; its period and source are in
    the summary list.
    """
    unit = measure.unit
    target_label = national_label = None
    if measure.target is not None:
        target_label = f"Target {format_figure(unit, measure.target, compact=True)}"
    if measure.national_comparator is not None:
        national_label = f"England {format_figure(unit, measure.national_comparator)}"
    return target_label, national_label


def _y_scale(measure, points, baseline):
    """The y-axis (low, high, ticks), from public figures only.

    A withheld figure must not move the scale. ``baseline`` is the public
    baseline when it is drawn, else None.
    """
    unit = measure.unit
    numbers = [fig.number for _, fig in points if fig.number is not None]
    for extra in (measure.target, measure.national_comparator):
        if extra is not None:
            numbers.append(Decimal(extra))
    if baseline is not None:
        numbers.append(baseline.number)
    low = min([Decimal(0), *numbers])
    high = max(numbers) if numbers else Decimal(100 if unit == PERCENT else 10)
    low, high, step = nice_scale(low, high, whole=unit == COUNT)
    ticks = []
    tick = low
    while tick <= high:
        ticks.append(tick)
        tick += step
    return low, high, ticks


def _x_labels(points):
    """Each point's x-axis label: the periods' own when every one is short, else "Mar 2025"."""
    labels = [mv.period_label for mv, _ in points]
    if not all(labels) or max(len(label) for label in labels) > 12:
        labels = [_short_date(mv.period_end) for mv, _ in points]
    return labels


def _chosen_x_labels(xs, room, span):
    """The indexes of the points to label: as many as fit in ``span``, always the first and last."""
    fit = max(1, int(span // room) + 1)
    stride = -(-len(xs) // fit)
    chosen = list(range(0, len(xs), stride))
    last = len(xs) - 1
    if chosen[-1] != last:
        if len(chosen) > 1 and xs[last] - xs[chosen[-1]] < room:
            chosen.pop()
        chosen.append(last)
    return chosen


def _anchor(x, half, low, high):
    """The text-anchor keeping a label of half-width ``half`` at ``x`` within low..high."""
    if x - half < low:
        return "start"
    if x + half > high:
        return "end"
    return "middle"


def _beside(x, anchor):
    """Where a label with ``anchor`` goes to sit just beside a mark at ``x``."""
    if anchor == "start":
        return x - 6
    if anchor == "end":
        return x + 6
    return x


class _Chart:
    """The scale and plot area of one chart, and the SVG for each of its parts.

    ``points`` are (MeasureValue, PublicFigure) pairs, oldest first;
    ``baseline`` is the public baseline, or None.
    """

    def __init__(self, measure, points, baseline, width, height):
        self.measure = measure
        self.points = points
        self.width, self.height = width, height
        self.baseline = baseline if baseline is not None and baseline.number is not None else None
        self.target_label, self.national_label = _line_labels(measure)
        self.low, self.high, self.ticks = _y_scale(measure, points, self.baseline)
        self.tick_texts = [_tick_text(measure.unit, tick) for tick in self.ticks]
        self._place_plot_area()
        self.first_day, self.last_day = self._day_range()
        self.xs = [self.x_of(mv.period_end) for mv, _ in points]
        self.shown = [
            (x, fig, mv)
            for x, (mv, fig) in zip(self.xs, points, strict=True)
            if fig.number is not None
        ]

    def _place_plot_area(self):
        """Set the plot area's edges, with margins from the widest labels."""
        left = max(40.0, max(_width(text, SMALL_FONT) for text in self.tick_texts) + 14)
        right_labels = [label for label in (self.target_label, self.national_label) if label]
        right = max([16.0, *(_width(label) + 12 for label in right_labels)])
        right = min(right, self.width * 0.35)
        self.plot_left, self.plot_right = left, self.width - right
        self.plot_top, self.plot_bottom = _TOP, self.height - _BOTTOM
        self.x_start, self.x_end = self.plot_left + _INSET, self.plot_right - _INSET
        self.span = float(self.high - self.low)

    def _day_range(self):
        """The first and last day on the x-axis (as ordinals), including a drawn baseline's."""
        ordinals = [mv.period_end.toordinal() for mv, _ in self.points]
        if self.baseline is not None and self.measure.baseline_date:
            ordinals.append(self.measure.baseline_date.toordinal())
        return (min(ordinals), max(ordinals)) if ordinals else (0, 0)

    def y_of(self, number):
        """The y coordinate of a figure."""
        height = self.plot_bottom - self.plot_top
        return self.plot_bottom - float(Decimal(number) - self.low) / self.span * height

    def x_of(self, day):
        """The x coordinate of a date; the middle when every date is the same day."""
        first_day, last_day = self.first_day, self.last_day
        if last_day == first_day:
            return (self.x_start + self.x_end) / 2
        fraction = (day.toordinal() - first_day) / (last_day - first_day)
        return self.x_start + fraction * (self.x_end - self.x_start)

    def header(self, chart_id, *, summary_in_title=False):
        """The opening <svg> tag, the <title> and <desc> it is named by, and a white background.

        ``summary_in_title`` puts the summary into the <title> as well, with no <desc>:
        for the PDF, whose figure's alternative text WeasyPrint takes from the <title>
        alone, so the trend is read out and not only the measure's name.
        """
        width, height = self.width, self.height
        title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
        summary = escape(_summary(self.measure, self.points))
        if summary_in_title:
            named_by = title_id
            described = [f'<title id="{title_id}">{escape(self.measure.name)}. {summary}</title>']
        else:
            named_by = f"{title_id} {desc_id}"
            described = [
                f'<title id="{title_id}">{escape(self.measure.name)}</title>',
                f'<desc id="{desc_id}">{summary}</desc>',
            ]
        return [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
            f'role="img" aria-labelledby="{named_by}" '
            f'font-family="Arial, sans-serif" font-size="{FONT}" fill="{TEXT}">',
            *described,
            f'<rect width="{width}" height="{height}" fill="{WHITE}"/>',
        ]

    def grid(self):
        """Gridlines and y-axis tick labels, and the unit's caption above the axis."""
        out = []
        for tick, text in zip(self.ticks, self.tick_texts, strict=True):
            y = _n(self.y_of(tick))
            out.append(
                f'<line x1="{_n(self.plot_left)}" y1="{y}" x2="{_n(self.plot_right)}" y2="{y}" '
                f'stroke="{GRID}" stroke-width="1"/>'
            )
            out.append(
                f'<text x="{_n(self.plot_left - 8)}" y="{y}" dy="0.35em" text-anchor="end" '
                f'font-size="{SMALL_FONT}">{escape(text)}</text>'
            )
        caption = UNIT_CAPTIONS.get(self.measure.unit)
        if caption:
            out.append(f'<text x="4" y="16" font-size="{SMALL_FONT}">{escape(caption)}</text>')
        return out

    def axes(self):
        """The y-axis and x-axis lines."""
        left, right = _n(self.plot_left), _n(self.plot_right)
        top, bottom = _n(self.plot_top), _n(self.plot_bottom)
        return [
            f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="{TEXT}" stroke-width="1"/>',
            f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" '
            f'stroke="{TEXT}" stroke-width="1"/>',
        ]

    def x_axis(self):
        """X-axis ticks and period labels, as many as fit; or "No figures yet" with no points."""
        if not self.points:
            return [
                f'<text x="{_n((self.plot_left + self.plot_right) / 2)}" '
                f'y="{_n(self.plot_bottom + 20)}" '
                f'text-anchor="middle" fill="{SECONDARY}">No figures yet</text>'
            ]
        labels = _x_labels(self.points)
        room = max(_width(label, SMALL_FONT) for label in labels) + 10
        out = []
        for index in _chosen_x_labels(self.xs, room, self.x_end - self.x_start):
            x = self.xs[index]
            half = _width(labels[index], SMALL_FONT) / 2
            anchor = _anchor(x, half, 2, self.width - 2)
            lx = {"start": 2, "end": self.width - 2}.get(anchor, x)
            out.append(
                f'<line x1="{_n(x)}" y1="{_n(self.plot_bottom)}" x2="{_n(x)}" '
                f'y2="{_n(self.plot_bottom + 5)}" stroke="{TEXT}" stroke-width="1"/>'
            )
            out.append(
                f'<text x="{_n(lx)}" y="{_n(self.plot_bottom + 20)}" text-anchor="{anchor}" '
                f'font-size="{SMALL_FONT}">{escape(labels[index])}</text>'
            )
        return out

    def reference_lines(self):
        """The dashed target line and dotted national line, labelled in the right margin."""
        label_ys = {}
        if self.target_label:
            label_ys["target"] = self.y_of(self.measure.target)
        if self.national_label:
            label_ys["national"] = self.y_of(self.measure.national_comparator)
        placed = _spread(
            [(y, key) for key, y in label_ys.items()],
            FONT + 2,
            self.plot_top,
            self.plot_bottom + _BOTTOM / 2,
        )
        out = []
        for key, label, colour, dashes, cap in (
            ("target", self.target_label, TEXT, "8 4", "butt"),
            ("national", self.national_label, SECONDARY, "1 5", "round"),
        ):
            if key not in label_ys:
                continue
            y = _n(label_ys[key])
            out.append(
                f'<line x1="{_n(self.plot_left)}" y1="{y}" x2="{_n(self.plot_right)}" y2="{y}" '
                f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dashes}" '
                f'stroke-linecap="{cap}"/>'
            )
            out.append(
                f'<text x="{_n(self.plot_right + 6)}" y="{_n(placed[key])}" dy="0.35em" '
                f'fill="{colour}">{escape(label)}</text>'
            )
        return out

    def _runs(self):
        """The series as runs of (x, y), broken wherever a figure is withheld or missing."""
        runs, run = [], []
        for x, (_, fig) in zip(self.xs, self.points, strict=True):
            if fig.number is None:
                if run:
                    runs.append(run)
                run = []
            else:
                run.append((x, self.y_of(fig.number)))
        if run:
            runs.append(run)
        return runs

    def series(self):
        """The series: a solid line through each run of two or more points, then every marker."""
        runs = self._runs()
        out = []
        for run in runs:
            if len(run) > 1:
                path = " ".join(
                    f"{'M' if i == 0 else 'L'}{_n(x)} {_n(y)}" for i, (x, y) in enumerate(run)
                )
                out.append(
                    f'<path d="{path}" fill="none" stroke="{LINE}" stroke-width="3" '
                    f'stroke-linejoin="round" stroke-linecap="round"/>'
                )
        for run in runs:
            for x, y in run:
                out.append(
                    f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4.5" fill="{LINE}" '
                    f'stroke="{WHITE}" stroke-width="1.5"/>'
                )
        return out

    def withheld(self):
        """Each withheld figure: an open mark on the x-axis, and its words instead of a number.

        The words stand upright when the points are too close for them to lie flat.
        """
        gaps = [i for i, (_, fig) in enumerate(self.points) if fig.suppressed]
        if not gaps:
            return []
        spacing = min((b - a for a, b in pairwise(self.xs)), default=self.width)
        widest = max(_width(self.points[i][1].short_text, SMALL_FONT) for i in gaps)
        upright = spacing < widest + 6
        out = []
        for i in gaps:
            x = self.xs[i]
            text = escape(self.points[i][1].short_text)
            out.append(
                f'<circle cx="{_n(x)}" cy="{_n(self.plot_bottom)}" r="3.5" fill="{WHITE}" '
                f'stroke="{SECONDARY}" stroke-width="1.5"/>'
            )
            out.append(self._withheld_text(x, text, widest, upright))
        return out

    def _withheld_text(self, x, text, widest, upright):
        """The words for one withheld figure at ``x``: rotated upright, or flat above the axis."""
        if upright:
            ty = _n(self.plot_bottom - 8)
            return (
                f'<text x="{_n(x)}" y="{ty}" dy="0.35em" transform="rotate(-90 {_n(x)} {ty})" '
                f'font-size="{SMALL_FONT}" fill="{SECONDARY}" {_HALO}>{text}</text>'
            )
        anchor = _anchor(x, widest / 2, self.plot_left, self.plot_right)
        return (
            f'<text x="{_n(x)}" y="{_n(self.plot_bottom - 10)}" text-anchor="{anchor}" '
            f'font-size="{SMALL_FONT}" fill="{SECONDARY}" {_HALO}>{text}</text>'
        )

    def _baseline_point(self):
        """Where the baseline's square sits: at its date, else at the start of the x-axis."""
        date = self.measure.baseline_date
        bx = self.x_of(date) if date else self.x_start
        return bx, self.y_of(self.baseline.number)

    def baseline_merges_first(self):
        """Whether the baseline is the first shown figure, at its place and with its words.

        Then the pair is labelled once, by the baseline's label.
        """
        if self.baseline is None or not self.shown:
            return False
        bx, _ = self._baseline_point()
        x, fig, _ = self.shown[0]
        return abs(x - bx) < 0.05 and fig.text == self.baseline.text

    def baseline_mark(self, merged_first):
        """The baseline: an open square, labelled below it (above, when it merges with the first)."""
        if self.baseline is None:
            return []
        bx, by = self._baseline_point()
        label = f"Baseline {self.baseline.text}"
        if merged_first:
            room_above = by - 14 - FONT >= self.plot_top - _TOP / 2
            ly = by - 14 if room_above else by + 24
        else:
            ly = by + 24 if by + 24 <= self.plot_bottom - 4 else by - 14
        anchor = _anchor(bx, _width(label) / 2, self.plot_left, self.plot_right)
        lx = _beside(bx, anchor)
        return [
            f'<rect x="{_n(bx - 7)}" y="{_n(by - 7)}" width="14" height="14" fill="none" '
            f'stroke="{TEXT}" stroke-width="2"/>',
            f'<text x="{_n(lx)}" y="{_n(ly)}" text-anchor="{anchor}" {_HALO}>{escape(label)}</text>',
        ]

    def end_labels(self, merged_first):
        """The first and last shown figures, written in bold beside their points."""
        shown = self.shown
        if not shown:
            return []
        labelled = [(shown[0], "start" if len(shown) > 1 else "middle")]
        if len(shown) > 1:
            labelled.append((shown[-1], "end"))
        if merged_first:
            labelled = labelled[1:]
        out = []
        for (x, fig, _), anchor in labelled:
            y = self.y_of(fig.number)
            ly = y - 12 if y - 12 - FONT >= self.plot_top - _TOP / 2 else y + 24
            out.append(
                f'<text x="{_n(_beside(x, anchor))}" y="{_n(ly)}" text-anchor="{anchor}" '
                f'font-weight="bold" {_HALO}>{escape(fig.text)}</text>'
            )
        return out


def chart_svg(
    measure,
    points,
    *,
    baseline=None,
    width=640,
    height=300,
    chart_id=None,
    summary_in_title=False,
):
    """Draw ``points`` — (MeasureValue, PublicFigure) pairs — as an SVG line chart.

    ``measure_chart_svg`` is the entry point; this takes figures already
    worked out, so a page that also shows them in a table works them out once.
    """
    points = sorted(points, key=lambda point: point[0].period_end)
    chart_id = escape(_default_chart_id(measure) if chart_id is None else chart_id)
    chart = _Chart(measure, points, baseline, width, height)
    merged_first = chart.baseline_merges_first()
    out = [
        *chart.header(chart_id, summary_in_title=summary_in_title),
        *chart.grid(),
        *chart.axes(),
        *chart.x_axis(),
        *chart.reference_lines(),
        *chart.series(),
        *chart.withheld(),
        *chart.baseline_mark(merged_first),
        *chart.end_labels(merged_first),
        "</svg>",
    ]
    return mark_safe("".join(out))  # every text piece above is escaped


def measure_chart_svg(measure, values, *, width=640, height=300, chart_id=None):
    """An inline SVG line chart of ``measure``'s ``values``, safe to put in a template."""
    points = [(mv, public_figure(measure, mv)) for mv in values]
    return chart_svg(
        measure,
        points,
        baseline=public_baseline(measure),
        width=width,
        height=height,
        chart_id=chart_id,
    )


def measure_display(measure, values, *, chart_id=None, summary_in_title=False):
    """The chart, the data table rows and the summary list entries for ``measure``.

    Returns a dict:

    * ``measure``: the measure itself (name, definition, source, unit).
    * ``svg``: the chart, safe to render.
    * ``unit_heading``: the value column's heading, such as "Percentage".
    * ``rows``: (period, PublicFigure) pairs, oldest first.
    * ``baseline``, ``target``, ``national``: text for the summary list, or
      "" when there is none.
    * ``latest``: (period, date text, PublicFigure) for the newest value, or None.
    """
    points = sorted(
        ((mv, public_figure(measure, mv)) for mv in values), key=lambda point: point[0].period_end
    )
    baseline = public_baseline(measure)
    unit = measure.unit

    baseline_text = ""
    if baseline is not None:
        baseline_text = baseline.text
        if measure.baseline_date:
            baseline_text += f" at {full_date(measure.baseline_date)}"

    target_text = ""
    if measure.target is not None:
        target_text = format_figure(unit, measure.target, compact=True)
        if measure.target_date:
            target_text += f" by {full_date(measure.target_date)}"

    national_text = ""
    if measure.national_comparator is not None:
        national_text = format_figure(unit, measure.national_comparator)
        if measure.national_comparator_label:
            national_text += f" ({measure.national_comparator_label})"

    latest = None
    if points:
        mv, figure = points[-1]
        latest = (period_name(mv), full_date(mv.period_end), figure)

    return {
        "measure": measure,
        "svg": chart_svg(
            measure,
            points,
            baseline=baseline,
            chart_id=chart_id,
            summary_in_title=summary_in_title,
        ),
        "unit_heading": measure.get_unit_display(),
        "rows": [(period_name(mv), figure) for mv, figure in points],
        "baseline": baseline_text,
        "target": target_text,
        "national": national_text,
        "latest": latest,
    }
