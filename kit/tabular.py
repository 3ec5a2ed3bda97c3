"""Writing tables that people open in spreadsheets, safely.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` as
a formula (and some also treat a leading tab or carriage return so), so
text that reaches a CSV or XLSX file from a form could run code on the
reader's machine (CSV injection). Every text cell we write goes through
``escape_formula``, which puts an apostrophe in front: spreadsheets show
the text as typed and never run it. ``unescape_formula`` undoes it when a
file we wrote comes back in, so an export re-imports unchanged.
"""

import csv
import io

from django.http import HttpResponse
from django.utils.http import content_disposition_header

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """Text that a spreadsheet would run as a formula, made inert; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unescape_formula(value):
    """Undo ``escape_formula`` on text read back from a file we wrote."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] and value[1] in FORMULA_TRIGGERS:
        return value[1:]
    return value


def csv_text(header, rows):
    """A CSV document (RFC 4180, CRLF line ends) with every text cell escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([escape_formula(cell) for cell in header])
    for row in rows:
        writer.writerow(["" if cell is None else escape_formula(cell) for cell in row])
    return buffer.getvalue()


def download_response(content, filename, content_type):
    """Send ``content`` as a file to save, named safely however odd ``filename`` is."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def csv_response(filename, header, rows, *, byte_order_mark=False):
    """Send a CSV download. A byte-order mark helps Excel read UTF-8 correctly."""
    text = csv_text(header, rows)
    encoding = "utf-8-sig" if byte_order_mark else "utf-8"
    return download_response(text.encode(encoding), filename, "text/csv; charset=utf-8")
