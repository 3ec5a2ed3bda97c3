"""Reading an uploaded spreadsheet safely into plain rows of values.

Uploaded files are untrusted. Before anything parses them:

* the size is checked against ``IMPORT_MAX_MB``;
* the type is decided by the bytes, not the name: an XLSX is a zip with
  ``[Content_Types].xml`` and a workbook part; old binary .xls files,
  password-protected workbooks, OpenDocument and .xlsb files are refused
  with advice on how to save the file;
* a zip's member count, the sum of its members' unpacked sizes, each
  member's compression ratio, its names (path traversal), encryption and
  zips inside it are checked from its directory, before any member is
  unpacked (zip bombs), by ``kit/zipsafety.py``, shared with evidence uploads;
* macros (``vbaProject.bin`` or a macro-enabled content type), embedded
  objects, links to other workbooks (``xl/externalLinks``) and any other
  link to content outside the file except a plain hyperlink are refused.

Only then does openpyxl read the workbook, in read-only mode, through
defusedxml (no entity expansion), without loading external links, and
without evaluating anything: a formula arrives as a ``Formula`` holding
its text, so the importer can say where it is. Rows are capped
(``IMPORT_MAX_ROWS``) while reading, so tens of thousands of rows are
refused without being held in memory.

CSV files are decoded as UTF-8 (with or without a byte-order mark) or,
failing that, Windows-1252, which is what Excel in the UK writes.
"""

import csv
import datetime
import io
import logging
import re
from dataclasses import dataclass, field

from django.conf import settings

from kit import zipsafety
from kit.tabular import unescape_formula

logger = logging.getLogger(__name__)

MAX_ZIP_MEMBERS = 500
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_MEMBER_RATIO = 250
MAX_COLUMNS = 60
MAX_SHEETS = 30
# Rows are read until this many have content; blank and formatted-but-empty
# rows count towards a larger cap so a sheet styled to row 1,048,576 stops too.
MAX_SCANNED_ROWS_FACTOR = 20

SAVE_AS_XLSX = "Save it as an Excel Workbook (.xlsx) or as CSV, then upload it again."


class UnsafeFile(Exception):
    """The file cannot be imported; the message says why and what to do, in plain English."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula. It is never evaluated; only its text is kept for messages."""

    text: str

    def __str__(self):
        return self.text


@dataclass
class Sheet:
    name: str
    rows: list = field(default_factory=list)  # rows[i] is row i + 1: a list of cell values


@dataclass
class Workbook:
    kind: str  # "xlsx" or "csv"
    sheets: list
    skipped_sheets: list = field(default_factory=list)  # (name, why)


def max_rows():
    return settings.IMPORT_MAX_ROWS


def max_bytes():
    return settings.IMPORT_MAX_MB * 1024 * 1024


def read_spreadsheet(content, filename):
    """Check ``content`` (bytes) and read it into a Workbook, or raise UnsafeFile."""
    if not content:
        raise UnsafeFile("The selected file is empty.")
    if len(content) > max_bytes():
        raise UnsafeFile(f"The selected file must be smaller than {settings.IMPORT_MAX_MB} MB.")
    if content.startswith(b"PK\x03\x04") or content.startswith(b"PK\x05\x06"):
        return _read_xlsx(content)
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise UnsafeFile(
            "The selected file is an older Excel file (.xls) or a password-protected workbook. "
            "Remove any password. " + SAVE_AS_XLSX
        )
    if content.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"{\\rtf", b"MZ")):
        raise UnsafeFile("The selected file must be a spreadsheet: an XLSX or CSV file.")
    if not filename.lower().endswith((".csv", ".txt", ".tsv")):
        raise UnsafeFile("The selected file must be a spreadsheet: an XLSX or CSV file.")
    return _read_csv(content)


# --- XLSX ---------------------------------------------------------------


