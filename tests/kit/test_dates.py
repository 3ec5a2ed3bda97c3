"""Dates known to the day, month or year (no database)."""

import datetime
import unittest

from kit.dates import PartialDate, PartialDateError, Precision, format_date

D = datetime.date


class ParseTests(unittest.TestCase):
    def test_parses_each_precision(self):
        self.assertEqual(PartialDate.parse("2018-03-16"), PartialDate(D(2018, 3, 16)))
        self.assertEqual(PartialDate.parse("2018-03"), PartialDate(D(2018, 3, 1), Precision.MONTH))
        self.assertEqual(PartialDate.parse("2018"), PartialDate(D(2018, 1, 1), Precision.YEAR))
        self.assertEqual(PartialDate.parse("  2018-03 "), PartialDate.parse("2018-03"))

    def test_a_day_that_does_not_exist(self):
        with self.assertRaises(PartialDateError) as error:
            PartialDate.parse("2018-02-30")
        self.assertEqual(
            str(error.exception), "2018-02-30 is not a real date: February 2018 has 28 days"
        )
        with self.assertRaises(PartialDateError) as error:
            PartialDate.parse("2019-02-29")
        self.assertIn("February 2019 has 28 days", str(error.exception))
        self.assertEqual(PartialDate.parse("2020-02-29").date, D(2020, 2, 29))

    def test_a_month_that_does_not_exist(self):
        with self.assertRaises(PartialDateError) as error:
            PartialDate.parse("2018-13")
        self.assertEqual(str(error.exception), "2018-13 is not a real date: there is no month 13")
        with self.assertRaises(PartialDateError) as error:
            PartialDate.parse("2018-00-10")
        self.assertIn("there is no month 0", str(error.exception))

    def test_other_text_is_refused_with_the_expected_format(self):
        for text in ("March 2018", "16/05/2018", "2018-3-16", "", "18"):
            with self.subTest(text=text), self.assertRaises(PartialDateError) as error:
                PartialDate.parse(text)
            self.assertEqual(
                str(error.exception), "must be a date written as YYYY-MM-DD, YYYY-MM or YYYY"
            )
        with self.assertRaises(PartialDateError):
            PartialDate.parse(D(2018, 3, 16))

    def test_too_long_ago(self):
        with self.assertRaises(PartialDateError) as error:
            PartialDate.parse("1899-12")
        self.assertIn("too long ago", str(error.exception))

    def test_the_error_is_a_value_error(self):
        self.assertTrue(issubclass(PartialDateError, ValueError))


class PartialDateTests(unittest.TestCase):
    def test_display_at_its_precision(self):
        self.assertEqual(str(PartialDate.parse("2018-03")), "March 2018")
        self.assertEqual(str(PartialDate.parse("2018-03-06")), "6 March 2018")
        self.assertEqual(str(PartialDate.parse("2026")), "2026")

    def test_isoformat_round_trip(self):
        for text in ("2018", "2018-03", "2018-03-16", "2020-02-29"):
            with self.subTest(text=text):
                self.assertEqual(PartialDate.parse(text).isoformat(), text)
                self.assertEqual(
                    PartialDate.parse(PartialDate.parse(text).isoformat()).isoformat(), text
                )

    def test_month_and_year_dates_sit_on_the_first_day(self):
        self.assertEqual(PartialDate(D(2018, 3, 16), Precision.MONTH).date, D(2018, 3, 1))
        self.assertEqual(PartialDate(D(2018, 3, 16), Precision.YEAR).date, D(2018, 1, 1))
        self.assertEqual(PartialDate(D(2018, 3, 16), Precision.MONTH).isoformat(), "2018-03")

    def test_last_day(self):
        self.assertEqual(PartialDate.parse("2018-03-16").last_day, D(2018, 3, 16))
        self.assertEqual(PartialDate.parse("2018-04").last_day, D(2018, 4, 30))
        self.assertEqual(PartialDate.parse("2020-02").last_day, D(2020, 2, 29))
        self.assertEqual(PartialDate.parse("2021-02").last_day, D(2021, 2, 28))
        self.assertEqual(PartialDate.parse("2018").last_day, D(2018, 12, 31))

    def test_is_exact(self):
        self.assertTrue(PartialDate.parse("2018-03-16").is_exact)
        self.assertFalse(PartialDate.parse("2018-03").is_exact)
        self.assertFalse(PartialDate.parse("2018").is_exact)

    def test_unknown_precision(self):
        with self.assertRaises(PartialDateError):
            PartialDate(D(2018, 3, 16), "week")

    def test_ordering_and_hashing(self):
        dates = [PartialDate.parse(t) for t in ("2019", "2018-03-16", "2018-03")]
        self.assertEqual([d.isoformat() for d in sorted(dates)], ["2018-03", "2018-03-16", "2019"])
        self.assertEqual(len({PartialDate.parse("2018-03"), PartialDate.parse("2018-03")}), 1)

    def test_immutable(self):
        with self.assertRaises(AttributeError):
            PartialDate.parse("2018").precision = Precision.DAY


class FormatDateTests(unittest.TestCase):
    def test_gov_uk_style(self):
        self.assertEqual(format_date(D(2018, 5, 6)), "6 May 2018")
        self.assertEqual(format_date(None), "")
