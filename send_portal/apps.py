from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Django's admin, open to superusers only (board users work in the portal).

    Also the portal's own app config: ``ready()`` registers the deployment
    checks (send_portal/checks.py).
    """

    default_site = "send_portal.admin.SuperuserAdminSite"

    def ready(self):
        super().ready()
        from . import (
            checks,  # noqa: F401 - registers the checks
            mfa_policy,  # noqa: F401 - connects two-step sign-in's signals
        )


class PortalConfig(AppConfig):
    """The ``send_portal`` package as an app, so that its management commands
    (``backup_portal``, ``restore_portal``) are found. It has no models."""

    name = "send_portal"
    label = "send_portal"
