"""Choosing which emails to get, and stopping a kind with the one-click link in every email."""

import base64
import json
from html.parser import HTMLParser

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from notices.kinds import BOARD_KINDS, Kind
from notices.links import read_unsubscribe_token, unsubscribe_token, unsubscribe_url
from notices.models import NoticePreference, OutboxMessage

pytestmark = pytest.mark.django_db

PREFERENCES = "/accounts/email-notices/"


def history_reasons(user):
    return sorted(
        record.history_change_reason
        for record in NoticePreference.history.filter(user=user).order_by("history_id")
    )


def turned_off(user):
    return set(NoticePreference.objects.turned_off(user))


def ticked(html):
    """The values of the ticked "kinds" checkboxes on the page, in order."""
    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "input" and attrs.get("name") == "kinds" and "checked" in attrs:
                found.append(attrs["value"])

    Parser().feed(html)
    return found


# The "Email notices" page


def test_the_page_is_at_board_notices_and_linked_from_the_board_menu(client, people):
    assert reverse("notices:preferences") == PREFERENCES
    client.force_login(people.board_member)

    page = client.get(reverse("board:my-area", kwargs={"area_slug": "testshire"})).text

    assert f'href="{PREFERENCES}">Email notices</a>' in page


def test_a_visitor_is_sent_to_sign_in(client, people):
    response = client.get(PREFERENCES)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    response = client.post(PREFERENCES, {"kinds": []})
    assert response.status_code == 302
    assert not NoticePreference.objects.exists()


def test_every_kind_starts_ticked_with_who_gets_it(client, people):
    client.force_login(people.board_member)

    response = client.get(PREFERENCES)

    assert response.status_code == 200
    page = response.text
    assert "We send emails to bilal@example.org." in page
    assert ticked(page) == [kind.value for kind in BOARD_KINDS]
    for kind in BOARD_KINDS:
        assert kind.label in page
    assert Kind.PUBLIC_DIGEST.label not in page  # the public's own emails are not chosen here
    assert "Reminders before board meetings" in page


def test_unticking_turns_kinds_off_with_the_reason_in_the_history(client, people):
    client.force_login(people.board_member)
    keep = [kind.value for kind in BOARD_KINDS if kind != Kind.MEETING_REMINDER]

    response = client.post(PREFERENCES, {"kinds": keep}, follow=True)

    assert response.status_code == 200
    assert "Your choices are saved." in response.text
    assert turned_off(people.board_member) == {Kind.MEETING_REMINDER}
    assert ticked(response.text) == keep
    record = NoticePreference.history.get(user=people.board_member)
    assert record.history_user == people.board_member
    assert record.history_change_reason == "Chosen on the Email notices page"

    # Ticking it again turns it back on; saving the same choices changes nothing.
    client.post(PREFERENCES, {"kinds": [kind.value for kind in BOARD_KINDS]})
    assert turned_off(people.board_member) == set()
    count = NoticePreference.history.count()
    response = client.post(
        PREFERENCES, {"kinds": [kind.value for kind in BOARD_KINDS]}, follow=True
    )
    assert "Nothing changed" in response.text
    assert NoticePreference.history.count() == count


def test_unticking_everything_turns_every_kind_off(client, people):
    client.force_login(people.officer)

    client.post(PREFERENCES, {})

    assert turned_off(people.officer) == {kind.value for kind in BOARD_KINDS}


def test_a_choice_not_on_the_list_is_explained_and_nothing_is_saved(client, people):
    client.force_login(people.board_member)

    response = client.post(PREFERENCES, {"kinds": ["update_submitted", "send_me_everything"]})

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert "Select emails from the list" in response.text
    assert not NoticePreference.objects.exists()


def test_someone_without_an_email_address_is_told_so(client, cast):
    client.force_login(cast.board_member)

    page = client.get(PREFERENCES).text

    assert "We do not have an email address for you" in page


def test_each_person_changes_only_their_own_choices(client, people):
    client.force_login(people.outsider)
    client.post(PREFERENCES, {"kinds": []})

    assert turned_off(people.board_member) == set()
    assert turned_off(people.outsider) == {kind.value for kind in BOARD_KINDS}


# The unsubscribe link


