"""Full web addresses for emails, and the signed one-click unsubscribe links.

An email is read away from the site, so every link in it is a full address
built from ``settings.PORTAL_BASE_URL``. An unsubscribe link carries a token
signed with the site's secret key (``django.core.signing``, with its own salt)
holding the person and the kind of email: nobody can make one for someone
else, and the link works without signing in, as RFC 8058 asks.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .kinds import Kind

UNSUBSCRIBE_SALT = "notices.unsubscribe"


def absolute_url(path_or_url_name, *args, **kwargs):
    """The full address of a path ("/board/") or of a page by its URL name and arguments."""
    target = str(path_or_url_name)
    if target.startswith(("http://", "https://")):
        return target
    path = target if target.startswith("/") else reverse(target, args=args, kwargs=kwargs)
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def unsubscribe_token(user, kind):
    return signing.dumps({"u": user.pk, "k": str(Kind(kind))}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token):
    """(user id, kind) from a token, or None if it is not one of ours or was changed."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    if data.get("k") not in Kind.values:
        return None
    return data["u"], data["k"]


def unsubscribe_url(user, kind):
    return absolute_url("notices:unsubscribe", token=unsubscribe_token(user, kind))


def preferences_url():
    return absolute_url("notices:preferences")
