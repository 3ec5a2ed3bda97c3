"""Turn report HTML into an accessible PDF with WeasyPrint, safely and within a time limit.

WeasyPrint's own URL fetcher follows any URL it meets: it will request
``http://127.0.0.1:…`` from the server's network and embed ``file:///etc/passwd``
through ``<link rel="attachment">``. Report HTML carries text that officers
typed, so every render here goes through ``StaticOnlyFetcher``, which serves
only ``data:`` URLs and files that really live in the project's static
directories, and refuses everything else. A refused fetch raises; WeasyPrint
logs it and carries on without the resource, so nothing is requested or
embedded.

``html_to_pdf`` renders in a child process, so a document that takes too
long can be stopped: after ``timeout`` seconds (``settings.REPORT_RENDER_TIMEOUT``,
else 120) the child is killed and ``ReportRenderTimeout`` is raised. Anything
that goes wrong in the child comes back as ``ReportRenderError``.

``html_to_pdfs`` renders several documents side by side, each in a child of
its own with the same limits, all within the one time limit: a report's draft
and published PDFs in the time of one where the machine has a core for each.
``draw_pdfs`` does the same and gives each PDF with what drawing it cost its
child (CPU time and peak memory, as the child measured them; each is logged),
for the worker's logs and the benchmark.

The child is never forked from the calling process, which may run other
threads (a fork there can deadlock the child on a lock another thread held).
It comes from a *fork server*: a fresh, single-threaded Python started once
per process, with WeasyPrint already imported (a cold import costs about
0.9 s), that forks each render child; where there is no fork server, a fresh
interpreter is spawned. The fork server preloads ``progress.pdf_server``,
which renders one small report-like document (``warm_up``) before it forks
anything: the set-up WeasyPrint, cffi, fontconfig and Pango do on a process's
first render is done once there instead of in every child, each a fresh fork.
The warm-up waits until the fork server is single-threaded again (Pango
initialises fontconfig in a thread of its own) and never stops the fork
server from starting; no other process runs it, so a web process that imports
this module renders nothing. The child:

* holds only its own end of the result pipe, never the reading end;
* dies with the process that asked for the PDF: it watches a second pipe
  whose only writer is that process, so the writer's death (even ``kill -9``)
  ends the child within a moment; on Linux ``PR_SET_PDEATHSIG`` also kills it
  when the fork server goes; the caller kills and reaps it on a timeout or
  any error;
* may use at most ``settings.REPORT_RENDER_MAX_MB`` megabytes of address
  space (1500; 0 for no limit): a render that needs more fails with
  ``ReportTooLarge``, "The report was too large to draw", instead of taking the
  machine's memory.

The child needs no Django: the caller passes the static directories and
base URL to it. Like every child of a fork server it imports the main
script again (as ``__mp_main__``), so that script must do nothing on import
(``manage.py`` and ``python -m`` entry points do nothing).

The PDF is tagged (headings, tables, lists, figures with their alternative
text), with the document's ``<title>`` as its title (in the XMP metadata too),
``<html lang>`` as its language and an outline built from the headings. The
HTML must have both ``<title>`` and ``<html lang>``. ``pdf_structure.finish_structure``
finishes the tagging as WeasyPrint writes the file (table header scope, the
running header and page numbers as artifacts, links described in words): the
fixes for what an outside audit found short of PDF/UA-1. tests/pdf_ua.py checks
the rules of PDF/UA a program can decide; no full validator has passed the
reports, so they do not claim PDF/UA-1 in their metadata (a file must not claim
a standard it has not been shown to meet; public/accessibility.py says what is
still unchecked).

    pdf_bytes = html_to_pdf(html)

Relative URLs resolve against the project's ``static/`` folder, so report HTML
links its stylesheet as ``<link rel="stylesheet" href="portal/report.css" />``.

Report HTML is written well-formed (void elements closed with ``/>``, officers'
line breaks as ``<br />`` by the ``lines`` filter), so ``ReportHTML`` parses it
with the C XML parser instead of WeasyPrint's HTML5 parser, written in Python
(about 4% of a 100-action report's drawing); the tree, and so the PDF, is the
same byte for byte. HTML that is not well-formed goes to WeasyPrint's parser.

WeasyPrint's user-agent stylesheet styles ``::marker`` and five footnote and
note pseudo-elements on every element, so it builds six styles for each
element of a report besides its own. Reports render with that stylesheet less
those rules (``::marker`` only for list items, which alone have markers; no
report has footnotes or notes): the same PDF, byte for byte, for about 4% less
work. If a WeasyPrint upgrade changes those rules, its own stylesheet is used.
"""

