"""Deterministic ReportLab canvases and atomic PDF files.

* ``new_canvas`` makes a canvas with ``invariant=1`` (fixed dates and document id), fixed metadata,
  page compression, and Liberation Sans as the initial font (so no Helvetica resource is emitted).
* ``pdf_bytes`` / ``build_story`` produce the bytes with binary (Flate only) streams. ReportLab
  adds an ASCII85 layer by default, a pure-Python step that costs more than everything else in a
  10,000-label run; the switch is ReportLab's global ``rl_config.useA85``, so it is flipped only
  while our own documents are formatted, under a lock, and put back afterwards.
Files are written by ``labelapp.domain.files.atomic_write`` (all or nothing), never here.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from labelapp.render.fonts import REGULAR, register_fonts

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

PRODUCER = "labelapp"
_format_lock = threading.RLock()


def new_canvas(buffer: io.BytesIO, pagesize: tuple[float, float], title: str, subject: str) -> Canvas:
    from reportlab.pdfgen.canvas import Canvas

    register_fonts()
    canvas = Canvas(
        buffer,
        pagesize=pagesize,
        invariant=1,
        pageCompression=1,
        # types-reportlab declares initialFontName as float | None; Canvas takes a font name (str)
        initialFontName=REGULAR,  # type: ignore[arg-type]
        initialFontSize=6,
    )
    set_metadata(canvas, title, subject)
    return canvas


def set_metadata(canvas: Canvas, title: str, subject: str) -> None:
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


def pdf_bytes(canvas: Canvas) -> bytes:
    """Finish the canvas and return the document."""
    with binary_streams():
        # types-reportlab leaves Canvas.getpdfdata unannotated; ReportLab returns the document as bytes
        data: bytes = canvas.getpdfdata()  # type: ignore[no-untyped-call]
        return data


def build_story(build: Callable[[], None]) -> None:
    """Run a platypus ``doc.build(...)`` call with binary streams (formatting happens in build)."""
    with binary_streams():
        build()
