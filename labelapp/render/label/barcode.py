"""GS1 DataMatrix for labels: element strings, GTIN-14 from an NDC, and the symbol as one PDF path.

Content, fixed-length AIs first (docs/domain.md §7.2, §7.3):
    (01) GTIN-14 (always: from the NDC or the facility's GTIN)   (17) expiry YYMMDD, or (7003)
    expiry date and time YYMMDDHHMM for an hour-based expiry   (10) lot   (21) serial
Without a GTIN a label carries a plain (non-GS1) DataMatrix, ``PlainCode``, or no code at all; a GS1
element string without (01) is refused by ``encode``.
The symbol is encoded by zint (C, ~0.05 ms) in GS1 mode with warnings promoted to errors, so a bad
GTIN check digit, an impossible date or a character outside GS1 AI encodable set 82 is refused by
zint as well as by our own checks. The modules are drawn as ONE filled path of rectangles in module
units under a single ``cm`` transform: a few hundred bytes of integers per symbol, no per-module
drawing objects. Nothing is cached across labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, time
from typing import TYPE_CHECKING, ClassVar, Literal

from labelapp.domain import gs1
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
    try:
        return gs1.ndc_digits(ndc)
    except gs1.Gs1NumberError as exc:
        raise BarcodeDataError(str(exc)) from None


def gs1_check_digit(body: str) -> str:
    """GS1 mod-10: weights 3,1,3,... from the rightmost digit of the body."""
    try:
        return gs1.gs1_check_digit(body)
    except gs1.Gs1NumberError as exc:
        raise BarcodeDataError(str(exc)) from None


def gtin14_from_ndc(ndc: str) -> str:
    """Indicator 0 + '03' (the US NDC prefix) + the 10 NDC digits + the check digit."""
    try:
        return gs1.gtin14_from_ndc(ndc)
    except gs1.Gs1NumberError as exc:
        raise BarcodeDataError(str(exc)) from None


@dataclass(frozen=True)
class Gs1Data:
    """What one label's GS1 DataMatrix says. ``gtin`` is required: a GS1 element string always
    carries its primary key (01) (docs/domain.md §7.3). ``expiry_time`` set: the expiry is
    hour-based and goes in AI (7003) YYMMDDHHMM instead of (17) YYMMDD (§7.2)."""

    expiry: date
    lot: str
    gtin: str
    serial: str | None = None
    expiry_time: time | None = None

    is_gs1: ClassVar[bool] = True

    def __post_init__(self) -> None:
        validate_lot(self.lot)
        if self.serial is not None:
            validate_serial(self.serial)
        if not isinstance(self.gtin, str) or not self.gtin:
            raise BarcodeDataError("a GS1 element string needs the (01) GTIN; without one print a plain code or none")
        if not (len(self.gtin) == 14 and self.gtin.isdigit() and gs1_check_digit(self.gtin[:13]) == self.gtin[13]):
            raise BarcodeDataError(f"GTIN {self.gtin!r} is not 14 digits with a valid check digit")
        ai = "7003" if self.expiry_time is not None else "17"
        if not 2000 <= self.expiry.year <= 2099:
            raise BarcodeDataError(
                f"expiry {self.expiry.isoformat()} is outside the years AI ({ai}) can carry here (2000-2099)"
            )

    def elements(self) -> list[tuple[str, str]]:
        out = [("01", self.gtin)]
        if self.expiry_time is not None:
            out.append(("7003", self.expiry.strftime("%y%m%d") + self.expiry_time.strftime("%H%M")))
        else:
            out.append(("17", self.expiry.strftime("%y%m%d")))
        out.append(("10", self.lot))
        if self.serial:
            out.append(("21", self.serial))
        return out

    def element_string(self) -> str:
        """zint's GS1 input syntax: ``[01]00312345678906[17]271231[10]LOT123[21]0001``."""
        return "".join(f"[{ai}]{value}" for ai, value in self.elements())

    def serial_prefixes(self) -> tuple[str, str]:
        """(element string, human-readable text) up to and including the (21) AI, for a run:
        label i's strings are these plus its serial (which ``validate_serial`` allows)."""
        base = replace(self, serial=None)
        return base.element_string() + "[21]", base.human_readable() + "(21)"

    def human_readable(self) -> str:
        """GS1 human-readable interpretation: ``(01)00312345678906(17)271231(10)LOT123(21)0001``."""
        return "".join(f"({ai}){value}" for ai, value in self.elements())

    def symbol_text(self) -> str:
        """What the symbol encodes, in the encoder's input syntax."""
        return self.element_string()

    def transmitted(self) -> str:
        """What a scanner sends (after ]d2): AIs concatenated, GS after each non-last AI that is not of
        predefined length ((10), (21), and (7003): AIs starting 70 are not in GS1's predefined table)."""
        parts = []
        elements = self.elements()
        for i, (ai, value) in enumerate(elements):
            parts.append(ai + value)
            if ai in ("10", "21", "7003") and i < len(elements) - 1:
                parts.append(GS)
        return "".join(parts)

    def with_serial(self, serial: str) -> "Gs1Data":
        return replace(self, serial=serial)


