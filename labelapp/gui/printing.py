"""Sending PDF bytes to a printer at 100 %, on the exact page size of each PDF page.

Never "fit to page": each page is rasterised by QtPdf at the printer's own resolution into a page
of exactly the PDF page's size (full-page mode, no margins), in horizontal bands so memory stays
bounded on letter sheets at 600-1200 dpi. A per-printer calibration offset (mm) shifts the whole
page image; it corrects the printer's feed, not the document (the archived PDF is unchanged).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QPointF,
    QRect,
    QRectF,
    QSettings,
    QSize,
    QSizeF,
    Qt,
)
from PySide6.QtGui import QColor, QPageLayout, QPageSize, QPainter, QPen
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPrintSupport import QPrinter

from labelapp.domain.errors import LabelappError

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

MM_PER_INCH = 25.4
BAND_PIXELS = 1024
Progress = Callable[[int, int], bool]  # (pages done, total) -> keep going?


class PrintError(LabelappError):
    """The printer or the PDF refused the job."""


@dataclass(frozen=True)
class Offset:
    x_mm: float = 0.0
    y_mm: float = 0.0

    def __bool__(self) -> bool:
        return bool(self.x_mm or self.y_mm)


@dataclass(frozen=True)
class PrintOutcome:
    pages_total: int
    pages_sent: int
    cancelled: bool


def open_pdf(data: bytes) -> tuple[QPdfDocument, QBuffer]:
    """A QPdfDocument over ``data``; keep the buffer alive as long as the document."""
    document = QPdfDocument()
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready:
        raise PrintError(f"the PDF cannot be opened for printing ({document.error().name})")
    return document, buffer


def exact_page_layout(size_pt: QSizeF) -> QPageLayout:
    page = QPageSize(size_pt, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.ExactMatch)
    return QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)


def prepare_printer(printer: QPrinter, size_pt: QSizeF) -> None:
    printer.setFullPage(True)
    if not printer.setPageLayout(exact_page_layout(size_pt)):
        raise PrintError(
            f"the printer {printer.printerName() or '(PDF)'} does not accept a page of "
            f"{size_pt.width() / 72:.3g} x {size_pt.height() / 72:.3g} in"
        )


def _pixels(points: float, dpi: int) -> int:
    return max(1, round(points / 72.0 * dpi))


def paint_page(painter: QPainter, document: QPdfDocument, index: int, dpi: int, offset: Offset) -> None:
    """Page ``index`` at 1:1 scale: the image is rendered at ``dpi`` and drawn pixel for pixel."""
    size_pt = document.pagePointSize(index)
    full = QSize(_pixels(size_pt.width(), dpi), _pixels(size_pt.height(), dpi))
    dx, dy = offset.x_mm / MM_PER_INCH * dpi, offset.y_mm / MM_PER_INCH * dpi
    painter.fillRect(QRect(0, 0, full.width(), full.height()), Qt.GlobalColor.white)
    for top in range(0, full.height(), BAND_PIXELS):
        band = QRect(0, top, full.width(), min(BAND_PIXELS, full.height() - top))
        options = QPdfDocumentRenderOptions()
        options.setScaledSize(full)
        options.setScaledClipRect(band)
        image = document.render(index, band.size(), options)
        painter.drawImage(QPointF(dx, top + dy), image)


def print_pdf(
    data: bytes,
    printer: QPrinter,
    offset: Offset = Offset(),
    progress: Progress | None = None,
    pages: range | None = None,
) -> PrintOutcome:
    """Print every page (or ``pages``) of ``data`` at 100 % on pages of the PDF's own size."""
    document, buffer = open_pdf(data)
    try:
        wanted = pages if pages is not None else range(document.pageCount())
        return _print_pages(document, printer, offset, progress, wanted)
    finally:
        document.close()
        buffer.close()


