"""Bringing an action plan in from a spreadsheet: read, explain, then write all or nothing.

``analyse`` reads a workbook (see ``spreadsheets.read_spreadsheet``) against
a plan and says, without writing anything, what an import would do: the
actions and milestones it would add or change (matched by reference), the
findings it would link, and every problem with its sheet, row and column
in plain English. It copes with plans as areas really keep them:

* a title block above the header row (the header row is found by its
  headings, or chosen by the person importing);
* a heading row for each area of weakness with its actions beneath (or a
  Finding column); a heading names its finding by number, like "Area of
  weakness 2", or by its wording;
* cells merged down several rows (read as repeated in each);
* dates typed as text ("31/3/2026", "31 March 2026", "March 2026") or
  stored as Excel dates;
* several sheets: each is read as actions, as milestones, or not at all.

``apply`` runs the same analysis again inside one transaction, with the
plan's row locked, and writes only if the result is exactly what the person
previewed (compared by digest); otherwise it raises ``PreviewOutOfDate``.
Every record written gets a history row with the importing user and the
reason "Imported from FILENAME"; the actions and milestones are written in
bulk (``kit.versioning.bulk_save_with_history``), in the same number of
queries whatever the size of the file. An import never deletes: actions
missing from the file are left as they are and the preview says so.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.expressions import DatabaseDefault
from openpyxl.utils import get_column_letter

from inspections.forms import partner_queryset
from inspections.models import Finding
from kit.history import name_of, show_value
from kit.versioning import EditConflict, bulk_save_with_history, save_with_history

from .models import ActionItem, Milestone, Plan, PlanFinding
from .plan_columns import (
    COLUMNS_BY_KEY,
    STATUS_HINTS,
    NotADate,
    normalise_heading,
    parse_date,
    parse_status,
    recognise,
)
from .services import findings_a_plan_must_address
from .spreadsheets import Formula


def _limit(model, name):
    """The most characters ``model.name`` takes (the model's own limit)."""
    return model._meta.get_field(name).max_length


HEADER_SEARCH_ROWS = 30
# Related records come from the analysis's own lookups (one query each), so
# per-row checks leave them out rather than query the database for every row.
FOREIGN_KEYS = ("plan", "finding", "lead_organisation", "lead_officer", "action")
REQUIRED = {
    "actions": ("ref", "title", "due_date", "success_criteria"),
    "milestones": ("action_ref", "title", "due_date"),
}


class PreviewOutOfDate(Exception):
    """The plan or the file changed between the preview and the confirmation."""


@dataclass
class Problem:
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str = ""  # what the cell says, for the person to find it
    show_sheet: bool = False

    @property
    def where(self):
        parts = []
        if self.sheet and self.show_sheet:
            parts.append(f"Sheet ‘{self.sheet}’")
        if self.row:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        text = ", ".join(parts)
        return text[:1].upper() + text[1:]

    def __str__(self):
        if self.where:
            return f"{self.where}: {self.message}"
        return self.message[:1].upper() + self.message[1:]


@dataclass
class Layout:
    """How one sheet is read: its table kind, header row and which column holds what."""

    sheet: str
    kind: str | None  # "actions", "milestones" or None (not read)
    header_row: int | None = None
    columns: dict = field(default_factory=dict)  # 0-based column index -> key
    headings: dict = field(default_factory=dict)  # 0-based column index -> heading text
    chosen: bool = False  # set by the person importing rather than detected

    def column_letter(self, key):
        for index, column_key in self.columns.items():
            if column_key == key:
                return get_column_letter(index + 1)
        return None

    @property
    def unread(self):
        return [
            (get_column_letter(i + 1), text)
            for i, text in sorted(self.headings.items())
            if i not in self.columns
        ]

    @property
    def read(self):
        kind_columns = COLUMNS_BY_KEY.get(self.kind, {})
        return [
            (get_column_letter(i + 1), self.headings.get(i, ""), kind_columns[key])
            for i, key in sorted(self.columns.items())
        ]


@dataclass
class FieldChange:
    label: str
    before: str
    after: str
    name: str = ""  # the model field, for the write


@dataclass
class Change:
    what: str  # "action", "milestone" or "finding link"
    label: str
    sheet: str | None
    row: int | None
    instance: object
    fields: list = field(default_factory=list)  # FieldChange
    is_new: bool = True


@dataclass
class Analysis:
    plan: Plan
    layouts: list = field(default_factory=list)
    skipped_sheets: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    needs_columns: list = field(default_factory=list)  # why the column form is needed
    links: list = field(default_factory=list)
    action_changes: list = field(default_factory=list)
    milestone_changes: list = field(default_factory=list)
    unchanged_actions: int = 0
    unchanged_milestones: int = 0
    not_in_file: list = field(default_factory=list)  # refs of actions left as they are

    @property
    def changes(self):
        return self.links + self.action_changes + self.milestone_changes

    @property
    def new_actions(self):
        return [c for c in self.action_changes if c.is_new]

    @property
    def changed_actions(self):
        return [c for c in self.action_changes if not c.is_new]

    @property
    def new_milestones(self):
        return [c for c in self.milestone_changes if c.is_new]

    @property
    def changed_milestones(self):
        return [c for c in self.milestone_changes if not c.is_new]

    @property
    def can_import(self):
        return not self.problems and not self.needs_columns and bool(self.changes)

    @property
    def digest(self):
        """A fingerprint of exactly what would be written, to match a confirmation to its preview."""
        payload = [
            (c.what, c.label, c.is_new, [(f.label, f.before, f.after) for f in c.fields])
            for c in self.changes
        ]
        return hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()


def _text(value):
    if value is None:
        return ""
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, float):
        return f"{value:g}"
    if hasattr(value, "strftime"):
        return f"{value.day}/{value.month}/{value.year}"
    return str(value).strip()


