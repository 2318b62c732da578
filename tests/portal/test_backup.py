"""manage.py backup and restore: a backup restored into a fresh database holds every row and every
private file; a backup that cannot be written says why and leaves the earlier ones intact."""
import errno
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from portal.backup import backup_read_manifest
from portal.files import private_storage
from tests.factories import BookingFactory, CaseTaskFactory, SuggestionFactory

ROOT = Path(settings.BASE_DIR)


def _world():
    booking = BookingFactory(note="带上营业执照副本")
    CaseTaskFactory()
    SuggestionFactory()
    private_storage.save("precheck/2026/id-card.pdf", ContentFile(b"%PDF-1.4 id card"))
    private_storage.save("evidence/photo.png", ContentFile(b"\x89PNG\r\n\x1a\n photo"))
    return booking


def _restore(backup: Path, database_url: str, private: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(backup)], cwd=ROOT, capture_output=True, text=True,
        timeout=120, env={**env, "DEBUG": "true", "DATABASE_URL": database_url, "PRIVATE_MEDIA_ROOT": str(private)},
    )


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.sqlite
def test_it_restores_every_row_and_file_on_sqlite(transactional_db, tmp_path):
    booking = _world()
    call_command("backup", str(tmp_path))
    [backup] = tmp_path.glob("portal-*.tar")
    manifest = backup_read_manifest(backup)
    assert manifest["rows"]["services_booking"] == 1 and len(manifest["files"]) == 2

    restored = tmp_path / "restored.sqlite3"
    result = _restore(backup, f"sqlite:///{restored}", tmp_path / "restored-private")
    assert result.returncode == 0, result.stderr
    assert "all checked" in result.stdout
    database = sqlite3.connect(restored)
    assert database.execute("SELECT reference, note FROM services_booking").fetchall() == [
        (booking.reference, "带上营业执照副本")]
    for table, rows in manifest["rows"].items():
        assert database.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] == rows, table
    database.close()
    assert _files(tmp_path / "restored-private") == _files(Path(settings.PRIVATE_MEDIA_ROOT))


def _fingerprints(cursor) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of all its rows, as text, in a fixed order."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    prints = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*), md5(COALESCE(string_agg(t::text, \'|\' ORDER BY t::text), \'\')) FROM "{table}" t')
        prints[table] = tuple(cursor.fetchone())
    return prints


@pytest.mark.postgres
def test_it_restores_every_row_and_file_into_a_fresh_postgres_database(transactional_db, tmp_path):
    import psycopg2

    _world()
    call_command("backup", str(tmp_path))
    [backup] = tmp_path.glob("portal-*.tar")
    db = settings.DATABASES["default"]
    fresh = f"{db['NAME']}_restore"
    admin = psycopg2.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"],
                             password=db.get("PASSWORD") or None, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        cursor.execute(f'CREATE DATABASE "{fresh}"')
    try:
        result = _restore(backup, f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{fresh}",
                          tmp_path / "restored-private")
        assert result.returncode == 0, result.stderr
        restored = psycopg2.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"],
                                    password=db.get("PASSWORD") or None, dbname=fresh)
        try:
            with connection.cursor() as source, restored.cursor() as target:
                expected = _fingerprints(source)
                assert expected["services_booking"][0] == 1
                assert _fingerprints(target) == expected
        finally:
            restored.close()
        assert _files(tmp_path / "restored-private") == _files(Path(settings.PRIVATE_MEDIA_ROOT))
        # Restoring twice into the same database is refused: it is no longer empty.
        again = _restore(backup, f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{fresh}",
                         tmp_path / "elsewhere")
        assert again.returncode != 0 and "restore into a new, empty database" in again.stderr
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        admin.close()


def test_it_fails_loudly_on_a_full_disk_and_keeps_the_earlier_backup(transactional_db, tmp_path, monkeypatch):
    _world()
    call_command("backup", str(tmp_path))
    [earlier] = tmp_path.glob("portal-*.tar")
    before = earlier.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(CommandError, match=r"could not write the backup into .*No space left on device.*untouched"):
        call_command("backup", str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == [earlier.name]  # no partial file left
    assert earlier.read_bytes() == before
    with tarfile.open(earlier) as archive:
        assert "manifest.json" in archive.getnames()


def test_it_refuses_a_missing_or_unwritable_directory(db, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("backup", str(tmp_path / "nowhere"))
    if os.geteuid() != 0:  # root writes anywhere; the full-disk test covers a failed write
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(CommandError, match="not writable"):
            call_command("backup", str(locked))
