"""Opening the register database: URL resolution, SQLite set-up, migrations, transactions, errors.

Every write runs in one transaction that holds the register's write lock from its first
statement: ``BEGIN IMMEDIATE`` on SQLite, a transaction-level advisory lock on PostgreSQL. Writes are
therefore serialised across processes and workstations, the audit chain never forks and a crash
at any point leaves either the old or the new state.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection as Connection  # re-exported: services type their transactions with it
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from labelapp.domain.errors import LabelappError
from labelapp.store import paths
from labelapp.store.audit import HEAD_INFO
from labelapp.store.canonical import utc_now
from labelapp.store.errors import DatabaseBusyError, DatabaseUnavailableError, RecordLockedError, StoreError
from labelapp.store.sqlite_copy import copy_before_migration

ENV_URL = "LABELAPP_DATABASE_URL"
ENV_ARCHIVE = "LABELAPP_ARCHIVE_DIR"
ENV_BUSY_MS = "LABELAPP_BUSY_TIMEOUT_MS"
DEFAULT_BUSY_MS = 10_000
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
PG_MIGRATION_LOCK = 503_118_211
PG_WRITE_LOCK = 503_118_212
LOCKED_MARK = "labelapp-locked:"


# ---------------------------------------------------------------- URL resolution


def resolve_url(url: str | None) -> tuple[URL, bool]:
    """Return (url, is_default). Order: argument, $LABELAPP_DATABASE_URL, the user data folder."""
    text = url or os.environ.get(ENV_URL)
    if not text:
        return make_url(f"sqlite:///{paths.default_database_path()}"), True
    try:
        parsed = make_url(text)
    except ArgumentError as exc:
        raise DatabaseUnavailableError(f"database URL {text!r} is not valid: {exc}") from None
    return _normalise_driver(parsed), False


def _normalise_driver(url: URL) -> URL:
    backend = url.get_backend_name()
    if backend == "postgresql":
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise DatabaseUnavailableError("the register needs a SQLite file, not an in-memory database")
        return url.set(drivername="sqlite")
    raise DatabaseUnavailableError(f"unsupported database {backend!r}: use sqlite:///FILE or postgresql://...")


def describe(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        return f"database file {url.database}"
    return f"PostgreSQL database {url.render_as_string(hide_password=True)}"


# ---------------------------------------------------------------- error translation


def translate(exc: DBAPIError, where: str) -> LabelappError | None:
    """Map a driver error to a one-line LabelappError, or None for a programming error."""
    message = str(exc.orig) if exc.orig is not None else str(exc)
    if LOCKED_MARK in message:
        return RecordLockedError(message.split(LOCKED_MARK, 1)[1].strip().splitlines()[0])
    low = message.lower()
    first = message.strip().splitlines()[0] if message.strip() else type(exc).__name__
    if any(m in low for m in ("database is locked", "database is busy", "table is locked", "lock timeout")):
        return DatabaseBusyError(f"{where} is locked by another program or workstation; try again shortly")
    if "readonly" in low or "read-only" in low:
        return DatabaseUnavailableError(f"{where} cannot be written (read-only file or folder)")
    if "unable to open" in low:
        return DatabaseUnavailableError(f"cannot open {where}: the file or its folder is missing or not accessible")
    if "not a database" in low or "malformed" in low:
        return DatabaseUnavailableError(f"{where} is not a labelapp database or is damaged ({first})")
    if "disk" in low and ("full" in low or "i/o" in low):
        return DatabaseUnavailableError(f"{where}: {first}")
    if where.startswith("PostgreSQL") and (exc.connection_invalidated or isinstance(exc, OperationalError)):
        return DatabaseUnavailableError(f"cannot reach {where}: {first}")
    return None


@contextmanager
def translated(where: str) -> Iterator[None]:
    try:
        yield
    except DBAPIError as exc:
        mapped = translate(exc, where)
        if mapped is None:
            raise
        raise mapped from exc
    except sqlite3.Error as exc:  # raw DBAPI use (backup API)
        raise DatabaseUnavailableError(f"{where}: {exc}") from exc


# ---------------------------------------------------------------- engines


def _busy_ms() -> int:
    try:
        return max(0, int(os.environ.get(ENV_BUSY_MS, DEFAULT_BUSY_MS)))
    except ValueError:
        return DEFAULT_BUSY_MS


def _sqlite_engine(url: URL) -> Engine:
    busy = _busy_ms()
    engine = create_engine(url, connect_args={"timeout": busy / 1000, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("labelapp_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _pg_engine(url: URL) -> Engine:
    # A workstation that hangs inside a transaction must not block the others for ever.
    options = f"-c lock_timeout={_busy_ms()} -c idle_in_transaction_session_timeout=120000 -c timezone=UTC"
    try:
        return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10, "options": options})
    except NoSuchModuleError as exc:
        raise DatabaseUnavailableError(f"no PostgreSQL driver: {exc}") from None


SQLITE_HEADER = b"SQLite format 3\x00"
RESTORE_HINT = "restore the newest backup (labelapp backup) or ask QA; labelapp never replaces a register file"


def check_sqlite_file(path: Path) -> None:
    """Refuse, in words, an existing register file that is empty, not SQLite, or cut short.

    A new register is only ever created where no file exists: an empty file is a damaged register
    (a disk full, a copy that failed), never a blank one to start over in."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise DatabaseUnavailableError(f"cannot read the register file {path}: {exc.strerror}") from None
    if size == 0:
        raise DatabaseUnavailableError(
            f"the register file {path} is empty (0 bytes): it is damaged, not new; "
            f"{RESTORE_HINT}. If this is a new installation whose first start was "
            "interrupted, delete the empty file and start again"
        )
    if not header.startswith(SQLITE_HEADER) or len(header) < 100:
        raise DatabaseUnavailableError(f"{path} is not a labelapp register (not a SQLite database file)")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    header_valid = header[24:28] == header[92:96]
    if page_size < 512 or size % page_size or (header_valid and pages and pages * page_size > size):
        raise DatabaseUnavailableError(
            f"the register file {path} is truncated ({size:,} bytes where the database "
            f"needs {max(pages * page_size, page_size):,}); {RESTORE_HINT}"
        )


