"""Taking a plan out as a spreadsheet that comes back in unchanged, and the blank template.

The workbook is laid out the way areas keep their plans (a title block, a
heading row for each finding with its actions beneath, then a Milestones
sheet), using the column headings in ``plan_columns``, so the importer
reads it back without any help: exporting and re-importing changes
nothing. Each row carries the record's version, so an import of an old
export cannot overwrite a change made in the portal since.

Text that a spreadsheet would run as a formula is stored as plain text
(XLSX) or escaped with an apostrophe (CSV); see ``kit.tabular``.
"""

import io

from django.utils import timezone
from django.utils.dateformat import format as format_date
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kit.history import person_name

from .models import ActionItem, DeliveryStatus, ImpactStatus, Milestone, PlanFinding
from .plan_columns import ACTION_COLUMNS, INFO_COLUMNS, MILESTONE_COLUMNS
from .services import findings_a_plan_must_address

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
SECTION_FILL = PatternFill("solid", fgColor="EEF2F7")
WIDTHS = {
    "ref": 8,
    "finding": 30,
    "title": 40,
    "description": 40,
    "lead_organisation": 28,
    "lead_officer": 20,
    "start_date": 12,
    "due_date": 12,
    "success_criteria": 40,
    "delivery_status": 14,
    "impact_status": 24,
    "public_summary": 40,
    "version": 10,
    "action_ref": 10,
    "completed_on": 14,
    "notes": 40,
}
WRAPPED = {
    "title",
    "description",
    "success_criteria",
    "public_summary",
    "notes",
    "latest_update",
    "latest_update_public",
}


def filename(plan, what, extension):
    return f"{plan.area.slug}-{plan.ref}-{what}.{extension}"


def plan_findings(plan):
    """The findings the plan addresses, or must address if none are linked yet, in order."""
    linked = [
        link.finding
        for link in PlanFinding.objects.filter(plan=plan)
        .select_related("finding")
        .order_by("finding__kind_rank", "finding__number")
    ]
    return linked or list(findings_a_plan_must_address(kind=plan.kind, inspection=plan.responds_to))


def finding_heading(finding):
    return f"{finding.get_kind_display()} {finding.number}: {finding.short_text}"


def plan_actions(plan):
    return list(
        ActionItem.objects.filter(plan=plan)
        .select_related("finding", "lead_organisation", "lead_officer")
        .order_by("finding__kind_rank", "finding__number", "ref")
    )


def plan_milestones(plan):
    return list(
        Milestone.objects.filter(action__plan=plan)
        .select_related("action")
        .order_by("action__ref", "due_date", "pk")
    )


def action_values(action, update, *, with_finding=False):
    """The cells of an action's row, keyed like the columns."""
    values = {
        "ref": action.ref,
        "title": action.title,
        "description": action.description,
        "lead_organisation": action.lead_organisation.name,
        "lead_officer": person_name(action.lead_officer),
        "start_date": action.start_date,
        "due_date": action.due_date,
        "success_criteria": action.success_criteria,
        "delivery_status": action.get_delivery_status_display(),
        "impact_status": action.get_impact_status_display(),
        "public_summary": action.public_summary,
        "version": action.version,
        "latest_update_period": update.period_end if update else None,
        "latest_update_state": update.get_state_display() if update else "",
        "latest_update": update.narrative if update else "",
        "latest_update_public": update.public_summary if update else "",
    }
    if with_finding:
        values["finding"] = str(action.finding)  # "Area of significant weakness 2"
    return values


def milestone_values(milestone):
    return {
        "action_ref": milestone.action.ref,
        "title": milestone.title,
        "due_date": milestone.due_date,
        "completed_on": milestone.completed_on,
        "notes": milestone.notes,
        "version": milestone.version,
    }


EXPORT_ACTION_COLUMNS = [c for c in ACTION_COLUMNS if c.key != "finding"] + INFO_COLUMNS


# --- XLSX ---------------------------------------------------------------------------


