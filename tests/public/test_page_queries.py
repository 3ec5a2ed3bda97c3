"""The area page and the home page read a fixed number of queries, however big the story.

Times are measured by bench/area_page.py and bench/home_page.py; here only query
counts and the HTML the fast paths build are checked.
"""

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from actions.models import Plan
from inspections.models import Inspection, Membership
from kit.templatetags.portal_tags import public_action_rows, status_tag
from progress import withdrawal
from progress.models import BoardMeeting, Measure, MeasureValue, ProgressUpdate
from public import cache, selectors
from public.selectors import PublicAction, area_page
from tests.cast import make_user
from tests.factories import (
    make_action,
    make_area,
    make_finding,
    make_inspection,
    make_organisation,
    make_plan,
)
from tests.public.test_public_pages import publish_update


def build_area(slug, *, actions_per_finding, findings=3):
    """An area with an outcome 3 inspection, its published plan, actions, updates and a measure."""
    area = make_area(slug=slug)
    lead = make_organisation(slug=f"{slug}-council")
    inspection = make_inspection(
        area=area,
        ref="2024-inspection",
        framework=Inspection.Framework.AREA_SEND_2023,
        start="2024-04-08",
        end="2024-04-26",
        received="2024-06-03",
        published="2024-06-10",
        outcome=Inspection.Outcome.SYSTEMIC,
    )
    found = [make_finding(inspection=inspection, number=n) for n in range(1, findings + 1)]
    plan = make_plan(
        inspection=inspection,
        kind=Plan.Kind.PRIORITY_ACTION,
        status=Plan.Status.PUBLISHED,
        submitted="2024-07-01",
        published="2024-07-15",
        findings=found,
    )
    for i, finding in enumerate(found, start=1):
        for j in range(1, actions_per_finding + 1):
            action = make_action(
                plan=plan, finding=finding, lead=lead, ref=f"{i}.{j}", due="2025-03-31"
            )
            for period in (1, 2):
                publish_update(
                    action, summary=f"Summary {i}.{j} for period {period}.", period=period
                )
    measure = Measure.objects.create(
        area=area,
        plan=plan,
        slug="waits",
        name="Assessments on time",
        definition="A definition.",
        source="A source.",
        unit="percent",
        is_public=True,
    )
    for month in (1, 2, 3):
        MeasureValue.objects.create(
            measure=measure,
            period_end=datetime.date(2025, month, 28),
            numerator=40 + month,
            denominator=100,
            value=40 + month,
        )
    BoardMeeting.objects.create(
        area=area,
        held_on=timezone.localdate() + datetime.timedelta(days=20),
        title="Improvement board",
        is_published=True,
    )
    return area


def count_queries(django_assert_max_num_queries, client, url):
    cache.clear_public_cache()
    with django_assert_max_num_queries(100) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.django_db
def test_the_area_page_reads_the_same_queries_with_twice_the_actions(
    client, django_assert_max_num_queries
):
    build_area("small", actions_per_finding=2)
    build_area("large", actions_per_finding=4)
    small, _ = count_queries(
        django_assert_max_num_queries, client, reverse("public:area", args=["small"])
    )
    large, response = count_queries(
        django_assert_max_num_queries, client, reverse("public:area", args=["large"])
    )
    assert small == large
    # The area with its inspections and reviews; findings with their verdicts;
    # interventions with the findings they cover; plans with the findings they
    # answer; board meetings; reports; the plan's actions with their latest
    # published updates (on PostgreSQL one query, a LATERAL join; elsewhere the
    # actions, then the updates); deadline rules with the plan's stated dates;
    # measures with their values; the next scheduled publication (forgotten by the
    # clear before it, in this test's transaction).
    assert large == (10 if connection.vendor == "postgresql" else 11)
    # Every action is in its finding's table, once.
    page = response.content.decode()
    for i in (1, 2, 3):
        for j in (1, 2, 3, 4):
            assert page.count(f"{i}.{j} Action {i}.{j}</td>") == 1


@pytest.mark.django_db
def test_each_findings_table_lists_only_its_own_actions_in_order():
    area = build_area("testshire", actions_per_finding=3)
    context = area_page(area)
    groups = context["finding_groups"]
    assert [[a.ref for a in group.actions] for group in groups] == [
        ["1.1", "1.2", "1.3"],
        ["2.1", "2.2", "2.3"],
        ["3.1", "3.2", "3.3"],
    ]
    assert all(a.finding_id == g.finding.pk for g in groups for a in g.actions)
    assert [group.latest.ref for group in groups] == ["1.3", "2.3", "3.3"]


