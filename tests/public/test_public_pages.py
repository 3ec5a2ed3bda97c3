"""The public pages: what families see, in a fixed number of queries, cached until anything changes.

Home (where each area stands, its next key date), an area's page
(inspections, findings and verdicts, the current plan's actions with what
their latest *published* update said), its measures, board meetings and
"You said, we did" pages, and the accessibility statement.
"""

import datetime
import re
import time
from html import unescape
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.cache.backends import base as cache_base
from django.core.cache.backends import locmem
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Plan
from inspections.models import Inspection, Judgement
from kit.templatetags.plain_english import ACRONYMS
from progress import workflow
from progress.models import (
    BoardMeeting,
    Evidence,
    Measure,
    MeasureValue,
    ProgressUpdate,
    YouSaidWeDid,
)
from public.cache import clear_public_cache
from tests.factories import (
    make_action,
    make_area,
    make_finding,
    make_inspection,
    make_organisation,
    make_plan,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
AREA_PAGES = ("public:area", "public:area-measures", "public:area-meetings")
AREA_PAGES += ("public:area-you-said",)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


# Reading pages


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
VOID |= {"track", "wbr", "path", "circle", "line", "rect", "polyline"}


# Inline elements join the words around them as a browser shows them ("SEND," not "SEND ,").
INLINE = frozenset({"a", "abbr", "b", "code", "em", "i", "small", "span", "strong", "time"})


class _Elements(HTMLParser):
    """The text of every element that ``match(tag, attrs)`` accepts, whitespace collapsed."""

    def __init__(self, match):
        super().__init__(convert_charrefs=True)
        self.match = match
        self.depth = 0
        self.open = []
        self.found = []

    def _gap(self):
        for _, parts in self.open:
            parts.append(" ")

    def handle_starttag(self, tag, attrs):
        if tag not in INLINE:
            self._gap()
        if tag in VOID:
            return
        self.depth += 1
        if self.match(tag, dict(attrs)):
            self.open.append((self.depth, []))

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag not in INLINE:
            self._gap()
        if tag in VOID:
            return
        while self.open and self.open[-1][0] == self.depth:
            _, parts = self.open.pop()
            self.found.append(" ".join("".join(parts).split()))
        self.depth -= 1

    def handle_data(self, data):
        for _, parts in self.open:
            parts.append(data)


def texts(page, *, tag=None, cls=None, element_id=None):
    """The text of each element with this tag, class or id, in document order of their ends."""

    def match(name, attrs):
        return (
            (tag is None or name == tag)
            and (cls is None or cls in (attrs.get("class") or "").split())
            and (element_id is None or attrs.get("id") == element_id)
        )

    parser = _Elements(match)
    parser.feed(page if isinstance(page, str) else page.content.decode())
    return parser.found


def text(page, **kwargs):
    found = texts(page, **kwargs)
    assert len(found) == 1, f"Expected one element matching {kwargs}, found {len(found)}"
    return found[0]


def row_for(page, name):
    """A table row, or an item of the home page's list of areas, that starts with ``name``."""
    found = texts(page, tag="tr") + texts(page, cls="portal-area")
    rows = [row for row in found if row.startswith(name)]
    assert len(rows) == 1, f"No single row for {name}: {found}"
    return rows[0]


def get(client, name, *args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200, f"{name} answered {response.status_code}"
    return response


def main(response):
    return text(response, tag="main")


def short_forms(page_text):
    """The text with each acronym written out at first use put back to its short form.

    Pages write an acronym out the first time they use it ("special educational
    needs and disabilities (SEND)"); tests about other wording compare the
    short form, wherever on the page the first use falls.
    """
    for acronym in ACRONYMS:
        for short, long in acronym.forms:
            for words in (long, *acronym.also_written):
                pattern = (
                    rf"(?i:{re.escape(words[0])}){re.escape(words[1:])} \({re.escape(short)}\)"
                )
                page_text = re.sub(pattern, short, page_text)
    return page_text


# Building areas


def publish_update(action, *, summary, delivery="on_track", impact="some_evidence", period=1):
    """An update already published, written straight to the database."""
    start = datetime.date(2025 + (period - 1) // 4, 3 * ((period - 1) % 4) + 1, 1)
    end = (start + datetime.timedelta(days=92)).replace(day=1) - datetime.timedelta(days=1)
    return ProgressUpdate.objects.create(
        action=action,
        period_start=start,
        period_end=end,
        delivery_status=delivery,
        impact_status=impact,
        narrative="Internal narrative.",
        public_summary=summary,
        state=ProgressUpdate.State.PUBLISHED,
        publish_at=timezone.now() - datetime.timedelta(hours=1),
    )


def add_evidence(update, title, *, visibility=Evidence.Visibility.PUBLIC):
    return Evidence.objects.create(
        update=update,
        title=title,
        file=ContentFile(PDF, name="evidence.pdf"),
        original_name="evidence.pdf",
        content_type="application/pdf",
        size=len(PDF),
        visibility=visibility,
    )


def wsoa_area(slug="testshire", name="Testshire", *, findings=1, actions=1, updates=1):
    """A 2018 WSOA inspection, a revisit, and the WSOA being delivered."""
    area = make_area(slug=slug, name=name)
    council = make_organisation(slug=f"{slug}-council", name=f"{name} Council")
    inspection = make_inspection(
        area=area,
        start="2018-03",
        end="2018-03-09",
        received="2018-05-14",
        published="2018-05-16",
        outcome=Inspection.Outcome.WSOA_REQUIRED,
    )
    inspection.outcome_text = "The area must produce a written statement of action."
    inspection.save()
    made = [
        make_finding(inspection=inspection, number=n, text=f"Weakness {n} in {name}")
        for n in range(1, findings + 1)
    ]
    for finding in made:
        finding.families_summary = f"Families of {name} wait too long ({finding.number})."
        finding.save()
    revisit = make_inspection(
        area=area,
        ref="2019-revisit",
        kind=Inspection.Kind.REVISIT,
        start="2019-11",
        outcome=Inspection.Outcome.REVISIT_REPORTED,
    )
    for finding in made:
        Judgement.objects.create(
            finding=finding, inspection=revisit, verdict=Judgement.Verdict.SUFFICIENT
        )
    plan = make_plan(
        inspection=inspection, status=Plan.Status.PUBLISHED, findings=made, submitted="2018-08"
    )
    for f, finding in enumerate(made, start=1):
        for a in range(1, actions + 1):
            action = make_action(plan=plan, finding=finding, lead=council, ref=f"{f}.{a}")
            for u in range(1, updates + 1):
                update = publish_update(action, summary=f"Update {u} on {f}.{a}.", period=u)
                add_evidence(update, f"Evidence {u} on {f}.{a}")
    return SimpleNamespace(area=area, council=council, plan=plan, findings=made)


# Home


def test_home_says_where_each_area_stands(client):
    wsoa_area("delivering", "Delivering")

    revisited = make_area(slug="revisited", name="Revisited")
    first = make_inspection(area=revisited, start="2017-06", outcome="wsoa_required")
    weakness = make_finding(inspection=first)
    make_plan(inspection=first, status=Plan.Status.SUPERSEDED, findings=[weakness])
    revisit = make_inspection(
        area=revisited,
        ref="2021-revisit",
        kind=Inspection.Kind.REVISIT,
        start="2021-03-08",
        outcome=Inspection.Outcome.REVISIT_REPORTED,
    )
    Judgement.objects.create(
        finding=weakness, inspection=revisit, verdict=Judgement.Verdict.INSUFFICIENT
    )
    make_plan(
        inspection=revisit,
        kind=Plan.Kind.ACCELERATED,
        status=Plan.Status.PUBLISHED,
        findings=[weakness],
    )

    priority = make_area(slug="prioritised", name="Prioritised")
    full = make_inspection(
        area=priority,
        ref="2024-inspection",
        framework=Inspection.Framework.AREA_SEND_2023,
        start="2024-06-10",
        outcome=Inspection.Outcome.SYSTEMIC,
    )
    make_plan(
        inspection=full,
        kind=Plan.Kind.PRIORITY_ACTION,
        status=Plan.Status.PUBLISHED,
        findings=[make_finding(inspection=full)],
    )

    underway = make_area(slug="underway", name="Underway")
    make_inspection(area=underway, start="2018-03", outcome="no_wsoa")
    make_inspection(
        area=underway,
        ref="2026-inspection",
        framework=Inspection.Framework.AREA_SEND_2023,
        start="2026-11-16",
    )
    make_area(slug="uninspected", name="Uninspected")

    home = get(client, "public:home")

    assert "Written Statement of Action: being delivered" in row_for(home, "Delivering")
    assert "Accelerated progress plan after the 2021 revisit" in row_for(home, "Revisited")
    assert "Priority action plan after the 2024 inspection" in row_for(home, "Prioritised")
    assert "Area SEND inspection under way (2026)" in row_for(home, "Underway")
    assert "No inspection recorded yet" in row_for(home, "Uninspected")
    # Each area's name links to its page.
    assert 'href="/areas/revisited/"' in home.content.decode()


def test_a_plan_being_written_does_not_change_where_an_area_stands(client):
    built = wsoa_area()
    full = make_inspection(
        area=built.area,
        ref="2025-inspection",
        framework=Inspection.Framework.AREA_SEND_2023,
        start="2025-01-13",
        outcome=Inspection.Outcome.SYSTEMIC,
    )
    make_plan(
        inspection=full,
        kind=Plan.Kind.PRIORITY_ACTION,
        status=Plan.Status.DRAFT,
        findings=[make_finding(inspection=full)],
    )
    row = row_for(get(client, "public:home"), "Testshire")
    # The 2025 inspection supersedes the 2018 plan; the draft plan answering it is not shown.
    assert "2025 inspection: widespread and/or systemic failings (outcome 3)" in row
    assert "Written Statement of Action" not in row
    assert "Priority action plan" not in row


def test_home_shows_the_next_board_meeting_as_the_next_key_date(client):
    built = wsoa_area()
    built.plan.status = Plan.Status.CLOSED  # no deadline is still to come
    built.plan.save()
    today = timezone.localdate()
    soon, later = today + datetime.timedelta(days=20), today + datetime.timedelta(days=50)
    BoardMeeting.objects.create(area=built.area, held_on=later, is_published=True)
    # Not published, so not a public date, though it is sooner.
    BoardMeeting.objects.create(area=built.area, held_on=soon, is_published=False)
    BoardMeeting.objects.create(
        area=built.area, held_on=today - datetime.timedelta(days=5), is_published=True
    )
    make_area(slug="quiet", name="Quiet")

    home = get(client, "public:home")

    assert f"Next board meeting: {later.day} {later:%B %Y}" in row_for(home, "Testshire")
    assert "None set" in row_for(home, "Quiet")


def priority_plan_awaiting_publication(monkeypatch):
    """On 1 July 2024, a priority action plan submitted but not yet published."""
    area = make_area(slug="prioritised", name="Prioritised")
    full = make_inspection(
        area=area,
        ref="2024-inspection",
        framework=Inspection.Framework.AREA_SEND_2023,
        start="2024-04-15",
        received="2024-06-03",
        outcome=Inspection.Outcome.SYSTEMIC,
    )
    make_plan(
        inspection=full,
        kind=Plan.Kind.PRIORITY_ACTION,
        status=Plan.Status.SUBMITTED,
        submitted="2024-06-28",
        findings=[make_finding(inspection=full)],
    )
    frozen = datetime.datetime(2024, 7, 1, 9, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: frozen)


def test_home_shows_a_statutory_deadline_as_the_next_key_date(client, monkeypatch):
    priority_plan_awaiting_publication(monkeypatch)
    row = row_for(get(client, "public:home"), "Prioritised")
    # 70 working days from Monday 3 June 2024, skipping the 26 August bank holiday.
    assert "Publish the priority action plan" in row
    assert "10 september 2024" in row.lower()


def test_the_next_key_date_keeps_the_months_capital(client, monkeypatch):
    priority_plan_awaiting_publication(monkeypatch)
    row = row_for(get(client, "public:home"), "Prioritised")
    assert "Publish the priority action plan: due 10 September 2024" in row


def test_a_plan_answering_an_inspection_with_no_dates_does_not_break_the_pages(client):
    area = make_area(slug="undated", name="Undated")
    old = make_inspection(area=area, ref="old", outcome=Inspection.Outcome.WSOA_REQUIRED)
    make_plan(inspection=old, status=Plan.Status.CLOSED, findings=[make_finding(inspection=old)])
    new = make_inspection(
        area=area,
        ref="2024-inspection",
        framework=Inspection.Framework.AREA_SEND_2023,
        start="2024-06-10",
        outcome=Inspection.Outcome.SYSTEMIC,
    )
    make_plan(
        inspection=new,
        kind=Plan.Kind.PRIORITY_ACTION,
        status=Plan.Status.PUBLISHED,
        findings=[make_finding(inspection=new)],
    )
    client.raise_request_exception = True
    assert "Priority action plan after the 2024 inspection" in row_for(
        get(client, "public:home"), "Undated"
    )
    assert "What is being done now" in main(get(client, "public:area", "undated"))


# An area's page


def test_area_page_shows_inspections_at_the_precision_they_are_known(client):
    wsoa_area()
    page = get(client, "public:area", "testshire")
    inspections = main(page)

    assert "Joint local area SEND inspection, March 2018" in inspections
    assert "1 March 2018" not in inspections  # never a made-up day
    assert "March 2018 to 9 March 2018" in inspections
    assert "Report published 16 May 2018" in inspections
    assert "Revisit, November 2019" in inspections


def test_area_page_shows_outcomes_in_the_inspectors_words_and_findings_with_verdicts(client):
    built = wsoa_area(findings=2)
    page = main(get(client, "public:area", "testshire"))

    # The outcome in the framework's own words, then the inspectors' own.
    assert (
        "Outcome A written statement of action is required because of significant areas of "
        "weakness in the local area's practice." in page
    )
    assert "In the inspectors’ words The area must produce a written statement of action." in page
    assert "What inspectors found" in page
    assert "Area of significant weakness 2: Weakness 2 in Testshire" in page
    assert page.count("Sufficient progress – Revisit, November 2019") >= 2
    # A finding recorded as a theme says so.
    finding = built.findings[0]
    finding.wording = finding.Wording.THEME
    finding.save()
    page = main(get(client, "public:area", "testshire"))
    assert "(a theme, not the official wording)" in page


def finding_links(response):
    return list(
        dict.fromkeys(
            re.findall(r'href="(/areas/[^/"]+/findings/\d+/)"', response.content.decode())
        )
    )


def test_area_page_shows_the_current_plan_with_families_summary_and_public_evidence(client):
    built = wsoa_area()
    action = built.plan.actions.get()
    update = action.updates.get()
    add_evidence(update, "Clinic waiting list report")
    add_evidence(update, "Board paper with names", visibility=Evidence.Visibility.INTERNAL)
    page = get(client, "public:area", "testshire")
    body = main(page)

    assert "What is being done now" in body
    assert built.plan.title in body
    finding = text(page, cls="portal-finding")
    assert "What this means for families Families of Testshire wait too long (1)." in finding
    assert "Latest update Update 1 on 1.1. On action 1.1, for the period to 31 March 2025." in (
        finding
    )
    # Due in 2019 and not reported delivered: overdue, said in words.
    assert "1.1 Action 1.1 On track Overdue due 31 March 2019 Some evidence of impact" in texts(
        page, tag="tr"
    )

    # The finding's own page has every action's latest update and its public evidence.
    (link,) = finding_links(page)
    assert link == reverse("public:area-finding", args=["testshire", built.findings[0].pk])
    finding_page = client.get(link)
    assert finding_page.status_code == 200
    content = finding_page.content.decode()
    (section,) = [s for s in texts(finding_page, tag="section") if s.startswith("1.1 ")]
    assert "Latest update (to 31 March 2025) Update 1 on 1.1." in section
    assert "Clinic waiting list report" in section
    assert "Board paper with names" not in content
    public = Evidence.objects.get(title="Clinic waiting list report")
    evidence_link = reverse("public:public-evidence", args=["testshire", public.uuid])
    assert f'href="{evidence_link}"' in content
    download = client.get(evidence_link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "clinic-waiting-list-report.pdf" in download["Content-Disposition"]
    internal = Evidence.objects.get(title="Board paper with names")
    hidden = reverse("public:public-evidence", args=["testshire", internal.uuid])
    assert client.get(hidden).status_code == 404


def test_a_plan_being_written_is_not_shown(client):
    built = wsoa_area()
    built.plan.status = Plan.Status.DRAFT
    built.plan.title = "Plan still being written"
    built.plan.save()
    page = get(client, "public:area", "testshire").content.decode()
    assert "Plan still being written" not in page
    assert "What is being done now" not in page


def public_action(client, ref="1.1"):
    """What the public sees of action ``ref``: its row on the area page, its finding page section."""
    area = get(client, "public:area", "testshire")
    (row,) = [r for r in texts(area, tag="tr") if r.startswith(f"{ref} ")]
    (link,) = finding_links(area)
    finding = client.get(link)
    assert finding.status_code == 200
    (section,) = [s for s in texts(finding, tag="section") if s.startswith(f"{ref} ")]
    return SimpleNamespace(row=row, section=section, area=main(area), finding=main(finding))


def step(update, slug, by, **kwargs):
    return workflow.apply_transition(update, slug, by=by, expected_version=update.version, **kwargs)


def write_update(cast, **fields):
    values = {
        "period_start": datetime.date(2025, 4, 1),
        "period_end": datetime.date(2025, 6, 30),
        "delivery_status": "on_track",
        "impact_status": "some_evidence",
        "status_change_reason": "Clinic staff in post.",
        "narrative": "Internal: four of six posts filled.",
        "public_summary": "The new clinic has most of its staff.",
        **fields,
    }
    update = workflow.create_update(
        ProgressUpdate(action=cast.action, **values), by=cast.board_member
    )
    return step(update, "submit", cast.board_member)


def test_an_actions_status_is_the_one_its_latest_published_update_gave(client, cast):
    cast.plan.status = Plan.Status.PUBLISHED
    cast.plan.save()
    # Past its due date with no published update: overdue (the cast's action is due 31 March 2026).
    overdue = " Overdue due 31 March 2026" if cast.action.due_date < timezone.localdate() else ""
    seen = public_action(client)
    assert seen.row == f"1.1 Action 1.1 No published update yet{overdue} No published update yet"
    assert "Delivery No published update yet" in seen.section

    first = write_update(cast)
    first = step(first, "approve", cast.officer)
    # Approved, not yet published: the public pages still have nothing.
    cast.action.refresh_from_db()
    assert cast.action.delivery_status == "on_track"
    seen = public_action(client)
    assert "On track" not in seen.row
    assert "Delivery No published update yet" in seen.section
    assert "The new clinic has most of its staff." not in seen.area + seen.finding

    step(first, "publish", cast.officer)
    seen = public_action(client)
    assert seen.row == f"1.1 Action 1.1 On track{overdue} Some evidence of impact"
    assert "Delivery On track" in seen.section
    assert "Impact for families Some evidence of impact" in seen.section
    assert "The new clinic has most of its staff." in seen.section
    assert "Latest update The new clinic has most of its staff." in seen.area

    second = write_update(
        cast,
        period_start=datetime.date(2025, 7, 1),
        period_end=datetime.date(2025, 9, 30),
        delivery_status="delivered",
        impact_status="clear_evidence",
        status_change_reason="Clinic open.",
        public_summary="The clinic is open.",
    )
    second = step(second, "approve", cast.officer)
    cast.action.refresh_from_db()
    assert cast.action.delivery_status == "delivered"  # the internal current status moved on
    seen = public_action(client)
    # The public status did not move on, and the action is still overdue in public.
    assert seen.row == f"1.1 Action 1.1 On track{overdue} Some evidence of impact"
    assert "Delivered" not in seen.section
    assert "The clinic is open." not in seen.area + seen.finding
    assert "The new clinic has most of its staff." in seen.section

    step(second, "publish", cast.officer)
    seen = public_action(client)
    # Delivered late is not overdue.
    assert seen.row == "1.1 Action 1.1 Delivered Clear evidence of impact"
    assert "Delivery Delivered" in seen.section
    assert "Impact for families Clear evidence of impact" in seen.section
    assert "Latest update (to 30 September 2025) The clinic is open." in seen.section
    assert "Latest update The clinic is open." in seen.area


def test_an_update_scheduled_for_later_does_not_show_yet(client, cast):
    cast.plan.status = Plan.Status.PUBLISHED
    cast.plan.save()
    update = step(write_update(cast), "approve", cast.officer)
    step(update, "publish", cast.officer, publish_at=timezone.now() + datetime.timedelta(days=1))
    seen = public_action(client)
    assert "No published update yet" in seen.row
    assert "The new clinic has most of its staff." not in seen.area + seen.finding


# The measures, meetings and "You said, we did" pages


def make_measures(area, *, measures=1, values=2):
    made = []
    for m in range(measures):
        measure = Measure.objects.create(
            area=area,
            slug=f"measure-{m}",
            name=f"Plans issued within 20 weeks ({m})",
            definition="New EHC plans issued within 20 weeks, excluding exceptions.",
            source="SEN2 return",
            unit=Measure.Unit.PERCENT,
            target=60,
            national_comparator=50,
        )
        for v in range(values):
            MeasureValue.objects.create(
                measure=measure,
                period_end=datetime.date(2020 + v // 4, 3 * (v % 4) + 1, 28),
                numerator=31 + v,
                denominator=67,
            )
        made.append(measure)
    return made


def test_measures_page_shows_a_chart_a_data_table_and_withholds_small_numbers(client):
    built = wsoa_area()
    rate = Measure.objects.create(
        area=built.area,
        slug="timely-plans",
        name="Plans issued within 20 weeks",
        definition="New EHC plans issued within 20 weeks, excluding exceptions.",
        source="SEN2 return",
        unit=Measure.Unit.PERCENT,
        target=60,
    )
    MeasureValue.objects.create(
        measure=rate, period_end=datetime.date(2025, 3, 31), numerator=31, denominator=67
    )
    MeasureValue.objects.create(
        measure=rate, period_end=datetime.date(2025, 6, 30), numerator=3, denominator=40
    )
    count = Measure.objects.create(
        area=built.area,
        slug="appeals",
        name="Tribunal appeals",
        definition="Appeals registered.",
        source="Tribunal statistics",
        unit=Measure.Unit.COUNT,
    )
    MeasureValue.objects.create(measure=count, period_end=datetime.date(2025, 3, 31), value=2)
    hidden = Measure.objects.create(
        area=built.area,
        slug="internal",
        name="Internal measure only",
        definition="x",
        source="x",
        unit=Measure.Unit.COUNT,
        is_public=False,
    )
    MeasureValue.objects.create(measure=hidden, period_end=datetime.date(2025, 3, 31), value=50)

    page = get(client, "public:area-measures", "testshire")
    content = page.content.decode()
    body = main(page)

    assert "Internal measure only" not in content
    # A chart for each public measure, named and described for screen readers.
    charts = re.findall(r"<svg[^>]*>", content)
    assert len(charts) == 2
    assert all('role="img"' in chart and "aria-labelledby" in chart for chart in charts)
    assert "<title" in content and "<desc" in content
    # And the same figures in a data table.
    tables = texts(page, tag="table")
    assert len(tables) == 2
    rate_table = next(t for t in tables if "Plans issued within 20 weeks" in t)
    assert "46.3%" in rate_table
    assert "31 of 67" in rate_table
    assert "Not shown: based on fewer than 5 children and young people" in rate_table
    assert "3 of 40" not in content and "7.5%" not in content
    count_table = next(t for t in tables if "Tribunal appeals" in t)
    assert "fewer than 5" in count_table
    # EHC is written out at its first use on the page (plain English).
    assert (
        "New education, health and care (EHC) plans issued within 20 weeks, excluding exceptions."
        in body
    )
    assert "Target 60%" in content


def test_measures_page_says_when_there_are_none(client):
    wsoa_area()
    assert "No measures have been published yet." in main(
        get(client, "public:area-measures", "testshire")
    )


def test_meetings_page_shows_published_summaries_only_newest_first(client):
    built = wsoa_area()
    BoardMeeting.objects.create(
        area=built.area,
        held_on=datetime.date(2025, 3, 12),
        what_was_said="Waiting times are falling.",
        what_we_will_do="Open a second clinic.",
        internal_minutes="Budget pressures discussed in private.",
        is_published=True,
    )
    BoardMeeting.objects.create(
        area=built.area,
        held_on=datetime.date(2025, 6, 11),
        what_was_said="Families asked about transport.",
        is_published=True,
    )
    BoardMeeting.objects.create(
        area=built.area,
        held_on=datetime.date(2025, 9, 10),
        what_was_said="Not agreed yet.",
        is_published=False,
    )
    page = get(client, "public:area-meetings", "testshire")
    body = main(page)

    assert "SEND improvement board, 11 June 2025" in body
    assert body.index("11 June 2025") < body.index("12 March 2025")
    assert "What was said Waiting times are falling." in body
    assert "What we will do Open a second clinic." in body
    assert "Budget pressures" not in page.content.decode()
    assert "Not agreed yet." not in page.content.decode()


def test_you_said_we_did_page_shows_published_entries_only(client):
    built = wsoa_area()
    YouSaidWeDid.objects.create(
        area=built.area,
        heard_on=datetime.date(2025, 2, 3),
        source="Parent carer forum survey",
        you_said="It is hard to find out who to call.",
        we_did="We put one phone number on every letter.",
        is_published=True,
    )
    YouSaidWeDid.objects.create(
        area=built.area,
        heard_on=datetime.date(2025, 4, 3),
        you_said="A draft we have not answered yet.",
        we_did="Nothing yet.",
    )
    page = get(client, "public:area-you-said", "testshire")
    body = main(page)

    assert "February 2025: Parent carer forum survey" in body
    assert "You said It is hard to find out who to call." in body
    assert "We did We put one phone number on every letter." in body
    assert "A draft we have not answered yet." not in page.content.decode()


def test_empty_meetings_and_you_said_pages_say_so(client):
    wsoa_area()
    assert "No meeting summaries have been published yet." in main(
        get(client, "public:area-meetings", "testshire")
    )
    assert "Nothing has been published here yet." in main(
        get(client, "public:area-you-said", "testshire")
    )


# The accessibility statement, titles, breadcrumbs and the footer


def test_accessibility_statement_has_the_model_statement_sections(client, settings):
    settings.PORTAL_ACCESSIBILITY_EMAIL = "send-access@testshire.example"
    page = get(client, "public:accessibility")
    body = main(page)
    headings = texts(page, tag="h2") + texts(page, tag="h3")

    for heading in (
        "How accessible this website is",
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Technical information about this website’s accessibility",
        "Compliance status",
        "Non-accessible content",
        "What we’re doing to improve accessibility",
        "Preparation of this accessibility statement",
    ):
        assert heading in headings, heading
    assert "The Equality and Human Rights Commission (EHRC) is responsible for enforcing" in body
    assert "Public Sector Bodies (Websites and Mobile Applications) (No. 2)" in body
    assert "contact the Equality Advisory and Support Service (EASS)" in body
    assert re.search(r"This website is (fully|partially|not) compliant with", body)
    assert "Web Content Accessibility Guidelines version 2.2 AA standard" in body
    assert re.search(r"This statement was prepared on \d{1,2} [A-Z][a-z]+ \d{4}\.", body)
    assert re.search(r"It was last reviewed on \d{1,2} [A-Z][a-z]+ \d{4}\.", body)
    assert "mailto:" in page.content.decode()


def public_urls(built):
    """Every kind of public page, for ``built`` (an area from wsoa_area)."""
    slug = built.area.slug
    return [
        "/",
        reverse("public:accessibility"),
        reverse("public:open-data"),
        *(reverse(name, args=[slug]) for name in AREA_PAGES),
        reverse("public:area-finding", args=[slug, built.findings[0].pk]),
    ]


def test_every_public_page_links_to_the_accessibility_statement_in_its_footer(client):
    built = wsoa_area()
    for url in public_urls(built):
        response = client.get(url)
        assert response.status_code == 200, url
        (footer,) = re.findall(r"<footer.*?</footer>", response.content.decode(), re.S)
        assert 'href="/accessibility/"' in footer, url
        assert "Accessibility statement" in footer, url


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("public:home", "SEND improvement in local areas – SEND Improvement Portal"),
        (
            "public:area",
            "Testshire: SEND inspections and progress – SEND Improvement Portal",
        ),
        (
            "public:area-measures",
            "Measures of progress – Testshire – SEND Improvement Portal",
        ),
        (
            "public:area-meetings",
            "Improvement board meetings – Testshire – SEND Improvement Portal",
        ),
        ("public:area-you-said", "You said, we did – Testshire – SEND Improvement Portal"),
        ("public:accessibility", "Accessibility statement – SEND Improvement Portal"),
        ("public:open-data", "Open data – SEND Improvement Portal"),
    ],
)
def test_page_titles_say_where_you_are(client, name, title):
    wsoa_area()
    args = ["testshire"] if name.startswith("public:area") else []
    page = get(client, name, *args)
    assert unescape(text(page, tag="title")) == title
    # And the page's one main heading says it too.
    (h1,) = texts(page, tag="h1")
    assert h1 in title or title.split(" – ")[0] in h1


def test_area_pages_have_breadcrumbs_and_link_to_each_other(client):
    wsoa_area()
    area_url = reverse("public:area", args=["testshire"])
    for name in AREA_PAGES:
        page = get(client, name, "testshire")
        content = page.content.decode()
        (crumbs,) = re.findall(r'<nav class="govuk-breadcrumbs".*?</nav>', content, re.S)
        assert 'href="/"' in crumbs and "Local areas" in crumbs, name
        if name == "public:area":
            assert 'aria-current="page">Testshire' in crumbs
        else:
            assert f'href="{area_url}"' in crumbs, name
        # The area's other pages are a link away; this one is marked as current.
        (pages,) = re.findall(r'<nav class="portal-area-pages.*?</nav>', content, re.S)
        links = re.findall(r'href="([^"]+)"', pages)
        others = {reverse(other, args=["testshire"]) for other in AREA_PAGES if other != name}
        assert set(links) == others, name
        assert pages.count('aria-current="page"') == 1
    accessibility = get(client, "public:accessibility").content.decode()
    (crumbs,) = re.findall(r'<nav class="govuk-breadcrumbs".*?</nav>', accessibility, re.S)
    assert 'href="/"' in crumbs


@pytest.mark.parametrize("name", AREA_PAGES)
def test_an_unknown_area_is_not_found(client, name):
    wsoa_area()
    assert client.get(reverse(name, args=["nowhere"])).status_code == 404


def test_a_finding_is_found_only_under_its_own_area(client):
    testshire = wsoa_area()
    otherton = wsoa_area("otherton", "Otherton")
    finding = testshire.findings[0].pk
    assert (
        client.get(reverse("public:area-finding", args=["testshire", finding])).status_code == 200
    )
    for slug in ("nowhere", "otherton"):
        response = client.get(reverse("public:area-finding", args=[slug, finding]))
        assert response.status_code == 404, slug
    missing = max(otherton.findings[-1].pk, finding) + 100
    assert (
        client.get(reverse("public:area-finding", args=["testshire", missing])).status_code == 404
    )


def test_a_finding_page_has_breadcrumbs_back_to_its_area_and_a_title(client):
    built = wsoa_area()
    page = get(client, "public:area-finding", "testshire", built.findings[0].pk)
    (crumbs,) = re.findall(r'<nav class="govuk-breadcrumbs".*?</nav>', page.content.decode(), re.S)
    assert 'href="/"' in crumbs
    assert f'href="{reverse("public:area", args=["testshire"])}"' in crumbs
    assert 'aria-current="page">Area of significant weakness 1' in crumbs
    title = unescape(text(page, tag="title"))
    assert title == "Area of significant weakness 1 – Testshire – SEND Improvement Portal"
    (h1,) = texts(page, tag="h1")
    assert h1 == "Area of significant weakness 1"


def test_evidence_under_an_unknown_area_is_not_found(client):
    built = wsoa_area()
    evidence = Evidence.objects.filter(update__action__plan=built.plan).first()
    ok = reverse("public:public-evidence", args=["testshire", evidence.uuid])
    assert client.get(ok).status_code == 200
    missing = reverse("public:public-evidence", args=["nowhere", evidence.uuid])
    assert client.get(missing).status_code == 404


# Queries


def count_queries(client, url):
    clear_public_cache()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_area_and_finding_pages_queries_do_not_grow_with_the_plan(client):
    small_area = wsoa_area("small", "Small", findings=2, actions=2, updates=2)
    large_area = wsoa_area("large", "Large", findings=6, actions=8, updates=6)

    small, _ = count_queries(client, reverse("public:area", args=["small"]))
    large, response = count_queries(client, reverse("public:area", args=["large"]))

    assert small == large
    rows = [r for r in texts(response, tag="tr") if re.match(r"\d+\.\d+ Action", r)]
    assert len(rows) == 48
    assert main(response).count("for the period to 30 June 2026") == 6

    small, _ = count_queries(
        client, reverse("public:area-finding", args=["small", small_area.findings[-1].pk])
    )
    large, response = count_queries(
        client, reverse("public:area-finding", args=["large", large_area.findings[-1].pk])
    )
    assert small == large
    # Each action shows its latest published update and that update's evidence.
    content = response.content.decode()
    assert content.count("Latest update (to 30 June 2026)") == 8
    assert "Evidence 6 on 6.8" in content
    assert "Evidence 5 on 6.8" not in content


def test_measures_page_queries_do_not_grow_with_the_measures(client):
    make_measures(wsoa_area("small", "Small").area, measures=1, values=2)
    make_measures(wsoa_area("large", "Large").area, measures=5, values=8)

    small, _ = count_queries(client, reverse("public:area-measures", args=["small"]))
    large, _ = count_queries(client, reverse("public:area-measures", args=["large"]))

    assert small == large


def test_home_queries_do_not_grow_with_the_areas(client):
    wsoa_area("one", "One")
    first, _ = count_queries(client, "/")
    for n in range(2, 6):
        wsoa_area(f"area-{n}", f"Area {n}")
    more, response = count_queries(client, "/")
    assert first == more
    assert short_forms(main(response)).count("Written Statement of Action: being delivered") == 5


# The cache


def test_a_second_anonymous_visit_is_served_from_the_cache_with_no_queries(
    client, django_assert_num_queries
):
    built = wsoa_area()
    for url in public_urls(built):
        first = client.get(url)
        with django_assert_num_queries(0):
            second = client.get(url)
        assert second.status_code == 200
        assert second.content == first.content, url


def test_publishing_an_update_shows_on_the_next_visit(client, cast):
    cast.plan.status = Plan.Status.PUBLISHED
    cast.plan.save()
    update = step(write_update(cast), "approve", cast.officer)
    url = reverse("public:area", args=["testshire"])
    assert "The new clinic has most of its staff." not in client.get(url).content.decode()

    step(update, "publish", cast.officer)

    assert "The new clinic has most of its staff." in client.get(url).content.decode()


def test_saving_or_deleting_any_record_shows_on_the_next_visit(client):
    built = wsoa_area()
    you_said = reverse("public:area-you-said", args=["testshire"])
    meetings = reverse("public:area-meetings", args=["testshire"])
    measures = reverse("public:area-measures", args=["testshire"])
    area = reverse("public:area", args=["testshire"])
    entry = YouSaidWeDid.objects.create(
        area=built.area,
        heard_on=datetime.date(2025, 2, 3),
        you_said="Letters are hard to read.",
        we_did="We rewrote them.",
    )
    meeting = BoardMeeting.objects.create(
        area=built.area,
        held_on=datetime.date(2025, 3, 12),
        what_was_said="Waiting times are falling.",
        is_published=True,
    )
    for url in (you_said, meetings, measures, area):
        client.get(url)

    entry.is_published = True
    entry.save()
    assert "Letters are hard to read." in client.get(you_said).content.decode()

    meeting.delete()
    assert "Waiting times are falling." not in client.get(meetings).content.decode()

    make_measures(built.area)
    assert "Plans issued within 20 weeks (0)" in client.get(measures).content.decode()

    finding = built.findings[0]
    finding.families_summary = "A new summary for families."
    finding.save()
    assert "A new summary for families." in client.get(area).content.decode()


def test_signed_in_visitors_skip_the_cache(client, cast):
    cast.plan.status = Plan.Status.PUBLISHED
    cast.plan.save()
    url = reverse("public:area", args=["testshire"])
    client.get(url)  # cached for anonymous visitors
    # A change that sends no signal: the cached page is stale until it expires.
    Plan.objects.filter(pk=cast.plan.pk).update(public_summary="A change without a signal.")
    assert "A change without a signal." not in client.get(url).content.decode()

    client.force_login(cast.officer)
    assert "A change without a signal." in client.get(url).content.decode()
    # What a signed-in visitor saw is not kept for anyone else.
    client.logout()
    Plan.objects.filter(pk=cast.plan.pk).update(public_summary="A second change.")
    assert "A second change." not in client.get(url).content.decode()


class _Time:
    def __init__(self, offset):
        self.offset = offset

    def time(self):
        return time.time() + self.offset[0].total_seconds()

    def __getattr__(self, name):
        return getattr(time, name)


def test_a_cached_page_does_not_outlive_the_next_scheduled_publication(client, cast, monkeypatch):
    """Publication at a set time saves nothing then, so no signal clears the cache."""
    offset = [datetime.timedelta(0)]
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + offset[0])
    monkeypatch.setattr(locmem, "time", _Time(offset))
    monkeypatch.setattr(cache_base, "time", _Time(offset))
    cast.plan.status = Plan.Status.PUBLISHED
    cast.plan.save()
    update = step(write_update(cast), "approve", cast.officer)
    step(
        update, "publish", cast.officer, publish_at=timezone.now() + datetime.timedelta(seconds=60)
    )
    url = reverse("public:area", args=["testshire"])
    assert "The new clinic has most of its staff." not in client.get(url).content.decode()

    offset[0] = datetime.timedelta(seconds=90)  # well within the usual cache time

    assert "The new clinic has most of its staff." in client.get(url).content.decode()


def test_a_visitor_with_a_message_waiting_is_not_served_or_stored_in_the_cache(client):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.core.cache import cache
    from django.http import HttpRequest

    from public.cache import clear_public_cache

    clear_public_cache()
    storage = CookieStorage(HttpRequest())
    encoded = storage._encode([storage_message(constants.INFO, "Only for you")])
    client.cookies["messages"] = encoded
    page = client.get("/accessibility/").content.decode()
    assert "Only for you" in page
    del client.cookies["messages"]
    assert "Only for you" not in client.get("/accessibility/").content.decode()
    assert not any("Only for you" in str(v) for v in getattr(cache, "_cache", {}).values())


def storage_message(level, text):
    from django.contrib.messages.storage.base import Message

    return Message(level, text)