import contextlib
import ctypes
import gc
import logging
import mimetypes
import multiprocessing
import os
import re
import resource
import signal
import struct
import sys
import threading
import time
from importlib.resources import files
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit
from urllib.request import url2pathname

import cssselect2
import defusedxml.ElementTree as DefusedElementTree
import weasyprint
import weasyprint.css
from defusedxml import DefusedXmlException
from django.conf import settings
from weasyprint.logger import PROGRESS_LOGGER
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .pdf_structure import finish_structure

# Tagged PDF 1.7, without WeasyPrint's "pdf/ua-1" variant: that variant writes the
# PDF/UA-1 claim (pdfuaid:part) into the metadata, which no validator has passed the
# reports against. finish_structure writes the metadata (dc:title) without the claim.
PDF_OPTIONS = {"pdf_tags": True, "pdf_version": "1.7"}
DEFAULT_TIMEOUT = 120
DEFAULT_MAX_MB = 1500

_OK = b"\x00"
_ERROR = b"\x01"
_TOO_LARGE = b"\x02"
# After _OK, before the PDF: what the render cost its child (Drawn's cpu_seconds, peak_mb and
# address_space_mb, this one -1 where unknown).
_COST = struct.Struct("!ddd")

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class ReportRenderError(Exception):
    """The PDF could not be made."""


class ReportRenderTimeout(ReportRenderError):
    """The PDF took longer than the time limit, so its render was stopped."""


class ReportTooLarge(ReportRenderError):
    """The render needed more memory than ``REPORT_RENDER_MAX_MB`` allows, so it was stopped."""


class Drawn(NamedTuple):
    """A document drawn by a render child: its PDF, and what drawing it cost that child."""

    pdf: bytes
    cpu_seconds: float  # the child's CPU time for the drawing alone, not for its own start
    peak_mb: float  # the child's peak resident memory, the fork server's pages it uses included
    # Its peak address space (Linux; else None): what REPORT_RENDER_MAX_MB limits.
    address_space_mb: float | None


class RefusedURL(ValueError):
    """The fetcher will not fetch this URL (raised so WeasyPrint skips the resource)."""


def static_dir():
    """The project's ``static/`` folder, which relative URLs in report HTML resolve against."""
    return Path(settings.BASE_DIR) / "static"


def static_roots():
    """Resolved directories whose files a report may use: STATICFILES_DIRS and STATIC_ROOT."""
    roots = []
    for entry in getattr(settings, "STATICFILES_DIRS", ()):
        # An entry is either a path or a (prefix, path) pair.
        path = entry[1] if isinstance(entry, list | tuple) else entry
        roots.append(Path(path).resolve())
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


