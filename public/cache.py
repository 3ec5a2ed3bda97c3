"""Public pages are cached whole, and the cache is cleared when anything they show changes.

Visitors who are not signed in get the cached page; every save or delete of a
record in the portal's apps moves a generation number on, so the next request
renders afresh. An update scheduled for later must appear on time, so a page
is cached no longer than until the next scheduled publication.

With several web processes, configure a shared cache (CACHE_URL) so a clear
in one process is seen by all.
"""

import functools

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.utils import timezone

GENERATION_KEY = "public-pages:generation"
DEFAULT_TIMEOUT = 300


def _generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = 1
        cache.add(GENERATION_KEY, generation, None)
    return generation


def clear_public_cache(**kwargs):
    """Signal receiver and helper: make every cached public page stale."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


def _timeout():
    from progress.models import ProgressUpdate

    next_publication = (
        ProgressUpdate.objects.filter(
            state=ProgressUpdate.State.PUBLISHED, publish_at__gt=timezone.now()
        )
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )
    if next_publication is None:
        return DEFAULT_TIMEOUT
    seconds = (next_publication - timezone.now()).total_seconds()
    return max(1, min(DEFAULT_TIMEOUT, int(seconds)))


def cached_public_page(view):
    """Cache a public view's whole response for visitors who are not signed in."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        # Signed-in people and anyone with a message waiting get their own page.
        if request.method != "GET" or request.user.is_authenticated or len(get_messages(request)):
            return view(request, *args, **kwargs)
        key = f"public-page:{_generation()}:{request.get_host()}{request.get_full_path()}"
        response = cache.get(key)
        if response is not None:
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "render") and callable(response.render):
                response.render()
            cache.set(key, response, _timeout())
        return response

    return wrapper


def connect_signals():
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    for app_label in ("inspections", "actions", "progress"):
        for model in apps.get_app_config(app_label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            post_save.connect(
                clear_public_cache, sender=model, dispatch_uid=f"public-cache-{model.__name__}"
            )
            post_delete.connect(
                clear_public_cache, sender=model, dispatch_uid=f"public-cache-del-{model.__name__}"
            )
