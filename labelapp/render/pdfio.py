"""Deterministic ReportLab canvases and atomic PDF files.

* ``new_canvas`` makes a canvas with ``invariant=1`` (fixed dates and document id), fixed metadata,
  page compression, and Liberation Sans as the initial font (so no Helvetica resource is emitted).
* ``pdf_bytes`` / ``build_story`` produce the bytes with binary (Flate only) streams. ReportLab
  adds an ASCII85 layer by default, a pure-Python step that costs more than everything else in a
  10,000-label run; the switch is ReportLab's global ``rl_config.useA85``, so it is flipped only
  while our own documents are formatted, under a lock, and put back afterwards.
* ``write_atomic`` writes to a temporary file in the destination folder, fsyncs it and renames it
  over the target: a failure never leaves a half-written PDF.
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from labelapp.render.errors import OutputError
from labelapp.render.fonts import REGULAR, register_fonts

PRODUCER = "labelapp"
_format_lock = threading.RLock()


def new_canvas(buffer: io.BytesIO, pagesize: tuple[float, float], title: str, subject: str):
    from reportlab.pdfgen.canvas import Canvas

    register_fonts()
    canvas = Canvas(buffer, pagesize=pagesize, invariant=1, pageCompression=1,
                    initialFontName=REGULAR, initialFontSize=6)
    set_metadata(canvas, title, subject)
    return canvas


def set_metadata(canvas, title: str, subject: str) -> None:
    canvas.setTitle(title)
    canvas.setSubject(subject)
    canvas.setAuthor(PRODUCER)
    canvas.setCreator(PRODUCER)
    canvas.setProducer(PRODUCER)
    canvas.setKeywords("")


@contextmanager
def binary_streams() -> Iterator[None]:
    """Format PDFs without the ASCII85 layer (see module docstring)."""
    from reportlab import rl_config

    with _format_lock:
        saved = rl_config.useA85
        rl_config.useA85 = 0
        try:
            yield
        finally:
            rl_config.useA85 = saved


def pdf_bytes(canvas) -> bytes:
    """Finish the canvas and return the document."""
    with binary_streams():
        return canvas.getpdfdata()


def build_story(build: Callable[[], None]) -> None:
    """Run a platypus ``doc.build(...)`` call with binary streams (formatting happens in build)."""
    with binary_streams():
        build()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all or nothing: temp file in the same folder, fsync, os.replace."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, _mode_for(path))  # mkstemp makes 0600; keep the usual permissions
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _remove_quietly(tmp)
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        _remove_quietly(tmp)
        raise
    _fsync_folder(folder)


def _mode_for(path: Path) -> int:
    """The replaced file's permissions, or what a plain open() would give under the umask."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return 0o666 & ~_umask()


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


def _remove_quietly(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable where the platform allows opening a directory."""
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
