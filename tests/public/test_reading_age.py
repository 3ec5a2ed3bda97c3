"""Every seed area's public pages read at a reading age of 12 or below.

The measure, defined once here (``reading_of``, ``main_lines``):

* The demo is loaded as ``load_demo`` loads it (the four seed areas' public
  facts and the demo's illustrative content), and each public page is
  fetched as a visitor fetches it: the home page, the glossary, the
  accessibility statement, help and contact, and for each seed area its page, each finding's
  page, its measures, its board meetings and its "You said, we did".
* The text read is everything inside ``<main>`` that the page shows or reads
  aloud. Each block element (p, li, dt, dd, th, td, h1 to h6, caption,
  summary, and the divs, rows and lists around them) is a line of its own,
  since ``check_wording`` reads each line as a sentence (a list item or a
  table cell is a sentence of its own to a reader too). Nothing is left out
  but what is never shown or read: scripts, styles and templates. A chart
  is a picture (``role="img"``) read by its title and description; its drawn
  labels (axis ticks, figures) are the data table's numbers again, so they
  are not read twice. Leaving them out makes the score harder, not easier.
* The score is ``kit.plain_english.check_wording``'s reading age: the
  Flesch-Kincaid grade plus 5, from textstat, the same check officers meet
  before they publish.

The table of pages, reading ages and words is printed: run
``pytest -s tests/public/test_reading_age.py`` to see it, or ``-rP`` to see
it in the summary.
"""

import io
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from inspections.models import LocalArea
from kit.plain_english import check_wording
from public import selectors

pytestmark = pytest.mark.django_db

# Each of these starts a new line: a new sentence to the reader and to the check.
BLOCKS = {"p", "li", "dt", "dd", "th", "td", "h1", "h2", "h3", "h4", "h5", "h6", "caption"}
BLOCKS |= {"summary", "details", "div", "section", "article", "aside", "header", "footer"}
BLOCKS |= {"nav", "ul", "ol", "dl", "table", "thead", "tbody", "tr", "br", "hr", "figure"}
BLOCKS |= {"figcaption", "blockquote", "form", "fieldset", "legend", "label", "button"}
BLOCKS |= {"title", "desc"}  # a chart's name and its one-sentence description
NEVER_SHOWN = {"script", "style", "template"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
VOID |= {"track", "wbr"}


class _MainText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open = []
        self.lines = [[]]

    def _break(self):
        if self.lines[-1]:
            self.lines.append([])

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self._break()
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCKS:
            self._break()

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self._break()
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index] == tag:
                del self.open[index:]
                return

    def handle_data(self, data):
        if "main" not in self.open or NEVER_SHOWN & set(self.open):
            return
        if "svg" in self.open and self.open[-1] not in ("title", "desc"):
            return  # the chart's drawn labels: the data table's figures again
        self.lines[-1].append(data)


def main_lines(html):
    """The text a reader meets in <main>, one line per block element, spaces tidied."""
    reader = _MainText()
    reader.feed(html)
    lines = (" ".join("".join(parts).split()) for parts in reader.lines)
    return [line for line in lines if line]


@dataclass(frozen=True)
class Reading:
    page: str
    url: str
    reading_age: int
    words: int
    text: str


def reading_of(client, page, url):
    response = client.get(url)
    assert response.status_code == 200, url
    text = "\n".join(main_lines(response.content.decode()))
    check = check_wording(text)
    return Reading(page, url, check.reading_age, check.words, text)


def seed_area_pages():
    """(name, url) for every public page of the site and of every seed area."""
    pages = [
        ("Home", reverse("public:home")),
        ("Glossary", reverse("public:glossary")),
        ("Accessibility statement", reverse("public:accessibility")),
        ("Help and contact", reverse("public:help")),
    ]
    for area in LocalArea.objects.order_by("name"):
        pages.append((area.name, area.get_absolute_url()))
        for finding in selectors.public_findings(area):
            url = reverse("public:area-finding", args=[area.slug, finding.pk])
            pages.append((f"{area.name}: {finding}", url))
        for name, title in (
            ("public:area-measures", "measures"),
            ("public:area-meetings", "board meetings"),
            ("public:area-you-said", "you said, we did"),
        ):
            pages.append((f"{area.name}: {title}", reverse(name, args=[area.slug])))
    return pages


def table(readings, limit):
    width = max(len(reading.page) for reading in readings)
    lines = [f"{'Page':<{width}}  Reading age  Words", f"{'-' * width}  -----------  -----"]
    for reading in readings:
        over = "  above the limit" if reading.reading_age > limit else ""
        lines.append(
            f"{reading.page:<{width}}  {reading.reading_age:>11}  {reading.words:>5}{over}"
        )
    return "\n".join(lines)


def test_the_main_text_is_read_one_line_per_block_and_charts_by_their_description():
    html = (
        "<header><p>Not in main</p></header><main><h1>Title</h1><p>One <a>link</a> here.</p>"
        "<ul><li>First</li><li>Second</li></ul><table><tr><th>Key</th><td>Value<br>more</td>"
        "</tr></table><svg role='img'><title>Chart</title><desc>Rose from 1 to 2.</desc>"
        "<text>0</text></svg><script>var x;</script><details><summary>Help</summary>"
        "<div>Text</div></details></main>"
    )
    assert main_lines(html) == [
        "Title",
        "One link here.",
        "First",
        "Second",
        "Key",
        "Value",
        "more",
        "Chart",
        "Rose from 1 to 2.",
        "Help",
        "Text",
    ]


@pytest.fixture
def demo():
    cache.clear()
    call_command("load_demo", force=True, stdout=io.StringIO())
    yield
    cache.clear()


def test_every_seed_areas_public_pages_read_at_a_reading_age_of_twelve_or_below(client, demo):
    limit = settings.PLAIN_ENGLISH_MAX_READING_AGE
    readings = [reading_of(client, page, url) for page, url in seed_area_pages()]
    areas = {reading.page for reading in readings if ":" not in reading.page}
    assert {"Dudley", "Essex", "Wolverhampton", "Worcestershire"} <= areas
    assert sum("weakness" in r.page or "improvement" in r.page for r in readings) > 20
    print(f"\nReading age of each public page (limit {limit}):\n{table(readings, limit)}")
    above = [f"{r.page} ({r.url}): {r.reading_age}" for r in readings if r.reading_age > limit]
    assert above == []
