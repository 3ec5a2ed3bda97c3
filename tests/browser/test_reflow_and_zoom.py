"""Reflow at 320 CSS pixels and text-only zoom to 200%, in Chromium (WCAG 1.4.10 and 1.4.4).

At 320 px wide no page may scroll sideways: wide tables scroll inside their
own box instead. With the text alone made twice as big, nothing may overlap,
status tags keep their words whole and the header, inputs and labels grow.
An outside audit found all of these; automated checkers such as axe do not.
"""

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import sign_in
from .test_accessibility import DOWNLOAD, shape, updates  # noqa: F401  (a fixture)
from .test_public_accessibility import PAGES, public_area  # noqa: F401  (a fixture)

NARROW = {"width": 320, "height": 640}
CRAWL_LIMIT = 45

# How far the page scrolls sideways, and the element that sticks out furthest.
OVERFLOW_JS = """
() => {
  const width = document.documentElement.clientWidth;
  let widest = null, right = width;
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    const inner = el.parentElement && el.parentElement.closest('.portal-table-container');
    if (box.right > right + 1 && !inner) {
      right = box.right;
      widest = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')}`;
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, widest, right};
}
"""

# Words of status tags that are split across lines.
SPLIT_TAG_WORDS_JS = """
() => {
  const split = [];
  for (const tag of document.querySelectorAll('.govuk-tag')) {
    const walker = document.createTreeWalker(tag, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (lines.size > 1) split.push(match[0]);
      }
    }
  }
  return split;
}
"""

# Pairs of the filter form's labels and selects whose boxes overlap.
OVERLAPS_JS = """
selector => {
  const items = [...document.querySelectorAll(selector)].filter(el => el.offsetParent);
  const boxes = items.map(el => [el, el.getBoundingClientRect()]);
  const name = el => `${el.tagName.toLowerCase()}#${el.id || el.getAttribute('for') || ''}`;
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, p] = boxes[i], [b, q] = boxes[j];
      if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1) {
        overlaps.push(`${name(a)} and ${name(b)}`);
      }
    }
  }
  return overlaps;
}
"""
BIG_TEXT_JS = "() => { document.documentElement.style.fontSize = '200%'; }"


def sideways_scroll(page):
    """'' if the page fits its width; otherwise what sticks out and by how much."""
    state = page.evaluate(OVERFLOW_JS)
    if state["scrollWidth"] <= state["width"] + 1:
        return ""
    return f"{state['scrollWidth']} px wide (widest: {state['widest']}, to {state['right']:.0f} px)"


def crawl(page, origin, start, *, within, limit=CRAWL_LIMIT, check=sideways_scroll):
    """Each kind of page linked from ``start`` (see test_accessibility.shape), and its problems.

    ``check(page)`` says what is wrong with the page loaded ('' for nothing):
    by default, how far it scrolls sideways.
    """
    problems, checked = {}, []
    queue, seen = deque(start), {shape(url) for url in start}
    while queue and len(checked) < limit:
        url = queue.popleft()
        response = page.goto(url)
        if response.status == 403 and url in start:
            continue  # a page this person may not see
        assert response.ok, f"{url} answered {response.status}"
        where = url.removeprefix(origin)
        checked.append(where)
        if problem := check(page):
            problems[where] = problem
        for href in page.locator("a[href]").evaluate_all("links => links.map(a => a.href)"):
            link = urldefrag(href).url
            path = urlsplit(link).path
            if (
                link.startswith(f"{origin}{within}")
                and not DOWNLOAD.search(path)
                and not re.search(r"\.(json|pdf|ics|xml)$|/feed/|/pdf/$|/evidence/", path)
                and shape(link) not in seen
            ):
                seen.add(shape(link))
                queue.append(link)
    return checked, problems


def report(problems, checked, what="scroll sideways at 320 px"):
    lines = [f"  {where}: {problem}" for where, problem in problems.items()]
    return f"{len(problems)} of {len(checked)} pages {what}:\n" + "\n".join(lines)


