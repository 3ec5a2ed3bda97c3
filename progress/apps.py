from django.apps import AppConfig


class ProgressConfig(AppConfig):
    verbose_name = "Progress, measures and meetings"
    name = "progress"
