"""The portal as production runs it: several processes at once.

* Two web processes (gunicorn, started by ``scripts/serve`` as ``make serve``
  does) share one Redis cache. A published update taken off the site by a third
  process disappears from every web process at the next request, where a cache
  kept in each process's memory would go on showing it for minutes. Needs
  ``redis-server`` (CI installs Debian's) or REDIS_URL; skipped otherwise. It
  runs the whole stack on its own SQLite file, so it needs no shared test
  database.
* Two officers publishing two reports of one plan at the same moment: one gets
  the next number, the other is told to generate again; neither gets an error
  page. Real concurrency needs PostgreSQL (CI's DATABASE_URL); SQLite runs one
  write at a time, so there only the one-after-the-other case runs.
"""

import datetime
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, connections

from progress.models import ProgressReport
from progress.report_services import publish_report

BASE_DIR = Path(__file__).resolve().parent.parent
MARKER = "Waiting times in Stackshire fell this spring"

SET_UP = f"""
import datetime
from django.utils import timezone
from actions.models import Plan
from inspections.models import Inspection
from progress.models import ProgressUpdate
from tests.factories import (
    make_action, make_area, make_finding, make_inspection, make_organisation, make_plan,
)

area = make_area(slug="stackshire", name="Stackshire")
council = make_organisation(slug="stackshire-council", name="Stackshire Council")
inspection = make_inspection(
    area=area, start="2024-03", published="2024-05-20", outcome=Inspection.Outcome.WSOA_REQUIRED
)
finding = make_finding(inspection=inspection, number=1, text="Families wait too long")
plan = make_plan(inspection=inspection, status=Plan.Status.PUBLISHED, findings=[finding])
action = make_action(plan=plan, finding=finding, lead=council)
ProgressUpdate.objects.create(
    action=action,
    period_start=datetime.date(2025, 1, 1),
    period_end=datetime.date(2025, 3, 31),
    delivery_status="on_track",
    impact_status="some_evidence",
    narrative="Internal narrative.",
    public_summary={MARKER!r},
    state=ProgressUpdate.State.PUBLISHED,
    publish_at=timezone.now() - datetime.timedelta(hours=1),
)
"""

# Taken off the public site by another process, as a board's correction would be.
TAKE_OFF = f"""
from progress.models import ProgressUpdate
update = ProgressUpdate.objects.get(public_summary={MARKER!r})
update.state = ProgressUpdate.State.APPROVED
update.save()
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, *, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what} after {timeout} s")


def answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A Redis of the tests' own (redis-server on PATH), or the one REDIS_URL names."""
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("REDIS_URL"):
            yield os.environ["REDIS_URL"]
            return
        pytest.skip("needs redis-server on PATH or REDIS_URL (CI installs Debian's redis-server)")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - a fixed command
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path_factory.mktemp("redis"),
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: answers(port), timeout=20, what="redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=20)


