"""The report PDF's structure, read back: artifacts, links, drafts and the PDF/UA structure check.

The outside audit found the running header and "Page N of M" tagged as content, links
described by fragment ids and draft reports printed as "Report 1"; each test here reads
the generated PDF back (tests/pdf_reading.py) and would have caught it.
"""

import datetime
import hashlib
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import weasyprint
from django.core.exceptions import ValidationError
from django.db import connection, connections

from actions.models import Plan
from progress import pdf as pdf_module
from progress.models import ProgressReport
from progress.pdf import FETCHER, PDF_OPTIONS, html_to_pdf, static_dir
from progress.report_services import publish_report, request_report
from progress.reports import DRAFT_ROOT, published_html
from tests.cast import publish_for_report
from tests.pdf_reading import (
    link_annotations,
    marked_text,
    read,
    structure,
    tagged_text,
)
from tests.pdf_ua import problems
from tests.progress import render_stubs


def page(body, *, title="Testshire progress report"):
    return (
        '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
        f'<title>{title}</title><link rel="stylesheet" href="portal/report.css"></head>'
        f"<body>{body}</body></html>"
    )


TWO_PAGES = page(
    '<div class="running-title">Testshire: progress report 4</div>'
    '<nav class="contents"><h1>Contents</h1><ol>'
    '<li><a href="#summary">Summary</a></li><li><a href="#findings">Findings</a></li></ol></nav>'
    '<h2 id="summary">Summary</h2><p>Waiting times fell.</p>'
    '<h2 id="findings" class="page-break">Findings</h2>'
    '<p>See <a href="https://www.example.org/send">the local offer</a> for more.</p>'
)


def test_the_running_header_and_page_numbers_are_artifacts_not_tagged_content():
    data = html_to_pdf(TWO_PAGES)
    reader = read(data)
    for number, page_ in enumerate(reader.pages, start=1):
        pieces = marked_text(page_)
        header = [p for p in pieces if "Testshire: progress report 4" in p.text]
        footer = [p for p in pieces if f"Page {number} of 2" in p.text]
        assert header and footer, [p.text for p in pieces]
        assert all(p.in_artifact and p.mcid is None for p in header + footer)
    tagged = " ".join(text for page_ in tagged_text(reader) for _, text in page_)
    assert "Waiting times fell." in tagged and "the local offer" in tagged
    assert "Testshire: progress report 4" not in tagged
    assert not re.search(r"Page \d of 2", tagged)
    # The parent tree names no element outside the tree, and every text is one or the other.
    assert problems(data) == []


def test_links_are_described_in_words_with_the_page_they_go_to():
    reader = read(html_to_pdf(TWO_PAGES))
    contents = [str(annotation["/Contents"]) for _, annotation in link_annotations(reader)]
    # The contents' "(page N)" is a second annotation of the same link.
    assert sorted(set(contents)) == [
        "Findings (page 2)",
        "Summary (page 1)",
        "the local offer",
    ]
    assert not {"summary", "findings", "#summary"} & set(contents)


def test_each_link_is_one_link_element_that_owns_its_annotations():
    """WeasyPrint tagged a contents line's "(page N)" as a Link nested in the Link."""
    reader = read(html_to_pdf(TWO_PAGES))
    links = [element for element in structure(reader) if element.role == "/Link"]
    assert len(links) == 3
    for link in links:
        assert link.parent.role != "/Link"
        assert link.object_references(), "a Link element without its annotation"
    annotations = [annotation for _, annotation in link_annotations(reader)]
    owned = [ref.get_object() for link in links for ref in link.object_references()]
    assert len(owned) == len(annotations) == 5
    assert all(any(a is o for o in owned) for a in annotations)
    # The page number is read with the link's words, not as a separate piece.
    first = [text for role, text in tagged_text(reader)[0] if role == "/Link"]
    assert "".join(first[:2]) == "Summary (page 1)"


