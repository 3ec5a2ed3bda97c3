"""Asking for, and publishing, progress reports. Published reports are frozen.

A report may start with an introduction the officer writes when asking for
it. In a public report it is public text: the request form checks its
wording (``ReportRequestForm``), and publishing records its reading age in
the report's history ("Published as report 2; reading age 10").
"""

import hashlib
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
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
        with transaction.atomic():
            report = (
                ProgressReport.objects.select_for_update()
                .filter(expired, pk=pk, state=ProgressReport.State.GENERATING)
                .first()
            )
            if report is None:  # it finished meanwhile
                continue
            report.state = ProgressReport.State.FAILED
            report.error = STOPPED
            report.lease_expires_at = None
            save_with_history(report, by=None, reason="Report generation stopped")
            count += 1
    return count


@transaction.atomic
def publish_report(report, *, by):
    """Number and freeze a generated report.

    Its PDF is drawn once more without the draft's DRAFT marks and with its number
    (``_publish_pdf``); from then on its stored PDF and hash never change again.
    """
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.state == ProgressReport.State.PUBLISHED:
        raise ValidationError("This report is already published.")
    if report.state != ProgressReport.State.READY:
        raise ValidationError("A report can be published once it has been generated.")
    # Read from storage in blocks (files.open_report_pdf), whatever the storage.
    try:
        files.open_report_pdf(report).close()
    except files.StoredFileMissing:
        raise ValidationError(
            "The stored PDF cannot be found. Generate the report again."
        ) from None
    except files.StoredFileChanged:
        raise ValidationError(
            "The stored PDF does not match its record. Generate the report again."
        ) from None
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
    _publish_pdf(report)
    report.number = number
    report.state = ProgressReport.State.PUBLISHED
    report.published_by = by
    report.published_at = timezone.now()
    reason = with_note(f"Published as report {report.number}", introduction_note(report))
    save_with_history(report, by=by, reason=reason)
    return report


def _publish_pdf(report):
    """Replace a draft's PDF, which says DRAFT on every page, with the same report as published.

    The same HTML, with its DRAFT marks off and its number shown (reports.published_html),
    drawn again; the draft's file is deleted once this is committed. A report made before
    drafts were marked keeps its PDF.
    """
    from . import pdf  # WeasyPrint is imported only where a PDF is drawn

    html = published_html(report.html)
    if html is None:
        return
    try:
        content = pdf.html_to_pdf(html)
    except pdf.ReportRenderError as error:
        raise ValidationError(
            f"The published PDF could not be made for publishing ({error}). Try again."
        ) from error
    draft_file = report.pdf.name
    storage = report.pdf.storage
    report.html = html
    report.sha256 = hashlib.sha256(content).hexdigest()
    report.pdf.save(f"{report.uuid}.pdf", ContentFile(content), save=False)
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