# The import's own words for the shared zip checks' refusals (kit/zipsafety.py).
IMPORT_MESSAGES = {
    "damaged": "The selected file is damaged or is not an Excel workbook. " + SAVE_AS_XLSX,
    "too_many_members": (
        "The selected file holds too many parts to be a normal workbook. " + SAVE_AS_XLSX
    ),
    "too_big_unpacked": (
        "The selected file unpacks to more than "
        f"{MAX_UNPACKED_BYTES // (1024 * 1024)} MB, which is far too big for an action plan. "
        "Remove other sheets, pictures and formatting, or split it."
    ),
    "encrypted": (
        "The selected file is a password-protected workbook. Remove any password. " + SAVE_AS_XLSX
    ),
    "macros": (
        "The selected file contains macros. Save it as an Excel Workbook (.xlsx), "
        "which removes them, then upload it again."
    ),
    "macro_content_type": (
        "The selected file is a macro-enabled workbook (.xlsm). Save it as an Excel "
        "Workbook (.xlsx), which removes the macros, then upload it again."
    ),
}
LIMITS = zipsafety.Limits(
    max_members=MAX_ZIP_MEMBERS,
    max_unpacked_bytes=MAX_UNPACKED_BYTES,
    max_ratio=MAX_MEMBER_RATIO,
)


def check_zip(content):
    """Refuse a zip that is not a plain workbook, before unpacking any member."""
    try:
        archive = zipsafety.open_zip(io.BytesIO(content), LIMITS, what="workbook")
    except zipsafety.ZipProblem as problem:
        raise UnsafeFile(IMPORT_MESSAGES.get(problem.code, problem.message)) from problem
    with archive:
        names = set(archive.namelist())
        if "mimetype" in names and "content.xml" in names:
            raise UnsafeFile(
                "The selected file is an OpenDocument spreadsheet (.ods). " + SAVE_AS_XLSX
            )
        if "[Content_Types].xml" not in names:
            raise UnsafeFile(
                "The selected file is a zip file, not an Excel workbook. " + SAVE_AS_XLSX
            )
        try:
            zipsafety.office_problem(archive, what="workbook")
        except zipsafety.ZipProblem as problem:
            raise UnsafeFile(IMPORT_MESSAGES.get(problem.code, problem.message)) from problem
    if "xl/workbook.bin" in names:
        raise UnsafeFile("The selected file is a binary Excel workbook (.xlsb). " + SAVE_AS_XLSX)
    if "xl/workbook.xml" not in names:
        raise UnsafeFile(
            "The selected file is an Office document, but not an Excel workbook. " + SAVE_AS_XLSX
        )


def _read_xlsx(content):
    check_zip(content)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds on damaged or hostile files
        logger.info("Workbook could not be read: %r", error)
        raise UnsafeFile(
            "The selected file could not be read as an Excel workbook. Open it in your "
            "spreadsheet program, check it opens, then save it as .xlsx and upload it again."
        ) from error
    try:
        if len(book.worksheets) > MAX_SHEETS:
            raise UnsafeFile(
                f"The selected file has more than {MAX_SHEETS} sheets. Copy the action plan "
                "into a workbook of its own and upload that."
            )
        result = Workbook(kind="xlsx", sheets=[])
        budget = _RowBudget()
        for worksheet in book.worksheets:
            if getattr(worksheet, "sheet_state", "visible") != "visible":
                result.skipped_sheets.append((worksheet.title, "it is hidden"))
                continue
            try:
                rows = _sheet_rows(worksheet, budget)
            except UnsafeFile:
                raise
            except Exception as error:
                logger.info("Sheet %r could not be read: %r", worksheet.title, error)
                raise UnsafeFile(
                    f"The sheet ‘{worksheet.title}’ could not be read. Open the file in your "
                    "spreadsheet program, save it as .xlsx and upload it again."
                ) from error
            result.sheets.append(Sheet(name=worksheet.title, rows=rows))
        return result
    finally:
        book.close()


