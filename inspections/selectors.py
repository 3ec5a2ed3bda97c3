"""Read-side queries for area pages, each with a fixed number of queries."""

from django.db.models import Prefetch
from django.db.models.functions import Coalesce

from actions.deadlines import deadlines_for_plans
from actions.models import Plan
from progress.models import MeasureValue

from .models import Finding, Judgement, LocalArea


def area_history(area, *, today):
    """Everything the area page shows, fetched in a constant number of queries."""
    # Verdicts in the order they were given, whether by an inspection or a review.
    judgements = Judgement.objects.select_related("inspection", "review").order_by(
        Coalesce("inspection__start_date", "review__held_on").asc(nulls_last=True), "pk"
    )
    findings = Finding.objects.select_related("lead_organisation").prefetch_related(
        Prefetch("judgements", queryset=judgements)
    )
    inspections = list(area.inspections.prefetch_related(Prefetch("findings", queryset=findings)))
    plans = list(
        area.plans.select_related("responds_to", "superseded_by").prefetch_related(
            Prefetch("findings", queryset=Finding.objects.order_by("kind", "number"))
        )
    )
    deadlines = deadlines_for_plans(plans, today=today)
    for plan in plans:
        plan.deadline_list = deadlines.get(plan, [])
    return {
        "area": area,
        "partners": list(area.partnerships.select_related("organisation")),
        "inspections": inspections,
        "reviews": list(area.reviews.all()),
        "plans": plans,
    }


def areas_for_home():
    """Each area with its latest inspection as ``latest_inspection``, in two queries."""
    areas = list(LocalArea.objects.prefetch_related("inspections").order_by("name"))
    for area in areas:
        inspections = list(area.inspections.all())
        area.latest_inspection = inspections[-1] if inspections else None
    return areas


def records(area):
    """The area's inspections, findings, verdicts, plans, measures and meetings, for editing."""
    findings = Finding.objects.select_related("lead_organisation").order_by("kind", "number")
    judgements = Judgement.objects.select_related("finding__inspection").order_by(
        "finding__inspection__start_date", "finding__kind", "finding__number", "pk"
    )
    return {
        "inspections": list(
            area.inspections.prefetch_related(
                Prefetch("findings", queryset=findings),
                Prefetch("judgements", queryset=judgements),
            )
        ),
        "plans": list(
            Plan.objects.filter(area=area).select_related("responds_to", "superseded_by")
        ),
        "measures": list(
            area.measures.prefetch_related(
                Prefetch("values", queryset=MeasureValue.objects.order_by("-period_end"))
            )
        ),
        "meetings": list(area.board_meetings.order_by("-held_on", "pk")),
    }
