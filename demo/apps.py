from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo: the seed areas' public history plus illustrative plan content."""

    name = "demo"
    verbose_name = "Demo data"
