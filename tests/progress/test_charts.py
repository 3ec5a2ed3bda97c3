"""Measure charts as inline SVG, and the measure partial with its data table."""

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from progress.charts import measure_chart_svg, measure_display, nice_scale
from progress.models import Measure, MeasureValue

SVG = "{http://www.w3.org/2000/svg}"
QUARTERS = [
    dt.date(2025, 3, 31),
    dt.date(2025, 6, 30),
    dt.date(2025, 9, 30),
    dt.date(2025, 12, 31),
    dt.date(2026, 3, 31),
    dt.date(2026, 6, 30),
    dt.date(2026, 9, 30),
    dt.date(2026, 12, 31),
]


def make_measure(**fields):
    defaults = dict(
        name="Plans issued within 20 weeks",
        slug="plans-in-20-weeks",
        unit="percent",
        definition="New education, health and care plans issued within 20 weeks.",
        source="SEN2 return",
        baseline=Decimal("36.7"),
        baseline_date=dt.date(2025, 3, 31),
        target=Decimal("60"),
        target_date=dt.date(2027, 3, 31),
        national_comparator=Decimal("46.4"),
        national_comparator_label="England, 2023 to 2024",
    )
    defaults.update(fields)
    return Measure(**defaults)


def value(measure, period_end, figure=None, numerator=None, denominator=None, label=""):
    return MeasureValue(
        measure=measure,
        period_end=period_end,
        period_label=label,
        value=None if figure is None else Decimal(str(figure)),
        numerator=numerator,
        denominator=denominator,
    )


def rising(measure, withheld=None):
    """Eight quarters from 36.7% to 69.8%; the third withheld when ``withheld`` is given."""
    figures = ["36.7", "41.0", "44.0", "50.5", "55.2", "58.0", "63.1", "69.8"]
    values = []
    for i, (day, figure) in enumerate(zip(QUARTERS, figures, strict=True)):
        label = "March 2025" if i == 0 else "December 2026" if i == 7 else ""
        if i == 2 and withheld is not None:
            numerator, denominator, figure = withheld
            values.append(value(measure, day, figure, numerator, denominator, label))
        else:
            values.append(value(measure, day, figure, label=label))
    return values


def parse(svg):
    return ET.fromstring(str(svg))  # noqa: S314 -- our own output, not untrusted input


def root_desc(svg):
    return parse(svg).find(f"{SVG}desc").text


def numbers_in(words):
    """Every number in the text, such as "12", "1,204", "3.3" or "46.4%"."""
    return set(re.findall(r"-?\d[\d,]*(?:\.\d+)?%?", " ".join(words)))


def texts(root):
    """Every piece of text in the SVG: what a reader or screen reader could get."""
    return ["".join(element.itertext()) for element in root.iter() if element.text]


def test_the_chart_is_well_formed_svg_named_by_its_title_and_summary():
    measure = make_measure(pk=7)
    svg = measure_chart_svg(measure, rising(measure))
    assert isinstance(svg, SafeString)
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.get("id") == "measure-chart-7-title"
    assert title.text == "Plans issued within 20 weeks"
    assert desc.text == (
        "Rose from 36.7% in March 2025 to 69.8% in December 2026; "
        "target 60% by March 2027; England 46.4%."
    )


def test_the_chart_needs_no_css_or_script():
    measure = make_measure()
    svg = str(measure_chart_svg(measure, rising(measure)))
    assert "style" not in svg  # the CSP refuses inline styles; presentation attributes only
    assert "<script" not in svg
    assert "class=" not in svg


def test_lines_are_told_apart_by_dashes_and_words_not_colour_alone():
    measure = make_measure()
    root = parse(measure_chart_svg(measure, rising(measure)))
    words = texts(root)
    assert "Target 60%" in words
    assert "England 46.4%" in words
    assert "Baseline 36.7%" in words
    assert "69.8%" in words  # the last figure, written beside its point
    dashes = {
        line.get("stroke-dasharray")
        for line in root.iter(f"{SVG}line")
        if line.get("stroke-dasharray")
    }
    assert len(dashes) == 2  # target dashed, national dotted; the series is solid
    assert all(path.get("stroke-dasharray") is None for path in root.iter(f"{SVG}path"))
    assert len(root.findall(f"{SVG}rect[@fill='none']")) == 1  # the baseline's square


