"""The witness file: every new audit head, written outside the database after each commit.

``<archive folder>/audit-witness.log`` gets one line per write, ``<seq> <sha256> <UTC time>``, appended
and fsync'd. It is the register's memory outside the database: whoever deletes entries at the end
of the trail (and fixes everything else) still leaves lines that name entries no longer there, and
``audit verify`` reads them without being told to (docs/domain.md §6.2). Several workstations may
append at once (one short ``O_APPEND`` write each), so lines are not always in order.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from labelapp.domain.files import make_folders
from labelapp.store.canonical import iso_utc, utc_now
from labelapp.store.errors import ArchiveError

FILE_NAME = "audit-witness.log"
_LINE = re.compile(r"^(\d+) ([0-9a-f]{64}) (\S+)$")
TAIL_BYTES = 64 * 1024


def path_in(root: Path) -> Path:
    return Path(root) / FILE_NAME


def append(root: Path, seq: int, digest: str) -> None:
    """Record a new head. Raises ArchiveError (the database change itself is already committed)."""
    target = path_in(root)
    try:
        make_folders(target.parent)
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, f"{seq} {digest} {iso_utc(utc_now())}\n".encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise ArchiveError(
            f"the change was saved, but the witness file {target} could not be written "
            f"({exc.strerror}): make the archive folder writable"
        ) from exc


def _parse(text: str, where: Path) -> tuple[list[tuple[int, str]], list[str]]:
    lines, problems = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = _LINE.match(line.strip())
        if match is None:
            problems.append(f"the witness file {where} line {number} is not a witness line (edited by hand?)")
            continue
        lines.append((int(match[1]), match[2]))
    return lines, problems


def read(root: Path) -> tuple[list[tuple[int, str]], list[str]]:
    """Every (seq, hash) the witness holds, and the lines that are not witness lines."""
    target = path_in(root)
    try:
        text = target.read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        return [], [f"the witness file {target} cannot be read ({exc.strerror})"]
    return _parse(text, target)


def latest(root: Path) -> tuple[int, str] | None:
    """The highest head among the last lines (cheap: reads only the file's tail)."""
    target = path_in(root)
    try:
        with open(target, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - TAIL_BYTES))
            tail = handle.read().decode("ascii", errors="replace")
    except OSError:
        return None
    if size > TAIL_BYTES:
        tail = tail.split("\n", 1)[-1]
    lines, _ = _parse(tail, target)
    return max(lines) if lines else None
