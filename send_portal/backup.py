"""Back up the whole portal into one file, and restore it into an empty portal.

A backup is one uncompressed tar file holding

* ``database.dump`` (PostgreSQL, made by ``pg_dump --format=custom``) or
  ``database.sqlite3`` (SQLite, a copy made with SQLite's online backup);
* ``files/<name>``: every stored file a record names (evidence, reports' PDFs:
  every ``FileField`` of every model), read through Django's storage API, so it
  works the same with a local folder or object storage; with
  ``include_unreferenced`` also every other file in the default storage;
* ``manifest.json`` (last): the format's version, when it was made, the
  database's kind and the migrations applied to it, and the size and SHA-256
  of the database dump and of every file.

The file names are read in the same snapshot as the dump (PostgreSQL: an
exported snapshot that ``pg_dump --snapshot`` shares; SQLite: from the copy),
so every file the dumped records name is in the archive.

A restore goes into an empty database only, and changes nothing until it
has checked that: the archive is for this kind of database and was not made
by a newer release, the database has no tables, no file in storage would be
replaced by a different one (a file already there with the same content is
kept), and every file in the archive has the size and SHA-256 written in its
manifest. After writing, it reads every file back
from storage and checks its SHA-256 again. Then it migrates the database if
the archive came from an older release, and empties the cache.
"""

import datetime
import hashlib
import json
import os
import posixpath
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.apps import apps
from django.core.cache import caches
from django.core.files import File
from django.core.files.storage import storages
from django.db import connections, models
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

FORMAT = "send-portal-backup"
VERSION = 1
MANIFEST = "manifest.json"
FILES_PREFIX = "files/"
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024


def files(count):
    """ "1 file", "2 files": for messages."""
    return f"{count:,} file" if count == 1 else f"{count:,} files"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why in plain words."""


@dataclass
class Result:
    path: Path
    files: int = 0
    bytes: int = 0
    sha256: str = ""
    missing: list = field(default_factory=list)
    migrated: bool = False
    notes: list = field(default_factory=list)


# What the records name ------------------------------------------------------------


def file_fields():
    """Every concrete FileField of every installed model, as (model, field)."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                found.append((model, model_field))
    return found


def _label(model, model_field):
    return f"{model._meta.label}.{model_field.name}"


def _named_files(run_query, table_names):
    """{file name: [field labels]} for the names stored in every FileField's column.

    ``run_query(sql)`` returns the rows of a query, in the snapshot being backed up.
    """
    named = {}
    for model, model_field in file_fields():
        table = model._meta.db_table
        if table not in table_names:
            continue
        column = model_field.column
        rows = run_query(
            f'SELECT DISTINCT "{column}" FROM "{table}" '  # noqa: S608 - names from the models
            f'WHERE "{column}" IS NOT NULL AND "{column}" <> \'\''
        )
        for (name,) in rows:
            named.setdefault(name, []).append(_label(model, model_field))
    return named


def _storage_for(labels):
    """The storage a file is kept in: its field's, or the default one."""
    for label in labels:
        app_label, model_name, field_name = label.rsplit(".", 2)
        try:
            return apps.get_model(app_label, model_name)._meta.get_field(field_name).storage
        except LookupError:
            continue
    return storages["default"]


def _walk(storage, path=""):
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in files:
        yield posixpath.join(path, name) if path else name
    for directory in directories:
        yield from _walk(storage, posixpath.join(path, directory) if path else directory)


def _check_name(name):
    """A stored file's name, refused if it could point outside the storage."""
    if (
        not isinstance(name, str)
        or not name
        or name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or any(part in ("", ".", "..") for part in name.split("/"))
    ):
        raise BackupError(f"The archive names a file in a way that is not allowed: {name!r}.")
    return name


# Reading and writing while hashing --------------------------------------------------


class _HashingReader:
    def __init__(self, raw):
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size=-1):
        data = self.raw.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


