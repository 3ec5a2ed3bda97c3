"""Plain English on the public pages: acronyms explained, a glossary, sources named, a way to sign in.

* Each acronym is written out in full, with a link to its glossary entry,
  the first time a public page uses it ("special educational needs and
  disabilities (SEND)"); later uses may be the acronym alone.
* The glossary (/glossary/) defines every word the pages explain, each with
  an anchor, in plain English, citing the law or guidance a meaning comes from.
* A source is shown by title and publisher, not as an address or a file name.
* Every page's header has "Sign in" for visitors and "Your areas" for people
  signed in, and the page cache never keeps a signed-in person's header.
  The sign-in page lists the demo's sign-ins only with DEBUG on.
"""

import datetime
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.template import Context, Template, TemplateSyntaxError, engines
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from textstat.textstat import textstatistics

from actions.models import Plan
from demo.management.commands.load_demo import DEMO_PASSWORD
from inspections.models import Inspection, Judgement, Membership
from kit.templatetags.plain_english import (
    ACRONYMS,
    NAMES,
    PHRASES,
    describe_source,
    file_title,
    glossary_anchors,
    source_link,
)
from progress.models import (
    BoardMeeting,
    Evidence,
    Measure,
    MeasureValue,
    ProgressUpdate,
    YouSaidWeDid,
)
from public.glossary import BY_ANCHOR, ENTRIES
from tests.factories import (
    make_action,
    make_area,
    make_finding,
    make_inspection,
    make_organisation,
    make_partner,
    make_plan,
    make_review,
)

pytestmark = pytest.mark.django_db

GLOSSARY = "/glossary/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def render(source, **context):
    return engines["django"].from_string("{% load plain_english %}" + source).render(context)


def glossary_link(anchor, text):
    return f'<a class="govuk-link" href="{GLOSSARY}#{anchor}">{text}</a>'


# Reading a page as a visitor does


@dataclass
class Piece:
    """A run of visible text with where it is: the link around it, a status tag, ids."""

    text: str
    href: str | None
    in_tag: bool
    in_nav: bool
    ids: frozenset


class _Reader(HTMLParser):
    """The visible text of <main>, in order, in pieces that know where they are."""

    HIDDEN = {"script", "style", "svg", "title", "template"}
    # Headings, captions and status tags stay short: a word is explained at its
    # first use in the text.
    HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6", "caption"}
    LABELS = {"govuk-caption-xl", "govuk-caption-l", "govuk-caption-m", "govuk-tag"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open = []  # (tag, attrs)
        self.pieces = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.open.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                return

    def handle_data(self, data):
        tags = [tag for tag, _ in self.open]
        if "main" not in tags or (self.HIDDEN | self.HEADINGS) & set(tags):
            return
        if any(attrs.get("data-plain-english") == "off" for _, attrs in self.open):
            return  # quoted text, such as the open data's example values, marked to be left as is
        links = [attrs.get("href") for tag, attrs in self.open if tag == "a"]
        classes = {c for _, attrs in self.open for c in (attrs.get("class") or "").split()}
        if classes & self.LABELS:
            return
        self.pieces.append(
            Piece(
                text=data,
                href=links[-1] if links else None,
                in_tag="govuk-tag" in classes,
                in_nav="nav" in tags,
                ids=frozenset(attrs["id"] for _, attrs in self.open if attrs.get("id")),
            )
        )


def read_main(html):
    reader = _Reader()
    reader.feed(html)
    return reader.pieces


def acronym_pattern(acronym):
    forms = sorted({short for short, _ in acronym.forms}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, forms)) + r")(?![\w-])")


def occurrences(pieces, acronym):
    """Each use of the acronym in the page's text: (text before it, the form, the piece)."""
    text, owners = "", []
    for piece in pieces:
        owners.append((len(text), piece))
        text += piece.text
    for name in NAMES:  # the portal's name is a name, not a use of the acronym
        text = text.replace(name, "#" * len(name))
    for found in acronym_pattern(acronym).finditer(text):
        owner = next(p for start, p in reversed(owners) if start <= found.start())
        yield text[: found.start()], text[found.end() :], found.group(0), owner


