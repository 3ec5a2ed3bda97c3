"""Hostile and unusable uploads are refused with a plain-English message; good ones still read.

Every file is built here in memory (see ``workbooks``), never read from disk.
"""

import datetime
import io
import random
import zipfile

import openpyxl
import pytest
from defusedxml import DefusedXmlException
from openpyxl.styles import PatternFill

from actions import spreadsheets
from actions.spreadsheets import Formula, UnsafeFile, read_spreadsheet
from kit.tabular import escape_formula
from tests.actions import workbooks

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
YELLOW = PatternFill("solid", fgColor="FFFF00")


def refusal(content, filename="plan.xlsx"):
    with pytest.raises(UnsafeFile) as caught:
        read_spreadsheet(content, filename)
    return caught.value.message


def only_rows(content, filename="plan.xlsx"):
    book = read_spreadsheet(content, filename)
    assert len(book.sheets) == 1
    return book.sheets[0].rows


def every_value(book):
    return [value for sheet in book.sheets for row in sheet.rows for value in row]


def refusal_without_unpacking(content, monkeypatch):
    """The refusal, checking no worksheet was unpacked and openpyxl never opened the file.

    Attempts are recorded rather than raised, as the module turns errors into refusals."""
    attempts = []
    original_open = zipfile.ZipFile.open

    def recording_open(self, name, *args, **kwargs):
        member = getattr(name, "filename", name)
        if member.startswith("xl/worksheets/"):
            attempts.append(member)
        return original_open(self, name, *args, **kwargs)

    def recording_load(*args, **kwargs):
        attempts.append("load_workbook")
        raise RuntimeError("openpyxl was asked to open the file")

    with monkeypatch.context() as patch:
        patch.setattr(zipfile.ZipFile, "open", recording_open)
        patch.setattr(openpyxl, "load_workbook", recording_load)
        message = refusal(content)
    assert attempts == []
    return message


# --- Not a spreadsheet --------------------------------------------------


def test_an_empty_file_is_refused():
    assert refusal(b"") == "The selected file is empty."


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (PDF, "plan.xlsx"),
        (PDF, "plan.csv"),
        (PNG, "plan.xlsx"),
        (PNG, "plan.csv"),
        (random.Random(1).randbytes(4096).replace(b"PK", b"pk"), "plan.xlsx"),
        (workbooks.csv_bytes([["Ref", "Action"], ["1.1", "Do it"]]), "plan.pdf"),
    ],
    ids=["pdf", "pdf-named-csv", "png", "png-named-csv", "random-bytes", "csv-named-pdf"],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(content, filename):
    assert "must be a spreadsheet: an XLSX or CSV file" in refusal(content, filename)


def test_random_bytes_named_csv_are_refused():
    assert "must be a spreadsheet" in refusal(random.Random(2).randbytes(4096), "plan.csv")


def test_a_word_document_is_not_taken_for_a_workbook():
    docx = workbooks.zip_bytes(
        {
            "[Content_Types].xml": "<Types/>",
            "_rels/.rels": "<Relationships/>",
            "word/document.xml": "<w:document/>",
        }
    )
    assert "an Office document, but not an Excel workbook" in refusal(docx, "plan.docx")


def test_a_plain_zip_of_text_files_is_refused():
    archive = workbooks.zip_bytes({"notes.txt": "hello", "plan.csv": "Ref,Action\n"})
    assert "is a zip file, not an Excel workbook" in refusal(archive, "plan.zip")


