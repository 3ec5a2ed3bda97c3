"""Each step of an update's workflow emails exactly the people it concerns, and says nothing internal in the subject."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notices.kinds import Kind
from notices.models import NoticePreference, OutboxMessage
from progress.models import ProgressUpdate
from tests.progress import render_stubs

from .conftest import NARRATIVE, SUMMARY, recipients

pytestmark = pytest.mark.django_db

OFFICERS = ["ada@example.org", "olivia@example.org", "omar@example.org"]


def kinds(outbox_rows):
    return sorted(row.kind for row in outbox_rows)


def only(outbox):
    assert len(outbox) == 1, [(m.to, m.subject) for m in outbox]
    return outbox[0]


def test_a_submitted_update_emails_every_officer_of_the_area_but_not_the_submitter(
    people, draft, step, mailoutbox
):
    update = draft()
    step(update, "submit", people.board_member)

    assert recipients(mailoutbox) == OFFICERS  # not board members, not Otherton's outsider
    for message in mailoutbox:
        assert message.subject == "An update is waiting for your approval – Testshire"
        action_page = "http://127.0.0.1:8000" + reverse(
            "board:action", kwargs={"area_slug": "testshire", "pk": people.action.pk}
        )
        assert f"{action_page}#update-{update.pk}" in message.body
        assert "Bilal Board sent an update for approval" in message.body
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html"
        assert f'href="{action_page}#update-{update.pk}"' in html
    rows = OutboxMessage.objects.all()
    assert {row.state for row in rows} == {OutboxMessage.State.SENT}
    assert kinds(rows) == [Kind.UPDATE_SUBMITTED] * 3


def test_an_officer_who_submits_is_not_told_about_their_own_submission(
    people, draft, step, mailoutbox
):
    update = draft(author=people.officer)
    step(update, "submit", people.officer)

    assert recipients(mailoutbox) == ["ada@example.org", "omar@example.org"]


def test_a_returned_update_emails_its_author_with_the_reason(people, draft, step, mailoutbox):
    update = draft()
    step(update, "submit", people.board_member)
    mailoutbox.clear()

    step(update, "return", people.officer, reason="Add the dates the clinic opens.")

    message = only(mailoutbox)
    assert message.to == ["bilal@example.org"]
    assert message.subject == "Your update needs some changes – Testshire"
    assert "Olivia Officer sent your update back" in message.body
    assert "Add the dates the clinic opens." in message.body


def test_a_resubmitted_update_is_a_new_email_to_the_officers(people, draft, step, mailoutbox):
    update = draft()
    step(update, "submit", people.board_member)
    step(update, "return", people.officer, reason="Add the dates.")
    mailoutbox.clear()

    step(update, "submit", people.board_member)

    assert recipients(mailoutbox) == OFFICERS


def test_an_approved_update_emails_its_author(people, draft, step, mailoutbox):
    update = draft()
    step(update, "submit", people.board_member)
    mailoutbox.clear()

    step(update, "approve", people.officer)

    message = only(mailoutbox)
    assert message.to == ["bilal@example.org"]
    assert message.subject == "An officer approved your update – Testshire"


def test_a_published_update_emails_its_author(people, draft, step, mailoutbox):
    update = draft()
    step(update, "submit", people.board_member)
    step(update, "approve", people.officer)
    mailoutbox.clear()

    step(update, "publish", people.second_officer)

    message = only(mailoutbox)
    assert message.to == ["bilal@example.org"]
    assert message.subject == "Your update is on the public site – Testshire"
    assert "Families can now read it" in message.body


def test_no_email_tells_the_author_about_a_step_they_took_themselves(
    people, draft, step, mailoutbox
):
    # An officer who wrote an update may neither approve nor publish it (maker
    # and checker), so the step they take on it themselves is submitting it.
    update = draft(author=people.officer)
    mailoutbox.clear()

    step(update, "submit", people.officer)

    assert people.officer.email not in [to for message in mailoutbox for to in message.to]
    assert not OutboxMessage.objects.filter(
        kind=Kind.UPDATE_SUBMITTED, user=people.officer
    ).exists()


def test_nothing_internal_is_in_any_subject_line(people, draft, step, mailoutbox):
    update = draft()
    step(update, "submit", people.board_member)
    step(update, "return", people.officer, reason="RETURN-REASON: check the figures")
    step(update, "submit", people.board_member)
    step(update, "approve", people.officer)
    step(update, "publish", people.officer)

    assert len(mailoutbox) == 3 + 1 + 3 + 1 + 1
    action = people.action
    for message in mailoutbox:
        for internal in (NARRATIVE, SUMMARY, "RETURN-REASON", action.title, action.ref):
            assert internal not in message.subject
        assert NARRATIVE not in message.body  # nor the narrative anywhere
        assert message.subject.endswith(" – Testshire")


def test_every_email_has_one_click_unsubscribe_headers(people, draft, step, mailoutbox):
    update = draft()
    step(update, "submit", people.board_member)

    for message in mailoutbox:
        row = OutboxMessage.objects.get(to=message.to[0])
        assert message.extra_headers["List-Unsubscribe"] == f"<{row.unsubscribe_url}>"
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert row.unsubscribe_url in message.body
        assert "http://127.0.0.1:8000/accounts/email-notices/" in message.body


def test_the_pages_send_the_same_emails(client, people, draft, mailoutbox, committed):
    update = draft()
    client.force_login(people.board_member)
    url = reverse(
        "progress:update-transition",
        kwargs={"area_slug": "testshire", "pk": update.pk, "transition": "submit"},
    )
    response = committed(client.post, url, {"version": update.version})

    assert response.status_code == 302
    assert recipients(mailoutbox) == OFFICERS


def test_a_step_that_is_rolled_back_sends_nothing(people, draft, mailoutbox, committed):
    from django.db import transaction

    from progress import workflow

    update = draft()

    def submit_then_fail():
        with transaction.atomic():
            workflow.apply_transition(
                update, "submit", by=people.board_member, expected_version=update.version
            )
            raise RuntimeError("something else went wrong")

    with pytest.raises(RuntimeError):
        committed(submit_then_fail)

    assert mailoutbox == []
    assert not OutboxMessage.objects.exists()


def test_someone_without_an_email_address_or_access_is_skipped(people, draft, step, mailoutbox):
    people.area_admin.email = ""
    people.area_admin.save()
    people.second_officer.is_active = False
    people.second_officer.save()
    update = draft()

    step(update, "submit", people.board_member)

    assert recipients(mailoutbox) == ["olivia@example.org"]


def test_a_person_who_turned_a_kind_off_gets_none_of_it(people, draft, step, mailoutbox):
    NoticePreference.objects.create(user=people.officer, kind=Kind.UPDATE_SUBMITTED, enabled=False)
    update = draft()

    step(update, "submit", people.board_member)

    assert recipients(mailoutbox) == ["ada@example.org", "omar@example.org"]


# A publication set for later


def test_a_publication_set_for_later_is_announced_now_and_confirmed_once_done(
    people, draft, step, mailoutbox, committed
):
    from notices.scheduled import notify_publications_done

    update = draft()
    step(update, "submit", people.board_member)
    step(update, "approve", people.officer)
    mailoutbox.clear()
    later = timezone.now() + datetime.timedelta(days=2)

    step(update, "publish", people.second_officer, publish_at=later)

    message = only(mailoutbox)
    assert message.to == ["bilal@example.org"]
    assert message.subject.startswith("Your update will go on the public site on ")
    mailoutbox.clear()

    # Before the time: nothing. After it: the author and the approver, once.
    assert committed(notify_publications_done, later - datetime.timedelta(minutes=5)) == 0
    assert committed(notify_publications_done, later + datetime.timedelta(minutes=5)) == 2
    assert committed(notify_publications_done, later + datetime.timedelta(minutes=20)) == 0

    assert recipients(mailoutbox) == ["bilal@example.org", "olivia@example.org"]
    for message in mailoutbox:
        assert message.subject == "An update is now on the public site – Testshire"
    assert "The update you wrote is now on the public site" in next(
        m.body for m in mailoutbox if m.to == ["bilal@example.org"]
    )
    assert "The update you approved" in next(
        m.body for m in mailoutbox if m.to == ["olivia@example.org"]
    )


def test_an_update_published_there_and_then_gets_no_second_email(
    people, draft, step, mailoutbox, committed
):
    from notices.scheduled import notify_publications_done

    update = draft()
    step(update, "submit", people.board_member)
    step(update, "approve", people.officer)
    step(update, "publish", people.officer)
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.PUBLISHED

    assert committed(notify_publications_done, timezone.now() + datetime.timedelta(hours=1)) == 0


# Progress reports


def test_a_report_that_is_ready_emails_the_officer_who_asked_for_it(
    people, mailoutbox, committed, monkeypatch
):
    from progress.models import ProgressReport
    from progress.report_services import request_report

    # The PDF's drawing has its own tests; here any bytes will do.
    render_stubs.draw_with(monkeypatch, lambda html: b"%PDF-1.4 test")
    report = committed(
        request_report,
        plan=people.plan,
        audience=ProgressReport.Audience.BOARD,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        by=people.second_officer,
    )
    report.refresh_from_db()
    assert report.state == ProgressReport.State.READY

    message = only(mailoutbox)
    assert message.to == ["omar@example.org"]
    assert message.subject == "Your progress report is ready to check – Testshire"
    report_page = "http://127.0.0.1:8000" + reverse(
        "progress:report", kwargs={"area_slug": "testshire", "pk": report.pk}
    )
    assert report_page in message.body
    assert mail.outbox is mailoutbox