def _prepare_sqlite_file(url: URL, is_default: bool) -> None:
    path = Path(url.database or "").expanduser()
    paths.make_private_dir(path.parent, create_parents=is_default)
    if path.exists():
        check_sqlite_file(path)
    else:
        paths.make_private_file(path)


# ---------------------------------------------------------------- the database


@dataclass
class Database:
    engine: Engine
    url: URL
    archive_root: Path | None
    after_commit: Callable[[tuple[int, str]], None] | None = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def where(self) -> str:
        return describe(self.url)

    @property
    def sqlite_path(self) -> Path | None:
        return Path(self.url.database).expanduser() if self.is_sqlite and self.url.database else None

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction holding the register's write lock; commits on success.

        After the commit, the audit head it appended (if any) goes to ``after_commit`` (the witness)."""
        with translated(self.where), self.engine.connect() as conn:
            conn.info.pop(HEAD_INFO, None)
            conn.execution_options(labelapp_write=True)
            with conn.begin():
                if not self.is_sqlite:
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")
                yield conn
            new_head = conn.info.pop(HEAD_INFO, None)
        if new_head is not None and self.after_commit is not None:
            self.after_commit(new_head)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction: one consistent snapshot (SQLite WAL; REPEATABLE READ on PostgreSQL), so that a
        verification or a record sees the chain and the rows as of one moment while others write."""
        with translated(self.where), self.engine.connect() as conn:
            if not self.is_sqlite:
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str | None = None, archive_dir: str | Path | None = None, migrate: bool = True) -> Database:
    """Open (and on first use create and migrate) the register database."""
    resolved, is_default = resolve_url(url)
    if resolved.get_backend_name() == "sqlite":
        _prepare_sqlite_file(resolved, is_default)
        engine = _sqlite_engine(resolved)
    else:
        engine = _pg_engine(resolved)
    archive = archive_dir or os.environ.get(ENV_ARCHIVE)
    db = Database(engine, resolved, Path(archive).expanduser() if archive else None)
    try:
        if migrate:
            upgrade(db)
    except BaseException:
        engine.dispose()
        raise
    return db


# ---------------------------------------------------------------- migrations


def _alembic_config(conn: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:
        raise StoreError("the program's database migrations are missing: reinstall labelapp")
    return head


def current_revision(db: Database) -> str | None:
    with db.read() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _check_known(revision: str | None, db: Database) -> None:
    if revision is None:
        return
    script = ScriptDirectory.from_config(_alembic_config())
    try:
        script.get_revision(revision)
    except Exception:  # alembic raises several types for unknown revisions
        raise StoreError(
            f"{db.where} has schema {revision!r} from a newer labelapp; install the newer version"
        ) from None


def _has_tables(db: Database) -> bool:
    from sqlalchemy import inspect

    with db.read() as conn:
        return bool(inspect(conn).get_table_names())


def upgrade(db: Database) -> None:
    """Bring the schema to head inside one locked transaction (safe if two programs start at once)."""
    head = head_revision()
    before = current_revision(db)
    _check_known(before, db)
    if before is None and _has_tables(db):
        raise DatabaseUnavailableError(
            f"{db.where} holds tables but no labelapp schema version: it is not a labelapp "
            "register (or its version table was removed); nothing was changed"
        )
    if before == head:
        return
    if before is not None and db.is_sqlite:
        copy_before_migration(db.sqlite_path, before, utc_now().strftime("%Y%m%dT%H%M%SZ")) if db.sqlite_path else None
    with translated(db.where), db.engine.connect() as conn:
        conn.execution_options(labelapp_write=True)
        with conn.begin():
            if not db.is_sqlite:
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_MIGRATION_LOCK})")
            if MigrationContext.configure(conn).get_current_revision() != head:
                command.upgrade(_alembic_config(conn), "head")
