"""My to-do: who owes an update (by reporting period, not by when it was written), what is
overdue, what waits for officers, each with the reason it is there, in a fixed number of queries."""

import datetime
import html
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.deadlines import portal_today
from actions.models import ActionItem, DeliveryStatus, Milestone, Plan
from board import selectors
from inspections.models import Membership
from progress.models import BoardMeeting, ProgressUpdate
from progress.selectors import actions_owing_update, reporting_cycle
from tests.factories import make_action

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)  # a Tuesday
LAST_MEETING = datetime.date(2026, 11, 3)
NEXT_MEETING = datetime.date(2026, 12, 8)


@pytest.fixture
def today(monkeypatch):
    """The board's pages see TODAY as today."""
    monkeypatch.setattr("board.views.portal_today", lambda: TODAY)
    return TODAY


@pytest.fixture
def meetings(cast):
    BoardMeeting.objects.create(area=cast.area, held_on=LAST_MEETING)
    BoardMeeting.objects.create(area=cast.area, held_on=NEXT_MEETING)
    # Another area's meetings never move this area's cycle.
    BoardMeeting.objects.create(area=cast.other_area, held_on=TODAY - datetime.timedelta(days=1))


def add_update(action, *, period_end, state="published", author=None, **extra):
    if state == "published":
        extra.setdefault("publish_at", timezone.now() - datetime.timedelta(days=1))
    if state == "returned":
        extra.setdefault("return_reason", "Add the dates.")
    return ProgressUpdate.objects.create(
        action=action,
        period_start=period_end - datetime.timedelta(days=30),
        period_end=period_end,
        delivery_status="on_track",
        impact_status="some_evidence",
        narrative="Internal",
        public_summary="Public",
        author=author or action.lead_officer,
        state=state,
        **extra,
    )


def another_action(cast, ref, *, lead, due="2027-06-30", **fields):
    action = make_action(plan=cast.plan, finding=cast.action.finding, lead=cast.council, ref=ref)
    action.due_date = datetime.date.fromisoformat(due)
    action.lead_officer = lead
    for name, value in fields.items():
        setattr(action, name, value)
    action.save()
    return action


def todo_url(cast):
    return reverse("board:todo", kwargs={"area_slug": cast.area.slug})


def page_text(response):
    assert response.status_code == 200
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(text))


def refs(items):
    return [item.record.ref for item in items]


# The rule: who owes an update.


def test_an_update_written_today_about_an_earlier_period_does_not_cover_this_one(cast, meetings):
    # Written (created) today, but it reports on the quarter before the last meeting.
    add_update(cast.action, period_end=datetime.date(2026, 9, 30))
    [owed] = actions_owing_update(cast.area, today=TODAY)
    assert owed == cast.action
    assert owed.latest_period_end == datetime.date(2026, 9, 30)
    cycle = reporting_cycle(cast.area, today=TODAY)
    assert cycle.starts == LAST_MEETING + datetime.timedelta(days=1)
    assert cycle.owed_reason(owed) == (
        "No update yet for the period since the board met on 3 November 2026; "
        "the next meeting is on 8 December 2026. "
        "The latest update covers the period up to 30 September 2026."
    )


@pytest.mark.parametrize("state", ["draft", "submitted", "returned", "approved", "published"])
def test_an_update_in_any_state_for_the_period_since_the_meeting_covers_it(cast, meetings, state):
    add_update(cast.action, period_end=LAST_MEETING + datetime.timedelta(days=1), state=state)
    assert actions_owing_update(cast.area, today=TODAY) == []


def test_an_update_ending_on_the_meeting_day_does_not_cover_the_period_after_it(cast, meetings):
    add_update(cast.action, period_end=LAST_MEETING)
    assert actions_owing_update(cast.area, today=TODAY) == [cast.action]


def test_delivered_unstarted_unled_and_closed_plan_actions_owe_nothing(cast, meetings):
    another_action(cast, "1.2", lead=cast.board_member, delivery_status=DeliveryStatus.DELIVERED)
    another_action(
        cast, "1.3", lead=cast.board_member, start_date=TODAY + datetime.timedelta(days=1)
    )
    another_action(cast, "1.4", lead=None)
    owed = actions_owing_update(cast.area, today=TODAY)
    assert owed == [cast.action]
    Plan.objects.filter(pk=cast.plan.pk).update(status=Plan.Status.CLOSED)
    assert actions_owing_update(cast.area, today=TODAY) == []