# --- Finding the table ----------------------------------------------------


def _read_header(kind, texts):
    columns, seen = {}, set()
    for index, text in texts.items():
        key = recognise(kind, text)
        if key and key not in seen:
            columns[index] = key
            seen.add(key)
    imported = {k for k in seen if COLUMNS_BY_KEY[kind][k].imported}
    if kind == "actions" and not ({"title", "ref"} & imported and len(imported) >= 3):
        return 0, columns
    if kind == "milestones" and not ({"action_ref", "title"} <= imported):
        return 0, columns
    return len(imported), columns


def detect_layout(sheet):
    """Find the header row of a sheet and what its columns hold, or return a layout of kind None.

    Each of the first rows is read as the header of an actions table and of a
    milestones table; the row and kind that recognise the most columns win
    (an actions table with a "Milestones" column is still an actions table).
    """
    best = None
    for number, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS], start=1):
        texts = {i: v for i, v in enumerate(row) if isinstance(v, str)}
        if len(texts) < 2:
            continue
        for kind in ("actions", "milestones"):
            score, columns = _read_header(kind, texts)
            if score and (best is None or score > best[0]):
                best = (score, number, kind, columns, texts)
    if best is None:
        return Layout(sheet=sheet.name, kind=None)
    _score, number, kind, columns, texts = best
    return Layout(
        sheet=sheet.name,
        kind=kind,
        header_row=number,
        columns=columns,
        headings={i: str(v) for i, v in texts.items()},
    )


def layout_from_mapping(sheet, mapping):
    """A layout the person chose on the column form."""
    header_row = mapping.get("header_row") or None
    kind = mapping.get("kind") or None
    headings = {}
    if header_row and header_row <= len(sheet.rows):
        headings = {i: _text(v) for i, v in enumerate(sheet.rows[header_row - 1]) if v is not None}
    columns = {
        int(i): key
        for i, key in (mapping.get("columns") or {}).items()
        if kind and key in COLUMNS_BY_KEY[kind]
    }
    return Layout(
        sheet=sheet.name,
        kind=kind if header_row else None,
        header_row=header_row,
        columns=columns,
        headings=headings,
        chosen=True,
    )


def check_layout(layout, analysis):
    if layout.kind is None:
        return
    keys = list(layout.columns.values())
    for key in REQUIRED[layout.kind]:
        if key not in keys:
            if layout.kind == "actions" and key == "lead_organisation":
                continue
            column = COLUMNS_BY_KEY[layout.kind][key]
            analysis.needs_columns.append(
                f"In the sheet ‘{layout.sheet}’, no column is read as ‘{column.heading}’."
            )
    duplicates = {key for key in keys if keys.count(key) > 1}
    for key in sorted(duplicates):
        letters = [get_column_letter(i + 1) for i, k in sorted(layout.columns.items()) if k == key]
        analysis.needs_columns.append(
            f"In the sheet ‘{layout.sheet}’, columns {' and '.join(letters)} are both read as "
            f"‘{COLUMNS_BY_KEY[layout.kind][key].heading}’: choose one."
        )


# --- Findings -------------------------------------------------------------

KIND_WORDS = (
    ("improvement", Finding.Kind.IMPROVEMENT),
    ("afi", Finding.Kind.IMPROVEMENT),
    ("priority", Finding.Kind.PRIORITY_ACTION),
    ("afpa", Finding.Kind.PRIORITY_ACTION),
    ("weakness", Finding.Kind.SIGNIFICANT_WEAKNESS),
    ("aow", Finding.Kind.SIGNIFICANT_WEAKNESS),
    ("asw", Finding.Kind.SIGNIFICANT_WEAKNESS),
)


