"""Evidence files and report PDFs in either kind of storage: a folder, or S3-compatible object storage.

Each test runs twice: with files in a folder (FileSystemStorage, the default)
and with files in a bucket (django-storages' S3 backend, configured exactly as
the settings configure it for FILE_STORAGE=s3) on a local S3-compatible server:
moto in server mode, started once for the test session on a free port of
127.0.0.1. Files go in through the board's form and the report worker and come
out only through the portal's own pages, which check who may see them. A
report's PDF is checked against its SHA-256 every time it is sent; a changed
one is refused with a page that says so.
"""

import contextlib
import datetime
import hashlib
import json
import logging
import subprocess
import sys
import tracemalloc
import urllib.error
import urllib.request
import uuid

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.test import override_settings
from django.urls import reverse

from actions.models import Plan
from progress import files
from progress.models import Evidence, ProgressReport, ProgressUpdate
from send_portal import health
from tests.progress import render_stubs, test_report_pages
from tests.progress.test_evidence import PDF, post_file
from tests.progress.test_report_pages import ask_for, report_url
from tests.progress.test_update_workflow import write_draft
from tests.test_settings import BASE_DIR, clean_environment

pytestmark = pytest.mark.django_db
published_update = test_report_pages.published_update  # a fixture: a published update to report

BUCKET = "portal-files"
REGION = "eu-west-2"
KEYS = {"access_key": "test-key-id", "secret_key": "test-secret-key"}

STORAGE_SETTINGS = """
import json
import django
from django.conf import settings

django.setup()
print(json.dumps({"FILE_STORAGE": settings.FILE_STORAGE, "default": settings.STORAGES["default"]}))
"""


def load_settings(tmp_path, **variables):
    """Start the portal's settings in a new process with these variables; (process, settings)."""
    result = subprocess.run(  # noqa: S603 - a fixed command with this interpreter
        [sys.executable, "-c", STORAGE_SETTINGS],
        env=clean_environment(tmp_path, DEBUG="true", **variables),
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result, json.loads(result.stdout) if result.returncode == 0 else None


@pytest.fixture(scope="session")
def s3_endpoint():
    """A local S3-compatible server for the session, with the portal's bucket made."""
    import boto3
    from moto.server import ThreadedMotoServer

    werkzeug_log = logging.getLogger("werkzeug")
    level = werkzeug_log.level
    werkzeug_log.setLevel(logging.ERROR)  # not a line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    # moto keeps its buckets per process, so a module that imports this fixture (the
    # backup tests) starts a second server that already has the bucket.
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
    yield endpoint
    server.stop()
    werkzeug_log.setLevel(level)


@pytest.fixture(scope="session")
def s3_storage_settings(s3_endpoint, tmp_path_factory):
    """STORAGES["default"] exactly as the settings make it from FILE_STORAGE=s3 and its variables."""
    result, loaded = load_settings(
        tmp_path_factory.mktemp("s3-settings"),
        FILE_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_ENDPOINT_URL=s3_endpoint,
        AWS_S3_REGION_NAME=REGION,
        AWS_LOCATION="portal",
    )
    assert result.returncode == 0, result.stderr
    return loaded["default"]


@pytest.fixture(params=["filesystem", "s3"])
def storage(request, tmp_path):
    """The default storage for one test: a fresh folder, or a fresh prefix in the bucket."""
    if request.param == "filesystem":
        default = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        }
    else:
        configured = request.getfixturevalue("s3_storage_settings")
        options = {**configured["OPTIONS"], **KEYS}
        # The settings' own prefix, with a folder per test so that tests never meet.
        options["location"] = f"{options['location']}/{uuid.uuid4().hex}"
        default = {**configured, "OPTIONS": options}
    with override_settings(STORAGES={**settings.STORAGES, "default": default}):
        backend = storages["default"]
        # The models' file fields use the lazy default storage, so they follow the override.
        assert Evidence._meta.get_field("file").storage is default_storage
        default_storage._setup()
        assert default_storage._wrapped is backend
        yield backend