def _print_pages(
    document: QPdfDocument, printer: QPrinter, offset: Offset, progress: Progress | None, wanted: range
) -> PrintOutcome:
    total = len(wanted)
    if total == 0:
        return PrintOutcome(0, 0, False)
    prepare_printer(printer, document.pagePointSize(wanted[0]))
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintError(f"the printer {printer.printerName() or printer.outputFileName()} cannot be opened")
    sent = 0
    try:
        for n, index in enumerate(wanted):
            if progress is not None and not progress(n, total):
                printer.abort()
                return PrintOutcome(total, sent, True)
            if n:
                size = document.pagePointSize(index)
                if size != document.pagePointSize(wanted[n - 1]):
                    printer.setPageLayout(exact_page_layout(size))
                printer.newPage()
            paint_page(painter, document, index, printer.resolution(), offset)
            sent += 1
    finally:
        painter.end()
    if progress is not None:
        progress(total, total)
    return PrintOutcome(total, sent, False)


def print_calibration(printer: QPrinter, page_pt: QSizeF, cells_pt: list[QRectF], offset: Offset, caption: str) -> None:
    """A calibration sheet (not a label): each label cell outlined 1 mm inside its edges, a cross at
    its centre. With a correct offset the outlines sit evenly inside the die-cut labels."""
    prepare_printer(printer, page_pt)
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintError(f"the printer {printer.printerName() or printer.outputFileName()} cannot be opened")
    try:
        dpi = printer.resolution()
        scale = dpi / 72.0
        painter.translate(offset.x_mm / MM_PER_INCH * dpi, offset.y_mm / MM_PER_INCH * dpi)
        painter.scale(scale, scale)
        painter.setPen(QPen(QColor("black"), 0.5))
        inset = 72.0 / MM_PER_INCH  # 1 mm
        for cell in cells_pt:
            painter.drawRect(cell.adjusted(inset, inset, -inset, -inset))
            c = cell.center()
            painter.drawLine(QPointF(c.x() - 9, c.y()), QPointF(c.x() + 9, c.y()))
            painter.drawLine(QPointF(c.x(), c.y() - 9), QPointF(c.x(), c.y() + 9))
        font = painter.font()
        font.setPointSizeF(6)
        painter.setFont(font)
        first = cells_pt[0] if cells_pt else QRectF(QPointF(0, 0), page_pt)
        painter.drawText(
            first.adjusted(2 * inset, 2 * inset, -2 * inset, -2 * inset),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
            caption,
        )
    finally:
        painter.end()


def pdf_printer(path: str, resolution: int = 300) -> QPrinter:
    """A QPrinter writing a PDF file (tests, and proofs of the printer path)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(path)
    printer.setResolution(resolution)
    return printer


# ---------------------------------------------------------------- workstation memory (QSettings)


def remembered_printer(settings: QSettings, stock: str) -> str:
    return str(settings.value(f"print/printer/{stock}", "") or "")


def remember_printer(settings: QSettings, stock: str, printer_name: str) -> None:
    if printer_name:
        settings.setValue(f"print/printer/{stock}", printer_name)


def offset_key(printer_name: str, stock: str) -> str:
    return f"print/offset/{printer_name or 'default'}/{stock}"


def stored_offset(settings: QSettings, printer_name: str, stock: str) -> Offset:
    values = settings.value(offset_key(printer_name, stock), None)
    if not isinstance(values, (list, tuple)):  # never stored (or not a pair)
        return Offset()
    try:
        return Offset(float(values[0]), float(values[1]))
    except (TypeError, ValueError, IndexError):
        return Offset()


def store_offset(settings: QSettings, printer_name: str, stock: str, offset: Offset) -> None:
    settings.setValue(offset_key(printer_name, stock), [offset.x_mm, offset.y_mm])


def new_printer(printer_name: str = "") -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if printer_name:
        printer.setPrinterName(printer_name)
    printer.setFullPage(True)
    return printer


def print_with_progress(
    parent: QWidget | None, data: bytes, printer: QPrinter, offset: Offset, what: str, pages: int
) -> PrintOutcome:
    """``print_pdf`` behind a cancellable QProgressDialog (events keep flowing between pages)."""
    from PySide6.QtWidgets import QProgressDialog

    progress = QProgressDialog(f"Printing {what}…", "Cancel", 0, max(pages, 1), parent)
    progress.setWindowTitle("Printing")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(400)

    def step(done: int, total: int) -> bool:
        progress.setMaximum(max(total, 1))
        progress.setValue(done)
        return not progress.wasCanceled()

    try:
        return print_pdf(data, printer, offset, step)
    finally:
        progress.close()
        progress.deleteLater()
