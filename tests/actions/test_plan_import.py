"""Reading real-shaped action-plan spreadsheets: the preview, its messages, and the write."""

import datetime

import pytest

from actions.models import ActionItem, Milestone, PlanFinding
from actions.plan_import import PreviewOutOfDate, analyse, apply
from actions.spreadsheets import read_spreadsheet
from tests.actions import workbooks
from tests.factories import make_finding

D = datetime.date


def preview(plan, content, filename="plan.xlsx", columns=None):
    return analyse(plan, read_spreadsheet(content, filename), columns)


def messages(analysis):
    return [str(p) for p in analysis.problems]


def test_it_reads_a_messy_plan_with_title_block_sections_merged_cells_and_text_dates(plan_cast):
    analysis = preview(plan_cast.plan, workbooks.messy_plan())

    assert messages(analysis) == []
    assert not analysis.needs_columns
    [layout] = [layout for layout in analysis.layouts if layout.kind]
    assert (layout.sheet, layout.header_row) == ("WSOA", 5)
    assert {name for name, _why in analysis.skipped_sheets} == {"Cover", "Key"}
    new = {change.instance.ref: change.instance for change in analysis.new_actions}
    assert sorted(new) == ["1.2", "2.1", "2.2", "3.1"]
    assert new["1.2"].finding == plan_cast.finding1
    assert new["1.2"].lead_officer == plan_cast.officer
    assert (new["1.2"].start_date, new["1.2"].due_date) == (D(2024, 10, 1), D(2025, 6, 30))
    assert new["1.2"].delivery_status == "on_track"
    assert new["2.1"].finding == plan_cast.finding2
    assert new["2.1"].lead_organisation == plan_cast.icb
    assert new["2.1"].start_date == D(2024, 10, 1)
    assert new["2.1"].due_date == D(2026, 3, 31)  # "March 2026": the end of the month
    assert new["2.2"].lead_organisation == plan_cast.icb  # merged down from row 10
    assert new["2.2"].due_date == D(2025, 12, 31)
    assert new["2.2"].delivery_status == "at_risk"
    assert new["3.1"].finding == plan_cast.finding3
    assert new["3.1"].delivery_status == "off_track"
    assert analysis.unchanged_actions == 1  # 1.1 is as the portal has it
    assert [change.label for change in analysis.links] == [
        "Area of significant weakness 2",
        "Area of significant weakness 3",
    ]
    assert [str(w) for w in analysis.warnings] == [
        "Sheet ‘WSOA’, row 10, column F: ‘March 2026’ is read as 31 March 2026, "
        "the end of that month"
    ]
    assert analysis.can_import


def test_it_explains_each_problem_by_row_and_column_in_plain_english(plan_cast):
    content = workbooks.csv_bytes(
        [
            [
                "Ref",
                "Finding",
                "Action",
                "Lead organisation",
                "Due date",
                "Success criteria",
                "Delivery status",
            ],
            [
                "1.2",
                "Area of weakness 1",
                "Publish the Local Offer",
                "Testshire Council",
                "next spring",
                "Families use it",
                "On track",
            ],
            ["1.3", "Area of weakness 1", "", "Testshire Council", "31/3/2026", "x", ""],
            ["1.4", "Area of weakness 9", "An action", "Testshire Council", "31/3/2026", "x", ""],
            ["1.5", "Area of weakness 1", "An action", "The Moon", "31/3/2026", "x", "Purple"],
            ["1.2", "Area of weakness 1", "Again", "Testshire Council", "31/3/2026", "x", ""],
            ["1.6", "Area of weakness 1", "An action", "Testshire Council", "=TODAY()+30", "", ""],
        ]
    )
    analysis = preview(plan_cast.plan, content, "plan.csv")

    assert messages(analysis) == [
        "Row 2, column E: enter the due date as a date, like 31/3/2026",
        "Row 3, column C: enter what the action is",
        "Row 4, column B: ‘Area of weakness 9’ is not one of the findings this plan "
        "addresses: name it by number, like ‘Area of significant weakness 2’",
        "Row 5, column D: ‘The Moon’ is not one of this area's partners: use NHS Testshire ICB "
        "or Testshire Council",
        "Row 5, column G: ‘Purple’ is not a delivery status: use Not started, On track, At "
        "risk, Off track or Delivered (or Red, Amber, Green and Blue)",
        "Row 6, column A: the reference 1.2 is also used in row 2: give each action its own",
        "Row 7, column E: this cell holds a formula (=TODAY()+30), which the portal does not "
        "run: replace it with its value (copy the cells, then use Paste Special, Values)",
        "Row 7, column F: enter the success criteria: how everyone will know the action has worked",
    ]
    assert not analysis.can_import


