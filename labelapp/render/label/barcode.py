"""GS1 DataMatrix for labels: element strings, GTIN-14 from an NDC, and the symbol as one PDF path.

Content, fixed-length AIs first (docs/domain.md §7.3):
    (01) GTIN-14, only when an NDC is set   (17) expiry YYMMDD   (10) lot   (21) serial
The symbol is encoded by zint (C, ~0.05 ms) in GS1 mode with warnings promoted to errors, so a bad
GTIN check digit, an impossible date or a character outside GS1 AI encodable set 82 is refused by
zint as well as by our own checks. The modules are drawn as ONE filled path of rectangles in module
units under a single ``cm`` transform: a few hundred bytes of integers per symbol, no per-module
drawing objects. Nothing is cached across labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

from labelapp.render.errors import BarcodeDataError

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas
    from zint import Symbol

# GS1 General Specifications, figure 7.11-1: "GS1 AI encodable character set 82".
GS1_SET_82 = frozenset("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
MAX_LOT_LENGTH = 20  # AI (10): X..20
MAX_SERIAL_LENGTH = 20  # AI (21): X..20
GS = "\x1d"  # FNC1 as a scanner transmits it after a variable-length AI that is not last

Shape = Literal["square", "any"]

# NDC segment patterns of the 10-digit NDC (labeler-product-package).
_NDC_SEGMENTS = {(4, 4, 2), (5, 3, 2), (5, 4, 1)}


def check_gs1_chars(value: str, what: str, max_length: int) -> str:
    """Refuse an empty or too-long value, or one with a character outside GS1 set 82."""
    if not value:
        raise BarcodeDataError(f"{what} is empty")
    if len(value) > max_length:
        raise BarcodeDataError(f"{what} {value!r} has {len(value)} characters; GS1 allows at most {max_length}")
    bad = sorted({ch for ch in value if ch not in GS1_SET_82})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad)
        raise BarcodeDataError(
            f"{what} {value!r} contains {shown}, outside the GS1 AI encodable "
            "character set 82 (letters, digits and !\"%&'()*+,-./:;<=>?_ only)"
        )
    return value


def validate_lot(lot: str) -> str:
    return check_gs1_chars(lot, "lot", MAX_LOT_LENGTH)


def validate_serial(serial: str) -> str:
    return check_gs1_chars(serial, "serial", MAX_SERIAL_LENGTH)


def ndc_digits(ndc: str) -> str:
    """The 10 digits of an NDC written 4-4-2, 5-3-2 or 5-4-1 (hyphens optional)."""
    text = ndc.strip()
    if "-" in text:
        parts = text.split("-")
        if len(parts) != 3 or not all(p.isdigit() for p in parts) or tuple(len(p) for p in parts) not in _NDC_SEGMENTS:
            raise BarcodeDataError(f"NDC {ndc!r} is not a 10-digit NDC in 4-4-2, 5-3-2 or 5-4-1 form")
        text = "".join(parts)
    if not (len(text) == 10 and text.isdigit()):
        raise BarcodeDataError(
            f"NDC {ndc!r} must have exactly 10 digits (an 11-digit billing form "
            "cannot be turned into a GTIN without knowing where the pad zero is)"
        )
    return text


def gs1_check_digit(body: str) -> str:
    """GS1 mod-10: weights 3,1,3,... from the rightmost digit of the body."""
    if not body.isdigit():
        raise BarcodeDataError(f"GS1 number {body!r} must be digits only")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def gtin14_from_ndc(ndc: str) -> str:
    """Indicator 0 + '03' (the US NDC prefix) + the 10 NDC digits + the check digit."""
    body = "0" + "03" + ndc_digits(ndc)
    return body + gs1_check_digit(body)


@dataclass(frozen=True)
class Gs1Data:
    """What one label's DataMatrix says. ``gtin`` only when the product has an NDC."""

    expiry: date
    lot: str
    serial: str | None = None
    gtin: str | None = None

    def __post_init__(self) -> None:
        validate_lot(self.lot)
        if self.serial is not None:
            validate_serial(self.serial)
        if self.gtin is not None and not (
            len(self.gtin) == 14 and self.gtin.isdigit() and gs1_check_digit(self.gtin[:13]) == self.gtin[13]
        ):
            raise BarcodeDataError(f"GTIN {self.gtin!r} is not 14 digits with a valid check digit")
        if not 2000 <= self.expiry.year <= 2099:
            raise BarcodeDataError(
                f"expiry {self.expiry.isoformat()} is outside the years AI (17) can carry here (2000-2099)"
            )

    def elements(self) -> list[tuple[str, str]]:
        out = []
        if self.gtin:
            out.append(("01", self.gtin))
        out.append(("17", self.expiry.strftime("%y%m%d")))
        out.append(("10", self.lot))
        if self.serial:
            out.append(("21", self.serial))
        return out

    def element_string(self) -> str:
        """zint's GS1 input syntax: ``[17]271231[10]LOT123[21]0001``."""
        return "".join(f"[{ai}]{value}" for ai, value in self.elements())

    def serial_prefixes(self) -> tuple[str, str]:
        """(element string, human-readable text) up to and including the (21) AI, for a run:
        label i's strings are these plus its serial (which ``validate_serial`` allows)."""
        base = Gs1Data(expiry=self.expiry, lot=self.lot, serial=None, gtin=self.gtin)
        return base.element_string() + "[21]", base.human_readable() + "(21)"

    def human_readable(self) -> str:
        """GS1 human-readable interpretation: ``(17)271231(10)LOT123(21)0001``."""
        return "".join(f"({ai}){value}" for ai, value in self.elements())

    def transmitted(self) -> str:
        """What a scanner sends (after ]d2): AIs concatenated, GS after each non-last variable AI."""
        parts = []
        elements = self.elements()
        for i, (ai, value) in enumerate(elements):
            parts.append(ai + value)
            if ai in ("10", "21") and i < len(elements) - 1:
                parts.append(GS)
        return "".join(parts)


