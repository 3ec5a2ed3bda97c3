"""Office files as evidence: refused, with what to do, when they hold what runs or fetches content.

Each file is made in memory and sent through the real upload form; the
reason must be on the page and nothing saved.
"""

import io
import zipfile

import pytest

from progress.models import Evidence
from tests.progress.test_evidence import post_file
from tests.progress.test_update_workflow import write_draft

pytestmark = pytest.mark.django_db

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
EXTERNAL = ' TargetMode="External"'
TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/{main}" ContentType="{content_type}"/></Types>'
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def rels(*relationships):
    body = "".join(
        f'<Relationship Id="r{n}" Type="{R}{kind}" Target="{target}"{mode}/>'
        for n, (kind, target, mode) in enumerate(relationships)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{body}</Relationships>"
    )


def office(folder="word/", *, content_type=DOCX_MAIN, extra=None):
    main = f"{folder}document.xml" if folder == "word/" else f"{folder}workbook.xml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", TYPES.format(main=main, content_type=content_type))
        archive.writestr(main, "<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


REFUSED = {
    "external template": (
        "report.docx",
        office(
            extra={
                "word/_rels/settings.xml.rels": rels(
                    ("attachedTemplate", "https://example.org/template.dotm", EXTERNAL)
                )
            }
        ),
        "Save a copy without the linked template",
    ),
    "linked picture": (
        "report.docx",
        office(
            extra={
                "word/_rels/document.xml.rels": rels(
                    ("image", "https://example.org/tracker.png", EXTERNAL)
                )
            }
        ),
        "fetches content from outside itself when it is opened",
    ),
    "embedded OLE object": (
        "report.docx",
        office(extra={"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"}),
        "has other files or objects embedded in it",
    ),
    "ActiveX control": (
        "report.docx",
        office(extra={"word/activeX/activeX1.xml": "<ax/>"}),
        "has other files or objects embedded in it",
    ),
    "workbook external links": (
        "figures.xlsx",
        office("xl/", extra={"xl/externalLinks/externalLink1.xml": "<externalLink/>"}),
        "links to other workbooks (external links)",
    ),
    "macro content type": (
        "report.docx",
        office(content_type=DOCM_MAIN),
        "is a macro-enabled file. Save it without macros",
    ),
    "vbaProject content type": (
        "report.docx",
        office(content_type="application/vnd.ms-office.vbaProject"),
        "is a macro-enabled file. Save it without macros",
    ),
    "vbaProject.bin": (
        "report.docx",
        office(extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}),
        "contains macros",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED), ids=list(REFUSED))
def test_an_office_file_that_runs_or_fetches_content_is_refused(client, cast, case):
    name, content, message = REFUSED[case]
    update = write_draft(client, cast)

    response = post_file(client, cast, update, name, content)

    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert message in page
    assert not Evidence.objects.exists()


def test_a_document_with_an_ordinary_web_link_is_accepted(client, cast):
    update = write_draft(client, cast)
    content = office(
        extra={
            "word/_rels/document.xml.rels": rels(
                (
                    "hyperlink",
                    "https://www.gov.uk/children-with-special-educational-needs",
                    EXTERNAL,
                ),
                ("styles", "styles.xml", ""),
            )
        }
    )

    response = post_file(client, cast, update, "report.docx", content)

    assert response.status_code == 302
    assert Evidence.objects.get().original_name == "report.docx"
