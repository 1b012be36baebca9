"""Where the register lives on disk, and private (owner-only) folders and files."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from labelapp.store.errors import DatabaseUnavailableError

DB_FILE_NAME = "labelapp.db"
ARCHIVE_DIR_NAME = "archive"
DIR_MODE = 0o700
FILE_MODE = 0o600


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("labelapp", appauthor=False))


def default_database_path() -> Path:
    return default_data_dir() / DB_FILE_NAME


def make_private_dir(path: Path, create_parents: bool = True) -> Path:
    """Create ``path`` (and, if allowed, missing parents) as 0700; existing folders are left alone."""
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    if len(missing) > 1 and not create_parents:
        raise DatabaseUnavailableError(f"folder {path.parent} does not exist")
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
            os.chmod(folder, DIR_MODE)
        except FileExistsError:
            pass
        except OSError as exc:
            raise DatabaseUnavailableError(f"cannot create folder {folder}: {exc.strerror}") from exc
    if not path.is_dir():
        raise DatabaseUnavailableError(f"{path} is not a folder")
    return path


def make_private_file(path: Path) -> Path:
    """Create an empty 0600 file if it is missing, so SQLite never creates it with the umask's mode."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
        os.close(fd)
    except FileExistsError:
        pass
    except OSError as exc:
        raise DatabaseUnavailableError(f"cannot create the database file {path}: {exc.strerror}") from exc
    return path
