"""Crash safety (kill mid-save), clear errors for locked/missing databases, permissions, backups,
migrations."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from register_helpers import PASSWORDS, add_users, make_batch_file
from sqlalchemy import create_engine, text

from labelapp.services.register import Register
from labelapp.store.db import head_revision, open_database
from labelapp.store.errors import DatabaseBusyError, DatabaseUnavailableError
from labelapp.store.faults import ENV as FAULT_ENV
from labelapp.store.schema import metadata

WORKERS = Path(__file__).resolve().parent / "register_workers.py"


def _prepare(url: str, archive: Path) -> None:
    reg = Register.open(url, archive_dir=archive)
    who = add_users(reg, "tech", "pharm", "pharm2", "qa")
    reg.formulas.add(make_batch_file().formula, who["pharm2"])
    reg.formulas.approve("GLY50", "1", "pharm", PASSWORDS["pharm"])
    reg.batches.new(make_batch_file(), who["tech"])
    reg.close()


def _snapshot(url: str, archive: Path) -> dict:
    reg = Register.open(url, archive_dir=archive)
    try:
        with reg.database.read() as conn:
            counts = {
                t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("batches", "print_jobs", "archived_documents", "signatures", "audit_log", "lot_counters")
            }
            counts["lot_seq"] = conn.execute(text("SELECT coalesce(max(last_seq), 0) FROM lot_counters")).scalar_one()
        counts["status"] = reg.batches.search()[-1].status.value
        counts["audit_ok"] = reg.audit.verify().ok
        counts["archive_ok"] = reg.archive.check().ok
        return counts
    finally:
        reg.close()


@pytest.mark.parametrize(
    ("action", "point"),
    [
        ("new_batch", "batch.before_commit"),
        ("print", "print.after_archive"),
        ("print", "print.before_commit"),
        ("print", "archive.before_rename"),
        ("sign", "sign.before_commit"),
        ("archive", "archive.after_file"),
    ],
)
def test_kill_during_a_save_leaves_the_previous_state(any_url, tmp_path, action, point):
    archive = tmp_path / "archive"
    _prepare(any_url, archive)
    before = _snapshot(any_url, archive)
    env = dict(os.environ, **{FAULT_ENV: point})
    done = subprocess.run(
        [sys.executable, str(WORKERS), "crash", any_url, str(archive), action],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, done.stdout + done.stderr
    after = _snapshot(any_url, archive)
    assert after == before  # nothing half-written; the audit chain and the archive still verify
    # and the register keeps working: the same save now succeeds
    done = subprocess.run(
        [sys.executable, str(WORKERS), "crash", any_url, str(archive), action],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    final = _snapshot(any_url, archive)
    assert final["audit_ok"] and final["archive_ok"] and final["audit_log"] > before["audit_log"]


def test_orphaned_archive_file_is_harmless(any_url, tmp_path):
    archive = tmp_path / "archive"
    _prepare(any_url, archive)
    env = dict(os.environ, **{FAULT_ENV: "print.after_archive"})
    subprocess.run(
        [sys.executable, str(WORKERS), "crash", any_url, str(archive), "print"],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert len(list(archive.rglob("*.pdf"))) == 1  # the file got written, its row did not
    reg = Register.open(any_url, archive_dir=archive)
    assert reg.archive.search() == [] and reg.archive.check().ok
    reg.close()


def test_locked_database_gives_a_clear_error(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    reg = Register.open(url)
    add_users(reg)
    monkeypatch.setenv("LABELAPP_BUSY_TIMEOUT_MS", "200")
    busy = Register.open(url)
    holder = sqlite3.connect(tmp_path / "db.sqlite", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        admin = busy.accounts.authenticate("admin", PASSWORDS["admin"])  # a sign-in reads: no write lock
        with pytest.raises(DatabaseBusyError, match="is locked by another program or workstation"):
            busy.settings.update(admin, {"reconciliation_limit": 1}, "SOP")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert busy.settings.update(admin, {"reconciliation_limit": 1}, "SOP").reconciliation_limit == 1
    busy.close()
    reg.close()


@pytest.mark.postgres
def test_locked_postgresql_register_gives_a_clear_error(pg_url, monkeypatch):
    reg = Register.open(pg_url)
    add_users(reg)
    monkeypatch.setenv("LABELAPP_BUSY_TIMEOUT_MS", "200")
    busy = Register.open(pg_url)
    holder = create_engine(pg_url)
    admin = busy.accounts.authenticate("admin", PASSWORDS["admin"])  # a sign-in reads: no write lock
    with holder.connect() as conn, conn.begin():
        conn.execute(text("SELECT pg_advisory_xact_lock(503118212)"))  # what another workstation's write holds
        with pytest.raises(DatabaseBusyError, match="is locked by another program or workstation"):
            busy.settings.update(admin, {"reconciliation_limit": 1}, "SOP")
    holder.dispose()
    assert busy.settings.update(admin, {"reconciliation_limit": 1}, "SOP").reconciliation_limit == 1
    busy.close()
    reg.close()


def test_missing_folder_or_bad_file_gives_a_clear_error(tmp_path):
    with pytest.raises(DatabaseUnavailableError, match="does not exist"):
        Register.open(f"sqlite:///{tmp_path / 'no' / 'such' / 'labelapp.db'}")
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DatabaseUnavailableError, match="is not a labelapp register"):
        Register.open(f"sqlite:///{not_a_db}")
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(DatabaseUnavailableError, match="file"):
        Register.open(f"sqlite:///{a_file / 'labelapp.db'}")
    with pytest.raises(DatabaseUnavailableError, match="unsupported database"):
        Register.open("mysql://localhost/x")
    with pytest.raises(DatabaseUnavailableError, match="cannot reach PostgreSQL"):
        Register.open("postgresql://nobody:secret@127.0.0.1:1/none")


def test_password_in_url_is_not_shown_in_errors(tmp_path):
    with pytest.raises(DatabaseUnavailableError) as caught:
        Register.open("postgresql://nobody:s3cret-pw@127.0.0.1:1/none")
    assert "s3cret-pw" not in str(caught.value)


def test_default_location_is_created_private_and_migrated(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("LABELAPP_DATABASE_URL", raising=False)
    monkeypatch.delenv("LABELAPP_ARCHIVE_DIR", raising=False)
    reg = Register.open()
    who = add_users(reg, "tech", "pharm", "pharm2")
    reg.formulas.add(make_batch_file().formula, who["pharm2"])
    reg.formulas.approve("GLY50", "1", "pharm", PASSWORDS["pharm"])
    batch = reg.batches.new(make_batch_file(), who["tech"])
    reg.batches.record_print_job(batch.id, "label", "roll", 5, "ZD621", b"%PDF-1.4 x", who["tech"])
    folder = tmp_path / "xdg" / "labelapp"
    assert reg.database.sqlite_path == folder / "labelapp.db"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in ("labelapp.db", "labelapp.db-wal", "labelapp.db-shm"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE((folder / "archive").stat().st_mode) == 0o700
    with reg.database.read() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10000
    reg.close()


def test_migrated_schema_matches_the_table_definitions(any_url):
    db = open_database(any_url)
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert context.get_current_revision() == head_revision()
        assert compare_metadata(context, metadata) == []
    db.dispose()
    open_database(any_url).dispose()  # opening again is a no-op


def test_old_sqlite_schema_is_backed_up_then_upgraded(tmp_path):
    from alembic import command

    from labelapp.store.db import _alembic_config

    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0006")
    engine.dispose()
    db = open_database(f"sqlite:///{path}")
    with db.read() as conn:
        triggers = conn.execute(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")).scalar_one()
    db.dispose()
    assert triggers > 0
    backups = list(tmp_path.glob("old.db.before-0006-*.bak"))
    assert len(backups) == 1 and stat.S_IMODE(backups[0].stat().st_mode) == 0o600


def test_schema_from_a_newer_program_is_refused(tmp_path):
    path = tmp_path / "new.db"
    open_database(f"sqlite:///{path}").dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    from labelapp.store.errors import StoreError

    with pytest.raises(StoreError, match="newer labelapp"):
        open_database(f"sqlite:///{path}")


def test_backup_while_the_register_is_in_use(any_url, tmp_path):
    archive = tmp_path / "archive"
    _prepare(any_url, archive)
    reg = Register.open(any_url, archive_dir=archive)
    who = {n: reg.accounts.authenticate(n, PASSWORDS[n]) for n in ("tech", "qa")}
    batch = reg.batches.search()[0]
    reg.batches.record_print_job(batch.id, "label", "roll", 5, "ZD621", b"%PDF-1.4 first", who["tech"])
    stop = threading.Event()
    errors = []

    def keep_writing():
        writer = Register.open(any_url, archive_dir=archive)
        try:
            n = 0
            while not stop.is_set():
                n += 1
                writer.archive.add(batch.id, "other", f"%PDF-1.4 busy {n}".encode(), who["qa"])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            writer.close()

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        result, problems = reg.archive.backup(tmp_path / "backups", who["qa"])
    finally:
        stop.set()
        thread.join()
    assert errors == [] and problems == [] and result.audit_ok
    folder = Path(result.folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert (folder / "MANIFEST.json").is_file()
    assert result.documents_copied == result.documents_checked >= 1
    if reg.database.is_sqlite:
        restored = Register.open(f"sqlite:///{result.database_file}", archive_dir=folder / "archive")
        assert restored.audit.verify().ok and restored.archive.check().ok
        assert restored.batches.search()[0].lot_number == batch.lot_number
        restored.close()
    else:
        assert Path(result.database_file).stat().st_size > 0
    reg.close()