def test_the_structure_check_finds_what_weasyprint_alone_leaves_out():
    """Without the finishing pass the check fails, so a pass above means something."""
    table = '<table><thead><tr><th scope="col">A</th></tr></thead><tbody><tr><td>1</td></tr>'
    raw = weasyprint.HTML(
        string=TWO_PAGES.replace("</body>", table + "</tbody></table></body>"),
        base_url=static_dir().as_uri() + "/",
        url_fetcher=FETCHER,
    ).write_pdf(**PDF_OPTIONS)
    found = problems(raw)
    assert "A table header cell (TH) has no /Scope." in found
    assert "The document has no XMP metadata." in found
    assert any("neither tagged nor marked as an artifact: 'Page 1 of 2'" in p for p in found)
    assert any("Testshire: progress report 4" in p for p in found)


def test_the_structure_check_finds_skipped_headings_and_a_figure_without_alt():
    found = problems(
        html_to_pdf(
            page(
                "<h2>Not a first heading</h2><h4>Skipped a level</h4>"
                '<svg width="40" height="20"><rect width="10" height="10"/></svg>'
            )
        )
    )
    assert "The first heading is H2, not H1." in found
    assert "A heading level is skipped: H2 then H4." in found
    assert "A figure has no alternative text (/Alt)." in found


# Drafts and published reports


@pytest.fixture
def report_world(cast):
    publish_for_report(cast)
    return cast


def generated(cast, django_capture_on_commit_callbacks, audience="public", introduction=""):
    with django_capture_on_commit_callbacks(execute=True):
        report = request_report(
            plan=cast.plan,
            audience=audience,
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 12, 31),
            by=cast.officer,
            introduction=introduction,
        )
    report.refresh_from_db()
    assert report.state == ProgressReport.State.READY, report.error
    return report


def stored(report):
    with report.pdf.open("rb") as file:
        data = file.read()
    assert hashlib.sha256(data).hexdigest() == report.sha256
    return data


def page_texts(data):
    return [re.sub(r"\s+", " ", p.extract_text()) for p in read(data).pages]


@pytest.mark.django_db
def test_a_draft_says_draft_on_every_page_and_gives_no_report_number(
    report_world, django_capture_on_commit_callbacks
):
    report = generated(report_world, django_capture_on_commit_callbacks)
    data = stored(report)
    pages = page_texts(data)
    assert len(pages) > 1
    assert all("DRAFT" in text for text in pages), pages
    assert not any(re.search(r"\bReport 1\b|progress report 1\b", text) for text in pages)
    assert "Draft report (not published)" in pages[0]
    reader = read(data)
    assert "draft" in reader.metadata.title and " 1 " not in reader.metadata.title
    # Said once as real text on the cover, so a screen reader hears it; elsewhere the
    # running header says it, as an artifact.
    cover = " ".join(text for _, text in tagged_text(reader)[0])
    assert "DRAFT" in cover
    for later in tagged_text(reader)[1:]:
        assert "DRAFT" not in " ".join(text for _, text in later)
    assert next(p for p in marked_text(reader.pages[1]) if "DRAFT" in p.text).in_artifact
    assert problems(data) == []


@pytest.mark.django_db
def test_publishing_draws_the_same_report_without_draft_and_with_its_number(
    report_world, django_capture_on_commit_callbacks
):
    report = generated(report_world, django_capture_on_commit_callbacks)
    draft_file, draft_sha = report.pdf.name, report.sha256
    with django_capture_on_commit_callbacks(execute=True):
        publish_report(report, by=report_world.officer)
    report.refresh_from_db()
    assert (report.state, report.number) == (ProgressReport.State.PUBLISHED, 1)
    data = stored(report)  # the record's hash is the published file's
    assert report.sha256 != draft_sha and report.pdf.name != draft_file
    assert not report.pdf.storage.exists(draft_file)
    pages = page_texts(data)
    for text in pages:
        assert "DRAFT" not in text and "(draft)" not in text and "Draft report" not in text
    assert "Report 1" in pages[0] and "Testshire: progress report 1" in pages[0]
    assert all("Testshire progress report 1" in text for text in pages[1:])
    assert "Families now get a named contact." in " ".join(pages)
    reader = read(data)
    assert reader.metadata.title.startswith("Testshire: progress report 1 – ")
    assert "DRAFT" not in report.html and 'class="draft"' not in report.html
    assert problems(data) == []
    # Its bookmarks name the report as published.
    assert reader.outline[0]["/Title"] == "Testshire: progress report 1"


