"""Small numbers are never published: counts under 5, and rates built on them."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from progress.models import Measure, MeasureValue
from progress.suppression import (
    FEWER_THAN_5,
    RATE_WITHHELD,
    PublicFigure,
    format_figure,
    public_baseline,
    public_figure,
)


def measure(unit="percent", **fields):
    return Measure(name="A measure", slug="a-measure", unit=unit, **fields)


def figure(unit="percent", value=None, numerator=None, denominator=None):
    m = measure(unit)
    mv = MeasureValue(
        measure=m,
        period_end=dt.date(2025, 3, 31),
        value=None if value is None else Decimal(str(value)),
        numerator=numerator,
        denominator=denominator,
    )
    return public_figure(m, mv)


def assert_withheld(fig):
    assert fig.suppressed
    assert fig.number is None
    assert fig.numerator is None
    assert fig.denominator is None
    assert fig.counts_text == ""
    assert fig.reason


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4])
def test_a_count_under_5_is_fewer_than_5(count):
    fig = figure("count", value=count)
    assert fig.text == "fewer than 5"
    assert fig.short_text == "fewer than 5"
    assert str(count) not in fig.text
    assert_withheld(fig)


@pytest.mark.parametrize("count", [Decimal("4.4"), Decimal("-3")])
def test_a_count_is_judged_by_its_size(count):
    assert_withheld(figure("count", value=count))


def test_a_count_taken_from_the_numerator_is_checked_too():
    assert figure("count", numerator=3, denominator=50).text == RATE_WITHHELD
    assert figure("count", numerator=40, denominator=50).text == "40"


@pytest.mark.parametrize(
    ("count", "text"), [(5, "5"), (31, "31"), (1204, "1,204"), (1234567, "1,234,567")]
)
def test_a_count_of_5_or_more_is_a_whole_number_with_separators(count, text):
    fig = figure("count", value=count)
    assert fig == PublicFigure(text, Decimal(count), False, "")


@pytest.mark.parametrize(
    ("numerator", "denominator"),
    [
        (1, 100),  # few meet the measure
        (4, 100),
        (96, 100),  # few do not: 100 - 96 = 4
        (99, 100),
        (3, 4),  # the whole group is small
        (0, 4),
        (4, 4),
        (0, 0),
        (6, 5),  # counts that do not add up
    ],
)
def test_a_rate_built_on_a_small_count_is_withheld_with_its_counts(numerator, denominator):
    fig = figure(value=50, numerator=numerator, denominator=denominator)
    assert_withheld(fig)
    assert fig.text.startswith("Not shown")
    assert fig.short_text == "not shown"


def test_every_withheld_rate_gives_the_same_reason():
    # Saying which count was small would say whether the rate is near 0% or 100%.
    few_meet = figure(value="2", numerator=2, denominator=100)
    few_miss = figure(value="98", numerator=98, denominator=100)
    small_group = figure(value="50", numerator=2, denominator=4)
    assert few_meet == few_miss == small_group
    assert few_meet.text == "Not shown: based on fewer than 5 children and young people"


@pytest.mark.parametrize(
    ("numerator", "denominator", "text"),
    [(5, 10, "50.0%"), (31, 67, "46.3%"), (0, 40, "0.0%"), (40, 40, "100.0%"), (5, 5, "100.0%")],
)
def test_a_rate_on_5_or_more_either_way_is_shown_with_its_counts(numerator, denominator, text):
    fig = figure(numerator=numerator, denominator=denominator)
    assert fig.text == text
    assert not fig.suppressed
    assert (fig.numerator, fig.denominator) == (numerator, denominator)
    assert fig.counts_text == f"{numerator} of {denominator}"


def test_a_stored_rate_is_shown_as_stored_beside_its_counts():
    fig = figure(value="45.2", numerator=31, denominator=67)
    assert fig.text == "45.2%"
    assert fig.number == Decimal("45.2")


def test_a_rate_without_counts_cannot_be_checked_and_is_shown():
    assert figure(value="3.1").text == "3.1%"


@pytest.mark.parametrize(
    ("unit", "value", "text"),
    [
        ("percent", "45.25", "45.3%"),  # half up, as people round
        ("percent", "45.24", "45.2%"),
        ("percent", "60", "60.0%"),
        ("percent", "-2.5", "-2.5%"),
        ("weeks", "31", "31 weeks"),
        ("weeks", "31.25", "31.3 weeks"),
        ("weeks", "1", "1 week"),
        ("weeks", "2", "2 weeks"),
        ("days", "1", "1 day"),
        ("days", "3", "3 days"),
        ("days", "1500", "1,500 days"),
        ("count", "1204.5", "1,205"),
    ],
)
def test_formatting(unit, value, text):
    assert format_figure(unit, Decimal(value)) == text


def test_compact_formatting_drops_a_trailing_zero_from_a_round_percentage():
    assert format_figure("percent", Decimal("60.00"), compact=True) == "60%"
    assert format_figure("percent", Decimal("60.50"), compact=True) == "60.5%"


def test_weeks_and_days_are_durations_and_shown_even_when_small():
    assert figure("weeks", value=3).text == "3 weeks"
    assert figure("days", value=0).text == "0 days"


def test_weeks_with_counts_follow_the_rate_rules():
    assert_withheld(figure("weeks", value=12, numerator=2, denominator=3))
    assert figure("weeks", value=12, numerator=10, denominator=30).text == "12 weeks"


def test_a_missing_figure_says_so_without_claiming_suppression():
    fig = figure("weeks")
    assert fig.text == "No figure"
    assert fig.number is None
    assert not fig.suppressed


def test_a_rate_with_no_stored_value_is_checked_before_it_is_worked_out():
    assert_withheld(figure(numerator=1, denominator=30))
    assert figure(numerator=10, denominator=30).number == Decimal(10) * 100 / 30


def test_a_public_figure_cannot_be_changed():
    fig = figure(value=50, numerator=50, denominator=100)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fig.text = "3"


def test_a_count_baseline_under_5_is_withheld_and_others_are_shown():
    assert public_baseline(measure("count", baseline=Decimal(3))).text == FEWER_THAN_5
    assert public_baseline(measure("count", baseline=Decimal(3))).number is None
    assert public_baseline(measure("count", baseline=Decimal(12))).text == "12"
    assert public_baseline(measure("percent", baseline=Decimal("36.7"))).text == "36.7%"
    assert public_baseline(measure("percent")) is None
