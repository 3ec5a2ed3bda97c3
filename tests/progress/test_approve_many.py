"""Approving several submitted updates at once, each under its own rules, with one reason."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inspections.models import Membership
from kit.plain_english import check_wording
from notices.models import OutboxMessage
from progress import workflow
from progress.models import ProgressUpdate
from tests.cast import make_user
from tests.progress.approvals import another_action, history, statuses, submitted
from tests.progress.test_plain_english import COMPLEX

pytestmark = pytest.mark.django_db

REASON = "Agreed at the board meeting on 3 December."


def page_url(cast, area=None):
    return reverse("progress:updates-approve", kwargs={"area_slug": (area or cast.area).slug})


def ticked(*updates, versions=None, **fields):
    """The form as a browser sends it: the ticked updates with the versions the page showed."""
    data = {
        "updates": [str(update.pk) for update in updates],
        "publish": "no",
        "reason": REASON,
        **fields,
    }
    for update in updates:
        data[f"version-{update.pk}"] = str((versions or {}).get(update.pk, update.version))
    return data


@pytest.fixture
def three(cast):
    """Three updates waiting: two from the board member, one the officer wrote."""
    clinic = another_action(cast, "1.2", "Open a new speech therapy clinic")
    waits = another_action(cast, "1.3", "Cut waiting times for assessments")
    return (
        submitted(cast),
        submitted(cast, action=clinic),
        submitted(cast, action=waits, by=cast.officer),
    )


def states(*updates):
    return [ProgressUpdate.objects.get(pk=update.pk).state for update in updates]


def summary_links(html):
    return re.findall(r'<li><a href="(#[\w-]+)">([^<]+)</a></li>', html)


def test_the_page_lists_what_i_may_approve_each_with_a_link_to_read_it(client, cast, three):
    first, _, mine = three
    client.force_login(cast.officer)
    page = client.get(page_url(cast)).text
    labels = re.findall(
        r'<label class="govuk-label govuk-checkboxes__label" for="([\w]+)">([^<]+)<', page
    )
    assert labels == [
        ("id_updates_1", "Action 1.1: Action 1.1 (1 April 2025 to 30 June 2025)"),
        (
            "id_updates_2",
            "Action 1.2: Open a new speech therapy clinic (1 April 2025 to 30 June 2025)",
        ),
    ]
    action_page = reverse(
        "board:action", kwargs={"area_slug": cast.area.slug, "pk": cast.action.pk}
    )
    assert f'href="{action_page}#update-{first.pk}"' in page
    assert "Read the update on action 1.2 (opens in new tab)" in page
    assert f'name="version-{first.pk}" value="{first.version}"' in page
    # The officer's own update is listed apart, saying why it is not theirs to approve.
    assert f'type="checkbox" value="{mine.pk}"' not in page
    assert f'type="checkbox" value="{first.pk}"' in page
    assert "Waiting for another officer" in page
    assert "You cannot approve an update you wrote or changed." in page


def test_my_to_do_links_officers_to_the_page(client, cast, three):
    todo = reverse("board:todo", kwargs={"area_slug": cast.area.slug})
    client.force_login(cast.officer)
    assert page_url(cast) in client.get(todo).text
    client.force_login(cast.board_member)
    assert page_url(cast) not in client.get(todo).text


def test_ticked_updates_are_approved_with_the_one_reason_in_each_history(client, cast, three):
    first, second, mine = three
    client.force_login(cast.officer)

    response = client.post(page_url(cast), ticked(first, second))

    assert response.status_code == 200
    page = response.text
    assert "Approved 2 of 2 updates" in page
    assert "Not approved" not in page
    assert states(first, second, mine) == ["approved", "approved", "submitted"]
    for update in (first, second):
        assert history(update)[-1] == ("olivia", "approved", f"Approved: {REASON}")
        assert statuses(update.action) == ("on_track", "some_evidence")
    assert ProgressUpdate.objects.get(pk=first.pk).publish_at is None


def test_approving_and_publishing_them_and_saying_why_not_for_the_others(client, cast, three):
    first, second, mine = three
    hard = submitted(cast, action=another_action(cast, "1.4", "Train staff"), summary=COMPLEX)
    stale = second.version
    # The board member's second update is returned and resubmitted after the page was shown.
    workflow.apply_transition(
        second, "return", by=cast.second_officer, expected_version=stale, reason="Add dates."
    )
    workflow.apply_transition(second, "submit", by=cast.board_member, expected_version=stale + 1)
    client.force_login(cast.officer)
    shown = client.get(page_url(cast)).text
    assert shown.count("above the reading-age limit, so it can be approved here") == 1

    response = client.post(
        page_url(cast),
        ticked(first, second, mine, hard, versions={second.pk: stale}, publish="yes"),
    )

    assert response.status_code == 200
    page = response.text
    assert "Approved and published 1 of 4 updates" in page
    assert "3 updates were not approved." in page
    assert states(first, second, mine, hard) == ["published", "submitted", "submitted", "submitted"]
    assert history(first)[-2:] == [
        ("olivia", "approved", f"Approved: {REASON}; approved and published together"),
        ("olivia", "published", "Published; approved and published together; reading age 7"),
    ]
    # Why not, for each of the others.
    assert "Someone changed it after this page was shown" in page
    assert "You cannot approve an update you wrote or changed." in page
    reading_age = check_wording(COMPLEX).reading_age
    assert f"reading age of {reading_age}, above the limit of 12" in page
    assert "Approve and publish it on its own page" in page
    for update in (second, mine, hard):
        assert history(update)[-1][1] == "submitted"


def test_one_update_refused_does_not_stop_the_others(client, cast, three):
    first, second, _ = three
    client.force_login(cast.officer)
    client.get(page_url(cast))
    # Someone else approves the first one while the page is open.
    workflow.apply_transition(
        first, "approve", by=cast.second_officer, expected_version=first.version
    )
    response = client.post(
        page_url(cast), ticked(first, second, versions={first.pk: first.version - 1})
    )
    assert "Approved 1 of 2 updates" in response.text
    assert "it is now approved" in response.text
    assert ProgressUpdate.objects.get(pk=first.pk).approved_by == cast.second_officer
    assert ProgressUpdate.objects.get(pk=second.pk).approved_by == cast.officer


def test_each_author_gets_one_email_per_update_published(
    client, cast, three, django_capture_on_commit_callbacks
):
    first, second, _ = three
    cast.board_member.email = "bilal@example.org"
    cast.board_member.save()
    client.force_login(cast.officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page_url(cast), ticked(first, second, publish="yes"))
    sent = sorted(OutboxMessage.objects.values_list("kind", flat=True))
    assert sent == ["update_published", "update_published"]


@pytest.mark.parametrize(
    ("change", "link", "message"),
    [
        ({"updates": []}, "#id_updates_1", "Select the updates you approve"),
        ({"reason": "  "}, "#id_reason", "Enter why you are approving them"),
        ({"publish": ""}, "#id_publish_1", "Select whether to publish the updates now as well"),
        ({"publish": "maybe"}, "#id_publish_1", "Select whether to publish the updates now"),
        ({"reason": "x" * 501}, "#id_reason", "The reason must be 500 characters or fewer"),
    ],
)
def test_bad_input_is_explained_on_the_same_page(client, cast, three, change, link, message):
    first, second, _ = three
    client.force_login(cast.officer)

    response = client.post(page_url(cast), {**ticked(first, second), **change})

    assert response.status_code == 200
    assert "<title>Error: Approve several updates" in response.text
    links = summary_links(response.text)
    assert any(target == link and text.startswith(message) for target, text in links), links
    assert states(first, second) == ["submitted", "submitted"]
    # What was ticked stays ticked.
    if change.get("updates") != []:
        assert re.search(rf'id="id_updates_1"[^>]*value="{first.pk}"[^>]*checked', response.text)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda cast, update: {"updates": [str(other(cast).pk)]},  # another area's update
        lambda cast, update: {"updates": ["99999"]},  # no such update
        lambda cast, update: {"updates": ["1" * 30]},  # too big for the database
        lambda cast, update: {"updates": ["one"]},
        lambda cast, update: {f"version-{update.pk}": ""},  # no version shown
        lambda cast, update: {f"version-{update.pk}": "9" * 30},
    ],
)
def test_tampered_ids_or_versions_are_refused_with_an_error_summary(client, cast, three, tamper):
    first, _, _ = three
    client.force_login(cast.officer)
    before = other(cast).history.count()

    response = client.post(page_url(cast), {**ticked(first), **tamper(cast, first)})

    assert response.status_code == 200
    assert ("#id_updates_1", "Select only updates from this list") in summary_links(response.text)
    assert states(first) == ["submitted"]
    assert ProgressUpdate.objects.get(pk=other(cast).pk).state == "submitted"
    assert other(cast).history.count() == before


def other(cast):
    """An update waiting for approval in Otherton, made once."""
    if not hasattr(cast, "_other"):
        writer = make_user("otto", first_name="Otto", last_name="Other")
        Membership.objects.create(
            user=writer, area=cast.other_area, role=Membership.Role.BOARD_MEMBER
        )
        cast._other = submitted(cast, action=cast.other_action, by=writer)
    return cast._other


@pytest.mark.parametrize(("who", "status"), [("board_member", 403), ("outsider", 404)])
def test_people_without_approval_rights_here_get_nothing_and_change_nothing(
    client, cast, three, who, status
):
    first, second, _ = three
    client.force_login(getattr(cast, who))
    assert client.get(page_url(cast)).status_code == status
    assert client.post(page_url(cast), ticked(first, second)).status_code == status
    assert states(first, second) == ["submitted", "submitted"]


def test_signed_out_visitors_are_sent_to_sign_in(client, cast, three):
    first, _, _ = three
    for response in (client.get(page_url(cast)), client.post(page_url(cast), ticked(first))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert states(first) == ["submitted"]


def test_an_officer_of_another_area_cannot_approve_here_or_from_their_own_page(client, cast, three):
    first, _, _ = three
    theirs = other(cast)  # Otherton's page has an update to tick
    Membership.objects.filter(user=cast.outsider).update(role=Membership.Role.OFFICER)
    client.force_login(cast.outsider)
    assert client.get(page_url(cast)).status_code == 404
    assert client.post(page_url(cast), ticked(first)).status_code == 404

    # Testshire's update ticked on Otherton's page.
    response = client.post(page_url(cast, cast.other_area), ticked(first))

    assert response.status_code == 200
    assert ("#id_updates_1", "Select only updates from this list") in summary_links(response.text)
    assert f'type="checkbox" value="{theirs.pk}"' in response.text
    assert states(first, theirs) == ["submitted", "submitted"]


def test_nothing_waiting_says_so(client, cast):
    client.force_login(cast.officer)
    page = client.get(page_url(cast)).text
    assert "No updates are waiting for you to approve them." in page
    assert '<form method="post" novalidate>' not in page


def test_the_page_reads_who_wrote_what_once_however_many_updates_wait(client, cast):
    client.force_login(cast.officer)
    counts = []
    for ref in ("2.1", "2.2"):
        submitted(cast, action=another_action(cast, ref, f"Action {ref}"))
        submitted(cast, action=another_action(cast, ref + "0", f"Action {ref}0"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page_url(cast)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
