"""The cast with email addresses, and a way to take workflow steps as the pages do."""

import datetime

import pytest

from progress import workflow
from progress.models import ProgressUpdate

NARRATIVE = "INTERNAL-NARRATIVE: the recruitment panel fell through"
SUMMARY = "PUBLIC-SUMMARY: we are hiring staff for a new clinic"


@pytest.fixture
def people(cast):
    """The cast, each with an email address (username@example.org)."""
    for role in (
        "officer",
        "board_member",
        "area_admin",
        "outsider",
        "second_board_member",
        "second_officer",
    ):
        user = getattr(cast, role)
        user.email = f"{user.username}@example.org"
        user.save()
    return cast


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run ``work()`` and then what it left for after the commit (signals, deliveries)."""

    def run(work, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return work(*args, **kwargs)

    return run


@pytest.fixture
def draft(people, committed):
    """Make a draft update on Testshire's action, written by ``author`` (the board member)."""

    def make(author=None):
        action = people.action
        update = ProgressUpdate(
            action=action,
            period_start=datetime.date(2025, 4, 1),
            period_end=datetime.date(2025, 6, 30),
            delivery_status=action.delivery_status,
            impact_status=action.impact_status,
            narrative=NARRATIVE,
            public_summary=SUMMARY,
        )
        return committed(workflow.create_update, update, by=author or people.board_member)

    return make


@pytest.fixture
def step(committed):
    """Take a workflow step on ``update`` as ``by``, then run what follows the commit."""

    def take(update, slug, by, **kwargs):
        update.refresh_from_db()
        return committed(
            workflow.apply_transition,
            update,
            slug,
            by=by,
            expected_version=update.version,
            **kwargs,
        )

    return take


def recipients(outbox):
    return sorted(address for message in outbox for address in message.to)
