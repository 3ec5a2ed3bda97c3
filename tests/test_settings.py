"""Settings read from the environment: the helpers, and how the portal starts.

The helpers are tested in this process. Start-up is tested in a fresh Python
process each time, with only the environment the test gives it, because the
settings module is read once per process and this one already runs the test
settings.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from send_portal.settings import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
SETTINGS_SOURCE = (BASE_DIR / "send_portal" / "settings.py").read_text(encoding="utf-8")
# Every variable the settings read, so that none leaks in from the shell running the tests.
SETTINGS_VARIABLES = sorted(set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', SETTINGS_SOURCE)))

REPORT = """
import json
import django
from django.conf import settings

django.setup()
database = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SECRET_KEY": settings.SECRET_KEY,
    "ENGINE": database["ENGINE"],
    "NAME": str(database["NAME"]),
    "HOST": database.get("HOST", ""),
    "PORT": database.get("PORT", ""),
    "USER": database.get("USER", ""),
    "CONN_MAX_AGE": database.get("CONN_MAX_AGE"),
    "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "STATICFILES_BACKEND": settings.STORAGES["staticfiles"]["BACKEND"],
    "MAIL_BACKEND": settings.MAILERS["default"]["BACKEND"],
    "TASKS_BACKEND": settings.TASKS["default"]["BACKEND"],
}))
"""


# The helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        (" True ", True),
        ("1", True),
        ("yes", True),
        ("on", True),
        ("false", False),
        ("False", False),
        ("0", False),
        ("no", False),
        ("off", False),
    ],
)
def test_env_bool_reads_the_usual_ways_of_saying_yes_and_no(monkeypatch, text, expected):
    monkeypatch.setenv("PORTAL_TEST_FLAG", text)

    assert env_bool("PORTAL_TEST_FLAG", not expected) is expected


def test_env_bool_uses_the_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("PORTAL_TEST_FLAG", raising=False)
    assert env_bool("PORTAL_TEST_FLAG", True) is True
    assert env_bool("PORTAL_TEST_FLAG", False) is False

    monkeypatch.setenv("PORTAL_TEST_FLAG", "")
    assert env_bool("PORTAL_TEST_FLAG", True) is True


def test_env_bool_refuses_anything_else_and_names_the_variable(monkeypatch):
    monkeypatch.setenv("PORTAL_TEST_FLAG", "maybe")

    with pytest.raises(ImproperlyConfigured) as error:
        env_bool("PORTAL_TEST_FLAG", False)

    assert str(error.value) == "PORTAL_TEST_FLAG must be true or false, not 'maybe'"


def test_env_int_reads_whole_numbers_and_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("PORTAL_TEST_NUMBER", raising=False)
    assert env_int("PORTAL_TEST_NUMBER", 7) == 7

    monkeypatch.setenv("PORTAL_TEST_NUMBER", "31536000")
    assert env_int("PORTAL_TEST_NUMBER", 7) == 31536000

    monkeypatch.setenv("PORTAL_TEST_NUMBER", "-5")
    assert env_int("PORTAL_TEST_NUMBER", 7) == -5


@pytest.mark.parametrize("text", ["ten", "1.5", "10s"])
def test_env_int_refuses_anything_but_a_whole_number(monkeypatch, text):
    monkeypatch.setenv("PORTAL_TEST_NUMBER", text)

    with pytest.raises(ImproperlyConfigured) as error:
        env_int("PORTAL_TEST_NUMBER", 7)

    assert str(error.value) == f"PORTAL_TEST_NUMBER must be a whole number, not {text!r}"


def test_env_list_splits_on_commas_and_trims(monkeypatch):
    monkeypatch.setenv("PORTAL_TEST_LIST", " portal.example.org , www.example.org,,localhost ,")

    assert env_list("PORTAL_TEST_LIST", []) == [
        "portal.example.org",
        "www.example.org",
        "localhost",
    ]


def test_env_list_uses_the_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("PORTAL_TEST_LIST", raising=False)
    assert env_list("PORTAL_TEST_LIST", ["localhost"]) == ["localhost"]

    monkeypatch.setenv("PORTAL_TEST_LIST", "")
    assert env_list("PORTAL_TEST_LIST", ["localhost"]) == ["localhost"]


def test_env_str_treats_an_empty_value_as_unset(monkeypatch):
    monkeypatch.setenv("PORTAL_TEST_TEXT", "")
    assert env_str("PORTAL_TEST_TEXT", "fallback") == "fallback"

    monkeypatch.setenv("PORTAL_TEST_TEXT", "set")
    assert env_str("PORTAL_TEST_TEXT", "fallback") == "set"


# Starting the portal


def clean_environment(tmp_path, **variables):
    """This process's environment without any setting, plus the given variables."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in SETTINGS_VARIABLES and not name.startswith("DJANGO_")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="send_portal.settings",
        PYTHONPATH=str(BASE_DIR),
        VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
    )
    environment.update(variables)
    return environment