@pytest.mark.django_db
def test_the_home_page_reads_the_same_queries_at_3_and_12_areas(
    client, django_assert_max_num_queries
):
    for n in range(1, 4):
        build_area(f"area-{n}", actions_per_finding=2)
    few, _ = count_queries(django_assert_max_num_queries, client, reverse("public:home"))
    for n in range(4, 13):
        build_area(f"area-{n}", actions_per_finding=2)
    many, response = count_queries(django_assert_max_num_queries, client, reverse("public:home"))
    assert few == many
    # Areas; inspections; findings; verdicts; plans; interventions; board meetings;
    # measures with their values; deadline rules and stated dates (reviews only when
    # a rule counts from them); actions with their latest published updates; the
    # findings the plans address; the next scheduled publication.
    assert many == 13
    page = response.content.decode()
    assert page.count('class="portal-area"') == 12
    assert page.count("Next board meeting:") == 12


def _old_tag(status, label):
    """The tag as format_html built it before, to check the fast path's HTML byte for byte."""
    from kit.templatetags.portal_tags import TAG_COLOURS

    colour = TAG_COLOURS.get(status, "grey")
    css = f"govuk-tag govuk-tag--{colour}" if colour else "govuk-tag"
    return format_html('<strong class="{}">{}</strong>', css, label or status)


def _old_rows(actions):
    none_yet = "No published update yet"

    def overdue(item):
        if not item.overdue:
            return ""
        return format_html(
            ' <strong class="govuk-tag govuk-tag--red">Overdue</strong> '
            '<span class="portal-secondary-text">due {}</span>',
            f"{item.due_date:%-d %B %Y}",
        )

    return format_html_join(
        "\n",
        '<tr class="govuk-table__row"><td class="govuk-table__cell">{} {}</td>'
        '<td class="govuk-table__cell">{}{}</td><td class="govuk-table__cell">{}</td></tr>',
        (
            (
                item.ref,
                item.title,
                _old_tag(item.delivery_status, item.delivery_label)
                if item.delivery_label
                else none_yet,
                overdue(item),
                _old_tag(item.impact_status, item.impact_label) if item.impact_label else none_yet,
            )
            for item in actions
        ),
    )


def public_action(ref, title, *, delivery=None, impact=None, overdue=False):
    labels = {"on_track": "On track", "off_track": "Off track", "some_evidence": "Some evidence"}
    return PublicAction(
        pk=1,
        ref=ref,
        title=title,
        finding_id=1,
        due_date=datetime.date(2025, 3, 1),
        public_summary="",
        is_illustrative=False,
        lead_name="Council",
        update_id=None,
        delivery_status=delivery,
        impact_status=impact,
        delivery_label=labels.get(delivery),
        impact_label=labels.get(impact),
        summary=None,
        summary_period_end=None,
        overdue=overdue,
    )


def test_the_action_rows_are_the_same_html_as_format_html_built():
    actions = [
        public_action("1.1", "Waits <under> 18 weeks & \"fair\" for 'all'", delivery="on_track"),
        public_action("1.2", "Plans on time", delivery="off_track", impact="some_evidence"),
        public_action("1.3", "Nothing yet", overdue=True),
        public_action("2.1<b>", "Late & off track", delivery="off_track", overdue=True),
    ]
    rows = public_action_rows(actions)
    assert rows == _old_rows(actions)
    assert "Waits &lt;under&gt; 18 weeks &amp; &quot;fair&quot; for &#x27;all&#x27;" in rows
    assert str(status_tag("mystery", "A <b> tag")) == str(_old_tag("mystery", "A <b> tag"))


@pytest.mark.django_db
def test_the_page_cache_lasts_until_the_next_publication_and_no_longer():
    area = build_area("testshire", actions_per_finding=1)
    assert cache._timeout() == cache.DEFAULT_TIMEOUT
    action = area.plans.get().actions.first()
    soon = publish_update(action, summary="Coming soon.", period=3)
    soon.publish_at = timezone.now() + datetime.timedelta(seconds=120)
    soon.save()
    assert 1 <= cache._timeout() <= 120
    # An update approved but not published says nothing about when a page goes stale.
    # (A change no signal reports is followed by clear_public_cache, as its docstring says.)
    ProgressUpdate.objects.filter(pk=soon.pk).update(state=ProgressUpdate.State.APPROVED)
    cache.clear_public_cache()
    assert cache._timeout() == cache.DEFAULT_TIMEOUT


