"""Reminders before board meetings go once to each lead who owes an update; officers get a
weekly digest; running the scheduler again sends nothing twice."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from actions.models import DeliveryStatus
from inspections.models import Membership
from notices.kinds import Kind
from notices.models import NoticePreference, OutboxMessage
from notices.reminders import first_working_day_of_week, meeting_reminders, officer_digests
from progress.models import BoardMeeting, ProgressUpdate
from progress.selectors import actions_owing_update
from tests.factories import make_action

from .conftest import recipients

pytestmark = pytest.mark.django_db

LAST_MEETING = datetime.date(2026, 11, 3)
NEXT_MEETING = datetime.date(2026, 12, 8)  # a Tuesday: 5 working days after Tuesday 1 December
SITE = "http://127.0.0.1:8000"


def at(text):
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


def add_action(cast, ref, *, lead, due="2027-06-30", **fields):
    action = make_action(plan=cast.plan, finding=cast.action.finding, lead=cast.council, ref=ref)
    action.due_date = datetime.date.fromisoformat(due)
    action.lead_officer = lead
    for name, value in fields.items():
        setattr(action, name, value)
    action.save()
    return action


def add_update(action, *, period_end, state, author, **extra):
    return ProgressUpdate.objects.create(
        action=action,
        period_start=period_end - datetime.timedelta(days=30),
        period_end=period_end,
        delivery_status="on_track",
        impact_status="some_evidence",
        narrative="INTERNAL narrative",
        public_summary="Public summary",
        author=author,
        state=state,
        **extra,
    )


@pytest.fixture
def board(people):
    """Testshire with a meeting held on 3 November and the next on 8 December 2026.

    Owing an update: Bilal (1.1 and 1.2) and Ada (1.5). Not owing: Beth (updated since the
    meeting), Omar (delivered). Oscar leads 1.6 but is not a member of Testshire.
    """
    BoardMeeting.objects.create(area=people.area, held_on=LAST_MEETING)
    BoardMeeting.objects.create(area=people.area, held_on=NEXT_MEETING)
    add_action(people, "1.2", lead=people.board_member)
    updated = add_action(people, "1.3", lead=people.second_board_member)
    add_update(
        updated,
        period_end=datetime.date(2026, 11, 30),
        state="draft",
        author=people.second_board_member,
    )
    add_action(people, "1.4", lead=people.second_officer, delivery_status=DeliveryStatus.DELIVERED)
    add_action(people, "1.5", lead=people.area_admin)
    add_action(people, "1.6", lead=people.outsider)
    return people


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run ``send_reminders`` as the scheduler does, delivering what it queued."""

    def scheduler(now):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", now=now, stdout=io.StringIO())

    return scheduler


def reminders(outbox):
    return [m for m in outbox if "please write your updates" in m.subject]


# Reminders before board meetings.


def test_a_meeting_five_working_days_away_sends_one_reminder_to_each_lead_who_owes(
    board, run, mailoutbox
):
    run("2026-12-01T08:00")
    sent = reminders(mailoutbox)
    assert recipients(sent) == ["ada@example.org", "bilal@example.org"]
    [bilal] = [m for m in sent if m.to == ["bilal@example.org"]]
    assert (
        bilal.subject == "The board meets on 8 December 2026: please write your updates – Testshire"
    )
    assert "Please write an update on these 2 actions before then." in bilal.body
    assert "There has been no update since the board met on 3 November 2026." in bilal.body
    assert "Action 1.1: Action 1.1" in bilal.body
    assert "Action 1.2: Action 1.2" in bilal.body
    assert "Action 1.5" not in bilal.body
    assert "There has been no update on this action yet." in bilal.body
    write = SITE + reverse(
        "progress:update-create", kwargs={"area_slug": "testshire", "action_pk": board.action.pk}
    )
    assert write in bilal.body
    assert f'href="{write}"' in bilal.alternatives[0][0]
    assert "INTERNAL" not in bilal.body
    rows = OutboxMessage.objects.filter(kind=Kind.MEETING_REMINDER)
    meeting = BoardMeeting.objects.get(held_on=NEXT_MEETING)
    assert sorted(rows.values_list("key", flat=True)) == sorted(
        f"meeting-reminder:{meeting.pk}:{user.pk}"
        for user in (board.board_member, board.area_admin)
    )
    assert {row.state for row in rows} == {OutboxMessage.State.SENT}