class StaticOnlyFetcher(URLFetcher):
    """Fetch ``data:`` URLs and files inside the static directories; refuse everything else.

    A ``file:`` URL is turned into a path and resolved (``..`` and symlinks
    followed) before it is checked, so neither can lead outside the static
    directories. ``http``, ``https``, ``ftp`` and every other scheme, any file
    elsewhere and any file URL naming another host are refused with
    ``RefusedURL``. Redirects are never followed (only ``data:`` goes through
    urllib at all).
    """

    def __init__(self, roots=None, **kwargs):
        # ``roots``: the static directories, given by a caller without Django settings (the
        # render child); else read from the settings at each fetch.
        self.roots = None if roots is None else tuple(Path(root) for root in roots)
        kwargs.update(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=False)
        super().__init__(**kwargs)

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self.static_path(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
            )
        raise RefusedURL(f"Reports may only use static files and data: URLs, not {url[:200]}")

    def static_path(self, url):
        """The resolved path of a ``file:`` URL inside a static directory; else ``RefusedURL``."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"Refused a file URL on another host: {url[:200]}")
        if not parts.path.startswith("/"):
            # urljoin("file:///a/static/", "../../../x") gives "file:x", relative to the cwd.
            raise RefusedURL(f"Refused a file URL with a relative path: {url[:200]}")
        try:
            path = Path(url2pathname(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError, ValueError) as exc:
            raise RefusedURL(f"No such static file: {url[:200]}") from exc
        roots = static_roots() if self.roots is None else self.roots
        if not any(path.is_relative_to(root) for root in roots):
            raise RefusedURL(f"Refused a file outside the static directories: {url[:200]}")
        if not path.is_file():
            raise RefusedURL(f"Not a static file: {url[:200]}")
        return path


FETCHER = StaticOnlyFetcher()

# The user-agent rules that give every element a style for a pseudo-element no report has.
_UNUSED_PSEUDO_RULES = re.compile(
    r"^::(footnote-call|footnote-marker|note-call|note-marker|note-callback) \{[^}]*\}\n",
    re.MULTILINE,
)


def report_ua_stylesheet():
    """WeasyPrint's user-agent stylesheet less its rules for pseudo-elements reports never have.

    ``None`` when WeasyPrint's stylesheet no longer has those rules as expected.
    """
    text = (files(weasyprint.css) / "html5_ua.css").read_text("utf-8")
    text, removed = _UNUSED_PSEUDO_RULES.subn("", text)
    if removed != 5 or text.count("\n::marker {") != 1:
        return None
    return weasyprint.CSS(string=text.replace("\n::marker {", "\nli::marker {"))


# Parsed once, on import (in the fork server, before it forks the render children).
REPORT_UA_STYLESHEET = report_ua_stylesheet()


SVG_NAMESPACE = "http://www.w3.org/2000/svg"
_XMLNS = "{http://www.w3.org/2000/xmlns/}xmlns"


def well_formed_root(html):
    """The root of ``html`` as the C XML parser reads it, or ``None`` where it cannot.

    ``None`` when ``html`` is not well-formed XML (an HTML void element not closed with
    ``/>``, an HTML named entity) or its root is not a plain ``<html>``. For a report's
    HTML the tree is the one WeasyPrint's HTML5 parser builds, HTML elements without a
    namespace and ``<svg>`` in SVG's, down to the ``xmlns`` attribute that parser keeps on
    each ``<svg>`` (tests/progress/test_pdf.py compares the PDFs byte for byte).
    """
    try:
        # defusedxml refuses entity declarations (officers' text is escaped, so a report
        # holds none) and never fetches anything; <!DOCTYPE html> itself is allowed.
        root = DefusedElementTree.fromstring(html, forbid_dtd=False)
    except (DefusedElementTree.ParseError, DefusedXmlException):
        return None
    if root.tag != "html":
        return None
    for svg in root.iter(f"{{{SVG_NAMESPACE}}}svg"):
        svg.set(_XMLNS, SVG_NAMESPACE)
    return root


class ReportHTML(weasyprint.HTML):
    """A report's HTML, styled with ``REPORT_UA_STYLESHEET`` as its user-agent stylesheet.

    Parsed by the C XML parser where it is well-formed (``well_formed_root``), as every
    report's HTML is: WeasyPrint's own parser, an HTML5 parser written in Python, took
    about 4% of a report's drawing. Anything else (a draft stored before reports were
    written well-formed) goes to WeasyPrint's parser.
    """

    def __init__(self, *, string, base_url, url_fetcher):
        root = well_formed_root(string)
        if root is None:
            super().__init__(string=string, base_url=base_url, url_fetcher=url_fetcher)
            return
        # What weasyprint.HTML.__init__ sets, from the tree parsed above (reports have no
        # <base href>, so the base URL is the one given).
        self.base_url = base_url
        self.url_fetcher = url_fetcher
        self.media_type = "print"
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
        self.etree_element = self.wrapper_element.etree_element

    def _ua_stylesheets(self, forms=False):
        if REPORT_UA_STYLESHEET is None or forms:
            return super()._ua_stylesheets(forms)
        return [REPORT_UA_STYLESHEET]


def render_pdf(html, *, base_url=None, url_fetcher=None):
    """Render in this process, with no time or memory limit (``html_to_pdf`` calls it in a child).

    Without ``base_url`` and ``url_fetcher`` it reads the static directories from the settings.
    """
    return ReportHTML(
        string=html,
        base_url=base_url or static_dir().as_uri() + "/",
        url_fetcher=url_fetcher or FETCHER,
    ).write_pdf(finisher=finish_structure, **PDF_OPTIONS)


# A small document with what every report has (the report stylesheet, the running title and
# page numbers, a contents link with its page, headings, lists, a definition list, a table
# with header cells, status tags, a chart with text, tags and an outline): rendered once
# by warm_up.
_WARM_UP_HTML = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8" />
<title>Warm-up: progress report</title>{stylesheet}</head><body>
<div class="running-title">Warm-up progress report</div>
<section class="cover"><h1>Warm-up: progress report</h1><p class="subtitle">Plan</p>
<dl><dt>Period</dt><dd>1 October 2025 to 31 March 2026</dd></dl></section>
<nav class="contents" aria-labelledby="contents-heading"><h2 id="contents-heading">Contents</h2>
<ol><li><a href="#summary">Summary</a></li></ol></nav>
<section id="summary"><h2>Summary</h2><h3 id="better">Is it getting better?</h3>
<ul><li><strong>2 of 10 actions</strong> are overdue – families’ “views”, <em>60%</em>.</li></ul>
<dl class="run-in"><dt>Lead</dt><dd>Council</dd></dl>
<table class="actions-table"><caption>Actions for finding 1</caption><thead><tr>
<th scope="col" class="w-10">Ref</th><th scope="col" class="w-60">Action</th>
<th scope="col" class="w-30 num">Delivery</th></tr></thead><tbody>
<tr class="action-row"><th scope="row">1.1</th><td><h4 id="action-1-1">Plan</h4></td>
<td class="status"><span class="tag">On track</span></td></tr>
<tr class="action-detail"><td colspan="3"><p class="meta">Update, 31 March 2026</p>
<p>Work 1,234 (12.5%) done; see <a href="#better">above</a>.</p></td></tr></tbody></table>
<section class="measure"><h3 id="measure-1">Measure 1</h3><div class="measure-body">
<div class="measure-chart"><figure><svg xmlns="http://www.w3.org/2000/svg"
 viewBox="0 0 640 300" width="100%" role="img" aria-labelledby="warm-title"
 font-family="Arial, sans-serif" font-size="14" fill="#0b0c0c"><title id="warm-title">Rose
 from 40% to 63%</title><rect width="640" height="300" fill="#ffffff"/><line x1="40" y1="256"
 x2="526" y2="256" stroke="#b1b4b6" stroke-width="1" stroke-dasharray="8 4"/><text x="32"
 y="256" dy="0.35em" text-anchor="end" font-size="12">0%</text><path d="M54 143 L73.9 140.2"
 fill="none" stroke="#1d70b8" stroke-width="3"/><circle cx="54" cy="143" r="4.5"
 fill="#1d70b8"/></svg><figcaption>Measure 1</figcaption></figure></div>
<div class="measure-data"><table><thead><tr><th scope="col">Month</th>
<th scope="col" class="num">Value</th></tr></thead><tbody><tr><th scope="row">Jan 2026</th>
<td class="num">63.0%</td></tr></tbody></table></div></div></section>
</section></body></html>"""


