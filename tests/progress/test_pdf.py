"""The PDF engine: an accessible PDF, no fetches outside static files, and a time limit.

And a real public progress report, rendered and read back as a reader would:
the inspection's outcome in the framework's words and the government's
interventions are in it; internal notes are not.
"""

import base64
import datetime
import io
import os
import re
import subprocess
import sys
import urllib.request

import pytest
import weasyprint
from PIL import Image

from actions.models import Plan
from inspections.models import Inspection, Intervention
from kit.dates import PartialDate
from progress import pdf as pdf_module
from progress.models import ProgressReport
from progress.pdf import (
    FETCHER,
    PDF_OPTIONS,
    RefusedURL,
    ReportHTML,
    ReportRenderError,
    ReportRenderTimeout,
    draw_pdfs,
    html_to_pdf,
    html_to_pdfs,
    render_pdf,
    start_render_server,
    static_dir,
    well_formed_root,
)
from progress.pdf_structure import finish_structure
from progress.reports import build_report_context, render_report_html
from tests.factories import make_area, make_finding, make_inspection, make_plan
from tests.pdf_reading import header_scopes, read, struct_elements
from tests.progress import render_stubs


def page(body, *, head='<link rel="stylesheet" href="portal/report.css">'):
    return (
        '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>Testshire progress report</title>{head}</head><body>{body}</body></html>"
    )


def text_of(reader):
    return "\n".join(p.extract_text() for p in reader.pages)


def image_count(reader):
    return sum(len(p.images) for p in reader.pages)


def test_every_table_header_cell_says_whether_it_heads_a_column_or_a_row():
    """WeasyPrint writes /TH without /Scope; the audit found none of a report's had one."""
    pdf_bytes = html_to_pdf(
        page(
            "<h1>Measures</h1><table><thead><tr>"
            '<th scope="col">Period</th><th scope="col">Figure</th></tr></thead><tbody>'
            '<tr><th scope="row">Q1 2026</th><td>45.0%</td></tr>'
            '<tr><th scope="row">Q2 2026</th><td>52.3%</td></tr></tbody></table>'
        )
    )
    reader = read(pdf_bytes)
    assert header_scopes(reader) == ["/Column", "/Column", "/Row", "/Row"]
    # Still tagged, titled and in English after the structure is finished.
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.metadata.title == "Testshire progress report"
    assert "52.3%" in text_of(reader)


def test_the_contents_give_page_numbers_in_words_without_dot_leaders():
    """Dot leaders are text in the PDF, read out one dot at a time (the audit's finding)."""
    pdf_bytes = html_to_pdf(
        page(
            '<nav class="contents"><h2>Contents</h2><ol>'
            '<li><a href="#summary">Summary</a></li><li><a href="#findings">Findings</a></li>'
            "</ol></nav>"
            '<h2 id="summary">Summary</h2><p>Text.</p>'
            '<h2 id="findings" class="page-break">Findings</h2><p>More text.</p>'
        )
    )
    text = text_of(read(pdf_bytes))
    assert "Summary (page 1)" in text and "Findings (page 2)" in text
    assert ". ." not in text and "..." not in text


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (29, 112, 184)).save(out, "PNG")
    return out.getvalue()


def stream_data(reader):
    """The decoded data of every stream object in the PDF (most are compressed in the file)."""
    from pypdf.generic import IndirectObject, StreamObject

    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(IndirectObject(number, 0, reader))
        except Exception:  # noqa: S112 - a free or compressed-away object number
            continue
        if isinstance(obj, StreamObject):
            yield obj.get_data()


def assert_nothing_embedded(pdf_bytes):
    reader = read(pdf_bytes)
    assert b"root:" not in pdf_bytes
    assert not any(b"root:" in data for data in stream_data(reader))
    assert list(reader.attachments) == []
    assert image_count(reader) == 0
    assert "root:" not in text_of(reader)


# --- An accessible PDF ---------------------------------------------------------------------------


