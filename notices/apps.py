from django.apps import AppConfig


class NoticesConfig(AppConfig):
    """Mail: the outbox, notices on workflow steps, reminders and digests."""

    name = "notices"
    verbose_name = "Notices and reminders"
