"""Read queries about progress that pages in higher layers share."""

from .models import ProgressUpdate


def latest_reported_updates(plan):
    """Each action's latest approved or published update, by action id (one query)."""
    latest = {}
    for update in ProgressUpdate.objects.filter(
        action__plan=plan,
        state__in=[ProgressUpdate.State.APPROVED, ProgressUpdate.State.PUBLISHED],
    ).order_by("action_id", "-period_end", "-pk"):
        latest.setdefault(update.action_id, update)
    return latest