def explanation_problems(html, page_name):
    """Where the page fails to explain an acronym at its first use, in words."""
    pieces = read_main(html)
    problems = []
    for acronym in ACRONYMS:
        found = list(occurrences(pieces, acronym))
        if not found:
            continue
        before, after, form, _ = found[0]
        words = dict(acronym.forms)[form]
        written_out = [words, *acronym.also_written]
        said = " ".join(before[-120:].split()).casefold()
        if not (
            any(said.endswith(f"{w.casefold()} (") for w in written_out) and after.startswith(")")
        ):
            problems.append(f"{page_name}: first {form} reads “…{before[-60:]}{form}{after[:20]}…”")
        # The first use where a link can go is the link to its glossary entry.
        linkable = [
            piece
            for _, _, _, piece in found
            if not piece.in_tag
            and not piece.in_nav
            and (piece.href is None or piece.href.startswith(GLOSSARY))
        ]
        if linkable and acronym.anchor not in linkable[0].ids:
            href = linkable[0].href
            if href != f"{GLOSSARY}#{acronym.anchor}":
                problems.append(f"{page_name}: first {form} links to {href}, not its entry")
    return problems


# Building an area whose records use the acronyms


def area_with_acronyms():
    """Testshire: a 2018 WSOA inspection, a revisit and review, a plan, measures and meetings."""
    area = make_area(slug="testshire", name="Testshire")
    area.summary = "The council and two CCGs work together on SEND with NHS England."
    area.sources = (
        "https://files.ofsted.gov.uk/v1/file/50012345\n"
        "worcs-wsoa-v1.0.pdf\n"
        "Council cabinet papers, May 2018"
    )
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
    findings = [
        make_finding(
            inspection=inspection,
            number=1,
            text="Too many EHC plans are late.",
        ),
        make_finding(inspection=inspection, number=2, text="The Local Offer is out of date."),
    ]
    findings[0].families_summary = "Your child's EHCP should come sooner. Ask your SENCO."
    findings[0].save()
    revisit = make_inspection(
        area=area,
        ref="2019-revisit",
        kind=Inspection.Kind.REVISIT,
        start="2019-11",
        outcome=Inspection.Outcome.REVISIT_REPORTED,
    )
    Judgement.objects.create(
        finding=findings[1], inspection=revisit, verdict=Judgement.Verdict.SUFFICIENT
    )
    review = make_review(area=area, ref="review-2021", held="2021-06", label="DfE review")
    Judgement.objects.create(finding=findings[0], review=review, verdict=Judgement.Verdict.CLOSED)
    plan = make_plan(
        inspection=inspection, status=Plan.Status.PUBLISHED, findings=findings, submitted="2018-08"
    )
    plan.public_summary = "The WSOA sets out how the CCGs and the council will work."
    plan.save()
    for number, finding in enumerate(findings, start=1):
        action = make_action(plan=plan, finding=finding, lead=council, ref=f"{number}.1")
        action.public_summary = "Train every SENCO in the area. CQC and DfE will check."
        action.save()
        update = ProgressUpdate.objects.create(
            action=action,
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 3, 31),
            delivery_status="on_track",
            impact_status="some_evidence",
            narrative="Internal.",
            public_summary="SEN support reviews started. The ICB paid for two therapists.",
            state=ProgressUpdate.State.PUBLISHED,
            publish_at=timezone.now() - datetime.timedelta(days=1),
        )
        Evidence.objects.create(
            update=update,
            title=f"EHC plan audit {number}",
            file=ContentFile(PDF, name="audit.pdf"),
            original_name="audit.pdf",
            content_type="application/pdf",
            size=len(PDF),
            visibility=Evidence.Visibility.PUBLIC,
        )
    measure = Measure.objects.create(
        area=area,
        plan=plan,
        slug="timely-plans",
        name="EHC plans issued within 20 weeks",
        definition="New EHCPs issued within 20 weeks, as the DfE counts them.",
        source="SEN2 return",
        unit=Measure.Unit.PERCENT,
        baseline=30,
        baseline_date=datetime.date(2024, 12, 31),
        target=60,
        target_date=datetime.date(2026, 3, 31),
    )
    for period_end, numerator in [
        (datetime.date(2025, 3, 31), 31),
        (datetime.date(2025, 6, 30), 40),
    ]:
        MeasureValue.objects.create(
            measure=measure, period_end=period_end, numerator=numerator, denominator=70
        )
    BoardMeeting.objects.create(
        area=area,
        held_on=datetime.date(2025, 3, 12),
        what_was_said="The ICB and DfE advisers said SEND waiting times are falling. "
        "Two WSOA actions are late.",
        what_we_will_do="The PCF will help us check the Local Offer.",
        is_published=True,
    )
    YouSaidWeDid.objects.create(
        area=area,
        heard_on=datetime.date(2025, 2, 3),
        source="survey-results-2025_0f3a9c2e41b7.pdf",
        you_said="The SEND Local Offer is hard to find. Nobody explained what an EHCP is.",
        we_did="We moved the Local Offer to the front page and asked the PCF to check it.",
        is_published=True,
    )
    return area


