"""Faults with every part running as in production: two web processes, two workers.

Two gunicorn web processes and two task workers run against the test's
PostgreSQL database, as separate processes. While an officer asks for three
reports and keeps saving records through the web processes, one worker is
killed mid-render and, again and again, every database connection but the
test's own is terminated (PostgreSQL's ``pg_terminate_backend``, as a restart or
fail-over does). Then:

* every request answered without a server error (``CONN_HEALTH_CHECKS`` makes a
  web process notice its dead connection and open another);
* every record the officer was told was saved is in the database (no write lost);
* every report ends ready, or failed with "Try again" (the killed worker's once
  its lease is over), and trying again makes it; each PDF is then served with
  the SHA-256 the portal recorded.

Needs PostgreSQL (CI's DATABASE_URL); skipped on SQLite.
"""

import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from progress import report_services
from progress.models import Measure, ProgressReport
from progress.tasks import lease_length
from tests.html_forms import form_values
from tests.processes import ROOT, database_url, start_worker

REPORTS = 3
CUTS = 3

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="terminating connections needs PostgreSQL (CI sets DATABASE_URL)",
    ),
    pytest.mark.django_db(transaction=True),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, seconds, interval=0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def terminate_other_connections():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def states(pks):
    return dict(ProgressReport.objects.filter(pk__in=pks).values_list("pk", "state"))


class Stack:
    """gunicorn with two web processes and two task workers, each a process of its own."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.process_settings",
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "TASKS_BACKEND": "database",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            # Two-step sign-in is not what this test is about.
            "PORTAL_MFA_REQUIRED_ROLES": "",
            "SLOW_RENDER_SECONDS": "1.5",
            "LOG_LEVEL": "WARNING",
        }
        self.web = None
        self.workers = []

    def _start(self, name, command):
        log = (self.tmp_path / f"{name}.log").open("w")
        return subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def start(self):
        self.web = self._start(
            "web",
            [sys.executable, "-m", "gunicorn", "send_portal.wsgi:application",
             "--workers", "2", "--bind", f"127.0.0.1:{self.port}", "--timeout", "60",
             "--no-control-socket"],
        )  # fmt: skip
        self.workers = [start_worker(self.tmp_path / f"worker-{n}.log", **self.env) for n in (1, 2)]

        def up():
            try:
                return requests.get(f"{self.base}/healthz/web", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        assert wait_for(up, 90), self.log("web")

    def log(self, name):
        return (self.tmp_path / f"{name}.log").read_text()

    def stop(self):
        for process in [*self.workers, self.web]:
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [*self.workers, self.web]:
            if process is None:
                continue
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


class Officer:
    """An officer's browser: a session cookie, the CSRF cookie, and every status seen."""

    def __init__(self, stack, client, user):
        client.force_login(user)
        self.stack = stack
        self.session = requests.Session()
        self.session.cookies.set("sessionid", client.cookies["sessionid"].value)
        self.statuses = []

    def get(self, path):
        response = self.session.get(self.stack.base + path, timeout=60, allow_redirects=False)
        self.statuses.append((response.status_code, "GET", path))
        return response

    def post_form(self, path, changes):
        page = self.get(path)
        assert page.status_code == 200, self.stack.log("web")[-3000:]
        values = {**form_values(page.text, skip=()), **changes}
        response = self.session.post(
            self.stack.base + path,
            data=values,
            timeout=60,
            allow_redirects=False,
            headers={"Referer": self.stack.base + path},
        )
        self.statuses.append((response.status_code, "POST", path))
        return response


@pytest.fixture
def stack(tmp_path):
    running = Stack(tmp_path)
    try:
        running.start()
        yield running
    finally:
        running.stop()


def test_two_web_processes_and_two_workers_survive_a_killed_worker_and_cut_connections(
    stack, cast, client
):
    officer = Officer(stack, client, cast.officer)
    slug = cast.area.slug
    reports_path = reverse("progress:reports", kwargs={"area_slug": slug})
    measure_path = reverse("progress:measure-create", kwargs={"area_slug": slug})
    period = {
        "plan": str(cast.plan.pk),
        "audience": ProgressReport.Audience.BOARD,
        "period_start_0": "1", "period_start_1": "1", "period_start_2": "2025",
        "period_end_0": "31", "period_end_1": "12", "period_end_2": "2025",
    }  # fmt: skip

    asked = []
    for _ in range(REPORTS):
        response = officer.post_form(reports_path, period)
        assert response.status_code == 302, response.text[:1000]
        asked.append(int(re.search(r"/reports/(\d+)/", response.headers["Location"]).group(1)))

    saved, cuts, killed = [], 0, None
    generating_before, steady_since = None, time.monotonic()
    deadline = time.monotonic() + 180
    number = 0
    while time.monotonic() < deadline:
        now = states(asked)
        generating = {pk for pk, state in now.items() if state == ProgressReport.State.GENERATING}
        if killed is None and generating:
            # kill -9 a worker while a report is being drawn.
            killed = stack.workers[0]
            killed.kill()
            killed.wait(10)
        if cuts < CUTS:
            cuts += terminate_other_connections() > 0
        number += 1
        name = f"Families told the outcome within 20 weeks, check {number}"
        response = officer.post_form(
            measure_path,
            {
                "name": name,
                "slug": f"told-within-20-weeks-{number}",
                "definition": "Share of families told the outcome of an assessment in time.",
                "source": "The council's case records",
                "unit": "percent",
            },
        )
        assert response.status_code in (302, 409), response.text[:3000]
        if response.status_code == 302:
            saved.append(name)
        assert officer.get(reports_path).status_code == 200
        # Done when nothing waits and the reports still "generating" have stayed so for a
        # while: those are the killed worker's, whose leases run on.
        if generating != generating_before:
            generating_before, steady_since = generating, time.monotonic()
        waiting = ProgressReport.State.QUEUED in now.values()
        if killed and cuts >= CUTS and not waiting and time.monotonic() - steady_since > 4:
            break
        time.sleep(0.3)

    assert killed is not None, "no report was being drawn while the test watched"
    assert cuts >= 1
    assert stack.workers[1].poll() is None, stack.log("worker-2")

    # What the scheduler does every run: a report whose lease is over is failed, with "Try again".
    report_services.fail_stale_reports(timezone.now() + lease_length())
    assert set(states(asked).values()) <= {ProgressReport.State.READY, "failed"}, states(asked)
    for pk, state in states(asked).items():
        if state == "failed":
            path = reverse("progress:report", kwargs={"area_slug": slug, "pk": pk})
            page = officer.get(path)
            assert page.status_code == 200 and "Try again" in page.text
            response = officer.post_form(path, {"action": "retry"})
            assert response.status_code == 302, response.text[:1000]

    assert wait_for(
        lambda: set(states(asked).values()) == {ProgressReport.State.READY}, 180, interval=0.5
    ), (states(asked), stack.log("worker-2"))

    for report in ProgressReport.objects.filter(pk__in=asked):
        pdf = officer.get(
            reverse("progress:report-pdf", kwargs={"area_slug": slug, "pk": report.pk})
        )
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF-")
        assert hashlib.sha256(pdf.content).hexdigest() == report.sha256

    server_errors = [seen for seen in officer.statuses if seen[0] >= 500]
    assert not server_errors, (server_errors, stack.log("web"))
    assert saved, "no record was saved while connections were cut"
    stored = set(Measure.objects.filter(area=cast.area).values_list("name", flat=True))
    assert set(saved) <= stored
    assert ProgressReport.objects.filter(pk__in=asked).count() == REPORTS
