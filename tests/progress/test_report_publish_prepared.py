"""Publishing a report draws no PDF: the worker drew its published version with the draft.

Publishing runs in a web request with the plan's row locked. Drawing a big report
takes WeasyPrint seconds of CPU, up to the render's time limit, longer than the web
server waits, so the worker draws the report twice (the draft, with DRAFT on every
page, and the report as it will be published, with its planned number) and stores
both, each with its SHA-256. Publishing checks the prepared file, swaps it in as the
report's PDF and deletes the draft's file once committed; a missing or changed file,
or a draft made before this change, is refused with a page that says what to do.
"""

import datetime
import hashlib
import importlib.abc
import re
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import weasyprint
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse

import progress
from kit.versioning import save_with_history
from progress import files
from progress import pdf as pdf_module
from progress.models import ProgressReport
from progress.report_services import LEGACY_DRAFT, publish_report, request_report
from progress.reports import DRAFT_ROOT, published_html
from progress.tasks import NOT_PUBLISHABLE, lease_length
from tests import test_object_storage
from tests.cast import publish_for_report
from tests.pdf_reading import read, tagged_text
from tests.pdf_ua import problems
from tests.progress import render_stubs
from tests.progress.test_report_pages import ask_for, report_url

# The object storage tests' storages: a folder, and a bucket on a local S3-compatible server.
storage = test_object_storage.storage
s3_endpoint = test_object_storage.s3_endpoint
s3_storage_settings = test_object_storage.s3_storage_settings


@pytest.fixture
def world(cast):
    publish_for_report(cast)
    return cast


def stub_render(html, **options):
    """A stand-in PDF that says which version it is and of which HTML, in a few bytes."""
    kind = b"draft" if DRAFT_ROOT in html else b"published"
    digest = hashlib.sha256(html.encode()).hexdigest().encode()
    return b"%PDF-1.7\n% " + kind + b" " + digest + b"\n%%EOF\n"


@pytest.fixture
def stubbed(monkeypatch):
    render_stubs.draw_with(monkeypatch, stub_render)


def requested(cast, django_capture_on_commit_callbacks, audience="public"):
    """A report asked for, as it stands once the worker has run (the immediate task
    backend runs it on commit)."""
    with django_capture_on_commit_callbacks(execute=True):
        report = request_report(
            plan=cast.plan,
            audience=audience,
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 12, 31),
            by=cast.officer,
        )
    report.refresh_from_db()
    return report


def generated(cast, django_capture_on_commit_callbacks, audience="public"):
    """A report asked for and made."""
    report = requested(cast, django_capture_on_commit_callbacks, audience)
    assert report.state == ProgressReport.State.READY, report.error
    return report


def stored_bytes(field_file):
    with field_file.storage.open(field_file.name, "rb") as stored:
        return stored.read()


def page_texts(data):
    return [re.sub(r"\s+", " ", page.extract_text()) for page in read(data).pages]


def downloaded(response):
    return b"".join(response.streaming_content)


def as_stored(report):
    """Everything publishing could change, as the database holds it."""
    report = ProgressReport.objects.get(pk=report.pk)
    return (
        report.state,
        report.number,
        report.html,
        report.pdf.name,
        report.sha256,
        report.prepared_pdf.name,
        report.prepared_sha256,
        report.published_at,
        report.history.count(),
    )


class RefuseImports(importlib.abc.MetaPathFinder):
    """Fails any import of WeasyPrint or of the module that draws PDFs."""

    def find_spec(self, name, path, target=None):
        if name in ("weasyprint", "progress.pdf") or name.startswith("weasyprint."):
            raise AssertionError(f"publishing imported {name}")
        return None


def drawn(*args, **kwargs):
    raise AssertionError("publishing drew a PDF")