class _RowBudget:
    """Counts rows across a whole file so several big sheets cannot add up to too many."""

    def __init__(self):
        self.rows_with_content = 0
        self.scanned = 0
        self.cells = 0

    def take(self, has_content, width=0):
        self.scanned += 1
        self.cells += width
        if has_content:
            self.rows_with_content += 1
        if (
            self.rows_with_content > max_rows()
            or self.scanned > max_rows() * MAX_SCANNED_ROWS_FACTOR
        ):
            raise UnsafeFile(
                f"The selected file has more than {max_rows():,} rows. An action plan should "
                "fit in far fewer: remove other data, or split the plan and import each part."
            )
        # A row is as wide as its last cell in the file, even an empty formatted one at
        # column XFD; rows formatted across thousands of columns would take minutes to read.
        if self.cells > max_rows() * MAX_SCANNED_ROWS_FACTOR * MAX_COLUMNS:
            raise UnsafeFile(
                "The selected file has formatting across far more rows and columns than an "
                "action plan needs. Copy the action plan alone into a new workbook and upload that."
            )


def _cell_value(cell):
    value = cell.value
    # An array or data-table formula arrives as an object, not text, so check for it first.
    if type(value).__name__ in ("ArrayFormula", "DataTableFormula"):
        return Formula(str(getattr(value, "text", None) or ""))
    if getattr(cell, "data_type", None) == "f":
        return Formula(str(value))
    return _clean(value)


def _sheet_rows(worksheet, budget):
    # The sheet states its own size (<dimension ref="A1:XFD1048576"/>), and read-only
    # openpyxl pads every row to that width and stops at that row: an understated size
    # loses data and an overstated one takes minutes. Read the cells the file holds.
    worksheet.reset_dimensions()
    rows = []
    for cells in worksheet.iter_rows():
        values = [_cell_value(cell) for cell in cells if hasattr(cell, "value")]
        while values and values[-1] is None:
            values.pop()
        budget.take(bool(values), width=len(cells))
        if len(values) > MAX_COLUMNS:
            raise UnsafeFile(
                f"The sheet ‘{worksheet.title}’ uses more than {MAX_COLUMNS} columns. Remove the "
                "columns the action plan does not need and upload it again."
            )
        rows.append(values)
    while rows and not rows[-1]:
        rows.pop()
    _fill_merged_cells(worksheet, rows)
    return rows


MERGE_REF = re.compile(r"^([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)$")


def merged_ranges(worksheet):
    """The sheet's merged ranges as (first column, first row, last column, last row), 1-based.

    Read-only worksheets do not expose merged cells, so the sheet's XML is
    read for its ``mergeCell`` elements (through defusedxml). They come after
    the rows, so only the part after the rows is parsed again when that part
    can be told apart for certain (``_after_rows``); otherwise the whole sheet.
    """
    source = worksheet._get_source()
    try:
        content = source.read()
    finally:
        source.close()
    after_rows = _after_rows(content)
    if after_rows is not None:
        try:
            return _merge_refs(io.BytesIO(after_rows))
        except Exception:  # read the whole sheet instead, as ever
            logger.debug("The part after the rows could not be read alone", exc_info=True)
    return _merge_refs(io.BytesIO(content))


# Markup that could hide or imitate an end tag of the rows: with any of it, the whole sheet is read.
AMBIGUOUS_MARKUP = re.compile(rb"<!|<\?|\]\]>")
ROWS_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData\s*>")
ROOT_START = re.compile(rb"<[A-Za-z_][^<>]*>")


def _after_rows(content):
    """The sheet's XML without its rows: its opening (prolog and root tag) and what follows
    ``</sheetData>``, a document in its own right; or None if that cannot be cut for certain:
    no comments, CDATA, processing instructions or document type, and one end of the rows."""
    if content[:5] == b"<?xml":
        declaration_end = content.find(b"?>")
        if declaration_end < 0:
            return None
        body_start = declaration_end + 2
    else:
        body_start = 0
    if AMBIGUOUS_MARKUP.search(content, body_start):
        return None
    ends = list(ROWS_END.finditer(content))
    root = ROOT_START.search(content, body_start)
    if len(ends) != 1 or root is None or root.group().endswith(b"/>"):
        return None
    [end] = ends
    if end.start() < root.end():
        return None
    return content[: root.end()] + content[end.end() :]