@pytest.mark.parametrize(
    "withheld",
    [
        ((3, 90, "3.33"), (4, 90, "4.44")),  # few meet the measure
        ((87, 90, "96.67"), (89, 90, "98.89")),  # few do not: the scale must not move
        ((2, 3, "66.67"), (1, 4, "25")),  # a small group
    ],
)
def test_nothing_in_the_chart_depends_on_a_withheld_figure(withheld):
    measure = make_measure()
    first, second = (
        measure_chart_svg(measure, rising(measure, withheld=counts)) for counts in withheld
    )
    assert first == second

    numerator, denominator, figure = withheld[0]
    words = texts(parse(first))
    assert "not shown" in words
    assert "1 figure withheld as a small number" in root_desc(first)
    rounded = f"{Decimal(figure):.1f}"
    for number in (figure, rounded, f"{rounded}%", str(numerator), str(denominator)):
        assert number not in numbers_in(words)


@pytest.mark.parametrize(("small", "other"), [(0, 4), (1, 3), (2, 4), (4, 1)])
def test_a_count_under_5_leaves_no_trace_but_its_words(small, other):
    measure = make_measure(
        name="Appeals", unit="count", baseline=None, target=Decimal(10), national_comparator=None
    )
    first, second = (
        measure_chart_svg(
            measure, [value(measure, d, f) for d, f in zip(QUARTERS[:3], fs, strict=True)]
        )
        for fs in ([12, small, 30], [12, other, 30])
    )
    assert first == second
    root = parse(first)
    words = [w for e in root.iter(f"{SVG}text") for w in e.itertext()]  # the drawn words
    assert "fewer than 5" in words
    # The only numbers are the axis ticks, the target, the figures shown and the years.
    assert numbers_in(words) - {"2025", "2027"} == {"0", "10", "20", "30", "12", "5"}
    assert root_desc(first) == (
        "Rose from 12 in March 2025 to 30 in September 2025; "
        "1 figure withheld as a small number; target 10 by March 2027."
    )


def test_a_withheld_count_baseline_is_not_drawn():
    measure = make_measure(unit="count", baseline=Decimal(3))
    root = parse(measure_chart_svg(measure, [value(measure, QUARTERS[0], 40)]))
    assert not any(word.startswith("Baseline") for word in texts(root))
    assert root.findall(f"{SVG}rect[@fill='none']") == []


def test_the_same_measure_and_values_give_the_same_bytes():
    measure = make_measure()
    assert measure_chart_svg(measure, rising(measure)) == measure_chart_svg(
        measure, list(reversed(rising(measure)))
    )


def test_a_chart_with_no_values_still_draws_and_says_so():
    measure = make_measure()
    root = parse(measure_chart_svg(measure, []))
    assert "No figures yet" in texts(root)
    assert root.find(f"{SVG}desc").text == (
        "No figures have been published yet; target 60% by March 2027; England 46.4%."
    )
    assert root.findall(f"{SVG}path") == []


def test_a_chart_with_nothing_at_all_still_draws():
    measure = make_measure(baseline=None, target=None, national_comparator=None, unit="weeks")
    root = parse(measure_chart_svg(measure, []))
    assert root.find(f"{SVG}desc").text == "No figures have been published yet."


def test_a_single_value_is_a_labelled_point_without_a_line():
    measure = make_measure(baseline=None)
    root = parse(measure_chart_svg(measure, [value(measure, QUARTERS[0], "12.5")]))
    assert root.findall(f"{SVG}path") == []
    assert len(root.findall(f"{SVG}circle")) == 1
    assert "12.5%" in texts(root)
    assert root.find(f"{SVG}desc").text.startswith("Was 12.5% in March 2025;")