@pytest.mark.django_db
def test_the_next_publication_is_worked_out_when_updates_change_not_on_every_page(
    django_assert_num_queries,
):
    area = build_area("testshire", actions_per_finding=1)
    cache._timeout()
    with django_assert_num_queries(0):  # kept from the last time
        assert cache._timeout() == cache.DEFAULT_TIMEOUT
    action = area.plans.get().actions.first()
    soon = publish_update(action, summary="Coming soon.", period=3)
    soon.publish_at = timezone.now() + datetime.timedelta(seconds=120)
    soon.save()  # the save forgets the kept answer
    with django_assert_num_queries(1):
        assert 1 <= cache._timeout() <= 120
    with django_assert_num_queries(0):
        assert 1 <= cache._timeout() <= 120
    # Once that publication's time has come, the next one is read again.
    later = timezone.now() + datetime.timedelta(seconds=121)
    with mock.patch("public.cache.timezone.now", return_value=later), django_assert_num_queries(1):
        assert cache._timeout() == cache.DEFAULT_TIMEOUT


def test_the_next_publication_has_its_own_partial_index():
    (index,) = [i for i in ProgressUpdate._meta.indexes if i.name == "progress_update_next_publish"]
    assert index.fields == ["publish_at"]
    assert index.condition.children == [("state", ProgressUpdate.State.PUBLISHED)]


@pytest.mark.django_db
def test_one_plans_two_queries_give_the_actions_the_join_of_many_plans_gives():
    """A plan's pages read its actions, then their latest updates by pk; the home page
    joins many plans' actions to theirs. Both pick the same update: the latest
    published whose time has come, never a draft, a withdrawn or a scheduled one."""
    area = build_area("pair", actions_per_finding=3)
    plan = Plan.objects.get(area=area)
    actions = list(plan.actions.order_by("ref"))
    now = timezone.now()
    later = now + datetime.timedelta(days=3)
    # Newer than the published ones, but not for the public: a draft, a withdrawn
    # update and one scheduled for later; one action has no update at all.
    officer = make_user("officer")
    Membership.objects.create(user=officer, area=area, role=Membership.Role.OFFICER)
    for action, state, publish_at in (
        (actions[0], ProgressUpdate.State.DRAFT, None),
        (actions[1], ProgressUpdate.State.PUBLISHED, now - datetime.timedelta(minutes=5)),
        (actions[2], ProgressUpdate.State.PUBLISHED, later),
    ):
        newest = publish_update(action, summary=f"Not for the public {action.ref}.", period=3)
        ProgressUpdate.objects.filter(pk=newest.pk).update(state=state, publish_at=publish_at)
    withdrawal.withdraw_update(
        actions[1].updates.get(period_start__year=2025, period_start__month=7),
        by=officer,
        reason="Published in error: the figures were for another period.",
    )
    actions[3].updates.all().delete()
    other = build_area("other", actions_per_finding=2)
    other_plan = Plan.objects.get(area=other)

    # Two updates for the same period published at the same moment: the newer pk wins.
    tied = publish_update(actions[4], summary="The later of two at once.", period=3)
    twin = publish_update(actions[4], summary="The earlier of two at once.", period=3)
    ProgressUpdate.objects.filter(pk__in=[tied.pk, twin.pk]).update(
        period_start=twin.period_start, period_end=twin.period_end, publish_at=twin.publish_at
    )
    newer = max(tied.pk, twin.pk)

    # One plan's rows: on PostgreSQL in one query (a LATERAL join), and read by lookup.
    for moment in (now, later):
        assert selectors._plan_action_rows(plan.pk, moment) == (
            selectors._plan_action_rows_by_lookup(plan.pk, moment)
        )
    one = selectors.public_actions(plan, now)
    assert {a.ref: a.update_id for a in one}[actions[4].ref] == newer
    many = selectors.public_actions_for_plans([other_plan, plan], now)
    assert one == many[plan.pk]
    assert selectors.public_actions(other_plan, now) == many[other_plan.pk]
    by_ref = {action.ref: action for action in one}
    assert len(one) == 9 and "Not for the public" not in repr(one)
    assert by_ref[actions[3].ref].update_id is None
    assert by_ref[actions[0].ref].summary == f"Summary {actions[0].ref} for period 2."
    # Once the scheduled update's time comes, both read it.
    assert selectors.public_actions(plan, later)[2].summary == "Not for the public 1.3."
    assert selectors.public_actions_for_plans([plan], later)[plan.pk] == (
        selectors.public_actions(plan, later)
    )


def test_a_value_is_escaped_exactly_as_django_escapes_it():
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe

    from kit.templatetags.portal_tags import escape_value

    values = [
        "Plain words",
        'Tom & Jerry\'s <b>"quoted"</b>',
        "&amp; already",
        "'",
        '"',
        "<",
        ">",
        "&",
        "",
        "Café – “smart” quotes",
        mark_safe("<em>safe</em>"),
        2026,
        None,
        datetime.date(2026, 3, 31),
    ]
    for value in values:
        assert escape_value(value) == str(conditional_escape(value)), value
