"""The label run: N serialized labels of one lot on one stock, as one deterministic PDF.

The static part of the label (every zone whose text is the same on all labels) is drawn ONCE as a
PDF form XObject. Each label then costs one ``Do`` of that form, one DataMatrix path (integers under
one ``cm``) and one or two short strings. Roll stock: one page per label. Sheet stock: cells in
reading order, as many sheets as needed, all of the same lot (no gang printing).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from labelapp.render.errors import LabelFitError
from labelapp.render.fonts import string_width
from labelapp.render.label import barcode
from labelapp.render.label.barcode import LabelCode
from labelapp.render.label.draw import draw_static
from labelapp.render.label.fit import FittedLabel, FittedZone, place_variable
from labelapp.render.pdfio import new_canvas, pdf_bytes
from labelapp.render.templates.layout import MIN_MODULE, BarcodeZone
from labelapp.render.templates.stock import Stock

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

FORM_NAME = "label"


def serial_width(count: int) -> int:
    return max(4, len(str(count)))


def serial_value(index: int, count: int) -> str:
    """The GS1 (21) serial of label ``index`` (1-based): zero-padded to a fixed width."""
    return f"{index:0{serial_width(count)}d}"


def serial_text(index: int, count: int) -> str:
    """The printed serial, e.g. 0001/1000."""
    return f"{serial_value(index, count)}/{serial_value(count, count)}"


def module_for(zone: BarcodeZone, stock: Stock) -> float:
    """The layout's target module snapped to whole printer dots, never below the GS1 minimum."""
    dot = 72.0 / stock.dpi
    dots = max(1, round(zone.module / dot))
    while dots * dot < MIN_MODULE - 1e-6:
        dots += 1
    return dots * dot


@dataclass(frozen=True)
class RunPlan:
    fitted: FittedLabel
    stock: Stock
    code: LabelCode | None  # None: the label carries no 2D code (its barcode zone stays empty)
    count: int
    title: str
    subject: str


def symbol_origin(plan: RunPlan, module: float, columns: int, rows: int) -> tuple[float, float]:
    """Lower-left corner of a symbol in the layout's barcode zone; refuses one that does not fit."""
    zone = plan.fitted.layout.barcode_zone
    rect, m = zone.rect, module
    width, height = (columns + 2) * m, (rows + 2) * m  # with the 1-module quiet zone
    if width > rect.width + 1e-6 or height > rect.height + 1e-6:
        raise LabelFitError(
            "datamatrix",
            "barcode",
            plan.stock.name,
            plan.fitted.layout.name,
            0.0,
            detail=f"a {columns} x {rows} module symbol with its quiet zone "
            f"({width / 72 * 25.4:.1f} x {height / 72 * 25.4:.1f} mm) is "
            "larger than the zone",
        )
    free_x, free_y = rect.width - width, rect.height - height
    x = rect.x + m + {"left": 0.0, "center": free_x / 2, "right": free_x}[zone.align]
    top = rect.y + m + {"top": 0.0, "middle": free_y / 2, "bottom": free_y}[zone.valign]
    return x, plan.fitted.layout.size.height - top - rows * m


def check_symbol_fits(plan: RunPlan) -> None:
    """Encode the run's largest symbol (the last serial) and check it fits the barcode zone."""
    if plan.code is None:
        return
    zone = plan.fitted.layout.barcode_zone
    data = plan.code.with_serial(serial_value(plan.count, plan.count))
    columns, rows = barcode.symbol_size(barcode.encode(data.symbol_text(), zone.shape, data.is_gs1))
    symbol_origin(plan, module_for(zone, plan.stock), columns, rows)


def draw_single(canvas: Canvas, plan: RunPlan, index: int = 1) -> None:
    """One complete label at the canvas origin without a form (specimens on the worksheet)."""
    draw_static(canvas, plan.fitted)
    _LabelDrawer(plan).draw_variable(canvas, index)


@dataclass(frozen=True)
class _Variable:
    fitted: FittedZone
    make_text: Callable[[int, str], str]  # (index, serial) -> text


