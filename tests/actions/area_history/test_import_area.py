"""Importing an area-history file: what it creates, re-imports and corrections."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from actions.area_history import (
    IMPORTED_MODELS,
    ImportProblems,
    import_document,
    validate,
)
from actions.models import Plan, PlanFinding, PlanIntervention
from inspections.models import (
    Finding,
    Inspection,
    Intervention,
    InterventionFinding,
    Judgement,
    LocalArea,
    Organisation,
    Partnership,
    ProgressReview,
)
from kit.dates import Precision

from .conftest import EXAMPLE_PATH

REASON = "Imported from area-history-example.json"


def run_import(path, *args):
    stdout, stderr = StringIO(), StringIO()
    call_command("import_area", str(path), *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user(username="editor", password="not-used-here-1")


@pytest.fixture
def imported(db, example_document):
    """The example file imported once, as the first engineer would."""
    return import_document(example_document, filename="area-history-example.json")


def test_the_documented_example_has_no_problems(db, example_document):
    assert validate(example_document) == []


@pytest.mark.django_db
def test_importing_the_example_creates_every_record(example_document):
    summary = import_document(example_document, filename="area-history-example.json")

    created = {model: summary.counts[model]["created"] for model in IMPORTED_MODELS}
    assert created == {
        LocalArea: 1,
        Organisation: 4,
        Partnership: 4,
        Inspection: 4,
        Finding: 8,
        Intervention: 2,
        InterventionFinding: 3,
        ProgressReview: 3,
        Judgement: 6,
        Plan: 4,
        PlanFinding: 8,
        PlanIntervention: 1,
    }
    assert (summary.created, summary.updated, summary.unchanged) == (48, 0, 0)
    assert str(summary) == (
        "Imported Exampleshire from area-history-example.json: 48 created, 0 updated, 0 unchanged."
    )
    for model, expected in created.items():
        assert model.objects.count() == expected, model


def test_partners_are_kept_in_the_order_given(imported):
    area = LocalArea.objects.get(slug="example-shire")
    partnerships = list(area.partnerships.order_by("order"))
    assert [p.organisation.slug for p in partnerships] == [
        "exampleshire-county-council",
        "nhs-exampleshire-ccg",
        "nhs-exampleshire-and-sampleton-icb",
        "exampleshire-parent-carer-forum",
    ]
    assert [p.order for p in partnerships] == [0, 1, 2, 3]
    assert partnerships[2].description == "The NHS partner from July 2022."
    assert partnerships[3].description == ""


def test_area_and_organisation_fields(imported):
    area = LocalArea.objects.get(slug="example-shire")
    assert area.name == "Exampleshire"
    assert area.local_offer_url == "https://www.example.org/exampleshire/local-offer"
    assert area.source_list == ["Invented for the documentation: this is not a real local area."]
    icb = Organisation.objects.get(slug="nhs-exampleshire-and-sampleton-icb")
    assert icb.kind == Organisation.Kind.ICB
    assert icb.website == "https://www.example.org/exampleshire-and-sampleton-icb"


def test_dates_keep_their_precision(imported):
    inspection = Inspection.objects.get(ref="2017-inspection")
    assert (inspection.start_date, inspection.start_date_precision) == (
        datetime.date(2017, 6, 12),
        Precision.DAY,
    )
    assert inspection.received.date == datetime.date(2017, 8, 1)

    revisit = Inspection.objects.get(ref="2019-revisit")
    assert (revisit.start_date, revisit.start_date_precision) == (
        datetime.date(2019, 10, 1),
        Precision.MONTH,
    )
    assert str(revisit.start) == "October 2019"
    assert revisit.report_received is None

    review = ProgressReview.objects.get(ref="2021-review")
    assert (review.held_on, review.held_on_precision) == (datetime.date(2021, 1, 1), Precision.YEAR)
    assert str(review.held) == "2021"
    assert review.conducted_by == "DfE and NHS England"

    wsoa = Plan.objects.get(ref="wsoa-2017")
    assert str(wsoa.published) == "December 2017"
    assert str(wsoa.judged) == "20 November 2017"
    assert wsoa.closed_on is None


def test_findings_are_attached_to_the_inspection_that_made_them(imported):
    findings = Finding.objects.order_by("inspection__start_date", "kind_rank", "number")
    assert [(f.inspection.ref, f.kind, f.number) for f in findings] == [
        ("2017-inspection", "significant_weakness", 1),
        ("2017-inspection", "significant_weakness", 2),
        ("2017-inspection", "significant_weakness", 3),
        # The framework's order: areas for priority action before areas for improvement.
        ("2023-inspection", "area_for_priority_action", 1),
        ("2023-inspection", "area_for_priority_action", 2),
        ("2023-inspection", "area_for_improvement", 1),
        ("2026-inspection", "area_for_improvement", 1),
        ("2026-inspection", "area_for_improvement", 2),
    ]
    weakness_3 = Finding.objects.get(inspection__ref="2017-inspection", number=3)
    assert weakness_3.wording == Finding.Wording.THEME
    assert weakness_3.lead_organisation.slug == "nhs-exampleshire-ccg"
    improvement = Finding.objects.get(
        inspection__ref="2023-inspection", kind="area_for_improvement"
    )
    assert improvement.lead_organisation is None
    assert Finding.objects.get(kind="area_for_priority_action", number=1).wording == "verbatim"


def test_judgements_record_each_verdict_and_who_gave_it(imported):
    verdicts = {
        (j.finding.number, j.inspection.ref if j.inspection else j.review.ref): j.verdict
        for j in Judgement.objects.select_related("finding", "inspection", "review")
    }
    assert verdicts == {
        (1, "2019-revisit"): "sufficient_progress",
        (2, "2019-revisit"): "sufficient_progress",
        (3, "2019-revisit"): "insufficient_progress",
        (3, "2021-review"): "closed_by_review",
        # A 2023 full inspection reports on the areas for priority action before it.
        (1, "2026-inspection"): "no_longer_priority",
        (2, "2026-inspection"): "no_longer_priority",
    }
    judgement = Judgement.objects.get(inspection__ref="2019-revisit", finding__number=2)
    assert judgement.commentary == "Most new plans are now completed within 20 weeks."


def test_plans_address_the_right_findings(imported):
    def addressed(ref):
        return sorted(
            (pf.finding.inspection.ref, pf.finding.kind, pf.finding.number)
            for pf in PlanFinding.objects.filter(plan__ref=ref).select_related("finding")
        )

    # "all": every finding of the inspection the WSOA answers.
    assert addressed("wsoa-2017") == [
        ("2017-inspection", "significant_weakness", 1),
        ("2017-inspection", "significant_weakness", 2),
        ("2017-inspection", "significant_weakness", 3),
    ]
    # "insufficient": only what the revisit judged insufficient_progress.
    assert addressed("accelerated-plan-2020") == [("2017-inspection", "significant_weakness", 3)]
    # "all" for a priority action plan: only the areas for priority action, not the
    # inspection's area for improvement.
    assert addressed("priority-action-plan-2024") == [
        ("2023-inspection", "area_for_priority_action", 1),
        ("2023-inspection", "area_for_priority_action", 2),
    ]
    # A list: exactly the findings named.
    assert addressed("strategic-plan-2026") == [
        ("2026-inspection", "area_for_improvement", 1),
        ("2026-inspection", "area_for_improvement", 2),
    ]
    wsoa = Plan.objects.get(ref="wsoa-2017")
    assert wsoa.superseded_by.ref == "accelerated-plan-2020"
    assert wsoa.responds_to.ref == "2017-inspection"
    assert wsoa.status == Plan.Status.SUPERSEDED
    assert Plan.objects.get(ref="priority-action-plan-2024").status == Plan.Status.PUBLISHED
    assert Plan.objects.get(ref="strategic-plan-2026").status == Plan.Status.UNKNOWN


def test_every_created_record_has_one_history_row_with_the_reason_and_user(
    db, example_document, editor
):
    import_document(example_document, filename="area-history-example.json", user=editor)

    for model in IMPORTED_MODELS:
        rows = list(model.history.all())
        assert len(rows) == model.objects.count(), model
        assert {row.history_type for row in rows} == {"+"}, model
        assert {row.history_change_reason for row in rows} == {REASON}, model
        assert {row.history_user_id for row in rows} == {editor.pk}, model


def test_importing_the_same_file_again_changes_nothing(imported, example_document, counts):
    before = counts()

    summary = import_document(example_document, filename="area-history-example.json")

    assert counts() == before
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 48)
    assert str(summary) == (
        "Imported Exampleshire from area-history-example.json: 0 created, 0 updated, 48 unchanged."
    )


def test_a_corrected_file_updates_records_in_place(
    imported, example_document, write_document, editor, counts
):
    example_document["inspections"][0]["findings"][1]["text"] = "Plans are late and vague."
    example_document["inspections"][1]["judgements"][1]["verdict"] = "insufficient_progress"
    example_document["inspections"][1]["findings_resolved"] = 1
    example_document["plans"][1]["findings"] = "insufficient"
    example_document["reviews"][0]["held_on"] = "2021-05-20"
    path = write_document(example_document, name="exampleshire-corrected.json")
    before = counts()

    stdout, stderr = run_import(path, "--user", "editor")

    assert stderr == ""
    # Finding text, the verdict and its count, the review's date; the accelerated
    # plan now also addresses weakness 2, a new link.
    assert stdout == (
        "Imported Exampleshire from exampleshire-corrected.json: "
        "1 created, 4 updated, 44 unchanged.\n"
    )
    after = counts()
    assert after["inspections.Finding"] == before["inspections.Finding"]
    assert after["inspections.Finding history"] == before["inspections.Finding history"] + 1
    assert after["inspections.Judgement"] == before["inspections.Judgement"]
    assert after["actions.PlanFinding"] == before["actions.PlanFinding"] + 1

    finding = Finding.objects.get(inspection__ref="2017-inspection", number=2)
    assert finding.text == "Plans are late and vague."
    latest = finding.history.first()
    assert latest.history_type == "~"
    assert latest.history_change_reason == "Imported from exampleshire-corrected.json"
    assert latest.history_user == editor
    assert latest.prev_record.history_change_reason == REASON
    assert latest.prev_record.history_user is None

    review = ProgressReview.objects.get(ref="2021-review")
    assert (review.held_on, review.held_on_precision) == (datetime.date(2021, 5, 20), "day")
    judgement = Judgement.objects.get(inspection__ref="2019-revisit", finding=finding)
    assert judgement.verdict == "insufficient_progress"
    assert judgement.history.count() == 2
    assert Inspection.objects.get(ref="2019-revisit").findings_resolved == 1


def test_records_no_longer_in_the_file_are_left_alone(imported, example_document, counts):
    del example_document["plans"][3]
    del example_document["inspections"][3]
    del example_document["interventions"]
    del example_document["plans"][2]["interventions"]
    del example_document["reviews"][1:]
    before = counts()

    summary = import_document(example_document, filename="shorter.json")

    assert counts() == before
    assert summary.created == summary.updated == 0
    assert Plan.objects.filter(ref="strategic-plan-2026").exists()
    assert Intervention.objects.count() == 2
    assert PlanIntervention.objects.count() == 1


def test_an_organisation_website_left_out_is_not_blanked(imported, example_document):
    # Organisations are shared between areas; another area's file may know the website.
    del example_document["organisations"][0]["website"]

    summary = import_document(example_document, filename="no-website.json")

    assert summary.updated == 0
    council = Organisation.objects.get(slug="exampleshire-county-council")
    assert council.website == "https://www.example.org/exampleshire"


def test_an_existing_organisation_joins_a_second_area(imported, example_document):
    other = {
        "format": "send-portal-area-history",
        "version": 1,
        "area": {"slug": "sampleton", "name": "Sampleton"},
        "organisations": [example_document["organisations"][2]],
    }

    summary = import_document(other, filename="sampleton.json")

    assert summary.counts[Organisation]["unchanged"] == 1
    assert summary.counts[Partnership]["created"] == 1
    icb = Organisation.objects.get(slug="nhs-exampleshire-and-sampleton-icb")
    assert sorted(icb.areas.values_list("slug", flat=True)) == ["example-shire", "sampleton"]


def test_a_problem_found_only_by_the_models_rolls_everything_back(
    db, example_document, counts, monkeypatch
):
    # The file checks should catch everything, but the models have the last word.
    from django.core.exceptions import ValidationError

    original_clean = Plan.clean

    def refuse_the_priority_plan(plan):
        original_clean(plan)
        if plan.ref == "priority-action-plan-2024":
            raise ValidationError({"title": "Not this title.", "is_illustrative": "Not this."})

    monkeypatch.setattr(Plan, "clean", refuse_the_priority_plan)
    before = counts()

    with pytest.raises(ImportProblems) as error:
        import_document(example_document, filename="area.json")

    assert [str(p) for p in error.value.problems] == [
        "plans[2].title: Not this title.",
        "plans[2]: Not this.",
    ]
    assert counts() == before


def test_a_dry_run_writes_nothing(db, example_document, counts):
    before = counts()

    summary = import_document(example_document, filename="area.json", dry_run=True)

    assert counts() == before
    assert summary.created == 48
    assert str(summary) == (
        "Checked Exampleshire in area.json (dry run, nothing written): "
        "48 to create, 0 to update, 0 unchanged."
    )


# The management command ---------------------------------------------------------------


@pytest.mark.django_db
def test_command_imports_the_example_file():
    stdout, stderr = run_import(EXAMPLE_PATH)

    assert stdout == (
        "Imported Exampleshire from area-history-example.json: "
        "48 created, 0 updated, 0 unchanged.\n"
    )
    assert stderr == ""
    assert LocalArea.objects.get().slug == "example-shire"


@pytest.mark.django_db
def test_command_records_the_user_in_history(editor):
    run_import(EXAMPLE_PATH, "--user", "editor")

    history = LocalArea.history.get()
    assert history.history_user == editor
    assert history.history_change_reason == REASON


@pytest.mark.django_db
def test_command_lists_records_by_kind_when_asked_for_more_detail():
    stdout, _stderr = run_import(EXAMPLE_PATH, "--verbosity", "2")

    lines = stdout.splitlines()
    assert lines[1] == "  local areas: 1 created, 0 updated, 0 unchanged"
    assert "  plan findings: 8 created, 0 updated, 0 unchanged" in lines
    assert "  interventions: 2 created, 0 updated, 0 unchanged" in lines


@pytest.mark.django_db
def test_command_dry_run_says_what_would_change_and_writes_nothing(counts):
    before = counts()

    stdout, stderr = run_import(EXAMPLE_PATH, "--dry-run")

    assert stdout == (
        "Checked Exampleshire in area-history-example.json (dry run, nothing written): "
        "48 to create, 0 to update, 0 unchanged.\n"
    )
    assert stderr == ""
    assert counts() == before


@pytest.mark.django_db
def test_command_dry_run_of_a_bad_file_lists_its_problems(write_document, example_document):
    example_document["inspections"][0]["findings"][0]["number"] = "1"
    path = write_document(example_document)
    stderr = StringIO()

    with pytest.raises(CommandError, match=r"^Nothing was imported: area.json has 1 problem\.$"):
        call_command("import_area", str(path), "--dry-run", stdout=StringIO(), stderr=stderr)

    assert stderr.getvalue() == "inspections[0].findings[0].number: must be a whole number\n"


@pytest.mark.django_db
def test_command_reports_every_problem_on_stderr_and_writes_nothing(
    write_document, example_document, counts
):
    example_document["area"]["colour"] = "green"
    example_document["inspections"][0]["start_date"] = "2017-02-30"
    del example_document["plans"][0]["title"]
    path = write_document(example_document, name="broken.json")
    before = counts()
    stdout, stderr = StringIO(), StringIO()

    with pytest.raises(CommandError) as error:
        call_command("import_area", str(path), stdout=stdout, stderr=stderr)

    assert str(error.value) == "Nothing was imported: broken.json has 3 problems."
    assert stderr.getvalue().splitlines() == [
        "area.colour: is not a recognised key",
        "inspections[0].start_date: 2017-02-30 is not a real date: February 2017 has 28 days",
        "plans[0].title: is required",
    ]
    assert stdout.getvalue() == ""
    assert counts() == before


@pytest.mark.django_db
def test_command_reports_invalid_json_with_its_line_and_column(tmp_path, counts):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "send-portal-area-history",\n  "version": 1\n  "area": {}\n}')
    stderr = StringIO()
    before = counts()

    with pytest.raises(CommandError, match="has 1 problem"):
        call_command("import_area", str(path), stdout=StringIO(), stderr=stderr)

    assert stderr.getvalue() == (
        "line 4, column 3: the file is not valid JSON (Expecting ',' delimiter)\n"
    )
    assert counts() == before


@pytest.mark.django_db
def test_command_explains_a_missing_file(tmp_path):
    missing = tmp_path / "nowhere.json"

    with pytest.raises(CommandError) as error:
        run_import(missing)

    assert str(error.value) == f"There is no file at {missing}."


@pytest.mark.django_db
def test_command_explains_a_folder_given_instead_of_a_file(tmp_path):
    with pytest.raises(CommandError) as error:
        run_import(tmp_path)

    assert str(error.value) == f"{tmp_path} is a folder, not a file."


@pytest.mark.django_db
def test_command_explains_a_file_that_is_not_utf8(tmp_path, counts):
    path = tmp_path / "latin1.json"
    path.write_bytes('{\n  "area": {"name": "Caf\xe9"}\n}'.encode("latin-1"))

    with pytest.raises(CommandError) as error:
        run_import(path)

    assert str(error.value) == (
        f"{path} is not UTF-8 text: the byte at line 2 cannot be read. "
        "Save the file as UTF-8 and try again."
    )
    assert counts()["inspections.LocalArea"] == 0


@pytest.mark.django_db
def test_command_accepts_a_file_starting_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + EXAMPLE_PATH.read_bytes())

    stdout, _stderr = run_import(path)

    assert stdout.startswith("Imported Exampleshire from bom.json: 48 created")


@pytest.mark.django_db
def test_command_refuses_an_unknown_user(counts):
    before = counts()

    with pytest.raises(CommandError) as error:
        run_import(EXAMPLE_PATH, "--user", "nobody")

    assert str(error.value) == "There is no user with the username nobody."
    assert counts() == before