def public_pages(area):
    finding = area.inspections.get(ref="2018-inspection").findings.get(number=1)
    return {
        "finding": reverse("public:area-finding", args=[area.slug, finding.pk]),
        "measures": reverse("public:area-measures", args=[area.slug]),
        "meetings": reverse("public:area-meetings", args=[area.slug]),
        "you said, we did": reverse("public:area-you-said", args=[area.slug]),
        "accessibility statement": reverse("public:accessibility"),
        "open data": reverse("public:open-data"),
        "glossary": reverse("public:glossary"),
    }


# The pages explain each acronym at its first use


def test_each_public_page_explains_each_acronym_at_its_first_use_with_a_link(client):
    area = area_with_acronyms()
    problems, explained = [], set()
    for name, url in public_pages(area).items():
        response = client.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()
        problems += explanation_problems(html, name)
        explained |= {a.short for a in ACRONYMS if any(occurrences(read_main(html), a))}
    assert not problems, "\n".join(problems)
    # The area's records use these, so the check above really looked at them.
    assert {"SEND", "SEN", "EHC", "EHCP", "DfE", "CQC", "ICB", "CCG", "WSOA", "SENCO"} <= explained
    assert "PCF" in explained


@pytest.mark.parametrize("name", ["public:home", "public:area"])
def test_the_home_and_area_pages_explain_each_acronym_at_its_first_use(client, name):
    area = area_with_acronyms()
    url = reverse(name, args=[area.slug] if name == "public:area" else [])
    problems = explanation_problems(client.get(url).content.decode(), name)
    assert not problems, "\n".join(problems)


def test_a_finding_page_reads_in_full_then_in_short(client):
    area = area_with_acronyms()
    page = client.get(public_pages(area)["finding"]).content.decode()
    # The verdict's status tag stays short; the words after it explain.
    assert '<strong class="govuk-tag">Closed by DfE review</strong>' in page
    assert "– " + glossary_link("dfe", "Department for Education (DfE)") + " review by DfE" in page
    assert page.count("Department for Education (DfE)") == 1
    assert glossary_link("ehc-plan", "education, health and care (EHC)") in page
    assert glossary_link("ehc-plan", "education, health and care plan (EHCP)") in page
    assert glossary_link("senco", "special educational needs co-ordinator (SENCO)") in page
    assert page.count("(SENCO)") == 1  # the second action's summary says SENCO alone
    # Headings and captions are left short; jargon is linked at its first use in the text.
    assert '<h1 class="govuk-heading-xl">Area of significant weakness 1</h1>' in page
    assert ": Joint local area SEND inspection, March 2018</span>" in page
    assert "The " + glossary_link("wsoa", "Written statement of action") + " for Testshire" in page


def test_the_meetings_page_explains_the_board_in_its_own_words(client):
    area = area_with_acronyms()
    page = client.get(public_pages(area)["meetings"]).content.decode()
    assert (
        "The " + glossary_link("send", "special educational needs and disabilities (SEND)")
    ) in page
    assert glossary_link("icb", "integrated care board (ICB)") in page
    assert glossary_link("parent-carer-forum", "parent carer forum (PCF)") in page


def test_a_source_given_as_a_file_name_or_an_address_reads_as_words(client):
    area = area_with_acronyms()
    YouSaidWeDid.objects.create(
        area=area,
        heard_on=datetime.date(2025, 5, 1),
        source="https://www.cqc.org.uk/local-systems/testshire",
        you_said="Nobody called us back.",
        we_did="We call back within a day.",
        is_published=True,
    )
    page = client.get(public_pages(area)["you said, we did"]).content.decode()
    assert "February 2025: Survey results 2025 (PDF)" in page
    assert "0f3a9c2e41b7" not in page
    # An address still links to the source, named by its publisher.
    assert (
        'May 2025: <a class="govuk-link" href="https://www.cqc.org.uk/local-systems/testshire">'
        "Care Quality Commission web page (cqc.org.uk)</a>"
    ) in page


# The word list and the template tags


def test_first_use_is_written_out_and_linked_and_later_uses_are_left_short():
    html = render("{% explain_terms %}<p>SEND help. More SEND help.</p>{% endexplain_terms %}")
    assert html == (
        "<p>"
        + glossary_link("send", "Special educational needs and disabilities (SEND)")
        + " help. More SEND help.</p>"
    )