def test_the_reminder_lists_exactly_what_my_to_do_calls_owed(board, run, mailoutbox):
    run("2026-12-01T08:00")
    owed = actions_owing_update(board.area, today=datetime.date(2026, 12, 1))
    # Oscar's action is owed, but he is not a member of Testshire, so he is not written to.
    assert sorted((a.lead_officer.username, a.ref) for a in owed) == [
        ("ada", "1.5"),
        ("bilal", "1.1"),
        ("bilal", "1.2"),
        ("oscar", "1.6"),
    ]
    assert "oscar@example.org" not in recipients(mailoutbox)


def test_running_the_scheduler_again_sends_nothing_twice(board, run, mailoutbox):
    run("2026-12-01T08:00")
    assert len(reminders(mailoutbox)) == 2
    run("2026-12-01T08:15")
    run("2026-12-02T08:00")
    run("2026-12-07T08:00")
    assert len(reminders(mailoutbox)) == 2
    assert OutboxMessage.objects.filter(kind=Kind.MEETING_REMINDER).count() == 2


def test_the_jobs_return_what_they_queued_and_nothing_the_second_time(board, committed):
    assert committed(meeting_reminders, at("2026-12-01T08:00")) == 2
    assert committed(meeting_reminders, at("2026-12-01T09:00")) == 0


def test_nothing_is_sent_six_working_days_before_or_in_the_night(board, run, mailoutbox):
    run("2026-11-30T08:00")  # Monday: six working days before the meeting
    run("2026-12-01T06:45")  # five working days before, but before seven in the morning
    assert reminders(mailoutbox) == []
    run("2026-12-01T07:00")
    assert len(reminders(mailoutbox)) == 2


def test_a_missed_day_is_made_up_but_not_on_the_day_of_the_meeting(board, run, mailoutbox):
    run("2026-12-08T08:00")  # the meeting is today
    assert reminders(mailoutbox) == []
    run("2026-12-04T08:00")  # two working days before: still in time
    assert len(reminders(mailoutbox)) == 2


def test_an_update_written_after_the_reminder_stops_nothing_already_sent_and_adds_nothing(
    board, run, mailoutbox
):
    add_update(
        board.action,
        period_end=datetime.date(2026, 11, 30),
        state="submitted",
        author=board.board_member,
    )
    run("2026-12-01T08:00")
    [bilal] = [m for m in mailoutbox if m.to == ["bilal@example.org"]]
    assert "Please write an update on this action before then." in bilal.body
    assert "Action 1.1:" not in bilal.body


def test_an_area_with_reminders_off_sends_none(board, run, mailoutbox):
    board.area.reminder_working_days = 0
    board.area.save()
    run("2026-12-01T08:00")
    assert reminders(mailoutbox) == []


def test_an_area_can_remind_earlier(board, run, mailoutbox):
    board.area.reminder_working_days = 10
    board.area.save()
    run("2026-11-24T08:00")  # ten working days before 8 December
    assert len(reminders(mailoutbox)) == 2


def test_a_lead_who_turned_reminders_off_gets_none(board, run, mailoutbox):
    NoticePreference.objects.create(
        user=board.board_member, kind=Kind.MEETING_REMINDER, enabled=False
    )
    run("2026-12-01T08:00")
    assert recipients(reminders(mailoutbox)) == ["ada@example.org"]


def test_a_lead_whose_role_cannot_write_updates_gets_none(board, run, mailoutbox):
    if "forum" not in Membership.Role.values:
        pytest.skip("no forum role")
    Membership.objects.filter(user=board.area_admin, area=board.area).update(role="forum")
    run("2026-12-01T08:00")
    assert recipients(reminders(mailoutbox)) == ["bilal@example.org"]


def test_with_no_meeting_coming_nobody_is_reminded(people, run, mailoutbox):
    BoardMeeting.objects.create(area=people.area, held_on=LAST_MEETING)
    run("2026-12-01T08:00")
    assert reminders(mailoutbox) == []


# The officers' weekly digest.


def digests(outbox):
    return [m for m in outbox if m.subject.startswith("What needs doing this week")]