def with_serial(data: Gs1Data, serial: str) -> Gs1Data:
    return Gs1Data(expiry=data.expiry, lot=data.lot, serial=serial, gtin=data.gtin)


def encode(element_string: str, shape: Shape = "square") -> Symbol:
    """A zint Symbol for the element string; zint's GS1 checks are errors, not printed warnings."""
    import zint

    symbol = zint.Symbol()
    symbol.symbology = zint.Symbology.DATAMATRIX
    symbol.input_mode = zint.InputMode.GS1
    symbol.warn_level = zint.WarningLevel.FAIL_ALL
    if shape == "square":
        symbol.option_3 = int(zint.DataMatrixOptions.SQUARE)
    try:
        symbol.encode(element_string)
    except RuntimeError as exc:
        raise BarcodeDataError(f"GS1 DataMatrix refused {element_string!r}: {exc}") from None
    return symbol


def symbol_size(symbol: Symbol) -> tuple[int, int]:
    """(columns, rows) in modules."""
    return symbol.width, symbol.rows


def vector_rects(symbol: Symbol) -> list[tuple[int, int, int, int]]:
    """The dark modules as zint's vector output gives them: (x, y, w, h) in modules, y downwards.

    zint merges vertically adjacent modules into taller rectangles. This is the reference for
    ``matrix_rects``; it costs ~0.3 ms per symbol in attribute access, so the hot path does not use it.
    """
    symbol.buffer_vector()
    vector = symbol.vector
    unit = vector.width / symbol.width
    return [
        (round(r.x / unit), round(r.y / unit), round(r.width / unit), round(r.height / unit)) for r in vector.rectangles
    ]


_RUN = re.compile("1+")


def _row_bits(symbol: Symbol) -> list[str]:
    """Each row of the module matrix as a '0'/'1' string, leftmost module first.

    zint keeps module (x, y) as bit ``x & 7`` of byte ``encoded_data[y][x >> 3]``, so a row's bytes
    read as a little-endian integer have module x at bit x.
    """
    data = symbol.encoded_data
    shape = data.shape
    assert shape is not None  # typeshed allows None (Python < 3.3); a memoryview's shape is a tuple now
    stride = shape[1]
    columns, rows = symbol.width, symbol.rows
    nbytes = (columns + 7) // 8
    raw = data[:rows].tobytes()
    return [
        format(int.from_bytes(raw[r * stride : r * stride + nbytes], "little"), "b").zfill(columns)[::-1]
        for r in range(rows)
    ]


def matrix_rects(symbol: Symbol) -> list[tuple[int, int, int, int]]:
    """The dark modules read from zint's module matrix, merged into horizontal runs (y downwards).

    Tests check, over many symbols, that these runs cover exactly the modules of ``vector_rects``.
    """
    return [
        (m.start(), y, m.end() - m.start(), 1) for y, bits in enumerate(_row_bits(symbol)) for m in _RUN.finditer(bits)
    ]


def path_operators(rects: list[tuple[int, int, int, int]], rows: int, x: float, y: float, module: float) -> str:
    """PDF operators filling every rectangle at once; (x, y) is the symbol's lower-left corner."""
    body = " ".join([f"{rx} {ry} {rw} {rh} re" for rx, ry, rw, rh in rects])
    return _wrap_path(body, rows, x, y, module)


def _wrap_path(body: str, rows: int, x: float, y: float, module: float) -> str:
    # Scale module units to points and flip y (zint's rows run downwards, PDF's y upwards).
    return f"q 0 g {module:.4f} 0 0 {-module:.4f} {x:.4f} {y + rows * module:.4f} cm {body} f Q"


def symbol_operators(symbol: Symbol, x: float, y: float, module: float) -> str:
    """``path_operators(matrix_rects(symbol), ...)`` in one pass: the per-label hot path."""
    body = " ".join(
        [
            f"{m.start()} {row} {m.end() - m.start()} 1 re"
            for row, bits in enumerate(_row_bits(symbol))
            for m in _RUN.finditer(bits)
        ]
    )
    return _wrap_path(body, symbol.rows, x, y, module)


@dataclass(frozen=True)
class PlacedSymbol:
    columns: int
    rows: int
    module: float
    operators: str

    @property
    def width(self) -> float:
        return self.columns * self.module

    @property
    def height(self) -> float:
        return self.rows * self.module


def datamatrix_operators(
    element_string: str, x: float, y: float, module: float, shape: Shape = "square"
) -> PlacedSymbol:
    """Encode and return the operators for a symbol whose lower-left corner is at (x, y)."""
    symbol = encode(element_string, shape)
    columns, rows = symbol_size(symbol)
    return PlacedSymbol(columns, rows, module, symbol_operators(symbol, x, y, module))


def draw_datamatrix(
    canvas: Canvas, element_string: str, x: float, y: float, module: float, shape: Shape = "square"
) -> PlacedSymbol:
    """Draw the symbol on a ReportLab canvas as one path. Returns its size for layout checks."""
    placed = datamatrix_operators(element_string, x, y, module, shape)
    canvas.addLiteral(placed.operators)
    return placed
