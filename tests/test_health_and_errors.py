"""Running in production: /healthz, request ids in JSON logs, the error pages, the deploy checks.

The error pages are drawn with DEBUG off, as visitors see them. Start-up
settings (CACHE_URL, LOG_FORMAT, database connections) are read in a fresh
Python process, since this one already runs the test settings.
"""

import datetime
import io
import json
import logging
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import registry
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory, override_settings
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django_tasks_db.models import DBTaskResult, get_date_max

from kit.plain_english import check_wording
from send_portal import checks, errors, health
from send_portal.logging import JSONFormatter, RequestIdFilter
from send_portal.middleware import request_id_for

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


# A URL configuration with two pages that fail, for the 403 and 500 pages.
def _forbidden(request):
    raise PermissionDenied


def _broken(request):
    raise RuntimeError("something inside broke: secret-internal-detail")


urlpatterns = [
    path("forbidden/", _forbidden),
    path("broken/", _broken),
]
from send_portal.urls import urlpatterns as _portal  # noqa: E402

urlpatterns += _portal
handler403 = "send_portal.errors.permission_denied"
handler404 = "send_portal.errors.page_not_found"
handler500 = "send_portal.errors.server_error"
TEST_URLS = override_settings(ROOT_URLCONF=__name__)


# /healthz


@pytest.mark.django_db
def test_healthz_says_ok_with_every_check_and_is_never_cached(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok", "worker": "not used"},
    }
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


@pytest.mark.django_db
def test_healthz_web_leaves_out_the_worker(client):
    response = client.get("/healthz/web")

    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database", "cache", "storage"}


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["portal.example.org"])
def test_healthz_answers_a_load_balancer_over_http_by_the_servers_own_address(client):
    assert client.get("/healthz", HTTP_HOST="10.0.0.5").status_code == 200
    # Every other page still checks the host and redirects to HTTPS.
    assert client.get("/", HTTP_HOST="10.0.0.5").status_code == 400
    assert client.get("/", HTTP_HOST="portal.example.org").status_code == 301


@pytest.mark.django_db
def test_healthz_only_answers_get_and_head(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
)
def test_healthz_fails_when_the_cache_does_not_answer(client):
    response = client.get("/healthz/web")

    assert response.status_code == 503
    assert response.json() == {
        "status": "failing",
        "checks": {"database": "ok", "cache": "failed", "storage": "ok"},
    }
    assert b"127.0.0.1" not in response.content  # what went wrong is logged, not sent


@pytest.mark.django_db
def test_healthz_fails_when_media_storage_is_not_a_folder(client, tmp_path):
    not_a_folder = tmp_path / "media"
    not_a_folder.write_text("a file where the folder should be")
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(not_a_folder)},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "failed"
    assert str(tmp_path).encode() not in response.content


@pytest.mark.django_db
def test_healthz_accepts_a_media_folder_not_made_yet_if_it_can_be(tmp_path):
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "not-yet" / "media")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        assert health.run_checks(["storage"]) == ({"storage": "ok"}, True)


@pytest.mark.django_db
def test_healthz_fails_when_the_database_does_not_answer(client, monkeypatch):
    def broken():
        raise ConnectionError("could not connect to server db.internal:5432")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "failed"
    assert b"db.internal" not in response.content


def _task(*, enqueued_minutes_ago, run_after=None):
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="progress.tasks.generate_report",
        backend_name="default",
        run_after=run_after or get_date_max(),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=enqueued_minutes_ago)
    )
    return task


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS, HEALTHZ_TASK_WAIT_MINUTES=10)
def test_healthz_fails_when_a_task_has_waited_too_long_for_the_worker(client):
    _task(enqueued_minutes_ago=2)
    # Queued long ago, but not to run until later: not waiting yet.
    _task(enqueued_minutes_ago=60, run_after=timezone.now() + datetime.timedelta(hours=1))
    assert client.get("/healthz").json()["checks"]["worker"] == "ok"
    assert client.get("/healthz").status_code == 200

    _task(enqueued_minutes_ago=11)
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "cache": "ok",
        "storage": "ok",
        "worker": "failed",
    }
    # A load balancer asking /healthz/web keeps the web servers in service.
    assert client.get("/healthz/web").status_code == 200


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS)
def test_a_task_being_worked_on_is_not_waiting(client):
    task = _task(enqueued_minutes_ago=30)
    DBTaskResult.objects.filter(pk=task.pk).update(status="RUNNING")

    assert client.get("/healthz").status_code == 200


# Request ids and JSON logs