class Stack:
    """``scripts/serve`` with two web processes, on a database and folders of its own."""

    def __init__(self, tmp_path, cache_url):
        self.port = free_port()
        self.log = tmp_path / "serve.log"
        self.prefix = f"stack-test-{uuid.uuid4().hex[:8]}"
        keep = {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "SYSTEMROOT"}
        self.environment = {name: value for name, value in os.environ.items() if name in keep}
        self.environment.update(
            VENV=sys.prefix,
            PYTHONPATH=str(BASE_DIR),
            DJANGO_SETTINGS_MODULE="send_portal.settings",
            SECRET_KEY="stack-test-" + uuid.uuid4().hex * 2,
            VAR_DIR=str(tmp_path / "var"),
            STATIC_ROOT=str(tmp_path / "static"),
            CACHE_URL=cache_url,
            CACHE_KEY_PREFIX=self.prefix,
            PORT=str(self.port),
            WEB_WORKERS="2",
            SCHEDULE_MINUTES="60",
        )
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 - the project's own script
            [str(BASE_DIR / "scripts" / "serve")],
            cwd=BASE_DIR,
            env=self.environment,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        # Collecting static files and migrating a new database take a while.
        wait_for(self.healthy, timeout=400, what=f"scripts/serve (see {self.log})")

    def healthy(self):
        assert self.process.poll() is None, self.log.read_text()
        try:
            return self.get("/healthz")[0] == 200
        except OSError:
            return False

    def get(self, path, request_id=None):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}")
        if request_id:
            request.add_header("X-Request-ID", request_id)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def manage(self, code):
        """Run Python in a process of its own, with the stack's settings."""
        result = subprocess.run(  # noqa: S603 - this interpreter and the project's manage.py
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
            cwd=BASE_DIR,
            env={
                **self.environment,
                "DEBUG": "false",
                "ALLOWED_HOSTS": "127.0.0.1",
                "TASKS_BACKEND": "immediate",
            },
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr

    def many(self, path, label, count=24):
        """``count`` requests from four at a time, each with its own request id."""
        ids = [f"{label}-{n:04d}-{uuid.uuid4().hex[:8]}" for n in range(count)]
        with ThreadPoolExecutor(max_workers=4) as pool:
            return dict(zip(ids, pool.map(lambda rid: self.get(path, rid), ids), strict=True))

    def processes_that_answered(self, request_ids):
        """The web process that wrote the log line of each request id."""
        found = {}
        for line in self.log.read_text().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # not a log line, or one still being written
            if entry.get("logger") == "send_portal.requests" and entry["request_id"] in request_ids:
                found[entry["request_id"]] = entry["process"]
        return found

    def cached_pages(self, slug):
        import redis

        client = redis.Redis.from_url(self.environment["CACHE_URL"])
        return list(client.scan_iter(f"{self.prefix}:*public-page:*/areas/{slug}/"))

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
            raise AssertionError("scripts/serve did not stop within 90 s of SIGTERM") from None


@pytest.fixture(scope="module")
def stack(tmp_path_factory, redis_url):
    """One stack for the module (it takes a minute to start); the last test stops it."""
    running = Stack(tmp_path_factory.mktemp("stack"), redis_url)
    try:
        running.start()
        yield running
    finally:
        running.stop()


def test_an_update_taken_off_the_site_disappears_from_every_web_process_at_once(stack):
    stack.manage(SET_UP)
    page = "/areas/stackshire/"

    # Both web processes serve the page, from the one shared cache.
    served_by = set()
    for round_ in range(10):
        before = stack.many(page, f"before{round_}")
        assert all(status == 200 and MARKER in body for status, body in before.values())
        served_by |= set(stack.processes_that_answered(set(before)).values())
        if len(served_by) >= 2:
            break
    assert len(served_by) >= 2, "one web process answered every request"
    assert stack.cached_pages("stackshire"), "the area's page was not in the shared cache"

    stack.manage(TAKE_OFF)

    after = stack.many(page, "after", count=40)
    assert all(status == 200 for status, _ in after.values())
    still_showing = [rid for rid, (_, body) in after.items() if MARKER in body]
    assert still_showing == [], f"{len(still_showing)} of {len(after)} requests showed it"
    answered_by = set(stack.processes_that_answered(set(after)).values())
    assert len(answered_by) >= 2, "the requests after the change reached one process only"


def test_make_serve_answers_healthz_with_every_part_working_and_stops_cleanly(stack):
    status, body = stack.get("/healthz")

    assert status == 200
    assert json.loads(body) == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok", "worker": "ok"},
    }
    status, home = stack.get("/")
    assert status == 200
    assert "SEND Improvement Portal" in home

    stack.stop()

    assert stack.process.returncode in (0, 143)
    assert not answers(stack.port)
    log = stack.log.read_text()
    assert "serve: stopped" in log


# Two officers publishing reports of one plan at the same moment


def ready_report(plan, *, period_end):
    """A generated report waiting to be published as the plan's first."""
    pdf = b"%PDF-1.4 report " + period_end.isoformat().encode()
    report = ProgressReport(
        plan=plan,
        audience=ProgressReport.Audience.BOARD,
        period_start=datetime.date(2025, 1, 1),
        period_end=period_end,
        state=ProgressReport.State.READY,
        html="<html><head><title>Report</title></head><body>Report</body></html>",
        sha256=hashlib.sha256(pdf).hexdigest(),
        snapshot={"planned_number": 1},
    )
    report.pdf.save("report.pdf", ContentFile(pdf), save=False)
    report.save()
    return report


def outcome(report, officer):
    try:
        published = publish_report(report, by=officer)
    except ValidationError as error:
        return "told to generate again", " ".join(error.messages)
    return "published", published.number


@pytest.mark.django_db
def test_a_report_generated_before_another_was_published_must_be_generated_again(cast):
    first = ready_report(cast.plan, period_end=datetime.date(2025, 3, 31))
    second = ready_report(cast.plan, period_end=datetime.date(2025, 6, 30))

    assert outcome(first, cast.officer) == ("published", 1)
    result, message = outcome(second, cast.second_officer)

    assert result == "told to generate again"
    assert "Report 1 was published after this one was generated" in message


@pytest.mark.django_db(transaction=True)
def test_two_reports_of_one_plan_published_at_once_get_one_number_and_no_error(cast):
    if connection.vendor != "postgresql":
        pytest.skip(
            "two transactions at once need PostgreSQL (set DATABASE_URL, as CI does); "
            "SQLite runs one write at a time"
        )
    reports = [
        ready_report(cast.plan, period_end=datetime.date(2025, 3, 31)),
        ready_report(cast.plan, period_end=datetime.date(2025, 6, 30)),
    ]
    officers = [cast.officer, cast.second_officer]
    start = threading.Barrier(2)

    def publish(index):
        try:
            start.wait(timeout=30)
            return outcome(reports[index], officers[index])
        except Exception as error:  # anything else would be an error page
            return "error", repr(error)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(publish, [0, 1]))

    assert [result for result, _ in results] == ["published", "told to generate again"], results
    assert results[0][1] == 1
    assert "Report 1 was published after this one was generated" in results[1][1]
    numbers = ProgressReport.objects.filter(plan=cast.plan).values_list("number", flat=True)
    assert sorted(n for n in numbers if n is not None) == [1]
