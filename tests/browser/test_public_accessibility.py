"""The public pages in a real browser: axe-core, headings, keyboard, no JavaScript, no CSS, print.

Each page is checked as an anonymous visitor sees it in Chromium, for an area
with every kind of public content: inspections, findings and verdicts, a plan
being delivered with published updates and evidence, measures (with withheld
small numbers), board meetings and "You said, we did".
"""

import datetime
import itertools

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Plan
from inspections.models import Inspection, Judgement
from progress.models import (
    BoardMeeting,
    Evidence,
    Measure,
    MeasureValue,
    ProgressUpdate,
    YouSaidWeDid,
)
from tests.factories import (
    make_action,
    make_area,
    make_finding,
    make_inspection,
    make_organisation,
    make_partner,
    make_plan,
)

from .conftest import describe_violations, run_axe
from .test_keyboard import FOCUS_STYLE_JS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PAGES = {
    "home": "/",
    "area": "/areas/testshire/",
    "finding": None,  # the first finding's page: its address is known once it exists
    "measures": "/areas/testshire/measures/",
    "meetings": "/areas/testshire/board-meetings/",
    "you said, we did": "/areas/testshire/you-said-we-did/",
    "get email about an area": "/areas/testshire/follow/",
    "accessibility statement": "/accessibility/",
    "help and contact": "/help/",
    "open data": "/open-data/",
    "glossary": "/glossary/",
    "sign in": "/accounts/login/",
}
FINDING_TEXT = "Too many families wait too long for an assessment of their child's needs."

HEADINGS_JS = """
() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(
  h => ({level: Number(h.tagName[1]), text: h.textContent.trim().replace(/\\s+/g, ' ')}))
"""
REMOVE_CSS_JS = """
() => {
  document.querySelectorAll('link[rel~="stylesheet"], style').forEach(el => el.remove());
  document.querySelectorAll('[style]').forEach(el => el.removeAttribute('style'));
  return document.styleSheets.length;
}
"""
DISPLAY_JS = (
    "selector => [...document.querySelectorAll(selector)].map(el => getComputedStyle(el).display)"
)


