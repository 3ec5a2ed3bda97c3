"""Follow an area by email: double opt-in, a daily digest of news, one-click stop.

Mail goes through the notices outbox and Django's locmem backend, so each
test reads what was really sent from ``django.core.mail.outbox``. The digest
is sent by the scheduler (``send_reminders``), as in production.
"""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from notices.models import OutboxMessage
from progress.models import ProgressUpdate
from public.models import Subscription
from tests.public.test_public_pages import publish_update, wsoa_area

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def link_in(message, name):
    """The path of the first link in a mail's text to the named public page (confirm or stop)."""
    prefix = reverse(f"public:{name}", args=["TOKEN"]).removesuffix("TOKEN/")
    match = re.search(rf"https?://[^/\s]+({re.escape(prefix)}[^\s/]+/)", message.body)
    assert match, message.body
    return match.group(1)


def ask(client, slug="testshire", email="parent@example.org"):
    return client.post(reverse("public:area-follow", args=[slug]), {"email": email})


def run_scheduler(now):
    call_command("send_reminders", now=now.isoformat(), stdout=io.StringIO())


def follow_confirmed(client, email="parent@example.org"):
    ask(client, email=email)
    confirm = link_in(mail.outbox[-1], "follow-confirm")
    client.post(confirm)
    return Subscription.objects.get(email=email)


def test_signing_up_sends_one_link_and_nothing_until_it_is_clicked(client):
    built = wsoa_area()
    page = client.get(reverse("public:area-follow", args=["testshire"]))
    assert "Get email about Testshire" in page.content.decode()
    response = ask(client)
    assert "Check your email" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["parent@example.org"]
    assert "Testshire" in message.subject
    # Not confirmed yet: a new update is not sent.
    subscription = Subscription.objects.get()
    assert subscription.confirmed_at is None
    publish_update(built.plan.actions.get(), summary="The new clinic is open.", period=2)
    run_scheduler(timezone.now() + datetime.timedelta(minutes=1))
    assert len(mail.outbox) == 1
    # Opening the link shows a button; only pressing it confirms (mail scanners open links).
    confirm = link_in(message, "follow-confirm")
    assert "Yes, send me email" in client.get(confirm).content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
    assert "You will get email about Testshire" in client.post(confirm).content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None


def test_asking_twice_the_same_day_sends_one_link_and_the_page_never_says_who_follows(client):
    wsoa_area()
    first = ask(client).content.decode()
    ask(client, email="PARENT@example.org")
    assert len(mail.outbox) == 1
    assert Subscription.objects.count() == 1
    client.post(link_in(mail.outbox[0], "follow-confirm"))
    # Already following: the same page, and no mail.
    again = ask(client).content.decode()
    assert len(mail.outbox) == 1

    def main(page):
        return page.split("<main", 1)[1].split("</main>", 1)[0]

    assert re.sub(r"\s+", " ", main(first)) == re.sub(r"\s+", " ", main(again))


def test_a_bad_email_address_gets_a_clear_message_on_the_page(client):
    wsoa_area()
    response = ask(client, email="not an address")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter an email address in the right format, like name@example.com" in page
    assert "govuk-error-summary" in page
    assert not Subscription.objects.exists()
    assert ask(client, email="").status_code == 200
    assert not mail.outbox


def test_the_digest_lists_news_once_a_day_and_never_twice(client):
    built = wsoa_area()
    subscription = follow_confirmed(client)
    mail.outbox.clear()
    action = built.plan.actions.get()
    update = publish_update(action, summary="The new clinic is open.", period=2)
    update.publish_at = timezone.now() + datetime.timedelta(seconds=1)
    update.save()
    later = timezone.now() + datetime.timedelta(minutes=5)
    run_scheduler(later)
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == ["parent@example.org"]
    assert "Testshire" in digest.subject
    assert "The new clinic is open." in digest.body
    assert "Internal narrative" not in digest.body
    html = digest.alternatives[0][0]
    assert "The new clinic is open." in html
    # One-click unsubscribe headers (RFC 8058).
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        reverse("public:follow-stop", args=["x"]).split("x/")[0]
        in digest.extra_headers["List-Unsubscribe"]
    )
    # Run again: nothing new, nothing sent.
    run_scheduler(later)
    run_scheduler(later + datetime.timedelta(minutes=15))
    assert len(mail.outbox) == 1
    # More news the same day waits for the next day's digest.
    second = publish_update(action, summary="Waiting times are down.", period=3)
    second.publish_at = later + datetime.timedelta(minutes=20)
    second.save()
    run_scheduler(later + datetime.timedelta(hours=1))
    assert len(mail.outbox) == 1
    run_scheduler(later + datetime.timedelta(days=1))
    assert len(mail.outbox) == 2
    assert "Waiting times are down." in mail.outbox[1].body
    assert "The new clinic is open." not in mail.outbox[1].body
    subscription.refresh_from_db()
    assert OutboxMessage.objects.filter(kind="public_digest").count() == 2


def test_news_the_public_cannot_see_is_never_in_a_digest(client):
    built = wsoa_area()
    follow_confirmed(client)
    mail.outbox.clear()
    action = built.plan.actions.get()
    later = timezone.now() + datetime.timedelta(minutes=5)
    approved = publish_update(action, summary="LEAK-approved", period=2)
    approved.state = ProgressUpdate.State.APPROVED
    approved.save()
    scheduled = publish_update(action, summary="LEAK-scheduled", period=3)
    scheduled.publish_at = later + datetime.timedelta(days=3)
    scheduled.save()
    run_scheduler(later)
    assert mail.outbox == []


def test_one_click_from_the_mail_client_stops_the_emails(client):
    built = wsoa_area()
    follow_confirmed(client)
    stop = link_in(mail.outbox[-1], "follow-stop")
    # A mail client's one-click POST: no CSRF token, no session.
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(stop, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Subscription.objects.exists()
    mail.outbox.clear()
    update = publish_update(built.plan.actions.get(), summary="News.", period=2)
    update.publish_at = timezone.now() + datetime.timedelta(seconds=1)
    update.save()
    run_scheduler(timezone.now() + datetime.timedelta(minutes=5))
    assert mail.outbox == []
    # The link again: a clear page, not an error.
    again = client.get(stop)
    assert "You do not get these emails" in again.content.decode()


def test_the_stop_link_asks_before_stopping(client):
    wsoa_area()
    follow_confirmed(client)
    stop = link_in(mail.outbox[-1], "follow-stop")
    assert "Stop my emails" in client.get(stop).content.decode()
    assert Subscription.objects.exists()
    assert "Your emails have stopped" in client.post(stop).content.decode()
    assert not Subscription.objects.exists()


def test_a_tampered_or_old_link_gets_a_clear_page(client):
    wsoa_area()
    ask(client)
    confirm = link_in(mail.outbox[0], "follow-confirm")
    tampered = confirm[:-3] + "xx/"
    response = client.get(tampered)
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert client.post(tampered).status_code == 404
    assert Subscription.objects.get().confirmed_at is None
    stop = reverse("public:follow-stop", args=["not-a-token"])
    assert "You do not get these emails" in client.post(stop).content.decode()


def test_an_unconfirmed_address_is_deleted_after_a_week(client):
    wsoa_area()
    ask(client)
    run_scheduler(timezone.now() + datetime.timedelta(days=8))
    assert not Subscription.objects.exists()