def warm_up():
    """Render ``_WARM_UP_HTML`` once in this process, so its renders do less first-time work.

    A process's first render does set-up its later renders do not (cffi parses C types,
    fontconfig loads its configuration in a thread Pango starts, Python fills caches).
    Every render child is a fresh fork of the fork server, so done there (only
    ``progress.pdf_server`` calls this), it is done once instead of in every child: a
    100-action report's child spends about 0.05 s less CPU time. Waits until the process
    is single-threaded again, so the children are forked from a single-threaded process.
    True if the document rendered; never raises: the fork server must start whatever
    happens here.
    """
    stylesheet = _project_static() / "portal" / "report.css"
    link = '<link rel="stylesheet" href="portal/report.css" />' if stylesheet.is_file() else ""
    level = PROGRESS_LOGGER.level
    PROGRESS_LOGGER.setLevel(logging.WARNING)
    try:
        render_pdf(
            _WARM_UP_HTML.format(stylesheet=link),
            base_url=_project_static().as_uri() + "/",
            url_fetcher=StaticOnlyFetcher([_project_static()]),
        )
        done = True
    except Exception:  # the renders themselves will report any real fault
        done = False
    finally:
        PROGRESS_LOGGER.setLevel(level)
        gc.collect()
    _wait_until_single_threaded()
    return done


def _project_static():
    """The project's ``static/`` folder found from this file, for a process without Django."""
    return Path(__file__).resolve().parent.parent / "static"


