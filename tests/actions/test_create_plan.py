"""Creating a plan brings in exactly the findings it must address."""

import pytest
from django.core.exceptions import ValidationError

from actions.models import Plan, PlanFinding
from actions.services import create_plan
from inspections.models import Inspection, Judgement
from tests.factories import make_finding, make_inspection


@pytest.fixture
def revisit(inspection):
    """The revisit of the 2018 inspection: weakness 1 sufficient, weakness 2 not."""
    revisit = make_inspection(
        area=inspection.area,
        ref="2019-revisit",
        kind=Inspection.Kind.REVISIT,
        start="2019-11-04",
        published="2020-01-10",
    )
    first, second = inspection.findings.order_by("number")
    Judgement.objects.create(finding=first, inspection=revisit, verdict="sufficient_progress")
    Judgement.objects.create(finding=second, inspection=revisit, verdict="insufficient_progress")
    return revisit


def test_an_accelerated_plan_carries_over_exactly_the_insufficient_findings(
    revisit, django_user_model
):
    officer = django_user_model.objects.create(username="officer")
    plan = create_plan(
        area=revisit.area,
        responds_to=revisit,
        kind=Plan.Kind.ACCELERATED,
        ref="app-2020",
        title="Accelerated progress plan",
        by=officer,
        reason="Plan agreed with DfE",
    )
    assert [f.number for f in plan.findings.all()] == [2]
    link = PlanFinding.objects.get(plan=plan)
    record = link.history.get()
    assert (record.history_user, record.history_change_reason) == (officer, "Plan agreed with DfE")


def test_a_wsoa_addresses_every_finding_of_its_inspection(inspection):
    make_finding(inspection=inspection, number=3)
    plan = create_plan(
        area=inspection.area,
        responds_to=inspection,
        kind=Plan.Kind.WSOA,
        ref="wsoa",
        title="Written statement of action",
        by=None,
        reason="Imported",
    )
    assert [f.number for f in plan.findings.all()] == [1, 2, 3]


def test_an_accelerated_plan_refuses_a_finding_that_made_sufficient_progress(revisit):
    plan = create_plan(
        area=revisit.area,
        responds_to=revisit,
        kind=Plan.Kind.ACCELERATED,
        ref="app",
        title="APP",
        by=None,
        reason="Test",
    )
    sufficient = revisit.judgements.get(verdict="sufficient_progress").finding
    with pytest.raises(ValidationError) as error:
        PlanFinding(plan=plan, finding=sufficient).full_clean()
    assert error.value.message_dict["finding"] == [
        "An accelerated progress plan addresses only the weaknesses its revisit judged not to "
        "have made sufficient progress."
    ]


def test_a_plan_refuses_a_finding_of_another_inspection(plan, inspection):
    later = make_inspection(area=inspection.area, ref="2021-inspection", start="2021-09-20")
    other = make_finding(inspection=later, number=1)
    with pytest.raises(ValidationError) as error:
        PlanFinding(plan=plan, finding=other).full_clean()
    assert error.value.message_dict["finding"] == [
        "Choose a finding of the inspection this plan answers."
    ]


def test_an_invalid_plan_writes_nothing(revisit):
    before = (Plan.objects.count(), PlanFinding.objects.count(), Plan.history.count())
    with pytest.raises(ValidationError):
        create_plan(
            area=revisit.area,
            responds_to=revisit,
            kind=Plan.Kind.WSOA,  # a WSOA cannot answer a revisit
            ref="wrong",
            title="Wrong",
            by=None,
            reason="Test",
        )
    assert (Plan.objects.count(), PlanFinding.objects.count(), Plan.history.count()) == before


def test_the_admin_shows_a_plans_statutory_dates(plan, admin_client):
    response = admin_client.get(f"/admin/actions/plan/{plan.pk}/change/")
    assert response.status_code == 200
    # The fixture plan is a draft whose report was received on 16 May 2018.
    assert "Submit the written statement of action to Ofsted" in response.content.decode()
    assert "(due 23 August 2018)" in response.content.decode()
