from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    verbose_name = "Inspections and local areas"
    name = "inspections"

    def ready(self):
        from .public_cache import connect_signals

        connect_signals()
