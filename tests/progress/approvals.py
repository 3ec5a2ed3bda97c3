"""Updates waiting for approval, made the way the services make them, for the approval tests."""

import datetime

from actions.models import ActionItem
from progress import workflow
from progress.models import ProgressUpdate
from tests.factories import make_action

SIMPLE_SUMMARY = "We are hiring staff for a new clinic."


def another_action(cast, ref, title):
    """A second (third...) action in Testshire's plan, led by the board member."""
    action = make_action(
        plan=cast.plan, finding=cast.action.finding, lead=cast.council, ref=ref, due="2026-03-31"
    )
    action.title = title
    action.lead_officer = cast.board_member
    action.save()
    return action


def submitted(cast, *, action=None, by=None, summary=SIMPLE_SUMMARY, **fields):
    """An update written and submitted by ``by`` (the board member unless said)."""
    by = by or cast.board_member
    action = action or cast.action
    values = {
        "period_start": datetime.date(2025, 4, 1),
        "period_end": datetime.date(2025, 6, 30),
        "delivery_status": "on_track",
        "impact_status": "some_evidence",
        "status_change_reason": "The clinic opened in May.",
        "narrative": "Recruitment for the new clinic is under way.",
        "public_summary": summary,
        **fields,
    }
    update = workflow.create_update(ProgressUpdate(action=action, **values), by=by)
    workflow.apply_transition(update, "submit", by=by, expected_version=update.version)
    update.refresh_from_db()
    return update


def history(update):
    return list(
        update.history.order_by("history_date", "history_id").values_list(
            "history_user__username", "state", "history_change_reason"
        )
    )


def statuses(action):
    action = ActionItem.objects.get(pk=action.pk)
    return action.delivery_status, action.impact_status