class FindingMatcher:
    """Names a plan's finding from a heading or a cell such as 'Area of weakness 2: ...'."""

    def __init__(self, findings):
        self.findings = findings
        self.cache = {}

    def match(self, text):
        if text not in self.cache:
            self.cache[text] = self._match(text)
        return self.cache[text]

    def _match(self, text):
        plain = normalise_heading(text)
        kinds = {kind for word, kind in KIND_WORDS if re.search(rf"\b{word}", plain)}
        number = re.search(r"(?<![\d.])(\d{1,2})(?![\d.]*\d{3})", plain[:60])
        candidates = [f for f in self.findings if not kinds or f.kind in kinds]
        if number:
            numbered = [f for f in candidates if f.number == int(number[1])]
            if len(numbered) == 1:
                return numbered[0], None
            if len(numbered) > 1:
                return None, (
                    "say which kind of finding it is, like ‘Area for priority action "
                    f"{number[1]}’ or ‘Area for improvement {number[1]}’"
                )
        worded = [
            f
            for f in candidates
            if len(plain) >= 15
            and (normalise_heading(f.text) in plain or plain in normalise_heading(f.text))
        ]
        if len(worded) == 1:
            return worded[0], None
        return None, None


# --- Reading rows -----------------------------------------------------------


@dataclass
class Row:
    sheet: str
    number: int
    cells: dict  # key -> value
    letters: dict  # key -> column letter
    finding: Finding | None = None
    finding_problem: str | None = None
    finding_letter: str | None = None


def _is_ref_like(value):
    return bool(re.fullmatch(r"[A-Za-z]{0,4}\s?\d+([.\-/]\d+)*[a-z]?", _text(value)))


def read_rows(sheet, layout, matcher, analysis):
    """The rows of a table, each with the finding it falls under (for actions)."""
    return _RowReader(sheet, layout, matcher, analysis).read()


class _RowReader:
    """Reads one table's rows in order, following the headings that name findings."""

    def __init__(self, sheet, layout, matcher, analysis):
        self.sheet = sheet
        self.layout = layout
        self.matcher = matcher
        self.analysis = analysis
        self.headings = {i: normalise_heading(v) for i, v in layout.headings.items()}
        self.normalised = {}  # cell text -> normalise_heading(text)
        self.title_index = next((i for i, k in layout.columns.items() if k == "title"), None)
        # Shared by every row of the table: nothing changes them.
        self.letters = {key: get_column_letter(i + 1) for i, key in layout.columns.items()}
        self.current = None  # the finding the latest heading names
        self.current_problem = None  # why the latest heading names no finding
        self.pending_heading = None  # a warning, unless an action is read under the heading

    def read(self):
        """Every row below the header that holds an action or a milestone."""
        rows = []
        for number in range(self.layout.header_row + 1, len(self.sheet.rows) + 1):
            raw = self.sheet.rows[number - 1]
            present = {i: v for i, v in enumerate(raw) if v is not None}
            if not present or self._repeats_header(present):
                continue
            heading = self._heading(present)
            if heading is not None:
                self._start_section(number, heading)
                continue
            row = self._row(number, raw)
            if row is not None:
                rows.append(row)
        self._warn_pending_heading()
        return rows

    def _repeats_header(self, present):
        """Whether the row is the header repeated, as under each section of some plans."""
        same_as_header = sum(
            1
            for i, v in present.items()
            if isinstance(v, str) and i in self.headings and self.headings[i] == self._normal(v)
        )
        return same_as_header >= 2

    def _normal(self, text):
        """``normalise_heading``, once for each text (a column repeats many of its values)."""
        normal = self.normalised.get(text)
        if normal is None:
            normal = self.normalised[text] = normalise_heading(text)
        return normal

    def _heading(self, present):
        """The text of a section heading (one lone cell in an actions table), or None."""
        if self.layout.kind != "actions" or len(present) != 1:
            return None
        ((index, value),) = present.items()
        if (
            isinstance(value, str)
            and not _is_ref_like(value)
            and (index != self.title_index or self.matcher.match(value)[0] is not None)
        ):
            return value
        return None

    def _start_section(self, number, value):
        """Take the finding a heading names for the actions beneath it, or why it names none."""
        self._warn_pending_heading()
        finding, why = self.matcher.match(value)
        self.current = finding
        self.current_problem = None
        if finding is None:
            self.current_problem = (
                f"the heading in row {number} (‘{value[:80]}’) does not name one of the "
                "findings this plan addresses: "
                + (
                    why
                    or "start it with the finding's number, like ‘Area of significant weakness 2’"
                )
            )
            self.pending_heading = Problem(
                f"‘{value[:80]}’ was not read: it is not an action and does not name "
                "one of this plan's findings",
                sheet=self.sheet.name,
                row=number,
            )

    def _warn_pending_heading(self):
        """Warn of a heading that named no finding and had no action read beneath it."""
        if self.pending_heading is not None:
            self.analysis.warnings.append(self.pending_heading)
        self.pending_heading = None

    def _row(self, number, raw):
        """The row's cells by column key, or None for a note beside an actions table."""
        layout = self.layout
        cells = {key: raw[i] if i < len(raw) else None for i, key in layout.columns.items()}
        letters = self.letters
        if layout.kind == "actions" and all(
            cells.get(k) is None for k in ("ref", "title", "due_date", "success_criteria")
        ):
            return None  # a note beside the table, with nothing of an action in it
        row = Row(self.sheet.name, number, cells, letters)
        if layout.kind == "actions":
            self._place_under_finding(row)
            self.pending_heading = None
        return row

    def _place_under_finding(self, row):
        """Set the action row's finding from its Finding cell, else from the heading above it."""
        finding_cell = row.cells.get("finding")
        if finding_cell is not None:
            finding, why = self.matcher.match(_text(finding_cell))
            row.finding = finding
            row.finding_letter = row.letters["finding"]
            if finding is None:
                row.finding_problem = (
                    f"‘{_text(finding_cell)[:80]}’ is not one of the findings this plan "
                    "addresses: "
                    + (why or "name it by number, like ‘Area of significant weakness 2’")
                )
            return
        row.finding = self.current
        row.finding_problem = self.current_problem or (
            None
            if self.current
            else "this action is not under a heading that names an area of weakness, "
            "and there is no Finding column: add a heading row such as "
            "‘Area of significant weakness 1’ above it"
        )