def test_with_no_earlier_meeting_the_period_is_the_last_90_days(cast):
    add_update(cast.action, period_end=TODAY - datetime.timedelta(days=91))
    [owed] = actions_owing_update(cast.area, today=TODAY)
    cycle = reporting_cycle(cast.area, today=TODAY)
    assert cycle.starts == datetime.date(2026, 9, 2)
    assert cycle.owed_reason(owed).startswith(
        "No update yet for the period for the last 90 days (since 2 September 2026), as no "
        "earlier board meeting is recorded; no next board meeting is planned yet."
    )
    add_update(cast.action, period_end=TODAY - datetime.timedelta(days=90))
    assert actions_owing_update(cast.area, today=TODAY) == []


def test_only_the_leads_own_actions_and_only_in_this_area(cast, meetings):
    another_action(cast, "1.2", lead=cast.second_board_member)
    cast.other_action.lead_officer = cast.board_member
    cast.other_action.save()
    mine = actions_owing_update(cast.area, today=TODAY, lead=cast.board_member)
    assert mine == [cast.action]
    everyone = actions_owing_update(cast.area, today=TODAY)
    assert {a.ref for a in everyone} == {"1.1", "1.2"}


# The to-do: sections and why each item is there.


def test_the_board_member_sees_what_they_owe_and_what_is_overdue_with_reasons(
    client, cast, meetings, today
):
    Milestone.objects.create(
        action=cast.action, title="Six-month check", due_date=datetime.date(2026, 10, 1)
    )
    Milestone.objects.create(
        action=cast.action,
        title="Done on time",
        due_date=datetime.date(2026, 9, 1),
        completed_on=datetime.date(2026, 9, 1),
    )
    Milestone.objects.create(
        action=cast.action, title="Not due yet", due_date=datetime.date(2027, 1, 1)
    )
    cast.action.delivery_status = DeliveryStatus.OFF_TRACK
    cast.action.save()
    client.force_login(cast.board_member)
    text = page_text(client.get(todo_url(cast)))
    assert "Actions you lead that need an update" in text
    assert (
        "1.1 Action 1.1 – due 31 March 2026 No update yet for the period since the board met on "
        "3 November 2026; the next meeting is on 8 December 2026. "
        "There has been no update on this action yet." in text
    )
    assert "Overdue actions you lead 1.1 Action 1.1 Overdue It was due on 31 March 2026" in text
    assert "is not marked as delivered (it is off track)." in text
    assert (
        "Six-month check (action 1.1 Action 1.1) It was due on 1 October 2026 and is not marked "
        "as complete." in text
    )
    assert "Done on time" not in text
    assert "Not due yet" not in text
    # Board members are not shown the officers' sections.
    assert "Updates waiting for your approval" not in text
    assert "Approved updates to publish" not in text


def test_returned_updates_say_why_and_drafts_say_when_they_were_started(
    client, cast, meetings, today
):
    add_update(cast.action, period_end=TODAY, state="returned", return_reason="Add the dates.")
    draft = add_update(cast.action, period_end=TODAY, state="draft")
    someone_elses = add_update(
        cast.action, period_end=TODAY, state="draft", author=cast.second_board_member
    )
    client.force_login(cast.board_member)
    text = page_text(client.get(todo_url(cast)))
    assert "Update on 1.1 Action 1.1 Returned because: Add the dates." in text
    started = timezone.localdate(draft.created_at)
    assert (
        f"Draft update on 1.1 Action 1.1 You started this update for 1 November 2026 to "
        f"1 December 2026 on {started.day} {started:%B %Y} and have not submitted it yet." in text
    )
    assert f"#update-{someone_elses.pk}" not in client.get(todo_url(cast)).content.decode()
    # A draft covers the period, so the action is not also listed as owing an update.
    assert "Nothing to update." in text


def test_officers_see_approvals_publications_and_actions_with_no_lead(
    client, cast, meetings, today
):
    submitted = add_update(
        cast.action,
        period_end=TODAY,
        state="submitted",
        submitted_at=timezone.make_aware(datetime.datetime(2026, 11, 30, 9)),
    )
    own = add_update(cast.action, period_end=TODAY, state="submitted", author=cast.officer)
    approved = add_update(
        cast.action,
        period_end=TODAY,
        state="approved",
        approved_by=cast.second_officer,
        approved_at=timezone.make_aware(datetime.datetime(2026, 11, 29, 9)),
    )
    scheduled = add_update(
        cast.action,
        period_end=TODAY,
        state="published",
        publish_at=timezone.now() + datetime.timedelta(days=3),
    )
    another_action(cast, "1.5", lead=None)
    client.force_login(cast.officer)
    response = client.get(todo_url(cast))
    text = page_text(response)
    page = response.content.decode()
    assert (
        "Updates waiting for your approval Update on 1.1 Action 1.1 – from Bilal Board "
        "Submitted on 30 November 2026 for 1 November 2026 to 1 December 2026. It needs an "
        "officer other than its author to approve it or return it with a reason." in text
    )
    assert f"#update-{submitted.pk}" in page
    assert f"#update-{own.pk}" not in page  # nobody approves their own update
    assert f"#update-{approved.pk}" in page
    assert (
        "Approved by Omar Officer on 29 November 2026. It is not on the public site until it is "
        "published." in text
    )
    assert f"#update-{scheduled.pk}" in page
    when = timezone.localtime(scheduled.publish_at)
    assert f"due to appear on the public site at {when:%H:%M} on {when.day} {when:%B %Y}" in text
    assert (
        "Open actions with no named lead 1.5 Action 1.5 Nobody is named as its lead, so nobody "
        "is reminded to update it before board meetings." in text
    )


