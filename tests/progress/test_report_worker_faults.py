"""The report worker survives faults, and no report is left "being generated" for ever.

The render child dies with the process that asked for the PDF and has a memory
cap; a report whose worker died mid-render is shown as failed with "Try again"
once its lease is over; a database connection cut mid-render (on PostgreSQL:
its server process terminated) ends the report ready, or failed with "Try
again"; and the worker carries on after losing its connection.
"""

import datetime
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection, connections
from django.tasks import TaskResultStatus
from django.tasks.signals import task_finished
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from kit.versioning import save_with_history
from progress import pdf as pdf_module
from progress import report_services
from progress.management.commands import run_worker as run_worker_command
from progress.management.commands.run_worker import SurvivingWorker
from progress.models import ProgressReport
from progress.pdf import ReportRenderError, ReportTooLarge, html_to_pdf
from progress.tasks import _write, generate_report, lease_length
from tests.processes import start_worker
from tests.progress import render_stubs

ROOT = Path(__file__).resolve().parents[2]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="cutting a connection needs PostgreSQL's pg_terminate_backend (CI sets DATABASE_URL)",
)


def running(pid):
    """Whether process ``pid`` is running (a zombie waiting to be reaped is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


# --- The render child ----------------------------------------------------------------------------

ASKER = """
import os, sys
sys.path.insert(0, os.getcwd())
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
import django
django.setup()
from progress import pdf
from tests.progress import render_stubs
pdf.render_pdf = render_stubs.slow_render
pdf.html_to_pdf(sys.argv[1], timeout=300)
"""


def test_the_render_child_dies_when_the_process_that_asked_for_it_is_killed(tmp_path):
    pid_file = tmp_path / "child-pid"
    asker = subprocess.Popen(  # noqa: S603 - a fixed script with this interpreter
        [sys.executable, "-c", ASKER, str(pid_file)], cwd=ROOT
    )
    try:
        assert wait_for(lambda: pid_file.exists() and pid_file.read_text(), 60), (
            "the render never started"
        )
        child = int(pid_file.read_text())
        assert running(child)
        asker.kill()  # kill -9: no clean-up runs in it
        asker.wait(10)
        assert wait_for(lambda: not running(child), 5), f"render child {child} outlived its parent"
    finally:
        if asker.poll() is None:
            asker.kill()
            asker.wait()


def test_the_render_child_is_not_forked_from_the_process_that_asks(monkeypatch):
    # This process may run threads (a fork of it could deadlock): the child comes from the
    # fork server, a fresh single-threaded process.
    monkeypatch.setattr(pdf_module, "render_pdf", render_stubs.parent_render)
    assert int(html_to_pdf("")) != os.getpid()


def test_a_render_over_the_memory_cap_is_a_clean_error(monkeypatch, settings):
    settings.REPORT_RENDER_MAX_MB = 400
    monkeypatch.setattr(pdf_module, "render_pdf", render_stubs.greedy_render)
    with pytest.raises(ReportTooLarge, match=r"too large to draw: it needed more than 400 MB"):
        html_to_pdf("")


def test_a_real_render_under_a_tiny_memory_cap_fails_cleanly_saying_so():
    html = (
        '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Big</title></head>'
        "<body>" + "<p>A line of the report.</p>" * 2000 + "</body></html>"
    )
    with pytest.raises(ReportRenderError, match="too large to draw"):
        html_to_pdf(html, max_mb=120)


# --- Leases: a report whose worker died -----------------------------------------------------------


def make_report(cast, *, state=ProgressReport.State.QUEUED, lease=None):
    report = ProgressReport(
        plan=cast.plan,
        audience=ProgressReport.Audience.BOARD,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        requested_by=cast.officer,
        state=state,
        lease_expires_at=lease,
    )
    return save_with_history(report, by=cast.officer, reason="Report requested")


def report_url(cast, report):
    return reverse("progress:report", kwargs={"area_slug": cast.area.slug, "pk": report.pk})


@pytest.mark.django_db
def test_a_report_whose_lease_ran_out_is_shown_failed_and_trying_again_makes_it(
    client, cast, django_capture_on_commit_callbacks
):
    past = timezone.now() - datetime.timedelta(seconds=1)
    report = make_report(cast, state=ProgressReport.State.GENERATING, lease=past)
    client.force_login(cast.officer)

    response = client.get(report_url(cast, report))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Refresh" not in response  # it no longer asks to be reloaded for ever
    assert "The report stopped while it was being made. Try again." in page
    assert 'value="retry"' in page and "Try again" in page
    report.refresh_from_db()
    assert report.state == ProgressReport.State.FAILED
    assert report.lease_expires_at is None
    assert report.history.first().history_change_reason == "Report generation stopped"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(report_url(cast, report), {"action": "retry"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ProgressReport.State.READY
    assert report.sha256 and report.lease_expires_at is None


@pytest.mark.django_db
def test_a_report_still_within_its_lease_keeps_generating(client, cast):
    future = timezone.now() + datetime.timedelta(minutes=2)
    report = make_report(cast, state=ProgressReport.State.GENERATING, lease=future)
    client.force_login(cast.officer)
    response = client.get(report_url(cast, report))
    assert "The report is being generated" in response.content.decode()
    report.refresh_from_db()
    assert report.state == ProgressReport.State.GENERATING
    # Trying again is for a report that failed: one still being made says so.
    response = client.post(report_url(cast, report), {"action": "retry"})
    assert response.status_code == 409
    assert "Only a report that could not be generated can be tried again." in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_a_member_who_may_not_retry_sees_the_failure_without_the_button(client, cast):
    report = make_report(
        cast,
        state=ProgressReport.State.GENERATING,
        lease=timezone.now() - datetime.timedelta(seconds=1),
    )
    client.force_login(cast.board_member)
    page = client.get(report_url(cast, report)).content.decode()
    assert "The report stopped while it was being made." in page
    assert 'value="retry"' not in page
    assert client.post(report_url(cast, report), {"action": "retry"}).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(report_url(cast, report)).status_code == 404


@pytest.mark.django_db
def test_the_scheduler_and_the_next_task_mark_stopped_reports_failed(cast):
    now = timezone.now()
    stale = make_report(
        cast, state=ProgressReport.State.GENERATING, lease=now - datetime.timedelta(seconds=1)
    )
    # One from before leases: it counts from when it was asked for.
    old = make_report(cast, state=ProgressReport.State.GENERATING)
    fresh = make_report(
        cast, state=ProgressReport.State.GENERATING, lease=now + datetime.timedelta(minutes=1)
    )
    ready = make_report(cast, state=ProgressReport.State.READY)

    assert report_services.fail_stale_reports(now) == 1
    assert report_services.fail_stale_reports(now + lease_length() + datetime.timedelta(1)) == 2
    states = {
        r.pk: r.state for r in ProgressReport.objects.filter(pk__in=[stale.pk, old.pk, fresh.pk])
    }
    assert set(states.values()) == {ProgressReport.State.FAILED}
    ready.refresh_from_db()
    assert ready.state == ProgressReport.State.READY

    again = make_report(cast, state=ProgressReport.State.GENERATING, lease=now)
    output = io.StringIO()
    call_command("send_reminders", stdout=output)
    assert "notices.schedule.stopped_reports: 0 messages queued" in output.getvalue()
    again.refresh_from_db()
    assert again.state == ProgressReport.State.FAILED


@pytest.mark.django_db
def test_a_render_that_finishes_after_its_report_was_taken_over_writes_nothing(cast):
    lease = timezone.now() + datetime.timedelta(minutes=1)
    report = make_report(cast, state=ProgressReport.State.GENERATING, lease=lease)
    # Its lease ran out and it was tried again: now another run is making it.
    report.lease_expires_at = lease + datetime.timedelta(minutes=5)
    save_with_history(report, by=None, reason="test: a later run")

    def ready(report):
        report.state = ProgressReport.State.READY

    assert _write(report.pk, lease, ready, reason="Report generated") is None
    report.refresh_from_db()
    assert report.state == ProgressReport.State.GENERATING


@pytest.mark.django_db
def test_a_render_over_the_memory_cap_leaves_the_report_failed_with_try_again(
    client, cast, settings, monkeypatch
):
    settings.REPORT_RENDER_MAX_MB = 400
    monkeypatch.setattr(pdf_module, "render_pdf", render_stubs.greedy_render)
    report = make_report(cast)
    generate_report.call(report.pk)
    report.refresh_from_db()
    assert report.state == ProgressReport.State.FAILED
    assert report.error.startswith("The report was too large to draw")
    client.force_login(cast.officer)
    page = client.get(report_url(cast, report)).content.decode()
    assert "too large to draw" in page and 'value="retry"' in page


# --- A lost database connection -------------------------------------------------------------------


def cut(conn):
    """Terminate ``conn``'s server process from another connection, as a fail-over would."""
    pid = conn.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


