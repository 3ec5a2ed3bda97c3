"""The public page cache is cleared per area: one area's save leaves the others' pages cached.

A page served from the cache runs no queries for its content, so the tests
tell a cached page from a fresh one by counting queries.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.db import connection as db_connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.public.test_public_pages import publish_update, wsoa_area

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def served_from_cache(client, path, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **extra)
    assert response.status_code == 200
    # A page from the cache runs no query at all.
    return len(queries) == 0


@pytest.fixture
def two_areas():
    return wsoa_area(), wsoa_area(slug="otherton", name="Otherton")


def pages(slug):
    return [
        reverse("public:area", args=[slug]),
        reverse("public:area-measures", args=[slug]),
        reverse("public:area-feed", args=[slug]),
    ]


def test_a_save_in_one_area_clears_its_pages_and_the_home_page_only(client, two_areas):
    here, _there = two_areas
    everything = ["/", *pages("testshire"), *pages("otherton")]
    for path in everything:
        client.get(path)
    assert all(served_from_cache(client, path) for path in everything)
    publish_update(here.plan.actions.get(), summary="New in Testshire.", period=2)
    assert not served_from_cache(client, "/")
    assert not any(served_from_cache(client, path) for path in pages("testshire"))
    assert all(served_from_cache(client, path) for path in pages("otherton"))
    assert "New in Testshire." in client.get(pages("testshire")[0]).content.decode()


def test_a_record_every_area_shares_clears_every_page(client, two_areas):
    _here, there = two_areas
    everything = ["/", *pages("testshire"), *pages("otherton")]
    for path in everything:
        client.get(path)
    there.council.name = "Otherton Borough Council"
    there.council.save()
    assert not any(served_from_cache(client, path) for path in everything)


def test_a_deleted_record_clears_its_areas_pages(client, two_areas):
    _here, there = two_areas
    update = publish_update(there.plan.actions.get(), summary="Soon gone.", period=2)
    client.get(pages("otherton")[0])
    assert served_from_cache(client, pages("otherton")[0])
    update.delete()
    assert "Soon gone." not in client.get(pages("otherton")[0]).content.decode()


def test_http_and_https_are_cached_apart(client, two_areas):
    path = pages("testshire")[0]
    client.get(path)
    assert served_from_cache(client, path)
    assert not served_from_cache(client, path, secure=True)
    assert served_from_cache(client, path, secure=True)


def test_a_bulk_save_clears_the_pages_of_the_areas_it_touched(client, two_areas):
    from kit.versioning import bulk_save_with_history

    here, _there = two_areas
    action = here.plan.actions.get()
    for path in [*pages("testshire"), *pages("otherton")]:
        client.get(path)
    action.public_summary = "Changed by a bulk import."
    bulk_save_with_history([], [action], by=None, reason="Imported", fields=["public_summary"])
    assert not served_from_cache(client, pages("testshire")[0])
    assert all(served_from_cache(client, path) for path in pages("otherton"))


def home_rows_built_for(monkeypatch):
    """The areas whose home-page rows each request built afresh, one list per build."""
    from public import selectors

    built, real = [], selectors.home_areas

    def recording(**kwargs):
        built.append(sorted(area.slug for area in kwargs["areas"]))
        return real(**kwargs)

    monkeypatch.setattr(selectors, "home_areas", recording)
    return built


def test_one_areas_save_rebuilds_only_its_own_row_on_the_home_page(client, two_areas, monkeypatch):
    here, _there = two_areas
    built = home_rows_built_for(monkeypatch)
    first = client.get("/").content.decode()
    assert built == [["otherton", "testshire"]]
    import datetime

    from progress.models import BoardMeeting

    held_on = datetime.date.today() + datetime.timedelta(days=10)
    BoardMeeting.objects.create(area=here.area, held_on=held_on, is_published=True)
    second = client.get("/").content.decode()
    assert built[1:] == [["testshire"]]  # Otherton's row came from the cache
    assert f"Next board meeting: {held_on:%-d %B %Y}" in second  # Testshire's row changed
    # Otherton's row reads exactly as when it was built.
    otherton = first[first.index(">Otherton<") : first.index("</li>", first.index(">Otherton<"))]
    assert otherton in second
    # Both rows read as a page built from scratch would.
    cache.clear()
    assert client.get("/").content.decode() == second


def test_a_record_every_area_shares_rebuilds_every_row(client, two_areas, monkeypatch):
    _here, there = two_areas
    built = home_rows_built_for(monkeypatch)
    client.get("/")
    there.council.name = "Otherton Borough Council"
    there.council.save()
    client.get("/")
    assert built == [["otherton", "testshire"]] * 2


def drop_home_page(rf):
    """Let the whole home page expire (as it does within minutes), but not its rows."""
    from public.cache import page_key

    assert cache.delete(page_key(rf.get("/")))


def test_home_page_rows_are_built_again_the_next_day(client, rf, two_areas, monkeypatch):
    import datetime

    from django.utils import timezone

    built = home_rows_built_for(monkeypatch)
    client.get("/")
    drop_home_page(rf)
    client.get("/")
    assert built == [["otherton", "testshire"]]  # the rows still hold today
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    drop_home_page(rf)
    client.get("/")
    assert built == [["otherton", "testshire"]] * 2  # what is overdue may have changed


def test_home_page_rows_expire_at_the_next_scheduled_publication(client, two_areas):
    import datetime

    from django.utils import timezone

    here, _there = two_areas
    update = publish_update(here.plan.actions.get(), summary="Later today.", period=2)
    update.publish_at = timezone.now() + datetime.timedelta(seconds=90)
    update.save()
    client.get("/")
    # The test settings' cache keeps every key in memory, with when it expires.
    rows = [key for key in cache._cache if "public-row:home:" in key]
    assert len(rows) == 2
    # Kept no longer than until the update appears, so the row shows it on time.
    assert all(cache._expire_info[key] <= time.time() + 90 for key in rows)


def test_a_generation_the_cache_lost_never_serves_a_page_cached_before(client, two_areas):
    from public.cache import AREA, SITE

    here, _there = two_areas
    cache.clear()  # counters start afresh
    path = pages("testshire")[0]
    client.get(path)
    assert served_from_cache(client, path)
    # The cache evicts the counters (full, or restarted keeping some pages), and a change
    # is made that no signal reports.
    cache.delete_many([SITE, AREA.format(slug="testshire")])
    here.plan.actions.update(title="Renamed while the counters were lost")
    assert "Renamed while the counters were lost" in client.get(path).content.decode()


def test_home_page_rows_outlive_the_page_when_nothing_is_scheduled(client, rf, two_areas):
    """The whole page expires within minutes; its rows stay until their day ends."""
    from public.cache import DEFAULT_TIMEOUT

    client.get("/")
    rows = [key for key in cache._cache if "public-row:home:" in key]
    page = [key for key in cache._cache if "public-page:" in key]
    assert len(rows) == 2 and len(page) == 1
    assert cache._expire_info[page[0]] <= time.time() + DEFAULT_TIMEOUT
    assert all(cache._expire_info[key] > time.time() + 12 * 60 * 60 for key in rows)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a reader beside an open write is PostgreSQL's"
)
@pytest.mark.django_db(transaction=True)
def test_a_page_built_while_a_change_commits_is_not_served_after_it(client, two_areas):
    """Another visitor's request between a save and its commit caches the page without the
    change, under the generation the save moved on; the commit moves it on again."""
    here, _there = two_areas
    path = pages("testshire")[0]
    client.get(path)

    def visit_from_elsewhere():
        try:
            return Client().get(path).content.decode()
        finally:
            db_connection.close()  # this thread's own connection

    with transaction.atomic():
        publish_update(here.plan.actions.get(), summary="Said after the commit.", period=2)
        with ThreadPoolExecutor(max_workers=1) as pool:
            seen_meanwhile = pool.submit(visit_from_elsewhere).result()
        assert "Said after the commit." not in seen_meanwhile  # not committed yet

    assert "Said after the commit." in client.get(path).content.decode()


def test_a_transaction_moves_each_generation_on_once_at_commit(
    two_areas, django_capture_on_commit_callbacks, monkeypatch
):
    from public import cache as page_cache

    here, _there = two_areas
    actions = list(here.plan.actions.all()) * 5
    moved, real_bump = [], page_cache._bump
    monkeypatch.setattr(page_cache, "_bump", lambda key: (moved.append(key), real_bump(key)))
    read, real_read = [], page_cache._read_next_publication
    monkeypatch.setattr(
        page_cache, "_read_next_publication", lambda now: (read.append(now), real_read(now))[1]
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for period, action in enumerate(actions, start=2):
            publish_update(action, summary=f"Update {period}.", period=period)
        during = list(moved)

    area_key = page_cache.AREA.format(slug="testshire")
    # At each save (the save's own request reads its change), then once more at commit.
    assert during.count(area_key) == len(actions)
    at_commit = moved[len(during) :]
    assert at_commit.count(area_key) == 1
    assert at_commit.count(page_cache.ANY_AREA) == 1
    assert len(callbacks) >= len(actions)  # one registered with each save
    assert len(read) == 1  # the next scheduled publication read once, after the commit
