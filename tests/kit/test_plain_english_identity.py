"""The first-use rewriter writes every page exactly as the tag-by-tag walk wrote it.

``{% explain_terms %}`` once walked every tag of a page to know where each
word was; it now finds the words first and reads only around them. The walk is
kept as it was in ``tests/kit/plain_english_reference.py``, and here every
page the public sees (the demo's, the glossary, a big area page) and
hand-written and generated HTML are rewritten by both: the same bytes, and
the same words counted as explained.
"""

import io
import logging
import random
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from inspections.models import LocalArea
from kit.templatetags import plain_english
from kit.templatetags.plain_english import ACRONYMS, PHRASES, WORDS, _keys, _Page, _Rewriter
from kit.versioning import saving_with_history
from public import selectors
from tests.kit import plain_english_reference as reference

pytestmark = pytest.mark.django_db


def both(html, explained=()):
    """(what the walk writes, what the rewriter writes), each with what it explained."""
    results = []
    for rewriter in (reference._Rewriter, _Rewriter):
        page = _Page()
        page.explained = set(explained)
        results.append((rewriter(page).rewrite(html), page.explained))
    return results


def assert_same(html, explained=()):
    (walked, walked_explained), (written, written_explained) = both(html, explained)
    assert written == walked
    assert written_explained == walked_explained
    return written


@pytest.fixture
def long_way(monkeypatch):
    """The pieces of HTML read the long way, tag by tag."""
    read = []
    walk = _Rewriter._rewrite_walking

    def counted(self, html):
        read.append(html)
        return walk(self, html)

    monkeypatch.setattr(_Rewriter, "_rewrite_walking", counted)
    return read


@pytest.fixture
def compared(monkeypatch, long_way):
    """Every block a page explains is rewritten by both, with what the page explained before."""
    blocks = []
    explain = plain_english.explain

    def explain_both(html, page=None):
        page = page or _Page()
        before = _Page()
        before.explained = set(page.explained)
        walked = str(reference.explain(html, before))
        written = explain(html, page)
        assert str(written) == walked
        assert page.explained == before.explained
        blocks.append(str(html))
        return written

    monkeypatch.setattr(plain_english, "explain", explain_both)
    return blocks


def fetch(client, url):
    cache.clear()
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def public_pages():
    """Every public page with words explained: the site's own, and each area's."""
    pages = [
        reverse("public:home"),
        reverse("public:glossary"),
        reverse("public:accessibility"),
        reverse("public:help"),
        reverse("public:open-data"),
    ]
    for area in LocalArea.objects.order_by("name"):
        pages.append(area.get_absolute_url())
        pages += [
            reverse("public:area-finding", args=[area.slug, finding.pk])
            for finding in selectors.public_findings(area)
        ]
        pages += [
            reverse(name, args=[area.slug])
            for name in ("public:area-measures", "public:area-meetings", "public:area-you-said")
        ]
    return pages


def test_every_public_page_of_the_demo_reads_the_same(client, compared, long_way):
    call_command("load_demo", force=True, stdout=io.StringIO())
    pages = public_pages()
    assert len(pages) > 30
    links = 0
    for url in pages:
        links += fetch(client, url).count('href="/glossary/#')
    assert len(compared) >= len(pages)
    assert links > 100  # the pages do explain words
    assert long_way == []  # and every one was read the new way


def test_the_glossary_reads_the_same_with_its_own_entries_left_unlinked(client, compared, long_way):
    html = fetch(client, reverse("public:glossary"))
    assert compared and long_way == []
    for acronym in ACRONYMS:
        assert f'id="{acronym.anchor}"' in html


def big_area(monkeypatch):
    """bench/area_page.py's area, smaller: many findings, actions and updates."""
    silenced = logging.root.manager.disable
    from bench import area_page  # it silences logging for its figures: put it back

    logging.disable(silenced)
    for name, value in (("FINDINGS", 6), ("UPDATES", 3), ("MEASURES", 2), ("VALUES", 4)):
        monkeypatch.setattr(area_page, name, value)
    token = saving_with_history.set(True)  # a scene set directly, as the benchmark sets it
    try:
        return area_page.build(actions_per_finding=4)
    finally:
        saving_with_history.reset(token)


