"""Dates that are known only to the month or the year.

Public sources often say a revisit happened "in November 2021" or an
inspection "in 2026". Such a date is stored as the first day of its period
plus a precision, and is displayed at that precision ("November 2021"), never
as a made-up day.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.db import models


class Precision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


_PATTERNS = {
    Precision.YEAR: re.compile(r"^(\d{4})$"),
    Precision.MONTH: re.compile(r"^(\d{4})-(\d{2})$"),
    Precision.DAY: re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
}


class PartialDateError(ValueError):
    """A value that is not a date, with a message fit to show a person."""


@dataclass(frozen=True, order=True)
class PartialDate:
    date: datetime.date
    precision: str = Precision.DAY

    def __post_init__(self):
        if self.precision not in Precision.values:
            raise PartialDateError(f"unknown precision {self.precision!r}")
        if self.precision == Precision.MONTH and self.date.day != 1:
            object.__setattr__(self, "date", self.date.replace(day=1))
        if self.precision == Precision.YEAR and (self.date.month, self.date.day) != (1, 1):
            object.__setattr__(self, "date", self.date.replace(month=1, day=1))

    @classmethod
    def parse(cls, text):
        """Read "2018", "2018-03" or "2018-03-16"; raise PartialDateError otherwise."""
        if not isinstance(text, str):
            raise PartialDateError("must be a date written as YYYY-MM-DD, YYYY-MM or YYYY")
        text = text.strip()
        for precision, pattern in _PATTERNS.items():
            match = pattern.match(text)
            if not match:
                continue
            parts = [int(p) for p in match.groups()] + [1] * (3 - len(match.groups()))
            year, month, day = parts
            if not 1 <= month <= 12:
                raise PartialDateError(f"{text} is not a real date: there is no month {month}")
            last_day = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last_day:
                raise PartialDateError(
                    f"{text} is not a real date: "
                    f"{calendar.month_name[month]} {year} has {last_day} days"
                )
            if year < 1900:
                raise PartialDateError(f"{text} is too long ago to be a SEND inspection date")
            return cls(datetime.date(year, month, day), precision)
        raise PartialDateError("must be a date written as YYYY-MM-DD, YYYY-MM or YYYY")

    @property
    def is_exact(self):
        return self.precision == Precision.DAY

    @property
    def last_day(self):
        """The latest day the period could mean, for comparisons that must be fair."""
        if self.precision == Precision.YEAR:
            return self.date.replace(month=12, day=31)
        if self.precision == Precision.MONTH:
            return self.date.replace(day=calendar.monthrange(self.date.year, self.date.month)[1])
        return self.date

    def isoformat(self):
        if self.precision == Precision.YEAR:
            return f"{self.date.year:04d}"
        if self.precision == Precision.MONTH:
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()

    def __str__(self):
        if self.precision == Precision.YEAR:
            return str(self.date.year)
        if self.precision == Precision.MONTH:
            return f"{calendar.month_name[self.date.month]} {self.date.year}"
        return f"{self.date.day} {calendar.month_name[self.date.month]} {self.date.year}"


def format_date(value):
    """'16 May 2018' for a date, in the GOV.UK style (no leading zero)."""
    if value is None:
        return ""
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"


class PartialDateAccessor:
    """Model attribute giving a PartialDate from a DateField and its precision field.

    ``start = PartialDateAccessor("start_date")`` reads ``start_date`` and
    ``start_date_precision``; assigning a PartialDate (or None) sets both.
    """

    def __init__(self, date_field):
        self.date_field = date_field
        self.precision_field = f"{date_field}_precision"

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = getattr(instance, self.date_field)
        if value is None:
            return None
        return PartialDate(value, getattr(instance, self.precision_field) or Precision.DAY)

    def __set__(self, instance, value):
        if value is None:
            setattr(instance, self.date_field, None)
            setattr(instance, self.precision_field, Precision.DAY)
        else:
            setattr(instance, self.date_field, value.date)
            setattr(instance, self.precision_field, value.precision)


def precision_field(verbose_name):
    return models.CharField(
        verbose_name,
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
        help_text="How precisely the date is known.",
    )


def partial_date_is_normalised(date_field):
    """A check constraint condition: month and year dates sit on the period's first day."""
    precision = f"{date_field}_precision"
    return (
        models.Q(**{f"{date_field}__isnull": True})
        | models.Q(**{precision: Precision.DAY})
        | models.Q(**{precision: Precision.MONTH, f"{date_field}__day": 1})
        | models.Q(
            **{precision: Precision.YEAR, f"{date_field}__day": 1, f"{date_field}__month": 1}
        )
    )
