"""Backups: the whole portal into one file, and back into a new, empty portal with the same bytes.

The backup is taken from the test database (``manage.py backup_portal``); the
restore runs ``manage.py restore_portal`` in another process with the
production settings, pointed at a new empty database of the same kind
(PostgreSQL when the tests run on it, a new SQLite file otherwise) and an
empty media folder (or a new folder of a bucket on the local S3 server that
tests/test_object_storage.py starts). Another process then serves the
published report and the evidence through the portal's own public pages. The
refusals (a database with data, a changed byte, a file in the way, a backup
from a newer release) are checked to change nothing.
"""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from progress.models import Evidence, ProgressReport, ProgressUpdate
from tests.cast import make_cast, publish_for_report
from tests.test_object_storage import (  # noqa: F401 - s3_* are fixtures: the local S3 server
    KEYS,
    s3_client,
    s3_endpoint,
    s3_storage_settings,
)
from tests.test_settings import clean_environment

# pg_dump reads only committed data, so these tests commit theirs.
pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)
PUBLIC_EVIDENCE = b"%PDF-1.4\n% public evidence for families\n%%EOF\n"
INTERNAL_EVIDENCE = b"Board notes, internal.\n" * 100


def new_evidence(update, *, title, content, visibility):
    return Evidence.objects.create(
        update=update,
        title=title,
        file=ContentFile(content, name="upload.pdf"),
        original_name="upload.pdf",
        content_type="application/pdf",
        size=len(content),
        visibility=visibility,
    )