def _thread_count():
    """This process's operating-system threads (Linux), else None."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return None


def _wait_until_single_threaded(timeout=2.0):
    """Wait, at most ``timeout`` seconds, until this process runs one thread (Linux)."""
    deadline = time.monotonic() + timeout
    while (_thread_count() or 1) > 1 and time.monotonic() < deadline:
        time.sleep(0.01)


def _render_context():
    """A fork server with this module preloaded and warmed up, or else a fresh interpreter."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # Only read when the fork server starts, once per process. The fork server imports
        # progress.pdf_server, which imports this module and calls warm_up (in no other
        # process: a web process that imports this module renders nothing on import).
        context.set_forkserver_preload([f"{__package__}.pdf_server"])
        return context
    return multiprocessing.get_context("spawn")


def _die_with_parent():
    """Linux: have the kernel kill this process when its parent goes (best effort elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent went before the signal was asked for
        os._exit(1)


def _watch(alive):
    """Wait on the pipe whose only writer is the process that asked for the PDF; end with it."""
    with contextlib.suppress(EOFError, OSError):
        alive.recv_bytes()
    os._exit(1)


def _cap_memory(max_mb):
    """Limit this process's address space to ``max_mb`` megabytes (none when 0)."""
    if not max_mb:
        return
    limit = int(max_mb * 1024 * 1024)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def settle_for_one_render():
    """Set a render child's process up as it renders (bench/instructions.py does the same)."""
    # WeasyPrint logs each of its seven steps at INFO; keep refused fetches and errors only.
    PROGRESS_LOGGER.setLevel(logging.WARNING)
    # The child lives for one render and WeasyPrint's garbage is freed by reference counting:
    # without the cyclic collector a render is 7-13% faster and its peak memory the same.
    gc.disable()


def _child(render, html, base_url, roots, max_mb, conn, alive):
    """Render and send the PDF (or the error) back through ``conn``; runs in the render child."""
    _die_with_parent()
    threading.Thread(target=_watch, args=(alive,), daemon=True).start()
    _cap_memory(max_mb)
    settle_for_one_render()
    try:
        started = time.process_time()
        pdf = render(html, base_url=base_url, url_fetcher=StaticOnlyFetcher(roots))
        cost = _COST.pack(time.process_time() - started, _peak_mb(), _peak_address_space_mb())
        message = _OK + cost + pdf
    except MemoryError:
        message = _TOO_LARGE
    except BaseException as exc:  # everything goes back to the parent as a ReportRenderError
        message = _ERROR + f"{type(exc).__name__}: {exc}".encode("utf-8", "replace")
    try:
        conn.send_bytes(message)
    finally:
        conn.close()


def _peak_mb():
    """This process's peak resident memory in megabytes (Linux counts it in KiB, macOS in bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def _peak_address_space_mb():
    """This process's peak address space in megabytes (Linux: VmPeak), else -1."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) / 1024  # in kB
    except (OSError, ValueError, IndexError):
        pass
    return -1.0


def _ended(process, max_mb):
    """Why the render child ended without an answer, for the officer."""
    code = process.exitcode
    if code is None or code >= 0:
        return f"The report could not be made: its render process ended (exit code {code})."
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = f"signal {-code}"
    # Out of memory, the C libraries under WeasyPrint abort (GLib: SIGTRAP) or crash.
    hint = f"; it may have been too large to draw in {max_mb:g} MB" if max_mb else ""
    return f"The report could not be made: its render process was stopped ({name}){hint}."


def html_to_pdf(html, *, timeout=None, max_mb=None):
    """The PDF of ``html`` as bytes, rendered in a child process stopped after ``timeout`` seconds.

    Raises ``ReportRenderTimeout`` when the time runs out (the child is
    killed and reaped first), ``ReportTooLarge`` when the render needs more
    than ``max_mb`` megabytes (``settings.REPORT_RENDER_MAX_MB``) and
    ``ReportRenderError`` for any other failure.
    """
    return html_to_pdfs([html], timeout=timeout, max_mb=max_mb)[0]


def html_to_pdfs(htmls, *, timeout=None, max_mb=None):
    """The PDFs of several documents, in order, each rendered in its own child at the same time.

    As ``html_to_pdf`` for each, but the renders run side by side (on a machine with a core
    for each, two reports take the time of one), all within the one ``timeout``; each child
    has its own ``max_mb``, so together they may use that many times it. Meant for a few
    documents, such as a report's draft and published PDFs: where there are fewer free
    cores than documents, each render takes longer than it would alone. The first failure,
    in the order given, is raised, once every child has been stopped and reaped.
    """
    return [drawn.pdf for drawn in draw_pdfs(htmls, timeout=timeout, max_mb=max_mb)]