def test_renders_text_footer_title_language_tags_and_outline():
    pdf_bytes = html_to_pdf(
        page(
            '<div class="running-title">Testshire: progress report</div>'
            "<h1>Progress since the inspection</h1><p>Waiting times for assessments fell.</p>"
            '<h2 class="page-break">Finding 1</h2><p>Families report clearer information.</p>'
            '<svg role="img" width="120" height="40" viewBox="0 0 120 40">'
            '<title>Assessments completed on time</title><rect width="60" height="20"/></svg>'
        )
    )
    assert pdf_bytes.startswith(b"%PDF-")
    reader = read(pdf_bytes)
    text = text_of(reader)
    assert "Waiting times for assessments fell." in text
    assert "Families report clearer information." in text
    assert "Testshire: progress report" in text  # the running title, in the page margin
    assert "Page 1 of 2" in text and "Page 2 of 2" in text
    assert reader.metadata.title == "Testshire progress report"

    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en-GB"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    roles = struct_elements(reader)
    assert ("/H1", None) in roles and ("/H2", None) in roles
    assert ("/Figure", "Assessments completed on time") in roles  # /Alt from the SVG's <title>
    # Tagged, but no claim to PDF/UA-1 in the metadata until the reports meet it.
    metadata = catalog.get("/Metadata")
    xmp = metadata.get_object().get_data() if metadata is not None else b""
    assert b"pdfuaid" not in xmp

    outline = reader.outline
    assert outline[0]["/Title"] == "Progress since the inspection"
    assert outline[1][0]["/Title"] == "Finding 1"
    assert reader.get_destination_page_number(outline[1][0]) == 1


# --- No fetches outside the static files ---------------------------------------------------------

SERVER = """
import http.server, sys

PNG = bytes.fromhex(sys.argv[1])

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        print("GET", self.path, flush=True)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(PNG)))
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, *args):
        pass

server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


@pytest.fixture
def http_server():
    """A local HTTP server, in its own process, serving a PNG and recording every request.

    Yields (port, requests) where ``requests()`` stops the server and returns
    the paths it was asked for. It runs as a separate process (not a thread)
    so the render's fork happens in a single-threaded process.
    """
    server = subprocess.Popen(  # noqa: S603 - a fixed script with this interpreter
        [sys.executable, "-c", SERVER, png_bytes().hex()], stdout=subprocess.PIPE, text=True
    )
    port = int(server.stdout.readline())

    def requests():
        server.terminate()
        output = server.communicate(timeout=10)[0]
        return [line.split()[1] for line in output.splitlines() if line.startswith("GET ")]

    yield port, requests
    if server.poll() is None:
        server.kill()
        server.wait()


LISTS_AND_TABLES = page(
    '<div class="running-title">Testshire: progress report</div>'
    "<h1>Progress</h1><ul><li>Waiting times fell.</li><li>Plans on time.</li></ul>"
    "<ol><li>First</li><li>Second</li></ol><dl><dt>Term</dt><dd>Meaning</dd></dl>"
    '<table><colgroup><col class="w-50"><col class="w-50"></colgroup><thead><tr>'
    '<th scope="col">Period</th><th scope="col">Figure</th></tr></thead><tbody>'
    '<tr><th scope="row">March 2026</th><td>46%</td></tr></tbody></table>'
)


def test_the_lighter_user_agent_stylesheet_draws_the_same_pdf_byte_for_byte():
    """Reports render without WeasyPrint's pseudo-element rules no report uses (progress.pdf)."""
    assert pdf_module.REPORT_UA_STYLESHEET is not None  # this WeasyPrint's rules are as expected
    stock = weasyprint.HTML(
        string=LISTS_AND_TABLES, base_url=static_dir().as_uri() + "/", url_fetcher=FETCHER
    ).write_pdf(finisher=finish_structure, **PDF_OPTIONS)
    assert render_pdf(LISTS_AND_TABLES) == stock


def test_page_streams_are_deflated_without_zero_glyph_adjustments():
    """finish_structure deflates the streams itself and drops WeasyPrint's ">0<" in TJ arrays."""
    pdf_bytes = html_to_pdf(LISTS_AND_TABLES)
    assert b"/FlateDecode" in pdf_bytes
    reader = read(pdf_bytes)
    contents = reader.pages[0].get_contents().get_data()
    assert b"] TJ" in contents and b">0<" not in contents
    assert "Waiting times fell." in text_of(reader) and "46%" in text_of(reader)