def build_portal(client):
    """An area with a published update, its evidence (public and internal) and a published
    public report whose PDF is drawn by WeasyPrint, in the default storage."""
    cast = make_cast()
    update = publish_for_report(cast)
    public = new_evidence(
        update, title="Survey results", content=PUBLIC_EVIDENCE, visibility="public"
    )
    internal = new_evidence(
        update, title="Board notes", content=INTERNAL_EVIDENCE, visibility="internal"
    )

    client.force_login(cast.officer)
    reports_url = reverse("progress:reports", kwargs={"area_slug": cast.area.slug})
    response = client.post(
        reports_url,
        {
            "plan": cast.plan.pk,
            "audience": "public",
            "period_start_0": "1",
            "period_start_1": "1",
            "period_start_2": "2025",
            "period_end_0": "31",
            "period_end_1": "12",
            "period_end_2": "2025",
        },
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert report.state == ProgressReport.State.READY, report.error
    report_url = reverse("progress:report", kwargs={"area_slug": cast.area.slug, "pk": report.pk})
    assert client.post(report_url, {"action": "publish"}).status_code == 302
    report.refresh_from_db()
    assert report.state == ProgressReport.State.PUBLISHED
    client.logout()
    return SimpleNamespace(
        cast=cast,
        report=report,
        public=public,
        internal=internal,
        report_url=reverse(
            "public:public-report", kwargs={"slug": cast.area.slug, "uuid": report.uuid}
        ),
        evidence_url=reverse(
            "public:public-evidence", kwargs={"slug": cast.area.slug, "uuid": public.uuid}
        ),
    )


@pytest.fixture
def portal(client):
    return build_portal(client)


@pytest.fixture
def empty_database():
    """A new, empty database of the kind the tests run on, as DATABASE_URL (None: SQLite,
    a new file in the restored portal's own folder)."""
    if connection.vendor == "sqlite":
        yield None
        return
    name = f"test_restore_{uuid.uuid4().hex[:12]}"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
    finally:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restored_portal(folder, database_url, **variables):
    """The environment of a new portal with production settings, its files in ``folder``."""
    env = clean_environment(
        folder,
        DEBUG="true",
        MEDIA_ROOT=str(folder / "media"),
        FILE_STORAGE="filesystem",
        CACHE_URL="locmem://",
        ALLOWED_HOSTS="testserver",
        TASKS_BACKEND="immediate",
    )
    for name in [name for name in env if name.startswith("AWS_")]:
        del env[name]
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(variables)
    return env


def manage(env, *args, stdin=None):
    result = subprocess.run(  # noqa: S603 - this interpreter and the project's manage.py
        [sys.executable, "manage.py", *map(str, args)],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        check=False,
    )
    return SimpleNamespace(
        returncode=result.returncode,
        stdout=result.stdout.decode(),
        stderr=result.stderr.decode(),
    )


# Asks the restored portal for pages as a visitor would, and reads files from its storage.
VISIT = """
import hashlib, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage, storages
from django.test import Client

client = Client()
for target in sys.argv[1:]:
    if target.startswith("/"):
        response = client.get(target)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        print(response.status_code, hashlib.sha256(body).hexdigest(), len(body))
    else:
        with default_storage.open(target, "rb") as stored:
            body = stored.read()
        print("file", hashlib.sha256(body).hexdigest(), len(body))
users = get_user_model().objects
newest = users.order_by("-pk").first().pk
# A new row after the restore: the database's sequences came back too.
print("new user", users.create(username="after-restore").pk > newest)
"""


def visit(env, *targets):
    result = subprocess.run(  # noqa: S603 - this interpreter and our own script
        [sys.executable, "-c", VISIT, *targets],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def back_up(tmp_path):
    archive = tmp_path / "portal-backup.tar"
    out = io.StringIO()
    call_command("backup_portal", str(archive), stdout=out)
    return archive, out.getvalue()


def manifest_of(archive):
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


def test_a_backup_restored_into_an_empty_portal_serves_the_same_report_and_evidence(
    portal, tmp_path, empty_database
):
    archive, said = back_up(tmp_path)
    assert "Backed up the database and 3 files" in said

    manifest = manifest_of(archive)
    assert manifest["database"]["engine"] == connection.vendor
    assert "progress.0001_initial" in manifest["migrations"]
    files = {entry["name"]: entry for entry in manifest["files"]}
    assert files[portal.report.pdf.name]["sha256"] == portal.report.sha256
    assert files[portal.report.pdf.name]["fields"] == ["progress.ProgressReport.pdf"]
    assert files[portal.public.file.name]["sha256"] == sha256(PUBLIC_EVIDENCE)
    assert files[portal.internal.file.name]["size"] == len(INTERNAL_EVIDENCE)
    assert manifest["missing_files"] == []

    env = restored_portal(tmp_path / "restored", empty_database)
    # Read from a pipe, as from a container: docker compose run -T web ... restore_portal - < FILE
    restored = manage(env, "restore_portal", "-", stdin=archive.read_bytes())
    assert restored.returncode == 0, restored.stderr
    assert "every file matches its SHA-256" in restored.stdout

    with default_storage.open(portal.report.pdf.name, "rb") as stored:
        pdf = stored.read()
    assert pdf.startswith(b"%PDF")
    assert visit(env, portal.report_url, portal.evidence_url, portal.internal.file.name) == [
        f"200 {portal.report.sha256} {len(pdf)}",
        f"200 {sha256(PUBLIC_EVIDENCE)} {len(PUBLIC_EVIDENCE)}",
        f"file {sha256(INTERNAL_EVIDENCE)} {len(INTERNAL_EVIDENCE)}",
        "new user True",
    ]
    # On disk in the restored portal's own storage, byte for byte.
    media = tmp_path / "restored" / "media"
    assert (media / portal.public.file.name).read_bytes() == PUBLIC_EVIDENCE
    assert (media / portal.report.pdf.name).read_bytes() == pdf


def test_a_restore_into_a_database_with_data_refuses_and_changes_nothing(portal, tmp_path):
    archive, _ = back_up(tmp_path)
    new_evidence(
        ProgressUpdate.objects.get(),
        title="Added after the backup",
        content=b"new",
        visibility="internal",
    )
    names = sorted(Evidence.objects.values_list("file", flat=True))
    before = {name: default_storage.open(name).read() for name in names}

    with pytest.raises(CommandError, match=r"already has \d+ tables.*Nothing was restored"):
        call_command("restore_portal", str(archive))

    assert Evidence.objects.count() == 3
    assert {name: default_storage.open(name).read() for name in names} == before
    report = ProgressReport.objects.get()
    assert (report.state, report.sha256) == (ProgressReport.State.PUBLISHED, portal.report.sha256)


def test_a_changed_byte_in_a_backed_up_file_is_refused_before_anything_is_restored(
    portal, tmp_path, empty_database
):
    archive, _ = back_up(tmp_path)
    tampered = tmp_path / "tampered.tar"
    tampered.write_bytes(archive.read_bytes())
    with tarfile.open(tampered) as tar:
        offset = tar.getmember(f"files/{portal.public.file.name}").offset_data
    with open(tampered, "r+b") as raw:
        raw.seek(offset + 10)
        byte = raw.read(1)
        raw.seek(offset + 10)
        raw.write(bytes([byte[0] ^ 0x01]))

    env = restored_portal(tmp_path / "restored", empty_database)
    refused = manage(env, "restore_portal", tampered)
    assert refused.returncode == 1
    assert "The backup is damaged or has been changed" in refused.stderr
    assert portal.public.file.name in refused.stderr
    assert "Nothing was restored" in refused.stderr
    media = tmp_path / "restored" / "media"
    assert not media.exists() or not any(media.rglob("*"))

    # The database and storage were left empty: the untouched backup restores into them.
    restored = manage(env, "restore_portal", archive)
    assert restored.returncode == 0, restored.stderr


def test_a_restore_never_overwrites_a_different_file_already_in_storage(
    portal, tmp_path, empty_database
):
    archive, _ = back_up(tmp_path)
    env = restored_portal(tmp_path / "restored", empty_database)
    in_the_way = tmp_path / "restored" / "media" / portal.report.pdf.name
    in_the_way.parent.mkdir(parents=True)
    in_the_way.write_bytes(b"another file")

    refused = manage(env, "restore_portal", archive)
    assert refused.returncode == 1
    assert "already in storage with other content" in refused.stderr
    assert in_the_way.read_bytes() == b"another file"

    in_the_way.unlink()
    restored = manage(env, "restore_portal", archive)
    assert restored.returncode == 0, restored.stderr


def test_files_the_records_name_but_storage_has_lost_are_listed_and_the_backup_says_so(
    portal, tmp_path
):
    default_storage.delete(portal.internal.file.name)
    archive = tmp_path / "portal-backup.tar"
    with pytest.raises(CommandError, match="records name 1 file that storage does not have"):
        call_command("backup_portal", str(archive), stdout=io.StringIO())
    manifest = manifest_of(archive)
    assert manifest["missing_files"] == [portal.internal.file.name]
    assert len(manifest["files"]) == 2

    with pytest.raises(CommandError, match="already exists"):
        call_command("backup_portal", str(archive), stdout=io.StringIO())


@pytest.fixture
def files_in_a_bucket(request):
    """The default storage for this test: a new folder of the bucket on the local S3 server."""
    configured = request.getfixturevalue("s3_storage_settings")
    options = {**configured["OPTIONS"], **KEYS, "location": f"live-{uuid.uuid4().hex}"}
    default = {**configured, "OPTIONS": options}
    with override_settings(STORAGES={**settings.STORAGES, "default": default}):
        default_storage._setup()
        assert default_storage._wrapped is storages["default"]
        yield options


def test_files_in_object_storage_are_backed_up_and_restored_into_another_bucket_folder(
    files_in_a_bucket, client, tmp_path, empty_database
):
    portal = build_portal(client)
    archive, said = back_up(tmp_path)
    assert "Backed up the database and 3 files" in said

    folder = f"restored-{uuid.uuid4().hex}"
    env = restored_portal(
        tmp_path / "restored",
        empty_database,
        FILE_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME=files_in_a_bucket["bucket_name"],
        AWS_S3_ENDPOINT_URL=files_in_a_bucket["endpoint_url"],
        AWS_S3_REGION_NAME=files_in_a_bucket["region_name"],
        AWS_LOCATION=folder,
        AWS_ACCESS_KEY_ID=KEYS["access_key"],
        AWS_SECRET_ACCESS_KEY=KEYS["secret_key"],
    )
    restored = manage(env, "restore_portal", archive)
    assert restored.returncode == 0, restored.stderr

    with default_storage.open(portal.report.pdf.name, "rb") as stored:
        pdf = stored.read()
    assert visit(env, portal.report_url, portal.evidence_url, portal.internal.file.name) == [
        f"200 {portal.report.sha256} {len(pdf)}",
        f"200 {sha256(PUBLIC_EVIDENCE)} {len(PUBLIC_EVIDENCE)}",
        f"file {sha256(INTERNAL_EVIDENCE)} {len(INTERNAL_EVIDENCE)}",
        "new user True",
    ]
    # In the bucket, under the restored portal's own folder, not on disk.
    assert not (tmp_path / "restored" / "media").exists()
    keys = s3_client(storages["default"]).list_objects_v2(
        Bucket=files_in_a_bucket["bucket_name"], Prefix=f"{folder}/"
    )["Contents"]
    assert sorted(item["Key"] for item in keys) == sorted(
        f"{folder}/{name}"
        for name in (portal.report.pdf.name, portal.public.file.name, portal.internal.file.name)
    )


@pytest.fixture
def files_in_a_new_folder(tmp_path):
    """The default storage for this test: an empty folder of its own (the tests' in-memory
    storage holds what other tests stored)."""
    folder = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "media")},
    }
    with override_settings(STORAGES={**settings.STORAGES, "default": folder}):
        default_storage._setup()
        yield
    default_storage._setup()


