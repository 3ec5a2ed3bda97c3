"""manage.py send_reminders: runs every job, says what each queued, and never sends anything twice."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from notices import schedule
from notices.models import OutboxMessage
from notices.signals import schedule_ran
from notices.tasks import retry_failed

from .conftest import recipients

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the command, then deliver what its jobs queued (as their commits would)."""

    def command(*args):
        out, err = io.StringIO(), io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", *args, stdout=out, stderr=err)
        return out.getvalue()

    return command


@pytest.fixture
def scheduled_publication(people, draft, step):
    """An update set to go on the public site two days from now."""
    update = draft()
    step(update, "submit", people.board_member)
    step(update, "approve", people.officer)
    later = timezone.now() + datetime.timedelta(days=2)
    step(update, "publish", people.second_officer, publish_at=later)
    return update, later


def test_it_lists_each_job_with_what_it_queued(scheduled_publication, mailoutbox, run):
    _, later = scheduled_publication
    mailoutbox.clear()

    output = run("--now", (later + datetime.timedelta(minutes=1)).isoformat())

    assert "notices.scheduled.notify_publications_done: 2 messages queued" in output
    assert "notices.tasks.retry_failed: 0 messages queued" in output
    for job in schedule.JOBS:
        assert f"{job.__module__}.{job.__qualname__}:" in output
    assert recipients(mailoutbox) == ["bilal@example.org", "olivia@example.org"]


def test_running_it_again_sends_nothing_twice(scheduled_publication, mailoutbox, run):
    _, later = scheduled_publication
    mailoutbox.clear()
    now = later + datetime.timedelta(minutes=1)

    run("--now", now.isoformat())
    rows = OutboxMessage.objects.count()
    sent = len(mailoutbox)
    for minutes in (0, 15, 30, 24 * 60):
        output = run("--now", (now + datetime.timedelta(minutes=minutes)).isoformat())
        assert "notify_publications_done: 0 messages queued" in output

    assert OutboxMessage.objects.count() == rows
    assert len(mailoutbox) == sent == 2


def test_before_the_time_nothing_is_sent(scheduled_publication, mailoutbox, run):
    _, later = scheduled_publication
    mailoutbox.clear()

    run("--now", (later - datetime.timedelta(minutes=1)).isoformat())

    assert mailoutbox == []


def test_it_runs_without_now_and_reads_a_local_time(people, run):
    assert "in all" in run()
    output = run("--now", "2026-12-01T08:00")
    assert "at 2026-12-01 08:00 GMT" in output


def test_a_time_it_cannot_read_is_explained(db, run):
    with pytest.raises(CommandError, match="--now must be a date and time like 2026-12-01T08:00"):
        run("--now", "next tuesday")


def test_it_tells_the_layers_above_once_the_jobs_have_run(people, run):
    heard = []

    def receiver(sender, now, **kwargs):
        heard.append(now)
        return 3

    schedule_ran.connect(receiver, dispatch_uid="test-schedule-ran")
    try:
        output = run("--now", "2026-12-01T08:00")
    finally:
        schedule_ran.disconnect(dispatch_uid="test-schedule-ran")

    assert heard == [timezone.make_aware(datetime.datetime(2026, 12, 1, 8, 0))]
    assert "receiver: 3 messages queued" in output


def test_a_job_that_fails_does_not_stop_the_others_but_fails_the_run(people, monkeypatch, run):
    ran = []

    def broken(now):
        raise RuntimeError("the database went away")

    def counted(now):
        ran.append(now)
        return 0

    monkeypatch.setattr(schedule, "JOBS", [broken, counted])
    # The command reads JOBS when it runs.
    from notices.management.commands import send_reminders

    monkeypatch.setattr(send_reminders, "JOBS", [broken, counted])

    with pytest.raises(CommandError, match="1 job"):
        run("--now", "2026-12-01T08:00")
    assert len(ran) == 1


def test_retry_is_a_job_of_the_schedule():
    assert retry_failed in schedule.JOBS
    assert schedule.JOBS[-1] is retry_failed  # last: it picks up what the others could not send
