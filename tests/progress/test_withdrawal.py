"""A published update or public report can be withdrawn: audited, with a reason the public sees.

Nothing is deleted. The public pages and the feed show "Withdrawn on DATE:
reason" in its place, never what it said; a withdrawn report's PDF address
answers 410 Gone with a page saying why; the board still sees it, marked
withdrawn; counts leave it out. Only officers and the area's admin may
withdraw, and a withdrawal cannot be undone, in the admin or anywhere else.
"""

import datetime
import hashlib

import pytest
from defusedxml import ElementTree as ET
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from inspections.models import Membership
from kit.versioning import save_with_history
from progress import report_services, withdrawal
from progress.models import ForumResponse, ProgressReport, ProgressUpdate
from progress.tasks import generate_report
from public import selectors
from tests.cast import make_user
from tests.factories import make_action
from tests.progress import render_stubs
from tests.public.test_public_pages import publish_update, wsoa_area

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
REASON = "The figures in this update were wrong. A corrected update will follow."


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world():
    """Testshire's plan with one action and two published updates, and its people."""
    built = wsoa_area(updates=2)
    built.action = built.plan.actions.get()
    built.older, built.newer = built.action.updates.order_by("period_end")
    for role in Membership.Role:
        user = make_user(role.value)
        Membership.objects.create(user=user, area=built.area, role=role)
        setattr(built, role.value, user)
    built.outsider = make_user("outsider")
    other = wsoa_area(slug="otherton", name="Otherton", updates=0)
    Membership.objects.create(user=built.outsider, area=other.area, role=Membership.Role.AREA_ADMIN)
    return built


def publish_report(plan, *, number=1):
    content = f"%PDF-1.4 public report {number}".encode()
    report = ProgressReport(
        plan=plan,
        audience=ProgressReport.Audience.PUBLIC,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 6, 30),
        state=ProgressReport.State.PUBLISHED,
        number=number,
        html="<html><head><title>Report</title></head><body>Report</body></html>",
        sha256=hashlib.sha256(content).hexdigest(),
        published_at=timezone.now() - datetime.timedelta(days=2),
    )
    report.pdf.save("report.pdf", ContentFile(content), save=False)
    report.save()
    return report


def notice_for(record):
    record.refresh_from_db()
    return f"Withdrawn on {timezone.localdate(record.withdrawn_at):%-d %B %Y}: {record.withdraw_reason}"


def finding_url(world):
    return reverse("public:area-finding", args=[world.area.slug, world.action.finding_id])


def withdraw_url(world, update):
    return reverse("progress:update-withdraw", args=[world.area.slug, update.pk])