def test_an_http_image_is_never_requested_nor_embedded(http_server):
    port, requests = http_server
    pdf_bytes = html_to_pdf(
        page(
            f'<p>Before</p><img alt="" src="http://127.0.0.1:{port}/x.png">'
            f'<link rel="stylesheet" href="http://127.0.0.1:{port}/evil.css">'
            f'<p style="background: url(http://127.0.0.1:{port}/bg.png)">After</p>'
        )
    )
    assert "After" in text_of(read(pdf_bytes))
    assert image_count(read(pdf_bytes)) == 0
    # The recorder works: a request made directly does arrive.
    urllib.request.urlopen(f"http://127.0.0.1:{port}/probe", timeout=5).read()
    assert requests() == ["/probe"]


@pytest.mark.parametrize(
    "markup",
    [
        '<link rel="attachment" href="file:///etc/passwd">',
        '<a rel="attachment" href="file:///etc/passwd">passwd</a>',
        '<img alt="" src="file:///etc/passwd">',
        '<img alt="" src="../../../../etc/passwd">',
        '<img alt="" src="../../../../../../../../etc/passwd">',
        '<link rel="attachment" href="../../../../../../../../etc/passwd">',
        '<link rel="attachment" href="file://localhost/etc/passwd">',
        '<link rel="attachment" href="file:///etc/hostname/../passwd">',
        '<link rel="stylesheet" href="file:///etc/passwd">',
        '<svg width="10" height="10"><image href="file:///etc/passwd" width="10" height="10"/></svg>',
        '<link rel="attachment" href="ftp://127.0.0.1/etc/passwd">',
    ],
)
def test_files_outside_static_are_not_embedded(markup):
    assert_nothing_embedded(html_to_pdf(page(f"<p>Report</p>{markup}")))


def test_a_relative_url_climbing_out_of_static_embeds_nothing():
    # Exactly enough ".." to reach "/" from the static folder, wherever the project lives.
    url = "../" * (len(static_dir().parts) - 1) + "etc/passwd"
    assert_nothing_embedded(
        html_to_pdf(page(f'<link rel="attachment" href="{url}"><img alt="" src="{url}">'))
    )


def test_dot_dot_and_symlinks_cannot_leave_a_static_directory(settings, tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (tmp_path / "secret.txt").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (static / "passwd-link").symlink_to("/etc/passwd")
    (static / "dir-link").symlink_to(tmp_path)
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, static]
    base = static.as_uri()
    for url in (
        f"{base}/../secret.txt",
        f"{base}/%2E%2E/secret.txt",
        f"{base}/passwd-link",
        f"{base}/dir-link/secret.txt",
    ):
        with pytest.raises(RefusedURL):
            FETCHER.fetch(url)
        assert_nothing_embedded(
            html_to_pdf(page(f'<link rel="attachment" href="{url}"><img alt="" src="{url}">'))
        )


def test_other_schemes_are_refused_by_the_fetcher():
    for url in (
        "http://127.0.0.1:9/x.png",
        "https://example.org/x.png",
        "ftp://example.org/x",
        "file://example.org/etc/passwd",
        "file:etc/passwd",
        "gopher://example.org/",
        "javascript:alert(1)",
    ):
        with pytest.raises(RefusedURL):
            FETCHER.fetch(url)


def test_static_files_and_data_urls_do_work(settings, tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "dot.png").write_bytes(png_bytes())
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, static]
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40">'
        '<text x="5" y="25">Datasvgword</text></svg>'
    )
    pdf_bytes = html_to_pdf(
        page(
            "<h1>Report</h1>"
            f'<img alt="A blue square" src="{static.as_uri()}/dot.png">'
            f'<img alt="A word" src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}">'
            '<link rel="attachment" href="portal/report.css">'
        )
    )
    reader = read(pdf_bytes)
    assert image_count(reader) == 1  # the PNG from a static directory
    assert "Datasvgword" in text_of(reader)  # the data: SVG
    assert "Page 1 of 1" in text_of(reader)  # portal/report.css, relative to static/
    assert list(reader.attachments) == ["report.css"]


