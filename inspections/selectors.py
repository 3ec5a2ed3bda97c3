"""Read-side queries for area pages, each with a fixed number of queries."""

from django.db.models import Prefetch

from actions.models import Plan
from progress.models import MeasureValue

from .models import Finding, Judgement


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
        "you_said": list(area.you_said_we_did.order_by("-heard_on", "pk")),
    }
