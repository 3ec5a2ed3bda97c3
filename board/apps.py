from django.apps import AppConfig


class BoardConfig(AppConfig):
    """The board's own pages, which bring together inspections, plans and progress."""

    name = "board"
    verbose_name = "Board pages"
