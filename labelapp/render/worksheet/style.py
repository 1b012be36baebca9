"""Paragraph and table styles of the batch worksheet (Liberation Sans only, nothing below 7 pt)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Literal, TypeAlias
from xml.sax.saxutils import escape

from labelapp.render.fonts import BOLD, REGULAR, register_fonts
from labelapp.render.label.fit import check_printable

if TYPE_CHECKING:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table
    from reportlab.platypus.tables import _TableCommand  # the stub's own name for one TableStyle command

    # What a table cell holds: a paragraph, several stacked, or "" for a box left blank to write in by hand.
    Cell: TypeAlias = Paragraph | list[Paragraph] | str

StyleName = Literal["body", "small", "cell", "cellbold", "h1", "h2", "warn", "big", "decision"]

BODY_SIZE = 8.5
SMALL_SIZE = 7.5
ROW_HEIGHT = 17  # pt: room to write by hand


@cache
def styles() -> dict[StyleName, ParagraphStyle]:
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=BODY_SIZE, leading=BODY_SIZE * 1.25)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=SMALL_SIZE, leading=SMALL_SIZE * 1.25),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=9.6),
        "cellbold": ParagraphStyle("cellbold", parent=body, fontName=BOLD, fontSize=8, leading=9.6),
        "h1": ParagraphStyle("h1", parent=body, fontName=BOLD, fontSize=12, leading=15, spaceBefore=2, spaceAfter=4),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=BOLD, fontSize=10, leading=12.5, spaceBefore=9, spaceAfter=3, keepWithNext=1
        ),
        "warn": ParagraphStyle("warn", parent=body, fontName=BOLD),
        "big": ParagraphStyle("big", parent=body, fontName=BOLD, fontSize=22, leading=27, spaceBefore=4, spaceAfter=4),
        "decision": ParagraphStyle("decision", parent=body, fontName=BOLD, fontSize=12, leading=15),
    }


def p(text: str, style: StyleName = "body") -> Paragraph:
    """A paragraph of plain text (escaped: data never becomes markup; every glyph must exist)."""
    from reportlab.platypus import Paragraph

    st = styles()[style]
    check_printable(text, st.fontName, f"worksheet text {text[:40]!r}")
    return Paragraph(escape(text), st)


def printable(text: str, style: StyleName = "cell") -> str:
    """``text`` with every character the font has no glyph for written as [U+XXXX]: what a person typed is
    printed exactly and legibly instead of refusing the whole record (the executed record must always print)."""
    from labelapp.render.fonts import truetype_font

    glyphs = truetype_font(styles()[style].fontName).face.charToGlyph
    return "".join(ch if ord(ch) in glyphs or ch == "\n" else f"[U+{ord(ch):04X}]" for ch in text)


def data(text: str, style: StyleName = "cell", *, struck: bool = False) -> Paragraph:
    """A paragraph of recorded data: escaped (never markup), unprintable characters spelled out, optionally
    struck through (a corrected value stays legible under the line)."""
    from reportlab.platypus import Paragraph

    shown = escape(printable(text, style))
    return Paragraph(f"<strike>{shown}</strike>" if struck else shown, styles()[style])


def grid_table(
    rows: Sequence[list[Cell]],
    widths: Sequence[float],
    header_rows: int = 1,
    row_height: float | None = None,
    repeat: bool = True,
) -> Table:
    """A ruled table; cell text is wrapped in paragraphs by the caller.

    ``row_height`` is a minimum for body rows (room to write by hand): rows still grow with their
    text, so nothing overflows a cell.
    """
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, colWidths=widths, repeatRows=header_rows if repeat else 0)
    commands: list[_TableCommand] = [
        ("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), (0.88, 0.88, 0.88)))
    if row_height is not None and len(rows) > header_rows:
        commands.append(("BOTTOMPADDING", (0, header_rows), (-1, -1), max(2, row_height - 11)))
    table.setStyle(TableStyle(commands))
    return table
