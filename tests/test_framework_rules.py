"""The inspection frameworks' rules hold on the board's forms, with the reason on the field.

The same rules live in the models' clean(), so the area-history importer
refuses the same things (tests/actions/area_history). Sources for each rule
are in docs/domain-rules.md.
"""

import pytest

from actions.models import Plan
from inspections.models import Finding, Inspection, Intervention, InterventionFinding, Judgement
from tests.factories import make_finding, make_inspection, make_plan
from tests.html_forms import form_values
from tests.test_records_editing import errors_on, make_world, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    """Testshire with a 2018 inspection, its revisit, a plan and one of everything."""
    return make_world()


def new_inspection(client, w, **fields):
    page = client.get(url("inspections:inspection-create", w)).text
    data = {**form_values(page), "ref": "new-inspection", **fields}
    return client.post(url("inspections:inspection-create", w), data)


def edit(client, name, w, pk, **fields):
    page = client.get(url(name, w, pk)).text
    return client.post(url(name, w, pk), {**form_values(page), "change_reason": "Check", **fields})


@pytest.fixture
def officer(client, w):
    client.force_login(w.officer)
    return client


@pytest.fixture
def outcome_3(w):
    inspection = make_inspection(
        area=w.area,
        ref="2024-inspection",
        framework="2023",
        start="2024-04-15",
        end="2024-04-19",
        received="2024-06-10",
        outcome=Inspection.Outcome.SYSTEMIC,
    )
    make_finding(inspection=inspection, number=1, kind=Finding.Kind.PRIORITY_ACTION)
    return inspection


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"framework": "2023", "kind": "full", "start_date": "2022-11-07"},
            "start_date",
            "began in January 2023",
        ),
        (
            {"framework": "2016", "kind": "revisit", "start_date": "2023-02-06"},
            "start_date",
            "revisits ended in December 2022",
        ),
        (
            {
                "framework": "2016",
                "kind": "initial",
                "start_date": "2019-05-13",
                "end_date": "2019-05-17",
                "report_received": "2019-05-15",
            },
            "report_received",
            "The report cannot be received before the inspection ends",
        ),
        (
            {"framework": "2016", "kind": "initial", "findings_judged": "3"},
            "findings_judged",
            "Only a revisit, a monitoring inspection or a 2023 full inspection judges",
        ),
        (
            {
                "framework": "2016",
                "kind": "revisit",
                "findings_judged": "3",
                "findings_resolved": "4",
            },
            "findings_resolved",
            "cannot be more than the findings judged",
        ),
    ],
)
def test_an_inspection_out_of_the_frameworks_rules_is_refused(officer, w, fields, field, message):
    before = Inspection.objects.count()
    response = new_inspection(officer, w, **fields)
    assert response.status_code == 200
    assert any(message in text for text in errors_on(response, field)), errors_on(response, field)
    assert Inspection.objects.count() == before


def test_a_revisit_known_only_by_counts_is_recorded_and_described(officer, w):
    response = new_inspection(
        officer,
        w,
        framework="2016",
        kind="revisit",
        start_date="2022-03",
        outcome="revisit_reported",
        findings_judged="13",
        findings_resolved="1",
    )
    assert response.status_code == 302
    revisit = Inspection.objects.get(ref="new-inspection")
    assert revisit.verdict_counts_text == "Sufficient progress on 1 of 13 findings"
    assert revisit.history.get().history_user == w.officer


def test_an_area_for_priority_action_comes_only_with_outcome_3(officer, w, outcome_3):
    outcome_2 = make_inspection(
        area=w.area, ref="2025-inspection", framework="2023", start="2025-01-20", outcome="2"
    )
    page = officer.get(url("inspections:finding-create", w, outcome_2.pk)).text
    assert "area_for_priority_action" not in page
    data = {
        **form_values(page),
        "kind": "area_for_priority_action",
        "number": "1",
        "text": "Waits are too long",
        "wording": "verbatim",
    }
    response = officer.post(url("inspections:finding-create", w, outcome_2.pk), data)
    assert errors_on(response, "kind")
    assert not outcome_2.findings.exists()
    # Under outcome 3 it is offered and saved.
    page = officer.get(url("inspections:finding-create", w, outcome_3.pk)).text
    assert "area_for_priority_action" in page


