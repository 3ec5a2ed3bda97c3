"""My area, My to-do and the action page: what they show, and that their cost does not grow."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import ActionItem, Milestone
from progress.models import BoardMeeting, ProgressUpdate
from tests.factories import make_action, make_finding

pytestmark = pytest.mark.django_db


def grow_plan(cast, *, findings, actions_per_finding, updates_per_action):
    """Add findings, actions, milestones and published updates to the cast's plan."""
    from actions.models import PlanFinding

    for number in range(2, findings + 2):
        finding = make_finding(inspection=cast.plan.responds_to, number=number)
        PlanFinding.objects.create(plan=cast.plan, finding=finding)
        for index in range(1, actions_per_finding + 1):
            action = make_action(
                plan=cast.plan,
                finding=finding,
                lead=cast.council,
                ref=f"{number}.{index}",
                due="2025-01-31",
            )
            Milestone.objects.create(
                action=action, title="Three months", due_date=datetime.date(2025, 1, 1)
            )
            for month in range(1, updates_per_action + 1):
                ProgressUpdate.objects.create(
                    action=action,
                    period_start=datetime.date(2025, month, 1),
                    period_end=datetime.date(2025, month, 28),
                    delivery_status="on_track",
                    impact_status="some_evidence",
                    narrative="Internal",
                    public_summary="Public",
                    author=cast.board_member,
                    state="draft",
                )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def my_area_url(cast):
    return reverse("board:my-area", kwargs={"area_slug": cast.area.slug})


def action_url(cast, action):
    return reverse("board:action", kwargs={"area_slug": cast.area.slug, "pk": action.pk})


def test_my_area_shows_actions_with_their_statuses_as_words(client, cast):
    client.force_login(cast.board_member)
    page = client.get(my_area_url(cast)).content.decode()
    assert "Testshire weakness one" in page
    assert "1.1 Action 1.1" in page
    assert "Not started" in page
    assert "No evidence of impact yet" in page
    assert "Submit the written statement of action to Ofsted" in page
    # Another area's plan never appears.
    assert "Otherton" not in page


def test_my_area_marks_overdue_actions(client, cast):
    ActionItem.objects.filter(pk=cast.action.pk).update(due_date=datetime.date(2024, 10, 1))
    client.force_login(cast.board_member)
    page = client.get(my_area_url(cast)).content.decode()
    assert "Overdue" in page


def test_my_area_filters_by_status_and_lead(client, cast):
    grow_plan(cast, findings=1, actions_per_finding=2, updates_per_action=0)
    ActionItem.objects.filter(ref="2.1").update(delivery_status="at_risk")
    client.force_login(cast.board_member)
    page = client.get(my_area_url(cast), {"delivery": "at_risk"}).content.decode()
    assert "2.1 Action 2.1" in page
    assert "2.2 Action 2.2" not in page
    assert "Clear filters" in page
    page = client.get(my_area_url(cast), {"organisation": str(cast.council.pk)}).content.decode()
    assert "2.2 Action 2.2" in page


def test_my_area_queries_do_not_grow_with_the_plan(client, cast):
    client.force_login(cast.board_member)
    small = count_queries(client, my_area_url(cast))
    grow_plan(cast, findings=4, actions_per_finding=5, updates_per_action=3)
    assert ActionItem.objects.filter(plan=cast.plan).count() == 21
    assert count_queries(client, my_area_url(cast)) == small


def test_action_page_queries_do_not_grow_with_updates(client, cast):
    client.force_login(cast.officer)
    grow_plan(cast, findings=1, actions_per_finding=2, updates_per_action=1)
    few = ActionItem.objects.get(ref="2.1")
    many = ActionItem.objects.get(ref="2.2")
    # The same kinds of update on both: two on the first action, nine on the second.
    for action, months in ((few, range(2, 3)), (many, range(2, 10))):
        for month in months:
            ProgressUpdate.objects.create(
                action=action,
                period_start=datetime.date(2025, month, 1),
                period_end=datetime.date(2025, month, 28),
                delivery_status="on_track",
                impact_status="some_evidence",
                narrative="Internal",
                public_summary="Public",
                author=cast.board_member,
                approved_by=cast.officer,
                state="approved",
            )
    assert count_queries(client, action_url(cast, few)) == count_queries(
        client, action_url(cast, many)
    )


def test_action_page_shows_the_change_log_in_words(client, cast):
    action = ActionItem.objects.get(pk=cast.action.pk)
    action.delivery_status = "at_risk"
    action._history_user = cast.officer
    action._change_reason = "Recruitment delayed"
    action.version += 1
    action.save()
    client.force_login(cast.board_member)
    page = client.get(action_url(cast, action)).content.decode()
    assert "Action: changed by Olivia Officer" in page
    assert "why: “Recruitment delayed”" in page
    assert "Not started" in page and "At risk" in page


def test_action_page_shows_the_action_as_it_stood_on_a_date(client, cast):
    action = ActionItem.objects.get(pk=cast.action.pk)
    for record in action.history.all():
        record.history_date = record.history_date.replace(year=2024)
        record.save()
    action.title = "A new title"
    action.save()
    client.force_login(cast.board_member)
    earlier = client.get(
        action_url(cast, action), {"as_at_0": "1", "as_at_1": "6", "as_at_2": "2025"}
    ).content.decode()
    assert "The action on a past date" in earlier
    assert '<dd class="govuk-summary-list__value">Action 1.1</dd>' in earlier
    before = client.get(
        action_url(cast, action), {"as_at_0": "1", "as_at_1": "1", "as_at_2": "2020"}
    ).content.decode()
    assert "The action did not exist yet on 1 January 2020." in before
    bad = client.get(action_url(cast, action), {"as_at_0": "31", "as_at_1": "2", "as_at_2": "2025"})
    assert "The date must be a real date" in bad.content.decode()


def test_todo_lists_what_needs_doing(client, cast):
    BoardMeeting.objects.create(
        area=cast.area, held_on=datetime.date.today() + datetime.timedelta(days=10)
    )
    client.force_login(cast.board_member)
    page = client.get(reverse("board:todo", kwargs={"area_slug": cast.area.slug})).content.decode()
    assert "1.1 Action 1.1" in page
    assert "The next board meeting is on" in page
    # An update for a period within the reporting period (the last 90 days, as the board
    # has not met before) covers it; see tests/board/test_todo.py for the rule.
    ProgressUpdate.objects.create(
        action=cast.action,
        period_start=datetime.date.today() - datetime.timedelta(days=30),
        period_end=datetime.date.today(),
        delivery_status="on_track",
        impact_status="some_evidence",
        narrative="Internal",
        public_summary="Public",
        author=cast.board_member,
        state="submitted",
    )
    page = client.get(reverse("board:todo", kwargs={"area_slug": cast.area.slug})).content.decode()
    assert "Nothing to update." in page
    client.force_login(cast.officer)
    page = client.get(reverse("board:todo", kwargs={"area_slug": cast.area.slug})).content.decode()
    assert "Updates waiting for your approval" in page
    assert "from Bilal Board" in page


def test_board_home_sends_a_one_area_member_straight_to_my_area(client, cast):
    client.force_login(cast.board_member)
    response = client.get(reverse("board:home"))
    assert response.status_code == 302
    assert response["Location"] == my_area_url(cast)
