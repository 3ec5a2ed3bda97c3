from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Django's admin, open to superusers only (board users work in the portal)."""

    default_site = "send_portal.admin.SuperuserAdminSite"
