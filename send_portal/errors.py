"""The pages people see when something goes wrong: 404, 403, 500 and a refused form (CSRF).

Each is a page of the site (templates/404.html, 403.html, 500.html,
403_csrf.html, all extending base.html) in plain English, with a way back to
the home page and, where it helps, who to contact (PORTAL_CONTACT_EMAIL).

The 500 page is drawn without the request's context (no database, no
session), and if even that fails (a missing static file, say) a plain page
is sent instead, so an error never turns into a blank server error page.
"""

import logging

from django.conf import settings
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger("send_portal.errors")

PLAIN_500 = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Sorry, there is a problem with the
service</title></head><body><h1>Sorry, there is a problem with the service</h1>
<p>Try again later.</p><p><a href="/">Go to the home page</a></p></body></html>"""


def _contact():
    return {
        "portal_operator": settings.PORTAL_OPERATOR,
        "contact_email": settings.PORTAL_CONTACT_EMAIL,
    }


@requires_csrf_token
def page_not_found(request, exception=None):
    return _render(request, "404.html", 404)


@requires_csrf_token
def permission_denied(request, exception=None):
    return _render(request, "403.html", 403)


@requires_csrf_token
def csrf_failure(request, reason=""):
    context = {"reason": reason if settings.DEBUG else ""}
    return _render(request, "403_csrf.html", 403, context)


def server_error(request):
    """Drawn with no request context: the database or the session may be what failed."""
    try:
        content = render_to_string("500.html", _contact())
    except Exception:
        logger.exception("The 500 page could not be drawn; sent the plain one")
        content = PLAIN_500
    return HttpResponseServerError(content)


def _render(request, template_name, status, extra=None):
    context = {**_contact(), **(extra or {})}
    try:
        return render(request, template_name, context, status=status)
    except Exception:
        # A page about an error must not become a server error itself.
        logger.exception("The %s page could not be drawn", template_name)
        return server_error(request)
