from django.apps import AppConfig


class PublicConfig(AppConfig):
    """The visitors' site: each area's public pages, open data and downloads."""

    name = "public"
    verbose_name = "Public pages"

    def ready(self):
        from .cache import connect_signals

        connect_signals()
