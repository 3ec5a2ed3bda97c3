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

The child is never forked from the calling process, which may run other
threads (a fork there can deadlock the child on a lock another thread held).
It comes from a *fork server*: a fresh, single-threaded Python started once
per process, with WeasyPrint already imported (a cold import costs about
0.9 s), that forks each render child; where there is no fork server, a fresh
interpreter is spawned. The child:

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
links its stylesheet as ``<link rel="stylesheet" href="portal/report.css">``.

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
import sys
import threading
import time
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
import weasyprint.css
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

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class ReportRenderError(Exception):
    """The PDF could not be made."""


class ReportRenderTimeout(ReportRenderError):
    """The PDF took longer than the time limit, so its render was stopped."""


class ReportTooLarge(ReportRenderError):
    """The render needed more memory than ``REPORT_RENDER_MAX_MB`` allows, so it was stopped."""


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


class ReportHTML(weasyprint.HTML):
    """A report's HTML, styled with ``REPORT_UA_STYLESHEET`` as its user-agent stylesheet."""

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


def _render_context():
    """A fork server with this module preloaded, or where there is none, a fresh interpreter."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # Only read when the fork server starts, once per process.
        context.set_forkserver_preload([__name__])
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


def _child(render, html, base_url, roots, max_mb, conn, alive):
    """Render and send the PDF (or the error) back through ``conn``; runs in the render child."""
    _die_with_parent()
    threading.Thread(target=_watch, args=(alive,), daemon=True).start()
    _cap_memory(max_mb)
    # WeasyPrint logs each of its seven steps at INFO; keep refused fetches and errors only.
    PROGRESS_LOGGER.setLevel(logging.WARNING)
    # The child lives for one render and WeasyPrint's garbage is freed by reference counting:
    # without the cyclic collector a render is 7-13% faster and its peak memory the same.
    gc.disable()
    try:
        message = _OK + render(html, base_url=base_url, url_fetcher=StaticOnlyFetcher(roots))
    except MemoryError:
        message = _TOO_LARGE
    except BaseException as exc:  # everything goes back to the parent as a ReportRenderError
        message = _ERROR + f"{type(exc).__name__}: {exc}".encode("utf-8", "replace")
    try:
        conn.send_bytes(message)
    finally:
        conn.close()


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
    if timeout is None:
        timeout = getattr(settings, "REPORT_RENDER_TIMEOUT", DEFAULT_TIMEOUT)
    if max_mb is None:
        max_mb = getattr(settings, "REPORT_RENDER_MAX_MB", DEFAULT_MAX_MB)
    # render_pdf is looked up now, so a test may swap it for another importable function.
    return _render_in_child(render_pdf, html, timeout=timeout, max_mb=max_mb)


def _nothing(html, **options):
    return b""


def start_render_server(timeout=60):
    """Start the fork server now (it imports WeasyPrint, about a second) and wait until it is up.

    The task worker calls it before anything else, while it runs no other threads; otherwise
    the first report starts it.
    """
    _render_in_child(_nothing, "", timeout=timeout, max_mb=0)


def _render_in_child(render, html, *, timeout, max_mb):
    context = _render_context()
    reader, writer = context.Pipe(duplex=False)  # the PDF, child to parent
    watched, alive = context.Pipe(duplex=False)  # never written: closes when this process ends
    base_url = static_dir().as_uri() + "/"
    roots = [str(root) for root in static_roots()]
    process = context.Process(
        target=_child,
        args=(render, html, base_url, roots, max_mb, writer, watched),
        daemon=True,
    )
    deadline = time.monotonic() + timeout
    try:
        process.start()
        # The child holds the only writer of the result, so its death ends that pipe.
        writer.close()
        watched.close()
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
    finally:
        for end in (reader, writer, watched, alive):
            end.close()
        if process.pid is not None:
            if process.is_alive():
                process.kill()
            process.join()
            process.close()
    if message[:1] == _OK:
        return message[1:]
    if message[:1] == _TOO_LARGE:
        raise ReportTooLarge(
            f"The report was too large to draw: it needed more than {max_mb:g} MB of memory. "
            "Try a shorter period."
        )
    raise ReportRenderError(
        "The report could not be made: " + message[1:].decode("utf-8", "replace")
    )
