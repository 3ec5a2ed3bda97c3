"""Sign-in and password protections the portal adds to Django's and django-axes's own.

* ``client_ip``: the visitor's address behind a known number of proxies
  (``TRUSTED_PROXY_COUNT``, set from ``AXES_PROXY_COUNT``). Each proxy
  appends the address it was reached from to X-Forwarded-For, so the
  visitor's is the one the outermost trusted proxy added: the N-th from the
  right. Anything a visitor writes further left is ignored. With no proxy,
  the connection's own address. django-axes keys its lockout on it
  (``AXES_CLIENT_IP_CALLABLE``), and the reset form's rate limit uses it.
* ``AccountSlowdown``: many failed sign-ins to one username, from anywhere,
  slow that account down (one try every so often) instead of locking it, so
  an attacker cannot lock a real person out by guessing at their username.
  The attacker's own address is what django-axes locks.
* ``RateLimit``: a count per key in the shared cache over a window.
* ``RepetitionValidator``: refuses passwords made of few different
  characters, of a repeated chunk ("passwordpassword") or of a run along
  the alphabet, digits or keyboard ("abcdefghijkl").
"""

import hashlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError


def _valid_ip(text):
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request):
    """The visitor's address: REMOTE_ADDR, or the N-th from the right of X-Forwarded-For."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= count:
            address = _valid_ip(forwarded[-count])
            if address:
                return address
    return _valid_ip(remote) or remote or None


def _digest(text):
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class RateLimit:
    """At most ``limit`` events per key in ``window`` seconds (a fixed window, in the cache)."""

    def __init__(self, name, *, limit, window):
        self.name, self.limit, self.window = name, limit, window

    def _key(self, key):
        return f"ratelimit:{self.name}:{_digest(key)}"

    def hit(self, key):
        """Count one event; return True if it is within the limit."""
        cache_key = self._key(key)
        if cache.add(cache_key, 1, self.window):
            return True
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired in between
            cache.set(cache_key, 1, self.window)
            count = 1
        return count <= self.limit


class AccountSlowdown:
    """After ``after`` failed sign-ins to a username, one try every ``every`` seconds.

    Counted in the shared cache for ``window`` seconds from the last failure.
    """

    def __init__(self, *, after, every, window):
        self.after, self.every, self.window = after, every, window

    def _key(self, username):
        return f"signin-failures:{_digest(username)}"

    def wait(self, username):
        """Seconds to wait before this username may try again (0: try now)."""
        failures, last = cache.get(self._key(username), (0, 0.0))
        if failures < self.after:
            return 0
        return max(0, int(last + self.every - time.time() + 0.999))

    def failed(self, username):
        failures, _ = cache.get(self._key(username), (0, 0.0))
        cache.set(self._key(username), (failures + 1, time.time()), self.window)

    def succeeded(self, username):
        cache.delete(self._key(username))


def account_slowdown():
    return AccountSlowdown(
        after=settings.SIGN_IN_SLOWDOWN_AFTER,
        every=settings.SIGN_IN_SLOWDOWN_SECONDS,
        window=int(settings.AXES_COOLOFF_TIME * 3600),
    )


_RUNS = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "qwertyuiopasdfghjklzxcvbnm",  # the keyboard's letter rows, one after another
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm",
)


def _is_run(text):
    """Is ``text`` a stretch of the alphabet, the digits or a keyboard row (either way)?"""
    if len(text) < 3:
        return False
    for run in _RUNS:
        doubled = run * 3  # a run may wrap ("yzab") or repeat
        if text in doubled or text[::-1] in doubled:
            return True
    return False


class RepetitionValidator:
    """Refuse passwords that are long only by repeating themselves.

    * fewer than ``min_unique`` different characters ("aaaaaaaaaaaa", twelve spaces);
    * a shorter chunk repeated ("passwordpassword", "abc123abc123");
    * a run along the alphabet, the digits or a keyboard row ("abcdefghijkl").
    """

    def __init__(self, min_unique=5):
        self.min_unique = min_unique

    def validate(self, password, user=None):
        core = password.strip().lower()
        if len(set(core)) < self.min_unique:
            raise ValidationError(
                "Your new password must use at least %(min_unique)d different characters",
                code="password_too_repetitive",
                params={"min_unique": self.min_unique},
            )
        size = len(core)
        for chunk in range(1, size // 2 + 1):
            if size % chunk == 0 and core[:chunk] * (size // chunk) == core:
                raise ValidationError(
                    "Your new password must not be the same few characters repeated",
                    code="password_repeated",
                )
        if _is_run(core):
            raise ValidationError(
                "Your new password must not be letters or numbers in order, like abcdef or 123456",
                code="password_in_order",
            )

    def get_help_text(self):
        return (
            f"Your password must use at least {self.min_unique} different characters "
            "and must not repeat itself."
        )
