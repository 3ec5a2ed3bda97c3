"""Settings for the processes a test starts (web servers, task workers).

The test settings keep files in memory, which each process would have to
itself; here they go to a folder every process sees (MEDIA_ROOT), as they go
to shared storage in production.
"""

from tests.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
}
