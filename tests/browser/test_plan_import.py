"""An officer moves a real-shaped plan in through the browser, and every page passes axe."""

import pytest
from playwright.sync_api import expect

from actions.models import ActionItem
from inspections.models import Organisation
from tests.actions import workbooks
from tests.factories import make_finding, make_organisation, make_partner

from .conftest import sign_in
from .test_accessibility import Checker

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def checker(page, live_server):
    return Checker(page, live_server.url)


@pytest.fixture
def plan_cast(cast):
    inspection = cast.plan.responds_to
    finding = cast.action.finding
    finding.text = "Weakness 1"
    finding.save()
    make_finding(inspection=inspection, number=2, text="Waiting times for therapy")
    make_finding(inspection=inspection, number=3, text="Quality of EHC plans")
    icb = make_organisation(
        slug="testshire-icb", name="NHS Testshire ICB", kind=Organisation.Kind.ICB
    )
    make_partner(area=cast.area, organisation=icb, order=1)
    cast.action.lead_officer = None
    cast.action.save()
    return cast


def test_an_officer_imports_a_messy_plan(checker, live_server, plan_cast):
    page = checker.page
    sign_in(page, live_server, "olivia")
    page.goto(f"{live_server.url}/board/testshire/")
    page.get_by_role("link", name="Import or export").first.click()
    expect(page.locator("h1")).to_contain_text("Import or export")
    checker.check("import page")

    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("alert")).to_contain_text("Select the spreadsheet to import")
    checker.check("import page with errors")

    upload = page.get_by_label("Upload the plan’s spreadsheet")
    upload.set_input_files(
        {"name": "wsoa.xlsx", "mimeType": XLSX, "buffer": workbooks.messy_plan(due_14="soon")}
    )
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Sheet ‘WSOA’, row 14, column F: enter the due date as a date, like 31/3/2026"
    )
    expect(page.get_by_role("button", name="Import", exact=False)).to_have_count(0)
    checker.check("preview with problems")

    page.get_by_role("link", name="Back to import or export").click()
    page.get_by_label("Upload the plan’s spreadsheet").set_input_files(
        {"name": "wsoa.xlsx", "mimeType": XLSX, "buffer": workbooks.messy_plan()}
    )
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("table", name="Actions to add (4)")).to_be_visible()
    checker.check("preview ready to import")
    page.get_by_role("link", name="Change how the sheets and columns are read").click()
    checker.check("columns page")
    page.get_by_role("group", name="Sheet ‘WSOA’").get_by_label(
        "Row number of the header row"
    ).fill("")
    page.get_by_role("button", name="Save and check the preview again").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the row number of the header row")
    checker.check("columns page with errors")
    page.get_by_role("link", name="Back to the preview").click()

    page.get_by_role("button", name="Import 6 changes").click()
    expect(
        page.get_by_role("alert").or_(page.locator(".govuk-notification-banner"))
    ).to_contain_text("Imported from wsoa.xlsx: 4 actions added, 2 findings linked to the plan.")
    assert ActionItem.objects.filter(plan=plan_cast.plan).count() == 5
    checker.check("My area after the import")
    checker.assert_clean()