def test_a_big_area_page_reads_the_same(client, compared, long_way, monkeypatch):
    area = big_area(monkeypatch)
    html = fetch(client, area.get_absolute_url())
    assert compared and long_way == []
    assert sum(len(block) for block in compared) > 20_000
    assert 'href="/glossary/#area-for-improvement"' in html
    # And again with every word but one explained already: the last one to explain is found.
    found = {key for block in compared for word in WORDS.findall(block) for key in _keys(word)}
    everything = {("acronym", acronym.short) for acronym in ACRONYMS}
    everything |= {("phrase", phrase.anchor) for phrase in PHRASES}
    assert len(found) > 3
    blocks = list(compared)
    for key in found:
        for block in blocks:
            assert_same(block, everything - {key})


# Hand-written HTML: each piece read by both, from nothing explained.
TRICKY = {
    "nested same-name elements": (
        '<div id="send"><div><p>SEND inside</p></div><p>SEND still inside</p></div>'
        "<p>SEND outside.</p>"
    ),
    "nested links and buttons": (
        '<div><a href="/a"><span>SEND in a link</span></a> and SEND after it.</div>'
        "<button><span><b>EHCP</b></span></button><p>EHCP</p>"
    ),
    "an id that is a glossary anchor": (
        '<dl><dt id="ehcp">EHCP</dt><dd>An EHCP is a plan. Education, health and care plan '
        '(EHCP).</dd></dl><p>An EHCP again.</p><section id="local-offer"><p>The Local Offer'
        "</p></section><p>The Local Offer here.</p>"
    ),
    "an id on an element that is not an anchor": (
        '<section id="summary"><h2 id="x">SEND</h2><p>SEND and the DfE.</p></section>'
    ),
    "unclosed paragraphs and list items": (
        "<p>Ask about SEND<p>EHC plans are late.<ul><li>DfE<li>CQC visits</ul><p>ICB."
    ),
    "an unclosed link inside a paragraph": '<p><a href="/x">SEND link</p><p>SEND here.</p>',
    "an unclosed link at the end": '<p>Read <a href="/x">about SEND',
    "a stray end tag": "</a></div><p>SEND</p></a><p>CQC</p>",
    "end tags that close more than their own": (
        '<div id="send"><span><div>SEND</span></div> SEND now</div><p>SEND</p>'
        "<em><nav>CQC</em> CQC</nav><p>CQC</p>"
    ),
    "crossed tags": "<b><a href='#'>SEND</b> SEND</a><p>SEND and EHCP</p>",
    "a comment containing a >": "<p><!-- a > SEND --> SEND. <!-- EHCP > --></p><p>EHCP</p>",
    "a < inside an attribute": '<p title="<a>">SEND</p><p>EHCP and SEND</p>',
    "a < in the text": "<p>1 < 2 and SEND</p><p>EHCP</p>",
    "a < with no tag after it": "<p>SEND</p> 1 < 2 EHCP",
    "white space in tags": "< p>SEND</ p><p >EHCP</p ><P>CQC</P><p\n class='x'>DfE</p>",
    "attributes with words in them": (
        '<p title="SEND" data-x="EHCP" aria-label="Local Offer">A <span class="SEND">SEND'
        '</span> word</p><img alt="SEND" src="/send.png"><p>EHCP</p>'
    ),
    "text right after links": (
        '<p><a href="/x">A link</a> Local Offer and <a href="/y">another</a>\n'
        "improvement board. <a href='/z'>z</a>, area for improvement</p>"
        "<p>The Local Offer and the improvement board, areas for improvement.</p>"
    ),
    "two words side by side": (
        "<p>SEND Local Offer SEND commissioner priority action plan SEND</p>"
        "<p>The Local Offer the improvement board</p>"
    ),
    "sentence starts after block tags": (
        "<p>First.</p>SEND starts.<div>text<br>EHCP begins</div><li>DfE</li>"
        '<td>CQC</td>Words <span class="govuk-tag">tag</span>ICB. <b>CCG</b> <i>x. SENCO</i>'
    ),
    "a long run of text before a word": "<p>" + "word " * 20 + "<b>bold</b> " * 3 + "SEND</p>",
    "untouched elements": (
        '<h2>SEND</h2><caption>EHCP</caption><strong class="govuk-tag">CQC</strong>'
        '<span class="govuk-caption-m">DfE</span><p data-plain-english="off">ICB <b>CCG</b>'
        "</p><script>SEND</script><code>EHCP</code><pre><p>CQC</p></pre>"
        "<p>SEND EHCP CQC DfE ICB CCG</p>"
    ),
    "self-closing and void elements": (
        '<div/><p>SEND<br/>EHCP<img src="x"/><input>CQC</p><a href="#"/>DfE<hr>ICB'
    ),
    "upper-case tags": "<DIV ID='send'><P>SEND</P></DIV><A HREF='#'>EHCP</A> EHCP",
    "a name and words already written out": (
        "<p>The SEND Improvement Portal. Special educational needs and disabilities (SEND) "
        "and the Department for Education ( DfE ).</p><p>SEND and DfE.</p>"
    ),
    "letters that match only when case is ignored": "<p>ſpecial and \u212aent. SEND</p>",
    "non-Latin-1 text": "<p>“SEND” — the EHCP’s ‘Local Offer’. 😀 CQC</p>",
    "text at the very start and end": "SEND at the start <p>x</p> and EHCP at the end",
    "no tags at all": "SEND and the Local Offer. EHCP.",
    "no words at all": "<p>Nothing to explain here.</p>",
    "": "",
}