def test_words_in_full_start_with_a_capital_only_where_a_sentence_starts():
    html = render(
        "{% explain_terms %}<p>Ask about SEND. EHC plans are late.</p>"
        "<p>Ask the DfE. CQC visits.</p><ul><li>CCGs closed</li></ul>{% endexplain_terms %}"
    )
    assert (
        "Ask about " + glossary_link("send", "special educational needs and disabilities (SEND)")
    ) in html
    assert glossary_link("ehc-plan", "Education, health and care (EHC)") + " plans" in html
    # Names keep their capitals wherever they are.
    assert "Ask the " + glossary_link("dfe", "Department for Education (DfE)") in html
    assert glossary_link("cqc", "Care Quality Commission (CQC)") + " visits" in html
    # A list item starts a new line, and a plural is written out as a plural.
    assert glossary_link("ccg", "Clinical commissioning groups (CCGs)") in html


def test_words_already_written_out_are_linked_not_repeated():
    html = render(
        "{% explain_terms %}<p>The Department for Education (DfE) and "
        "special educational needs and/or disabilities (SEND). DfE again.</p>{% endexplain_terms %}"
    )
    assert html == (
        "<p>The "
        + glossary_link("dfe", "Department for Education (DfE)")
        + " and "
        + glossary_link("send", "special educational needs and/or disabilities (SEND)")
        + ". DfE again.</p>"
    )


def test_inside_a_link_words_are_written_out_and_the_next_use_is_linked():
    html = render(
        '{% explain_terms %}<p><a href="/report/">The CQC report</a></p>'
        '<strong class="govuk-tag">Closed by DfE review</strong>'
        "<p>CQC and DfE.</p>{% endexplain_terms %}"
    )
    assert '<a href="/report/">The Care Quality Commission (CQC) report</a>' in html
    assert '<strong class="govuk-tag">Closed by DfE review</strong>' in html  # a label
    assert (
        glossary_link("cqc", "Care Quality Commission (CQC)")
        + " and "
        + glossary_link("dfe", "Department for Education (DfE)")
    ) in html
    assert html.count("<a ") == 3  # never a link inside a link


def test_scripts_code_attributes_and_marked_text_are_left_alone():
    html = render(
        '{% explain_terms %}<p title="SEND" data-x="DfE"><code>SEND</code></p>'
        '<script src="/static/SEND.js"></script><svg><text>CQC</text></svg>'
        '<p data-plain-english="off">SEND left as it is</p><p>SEND</p>{% endexplain_terms %}'
    )
    assert '<p title="SEND" data-x="DfE"><code>SEND</code></p>' in html
    assert "<svg><text>CQC</text></svg>" in html
    assert '<p data-plain-english="off">SEND left as it is</p>' in html
    assert (
        "<p>" + glossary_link("send", "Special educational needs and disabilities (SEND)") + "</p>"
    ) in html


def test_other_words_that_look_like_acronyms_are_left_alone():
    html = render(
        "{% explain_terms %}<p>Please send it. The SEN2 return. The SEND Improvement Portal. "
        "SENDS and non-SEND. senco.</p>{% endexplain_terms %}"
    )
    assert "<a" not in html


def test_jargon_is_linked_once_and_never_in_a_heading():
    html = render(
        "{% explain_terms %}<h2>Improvement Notice</h2><p>An Improvement Notice was issued."
        " The improvement notice was lifted.</p>{% endexplain_terms %}"
    )
    assert html == (
        "<h2>Improvement Notice</h2><p>An "
        + glossary_link("improvement-notice", "Improvement Notice")
        + " was issued. The improvement notice was lifted.</p>"
    )


def test_jargon_right_after_a_link_waits_for_its_next_use():
    html = render(
        "{% explain_terms %}<p>The SEND improvement board checks. The improvement board meets."
        "</p>{% endexplain_terms %}"
    )
    assert html == (
        "<p>The "
        + glossary_link("send", "special educational needs and disabilities (SEND)")
        + " improvement board checks. The "
        + glossary_link("improvement-board", "improvement board")
        + " meets.</p>"
    )


def test_headings_and_captions_stay_short_and_the_text_after_them_explains():
    html = render(
        '{% explain_terms %}<span class="govuk-caption-xl">SEND inspections</span>'
        "<h1>SEND in Testshire</h1><table><caption>EHC plans</caption></table>"
        "<p>SEND and EHC.</p>{% endexplain_terms %}"
    )
    assert html.startswith(
        '<span class="govuk-caption-xl">SEND inspections</span><h1>SEND in Testshire</h1>'
        "<table><caption>EHC plans</caption></table><p>"
        + glossary_link("send", "Special educational needs and disabilities (SEND)")
    )


def test_jargon_with_an_unexplained_acronym_in_it_explains_the_acronym_first():
    html = render(
        "{% explain_terms %}<p>A SEND commissioner came. The SEND commissioner left.</p>"
        "{% endexplain_terms %}"
    )
    assert html == (
        "<p>A "
        + glossary_link("send", "special educational needs and disabilities (SEND)")
        + " commissioner came. The "
        + glossary_link("send-commissioner", "SEND commissioner")
        + " left.</p>"
    )


