"""Forms for bringing a plan in from a spreadsheet: the upload, and choosing how columns are read."""

import os

from django import forms
from django.conf import settings
from openpyxl.utils import get_column_letter

from kit.forms import PortalFormMixin

from .plan_columns import COLUMNS_BY_KEY, MILESTONE_COLUMNS
from .plan_import import REQUIRED, detect_layout, layout_from_mapping
from .spreadsheets import MAX_COLUMNS, UnsafeFile, read_spreadsheet


def display_filename(name):
    """The uploaded file's own name, for people to recognise; never used as a path."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>"')
    return name[-120:] or "spreadsheet"


class UploadForm(PortalFormMixin, forms.Form):
    spreadsheet = forms.FileField(
        label="Upload the plan’s spreadsheet",
        help_text="An Excel workbook (.xlsx) or a CSV file.",
        error_messages={"required": "Select the spreadsheet to import"},
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.csv,text/csv,application/vnd.openxmlformats-"
                "officedocument.spreadsheetml.sheet"
            }
        ),
    )

    submit_label = "Upload and preview"

    def clean_spreadsheet(self):
        upload = self.cleaned_data["spreadsheet"]
        if upload.size > settings.IMPORT_MAX_MB * 1024 * 1024:
            # Refused before a byte is read into memory.
            raise forms.ValidationError(
                f"The selected file must be smaller than {settings.IMPORT_MAX_MB} MB"
            )
        self.content = upload.read()
        self.filename = display_filename(upload.name)
        try:
            self.workbook = read_spreadsheet(self.content, self.filename)
        except UnsafeFile as error:
            raise forms.ValidationError(error.message.rstrip(".")) from error
        return upload


NOT_READ = ("", "Do not read this column")
KIND_CHOICES = [
    ("actions", "Actions (one row for each action)"),
    ("milestones", "Milestones (one row for each milestone)"),
    ("", "Do not read this sheet"),
]


def _column_choices(kind):
    columns = COLUMNS_BY_KEY[kind].values()
    return [NOT_READ] + [
        (c.key, c.heading if c.imported else f"{c.heading} (for information, not imported)")
        for c in columns
    ]


ALL_COLUMN_CHOICES = [NOT_READ] + [
    (key, label)
    for key, label in _column_choices("actions")[1:]
    + [(f"m:{c.key}", f"Milestones: {c.heading}") for c in MILESTONE_COLUMNS]
]


class ColumnsForm(forms.Form):
    """For each sheet: what it holds, which row is its header, and what each column means.

    Built from the workbook itself, one group of fields per sheet, so a
    person can say what the portal could not tell.
    """

    def __init__(self, *args, workbook, mapping, **kwargs):
        super().__init__(*args, **kwargs)
        self.workbook = workbook
        self.sheets = []
        for number, sheet in enumerate(workbook.sheets):
            layout = (
                layout_from_mapping(sheet, mapping[sheet.name])
                if sheet.name in mapping
                else detect_layout(sheet)
            )
            prefix = f"sheet{number}"
            self.fields[f"{prefix}_kind"] = forms.ChoiceField(
                label="What this sheet holds",
                choices=KIND_CHOICES,
                required=False,
                initial=layout.kind or "",
                widget=forms.RadioSelect,
            )
            self.fields[f"{prefix}_header_row"] = forms.IntegerField(
                label="Row number of the header row",
                help_text="The row that names the columns, like Ref, Action and Due date.",
                required=False,
                min_value=1,
                max_value=max(len(sheet.rows), 1),
                initial=layout.header_row,
                error_messages={
                    "min_value": "The header row must be a row number, like 5",
                    "max_value": f"The sheet has only {len(sheet.rows)} rows",
                    "invalid": "Enter the header row as a number, like 5",
                },
                widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-4"}),
            )
            width = min(max((len(r) for r in sheet.rows[:60]), default=0), MAX_COLUMNS)
            header = sheet.rows[layout.header_row - 1] if layout.header_row else []
            columns = []
            for index in range(width):
                letter = get_column_letter(index + 1)
                heading = header[index] if index < len(header) else None
                name = f"{prefix}_col{index}"
                key = layout.columns.get(index, "")
                self.fields[name] = forms.ChoiceField(
                    label=f"Column {letter}",
                    choices=ALL_COLUMN_CHOICES,
                    required=False,
                    initial=(f"m:{key}" if layout.kind == "milestones" and key else key),
                    widget=forms.Select(attrs={"class": "govuk-select"}),
                )
                columns.append((letter, "" if heading is None else str(heading), name))
            self.sheets.append(
                {"name": sheet.name, "prefix": prefix, "columns": columns, "sheet": sheet}
            )

    def sheet_fields(self):
        """Bound fields grouped by sheet, for the template."""
        return [
            {
                "name": s["name"],
                "kind": self[f"{s['prefix']}_kind"],
                "header_row": self[f"{s['prefix']}_header_row"],
                "columns": [
                    (letter, heading, self[name]) for letter, heading, name in s["columns"]
                ],
            }
            for s in self.sheets
        ]

    def clean(self):
        cleaned = super().clean()
        self.mapping = {}
        for s in self.sheets:
            prefix = s["prefix"]
            kind = cleaned.get(f"{prefix}_kind") or ""
            header_row = cleaned.get(f"{prefix}_header_row")
            chosen = {}
            for index, (_letter, _heading, name) in enumerate(s["columns"]):
                value = cleaned.get(name) or ""
                if not value or not kind:
                    continue
                if value.startswith("m:") != (kind == "milestones"):
                    self.add_error(
                        name,
                        f"Choose what column {_letter} holds in a sheet of {kind}, or do not "
                        "read it",
                    )
                    continue
                chosen[index] = value.removeprefix("m:")
            if kind:
                if not header_row and f"{prefix}_header_row" not in self.errors:
                    self.add_error(f"{prefix}_header_row", "Enter the row number of the header row")
                keys = list(chosen.values())
                for key in REQUIRED[kind]:
                    if key not in keys:
                        heading = COLUMNS_BY_KEY[kind][key].heading
                        self.add_error(
                            f"{prefix}_kind",
                            f"Choose which column of ‘{s['name']}’ holds the {heading.lower()}",
                        )
                for index, key in chosen.items():
                    if keys.count(key) > 1:
                        letter = get_column_letter(index + 1)
                        heading = COLUMNS_BY_KEY[kind][key].heading
                        self.add_error(
                            f"{prefix}_col{index}",
                            f"Column {letter}: only one column can hold the {heading.lower()}",
                        )
            self.mapping[s["name"]] = {
                "kind": kind,
                "header_row": header_row if kind else None,
                "columns": {str(i): key for i, key in chosen.items()},
            }
        for name in self.errors:
            if name in self.fields and isinstance(self.fields[name].widget, forms.Select):
                self.fields[name].widget.attrs["class"] = "govuk-select govuk-select--error"
        return cleaned
