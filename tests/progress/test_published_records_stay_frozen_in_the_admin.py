"""A published update or report cannot be changed, unpublished or re-aimed, even by a superuser."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from progress.models import ProgressReport, ProgressUpdate

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    root = get_user_model().objects.create_superuser(
        username="root", email="root@example.org", password="a-long-test-password"
    )
    client.force_login(root)
    return client


def make_update(cast, state, **extra):
    return ProgressUpdate.objects.create(
        action=cast.action,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2025, 6, 30),
        delivery_status="on_track",
        impact_status="some_evidence",
        narrative="Internal words",
        public_summary="Public words",
        author=cast.board_member,
        state=state,
        **extra,
    )


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def test_a_published_update_is_view_only(superuser_client, cast):
    update = make_update(
        cast, ProgressUpdate.State.PUBLISHED, publish_at=timezone.now() - datetime.timedelta(days=1)
    )
    page = superuser_client.get(change_url(update))
    assert page.status_code == 200
    assert 'name="narrative"' not in page.text
    assert 'name="state"' not in page.text
    # A posted change, even by hand, is refused and changes nothing.
    response = superuser_client.post(
        change_url(update),
        {
            "narrative": "Rewritten",
            "state": "draft",
            "change_reason": "Trying",
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code in (302, 403)
    update.refresh_from_db()
    assert update.narrative == "Internal words"
    assert update.state == ProgressUpdate.State.PUBLISHED
    delete = reverse("admin:progress_progressupdate_delete", args=[update.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    assert ProgressUpdate.objects.filter(pk=update.pk).exists()


def test_a_submitted_update_shows_its_text_and_state_read_only(superuser_client, cast):
    update = make_update(cast, ProgressUpdate.State.SUBMITTED)
    page = superuser_client.get(change_url(update))
    assert page.status_code == 200
    for field in ("narrative", "public_summary", "state", "publish_at"):
        assert f'name="{field}"' not in page.text, field
    # A change posted anyway leaves the text and the state as they were: no server error.
    response = superuser_client.post(
        change_url(update),
        {
            "narrative": "Rewritten",
            "state": "draft",
            "is_illustrative": "",
            "change_reason": "Trying",
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
            "evidence-MIN_NUM_FORMS": "0",
            "evidence-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code in (200, 302)
    update.refresh_from_db()
    assert update.narrative == "Internal words"
    assert update.state == ProgressUpdate.State.SUBMITTED


def test_a_draft_can_still_be_corrected_in_the_admin(superuser_client, cast):
    update = make_update(cast, ProgressUpdate.State.DRAFT)
    page = superuser_client.get(change_url(update))
    assert 'name="narrative"' in page.text


def make_report(cast, state, **extra):
    return ProgressReport.objects.create(
        plan=cast.plan,
        audience=ProgressReport.Audience.BOARD,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2025, 6, 30),
        state=state,
        **extra,
    )


def test_a_published_report_cannot_be_made_public_or_moved(superuser_client, cast):
    report = make_report(
        cast, ProgressReport.State.PUBLISHED, number=1, published_at=timezone.now(), sha256="0" * 64
    )
    page = superuser_client.get(change_url(report))
    assert page.status_code == 200
    assert 'name="audience"' not in page.text
    assert 'name="period_start' not in page.text
    response = superuser_client.post(
        change_url(report),
        {
            "audience": ProgressReport.Audience.PUBLIC,
            "period_start": "2020-01-01",
            "period_end": "2020-03-31",
            "change_reason": "Trying",
        },
    )
    assert response.status_code in (302, 403)
    report.refresh_from_db()
    assert report.audience == ProgressReport.Audience.BOARD
    assert report.period_start == datetime.date(2025, 4, 1)


def test_what_a_report_is_of_is_fixed_once_asked_for(superuser_client, cast):
    report = make_report(cast, ProgressReport.State.READY)
    page = superuser_client.get(change_url(report))
    assert page.status_code == 200
    assert 'name="audience"' not in page.text