def test_the_glossary_entry_for_a_word_is_not_linked_to_itself():
    html = render(
        '{% explain_terms %}<div id="dfe"><h2>Department for Education (DfE)</h2>'
        "<p>DfE does it with the CQC.</p></div><p>DfE again.</p>{% endexplain_terms %}"
    )
    assert "<p>Department for Education (DfE) does it with the " in html
    assert glossary_link("cqc", "Care Quality Commission (CQC)") in html
    assert "<p>DfE again.</p>" in html


def test_text_from_records_stays_escaped():
    html = render(
        "{% explain_terms %}<p>{{ text }}</p>{% endexplain_terms %}",
        text="<script>alert('SEND')</script> & DfE",
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;" in html
    assert glossary_link("send", "special educational needs and disabilities (SEND)") in html


def test_the_term_tag_explains_once_and_shares_the_page_with_the_blocks():
    html = render(
        '<p>{% term "SEND" capital %} and {% term "SEND" %}.</p>'
        "{% explain_terms %}<p>SEND.</p>{% endexplain_terms %}"
        '<p>{% term "Local Offer" %}, {% term "Local Offer" %}</p>'
    )
    assert html == (
        "<p>"
        + glossary_link("send", "Special educational needs and disabilities (SEND)")
        + " and SEND.</p><p>SEND.</p><p>"
        + glossary_link("local-offer", "Local Offer")
        + ", Local Offer</p>"
    )


def test_inside_a_block_the_term_tag_leaves_the_explaining_to_the_block():
    html = render(
        '{% explain_terms %}<p>About SEND.</p><p>{% term "SEND" %}</p>{% endexplain_terms %}'
    )
    assert html == (
        "<p>About "
        + glossary_link("send", "special educational needs and disabilities (SEND)")
        + ".</p><p>SEND</p>"
    )


def test_nested_blocks_and_includes_explain_each_word_once_per_render():
    engine = engines["django"].engine
    page = Template(
        "{% load plain_english %}{% explain_terms %}<p>SEND</p>"
        "{% explain_terms %}<p>SEND and CQC</p>{% endexplain_terms %}"
        "{% include inner %}{% endexplain_terms %}",
        engine=engine,
    )
    inner = Template("{% load plain_english %}<p>{% term 'CQC' %}</p>", engine=engine)
    first = page.render(Context({"inner": inner}))
    assert first.count("(SEND)") == 1 and first.count("(CQC)") == 1
    # A second render starts afresh and reads the same: pages are cached whole.
    assert page.render(Context({"inner": inner})) == first


@pytest.mark.parametrize(
    "source",
    [
        '{% term "NOPE" %}',
        "{% term SEND %}",
        '{% term "SEND" loudly %}',
        "{% explain_terms now %}{% endexplain_terms %}",
    ],
)
def test_a_word_not_in_the_word_list_or_a_badly_written_tag_is_an_error(source):
    with pytest.raises(TemplateSyntaxError):
        render(source)


# The glossary


REQUIRED_ENTRIES = {
    "send": "SEND",
    "sen": "SEN",
    "ehc-plan": "EHC plan",
    "ehc-needs-assessment": "EHC needs assessment",
    "dfe": "DfE",
    "nhs-england": "NHS England",
    "icb": "ICB",
    "ccg": "CCG",
    "ofsted": "Ofsted",
    "cqc": "CQC",
    "local-area-partnership": "local area partnership",
    "wsoa": "Written Statement of Action",
    "accelerated-progress-plan": "accelerated progress plan",
    "priority-action-plan": "priority action plan",
    "strategic-plan": "strategic plan",
    "area-of-significant-weakness": "area of significant weakness",
    "area-for-priority-action": "area for priority action",
    "area-for-improvement": "area for improvement",
    "revisit": "revisit",
    "monitoring-inspection": "monitoring inspection",
    "improvement-notice": "Improvement Notice",
    "statutory-direction": "statutory direction",
    "send-commissioner": "SEND commissioner",
    "local-offer": "Local Offer",
    "parent-carer-forum": "parent carer forum",
    "co-production": "co-production",
    "graduated-approach": "graduated approach",
    "senco": "SENCO",
    "improvement-board": "improvement board",
    "you-said-we-did": "You said, we did",
}


def test_the_glossary_defines_every_word_a_parent_meets_and_every_word_the_pages_link():
    assert set(REQUIRED_ENTRIES) <= set(BY_ANCHOR)
    assert glossary_anchors() <= set(BY_ANCHOR), "a word links to a missing entry"
    assert len(BY_ANCHOR) == len(ENTRIES), "two entries share an anchor"
    for anchor, entry in BY_ANCHOR.items():
        assert re.fullmatch(r"[a-z][a-z0-9-]*", anchor), anchor
        assert entry.definition and all(p.strip().endswith(".") for p in entry.definition)
    # An acronym's entry is headed by its words in full, then the acronym.
    for acronym in ACRONYMS:
        if acronym.short in {"SENDCo", "NHSE", "PCF", "PAP", "APP"}:
            continue  # spellings or short forms of an entry headed otherwise
        heading = BY_ANCHOR[acronym.anchor].term
        assert heading.casefold().startswith(acronym.long.split(" plan")[0].casefold()), heading
        assert f"({acronym.short})" in heading or acronym.short == "EHCP", heading


def test_the_glossary_is_in_alphabetical_order_with_its_sources():
    terms = [entry.term.casefold() for entry in ENTRIES]
    assert terms == sorted(terms)
    cited = [entry for entry in ENTRIES if entry.sources]
    assert len(cited) >= 20
    for entry in cited:
        for source in entry.sources:
            assert source.title and source.publisher, entry.anchor
            assert not source.url or source.url.startswith("https://"), entry.anchor
    laws = {s.url for e in ENTRIES for s in e.sources if "legislation.gov.uk" in s.url}
    assert "https://www.legislation.gov.uk/ukpga/2014/6/section/20" in laws  # what SEN means
    assert "https://www.legislation.gov.uk/ukpga/1996/56/section/497A" in laws  # directions


def test_glossary_definitions_read_at_a_reading_age_of_twelve_or_below():
    calculator = textstatistics()
    calculator.set_lang("en-GB")  # Pyphen's British English syllables, with no download
    text = " ".join(" ".join(entry.definition) for entry in ENTRIES)
    reading_age = calculator.flesch_kincaid_grade(text) + 5
    print(f"Glossary reading age: {reading_age:.1f}")
    assert reading_age <= 12
    for entry in ENTRIES:
        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(entry.definition)):
            assert len(sentence.split()) <= 25, (entry.anchor, sentence)
        own = calculator.flesch_kincaid_grade(" ".join(entry.definition)) + 5
        assert own <= 13, (entry.anchor, own)


