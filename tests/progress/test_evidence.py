"""Evidence files: accepted by what they contain, refused with a clear reason."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from progress.models import Evidence
from tests.progress.test_update_workflow import write_draft

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def office_file(folder="word/", extra=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload_url(cast, update):
    return reverse(
        "progress:evidence-upload", kwargs={"area_slug": cast.area.slug, "pk": update.pk}
    )


def post_file(client, cast, update, name, content, visibility="internal"):
    return client.post(
        upload_url(cast, update),
        {
            "title": "Workshop minutes",
            "visibility": visibility,
            "file": SimpleUploadedFile(name, content, content_type="application/octet-stream"),
        },
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("minutes.pdf", PDF, "application/pdf"),
        ("chart.png", PNG, "image/png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        (
            "plan.docx",
            office_file("word/"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "figures.xlsx",
            office_file("xl/"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("figures.csv", b"quarter,rate\nQ1,45.2\n", "text/csv"),
        ("notes.txt", "Plain notes – with a dash".encode(), "text/plain"),
    ],
)
def test_allowed_files_are_stored_with_their_real_type(client, cast, name, content, content_type):
    update = write_draft(client, cast)
    response = post_file(client, cast, update, name, content, visibility="public")
    assert response.status_code == 302, response.content.decode()[:3000]
    evidence = Evidence.objects.get()
    assert evidence.content_type == content_type
    assert evidence.original_name == name
    assert evidence.visibility == "public"
    assert evidence.uploaded_by == cast.board_member
    # The stored name comes from the portal, never from the uploader.
    assert name not in evidence.file.name
    assert evidence.history.get().history_user == cast.board_member


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.pdf", b"", "The selected file is empty"),
        ("program.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "must be a PDF, Word, Excel"),
        (
            "macro.xlsm",
            office_file("xl/", {"xl/vbaProject.bin": b"macro"}),
            "The selected file contains macros",
        ),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "old Office format"),
        ("latin1.csv", "caf\xe9".encode("latin-1"), "must be saved as UTF-8"),
        ("fake.docx", b"PK\x03\x04not really a zip", "must be a PDF, Word, Excel"),
    ],
)
def test_refused_files_say_why_and_save_nothing(client, cast, name, content, message):
    update = write_draft(client, cast)
    response = post_file(client, cast, update, name, content)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "govuk-error-summary" in page
    assert not Evidence.objects.exists()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(client, cast):
    update = write_draft(client, cast)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"0" * (210 * 1024 * 1024))
    bomb = buffer.getvalue()
    assert len(bomb) < 1024 * 1024
    response = post_file(client, cast, update, "bomb.docx", bomb)
    assert "unpacks to more than 200 MB" in response.content.decode()
    assert not Evidence.objects.exists()


@override_settings(EVIDENCE_MAX_BYTES=1024)
def test_a_file_over_the_size_limit_is_refused(client, cast):
    update = write_draft(client, cast)
    response = post_file(client, cast, update, "big.pdf", PDF + b"0" * 2048)
    assert "The selected file must be smaller than" in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_missing_file_and_title_are_explained(client, cast):
    update = write_draft(client, cast)
    response = client.post(upload_url(cast, update), {"visibility": "internal"})
    page = response.content.decode()
    assert "Select a file to upload" in page
    assert "Enter a title for the evidence" in page


def test_evidence_downloads_only_for_members_of_the_area(client, cast):
    update = write_draft(client, cast)
    post_file(client, cast, update, "minutes.pdf", PDF)
    evidence = Evidence.objects.get()
    url = reverse(
        "progress:evidence-download", kwargs={"area_slug": cast.area.slug, "pk": evidence.pk}
    )
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="Workshop minutes.pdf"')
    assert b"".join(response.streaming_content) == PDF
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    other = reverse(
        "progress:evidence-download", kwargs={"area_slug": cast.other_area.slug, "pk": evidence.pk}
    )
    assert client.get(other).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