@pytest.fixture
def json_log():
    """What the console handler would write, as parsed JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JSONFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    lines = []

    def read():
        lines[:] = [json.loads(line) for line in stream.getvalue().splitlines()]
        return lines

    yield read
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.django_db
def test_every_response_has_a_request_id_and_every_log_line_of_it_carries_it(client, json_log):
    response = client.get("/no-such-page/")

    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    lines = [line for line in json_log() if line["request_id"] == request_id]
    by_logger = {line["logger"]: line for line in lines}
    assert by_logger["send_portal.requests"]["message"] == "GET /no-such-page/ 404"
    assert by_logger["send_portal.requests"]["status"] == 404
    assert by_logger["send_portal.requests"]["method"] == "GET"
    assert by_logger["django.request"]["level"] == "WARNING"  # written after the middleware
    assert all(line["process"] == os.getpid() for line in lines)
    # Between requests, lines carry no id.
    logging.getLogger("tests").info("after the request")
    assert json_log()[-1]["request_id"] == "-"


@pytest.mark.django_db
def test_a_sane_request_id_from_the_proxy_is_kept(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c21:0001")

    assert response["X-Request-ID"] == "lb-7f3a9c21:0001"


@pytest.mark.parametrize(
    "header",
    [
        "",
        "short",
        "has spaces in it",
        "x" * 129,
        "evil\nline-injection",
        "<script>alert(1)</script>",
    ],
)
def test_any_other_request_id_is_replaced_by_a_new_one(header):
    replaced = request_id_for(header)

    assert replaced != header
    assert re.fullmatch(r"[0-9a-f]{32}", replaced)


def test_the_json_formatter_writes_one_line_with_extras_and_the_exception():
    record = logging.makeLogRecord(
        {
            "name": "progress.tasks",
            "levelno": logging.ERROR,
            "levelname": "ERROR",
            "msg": "Report %s could not be drawn",
            "args": (7,),
            "report": 7,
            "request": object(),  # Django's request objects are never written out
            "request_id": "abc12345",
        }
    )
    try:
        raise ValueError("no fonts")
    except ValueError:
        record.exc_info = sys.exc_info()

    text = JSONFormatter().format(record)

    assert "\n" not in text
    entry = json.loads(text)
    assert entry["message"] == "Report 7 could not be drawn"
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "progress.tasks"
    assert entry["request_id"] == "abc12345"
    assert entry["report"] == 7
    assert "request" not in entry
    assert "ValueError: no fonts" in entry["exception"]
    assert datetime.datetime.fromisoformat(entry["time"]).tzinfo is not None


# The error pages, as visitors see them (DEBUG off)


def _looks_like_the_site(content):
    assert "govuk-frontend" in content  # the site's stylesheet
    assert "SEND Improvement Portal" in content
    assert 'href="/"' in content  # a way back home


def _reading_age(content):
    main = re.search(r"<main[^>]*>(.*)</main>", content, re.S).group(1)
    return check_wording(strip_tags(main)).reading_age


@pytest.mark.django_db
@override_settings(DEBUG=False, PORTAL_CONTACT_EMAIL="send-help@example.gov.uk")
def test_a_missing_page_gets_the_sites_own_page_not_found(client):
    response = client.get("/areas/nowhere/nothing-here/")

    assert response.status_code == 404
    content = response.content.decode()
    assert "Page not found" in content
    assert "check it is correct" in content
    assert "mailto:send-help@example.gov.uk" in content
    _looks_like_the_site(content)
    assert _reading_age(content) <= 12


@pytest.mark.django_db
@TEST_URLS
@override_settings(DEBUG=False)
def test_a_forbidden_page_gets_the_sites_own_page(client, cast):
    client.force_login(cast.board_member)
    response = client.get("/forbidden/")

    assert response.status_code == 403
    content = response.content.decode()
    assert "You cannot see this page" in content
    assert "ask an area administrator" in content
    assert reverse("board:home") in content  # signed in: back to your areas
    _looks_like_the_site(content)
    assert _reading_age(content) <= 12


@pytest.mark.django_db
@TEST_URLS
@override_settings(DEBUG=False, PORTAL_CONTACT_EMAIL="send-help@example.gov.uk")
def test_a_server_error_gets_the_sites_own_page_and_no_detail():
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")

    assert response.status_code == 500
    content = response.content.decode()
    assert "Sorry, there is a problem with the service" in content
    assert "Try again later." in content
    assert "mailto:send-help@example.gov.uk" in content
    assert "secret-internal-detail" not in content
    assert "Traceback" not in content
    _looks_like_the_site(content)
    assert _reading_age(content) <= 12


@override_settings(DEBUG=False)
def test_the_server_error_page_needs_no_database():
    # No django_db mark: any query would fail this test.
    response = errors.server_error(RequestFactory().get("/anything/"))

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


@override_settings(DEBUG=False)
def test_a_server_error_page_that_cannot_be_drawn_becomes_a_plain_one(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("Missing staticfiles manifest entry for 'govuk/govuk-frontend.min.css'")

    monkeypatch.setattr(errors, "render_to_string", broken)
    response = errors.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    content = response.content.decode()
    assert "Sorry, there is a problem with the service" in content
    assert "manifest" not in content


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_form_refused_by_the_csrf_check_says_what_to_do():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "someone", "password": "x"})

    assert response.status_code == 403
    content = response.content.decode()
    assert "Your form could not be sent" in content
    assert "Reload the page" in content
    assert "CSRF" not in strip_tags(content)  # no jargon, and no reason with DEBUG off
    _looks_like_the_site(content)
    assert _reading_age(content) <= 12


# The deployment checks


def _cache(backend, location=""):
    return {"default": {"BACKEND": backend, "LOCATION": location}}


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", ["send_portal.E001"]),
        ("django.core.cache.backends.dummy.DummyCache", ["send_portal.E001"]),
        ("django.core.cache.backends.filebased.FileBasedCache", ["send_portal.W002"]),
        ("django.core.cache.backends.redis.RedisCache", []),
        ("django.core.cache.backends.db.DatabaseCache", []),
    ],
)
def test_check_deploy_refuses_a_cache_each_process_keeps_to_itself(backend, expected):
    with override_settings(CACHES=_cache(backend, "redis://127.0.0.1:6379/0")):
        found = checks.check_shared_cache()

    assert [message.id for message in found] == expected


def test_the_portals_checks_run_with_check_deploy_only():
    deploy = registry.registry.get_checks(include_deployment_checks=True)
    always = registry.registry.get_checks(include_deployment_checks=False)

    for check in (checks.check_shared_cache, checks.check_static_files_collected):
        assert check in deploy
        assert check not in always


def test_check_deploy_refuses_to_start_before_static_files_are_collected(tmp_path):
    manifest = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STORAGES=manifest, STATIC_ROOT=str(tmp_path)):
        assert [m.id for m in checks.check_static_files_collected()] == ["send_portal.E003"]
        (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
        assert checks.check_static_files_collected() == []
    # Without hashed names (the demo, the tests) there is nothing to collect first.
    assert checks.check_static_files_collected() == []


# Settings read at start-up

REPORT = """
import json
import django
from django.conf import settings

