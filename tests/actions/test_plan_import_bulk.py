"""The plan import's confirm writes in bulk: the same rows and history as one save at a time.

The confirm used to save every action and milestone through
``save_with_history`` one by one: two queries or more a record. It now
writes them with ``kit.versioning.bulk_save_with_history``. These tests
import the same workbooks into two twin plans, one through the confirm and
one record by record as it used to, and compare every row and every history
row field by field (all but keys and times), for a first import and for a
corrected file; and they count the confirm's queries, which no longer grow
with the number of actions.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook

from actions.models import ActionItem, Milestone, Plan, PlanFinding
from actions.plan_import import FieldChecks, PreviewOutOfDate, analyse, apply
from actions.spreadsheets import read_spreadsheet
from kit.versioning import bulk_save_with_history, save_with_history, saved_in_bulk
from tests.actions.workbooks import xlsx_bytes
from tests.factories import make_plan

HEADER = [
    "Ref",
    "Action",
    "Description",
    "Lead organisation",
    "Lead officer",
    "Start date",
    "Due date",
    "Success criteria",
    "RAG",
    "Public summary",
]


def plan_workbook(per_finding, *, corrected=False):
    """A WSOA of three findings with ``per_finding`` actions each, two milestones an action.

    ``corrected`` is the same plan a few months on: every third action's
    title, due date and status changed, the lead officer of each x.4 taken
    off, one more action under each finding, milestones completed and noted,
    and one milestone added.
    """
    book = Workbook()
    sheet = book.active
    sheet.title = "WSOA"
    sheet.append(["Testshire Written Statement of Action"])
    sheet.append([])
    sheet.append(HEADER)
    actions = per_finding + (1 if corrected else 0)
    for f in (1, 2, 3):
        sheet.append([f"Area of weakness {f}"])
        for a in range(1, actions + 1):
            changed = corrected and a % 3 == 0
            sheet.append(
                [
                    f"{f}.{a}",
                    f"Action {f}.{a}: " + ("faster assessments" if changed else "clearer advice"),
                    f"What action {f}.{a} involves." if a % 2 else "",
                    "NHS Testshire ICB" if f == 2 else "Testshire Council",
                    "Olivia Officer" if a % 4 == 0 and not (corrected and a == 4) else "",
                    "1/9/2024" if a % 5 else "",
                    f"{(a % 28) + 1}/{6 if changed else 3}/2026",
                    "Families notice the difference.",
                    ("Red" if changed else "Amber") if a % 2 else "Green",
                    f"Action {f}.{a} in plain words." if a % 3 else "",
                ]
            )
    milestones = book.create_sheet("Milestones")
    milestones.append(["Action ref", "Milestone", "Due date", "Completed on", "Notes"])
    for f in (1, 2, 3):
        for a in range(1, actions + 1):
            for m in (1, 2):
                done = corrected and m == 1 and a % 2
                milestones.append(
                    [
                        f"{f}.{a}",
                        f"Milestone {m}",
                        datetime.date(2025, 3 * m, 1),
                        datetime.date(2025, 2, 20) if done else None,
                        "Checked by the board" if corrected and a % 3 == 0 else "",
                    ]
                )
    if corrected:
        milestones.append(["1.1", "Milestone 3", datetime.date(2025, 9, 1), None, "Added"])
    return read_spreadsheet(xlsx_bytes(book), "plan.xlsx")


@pytest.fixture
def twins(plan_cast):
    """Two fresh plans answering the same inspection, each addressing weakness 1 so far."""
    inspection = plan_cast.plan.responds_to
    return plan_cast, [
        make_plan(inspection=inspection, ref=ref, findings=[plan_cast.finding1])
        for ref in ("wsoa-bulk", "wsoa-rows")
    ]


def confirm(plan, book, by, filename="plan.xlsx"):
    """Preview and confirm, as the import pages do; returns the analysis."""
    analysis = analyse(plan, book)
    assert analysis.can_import, [str(p) for p in analysis.problems + analysis.needs_columns]
    return apply(plan, book, None, by=by, filename=filename, expected_digest=analysis.digest)


def confirm_row_by_row(plan, book, by, filename="plan.xlsx"):
    """The confirm as it was before bulk writes: each record saved through save_with_history."""
    reason = f"Imported from {filename}"
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        analysis = analyse(plan, book)
        assert analysis.can_import
        for change in analysis.links:
            save_with_history(change.instance, by=by, reason=reason, validate_constraints=False)
        created = {}
        for change in analysis.action_changes:
            save_with_history(change.instance, by=by, reason=reason, validate_constraints=False)
            created[change.instance.ref] = change.instance
        for change in analysis.milestone_changes:
            milestone = change.instance
            if change.is_new and milestone.action_id is None:
                milestone.action = created[milestone.action_ref]
            save_with_history(milestone, by=by, reason=reason, validate_constraints=False)
    return analysis


# Keys and times differ between the twins; everything else must not.
LEFT_OUT = {"id", "plan", "action", "history_id", "history_date"}


def fields_of(record):
    return {
        f.attname: getattr(record, f.attname)
        for f in record._meta.concrete_fields
        if f.name not in LEFT_OUT
    }


def snapshot(plan):
    """Every row the import writes for ``plan``, and every history row, keyed without keys."""
    refs = dict(ActionItem.objects.filter(plan=plan).values_list("pk", "ref"))
    actions = {action.ref: fields_of(action) for action in ActionItem.objects.filter(plan=plan)}
    milestones = {
        (refs[m.action_id], m.title): fields_of(m)
        for m in Milestone.objects.filter(action__plan=plan)
    }
    links = sorted(PlanFinding.objects.filter(plan=plan).values_list("finding_id", flat=True))
    history = {}
    for record in ActionItem.history.filter(plan=plan).order_by("history_id"):
        history.setdefault(("action", record.ref), []).append(fields_of(record))
    for record in Milestone.history.filter(action_id__in=refs).order_by("history_id"):
        key = ("milestone", refs[record.action_id], record.title)
        history.setdefault(key, []).append(fields_of(record))
    for record in PlanFinding.history.filter(plan=plan).order_by("history_id"):
        history.setdefault(("link", record.finding_id), []).append(fields_of(record))
    return {"actions": actions, "milestones": milestones, "links": links, "history": history}


def test_a_first_import_and_a_corrected_one_write_the_same_rows_and_history_as_one_at_a_time(
    twins,
):
    cast, (bulk_plan, rows_plan) = twins
    first, corrected = plan_workbook(6), plan_workbook(6, corrected=True)

    started = timezone.now()
    analysis = confirm(bulk_plan, first, cast.officer)
    confirm_row_by_row(rows_plan, first, cast.officer)

    assert len(analysis.new_actions) == 18 and len(analysis.new_milestones) == 36
    created = snapshot(bulk_plan)
    assert created == snapshot(rows_plan)
    assert {a["version"] for a in created["actions"].values()} == {1}
    assert created["links"] == sorted([cast.finding1.pk, cast.finding2.pk, cast.finding3.pk])
    first_history = created["history"][("action", "1.4")]
    assert [
        (h["history_type"], h["history_user_id"], h["history_change_reason"]) for h in first_history
    ] == [("+", cast.officer.pk, "Imported from plan.xlsx")]
    assert created["actions"]["1.4"]["lead_officer_id"] == cast.officer.pk

    analysis = confirm(bulk_plan, corrected, cast.officer, filename="corrected.xlsx")
    confirm_row_by_row(rows_plan, corrected, cast.officer, filename="corrected.xlsx")

    assert len(analysis.changed_actions) == 9 and len(analysis.new_actions) == 3
    assert len(analysis.changed_milestones) == 18 and len(analysis.new_milestones) == 7
    updated = snapshot(bulk_plan)
    assert updated == snapshot(rows_plan)
    changed = updated["actions"]["2.3"]
    assert (changed["version"], changed["delivery_status"], changed["due_date"]) == (
        2,
        "off_track",
        datetime.date(2026, 6, 4),
    )
    assert updated["actions"]["1.4"]["lead_officer_id"] is None  # cleared by a blank cell
    assert [
        (h["history_type"], h["version"], h["history_change_reason"])
        for h in updated["history"][("action", "2.3")]
    ] == [("+", 1, "Imported from plan.xlsx"), ("~", 2, "Imported from corrected.xlsx")]
    assert [h["completed_on"] for h in updated["history"][("milestone", "3.1", "Milestone 1")]] == [
        None,
        datetime.date(2025, 2, 20),
    ]
    # History is dated when it was written, as it is one save at a time.
    for record in ActionItem.history.filter(plan=bulk_plan):
        assert started <= record.history_date <= timezone.now()


def queries_to_confirm(plan, book, by):
    analysis = analyse(plan, book)
    with CaptureQueriesContext(connection) as queries:
        apply(plan, book, None, by=by, filename="plan.xlsx", expected_digest=analysis.digest)
    return len(queries)


def test_the_confirm_takes_as_many_queries_for_600_actions_as_for_300(twins):
    cast, (small, large) = twins

    created = [
        queries_to_confirm(small, plan_workbook(100), cast.officer),
        queries_to_confirm(large, plan_workbook(200), cast.officer),
    ]
    changed = [
        queries_to_confirm(small, plan_workbook(100, corrected=True), cast.officer),
        queries_to_confirm(large, plan_workbook(200, corrected=True), cast.officer),
    ]

    assert ActionItem.objects.filter(plan=large).count() == 603
    assert Milestone.objects.filter(action__plan=large).count() == 1207
    assert created[0] == created[1]
    assert changed[0] == changed[1]
    # Locking the plan and reading it again; each new finding link saved on its
    # own; each foreign key checked once; and each kind of record written with
    # its history in a handful of statements; then, for each kind, two queries
    # for the public cache to find the areas the batch touched.
    assert created[0] <= 49
    assert changed[0] <= 44


def test_the_bulk_write_is_announced_once_for_each_kind_of_record(twins):
    """bulk_save_with_history sends no post_save; it sends saved_in_bulk, once a batch."""
    cast, (plan, _) = twins
    heard = []

    def listen(sender, instances, created, **kwargs):
        heard.append((sender, len(instances), created))

    saved_in_bulk.connect(listen)
    try:
        confirm(plan, plan_workbook(3), cast.officer)
        confirm(plan, plan_workbook(3, corrected=True), cast.officer)
    finally:
        saved_in_bulk.disconnect(listen)

    assert heard == [
        (ActionItem, 9, True),
        (Milestone, 18, True),
        (ActionItem, 3, True),
        (ActionItem, 3, False),
        (Milestone, 7, True),
        (Milestone, 9, False),
    ]


def test_an_action_saved_by_someone_else_during_the_confirm_stops_it(twins, monkeypatch):
    """The analysis reads the actions under the plan's lock; a save between that read and the
    write (through another page, which locks only the action) is not written over."""
    import actions.plan_import as plan_import

    cast, (plan, _) = twins
    confirm(plan, plan_workbook(3), cast.officer)
    corrected = plan_workbook(3, corrected=True)
    analysis = analyse(plan, corrected)
    real_analyse = plan_import.analyse

    def analyse_then_someone_saves(*args, **kwargs):
        result = real_analyse(*args, **kwargs)
        action = ActionItem.objects.get(plan=plan, ref="1.3")
        action.description = "Typed in the portal meanwhile"
        save_with_history(action, by=cast.second_officer, reason="Edited")
        return result

    monkeypatch.setattr(plan_import, "analyse", analyse_then_someone_saves)
    with pytest.raises(PreviewOutOfDate):
        apply(
            plan,
            corrected,
            None,
            by=cast.officer,
            filename="c.xlsx",
            expected_digest=analysis.digest,
        )

    action = ActionItem.objects.get(plan=plan, ref="1.3")
    assert (action.title, action.version) == ("Action 1.3: clearer advice", 1)  # rolled back too
    assert not ActionItem.objects.filter(plan=plan, ref="1.4").exists()


def test_history_rows_come_in_the_order_the_records_are_given_with_the_values_written(twins):
    """The database copies each written row into its history table, one row a record, in the
    order given (as one save at a time would date them), holding what the row now holds."""
    cast, (plan, _) = twins
    confirm(plan, plan_workbook(2), cast.officer)
    actions = list(ActionItem.objects.filter(plan=plan).order_by("-pk"))  # not the keys' order
    for action in actions:
        action.description = f"Reviewed: {action.ref}"

    bulk_save_with_history(
        [], actions, by=cast.second_officer, reason="Reviewed", fields=["description"]
    )

    changes = list(ActionItem.history.filter(plan=plan, history_type="~").order_by("history_id"))
    assert [h.ref for h in changes] == [action.ref for action in actions]
    assert {(h.version, h.history_user_id, h.history_change_reason) for h in changes} == {
        (2, cast.second_officer.pk, "Reviewed")
    }
    assert all(h.description == f"Reviewed: {h.ref}" for h in changes)
    assert len({h.history_date for h in changes}) == 1  # one write, dated once


def test_the_analysis_checks_fields_as_clean_fields_does(twins):
    """FieldChecks checks each value of a plain field once, with clean_fields()'s results."""
    cast, (plan, _) = twins
    checks = FieldChecks()
    values = [
        {"ref": "1.1", "title": "Short", "due_date": datetime.date(2026, 3, 1)},
        {"ref": "1.2", "title": "x" * 301, "due_date": datetime.date(2026, 3, 1)},
        {"ref": "1.3", "title": "", "due_date": None, "delivery_status": "sideways"},
        {"ref": "1.4", "title": "Short", "due_date": "2026-03-01", "delivery_status": "sideways"},
        {"ref": "1.5", "title": "Short", "due_date": "not a date", "success_criteria": ""},
        {"ref": "1.6", "title": "x" * 301, "due_date": datetime.date(2026, 3, 1)},
    ]
    for fields in values:
        expected, actual = (
            ActionItem(plan=plan, finding=cast.finding1, **fields) for _ in range(2)
        )
        try:
            expected.clean_fields(exclude=["plan", "finding", "lead_organisation"])
            expected_errors = {}
        except ValidationError as error:
            expected_errors = error.message_dict
        try:
            checks.clean_fields(actual, exclude=("plan", "finding", "lead_organisation"))
            actual_errors = {}
        except ValidationError as error:
            actual_errors = error.message_dict
        assert actual_errors == expected_errors
        assert fields_of(actual) == fields_of(expected)