def test_many_values_get_a_readable_number_of_period_labels():
    measure = make_measure(unit="weeks", higher_is_better=False, baseline=Decimal(31))
    days = [dt.date(2024 + m // 12, m % 12 + 1, 28) for m in range(30)]
    values = [value(measure, d, 31 - i * Decimal("0.4")) for i, d in enumerate(days)]
    root = parse(measure_chart_svg(measure, values))
    assert len(root.findall(f"{SVG}circle")) == 30
    period_labels = [w for w in texts(root) if re.fullmatch(r"[A-Z][a-z]{2} \d{4}", w)]
    assert 2 < len(period_labels) <= 10
    assert period_labels[0] == "Jan 2024" and period_labels[-1] == "Jun 2026"
    assert "31 weeks" in texts(root) and "19.4 weeks" in texts(root)
    assert root.find(f"{SVG}desc").text.endswith("; lower is better.")
    assert "Weeks" in texts(root)


def test_missing_and_withheld_values_break_the_line():
    measure = make_measure()
    values = rising(measure, withheld=(3, 80, "3.75"))
    values[5] = value(measure, QUARTERS[5], numerator=None)  # no figure at all
    root = parse(measure_chart_svg(measure, values))
    assert len(root.findall(f"{SVG}path")) == 3


def test_all_values_withheld():
    measure = make_measure(unit="count", baseline=None, target=None, national_comparator=None)
    root = parse(measure_chart_svg(measure, [value(measure, d, 2) for d in QUARTERS[:4]]))
    assert root.findall(f"{SVG}path") == []
    assert texts(root).count("fewer than 5") == 4
    assert root.find(f"{SVG}desc").text == (
        "All 4 figures are withheld as small numbers that could identify children."
    )


def test_percentages_start_at_0_with_round_ticks():
    measure = make_measure()
    words = texts(parse(measure_chart_svg(measure, rising(measure))))
    assert [w for w in words if re.fullmatch(r"\d+%", w)][:5] == ["0%", "20%", "40%", "60%", "80%"]


def test_negative_figures_extend_the_scale_below_0():
    measure = make_measure(unit="days", baseline=None, target=None, national_comparator=None)
    values = [value(measure, d, f) for d, f in zip(QUARTERS, [-12, 5, 18], strict=False)]
    root = parse(measure_chart_svg(measure, values))
    assert "-20" in texts(root)
    assert root.find(f"{SVG}desc").text == (
        "Rose from -12 days in March 2025 to 18 days in September 2025."
    )


@pytest.mark.parametrize(
    ("low", "high", "whole", "expected"),
    [
        (0, "69.8", False, (0, 80, 20)),
        (0, 100, False, (0, 100, 20)),
        (0, "7.3", False, (0, 8, 2)),
        (0, 1204, True, (0, 1250, 250)),
        (0, 3, True, (0, 3, 1)),
        (0, 0, False, (0, 10, 2)),
        (-12, 18, False, (-20, 20, 10)),
    ],
)
def test_nice_scale(low, high, whole, expected):
    assert nice_scale(Decimal(low), Decimal(high), whole=whole) == tuple(map(Decimal, expected))


def test_text_is_escaped():
    measure = make_measure(name="<script>alert(1)</script> & friends")
    values = [value(measure, QUARTERS[0], 50, label="Q1 <b>&</b>")]
    svg = str(measure_chart_svg(measure, values))
    assert "<script>" not in svg and "<b>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "<script>alert(1)</script> & friends"
    assert "in Q1 <b>&</b>;" in root.find(f"{SVG}desc").text


def render(measure, values):
    return render_to_string("includes/measure.html", {"display": measure_display(measure, values)})


def test_measure_display_gives_the_template_words_only():
    measure = make_measure()
    display = measure_display(measure, rising(measure, withheld=(3, 80, "3.75")))
    assert display["baseline"] == "36.7% at 31 March 2025"
    assert display["target"] == "60% by 31 March 2027"
    assert display["national"] == "46.4% (England, 2023 to 2024)"
    assert display["unit_heading"] == "Percentage"
    assert [row[0] for row in display["rows"]][:2] == ["March 2025", "June 2025"]
    assert display["rows"][2][1].suppressed
    assert display["latest"][:2] == ("December 2026", "31 December 2026")


def test_the_partial_shows_the_chart_the_data_table_and_the_summary_list():
    measure = make_measure(is_illustrative=True)
    html = render(measure, rising(measure, withheld=(3, 80, "3.75")))
    assert "<figure" in html and 'role="img"' in html
    assert "Data table for Plans issued within 20 weeks" in html
    assert html.count('<tr class="govuk-table__row">') == 9  # heading and 8 periods
    assert "Not shown: based on fewer than 5 children and young people" in html
    assert "69.8%" in html
    for key in (
        "Definition",
        "Source",
        "Baseline",
        "Target",
        "National comparison",
        "Latest figure date",
    ):
        assert f'<dt class="govuk-summary-list__key">{key}</dt>' in html
    assert "36.7% at 31 March 2025" in html
    assert "December 2026 (period ending 31 December 2026)" in html
    assert '<strong class="govuk-tag portal-tag--illustrative">Illustrative</strong>' in html


def test_the_partial_never_shows_a_withheld_figure_or_its_counts():
    measure = make_measure()
    first = render(measure, rising(measure, withheld=(3, 80, "3.75")))
    second = render(measure, rising(measure, withheld=(78, 80, "97.5")))
    assert first == second
    assert "3.75" not in first and "3.8%" not in first and " of 80" not in first


def test_the_partial_shows_counts_behind_a_published_rate():
    measure = make_measure()
    html = render(measure, [value(measure, QUARTERS[0], "46.3", 31, 67)])
    assert "46.3%" in html and "31 of 67" in html


def test_the_partial_with_no_values_and_no_extras():
    measure = make_measure(
        name="New <measure> & co", baseline=None, target=None, national_comparator=None
    )
    html = render(measure, [])
    assert "No figures have been published yet." in html
    assert "govuk-table" not in html
    assert "No baseline recorded" in html and "No target set" in html
    assert "No national figure" in html and "No figures yet" in html
    assert "New &lt;measure&gt; &amp; co" in html
    assert "Illustrative" not in html