django.setup()
print(json.dumps({
    "CACHES": settings.CACHES,
    "LOG_FORMAT": settings.LOG_FORMAT,
    "FORMATTER": settings.LOGGING["handlers"]["console"]["formatter"],
    "CONN_HEALTH_CHECKS": settings.DATABASES["default"].get("CONN_HEALTH_CHECKS"),
    "CONN_MAX_AGE": settings.DATABASES["default"].get("CONN_MAX_AGE"),
    "MIDDLEWARE": settings.MIDDLEWARE[:3],
}, default=str))
"""


def start(tmp_path, **variables):
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("DJANGO_")
        and name
        not in {"DEBUG", "CACHE_URL", "LOG_FORMAT", "DATABASE_URL", "SECRET_KEY", "TASKS_BACKEND"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="send_portal.settings",
        PYTHONPATH=str(BASE_DIR),
        VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY="a-long-random-secret-for-tests",
        **variables,
    )
    result = subprocess.run(  # noqa: S603 - a fixed command with this interpreter
        [sys.executable, "-c", REPORT],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result, json.loads(result.stdout) if result.returncode == 0 else None


def test_cache_url_chooses_redis_the_database_or_each_processs_memory(tmp_path):
    _, redis = start(tmp_path, CACHE_URL="redis://cache.internal:6379/1")
    _, database = start(tmp_path, CACHE_URL="db://portal_cache")
    _, unset = start(tmp_path)

    assert redis["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["CACHES"]["default"]["LOCATION"] == "redis://cache.internal:6379/1"
    assert redis["CACHES"]["default"]["KEY_PREFIX"] == "send-portal"
    assert database["CACHES"]["default"]["BACKEND"] == (
        "django.core.cache.backends.db.DatabaseCache"
    )
    assert database["CACHES"]["default"]["LOCATION"] == "portal_cache"
    assert unset["CACHES"]["default"]["BACKEND"] == (
        "django.core.cache.backends.locmem.LocMemCache"
    )


def test_an_unknown_cache_url_is_refused_without_repeating_its_password(tmp_path):
    result, settings = start(tmp_path, CACHE_URL="memcached://user:hunter2-secret@cache:11211")

    assert settings is None
    assert "CACHE_URL must look like redis://HOST:6379/0" in result.stderr
    assert "hunter2-secret" not in result.stderr


def test_logs_are_json_in_production_and_text_in_the_demo(tmp_path):
    _, production = start(tmp_path)
    _, demo = start(tmp_path, DEBUG="true")
    _, chosen = start(tmp_path, LOG_FORMAT="text")
    refused, _ = start(tmp_path, LOG_FORMAT="xml")

    assert (production["LOG_FORMAT"], production["FORMATTER"]) == ("json", "json")
    assert (demo["LOG_FORMAT"], demo["FORMATTER"]) == ("text", "text")
    assert chosen["LOG_FORMAT"] == "text"
    assert "LOG_FORMAT must be json or text, not 'xml'" in refused.stderr
    assert production["MIDDLEWARE"][:2] == [
        "send_portal.middleware.RequestIdMiddleware",
        "send_portal.health.HealthCheckMiddleware",
    ]


def test_database_connections_are_checked_before_they_are_reused(tmp_path):
    _, settings = start(tmp_path, DATABASE_URL="postgres://u@h:5432/db")

    assert settings["CONN_HEALTH_CHECKS"] is True
    assert settings["CONN_MAX_AGE"] == 60


# The container and compose files name only what exists


def test_compose_sets_only_settings_the_portal_reads():
    compose = (BASE_DIR / "compose.yaml").read_text(encoding="utf-8")
    settings_source = (BASE_DIR / "send_portal" / "settings.py").read_text(encoding="utf-8")
    serve = (BASE_DIR / "scripts" / "serve").read_text(encoding="utf-8")
    portal = compose.split("services:")[0].split("environment: &portal-environment")[1]
    names = set(re.findall(r"^    ([A-Z_]+):", portal, re.M))
    names |= set(re.findall(r"^      ([A-Z_]+):", compose, re.M))

    assert {"SECRET_KEY", "DATABASE_URL", "CACHE_URL", "ALLOWED_HOSTS"} <= names
    for name in names - {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"}:
        assert f'"{name}"' in settings_source or name in serve, name
    for command in re.findall(r'command: \["scripts/serve", "(\w+)"\]', compose):
        assert f"  {command})" in serve, command


def test_the_image_runs_the_serve_script_as_an_unprivileged_user():
    dockerfile = (BASE_DIR / "Dockerfile").read_text(encoding="utf-8")

    assert re.search(r"^USER portal$", dockerfile, re.M)
    assert 'CMD ["scripts/serve", "web"]' in dockerfile
    assert os.access(BASE_DIR / "scripts" / "serve", os.X_OK)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"):
        assert package in dockerfile


def test_the_serve_script_names_its_parts():
    result = subprocess.run(  # noqa: S603 - the project's own script
        [str(BASE_DIR / "scripts" / "serve"), "no-such-part"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 2
    assert "usage: scripts/serve [all|prepare|web|worker|scheduler]" in result.stderr


def test_the_image_compiles_the_portals_code_with_its_own_command(tmp_path):
    """The Dockerfile's compileall line, run on a copy of what the image holds, compiles it all.

    The image's user cannot write bytecode beside the code, so what the build does not
    compile is compiled again at every process start.
    """
    dockerfile = (BASE_DIR / "Dockerfile").read_text(encoding="utf-8")
    command = re.search(r"^RUN (\.venv/bin/python -m compileall .*) /app$", dockerfile, re.M)
    assert command, "the image no longer compiles the portal's code"
    ignored = {
        line.strip().strip("/")
        for line in (BASE_DIR / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    app = tmp_path / "app"
    app.mkdir()
    for entry in BASE_DIR.iterdir():
        if entry.name in ignored or entry.name.startswith("."):
            continue
        if entry.is_dir():
            shutil.copytree(entry, app / entry.name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(entry, app / entry.name)
    # The image's virtual environment sits in /app/.venv, compiled by pip: left alone.
    venv_module = app / ".venv" / "lib" / "site.py"
    venv_module.parent.mkdir(parents=True)
    venv_module.write_text("x = 1\n")
    arguments = shlex.split(command.group(1))[1:]  # the interpreter is this test's own

    subprocess.run(  # noqa: S603 - the Dockerfile's own command, on a copy
        [sys.executable, *arguments, str(app)], check=True, timeout=300
    )

    sources = [path for path in app.rglob("*.py") if ".venv" not in path.parts]
    assert len(sources) > 100
    missing = [
        str(path.relative_to(app))
        for path in sources
        if not list((path.parent / "__pycache__").glob(f"{path.stem}.*.pyc"))
    ]
    assert not missing
    assert not (venv_module.parent / "__pycache__").exists()
