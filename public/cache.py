"""Public pages are cached whole, and a page is cleared when anything it shows changes.

Visitors who are not signed in get the cached page. Each cached page's key
holds generation numbers; a save moves a generation on, so the next request
renders afresh:

* an **area's generation** moves when a record of that area is saved or
  deleted (found by following the record's parents up to its area); it
  keys the area's own pages, under ``/areas/<slug>/``;
* the **site generation** moves when a record shared by every area is saved
  (an organisation, a deadline rule, an area itself) or a record whose area
  cannot be found; it keys every page;
* the **any-area generation** moves on every save; it keys the pages that
  show every area (the home page, open data).

So one area's save leaves every other area's cached pages alone. An update
scheduled for later must appear on time, so a page is cached no longer than
until the next scheduled publication.

A save inside a transaction moves its generations on twice: at once, so the
transaction's own later reads and the request that made the change see it,
and again when the transaction commits. Between the two, another request
reads what was committed before, without the change, and may cache that page
under the generation just moved on; the second move leaves it behind. Each
generation moves once at commit however many records the transaction saved.

With several web processes, configure a shared cache (CACHE_URL) so a clear
in one process is seen by all.
"""

import contextvars
import functools
import threading
import time

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone

SITE = "public-pages:generation"
ANY_AREA = "public-pages:any-area"
AREA = "public-pages:area:{slug}"
# When the next scheduled update is published (``_timeout``), worked out when updates change.
NEXT_PUBLICATION = "public-pages:next-publication"
NONE_SCHEDULED = "none"
DEFAULT_TIMEOUT = 300
# A home-page row is kept under its area's generations and the day, so only a
# scheduled publication, or the next day, needs it built again: it is kept until
# then, not rebuilt with every area's row each time the whole page expires.
ROW_TIMEOUT = 24 * 60 * 60

# The parents a record's area is found through, tried in this order.
PARENTS = (
    "area",
    "plan",
    "action",
    "update",
    "inspection",
    "finding",
    "intervention",
    "measure",
    "review",
    "response",
    "challenge",
)
# Records every area's pages may show.
SHARED = {"inspections.localarea", "inspections.organisation", "actions.deadlinerule"}


def _fresh():
    """A generation no page can have been cached under.

    A counter the cache has lost (evicted when full, or a cache restarted with
    some pages kept) starts again from here, not from 1: counting from 1 again
    could meet a page cached under the old counter and serve it, stale.
    """
    return time.time_ns() // 1000


def _bump(key):
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, _fresh(), None)


# What this thread's transaction has changed, moved on again when it commits. A
# transaction rolled back leaves its keys here; they move on at the next commit,
# which only makes some pages build again.
_at_commit = threading.local()


def _move_on(*keys):
    """Move these generations on now, and again when the transaction in progress commits."""
    for key in keys:
        _bump(key)
    if transaction.get_connection().in_atomic_block:
        pending = getattr(_at_commit, "keys", None)
        if pending is None:
            pending = _at_commit.keys = set()
        pending.update(keys)
        # Registered with every save, as a savepoint rolled back drops what it registered;
        # the first to run moves every key on, the rest find nothing left to do.
        transaction.on_commit(_move_on_committed)


def _move_on_committed():
    pending = getattr(_at_commit, "keys", None)
    if pending:
        keys = sorted(pending)
        pending.clear()
        for key in keys:
            _bump(key)


def _generations(keys):
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, _fresh(), None)
            found[key] = cache.get(key)  # whichever process added it first
    return [found[key] for key in keys]


def clear_public_cache(**kwargs):
    """Make every cached public page stale (for changes no signal reports, such as a bulk update)."""
    _move_on(SITE, ANY_AREA)
    schedule_changed()


def clear_area(slug):
    """Make one area's cached pages, and the pages listing every area, stale."""
    _move_on(AREA.format(slug=slug), ANY_AREA)


def area_id_of(instance, depth=0):
    """The pk of the area ``instance`` belongs to, following its parents; None if none."""
    from inspections.models import LocalArea

    if isinstance(instance, LocalArea):
        return instance.pk
    if depth > 5:
        return None
    for name in PARENTS:
        if getattr(instance, f"{name}_id", None) is None:
            continue
        if name == "area":
            return instance.area_id
        try:
            parent = getattr(instance, name)  # loaded once, then kept on the instance
        except ObjectDoesNotExist:  # deleted with it, in a cascade
            return None
        return area_id_of(parent, depth + 1)
    return None


def _area_path(model, depth=0):
    """The lookup from ``model`` to its area's pk ("action__plan__area"), or None."""
    from django.core.exceptions import FieldDoesNotExist

    if depth > 5:
        return None
    for name in PARENTS:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not field.many_to_one:
            continue
        if name == "area":
            return "area"
        rest = _area_path(field.related_model, depth + 1)
        return f"{name}__{rest}" if rest else None
    return None


def _slugs(area_ids):
    from inspections.models import LocalArea

    return dict(LocalArea.objects.filter(pk__in=area_ids).values_list("pk", "slug"))


def area_slug_of(instance):
    """The slug of the area ``instance`` belongs to; None if it has none."""
    from inspections.models import LocalArea

    if isinstance(instance, LocalArea):
        return instance.slug
    area_id = area_id_of(instance)
    return None if area_id is None else _slugs([area_id]).get(area_id)


def schedule_changed(**kwargs):
    """Signal receiver: a progress update changed, so the next scheduled publication may have.

    Forgotten now, so no page reads the old answer, and worked out again once the
    change is committed, when every process can see it: once per commit, however
    many updates the transaction saved.
    """
    cache.delete(NEXT_PUBLICATION)
    _at_commit.schedule = True
    transaction.on_commit(_store_next_publication)


