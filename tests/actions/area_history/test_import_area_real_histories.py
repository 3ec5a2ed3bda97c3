"""Importing histories shaped like real areas': interventions, counts and every kind of review.

The areas are invented, but each history has the shape of events found in
real areas' public records: an Improvement Notice issued, reviewed and
lifted; a statutory direction with a commissioner; an outcome 3 report quoted
without its wording; a revisit known only as "sufficient progress in 1 of 13";
a 2023 full inspection saying how many earlier priorities no longer need
priority action.
"""

import datetime
import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from actions.area_history import ImportProblems, import_document, validate
from actions.models import Plan, PlanFinding
from inspections.models import (
    Finding,
    Inspection,
    Intervention,
    InterventionFinding,
    Judgement,
    Organisation,
    ProgressReview,
)
from kit.dates import Precision

from .conftest import area_document, finding_ref, numbered_findings

APA = "area_for_priority_action"
AFI = "area_for_improvement"


def outcome_3_inspection(ref="2023-inspection", *, start="2023-09-18", priorities=2):
    """A 2023 full inspection with outcome 3 and no wording typed for its outcome."""
    return {
        "ref": ref,
        "framework": "2023",
        "kind": "full",
        "start_date": start,
        "outcome": "3",
        "findings": [
            *numbered_findings(APA, priorities, text="Priority {number}."),
            {"kind": AFI, "number": 1, "text": "Improve the Local Offer."},
        ],
    }


def write_file(tmp_path, document, name):
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def run_import(path):
    stdout, stderr = StringIO(), StringIO()
    call_command("import_area", str(path), stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


# An Improvement Notice: issued, reviewed, lifted --------------------------------------------


def notice_history(*, lifted_on=None):
    notice = {
        "ref": "improvement-notice-2023",
        "kind": "improvement_notice",
        "title": "SEND Improvement Notice",
        "issued_on": "2023-11",
        "covers": "Deliver the priority action plan and report to an improvement board.",
        "review_every_months": 6,
        "findings": [
            finding_ref("2023-inspection", APA, 1),
            finding_ref("2023-inspection", APA, 2),
        ],
        "public_summary": "The Department for Education told the partnership to improve.",
        "notes": "Board chair appointed by the minister.",
        "sources": ["https://www.example.org/northshire/improvement-notice"],
    }
    if lifted_on:
        notice["lifted_on"] = lifted_on
    return area_document(
        inspections=[outcome_3_inspection()],
        interventions=[notice],
        reviews=[
            {
                "ref": "notice-review-2024-05",
                "kind": "intervention_review",
                "held_on": "2024-05",
                "label": "First six-monthly review",
                "intervention": "improvement-notice-2023",
                "result": "Internal: waiting lists still too long.",
                "public_summary": "Officials found that plans are improving.",
            },
            {
                "ref": "notice-review-2024-11",
                "kind": "intervention_review",
                "held_on": "2024-11-20",
                "intervention": "improvement-notice-2023",
            },
        ],
        plans=[
            {
                "ref": "priority-action-plan",
                "kind": "priority_action_plan",
                "title": "Priority action plan",
                "responds_to": "2023-inspection",
                "status": "published",
            }
        ],
    )


@pytest.mark.django_db
def test_an_improvement_notice_is_recorded_with_what_it_covers_and_its_reviews():
    import_document(notice_history(lifted_on="2025-08-06"), filename="northshire.json")

    notice = Intervention.objects.get(ref="improvement-notice-2023")
    assert notice.kind == Intervention.Kind.IMPROVEMENT_NOTICE
    assert notice.area.slug == "northshire"
    assert (notice.title, notice.issued_by) == (
        "SEND Improvement Notice",
        "Department for Education",
    )
    assert (notice.issued_on, notice.issued_on_precision) == (
        datetime.date(2023, 11, 1),
        Precision.MONTH,
    )
    assert (str(notice.issued), str(notice.lifted)) == ("November 2023", "6 August 2025")
    assert notice.review_every_months == 6
    assert notice.covers.startswith("Deliver the priority action plan")
    assert notice.public_summary == "The Department for Education told the partnership to improve."
    assert notice.notes == "Board chair appointed by the minister."
    assert notice.sources == "https://www.example.org/northshire/improvement-notice"
    assert (notice.legal_basis, notice.commissioner, notice.replaced_by) == ("", "", None)
    assert sorted(notice.findings.values_list("kind", "number")) == [(APA, 1), (APA, 2)]
    assert notice.in_force_on(datetime.date(2024, 6, 1))
    assert not notice.in_force_on(datetime.date(2025, 9, 1))

    first, second = ProgressReview.objects.order_by("held_on")
    assert (first.kind, first.intervention, first.label) == (
        ProgressReview.Kind.INTERVENTION_REVIEW,
        notice,
        "First six-monthly review",
    )
    assert first.public_summary == "Officials found that plans are improving."
    assert first.result == "Internal: waiting lists still too long."
    assert first.conducted_by == "DfE and NHS England"
    assert (second.intervention, str(second.held), second.public_summary) == (
        notice,
        "20 November 2024",
        "",
    )
    assert list(notice.reviews.order_by("held_on")) == [first, second]


@pytest.mark.django_db
def test_lifting_a_notice_in_a_corrected_file_updates_it_in_place(tmp_path, counts):
    run_import(write_file(tmp_path, notice_history(), "northshire.json"))
    notice = Intervention.objects.get()
    assert notice.lifted_on is None
    assert notice.in_force_on(datetime.date(2026, 1, 1))
    before = counts()

    stdout, stderr = run_import(
        write_file(tmp_path, notice_history(lifted_on="2025-08"), "northshire-lifted.json")
    )

    assert stderr == ""
    assert stdout == (
        "Imported Northshire from northshire-lifted.json: 0 created, 1 updated, 12 unchanged.\n"
    )
    notice.refresh_from_db()
    assert (str(notice.lifted), notice.version) == ("August 2025", 2)
    latest = notice.history.first()
    assert (latest.history_type, latest.history_change_reason) == (
        "~",
        "Imported from northshire-lifted.json",
    )
    after = counts()
    assert (
        after["inspections.Intervention history"] == before["inspections.Intervention history"] + 1
    )
    del after["inspections.Intervention history"], before["inspections.Intervention history"]
    assert after == before


@pytest.mark.django_db
def test_importing_a_history_with_interventions_again_changes_nothing(counts):
    document = notice_history(lifted_on="2025-08-06")
    import_document(document, filename="northshire.json")
    before = counts()

    summary = import_document(document, filename="northshire.json")

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 13)
    assert counts() == before


