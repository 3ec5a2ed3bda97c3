"""Evidence files and report PDFs, read back from storage to be sent by the portal's own pages.

The files live in Django's default storage: a folder under MEDIA_ROOT, or a
private bucket of S3-compatible object storage (FILE_STORAGE; see
docs/deploy.md, "Files"). No page links to the storage itself: every download
is a page of the portal, which first checks who may see the file and then
reads it from storage through these functions.

A report's PDF is stored with the SHA-256 of the bytes the renderer made
(``ProgressReport.sha256``). ``open_report_pdf`` reads the stored file once,
in blocks, hashing as it goes, then rewinds that same open file to be sent: a
large file is never held in memory whole, and from object storage what is sent
is the very copy that was checked. A file that is missing or whose bytes differ
is refused (``StoredFileUnavailable``), logged as an error, and the reader is
shown a page that says so (``unavailable_response``).

The worker also stores the report as it will be published (``prepared_pdf``, with
``prepared_sha256``); publishing checks it the same way (``open_prepared_pdf``)
before making it the report's PDF.
"""

import hashlib
import logging

from django.conf import settings
from django.http import FileResponse
from django.shortcuts import render

logger = logging.getLogger("progress.files")

BLOCK = 64 * 1024


class StoredFileUnavailable(Exception):
    """A stored file that cannot be sent: it is missing, or not the bytes its record names."""


class StoredFileMissing(StoredFileUnavailable):
    pass


class StoredFileChanged(StoredFileUnavailable):
    pass


def sha256_of(stored):
    """The SHA-256 of an open file, read from its start in blocks."""
    digest = hashlib.sha256()
    for block in stored.chunks(BLOCK):
        digest.update(block)
    return digest.hexdigest()


def open_stored(field_file):
    """The stored file behind a FileField's value, open for reading."""
    if not field_file:
        raise StoredFileMissing("no file is recorded")
    try:
        return field_file.storage.open(field_file.name, "rb")
    except FileNotFoundError as error:
        raise StoredFileMissing(f"{field_file.name} is not in storage") from error


def open_report_pdf(report):
    """The report's stored PDF, open at its start, once its bytes match ``report.sha256``."""
    return _open_checked(report, report.pdf, report.sha256, what="PDF")


def open_prepared_pdf(report):
    """The report as it will be published, drawn with its draft (``prepared_pdf``), open at
    its start, once its bytes match ``report.prepared_sha256``."""
    return _open_checked(report, report.prepared_pdf, report.prepared_sha256, what="published PDF")


def _open_checked(report, field_file, sha256, *, what):
    try:
        stored = open_stored(field_file)
    except StoredFileMissing:
        logger.error(
            "Report %s: its %s %r is missing from storage",
            report.pk,
            what,
            field_file.name,
            extra={"report": report.pk},
        )
        raise
    try:
        found = sha256_of(stored)
        if found != sha256:
            logger.error(
                "Report %s: the stored %s %r does not match its record "
                "(SHA-256 recorded %s, found %s); it was refused",
                report.pk,
                what,
                field_file.name,
                sha256 or "none",
                found,
                extra={"report": report.pk},
            )
            raise StoredFileChanged(f"{field_file.name} does not match its SHA-256")
        stored.seek(0)
    except BaseException:
        stored.close()
        raise
    return stored


def open_evidence(evidence):
    """An evidence file, open for reading."""
    try:
        return open_stored(evidence.file)
    except StoredFileMissing:
        logger.error(
            "Evidence %s: its file %r is missing from storage",
            evidence.pk,
            evidence.file.name,
            extra={"evidence": evidence.pk},
        )
        raise


def download(stored, *, filename, content_type, private=True):
    """Send an open stored file as a download, never shown in the browser.

    A private file (the board's) is never kept by the browser or a proxy either.
    """
    response = FileResponse(
        stored, as_attachment=True, filename=filename, content_type=content_type
    )
    if private:
        response["Cache-Control"] = "private, no-store"
    return response


def unavailable_response(request, *, what, problem):
    """The page shown instead of a stored file that cannot be sent: a server fault, logged above."""
    changed = isinstance(problem, StoredFileChanged)
    return render(
        request,
        "progress/file_unavailable.html",
        {
            "what": what,
            "changed": changed,
            "contact_email": settings.PORTAL_CONTACT_EMAIL,
            "portal_operator": settings.PORTAL_OPERATOR,
        },
        status=500,
    )