# The text of every element that shows words of its own, and its size in px. Icons hidden
# from assistive technology (aria-hidden), such as the warning sign, keep their size.
TEXT_SIZES_JS = """
() => {
  const sizes = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;
    if (el.closest('[aria-hidden="true"]')) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.data.trim());
    const control = el.matches('input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, textarea');
    if (!own && !control) continue;
    const name = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.classList.length ? '.' + [...el.classList].join('.') : ''}`;
    sizes.push([name, parseFloat(getComputedStyle(el).fontSize)]);
  }
  return sizes;
}
"""
# Pairs of labels, legends, hints and fields whose words (or, for a field, its box)
# overlap: padding may overlap by design, text may not. Text only for screen readers
# (govuk-visually-hidden) is left out.
TEXT_OVERLAPS_JS = """
selector => {
  const items = [...document.querySelectorAll(selector)].filter(
    el => el.offsetParent && !el.closest('.govuk-visually-hidden'));
  const boxesOf = el => {
    if (el.matches('input, select, textarea')) return [el.getBoundingClientRect()];
    const rects = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.data.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      rects.push(...range.getClientRects());
    }
    return rects;
  };
  const name = el => `${el.tagName.toLowerCase()}#${el.id || el.getAttribute('for') || ''}`;
  const meet = (p, q) => p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1;
  const boxes = items.map(el => [el, boxesOf(el)]);
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, ps] = boxes[i], [b, qs] = boxes[j];
      if (a.contains(b) || b.contains(a)) continue;
      if (ps.some(p => qs.some(q => meet(p, q)))) overlaps.push(`${name(a)} and ${name(b)}`);
    }
  }
  return overlaps;
}
"""
FIELDS = (
    "main label, main legend, main .govuk-hint, "
    "main input:not([type=hidden]):not([type=radio]):not([type=checkbox]), main select, main textarea"
)


def text_zoom_problems(page):
    """What goes wrong when the text alone is made twice as big (WCAG 1.4.4), or ''.

    Every piece of text must grow (a size fixed in px does not), no label, hint or
    field may overlap another, no status tag may break a word, and the page must
    not scroll sideways at 1024 px.
    """
    before = page.evaluate(TEXT_SIZES_JS)
    page.evaluate(BIG_TEXT_JS)
    after = page.evaluate(TEXT_SIZES_JS)
    problems = []
    fixed = sorted(
        {name for (name, old), (_, new) in zip(before, after, strict=True) if new < 1.9 * old}
    )
    if fixed:
        problems.append(f"text that does not grow: {', '.join(fixed[:5])}")
    if overlaps := page.evaluate(TEXT_OVERLAPS_JS, FIELDS):
        problems.append(f"overlapping: {', '.join(overlaps[:5])}")
    if split := page.evaluate(SPLIT_TAG_WORDS_JS):
        problems.append(f"tag words broken across lines: {', '.join(split[:5])}")
    if scroll := sideways_scroll(page):
        problems.append(f"scrolls sideways: {scroll}")
    return "; ".join(problems)


def test_no_public_page_scrolls_sideways_at_320_px(page, live_server, public_area):  # noqa: F811
    page.set_viewport_size(NARROW)
    start = [f"{live_server.url}{path}" for path in PAGES.values()]
    checked, problems = crawl(page, live_server.url, start, within="/")
    assert len(checked) >= len(PAGES)
    assert not problems, report(problems, checked)


@pytest.mark.parametrize("username", ["olivia", "ada"])
def test_no_board_page_scrolls_sideways_at_320_px(page, live_server, cast, updates, username):  # noqa: F811
    """The board pages an officer (and the area administrator, who sees more links) reaches."""
    sign_in(page, live_server, username)
    page.set_viewport_size(NARROW)
    origin, area = live_server.url, "/board/testshire"
    start = [
        f"{origin}{area}/",
        f"{origin}{area}/actions/{cast.action.pk}/",
        f"{origin}{area}/records/",
        f"{origin}{area}/reports/",
        f"{origin}{area}/members/",
        f"{origin}{area}/plans/{cast.plan.pk}/import/",
        f"{origin}{area}/updates/{updates['approved'].pk}/publish/",
        f"{origin}{area}/actions/{cast.action.pk}/updates/new/",
    ]
    checked, problems = crawl(page, origin, start, within="/board/")
    print(f"Checked {len(checked)} pages at 320 px", *checked, sep="\n")
    assert len(checked) >= 15
    assert not problems, report(problems, checked)


def test_every_public_page_kind_at_200_percent_text(page, live_server, public_area):  # noqa: F811
    page.set_viewport_size({"width": 1024, "height": 768})
    start = [f"{live_server.url}{path}" for path in PAGES.values()]
    checked, problems = crawl(page, live_server.url, start, within="/", check=text_zoom_problems)
    assert len(checked) >= len(PAGES)
    assert not problems, report(problems, checked, "go wrong at 200% text")