# A statutory direction under s497A(4B) with a commissioner --------------------------------


def direction_history():
    return area_document(
        inspections=[
            {
                "ref": "2018-inspection",
                "framework": "2016",
                "kind": "initial",
                "start_date": "2018-06",
                "outcome": "wsoa_required",
                "findings": numbered_findings("significant_weakness", 3, wording="theme"),
            }
        ],
        interventions=[
            {
                "ref": "improvement-notice-2021",
                "kind": "improvement_notice",
                "issued_on": "2021-03",
                "lifted_on": "2021-10-19",
                "replaced_by": "direction-2021",
            },
            {
                "ref": "direction-2021",
                "kind": "statutory_direction",
                "title": "Statutory direction",
                "issued_on": "2021-10-19",
                "issued_by": "Secretary of State for Education",
                "legal_basis": "section 497A(4B) Education Act 1996",
                "commissioner": "A. Commissioner, Commissioner for SEND services",
                "covers": "The council must follow the SEND commissioner's instructions.",
                "findings": [finding_ref("2018-inspection", "significant_weakness", 2)],
            },
        ],
    )


@pytest.mark.django_db
def test_a_statutory_direction_with_a_commissioner_replaces_a_notice():
    document = direction_history()
    assert validate(document) == []

    import_document(document, filename="direction.json")

    notice, direction = Intervention.objects.order_by("issued_on")
    assert direction.kind == Intervention.Kind.STATUTORY_DIRECTION
    assert direction.legal_basis == "section 497A(4B) Education Act 1996"
    assert direction.commissioner == "A. Commissioner, Commissioner for SEND services"
    assert direction.issued_by == "Secretary of State for Education"
    assert direction.review_every_months is None
    assert direction.lifted_on is None
    assert notice.replaced_by == direction
    assert list(direction.replaces.all()) == [notice]
    # No title: it is named by its kind.
    assert (notice.title, notice.name) == ("", "Improvement Notice")
    assert notice.issued_by == "Department for Education"
    assert [link.finding.number for link in InterventionFinding.objects.all()] == [2]