def seed_public_area():
    """Testshire, with public content of every kind; and a second area for the home page."""
    area = make_area(slug="testshire", name="Testshire")
    area.summary = "Testshire County Council and NHS Testshire work together on SEND."
    area.sources = "https://example.org/testshire-report\nCouncil cabinet papers, May 2018"
    area.save()
    council = make_organisation(slug="testshire-council", name="Testshire Council")
    make_partner(area=area, organisation=council)
    inspection = make_inspection(
        area=area,
        start="2018-03",
        received="2018-05-14",
        published="2018-05-16",
        outcome=Inspection.Outcome.WSOA_REQUIRED,
    )
    inspection.outcome_text = "A written statement of action is required."
    inspection.report_url = "https://example.org/testshire-report"
    inspection.save()
    findings = [
        make_finding(inspection=inspection, number=1, text=FINDING_TEXT),
        make_finding(inspection=inspection, number=2, text="Plans are too often late."),
    ]
    for finding in findings:
        finding.families_summary = "You should get an assessment sooner."
        finding.save()
    revisit = make_inspection(
        area=area,
        ref="2019-revisit",
        kind=Inspection.Kind.REVISIT,
        start="2019-11",
        outcome=Inspection.Outcome.REVISIT_REPORTED,
    )
    Judgement.objects.create(
        finding=findings[0], inspection=revisit, verdict=Judgement.Verdict.SUFFICIENT
    )
    Judgement.objects.create(
        finding=findings[1], inspection=revisit, verdict=Judgement.Verdict.INSUFFICIENT
    )
    plan = make_plan(
        inspection=inspection, status=Plan.Status.PUBLISHED, findings=findings, submitted="2018-08"
    )
    plan.public_summary = "The plan sets out how waiting times will come down."
    plan.save()
    statuses = [("on_track", "some_evidence"), ("at_risk", "no_evidence_yet")]
    for number, (finding, (delivery, impact)) in enumerate(
        zip(findings, statuses, strict=True), start=1
    ):
        action = make_action(plan=plan, finding=finding, lead=council, ref=f"{number}.1")
        action.public_summary = "More assessment staff."
        action.save()
        update = ProgressUpdate.objects.create(
            action=action,
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 3, 31),
            delivery_status=delivery,
            impact_status=impact,
            narrative="Internal.",
            public_summary="Two new staff started in March.",
            state=ProgressUpdate.State.PUBLISHED,
            publish_at=timezone.now() - datetime.timedelta(days=1),
        )
        Evidence.objects.create(
            update=update,
            title=f"Waiting times report {number}",
            file=ContentFile(PDF, name="report.pdf"),
            original_name="report.pdf",
            content_type="application/pdf",
            size=len(PDF),
            visibility=Evidence.Visibility.PUBLIC,
        )

    rate = Measure.objects.create(
        area=area,
        plan=plan,
        slug="timely-plans",
        name="EHC plans issued within 20 weeks",
        definition="New EHC plans issued within 20 weeks, excluding exceptions.",
        source="SEN2 return",
        unit=Measure.Unit.PERCENT,
        baseline=30,
        baseline_date=datetime.date(2024, 12, 31),
        target=60,
        target_date=datetime.date(2026, 3, 31),
        national_comparator=46.4,
        national_comparator_label="England, 2024",
    )
    for period_end, numerator, denominator in [
        (datetime.date(2025, 3, 31), 31, 67),
        (datetime.date(2025, 6, 30), 3, 40),
        (datetime.date(2025, 9, 30), 45, 70),
        (datetime.date(2025, 12, 31), 52, 70),
    ]:
        MeasureValue.objects.create(
            measure=rate, period_end=period_end, numerator=numerator, denominator=denominator
        )
    appeals = Measure.objects.create(
        area=area,
        slug="appeals",
        name="Tribunal appeals registered",
        definition="Appeals to the SEND tribunal registered in the quarter.",
        source="Tribunal statistics",
        unit=Measure.Unit.COUNT,
        higher_is_better=False,
    )
    for period_end, value in [
        (datetime.date(2025, 3, 31), 12),
        (datetime.date(2025, 6, 30), 3),
        (datetime.date(2025, 9, 30), 8),
    ]:
        MeasureValue.objects.create(measure=appeals, period_end=period_end, value=value)

    BoardMeeting.objects.create(
        area=area,
        held_on=datetime.date(2025, 3, 12),
        what_was_said="Waiting times are falling.",
        what_we_will_do="Open a second clinic.",
        is_published=True,
    )
    BoardMeeting.objects.create(
        area=area,
        held_on=timezone.localdate() + datetime.timedelta(days=30),
        is_published=True,
    )
    YouSaidWeDid.objects.create(
        area=area,
        heard_on=datetime.date(2025, 2, 3),
        source="Parent carer forum survey",
        you_said="It is hard to find out who to call.",
        we_did="We put one phone number on every letter.",
        is_published=True,
    )

    other = make_area(slug="otherton", name="Otherton")
    make_inspection(
        area=other,
        ref="2026-inspection",
        framework=Inspection.Framework.AREA_SEND_2023,
        start="2026-11-16",
    )
    return area


@pytest.fixture
def public_area(live_server, monkeypatch):
    cache.clear()
    area = seed_public_area()
    finding = area.inspections.get(ref="2018-inspection").findings.get(number=1)
    monkeypatch.setitem(
        PAGES, "finding", reverse("public:area-finding", args=[area.slug, finding.pk])
    )
    yield area
    cache.clear()


def visit(page, live_server, path):
    response = page.goto(f"{live_server.url}{path}")
    assert response.ok, f"{path} answered {response.status}"
    return response


def test_no_public_page_has_an_axe_violation(page, live_server, public_area):
    problems = []
    for name, path in PAGES.items():
        visit(page, live_server, path)
        expect(page.locator("h1")).to_have_count(1)
        violations = run_axe(page)
        if violations:
            problems.extend(describe_violations(name, violations))
    assert not problems, "axe found problems:\n" + "\n".join(problems)


def test_headings_go_down_one_level_at_a_time(page, live_server, public_area):
    problems = []
    for name, path in PAGES.items():
        visit(page, live_server, path)
        headings = page.evaluate(HEADINGS_JS)
        levels = [h["level"] for h in headings]
        if levels.count(1) != 1 or levels[0] != 1:
            problems.append(f"{name}: not one h1 first: {headings}")
        for before, after in itertools.pairwise(headings):
            if after["level"] > before["level"] + 1:
                problems.append(
                    f"{name}: h{before['level']} “{before['text']}” is followed by "
                    f"h{after['level']} “{after['text']}”"
                )
    assert not problems, "\n".join(problems)