def _merge_refs(source):
    from openpyxl.utils import column_index_from_string
    from openpyxl.xml.functions import iterparse

    ranges = []
    try:
        for _event, element in iterparse(source):
            if element.tag.endswith("}mergeCell"):
                match = MERGE_REF.match(element.get("ref", ""))
                if match:
                    ranges.append(
                        (
                            column_index_from_string(match[1]),
                            int(match[2]),
                            column_index_from_string(match[3]),
                            int(match[4]),
                        )
                    )
                element.clear()
            elif element.tag.endswith("}row"):
                element.clear()
    finally:
        source.close()
    return ranges


def _fill_merged_cells(worksheet, rows):
    """Copy each merged range's value down its first column.

    A lead organisation or area of weakness merged down several action rows
    then applies to each of them. Merges across a row (a section heading
    spanning the table) are left alone, so the heading stays one cell.
    """
    # Merges that do not overlap fill at most every cell of the sheet once; more means
    # overlapping merges, which spreadsheet programs do not save, repeated to take minutes.
    cells_left = len(rows) * MAX_COLUMNS
    for first_col, first_row, _last_col, last_row in merged_ranges(worksheet):
        if last_row == first_row or first_row > len(rows):
            continue
        top = rows[first_row - 1]
        value = top[first_col - 1] if first_col - 1 < len(top) else None
        if value is None:
            continue
        cells_left -= min(last_row, len(rows)) - first_row
        if cells_left < 0:
            raise UnsafeFile(
                f"The sheet ‘{worksheet.title}’ has merged cells that overlap. Open the file in "
                "your spreadsheet program, save it as .xlsx and upload it again."
            )
        for number in range(first_row + 1, min(last_row, len(rows)) + 1):
            row = rows[number - 1]
            while len(row) < first_col:
                row.append(None)
            if row[first_col - 1] is None:
                row[first_col - 1] = value


def _clean(value):
    if isinstance(value, str):
        value = unescape_formula(value.strip().replace("\r\n", "\n"))
        return value or None
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --- CSV ----------------------------------------------------------------


def _decode(content):
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnsafeFile(
            "The selected file is saved as ‘Unicode Text’ (UTF-16). Save it as ‘CSV UTF-8’ "
            "and upload it again."
        )
    if b"\x00" in content:
        raise UnsafeFile("The selected file must be a spreadsheet: an XLSX or CSV file.")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return content.decode("cp1252")
        except UnicodeDecodeError as error:
            raise UnsafeFile(
                "The selected CSV file is not in a text encoding the portal can read. "
                "Save it as ‘CSV UTF-8’ and upload it again."
            ) from error


def _read_csv(content):
    text = _decode(content)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    budget = _RowBudget()
    rows = []
    try:
        for raw in csv.reader(io.StringIO(text), dialect):
            values = [_csv_value(cell) for cell in raw]
            while values and values[-1] is None:
                values.pop()
            budget.take(bool(values))
            if len(values) > MAX_COLUMNS:
                raise UnsafeFile(
                    f"The selected file uses more than {MAX_COLUMNS} columns. Remove the "
                    "columns the action plan does not need and upload it again."
                )
            rows.append(values)
    except csv.Error as error:
        # The csv module's own words (such as "field larger than field limit")
        # mean nothing to the person uploading.
        logger.info("CSV could not be read: %s", error)
        raise UnsafeFile(
            "The selected CSV file could not be read: a cell may be far too long, or a "
            "quotation mark may be unmatched. Save it from your spreadsheet program as "
            "‘CSV UTF-8’ and upload it again."
        ) from error
    while rows and not rows[-1]:
        rows.pop()
    return Workbook(kind="csv", sheets=[Sheet(name="CSV", rows=rows)])


def _csv_value(cell):
    cell = cell.strip()
    if cell.startswith("="):
        # A spreadsheet would run this; the portal never does, and says where it is.
        return Formula(cell)
    return _clean(cell)