@pytest.mark.django_db
def test_interventions_are_saved_replacement_first_whatever_their_order_in_the_file():
    document = direction_history()
    document["interventions"].reverse()

    summary = import_document(document, filename="direction.json")

    assert summary.counts[Intervention]["created"] == 2
    assert (
        Intervention.objects.get(ref="improvement-notice-2021").replaced_by.ref == "direction-2021"
    )


# An outcome 3 inspection without its wording ----------------------------------------------


@pytest.mark.django_db
def test_an_outcome_3_inspection_without_wording_reads_in_the_frameworks_words():
    inspection = outcome_3_inspection()
    inspection["public_summary"] = "Inspectors found widespread failings."
    import_document(area_document(inspections=[inspection]), filename="outcome-3.json")

    saved = Inspection.objects.get()
    assert (saved.outcome, saved.outcome_text) == ("3", "")
    assert saved.outcome_statement.startswith(
        "There are widespread and/or systemic failings leading to significant concerns"
    )
    assert saved.public_summary == "Inspectors found widespread failings."
    assert list(saved.findings.values_list("kind", "number")) == [(APA, 1), (APA, 2), (AFI, 1)]


# A revisit known only by counts, then an accelerated plan -----------------------------------


def counts_only_history(**plan):
    return area_document(
        inspections=[
            {
                "ref": "2017-inspection",
                "framework": "2016",
                "kind": "initial",
                "start_date": "2017-03",
                "outcome": "wsoa_required",
                "findings": numbered_findings(
                    "significant_weakness",
                    13,
                    text="The wording of this weakness is not public.",
                    wording="not_captured",
                ),
            },
            {
                "ref": "2019-revisit",
                "framework": "2016",
                "kind": "revisit",
                "start_date": "2019-11",
                "outcome": "revisit_reported",
                "outcome_text": "Sufficient progress in 1 of 13 areas of significant weakness.",
                "findings_judged": 13,
                "findings_resolved": 1,
                "public_summary": "Inspectors found enough progress in 1 of the 13 weaknesses.",
            },
        ],
        plans=[
            {
                "ref": "accelerated-plan",
                "kind": "accelerated_progress_plan",
                "title": "Accelerated progress plan",
                "responds_to": "2019-revisit",
                "status": "approved",
                "judged_by": "DfE and NHS England",
                **plan,
            }
        ],
    )


@pytest.mark.django_db
def test_a_revisit_known_only_by_counts_is_followed_by_an_accelerated_plan():
    document = counts_only_history()
    assert validate(document) == []

    import_document(document, filename="counts.json")

    revisit = Inspection.objects.get(ref="2019-revisit")
    assert (revisit.findings_judged, revisit.findings_resolved) == (13, 1)
    assert revisit.verdict_counts_text == "Sufficient progress on 1 of 13 findings"
    assert revisit.public_summary == "Inspectors found enough progress in 1 of the 13 weaknesses."
    assert not Judgement.objects.exists()
    plan = Plan.objects.get()
    assert (plan.kind, plan.responds_to, plan.status) == (
        Plan.Kind.ACCELERATED,
        revisit,
        Plan.Status.APPROVED,
    )
    # Which 12 weaknesses it took on is not public, so none is claimed.
    assert not plan.findings.exists()
    assert plan in Plan.objects.public()


@pytest.mark.django_db
def test_counts_with_the_few_verdicts_that_are_public_link_those_findings():
    document = counts_only_history(findings="insufficient")
    document["inspections"][1]["judgements"] = [
        {
            "finding": finding_ref("2017-inspection", "significant_weakness", 4),
            "verdict": "insufficient_progress",
            "commentary": "Named as workstream 1 of the accelerated plan.",
        }
    ]

    import_document(document, filename="counts.json")

    plan = Plan.objects.get()
    assert list(plan.findings.values_list("number", flat=True)) == [4]
    assert Inspection.objects.get(ref="2019-revisit").findings_judged == 13


