"""Two people editing the same thing: the second is told, keeps their words, overwrites nothing."""

import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from actions.models import ActionItem
from kit.versioning import EditConflict, save_with_history
from progress.models import ProgressUpdate
from tests.cast import make_cast
from tests.progress.test_update_workflow import update_payload, write_draft


def edit_url(cast, update):
    return reverse("progress:update-edit", kwargs={"area_slug": cast.area.slug, "pk": update.pk})


@pytest.mark.django_db
def test_the_second_save_is_told_who_changed_what_and_keeps_its_text(client, cast):
    update = write_draft(client, cast)
    author, officer = Client(), Client()
    author.force_login(cast.board_member)
    officer.force_login(cast.officer)
    # Both open the edit page at the same version.
    assert author.get(edit_url(cast, update)).status_code == 200
    assert officer.get(edit_url(cast, update)).status_code == 200
    loaded = update.version

    first = officer.post(
        edit_url(cast, update),
        update_payload(narrative="Officer's correction: six staff recruited.", version=loaded),
    )
    assert first.status_code == 302

    second = author.post(
        edit_url(cast, update),
        update_payload(narrative="Author's own wording of the progress.", version=loaded),
    )
    page = second.content.decode()
    assert second.status_code == 409
    assert "Olivia Officer changed this update while you were editing it" in page
    # What changed, in words, and what the second person typed, still in the form.
    assert "Officer&#x27;s correction: six staff recruited." in page
    assert "Author&#x27;s own wording of the progress." in page
    update.refresh_from_db()
    assert update.narrative == "Officer's correction: six staff recruited."
    assert update.version == loaded + 1

    # Saving again is a decision made with the other person's change in view.
    third = author.post(
        edit_url(cast, update),
        update_payload(narrative="Author's own wording of the progress.", version=update.version),
    )
    assert third.status_code == 302
    update.refresh_from_db()
    assert update.narrative == "Author's own wording of the progress."
    assert update.history.filter(narrative="Officer's correction: six staff recruited.").exists()


@pytest.mark.django_db
def test_a_workflow_step_on_a_stale_page_changes_nothing(client, cast):
    update = write_draft(client, cast)
    stale = update.version
    client.post(
        edit_url(cast, update), update_payload(narrative="Newer text", version=update.version)
    )
    response = client.post(
        reverse(
            "progress:update-transition",
            kwargs={"area_slug": cast.area.slug, "pk": update.pk, "transition": "submit"},
        ),
        {"version": stale},
    )
    assert response.status_code == 200
    assert (
        "Someone else changed this update while you were looking at it" in response.content.decode()
    )
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.DRAFT


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are a PostgreSQL behaviour"
)
@pytest.mark.django_db(transaction=True)
def test_two_database_sessions_saving_at_once_cannot_both_win():
    """Session A locks the row and pauses; B waits for the lock, then finds it is stale."""
    cast = make_cast()
    action_pk = cast.action.pk
    loaded = ActionItem.objects.get(pk=action_pk).version
    a_holds_lock = threading.Event()
    release_a = threading.Event()
    results = {}

    def pause_while_holding_lock(sender, instance, **kwargs):
        if threading.current_thread().name == "session-a":
            a_holds_lock.set()
            release_a.wait(timeout=10)

    from django.db.models.signals import pre_save

    pre_save.connect(pause_while_holding_lock, sender=ActionItem)

    def session(name, title, user):
        try:
            action = ActionItem.objects.get(pk=action_pk)
            action.title = title
            save_with_history(action, expected_version=loaded, by=user, reason=f"Edited by {name}")
            results[name] = "saved"
        except EditConflict as conflict:
            results[name] = conflict
        finally:
            close_old_connections()
            connection.close()

    a = threading.Thread(target=session, name="session-a", args=("a", "Title from A", cast.officer))
    b = threading.Thread(
        target=session, name="session-b", args=("b", "Title from B", cast.area_admin)
    )
    try:
        a.start()
        assert a_holds_lock.wait(timeout=10)
        b.start()
        b.join(timeout=1)
        # B is blocked on A's row lock, not racing past it.
        assert b.is_alive()
        release_a.set()
        a.join(timeout=10)
        b.join(timeout=10)
    finally:
        release_a.set()
        pre_save.disconnect(pause_while_holding_lock, sender=ActionItem)

    assert results["a"] == "saved"
    conflict = results["b"]
    assert isinstance(conflict, EditConflict)
    assert [entry.who for entry in conflict.entries] == [cast.officer]
    assert [(c.label, c.new) for c in conflict.entries[0].changes] == [("Title", "Title from A")]
    action = ActionItem.objects.get(pk=action_pk)
    assert (action.title, action.version) == ("Title from A", loaded + 1)