# --- Errors and the time limit -------------------------------------------------------------------


def _gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_slow_render_is_killed_at_the_time_limit(monkeypatch, tmp_path):
    pid_file = tmp_path / "pid"
    monkeypatch.setattr(pdf_module, "render_pdf", render_stubs.slow_render)
    start_render_server()  # so the time limit is all the render's
    with pytest.raises(ReportRenderTimeout, match=r"longer than 0\.5 seconds"):
        html_to_pdf(str(pid_file), timeout=0.5)
    pid = int(pid_file.read_text())
    assert pid != os.getpid()
    assert _gone(pid)  # killed and reaped, not left as a zombie


def test_the_time_limit_comes_from_settings(settings):
    settings.REPORT_RENDER_TIMEOUT = 0.01
    rows = "".join(f"<tr><td>{n}</td><td>Action {n}</td></tr>" for n in range(3000))
    with pytest.raises(ReportRenderTimeout):
        html_to_pdf(page(f"<table><tbody>{rows}</tbody></table>"))


def test_an_error_in_the_render_is_a_report_render_error(monkeypatch):
    monkeypatch.setattr(pdf_module, "render_pdf", render_stubs.broken_render)
    with pytest.raises(ReportRenderError, match="ValueError: the layout fell over"):
        html_to_pdf(page("<p>Broken</p>"))


def test_a_render_process_that_dies_is_a_report_render_error(monkeypatch):
    monkeypatch.setattr(pdf_module, "render_pdf", render_stubs.dying_render)
    with pytest.raises(ReportRenderError, match="exit code 3"):
        html_to_pdf(page("<p>Dies</p>"))


def test_several_reports_render_side_by_side_each_in_its_order():
    first, second = html_to_pdfs([page("<p>The draft report.</p>"), page("<p>The final one.</p>")])
    assert "The draft report." in text_of(read(first))
    assert "The final one." in text_of(read(second))


def test_each_drawing_says_what_it_cost_its_child_and_is_logged(caplog):
    """The CPU time and peak memory come from the render child itself, as the worker logs them."""
    long = page("".join(f"<p>Paragraph {n} of a longer report.</p>" for n in range(400)))
    with caplog.at_level("INFO", logger="progress.pdf"):
        short_one, long_one = draw_pdfs([page("<p>A short report.</p>"), long])

    assert "A short report." in text_of(read(short_one.pdf))
    assert "Paragraph 399 of a longer report." in text_of(read(long_one.pdf))
    for drawn in (short_one, long_one):
        assert 0 < drawn.cpu_seconds < 60
        # The child's peaks: at least what WeasyPrint and its libraries take, under the cap
        # (which limits address space: never less than what is resident).
        assert 20 < drawn.peak_mb < pdf_module.DEFAULT_MAX_MB
        if sys.platform.startswith("linux"):
            assert drawn.peak_mb <= drawn.address_space_mb < pdf_module.DEFAULT_MAX_MB
    assert long_one.cpu_seconds > short_one.cpu_seconds  # it measured the drawing itself
    logged = [r for r in caplog.records if r.getMessage() == "Report PDF drawn"]
    assert [(r.cpu_seconds, r.pdf_bytes) for r in logged] == [
        (round(drawn.cpu_seconds, 3), len(drawn.pdf)) for drawn in (short_one, long_one)
    ]
    assert {r.side_by_side for r in logged} == {2}
    assert all(r.peak_mb > 20 and r.wall_seconds > 0 for r in logged)
    assert [r.address_space_mb for r in logged] == [
        None if d.address_space_mb is None else round(d.address_space_mb, 1)
        for d in (short_one, long_one)
    ]


