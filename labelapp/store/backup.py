"""Consistent backups while the program runs.

SQLite: the online backup API copies a consistent snapshot even while other programs write.
PostgreSQL: ``pg_dump`` (a consistent snapshot by design) if it is installed.
Then the archive files: copied AFTER the database snapshot. Archive files are written before their
row and never removed, so every document the snapshot refers to exists by then. Each copied file
is checked against its SHA-256 and a MANIFEST.json lists every file with its hash.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, select

from labelapp.domain.files import atomic_write
from labelapp.domain.records import BackupResult
from labelapp.store import integrity
from labelapp.store.archive import ArchiveStore, sha256_file
from labelapp.store.canonical import utc_now
from labelapp.store.db import Database
from labelapp.store.errors import StoreError
from labelapp.store.paths import FILE_MODE, make_private_dir, make_private_file
from labelapp.store.schema import archived_documents
from labelapp.store.sqlite_copy import sqlite_copy


def _sqlite_file(db: Database) -> Path:
    source = db.sqlite_path
    if source is None:
        raise StoreError(f"{db.where} is not a SQLite file")
    return source


def _pg_dump(db: Database, target: Path) -> None:
    program = shutil.which("pg_dump")
    if program is None:
        raise StoreError(
            "pg_dump is not installed: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client) or back up the server with its own tools"
        )
    url = db.url.set(drivername="postgresql")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    dsn = url.set(password=None).render_as_string(hide_password=False)
    make_private_file(target)
    done = subprocess.run(
        [program, "--format=custom", "--no-owner", f"--file={target}", f"--dbname={dsn}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["unknown error"])[0]
        raise StoreError(f"pg_dump failed: {first}")


def _documents_in(db_file: Path | None, db: Database) -> list[tuple[str, str]]:
    engine = create_engine(f"sqlite:///{db_file}") if db_file else db.engine
    try:
        with engine.connect() as conn:
            return [
                (row.file_name, row.sha256)
                for row in conn.execute(select(archived_documents.c.file_name, archived_documents.c.sha256).distinct())
            ]
    finally:
        if db_file:
            engine.dispose()


def _audit_ok(db_file: Path | None, db: Database) -> bool:
    """The copy's chain, signatures and rows verify (the copy is checked, not the live register)."""
    if db_file is None:
        with db.read() as conn:
            return integrity.verify_register(conn).ok
    engine = create_engine(f"sqlite:///{db_file}")
    try:
        with engine.connect() as conn:
            return integrity.verify_register(conn).ok
    finally:
        engine.dispose()


def _copy_documents(archive: ArchiveStore, documents: list[tuple[str, str]], target: Path) -> list[str]:
    problems = []
    for file_name, sha in documents:
        state = archive.state(file_name, sha)
        if state != "ok":
            problems.append(f"{file_name}: {state}")
            continue
        atomic_write(target / file_name, archive.path(file_name).read_bytes(), mode=FILE_MODE, make_dirs=True)
    return problems


def _write_manifest(folder: Path) -> None:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "MANIFEST.json")
    manifest = {
        "created_at": utc_now().isoformat(),
        "files": {str(p.relative_to(folder)): sha256_file(p) for p in files},
    }
    atomic_write(folder / "MANIFEST.json", json.dumps(manifest, indent=2, sort_keys=True).encode(), mode=FILE_MODE)


def backup(db: Database, archive: ArchiveStore, destination: Path) -> tuple[BackupResult, list[str]]:
    """Write ``destination/labelapp-backup-<UTC stamp>/`` with the database and the archive."""
    stamp = utc_now().strftime("%Y%m%dT%H%M%S%fZ")
    folder = make_private_dir(Path(destination).expanduser() / f"labelapp-backup-{stamp}")
    if db.is_sqlite:
        db_file = folder / "labelapp.db"
        sqlite_copy(_sqlite_file(db), db_file)
        documents, audit_ok = _documents_in(db_file, db), _audit_ok(db_file, db)
    else:
        db_file = folder / "labelapp.pgdump"
        _pg_dump(db, db_file)
        documents, audit_ok = _documents_in(None, db), _audit_ok(None, db)
    problems = _copy_documents(archive, documents, folder / "archive")
    _write_manifest(folder)
    result = BackupResult(
        folder=str(folder),
        database_file=str(db_file),
        documents_copied=len(documents) - len(problems),
        documents_checked=len(documents),
        audit_ok=audit_ok,
    )
    return result, problems
