"""Work done off the request path: generating a progress report's HTML and PDFs.

A report is drawn twice here: as the draft the board checks (DRAFT on every page)
and as it will be published (``reports.published_html``: no DRAFT marks, the number
planned for it), each stored with its SHA-256. Publishing, in a web request, then
only checks and swaps in the second (``report_services.publish_report``): no PDF is
ever drawn on the request path.

Runs in the task worker (`manage.py run_worker`, django-tasks-db's worker made to
survive a lost database connection) in production; the immediate backend runs it
in the request in tests and the demo.

Faults it survives:

* **a lost database connection.** The connection is checked (and replaced if the
  server dropped it) before the task starts and again after the render, which
  may take minutes; if writing the result still meets a dropped connection, it
  connects again and writes it once more.
* **a worker that dies mid-render.** The report gets a lease when it starts
  (``lease_expires_at``: now + the time limit of each of its two renders + a
  margin). A report still "being generated" when its lease is over was stopped:
  the report page and the scheduler mark it failed, with "Try again"
  (``report_services.fail_stale_reports``). A render that finishes after its
  report was marked failed or started again writes nothing.
"""

import datetime
import hashlib
import logging
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import (
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.tasks import task
from django.utils import timezone

from kit.versioning import save_with_history

from .models import ProgressReport
from .signals import report_ready

log = logging.getLogger(__name__)

# Time allowed on top of the renders' time limits for building the report and saving it.
LEASE_MARGIN = datetime.timedelta(seconds=60)
# The draft and the published version. They are drawn side by side within one time limit
# (html_to_pdfs); the lease still allows for two, so a worker of an earlier release that
# draws them one after the other, during an upgrade, keeps its lease.
RENDERS_PER_REPORT = 2
CONNECTION_ERRORS = (OperationalError, InterfaceError)


NOT_PUBLISHABLE = (
    "The report's published version could not be made from its draft: its DRAFT marks "
    "were not found."
)


class ReportNotPublishable(Exception):
    """The draft's HTML has no DRAFT marks to take off, so its published version cannot be made."""


def lease_length():
    """How long a report may stay "being generated" before it is taken to have stopped."""
    timeout = getattr(settings, "REPORT_RENDER_TIMEOUT", 120)
    return RENDERS_PER_REPORT * datetime.timedelta(seconds=timeout) + LEASE_MARGIN


def fresh_connection():
    """Drop the database connection if the server closed it (or it is too old); Django opens a
    new one at the next query. Never inside a transaction (the immediate backend, tests)."""
    if not connection.in_atomic_block:
        close_old_connections()


def _with_reconnect(action, what):
    """``action()`` in a transaction; on a dropped database connection, connect again and run
    it once more (not inside an outer transaction, which a new connection cannot continue)."""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return action()
        except CONNECTION_ERRORS:
            if attempt == 2 or connection.in_atomic_block:
                raise
            log.warning("Lost the database connection %s; trying again", what)
            connection.close()
    return None


def _write(report_id, lease, change, *, reason):
    """Apply ``change`` to the report and save it, if it is still this run's; else do nothing.

    This run's: still being generated under the lease it was given (a report marked
    failed, or started again, since belongs to someone else). On a dropped database
    connection it connects again and tries once more. Returns the saved report or None.
    """

    def write():
        report = (
            ProgressReport.objects.select_for_update()
            .select_related("plan__area")
            .filter(pk=report_id, state=ProgressReport.State.GENERATING)
            .first()
        )
        if report is None or report.lease_expires_at != lease:
            log.warning("Report %s is no longer this run's: its result is dropped", report_id)
            return None
        change(report)
        report.lease_expires_at = None
        save_with_history(report, by=None, reason=reason)
        return report

    return _with_reconnect(write, f"saving report {report_id}")


def _start(report_id, lease):
    """Mark the report as being generated under ``lease``; None if it is not waiting for it."""

    def start():
        report = (
            ProgressReport.objects.select_for_update()
            .select_related("plan__area")
            .filter(pk=report_id)
            .first()
        )
        if report is None or report.state not in (
            ProgressReport.State.QUEUED,
            ProgressReport.State.FAILED,
        ):
            return None
        report.state = ProgressReport.State.GENERATING
        report.error = ""
        report.lease_expires_at = lease
        report.save(update_fields=["state", "error", "lease_expires_at"])
        return report

    return _with_reconnect(start, f"starting report {report_id}")


@task()
def generate_report(report_id):
    from .pdf import html_to_pdfs
    from .report_services import fail_stale_reports
    from .reports import (
        build_report_context,
        published_html,
        render_report_html,
        snapshot_from_context,
    )

    fresh_connection()
    report = _start(report_id, timezone.now() + lease_length())
    if report is None:
        return None
    lease = report.lease_expires_at
    try:  # housekeeping: reports whose worker died before this one started
        fail_stale_reports(timezone.now())
    except Exception:
        log.exception("Could not look for stopped reports")
    try:
        numbered = ProgressReport.objects.filter(
            plan=report.plan,
            audience=report.audience,
            state__in=[ProgressReport.State.PUBLISHED, ProgressReport.State.WITHDRAWN],
        ).order_by("-number")
        # What changed is said since the last report still published; a withdrawn
        # report keeps its number, so numbers count on from the highest.
        previous = numbered.filter(state=ProgressReport.State.PUBLISHED).first()
        latest = numbered.first()
        # The number it will have if published next; publishing checks it still is.
        next_number = (latest.number if latest else 0) + 1
        context = build_report_context(
            report.plan,
            audience=report.audience,
            period_start=report.period_start,
            period_end=report.period_end,
            number=next_number,
            previous=previous,
            introduction=report.introduction,
            draft=True,  # DRAFT until published (report_services.publish_report)
        )
        html = render_report_html(context)
        # The report as it will be published, drawn now so that publishing draws nothing.
        final_html = published_html(html)
        if final_html is None:  # the template lost its draft marks: never publish a draft
            raise ReportNotPublishable(NOT_PUBLISHABLE)
        # Both drawn side by side: where the worker's machine has a core for each, the
        # officer waits for one drawing, not two.
        pdf, final_pdf = html_to_pdfs([html, final_html])
        snapshot = {**snapshot_from_context(context), "planned_number": next_number}
    except Exception as error:  # any failure is shown to the officer, never lost
        log.exception("Report %s could not be generated", report_id)
        message = str(error)[:2000] or type(error).__name__
        if isinstance(error, CONNECTION_ERRORS):
            message = "The connection to the database was lost. Try again."
        fresh_connection()

        def failed(report):
            report.state = ProgressReport.State.FAILED
            report.error = message

        _write(report_id, lease, failed, reason="Report could not be generated")
        return None
    # The render may have taken minutes: the connection may have gone meanwhile.
    fresh_connection()
    sha256 = hashlib.sha256(pdf).hexdigest()
    final_sha256 = hashlib.sha256(final_pdf).hexdigest()

    def ready(report):
        report.html = html
        report.snapshot = snapshot
        report.sha256 = sha256
        report.pdf.save(f"{report.uuid}.pdf", ContentFile(pdf), save=False)
        report.prepared_sha256 = final_sha256
        report.prepared_pdf.save(f"{report.uuid}-published.pdf", ContentFile(final_pdf), save=False)
        report.state = ProgressReport.State.READY
        report.generated_at = timezone.now()

    try:
        report = _write(report_id, lease, ready, reason="Report generated")
    except CONNECTION_ERRORS:
        raise  # the database is away: the report's lease runs out and it is shown as failed
    except Exception as error:  # a record that will not save is shown to the officer too
        log.exception("Report %s could not be saved", report_id)
        message = f"The report was made but could not be saved: {error}"[:2000]

        def not_saved(report):
            report.state = ProgressReport.State.FAILED
            report.error = message

        _write(report_id, lease, not_saved, reason="Report could not be generated")
        return None
    if report is None:
        return None
    transaction.on_commit(
        partial(report_ready.send, sender=ProgressReport, report=report), robust=True
    )
    return sha256
