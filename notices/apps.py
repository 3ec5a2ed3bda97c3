from django.apps import AppConfig


class NoticesConfig(AppConfig):
    """Mail: the outbox, notices on workflow steps, reminders and digests."""

    name = "notices"
    verbose_name = "Notices and reminders"

    def ready(self):
        from progress.signals import (
            forum_challenged,
            forum_replied,
            report_ready,
            update_step_taken,
        )

        from . import checks  # noqa: F401 - registers the deployment check
        from .workflow import (
            on_forum_challenged,
            on_forum_replied,
            on_report_ready,
            on_update_step_taken,
        )

        update_step_taken.connect(on_update_step_taken, dispatch_uid="notices-update-step")
        report_ready.connect(on_report_ready, dispatch_uid="notices-report-ready")
        forum_challenged.connect(on_forum_challenged, dispatch_uid="notices-forum-challenged")
        forum_replied.connect(on_forum_replied, dispatch_uid="notices-forum-replied")
