"""The facts the accessibility statement gives, kept in one place.

Update them when something is fixed or found, and the statement's dates with
them (the regulations ask for the date the statement was last reviewed and the
date the website was last tested).
"""

import datetime

PREPARED = datetime.date(2026, 11, 22)
REVIEWED = datetime.date(2026, 12, 1)
# The outside audit: 191 page states, every role, by tools and by hand.
TESTED = datetime.date(2026, 11, 27)
PDF_FIX_BY = datetime.date(2027, 3, 31)

# What the PDF reports still lack for PDF/UA, in words for a visitor. The outside
# audit's five PDF findings are fixed, and tests/progress read the PDFs back and
# check they stay fixed: every table header cell has its scope; the running title
# and page numbers are marked as page furniture (artifacts), not read as text; links
# are described in words with the page they go to; the contents have no dot leaders;
# a chart's alternative text gives its trend. tests/pdf_ua.py checks the rules of
# PDF/UA a program can decide (its docstring lists them) on every kind of report;
# no full PDF/UA validator installs from the project's package sources, so the
# PDFs do not claim PDF/UA-1 in their metadata, and the statement says so.
PDF_PROBLEMS = (
    "they have not been checked with a full PDF/UA validator, so they may still fall short "
    "of the PDF/UA standard in ways our own checks cannot find",
    "lists of terms and what they mean (such as what each status means) are read as plain "
    "lists, not as terms and their meanings",
)
