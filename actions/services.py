"""Writes that span models in the actions app, each recording who and why."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from inspections.models import Finding, Judgement
from kit import two_person
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
    plan.summary_held = hold_summary(plan, None, by=by)
    save_with_history(plan, by=by, reason=reason)
    for finding in findings_a_plan_must_address(kind=kind, inspection=responds_to):
        save_with_history(PlanFinding(plan=plan, finding=finding), by=by, reason=reason)
    return plan


# The two-person rule for a plan's summary for families (see kit/two_person.py).
# A plan's summary is public unless the plan is a draft. With the rule on, a
# summary that the officer saving it wrote or changed does not go public: it
# waits in ``summary_waiting`` (the public keeps seeing the summary they saw
# before) until another officer publishes it with ``publish_summary``.

SUMMARY_FIELDS = ("public_summary", "summary_waiting")
SUMMARY_WRITTEN = (
    "You wrote or changed this plan’s summary for families, so another officer must publish it."
)


def _summary_is_public(values):
    return values["status"] != Plan.Status.DRAFT and not values["summary_waiting"]


def summary_writers(plan):
    """The ids of the people who wrote or changed the plan's summary since it was last public."""
    return two_person.writers(
        plan, fields=SUMMARY_FIELDS, is_public=_summary_is_public, cache="_summary_writers"
    )


def hold_summary(plan, stored, *, by):
    """Before saving ``plan`` as typed (``stored``: as it is now, or None for a new plan):
    keep back a summary that ``by`` wrote from the public. Returns True when one waits.

    A system save (``by`` None: the importers and the demo) is a data import and
    is not held; nor is anything with the rule off.
    """
    if by is None or not two_person.two_person_rule_on():
        if plan.summary_waiting and stored is not None:
            plan.summary_waiting = ""  # the form showed the waiting text: what was typed wins
        return False
    typed = plan.public_summary
    if plan.status == Plan.Status.DRAFT or not typed:
        plan.summary_waiting = ""  # nothing goes public (a draft), or the summary is removed
        return False
    shown = ""
    wrote = True
    if stored is not None:
        shown = stored.public_summary if stored.status != Plan.Status.DRAFT else ""
        if stored.summary_waiting and typed == stored.summary_waiting:
            plan.public_summary, plan.summary_waiting = shown, typed  # still waiting
            return True
        if typed == shown:
            plan.summary_waiting = ""  # back to what the public sees: nothing waits
            return False
        typed_now = typed != (stored.summary_waiting or stored.public_summary)
        wrote = typed_now or by.pk in summary_writers(stored)
    if not wrote:
        plan.summary_waiting = ""  # someone else's summary, made public by this save
        return False
    plan.public_summary, plan.summary_waiting = shown, typed
    return True


@transaction.atomic
def save_plan(plan, *, by, reason, expected_version):
    """Save a plan edited on its page; True when its new summary waits for another officer."""
    stored = Plan.objects.select_for_update().get(pk=plan.pk)
    held = hold_summary(plan, stored, by=by)
    save_with_history(plan, by=by, reason=reason, expected_version=expected_version)
    two_person.forget_writers(plan, cache="_summary_writers")
    return held


def summary_publish_problem(plan, user):
    """Why ``user`` may not publish ``plan``'s waiting summary, or None."""
    if not plan.summary_waiting:
        return "There is no new summary for families waiting to be published."
    if two_person.two_person_rule_on() and user.pk in summary_writers(plan):
        return SUMMARY_WRITTEN
    return None


@transaction.atomic
def publish_summary(plan, *, by):
    """Publish ``plan``'s waiting summary; PermissionDenied for its writer, ValidationError if none."""
    current = Plan.objects.select_for_update().get(pk=plan.pk)
    problem = summary_publish_problem(current, by)
    if problem == SUMMARY_WRITTEN:
        raise PermissionDenied(problem)
    if problem:
        raise ValidationError(problem)
    current.public_summary, current.summary_waiting = current.summary_waiting, ""
    save_with_history(current, by=by, reason="Summary for families published")
    return current
