"""The scheduler's jobs, run in this order by ``manage.py send_reminders``.

Each job is ``job(now) -> int``, the number of messages it queued. Every job
may run as often as the scheduler likes: each message has an idempotency key
(``notices.outbox.queue_message``), so nothing is sent twice.
"""

from progress.report_services import fail_stale_reports

from .reminders import meeting_reminders, officer_digests
from .scheduled import notify_publications_done
from .tasks import retry_failed


def stopped_reports(now):
    """Mark as failed, with "Try again", reports whose worker stopped mid-render; sends nothing."""
    fail_stale_reports(now)
    return 0


JOBS = [
    stopped_reports,
    notify_publications_done,
    meeting_reminders,
    officer_digests,
    # Last: enqueue again what failed or was lost, once its wait is over.
    retry_failed,
]
