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
