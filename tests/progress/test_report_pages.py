"""Generating, previewing, downloading and publishing progress reports through the board pages."""

import datetime
import hashlib
import io

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from pypdf import PdfReader

from progress.models import ProgressReport, ProgressUpdate
from tests.cast import publish_for_report
from tests.progress import render_stubs

pytestmark = pytest.mark.django_db


def reports_url(cast):
    return reverse("progress:reports", kwargs={"area_slug": cast.area.slug})


def report_url(cast, report, name="progress:report"):
    return reverse(name, kwargs={"area_slug": cast.area.slug, "pk": report.pk})


def ask_for(client, cast, audience, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reports_url(cast),
            {
                "plan": cast.plan.pk,
                "audience": audience,
                "period_start_0": "1",
                "period_start_1": "1",
                "period_start_2": "2025",
                "period_end_0": "31",
                "period_end_1": "12",
                "period_end_2": "2025",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ProgressReport.objects.latest("pk")


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def published_update(cast):
    return publish_for_report(cast, narrative="INTERNAL-NARRATIVE-MARKER")


def test_an_officer_generates_previews_downloads_and_publishes_a_public_report(
    client, cast, published_update, django_capture_on_commit_callbacks
):
    client.force_login(cast.officer)
    report = ask_for(client, cast, "public", django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert report.state == ProgressReport.State.READY, report.error
    page = client.get(report_url(cast, report)).content.decode()
    assert "Ready to check" in page
    assert "Publish this report" in page

    preview = client.get(report_url(cast, report, "progress:report-preview")).content.decode()
    assert "Families now get a named contact." in preview
    assert "INTERNAL-NARRATIVE-MARKER" not in preview

    download = client.get(report_url(cast, report, "progress:report-pdf"))
    data = b"".join(download.streaming_content)
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == report.sha256
    assert "Families now get a named contact." in pdf_text(data)

    response = client.post(report_url(cast, report), {"action": "publish"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.number) == (ProgressReport.State.PUBLISHED, 1)
    assert report.history.latest().history_change_reason == "Published as report 1"
    assert report.history.latest().history_user == cast.officer

    # Families find it on the public page, frozen: the bytes whose SHA-256 publishing
    # stored (the checked text, drawn without the draft marks and with its number).
    client.logout()
    area_page = client.get(reverse("public:area", kwargs={"slug": cast.area.slug}))
    public_url = reverse(
        "public:public-report", kwargs={"slug": cast.area.slug, "uuid": report.uuid}
    )
    assert public_url in area_page.content.decode()
    public = client.get(public_url)
    assert hashlib.sha256(b"".join(public.streaming_content)).hexdigest() == report.sha256


def test_a_published_report_cannot_be_published_again(
    client, cast, published_update, django_capture_on_commit_callbacks
):
    client.force_login(cast.officer)
    report = ask_for(client, cast, "public", django_capture_on_commit_callbacks)
    client.post(report_url(cast, report), {"action": "publish"})
    response = client.post(report_url(cast, report), {"action": "publish"})
    assert response.status_code == 409
    assert "This report is already published." in response.content.decode()
    report.refresh_from_db()
    assert report.number == 1


def test_reports_are_numbered_per_plan_and_a_stale_one_must_be_generated_again(
    client, cast, published_update, django_capture_on_commit_callbacks
):
    client.force_login(cast.officer)
    first = ask_for(client, cast, "public", django_capture_on_commit_callbacks)
    second = ask_for(client, cast, "public", django_capture_on_commit_callbacks)
    client.post(report_url(cast, first), {"action": "publish"})
    response = client.post(report_url(cast, second), {"action": "publish"})
    assert "Generate this report again" in response.content.decode()
    third = ask_for(client, cast, "public", django_capture_on_commit_callbacks)
    client.post(report_url(cast, third), {"action": "publish"})
    third.refresh_from_db()
    assert third.number == 2
    assert "Report 2" in pdf_text(third.pdf.open("rb").read())


def test_a_board_pack_is_never_listed_or_served_publicly(
    client, cast, published_update, django_capture_on_commit_callbacks
):
    client.force_login(cast.officer)
    report = ask_for(client, cast, "board_pack", django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert "INTERNAL-NARRATIVE-MARKER" in report.html
    client.post(report_url(cast, report), {"action": "publish"})
    report.refresh_from_db()
    assert report.state == ProgressReport.State.PUBLISHED
    client.logout()
    page = client.get(reverse("public:area", kwargs={"slug": cast.area.slug})).content.decode()
    assert str(report.uuid) not in page
    url = reverse("public:public-report", kwargs={"slug": cast.area.slug, "uuid": report.uuid})
    assert client.get(url).status_code == 404


def test_a_report_that_cannot_be_generated_says_why_and_can_be_tried_again(
    client, cast, published_update, django_capture_on_commit_callbacks, monkeypatch
):
    from progress import pdf

    def broken(html, **kwargs):
        raise pdf.ReportRenderTimeout("The report took too long to draw.")

    render_stubs.draw_with(monkeypatch, broken)
    client.force_login(cast.officer)
    report = ask_for(client, cast, "public", django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert report.state == ProgressReport.State.FAILED
    page = client.get(report_url(cast, report)).content.decode()
    assert "The report could not be generated: The report took too long to draw." in page
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(report_url(cast, report), {"action": "retry"})
    report.refresh_from_db()
    assert report.state == ProgressReport.State.READY


def test_the_request_form_explains_bad_input(client, cast):
    client.force_login(cast.officer)
    response = client.post(
        reports_url(cast),
        {"period_start_0": "31", "period_start_1": "2", "period_start_2": "2025"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select the plan the report is about" in page
    assert "Select who the report is for" in page
    assert "The start of the period must be a real date" in page
    assert "Enter the end of the period" in page
    assert not ProgressReport.objects.exists()


def test_a_queued_report_page_offers_a_check_and_never_reloads_itself(client, cast):
    report = ProgressReport.objects.create(
        plan=cast.plan,
        audience="public",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 6, 30),
    )
    client.force_login(cast.board_member)
    response = client.get(report_url(cast, report))
    # A Refresh header would move a screen reader back to the top every few seconds.
    assert "Refresh" not in response
    page = response.content.decode()
    assert "The report is being generated" in page
    assert "Check again" in page
    status_url = reverse("progress:report-status", args=[cast.area.slug, report.pk])
    assert f'data-portal-report-status="{status_url}"' in page
    assert 'aria-live="polite" id="report-state"' in page


def test_the_report_status_says_its_state_to_members_only(client, cast):
    report = ProgressReport.objects.create(
        plan=cast.plan,
        audience="public",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 6, 30),
    )
    status_url = reverse("progress:report-status", args=[cast.area.slug, report.pk])
    client.force_login(cast.board_member)
    response = client.get(status_url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "state": "queued",
        "label": "Waiting to be generated",
        "working": True,
    }
    ProgressReport.objects.filter(pk=report.pk).update(state=ProgressReport.State.READY)
    assert client.get(status_url).json()["working"] is False
    client.force_login(cast.outsider)
    assert client.get(status_url).status_code == 404
    client.logout()
    assert client.get(status_url).status_code == 302


def test_markup_in_user_text_reaches_the_pdf_only_as_words(
    client, cast, published_update, django_capture_on_commit_callbacks
):
    published_update.public_summary = (
        'See <img src="http://127.0.0.1:9/tracker.png"> and '
        '<link rel="attachment" href="file:///etc/passwd"> here.'
    )
    ProgressUpdate.objects.filter(pk=published_update.pk).update(
        public_summary=published_update.public_summary
    )
    client.force_login(cast.officer)
    report = ask_for(client, cast, "public", django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert report.state == ProgressReport.State.READY, report.error
    assert "&lt;img src=" in report.html
    data = report.pdf.open("rb").read()
    assert b"root:" not in data
    reader = PdfReader(io.BytesIO(data))
    assert not reader.attachments
    assert '<img src="http://127.0.0.1:9/tracker.png">' in pdf_text(data).replace("\n", " ")


def test_the_web_preview_is_a_styled_page_with_a_skip_link_main_and_a_way_back(
    client, cast, published_update, django_capture_on_commit_callbacks
):
    """The audit found the preview unstyled (its <base> was refused by the portal's own
    content security policy) and without <main>, a skip link or a way back."""
    client.force_login(cast.officer)
    report = ask_for(client, cast, "public", django_capture_on_commit_callbacks)
    response = client.get(report_url(cast, report, "progress:report-preview"))
    preview = response.content.decode()

    assert "<base" not in preview
    assert "base-uri 'none'" in response["Content-Security-Policy"]
    assert 'href="/static/portal/report.css"' in preview
    assert 'href="/static/portal/report-preview.css"' in preview
    assert finders.find("portal/report-preview.css")
    skip = preview.index('<a href="#main-content" class="preview-skip-link">')
    main = preview.index('<main id="main-content" tabindex="-1">')
    assert preview.index("<body") < skip < main < preview.index("</main></body>")
    assert f'<a href="{report_url(cast, report)}">Back to the report’s page</a>' in preview
    # The contents' links stay on this page.
    assert '<a href="#summary">Summary</a>' in preview