def test_outcome_3_cannot_be_changed_while_it_has_areas_for_priority_action(
    officer,
    w,
    outcome_3,
):
    response = edit(officer, "inspections:inspection-edit", w, outcome_3.pk, outcome="2")
    assert "come only with outcome 3" in " ".join(errors_on(response, "outcome"))
    outcome_3.refresh_from_db()
    assert outcome_3.outcome == Inspection.Outcome.SYSTEMIC


def plan_data(officer, w, **fields):
    page = officer.get(url("actions:plan-create", w)).text
    return {
        **form_values(page),
        "ref": "new-plan",
        "title": "A new plan",
        "status": "submitted",
        **fields,
    }


@pytest.mark.parametrize(
    ("build", "fields", "field", "message"),
    [
        (
            lambda w: make_inspection(
                area=w.area, ref="2025-full", framework="2023", start="2025-01-20", outcome="2"
            ),
            {"kind": "priority_action_plan"},
            "responds_to",
            "A priority action plan answers an inspection with outcome 3",
        ),
        (
            lambda w: make_inspection(
                area=w.area, ref="2019-inspection", start="2019-05-13", outcome="no_wsoa"
            ),
            {"kind": "wsoa"},
            "responds_to",
            "did not require a written statement of action",
        ),
    ],
)
def test_a_plan_must_fit_its_inspections_outcome(officer, w, build, fields, field, message):
    inspection = build(w)
    data = plan_data(officer, w, responds_to=str(inspection.pk), **fields)
    response = officer.post(url("actions:plan-create", w), data)
    assert response.status_code == 200
    assert any(message in text for text in errors_on(response, field)), response.context[
        "form"
    ].errors
    assert not Plan.objects.filter(ref="new-plan").exists()


def test_fit_for_purpose_is_a_wsoa_judgement_only(w):
    w.revisit.outcome = "revisit_reported"
    plan = Plan(
        area=w.area,
        ref="app",
        kind=Plan.Kind.ACCELERATED,
        title="Accelerated progress plan",
        responds_to=w.revisit,
        status=Plan.Status.FIT,
    )
    with pytest.raises(Exception, match="Fit for purpose"):
        plan.full_clean()


def test_no_accelerated_plan_follows_a_revisit_that_found_everything_sufficient(w):
    revisit = make_inspection(area=w.area, ref="2022-revisit", kind="revisit", start="2022-05-17")
    revisit.findings_judged, revisit.findings_resolved = 3, 3
    plan = Plan(
        area=w.area,
        ref="app",
        kind=Plan.Kind.ACCELERATED,
        title="Accelerated progress plan",
        responds_to=revisit,
    )
    revisit.save()
    with pytest.raises(Exception, match="sufficient progress on every weakness"):
        plan.full_clean()
    revisit.findings_resolved = 2
    revisit.save()
    plan.full_clean()


def test_a_2023_full_inspection_judges_the_earlier_areas_for_priority_action(
    officer,
    w,
    outcome_3,
):
    later = make_inspection(
        area=w.area, ref="2027-inspection", framework="2023", start="2027-01-18", outcome="2"
    )
    earlier_finding = outcome_3.findings.get()
    page = officer.get(url("inspections:judgement-create", w, later.pk)).text
    data = {
        **form_values(page),
        "finding": str(earlier_finding.pk),
        "verdict": "no_longer_priority",
    }
    response = officer.post(url("inspections:judgement-create", w, later.pk), data)
    assert response.status_code == 302
    judgement = Judgement.objects.get(inspection=later)
    assert judgement.get_verdict_display() == "No longer needs priority action"