def test_an_import_writes_everything_with_history_and_a_reimport_changes_nothing(plan_cast):
    content = workbooks.messy_plan()
    analysis = preview(plan_cast.plan, content)
    workbook = read_spreadsheet(content, "wsoa.xlsx")
    untouched_history = plan_cast.action.history.count()

    apply(
        plan_cast.plan,
        workbook,
        None,
        by=plan_cast.officer,
        filename="wsoa.xlsx",
        expected_digest=analysis.digest,
    )

    assert set(plan_cast.plan.actions.values_list("ref", flat=True)) == {
        "1.1",
        "1.2",
        "2.1",
        "2.2",
        "3.1",
    }
    assert set(
        PlanFinding.objects.filter(plan=plan_cast.plan).values_list("finding__number", flat=True)
    ) == {1, 2, 3}
    for action in plan_cast.plan.actions.exclude(ref="1.1"):
        [record] = action.history.all()
        assert (record.history_user, record.history_change_reason) == (
            plan_cast.officer,
            "Imported from wsoa.xlsx",
        )
    link = PlanFinding.objects.get(plan=plan_cast.plan, finding=plan_cast.finding2)
    assert link.history.get().history_change_reason == "Imported from wsoa.xlsx"
    assert plan_cast.action.history.count() == untouched_history  # 1.1 was unchanged

    again = preview(plan_cast.plan, content)
    assert again.changes == []
    assert again.unchanged_actions == 5
    assert not again.can_import


def test_a_corrected_file_updates_in_place_and_bumps_the_version(plan_cast):
    content = workbooks.messy_plan()
    analysis = preview(plan_cast.plan, content)
    apply(
        plan_cast.plan,
        read_spreadsheet(content, "a.xlsx"),
        None,
        by=plan_cast.officer,
        filename="a.xlsx",
        expected_digest=analysis.digest,
    )
    corrected = workbooks.messy_plan(due_14="30/6/2026")

    analysis = preview(plan_cast.plan, corrected)
    [change] = analysis.changed_actions
    assert [(f.label, f.before, f.after) for f in change.fields] == [
        ("Due date", "31 March 2026", "30 June 2026")
    ]
    apply(
        plan_cast.plan,
        read_spreadsheet(corrected, "b.xlsx"),
        None,
        by=plan_cast.officer,
        filename="b.xlsx",
        expected_digest=analysis.digest,
    )

    action = ActionItem.objects.get(plan=plan_cast.plan, ref="3.1")
    assert (action.due_date, action.version) == (D(2026, 6, 30), 2)
    assert action.history.first().history_change_reason == "Imported from b.xlsx"
    assert ActionItem.objects.filter(plan=plan_cast.plan).count() == 5


def test_one_bad_row_means_nothing_is_written(plan_cast):
    content = workbooks.messy_plan(due_14="whenever")
    analysis = preview(plan_cast.plan, content)
    assert messages(analysis) == [
        "Sheet ‘WSOA’, row 14, column F: enter the due date as a date, like 31/3/2026"
    ]
    before = ActionItem.objects.count(), PlanFinding.objects.count()

    with pytest.raises(PreviewOutOfDate):
        apply(
            plan_cast.plan,
            read_spreadsheet(content, "a.xlsx"),
            None,
            by=plan_cast.officer,
            filename="a.xlsx",
            expected_digest=analysis.digest,
        )

    assert (ActionItem.objects.count(), PlanFinding.objects.count()) == before


