"""Writes that span models in the actions app, each recording who and why."""

from django.db import transaction

from inspections.models import Finding, Judgement
from kit.versioning import save_with_history

from .models import Plan, PlanFinding


def findings_a_plan_must_address(*, kind, inspection):
    """The findings a new plan of ``kind`` answering ``inspection`` addresses.

    An accelerated progress plan carries over exactly the weaknesses its revisit
    judged not to have made sufficient progress; any other plan addresses every
    finding of the inspection it answers.
    """
    if kind == Plan.Kind.ACCELERATED:
        return Finding.objects.filter(
            judgements__inspection=inspection,
            judgements__verdict=Judgement.Verdict.INSUFFICIENT,
        ).order_by("kind_rank", "number")
    return inspection.findings.order_by("kind_rank", "number")


@transaction.atomic
def create_plan(*, area, responds_to, kind, ref, title, by, reason, **fields):
    """Create a plan with the findings it must address, each link in history."""
    plan = Plan(area=area, responds_to=responds_to, kind=kind, ref=ref, title=title, **fields)
    save_with_history(plan, by=by, reason=reason)
    for finding in findings_a_plan_must_address(kind=kind, inspection=responds_to):
        save_with_history(PlanFinding(plan=plan, finding=finding), by=by, reason=reason)
    return plan
