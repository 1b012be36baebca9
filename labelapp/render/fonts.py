"""The bundled Liberation Sans faces, registered once with ReportLab and embedded in every PDF.

Nothing in ``labelapp.render`` names a font directly: code asks for ``REGULAR`` or ``BOLD`` (or
``face(style)``), so no base-14 font (Helvetica...) can slip into a label. Base-14 fonts are not
embedded and lack glyphs a label may need (≤, ≥, µ is banned but ° and – are used).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from labelapp.resources import font_path

if TYPE_CHECKING:
    from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "LiberationSans"
BOLD = "LiberationSans-Bold"

FontStyle = Literal["regular", "bold"]

_FILES = {REGULAR: "LiberationSans-Regular.ttf", BOLD: "LiberationSans-Bold.ttf"}
# (bold, italic, face) of the family: italic falls back to upright (there is no italic face)
_MAPPINGS: tuple[tuple[Literal[0, 1], Literal[0, 1], str], ...] = (
    (0, 0, REGULAR),
    (1, 0, BOLD),
    (0, 1, REGULAR),
    (1, 1, BOLD),
)
_lock = threading.Lock()
_registered = False


@dataclass(frozen=True)
class LineMetrics:
    """Vertical extent of one line of text, as fractions of the font size.

    ``above`` and ``below`` are the distances from the baseline to the top and bottom of the box
    PDF text extractors (pdfminer/pdfplumber) give each glyph: ``below`` is the font's descent and
    ``above`` is ``1 - below``. Keeping every such box inside its zone keeps the ink inside too,
    since no Latin glyph rises above 0.79 em in Liberation Sans.
    """

    above: float
    below: float


def register_fonts() -> None:
    """Register both faces and the family (for <b> in platypus paragraphs). Safe to call often."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        for name, filename in _FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(font_path(filename))))
        for bold, italic, name in _MAPPINGS:
            addMapping(REGULAR, bold, italic, name)
        _registered = True


def face(style: FontStyle) -> str:
    register_fonts()
    return BOLD if style == "bold" else REGULAR


def string_width(text: str, font_name: str, size: float) -> float:
    register_fonts()
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font_name, size)


def truetype_font(font_name: str) -> TTFont:
    """The registered TrueType font of that name (every font labelapp draws with is one).

    ``pdfmetrics.getFont`` is typed as returning a Type 1 ``Font``; it returns whatever was
    registered under the name, here a ``TTFont``, whose ``face`` has the glyph map and metrics."""
    from reportlab.pdfbase.pdfmetrics import getFont
    from reportlab.pdfbase.ttfonts import TTFont

    font = getFont(font_name)
    if not isinstance(font, TTFont):
        raise TypeError(f"font {font_name!r} is not an embedded TrueType font")
    return font


def line_metrics(font_name: str) -> LineMetrics:
    register_fonts()
    descent = -truetype_font(font_name).face.descent / 1000.0
    return LineMetrics(above=1.0 - descent, below=descent)