def test_a_change_made_after_the_preview_stops_the_import(plan_cast):
    content = workbooks.messy_plan()
    analysis = preview(plan_cast.plan, content)
    plan_cast.action.title = "Renamed while the preview was open"
    plan_cast.action.save()

    with pytest.raises(PreviewOutOfDate):
        apply(
            plan_cast.plan,
            read_spreadsheet(content, "a.xlsx"),
            None,
            by=plan_cast.officer,
            filename="a.xlsx",
            expected_digest=analysis.digest,
        )

    assert plan_cast.plan.actions.count() == 1


def test_milestones_sheet_is_matched_to_actions_by_ref(plan_cast):
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(workbooks.messy_plan()))
    sheet = book.create_sheet("Milestones")
    sheet.append(["Action ref", "Milestone", "Due date", "Completed on", "Notes"])
    sheet.append(["1.1", "Draft agreed", "30/9/2025", "12/9/2025", ""])
    sheet.append(["2.1", "Therapists recruited", "31/12/2025", "", "Advert out"])
    sheet.append(["9.9", "Nothing", "31/12/2025", "", ""])
    content = workbooks.xlsx_bytes(book)

    analysis = preview(plan_cast.plan, content)
    assert messages(analysis) == [
        "Sheet ‘Milestones’, row 4, column A: there is no action 9.9 in this plan or in the file"
    ]
    book["Milestones"].delete_rows(4)
    content = workbooks.xlsx_bytes(book)
    analysis = preview(plan_cast.plan, content)
    apply(
        plan_cast.plan,
        read_spreadsheet(content, "a.xlsx"),
        None,
        by=plan_cast.officer,
        filename="a.xlsx",
        expected_digest=analysis.digest,
    )

    milestones = Milestone.objects.filter(action__plan=plan_cast.plan).order_by("due_date")
    assert [(m.action.ref, m.title, m.completed_on) for m in milestones] == [
        ("1.1", "Draft agreed", D(2025, 9, 12)),
        ("2.1", "Therapists recruited", None),
    ]
    assert preview(plan_cast.plan, content).changes == []


def run_import_plan(path, plan="wsoa-2018-inspection", **options):
    """Run the command as an administrator would; returns (stdout, stderr)."""
    from io import StringIO

    from django.core.management import call_command

    out, err = StringIO(), StringIO()
    call_command(
        "import_plan",
        str(path),
        area="testshire",
        plan=plan,
        user="olivia",
        stdout=out,
        stderr=err,
        **options,
    )
    return out.getvalue(), err.getvalue()


def test_the_command_uses_the_same_checks_and_writes(plan_cast, tmp_path):
    from django.core.management import CommandError

    assert plan_cast.plan.ref == "wsoa-2018-inspection"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbooks.messy_plan(due_14="soon"))
    with pytest.raises(CommandError, match="1 problem in the file; nothing was imported"):
        run_import_plan(bad)
    assert plan_cast.plan.actions.count() == 1

    good = tmp_path / "wsoa.xlsx"
    good.write_bytes(workbooks.messy_plan())
    out, _ = run_import_plan(good, dry_run=True)
    assert "Action to add: 1.2 Publish a clear Local Offer" in out
    assert plan_cast.plan.actions.count() == 1

    run_import_plan(good)
    assert plan_cast.plan.actions.count() == 5
    record = ActionItem.objects.get(plan=plan_cast.plan, ref="3.1").history.get()
    assert (record.history_user, record.history_change_reason) == (
        plan_cast.officer,
        "Imported from wsoa.xlsx",
    )
    out, _ = run_import_plan(good)
    assert "nothing to change" in out

    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(CommandError, match="must be a spreadsheet"):
        run_import_plan(tmp_path / "x.pdf")
    with pytest.raises(CommandError, match="no plan"):
        run_import_plan(good, plan="no-such-plan")


def test_the_documentation_describes_every_column():
    from pathlib import Path

    from actions.plan_columns import ACTION_COLUMNS, INFO_COLUMNS, MILESTONE_COLUMNS

    text = (Path(__file__).parents[2] / "docs" / "plan-spreadsheets.md").read_text()
    for column in ACTION_COLUMNS + INFO_COLUMNS + MILESTONE_COLUMNS:
        assert column.heading in text
        assert column.guidance in text