def test_tab_reaches_every_link_on_the_area_page_with_visible_focus(page, live_server, public_area):
    visit(page, live_server, PAGES["area"])
    links = page.evaluate(
        """() => {
          const links = [...document.querySelectorAll('a[href]')];
          links.forEach((a, i) => a.setAttribute('data-tab-check', i));
          return links.map(a => a.textContent.trim().replace(/\\s+/g, ' '));
        }"""
    )
    assert len(links) > 10
    reached, not_visible = set(), []
    for _ in range(len(links) * 3 + 20):
        page.keyboard.press("Tab")
        index = page.evaluate(
            "() => document.activeElement && document.activeElement.getAttribute('data-tab-check')"
        )
        if index is None:
            continue  # something other than a link, or the browser's own controls
        if int(index) in reached:
            break  # round again to a link already reached
        reached.add(int(index))
        state = page.evaluate(FOCUS_STYLE_JS)
        if not state["visible"]:
            not_visible.append(state["what"])
    missed = [links[i] for i in range(len(links)) if i not in reached]
    assert not missed, f"Tab never reached: {missed}"
    assert not not_visible, f"Focus not visible on: {not_visible}"
    # The first stop is the skip link.
    page.goto(f"{live_server.url}{PAGES['area']}")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()


def test_pages_say_the_same_without_javascript(browser, page, live_server, public_area):
    without = browser.new_context(java_script_enabled=False)
    try:
        plain = without.new_page()
        for name, path in PAGES.items():
            visit(page, live_server, path)
            visit(plain, live_server, path)
            assert plain.evaluate("() => document.body.classList.contains('js-enabled')") is False
            assert plain.locator("main").inner_text() == page.locator("main").inner_text(), name
    finally:
        without.close()


def test_without_css_the_area_page_reads_in_order(page, live_server, public_area):
    visit(page, live_server, PAGES["area"])
    assert page.evaluate(REMOVE_CSS_JS) == 0
    body = page.evaluate("() => document.body.innerText")
    in_order = [
        "Skip to main content",
        "SEND Improvement Portal",
        "Local areas",
        "Testshire",  # the h1 (after the breadcrumbs)
        "What is being done now",
        "Area of significant weakness 1",
        FINDING_TEXT,
        "Sufficient progress",
        "What this means for families",
        "Latest update",
        "Two new staff started in March.",
        "1.1 Action 1.1",
        "On track",
        "Every action’s latest update and evidence",
        "Area of significant weakness 2",
        "Inspections",
        "A written statement of action is required.",
        "Accessibility statement",
    ]
    position = 0
    for piece in in_order:
        found = body.find(piece, position)
        assert found >= 0, f"“{piece}” is missing or out of order after {body[:position][-80:]!r}"
        position = found + len(piece)
    h1 = page.locator("h1").inner_text()
    assert body.index(h1) < body.index(FINDING_TEXT)


def test_without_css_the_measures_page_keeps_its_data_tables(page, live_server, public_area):
    visit(page, live_server, PAGES["measures"])
    page.evaluate(REMOVE_CSS_JS)
    body = page.evaluate("() => document.body.innerText")
    assert body.index("Measures of progress") < body.index("EHC plans issued within 20 weeks")
    assert "46.3%" in body
    assert "fewer than 5" in body


@pytest.mark.parametrize("name", ["area", "finding", "measures", "meetings", "you said, we did"])
def test_print_hides_the_navigation_and_shows_the_content(page, live_server, public_area, name):
    visit(page, live_server, PAGES[name])
    page.emulate_media(media="print")
    for selector, required in (
        (".govuk-skip-link", True),
        (".govuk-breadcrumbs", True),
        (".govuk-footer", True),
        (".portal-area-pages", False),  # the links between an area's pages, where there are any
    ):
        displays = page.evaluate(DISPLAY_JS, selector)
        assert displays or not required, f"{selector} is not on the {name} page"
        assert set(displays) <= {"none"}, f"{selector} prints on the {name} page"
    assert page.evaluate(DISPLAY_JS, "main") == ["block"]
    expect(page.locator("h1")).to_be_visible()
    assert page.locator("main").inner_text().strip()


def test_print_hides_the_header(page, live_server, public_area):
    visit(page, live_server, PAGES["area"])
    page.emulate_media(media="print")
    assert page.evaluate(DISPLAY_JS, ".govuk-generic-header") == ["none"]
