from django.apps import AppConfig


class ActionsConfig(AppConfig):
    verbose_name = "Plans and actions"
    name = "actions"