def record_changed(sender, instance, **kwargs):
    """Signal receiver: clear the pages of the area the record belongs to, or every page."""
    slug = None if sender._meta.label_lower in SHARED else area_slug_of(instance)
    if slug is None:
        clear_public_cache()
    else:
        clear_area(slug)


def records_changed_in_bulk(sender, instances, **kwargs):
    """Signal receiver for kit.versioning's bulk saves: clear each area the batch touched once."""
    if sender._meta.label_lower in SHARED:
        clear_public_cache()
        return
    # One query finds every area the batch touched, however many records it holds.
    path = _area_path(sender)
    if path is None:
        clear_public_cache()
        return
    area_ids = set(
        sender._default_manager.filter(pk__in=[i.pk for i in instances])
        .values_list(path, flat=True)
        .distinct()
    )
    if None in area_ids:
        clear_public_cache()
        return
    for slug in set(_slugs(area_ids).values()):
        clear_area(slug)


# One answer per request: a page and the rows it is built from expire together.
_this_request = contextvars.ContextVar("public_cache_request", default=None)


def _timeout(longest=DEFAULT_TIMEOUT):
    """Seconds until the next scheduled publication, at most ``longest``.

    Asked on every cache miss, once in a request however many things the
    request caches; the answer is kept in the cache (``_next_publication``),
    and read from the database, with the partial index on published updates'
    ``publish_at`` (progress_update_next_publish), only when updates change.
    """
    memo = _this_request.get()
    if memo is not None and "next" in memo:
        next_publication, now = memo["next"]
    else:
        now = timezone.now()
        next_publication = _next_publication(now)
        if memo is not None:
            memo["next"] = next_publication, now
    if next_publication is None:
        return longest
    return max(1, min(longest, int((next_publication - now).total_seconds())))


def _next_publication(now):
    """When the next scheduled update is published, or None: kept in the cache.

    Worked out when an update is saved (``schedule_changed``), not on every page
    built; read again here only when the cache has lost it or its time has come.
    """
    known = cache.get(NEXT_PUBLICATION)
    if known is not None and (known == NONE_SCHEDULED or known > now):
        return None if known == NONE_SCHEDULED else known
    found = _read_next_publication(now)
    if known is None:  # a save since then has already written the newer answer
        cache.add(NEXT_PUBLICATION, found or NONE_SCHEDULED, None)
    else:
        cache.set(NEXT_PUBLICATION, found or NONE_SCHEDULED, None)
    return found


def _read_next_publication(now):
    from progress.models import ProgressUpdate

    return (
        ProgressUpdate.objects.filter(state=ProgressUpdate.State.PUBLISHED, publish_at__gt=now)
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )


def _store_next_publication():
    if not getattr(_at_commit, "schedule", False):
        return  # stored already at this commit
    _at_commit.schedule = False
    cache.set(NEXT_PUBLICATION, _read_next_publication(timezone.now()) or NONE_SCHEDULED, None)


def area_rows(areas, build, *, name, today):
    """Each area's row on a page listing every area, built again only where it changed.

    A row is kept under the generations of its own area and of what every area
    shares, and the day (a row may say what is overdue today), so one area's
    save rebuilds that area's row alone. ``build(areas)`` makes the missing
    rows, ``{area pk: row}``, in one go; rows come back in the order of ``areas``.
    """
    generations = _generations([SITE] + [AREA.format(slug=area.slug) for area in areas])
    site = generations[0]
    keys = {
        area.pk: f"public-row:{name}:{site}.{generation}:{area.slug}:{today.isoformat()}"
        for area, generation in zip(areas, generations[1:], strict=True)
    }
    found = cache.get_many(list(keys.values()))
    rows = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [area for area in areas if area.pk not in rows]
    if missing:
        built = build(missing)
        cache.set_many({keys[pk]: row for pk, row in built.items()}, _timeout(ROW_TIMEOUT))
        rows.update(built)
    return [rows[area.pk] for area in areas]


def page_key(request, slug=None):
    """The cache key of a page: its generations, then scheme, host and full path."""
    keys = [SITE, AREA.format(slug=slug)] if slug else [SITE, ANY_AREA]
    generations = ".".join(str(g) for g in _generations(keys))
    return (
        f"public-page:{generations}:{request.scheme}://{request.get_host()}"
        f"{request.get_full_path()}"
    )


def cached_public_page(view):
    """Cache a public view's whole response for visitors who are not signed in.

    A view with a ``slug`` argument is an area's page, kept until that area
    (or something every area shares) changes.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        # Signed-in people and anyone with a message waiting get their own page.
        if request.method != "GET" or request.user.is_authenticated or len(get_messages(request)):
            return view(request, *args, **kwargs)
        key = page_key(request, kwargs.get("slug"))
        response = cache.get(key)
        if response is not None:
            return response
        token = _this_request.set({})
        try:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                if hasattr(response, "render") and callable(response.render):
                    response.render()
                cache.set(key, response, _timeout())
        finally:
            _this_request.reset(token)
        return response

    return wrapper


def connect_signals():
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    from kit.versioning import saved_in_bulk

    saved_in_bulk.connect(records_changed_in_bulk, dispatch_uid="public-cache-bulk")
    updates = apps.get_model("progress", "ProgressUpdate")
    for signal in (post_save, post_delete, saved_in_bulk):
        signal.connect(schedule_changed, sender=updates, dispatch_uid="public-cache-schedule")

    for app_label in ("inspections", "actions", "progress"):
        for model in apps.get_app_config(app_label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            post_save.connect(
                record_changed, sender=model, dispatch_uid=f"public-cache-{model.__name__}"
            )
            post_delete.connect(
                record_changed, sender=model, dispatch_uid=f"public-cache-del-{model.__name__}"
            )