def draw_pdfs(htmls, *, timeout=None, max_mb=None):
    """As ``html_to_pdfs``, each PDF as a ``Drawn`` with what drawing it cost its child.

    Logs each at INFO ("Report PDF drawn", with ``cpu_seconds``, ``peak_mb``,
    ``address_space_mb``, ``pdf_bytes`` and the ``wall_seconds`` of the whole
    call): what reports cost the worker, and how near they come to
    ``REPORT_RENDER_MAX_MB`` (a limit on address space, not on resident memory).
    """
    if timeout is None:
        timeout = getattr(settings, "REPORT_RENDER_TIMEOUT", DEFAULT_TIMEOUT)
    if max_mb is None:
        max_mb = getattr(settings, "REPORT_RENDER_MAX_MB", DEFAULT_MAX_MB)
    started = time.monotonic()
    # render_pdf is looked up now, so a test may swap it for another importable function.
    drawn = _render_in_children(render_pdf, list(htmls), timeout=timeout, max_mb=max_mb)
    wall = time.monotonic() - started
    for each in drawn:
        log.info(
            "Report PDF drawn",
            extra={
                "cpu_seconds": round(each.cpu_seconds, 3),
                "peak_mb": round(each.peak_mb, 1),
                "address_space_mb": (
                    None if each.address_space_mb is None else round(each.address_space_mb, 1)
                ),
                "pdf_bytes": len(each.pdf),
                "wall_seconds": round(wall, 3),
                "side_by_side": len(drawn),
            },
        )
    return drawn


def _nothing(html, **options):
    return b""


def start_render_server(timeout=60):
    """Start the fork server now (it imports WeasyPrint and warms it up, about 1.3 s) and wait.

    The task worker calls it before anything else, while it runs no other threads; otherwise
    the first report starts it.
    """
    _render_in_children(_nothing, [""], timeout=timeout, max_mb=0)


def _render_in_children(render, htmls, *, timeout, max_mb):
    context = _render_context()
    base_url = static_dir().as_uri() + "/"
    roots = [str(root) for root in static_roots()]
    deadline = time.monotonic() + timeout
    jobs = []  # (process, reader, writer, watched, alive) for each document
    try:
        for html in htmls:
            reader, writer = context.Pipe(duplex=False)  # the PDF, child to parent
            watched, alive = context.Pipe(duplex=False)  # never written: closes when we end
            process = context.Process(
                target=_child,
                args=(render, html, base_url, roots, max_mb, writer, watched),
                daemon=True,
            )
            jobs.append((process, reader, writer, watched, alive))
            process.start()
            # The child holds the only writer of the result, so its death ends that pipe.
            writer.close()
            watched.close()
        messages = [
            _answer(process, reader, deadline, timeout, max_mb) for process, reader, *_ in jobs
        ]
    finally:
        for process, *ends in jobs:
            for end in ends:
                end.close()
            if process.pid is not None:
                if process.is_alive():
                    process.kill()
                process.join()
                process.close()
    return [_drawn_of(message, max_mb) for message in messages]


def _answer(process, reader, deadline, timeout, max_mb):
    """What one render child sent back, once it has ended; raises if it sent nothing in time."""
    if not reader.poll(max(0.0, deadline - time.monotonic())):
        raise ReportRenderTimeout(
            f"The report took longer than {timeout:g} seconds to make, so it was stopped."
        )
    try:
        message = reader.recv_bytes()
    except EOFError:
        process.join(5)
        raise ReportRenderError(_ended(process, max_mb)) from None
    process.join(5)  # it has sent everything and is exiting
    return message


def _drawn_of(message, max_mb):
    if message[:1] == _OK:
        cpu_seconds, peak_mb, address_space_mb = _COST.unpack_from(message, 1)
        return Drawn(
            message[1 + _COST.size :],
            cpu_seconds,
            peak_mb,
            None if address_space_mb < 0 else address_space_mb,
        )
    if message[:1] == _TOO_LARGE:
        raise ReportTooLarge(
            f"The report was too large to draw: it needed more than {max_mb:g} MB of memory. "
            "Try a shorter period."
        )
    raise ReportRenderError(
        "The report could not be made: " + message[1:].decode("utf-8", "replace")
    )
