"""The parent carer forum's challenge emails the area's officers; the board's reply emails the forum."""

import pytest

from notices.kinds import Kind
from notices.models import NoticePreference, OutboxMessage
from progress import forum
from tests.progress.test_forum import SIMPLE_REPLY, world  # noqa: F401 - the fixture

from .conftest import recipients

pytestmark = pytest.mark.django_db

CHALLENGE = "When will the waits come down? Families still wait a year."


@pytest.fixture
def forum_world(world, people):  # noqa: F811 - the fixture imported above
    world.forum.email = "fay@example.org"
    world.forum.save()
    return world


def challenge(area, committed):
    return committed(
        forum.respond, area.update, kind=forum.Kind.CHALLENGE, text=CHALLENGE, by=area.forum
    )


def test_a_challenge_emails_every_officer_of_the_area(forum_world, committed, mailoutbox):
    challenge(forum_world, committed)
    assert recipients(mailoutbox) == [
        "ada@example.org",
        "olivia@example.org",
        "omar@example.org",
    ]
    message = mailoutbox[0]
    assert message.subject == "The parent carer forum challenged an update – Testshire"
    assert CHALLENGE in message.body
    assert "/forum-challenges/" in message.body
    assert "INTERNAL-NARRATIVE" not in message.body


def test_an_acknowledgement_emails_nobody(forum_world, committed, mailoutbox):
    committed(
        forum.respond,
        forum_world.update,
        kind=forum.Kind.ACKNOWLEDGE,
        text="",
        by=forum_world.forum,
    )
    assert mailoutbox == []


def test_the_boards_reply_emails_the_forum_once(forum_world, committed, mailoutbox):
    asked = challenge(forum_world, committed)
    mailoutbox.clear()
    committed(
        forum.reply,
        asked,
        text=SIMPLE_REPLY,
        by=forum_world.officer,
        expected_version=asked.version,
    )
    assert recipients(mailoutbox) == ["fay@example.org"]
    message = mailoutbox[0]
    assert message.subject == "The board replied to your challenge – Testshire"
    assert SIMPLE_REPLY in message.body
    assert OutboxMessage.objects.filter(kind=Kind.FORUM_REPLY).count() == 1


def test_an_officer_who_turned_challenges_off_is_not_emailed(forum_world, committed, mailoutbox):
    NoticePreference.objects.create(
        user=forum_world.officer, kind=Kind.FORUM_CHALLENGE, enabled=False
    )
    challenge(forum_world, committed)
    assert forum_world.officer.email not in recipients(mailoutbox)
    assert recipients(mailoutbox)
