""" "Approve and publish now" on an update's approve page: both steps in one go, or neither."""

import dataclasses
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionItem, Plan
from kit.plain_english import check_wording
from notices.models import OutboxMessage
from progress import workflow
from progress.models import ProgressUpdate
from tests.progress.approvals import history, statuses, submitted
from tests.progress.test_plain_english import COMPLEX

pytestmark = pytest.mark.django_db

CONFIRM = "Publish anyway: I have checked the wording"


def approve_url(cast, update):
    return reverse(
        "progress:update-transition",
        kwargs={"area_slug": cast.area.slug, "pk": update.pk, "transition": "approve"},
    )


def approve_and_publish(client, cast, update, **extra):
    data = {"version": update.version, "reason": "Agreed at the board.", "approve_and_publish": ""}
    return client.post(approve_url(cast, update), {**data, **extra})


def test_the_approve_page_offers_approve_and_publish_now_and_approve_only(client, cast):
    update = submitted(cast)
    client.force_login(cast.officer)
    page = client.get(approve_url(cast, update)).text
    buttons = re.findall(r'<input type="submit"\s+name="(\w+)"\s+value="([^"]+)"', page)
    assert buttons == [
        ("approve_and_publish", "Approve and publish now"),
        ("submit", "Approve only"),
    ]
    assert "publish it from the action’s page, now or at a time you choose" in page


def test_approving_and_publishing_records_both_steps_with_who_when_and_why(client, cast):
    update = submitted(cast)
    client.force_login(cast.officer)
    before = timezone.now()

    response = approve_and_publish(client, cast, update)

    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.PUBLISHED
    assert update.approved_by == cast.officer
    assert before <= update.approved_at <= update.publish_at <= timezone.now()
    assert history(update)[-2:] == [
        ("olivia", "approved", "Approved: Agreed at the board.; approved and published together"),
        ("olivia", "published", "Published; approved and published together; reading age 7"),
    ]
    # The approval set the action's statuses, with the update's reason, as on its own.
    assert statuses(cast.action) == ("on_track", "some_evidence")
    action = ActionItem.objects.get(pk=cast.action.pk)
    assert "The clinic opened in May." in action.history.latest().history_change_reason
    page = client.get(response["Location"]).text
    assert "Update approved and published." in page


def test_approve_only_still_leaves_the_publication_for_later(client, cast):
    update = submitted(cast)
    client.force_login(cast.officer)
    response = client.post(approve_url(cast, update), {"version": update.version, "reason": ""})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.APPROVED
    assert update.publish_at is None
    assert history(update)[-1] == ("olivia", "approved", "Approved")


def test_the_writer_of_the_text_can_neither_approve_nor_publish_it(client, cast):
    update = submitted(cast, by=cast.officer)
    client.force_login(cast.officer)
    response = approve_and_publish(client, cast, update)
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.SUBMITTED
    assert len(history(update)) == 2


def test_an_officer_who_changed_the_text_cannot_approve_and_publish_it(client, cast):
    update = submitted(cast)
    # Returned, then corrected by the second officer: they wrote some of the text now.
    workflow.apply_transition(
        update, "return", by=cast.officer, expected_version=update.version, reason="Fix it."
    )
    update.refresh_from_db()
    update.public_summary = "We have hired four staff for the new clinic."
    workflow.edit_update(update, by=cast.second_officer, expected_version=update.version)
    workflow.apply_transition(
        update, "submit", by=cast.board_member, expected_version=update.version
    )
    update.refresh_from_db()
    client.force_login(cast.second_officer)
    assert approve_and_publish(client, cast, update).status_code == 403
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.SUBMITTED
    # Someone who did not write it may.
    client.force_login(cast.officer)
    assert approve_and_publish(client, cast, update).status_code == 302


@pytest.mark.parametrize(("who", "status"), [("board_member", 403), ("outsider", 404), (None, 302)])
def test_people_who_may_not_approve_change_nothing(client, cast, who, status):
    update = submitted(cast)
    if who:
        client.force_login(getattr(cast, who))
    response = approve_and_publish(client, cast, update)
    assert response.status_code == status
    if who is None:
        assert response["Location"].startswith(reverse("login"))
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.SUBMITTED
    assert len(history(update)) == 2
    assert statuses(cast.action) == ("not_started", "no_evidence_yet")