# A 2023 full inspection judging the earlier inspection's priorities -------------------------


def reinspection_history():
    return area_document(
        inspections=[
            outcome_3_inspection(start="2023-06-05", priorities=10),
            {
                "ref": "2025-inspection",
                "framework": "2023",
                "kind": "full",
                "start_date": "2025-01-13",
                "outcome": "3",
                "findings_judged": 10,
                "findings_resolved": 8,
                "public_summary": "8 of the 10 priorities from 2023 no longer need priority action.",
                "findings": numbered_findings(APA, 2, text="Still a priority: {number}."),
                "judgements": [
                    {
                        "finding": finding_ref("2023-inspection", APA, 3),
                        "verdict": "still_priority",
                    },
                    {
                        "finding": finding_ref("2023-inspection", APA, 7),
                        "verdict": "still_priority",
                        "commentary": "Waiting times are still too long.",
                    },
                ],
            },
        ],
        plans=[
            {
                "ref": "priority-action-plan-2025",
                "kind": "priority_action_plan",
                "title": "Priority action plan",
                "responds_to": "2025-inspection",
                "findings": "all",
            }
        ],
    )


@pytest.mark.django_db
def test_a_2023_full_inspection_judges_the_earlier_inspections_priorities():
    document = reinspection_history()
    assert validate(document) == []

    import_document(document, filename="reinspection.json")

    later = Inspection.objects.get(ref="2025-inspection")
    assert (later.findings_judged, later.findings_resolved) == (10, 8)
    assert later.verdict_counts_text == "No longer needing priority action on 8 of 10 findings"
    judged = Judgement.objects.filter(inspection=later).order_by("finding__number")
    assert [(j.finding.inspection.ref, j.finding.number, j.verdict) for j in judged] == [
        ("2023-inspection", 3, "still_priority"),
        ("2023-inspection", 7, "still_priority"),
    ]
    assert judged[1].commentary == "Waiting times are still too long."
    # Its own findings are its own, and its plan takes its own priorities.
    assert later.findings.count() == 2
    plan = Plan.objects.get()
    assert sorted(plan.findings.values_list("inspection__ref", "number")) == [
        ("2025-inspection", 1),
        ("2025-inspection", 2),
    ]


@pytest.mark.django_db
def test_a_full_inspection_may_give_each_of_its_verdicts_on_earlier_findings():
    document = reinspection_history()
    verdicts = ["no_longer_priority", "still_priority", "effective_action", "not_effective_action"]
    later = document["inspections"][1]
    later["judgements"] = [
        {"finding": finding_ref("2023-inspection", APA, number), "verdict": verdict}
        for number, verdict in enumerate(verdicts, start=1)
    ]

    import_document(document, filename="reinspection.json")

    assert sorted(
        Judgement.objects.values_list("finding__number", "verdict").order_by("finding__number")
    ) == list(enumerate(verdicts, start=1))


# Plans: status not known, and "all" for a priority action plan --------------------------------


@pytest.mark.django_db
def test_a_plan_whose_status_the_sources_do_not_give_is_public_with_status_not_known():
    document = area_document(
        inspections=[outcome_3_inspection()],
        plans=[
            {
                "ref": "priority-action-plan",
                "kind": "priority_action_plan",
                "title": "Priority action plan",
                "responds_to": "2023-inspection",
            },
            {
                "ref": "strategy",
                "kind": "strategic_plan",
                "title": "SEND strategy",
                "responds_to": "2023-inspection",
                "status": "unknown",
                "public_summary": "The partnership's updated strategy.",
            },
        ],
    )

    import_document(document, filename="plans.json")

    priority, strategy = Plan.objects.order_by("pk")
    assert priority.status == strategy.status == Plan.Status.UNKNOWN
    assert set(Plan.objects.public()) == {priority, strategy}
    assert strategy.public_summary == "The partnership's updated strategy."
    # "all": a priority action plan takes the areas for priority action; a
    # strategic plan every finding of the inspection.
    assert sorted(priority.findings.values_list("kind", "number")) == [(APA, 1), (APA, 2)]
    assert list(
        strategy.findings.order_by("kind_rank", "number").values_list("kind", "number")
    ) == [
        (APA, 1),
        (APA, 2),
        (AFI, 1),
    ]


