from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    verbose_name = "Inspections and local areas"
    name = "inspections"