def feed_entries(client, slug):
    response = client.get(reverse("public:area-feed", args=[slug]))
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    return [
        {
            "id": entry.findtext(f"{ATOM}id"),
            "title": entry.findtext(f"{ATOM}title"),
            "summary": entry.findtext(f"{ATOM}summary") or "",
            "updated": entry.findtext(f"{ATOM}updated"),
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]


# Withdrawing an update: the page, the service, the history


def test_an_officer_confirms_then_withdraws_with_a_reason_kept_in_the_history(client, world):
    client.force_login(world.officer)
    url = withdraw_url(world, world.newer)
    page = client.get(url)
    assert page.status_code == 200
    assert "You cannot undo this" in page.text
    assert "Why are you withdrawing it?" in page.text
    # No reason: nothing happens, and the page says what is missing.
    refused = client.post(url, {"reason": "  ", "version": world.newer.version})
    assert refused.status_code == 200
    assert "Enter why it is being withdrawn" in refused.text
    world.newer.refresh_from_db()
    assert world.newer.state == ProgressUpdate.State.PUBLISHED
    # Too long: refused too.
    too_long = client.post(url, {"reason": "Wrong. " * 100, "version": world.newer.version})
    assert "500 characters or fewer" in too_long.text
    # With a reason: withdrawn, by whom, when and why, and back to the action.
    done = client.post(url, {"reason": REASON, "version": world.newer.version})
    assert done.status_code == 302
    assert done["Location"].endswith(f"#update-{world.newer.pk}")
    world.newer.refresh_from_db()
    assert world.newer.state == ProgressUpdate.State.WITHDRAWN
    assert world.newer.withdrawn_by == world.officer
    assert world.newer.withdraw_reason == REASON
    assert world.newer.withdrawn_at is not None
    # Nothing deleted: what it said is kept, for the board.
    assert world.newer.public_summary == "Update 2 on 1.1."
    latest = world.newer.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == world.officer
    assert latest.history_change_reason.startswith(f"Withdrawn: {REASON}")
    assert latest.state == ProgressUpdate.State.WITHDRAWN


def test_the_area_admin_may_withdraw_too(world):
    withdrawal.withdraw_update(world.newer, by=world.area_admin, reason=REASON)
    world.newer.refresh_from_db()
    assert world.newer.state == ProgressUpdate.State.WITHDRAWN


@pytest.mark.parametrize("who", ["board_member", "forum", "outsider", "anonymous"])
def test_board_members_the_forum_outsiders_and_visitors_cannot_withdraw(client, world, who):
    if who != "anonymous":
        client.force_login(getattr(world, who))
    url = withdraw_url(world, world.newer)
    expected = {"board_member": 403, "forum": 403, "outsider": 404, "anonymous": 302}[who]
    assert client.get(url).status_code == expected
    assert client.post(url, {"reason": REASON, "version": 1}).status_code == expected
    world.newer.refresh_from_db()
    assert world.newer.state == ProgressUpdate.State.PUBLISHED
    assert world.newer.history.count() == 1  # only its creation
    if who in ("board_member", "forum"):
        with pytest.raises(PermissionDenied):
            withdrawal.withdraw_update(world.newer, by=getattr(world, who), reason=REASON)


def test_the_board_sees_the_withdraw_button_only_for_officers_on_published_updates(client, world):
    action_page = reverse("board:action", args=[world.area.slug, world.action.pk])
    client.force_login(world.officer)
    assert withdraw_url(world, world.newer) in client.get(action_page).text
    client.force_login(world.board_member)
    assert withdraw_url(world, world.newer) not in client.get(action_page).text


def test_only_a_published_update_can_be_withdrawn_and_only_once(client, world):
    draft = ProgressUpdate.objects.create(
        action=world.action,
        period_start=datetime.date(2025, 7, 1),
        period_end=datetime.date(2025, 9, 30),
        delivery_status="on_track",
        impact_status="some_evidence",
        narrative="Draft words",
        public_summary="Draft summary",
    )
    with pytest.raises(ValidationError, match="Only a published update"):
        withdrawal.withdraw_update(draft, by=world.officer, reason=REASON)
    withdrawal.withdraw_update(world.newer, by=world.officer, reason=REASON)
    with pytest.raises(ValidationError, match="already been withdrawn"):
        withdrawal.withdraw_update(world.newer, by=world.officer, reason="Again")
    # The page sends the officer back, saying so.
    client.force_login(world.officer)
    response = client.get(withdraw_url(world, world.newer), follow=True)
    assert "This update has already been withdrawn." in response.text


def test_a_withdrawal_cannot_be_undone_or_rewritten(world):
    withdrawal.withdraw_update(world.newer, by=world.officer, reason=REASON)
    update = ProgressUpdate.objects.get(pk=world.newer.pk)
    update.state = ProgressUpdate.State.PUBLISHED
    with pytest.raises(ValidationError, match="withdraw"):
        save_with_history(update, by=world.officer, reason="Undo")
    # Even a save that skips the checks (a shell, say) is refused by the model itself.
    with pytest.raises(ValidationError, match="stays withdrawn"):
        update.save()
    update = ProgressUpdate.objects.get(pk=world.newer.pk)
    update.withdraw_reason = "A different story"
    with pytest.raises(ValidationError, match="stays withdrawn"):
        save_with_history(update, by=world.officer, reason="Rewrite")


def test_the_database_refuses_a_withdrawal_without_a_reason(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressUpdate.objects.filter(pk=world.older.pk).update(
            state=ProgressUpdate.State.WITHDRAWN, withdrawn_at=timezone.now()
        )
    update = ProgressUpdate.objects.get(pk=world.older.pk)
    update.state = ProgressUpdate.State.WITHDRAWN
    update.withdrawn_at = timezone.now()
    with pytest.raises(ValidationError, match="Say why it is being withdrawn"):
        update.full_clean()


def test_the_admin_shows_a_withdrawn_update_read_only(client, world):
    root = get_user_model().objects.create_superuser(
        username="root", email="root@example.org", password="a-long-test-password"
    )
    withdrawal.withdraw_update(world.newer, by=world.officer, reason=REASON)
    client.force_login(root)
    url = reverse("admin:progress_progressupdate_change", args=[world.newer.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="withdraw_reason"' not in page.text
    assert 'name="state"' not in page.text
    delete = reverse("admin:progress_progressupdate_delete", args=[world.newer.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


# What the public sees


def test_the_public_page_shows_the_notice_in_place_of_the_text(client, world):
    evidence = world.newer.evidence.get()
    evidence_url = reverse("public:public-evidence", args=[world.area.slug, evidence.uuid])
    before = client.get(finding_url(world))
    assert "Update 2 on 1.1." in before.text
    assert client.get(evidence_url).status_code == 200

    withdrawal.withdraw_update(world.newer, by=world.officer, reason=REASON)

    # The page was cached before: saving the withdrawal cleared the area's pages.
    after = client.get(finding_url(world))
    assert after.status_code == 200
    assert notice_for(world.newer) in after.text
    assert "Update 2 on 1.1." not in after.text
    # The action now shows the update before it; the withdrawn one's evidence is gone.
    assert "Update 1 on 1.1." in after.text
    assert client.get(evidence_url).status_code == 404


def test_the_feed_replaces_the_entry_with_the_notice(client, world):
    def entry(entries):
        return next(e for e in entries if e["id"].endswith(f"#update-{world.newer.pk}"))

    before = entry(feed_entries(client, world.area.slug))
    assert "Update 2 on 1.1." in before["summary"]

    withdrawal.withdraw_update(world.newer, by=world.officer, reason=REASON)

    entries = feed_entries(client, world.area.slug)
    after = entry(entries)
    assert after["id"] == before["id"]  # the same entry, so news readers replace it
    assert after["title"].startswith("Withdrawn: update on action 1.1")
    assert notice_for(world.newer) in after["summary"]
    assert "Update 2 on 1.1." not in after["summary"]
    assert after["updated"] > before["updated"]
    assert not any("Update 2 on 1.1." in e["summary"] for e in entries)


def test_counts_and_the_forum_leave_a_withdrawn_update_out(world):
    now = timezone.now()
    action = world.action
    # Only one update on a second action: withdrawn, the action has no published update.
    second = make_action(
        plan=world.plan, finding=world.findings[0], lead=world.council, ref="1.2", due="2030-03-31"
    )
    only = publish_update(second, summary="The only update.", delivery="delivered")
    assert set(ProgressUpdate.objects.published()) == {world.older, world.newer, only}
    withdrawal.withdraw_update(only, by=world.officer, reason=REASON)
    withdrawal.withdraw_update(world.newer, by=world.officer, reason=REASON)
    assert set(ProgressUpdate.objects.published()) == {world.older}
    by_ref = {a.ref: a for a in selectors.public_actions(world.plan, now)}
    assert by_ref["1.1"].update_id == world.older.pk
    assert by_ref["1.2"].update_id is None and by_ref["1.2"].delivery_status is None
    page = selectors.area_page(world.area, now=now)
    assert "delivered" not in page["summary"].actions.delivery_text
    assert "with no published update yet" in page["summary"].actions.delivery_text
    # The forum cannot respond to a withdrawn update.
    response = ForumResponse(
        update=ProgressUpdate.objects.get(pk=only.pk), kind="acknowledge", responded_by=world.forum
    )
    with pytest.raises(ValidationError):
        response.full_clean()
    assert action.pk  # the action itself is untouched


def test_an_update_withdrawn_before_its_publication_time_was_never_public(client, world):
    world.newer.publish_at = timezone.now() + datetime.timedelta(days=1)
    world.newer.save()
    withdrawal.withdraw_update(world.newer, by=world.officer, reason=REASON)
    assert not withdrawal.public_withdrawn_updates().filter(pk=world.newer.pk).exists()
    assert REASON not in client.get(finding_url(world)).text


# Reports


def test_an_officer_withdraws_a_public_report_and_its_pdf_is_gone(client, world):
    report = publish_report(world.plan)
    pdf_url = reverse("public:public-report", args=[world.area.slug, report.uuid])
    area_url = reverse("public:area", args=[world.area.slug])
    assert client.get(pdf_url).status_code == 200
    assert pdf_url in client.get(area_url).text

    client.force_login(world.board_member)
    url = reverse("progress:report-withdraw", args=[world.area.slug, report.pk])
    assert client.post(url, {"reason": REASON}).status_code == 403
    client.force_login(world.officer)
    page = client.get(url)
    assert page.status_code == 200
    assert "You cannot undo this" in page.text
    assert client.post(url, {"reason": REASON}).status_code == 302
    report.refresh_from_db()
    assert report.state == ProgressReport.State.WITHDRAWN
    assert report.number == 1 and report.sha256  # kept as it was
    latest = report.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == world.officer
    assert latest.history_change_reason.startswith(f"Withdrawn: {REASON}")

    # The board still sees it, marked withdrawn, and may still read its PDF.
    board_page = client.get(reverse("progress:report", args=[world.area.slug, report.pk]))
    assert "Withdrawn" in board_page.text and REASON in board_page.text
    board_pdf = reverse("progress:report-pdf", args=[world.area.slug, report.pk])
    assert client.get(board_pdf).status_code == 200

    client.logout()
    gone = client.get(pdf_url)
    assert gone.status_code == 410
    assert notice_for(report) in gone.text
    assert gone["Content-Type"].startswith("text/html")
    area_page = client.get(area_url).text
    assert pdf_url not in area_page
    assert notice_for(report) in area_page
    titles = [e["title"] for e in feed_entries(client, world.area.slug)]
    assert "Progress report: Progress report 1 withdrawn" in titles


def test_a_board_pack_is_never_withdrawn_here(world):
    report = publish_report(world.plan)
    report.audience = ProgressReport.Audience.BOARD
    report.save()
    with pytest.raises(ValidationError, match="Only a public report"):
        withdrawal.withdraw_report(report, by=world.officer, reason=REASON)


def test_a_report_after_a_withdrawn_one_takes_the_next_number(world, monkeypatch):
    first = publish_report(world.plan)
    withdrawal.withdraw_report(first, by=world.officer, reason=REASON)
    render_stubs.draw_with(monkeypatch, render_stubs.tiny_pdf)
    report = report_services.request_report(
        plan=world.plan,
        audience=ProgressReport.Audience.PUBLIC,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 9, 30),
        by=world.officer,
    )
    generate_report.call(report.pk)
    report.refresh_from_db()
    assert report.state == ProgressReport.State.READY, report.error
    assert report.snapshot["planned_number"] == 2
    assert report_services.publish_report(report, by=world.officer).number == 2
