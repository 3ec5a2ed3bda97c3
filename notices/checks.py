"""A deployment check (``manage.py check --deploy``): links in emails must reach the portal."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register


@register("notices", deploy=True)
def base_url_reaches_the_portal(app_configs, **kwargs):
    url = getattr(settings, "PORTAL_BASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname not in (None, "localhost", "127.0.0.1"):
        return []
    return [
        Warning(
            f"PORTAL_BASE_URL is {url!r}, so the links in emails will not work for the people "
            "who get them.",
            hint="Set PORTAL_BASE_URL to the portal's https address, "
            "for example https://send-portal.example.org.",
            id="notices.W001",
        )
    ]