def test_the_to_do_costs_the_same_however_much_there_is(client, cast, meetings, today):
    client.force_login(cast.officer)
    cast.action.lead_officer = cast.officer
    cast.action.save()
    with CaptureQueriesContext(connection) as small:
        assert client.get(todo_url(cast)).status_code == 200
    for index in range(2, 8):
        action = another_action(cast, f"1.{index}", lead=cast.officer, due="2026-01-31")
        Milestone.objects.create(action=action, title="Late", due_date=datetime.date(2026, 2, 1))
        add_update(action, period_end=datetime.date(2026, 6, 30))
        add_update(action, period_end=TODAY, state="draft", author=cast.officer)
        add_update(action, period_end=TODAY, state="returned", author=cast.officer)
        add_update(action, period_end=TODAY, state="submitted", author=cast.board_member)
        add_update(action, period_end=TODAY, state="approved", approved_by=cast.second_officer)
        another_action(cast, f"2.{index}", lead=None)
    with CaptureQueriesContext(connection) as large:
        text = page_text(client.get(todo_url(cast)))
    assert "1.7 Action 1.7" in text
    assert len(large) == len(small)


def test_the_to_do_selector_runs_in_a_fixed_number_of_queries(
    cast, meetings, django_assert_num_queries
):
    for index in range(2, 6):
        action = another_action(cast, f"1.{index}", lead=cast.officer, due="2026-01-31")
        Milestone.objects.create(action=action, title="Late", due_date=datetime.date(2026, 2, 1))
        add_update(action, period_end=TODAY, state="submitted", author=cast.board_member)
    # The membership (once), the cycle (2), updates owed, overdue actions, overdue
    # milestones, returned and drafts; then for officers the updates waiting for approval
    # and for publication, publications scheduled, and actions with no lead.
    with django_assert_num_queries(12):
        result = selectors.todo(cast.area, cast.officer, today=TODAY)
    assert refs(result["overdue_actions"]) == ["1.2", "1.3", "1.4", "1.5"]
    assert len(result["to_approve"]) == 4


def test_a_forum_representative_has_no_to_do_page(client, cast, today):
    if "forum" not in Membership.Role.values:
        pytest.skip("no forum role")
    Membership.objects.filter(user=cast.second_board_member).update(role="forum")
    client.force_login(cast.second_board_member)
    assert client.get(todo_url(cast)).status_code == 403


def test_outsiders_cannot_see_the_areas_to_do(client, cast, today):
    client.force_login(cast.outsider)
    assert client.get(todo_url(cast)).status_code == 404


# The demo: the issue's own example.


def test_the_demos_board_member_sees_action_2_2_on_my_to_do(client):
    call_command("load_demo", force=True, stdout=io.StringIO())
    action = ActionItem.objects.get(
        plan__area__slug="worcestershire", plan__ref="improvement-plan-2024", ref="2.2"
    )
    board_member = action.lead_officer
    assert board_member.username == "worcestershire-board"
    client.force_login(board_member)
    text = page_text(client.get(reverse("board:todo", kwargs={"area_slug": "worcestershire"})))
    title = f"2.2 {action.title}"
    owing, rest = text.split("Overdue actions you lead", 1)
    overdue = rest.split("Overdue milestones", 1)[0]
    # Overdue whatever the day, as its due date has passed and it is not delivered ...
    assert f"{title} Overdue It was due on {action.due_date.day} {action.due_date:%B %Y}" in overdue
    assert f"(it is {action.get_delivery_status_display().lower()})" in overdue
    # ... and owing an update unless one covers the period since the board last met (the
    # demo's meetings follow each quarter's updates by 20 days, so most days it is owed).
    owed = actions_owing_update(action.plan.area, today=portal_today(), lead=board_member)
    assert (title in owing) == (action in owed)
    if action in owed:
        assert "No update yet for the period since the board met on" in owing