def start(tmp_path, **variables):
    """Start Django in a new process; return the process and its settings when it started."""
    result = subprocess.run(  # noqa: S603 - a fixed command with this interpreter
        [sys.executable, "-c", REPORT],
        env=clean_environment(tmp_path, **variables),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    settings = json.loads(result.stdout) if result.returncode == 0 else None
    return result, settings


def test_the_settings_list_covers_the_variables_that_matter():
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "VAR_DIR", "TASKS_BACKEND"} <= set(
        SETTINGS_VARIABLES
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result, settings = start(tmp_path)

    assert result.returncode != 0
    assert settings is None
    assert "ImproperlyConfigured" in result.stderr
    assert "Set SECRET_KEY (a long random string), or set DEBUG=true to run the demo." in (
        result.stderr
    )


def test_it_refuses_to_start_with_debug_explicitly_off_and_no_secret_key(tmp_path):
    result, _ = start(tmp_path, DEBUG="false")

    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_it_starts_the_demo_without_a_secret_key_when_debug_is_on(tmp_path):
    result, settings = start(tmp_path, DEBUG="true")

    assert result.returncode == 0, result.stderr
    assert settings["DEBUG"] is True
    assert settings["SECRET_KEY"].startswith("insecure-demo-key")
    assert settings["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["CSRF_COOKIE_SECURE"] is False
    assert settings["SECURE_SSL_REDIRECT"] is False
    assert settings["SECURE_HSTS_SECONDS"] == 0
    assert settings["MAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_it_refuses_a_debug_value_it_does_not_understand(tmp_path):
    result, _ = start(tmp_path, DEBUG="maybe", SECRET_KEY="a-long-random-secret-for-tests")

    assert result.returncode != 0
    assert "DEBUG must be true or false, not 'maybe'" in result.stderr


def test_it_uses_postgresql_when_given_a_database_url(tmp_path):
    result, settings = start(tmp_path, DEBUG="true", DATABASE_URL="postgres://u@h:5432/db")

    assert result.returncode == 0, result.stderr
    assert settings["ENGINE"] == "django.db.backends.postgresql"
    assert (settings["NAME"], settings["HOST"], settings["PORT"], settings["USER"]) == (
        "db",
        "h",
        5432,
        "u",
    )
    assert settings["CONN_MAX_AGE"] == 60
    assert not (tmp_path / "var").exists()


def test_it_uses_sqlite_under_var_dir_without_a_database_url(tmp_path):
    assert not (tmp_path / "var").exists()

    result, settings = start(tmp_path, DEBUG="true")

    assert result.returncode == 0, result.stderr
    assert settings["ENGINE"] == "django.db.backends.sqlite3"
    assert settings["NAME"] == str(tmp_path / "var" / "portal.sqlite3")
    assert settings["MEDIA_ROOT"] == str(tmp_path / "var" / "media")
    assert (tmp_path / "var").is_dir()


def test_it_is_secure_by_default_in_production(tmp_path):
    result, settings = start(tmp_path, SECRET_KEY="a-long-random-secret-for-tests")

    assert result.returncode == 0, result.stderr
    assert settings["DEBUG"] is False
    assert settings["SECRET_KEY"] == "a-long-random-secret-for-tests"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SECURE_HSTS_SECONDS"] > 0
    assert settings["ALLOWED_HOSTS"] == []
    assert settings["STATICFILES_BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert settings["MAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert settings["TASKS_BACKEND"] == "django_tasks_db.DatabaseBackend"


def test_it_lets_production_name_its_hosts(tmp_path):
    result, settings = start(
        tmp_path,
        SECRET_KEY="a-long-random-secret-for-tests",
        ALLOWED_HOSTS="send.example.org, www.send.example.org",
    )

    assert result.returncode == 0, result.stderr
    assert settings["ALLOWED_HOSTS"] == ["send.example.org", "www.send.example.org"]


def test_it_refuses_an_unknown_tasks_backend(tmp_path):
    result, settings = start(
        tmp_path, SECRET_KEY="a-long-random-secret-for-tests", TASKS_BACKEND="bogus"
    )

    assert result.returncode != 0
    assert settings is None
    assert "TASKS_BACKEND must be one of database, immediate, not 'bogus'" in result.stderr


def test_it_accepts_the_immediate_tasks_backend(tmp_path):
    result, settings = start(
        tmp_path, SECRET_KEY="a-long-random-secret-for-tests", TASKS_BACKEND="immediate"
    )

    assert result.returncode == 0, result.stderr
    assert settings["TASKS_BACKEND"] == "django.tasks.backends.immediate.ImmediateBackend"


def test_it_refuses_a_number_setting_that_is_not_a_number(tmp_path):
    result, _ = start(
        tmp_path, SECRET_KEY="a-long-random-secret-for-tests", SECURE_HSTS_SECONDS="a year"
    )

    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS must be a whole number, not 'a year'" in result.stderr


WSGI_REPORT = """
import gc, json
before = gc.get_threshold()
from send_portal.wsgi import YOUNG_COLLECTION_AFTER, application
print(json.dumps({
    "before": before,
    "after": gc.get_threshold(),
    "young": YOUNG_COLLECTION_AFTER,
    "frozen": gc.get_freeze_count(),
    "callable": callable(application),
}))
"""


def test_the_wsgi_application_settles_the_garbage_collector_once_loaded(tmp_path):
    """What gunicorn loads: the portal frozen out of full collections, young ones less often."""
    result = subprocess.run(  # noqa: S603 - a fixed command with this interpreter
        [sys.executable, "-c", WSGI_REPORT],
        env=clean_environment(tmp_path, DEBUG="true"),
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["callable"]
    assert report["after"] == [report["young"], *report["before"][1:]]
    assert report["young"] > report["before"][0]
    # Django, the portal's modules and their settings, loaded before the first request.
    assert report["frozen"] > 50_000
