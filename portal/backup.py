"""Backups that restore: the database and the private uploads in one file.

``backup_write(directory)`` writes ``portal-<UTC time>.tar`` holding

- ``database.dump``: ``pg_dump --format=custom`` on PostgreSQL (one consistent snapshot, taken
  while the portal runs), or ``database.sqlite3`` made with SQLite's online backup API;
- ``private/...``: every file under PRIVATE_MEDIA_ROOT (evidence, pre-check materials), copied
  after the snapshot;
- ``manifest.json``: when, which database engine, the latest migration of each app, the rows of
  each table and the SHA-256 of each file, so a restore can say it found them all.

It is written as a hidden ``.partial`` file, flushed to disk (fsync) and only then renamed to its
name, so a full disk, a missing or read-only directory or a crash halfway never leaves a torn
backup under a backup's name, and never touches an earlier backup: the error names the directory
and the reason. ``backup_restore(path)`` loads it into the configured (empty) database and
PRIVATE_MEDIA_ROOT.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone


class BackupError(Exception):
    """Said to the operator as it is; the command exits non-zero."""


def _pg_args(db: dict) -> tuple[list[str], dict]:
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def table_counts() -> dict[str, int]:
    """Rows in each of the portal's tables (Django's models, through the open connection)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from introspection
            counts[table] = cursor.fetchone()[0]
    return counts


def _latest_migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sqlite_counts(path: Path) -> dict[str, int]:
    database = sqlite3.connect(path)
    try:
        tables = [row[0] for row in database.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {table: database.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}
    finally:
        database.close()


def _pg_dump(target: Path, snapshot: str | None) -> None:
    db = settings.DATABASES["default"]
    args, env = _pg_args(db)
    if snapshot:
        args += [f"--snapshot={snapshot}"]
    result = subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), *args,
         str(db["NAME"])],
        env=env, capture_output=True, text=True, timeout=3600,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")


def _dump_database(target: Path) -> tuple[str, dict[str, int]]:
    """The database into ``target``, and the rows of each table in exactly what was dumped."""
    if connection.vendor == "postgresql":
        if connection.in_atomic_block:  # called inside a transaction (a test): no snapshot to share
            _pg_dump(target, None)
            return "database.dump", table_counts()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            # pg_dump reads the snapshot this transaction sees; the counts come from the same one.
            _pg_dump(target, snapshot)
            return "database.dump", table_counts()
    if connection.vendor == "sqlite":
        if connection.in_atomic_block:
            # SQLite's backup waits for the write lock this very transaction holds.
            raise BackupError("a SQLite backup must run outside a transaction")
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            # The online backup API: a consistent copy while other connections write.
            connection.connection.backup(destination)
        finally:
            destination.close()
        return "database.sqlite3", _sqlite_counts(target)
    raise BackupError(f"backups of a {connection.vendor} database are not supported")


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup_write(directory: str | os.PathLike) -> Path:
    """Write one backup into ``directory`` and return its path; raise BackupError saying why not."""
    directory = Path(directory)
    if not directory.is_dir():
        raise BackupError(f"the backup directory {directory} does not exist")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise BackupError(f"the backup directory {directory} is not writable by this user")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = directory / f"portal-{stamp}.tar"
    partial = directory / f".portal-{stamp}.tar.partial"
    private_root = Path(settings.PRIVATE_MEDIA_ROOT)
    try:
        with tempfile.TemporaryDirectory(prefix="portal-backup-") as scratch:
            dump = Path(scratch) / "database"
            database_member, counts = _dump_database(dump)
            files = {}
            if private_root.is_dir():
                for path in sorted(p for p in private_root.rglob("*") if p.is_file()):
                    files[path.relative_to(private_root).as_posix()] = _sha256(path)
            manifest = {
                "format": 1,
                "created_at": timezone.now().isoformat(),
                "vendor": connection.vendor,
                "database": database_member,
                "migrations": _latest_migrations(),
                "rows": counts,
                "files": files,
            }
            with partial.open("wb") as raw:
                with tarfile.open(fileobj=raw, mode="w") as archive:
                    archive.add(dump, arcname=database_member)
                    for name in files:
                        archive.add(private_root / name, arcname=f"private/{name}")
                    data = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
                    info = tarfile.TarInfo("manifest.json")
                    info.size, info.mtime = len(data), int(datetime.now(UTC).timestamp())
                    archive.addfile(info, io.BytesIO(data))
                raw.flush()
                os.fsync(raw.fileno())
        os.replace(partial, final)
        _fsync_directory(directory)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(
            f"could not write the backup into {directory}: {exc.strerror or exc}. "
            "No backup was written; the earlier backups there are untouched."
        ) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return final


def backup_read_manifest(path: str | os.PathLike) -> dict:
    with tarfile.open(path, mode="r") as archive:
        return json.load(archive.extractfile("manifest.json"))


def backup_restore(path: str | os.PathLike, *, force_files: bool = False) -> dict:
    """Load a backup into the configured database (which must be empty: a fresh database) and
    PRIVATE_MEDIA_ROOT (which must be empty unless ``force_files``). Returns the manifest after
    checking every table's rows and every file's SHA-256 against it."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no backup at {path}")
    with tarfile.open(path, mode="r") as archive, tempfile.TemporaryDirectory(prefix="portal-restore-") as scratch:
        manifest = json.load(archive.extractfile("manifest.json"))
        if manifest["vendor"] != connection.vendor:
            raise BackupError(f"the backup is of a {manifest['vendor']} database; DATABASE_URL is {connection.vendor}")
        with connection.cursor() as cursor:
            existing = connection.introspection.table_names(cursor)
        if existing:
            raise BackupError(
                f"the database {settings.DATABASES['default']['NAME']} already has {len(existing)} tables: "
                "restore into a new, empty database (README, 'Restoring a backup')"
            )
        private_root = Path(settings.PRIVATE_MEDIA_ROOT)
        if private_root.is_dir() and any(private_root.iterdir()) and not force_files:
            raise BackupError(f"PRIVATE_MEDIA_ROOT ({private_root}) is not empty; empty it or pass --force-files")
        archive.extractall(scratch, filter="data")
        dump = Path(scratch) / manifest["database"]
        db = settings.DATABASES["default"]
        if connection.vendor == "postgresql":
            args, env = _pg_args(db)
            result = subprocess.run(
                ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                 "--dbname", str(db["NAME"]), *args, str(dump)],
                env=env, capture_output=True, text=True, timeout=3600,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        else:
            source = sqlite3.connect(dump)
            try:
                connection.ensure_connection()
                source.backup(connection.connection)
            finally:
                source.close()
        for name in manifest["files"]:
            target = private_root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(scratch) / "private" / name, target)
    connection.close()
    counts = table_counts()
    wrong = {t: (n, counts.get(t)) for t, n in manifest["rows"].items() if counts.get(t) != n}
    if wrong:
        raise BackupError(f"rows differ after the restore (table: backup, restored): {wrong}")
    bad = [name for name, digest in manifest["files"].items() if _sha256(private_root / name) != digest]
    if bad:
        raise BackupError(f"files differ after the restore: {bad}")
    return manifest