def test_an_old_export_cannot_overwrite_a_newer_change(plan_cast):
    content = workbooks.csv_bytes(
        [
            [
                "Ref",
                "Finding",
                "Action",
                "Lead organisation",
                "Due date",
                "Success criteria",
                "Version (do not change)",
            ],
            [
                "1.1",
                "Area of significant weakness 1",
                "Action 1.1",
                "Testshire Council",
                "2027-03-31",
                "Families notice the difference.",
                "1",
            ],
        ]
    )
    plan_cast.action.version = 4  # three saves in the portal since version 1 was exported
    plan_cast.action.save()

    analysis = preview(plan_cast.plan, content, "old-export.csv")

    assert messages(analysis) == [
        "Row 2, column G: action 1.1 has been changed in the portal since this file was "
        "exported: export the plan again and make your changes in the new file, so theirs "
        "are not lost"
    ]


def test_unknown_people_and_stray_notes_are_things_to_check_not_problems(plan_cast):
    content = workbooks.messy_plan(
        extra_rows=[
            [],
            [
                "3.2",
                "Train staff",
                "Testshire Council",
                "Nobody Known",
                "",
                "30/6/2026",
                "Staff trained",
                "",
            ],
            [],
            ["Key: RAG colours are explained on the Key sheet"],
        ]
    )
    analysis = preview(plan_cast.plan, content)

    assert messages(analysis) == []
    assert [str(w) for w in analysis.warnings][1:] == [  # after the month read as its end
        "Sheet ‘WSOA’, row 16, column D: nobody called ‘Nobody Known’ is a member of this "
        "area, so the lead officer is left as it is; add them as a member and import again "
        "to name them",
        "Sheet ‘WSOA’, row 18: ‘Key: RAG colours are explained on the Key sheet’ was not "
        "read: it is not an action and does not name one of this plan's findings",
    ]
    new = {c.instance.ref: c.instance for c in analysis.new_actions}
    assert new["3.2"].lead_officer is None


def test_a_heading_that_names_no_finding_stops_the_actions_under_it(plan_cast):
    content = workbooks.csv_bytes(
        [
            ["Ref", "Action", "Lead organisation", "Due date", "Success criteria"],
            ["Housing and transport"],
            ["9.1", "Review transport", "Testshire Council", "31/3/2026", "Fewer complaints"],
        ]
    )
    analysis = preview(plan_cast.plan, content, "plan.csv")

    assert messages(analysis) == [
        "Row 3: the heading in row 2 (‘Housing and transport’) does not name one of the "
        "findings this plan addresses: start it with the finding's number, like ‘Area of "
        "significant weakness 2’"
    ]


def test_under_the_2023_framework_a_number_alone_is_ambiguous(cast):
    from actions.models import Plan
    from tests.factories import make_inspection, make_plan

    inspection = make_inspection(area=cast.area, ref="2024-full", framework="2023", kind="full")
    make_finding(inspection=inspection, number=1, kind="area_for_priority_action", text="Waits")
    make_finding(inspection=inspection, number=1, kind="area_for_improvement", text="Advice")
    plan = make_plan(inspection=inspection, kind=Plan.Kind.PRIORITY_ACTION, ref="pap")
    header = ["Ref", "Finding", "Action", "Lead organisation", "Due date", "Success criteria"]
    row = ["1", "Testshire Council", "31/3/2026", "Shorter waits"]

    analysis = preview(
        plan, workbooks.csv_bytes([header, [row[0], "1", "Cut waits", *row[1:]]]), "p.csv"
    )
    assert messages(analysis) == [
        "Row 2, column B: ‘1’ is not one of the findings this plan addresses: say which kind "
        "of finding it is, like ‘Area for priority action 1’ or ‘Area for improvement 1’"
    ]
    analysis = preview(
        plan,
        workbooks.csv_bytes(
            [
                header,
                [row[0], "AfPA 1", "Cut waits", *row[1:]],
                ["2", "Area for improvement 1", "Advise", *row[1:]],
            ]
        ),
        "p.csv",
    )
    assert messages(analysis) == []
    assert [c.instance.finding.kind for c in analysis.new_actions] == [
        "area_for_priority_action",
        "area_for_improvement",
    ]