@pytest.fixture
def no_health_checks(monkeypatch):
    """Without Django's check before reuse, so the task itself must recover."""
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", False)
    connection.close()  # the next connection reads the setting
    yield
    connection.close()


def cutting_render(outcome):
    def render(html, **options):
        cut(connection)
        if isinstance(outcome, Exception):
            raise outcome
        return render_stubs.tiny_pdf(html)

    return render


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("health_checks", [True, False], ids=["health checks", "none"])
def test_a_connection_cut_mid_render_still_saves_the_report(
    cast, monkeypatch, request, health_checks
):
    if not health_checks:
        request.getfixturevalue("no_health_checks")
    report = make_report(cast)
    render_stubs.draw_with(monkeypatch, cutting_render(b""))
    assert generate_report.call(report.pk)
    report.refresh_from_db()
    assert report.state == ProgressReport.State.READY
    assert report.history.first().history_change_reason == "Report generated"


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_connection_cut_in_a_failing_render_leaves_it_failed_with_try_again(
    cast, monkeypatch, no_health_checks, client
):
    report = make_report(cast)
    render_stubs.draw_with(monkeypatch, cutting_render(ReportRenderError("It fell over.")))
    generate_report.call(report.pk)
    report.refresh_from_db()
    assert report.state == ProgressReport.State.FAILED
    assert report.error == "It fell over."
    client.force_login(cast.officer)
    render_stubs.draw_with(monkeypatch, render_stubs.tiny_pdf)
    response = client.post(report_url(cast, report), {"action": "retry"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ProgressReport.State.READY


def run_worker(worker_class):
    worker = worker_class(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    worker.sleep = lambda seconds: None
    worker.run()


@postgresql_only
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
@pytest.mark.parametrize("worker_class", [Worker, SurvivingWorker], ids=["stock", "surviving"])
def test_the_worker_carries_on_after_its_connection_is_cut(
    cast, monkeypatch, no_health_checks, worker_class
):
    render_stubs.draw_with(monkeypatch, cutting_render(b""))
    first, second = make_report(cast), make_report(cast)
    for report in (first, second):
        generate_report.enqueue(report.pk)

    def cut_after_the_first(sender, task_result, **kwargs):
        # Between tasks, while the worker holds its connection: the next claim meets it cut.
        task_finished.disconnect(cut_after_the_first)
        cut(connection)

    task_finished.connect(cut_after_the_first)
    try:
        if worker_class is Worker:
            # django-tasks-db's own worker ends on the lost connection.
            with pytest.raises(OperationalError):
                run_worker(worker_class)
            return
        run_worker(worker_class)
    finally:
        task_finished.disconnect(cut_after_the_first)
        connection.close()
    states = set(
        ProgressReport.objects.filter(pk__in=[first.pk, second.pk]).values_list("state", flat=True)
    )
    assert states == {ProgressReport.State.READY}


def test_the_surviving_worker_waits_longer_each_time_the_database_stays_away(monkeypatch):
    failures = iter([OperationalError("gone"), OperationalError("gone"), None])
    waits = []

    def flaky_run(self):
        failure = next(failures)
        if failure:
            raise failure

    monkeypatch.setattr(Worker, "run", flaky_run)
    monkeypatch.setattr(run_worker_command, "close_connections", lambda: None)
    worker = SurvivingWorker(
        queue_names=["default"],
        interval=1,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    worker.sleep = waits.append
    worker.run()
    assert waits == [1.0, 2.0]


# --- Whole workers, killed and cut off --------------------------------------------------------------


def states(reports):
    return dict(
        ProgressReport.objects.filter(pk__in=[r.pk for r in reports]).values_list("pk", "state")
    )


def cut_every_other_connection():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def tasks_left():
    return DBTaskResult.objects.ready().exists()


@postgresql_only
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_killed_and_cut_off_workers_leave_every_report_ready_or_failed_with_try_again(
    cast, client, tmp_path
):
    client.force_login(cast.officer)
    reports = [
        report_services.request_report(
            plan=cast.plan,
            audience=ProgressReport.Audience.BOARD,
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 12, 31),
            by=cast.officer,
        )
        for _ in range(4)
    ]
    G, READY, FAILED = (ProgressReport.State.GENERATING, ProgressReport.State.READY, "failed")
    workers = []
    try:
        # 1. A worker killed (kill -9) while it draws a report.
        first = start_worker(tmp_path / "first.log")
        workers.append(first)
        assert wait_for(lambda: G in states(reports).values(), 90), "no report started"
        first.kill()
        first.wait(10)
        stopped = [pk for pk, state in states(reports).items() if state == G]
        assert stopped
        # The page shows it being made until its lease is over, then failed, with "Try again".
        page = client.get(report_url(cast, ProgressReport(pk=stopped[0])))
        assert page.status_code == 200 and "being generated" in page.content.decode()
        report_services.fail_stale_reports(timezone.now() + lease_length())
        for pk in stopped:
            page = client.get(report_url(cast, ProgressReport(pk=pk))).content.decode()
            assert "The report stopped while it was being made. Try again." in page
            response = client.post(report_url(cast, ProgressReport(pk=pk)), {"action": "retry"})
            assert response.status_code == 302

        # 2. Another worker, whose database connections are cut again and again as it works.
        second = start_worker(tmp_path / "second.log")
        workers.append(second)
        cuts = 0
        deadline = time.monotonic() + 120
        # Until no report waits or is being made: a task just claimed has left the queue
        # before it marks its report "being generated".
        unfinished = {ProgressReport.State.QUEUED, G}
        while time.monotonic() < deadline and (
            tasks_left() or unfinished & set(states(reports).values())
        ):
            if cuts < 6:
                cuts += cut_every_other_connection() > 0
            time.sleep(0.7)
        assert second.poll() is None, "the worker ended: " + (tmp_path / "second.log").read_text()
        # A report whose result could not be written at all is left to its lease, as above.
        report_services.fail_stale_reports(timezone.now() + lease_length())
        assert set(states(reports).values()) <= {READY, FAILED}

        # 3. Every failed one is tried again, with no more cuts, and is made.
        for pk, state in states(reports).items():
            if state == FAILED:
                response = client.post(report_url(cast, ProgressReport(pk=pk)), {"action": "retry"})
                assert response.status_code == 302
        assert wait_for(lambda: set(states(reports).values()) == {READY}, 120), states(reports)
        for report in reports:
            assert client.get(report_url(cast, report)).status_code == 200
        assert ProgressReport.objects.filter(plan=cast.plan).count() == len(reports)
        assert cuts >= 1
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(20)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_a_queued_report_whose_task_was_lost_is_failed_and_one_waiting_its_turn_is_not(
    cast, client
):
    now = timezone.now()
    long_ago = now - lease_length() - datetime.timedelta(minutes=1)

    def queued(status=None, started=None):
        """A report asked for a lease ago, its task (if any) in ``status`` since ``started``."""
        report = make_report(cast)
        task_id = ""
        if status is not None:
            task_id = str(generate_report.enqueue(report.pk).id)
            DBTaskResult.objects.filter(pk=task_id).update(status=status, started_at=started)
        ProgressReport.objects.filter(pk=report.pk).update(requested_at=long_ago, task_id=task_id)
        return report

    waiting = queued(TaskResultStatus.READY)  # a long queue, or no worker running: it will run
    just_claimed = queued(TaskResultStatus.RUNNING, now - datetime.timedelta(seconds=5))
    # Claimed a lease ago by a worker that then lost its connection: it never started.
    lost = queued(TaskResultStatus.RUNNING, long_ago)
    ended = queued(TaskResultStatus.FAILED, long_ago)  # failed before it reached the report
    never_queued = queued()
    gone = queued(TaskResultStatus.SUCCESSFUL, long_ago)
    DBTaskResult.objects.filter(pk=ProgressReport.objects.get(pk=gone.pk).task_id).delete()

    client.force_login(cast.officer)
    page = client.get(report_url(cast, lost)).content.decode()  # the page checks its report
    assert "The report stopped while it was being made. Try again." in page
    assert report_services.fail_stale_reports(now) == 3  # the page has failed ``lost``
    states = dict(
        ProgressReport.objects.filter(
            pk__in=[r.pk for r in (waiting, just_claimed, lost, ended, never_queued, gone)]
        ).values_list("pk", "state")
    )
    assert states == {
        waiting.pk: ProgressReport.State.QUEUED,
        just_claimed.pk: ProgressReport.State.QUEUED,
        lost.pk: ProgressReport.State.FAILED,
        ended.pk: ProgressReport.State.FAILED,
        never_queued.pk: ProgressReport.State.FAILED,
        gone.pk: ProgressReport.State.FAILED,
    }
    # A report asked for moments ago is not judged yet, whatever its task says.
    fresh = make_report(cast)
    assert report_services.fail_stale_reports(now) == 0
    fresh.refresh_from_db()
    assert fresh.state == ProgressReport.State.QUEUED