class _HashingWriter:
    """Counts what it writes, so a pipe (which cannot tell its position) will do."""

    def __init__(self, raw):
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.position = 0

    def write(self, data):
        self.sha256.update(data)
        self.position += len(data)
        return self.raw.write(data)

    def tell(self):
        return self.position

    def flush(self):
        self.raw.flush()


def _hash_stream(stream, copy_to=None):
    sha256, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        sha256.update(chunk)
        size += len(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    return sha256.hexdigest(), size


def _add_stream(tar, name, raw, size):
    """Add ``size`` bytes read from ``raw`` to the tar as ``name``; their SHA-256."""
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(time.time())
    info.mode = 0o600
    reader = _HashingReader(raw)
    tar.addfile(info, reader)
    if raw.read(1):
        raise BackupError(f"{name} changed while it was being backed up. Run the backup again.")
    return reader.sha256.hexdigest()


# The database tools ------------------------------------------------------------------


def engine_of(connection):
    if connection.vendor not in DUMP_NAMES:
        raise BackupError(f"Backups work with PostgreSQL and SQLite only, not {connection.vendor}.")
    return connection.vendor


def _pg_tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL client programs "
            "(on Debian or Ubuntu: apt-get install postgresql-client) and try again."
        )
    output = subprocess.run(  # noqa: S603 - a fixed program found on PATH
        [path, "--version"], capture_output=True, text=True, check=False
    ).stdout
    match = re.search(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?", output)
    if not match:
        raise BackupError(f"Could not tell which version {path} is: {output.strip()!r}.")
    return path, int(match.group(1)), output.strip()


def _pg_connection_args(settings_dict):
    """Command-line options and environment for pg_dump and pg_restore (no password on the
    command line: Django's own psql client settings put it in PGPASSWORD)."""
    _, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    args = []
    for option, key in (("--username", "USER"), ("--host", "HOST"), ("--port", "PORT")):
        if settings_dict.get(key):
            args.append(f"{option}={settings_dict[key]}")
    if settings_dict.get("NAME"):
        args.append(f"--dbname={settings_dict['NAME']}")
    return args, {**os.environ, **(env or {})}


def _run(command, env=None):
    completed = subprocess.run(  # noqa: S603 - pg_dump or pg_restore, with our own arguments
        command, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        tool = Path(command[0]).name
        detail = "\n".join(completed.stderr.strip().splitlines()[-10:])
        raise BackupError(f"{tool} failed (exit status {completed.returncode}):\n{detail}")
    return completed


def _applied_migrations(run_query):
    return sorted(
        f"{app}.{name}" for app, name in run_query("SELECT app, name FROM django_migrations")
    )


def _dump_postgresql(connection, dump_path):
    pg_dump, tool_major, tool_version = _pg_tool("pg_dump")
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    if tool_major < server_major:
        raise BackupError(
            f"pg_dump is version {tool_major}, older than the database server (version "
            f"{server_major}). Install postgresql-client-{server_major} and try again."
        )
    if connection.in_atomic_block:
        raise BackupError("Run the backup outside a database transaction.")
    args, env = _pg_connection_args(connection.settings_dict)
    # One snapshot for the dump and for the file names read below.
    connection.set_autocommit(False)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={dump_path}",
                    *args,
                ],
                env=env,
            )

            def run_query(sql):
                cursor.execute(sql)
                return cursor.fetchall()

            tables = set(connection.introspection.table_names(cursor))
            named = _named_files(run_query, tables)
            migrations = _applied_migrations(run_query)
    finally:
        connection.rollback()
        connection.set_autocommit(True)
    info = {
        "engine": "postgresql",
        "server_version": connection.pg_version,
        "dump_tool": tool_version,
        "dump_tool_major": tool_major,
    }
    return named, migrations, info