def test_files_no_record_names_are_left_out_unless_asked_for(tmp_path, files_in_a_new_folder):
    make_cast()
    default_storage.save("evidence/testshire/left-behind.pdf", ContentFile(b"not named"))

    named_only = tmp_path / "named-only.tar"
    call_command("backup_portal", str(named_only), stdout=io.StringIO())
    assert manifest_of(named_only)["files"] == []

    everything = tmp_path / "everything.tar"
    call_command("backup_portal", str(everything), "--include-unreferenced", stdout=io.StringIO())
    assert manifest_of(everything)["files"] == [
        {
            "name": "evidence/testshire/left-behind.pdf",
            "size": 9,
            "sha256": sha256(b"not named"),
            "fields": [],
        }
    ]


def with_manifest(archive, change, into):
    """A copy of ``archive`` whose manifest ``change`` alters."""
    with tarfile.open(archive) as source, tarfile.open(into, "w") as copy:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return into


def test_a_backup_from_a_newer_release_or_another_kind_of_database_is_refused(tmp_path):
    make_cast()
    archive, _ = back_up(tmp_path)

    newer = with_manifest(
        archive,
        lambda manifest: manifest["migrations"].append("progress.9999_from_the_future"),
        tmp_path / "newer.tar",
    )
    with pytest.raises(CommandError, match=r"made by a newer release.*9999_from_the_future"):
        call_command("restore_portal", str(newer))

    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    elsewhere = with_manifest(
        archive,
        lambda manifest: manifest["database"].update(engine=other),
        tmp_path / "elsewhere.tar",
    )
    with pytest.raises(CommandError, match=f"This backup is of a {other} database"):
        call_command("restore_portal", str(elsewhere))

    not_a_backup = tmp_path / "notes.tar"
    not_a_backup.write_bytes(b"Meeting notes, not a backup.")
    with pytest.raises(CommandError, match="is not a portal backup"):
        call_command("restore_portal", str(not_a_backup))
