"""Work done off the request path: generating a progress report's HTML and PDF.

Runs in the django-tasks-db worker (`manage.py db_worker`) in production; the
immediate backend runs it in the request in tests and the demo.
"""

import hashlib
import logging
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from kit.versioning import save_with_history

from .models import ProgressReport
from .signals import report_ready

log = logging.getLogger(__name__)


@task()
def generate_report(report_id):
    from .pdf import html_to_pdf
    from .reports import build_report_context, render_report_html, snapshot_from_context

    with transaction.atomic():
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
        report.save(update_fields=["state", "error"])
    previous = (
        ProgressReport.objects.filter(
            plan=report.plan, audience=report.audience, state=ProgressReport.State.PUBLISHED
        )
        .order_by("-number")
        .first()
    )
    # The number it will have if published next; publishing checks it still is.
    next_number = (previous.number if previous else 0) + 1
    try:
        context = build_report_context(
            report.plan,
            audience=report.audience,
            period_start=report.period_start,
            period_end=report.period_end,
            number=next_number,
            previous=previous,
            introduction=report.introduction,
        )
        html = render_report_html(context)
        pdf = html_to_pdf(html)
    except Exception as error:  # any failure is shown to the officer, never lost
        log.exception("Report %s could not be generated", report_id)
        ProgressReport.objects.filter(pk=report_id).update(
            state=ProgressReport.State.FAILED, error=str(error)[:2000] or type(error).__name__
        )
        return None
    report.html = html
    report.snapshot = {**snapshot_from_context(context), "planned_number": next_number}
    report.sha256 = hashlib.sha256(pdf).hexdigest()
    report.pdf.save(f"{report.uuid}.pdf", ContentFile(pdf), save=False)
    report.state = ProgressReport.State.READY
    report.generated_at = timezone.now()
    save_with_history(report, by=None, reason="Report generated")
    transaction.on_commit(
        partial(report_ready.send, sender=ProgressReport, report=report), robust=True
    )
    return report.sha256
