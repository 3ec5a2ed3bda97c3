"""Open data: each local area's published progress and its whole public history.

Two kinds of file for each area:

* **Progress** (``progress.csv``, ``progress.json``): one row for every
  action in the area's plans, with what its latest *published* update said.
* **History** (``history.json``, and one CSV file per section such as
  ``inspections.csv`` or ``interventions.csv``): the partnership, every
  inspection with its outcome in the framework's words, findings, verdicts,
  reviews of every kind, government interventions, the plans the public may
  see and their due dates. The sections, their columns and their rows are
  defined in ``public.history``.

The progress files are read through ``public.selectors``, so they hold
exactly what the public pages show and nothing more: plans still being
written, updates not yet published (or published from a later date),
internal narratives, notes, reasons, officers' names and internal evidence
never appear. The history files are built from public fields only (see
``public.history``): no notes, no review's result, no verdict's commentary
and no plan still being written.

The columns are defined once, in ``COLUMNS`` (and each history section's
``columns``): the CSV header, the keys of each JSON object and the tables on
the documentation page (``/open-data/``) all come from them, so they cannot
drift apart. Column names are stable: add new ones at the end and never
rename or remove one, because people's scripts and spreadsheets depend on
them.

In the progress files dates are ISO 8601 (``2026-03-31``); in the history
files a date is written at the precision it is known to (``2023-03-16``,
``2023-03`` or ``2023``) with a ``…_precision`` column beside it. In the CSV
an empty cell means "none" and ``true``/``false`` are written in lower case;
in the JSON a missing value is ``null`` and true/false are real booleans.
Only the CSV has cells that begin with ``=``, ``+``, ``-`` or ``@`` prefixed
with an apostrophe (see ``kit.tabular``), so spreadsheets do not run them.
"""

from collections import defaultdict

from django.urls import reverse
from django.utils import timezone

from inspections.models import Finding

from .history import SECTIONS, Column, history
from .selectors import current_plan, public_actions, public_plans

LICENCE = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


COLUMNS = (
    Column("area", "The local area’s name.", "Exampleshire"),
    Column(
        "area_slug",
        "The local area’s short name, as used in this website’s addresses.",
        "exampleshire",
    ),
    Column(
        "plan_ref",
        "The plan’s reference, unique within the area. It does not change.",
        "wsoa-2018-inspection",
    ),
    Column("plan_title", "The plan’s title.", "Written statement of action for Exampleshire"),
    Column(
        "plan_kind",
        "What kind of plan it is: Written statement of action, Accelerated progress plan, "
        "Priority action plan or Strategic plan.",
        "Written statement of action",
    ),
    Column(
        "plan_status",
        "Where the plan is now, for example Submitted, Judged fit for purpose, "
        "Published and being delivered, Closed or Replaced by a later plan.",
        "Published and being delivered",
    ),
    Column(
        "finding",
        "The inspection finding the action answers: its kind and its number.",
        "Area of significant weakness 2",
    ),
    Column(
        "finding_text",
        "What the inspectors found, as the finding_wording column describes.",
        "Too many families wait too long for an assessment.",
    ),
    Column(
        "finding_wording",
        "How finding_text relates to the inspection report: the inspectors’ exact words, "
        "a paraphrase, a theme, or not in the public sources.",
        "The inspectors' exact words",
    ),
    Column("action_ref", "The action’s number within its plan.", "2.3"),
    Column("action_title", "What the action is.", "Recruit more educational psychologists"),
    Column(
        "action_public_summary",
        "A short public description of the action. Empty if there is none.",
        "Four more posts, so that assessments start sooner.",
    ),
    Column("lead_organisation", "The partner that leads the action.", "Exampleshire Council"),
    Column("due_date", "When the action is due to be finished (YYYY-MM-DD).", "2026-03-31"),
    Column(
        "delivery_status",
        "Whether the action is being delivered, as its latest published update said: "
        "Not started, On track, At risk, Off track or Delivered. "
        "Empty if no update has been published yet.",
        "On track",
    ),
    Column(
        "impact_status",
        "Whether families are feeling a difference, as its latest published update said: "
        "No evidence of impact yet, Some evidence of impact or Clear evidence of impact. "
        "Empty if no update has been published yet.",
        "Some evidence of impact",
    ),
    Column(
        "latest_update_summary",
        "The public summary of the latest published update. "
        "Empty if no update has been published yet.",
        "Two of the four new staff have started.",
    ),
    Column(
        "latest_update_period_end",
        "The last day of the period the latest published update covers (YYYY-MM-DD).",
        "2025-12-31",
    ),
    Column(
        "latest_update_published_on",
        "The day the latest published update was published (YYYY-MM-DD, UK time).",
        "2026-01-20",
    ),
    Column(
        "action_url",
        "The web page where the action’s finding, its actions and their evidence are shown.",
        "https://example.org/areas/exampleshire/findings/12/#action-34",
    ),
    Column(
        "is_illustrative",
        "true if the action or its plan was invented for the demonstration of this website, "
        "not taken from a real plan; otherwise false.",
        "false",
    ),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)

