from django.apps import AppConfig


class KitConfig(AppConfig):
    """The shared kit: versioned, audited saves, history, dates, forms, template tags."""

    name = "kit"
    verbose_name = "Shared kit"