def test_every_board_page_kind_at_200_percent_text(page, live_server, cast, updates):  # noqa: F811
    """As the area administrator, who reaches every page an officer does, and the members'."""
    sign_in(page, live_server, "ada")
    page.set_viewport_size({"width": 1024, "height": 768})
    origin, area = live_server.url, "/board/testshire"
    start = [
        f"{origin}{area}/",
        f"{origin}{area}/actions/{cast.action.pk}/",
        f"{origin}{area}/records/",
        f"{origin}{area}/reports/",
        f"{origin}{area}/members/",
        f"{origin}{area}/plans/{cast.plan.pk}/import/",
        f"{origin}{area}/updates/{updates['approved'].pk}/publish/",
        f"{origin}{area}/actions/{cast.action.pk}/updates/new/",
    ]
    checked, problems = crawl(page, origin, start, within="/board/", check=text_zoom_problems)
    print(f"Checked {len(checked)} pages at 200% text", *checked, sep="\n")
    assert len(checked) >= 15
    assert not problems, report(problems, checked, "go wrong at 200% text")


def test_my_area_at_200_percent_text(page, live_server, cast, updates):  # noqa: F811
    sign_in(page, live_server, "olivia")
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{live_server.url}/board/testshire/")
    header = page.locator(".govuk-generic-header__homepage-link")
    before = header.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    page.evaluate(BIG_TEXT_JS)
    after = header.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert after >= 2 * before - 1, f"The header's title went from {before} px to {after} px"

    overlaps = page.evaluate(OVERLAPS_JS, ".portal-filters label, .portal-filters select")
    assert not overlaps, f"Filter labels and selects overlap: {overlaps}"
    assert not sideways_scroll(page), sideways_scroll(page)
    assert page.locator(".govuk-tag").count() > 0
    assert page.evaluate(SPLIT_TAG_WORDS_JS) == []


def test_the_action_page_at_200_percent_text_keeps_tag_words_whole(
    page,
    live_server,
    cast,
    updates,  # noqa: F811
):
    sign_in(page, live_server, "olivia")
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{live_server.url}/board/testshire/actions/{cast.action.pk}/")
    page.evaluate(BIG_TEXT_JS)
    assert page.locator(".govuk-tag").count() > 0
    assert page.evaluate(SPLIT_TAG_WORDS_JS) == []
    assert not sideways_scroll(page), sideways_scroll(page)


def test_the_publish_pages_time_input_is_a_gov_uk_input_that_grows(
    page,
    live_server,
    cast,
    updates,  # noqa: F811
):
    sign_in(page, live_server, "olivia")
    page.goto(f"{live_server.url}/board/testshire/updates/{updates['approved'].pk}/publish/")
    page.get_by_label("At a date and time I choose").check()
    time = page.get_by_label("Time", exact=True)
    day = page.get_by_role("group", name="Publish date").get_by_label("Day")
    size = "el => parseFloat(getComputedStyle(el).fontSize)"
    assert "govuk-input" in time.get_attribute("class").split()
    assert time.evaluate(size) == day.evaluate(size)
    before = time.evaluate(size)
    page.evaluate(BIG_TEXT_JS)
    assert time.evaluate(size) >= 2 * before - 1


def test_the_publish_page_shows_the_date_and_time_only_for_a_chosen_time(
    browser,
    page,
    live_server,
    cast,
    updates,  # noqa: F811
):
    sign_in(page, live_server, "olivia")
    url = f"{live_server.url}/board/testshire/updates/{updates['approved'].pk}/publish/"
    page.goto(url)
    date = page.get_by_role("group", name="Publish date")
    time = page.get_by_label("Time", exact=True)
    expect(page.get_by_label("Now")).to_be_checked()
    expect(date).to_be_hidden()
    expect(time).to_be_hidden()
    page.get_by_label("At a date and time I choose").check()
    expect(date).to_be_visible()
    expect(time).to_be_visible()
    page.get_by_label("Now").check()
    expect(time).to_be_hidden()

    # Without JavaScript the fields simply show.
    context = browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        sign_in(plain, live_server, "olivia")
        plain.goto(url)
        expect(plain.get_by_role("group", name="Publish date")).to_be_visible()
        expect(plain.get_by_label("Time", exact=True)).to_be_visible()
    finally:
        context.close()
