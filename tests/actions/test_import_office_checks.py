"""The plan import refuses, on its upload page, workbooks holding what runs or fetches content.

The same checks as evidence uploads (kit/zipsafety.py), in the import's own words.
"""

import pytest

from actions.models import PlanImport
from tests.actions import workbooks
from tests.actions.test_plan_import_pages import upload

pytestmark = pytest.mark.django_db

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def rels(kind, target, mode=' TargetMode="External"'):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId9" Type="{R}{kind}" Target="{target}"{mode}/></Relationships>'
    )


REFUSED = {
    "macros": (
        workbooks.add_member(workbooks.messy_plan(), "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0"),
        "contains macros. Save it as an Excel Workbook (.xlsx)",
    ),
    "external links": (
        workbooks.add_member(
            workbooks.messy_plan(), "xl/externalLinks/externalLink1.xml", "<externalLink/>"
        ),
        "links to other workbooks (external links). Break the links",
    ),
    "embedded object": (
        workbooks.add_member(
            workbooks.messy_plan(), "xl/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0"
        ),
        "has other files or objects embedded in it",
    ),
    "linked data source": (
        workbooks.add_member(
            workbooks.messy_plan(),
            "xl/worksheets/_rels/sheet1.xml.rels",
            rels("oleObject", "file:///C:/data/source.xlsx"),
        ),
        "fetches content from outside itself when it is opened",
    ),
    "path traversal": (
        workbooks.add_member(workbooks.messy_plan(), "../../outside.xml", "<x/>"),
        "points outside the workbook",
    ),
}


@pytest.fixture
def officer(client, plan_cast):
    client.force_login(plan_cast.officer)
    return client


@pytest.mark.parametrize("case", list(REFUSED), ids=list(REFUSED))
def test_the_upload_page_explains_the_refusal(officer, plan_cast, case):
    content, message = REFUSED[case]

    response = upload(officer, plan_cast, content)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="govuk-error-summary' in page
    assert message in page
    assert not PlanImport.objects.exists()
