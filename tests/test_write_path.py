"""One audited write path: every record is saved through kit.versioning.save_with_history.

That function runs the model's checks, records who and why, and raises a
versioned record's version. These tests prove it is the only way the
portal's code saves a record (read from the source, and watched at run time
by tests/conftest.py), and that writers other than the board's forms (an
area-history import, the admin) can no longer save silently over a form
someone has open.
"""

import ast
import copy
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.area_history import import_document
from actions.models import ActionItem, Milestone, Plan
from inspections.models import Finding, Inspection, LocalArea, Membership
from kit.versioning import (
    EditConflict,
    Versioned,
    bulk_save_with_history,
    save_with_history,
    saved_in_bulk,
)
from tests.cast import make_user
from tests.html_forms import form_values

from .actions.area_history.conftest import _EXAMPLE

ROOT = Path(settings.BASE_DIR)
WRITE_PATH = ROOT / "kit" / "versioning.py"
# Attributes only the write path may set.
GUARDED = {"_history_user", "_change_reason", "version"}


def project_modules():
    """Every Python module of the portal, without tests, migrations or the virtualenv."""
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {"tests", ".venv", "var", "bench", "scripts"} or "migrations" in parts:
            continue
        yield path


def guarded_assignments(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr in GUARDED:
                yield f"{path.relative_to(ROOT)}:{node.lineno} sets .{target.attr}"


# Writes that send no pre_save or post_save, so neither the run-time guard nor
# history sees them: only the write path's bulk_save_with_history may make them.
BULK_WRITES = {
    "bulk_create",
    "bulk_update",
    "abulk_create",
    "abulk_update",
    "bulk_create_with_history",
    "bulk_update_with_history",
    "bulk_history_create",
}
# What a queryset's .update() is called on: Model.objects..., or a queryset method's result
# (so a dict's or a set's .update() is not taken for one).
MANAGERS = {"objects", "_default_manager", "_base_manager"}
QUERYSET_METHODS = {
    "all",
    "filter",
    "exclude",
    "select_for_update",
    "select_related",
    "prefetch_related",
    "order_by",
    "annotate",
    "alias",
    "distinct",
    "using",
    "only",
    "defer",
    "complex_filter",
    "none",
}
# Queryset updates reviewed and allowed: (module, function) -> why. Each writes
# a record's own processing state, not an edit anyone makes; none is Versioned.
ALLOWED_UPDATES = {
    ("actions/import_views.py", "_forget_old_uploads"): "drops week-old unconfirmed uploads",
    ("progress/report_services.py", "_enqueue"): "notes the report's task id once queued",
}


def _is_queryset(node):
    if isinstance(node, ast.Attribute):
        return node.attr in MANAGERS
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and (node.func.attr in QUERYSET_METHODS or node.func.attr in MANAGERS)
    )


def _functions(tree):
    """Each node's innermost enclosing function name (or "" at module level)."""
    owner = {}

    def visit(node, name):
        for child in ast.iter_child_nodes(node):
            inner = (
                child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else name
            )
            owner[child] = inner
            visit(child, inner)

    visit(tree, "")
    return owner


def unaudited_writes(path, source=None):
    """Calls that write records without save_with_history: bulk writes and queryset updates."""
    source = path.read_text(encoding="utf-8") if source is None else source
    tree = ast.parse(source, filename=str(path))
    owner = _functions(tree)
    where = path.relative_to(ROOT).as_posix()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in BULK_WRITES:
            yield f"{where}:{node.lineno} calls {name}"
        elif (
            name == "update"
            and isinstance(func, ast.Attribute)
            and _is_queryset(func.value)
            and (where, owner.get(node, "")) not in ALLOWED_UPDATES
        ):
            yield f"{where}:{node.lineno} updates a queryset"


def test_only_the_write_path_sets_history_user_reason_or_version():
    found = [
        problem
        for path in project_modules()
        if path != WRITE_PATH
        for problem in guarded_assignments(path)
    ]
    assert found == []