def test_the_token_carries_the_person_and_the_kind_and_cannot_be_changed(people):
    token = unsubscribe_token(people.officer, Kind.UPDATE_SUBMITTED)

    assert read_unsubscribe_token(token) == (people.officer.pk, "update_submitted")
    # Someone else's id in the payload, with the original signature: refused.
    payload, rest = token.split(":", 1)
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["u"] = people.board_member.pk
    forged = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
    tampered = f"{forged.decode().rstrip('=')}:{rest}"
    assert tampered != token
    assert read_unsubscribe_token(tampered) is None
    assert read_unsubscribe_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB")) is None
    # Signed for another purpose (the public follow links use another salt): refused.
    assert read_unsubscribe_token(signing.dumps({"u": people.officer.pk, "k": "x"})) is None
    other_salt = signing.dumps({"u": people.officer.pk, "k": "update_submitted"}, salt="other")
    assert read_unsubscribe_token(other_salt) is None


def test_opening_the_link_asks_first_and_changes_nothing(client, people):
    url = unsubscribe_url(people.officer, Kind.UPDATE_SUBMITTED)

    response = client.get(url)

    assert response.status_code == 200
    assert "Stop these emails" in response.text
    assert Kind.UPDATE_SUBMITTED.label in response.text
    assert '<form method="post"' in response.text
    assert not NoticePreference.objects.exists()


def test_the_button_stops_that_kind_only(client, people):
    url = unsubscribe_url(people.officer, Kind.UPDATE_SUBMITTED)

    response = client.post(url)

    assert response.status_code == 200
    assert "You will not get these emails" in response.text
    assert turned_off(people.officer) == {Kind.UPDATE_SUBMITTED}
    assert history_reasons(people.officer) == ["Unsubscribed with the link in an email"]
    record = NoticePreference.history.get(user=people.officer)
    assert record.history_user == people.officer


def test_one_click_from_a_mail_program_works_without_a_session_or_csrf_token(people):
    client = Client(enforce_csrf_checks=True)
    url = unsubscribe_url(people.officer, Kind.MEETING_REMINDER)

    response = client.post(
        url,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert turned_off(people.officer) == {Kind.MEETING_REMINDER}
    assert history_reasons(people.officer) == ["Unsubscribed with one click in an email program"]
    # A second click changes nothing more.
    client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert NoticePreference.history.count() == 1


def test_other_pages_still_need_a_csrf_token(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.officer)

    response = client.post(PREFERENCES, {"kinds": []})

    assert response.status_code == 403
    assert not NoticePreference.objects.exists()


@pytest.mark.parametrize(
    "token",
    ["nonsense", "a:b:c", "eyJ1IjoxLCJrIjoieCJ9:1vXyZ:bad-signature", "%00"],
)
def test_a_broken_or_tampered_link_gets_a_clear_page(client, people, token):
    url = reverse("notices:unsubscribe", kwargs={"token": token})

    for response in (client.get(url), client.post(url)):
        assert response.status_code == 400
        assert "This link does not work" in response.text
    assert not NoticePreference.objects.exists()


def test_a_link_for_a_closed_account_gets_the_same_clear_page(client, people):
    url = unsubscribe_url(people.officer, Kind.UPDATE_SUBMITTED)
    people.officer.is_active = False
    people.officer.save()

    assert client.post(url).status_code == 400
    assert not NoticePreference.objects.exists()


def test_unsubscribing_stops_the_emails(people, draft, step, mailoutbox, client):
    from .conftest import recipients

    client.post(unsubscribe_url(people.officer, Kind.UPDATE_SUBMITTED))
    update = draft()

    step(update, "submit", people.board_member)

    assert "olivia@example.org" not in recipients(mailoutbox)
    assert not OutboxMessage.objects.filter(to="olivia@example.org").exists()
    assert len(mailoutbox) == 2


def test_the_link_in_an_email_is_the_one_that_works(people, draft, step, mailoutbox):
    update = draft()
    step(update, "submit", people.board_member)
    message = next(m for m in mailoutbox if m.to == ["olivia@example.org"])
    link = message.extra_headers["List-Unsubscribe"].strip("<>")

    response = Client(enforce_csrf_checks=True).post(
        link.removeprefix("http://127.0.0.1:8000"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert turned_off(people.officer) == {Kind.UPDATE_SUBMITTED}