# --- Checking values ---------------------------------------------------------


class Checker:
    """Turns a row's cells into field values, collecting problems against their cells."""

    def __init__(self, analysis, row):
        self.analysis = analysis
        self.row = row
        self.ok = True

    def problem(self, key, message, *, warn=False):
        letter = self.row.letters.get(key)
        value = self.row.cells.get(key)
        problem = Problem(
            message, sheet=self.row.sheet, row=self.row.number, column=letter, cell=_text(value)
        )
        if warn:
            self.analysis.warnings.append(problem)
        else:
            self.analysis.problems.append(problem)
            self.ok = False

    def present(self, key):
        return key in self.row.cells

    def raw(self, key):
        value = self.row.cells.get(key)
        if isinstance(value, Formula):
            self.problem(
                key,
                f"this cell holds a formula ({value.text[:60]}), which the portal does not run: "
                "replace it with its value (copy the cells, then use Paste Special, Values)",
            )
            return None
        return value

    def text(self, key, *, required=None, max_length=None, what=""):
        value = self.raw(key)
        if isinstance(self.row.cells.get(key), Formula):
            return ""
        text = _text(value)
        if required and not text:
            self.problem(key, required)
        if max_length and len(text) > max_length:
            self.problem(
                key, f"{what} must be {max_length} characters or fewer (it has {len(text)})"
            )
            text = text[:max_length]
        return text

    def date(self, key, what, *, required=False, example="31/3/2026"):
        value = self.raw(key)
        if isinstance(self.row.cells.get(key), Formula):
            return None
        if value is None:
            if required:
                self.problem(key, f"enter the {what} as a date, like {example}")
            return None
        try:
            date, note = parse_date(value)
        except NotADate:
            self.problem(key, f"enter the {what} as a date, like {example}")
            return None
        if note:
            self.problem(key, note, warn=True)
        return date

    def status(self, key):
        value = self.raw(key)
        if value is None or isinstance(self.row.cells.get(key), Formula):
            return None
        status = parse_status(key, value)
        if status is None:
            what = "delivery status" if key == "delivery_status" else "impact status"
            self.problem(key, f"‘{_text(value)[:40]}’ is not a {what}: {STATUS_HINTS[key]}")
        return status

    def version(self):
        value = self.raw("version")
        if value is None:
            return None
        try:
            return int(_text(value))
        except ValueError:
            self.problem("version", "leave the version as the portal wrote it, or blank")
            return None


def _changed_fields(existing, values, kind):
    """Each field whose value the row would change, in words, labelled by its column heading."""
    changes = []
    for name, value in values.items():
        before = getattr(existing, name)
        if before == value:
            continue
        model_field = type(existing)._meta.get_field(name)
        names = {}
        pair = (before, value)
        if model_field.is_relation:
            names = {(model_field.related_model, o.pk): name_of(o) for o in pair if o is not None}
            pair = tuple(o.pk if o is not None else None for o in pair)
        changes.append(
            FieldChange(
                COLUMNS_BY_KEY[kind][name].heading,
                *(show_value(model_field, v, names) for v in pair),
                name=name,
            )
        )
    return changes