def test_the_source_scan_sees_the_whole_portal():
    scanned = {path.relative_to(ROOT).parts[0] for path in project_modules()}
    assert {"kit", "inspections", "actions", "progress", "board", "public", "demo"} <= scanned
    assert list(guarded_assignments(WRITE_PATH))  # the scan does find assignments
    assert list(unaudited_writes(WRITE_PATH))  # and bulk writes


def test_only_the_write_path_writes_in_bulk_or_updates_querysets():
    """bulk_create and queryset updates send no pre_save, so the run-time guard cannot see them."""
    found = [
        problem
        for path in project_modules()
        if path != WRITE_PATH
        for problem in unaudited_writes(path)
    ]
    assert found == []


def test_the_scan_tells_a_querysets_update_from_a_dicts():
    source = """
def stray(action, values, plans):
    ActionItem.objects.bulk_create([action])
    Milestone.objects.filter(action=action).update(title="x")
    ActionItem._default_manager.update(title="x")
    ActionItem.objects.select_for_update().filter(pk=1).update(title="x")
    bulk_update_with_history([action], ActionItem, ["title"])
    values.update(title="x")
    plans.update(p for p in [])
    action.error_messages.update({})
"""
    found = list(unaudited_writes(ROOT / "actions" / "stray.py", source))
    assert found == [
        "actions/stray.py:3 calls bulk_create",
        "actions/stray.py:4 updates a queryset",
        "actions/stray.py:5 updates a queryset",
        "actions/stray.py:6 updates a queryset",
        "actions/stray.py:7 calls bulk_update_with_history",
    ]
    allowed = (
        "def _forget_old_uploads(plan):\n    PlanImport.objects.filter(plan=plan).update(x=1)\n"
    )
    assert list(unaudited_writes(ROOT / "actions" / "import_views.py", allowed)) == []


@pytest.mark.django_db
def test_a_save_of_a_versioned_record_outside_the_write_path_is_caught(cast):
    """The run-time guard in tests/conftest.py fails portal code that saves directly."""
    action = cast.action
    portal_code = compile("action.save()", str(ROOT / "actions" / "stray.py"), "exec")
    with pytest.raises(AssertionError, match="save_with_history"):
        exec(portal_code, {"action": action})  # noqa: S102 - code written in this test
    # The same save through the write path is fine, and raises the version.
    before = action.version
    save_with_history(action, by=cast.officer, reason="Checked")
    assert action.version == before + 1


@pytest.mark.django_db
def test_every_save_raises_the_version_and_records_who_and_why(cast):
    action = cast.action
    before = action.version
    action.title = "A clearer title"
    save_with_history(action, by=cast.officer, reason="Clearer wording")
    action.refresh_from_db()
    assert action.version == before + 1
    latest = action.history.order_by("-history_id").first()
    assert (latest.history_user, latest.history_change_reason, latest.version) == (
        cast.officer,
        "Clearer wording",
        before + 1,
    )


# The bulk counterpart: many records of one model in a few queries


def _milestones(action, count):
    return [
        Milestone(action=action, title=f"Step {n}", due_date="2026-01-31") for n in range(count)
    ]


@pytest.mark.django_db
def test_a_bulk_save_records_who_and_why_and_starts_each_version_at_one(cast):
    heard = []

    def listen(sender, instances, created, **kwargs):
        heard.append((sender, len(instances), created))

    saved_in_bulk.connect(listen)
    try:
        with CaptureQueriesContext(connection) as few:
            bulk_save_with_history(
                new=_milestones(cast.action, 3), by=cast.officer, reason="Planned"
            )
        with CaptureQueriesContext(connection) as many:
            written = bulk_save_with_history(
                new=_milestones(cast.action, 30), by=None, reason="Planned by the system"
            )
    finally:
        saved_in_bulk.disconnect(listen)
    assert heard == [(Milestone, 3, True), (Milestone, 30, True)]
    assert len(few) == len(many)  # the action checked once, then the rows and their history
    assert all(m.pk and m.version == 1 and not m._state.adding for m in written)
    records = Milestone.history.filter(action=cast.action).order_by("history_id")
    assert [
        (r.history_type, r.version, r.history_user, r.history_change_reason) for r in records
    ] == [("+", 1, cast.officer, "Planned")] * 3 + [("+", 1, None, "Planned by the system")] * 30


