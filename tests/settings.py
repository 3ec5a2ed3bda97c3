"""Test settings: the project's settings with test-only secrets and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-any-real-deployment")
os.environ.setdefault("TASKS_BACKEND", "immediate")

from send_portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files through the finders, so tests need no collectstatic run.
WHITENOISE_AUTOREFRESH = True