class Context:
    """What the analysis looks up, each in one query, whatever the size of the file."""

    def __init__(self, plan):
        self.plan = plan
        self.actions = {
            a.ref: a
            for a in ActionItem.objects.filter(plan=plan).select_related(
                "finding", "lead_organisation", "lead_officer"
            )
        }
        self.milestones = {}
        for milestone in Milestone.objects.filter(action__plan=plan).select_related("action"):
            key = (milestone.action.ref, " ".join(milestone.title.lower().split()))
            self.milestones.setdefault(key, milestone)
        linked = {
            link.finding_id: link.finding
            for link in PlanFinding.objects.filter(plan=plan).select_related("finding")
        }
        must = {
            f.pk: f
            for f in findings_a_plan_must_address(kind=plan.kind, inspection=plan.responds_to)
        }
        self.linked_ids = set(linked)
        self.findings = list({**must, **linked}.values())
        self.partners = list(partner_queryset(plan.area))
        self.people = list(get_user_model().objects.filter(memberships__area=plan.area).distinct())
        # A column names the same few partners and people row after row: each text is
        # looked up once.
        self.organisations_named = {}
        self.people_named = {}
        self.field_checks = FieldChecks()

    def organisation(self, text):
        if text not in self.organisations_named:
            self.organisations_named[text] = self._organisation(text)
        return self.organisations_named[text]

    def _organisation(self, text):
        word = normalise_heading(text)
        exact = [
            o
            for o in self.partners
            if word in (normalise_heading(o.name), normalise_heading(o.slug))
        ]
        if len(exact) == 1:
            return exact[0]
        by_kind = [
            o for o in self.partners if word in (o.kind, normalise_heading(o.get_kind_display()))
        ]
        by_kind += [
            o for o in self.partners if o.kind in ("icb", "ccg") and word in ("icb", "ccg", "nhs")
        ]
        by_kind = list({o.pk: o for o in by_kind}.values())
        if len(by_kind) == 1:
            return by_kind[0]
        contains = [
            o for o in self.partners if len(word) >= 4 and word in normalise_heading(o.name)
        ]
        if len(contains) == 1:
            return contains[0]
        return None

    def person(self, text):
        """The members ``text`` names (a list: none, one, or several)."""
        if text not in self.people_named:
            self.people_named[text] = self._person(text)
        return list(self.people_named[text])

    def _person(self, text):
        word = " ".join(text.lower().split())
        found = [
            u
            for u in self.people
            if word
            in {
                " ".join(u.get_full_name().lower().split()),
                u.get_username().lower(),
                (u.email or "").lower(),
            }
        ]
        return found


# --- The analysis -------------------------------------------------------------


def analyse(plan, workbook, mapping=None):
    """What importing ``workbook`` into ``plan`` would do. Writes nothing."""
    mapping = mapping or {}
    analysis = Analysis(plan=plan, skipped_sheets=list(workbook.skipped_sheets))
    context = Context(plan)
    matcher = FindingMatcher(context.findings)
    several = len(workbook.sheets) > 1
    action_rows, milestone_rows = [], []
    for sheet in workbook.sheets:
        if sheet.name in mapping:
            layout = layout_from_mapping(sheet, mapping[sheet.name])
        else:
            layout = detect_layout(sheet)
        analysis.layouts.append(layout)
        if layout.kind is None:
            if not layout.chosen:
                analysis.skipped_sheets.append(
                    (sheet.name, "it has no table of actions or milestones")
                )
            else:
                analysis.skipped_sheets.append((sheet.name, "you chose not to read it"))
            continue
        check_layout(layout, analysis)
        rows = read_rows(sheet, layout, matcher, analysis)
        (action_rows if layout.kind == "actions" else milestone_rows).extend(rows)
    if not any(layout.kind for layout in analysis.layouts):
        analysis.needs_columns.append(
            "No sheet has a header row the portal recognises. A header row names the columns, "
            "like Ref, Action, Lead organisation, Due date and Success criteria."
        )
    if not analysis.needs_columns:
        planned = _analyse_actions(analysis, context, action_rows)
        _analyse_milestones(analysis, context, milestone_rows, planned)
    for problem in analysis.problems + analysis.warnings:
        problem.show_sheet = several
    order = {sheet.name: index for index, sheet in enumerate(workbook.sheets)}

    def place(problem):
        return (order.get(problem.sheet, -1), problem.row or 0, problem.column or "")

    analysis.problems.sort(key=place)
    analysis.warnings.sort(key=place)
    return analysis


def _analyse_actions(analysis, context, rows):
    """Check each action row; returns ref -> action (existing or to be created)."""
    actions = _ActionRows(analysis, context)
    for row in rows:
        actions.check(row)
    actions.link_findings()
    analysis.not_in_file = sorted(ref for ref in context.actions if ref not in actions.in_file)
    return actions.planned


