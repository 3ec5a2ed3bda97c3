"""Health checks for load balancers and monitoring: /healthz and /healthz/web.

``/healthz`` checks everything the portal needs: the database (``SELECT 1``),
the cache (a value written, read back and removed), file storage (the media
folder is there and writable, or the object storage bucket is there and may be
listed; read-only: nothing is written) and the task worker. ``/healthz/web``
checks only what this web process needs to serve pages (database, cache,
storage), so a load balancer that uses it does not take every web server
out of service when the one shared worker stops.

The task worker writes nothing while it waits, so an idle worker cannot be
told from a stopped one. What can be seen is work waiting: the worker check
fails when a task has waited more than HEALTHZ_TASK_WAIT_MINUTES (default 10)
to start. With TASKS_BACKEND=immediate there is no worker to check.

Each answer is JSON, 200 when every check passed and 503 when one failed,
saying which ("failed"); what went wrong is logged, never sent. The checks
run in a middleware placed before Django's security middleware, so a load
balancer may ask over plain HTTP and by the server's own address: nothing in
the answer depends on the host or scheme. Nothing is cached and no sign-in
is needed.
"""

import datetime
import logging
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.db.models import Q
from django.http import HttpResponseNotAllowed, JsonResponse
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger("send_portal.health")

FULL = "/healthz"
WEB = "/healthz/web"


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone()[0] != 1:
            raise RuntimeError("SELECT 1 did not answer 1")


def check_cache():
    key = f"healthz:{uuid.uuid4().hex}"
    value = uuid.uuid4().hex
    cache.set(key, value, 30)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the cache did not give back what was stored")
    finally:
        cache.delete(key)


def check_storage():
    backend = storages["default"]
    if isinstance(backend, FileSystemStorage):
        folder = Path(backend.location)
        if folder.exists():
            if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
                raise RuntimeError(f"{folder} is not a folder the portal can write to")
            return
        # Not made yet (nothing uploaded): the first upload must be able to make it.
        parent = folder.parent
        while not parent.exists():
            parent = parent.parent
        if not os.access(parent, os.W_OK | os.X_OK):
            raise RuntimeError(f"{folder} does not exist and cannot be made")
        return
    bucket = getattr(backend, "bucket_name", None)
    if bucket:
        # Object storage (FILE_STORAGE=s3): the bucket is there and these keys may list it,
        # as every upload does first to find a free name. Nothing is written, so a bucket
        # that keeps old versions gathers none from the checks.
        backend.connection.meta.client.head_bucket(Bucket=bucket)
        return
    # Another kind of storage: a read that must not fail.
    backend.exists("healthz-probe")


def check_worker():
    if not _uses_database_tasks():
        return "not used"
    from django_tasks_db.models import DBTaskResult, get_date_max

    limit = datetime.timedelta(minutes=settings.HEALTHZ_TASK_WAIT_MINUTES)
    cutoff = timezone.now() - limit
    overdue = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, enqueued_at__lte=cutoff
    ).filter(Q(run_after=get_date_max()) | Q(run_after__lte=cutoff))
    if overdue.exists():
        raise RuntimeError(
            f"a task has waited more than {settings.HEALTHZ_TASK_WAIT_MINUTES} minutes to start"
        )
    return "ok"


def _uses_database_tasks():
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    return backend.startswith("django_tasks_db.")


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "storage": check_storage,
    "worker": check_worker,
}
WEB_CHECKS = ("database", "cache", "storage")


def run_checks(names):
    """{name: "ok" | "not used" | "failed"} and whether every check passed."""
    results = {}
    for name in names:
        try:
            outcome = CHECKS[name]()
        except Exception:
            logger.exception("Health check failed: %s", name, extra={"check": name})
            results[name] = "failed"
        else:
            results[name] = outcome or "ok"
    healthy = all(value != "failed" for value in results.values())
    return results, healthy


def health_response(request, names):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    results, healthy = run_checks(names)
    response = JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": results},
        status=200 if healthy else 503,
    )
    add_never_cache_headers(response)
    return response


class HealthCheckMiddleware:
    """Answer /healthz and /healthz/web before host checks and the HTTPS redirect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info.rstrip("/") or "/"
        if path == FULL:
            return health_response(request, list(CHECKS))
        if path == WEB:
            return health_response(request, WEB_CHECKS)
        return self.get_response(request)