def test_the_glossary_page_lists_every_term_with_its_id_and_definition(client):
    response = client.get(GLOSSARY)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>What the words mean – SEND Improvement Portal</title>" in page
    for entry in ENTRIES:
        heading = re.search(
            rf'<div class="govuk-!-margin-bottom-6" id="{entry.anchor}">\s*'
            r'<h2 class="govuk-heading-m">(.*?)</h2>',
            page,
        )
        assert heading, entry.anchor
        assert heading.group(1) == entry.term, entry.anchor
        for source in entry.sources:
            if source.url:
                assert f'href="{source.url}"' in page
    assert page.count('<h2 class="govuk-heading-m">') == len(ENTRIES)
    # No entry links to itself.
    for entry in ENTRIES:
        own = re.search(rf'id="{entry.anchor}">(.*?)</div>', page, re.S).group(1)
        assert f'href="{GLOSSARY}#{entry.anchor}"' not in own, entry.anchor
    main = "".join(piece.text for piece in read_main(page))
    for entry in ENTRIES:
        for paragraph in entry.definition:
            # The words are as written, with acronyms written out at their first use.
            plain = re.sub(r"\s+", " ", main)
            first_words = paragraph.split()[0]
            assert first_words in plain, entry.anchor
    assert not explanation_problems(page, "glossary")


def test_every_public_page_links_to_the_glossary_in_its_footer_and_area_pages(client):
    area = area_with_acronyms()
    for name, url in public_pages(area).items():
        page = client.get(url).content.decode()
        (footer,) = re.findall(r"<footer.*?</footer>", page, re.S)
        assert f'href="{GLOSSARY}">What the words mean</a>' in footer, name
    for name in ("public:area", "public:area-measures", "public:area-meetings"):
        page = client.get(reverse(name, args=[area.slug])).content.decode()
        assert f'<a class="govuk-link" href="{GLOSSARY}">What the words on these pages mean' in (
            page
        ), name


# Sources described by title and publisher


