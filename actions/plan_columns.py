"""The columns of an action-plan spreadsheet: what each means and what it may be called.

One list serves the importer (which recognises headings by these names),
the template and the export (which write the first name of each), and the
guidance sheet (which explains each), so they cannot drift apart.
"""

import datetime
import functools
import re
from dataclasses import dataclass

from .models import DeliveryStatus, ImpactStatus


@dataclass(frozen=True)
class Column:
    key: str
    heading: str  # what the template and the export call it
    names: tuple  # other headings that mean the same, in normalised form
    guidance: str
    required: bool = False
    imported: bool = True


ACTION_COLUMNS = [
    Column(
        "ref",
        "Ref",
        (
            "reference",
            "action ref",
            "action reference",
            "action no",
            "action number",
            "no",
            "number",
            "id",
            "action id",
            "#",
            "ref no",
            "ref number",
        ),
        "The action's reference, like 2.3. It must be unique in the plan: the import "
        "matches actions already in the portal by it.",
        required=True,
    ),
    Column(
        "finding",
        "Finding",
        (
            "area of weakness",
            "weakness",
            "area of significant weakness",
            "aow",
            "asw",
            "area for priority action",
            "area for improvement",
            "priority area",
            "finding number",
            "area",
        ),
        "Which finding the action serves, like ‘Area of significant weakness 2’. Instead "
        "of this column you can put a heading row above each group of actions.",
    ),
    Column(
        "title",
        "Action",
        (
            "action",
            "actions",
            "action title",
            "title",
            "what we will do",
            "what will we do",
            "key action",
            "key actions",
            "activity",
            "action description",
        ),
        "What the action is, in one sentence (300 characters at most).",
        required=True,
    ),
    Column(
        "description",
        "Description",
        (
            "description",
            "detail",
            "details",
            "how",
            "how we will do it",
            "action detail",
            "action details",
            "tasks",
            "steps",
        ),
        "More detail for the board: how the action will be done.",
    ),
    Column(
        "lead_organisation",
        "Lead organisation",
        (
            "lead organisation",
            "lead organization",
            "lead partner",
            "lead agency",
            "organisation",
            "organization",
            "partner",
            "agency",
            "lead service",
        ),
        "The partner that leads the action, by its name as the portal knows it.",
        required=True,
    ),
    Column(
        "lead_officer",
        "Lead officer",
        (
            "lead officer",
            "lead",
            "owner",
            "responsible officer",
            "action owner",
            "responsible",
            "lead person",
            "officer",
        ),
        "The person who leads it: their name, username or email address in the portal. "
        "Leave blank if they have no account yet.",
    ),
    Column(
        "start_date",
        "Start date",
        ("start", "start date", "from", "date started", "begins"),
        "When work starts, as a date like 1/4/2026.",
    ),
    Column(
        "due_date",
        "Due date",
        (
            "due",
            "due date",
            "deadline",
            "target date",
            "completion date",
            "by when",
            "end date",
            "timescale",
            "timescales",
            "date due",
            "target completion date",
            "target",
            "when",
        ),
        "When the action should be finished, as a date like 31/3/2027.",
        required=True,
    ),
    Column(
        "success_criteria",
        "Success criteria",
        (
            "success criteria",
            "measure of success",
            "measures of success",
            "how we will know",
            "success measure",
            "success measures",
            "outcome",
            "outcomes",
            "expected outcome",
            "expected outcomes",
            "impact measure",
            "impact measures",
            "what difference will it make",
            "intended impact",
        ),
        "How everyone will know the action has worked.",
        required=True,
    ),
    Column(
        "delivery_status",
        "Delivery status",
        (
            "status",
            "rag",
            "rag rating",
            "rag status",
            "delivery status",
            "delivery rag",
            "progress rag",
            "progress status",
            "delivery",
        ),
        "Not started, On track, At risk, Off track or Delivered (Red, Amber, Green and Blue "
        "are understood too). Leave blank to keep the status the portal has.",
    ),
    Column(
        "impact_status",
        "Impact status",
        ("impact", "impact status", "impact rag", "impact rating"),
        "No evidence of impact yet, Some evidence of impact or Clear evidence of impact. Leave "
        "blank to keep the status the portal has.",
    ),
    Column(
        "public_summary",
        "Public summary",
        (
            "public summary",
            "summary for families",
            "plain english summary",
            "summary",
            "what this means for families",
        ),
        "What the action is, in plain words for families. It is shown publicly once the plan "
        "is published.",
    ),
    Column(
        "version",
        "Version (do not change)",
        ("version", "portal version"),
        "Written by the portal when it exports a plan. If someone changes the action in the "
        "portal after the export, the import says so instead of overwriting their change.",
    ),
]

# Written by the export for information; recognised and never imported.
INFO_COLUMNS = [
    Column(
        "latest_update_period",
        "Latest update to",
        ("latest update to", "latest update period", "latest update date"),
        "The end of the period the latest approved update covers.",
        imported=False,
    ),
    Column(
        "latest_update_state",
        "Latest update state",
        ("latest update state",),
        "Whether the latest update is approved or published.",
        imported=False,
    ),
    Column(
        "latest_update",
        "Latest update: internal narrative",
        ("latest update", "latest update internal narrative", "latest narrative"),
        "The board's internal narrative from the latest approved update.",
        imported=False,
    ),
    Column(
        "latest_update_public",
        "Latest update: summary for families",
        ("latest update summary for families", "latest public summary"),
        "The summary for families from the latest approved update.",
        imported=False,
    ),
]

