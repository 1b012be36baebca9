"""A consistent copy of a SQLite register file (the online backup API), used by backups and before a migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from labelapp.store.errors import DatabaseUnavailableError
from labelapp.store.paths import make_private_file


def sqlite_copy(source: Path, target: Path) -> None:
    """Copy ``source`` to a new private file ``target``, consistent even while other programs write."""
    make_private_file(target)
    try:
        src = sqlite3.connect(source, timeout=30)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        raise DatabaseUnavailableError(f"backup of {source} failed: {exc}") from exc


def copy_before_migration(source: Path, revision: str, stamp: str) -> Path:
    """``labelapp.db.before-<revision>-<stamp>.bak`` next to the register file."""
    target = source.with_name(f"{source.name}.before-{revision}-{stamp}.bak")
    sqlite_copy(source, target)
    return target