@pytest.mark.django_db
def test_a_draft_plan_stays_a_draft_when_the_file_says_so():
    document = area_document(
        inspections=[outcome_3_inspection()],
        plans=[
            {
                "ref": "priority-action-plan",
                "kind": "priority_action_plan",
                "title": "Priority action plan",
                "responds_to": "2023-inspection",
                "status": "draft",
            }
        ],
    )

    import_document(document, filename="plans.json")

    assert not Plan.objects.public().exists()


# Every kind of review ----------------------------------------------------------------------


@pytest.mark.django_db
def test_every_kind_of_review_is_an_event_whether_or_not_it_judges_a_finding():
    kinds = [
        "progress_review",
        "monitoring_visit",
        "stocktake",
        "engagement_meeting",
        "other",
    ]
    document = area_document(
        inspections=[outcome_3_inspection()],
        reviews=[
            {"ref": f"review-{index}", "kind": kind, "held_on": f"2024-0{index + 1}"}
            for index, kind in enumerate(kinds)
        ]
        + [{"ref": "undated-review", "label": "15-month review"}],
    )

    import_document(document, filename="reviews.json")

    reviews = ProgressReview.objects.order_by("ref")
    assert [(r.ref, r.kind) for r in reviews] == [
        *[(f"review-{index}", kind) for index, kind in enumerate(kinds)],
        # Without a kind, a review is a progress review.
        ("undated-review", "progress_review"),
    ]
    assert not Judgement.objects.exists()


@pytest.mark.django_db
def test_a_problem_linking_a_finding_names_the_finding(example_document, counts, monkeypatch):
    # The file checks come first, but the models have the last word on each link.
    def refuse(link):
        if link.finding.number == 2:
            raise ValidationError({"finding": "Not this finding."})

    monkeypatch.setattr(PlanFinding, "clean", refuse)
    monkeypatch.setattr(InterventionFinding, "clean", refuse)
    before = counts()

    with pytest.raises(ImportProblems) as error:
        import_document(example_document, filename="area.json")

    assert [str(problem) for problem in error.value.problems] == [
        "interventions[0].findings[1]: Not this finding.",
        "interventions[1].findings[0]: Not this finding.",
        "plans[0].findings: significant_weakness 2 in inspection 2017-inspection: Not this "
        "finding.",
        "plans[2].findings: area_for_priority_action 2 in inspection 2023-inspection: Not this "
        "finding.",
        "plans[3].findings: area_for_improvement 2 in inspection 2026-inspection: Not this "
        "finding.",
    ]
    assert counts() == before
    assert not Finding.objects.exists()


def test_an_organisation_that_changed_kind_keeps_both_with_the_date(db, example_document):
    example_document["organisations"].append(
        {
            "slug": "nhs-sampleton",
            "name": "NHS Sampleton",
            "kind": "icb",
            "former_kind": "ccg",
            "kind_changed_on": "2022-07-01",
        }
    )
    import_document(example_document, filename="area.json")
    nhs = Organisation.objects.get(slug="nhs-sampleton")
    assert nhs.kind_label_on(datetime.date(2021, 9, 20)) == "Clinical commissioning group (CCG)"
    assert nhs.kind_label_on(datetime.date(2024, 1, 1)) == "Integrated care board (ICB)"
    assert nhs.history.get().history_change_reason == "Imported from area.json"


def test_a_former_kind_without_its_date_is_refused_at_its_path(db, example_document):
    example_document["organisations"][0].update(former_kind="ccg")
    with pytest.raises(ImportProblems) as refused:
        import_document(example_document, filename="area.json")
    assert any(
        "organisations[0]" in str(problem) and "changed kind" in str(problem)
        for problem in refused.value.problems
    ), refused.value.problems
