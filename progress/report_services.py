"""Asking for, and publishing, progress reports. Published reports are frozen.

A report may start with an introduction the officer writes when asking for
it. In a public report it is public text: the request form checks its
wording (``ReportRequestForm``), and publishing records its reading age in
the report's history ("Published as report 2; reading age 10").
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.tasks import TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone

from actions.models import Plan
from kit.plain_english import CheckedText, check_wording, history_note, with_note
from kit.versioning import save_with_history

from . import files
from .models import ProgressReport
from .reports import published_html
from .tasks import generate_report, lease_length

log = logging.getLogger(__name__)

STOPPED = "The report stopped while it was being made. Try again."
# A draft generated before the worker also drew its published version (publish_report).
LEGACY_DRAFT = (
    "This report was generated before a change to the portal and cannot be published as it "
    "is. Generate this report again (ask for a new report for the same period) and publish "
    "the new one."
)


def request_report(
    *, plan, audience, period_start, period_end, by, introduction="", reason="Report requested"
):
    """Create the report and queue its generation once the request's data is committed.

    ``reason`` is for the history: the request form's ``reason("Report requested")``
    adds the introduction's reading age.
    """
    report = ProgressReport(
        plan=plan,
        audience=audience,
        period_start=period_start,
        period_end=period_end,
        requested_by=by,
        introduction=(introduction or "").strip(),
    )
    with transaction.atomic():
        save_with_history(report, by=by, reason=reason)
        transaction.on_commit(lambda: _enqueue(report))
    return report


def _enqueue(report):
    result = generate_report.enqueue(report.pk)
    ProgressReport.objects.filter(pk=report.pk, task_id="").update(task_id=str(result.id)[:64])


def retry_report(report, *, by):
    """Queue a report that could not be generated (or stopped while it was) to be made again."""
    with transaction.atomic():
        fail_stale_reports(timezone.now(), reports=ProgressReport.objects.filter(pk=report.pk))
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if report.state != ProgressReport.State.FAILED:
            raise ValidationError("Only a report that could not be generated can be tried again.")
        report.state = ProgressReport.State.QUEUED
        report.task_id = ""
        save_with_history(report, by=by, reason="Report generation tried again")
        transaction.on_commit(lambda: _enqueue(report))
    return report


def fail_stale_reports(now, reports=None):
    """Mark reports whose generation stopped as failed, so they can be tried again; how many.

    A report is "being generated" under a lease (``lease_expires_at``, set by
    ``tasks.generate_report``); one still being generated when its lease is over was
    stopped with its worker. One left from before leases counts from when it was asked for.
    A report still waiting in the queue a lease after it was asked for is stopped too if
    its task will never start it (``_task_lost``): a worker can lose a task it has just
    claimed with its database connection, and a task can end before it reaches the report.
    ``reports`` narrows the search (the report page checks only its own report).
    """
    reports = ProgressReport.objects.all() if reports is None else reports
    expired = Q(lease_expires_at__lt=now) | Q(
        lease_expires_at__isnull=True, requested_at__lt=now - lease_length()
    )
    count = 0
    for pk in reports.filter(expired, state=ProgressReport.State.GENERATING).values_list(
        "pk", flat=True
    ):
        count += _stop(Q(expired, pk=pk, state=ProgressReport.State.GENERATING))
    waiting = reports.filter(
        state=ProgressReport.State.QUEUED, requested_at__lt=now - lease_length()
    ).values_list("pk", "task_id")
    for pk, task_id in waiting:
        if _task_lost(task_id, now):
            count += _stop(Q(pk=pk, state=ProgressReport.State.QUEUED, task_id=task_id))
    return count


def _stop(still):
    """Mark the report ``still`` finds as stopped, with "Try again"; 1, or 0 if it has moved on."""
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().filter(still).first()
        if report is None:  # it finished, or started, meanwhile
            return 0
        report.state = ProgressReport.State.FAILED
        report.error = STOPPED
        report.lease_expires_at = None
        save_with_history(report, by=None, reason="Report generation stopped")
        return 1


def _task_lost(task_id, now):
    """Whether the task queued to make a report will never start it.

    Lost: it was never queued (no id), the task backend no longer knows it, it
    ended without starting the report, or it has been "running" for a whole lease
    without starting it, which it does first of all (its worker claimed it, then lost
    its database connection and started afresh). A task still waiting its turn is
    not lost, however long the queue; nor is one a backend cannot tell about.
    """
    if not task_id:
        return True
    try:
        result = generate_report.get_result(task_id)
    except TaskResultDoesNotExist:
        return True
    except NotImplementedError:  # a backend that keeps no results (immediate: nothing waits)
        return False
    if result.status == TaskResultStatus.READY:
        return False
    if result.status == TaskResultStatus.RUNNING:
        started = result.started_at
        return started is not None and started < now - lease_length()
    return True


@transaction.atomic
def publish_report(report, *, by):
    """Number and freeze a generated report, drawing nothing.

    The worker drew the report as it will be published (no DRAFT marks, the number
    planned for it) with the draft (``tasks.generate_report``). Publishing checks that
    file against its SHA-256, makes it the report's PDF (its HTML becomes the published
    HTML), numbers the report and deletes the draft's file once this is committed. It
    runs in a web request, with the plan's row locked: no PDF is drawn here (WeasyPrint
    takes seconds of CPU for a big report, and up to the render's time limit, longer
    than the web server waits). From then on its stored PDF and hash never change again.
    """
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.state == ProgressReport.State.PUBLISHED:
        raise ValidationError("This report is already published.")
    if report.state != ProgressReport.State.READY:
        raise ValidationError("A report can be published once it has been generated.")
    final_html = published_html(report.html)
    if report.prepared_pdf:
        _check_stored(files.open_prepared_pdf, report, "The stored PDF to publish")
    elif final_html is not None:
        # A draft generated before the worker prepared its published version. It is
        # refused, not drawn here as before: drawing it would keep the very fault this
        # path is rid of (seconds of CPU, up to the render's time limit, in a request
        # whose server gives up after 60 seconds, with the plan's row locked) for the
        # largest reports, in code that would run only until those few drafts are gone.
        # Asking for it again is what an officer already does when a report's planned
        # number is out of date (below), and its new draft is prepared to publish.
        raise ValidationError(LEGACY_DRAFT)
    else:
        # Made before drafts were marked: its PDF already is the report as published,
        # and is published as it is, as it always was.
        _check_stored(files.open_report_pdf, report, "The stored PDF")
    # One publication per plan at a time: lock the plan's row, then read the last
    # number (a lock taken with an aggregate would lock nothing).
    Plan.objects.select_for_update().only("pk").get(pk=report.plan_id)
    latest = ProgressReport.objects.filter(
        plan_id=report.plan_id, audience=report.audience
    ).aggregate(Max("number"))["number__max"]
    number = (latest or 0) + 1
    if report.snapshot.get("planned_number") != number:
        raise ValidationError(
            f"Report {number - 1} was published after this one was generated. Generate this "
            "report again so that its number and what changed since the last one are right."
        )
    if report.prepared_pdf:
        _swap_in_prepared_pdf(report, final_html)
    report.number = number
    report.state = ProgressReport.State.PUBLISHED
    report.published_by = by
    report.published_at = timezone.now()
    reason = with_note(f"Published as report {report.number}", introduction_note(report))
    save_with_history(report, by=by, reason=reason)
    return report


def _check_stored(open_checked, report, what):
    """Refuse to publish unless the stored file is there and its bytes match its SHA-256.

    Read from storage in blocks (``files``), whatever the storage.
    """
    try:
        open_checked(report).close()
    except files.StoredFileMissing:
        raise ValidationError(f"{what} cannot be found. Generate the report again.") from None
    except files.StoredFileChanged:
        raise ValidationError(
            f"{what} does not match its record. Generate the report again."
        ) from None


def _swap_in_prepared_pdf(report, final_html):
    """Make the prepared published version the report's PDF; the draft's file is deleted
    once this is committed."""
    draft_file = report.pdf.name
    storage = report.pdf.storage
    report.pdf = report.prepared_pdf.name
    report.sha256 = report.prepared_sha256
    report.prepared_pdf = ""
    report.prepared_sha256 = ""
    if final_html is not None:
        report.html = final_html
    if draft_file and draft_file != report.pdf.name:
        transaction.on_commit(lambda: _delete_quietly(storage, draft_file))


def _delete_quietly(storage, name):
    try:
        storage.delete(name)
    except Exception:  # a draft file left behind harms nothing; the record points past it
        log.warning("Could not delete the draft PDF %s", name, exc_info=True)


def introduction_note(report):
    """'reading age N' for a public report's introduction, as it is published; else ''.

    Above the limit it says so ("reading age 14, above 12"): the officer who asked for
    the report confirmed the wording then, and the request's history says so.
    """
    if report.audience != ProgressReport.Audience.PUBLIC:
        return ""
    check = check_wording(report.introduction)
    if check is None:
        return ""
    note = history_note([CheckedText("the introduction", "introduction", check)])
    return f"{note}, above {check.level}" if check.above_level else note