class _ActionRows:
    """Checks action rows one by one, remembering what the rows before have used and planned."""

    def __init__(self, analysis, context):
        self.analysis = analysis
        self.context = context
        self.planned = dict(context.actions)  # ref -> action, existing or to be created
        self.seen = {}  # ref -> the row number that first used it
        self.in_file = set()  # refs of the sound rows
        self.links = {}  # finding pk -> the first sound row under a finding not yet linked

    def check(self, row):
        """Check one action row and, if it is sound, note what it would add or change."""
        check = Checker(self.analysis, row)
        ref, title = self._ref_and_title(check)
        existing = self.context.actions.get(ref)
        self._finding(check)
        values = {"title": title}
        if row.finding is not None:
            values["finding"] = row.finding
        self._texts(check, existing, values)
        self._dates(check, values)
        self._lead_organisation(check, existing, values)
        self._lead_officer(check, values)
        self._statuses(check, values)
        version = check.version() if check.present("version") else None
        if check.ok and ref:
            self._record(check, ref, title, existing, values, version)

    def _ref_and_title(self, check):
        """The row's reference and title, each required, the reference not used by an earlier row."""
        ref = check.text(
            "ref",
            required="enter the action's reference, like 2.3",
            max_length=20,
            what="the reference",
        )
        title = check.text(
            "title", required="enter what the action is", max_length=300, what="the action"
        )
        if ref and ref in self.seen:
            check.problem(
                "ref",
                f"the reference {ref} is also used in row {self.seen[ref]}: give each action its own",
            )
        elif ref:
            self.seen[ref] = check.row.number
        return ref, title

    def _finding(self, check):
        """A problem if the row's Finding cell or heading names none of the plan's findings."""
        row = check.row
        if row.finding_problem:
            self.analysis.problems.append(
                Problem(
                    row.finding_problem,
                    sheet=row.sheet,
                    row=row.number,
                    column=row.finding_letter,
                    cell=_text(row.cells.get("finding")),
                )
            )
            check.ok = False

    def _texts(self, check, existing, values):
        """The description and public summary if read, and the success criteria (required when new)."""
        for key, what in (("description", "the description"), ("public_summary", "the summary")):
            if check.present(key):
                values[key] = check.text(key, max_length=_limit(ActionItem, key), what=what)
        if check.present("success_criteria") or existing is None:
            values["success_criteria"] = check.text(
                "success_criteria",
                required="enter the success criteria: how everyone will know the action has worked",
                max_length=_limit(ActionItem, "success_criteria"),
                what="the success criteria",
            )

    def _dates(self, check, values):
        """The due date (required) and start date, the start no later than the due date."""
        due = check.date("due_date", "due date", required=True)
        if due:
            values["due_date"] = due
        if check.present("start_date"):
            values["start_date"] = check.date("start_date", "start date", example="1/4/2026")
        if due and values.get("start_date") and due < values["start_date"]:
            check.problem("due_date", "the due date cannot be before the start date")

    def _lead_organisation(self, check, existing, values):
        """The partner named as lead, or for a new action the lead of its finding."""
        row = check.row
        organisation_text = (
            check.text("lead_organisation") if check.present("lead_organisation") else ""
        )
        if organisation_text:
            organisation = self.context.organisation(organisation_text)
            if organisation is None:
                names = (
                    " or ".join(o.name for o in self.context.partners) or "a partner added first"
                )
                check.problem(
                    "lead_organisation",
                    f"‘{organisation_text[:60]}’ is not one of this area's partners: use {names}",
                )
            else:
                values["lead_organisation"] = organisation
        elif existing is None:
            fallback = row.finding.lead_organisation if row.finding else None
            if fallback:
                values["lead_organisation"] = fallback
            elif row.finding is not None:
                check.problem(
                    "lead_organisation",
                    "enter the lead organisation: the partner that leads this action",
                )

    def _lead_officer(self, check, values):
        """The member named as lead officer (a blank cell clears it); a warning if not one member."""
        if not check.present("lead_officer"):
            return
        officer_text = check.text("lead_officer")
        if not officer_text:
            values["lead_officer"] = None
            return
        people = self.context.person(officer_text)
        if len(people) == 1:
            values["lead_officer"] = people[0]
            return
        check.problem(
            "lead_officer",
            (
                f"nobody called ‘{officer_text[:60]}’ is a member of this area, so the "
                "lead officer is left as it is; add them as a member and import again "
                "to name them"
            )
            if not people
            else f"more than one member is called ‘{officer_text[:60]}’: use their "
            "username or email address",
            warn=True,
        )

    def _statuses(self, check, values):
        """The delivery and impact statuses, where the row gives a recognised one."""
        for key in ("delivery_status", "impact_status"):
            if check.present(key):
                status = check.status(key)
                if status:
                    values[key] = status

    def _record(self, check, ref, title, existing, values, version):
        """Note a sound row: its ref is in the file, its finding's link, and its change if any."""
        row = check.row
        self.in_file.add(ref)
        if row.finding is not None and row.finding.pk not in self.context.linked_ids:
            self.links.setdefault(row.finding.pk, row)
        change, unchanged = _compare(
            check,
            what="action",
            label=f"{ref} {existing.title if existing else title}",
            existing=existing,
            new=(ActionItem, {"plan": self.context.plan, "ref": ref, **values}),
            values=values,
            kind="actions",
            version=version,
            conflict=f"action {ref} has been changed in the portal since this file was "
            "exported: export the plan again and make your changes in the new file, so theirs "
            "are not lost",
            checks=self.context.field_checks,
        )
        self.analysis.unchanged_actions += unchanged
        if change:
            self.analysis.action_changes.append(change)
            if change.is_new:
                self.planned[ref] = change.instance

    def link_findings(self):
        """A finding link for each finding the file's actions address that the plan does not link yet."""
        for finding_pk, row in self.links.items():
            finding = next(f for f in self.context.findings if f.pk == finding_pk)
            self.analysis.links.append(
                Change(
                    "finding link",
                    str(finding),
                    row.sheet,
                    row.number,
                    PlanFinding(plan=self.context.plan, finding=finding),
                )
            )


