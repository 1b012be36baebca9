"""Content-addressed archive of printed and released PDFs.

Files live at ``<root>/<sha[:2]>/<sha>.pdf``, written atomically (temp file, fsync, rename,
fsync folder) BEFORE the database row that points at them, so a crash leaves at worst an
unreferenced file (harmless), never a row without its file. Folders are 0700, files 0600.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from labelapp.domain.files import FileWriteError, atomic_write
from labelapp.store.errors import ArchiveError
from labelapp.store.faults import crash_point
from labelapp.store.paths import FILE_MODE

SHA_LEN = 64


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class ArchiveStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def relative_name(self, sha: str) -> str:
        return f"{sha[:2]}/{sha}.pdf"

    def path(self, file_name: str) -> Path:
        return self.root / file_name

    def put(self, data: bytes) -> tuple[str, int, str]:
        """Store bytes under their SHA-256; returns (sha256, size, relative file name)."""
        if not data:
            raise ArchiveError("refusing to archive an empty document")
        sha = sha256_of(data)
        name = self.relative_name(sha)
        target = self.path(name)
        try:
            if not (target.is_file() and sha256_file(target) == sha):
                atomic_write(
                    target,
                    data,
                    mode=FILE_MODE,
                    make_dirs=True,
                    before_rename=lambda: crash_point("archive.before_rename"),
                )
        except OSError as exc:
            raise ArchiveError(f"cannot write to the archive folder {self.root}: {exc.strerror}") from exc
        except FileWriteError as exc:
            raise ArchiveError(f"cannot write to the archive folder {self.root}: {exc}") from exc
        return sha, len(data), name

    def state(self, file_name: str, sha: str) -> str:
        target = self.path(file_name)
        if not target.is_file():
            return "missing"
        try:
            return "ok" if sha256_file(target) == sha else "damaged"
        except OSError:
            return "missing"

    def read_verified(self, file_name: str, sha: str) -> bytes:
        target = self.path(file_name)
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            raise ArchiveError(f"archived document {sha[:12]}… is missing from {self.root}") from None
        except OSError as exc:
            raise ArchiveError(f"cannot read archived document {target}: {exc.strerror}") from exc
        if sha256_of(data) != sha:
            raise ArchiveError(f"archived document {target} is damaged: its bytes no longer match SHA-256 {sha[:12]}…")
        return data

    def export(self, file_name: str, sha: str, destination: Path) -> Path:
        data = self.read_verified(file_name, sha)
        destination = Path(destination)
        if destination.is_dir():
            destination = destination / f"{sha}.pdf"
        try:
            atomic_write(destination, data, mode=FILE_MODE)
        except FileWriteError as exc:
            raise ArchiveError(str(exc)) from exc
        if sha256_file(destination) != sha:
            raise ArchiveError(f"the exported copy {destination} does not match SHA-256 {sha[:12]}…")
        return destination
