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

# What the PDF reports still lack for PDF/UA, in words for a visitor. Each was
# found by the outside audit; tests/progress read the PDFs back and check the
# fixed ones stay fixed (every table header cell has its scope, the
# contents' dot leaders are gone, a chart's alternative text gives its trend,
# and the PDFs no longer claim PDF/UA-1 in their metadata).
PDF_PROBLEMS = (
    "the title and page number at the top and bottom of each page are read out as text",
    "links inside a report are described by codes, not words",
)
