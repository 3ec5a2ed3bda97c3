"""Working days in England: weekdays that are not England and Wales bank holidays.

Statutory clocks such as "70 working days of receiving the report" count
working days after the day the clock starts: the day of receipt is day 0.
"""

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays_for(year):
    return frozenset(holidays.UK(subdiv="ENG", years=year).keys())


def is_bank_holiday(day):
    return day in _bank_holidays_for(day.year)


def is_working_day(day):
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(start, count):
    """The date ``count`` working days after ``start`` (negative counts go back)."""
    step = datetime.timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    day = start
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start, end):
    """Working days after ``start`` up to and including ``end``; negative if end is earlier.

    ``working_days_between(d, add_working_days(d, n)) == n`` for any n >= 0.
    """
    if end == start:
        return 0
    sign = 1
    if end < start:
        start, end = end, start
        sign = -1
    count = 0
    day = start
    one = datetime.timedelta(days=1)
    # Whole weeks first, so long spans stay cheap: each has 5 weekdays less its holidays.
    while (end - day).days >= 7:
        week_end = day + datetime.timedelta(days=7)
        count += 5 - sum(
            1
            for offset in range(1, 8)
            if (d := day + datetime.timedelta(days=offset)).weekday() < 5 and is_bank_holiday(d)
        )
        day = week_end
    while day < end:
        day += one
        if is_working_day(day):
            count += 1
    return sign * count