def test_a_hard_summary_is_only_approved_here_and_published_from_its_own_page(client, cast):
    update = submitted(cast, summary=COMPLEX)
    reading_age = check_wording(COMPLEX).reading_age
    client.force_login(cast.officer)
    page = client.get(approve_url(cast, update)).text
    assert "Approve and publish now" not in page
    assert CONFIRM not in page
    assert f"reading age of {reading_age}, above the limit of 12, so it cannot be" in page

    # Asked for anyway (an old page, or a made-up request): refused, nothing saved.
    refused = approve_and_publish(client, cast, update, confirm_wording="on")

    assert refused.status_code == 200
    assert 'class="govuk-error-summary' in refused.text
    assert "so it cannot be approved and published in one go" in refused.text
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.SUBMITTED
    assert len(history(update)) == 2

    approved = client.post(approve_url(cast, update), {"version": update.version})

    assert approved.status_code == 302
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.APPROVED


def test_a_change_since_the_page_was_shown_is_explained_and_changes_nothing(client, cast):
    update = submitted(cast)
    shown = update.version
    client.force_login(cast.officer)
    client.get(approve_url(cast, update))
    # Meanwhile the second officer returns it.
    workflow.apply_transition(
        update, "return", by=cast.second_officer, expected_version=shown, reason="Dates wrong."
    )
    rows = len(history(update))

    response = approve_and_publish(client, cast, update, version=shown)

    assert response.status_code == 200
    assert "Someone else changed this update while you were looking at it" in response.text
    assert "Nothing has been saved." in response.text
    assert 'class="govuk-error-summary' in response.text
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.RETURNED
    assert len(history(update)) == rows
    assert statuses(cast.action) == ("not_started", "no_evidence_yet")
    # The page now shows the update as it is, so a second try is refused for its state.
    assert "Returned because" in response.text
    again = approve_and_publish(client, cast, update)
    assert "This update is returned for changes, so it cannot be approved now." in again.text
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.RETURNED


def test_if_publishing_fails_the_approval_is_undone_too(client, cast, monkeypatch):
    update = submitted(cast)

    def refuse(update, **kwargs):
        raise ValidationError("The public site is closed for maintenance.")

    publish = workflow.TRANSITIONS["publish"]
    monkeypatch.setitem(
        workflow.TRANSITIONS, "publish", dataclasses.replace(publish, effect=refuse)
    )
    action_rows = ActionItem.objects.get(pk=cast.action.pk).history.count()
    client.force_login(cast.officer)

    response = approve_and_publish(client, cast, update)

    assert response.status_code == 200
    assert "The public site is closed for maintenance." in response.text
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.SUBMITTED
    assert update.approved_by is None
    assert len(history(update)) == 2
    assert statuses(cast.action) == ("not_started", "no_evidence_yet")
    assert ActionItem.objects.get(pk=cast.action.pk).history.count() == action_rows
    # The page shows the update as stored: still waiting for approval.
    assert "Submitted for approval" in response.text


def test_the_author_gets_one_email_and_the_public_page_shows_it(
    client, cast, django_capture_on_commit_callbacks
):
    cast.board_member.email = "bilal@example.org"
    cast.board_member.save()
    cast.plan.status = Plan.Status.PUBLISHED
    cast.plan.save()
    update = submitted(cast, summary="Families can now book the new clinic online.")
    public_page = reverse("public:area", args=[cast.area.slug])
    cache.clear()
    assert "book the new clinic online" not in client.get(public_page).text  # now cached
    client.force_login(cast.officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = approve_and_publish(client, cast, update)

    assert response.status_code == 302
    sent = list(OutboxMessage.objects.values_list("kind", "to"))
    assert sent == [("update_published", "bilal@example.org")]
    client.logout()
    assert "book the new clinic online" in client.get(public_page).text
    cache.clear()
