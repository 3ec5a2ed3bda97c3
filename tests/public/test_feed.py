"""Follow an area with a news reader: its Atom feed says what is new, and nothing more than the pages.

The feed is parsed as XML, as a news reader would, and its entries are read
back: the published updates (newest first) and the timeline's events.
"""

import datetime

import pytest
from defusedxml import ElementTree as ET
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from progress.models import BoardMeeting, ProgressUpdate
from tests.public.test_public_pages import publish_update, wsoa_area

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def read_feed(client, slug):
    response = client.get(reverse("public:area-feed", args=[slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def entries(feed):
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "summary": entry.findtext(f"{ATOM}summary") or "",
            "link": entry.find(f"{ATOM}link").get("href"),
            "id": entry.findtext(f"{ATOM}id"),
            "updated": entry.findtext(f"{ATOM}updated"),
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]


def test_the_feed_lists_published_updates_newest_first_and_the_timeline(client):
    built = wsoa_area(updates=2)
    feed = read_feed(client, built.area.slug)
    assert feed.findtext(f"{ATOM}title") == "SEND improvement in Testshire: what is new"
    seen = entries(feed)
    titles = [e["title"] for e in seen]
    update_titles = [t for t in titles if t.startswith("Update on action")]
    assert update_titles == [
        "Update on action 1.1: Action 1.1 (1 April 2025 to 30 June 2025)",
        "Update on action 1.1: Action 1.1 (1 January 2025 to 31 March 2025)",
    ]
    first = next(e for e in seen if e["title"] == update_titles[0])
    assert "Update 2 on 1.1." in first["summary"]
    assert "Delivery: On track." in first["summary"]
    action = built.plan.actions.get()
    assert first["link"].endswith(
        reverse("public:area-finding", args=["testshire", action.finding_id])
        + f"#action-{action.pk}"
    )
    # The timeline's events are there too: the inspection, the verdicts, the plan.
    assert any(t.startswith("Inspection:") for t in titles)
    assert any(t.startswith("Plan:") for t in titles)
    # Every entry has its own id, and they are stable between two reads.
    ids = [e["id"] for e in seen]
    assert len(ids) == len(set(ids))
    cache.clear()
    assert [e["id"] for e in entries(read_feed(client, "testshire"))] == ids


def test_the_area_page_links_to_its_feed_and_to_email_updates(client):
    built = wsoa_area()
    page = client.get(reverse("public:area", args=[built.area.slug])).content.decode()
    feed_url = reverse("public:area-feed", args=[built.area.slug])
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert f'href="{feed_url}"' in page
    assert reverse("public:area-follow", args=[built.area.slug]) in page


def test_the_feed_never_shows_what_the_pages_do_not(client):
    built = wsoa_area()
    action = built.plan.actions.get()
    scheduled = publish_update(action, summary="LEAK-scheduled", period=3)
    scheduled.publish_at = timezone.now() + datetime.timedelta(days=1)
    scheduled.save()
    draft = publish_update(action, summary="LEAK-draft", period=4)
    draft.state = ProgressUpdate.State.APPROVED
    draft.save()
    BoardMeeting.objects.create(
        area=built.area,
        held_on=datetime.date(2025, 1, 10),
        what_was_said="LEAK-unpublished-meeting",
        internal_minutes="LEAK-minutes",
        is_published=False,
    )
    body = client.get(reverse("public:area-feed", args=[built.area.slug])).content.decode()
    assert "LEAK" not in body
    assert "Internal narrative" not in body


def test_a_summary_cannot_carry_markup_into_a_news_reader(client):
    built = wsoa_area(updates=0)
    action = built.plan.actions.get()
    publish_update(action, summary='<script>alert("x")</script> & more')
    seen = entries(read_feed(client, built.area.slug))
    summary = next(e for e in seen if e["title"].startswith("Update on action"))["summary"]
    # Once the XML is read, the summary is HTML that shows the characters, not a script.
    assert "<script>" not in summary
    assert "&lt;script&gt;" in summary
    assert "&amp; more" in summary


def test_an_unknown_area_has_no_feed(client):
    assert client.get(reverse("public:area-feed", args=["nowhere"])).status_code == 404
