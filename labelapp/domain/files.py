"""Files on disk: the one data-file reader (JSON or YAML in) and the one atomic writer (bytes out).

Both turn every failure into one line that names the file, so the command line exits 2 and the
desktop app shows a sentence, never a traceback:

* ``read_data_file``: JSON or YAML by suffix, UTF-8 only, bounded in size and nesting depth.
* ``atomic_write``: a temporary file in the destination folder, fsync, rename over the target,
  fsync the folder. Readers see the old file or the whole new one; a failure leaves no half file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from labelapp.domain.errors import LabelappError

MAX_DATA_FILE_BYTES = 2_000_000
MAX_NESTING = 64  # no labelapp document nests deeper than about 6; thousands deep is an attack


class DataFileError(LabelappError):
    """A data file that cannot be read, parsed or trusted."""


class FileWriteError(LabelappError):
    """A file could not be written; the destination is left as it was."""


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of plain data, iteratively (a recursive walk is what deep nesting attacks)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return depth
        deepest = max(deepest, depth)
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _read_text(path: Path, max_bytes: int) -> str:
    try:
        if path.is_dir():
            raise DataFileError(f"{path}: is a folder, not a data file")
        if path.stat().st_size > max_bytes:
            raise DataFileError(f"{path}: larger than {max_bytes:,} bytes; not a labelapp data file")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataFileError(f"{path}: file not found") from None
    except OSError as exc:
        raise DataFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError(
            f"{path}: is not UTF-8 text (byte {exc.start + 1} cannot be decoded); save it as UTF-8"
        ) from None


def _parse_yaml(path: Path, text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1} column {mark.column + 1}:" if mark else ""
        raise DataFileError(f"{path}:{where} not valid YAML ({getattr(exc, 'problem', None) or exc})") from None


def _parse_json(path: Path, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{path}: line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg})") from None


def read_data_file(path: str | Path, *, max_bytes: int = MAX_DATA_FILE_BYTES) -> Any:
    """The plain data (dicts, lists, strings, numbers) of a .json, .yaml or .yml file."""
    path = Path(path)
    text = _read_text(path, max_bytes)
    try:
        data = _parse_yaml(path, text) if path.suffix.lower() in (".yaml", ".yml") else _parse_json(path, text)
    except RecursionError:
        raise DataFileError(f"{path}: nested more than {MAX_NESTING} levels deep; not a labelapp data file") from None
    if _depth(data, MAX_NESTING) > MAX_NESTING:
        raise DataFileError(f"{path}: nested more than {MAX_NESTING} levels deep; not a labelapp data file")
    return data


def parse_json_text(text: str, what: str = "text") -> Any:
    """JSON typed into a form (e.g. a formula), bounded like a file."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{what}: line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise DataFileError(f"{what}: nested more than {MAX_NESTING} levels deep") from None
    if _depth(data, MAX_NESTING) > MAX_NESTING:
        raise DataFileError(f"{what}: nested more than {MAX_NESTING} levels deep")
    return data


# ---------------------------------------------------------------------------------------- writing


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new entry durable where the platform allows opening a folder."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def make_folders(folder: Path, mode: int = 0o700) -> None:
    """Create ``folder`` and missing parents with ``mode`` (existing folders are left alone)."""
    missing = [p for p in [folder, *folder.parents] if not p.exists()]
    for path in reversed(missing):
        path.mkdir(mode=mode, exist_ok=True)
        os.chmod(path, mode)
        fsync_folder(path.parent)


def _umask() -> int:
    """The process umask, read without changing it (Linux /proc); 0o022 elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022


def _mode_for(path: Path) -> int:
    """The replaced file's permissions, or what a plain open() would give under the umask."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return 0o666 & ~_umask()


def atomic_write(
    path: str | Path,
    data: bytes,
    *,
    mode: int | None = None,
    make_dirs: bool = False,
    before_rename: Callable[[], None] | None = None,
) -> Path:
    """Write ``data`` to ``path`` all or nothing.

    ``mode``: the new file's permissions (default: the replaced file's, else the umask's).
    ``make_dirs``: create missing folders as 0700 (the archive); otherwise the folder must exist.
    ``before_rename``: called between fsync and rename (crash tests)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        if make_dirs:
            make_folders(folder)
        elif not folder.is_dir():
            raise FileWriteError(f"{path}: folder {folder} does not exist")
        final_mode = _mode_for(path) if mode is None else mode
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise FileWriteError(f"{path}: cannot write ({exc.strerror or exc})") from None
    try:
        os.fchmod(fd, final_mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if before_rename is not None:
            before_rename()
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise FileWriteError(f"{path}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    fsync_folder(folder)
    return path


TEMP_FILE_MARK = ".part"


def is_temporary_file(path: Path) -> bool:
    """A file ``atomic_write`` left behind (the process was killed between write and rename)."""
    return path.name.startswith(".") and path.name.endswith(TEMP_FILE_MARK)
