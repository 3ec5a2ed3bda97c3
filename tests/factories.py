"""Factories for local areas, inspections, findings and plans.

Plain functions with keyword-only arguments, so tests say exactly what
matters to them; dates are written as in the import format ("2018-05-16",
"2018-05" or "2018"). Any test module may import them.
"""

from actions.models import ActionItem, Plan, PlanFinding
from inspections.models import (
    Finding,
    Inspection,
    LocalArea,
    Organisation,
    Partnership,
    ProgressReview,
)
from kit.dates import PartialDate


def partial(text):
    return PartialDate.parse(text) if text else None


def make_area(*, slug="testshire", name=None):
    return LocalArea.objects.create(slug=slug, name=name or slug.replace("-", " ").title())


def make_organisation(*, slug="testshire-council", name=None, kind=Organisation.Kind.COUNCIL):
    return Organisation.objects.create(
        slug=slug, name=name or slug.replace("-", " ").title(), kind=kind
    )


def make_partner(*, area, organisation, order=0):
    return Partnership.objects.create(area=area, organisation=organisation, order=order)


def make_inspection(
    *,
    area,
    ref="2018-inspection",
    framework=Inspection.Framework.JOINT_2016,
    kind=None,
    start=None,
    end=None,
    received=None,
    published=None,
    outcome="",
):
    if kind is None:
        kind = (
            Inspection.Kind.INITIAL
            if framework == Inspection.Framework.JOINT_2016
            else Inspection.Kind.FULL
        )
    inspection = Inspection(area=area, ref=ref, framework=framework, kind=kind, outcome=outcome)
    inspection.start = partial(start)
    inspection.end = partial(end)
    inspection.received = partial(received)
    inspection.published = partial(published)
    inspection.save()
    return inspection


def make_finding(*, inspection, number=1, kind=None, text=None):
    if kind is None:
        kind = (
            Finding.Kind.SIGNIFICANT_WEAKNESS
            if inspection.framework == Inspection.Framework.JOINT_2016
            else Finding.Kind.PRIORITY_ACTION
        )
    return Finding.objects.create(
        inspection=inspection, kind=kind, number=number, text=text or f"Weakness {number}"
    )


def make_plan(
    *,
    inspection,
    kind=Plan.Kind.WSOA,
    ref=None,
    status=Plan.Status.DRAFT,
    submitted=None,
    judged=None,
    published=None,
    closed=None,
    findings=(),
):
    plan = Plan(
        area=inspection.area,
        ref=ref or f"{kind}-{inspection.ref}".replace("_", "-")[:40],
        kind=kind,
        title=f"{Plan.Kind(kind).label} for {inspection.area}",
        responds_to=inspection,
        status=status,
    )
    plan.submitted = partial(submitted)
    plan.judged = partial(judged)
    plan.published = partial(published)
    plan.closed = partial(closed)
    plan.save()
    for finding in findings:
        PlanFinding.objects.create(plan=plan, finding=finding)
    return plan


def make_action(*, plan, finding, lead, ref="1.1", due="2019-03-31", start=None):
    return ActionItem.objects.create(
        plan=plan,
        ref=ref,
        finding=finding,
        title=f"Action {ref}",
        lead_organisation=lead,
        start_date=partial(start).date if start else None,
        due_date=partial(due).date,
        success_criteria="Families notice the difference.",
    )


def make_review(*, area, ref, held=None, label=""):
    review = ProgressReview(area=area, ref=ref, label=label)
    review.held = partial(held)
    review.save()
    return review