def test_several_slow_renders_are_all_killed_at_the_time_limit(monkeypatch, tmp_path):
    pid_files = [tmp_path / "first", tmp_path / "second"]
    monkeypatch.setattr(pdf_module, "render_pdf", render_stubs.slow_render)
    start_render_server()  # so the time limit is all the renders'
    with pytest.raises(ReportRenderTimeout, match=r"longer than 2 seconds"):
        html_to_pdfs([str(pid_file) for pid_file in pid_files], timeout=2)
    pids = [int(pid_file.read_text()) for pid_file in pid_files]
    assert len(set(pids)) == 2 and os.getpid() not in pids
    assert all(_gone(pid) for pid in pids)  # each killed and reaped


def test_an_error_in_one_of_several_renders_is_a_report_render_error(monkeypatch):
    monkeypatch.setattr(pdf_module, "render_pdf", render_stubs.broken_render)
    with pytest.raises(ReportRenderError, match="ValueError: the layout fell over"):
        html_to_pdfs([page("<p>One</p>"), page("<p>Two</p>")])


# --- The warmed-up fork server -------------------------------------------------------------------


def test_only_the_fork_server_warms_up_and_it_stays_single_threaded():
    """progress.pdf_server renders its warm-up document on import; progress.pdf renders nothing."""
    script = (
        "import os, sys\n"
        "import progress.pdf\n"
        "print('progress.pdf_server' in sys.modules)\n"
        "import progress.pdf_server\n"
        "print(progress.pdf_server.WARMED_UP)\n"
        "print(len(os.listdir('/proc/self/task')) if sys.platform == 'linux' else 1)\n"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, with the script above
        [sys.executable, "-c", script],
        cwd=static_dir().parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.split() == ["False", "True", "1"]


def test_a_child_of_the_warmed_up_fork_server_draws_the_same_bytes_as_this_process():
    assert html_to_pdf(LISTS_AND_TABLES) == render_pdf(LISTS_AND_TABLES)


# --- A real public report ------------------------------------------------------------------------

SECRETS = (
    "SECRET notes on the inspection",
    "SECRET notes on the Improvement Notice",
    "SECRET notes on the direction",
)


@pytest.mark.django_db
def test_a_public_report_pdf_reads_the_outcome_in_the_frameworks_words_and_the_interventions():
    """Outcome 3 with no wording recorded, an Improvement Notice and a direction with a commissioner."""
    area = make_area(slug="pdfshire")
    inspection = make_inspection(
        area=area,
        ref="2023-inspection",
        framework=Inspection.Framework.AREA_SEND_2023,
        start="2023-03-06",
        received="2023-04-20",
        published="2023-04-25",
        outcome=Inspection.Outcome.SYSTEMIC,
    )
    inspection.notes = SECRETS[0]
    inspection.save()
    finding = make_finding(inspection=inspection, number=1, text="Families wait too long.")
    plan = make_plan(
        inspection=inspection,
        kind=Plan.Kind.PRIORITY_ACTION,
        status=Plan.Status.PUBLISHED,
        findings=[finding],
    )
    notice = Intervention(
        area=area,
        ref="notice-2023",
        kind=Intervention.Kind.IMPROVEMENT_NOTICE,
        covers="Education, health and care plans issued on time.",
        public_summary="The government checks progress every six months.",
        notes=SECRETS[1],
    )
    notice.issued = PartialDate.parse("2023-11-16")
    notice.save()
    direction = Intervention(
        area=area,
        ref="direction-2024",
        kind=Intervention.Kind.STATUTORY_DIRECTION,
        legal_basis="Section 497A(4B) Education Act 1996",
        commissioner="Jane Example, SEND Commissioner",
        notes=SECRETS[2],
    )
    direction.issued = PartialDate.parse("2024-02")
    direction.save()

    context = build_report_context(
        plan,
        audience=ProgressReport.Audience.PUBLIC,
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 3, 31),
        number=1,
    )
    reader = read(html_to_pdf(render_report_html(context)))
    text = re.sub(r"\s+", " ", text_of(reader))

    assert "Inspection outcome Outcome 3: widespread and/or systemic failings" in text
    assert (
        "In the inspection framework’s words: There are widespread and/or systemic failings "
        "leading to significant concerns about the experiences and outcomes of children and "
        "young people with SEND, which the local area partnership must address urgently."
    ) in text
    assert "Improvement Notice In force" in text
    assert "Issued 16 November 2023 by Department for Education." in text
    assert "What it covers Education, health and care plans issued on time." in text
    assert "The government checks progress every six months." in text
    assert "Statutory direction In force" in text
    assert "Issued February 2024" in text
    assert "Made under Section 497A(4B) Education Act 1996" in text
    assert "Commissioner or adviser Jane Example, SEND Commissioner" in text
    assert "In force at the end of the period (31 March 2024)." in text
    assert not [secret for secret in SECRETS if secret in text]
    assert "SECRET" not in text and "Internal notes" not in text
    # The bookmarks list the new section, under the report's title.
    assert "The inspection and government intervention" in outline_titles(reader.outline)