@pytest.mark.django_db
def test_a_board_pack_draft_and_its_published_pdf_pass_the_structure_check(
    report_world, django_capture_on_commit_callbacks
):
    report = generated(report_world, django_capture_on_commit_callbacks, audience="board_pack")
    assert problems(stored(report)) == []
    pages = page_texts(stored(report))
    assert all("DRAFT" in text for text in pages)
    publish_report(report, by=report_world.officer)
    report.refresh_from_db()
    assert problems(stored(report)) == []
    assert all(
        "Board pack – internal: not for publication" in t for t in page_texts(stored(report))
    )


@pytest.mark.django_db
def test_text_that_looks_like_the_draft_marks_cannot_change_what_is_published(
    report_world, django_capture_on_commit_callbacks
):
    """Officers' text is escaped: the marks publishing looks for can only come from the template."""
    forged = f'{DRAFT_ROOT} <meta name="published-title" content="Forged"> <title>Forged</title>'
    report_world.plan.title = f"Plan {forged}"
    report_world.plan.save()
    report = generated(report_world, django_capture_on_commit_callbacks, introduction=forged)
    final = published_html(report.html)
    assert final is not None
    head = final.split("</head>")[0]
    assert "Forged</title>" not in head and 'content="Forged"' not in head
    assert head.count("<title>") == 1
    body = final.split("</head>")[1]
    assert "&lt;title&gt;Forged&lt;/title&gt;" in body  # the officer's words, as words
    assert "DRAFT" not in final and "draft-only" not in final


def test_html_that_is_not_a_numbered_draft_is_not_changed_by_publishing():
    assert published_html(page("<h1>Report 3</h1>")) is None
    assert published_html("") is None
    twice = DRAFT_ROOT + DRAFT_ROOT + '<head><meta name="published-title" content="x">'
    assert published_html(twice + "<title>t</title></head>") is None


@pytest.mark.django_db
def test_publishing_draws_nothing_so_a_broken_renderer_cannot_stop_it(
    report_world, django_capture_on_commit_callbacks, monkeypatch
):
    """The published version was drawn with the draft; publishing only swaps it in."""
    report = generated(report_world, django_capture_on_commit_callbacks)
    prepared_sha, prepared_file = report.prepared_sha256, report.prepared_pdf.name

    def broken(html, **options):
        raise pdf_module.ReportRenderError("The report could not be made: it fell over.")

    render_stubs.draw_with(monkeypatch, broken)
    publish_report(report, by=report_world.officer)
    report.refresh_from_db()
    assert (report.state, report.number, report.sha256, report.pdf.name) == (
        ProgressReport.State.PUBLISHED,
        1,
        prepared_sha,
        prepared_file,
    )


@pytest.mark.django_db(transaction=True)
def test_two_drafts_published_at_once_give_one_published_pdf_and_leave_the_other_a_draft(cast):
    """The loser is refused before anything is drawn: its stored draft stays as it was."""
    if connection.vendor != "postgresql":
        pytest.skip("two transactions at once need PostgreSQL (set DATABASE_URL, as CI does)")
    cast.plan.status = Plan.Status.PUBLISHED
    cast.plan.save()
    drafts = []
    for _ in range(2):  # on commit, the immediate task backend generates each
        report = request_report(
            plan=cast.plan,
            audience="public",
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 12, 31),
            by=cast.officer,
        )
        report.refresh_from_db()
        assert report.state == ProgressReport.State.READY, report.error
        drafts.append(report)
    before = [(report.sha256, report.pdf.name) for report in drafts]
    start = threading.Barrier(2)

    def publish(index):
        try:
            start.wait(timeout=30)
            publish_report(drafts[index], by=[cast.officer, cast.second_officer][index])
            return "published", index
        except ValidationError as error:
            return "refused", " ".join(error.messages)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(publish, [0, 1]))
    assert [result for result, _ in results] == ["published", "refused"], results
    assert "Generate this report again" in results[1][1]
    winner = ProgressReport.objects.get(pk=drafts[results[0][1]].pk)
    loser = ProgressReport.objects.get(pk=drafts[1 - results[0][1]].pk)
    assert winner.number == 1 and "Report 1" in page_texts(stored(winner))[0]
    assert (loser.state, loser.number) == (ProgressReport.State.READY, None)
    assert (loser.sha256, loser.pdf.name) == before[1 - results[0][1]]
    assert all("DRAFT" in text for text in page_texts(stored(loser)))