@pytest.mark.django_db
def test_a_bulk_update_raises_each_stored_version_by_one(cast):
    steps = bulk_save_with_history(new=_milestones(cast.action, 4), by=None, reason="Planned")
    save_with_history(steps[0], by=cast.officer, reason="Checked")  # now at version 2
    for step in steps:
        step.completed_on = "2025-12-01"

    bulk_save_with_history(
        changed=steps, by=cast.second_officer, reason="Done", fields=["completed_on"]
    )

    stored = Milestone.objects.filter(pk__in=[s.pk for s in steps]).order_by("pk")
    assert [(m.version, str(m.completed_on)) for m in stored] == [(3, "2025-12-01")] + [
        (2, "2025-12-01")
    ] * 3
    latest = steps[0].history.order_by("-history_id").first()
    assert (latest.history_type, latest.version, latest.history_change_reason) == ("~", 3, "Done")
    assert latest.history_user == cast.second_officer


@pytest.mark.django_db
def test_a_bulk_update_of_a_record_saved_since_it_was_read_is_a_conflict(cast):
    steps = bulk_save_with_history(new=_milestones(cast.action, 2), by=None, reason="Planned")
    someone = Milestone.objects.get(pk=steps[1].pk)
    someone.notes = "Typed in the portal"
    save_with_history(someone, by=cast.second_officer, reason="Noted")
    for step in steps:
        step.title = step.title + " (renamed)"

    with pytest.raises(EditConflict) as conflict:
        bulk_save_with_history(
            changed=steps,
            by=cast.officer,
            reason="Renamed",
            fields=["title"],
            expected_versions={step.pk: 1 for step in steps},
        )
    assert conflict.value.changed_by == {cast.second_officer}
    # Without expected versions, a field not named that differs from the row is refused,
    # so history never records a value the row does not hold.
    with pytest.raises(ValueError, match="notes differs from the stored record"):
        bulk_save_with_history(changed=steps, by=cast.officer, reason="Renamed", fields=["title"])
    assert not Milestone.objects.filter(title__endswith="(renamed)").exists()


@pytest.mark.django_db
def test_a_bulk_save_checks_every_record_and_writes_none_if_one_is_wrong(cast):
    too_long, steps = _milestones(cast.action, 1)[0], _milestones(cast.action, 2)
    too_long.title = "x" * 301
    with pytest.raises(ValidationError) as error:
        bulk_save_with_history(new=[*steps, too_long], by=None, reason="Planned")
    assert list(error.value.message_dict) == ["title"]

    stray = ActionItem(
        plan=cast.plan,
        ref="9.9",
        finding_id=999_999,
        title="Points at a finding that is not there",
        lead_organisation=cast.action.lead_organisation,
        due_date="2026-03-31",
        success_criteria="None",
    )
    with pytest.raises(ValidationError) as error:
        bulk_save_with_history(new=[stray], by=None, reason="Planned")
    assert "finding" in error.value.message_dict

    elsewhere = ActionItem(
        plan=cast.plan,
        ref="9.8",
        finding=cast.other_action.finding,
        title="Serves another area's finding",
        lead_organisation=cast.action.lead_organisation,
        due_date="2026-03-31",
        success_criteria="None",
    )
    with pytest.raises(ValidationError, match="findings this plan addresses"):
        bulk_save_with_history(new=[elsewhere], by=None, reason="Planned")  # the model's clean()
    assert Milestone.objects.filter(action=cast.action).count() == 0
    assert not ActionItem.objects.filter(ref__in=["9.9", "9.8"]).exists()


@pytest.mark.django_db
def test_a_bulk_save_takes_one_model_and_knows_new_from_saved(cast):
    with pytest.raises(ValueError, match="one model"):
        bulk_save_with_history(new=[*_milestones(cast.action, 1), cast.plan], by=None, reason="x")
    with pytest.raises(ValueError, match="not yet saved"):
        bulk_save_with_history(new=[cast.action], by=None, reason="x")
    assert bulk_save_with_history(by=None, reason="Nothing") == []


