"""Opening an uploaded zip (an Office file: .docx, .xlsx, .pptx) safely, in one place.

Used by the plan spreadsheet import and by evidence uploads. Two steps:

``open_zip`` reads only the zip's directory and refuses, before any member is
unpacked: too many members, too much unpacked in all, a member with an
absurd compression ratio (zip bombs), names that climb out of a folder or
start at the root (path traversal), encrypted members, and zips inside the
zip.

``office_problem`` then looks inside an Office file for what can run or
fetch something when the file is opened: macros (``vbaProject.bin`` or a
macro content type in ``[Content_Types].xml``), embedded objects (OLE
objects, ActiveX controls, files in ``embeddings/``), a Word template
attached from elsewhere, a workbook's links to other workbooks, and any
other relationship to something outside the file except a plain hyperlink.

Each refusal is a ``ZipProblem`` with a ``code`` and a message in plain
English saying what is wrong and what to do; a caller may word its own
message for a code (the plan import speaks of workbooks).
"""

import posixpath
import zipfile
from dataclasses import dataclass

from defusedxml import ElementTree

MB = 1024 * 1024

# Archives inside the archive are refused by name: they would each need these checks again.
NESTED_ARCHIVES = (".zip", ".jar", ".gz", ".tgz", ".7z", ".rar", ".cab")
# The most a relationships part or [Content_Types].xml may unpack to before it is read.
MAX_PART_BYTES = 2 * MB
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
ATTACHED_TEMPLATE = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"
)
MACRO_CONTENT_TYPES = ("macroenabled", "vbaproject", "application/vnd.ms-office.vbaproject")

PDF_INSTEAD = "or save it as a PDF, and upload that."


class ZipProblem(ValueError):
    """Why a zip cannot be accepted: ``code`` for the program, ``message`` for the person."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_members: int
    max_unpacked_bytes: int
    max_ratio: int = 250  # for members over ``ratio_from_bytes`` unpacked
    ratio_from_bytes: int = MB


def open_zip(source, limits, *, what="file"):
    """Open ``source`` (a file object) as a zip after checking its directory; raise ZipProblem.

    Nothing is unpacked here. The caller closes the returned ZipFile.
    """
    try:
        archive = zipfile.ZipFile(source)
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise ZipProblem(
            "damaged", f"The selected {what} is damaged or is not a real {what}."
        ) from error
    try:
        check_members(members, limits, what=what)
    except ZipProblem:
        archive.close()
        raise
    return archive


def check_members(members, limits, *, what="file"):
    """The directory checks of ``open_zip`` on a zip's ``infolist()``."""
    if len(members) > limits.max_members:
        raise ZipProblem(
            "too_many_members", f"The selected {what} holds too many parts to be a normal {what}."
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked_bytes:
        raise ZipProblem(
            "too_big_unpacked",
            f"The selected {what} unpacks to more than {limits.max_unpacked_bytes // MB} MB, "
            "so it cannot be accepted.",
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > limits.ratio_from_bytes and ratio > limits.max_ratio:
            raise ZipProblem(
                "zip_bomb",
                f"The selected {what} contains a part that unpacks to an unusually large size "
                "(a 'zip bomb'), so it was not opened.",
            )
    for member in members:
        if not _safe_name(member.filename):
            raise ZipProblem(
                "unsafe_name",
                f"The selected {what} contains a part whose name points outside the {what}, "
                "so it was not opened.",
            )
        if member.flag_bits & 0x1:
            raise ZipProblem(
                "encrypted",
                f"The selected {what} is protected with a password. Remove the password, save "
                "it and upload it again.",
            )
        if member.filename.lower().endswith(NESTED_ARCHIVES):
            raise ZipProblem(
                "nested_zip",
                f"The selected {what} has another compressed file (such as a .zip) inside it. "
                f"Save a copy without it, {PDF_INSTEAD}",
            )


def _safe_name(name):
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return False
    if len(name) > 1 and name[1] == ":":  # a Windows drive, C:...
        return False
    normal = posixpath.normpath(name)
    return not (normal == ".." or normal.startswith("../"))


def read_part(archive, name, limit=MAX_PART_BYTES):
    """A small member's bytes, refusing one that claims (or turns out) to be bigger than ``limit``."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise ZipProblem("part_too_big", "The selected file has a part too big to check.")
    with archive.open(info) as part:
        data = part.read(limit + 1)
    if len(data) > limit:
        raise ZipProblem("part_too_big", "The selected file has a part too big to check.")
    return data


def office_problem(archive, *, what="file"):
    """Raise ZipProblem if the Office file in ``archive`` holds anything that runs or fetches content."""
    names = archive.namelist()
    lowered = [name.lower() for name in names]
    if any(name.endswith("vbaproject.bin") for name in lowered):
        raise ZipProblem(
            "macros",
            f"The selected {what} contains macros. Save it without macros (as .docx, .xlsx or "
            ".pptx) and upload it again.",
        )
    if "[Content_Types].xml" in names:
        content_types = read_part(archive, "[Content_Types].xml").decode("utf-8", "replace")
        if any(kind in content_types.lower() for kind in MACRO_CONTENT_TYPES):
            raise ZipProblem(
                "macro_content_type",
                f"The selected {what} is a macro-enabled file. Save it without macros (as .docx, "
                ".xlsx or .pptx) and upload it again.",
            )
    if any(
        name.startswith(("word/embeddings/", "xl/embeddings/", "ppt/embeddings/"))
        or "oleobject" in name
        or name.startswith(("word/activex/", "xl/activex/", "ppt/activex/"))
        for name in lowered
    ):
        raise ZipProblem(
            "embedded_objects",
            f"The selected {what} has other files or objects embedded in it (such as a "
            "spreadsheet, another document or a control). Save a copy without them (paste them "
            f"in as pictures or tables), {PDF_INSTEAD}",
        )
    if any(name.startswith("xl/externallinks/") for name in lowered):
        raise ZipProblem(
            "external_links",
            f"The selected {what} links to other workbooks (external links). Break the links "
            "(in Excel: Data, then Edit Links, then Break Link), save it and upload it again.",
        )
    for name in names:
        if name.lower().endswith(".rels"):
            _check_relationships(name, read_part(archive, name), what=what)


def _check_relationships(name, data, *, what):
    try:
        root = ElementTree.fromstring(data)
    except Exception as error:  # defusedxml's refusals and plain XML errors alike
        raise ZipProblem(
            "damaged", f"The selected {what} is damaged: a part of it could not be read."
        ) from error
    for relationship in root.iter():
        if not relationship.tag.endswith("Relationship"):
            continue
        kind = relationship.get("Type", "")
        external = relationship.get("TargetMode") == "External"
        if external and (kind == ATTACHED_TEMPLATE or kind.endswith("/attachedTemplate")):
            raise ZipProblem(
                "external_template",
                f"The selected {what} is attached to a template stored somewhere else. Save "
                "a copy without the linked template (in Word: Developer, then Document "
                f"Template, then clear the attached template), {PDF_INSTEAD}",
            )
        if external and kind != HYPERLINK:
            raise ZipProblem(
                "external_relationship",
                f"The selected {what} fetches content from outside itself when it is opened (a "
                "linked picture, file or data source). Save a copy with the content pasted in "
                f"instead of linked, {PDF_INSTEAD}",
            )
