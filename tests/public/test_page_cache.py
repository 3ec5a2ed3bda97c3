"""The public page cache is cleared per area: one area's save leaves the others' pages cached.

A page served from the cache runs no queries for its content, so the tests
tell a cached page from a fresh one by counting queries.
"""

import pytest
from django.core.cache import cache
from django.db import connection
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
