"""Spreadsheets shaped like the ones areas really keep, and hostile ones, built in memory."""

import datetime
import io
import re
import zipfile

from openpyxl import Workbook

HEADER = [
    "Ref",
    "Action",
    "Lead organisation",
    "Lead officer",
    "Start date",
    "Due date",
    "Success criteria",
    "RAG",
]


def xlsx_bytes(book):
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def messy_plan(*, due_14="31/3/2026", extra_rows=()):
    """A WSOA as a council keeps it: title block, section rows, merged cells, text dates,
    a cover sheet before it and a key sheet after it."""
    book = Workbook()
    cover = book.active
    cover.title = "Cover"
    cover["A1"] = "Testshire Local Area SEND Written Statement of Action"
    cover["A3"] = "Version 4, agreed by the improvement board"
    sheet = book.create_sheet("WSOA")
    sheet["A1"] = "Testshire SEND Written Statement of Action 2024"
    sheet.merge_cells("A1:H1")
    sheet["A2"] = "Owner: Improvement board.  Last updated: March 2025"
    sheet.append([])  # row 3 blank
    sheet.append([])  # row 4 blank
    sheet.append(HEADER)  # row 5
    sheet.append(["Area of weakness 1: Weakness 1"])  # row 6
    sheet.merge_cells("A6:H6")
    sheet.append(
        [
            "1.1",
            "Action 1.1",
            "Testshire Council",
            "",
            "1/9/2024",
            "31/3/2026",
            "Families notice the difference.",
            "Not started",
        ]
    )  # row 7: unchanged
    sheet.append(
        [
            "1.2",
            "Publish a clear Local Offer",
            "Testshire Council",
            "Olivia Officer",
            datetime.datetime(2024, 10, 1),
            datetime.datetime(2025, 6, 30),
            "Families say the Local Offer helps them",
            "Green",
        ]
    )  # row 8
    sheet.append(["AoW 2 – waiting times for therapy"])  # row 9
    sheet.append(
        [
            "2.1",
            "Cut waits for speech and language therapy",
            "NHS Testshire ICB",
            "",
            "1 October 2024",
            "March 2026",
            "Waits under 18 weeks",
            "Amber",
        ]
    )  # row 10
    sheet.append(
        [
            "2.2",
            "Recruit two more therapists",
            None,
            "",
            "",
            "31st December 2025",
            "Two therapists in post",
            "amber",
        ]
    )  # row 11: lead merged from row 10
    sheet.merge_cells("C10:C11")
    sheet.append([])  # row 12
    sheet.append(["Area of significant weakness 3"])  # row 13
    sheet.append(
        [
            "3.1",
            "Check every EHC plan's quality each term",
            "Testshire Council",
            "",
            "",
            due_14,
            "Most plans judged good",
            "Red",
        ]
    )  # row 14
    for row in extra_rows:
        sheet.append(row)
    key = book.create_sheet("Key")
    key["A1"] = "RAG key"
    key["A2"] = "Green: on track"
    key["A3"] = "Amber: at risk"
    return xlsx_bytes(book)


def csv_bytes(rows, *, encoding="utf-8"):
    import csv

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def zip_bytes(members, *, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def add_member(content, name, data):
    """A copy of an xlsx with one more part (macros, external links...)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    members = {info.filename: source.read(info.filename) for info in source.infolist()}
    members[name] = data
    return zip_bytes(members)


def zip_bomb():
    """An xlsx-looking zip whose sheet unpacks to about 300 MB from a few hundred KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"<row>" + b" " * (1024 * 1024) + b"</row>"
            for _ in range(300):
                member.write(chunk)
    return buffer.getvalue()


# --- Hand-made and hostile workbooks for the safety tests -------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)


def plain_xlsx(rows, *, title="Plan"):
    """A one-sheet workbook holding ``rows``, written quickly (write-only mode)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for row in rows:
        sheet.append(row)
    return xlsx_bytes(book)


def replace_member(content, name, data):
    """A copy of a zip with one existing part's bytes replaced."""
    assert name in zipfile.ZipFile(io.BytesIO(content)).namelist(), name
    return add_member(content, name, data)


def read_member(content, name):
    return zipfile.ZipFile(io.BytesIO(content)).read(name).decode("utf-8")


def inline_cell(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(rows, *, dimension=None, after="", prolog=""):
    """Worksheet XML written by hand: ``rows`` is the XML inside ``<sheetData>``, ``after``
    goes after it (``<mergeCells>``...), ``prolog`` before the root (a DOCTYPE...)."""
    size = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'{prolog}<worksheet xmlns="{MAIN_NS}">{size}<sheetData>{rows}</sheetData>{after}'
        "</worksheet>"
    )


def with_sheet_xml(xml, *, shared_strings=None):
    """A real one-sheet xlsx whose sheet is ``xml``, with a shared strings part if given."""
    content = xlsx_bytes(Workbook())
    content = replace_member(content, "xl/worksheets/sheet1.xml", xml)
    if shared_strings is not None:
        types = read_member(content, "[Content_Types].xml").replace(
            "</Types>",
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/>'
            "</Types>",
        )
        content = replace_member(content, "[Content_Types].xml", types)
        content = add_member(content, "xl/sharedStrings.xml", shared_strings)
    return content


def shared_strings_xml(*strings, prolog=""):
    items = "".join(f"<si><t>{text}</t></si>" for text in strings)
    return f'{prolog}<sst xmlns="{MAIN_NS}" count="{len(strings)}">{items}</sst>'


def billion_laughs(root):
    """A DOCTYPE whose entity ``&lol9;`` expands to a billion "lol"s."""
    entities = ['<!ENTITY lol0 "lol">']
    for level in range(1, 10):
        expansion = f"&lol{level - 1};" * 10
        entities.append(f'<!ENTITY lol{level} "{expansion}">')
    return f'<?xml version="1.0"?><!DOCTYPE {root} [{"".join(entities)}]>'


def external_entity(root, url="file:///etc/passwd"):
    """A DOCTYPE declaring ``&xxe;`` as the contents of ``url`` (XXE)."""
    return f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{url}">]>'


def with_doctype(content, part, doctype, *, text=None, entity=None):
    """A copy of an xlsx whose ``part`` starts with ``doctype``; if given, each ``>text<``
    in it becomes a reference to ``&entity;``."""
    xml = read_member(content, part)
    xml = re.sub(r"^<\?xml[^>]*\?>", "", xml)
    if text and entity:
        xml = xml.replace(f">{text}<", f">&{entity};<")
    return replace_member(content, part, doctype + xml)