def test_a_damaged_xlsx_is_refused():
    content = workbooks.messy_plan()
    assert "damaged or is not an Excel workbook" in refusal(content[: len(content) // 2])


# --- Size -----------------------------------------------------------------


def test_a_csv_over_the_size_limit_is_refused(settings):
    settings.IMPORT_MAX_MB = 1
    content = b"Ref,Action\n" + b"1.1,x\n" * (1024 * 1024 // 6 + 1)
    assert len(content) > 1024 * 1024
    assert refusal(content, "plan.csv") == "The selected file must be smaller than 1 MB."


def test_an_xlsx_over_the_size_limit_is_refused_before_it_is_unzipped(settings, monkeypatch):
    settings.IMPORT_MAX_MB = 1
    content = workbooks.add_member(
        workbooks.messy_plan(), "xl/media/image1.png", random.Random(3).randbytes(1024 * 1024)
    )
    monkeypatch.setattr(zipfile, "ZipFile", None)  # any use would fail
    assert refusal(content) == "The selected file must be smaller than 1 MB."


# --- Zip bombs ------------------------------------------------------------


def test_a_zip_bomb_is_refused_without_being_unpacked(monkeypatch):
    bomb = workbooks.zip_bomb()
    assert len(bomb) < 5 * 1024 * 1024
    assert "unpacks to more than 60 MB" in refusal_without_unpacking(bomb, monkeypatch)


def test_a_zip_with_too_many_parts_is_refused(monkeypatch):
    members = {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}
    members.update({f"xl/worksheets/sheet{n}.xml": "<worksheet/>" for n in range(1, 502)})
    message = refusal_without_unpacking(workbooks.zip_bytes(members), monkeypatch)
    assert "too many parts to be a normal workbook" in message


def test_a_part_with_an_absurd_compression_ratio_is_refused(monkeypatch):
    content = workbooks.add_member(
        workbooks.messy_plan(), "xl/worksheets/sheet9.xml", b"<row/>" + b" " * (2 * 1024 * 1024)
    )
    message = refusal_without_unpacking(content, monkeypatch)
    assert "(a 'zip bomb'), so it was not opened" in message


# --- Macros and links -----------------------------------------------------


def test_a_workbook_with_a_vba_project_is_refused():
    content = workbooks.add_member(workbooks.messy_plan(), "xl/vbaProject.bin", OLE)
    assert "contains macros" in refusal(content)


def test_a_macro_enabled_workbook_is_refused():
    content = workbooks.messy_plan()
    types = workbooks.read_member(content, "[Content_Types].xml")
    assert XLSX_MAIN in types
    content = workbooks.replace_member(
        content, "[Content_Types].xml", types.replace(XLSX_MAIN, XLSM_MAIN)
    )
    assert "macro-enabled workbook (.xlsm)" in refusal(content, "plan.xlsm")


def test_a_workbook_linking_to_other_workbooks_is_refused():
    content = workbooks.add_member(
        workbooks.messy_plan(), "xl/externalLinks/externalLink1.xml", "<externalLink/>"
    )
    assert "links to other workbooks (external links)" in refusal(content)


# --- Other spreadsheet formats ----------------------------------------------


@pytest.mark.parametrize("filename", ["plan.xls", "plan.xlsx"])
def test_an_old_xls_or_password_protected_workbook_is_refused(filename):
    message = refusal(OLE, filename)
    assert "older Excel file (.xls) or a password-protected workbook" in message
    assert "Remove any password" in message


def test_an_opendocument_spreadsheet_is_refused():
    ods = workbooks.zip_bytes(
        {
            "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": "<office:document-content/>",
            "META-INF/manifest.xml": "<manifest/>",
        }
    )
    assert "OpenDocument spreadsheet (.ods)" in refusal(ods, "plan.ods")


def test_a_binary_xlsb_workbook_is_refused():
    xlsb = workbooks.zip_bytes(
        {
            "[Content_Types].xml": "<Types/>",
            "_rels/.rels": "<Relationships/>",
            "xl/workbook.bin": b"\x83\x01\x00",
            "xl/worksheets/sheet1.bin": b"\x81\x01\x00",
        }
    )
    assert "binary Excel workbook (.xlsb)" in refusal(xlsb, "plan.xlsb")


# --- XML attacks ----------------------------------------------------------


def plan_in_two_cells():
    """A real xlsx: A1 holds "Plan" inline, B1 holds "Plan" from the shared strings."""
    cells = f"<row r='1'>{workbooks.inline_cell('A1', 'Plan')}<c r='B1' t='s'><v>0</v></c></row>"
    return workbooks.with_sheet_xml(
        workbooks.sheet_xml(cells), shared_strings=workbooks.shared_strings_xml("Plan")
    )


XML_PARTS = [
    ("xl/worksheets/sheet1.xml", "worksheet"),
    ("xl/sharedStrings.xml", "sst"),
    ("xl/workbook.xml", "workbook"),
    ("[Content_Types].xml", "Types"),
    ("docProps/core.xml", "cp:coreProperties"),
]


def test_the_hand_made_workbook_reads_without_a_doctype():
    assert only_rows(plan_in_two_cells()) == [["Plan", "Plan"]]


def refused_by_defusedxml(content):
    """The refusal's message, checking defusedxml refused the entities (not a chance error)."""
    with pytest.raises(UnsafeFile) as caught:
        read_spreadsheet(content, "plan.xlsx")
    error, chain = caught.value, []
    while error is not None:
        chain.append(error)
        error = error.__cause__ or error.__context__
    assert any(isinstance(error, DefusedXmlException) for error in chain), chain
    return caught.value.message


@pytest.mark.parametrize(("part", "root"), XML_PARTS)
def test_entity_expansion_is_refused(part, root):
    content = workbooks.with_doctype(
        plan_in_two_cells(), part, workbooks.billion_laughs(root), text="Plan", entity="lol9"
    )
    assert "could not be read" in refused_by_defusedxml(content)


@pytest.mark.parametrize(("part", "root"), XML_PARTS)
def test_an_external_entity_is_refused_and_never_read(part, root):
    content = workbooks.with_doctype(
        plan_in_two_cells(), part, workbooks.external_entity(root), text="Plan", entity="xxe"
    )
    message = refused_by_defusedxml(content)
    assert "could not be read" in message
    assert "root:" not in message


def test_merged_ranges_are_read_through_defusedxml():
    xml = workbooks.sheet_xml(
        "",
        after="<mergeCells count='1'><mergeCell ref='&xxe;'/></mergeCells>",
        prolog=workbooks.external_entity("worksheet"),
    )

    class Sheet:
        def _get_source(self):
            return io.BytesIO(xml.encode())

    with pytest.raises(DefusedXmlException):
        spreadsheets.merged_ranges(Sheet())


@pytest.mark.parametrize(
    ("rows", "after", "cut"),
    [
        # Only the part after the rows is read again.
        (workbooks.inline_cell("A1", "Lead"), "", True),
        # A comment or CDATA could hide an end tag of the rows: the whole sheet is read.
        (workbooks.inline_cell("A1", "Lead") + "<!-- </sheetData> -->", "", False),
        (workbooks.inline_cell("A1", "Lead"), "<!-- </sheetData> -->", False),
        ('<c r="A1" t="inlineStr"><is><t><![CDATA[</sheetData>]]></t></is></c>', "", False),
    ],
)
def test_merged_ranges_are_the_same_read_after_the_rows_or_from_the_whole_sheet(rows, after, cut):
    merges = "<mergeCells count='2'><mergeCell ref='A1:A3'/><mergeCell ref='B2:D2'/></mergeCells>"
    xml = workbooks.sheet_xml(f'<row r="1">{rows}</row>', after=after + merges).encode()

    class Sheet:
        def _get_source(self):
            return io.BytesIO(xml)

    assert (spreadsheets._after_rows(xml) is not None) == cut
    assert spreadsheets.merged_ranges(Sheet()) == [(1, 1, 1, 3), (2, 2, 4, 2)]


# --- Rows and columns -----------------------------------------------------


def test_twenty_thousand_rows_in_an_xlsx_are_refused():
    content = workbooks.plain_xlsx([[f"{n}", "Action", "Council"] for n in range(20_000)])
    assert "has more than 5,000 rows" in refusal(content)


def test_twenty_thousand_rows_in_a_csv_are_refused():
    content = workbooks.csv_bytes([[f"{n}", "Action", "Council"] for n in range(20_000)])
    assert "has more than 5,000 rows" in refusal(content, "plan.csv")


def test_the_row_limit_comes_from_settings(settings):
    settings.IMPORT_MAX_ROWS = 10
    rows = [[f"{n}", "Action"] for n in range(10)]
    assert len(only_rows(workbooks.plain_xlsx(rows))) == 10
    assert "has more than 10 rows" in refusal(workbooks.plain_xlsx([*rows, ["11", "One more"]]))
    assert "has more than 10 rows" in refusal(
        workbooks.csv_bytes([*rows, ["11", "One more"]]), "plan.csv"
    )


def test_rows_on_several_sheets_add_up(settings):
    settings.IMPORT_MAX_ROWS = 10
    book = openpyxl.Workbook()
    book.active.title = "First"
    second = book.create_sheet("Second")
    for n in range(6):
        book.active.append([f"1.{n}", "Action"])
        second.append([f"2.{n}", "Action"])
    assert "has more than 10 rows" in refusal(workbooks.xlsx_bytes(book))


def styled_sheet(content_rows, styled_rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for n in range(1, content_rows + 1):
        sheet.append([f"1.{n}", "Action", "Council"])
    for number in range(content_rows + 1, content_rows + styled_rows + 1):
        for column in (1, 2, 3):
            sheet.cell(row=number, column=column).fill = YELLOW
    return workbooks.xlsx_bytes(book)


def test_formatted_empty_rows_do_not_count_as_rows_with_content(settings):
    settings.IMPORT_MAX_ROWS = 10  # up to 200 rows are scanned
    rows = only_rows(styled_sheet(content_rows=3, styled_rows=150))
    assert rows == [[f"1.{n}", "Action", "Council"] for n in (1, 2, 3)]


def test_formatted_empty_rows_past_the_scanning_cap_are_refused(settings):
    settings.IMPORT_MAX_ROWS = 10
    assert "has more than 10 rows" in refusal(styled_sheet(content_rows=3, styled_rows=250))


def test_sixty_columns_are_read():
    rows = only_rows(workbooks.plain_xlsx([[f"Column {n}" for n in range(60)]]))
    assert len(rows[0]) == 60


def test_more_than_sixty_columns_are_refused():
    row = [f"Column {n}" for n in range(61)]
    assert "uses more than 60 columns" in refusal(workbooks.plain_xlsx([row]))
    assert "uses more than 60 columns" in refusal(workbooks.csv_bytes([row]), "plan.csv")


def test_formatted_empty_columns_beyond_sixty_are_not_counted():
    book = openpyxl.Workbook()
    book.active.append(["Ref", "Action"])
    for column in range(3, 100):
        book.active.cell(row=1, column=column).fill = YELLOW
    assert only_rows(workbooks.xlsx_bytes(book)) == [["Ref", "Action"]]


def test_a_sheet_that_understates_its_size_is_read_in_full():
    cells = "".join(
        f"<row r='{n}'>{workbooks.inline_cell(f'A{n}', 'Ref')}{workbooks.inline_cell(f'C{n}', n)}</row>"
        for n in range(1, 6)
    )
    rows = only_rows(workbooks.with_sheet_xml(workbooks.sheet_xml(cells, dimension="A1")))
    assert rows == [["Ref", None, str(n)] for n in range(1, 6)]


def test_a_sheet_that_overstates_its_size_is_not_padded_out_to_it(monkeypatch):
    looked_at = []
    original = spreadsheets._cell_value
    monkeypatch.setattr(
        spreadsheets, "_cell_value", lambda cell: looked_at.append(cell) or original(cell)
    )
    cells = (
        f"<row r='1'>{workbooks.inline_cell('A1', 'Ref')}</row>"
        f"<row r='2000'>{workbooks.inline_cell('B2000', 'Last')}</row>"
    )
    xml = workbooks.sheet_xml(cells, dimension="A1:XFD1048576")
    rows = only_rows(workbooks.with_sheet_xml(xml))
    assert rows[0] == ["Ref"]
    assert rows[-1] == [None, "Last"]
    assert len(rows) == 2000
    assert len(looked_at) < 10


def test_one_formatted_cell_far_to_the_right_is_read(settings):
    settings.IMPORT_MAX_ROWS = 100
    cells = f"<row r='1'>{workbooks.inline_cell('A1', 'Ref')}<c r='XFD1' s='0'/></row>"
    assert only_rows(workbooks.with_sheet_xml(workbooks.sheet_xml(cells))) == [["Ref"]]


def test_many_rows_formatted_out_to_the_last_column_are_refused(settings):
    settings.IMPORT_MAX_ROWS = 100  # 120,000 cells may be scanned: about 7 such rows
    cells = "".join(
        f"<row r='{n}'>{workbooks.inline_cell(f'A{n}', 'Ref')}<c r='XFD{n}' s='0'/></row>"
        for n in range(1, 11)
    )
    message = refusal(workbooks.with_sheet_xml(workbooks.sheet_xml(cells)))
    assert "formatting across far more rows and columns than an action plan needs" in message


def test_more_than_thirty_sheets_are_refused():
    book = openpyxl.Workbook()
    for n in range(30):
        book.create_sheet(f"Sheet {n}")
    assert "more than 30 sheets" in refusal(workbooks.xlsx_bytes(book))


# --- Formulas -------------------------------------------------------------


def test_formulas_are_kept_as_text_and_never_run():
    book = openpyxl.Workbook()
    book.active.append(["=SUM(1,2)", '=HYPERLINK("http://x","y")', "=TODAY()"])
    assert only_rows(workbooks.xlsx_bytes(book)) == [
        [Formula("=SUM(1,2)"), Formula('=HYPERLINK("http://x","y")'), Formula("=TODAY()")]
    ]


def test_a_formulas_cached_value_is_never_used():
    cells = (
        "<row r='1'>"
        "<c r='A1'><f>SUM(1,2)</f><v>3</v></c>"
        "<c r='B1' t='str'><f>\"a\"&amp;\"b\"</f><v>ab</v></c>"
        "<c r='C1'><f t='array' ref='C1'>SUM(1,2)</f><v>3</v></c>"
        "</row>"
    )
    rows = only_rows(workbooks.with_sheet_xml(workbooks.sheet_xml(cells)))
    assert rows == [[Formula("=SUM(1,2)"), Formula('="a"&"b"'), Formula("=SUM(1,2)")]]
    assert 3 not in rows[0]
    assert "ab" not in rows[0]


def test_a_csv_cell_beginning_with_equals_is_a_formula():
    content = workbooks.csv_bytes([["Ref", "Action"], ["1.1", '=HYPERLINK("http://x","y")']])
    rows = only_rows(content, "plan.csv")
    assert rows[1] == ["1.1", Formula('=HYPERLINK("http://x","y")')]


@pytest.mark.parametrize("text", ["=1+1", "+44 1234 567890", "-5", "@home"])
def test_text_escaped_by_our_own_export_reads_back_as_typed(text):
    escaped = escape_formula(text)
    assert escaped == "'" + text
    assert only_rows(workbooks.plain_xlsx([[escaped]])) == [[text]]
    assert only_rows(workbooks.csv_bytes([[escaped]]), "plan.csv") == [[text]]


# --- Sheets ---------------------------------------------------------------


def test_hidden_sheets_are_skipped_and_reported():
    book = openpyxl.Workbook()
    book.active.title = "Plan"
    book.active["A1"] = "Ref"
    for title, state in (("Workings", "hidden"), ("Lookups", "veryHidden")):
        sheet = book.create_sheet(title)
        sheet["A1"] = "secret"
        sheet.sheet_state = state
    result = read_spreadsheet(workbooks.xlsx_bytes(book), "plan.xlsx")
    assert [sheet.name for sheet in result.sheets] == ["Plan"]
    assert result.skipped_sheets == [("Workings", "it is hidden"), ("Lookups", "it is hidden")]
    assert "secret" not in every_value(result)


def test_overlapping_merged_cells_are_refused():
    cells = (
        f"<row r='1'>{workbooks.inline_cell('A1', 'Lead')}</row>"
        f"<row r='200'>{workbooks.inline_cell('B200', 'Last')}</row>"
    )
    merges = "<mergeCell ref='A1:A200'/>" * 100
    xml = workbooks.sheet_xml(cells, after=f"<mergeCells count='100'>{merges}</mergeCells>")
    assert "has merged cells that overlap" in refusal(workbooks.with_sheet_xml(xml))


def test_a_messy_real_plan_still_reads():
    result = read_spreadsheet(workbooks.messy_plan(), "plan.xlsx")
    assert result.kind == "xlsx"
    assert [sheet.name for sheet in result.sheets] == ["Cover", "WSOA", "Key"]
    assert result.skipped_sheets == []
    rows = result.sheets[1].rows
    assert rows[0] == ["Testshire SEND Written Statement of Action 2024"]  # merged across
    assert rows[4] == workbooks.HEADER
    assert rows[5] == ["Area of weakness 1: Weakness 1"]  # merged across: not copied along
    assert rows[7][4:6] == [datetime.date(2024, 10, 1), datetime.date(2025, 6, 30)]
    assert rows[9][2] == "NHS Testshire ICB"
    assert rows[10][2] == "NHS Testshire ICB"  # merged down C10:C11: copied down
    assert rows[10][1] == "Recruit two more therapists"


# --- CSV decoding ---------------------------------------------------------


def test_a_utf8_csv_with_a_byte_order_mark_is_read():
    content = "Ref,Action\n1.1,Café for parents\n".encode("utf-8-sig")
    assert only_rows(content, "plan.csv") == [["Ref", "Action"], ["1.1", "Café for parents"]]


def test_a_windows_1252_csv_is_read():
    content = "Ref,Action\n1.1,Spend £500 on the parents’ forum\n".encode("cp1252")
    rows = only_rows(content, "plan.csv")
    assert rows[1] == ["1.1", "Spend £500 on the parents’ forum"]


@pytest.mark.parametrize("delimiter", [";", "\t"], ids=["semicolon", "tab"])
def test_a_csv_with_another_delimiter_is_read(delimiter):
    lines = [["Ref", "Action", "Lead"], ["1.1", "Publish the offer, in print", "Council"]]
    text = "\n".join(delimiter.join(line) for line in lines) + "\n"
    assert only_rows(text.encode(), "plan.csv") == lines


def test_a_csv_with_nul_bytes_is_refused():
    assert "must be a spreadsheet" in refusal(b"Ref,Action\n1.1,Do\x00it\n", "plan.csv")


def test_a_csv_with_a_nul_byte_far_into_it_is_refused():
    content = b"Ref,Action\n" + b"1.1,Do it\n" * 2000 + b"1.2,Do\x00it\n"
    assert len(content) > 8192
    assert "must be a spreadsheet" in refusal(content, "plan.csv")


def test_a_utf16_text_export_is_refused():
    content = "Ref\tAction\n1.1\tDo it\n".encode("utf-16")
    assert "Save it as ‘CSV UTF-8’" in refusal(content, "plan.txt")


def test_a_csv_cell_too_long_for_the_csv_reader_gets_a_plain_message():
    content = b"Ref,Action\n1.1," + b"x" * 200_000 + b"\n"
    message = refusal(content, "plan.csv")
    assert "a cell may be far too long" in message
    assert "field limit" not in message
