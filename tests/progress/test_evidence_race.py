"""Evidence cannot land on an update that was submitted while the file was on its way.

The upload page checks the update is a draft, then reads the file; the save
(``workflow.add_evidence``) locks the update's row and checks again, so a
submission in between wins and the file is refused.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections, connection
from django.db.models.signals import pre_save

from progress import views, workflow
from progress.models import Evidence, ProgressUpdate
from tests.cast import make_cast
from tests.progress.test_evidence import PDF, post_file
from tests.progress.test_update_workflow import write_draft


def submit(update, by):
    current = ProgressUpdate.objects.get(pk=update.pk)
    workflow.apply_transition(current, "submit", by=by, expected_version=current.version)


@pytest.mark.django_db
def test_a_submission_between_the_pages_check_and_the_save_refuses_the_file(
    client, cast, monkeypatch
):
    update = write_draft(client, cast)
    original_is_valid = views.EvidenceForm.is_valid

    def submitted_meanwhile(form):
        valid = original_is_valid(form)
        submit(update, cast.board_member)  # the author submits in another tab
        return valid

    monkeypatch.setattr(views.EvidenceForm, "is_valid", submitted_meanwhile)

    response = post_file(client, cast, update, "minutes.pdf", PDF)

    assert response.status_code == 302
    assert not Evidence.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Evidence can only be added to a draft or returned update." in page
    assert ProgressUpdate.objects.get(pk=update.pk).state == ProgressUpdate.State.SUBMITTED


def new_evidence():
    return Evidence(
        title="Late file",
        visibility=Evidence.Visibility.INTERNAL,
        original_name="late.pdf",
        content_type="application/pdf",
        size=len(PDF),
        file=SimpleUploadedFile("upload.pdf", PDF),
    )


def waiting_for_a_lock():
    """Is another session of this database waiting for a row lock? Asked until it is (or 500 times)."""
    for _ in range(500):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
        threading.Event().wait(0.02)
    return False


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are a PostgreSQL behaviour"
)
@pytest.mark.django_db(transaction=True)
def test_an_upload_racing_a_submission_on_the_database_adds_nothing():
    """Session A submits and pauses holding the update's row lock; B uploads meanwhile."""
    cast = make_cast()
    update = ProgressUpdate(
        action=cast.action,
        period_start="2025-04-01",
        period_end="2025-06-30",
        delivery_status=cast.action.delivery_status,
        impact_status=cast.action.impact_status,
        narrative="Recruitment is under way.",
        public_summary="We are hiring staff.",
    )
    workflow.create_update(update, by=cast.board_member)
    stale = ProgressUpdate.objects.select_related("action__plan__area").get(pk=update.pk)
    a_holds_lock = threading.Event()
    release_a = threading.Event()
    results = {}

    def pause_while_holding_lock(sender, instance, **kwargs):
        if threading.current_thread().name == "session-a":
            a_holds_lock.set()
            release_a.wait(timeout=30)

    pre_save.connect(pause_while_holding_lock, sender=ProgressUpdate)

    def session_a():
        try:
            submit(update, cast.board_member)
            results["a"] = "submitted"
        finally:
            close_old_connections()
            connection.close()

    def session_b():
        try:
            workflow.add_evidence(stale, new_evidence(), by=cast.board_member)
            results["b"] = "added"
        except ValidationError as error:
            results["b"] = error.messages[0]
        finally:
            close_old_connections()
            connection.close()

    a = threading.Thread(target=session_a, name="session-a")
    b = threading.Thread(target=session_b, name="session-b")
    try:
        a.start()
        assert a_holds_lock.wait(timeout=10)
        b.start()
        assert waiting_for_a_lock(), "session B never waited for A's row lock"
        release_a.set()
        a.join(timeout=30)
        b.join(timeout=30)
    finally:
        release_a.set()
        pre_save.disconnect(pause_while_holding_lock, sender=ProgressUpdate)

    assert results == {
        "a": "submitted",
        "b": "Evidence can only be added to a draft or returned update.",
    }
    assert not Evidence.objects.exists()
