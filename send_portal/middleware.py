"""Every request gets an id, sent back in X-Request-ID and written on every log line.

A proxy or load balancer that already sets X-Request-ID has its id kept, so
one id follows a request through every layer; an id that is missing, too long
or has other characters than letters, digits, ``-``, ``_``, ``.`` and ``:`` is
replaced by a new random one (nothing a visitor sends reaches the logs as it
is). Each request is logged once when it is answered, with its method, path
(without the query string), status and time taken.

The id stays set until Django says the request is finished (the
``request_finished`` signal, once the response is sent), so Django's own line
about a 404 or a 500, written after the middleware, carries it too.
"""

import logging
import re
import time
import uuid

from django.conf import settings
from django.core.signals import request_finished

from .logging import request_id

REQUEST_ID_HEADER = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
logger = logging.getLogger("send_portal.requests")
# Load balancers ask often; their requests are logged only at DEBUG.
QUIET_PATHS = ("/healthz",)


def request_id_for(header):
    """The id to use: the one given, if it is sane, or a new one."""
    if header and SANE_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def forget_request_id(**kwargs):
    request_id.set("-")


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every later log line of the request has its id."""

    def __init__(self, get_response):
        self.get_response = get_response
        request_finished.connect(forget_request_id, dispatch_uid="send-portal-request-id")

    def __call__(self, request):
        rid = request_id_for(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = rid
        request_id.set(rid)
        started = time.monotonic()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = rid
        quiet = request.path_info.startswith(QUIET_PATHS) and response.status_code < 500
        logger.log(
            logging.DEBUG if quiet else logging.INFO,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
            },
        )
        return response


class PermissionsPolicyMiddleware:
    """Send settings.PERMISSIONS_POLICY as the Permissions-Policy header on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response