@dataclass(frozen=True)
class PlainCode:
    """A plain (non-GS1) DataMatrix for a product with neither an NDC nor a facility GTIN (§7.3).

    Its text is ``LOT <lot> EXP <YYYY-MM-DD>[ <HH:MM>] SN <serial>``, the same words the label prints,
    encoded without FNC1, so a scanner reports it as plain text (]d1), never as GS1 data."""

    expiry: date
    lot: str
    serial: str | None = None
    expiry_time: time | None = None

    is_gs1: ClassVar[bool] = False

    def __post_init__(self) -> None:
        validate_lot(self.lot)
        if self.serial is not None:
            validate_serial(self.serial)

    def _base(self) -> str:
        exp = self.expiry.isoformat() + (f" {self.expiry_time.strftime('%H:%M')}" if self.expiry_time else "")
        return f"LOT {self.lot} EXP {exp}"

    def human_readable(self) -> str:
        return self._base() + (f" SN {self.serial}" if self.serial else "")

    def symbol_text(self) -> str:
        return self.human_readable()

    def element_string(self) -> str:
        return self.human_readable()

    def serial_prefixes(self) -> tuple[str, str]:
        return self._base() + " SN ", self._base() + " SN "

    def with_serial(self, serial: str) -> "PlainCode":
        return replace(self, serial=serial)


LabelCode = Gs1Data | PlainCode


def with_serial(data: LabelCode, serial: str) -> LabelCode:
    return data.with_serial(serial)


def encode(element_string: str, shape: Shape = "square", gs1: bool = True) -> Symbol:
    """A zint Symbol. GS1 mode (``gs1``): zint's GS1 checks are errors, not printed warnings, and an
    element string without its (01) GTIN first is refused (docs/domain.md §7.3). Otherwise the text is
    encoded as plain data (no FNC1: no scanner reads it as GS1)."""
    import zint

    if gs1 and not element_string.startswith("[01]"):
        raise BarcodeDataError(
            f"GS1 element string {element_string!r} lacks its (01) GTIN: a GS1 code always carries its "
            "primary key (print a plain code or none instead)"
        )
    symbol = zint.Symbol()
    symbol.symbology = zint.Symbology.DATAMATRIX
    symbol.input_mode = zint.InputMode.GS1 if gs1 else zint.InputMode.UNICODE
    symbol.warn_level = zint.WarningLevel.FAIL_ALL
    if shape == "square":
        symbol.option_3 = int(zint.DataMatrixOptions.SQUARE)
    try:
        symbol.encode(element_string)
    except RuntimeError as exc:
        what = "GS1 DataMatrix" if gs1 else "DataMatrix"
        raise BarcodeDataError(f"{what} refused {element_string!r}: {exc}") from None
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
    element_string: str, x: float, y: float, module: float, shape: Shape = "square", gs1: bool = True
) -> PlacedSymbol:
    """Encode and return the operators for a symbol whose lower-left corner is at (x, y)."""
    symbol = encode(element_string, shape, gs1)
    columns, rows = symbol_size(symbol)
    return PlacedSymbol(columns, rows, module, symbol_operators(symbol, x, y, module))


def draw_datamatrix(
    canvas: Canvas, element_string: str, x: float, y: float, module: float, shape: Shape = "square", gs1: bool = True
) -> PlacedSymbol:
    """Draw the symbol on a ReportLab canvas as one path. Returns its size for layout checks."""
    placed = datamatrix_operators(element_string, x, y, module, shape, gs1)
    canvas.addLiteral(placed.operators)
    return placed