def test_nothing_is_judged_before_its_inspection_started(w, outcome_3):
    early_revisit = make_inspection(
        area=w.area, ref="2017-revisit", kind="revisit", start="2017-01"
    )
    judgement = Judgement(
        finding=w.finding2, inspection=early_revisit, verdict=Judgement.Verdict.SUFFICIENT
    )
    with pytest.raises(Exception, match="cannot be judged before the inspection that made it"):
        judgement.full_clean()
    own = Judgement(
        finding=outcome_3.findings.get(),
        inspection=outcome_3,
        verdict=Judgement.Verdict.NO_LONGER_PRIORITY,
    )
    with pytest.raises(Exception, match="cannot judge its own findings"):
        own.full_clean()


# Interventions on the board


def intervention_data(officer, w, **fields):
    page = officer.get(url("inspections:intervention-create", w)).text
    return {
        **form_values(page),
        "ref": "improvement-notice-2023",
        "kind": "improvement_notice",
        "issued_on": "2023-03-14",
        "issued_by": "Department for Education",
        **fields,
    }


def test_an_officer_records_an_improvement_notice_and_the_findings_it_covers(officer, w):
    data = intervention_data(officer, w, findings=[str(w.finding1.pk), str(w.finding2.pk)])
    response = officer.post(url("inspections:intervention-create", w), data)
    assert response.status_code == 302
    notice = Intervention.objects.get(ref="improvement-notice-2023")
    assert set(notice.findings.all()) == {w.finding1, w.finding2}
    assert str(notice.issued) == "14 March 2023"
    links = InterventionFinding.history.filter(intervention_id=notice.pk)
    assert {record.history_user for record in links} == {w.officer}

    # Lifted later, and one finding no longer covered: both in history.
    response = edit(
        officer,
        "inspections:intervention-edit",
        w,
        notice.pk,
        lifted_on="2024-08",
        findings=[str(w.finding1.pk)],
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert str(notice.lifted) == "August 2024"
    assert list(notice.findings.all()) == [w.finding1]
    assert InterventionFinding.history.filter(history_type="-").count() == 1
    assert "Improvement Notice" in officer.get(url("board:records", w)).text


def test_an_intervention_cannot_be_lifted_before_it_is_issued(officer, w):
    data = intervention_data(officer, w, lifted_on="2023-01-10")
    response = officer.post(url("inspections:intervention-create", w), data)
    assert response.status_code == 200
    assert errors_on(response, "lifted_on") == [
        "An intervention cannot be lifted before it is issued."
    ]
    assert not Intervention.objects.exists()


def test_a_finding_of_another_area_cannot_be_covered(officer, w):
    data = intervention_data(officer, w, findings=[str(w.other_finding.pk)])
    response = officer.post(url("inspections:intervention-create", w), data)
    assert errors_on(response, "findings") == ["Select findings of this area from the list"]
    assert not Intervention.objects.exists()


def test_a_stale_intervention_form_gets_the_conflict_page(officer, client, w):
    notice = Intervention.objects.create(area=w.area, ref="notice", kind="improvement_notice")
    stale = form_values(officer.get(url("inspections:intervention-edit", w, notice.pk)).text)
    client.force_login(w.admin)
    edit(client, "inspections:intervention-edit", w, notice.pk, covers="Agreed by Ada")
    client.force_login(w.officer)
    response = client.post(
        url("inspections:intervention-edit", w, notice.pk),
        {**stale, "covers": "Olive's words", "change_reason": "Olive"},
    )
    assert response.status_code == 409
    notice.refresh_from_db()
    assert notice.covers == "Agreed by Ada"


def test_plans_may_have_a_status_not_known(w):
    plan = make_plan(inspection=w.inspection, ref="old-wsoa", findings=[w.finding1])
    plan.status = Plan.Status.UNKNOWN
    plan.full_clean()
    plan.save()
    assert not plan.is_open
    assert plan in Plan.objects.public()