class _LabelDrawer:
    """Draws one label's variable part.

    Holds only per-run constants: the GS1 prefixes (lot, expiry and GTIN validated once), the
    module size, and symbol origins by symbol size (at most the ~30 DataMatrix sizes). Nothing
    grows with the number of labels.
    """

    def __init__(self, plan: RunPlan) -> None:
        self.plan = plan
        self.zone = plan.fitted.layout.barcode_zone
        self.module = module_for(self.zone, plan.stock)
        self.dot = 72.0 / plan.stock.dpi
        self.code = plan.code
        self.element_prefix, self.hri_prefix = plan.code.serial_prefixes() if plan.code else ("", "")
        self.variables = [self._variable(z) for z in plan.fitted.zones if z.zone.variable]
        self.fixed_width = {id(v): _constant_width(v, plan) for v in self.variables}
        self.origins: dict[tuple[int, int], tuple[float, float]] = {}

    def _variable(self, fitted: FittedZone) -> _Variable:
        field, count = fitted.zone.fields[0], self.plan.count
        if field == "serial":
            return _Variable(fitted, lambda index, serial: serial_text(index, count))
        if field == "barcode_hri":
            if self.code is None:
                return _Variable(fitted, lambda index, serial: "")
            return _Variable(fitted, lambda index, serial: self.hri_prefix + serial)
        raise ValueError(f"no per-label value for field {field!r}")

    def draw(self, canvas: Canvas, index: int) -> None:
        canvas.doForm(FORM_NAME)
        self.draw_variable(canvas, index)

    def draw_variable(self, canvas: Canvas, index: int) -> None:
        serial = serial_value(index, self.plan.count)
        if self.code is not None:
            self._draw_symbol(canvas, self.element_prefix + serial, self.code.is_gs1)
        for variable in self.variables:
            text = variable.make_text(index, serial)
            if text:
                self._draw_text(canvas, variable, text)

    def _draw_symbol(self, canvas: Canvas, element_string: str, gs1: bool) -> None:
        symbol = barcode.encode(element_string, self.zone.shape, gs1)
        size = barcode.symbol_size(symbol)
        origin = self.origins.get(size)
        if origin is None:
            x, y = symbol_origin(self.plan, self.module, *size)
            origin = self.origins[size] = (self._snap(x), self._snap(y))
        canvas.addLiteral(barcode.symbol_operators(symbol, origin[0], origin[1], self.module))

    def _snap(self, value: float) -> float:
        return round(value / self.dot) * self.dot

    def _draw_text(self, canvas: Canvas, variable: _Variable, text: str) -> None:
        fitted = variable.fitted
        width = self.fixed_width[id(variable)] or string_width(text, fitted.font, fitted.size)
        line = place_variable(self.plan.fitted, fitted, text, width)
        canvas.setFont(fitted.font, fitted.size)
        canvas.drawString(line.x, line.baseline, text)


def _constant_width(variable: _Variable, plan: RunPlan) -> float | None:
    """Width shared by every label's text when it is provably the same, else None (measure each).

    Serials are zero-padded and Liberation Sans digits all have the same advance, so texts that
    differ only in digits at the same positions have the same width.
    """
    count = plan.count
    first = variable.make_text(1, serial_value(1, count))
    last = variable.make_text(count, serial_value(count, count))
    if not last:
        return 0.0
    fitted = variable.fitted
    widths = {string_width(d, fitted.font, fitted.size) for d in "0123456789"}
    same_shape = len(first) == len(last) and all(a == b or (a.isdigit() and b.isdigit()) for a, b in zip(first, last))
    if len(widths) == 1 and same_shape:
        return string_width(last, fitted.font, fitted.size)
    return None


def _begin_static_form(canvas: Canvas, plan: RunPlan) -> None:
    layout = plan.fitted.layout
    canvas.beginForm(FORM_NAME, 0, 0, layout.size.width, layout.size.height)
    draw_static(canvas, plan.fitted)
    canvas.endForm()


def render_roll(plan: RunPlan) -> bytes:
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, (plan.stock.width, plan.stock.height), plan.title, plan.subject)
    _begin_static_form(canvas, plan)
    drawer = _LabelDrawer(plan)
    for index in range(1, plan.count + 1):
        drawer.draw(canvas, index)
        canvas.showPage()
    return pdf_bytes(canvas)


def cell_origin(stock: Stock, slot: int) -> tuple[float, float]:
    """Lower-left corner (PDF points) of cell ``slot`` (0-based, reading order) on a sheet."""
    grid = stock.sheet_grid
    row, column = divmod(slot, grid.columns)
    x = grid.margin_left + column * grid.pitch_x
    y = grid.page.height - (grid.margin_top + row * grid.pitch_y) - stock.height
    return x, y


def render_sheet(plan: RunPlan) -> bytes:
    stock = plan.stock
    grid = stock.sheet_grid
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, (grid.page.width, grid.page.height), plan.title, plan.subject)
    _begin_static_form(canvas, plan)
    drawer = _LabelDrawer(plan)
    per_page = stock.labels_per_page
    for index in range(1, plan.count + 1):
        slot = (index - 1) % per_page
        x, y = cell_origin(stock, slot)
        canvas.saveState()
        canvas.translate(x, y)
        drawer.draw(canvas, index)
        canvas.restoreState()
        if slot == per_page - 1 or index == plan.count:
            canvas.showPage()
    return pdf_bytes(canvas)


def page_count(stock: Stock, count: int) -> int:
    return math.ceil(count / stock.labels_per_page)


def render_run(plan: RunPlan) -> bytes:
    return render_sheet(plan) if plan.stock.kind == "sheet" else render_roll(plan)
