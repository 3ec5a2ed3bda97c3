"""Working days in England: weekends and England and Wales bank holidays (no database)."""

import datetime
import unittest

from kit.calendar import (
    add_working_days,
    is_bank_holiday,
    is_working_day,
    working_days_between,
)

D = datetime.date


def naive_working_days_between(start, end):
    """A slow, obviously right count to check the fast one against."""
    step = 1 if end >= start else -1
    low, high = min(start, end), max(start, end)
    days = (low + datetime.timedelta(days=n) for n in range(1, (high - low).days + 1))
    return step * sum(1 for day in days if is_working_day(day))


class WorkingDayTests(unittest.TestCase):
    def test_weekends_are_not_working_days(self):
        self.assertTrue(is_working_day(D(2024, 1, 5)))  # Friday
        self.assertFalse(is_working_day(D(2024, 1, 6)))  # Saturday
        self.assertFalse(is_working_day(D(2024, 1, 7)))  # Sunday

    def test_christmas_and_boxing_day_substitutes(self):
        # 2021: Christmas on Saturday and Boxing Day on Sunday move to Monday and Tuesday.
        for day in (D(2021, 12, 27), D(2021, 12, 28)):
            self.assertTrue(is_bank_holiday(day), day)
        self.assertTrue(is_working_day(D(2021, 12, 29)))
        # 2022: Christmas on Sunday moves to Tuesday 27th, after Boxing Day on Monday.
        for day in (D(2022, 12, 26), D(2022, 12, 27)):
            self.assertTrue(is_bank_holiday(day), day)
        self.assertEqual(add_working_days(D(2022, 12, 23), 1), D(2022, 12, 28))

    def test_easter(self):
        self.assertTrue(is_bank_holiday(D(2024, 3, 29)))  # Good Friday
        self.assertTrue(is_bank_holiday(D(2024, 4, 1)))  # Easter Monday
        self.assertEqual(add_working_days(D(2024, 3, 28), 1), D(2024, 4, 2))

    def test_one_off_bank_holidays(self):
        # The Queen's state funeral and the King's coronation.
        self.assertTrue(is_bank_holiday(D(2022, 9, 19)))
        self.assertTrue(is_bank_holiday(D(2023, 5, 8)))
        self.assertEqual(add_working_days(D(2022, 9, 16), 1), D(2022, 9, 20))
        self.assertEqual(add_working_days(D(2023, 5, 5), 1), D(2023, 5, 9))

    def test_scottish_and_northern_irish_holidays_do_not_count(self):
        self.assertTrue(is_working_day(D(2023, 1, 3)))  # 2 January holiday in Scotland only
        self.assertTrue(is_working_day(D(2023, 3, 17)))  # St Patrick's Day
        self.assertTrue(is_working_day(D(2023, 8, 7)))  # Scottish summer holiday

    def test_the_start_day_is_day_zero(self):
        self.assertEqual(add_working_days(D(2018, 5, 16), 0), D(2018, 5, 16))
        self.assertEqual(add_working_days(D(2018, 5, 19), 0), D(2018, 5, 19))  # even a Saturday
        self.assertEqual(add_working_days(D(2018, 5, 16), 1), D(2018, 5, 17))
        self.assertEqual(add_working_days(D(2018, 5, 19), 1), D(2018, 5, 21))

    def test_statutory_70_working_days(self):
        self.assertEqual(add_working_days(D(2018, 5, 16), 70), D(2018, 8, 23))
        self.assertEqual(add_working_days(D(2021, 11, 5), 70), D(2022, 2, 16))
        self.assertEqual(add_working_days(D(2019, 12, 23), 70), D(2020, 4, 2))

    def test_negative_counts_go_back(self):
        self.assertEqual(add_working_days(D(2022, 9, 20), -1), D(2022, 9, 16))
        self.assertEqual(add_working_days(D(2024, 1, 2), -1), D(2023, 12, 29))
        self.assertEqual(add_working_days(D(2018, 8, 23), -10), D(2018, 8, 9))
        self.assertEqual(add_working_days(D(2018, 5, 19), -1), D(2018, 5, 18))

    def test_between_counts_days_after_the_start_up_to_the_end(self):
        self.assertEqual(working_days_between(D(2018, 5, 16), D(2018, 5, 16)), 0)
        self.assertEqual(working_days_between(D(2018, 5, 18), D(2018, 5, 21)), 1)
        self.assertEqual(working_days_between(D(2018, 5, 19), D(2018, 5, 20)), 0)
        self.assertEqual(working_days_between(D(2018, 5, 16), D(2018, 8, 23)), 70)

    def test_between_is_negative_when_the_end_is_earlier(self):
        self.assertEqual(working_days_between(D(2018, 8, 29), D(2018, 8, 23)), -3)
        for start, end in ((D(2021, 12, 20), D(2022, 1, 10)), (D(2022, 9, 10), D(2022, 9, 25))):
            self.assertEqual(working_days_between(end, start), -working_days_between(start, end))

    def test_between_is_the_inverse_of_add(self):
        start = D(2021, 12, 1)
        for offset in range(0, 60, 3):  # starts on every day of the week, across Christmas
            day = start + datetime.timedelta(days=offset)
            for count in (0, 1, 4, 5, 9, 35, 70, 250):
                with self.subTest(day=day, count=count):
                    self.assertEqual(working_days_between(day, add_working_days(day, count)), count)

    def test_going_back_from_a_working_day_is_the_inverse_too(self):
        day = D(2023, 5, 10)
        for count in (1, 2, 3, 70):
            with self.subTest(count=count):
                self.assertEqual(working_days_between(day, add_working_days(day, -count)), -count)

    def test_between_agrees_with_a_day_by_day_count(self):
        # The fast path counts whole weeks; check it over spans of every length mod 7.
        start = D(2022, 5, 27)
        for length in range(0, 420, 11):
            end = start + datetime.timedelta(days=length)
            with self.subTest(end=end):
                self.assertEqual(
                    working_days_between(start, end), naive_working_days_between(start, end)
                )
                self.assertEqual(
                    working_days_between(end, start), naive_working_days_between(end, start)
                )
