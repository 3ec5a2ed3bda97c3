"""Deployment checks (``manage.py check --deploy``) for running the portal as several processes.

* The cache must be shared by every process (CACHE_URL): with a cache in each
  process's memory, a page taken off the public site is still served by the
  other processes until their copy expires.
* Static files must have been collected: without the manifest that
  ``collectstatic`` writes, every page is a server error when DEBUG is off.

Registered in ``PortalAdminConfig.ready()`` with the ``deploy`` tag, so they run
with ``check --deploy`` only (``scripts/serve`` and CI run it).
"""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core import checks
from django.core.files.storage import storages

PER_PROCESS = {
    "django.core.cache.backends.locmem.LocMemCache": "in each process's memory",
    "django.core.cache.backends.dummy.DummyCache": "switched off",
}
ONE_MACHINE = "django.core.cache.backends.filebased.FileBasedCache"


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PER_PROCESS:
        return [
            checks.Error(
                f"The cache is {PER_PROCESS[backend]}, so a page taken off the public site "
                "is still shown by the other web processes until their copy expires.",
                hint=(
                    "Set CACHE_URL to a cache every process shares: redis://HOST:6379/0 "
                    "(recommended) or db://portal_cache (then run manage.py createcachetable). "
                    "See docs/deploy.md."
                ),
                id="send_portal.E001",
            )
        ]
    if backend == ONE_MACHINE:
        return [
            checks.Warning(
                "The cache is in files, shared only by processes on one machine.",
                hint="With more than one machine, set CACHE_URL to redis://HOST:6379/0.",
                id="send_portal.W002",
            )
        ]
    return []


@checks.register(checks.Tags.staticfiles, deploy=True)
def check_static_files_collected(app_configs=None, **kwargs):
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return []
    if storage.manifest_storage.exists(storage.manifest_name):
        return []
    return [
        checks.Error(
            f"Static files have not been collected into {settings.STATIC_ROOT}: with DEBUG "
            "off, every page would be a server error.",
            hint="Run manage.py collectstatic --no-input (scripts/serve does) before starting.",
            id="send_portal.E003",
        )
    ]


# The contact details the help page and the accessibility statement show (the contact
# address falls back to the accessibility one).
CONTACT_SETTINGS = ("PORTAL_OPERATOR", "PORTAL_ACCESSIBILITY_EMAIL", "PORTAL_CONTACT_EMAIL")


@checks.register(deploy=True)
def check_contact_details(app_configs=None, **kwargs):
    unset = [name for name in CONTACT_SETTINGS if not getattr(settings, name, "").strip()]
    if not unset:
        return []
    return [
        checks.Warning(
            f"{', '.join(unset)} {'is' if len(unset) == 1 else 'are'} not set: the help page "
            "and the accessibility statement would not say who runs the portal or where to write.",
            hint=(
                "Set PORTAL_OPERATOR to who runs the portal (for example 'Worcestershire "
                "Council and NHS Herefordshire and Worcestershire'), and the email addresses "
                "people write to. See docs/deploy.md."
            ),
            id="send_portal.W004",
        )
    ]
