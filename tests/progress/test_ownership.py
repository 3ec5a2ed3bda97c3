"""Whose update it is: one table of who may do what, asked the same way by every page.

The author or an officer may edit a draft, add evidence to it and submit it;
another board member of the same area may do none of these. An officer may
not approve an update they wrote, but a second officer may.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from progress import workflow
from progress.models import Evidence, ProgressUpdate
from tests.progress.test_evidence import PDF, post_file, upload_url
from tests.progress.test_update_workflow import step_url, update_payload, write_draft

pytestmark = pytest.mark.django_db


def action_page(client, cast):
    return client.get(
        reverse("board:action", kwargs={"area_slug": cast.area.slug, "pk": cast.action.pk})
    ).text


def edit_url(cast, update):
    return reverse("progress:update-edit", kwargs={"area_slug": cast.area.slug, "pk": update.pk})


def test_another_board_member_cannot_add_evidence_to_someone_elses_draft(client, cast):
    update = write_draft(client, cast)
    client.force_login(cast.second_board_member)

    assert client.get(upload_url(cast, update)).status_code == 403
    response = post_file(client, cast, update, "minutes.pdf", PDF, visibility="public")

    assert response.status_code == 403
    assert not Evidence.objects.exists()
    assert upload_url(cast, update) not in action_page(client, cast)


@pytest.mark.parametrize("who", ["board_member", "officer", "second_officer", "area_admin"])
def test_the_author_or_an_officer_may_add_evidence(client, cast, who):
    update = write_draft(client, cast)
    client.force_login(getattr(cast, who))
    assert upload_url(cast, update) in action_page(client, cast)

    response = post_file(client, cast, update, "minutes.pdf", PDF)

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.uploaded_by == getattr(cast, who)
    assert evidence.history.get().history_user == getattr(cast, who)


def test_another_board_member_cannot_edit_or_submit_someone_elses_draft(client, cast):
    update = write_draft(client, cast)
    client.force_login(cast.second_board_member)

    assert client.get(edit_url(cast, update)).status_code == 403
    edited = client.post(
        edit_url(cast, update),
        {**update_payload(narrative="Not mine to change"), "version": update.version},
    )
    submitted = client.post(step_url(cast, update, "submit"), {"version": update.version})

    assert edited.status_code == 403
    assert submitted.status_code == 403
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.DRAFT
    assert update.narrative != "Not mine to change"
    page = action_page(client, cast)
    assert edit_url(cast, update) not in page
    assert step_url(cast, update, "submit") not in page


def test_evidence_cannot_land_on_an_update_submitted_meanwhile(client, cast):
    """The page was loaded while the update was a draft; it was submitted before the upload."""
    update = write_draft(client, cast)
    stale = ProgressUpdate.objects.select_related("action__plan__area").get(pk=update.pk)
    workflow.apply_transition(
        ProgressUpdate.objects.get(pk=update.pk),
        "submit",
        by=cast.board_member,
        expected_version=update.version,
    )
    evidence = Evidence(
        title="Late file",
        visibility=Evidence.Visibility.PUBLIC,
        original_name="late.pdf",
        content_type="application/pdf",
        size=len(PDF),
        file=SimpleUploadedFile("upload.pdf", PDF),
    )

    with pytest.raises(ValidationError, match="draft or returned"):
        workflow.add_evidence(stale, evidence, by=cast.board_member)
    assert not Evidence.objects.exists()


def test_an_officer_cannot_approve_their_own_update_but_a_second_officer_can(client, cast):
    client.force_login(cast.officer)
    client.post(
        reverse(
            "progress:update-create",
            kwargs={"area_slug": cast.area.slug, "action_pk": cast.action.pk},
        ),
        update_payload(),
    )
    update = ProgressUpdate.objects.get(author=cast.officer)
    workflow.apply_transition(update, "submit", by=cast.officer, expected_version=update.version)

    assert not workflow.may(update, cast.officer, "approve")
    with pytest.raises(PermissionDenied, match="approve an update you wrote"):
        workflow.apply_transition(
            update, "approve", by=cast.officer, expected_version=update.version
        )
    assert workflow.may(update, cast.second_officer, "approve")
    workflow.apply_transition(
        update, "approve", by=cast.second_officer, expected_version=update.version
    )
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.APPROVED
    assert update.approved_by == cast.second_officer


def test_every_step_is_a_row_of_the_one_table():
    assert set(workflow.STEPS) == {
        "edit",
        "delete",
        "add_evidence",
        "submit",
        "approve",
        "return",
        "publish",
    }
    for step in workflow.STEPS.values():
        assert step.who is not None and step.source and step.not_now
        if step.target is not None:
            assert step.effect is not None and step.done
    assert set(workflow.TRANSITIONS) == {"submit", "approve", "return", "publish"}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("board_member", {"edit", "delete", "add_evidence", "submit"}),
        ("second_board_member", set()),
        ("officer", {"edit", "delete", "add_evidence", "submit"}),
        ("area_admin", {"edit", "delete", "add_evidence", "submit"}),
        ("outsider", set()),
    ],
)
def test_may_answers_for_every_step_and_person(client, cast, who, expected):
    update = write_draft(client, cast)
    allowed = {slug for slug in workflow.STEPS if workflow.may(update, getattr(cast, who), slug)}
    assert allowed == expected
