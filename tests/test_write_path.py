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
from django.urls import reverse

from actions.area_history import import_document
from actions.models import Plan
from inspections.models import Finding, Inspection, LocalArea, Membership
from kit.versioning import Versioned, save_with_history
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