def _dump_sqlite(connection, dump_path):
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError("Run the backup outside a database transaction.")
    copy = sqlite3.connect(dump_path)
    try:
        # SQLite's online backup: a consistent copy, even while the portal is writing.
        connection.connection.backup(copy)

        def run_query(sql):
            return copy.execute(sql).fetchall()

        tables = {
            name for (name,) in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        named = _named_files(run_query, tables)
        migrations = _applied_migrations(run_query)
    finally:
        copy.close()
    return named, migrations, {"engine": "sqlite", "server_version": sqlite3.sqlite_version}


# Backing up ---------------------------------------------------------------------------


def backup(output, *, include_unreferenced=False, using="default"):
    """Write the whole portal into the new file ``output`` ("-": standard output); a ``Result``.

    A file is written beside ``output`` first and moved into place only when
    complete, so a file with the final name is always a whole backup.
    """
    connection = connections[using]
    engine = engine_of(connection)
    to_stdout = str(output) == "-"
    if not to_stdout:
        output = Path(output)
        if output.exists():
            raise BackupError(f"{output} already exists. Choose a new name for the backup.")
        if not output.parent.is_dir():
            raise BackupError(f"The folder {output.parent} does not exist.")
    result = Result(path=output)
    work_in = None if to_stdout else output.parent
    with tempfile.TemporaryDirectory(dir=work_in, prefix=".backup-") as work:
        dump_path = Path(work) / DUMP_NAMES[engine]
        if engine == "postgresql":
            named, migrations, database = _dump_postgresql(connection, dump_path)
        else:
            named, migrations, database = _dump_sqlite(connection, dump_path)
        if include_unreferenced:
            for name in _walk(storages["default"]):
                named.setdefault(name, [])
        contents = (dump_path, engine, named, migrations, database)
        if to_stdout:
            result.sha256 = _write_archive(sys.stdout.buffer, *contents, result)
            sys.stdout.buffer.flush()
            return result
        partial = output.with_name(f".{output.name}.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as raw:
                result.sha256 = _write_archive(raw, *contents, result)
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return result


def _write_archive(raw, dump_path, engine, named, migrations, database, result):
    """Write the tar to the binary stream ``raw``, in one pass; its SHA-256."""
    hashing = _HashingWriter(raw)
    with tarfile.open(fileobj=hashing, mode="w", format=tarfile.PAX_FORMAT) as tar:
        with open(dump_path, "rb") as dump:
            size = os.fstat(dump.fileno()).st_size
            database.update(
                file=DUMP_NAMES[engine],
                size=size,
                sha256=_add_stream(tar, DUMP_NAMES[engine], dump, size),
            )
        entries = []
        for name in sorted(named):
            storage = _storage_for(named[name])
            try:
                size = storage.size(name)
                stored = storage.open(name, "rb")
            except FileNotFoundError:
                result.missing.append(name)
                continue
            with stored:
                sha256 = _add_stream(tar, FILES_PREFIX + name, stored, size)
            entries.append({"name": name, "size": size, "sha256": sha256, "fields": named[name]})
            result.files += 1
            result.bytes += size
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "django_version": django.get_version(),
            "database": database,
            "migrations": migrations,
            "files": entries,
            "missing_files": result.missing,
        }
        data = json.dumps(manifest, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        info.mtime = int(time.time())
        info.mode = 0o600
        tar.addfile(info, _BytesReader(data))
    return hashing.sha256.hexdigest()


class _BytesReader:
    def __init__(self, data):
        self.data = memoryview(data)
        self.position = 0

    def read(self, size=-1):
        end = len(self.data) if size < 0 else self.position + size
        chunk = bytes(self.data[self.position : end])
        self.position += len(chunk)
        return chunk


# Restoring ------------------------------------------------------------------------------


def read_manifest(tar):
    try:
        member = tar.getmember(MANIFEST)
        manifest = json.load(tar.extractfile(member))
    except (KeyError, ValueError, tarfile.TarError, AttributeError, TypeError):
        raise BackupError("This is not a portal backup: it has no readable manifest.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("This is not a portal backup: its manifest is of another kind.")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"This backup is in format version {manifest.get('version')}; this release "
            f"reads version {VERSION}."
        )
    if not _complete(manifest):
        raise BackupError("This backup's manifest is incomplete or damaged.")
    for entry in manifest["files"]:
        _check_name(entry["name"])
    return manifest


def _complete(manifest):
    """Whether the manifest has everything a restore reads, of the right kinds."""

    def described(item, *keys):
        return isinstance(item, dict) and all(key in item for key in keys)

    database, files, migrations = (manifest.get(key) for key in ("database", "files", "migrations"))
    return (
        described(database, "engine", "file", "size", "sha256")
        and database["file"] in DUMP_NAMES.values()
        and isinstance(files, list)
        and all(described(entry, "name", "size", "sha256", "fields") for entry in files)
        and all(isinstance(entry["fields"], list) for entry in files)
        and isinstance(migrations, list)
        and all(isinstance(name, str) for name in migrations)
    )


def _code_migrations():
    """Every migration this release has on disk, squashed ones and those they replace."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


def _pending_migrations(connection):
    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def _file_conflicts(manifest):
    """Names already in storage with other content; names already there with the same."""
    different, same = [], set()
    for entry in manifest["files"]:
        storage = _storage_for(entry["fields"])
        if not storage.exists(entry["name"]):
            continue
        with storage.open(entry["name"], "rb") as stored:
            sha256, size = _hash_stream(stored)
        if (sha256, size) == (entry["sha256"], entry["size"]):
            same.add(entry["name"])
        else:
            different.append(entry["name"])
    return different, same


def _verify_archive(tar, manifest, dump_copy):
    """Check every member against the manifest; copy the database dump to ``dump_copy``."""
    expected = {FILES_PREFIX + e["name"]: (e["sha256"], e["size"]) for e in manifest["files"]}
    database = manifest["database"]
    expected[database["file"]] = (database["sha256"], database["size"])
    seen, damaged = set(), []
    for member in tar:
        if member.name == MANIFEST:
            continue
        if member.name in seen or member.name not in expected or not member.isfile():
            damaged.append(member.name)
            continue
        seen.add(member.name)
        stream = tar.extractfile(member)
        if member.name == database["file"]:
            with open(dump_copy, "wb") as copy:
                found = _hash_stream(stream, copy_to=copy)
        else:
            found = _hash_stream(stream)
        if found != expected[member.name]:
            damaged.append(member.name)
    damaged += sorted(set(expected) - seen)
    if damaged:
        listed = ", ".join(damaged[:5]) + (
            f" and {len(damaged) - 5} more" if len(damaged) > 5 else ""
        )
        raise BackupError(
            "The backup is damaged or has been changed: these do not match its manifest: "
            f"{listed}. Nothing was restored."
        )


def _pg_restore_tool(manifest):
    pg_restore, tool_major, _ = _pg_tool("pg_restore")
    made_with = manifest["database"].get("dump_tool_major", 0)
    if tool_major < made_with:
        raise BackupError(
            f"This backup was made with pg_dump {made_with}; pg_restore here is version "
            f"{tool_major}. Install postgresql-client-{made_with} and try again."
        )
    return pg_restore


def _restore_postgresql(connection, dump_path, pg_restore):
    args, env = _pg_connection_args(connection.settings_dict)
    connection.close()
    # One transaction: if anything fails, the database is left as empty as it was.
    _run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            *args,
            str(dump_path),
        ],
        env=env,
    )


def _restore_sqlite(connection, dump_path):
    connection.ensure_connection()
    source = sqlite3.connect(dump_path)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def restore(archive, *, using="default", migrate=True, stdout=None):
    """Restore the backup ``archive`` ("-": standard input) into this portal's empty
    database and storage; a ``Result``."""
    if str(archive) != "-":
        return _restore(Path(archive), using=using, migrate=migrate, stdout=stdout)
    # A backup read from a pipe is kept in a temporary file first: it is read more than once.
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as work:
        copy = Path(work) / "backup.tar"
        with open(copy, "wb") as spooled:
            shutil.copyfileobj(sys.stdin.buffer, spooled, CHUNK)
        return _restore(copy, using=using, migrate=migrate, stdout=stdout)


def _restore(archive, *, using, migrate, stdout):
    if not archive.is_file():
        raise BackupError(f"{archive} was not found.")
    connection = connections[using]
    engine = engine_of(connection)
    result = Result(path=archive)
    try:
        tar = tarfile.open(archive, "r:*")  # noqa: SIM115 - closed by the with below
    except tarfile.TarError:
        raise BackupError(f"{archive} is not a portal backup (not a tar file).") from None
    with tar, tempfile.TemporaryDirectory(prefix="portal-restore-") as work:
        manifest = read_manifest(tar)
        made_on = manifest["database"]["engine"]
        if made_on != engine:
            raise BackupError(
                f"This backup is of a {made_on} database; this portal uses {engine}. "
                "Restore it into the same kind of database."
            )
        newer = sorted(set(manifest["migrations"]) - _code_migrations())
        if newer:
            raise BackupError(
                "This backup was made by a newer release of the portal (its database has "
                f"migrations this release does not know: {', '.join(newer[:5])}). "
                "Install that release, or a later one, and restore again."
            )
        tables = connection.introspection.table_names()
        if tables:
            raise BackupError(
                f"The database already has {len(tables)} tables. A restore only goes into an "
                "empty database, so nothing is overwritten: create a new, empty database, point "
                "DATABASE_URL at it and run the restore again. Nothing was restored."
            )
        different, same = _file_conflicts(manifest)
        if different:
            raise BackupError(
                f"{files(len(different))} in the backup are already in storage with other "
                f"content (such as {different[0]}). A restore never overwrites files: use empty "
                "storage. Nothing was restored."
            )
        pg_restore = _pg_restore_tool(manifest) if engine == "postgresql" else None
        dump_path = Path(work) / manifest["database"]["file"]
        _verify_archive(tar, manifest, dump_path)

        # Checked: from here on, the restore writes.
        if engine == "postgresql":
            _restore_postgresql(connection, dump_path, pg_restore)
        else:
            _restore_sqlite(connection, dump_path)
        by_member = {FILES_PREFIX + e["name"]: e for e in manifest["files"]}
        for member in tar:
            entry = by_member.get(member.name)
            if entry is None or entry["name"] in same:
                continue
            storage = _storage_for(entry["fields"])
            saved = storage.save(entry["name"], File(tar.extractfile(member), name=entry["name"]))
            if saved != entry["name"]:
                raise BackupError(f"Storage saved {entry['name']} as {saved}; check the storage.")

    failed = []
    for entry in manifest["files"]:
        storage = _storage_for(entry["fields"])
        try:
            with storage.open(entry["name"], "rb") as stored:
                found = _hash_stream(stored)
        except FileNotFoundError:
            found = None
        if found != (entry["sha256"], entry["size"]):
            failed.append(entry["name"])
        else:
            result.files += 1
            result.bytes += entry["size"]
    if failed:
        raise BackupError(
            f"{files(len(failed))} read back from storage do not match the backup (such as "
            f"{failed[0]}). The restore is not complete: check the storage and restore again "
            "into an empty database and storage."
        )
    result.missing = manifest.get("missing_files", [])

    connection.close()
    pending = _pending_migrations(connection)
    if pending:
        if migrate:
            from django.core.management import call_command

            call_command("migrate", database=using, interactive=False, stdout=stdout)
            result.migrated = True
        else:
            result.notes.append(
                f"The backup came from an older release: {len(pending)} database migrations "
                "are still to run. Run manage.py migrate before starting the portal."
            )
    for cache in caches.all():
        try:
            cache.clear()
        except Exception as error:  # the restore is done: say what is left to do
            result.notes.append(f"Could not empty the cache ({error}); empty it by hand.")
    return result
