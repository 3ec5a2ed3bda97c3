from django.apps import AppConfig


class PublicConfig(AppConfig):
    """The visitors' site: each area's public pages, open data and downloads."""

    name = "public"
    verbose_name = "Public pages"

    def ready(self):
        from notices.signals import schedule_ran

        from .cache import connect_signals
        from .follow import send_digests

        connect_signals()
        # The scheduler's run ends with the public digests (public.follow).
        schedule_ran.connect(send_digests, dispatch_uid="public-follow-digests")