def outline_titles(items):
    """Every bookmark's title, at any depth."""
    titles = []
    for item in items:
        titles.extend(outline_titles(item) if isinstance(item, list) else [item["/Title"]])
    return titles


# Parsing: the C XML parser for well-formed reports, WeasyPrint's HTML5 parser otherwise


def well_formed_page(body, *, head='<link rel="stylesheet" href="portal/report.css" />'):
    """``page`` written as the report template writes it: XML's DOCTYPE, void elements closed."""
    return (
        page(body, head=head)
        .replace("<!doctype html>", "<!DOCTYPE html>")
        .replace('<meta charset="utf-8">', '<meta charset="utf-8" />')
    )


def test_well_formed_html_is_read_by_the_xml_parser_and_anything_else_is_not():
    closed = well_formed_page("<p>One<br />two</p>")
    root = well_formed_root(closed)
    assert root is not None and root.tag == "html"
    assert [element.tag for element in root.iter("br")] == ["br"]
    assert well_formed_root(page("<p>One<br>two</p>")) is None  # an HTML void element
    assert well_formed_root(closed.replace("two", "two&nbsp;three")) is None  # an HTML entity
    assert well_formed_root("<svg xmlns='http://www.w3.org/2000/svg'/>") is None  # not a page
    assert well_formed_root('<html xmlns="http://www.w3.org/1999/xhtml"/>') is None
    # No entity declarations, so no entity expansion: WeasyPrint's parser reads it as text.
    declared = closed.replace("<!DOCTYPE html>", '<!DOCTYPE html [<!ENTITY a "aaaa">]>')
    assert well_formed_root(declared.replace("two", "&a;")) is None
    # An <svg> keeps its xmlns as an attribute, as the HTML5 parser leaves it.
    svg = well_formed_root(closed.replace("<p>", '<svg xmlns="http://www.w3.org/2000/svg"/><p>'))
    (element,) = svg.iter("{http://www.w3.org/2000/svg}svg")
    assert element.get("{http://www.w3.org/2000/xmlns/}xmlns") == "http://www.w3.org/2000/svg"


def test_html_that_is_not_well_formed_is_still_drawn_by_weasyprints_parser():
    """A draft stored before reports were written well-formed still becomes its PDF."""
    html = page("<h1>Progress report</h1><p>First line<br>second line&nbsp;here")
    assert well_formed_root(html) is None
    text = read(html_to_pdf(html)).pages[0].extract_text()
    assert "First line" in text and "second line" in text and "Progress report" in text


def test_a_document_read_by_the_xml_parser_has_all_that_weasyprint_sets_on_its_own():
    """ReportHTML sets WeasyPrint's attributes itself; an upgrade that adds one fails here."""
    html = well_formed_page("<p>Words</p>", head="")
    options = {"string": html, "base_url": static_dir().as_uri() + "/", "url_fetcher": FETCHER}
    fast, slow = ReportHTML(**options), weasyprint.HTML(**options)
    assert well_formed_root(html) is not None
    assert vars(fast).keys() == vars(slow).keys()
    for name in ("base_url", "url_fetcher", "media_type"):
        assert getattr(fast, name) == getattr(slow, name), name
    assert fast.etree_element.tag == slow.etree_element.tag == "html"
