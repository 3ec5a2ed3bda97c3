"""The outbox's and the preferences' rules hold in the database and explain themselves."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from notices.kinds import Kind
from notices.models import NoticePreference, OutboxMessage, wants

pytestmark = pytest.mark.django_db


def message(**fields):
    values = dict(
        key="rule-test",
        kind=Kind.REPORT_READY,
        to="olivia@example.org",
        subject="Subject",
        body_text="Body",
    )
    values.update(fields)
    return OutboxMessage(**values)


def test_a_key_is_queued_once(db):
    message().save()
    with pytest.raises(IntegrityError), transaction.atomic():
        message(subject="Another").save()


def test_a_sent_message_needs_the_time_it_was_sent(db):
    row = message(state=OutboxMessage.State.SENT)
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert error.value.messages == ["A sent message needs the time it was sent."]
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_a_person_has_one_choice_for_each_kind(cast):
    NoticePreference.objects.create(user=cast.officer, kind=Kind.REPORT_READY, enabled=False)
    duplicate = NoticePreference(user=cast.officer, kind=Kind.REPORT_READY)
    with pytest.raises(ValidationError) as error:
        duplicate.validate_constraints()
    assert error.value.messages == ["This person already has a choice for this kind of email."]
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_with_no_choice_saved_every_kind_is_on(cast):
    assert all(wants(cast.officer, kind) for kind in Kind)
    NoticePreference.objects.create(user=cast.officer, kind=Kind.REPORT_READY, enabled=False)
    assert not wants(cast.officer, Kind.REPORT_READY)
    assert wants(cast.board_member, Kind.REPORT_READY)


def test_the_confirmation_of_a_subscription_cannot_be_turned_off(cast):
    NoticePreference.objects.create(
        user=cast.officer, kind=Kind.SUBSCRIPTION_CONFIRM, enabled=False
    )
    assert wants(cast.officer, Kind.SUBSCRIPTION_CONFIRM)


def test_the_admin_shows_the_outbox_and_its_history_but_changes_nothing(client, people, committed):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from notices.outbox import queue_message

    row = committed(
        queue_message,
        key="admin-test",
        kind=Kind.REPORT_READY,
        to="olivia@example.org",
        template="report_ready",
        context={"area_name": "Testshire"},
        user=people.officer,
    )
    root = get_user_model().objects.create_superuser("root", "root@example.org", "a-long-password")
    client.force_login(root)
    change = reverse("admin:notices_outboxmessage_change", args=[row.pk])

    assert client.get(reverse("admin:notices_outboxmessage_changelist")).status_code == 200
    page = client.get(change)
    assert page.status_code == 200
    assert "olivia@example.org" in page.text
    assert 'name="_save"' not in page.text  # view only
    history = client.get(reverse("admin:notices_outboxmessage_history", args=[row.pk]))
    assert history.status_code == 200
    assert "Sent" in history.text
    assert client.get(reverse("admin:notices_outboxmessage_add")).status_code == 403
    assert client.post(change, {"to": "someone@example.org"}).status_code == 403
    assert (
        client.post(
            reverse("admin:notices_outboxmessage_delete", args=[row.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    row.refresh_from_db()
    assert row.to == "olivia@example.org"


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("http://127.0.0.1:8000", True),
        ("https://localhost", True),
        ("http://send-portal.example.org", True),
        ("https://send-portal.example.org", False),
    ],
)
def test_the_deployment_check_warns_when_email_links_would_not_work(settings, url, warned):
    from notices.checks import base_url_reaches_the_portal

    settings.PORTAL_BASE_URL = url
    warnings = base_url_reaches_the_portal(None)
    assert [w.id for w in warnings] == (["notices.W001"] if warned else [])