@pytest.mark.parametrize(
    ("source", "described"),
    [
        ("https://files.ofsted.gov.uk/v1/file/50012345", "Ofsted report (files.ofsted.gov.uk)"),
        (
            "https://reports.ofsted.gov.uk/provider/44/80570",
            "Ofsted report (reports.ofsted.gov.uk)",
        ),
        ("worcs-wsoa-v1.0.pdf", "Worcs WSOA version 1.0 (PDF)"),
        ("seed document 000_c597165220469f32.txt", "Seed document 000 (text file)"),
        (
            "https://www.cqc.org.uk/local-systems/send",
            "Care Quality Commission web page (cqc.org.uk)",
        ),
        ("https://www.gov.uk/government/publications/x", "GOV.UK page (gov.uk)"),
        (
            "https://www.education.gov.uk/publications/standard",
            "Department for Education web page (education.gov.uk)",
        ),
        (
            "https://assets.publishing.service.gov.uk/media/5f/Letter_to_Kent_council.pdf",
            "Letter to Kent council (PDF from GOV.UK, assets.publishing.service.gov.uk)",
        ),
        (
            "https://www.worcestershire.gov.uk/send-local-offer-0/send-improvement-plan",
            "Worcestershire County Council Local Offer page (worcestershire.gov.uk)",
        ),
        (
            "https://www.worcestershire.gov.uk/sites/default/files/2018-10/worcs-wsoa-v1.0.pdf",
            "Worcs WSOA version 1.0 (PDF from Worcestershire County Council, "
            "worcestershire.gov.uk)",
        ),
        (
            "https://worcestershire.moderngov.co.uk/mgAi.aspx?ID=20025",
            "Worcestershire County Council committee papers (worcestershire.moderngov.co.uk)",
        ),
        ("https://www.southend.gov.uk/send", "Council web page (southend.gov.uk)"),
        (
            "https://democracy.warwickshire.gov.uk/mgAi.aspx?ID=6939",
            "Council web page (democracy.warwickshire.gov.uk)",
        ),
        (
            "https://www.localofferwolves.co.uk/about/march-2025-monitoring-visit",
            "Wolverhampton Local Offer web page (localofferwolves.co.uk)",
        ),
        (
            "https://localoffer.centralbedfordshire.gov.uk/kb5/x",
            "Council Local Offer page (localoffer.centralbedfordshire.gov.uk)",
        ),
        (
            "https://www.dgft.nhs.uk/news",
            "The Dudley Group NHS Foundation Trust web page (dgft.nhs.uk)",
        ),
        (
            "https://basildonandbrentwoodccg.nhs.uk/x",
            "NHS web page (basildonandbrentwoodccg.nhs.uk)",
        ),
        (
            "https://www.worcesternews.co.uk/news/19831794.cqc-ofsted-say/",
            "Worcester News article (worcesternews.co.uk)",
        ),
        ("https://example.org/testshire-report", "Web page (example.org)"),
        (
            "https://example.org/files/Annual%20Report%202024.PDF",
            "Annual Report 2024 (PDF, example.org)",
        ),
        ("Council cabinet papers, May 2018", "Council cabinet papers, May 2018"),
        ("Parent carer forum survey", "Parent carer forum survey"),
        (
            "Report letter: https://files.ofsted.gov.uk/v1/file/1.",
            "Report letter: Ofsted report (files.ofsted.gov.uk).",
        ),
        ("", ""),
    ],
)
def test_a_source_is_described_by_title_and_publisher(source, described):
    assert describe_source(source) == described


def test_a_file_name_becomes_words():
    assert file_title("SEND_strategy_FINAL_v2.docx") == "SEND strategy FINAL version 2"
    assert file_title("0f3a9c2e41b7.pdf") == "Document"
    assert file_title("ehcp-audit-3f2504e0-4f89-11d3-9a0c-0305e82c3301.pdf") == "EHCP audit"


def test_a_source_link_points_to_the_source_and_escapes_the_words():
    assert str(source_link("https://files.ofsted.gov.uk/v1/file/50012345?a=1&b=2")) == (
        '<a class="govuk-link" href="https://files.ofsted.gov.uk/v1/file/50012345?a=1&amp;b=2">'
        "Ofsted report (files.ofsted.gov.uk)</a>"
    )
    assert str(source_link("Minutes <b>May</b>")) == "Minutes &lt;b&gt;May&lt;/b&gt;"
    assert "<a" not in str(source_link("javascript:alert(1)"))
    assert "<a" not in str(source_link("ftp://example.org/file.pdf"))


def test_the_source_filters_work_in_a_template():
    html = render(
        "{{ a|describe_source }} | {{ b|source_link }}",
        a="worcs-wsoa-v1.0.pdf",
        b="https://files.ofsted.gov.uk/v1/file/1",
    )
    assert html == (
        "Worcs WSOA version 1.0 (PDF) | "
        '<a class="govuk-link" href="https://files.ofsted.gov.uk/v1/file/1">'
        "Ofsted report (files.ofsted.gov.uk)</a>"
    )