@pytest.mark.django_db
def test_a_database_that_returns_no_keys_from_a_bulk_insert_gets_one_save_at_a_time(
    cast, monkeypatch
):
    monkeypatch.setattr(connection.features, "can_return_rows_from_bulk_insert", False)
    steps = bulk_save_with_history(
        new=_milestones(cast.action, 2), by=cast.officer, reason="Planned"
    )
    records = Milestone.history.filter(action=cast.action)
    assert all(step.pk and step.version == 1 for step in steps)
    assert {(r.history_user, r.history_change_reason) for r in records} == {
        (cast.officer, "Planned")
    }
    assert records.count() == 2


def test_every_versioned_model_is_a_model_the_write_path_knows():
    from django.apps import apps

    versioned = [m for m in apps.get_models() if issubclass(m, Versioned)]
    assert len(versioned) >= 10
    for model in versioned:
        assert model._meta.get_field("version").editable is False


# An area-history import between a form's GET and POST


@pytest.fixture
def imported_area(db):
    document = copy.deepcopy(_EXAMPLE)
    import_document(document, filename="area.json")
    area = LocalArea.objects.get(slug=document["area"]["slug"])
    officer = make_user("olive", first_name="Olive", last_name="Officer")
    Membership.objects.create(user=officer, area=area, role=Membership.Role.OFFICER)
    return document, area, officer


def reimport(document, change):
    changed = copy.deepcopy(document)
    change(changed)
    import_document(changed, filename="area-corrected.json")


CASES = {
    "inspection": (
        lambda area: Inspection.objects.get(area=area, start_date="2017-06-12"),
        lambda obj: reverse("inspections:inspection-edit", args=[obj.area.slug, obj.pk]),
        lambda doc: doc["inspections"][0].update(report_url="https://reports.example.org/new"),
        lambda obj: obj.report_url,
        "https://reports.example.org/new",
        {"notes": "Olive typed these notes"},
    ),
    "finding": (
        lambda area: Finding.objects.get(
            inspection__area=area, inspection__start_date="2017-06-12", number=3
        ),
        lambda obj: reverse("inspections:finding-edit", args=[obj.inspection.area.slug, obj.pk]),
        lambda doc: doc["inspections"][0]["findings"][2].update(notes="Corrected by the import"),
        lambda obj: obj.notes,
        "Corrected by the import",
        {"text": "Olive typed this wording"},
    ),
    "plan": (
        lambda area: Plan.objects.get(area=area, ref="wsoa-2017"),
        lambda obj: reverse("actions:plan-edit", args=[obj.area.slug, obj.pk]),
        lambda doc: doc["plans"][0].update(public_summary="Summary corrected by the import"),
        lambda obj: obj.public_summary,
        "Summary corrected by the import",
        {"notes": "Olive typed these notes"},
    ),
}


@pytest.mark.parametrize("kind", CASES)
def test_an_import_between_a_forms_get_and_post_gives_the_conflict_page(
    client, imported_area, kind
):
    document, area, officer = imported_area
    find, edit_url, change, read, imported_value, typed = CASES[kind]
    obj = find(area)
    version = obj.version
    client.force_login(officer)
    stale = form_values(client.get(edit_url(obj)).text)

    reimport(document, change)
    obj.refresh_from_db()
    assert obj.version == version + 1  # the import raised the version
    assert read(obj) == imported_value

    response = client.post(edit_url(obj), {**stale, **typed, "change_reason": "Olive's edit"})

    assert response.status_code == 409
    assert "changed this while you were editing it" in response.text
    assert next(iter(typed.values())) in response.text  # what Olive typed is kept
    obj.refresh_from_db()
    assert read(obj) == imported_value  # the import's change was not saved over
    assert obj.version == version + 1


def test_an_unchanged_reimport_leaves_versions_alone(imported_area):
    document, area, _ = imported_area
    versions = dict(Inspection.objects.filter(area=area).values_list("pk", "version"))
    import_document(copy.deepcopy(document), filename="area.json")
    assert dict(Inspection.objects.filter(area=area).values_list("pk", "version")) == versions