@pytest.fixture
def busy(board):
    """A submitted and an approved update waiting; 1.1 is overdue; the WSOA was due in 2024."""
    add_update(
        board.action,
        period_end=datetime.date(2026, 11, 30),
        state="submitted",
        author=board.board_member,
        submitted_at=at("2026-11-27T10:00"),
    )
    add_update(
        board.action,
        period_end=datetime.date(2026, 10, 31),
        state="approved",
        author=board.board_member,
        approved_by=board.officer,
        approved_at=at("2026-11-20T10:00"),
    )
    return board


def test_officers_and_administrators_get_the_digest_on_monday_morning(busy, run, mailoutbox):
    run("2026-11-30T08:00")  # a Monday
    sent = digests(mailoutbox)
    assert recipients(sent) == ["ada@example.org", "olivia@example.org", "omar@example.org"]
    body = sent[0].body
    assert sent[0].subject == "What needs doing this week – Testshire"
    assert "Updates waiting for approval (1):" in body
    assert "Action 1.1: Action 1.1. Sent by Bilal Board on 27 November 2026." in body
    assert "Approved updates not yet published (1):" in body
    assert "Approved on 20 November 2026." in body
    assert "Actions past their due date (1):" in body
    assert "Action 1.1: Action 1.1. Due by 31 March 2026. Lead: Bilal Board." in body
    # The written statement of action was due 70 working days after the May 2024 report.
    assert (
        "Official dates due in the next 30 working days, or missed:\n"
        "- Written statement of action for Testshire: Submit the written statement of action "
        "to Ofsted. Overdue by 574 working days (due 23 August 2024)" in body
    )
    assert "INTERNAL" not in body
    html = sent[0].alternatives[0][0]
    assert "<h2>Updates waiting for approval (1)</h2>" in html
    week = OutboxMessage.objects.filter(kind=Kind.OFFICER_DIGEST).values_list("key", flat=True)
    assert sorted(week) == sorted(
        f"officer-digest:{busy.area.pk}:{user.pk}:2026-W49"
        for user in (busy.officer, busy.area_admin, busy.second_officer)
    )


def test_the_digest_goes_once_a_week(busy, run, mailoutbox):
    run("2026-11-30T06:00")  # too early
    assert digests(mailoutbox) == []
    run("2026-11-30T08:00")
    run("2026-11-30T12:00")
    run("2026-12-01T08:00")  # Tuesday: not a digest day
    assert len(digests(mailoutbox)) == 3
    run("2026-12-07T08:00")  # the next Monday
    assert len(digests(mailoutbox)) == 6


def test_after_a_bank_holiday_monday_the_digest_goes_on_tuesday(busy, committed):
    assert first_working_day_of_week(datetime.date(2026, 12, 30)) == datetime.date(2026, 12, 29)
    assert committed(officer_digests, at("2026-12-28T08:00")) == 0  # Boxing Day, moved
    assert committed(officer_digests, at("2026-12-29T08:00")) == 3


def test_board_members_get_no_digest_and_officers_may_turn_it_off(busy, run, mailoutbox):
    NoticePreference.objects.create(user=busy.officer, kind=Kind.OFFICER_DIGEST, enabled=False)
    run("2026-11-30T08:00")
    assert recipients(digests(mailoutbox)) == ["ada@example.org", "omar@example.org"]


def test_a_week_with_nothing_to_report_sends_no_digest(people, committed):
    # Otherton has no officers; make Testshire's action delivered and its plan's dates met.
    people.action.delivery_status = DeliveryStatus.DELIVERED
    people.action.save()
    people.plan.status = "closed"
    people.plan.save()
    assert committed(officer_digests, at("2026-11-30T08:00")) == 0


def test_an_officers_own_update_is_not_in_their_list_to_approve(busy, run, mailoutbox):
    add_update(
        busy.action,
        period_end=datetime.date(2026, 11, 30),
        state="submitted",
        author=busy.officer,
        submitted_at=at("2026-11-28T10:00"),
    )
    run("2026-11-30T08:00")
    by_person = {m.to[0]: m.body for m in digests(mailoutbox)}
    assert "Updates waiting for approval (1):" in by_person["olivia@example.org"]
    assert "Sent by Olivia Officer" not in by_person["olivia@example.org"]
    assert "Updates waiting for approval (2):" in by_person["omar@example.org"]
    assert "Sent by Olivia Officer on 28 November 2026." in by_person["omar@example.org"]
