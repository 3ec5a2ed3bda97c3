"""Writing, submitting, approving, returning and publishing a progress update."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionItem
from progress.models import ProgressUpdate

pytestmark = pytest.mark.django_db


def update_payload(**overrides):
    data = {
        "period_start_0": "1",
        "period_start_1": "4",
        "period_start_2": "2025",
        "period_end_0": "30",
        "period_end_1": "6",
        "period_end_2": "2025",
        "delivery_status": "not_started",
        "impact_status": "no_evidence_yet",
        "status_change_reason": "",
        "narrative": "Recruitment for the new clinic is under way.",
        "public_summary": "We are hiring staff for a new clinic.",
    }
    data.update(overrides)
    return data


def create_url(cast):
    return reverse(
        "progress:update-create", kwargs={"area_slug": cast.area.slug, "action_pk": cast.action.pk}
    )


def step_url(cast, update, step):
    return reverse(
        "progress:update-transition",
        kwargs={"area_slug": cast.area.slug, "pk": update.pk, "transition": step},
    )


def write_draft(client, cast, **overrides):
    client.force_login(cast.board_member)
    response = client.post(create_url(cast), update_payload(**overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return ProgressUpdate.objects.latest("pk")


def test_a_board_member_writes_a_draft(client, cast):
    update = write_draft(client, cast)
    assert update.state == ProgressUpdate.State.DRAFT
    assert update.author == cast.board_member
    assert update.period_start == datetime.date(2025, 4, 1)
    record = update.history.get()
    assert record.history_user == cast.board_member


def test_missing_fields_are_explained_on_the_same_page(client, cast):
    client.force_login(cast.board_member)
    response = client.post(
        create_url(cast),
        update_payload(period_start_0="", period_start_1="", period_start_2="", narrative=""),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Enter the start of the period covered" in page
    assert "Enter the internal narrative" in page
    # What was typed is still there.
    assert "We are hiring staff for a new clinic." in page
    assert not ProgressUpdate.objects.exists()


def test_an_impossible_date_is_explained(client, cast):
    client.force_login(cast.board_member)
    response = client.post(create_url(cast), update_payload(period_end_0="31", period_end_1="2"))
    assert "The end of the period covered must be a real date" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_a_status_change_needs_a_reason(client, cast):
    client.force_login(cast.board_member)
    response = client.post(create_url(cast), update_payload(delivery_status="at_risk"))
    assert "Enter the reason the status is changing" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_the_whole_cycle_records_who_when_and_why(client, cast):
    update = write_draft(
        client,
        cast,
        delivery_status="on_track",
        impact_status="some_evidence",
        status_change_reason="Clinic opened in May.",
    )
    response = client.post(step_url(cast, update, "submit"), {"version": update.version})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.SUBMITTED

    client.force_login(cast.officer)
    response = client.post(
        step_url(cast, update, "return"), {"version": update.version, "reason": "Add the dates."}
    )
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.RETURNED
    assert update.return_reason == "Add the dates."

    client.force_login(cast.board_member)
    todo = client.get(reverse("board:todo", kwargs={"area_slug": cast.area.slug}))
    assert "Returned because: Add the dates." in todo.content.decode()
    edit_url = reverse(
        "progress:update-edit", kwargs={"area_slug": cast.area.slug, "pk": update.pk}
    )
    response = client.post(
        edit_url,
        update_payload(
            delivery_status="on_track",
            impact_status="some_evidence",
            status_change_reason="Clinic opened on 12 May.",
            version=update.version,
        ),
    )
    assert response.status_code == 302
    update.refresh_from_db()
    client.post(step_url(cast, update, "submit"), {"version": update.version})

    client.force_login(cast.officer)
    update.refresh_from_db()
    client.post(step_url(cast, update, "approve"), {"version": update.version})
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.APPROVED
    assert update.approved_by == cast.officer
    action = ActionItem.objects.get(pk=cast.action.pk)
    assert (action.delivery_status, action.impact_status) == ("on_track", "some_evidence")
    assert "Clinic opened on 12 May." in action.history.latest().history_change_reason

    client.post(step_url(cast, update, "publish"), {"version": update.version, "when": "now"})
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.PUBLISHED
    assert update.publish_at <= timezone.now()

    reasons = list(
        update.history.order_by("history_date", "history_id").values_list(
            "history_user__username", "state", "history_change_reason"
        )
    )
    assert reasons == [
        ("bilal", "draft", "Draft update started"),
        ("bilal", "submitted", "Submitted for approval"),
        ("olivia", "returned", "Returned for changes: Add the dates."),
        ("bilal", "returned", "Draft edited"),
        ("bilal", "submitted", "Submitted for approval"),
        ("olivia", "approved", "Approved"),
        # The reading age of the public summary is kept with the publication.
        ("olivia", "published", "Published; reading age 7"),
    ]
    page = client.get(
        reverse("board:action", kwargs={"area_slug": cast.area.slug, "pk": cast.action.pk})
    ).content.decode()
    assert "Returned for changes: Add the dates." in page
    assert "Olivia Officer" in page


def test_publication_can_be_scheduled(client, cast):
    update = write_draft(client, cast)
    client.post(step_url(cast, update, "submit"), {"version": update.version})
    client.force_login(cast.officer)
    update.refresh_from_db()
    client.post(step_url(cast, update, "approve"), {"version": update.version})
    update.refresh_from_db()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        step_url(cast, update, "publish"),
        {
            "version": update.version,
            "when": "later",
            "publish_date_0": tomorrow.day,
            "publish_date_1": tomorrow.month,
            "publish_date_2": tomorrow.year,
            "publish_time": "09:30",
        },
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.PUBLISHED
    assert timezone.localtime(update.publish_at).date() == tomorrow
    assert "Scheduled for publication" in update.history.latest().history_change_reason


def test_a_publication_time_in_the_past_is_refused(client, cast):
    update = write_draft(client, cast)
    client.post(step_url(cast, update, "submit"), {"version": update.version})
    client.force_login(cast.officer)
    update.refresh_from_db()
    client.post(step_url(cast, update, "approve"), {"version": update.version})
    update.refresh_from_db()
    response = client.post(
        step_url(cast, update, "publish"),
        {
            "version": update.version,
            "when": "later",
            "publish_date_0": "1",
            "publish_date_1": "1",
            "publish_date_2": "2020",
            "publish_time": "09:30",
        },
    )
    assert "must be in the future" in response.content.decode()
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.APPROVED


def test_returning_needs_a_reason(client, cast):
    update = write_draft(client, cast)
    client.post(step_url(cast, update, "submit"), {"version": update.version})
    client.force_login(cast.officer)
    update.refresh_from_db()
    response = client.post(step_url(cast, update, "return"), {"version": update.version})
    assert "Enter the reason you are returning this update" in response.content.decode()
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.SUBMITTED


def test_nobody_approves_their_own_update(client, cast):
    client.force_login(cast.officer)
    response = client.post(create_url(cast), update_payload())
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    client.post(step_url(cast, update, "submit"), {"version": update.version})
    update.refresh_from_db()
    response = client.post(step_url(cast, update, "approve"), {"version": update.version})
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.SUBMITTED


def test_a_board_member_cannot_approve_or_publish(client, cast):
    update = write_draft(client, cast)
    client.post(step_url(cast, update, "submit"), {"version": update.version})
    update.refresh_from_db()
    for step in ("approve", "return", "publish"):
        response = client.post(step_url(cast, update, step), {"version": update.version})
        assert response.status_code == 403
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.SUBMITTED
    assert update.history.count() == 2


def test_someone_from_another_area_sees_nothing(client, cast):
    update = write_draft(client, cast)
    client.force_login(cast.outsider)
    assert client.get(step_url(cast, update, "submit")).status_code == 404
    response = client.post(step_url(cast, update, "submit"), {"version": update.version})
    assert response.status_code == 404
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.DRAFT


def test_a_step_out_of_order_is_explained(client, cast):
    update = write_draft(client, cast)
    client.force_login(cast.officer)
    response = client.post(
        step_url(cast, update, "publish"), {"version": update.version, "when": "now"}
    )
    assert response.status_code == 200
    assert "This update is draft, so it cannot be published now." in response.content.decode()
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.DRAFT


def test_a_submitted_update_cannot_be_edited(client, cast):
    update = write_draft(client, cast)
    client.post(step_url(cast, update, "submit"), {"version": update.version})
    update.refresh_from_db()
    edit_url = reverse(
        "progress:update-edit", kwargs={"area_slug": cast.area.slug, "pk": update.pk}
    )
    response = client.post(edit_url, update_payload(narrative="Changed", version=update.version))
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.narrative == "Recruitment for the new clinic is under way."


def test_a_comment_on_submitting_or_approving_is_kept_in_history(client, cast):
    update = write_draft(client, cast)
    client.post(
        step_url(cast, update, "submit"),
        {"version": update.version, "reason": "Ready for the June board."},
    )
    update.refresh_from_db()
    assert update.history.latest().history_change_reason == (
        "Submitted for approval: Ready for the June board."
    )
    client.force_login(cast.officer)
    client.post(step_url(cast, update, "approve"), {"version": update.version, "reason": "Clear."})
    update.refresh_from_db()
    assert update.history.latest().history_change_reason == "Approved: Clear."


# Maker and checker: nobody who wrote or changed the text approves or publishes it.


def edit_url(cast, update):
    return reverse("progress:update-edit", kwargs={"area_slug": cast.area.slug, "pk": update.pk})


def officer_rewrites_and_submits(client, cast):
    update = write_draft(client, cast)
    client.force_login(cast.officer)
    response = client.post(
        edit_url(cast, update),
        update_payload(narrative="The officer's own words.", version=update.version),
    )
    assert response.status_code == 302
    update.refresh_from_db()
    response = client.post(step_url(cast, update, "submit"), {"version": update.version})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.SUBMITTED
    return update


def test_an_officer_who_changed_the_text_cannot_approve_it(client, cast):
    update = officer_rewrites_and_submits(client, cast)
    response = client.post(step_url(cast, update, "approve"), {"version": update.version})
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.SUBMITTED
    # Nor is the button offered on the action's page.
    page = client.get(
        reverse("board:action", kwargs={"area_slug": cast.area.slug, "pk": cast.action.pk})
    )
    assert step_url(cast, update, "approve") not in page.content.decode()


def test_a_second_officer_approves_and_the_writer_cannot_publish(client, cast):
    update = officer_rewrites_and_submits(client, cast)
    client.force_login(cast.second_officer)
    response = client.post(step_url(cast, update, "approve"), {"version": update.version})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.APPROVED

    client.force_login(cast.officer)
    response = client.post(
        step_url(cast, update, "publish"), {"version": update.version, "when": "now"}
    )
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.APPROVED

    client.force_login(cast.second_officer)
    response = client.post(
        step_url(cast, update, "publish"), {"version": update.version, "when": "now"}
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.PUBLISHED


def test_an_officer_who_only_returned_an_update_may_still_approve_it(client, cast):
    update = write_draft(client, cast)
    client.post(step_url(cast, update, "submit"), {"version": update.version})
    update.refresh_from_db()
    client.force_login(cast.officer)
    client.post(step_url(cast, update, "return"), {"version": update.version, "reason": "Dates."})
    client.force_login(cast.board_member)
    update.refresh_from_db()
    client.post(
        edit_url(cast, update), update_payload(narrative="With dates.", version=update.version)
    )
    update.refresh_from_db()
    client.post(step_url(cast, update, "submit"), {"version": update.version})
    update.refresh_from_db()
    client.force_login(cast.officer)
    response = client.post(step_url(cast, update, "approve"), {"version": update.version})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.APPROVED


# Deleting a draft.


def delete_url(cast, update):
    return reverse("progress:update-delete", kwargs={"area_slug": cast.area.slug, "pk": update.pk})


def test_a_board_member_deletes_their_own_draft_with_a_record_in_history(client, cast):
    update = write_draft(client, cast)
    page = client.get(
        reverse("board:action", kwargs={"area_slug": cast.area.slug, "pk": cast.action.pk})
    )
    assert delete_url(cast, update) in page.content.decode()
    assert client.get(delete_url(cast, update)).status_code == 200
    response = client.post(delete_url(cast, update), {"version": update.version})
    assert response.status_code == 302
    assert not ProgressUpdate.objects.filter(pk=update.pk).exists()
    deleted = ProgressUpdate.history.filter(id=update.pk, history_type="-").get()
    assert deleted.history_user == cast.board_member
    assert deleted.history_change_reason == "Draft update deleted"


def test_another_board_member_cannot_delete_a_draft_but_an_officer_can(client, cast):
    update = write_draft(client, cast)
    client.force_login(cast.second_board_member)
    assert client.post(delete_url(cast, update), {"version": update.version}).status_code == 403
    assert ProgressUpdate.objects.filter(pk=update.pk).exists()
    client.force_login(cast.officer)
    assert client.post(delete_url(cast, update), {"version": update.version}).status_code == 302
    assert not ProgressUpdate.objects.filter(pk=update.pk).exists()


def test_a_submitted_update_cannot_be_deleted(client, cast):
    update = write_draft(client, cast)
    client.post(step_url(cast, update, "submit"), {"version": update.version})
    update.refresh_from_db()
    response = client.post(delete_url(cast, update), {"version": update.version})
    assert response.status_code == 302
    assert ProgressUpdate.objects.filter(pk=update.pk).exists()
    page = client.get(response["Location"])
    assert "can no longer be deleted" in page.content.decode()


def test_a_stale_or_absurd_version_does_not_delete(client, cast):
    update = write_draft(client, cast)
    for version in (update.version + 5, "9" * 26, "-1", ""):
        response = client.post(delete_url(cast, update), {"version": version})
        assert response.status_code == 200
    assert ProgressUpdate.objects.filter(pk=update.pk).exists()


def test_the_writers_are_read_again_after_an_edit_through_the_services(client, cast):
    from progress import workflow

    update = write_draft(client, cast)
    workflow.apply_transition(
        update, "submit", by=cast.board_member, expected_version=update.version
    )
    assert workflow.may(update, cast.officer, "approve")  # read and kept on the object
    workflow.apply_transition(
        update, "return", by=cast.officer, expected_version=update.version, reason="Dates."
    )
    update.narrative = "The officer's own words."
    workflow.edit_update(update, by=cast.officer, expected_version=update.version)
    workflow.apply_transition(update, "submit", by=cast.officer, expected_version=update.version)
    assert not workflow.may(update, cast.officer, "approve")
    assert workflow.may(update, cast.second_officer, "approve")
