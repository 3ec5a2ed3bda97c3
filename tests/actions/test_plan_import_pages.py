"""The import and export pages as an officer uses them, and what others may not do."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from actions.models import ActionItem, Milestone, PlanImport
from tests.actions import workbooks


def url(cast, name, **kwargs):
    app = "board" if name.startswith("plan-export") else "actions"
    return reverse(
        f"{app}:{name}", kwargs={"area_slug": cast.area.slug, "plan_pk": cast.plan.pk, **kwargs}
    )


def upload(client, cast, content, name="wsoa.xlsx"):
    return client.post(url(cast, "plan-import"), {"spreadsheet": SimpleUploadedFile(name, content)})


@pytest.fixture
def officer(client, plan_cast):
    client.force_login(plan_cast.officer)
    return client


def test_an_officer_uploads_previews_and_imports_a_messy_plan(officer, plan_cast):
    response = upload(officer, plan_cast, workbooks.messy_plan())
    record = PlanImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(plan_cast, "plan-import-preview", uuid=record.uuid)

    page = officer.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert "Actions to add (4)" in text
    assert "Findings to link to the plan (2)" in text
    assert "‘March 2026’ is read as 31 March 2026" in text
    assert "Import 6 changes" in text
    assert ActionItem.objects.filter(plan=plan_cast.plan).count() == 1  # nothing yet

    done = officer.post(
        response["Location"], {"action": "import", "digest": page.context["analysis"].digest}
    )
    assert done.status_code == 302
    assert ActionItem.objects.filter(plan=plan_cast.plan).count() == 5
    record.refresh_from_db()
    assert record.state == PlanImport.State.IMPORTED
    assert bytes(record.content) == b""
    assert record.summary["actions_added"] == 4
    followed = officer.get(done["Location"])
    assert "Imported from wsoa.xlsx: 4 actions added, 2 findings linked to the plan." in (
        followed.content.decode()
    )


def test_a_bad_file_is_explained_on_the_upload_page(officer, plan_cast):
    response = upload(officer, plan_cast, b"%PDF-1.4 not a spreadsheet", name="plan.xlsx")
    assert response.status_code == 200
    assert (
        "The selected file must be a spreadsheet: an XLSX or CSV file" in response.content.decode()
    )
    assert 'class="govuk-error-summary' in response.content.decode()
    assert not PlanImport.objects.exists()


def test_the_preview_lists_problems_and_offers_no_import(officer, plan_cast):
    upload(officer, plan_cast, workbooks.messy_plan(due_14="soon"))
    page = officer.get(url(plan_cast, "plan-import-preview", uuid=PlanImport.objects.get().uuid))
    text = page.content.decode()
    assert "There is 1 problem in the file" in text
    assert "Sheet ‘WSOA’, row 14, column F: enter the due date as a date, like 31/3/2026" in text
    assert "Import " not in text.split("What the import will do")[1]


def test_a_stale_confirmation_imports_nothing(officer, plan_cast):
    upload(officer, plan_cast, workbooks.messy_plan())
    preview_url = url(plan_cast, "plan-import-preview", uuid=PlanImport.objects.get().uuid)
    digest = officer.get(preview_url).context["analysis"].digest
    plan_cast.action.title = "Changed by someone else"
    plan_cast.action.save()

    response = officer.post(preview_url, {"action": "import", "digest": digest})

    assert response.status_code == 409
    assert "Nothing was imported" in response.content.decode()
    assert ActionItem.objects.filter(plan=plan_cast.plan).count() == 1


def test_choosing_the_columns_when_the_portal_cannot_tell(officer, plan_cast):
    content = workbooks.csv_bytes(
        [
            ["No.", "What", "Who leads", "When by", "How we'll know", "Area of weakness"],
            [
                "1.2",
                "Publish the Local Offer",
                "Testshire Council",
                "31/3/2026",
                "Families use it",
                "1",
            ],
        ]
    )
    upload(officer, plan_cast, content, name="plan.csv")
    record = PlanImport.objects.get()
    preview = officer.get(url(plan_cast, "plan-import-preview", uuid=record.uuid))
    assert "The portal could not tell how to read this file" in preview.content.decode()
    columns_url = url(plan_cast, "plan-import-columns", uuid=record.uuid)

    refused = officer.post(
        columns_url,
        {
            "sheet0_kind": "actions",
            "sheet0_header_row": "1",
            "sheet0_col0": "ref",
            "sheet0_col1": "title",
        },
    )
    assert refused.status_code == 200
    assert "Choose which column of ‘CSV’ holds the due date" in refused.content.decode()

    saved = officer.post(
        columns_url,
        {
            "sheet0_kind": "actions",
            "sheet0_header_row": "1",
            "sheet0_col0": "ref",
            "sheet0_col1": "title",
            "sheet0_col2": "lead_organisation",
            "sheet0_col3": "due_date",
            "sheet0_col4": "success_criteria",
            "sheet0_col5": "finding",
        },
    )
    assert saved.status_code == 302
    page = officer.get(saved["Location"])
    analysis = page.context["analysis"]
    assert [str(p) for p in analysis.problems] == []
    assert [c.instance.ref for c in analysis.new_actions] == ["1.2"]


def test_export_then_reimport_changes_nothing(officer, plan_cast):
    upload(officer, plan_cast, workbooks.messy_plan())
    record = PlanImport.objects.get()
    preview_url = url(plan_cast, "plan-import-preview", uuid=record.uuid)
    officer.post(
        preview_url,
        {"action": "import", "digest": officer.get(preview_url).context["analysis"].digest},
    )
    Milestone.objects.create(
        action=plan_cast.action, title="=cmd|' /C calc'!A0", due_date="2025-09-30"
    )
    plan_cast.action.title = "+44 is not a formula"
    plan_cast.action.save()

    exported = officer.get(url(plan_cast, "plan-export-xlsx"))
    assert exported["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(exported.content))
    assert book.sheetnames == ["Actions", "Milestones"]
    milestone_cell = book["Milestones"]["B2"]
    assert (milestone_cell.value, milestone_cell.data_type) == ("=cmd|' /C calc'!A0", "s")

    again = upload(officer, plan_cast, exported.content, name="export.xlsx")
    page = officer.get(again["Location"])
    analysis = page.context["analysis"]
    assert [str(p) for p in analysis.problems] == []
    assert analysis.changes == []
    assert (analysis.unchanged_actions, analysis.unchanged_milestones) == (5, 1)

    escaped = {
        "plan-export-actions-csv": "'+44 is not a formula",
        "plan-export-milestones-csv": "'=cmd|' /C calc'!A0",
    }
    for name, cell in escaped.items():
        exported = officer.get(url(plan_cast, name))
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        flat = [cell for row in rows for cell in row]
        assert cell in flat
        assert not [cell for cell in flat if cell[:1] in ("=", "+", "-", "@")]
        again = upload(officer, plan_cast, exported.content, name=f"{name}.csv")
        analysis = officer.get(again["Location"]).context["analysis"]
        assert [str(p) for p in analysis.problems] == []
        assert analysis.changes == []


def test_two_officers_confirming_the_same_file_import_it_once(client, plan_cast):
    from django.test import Client

    olivia, ada = client, Client()
    olivia.force_login(plan_cast.officer)
    ada.force_login(plan_cast.area_admin)
    previews = []
    for person in (olivia, ada):
        response = upload(person, plan_cast, workbooks.messy_plan())
        previews.append((response["Location"], person.get(response["Location"])))
    (first_url, first), (second_url, second) = previews
    first_digest = first.context["analysis"].digest
    assert second.context["analysis"].digest == first_digest

    assert olivia.post(first_url, {"action": "import", "digest": first_digest}).status_code == 302
    history_rows = sum(a.history.count() for a in ActionItem.objects.all())
    late = ada.post(second_url, {"action": "import", "digest": first_digest})

    assert late.status_code == 409
    assert "Nothing was imported" in late.content.decode()
    assert "The file matches the plan: importing it would change nothing." in late.content.decode()
    assert ActionItem.objects.filter(plan=plan_cast.plan).count() == 5
    assert sum(a.history.count() for a in ActionItem.objects.all()) == history_rows


def test_abandoning_an_upload_forgets_the_file(officer, plan_cast):
    upload(officer, plan_cast, workbooks.messy_plan())
    record = PlanImport.objects.get()
    response = officer.post(
        url(plan_cast, "plan-import-preview", uuid=record.uuid), {"action": "discard"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.state, bytes(record.content)) == (PlanImport.State.DISCARDED, b"")
    assert ActionItem.objects.filter(plan=plan_cast.plan).count() == 1
    page = officer.get(url(plan_cast, "plan-import-preview", uuid=record.uuid))
    assert "This file was not imported." in page.content.decode()


def test_another_areas_officer_cannot_reach_an_upload(client, plan_cast):
    client.force_login(plan_cast.officer)
    upload_response = upload(client, plan_cast, workbooks.messy_plan())
    record = PlanImport.objects.get()
    other = plan_cast.outsider
    from inspections.models import Membership

    Membership.objects.filter(user=other).update(role=Membership.Role.OFFICER)
    client.force_login(other)
    # Under their own area's address, the upload still belongs to Testshire's plan.
    wrong = reverse(
        "actions:plan-import-preview",
        kwargs={"area_slug": "otherton", "plan_pk": plan_cast.other_plan.pk, "uuid": record.uuid},
    )
    assert client.get(wrong).status_code == 404
    assert client.get(upload_response["Location"]).status_code == 404


def test_the_template_reads_back_with_nothing_to_do(officer, plan_cast):
    template = officer.get(url(plan_cast, "plan-import-template"))
    book = load_workbook(io.BytesIO(template.content))
    assert book.sheetnames == ["Guidance", "Actions", "Milestones"]
    again = upload(officer, plan_cast, template.content, name="template.xlsx")
    analysis = officer.get(again["Location"]).context["analysis"]
    assert analysis.problems == []
    assert analysis.changes == []