def _copy(instance):
    clone = type(instance)(
        **{f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
    )
    clone._state.adding = False
    clone._state.db = instance._state.db
    return clone


class FieldChecks:
    """``Model.clean_fields()`` for many records, each field's checks run once for each value.

    A plan's columns repeat the same few values (statuses, dates, success
    criteria), and checking a value of a plain field (text, date, number,
    yes or no) depends on nothing but the value, so its result is kept and
    given again. Other fields, and values that cannot be kept (unhashable),
    are checked every time, as ``clean_fields()`` checks them.
    """

    def __init__(self):
        self.plans = {}  # (model, fields left out) -> what clean_fields() goes through

    def clean_fields(self, instance, exclude=()):
        """``instance.clean_fields(exclude)``: the same values set, the same errors raised."""
        errors = {}
        for model_field, attname, blank, empty, results in self._plan(type(instance), exclude):
            raw_value = getattr(instance, attname)
            if blank and raw_value in empty:
                continue
            if isinstance(raw_value, DatabaseDefault):
                continue
            key = result = None
            if results is not None:
                key = (type(raw_value), raw_value)
                try:
                    result = results.get(key)
                except TypeError:  # an unhashable value: checked every time
                    key = None
            if result is None:
                try:
                    result = (True, model_field.clean(raw_value, instance))
                except ValidationError as error:
                    result = (False, error.error_list)
                if key is not None:
                    results[key] = result
            ok, value = result
            if ok:
                setattr(instance, attname, value)
            else:
                errors[model_field.name] = value
        if errors:
            raise ValidationError(errors)

    def _plan(self, model, exclude):
        """The fields clean_fields() checks, in its order, each with a store of its results
        (None for a field whose check may depend on more than the value)."""
        key = (model, tuple(exclude))
        if key not in self.plans:
            self.plans[key] = [
                (f, f.attname, f.blank, f.empty_values, {} if _plain(f) else None)
                for f in model._meta.fields
                if f.name not in exclude and not f.generated
            ]
        return self.plans[key]


def _plain(field):
    """Whether checking a value of ``field`` depends on the value alone: Django's own text,
    date, number and yes-or-no fields, with their checks as Django has them."""
    kind = type(field)
    return (
        kind.__module__ == "django.db.models.fields"
        and not isinstance(field, (models.DateTimeField, models.FloatField, models.DecimalField))
        and not field.is_relation
        and kind.clean is models.Field.clean
        and kind.validate is models.Field.validate
        and kind.run_validators is models.Field.run_validators
    )


def _valid(instance, check, checks, *, exclude=()):
    """Field-level checks (lengths, choices) without a query per row."""
    try:
        checks.clean_fields(instance, exclude=exclude)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            key = name if name in check.row.letters else None
            check.problem(key or "title", f"{name.replace('_', ' ')}: {' '.join(messages)}")
        return False
    return True


def _analyse_milestones(analysis, context, rows, planned):
    seen = {}
    for row in rows:
        check = Checker(analysis, row)
        ref = check.text(
            "action_ref",
            required="enter the reference of the action this milestone belongs to, like 2.3",
        )
        title = check.text(
            "title", required="enter the milestone", max_length=300, what="the milestone"
        )
        due = check.date("due_date", "due date", required=True, example="30/9/2026")
        values = {"title": title}
        if due:
            values["due_date"] = due
        if check.present("completed_on"):
            values["completed_on"] = check.date(
                "completed_on", "date it was completed", example="12/9/2026"
            )
        if check.present("notes"):
            values["notes"] = check.text(
                "notes", max_length=_limit(Milestone, "notes"), what="the notes"
            )
        version = check.version() if check.present("version") else None
        action = planned.get(ref) if ref else None
        if ref and action is None:
            check.problem("action_ref", f"there is no action {ref} in this plan or in the file")
        key = (ref, " ".join(title.lower().split()))
        if ref and title and key in seen:
            check.problem("title", f"this milestone is also in row {seen[key]}")
        elif ref and title:
            seen[key] = row.number
        if not check.ok:
            continue
        existing = context.milestones.get(key)
        change, unchanged = _compare(
            check,
            what="milestone",
            label=f"{ref}: {existing.title if existing else title}",
            existing=existing,
            # An action added by this import has no key yet: apply() sets it by ref.
            new=(Milestone, {"action": action if action.pk else None, **values}),
            values=values,
            kind="milestones",
            version=version,
            conflict=f"this milestone of action {ref} has been changed in the portal since this "
            "file was exported: export the plan again and make your changes in the new file",
            checks=context.field_checks,
        )
        analysis.unchanged_milestones += unchanged
        if change:
            change.instance.action_ref = ref
            analysis.milestone_changes.append(change)


def _compare(check, *, what, label, existing, new, values, kind, version, conflict, checks):
    """What a checked row would write: (Change or None, whether the record is unchanged).

    A new record is ``new``'s model made with its fields; an existing one is copied with the row's
    values, unless they are what it has already, or it has been saved since
    the ``version`` an exported file carries (then ``conflict`` is the problem).
    ``checks`` (``FieldChecks``) checks the record's fields.
    """
    row = check.row
    if existing is None:
        model, fields = new
        instance = model(**fields)
        if not _valid(instance, check, checks, exclude=FOREIGN_KEYS):
            return None, False
        return Change(what, label, row.sheet, row.number, instance), False
    fields = _changed_fields(existing, values, kind)
    if not fields:
        return None, True
    if version is not None and version < existing.version:
        check.problem("version", conflict)
        return None, False
    updated = _copy(existing)
    for name, value in values.items():
        setattr(updated, name, value)
    if not _valid(updated, check, checks, exclude=FOREIGN_KEYS):
        return None, False
    return Change(what, label, row.sheet, row.number, updated, fields, is_new=False), False


# --- Writing ------------------------------------------------------------------


def apply(plan, workbook, mapping, *, by, filename, expected_digest):
    """Write what the preview showed, in one transaction, or nothing at all."""
    reason = f"Imported from {filename}"[:100]
    try:
        return _apply(plan, workbook, mapping, by=by, reason=reason, expected=expected_digest)
    except (IntegrityError, EditConflict, ActionItem.DoesNotExist, Milestone.DoesNotExist) as error:
        # Someone added a clashing record, or saved or deleted one the file
        # changes, through another page meanwhile; the transaction is rolled
        # back, so nothing was written.
        raise PreviewOutOfDate from error


def _apply(plan, workbook, mapping, *, by, reason, expected):
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        analysis = analyse(plan, workbook, mapping)
        if not analysis.can_import or analysis.digest != expected:
            raise PreviewOutOfDate
        # A link per finding, so few: saved one by one, each with its checks.
        for change in analysis.links:
            _save(change.instance, by, reason)
        _check_findings_are_linked(analysis.action_changes)
        _write(analysis.action_changes, by, reason, clean=False)
        created = {change.instance.ref: change.instance for change in analysis.action_changes}
        for change in analysis.milestone_changes:
            milestone = change.instance
            if change.is_new and milestone.action_id is None:
                milestone.action = created[milestone.action_ref]
        _write(analysis.milestone_changes, by, reason)
    return analysis


def _save(instance, by, reason):
    """Save with history and a raised version. The analysis has just checked these
    very instances (fields, findings, uniqueness) against the locked plan, and the
    database's constraints still stand behind it, so uniqueness and constraints
    are not queried again row by row."""
    save_with_history(instance, by=by, reason=reason, validate_constraints=False)


def _write(changes, by, reason, *, clean=True):
    """Save the changes' records in bulk, with the same rows and history as ``_save`` one by one.

    A changed record is written only in the fields the preview showed
    changing, and only if it is still at the version the analysis read (under
    the plan's lock); otherwise ``EditConflict``.
    """
    changed = [change for change in changes if not change.is_new]
    bulk_save_with_history(
        [change.instance for change in changes if change.is_new],
        [change.instance for change in changed],
        by=by,
        reason=reason,
        fields=sorted({f.name for change in changed for f in change.fields}),
        expected_versions={change.instance.pk: change.instance.version for change in changed},
        clean=clean,
        # The analysis has just run clean_fields() on these very records (see _valid).
        fields_checked=True,
    )


def _check_findings_are_linked(changes):
    """``ActionItem.clean()`` for the whole file: each action's finding is one its plan addresses.

    Its rule reads only the plan and the finding, so it runs once per finding
    rather than once per action.
    """
    checked = set()
    for change in changes:
        action = change.instance
        if (action.plan_id, action.finding_id) not in checked:
            action.clean()
            checked.add((action.plan_id, action.finding_id))