def _write(cell, value):
    """Write a value; text is always text, so '=...' is shown, never run."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(("=", "+", "-", "@")):
            cell.quotePrefix = True
    elif hasattr(value, "strftime"):
        cell.number_format = "dd/mm/yyyy"


def _header(sheet, row, columns):
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=row, column=index)
        _write(cell, column.heading)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(column.key, 24)
    sheet.freeze_panes = sheet.cell(row=row + 1, column=1)


def _row(sheet, row, columns, values):
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=row, column=index)
        _write(cell, values.get(column.key))
        cell.alignment = Alignment(wrap_text=column.key in WRAPPED, vertical="top")


def _status_lists(sheet, columns, first_row, last_row):
    for key, choices in (("delivery_status", DeliveryStatus), ("impact_status", ImpactStatus)):
        index = next(i for i, c in enumerate(columns, start=1) if c.key == key)
        letter = get_column_letter(index)
        validation = DataValidation(
            type="list",
            formula1='"' + ",".join(choices.labels) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Choose a status",
            error="Choose one of the statuses in the list.",
        )
        validation.add(f"{letter}{first_row}:{letter}{last_row}")
        sheet.add_data_validation(validation)


def _title_block(sheet, lines, width):
    for number, line in enumerate(lines, start=1):
        cell = sheet.cell(row=number, column=1)
        _write(cell, line)
        cell.font = Font(bold=number == 1, size=14 if number == 1 else 11)
        sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=width)
    return len(lines) + 2  # a blank row, then the header


def actions_sheet(sheet, plan, *, lines, actions=(), updates=None):
    columns = EXPORT_ACTION_COLUMNS
    header_row = _title_block(sheet, lines, len(columns))
    _header(sheet, header_row, columns)
    row = header_row + 1
    by_finding = {}
    for action in actions:
        by_finding.setdefault(action.finding_id, []).append(action)
    findings = plan_findings(plan)
    known = {f.pk for f in findings}
    findings += [a.finding for a in actions if a.finding_id not in known]
    for finding in {f.pk: f for f in findings}.values():
        cell = sheet.cell(row=row, column=1)
        _write(cell, finding_heading(finding))
        cell.font = Font(bold=True)
        for index in range(1, len(columns) + 1):
            sheet.cell(row=row, column=index).fill = SECTION_FILL
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(columns))
        row += 1
        for action in by_finding.get(finding.pk, []):
            _row(sheet, row, columns, action_values(action, (updates or {}).get(action.pk)))
            row += 1
    _status_lists(sheet, columns, header_row + 1, max(row + 200, header_row + 500))


def milestones_sheet(sheet, milestones=()):
    _header(sheet, 1, MILESTONE_COLUMNS)
    for number, milestone in enumerate(milestones, start=2):
        _row(sheet, number, MILESTONE_COLUMNS, milestone_values(milestone))


def guidance_sheet(sheet, plan):
    lines = [
        f"How to fill in this spreadsheet for {plan.title}",
        "",
        "Put each action on its own row of the Actions sheet, under the heading row of the "
        "finding it serves. Keep the heading rows: the import uses them to know which finding "
        "each action is for. You can add a heading row of your own as long as it starts with the "
        "finding's name, like ‘Area of significant weakness 2’.",
        "Dates can be Excel dates or typed like 31/3/2026 or 31 March 2026. A month on its own, "
        "like March 2026, is read as the last day of that month.",
        "Do not use formulas: the portal does not run them. Copy the cells and use Paste "
        "Special, Values instead.",
        "The import matches actions already in the portal by Ref, and milestones by their "
        "action's Ref and their text. It adds and changes; it never deletes.",
        "Before anything is saved you will see a preview of every change and every problem, "
        "with its row and column.",
        "",
        "The findings this plan addresses:",
        *[f"  {finding_heading(f)}" for f in plan_findings(plan)],
        "",
    ]
    for number, line in enumerate(lines, start=1):
        cell = sheet.cell(row=number, column=1)
        _write(cell, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 90
    row = len(lines) + 1
    for title, columns in (
        ("Actions sheet", [c for c in ACTION_COLUMNS if c.key != "finding"]),
        ("Milestones sheet", MILESTONE_COLUMNS),
    ):
        _write(sheet.cell(row=row, column=1), title)
        sheet.cell(row=row, column=1).font = Font(bold=True)
        row += 1
        for column in columns:
            _write(sheet.cell(row=row, column=1), column.heading)
            _write(sheet.cell(row=row, column=2), "Required" if column.required else "Optional")
            _write(sheet.cell(row=row, column=3), column.guidance)
            sheet.cell(row=row, column=3).alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
        row += 1


def _save(book):
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_workbook(plan, *, by, updates):
    """The plan with its actions, milestones and latest approved updates, as XLSX bytes.

    ``updates`` maps an action's id to its latest approved or published update
    (``progress.selectors.latest_reported_updates``): this module sits below
    the progress app, so whoever asks for the export supplies them.
    """
    book = Workbook()
    sheet = book.active
    sheet.title = "Actions"
    today = format_date(timezone.localdate(), "j F Y")
    actions_sheet(
        sheet,
        plan,
        lines=[
            plan.title,
            f"{plan.area.name}. Exported from the SEND Improvement Portal on {today} by "
            f"{person_name(by)}.",
            "Change what you need and import the file again. Keep Ref and Version as they are. "
            "The latest update columns are for reading only: they are not imported.",
        ],
        actions=plan_actions(plan),
        updates=updates,
    )
    milestones_sheet(book.create_sheet("Milestones"), plan_milestones(plan))
    return _save(book)


def template_workbook(plan):
    """A blank workbook for this plan, with guidance and a heading row for each finding."""
    book = Workbook()
    guidance = book.active
    guidance.title = "Guidance"
    guidance_sheet(guidance, plan)
    actions_sheet(
        book.create_sheet("Actions"),
        plan,
        lines=[plan.title, f"{plan.area.name}. Add each action under its finding's heading."],
    )
    milestones_sheet(book.create_sheet("Milestones"))
    return _save(book)


# --- CSV ----------------------------------------------------------------------------

CSV_ACTION_COLUMNS = ACTION_COLUMNS + INFO_COLUMNS


def _csv_cell(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def actions_csv_rows(plan, updates):
    header = [c.heading for c in CSV_ACTION_COLUMNS]
    rows = [
        [
            _csv_cell(action_values(action, updates.get(action.pk), with_finding=True)[c.key])
            for c in CSV_ACTION_COLUMNS
        ]
        for action in plan_actions(plan)
    ]
    return header, rows


def milestones_csv_rows(plan, updates=None):
    header = [c.heading for c in MILESTONE_COLUMNS]
    rows = [
        [_csv_cell(milestone_values(m)[c.key]) for c in MILESTONE_COLUMNS]
        for m in plan_milestones(plan)
    ]
    return header, rows
