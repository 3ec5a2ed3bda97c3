"""What evidence files the portal accepts, judged by their content, not their name.

Accepted: PDF, PNG, JPEG, Word, Excel and PowerPoint (the modern zip-based
formats), CSV and plain text. Office files are zip archives, so the zip is
checked before anything else reads it (a small file can unpack to
gigabytes), and then refused if it holds anything that runs or fetches
content when opened: macros, embedded objects, an attached template or links
to content elsewhere (all in kit/zipsafety.py, shared with the plan import).
"""

from dataclasses import dataclass

from django.conf import settings

from kit import zipsafety

MAX_ZIP_MEMBERS = 2000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
LIMITS = zipsafety.Limits(max_members=MAX_ZIP_MEMBERS, max_unpacked_bytes=MAX_UNPACKED_BYTES)
ALLOWED_DESCRIPTION = "a PDF, Word, Excel, PowerPoint, CSV, text, PNG or JPEG file"

OFFICE_TYPES = {
    "word/": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xl/": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ppt/": ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}


class EvidenceProblem(ValueError):
    """Why a file cannot be accepted, in words for the person uploading it."""


@dataclass(frozen=True)
class CheckedFile:
    extension: str
    content_type: str


def check_evidence_file(upload):
    """Return the file's real type, or raise EvidenceProblem saying what is wrong."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size == 0:
        raise EvidenceProblem("The selected file is empty")
    if upload.size > limit:
        raise EvidenceProblem(f"The selected file must be smaller than {limit // (1024 * 1024)} MB")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return CheckedFile("pdf", "application/pdf")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return CheckedFile("png", "image/png")
    if head.startswith(b"\xff\xd8\xff"):
        return CheckedFile("jpg", "image/jpeg")
    if head.startswith(b"PK\x03\x04"):
        return _check_office(upload)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise EvidenceProblem(
            "The selected file is in an old Office format. Save it as .docx, .xlsx or .pptx, "
            "or as a PDF, and upload that"
        )
    return _check_text(upload)


def _check_office(upload):
    """An Office file: its zip checked (kit/zipsafety.py), then what it holds."""
    try:
        archive = zipsafety.open_zip(upload, LIMITS, what="file")
        try:
            names = archive.namelist()
            if "[Content_Types].xml" not in names:
                raise EvidenceProblem(f"The selected file must be {ALLOWED_DESCRIPTION}")
            zipsafety.office_problem(archive, what="file")
        finally:
            archive.close()
    except zipsafety.ZipProblem as problem:
        if problem.code == "damaged" and "could not be read" not in problem.message:
            raise EvidenceProblem(f"The selected file must be {ALLOWED_DESCRIPTION}") from None
        raise EvidenceProblem(problem.message.rstrip(".")) from None
    finally:
        upload.seek(0)
    for prefix, (extension, content_type) in OFFICE_TYPES.items():
        if any(name.startswith(prefix) for name in names):
            return CheckedFile(extension, content_type)
    raise EvidenceProblem(f"The selected file must be {ALLOWED_DESCRIPTION}")


def _check_text(upload):
    data = upload.read()
    upload.seek(0)
    if b"\x00" in data:
        raise EvidenceProblem(f"The selected file must be {ALLOWED_DESCRIPTION}")
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise EvidenceProblem(
            "The selected text file must be saved as UTF-8 (in Excel, choose CSV UTF-8)"
        ) from None
    name = (upload.name or "").lower()
    if name.endswith(".csv"):
        return CheckedFile("csv", "text/csv")
    return CheckedFile("txt", "text/plain")