@pytest.fixture
def no_drawing(monkeypatch):
    """Drawing a PDF, or importing what draws one, fails loudly from here on."""
    render_stubs.draw_with(monkeypatch, drawn)
    monkeypatch.setattr(pdf_module, "render_pdf", drawn)
    monkeypatch.setattr(weasyprint, "HTML", drawn)
    for name in [n for n in sys.modules if n == "weasyprint" or n.startswith("weasyprint.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delitem(sys.modules, "progress.pdf")
    monkeypatch.delattr(progress, "pdf")
    monkeypatch.setattr(sys, "meta_path", [RefuseImports(), *sys.meta_path])


# Generation


@pytest.mark.django_db
def test_generating_a_report_stores_its_draft_and_its_published_version_each_with_its_hash(
    world, django_capture_on_commit_callbacks
):
    report = generated(world, django_capture_on_commit_callbacks)

    draft, final = stored_bytes(report.pdf), stored_bytes(report.prepared_pdf)
    assert hashlib.sha256(draft).hexdigest() == report.sha256
    assert hashlib.sha256(final).hexdigest() == report.prepared_sha256
    assert report.sha256 != report.prepared_sha256
    assert report.pdf.name != report.prepared_pdf.name
    for name in (report.pdf.name, report.prepared_pdf.name):
        assert name.startswith(f"reports/{world.area.slug}/{report.uuid}")
    # The files module checks each against its own hash, reading in blocks.
    files.open_report_pdf(report).close()
    files.open_prepared_pdf(report).close()

    # The draft says DRAFT on every page; the prepared one is the report as published.
    assert all("DRAFT" in text for text in page_texts(draft))
    pages = page_texts(final)
    assert not any("DRAFT" in text or "Draft report" in text for text in pages), pages
    assert "Report 1" in pages[0]
    assert report.snapshot["planned_number"] == 1
    assert problems(final) == []
    # The report's history is kept in step: its generation names both files.
    generation = report.history.latest()
    assert generation.history_change_reason == "Report generated"
    assert (generation.prepared_pdf, generation.prepared_sha256) == (
        report.prepared_pdf.name,
        report.prepared_sha256,
    )


@pytest.mark.django_db
def test_a_report_whose_published_version_cannot_be_drawn_fails_and_can_be_tried_again(
    world, django_capture_on_commit_callbacks, monkeypatch, client
):
    def draft_only(html, **options):
        if DRAFT_ROOT not in html:
            raise pdf_module.ReportRenderError("The report could not be made: it fell over.")
        return stub_render(html)

    render_stubs.draw_with(monkeypatch, draft_only)
    report = requested(world, django_capture_on_commit_callbacks)
    assert report.state == ProgressReport.State.FAILED
    assert report.error == "The report could not be made: it fell over."
    assert not report.pdf and not report.prepared_pdf  # nothing half made is kept

    render_stubs.draw_with(monkeypatch, stub_render)
    client.force_login(world.officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(report_url(world, report), {"action": "retry"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ProgressReport.State.READY
    assert report.prepared_sha256 == hashlib.sha256(stored_bytes(report.prepared_pdf)).hexdigest()


@pytest.mark.django_db
def test_a_draft_without_its_draft_marks_is_never_prepared_to_be_published(
    world, django_capture_on_commit_callbacks, monkeypatch, stubbed
):
    """Were the template to lose the marks publishing takes off, generation fails loudly
    rather than publish a PDF that says DRAFT."""
    from progress import reports

    monkeypatch.setattr(reports, "published_html", lambda html: None)
    report = requested(world, django_capture_on_commit_callbacks)
    assert (report.state, report.error) == (ProgressReport.State.FAILED, NOT_PUBLISHABLE)


def test_a_report_s_lease_covers_both_of_its_renders(settings):
    settings.REPORT_RENDER_TIMEOUT = 100
    assert lease_length() > datetime.timedelta(seconds=200)


# Publishing


@pytest.mark.django_db
def test_publishing_draws_nothing_and_the_published_pdf_has_no_draft_mark_and_its_number(
    world, client, django_capture_on_commit_callbacks, request
):
    report = generated(world, django_capture_on_commit_callbacks)
    draft_file, draft_html = report.pdf.name, report.html
    prepared_file, prepared_sha = report.prepared_pdf.name, report.prepared_sha256
    client.force_login(world.officer)
    request.getfixturevalue("no_drawing")

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(report_url(world, report), {"action": "publish"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.number) == (ProgressReport.State.PUBLISHED, 1)
    assert (report.pdf.name, report.sha256) == (prepared_file, prepared_sha)
    assert (report.prepared_pdf.name, report.prepared_sha256) == ("", "")
    assert report.html == published_html(draft_html)
    assert "DRAFT" not in report.html
    # The draft's file goes only once the publication is committed.
    assert report.pdf.storage.exists(draft_file)
    for callback in callbacks:
        callback()
    assert not report.pdf.storage.exists(draft_file)
    assert report.pdf.storage.exists(prepared_file)

    published = report.history.latest()
    assert published.history_change_reason == "Published as report 1"
    assert published.history_user == world.officer
    assert (published.pdf, published.sha256, published.prepared_pdf) == (
        prepared_file,
        prepared_sha,
        "",
    )

    # Read back as a reader meets it: no DRAFT anywhere, its number on the cover.
    with files.open_report_pdf(report) as stored:
        data = stored.read()
    pages = page_texts(data)
    for text in pages:
        assert "DRAFT" not in text and "(draft)" not in text and "Draft report" not in text
    assert "Report 1" in pages[0] and "Testshire: progress report 1" in pages[0]
    reader = read(data)
    assert reader.metadata.title.startswith("Testshire: progress report 1 – ")
    cover = " ".join(text for _, text in tagged_text(reader)[0])
    assert "DRAFT" not in cover and "Report 1" in cover


@pytest.mark.django_db
def test_the_board_offers_the_draft_until_publication_then_serves_the_published_file(
    world, client, django_capture_on_commit_callbacks, stubbed
):
    client.force_login(world.officer)
    report = ask_for(client, world, "public", django_capture_on_commit_callbacks)
    report.refresh_from_db()
    draft, final = stored_bytes(report.pdf), stored_bytes(report.prepared_pdf)
    assert draft.startswith(b"%PDF-1.7\n% draft ")
    assert final.startswith(b"%PDF-1.7\n% published ")

    # A ready report's page offers its draft to check, and the download is the draft.
    pdf_url = report_url(world, report, "progress:report-pdf")
    page = client.get(report_url(world, report)).content.decode()
    assert f'href="{pdf_url}">Download the PDF' in page and "Publish this report" in page
    response = client.get(pdf_url)
    assert downloaded(response) == draft
    assert response["Content-Disposition"].endswith('-progress-report-draft.pdf"')
    # So do the superuser's admin pages: its record names the draft as its PDF.
    root = get_user_model().objects.create_superuser(
        username="root", email="root@example.org", password="a-long-test-password"
    )
    client.force_login(root)
    admin_url = reverse("admin:progress_progressreport_change", args=[report.pk])
    admin_page = client.get(admin_url)
    assert admin_page.status_code == 200
    assert report.pdf.name in admin_page.content.decode()

    client.force_login(world.officer)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(report_url(world, report), {"action": "publish"}).status_code == 302
    report.refresh_from_db()
    response = client.get(pdf_url)
    assert downloaded(response) == final
    assert response["Content-Disposition"].endswith('-progress-report-1.pdf"')
    client.force_login(root)
    assert report.pdf.name in client.get(admin_url).content.decode()
    client.logout()
    public = client.get(
        reverse("public:public-report", kwargs={"slug": world.area.slug, "uuid": report.uuid})
    )
    assert downloaded(public) == final


@pytest.mark.django_db
@pytest.mark.parametrize("fault", ["changed", "missing"])
def test_a_changed_or_missing_prepared_file_is_refused_and_nothing_changes(
    world, client, django_capture_on_commit_callbacks, stubbed, fault, request
):
    report = generated(world, django_capture_on_commit_callbacks)
    storage = report.prepared_pdf.storage
    if fault == "changed":
        test_object_storage.replace_stored(storage, report.prepared_pdf.name, b"%PDF-1.7 other")
    else:
        storage.delete(report.prepared_pdf.name)
    before = as_stored(report)
    request.getfixturevalue("no_drawing")  # refused without drawing one instead
    client.force_login(world.officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(report_url(world, report), {"action": "publish"})
    assert response.status_code == 409
    expected = {
        "changed": "The stored PDF to publish does not match its record. Generate the report "
        "again.",
        "missing": "The stored PDF to publish cannot be found. Generate the report again.",
    }[fault]
    assert expected in response.content.decode()
    assert as_stored(report) == before
    assert report.pdf.storage.exists(report.pdf.name)  # the draft is kept


@pytest.mark.django_db
def test_a_draft_generated_before_this_change_is_refused_with_what_to_do(
    world, client, django_capture_on_commit_callbacks, stubbed
):
    """A draft with no prepared published version is not drawn in the request: the officer
    is asked to generate it again, and the new one publishes."""
    report = generated(world, django_capture_on_commit_callbacks)
    report.prepared_pdf.storage.delete(report.prepared_pdf.name)
    report.prepared_pdf, report.prepared_sha256 = "", ""
    save_with_history(report, by=None, reason="test: generated before reports were prepared")
    before = as_stored(report)
    client.force_login(world.officer)
    with pytest.MonkeyPatch.context() as patch:
        render_stubs.draw_with(patch, drawn)  # refused, not drawn in the request
        patch.setattr(pdf_module, "render_pdf", drawn)
        response = client.post(report_url(world, report), {"action": "publish"})
    assert response.status_code == 409
    assert LEGACY_DRAFT in response.content.decode()
    assert as_stored(report) == before

    again = generated(world, django_capture_on_commit_callbacks)
    assert publish_report(again, by=world.officer).number == 1


@pytest.mark.django_db
def test_a_report_made_before_drafts_were_marked_is_published_as_it_is(
    world, django_capture_on_commit_callbacks, stubbed, request
):
    """Its PDF already was the report as published: as before, it is published unchanged."""
    report = generated(world, django_capture_on_commit_callbacks)
    report.prepared_pdf, report.prepared_sha256 = "", ""
    report.html = "<html><head><title>Report 1</title></head><body>Report 1</body></html>"
    save_with_history(report, by=None, reason="test: made before drafts were marked")
    pdf_file, sha = report.pdf.name, report.sha256
    request.getfixturevalue("no_drawing")
    report = publish_report(report, by=world.officer)
    assert (report.number, report.pdf.name, report.sha256) == (1, pdf_file, sha)


# Two officers at once


@pytest.mark.django_db(transaction=True)
def test_two_reports_of_one_plan_published_at_once_get_one_number_and_a_clear_refusal(
    world, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("two transactions at once need PostgreSQL (set DATABASE_URL, as CI does)")
    render_stubs.draw_with(monkeypatch, stub_render)
    reports = []
    for _ in range(2):  # on commit, the immediate task backend generates each
        report = request_report(
            plan=world.plan,
            audience="public",
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 12, 31),
            by=world.officer,
        )
        report.refresh_from_db()
        assert report.state == ProgressReport.State.READY, report.error
        reports.append(report)
    before = [as_stored(report) for report in reports]
    start = threading.Barrier(2)

    def publish(index):
        try:
            start.wait(timeout=30)
            publish_report(reports[index], by=[world.officer, world.second_officer][index])
            return "published", index
        except ValidationError as error:
            return "refused", " ".join(error.messages)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(publish, [0, 1]))
    assert [result for result, _ in results] == ["published", "refused"], results
    assert "Report 1 was published after this one was generated" in results[1][1]
    won = results[0][1]
    winner = ProgressReport.objects.get(pk=reports[won].pk)
    assert (winner.number, winner.pdf.name) == (1, reports[won].prepared_pdf.name)
    assert stored_bytes(winner.pdf).startswith(b"%PDF-1.7\n% published ")
    assert not winner.pdf.storage.exists(reports[won].pdf.name)  # its draft, after commit
    loser = reports[1 - won]
    assert as_stored(loser) == before[1 - won]
    assert loser.pdf.storage.exists(loser.pdf.name)
    assert loser.prepared_pdf.storage.exists(loser.prepared_pdf.name)


# In either storage


@pytest.mark.django_db
def test_the_prepared_file_is_stored_privately_and_swapped_in_whatever_the_storage(
    world, client, storage, django_capture_on_commit_callbacks, stubbed
):
    client.force_login(world.officer)
    report = ask_for(client, world, "public", django_capture_on_commit_callbacks)
    report.refresh_from_db()
    draft_file, prepared_file = report.pdf.name, report.prepared_pdf.name
    assert storage.exists(draft_file) and storage.exists(prepared_file)
    test_object_storage.assert_private(storage, prepared_file)
    final = stored_bytes(report.prepared_pdf)

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(report_url(world, report), {"action": "publish"}).status_code == 302
    report.refresh_from_db()
    assert report.pdf.name == prepared_file
    assert not storage.exists(draft_file)
    client.logout()
    public = client.get(
        reverse("public:public-report", kwargs={"slug": world.area.slug, "uuid": report.uuid})
    )
    assert downloaded(public) == final
    assert hashlib.sha256(final).hexdigest() == report.sha256
