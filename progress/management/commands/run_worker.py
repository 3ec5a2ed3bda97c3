"""``manage.py run_worker``: the task worker (reports, emails), made to survive database faults.

It is django-tasks-db's ``db_worker`` (same options) with two changes:

* it starts the report render server first (``progress.pdf.start_render_server``),
  before anything could start a thread;
* a lost database connection does not end it. django-tasks-db checks its
  connection between tasks, but an error from the database while it claims a
  task or records a result (the server restarted, a fail-over, the connection
  was cut) ends its loop and the process. Here the connection is closed, the
  worker waits (1 s, doubling to at most 30 s while the database stays away)
  and carries on with a new connection.

A task that was running when its worker died stays "running" in the task
table; a report it was making is marked failed, with "Try again", once its
lease is over (``progress.report_services.fail_stale_reports``). It never
reloads on code changes (``--reload`` is ignored): restart it to pick up new code.
"""

import contextlib
import logging
import time

from django.core.management.base import CommandError
from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands.db_worker import Command as WorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from progress.pdf import ReportRenderError, start_render_server

log = logging.getLogger("progress.worker")

FIRST_WAIT = 1.0
LONGEST_WAIT = 30.0
# A loop that ran this long before failing was healthy: the next wait starts short again.
HEALTHY_RUN = 60.0


def close_connections():
    for connection in connections.all(initialized_only=True):
        with contextlib.suppress(Exception):  # it is broken already
            connection.close()


class SurvivingWorker(Worker):
    """django-tasks-db's worker, started again on a new connection when the database goes."""

    sleep = staticmethod(time.sleep)

    def run(self):
        wait = FIRST_WAIT
        while self.running:
            started = time.monotonic()
            try:
                return super().run()
            except (OperationalError, InterfaceError) as error:
                close_connections()
                if time.monotonic() - started >= HEALTHY_RUN:
                    wait = FIRST_WAIT
                log.warning(
                    "The worker lost its database connection (%s: %s); connecting again in %g s",
                    type(error).__name__,
                    str(error).strip()[:200],
                    wait,
                )
                self.sleep(wait)
                wait = min(wait * 2, LONGEST_WAIT)
        return None


class Command(WorkerCommand):
    help = (
        "Run the task worker (reports, emails): django-tasks-db's db_worker, which carries "
        "on after a lost database connection. Takes db_worker's options."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--no-render-server",
            action="store_false",
            dest="render_server",
            help="Do not start the report render server now (the first report starts it).",
        )

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        max_tasks,
        worker_id,
        exclude_queues,
        reload=False,
        render_server=True,
        **options,
    ):
        self.configure_logging(verbosity)
        if render_server:
            try:
                start_render_server()
            except ReportRenderError as error:  # the first report starts it instead
                log.warning("The report render server did not start: %s", error)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = SurvivingWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        worker.run()