# The JSON file's top-level keys, for the documentation page.
JSON_FIELDS = (
    ("area", "The local area’s name."),
    ("area_slug", "The local area’s short name, as used in this website’s addresses."),
    ("generated_at", "When the file was made (ISO 8601 date and time, with the UTC offset)."),
    ("licence", f"The licence: {LICENCE}."),
    ("licence_url", "Where to read the licence."),
    ("documentation", "The address of the page that explains the data."),
    ("actions", "A list with one object per action, with the keys in the table of columns."),
)


def _iso(value):
    return value.isoformat() if value else None


def progress_records(area, *, absolute, now=None):
    """One dict per action of the area's public plans, keyed by ``COLUMN_NAMES``.

    ``absolute`` turns a path into a full address (``request.build_absolute_uri``).
    Text that is empty comes back as None. The number of queries grows with the
    number of plans (two each), never with the number of actions.
    """
    now = now or timezone.now()
    plans = list(
        public_plans()
        .filter(area=area)
        .select_related("responds_to")
        .prefetch_related("plan_findings")
        .order_by("pk")
    )
    if not plans:
        return []
    # A finding's public page shows the actions of the current plan among those answering it.
    answering = defaultdict(list)
    for plan in plans:
        for plan_finding in plan.plan_findings.all():
            answering[plan_finding.finding_id].append(plan)
    shown_on_page = {finding_id: current_plan(found) for finding_id, found in answering.items()}

    actions = [(plan, action) for plan in plans for action in public_actions(plan, now)]
    findings = Finding.objects.in_bulk({action.finding_id for _, action in actions})

    records = []
    for plan, action in actions:
        finding = findings[action.finding_id]
        url = reverse("public:area-finding", args=[area.slug, finding.pk])
        if shown_on_page.get(finding.pk) == plan:
            url += f"#action-{action.pk}"
        record = {
            "area": area.name,
            "area_slug": area.slug,
            "plan_ref": plan.ref,
            "plan_title": plan.title,
            "plan_kind": plan.get_kind_display(),
            "plan_status": plan.get_status_display(),
            "finding": str(finding),
            "finding_text": finding.text or None,
            "finding_wording": finding.get_wording_display(),
            "action_ref": action.ref,
            "action_title": action.title,
            "action_public_summary": action.public_summary or None,
            "lead_organisation": action.lead_name,
            "due_date": _iso(action.due_date),
            "delivery_status": action.delivery_label,
            "impact_status": action.impact_label,
            "latest_update_summary": action.summary or None,
            "latest_update_period_end": _iso(action.summary_period_end),
            "latest_update_published_on": (
                _iso(timezone.localdate(action.published_at)) if action.published_at else None
            ),
            "action_url": absolute(url),
            "is_illustrative": bool(action.is_illustrative or plan.is_illustrative),
        }
        records.append({name: record[name] for name in COLUMN_NAMES})
    return records


def _csv_cell(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def csv_rows(records):
    """The records as CSV rows, in column order; None is left for the writer to make empty."""
    return [[_csv_cell(record[name]) for name in COLUMN_NAMES] for record in records]


def json_document(area, records, *, documentation, generated_at=None):
    """The JSON file's contents: what it is, its licence, and the records."""
    generated_at = timezone.localtime(generated_at or timezone.now())
    document = {
        "area": area.name,
        "area_slug": area.slug,
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "documentation": documentation,
        "actions": records,
    }
    return {name: document[name] for name, _ in JSON_FIELDS}


# The whole public history


# The history JSON file's top-level keys, for the documentation page.
HISTORY_JSON_FIELDS = (
    *((name, meaning) for name, meaning in JSON_FIELDS if name != "actions"),
    *(
        (
            section.name,
            f"A list with {section.row_is.replace('one row', 'one object')}. Each object’s "
            f"keys are the columns of {section.file_name}.",
        )
        for section in SECTIONS
    ),
)


def section_csv_rows(section, records):
    """A history section's records as CSV rows, in its column order."""
    return [[_csv_cell(record[name]) for name in section.column_names] for record in records]


def history_document(area, *, absolute, documentation, today=None, generated_at=None):
    """The history JSON file's contents: what it is, its licence, and every section's records."""
    generated_at = timezone.localtime(generated_at or timezone.now())
    today = today or timezone.localdate(generated_at)
    document = {
        "area": area.name,
        "area_slug": area.slug,
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "documentation": documentation,
        **history(area, absolute=absolute, today=today),
    }
    return {name: document[name] for name, _ in HISTORY_JSON_FIELDS}