MILESTONE_COLUMNS = [
    Column(
        "action_ref",
        "Action ref",
        (
            "action ref",
            "action reference",
            "action",
            "ref",
            "reference",
            "action no",
            "action number",
        ),
        "The reference of the action the milestone belongs to, like 2.3.",
        required=True,
    ),
    Column(
        "title",
        "Milestone",
        ("milestone", "milestones", "milestone title", "title", "checkpoint"),
        "What should be true by then. The import matches milestones already in the portal "
        "by their action and this text.",
        required=True,
    ),
    Column(
        "due_date",
        "Due date",
        ("due", "due date", "deadline", "target date", "by when", "date due", "when"),
        "When the milestone is due, as a date like 30/9/2026.",
        required=True,
    ),
    Column(
        "completed_on",
        "Completed on",
        ("completed", "completed on", "date completed", "done", "completion date", "achieved"),
        "When it was met, as a date; blank if not yet.",
    ),
    Column(
        "notes",
        "Notes",
        ("notes", "note", "comments", "comment"),
        "Anything the board should know about it.",
    ),
    Column(
        "version",
        "Version (do not change)",
        ("version", "portal version"),
        "Written by the portal when it exports a plan.",
    ),
]

TABLES = {"actions": ACTION_COLUMNS + INFO_COLUMNS, "milestones": MILESTONE_COLUMNS}


def normalise_heading(text):
    """Compare headings loosely: 'Due date (dd/mm/yyyy)' and 'DUE DATE:' are the same."""
    text = re.sub(r"\(.*?\)", " ", str(text).lower())
    text = text.replace("&", " and ").replace("’", "'")
    text = re.sub(r"[^a-z0-9#]+", " ", text)
    return " ".join(text.split())


def _index(columns):
    index = {}
    for column in columns:
        for name in (normalise_heading(column.heading), *column.names):
            index.setdefault(name, column.key)
    return index


HEADING_INDEX = {kind: _index(columns) for kind, columns in TABLES.items()}
COLUMNS_BY_KEY = {kind: {c.key: c for c in columns} for kind, columns in TABLES.items()}


def recognise(kind, heading):
    """The column key a heading means in a table of ``kind``, or None."""
    if not isinstance(heading, str):
        return None
    name = normalise_heading(heading)
    index = HEADING_INDEX[kind]
    if name in index:
        return index[name]
    if name.endswith("s") and name[:-1] in index:
        return index[name[:-1]]
    return None


# --- Values -------------------------------------------------------------

STATUS_WORDS = {
    "delivery_status": {
        **{label.lower(): value for value, label in DeliveryStatus.choices},
        **{value.replace("_", " "): value for value in DeliveryStatus.values},
        "green": DeliveryStatus.ON_TRACK,
        "amber": DeliveryStatus.AT_RISK,
        "red": DeliveryStatus.OFF_TRACK,
        "blue": DeliveryStatus.DELIVERED,
        "complete": DeliveryStatus.DELIVERED,
        "completed": DeliveryStatus.DELIVERED,
        "done": DeliveryStatus.DELIVERED,
        "grey": DeliveryStatus.NOT_STARTED,
        "not yet started": DeliveryStatus.NOT_STARTED,
    },
    "impact_status": {
        **{label.lower(): value for value, label in ImpactStatus.choices},
        **{value.replace("_", " "): value for value in ImpactStatus.values},
        "none": ImpactStatus.NO_EVIDENCE,
        "no evidence": ImpactStatus.NO_EVIDENCE,
        "some": ImpactStatus.SOME_EVIDENCE,
        "clear": ImpactStatus.CLEAR_EVIDENCE,
        "red": ImpactStatus.NO_EVIDENCE,
        "amber": ImpactStatus.SOME_EVIDENCE,
        "green": ImpactStatus.CLEAR_EVIDENCE,
    },
}

STATUS_HINTS = {
    "delivery_status": (
        "use Not started, On track, At risk, Off track or Delivered (or Red, Amber, Green and Blue)"
    ),
    "impact_status": (
        "use No evidence of impact yet, Some evidence of impact or Clear evidence of impact"
    ),
}


def parse_status(key, value):
    """The stored status for a cell, or None if the cell is not one."""
    word = " ".join(re.sub(r"[^a-z ]+", " ", str(value).lower()).split())
    return STATUS_WORDS[key].get(word)


DAY_FORMATS = (
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d-%m-%y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%Y-%m-%d",
    "%d %B %Y",
    "%d %b %Y",
    "%d %B %y",
    "%d %b %y",
    "%A %d %B %Y",
    "%a %d %b %Y",
)
MONTH_FORMATS = ("%B %Y", "%b %Y", "%b-%y", "%B %y", "%m/%Y")


class NotADate(ValueError):
    pass


def parse_date(value):
    """A date from a cell: an Excel date, or text such as 31/3/2026 or 31 March 2026.

    Returns (date, note); the note is set when the cell gave only a month,
    which is read as the month's last day so the importer can say so.
    """
    if isinstance(value, datetime.datetime):
        return value.date(), None
    if isinstance(value, datetime.date):
        return value, None
    if not isinstance(value, str):
        raise NotADate(value)
    return _parse_text_date(value)


@functools.lru_cache(maxsize=4096)
def _parse_text_date(value):
    """``parse_date`` for text, once for each text: a plan's column repeats the same few dates."""
    text = " ".join(value.replace(",", " ").split())
    text = re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\bSept\b", "Sep", text, flags=re.IGNORECASE)
    for fmt in DAY_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date(), None
        except ValueError:
            continue
    for fmt in MONTH_FORMATS:
        try:
            first = datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        last = following - datetime.timedelta(days=1)
        return last, f"‘{value}’ is read as {last.day} {last:%B %Y}, the end of that month"
    raise NotADate(value)
