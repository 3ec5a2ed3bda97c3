"""The outbox: each message queued once by its key, sent at most once, failures recorded and tried again."""

import datetime
import smtplib

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from notices import tasks
from notices.kinds import Kind
from notices.models import NoticePreference, OutboxMessage
from notices.outbox import queue_message
from notices.tasks import MAX_ATTEMPTS, deliver_message, retry_failed

pytestmark = pytest.mark.django_db

State = OutboxMessage.State
FAILING = "tests.notices.test_outbox_delivery.FailingBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses everything."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def use_backend(settings, backend):
    settings.MAILERS = {"default": {"BACKEND": backend}}


def queue(person, key="test:1", **overrides):
    arguments = dict(
        key=key,
        kind=Kind.REPORT_READY,
        to=person.email,
        template="report_ready",
        context={
            "name": "Olivia",
            "area_name": "Testshire",
            "audience": "Public report",
            "period": "1 January 2025 to 31 December 2025",
            "report_url": "http://127.0.0.1:8000/board/testshire/reports/1/",
        },
        user=person,
    )
    arguments.update(overrides)
    return queue_message(**arguments)


def reasons(message):
    return [
        record.history_change_reason
        for record in message.history.order_by("history_date", "history_id")
    ]


def test_a_queued_message_is_sent_after_commit_with_its_history(people, committed, mailoutbox):
    message = committed(queue, people.officer)

    message.refresh_from_db()
    assert message.state == State.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    assert reasons(message) == ["Queued", "Sent"]
    assert all(r.history_user is None for r in message.history.all())
    (sent,) = mailoutbox
    assert sent.subject == message.subject == "Your progress report is ready to check – Testshire"
    assert sent.body == message.body_text
    assert sent.alternatives[0].content == message.body_html


def test_nothing_is_sent_before_the_transaction_commits(people, mailoutbox):
    message = queue(people.officer)  # the test's transaction never commits

    assert mailoutbox == []
    message.refresh_from_db()
    assert message.state == State.QUEUED


def test_the_same_key_is_never_queued_twice(people, committed, mailoutbox):
    first = committed(queue, people.officer)
    second = committed(queue, people.officer)

    assert first is not None
    assert second is None
    assert OutboxMessage.objects.count() == 1
    assert len(mailoutbox) == 1


def test_a_delivery_task_run_twice_sends_once(people, committed, mailoutbox):
    message = committed(queue, people.officer)

    result = deliver_message.enqueue(message.pk)  # the task again, as a retry or a race would
    deliver_message.call(message.pk)  # and once more, directly

    assert result.return_value == State.SENT
    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert message.attempts == 1
    assert reasons(message) == ["Queued", "Sent"]


def test_a_delivery_for_a_message_that_is_gone_does_nothing(db, mailoutbox):
    assert deliver_message.call(123456) is None
    assert mailoutbox == []


def test_a_failing_mail_server_is_recorded_and_the_retry_sends_it(
    people, committed, settings, mailoutbox
):
    use_backend(settings, FAILING)
    message = committed(queue, people.officer)

    message.refresh_from_db()
    assert message.state == State.FAILED
    assert message.attempts == 1
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in message.last_error
    assert reasons(message) == [
        "Queued",
        "Failed: SMTPServerDisconnected: Connection unexpectedly closed",
    ]
    assert mailoutbox == []

    use_backend(settings, LOCMEM)
    soon = message.last_attempt_at + datetime.timedelta(minutes=1)
    assert committed(retry_failed, soon) == 0  # its wait is not over
    later = message.last_attempt_at + tasks.FIRST_RETRY_AFTER
    assert committed(retry_failed, later) == 1

    message.refresh_from_db()
    assert message.state == State.SENT
    assert message.attempts == 2
    assert message.last_error == ""
    assert reasons(message)[-1] == "Sent"
    assert len(mailoutbox) == 1
    assert committed(retry_failed, later + datetime.timedelta(days=1)) == 0  # sent: never again


def test_a_message_that_keeps_failing_is_tried_a_limited_number_of_times(
    people, committed, settings, mailoutbox
):
    use_backend(settings, FAILING)
    message = committed(queue, people.officer)
    now = timezone.now()
    for _ in range(MAX_ATTEMPTS + 3):
        now += datetime.timedelta(days=1)
        committed(retry_failed, now)

    message.refresh_from_db()
    assert message.state == State.FAILED
    assert message.attempts == MAX_ATTEMPTS
    assert committed(retry_failed, now + datetime.timedelta(days=1)) == 0
    assert deliver_message.call(message.pk) == State.FAILED  # the task itself stops too
    message.refresh_from_db()
    assert message.attempts == MAX_ATTEMPTS


def test_a_message_whose_task_was_lost_is_enqueued_again(
    people, django_capture_on_commit_callbacks, committed, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False):
        message = queue(people.officer)  # committed, but its task never ran

    assert committed(retry_failed, timezone.now()) == 0  # it may still be on its way
    later = timezone.now() + tasks.STALE_AFTER + datetime.timedelta(minutes=1)
    assert committed(retry_failed, later) == 0  # lost is real time passed, not --now
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - tasks.STALE_AFTER - datetime.timedelta(minutes=1)
    )
    assert committed(retry_failed, timezone.now()) == 1

    message.refresh_from_db()
    assert message.state == State.SENT
    assert len(mailoutbox) == 1


def test_a_message_turned_off_before_it_was_sent_is_skipped(
    people, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = queue(people.officer)
    NoticePreference.objects.create(user=people.officer, kind=Kind.REPORT_READY, enabled=False)

    for callback in callbacks:
        callback()

    message.refresh_from_db()
    assert message.state == State.SKIPPED
    assert mailoutbox == []
    assert reasons(message)[-1] == "Not sent: the person no longer gets these"


def test_nothing_is_queued_for_a_person_who_turned_the_kind_off_or_left(people, committed):
    NoticePreference.objects.create(user=people.officer, kind=Kind.REPORT_READY, enabled=False)
    assert committed(queue, people.officer) is None
    people.second_officer.is_active = False
    people.second_officer.save()
    assert committed(queue, people.second_officer, key="test:2") is None
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("address", ["", "   ", "not an address", "a@b@c"])
def test_nothing_is_queued_without_a_usable_address(people, committed, address):
    assert committed(queue, people.officer, to=address) is None
    assert not OutboxMessage.objects.exists()


def test_a_message_without_a_person_carries_the_callers_unsubscribe_link(
    people, committed, mailoutbox
):
    message = committed(
        queue,
        people.officer,
        user=None,
        to="parent@example.org",
        unsubscribe_url="http://127.0.0.1:8000/follow/stop/abc/",
    )

    assert message.unsubscribe_url == "http://127.0.0.1:8000/follow/stop/abc/"
    (sent,) = mailoutbox
    assert sent.extra_headers["List-Unsubscribe"] == "<http://127.0.0.1:8000/follow/stop/abc/>"
    assert "Choose which emails you get" not in sent.body  # no preferences without an account


def test_the_subject_is_one_line_whatever_the_template_gives(people, committed):
    message = committed(queue, people.officer, context={"area_name": "Test\nshire  North"})

    assert "\n" not in message.subject
    assert message.subject.endswith("– Test shire North")