def s3_client(backend):
    return backend.connection.meta.client


def assert_private(backend, name):
    """The stored object can be read with the portal's keys only, never by anyone else."""
    if not hasattr(backend, "bucket_name"):
        return
    key = f"{backend.location}/{name}"
    grants = s3_client(backend).get_object_acl(Bucket=backend.bucket_name, Key=key)["Grants"]
    assert [g["Grantee"].get("URI") for g in grants if g["Grantee"].get("URI")] == []
    # An anonymous request for the object itself is refused.
    address = f"{backend.endpoint_url}/{backend.bucket_name}/{key}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(address, timeout=10)  # noqa: S310 - the local test server
    assert refused.value.code == 403
    # Any address the storage could give out is signed and expires.
    assert "X-Amz-Signature=" in backend.url(name)
    assert "X-Amz-Expires=" in backend.url(name)


def replace_stored(backend, name, content):
    """Change a stored file's bytes behind the portal's back, keeping its name."""
    backend.delete(name)
    assert backend.save(name, ContentFile(content)) == name


def downloaded(response):
    return b"".join(response.streaming_content)


def make_report(client, cast, django_capture_on_commit_callbacks, monkeypatch, content):
    """Ask for a public report through the board's page; the worker stores ``content`` as its PDF."""
    render_stubs.draw_with(monkeypatch, lambda html, **options: content)
    client.force_login(cast.officer)
    report = ask_for(client, cast, "public", django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert report.state == ProgressReport.State.READY, report.error
    return report


def publish(client, cast, report):
    response = client.post(report_url(cast, report), {"action": "publish"})
    report.refresh_from_db()
    return response


def public_report_url(cast, report):
    return reverse("public:public-report", kwargs={"slug": cast.area.slug, "uuid": report.uuid})


# Evidence


def test_evidence_is_stored_privately_and_sent_only_through_the_board_page(client, cast, storage):
    update = write_draft(client, cast)
    response = post_file(client, cast, update, "minutes.pdf", PDF)
    assert response.status_code == 302, response.content.decode()[:2000]
    evidence = Evidence.objects.get()
    assert storage.exists(evidence.file.name)
    assert evidence.file.name.startswith(f"evidence/{cast.area.slug}/")
    assert_private(storage, evidence.file.name)

    url = reverse(
        "progress:evidence-download", kwargs={"area_slug": cast.area.slug, "pk": evidence.pk}
    )
    response = client.get(url)
    assert response.status_code == 200
    assert downloaded(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Workshop minutes.pdf"'
    assert response["Content-Length"] == str(len(PDF))
    assert response["Cache-Control"] == "private, no-store"

    # The action's page links to the portal's download page, never to the storage.
    action_page = client.get(
        reverse("board:action", kwargs={"area_slug": cast.area.slug, "pk": cast.action.pk})
    ).content.decode()
    assert url in action_page
    assert evidence.file.name not in action_page
    assert "X-Amz" not in action_page and getattr(storage, "endpoint_url", "/media/") not in (
        action_page
    )

    # Who may not see it is not sent it.
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_public_evidence_of_a_published_update_is_sent_through_the_public_page(
    client, cast, storage
):
    update = write_draft(client, cast)
    post_file(client, cast, update, "minutes.pdf", PDF, visibility="public")
    post_file(client, cast, update, "notes.pdf", PDF + b"% internal\n", visibility="internal")
    public, internal = Evidence.objects.order_by("pk")
    # The scene: the update published and its plan public.
    cast.plan.status = Plan.Status.PUBLISHED
    cast.plan.save()
    ProgressUpdate.objects.filter(pk=update.pk).update(
        state="published", publish_at=datetime.datetime(2025, 7, 10, tzinfo=datetime.UTC)
    )
    client.logout()

    response = client.get(
        reverse("public:public-evidence", kwargs={"slug": cast.area.slug, "uuid": public.uuid})
    )
    assert response.status_code == 200
    assert downloaded(response) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="workshop-minutes.pdf"'
    hidden = reverse(
        "public:public-evidence", kwargs={"slug": cast.area.slug, "uuid": internal.uuid}
    )
    assert client.get(hidden).status_code == 404


def test_an_evidence_file_missing_from_storage_is_explained_not_a_crash(
    client, cast, storage, caplog
):
    update = write_draft(client, cast)
    post_file(client, cast, update, "minutes.pdf", PDF)
    evidence = Evidence.objects.get()
    storage.delete(evidence.file.name)

    url = reverse(
        "progress:evidence-download", kwargs={"area_slug": cast.area.slug, "pk": evidence.pk}
    )
    with caplog.at_level(logging.ERROR, logger="progress.files"):
        response = client.get(url)
    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, this evidence file cannot be downloaded" in page
    assert "The stored copy cannot be found." in page
    assert f"Evidence {evidence.pk}: its file" in caplog.text


# Reports


def test_a_report_is_stored_checked_published_and_sent_as_frozen(
    client, cast, published_update, storage, django_capture_on_commit_callbacks, monkeypatch
):
    content = b"%PDF-1.7\n% report one\n" + bytes(range(256)) * 400 + b"\n%%EOF\n"
    report = make_report(client, cast, django_capture_on_commit_callbacks, monkeypatch, content)
    assert report.sha256 == hashlib.sha256(content).hexdigest()
    assert report.pdf.name.startswith(f"reports/{cast.area.slug}/")
    assert storage.exists(report.pdf.name)
    assert_private(storage, report.pdf.name)

    board_pdf = client.get(report_url(cast, report, "progress:report-pdf"))
    assert board_pdf.status_code == 200
    assert downloaded(board_pdf) == content
    assert board_pdf["Content-Disposition"].startswith("attachment;")
    assert board_pdf["Content-Length"] == str(len(content))

    assert publish(client, cast, report).status_code == 302
    assert (report.state, report.number) == (ProgressReport.State.PUBLISHED, 1)

    client.logout()
    public = client.get(public_report_url(cast, report))
    assert public.status_code == 200
    assert public["Content-Type"] == "application/pdf"
    assert public["Content-Disposition"] == (
        f'attachment; filename="{cast.area.slug}-progress-report-1.pdf"'
    )
    assert hashlib.sha256(downloaded(public)).hexdigest() == report.sha256
    area_page = client.get(reverse("public:area", kwargs={"slug": cast.area.slug}))
    assert public_report_url(cast, report) in area_page.content.decode()
    assert report.pdf.name not in area_page.content.decode()


def test_a_changed_report_pdf_is_refused_with_a_page_that_says_so(
    client,
    cast,
    published_update,
    storage,
    django_capture_on_commit_callbacks,
    monkeypatch,
    caplog,
):
    content = b"%PDF-1.7\n% the real report\n%%EOF\n"
    report = make_report(client, cast, django_capture_on_commit_callbacks, monkeypatch, content)
    publish(client, cast, report)
    replace_stored(storage, report.pdf.name, b"%PDF-1.7\n% a changed report\n%%EOF\n")

    with caplog.at_level(logging.ERROR, logger="progress.files"):
        board_pdf = client.get(report_url(cast, report, "progress:report-pdf"))
        client.logout()
        public = client.get(public_report_url(cast, report))
    for response in (board_pdf, public):
        assert response.status_code == 500
        assert response["Content-Type"].startswith("text/html")
        page = response.content.decode()
        assert "Sorry, this report cannot be downloaded" in page
        assert "not the same as the copy the portal checked" in page
        assert "a changed report" not in page
    logged = [r for r in caplog.records if r.name == "progress.files"]
    assert len(logged) == 2
    assert f"Report {report.pk}: the stored PDF" in logged[0].getMessage()
    assert report.sha256 in logged[0].getMessage()


def test_a_report_changed_before_publication_cannot_be_published(
    client, cast, published_update, storage, django_capture_on_commit_callbacks, monkeypatch
):
    report = make_report(
        client, cast, django_capture_on_commit_callbacks, monkeypatch, b"%PDF-1.7\n%%EOF\n"
    )
    # What publishing checks is the version the worker drew to be published.
    replace_stored(storage, report.prepared_pdf.name, b"%PDF-1.7\n% changed\n%%EOF\n")

    response = publish(client, cast, report)
    assert "The stored PDF to publish does not match its record. Generate the report again." in (
        response.content.decode()
    )
    assert report.state == ProgressReport.State.READY
    assert report.number is None

    storage.delete(report.prepared_pdf.name)
    response = publish(client, cast, report)
    assert "The stored PDF to publish cannot be found. Generate the report again." in (
        response.content.decode()
    )
    assert report.state == ProgressReport.State.READY


def test_a_large_report_is_checked_and_sent_without_holding_it_in_memory_whole(
    client, cast, published_update, storage, django_capture_on_commit_callbacks, monkeypatch
):
    block = hashlib.sha256(b"seed").digest() * 2048  # 64 KiB that do not compress
    content = b"%PDF-1.7\n" + block * 192 + b"\n%%EOF\n"  # 12 MiB
    report = make_report(client, cast, django_capture_on_commit_callbacks, monkeypatch, content)
    del content

    # What is sent is the whole file that was checked, streamed in blocks.
    response = client.get(report_url(cast, report, "progress:report-pdf"))
    assert response.status_code == 200 and response.streaming
    sent, size, largest = hashlib.sha256(), 0, 0
    for block in response.streaming_content:
        sent.update(block)
        size += len(block)
        largest = max(largest, len(block))
    assert sent.hexdigest() == report.sha256
    assert size == 12 * 1024 * 1024 + 16
    assert largest <= files.BLOCK

    if hasattr(storage, "bucket_name"):
        # Read back from the bucket into memory up to 5 MB, then into a temporary file.
        with files.open_report_pdf(report) as stored:
            assert stored.file._rolled
        return
    # From a folder: read and hashed in blocks, never held in memory whole.
    tracemalloc.start()
    try:
        with files.open_report_pdf(report) as stored:
            assert files.sha256_of(stored) == report.sha256
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024


# Health and settings


def test_the_storage_health_check_passes_on_working_storage(storage):
    assert health.run_checks(["storage"]) == ({"storage": "ok"}, True)


def test_the_storage_health_check_fails_when_the_bucket_is_not_there(s3_storage_settings):
    options = {**s3_storage_settings["OPTIONS"], **KEYS, "bucket_name": "no-such-bucket"}
    missing = {**s3_storage_settings, "OPTIONS": options}
    with override_settings(STORAGES={**settings.STORAGES, "default": missing}):
        assert health.run_checks(["storage"]) == ({"storage": "failed"}, False)


def test_files_are_kept_in_a_folder_unless_object_storage_is_chosen(tmp_path):
    result, loaded = load_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    assert loaded == {
        "FILE_STORAGE": "filesystem",
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def test_object_storage_is_private_by_its_settings(s3_storage_settings):
    options = s3_storage_settings["OPTIONS"]
    assert s3_storage_settings["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["bucket_name"] == BUCKET
    assert options["location"] == "portal"
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    # No keys in the settings: boto3 reads them from its own variables or the server's role.
    assert "access_key" not in options and "secret_key" not in options


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"FILE_STORAGE": "s3"}, "FILE_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME."),
        ({"FILE_STORAGE": "dropbox"}, "FILE_STORAGE must be filesystem or s3, not 'dropbox'"),
    ],
)
def test_storage_settings_that_cannot_work_stop_the_portal_starting(tmp_path, variables, message):
    result, loaded = load_settings(tmp_path, **variables)
    assert result.returncode != 0
    assert loaded is None
    assert message in result.stderr
