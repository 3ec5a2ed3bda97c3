"""Turn report HTML into an accessible PDF with WeasyPrint, safely and within a time limit.

WeasyPrint's own URL fetcher follows any URL it meets: it will request
``http://127.0.0.1:…`` from the server's network and embed ``file:///etc/passwd``
through ``<link rel="attachment">``. Report HTML carries text that officers
typed, so every render here goes through ``StaticOnlyFetcher``, which serves
only ``data:`` URLs and files that really live in the project's static
directories, and refuses everything else. A refused fetch raises; WeasyPrint
logs it and carries on without the resource, so nothing is requested or
embedded.

``html_to_pdf`` renders in a forked child process, so a document that takes
too long can be stopped: after ``timeout`` seconds
(``settings.REPORT_RENDER_TIMEOUT``, else 120) the child is killed and
``ReportRenderTimeout`` is raised. Anything that goes wrong in the child comes
back as ``ReportRenderError``. WeasyPrint is imported here, in the parent, so
the fork starts with it loaded (a cold import costs about 0.9 s).

The PDF is PDF/UA-1: tagged, with the document's ``<title>`` as its title,
``<html lang>`` as its language and an outline built from the headings. The
HTML must have both ``<title>`` and ``<html lang>``.

    pdf_bytes = html_to_pdf(html)

Relative URLs resolve against the project's ``static/`` folder, so report HTML
links its stylesheet as ``<link rel="stylesheet" href="portal/report.css">``.

Forking a process that runs other threads can deadlock the child if one of
them held a lock (Python warns about it); render from a worker process or a
request thread of a server whose other threads hold no locks WeasyPrint needs.
"""

import gc
import logging
import mimetypes
import multiprocessing
import time
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from django.conf import settings
from weasyprint.logger import PROGRESS_LOGGER
from weasyprint.urls import URLFetcher, URLFetcherResponse

PDF_VARIANT = "pdf/ua-1"
DEFAULT_TIMEOUT = 120

_OK = b"\x00"
_ERROR = b"\x01"


class ReportRenderError(Exception):
    """The PDF could not be made."""


class ReportRenderTimeout(ReportRenderError):
    """The PDF took longer than the time limit, so its render was stopped."""


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

    def __init__(self, **kwargs):
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

    @staticmethod
    def static_path(url):
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
        if not any(path.is_relative_to(root) for root in static_roots()):
            raise RefusedURL(f"Refused a file outside the static directories: {url[:200]}")
        if not path.is_file():
            raise RefusedURL(f"Not a static file: {url[:200]}")
        return path


FETCHER = StaticOnlyFetcher()


def render_pdf(html):
    """Render in this process, with no time limit (``html_to_pdf`` calls it in a child)."""
    return weasyprint.HTML(
        string=html, base_url=static_dir().as_uri() + "/", url_fetcher=FETCHER
    ).write_pdf(pdf_variant=PDF_VARIANT)


def _child(html, conn):
    """Render and send the PDF (or the error) back through ``conn``; runs in the forked child."""
    # WeasyPrint logs each of its seven steps at INFO; keep refused fetches and errors only.
    PROGRESS_LOGGER.setLevel(logging.WARNING)
    # The child lives for one render and WeasyPrint's garbage is freed by reference counting:
    # without the cyclic collector a render is 7-13% faster and its peak memory the same.
    gc.disable()
    try:
        message = _OK + render_pdf(html)
    except BaseException as exc:  # everything goes back to the parent as a ReportRenderError
        message = _ERROR + f"{type(exc).__name__}: {exc}".encode("utf-8", "replace")
    try:
        conn.send_bytes(message)
    finally:
        conn.close()


def html_to_pdf(html, *, timeout=None):
    """The PDF of ``html`` as bytes, rendered in a child process stopped after ``timeout`` seconds.

    Raises ``ReportRenderTimeout`` when the time runs out (the child is
    killed and reaped first) and ``ReportRenderError`` for any other failure.
    """
    if timeout is None:
        timeout = getattr(settings, "REPORT_RENDER_TIMEOUT", DEFAULT_TIMEOUT)
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(html, writer))
    deadline = time.monotonic() + timeout
    try:
        process.start()
        writer.close()  # the child holds the only writer, so its death ends the pipe
        if not reader.poll(max(0.0, deadline - time.monotonic())):
            raise ReportRenderTimeout(
                f"The report took longer than {timeout:g} seconds to make, so it was stopped."
            )
        try:
            message = reader.recv_bytes()
        except EOFError:
            process.join(5)
            raise ReportRenderError(
                f"The report could not be made: its render process ended (exit code {process.exitcode})."
            ) from None
        process.join(5)  # it has sent everything and is exiting
    finally:
        reader.close()
        writer.close()
        if process.is_alive():
            process.kill()
        if process.pid is not None:
            process.join()
            process.close()
    if message[:1] == _OK:
        return message[1:]
    raise ReportRenderError(
        "The report could not be made: " + message[1:].decode("utf-8", "replace")
    )