@pytest.mark.parametrize("html", TRICKY.values(), ids=TRICKY.keys())
def test_tricky_html_reads_the_same(html):
    assert_same(html)
    assert_same(html, {("acronym", "SEND")})


def test_only_html_the_new_way_cannot_read_is_read_the_long_way(long_way):
    for html in TRICKY.values():
        assert_same(html)
    assert sorted(long_way) == sorted(
        TRICKY[name]
        for name in (
            "a comment containing a >",
            "a < inside an attribute",
            "a < in the text",
            "a < with no tag after it",
            "white space in tags",
            "letters that match only when case is ignored",
        )
    )


# Generated HTML: tags nested, left open, closed twice and crossed.
PIECES = [
    "SEND",
    "EHCP",
    "DfE",
    "CQC",
    "the Local Offer",
    "area for improvement",
    "SEND commissioner",
    "special educational needs and disabilities (SEND)",
    "Education, health and care plan (EHCP)",
    "words. ",
    "More words",
    " ",
    "\n  ",
    ". ",
    "“",
]
TAGS = [
    "p",
    "div",
    "span",
    "a",
    "b",
    "li",
    "h2",
    "nav",
    "section",
    "td",
    "summary",
    "code",
]
ATTRIBUTES = [
    "",
    ' class="govuk-tag"',
    ' id="send"',
    ' id="ehcp"',
    ' id="local-offer"',
    ' data-plain-english="off"',
    ' href="/x"',
    ' title="SEND"',
]


def generated(seed):
    chance = random.Random(seed)
    out, open_ = [], []
    for _ in range(chance.randint(5, 60)):
        roll = chance.random()
        if roll < 0.35:
            out.append(chance.choice(PIECES))
        elif roll < 0.65:
            name = chance.choice(TAGS)
            out.append(f"<{name}{chance.choice(ATTRIBUTES)}>")
            open_.append(name)
        elif roll < 0.9 and open_:
            out.append(f"</{open_.pop()}>")  # closed in order
        elif roll < 0.95:
            out.append(f"</{chance.choice(TAGS)}>")  # closed out of order, or never opened
        else:
            out.append(chance.choice(["<br>", "<hr/>", "<img src='x'>", "<div/>"]))
    return "".join(out)


@pytest.mark.parametrize("start", range(0, 2000, 250))
def test_generated_html_reads_the_same(start):
    for seed in range(start, start + 250):
        html = generated(seed)
        assert_same(html)
        assert_same(html, {("acronym", "SEND"), ("phrase", "local-offer")})


def test_the_letters_read_the_long_way_are_all_those_a_latin_1_page_would_miss():
    """Outside Latin-1, only these match a letter of a word when case is ignored."""
    letter = re.compile("(?i)[a-z]")
    missed = {chr(c) for c in range(0x100, 0x110000) if letter.fullmatch(chr(c))}
    assert missed == set(plain_english._FOLDS_TO_LETTERS)