# Signing in: a link in every page's header


def header(page):
    (navigation,) = re.findall(r'<nav aria-label="Account".*?</nav>', page, re.S)
    return navigation


def sign_in_as_member(client):
    area = area_with_acronyms() if not Inspection.objects.exists() else None
    user = get_user_model().objects.create_user(username="sam", password="x-correct-horse")
    if area is not None:
        Membership.objects.create(user=user, area=area, role=Membership.Role.BOARD_MEMBER)
    client.force_login(user)
    return user


def test_visitors_see_sign_in_in_the_header_of_every_public_page(client):
    area = area_with_acronyms()
    urls = [*public_pages(area).values(), "/", reverse("public:area", args=[area.slug])]
    for url in urls:
        navigation = header(client.get(url).content.decode())
        assert f'href="{reverse("login")}">Sign in' in navigation, url
        assert "Your areas" not in navigation, url


def test_people_signed_in_see_your_areas_instead(client):
    sign_in_as_member(client)
    for url in ("/", GLOSSARY, reverse("public:area", args=["testshire"])):
        navigation = header(client.get(url).content.decode())
        assert f'href="{reverse("board:home")}">Your areas</a>' in navigation, url
        assert "Sign in" not in navigation, url


def test_the_cache_never_keeps_a_signed_in_header(client):
    area = area_with_acronyms()
    url = reverse("public:area-measures", args=[area.slug])
    # Signed in first: the page is made for them and not cached.
    member = client.__class__()
    sign_in_as_member(member)
    assert "Your areas" in member.get(url).content.decode()
    first = client.get(url).content.decode()
    assert "Sign in" in header(first) and "Your areas" not in first
    # The cached page is what every visitor gets; signed-in people still get their own.
    assert "Your areas" in member.get(url).content.decode()
    second = client.__class__().get(url).content.decode()
    assert header(second) == header(first)
    assert "Your areas" not in second


def test_the_sign_in_page_marks_sign_in_as_the_current_page(client):
    navigation = header(client.get(reverse("login")).content.decode())
    assert 'aria-current="page"' in navigation and "Sign in" in navigation


# The demo's sign-ins, only with DEBUG on


def make_demo_users():
    area = make_area(slug="testshire", name="Testshire")
    User = get_user_model()
    for suffix in ("officer", "board", "admin"):
        User.objects.create_user(username=f"testshire-{suffix}", password=DEMO_PASSWORD)
    User.objects.create_superuser("admin", "admin@example.org", DEMO_PASSWORD)
    User.objects.create_user(username="someone-else", password="x")
    return area


@override_settings(DEBUG=False)
def test_the_sign_in_page_never_lists_the_demo_sign_ins_without_debug(client):
    make_demo_users()
    page = client.get(reverse("login")).content.decode()
    assert DEMO_PASSWORD not in page
    assert "testshire-officer" not in page and "Demo sign-ins" not in page


@override_settings(DEBUG=True)
def test_with_debug_on_the_sign_in_page_lists_the_demo_sign_ins(client):
    make_demo_users()
    page = client.get(reverse("login")).content.decode()
    assert f"<code>{DEMO_PASSWORD}</code>" in page
    rows = re.findall(
        r"<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\"><code>(.*?)</code>", page
    )
    assert rows == ["admin", "testshire-officer", "testshire-board", "testshire-admin"]
    assert "Officer, Testshire" in page
    assert "someone-else" not in page
    assert page.count("csrfmiddlewaretoken") == 1


@override_settings(DEBUG=True)
def test_with_debug_on_and_no_demo_loaded_the_sign_in_page_lists_nothing(client):
    get_user_model().objects.create_user(username="sam", password="x")
    page = client.get(reverse("login")).content.decode()
    assert DEMO_PASSWORD not in page and "Demo sign-ins" not in page


@override_settings(DEBUG=True)
def test_a_deactivated_demo_sign_in_or_an_admin_who_is_not_the_superuser_is_not_listed(client):
    make_demo_users()
    User = get_user_model()
    User.objects.filter(username="testshire-board").update(is_active=False)
    User.objects.filter(username="admin").update(is_superuser=False)
    page = client.get(reverse("login")).content.decode()
    assert "testshire-officer" in page and "testshire-board" not in page
    assert "<code>admin</code>" not in page


def test_phrases_and_acronyms_have_no_overlaps_that_hide_each_other():
    spellings = [s for a in ACRONYMS for s, _ in a.forms]
    assert len(spellings) == len(set(spellings))
    phrases = [p.casefold() for entry in PHRASES for p in entry.phrases]
    assert len(phrases) == len(set(phrases))
