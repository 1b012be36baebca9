"""Print: the previewed PDF bytes to a printer at 100 % (or to a PDF file), recorded in the register.

The job is recorded (and its PDF archived) by the register BEFORE anything is sent, so a refusal
(wrong status, no permission) stops the print and a crash mid-run still shows the labels issued.
Printer per stock and the per-printer calibration offset are workstation state (QSettings).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSizeF
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from labelapp.domain.files import atomic_write
from labelapp.gui.messages import in_words, log_caught
from labelapp.gui.models.records import PrintJobTableModel
from labelapp.gui.printing import (
    Offset,
    PrintOutcome,
    new_printer,
    print_calibration,
    print_with_progress,
    remember_printer,
    remembered_printer,
    store_offset,
    stored_offset,
)
from labelapp.gui.session import Session
from labelapp.gui.widgets import INFO_STYLE, WARNING_STYLE, add_row, banner, heading, plain_label, read_only_table
from labelapp.gui.workers import run_task
from labelapp.services import rendering
from labelapp.services.rendering import KIND_TITLES, RenderedDocument

if TYPE_CHECKING:
    from labelapp.domain.records import PrintJobRecord

log = logging.getLogger(__name__)

PrinterChooser = Callable[[QPrinter, QWidget], bool]
FileChooser = Callable[[QWidget, str], str]


def ask_printer(printer: QPrinter, parent: QWidget) -> bool:
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print labels at 100 %")
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintToFile, False)
    return dialog.exec() == QPrintDialog.DialogCode.Accepted


def ask_pdf_file(parent: QWidget, suggested: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, "Print to PDF file", suggested, "PDF files (*.pdf)")
    return path


class PrintPage(QWidget):
    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        choose_printer: PrinterChooser = ask_printer,
        choose_file: FileChooser = ask_pdf_file,
    ):
        super().__init__(parent)
        self.setObjectName("print_page")
        self.session = session
        self.choose_printer = choose_printer
        self.choose_file = choose_file
        self.document: RenderedDocument | None = None
        self.batch_id: int | None = None
        self.lot_number: str | None = None
        self.busy = False
        self._build()
        self._update()

    def _build(self) -> None:
        self.what = plain_label("Nothing to print yet: open a batch and preview its labels.")
        self.what.setObjectName("print_what")
        self.what.setWordWrap(True)
        self.message = banner(WARNING_STYLE, "print_message")
        self.done = banner(INFO_STYLE, "print_done")
        self.printer_label = plain_label("(choose in the print dialog)")
        self.printer_label.setObjectName("print_printer")
        self.offset_x, self.offset_y = self._offset_box("offset_x"), self._offset_box("offset_y")
        calibration = QGroupBox("Printer calibration for this stock (workstation setting)")
        form = QFormLayout(calibration)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        add_row(form, "Printer:", self.printer_label)
        add_row(form, "Shift right (mm):", self.offset_x)
        add_row(form, "Shift down (mm):", self.offset_y)
        self.test_button = QPushButton("Print &test label…")
        self.test_button.clicked.connect(self.print_test)
        add_row(form, "", self.test_button)
        self.print_button = QPushButton("&Print…")
        self.print_button.setObjectName("print_button")
        self.print_button.clicked.connect(self.print_to_printer)
        self.file_button = QPushButton("Print to PDF &file…")
        self.file_button.setObjectName("print_file_button")
        self.file_button.clicked.connect(self.print_to_file)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.file_button)
        buttons.addWidget(self.print_button)
        self.jobs = PrintJobTableModel(self)
        jobs_view = QTableView()
        jobs_view.setObjectName("print_jobs")
        jobs_view.setModel(self.jobs)
        read_only_table(jobs_view)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Print"))
        layout.addWidget(self.what)
        layout.addWidget(self.message)
        layout.addWidget(self.done)
        row = QHBoxLayout()
        row.addWidget(calibration)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addLayout(buttons)
        layout.addWidget(heading("Print jobs of this batch"))
        layout.addWidget(jobs_view, 1)

    def _offset_box(self, name: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setObjectName(name)
        box.setRange(-6.0, 6.0)  # the render service refuses calibration beyond 0.25 in
        box.setDecimals(1)
        box.setSingleStep(0.1)
        box.valueChanged.connect(self._save_offset)
        box.setMinimumWidth(90)
        return box

    # ------------------------------------------------------------ what is printed

    def set_batch(self, batch_id: int | None, lot_number: str | None) -> None:
        self.batch_id, self.lot_number = batch_id, lot_number
        self.refresh_jobs()
        self._update()

    def set_document(self, document: RenderedDocument | None) -> None:
        self.document = document
        self._update()

    def refresh_jobs(self) -> None:
        if self.batch_id is None:
            self.jobs.set_rows([])
            return
        self.jobs.set_rows(self.session.register.batches.detail(self.batch_id).print_jobs)

    def _problem(self) -> str | None:
        """Why nothing can be printed now (plain facts about the screen, not rules)."""
        if self.document is None:
            return "Nothing to print yet: open a batch and preview its labels."
        if self.batch_id is None or self.document.provisional:
            return (
                "This batch is not saved: production labels carry the lot number the register allocates. "
                "Save the draft first."
            )
        if self.document.lot_number != self.lot_number or self.document.batch_id != self.batch_id:
            return "The preview belongs to another lot; wait for it to update."
        return None

    def _update(self) -> None:
        problem = self._problem()
        doc = self.document
        if doc is not None and problem is None:
            self.what.setText(
                f"{KIND_TITLES[doc.kind]} for lot {doc.lot_number}: {doc.count} on stock {doc.stock}, "
                f"{doc.pages} page{'s' if doc.pages != 1 else ''}, printed at 100 % on the stock's "
                "exact page size."
            )
        else:
            self.what.setText(problem or "")
        for button in (self.print_button, self.file_button):
            button.setEnabled(problem is None and not self.busy)
        self.test_button.setEnabled(doc is not None and not self.busy)
        self._load_printer_settings()

    # ------------------------------------------------------------ workstation settings

    def _stock(self) -> str:
        return self.document.stock if self.document else ""

    def remembered_printer(self) -> str:
        return remembered_printer(self.session.ui_settings, self._stock())

    def offset(self) -> Offset:
        return Offset(self.offset_x.value(), self.offset_y.value())

    def _load_printer_settings(self) -> None:
        self.printer_label.setText(self.remembered_printer() or "(choose in the print dialog)")
        offset = stored_offset(self.session.ui_settings, self.remembered_printer(), self._stock())
        for box, value in zip((self.offset_x, self.offset_y), (offset.x_mm, offset.y_mm)):
            box.blockSignals(True)
            box.setValue(value)
            box.blockSignals(False)

    def _save_offset(self) -> None:
        if self.document is not None:
            store_offset(self.session.ui_settings, self.remembered_printer(), self._stock(), self.offset())

    def _remember_printer(self, printer: QPrinter) -> None:
        remember_printer(self.session.ui_settings, self._stock(), printer.printerName())
        self._load_printer_settings()

    def _new_printer(self) -> QPrinter:
        return new_printer(self.remembered_printer())

    # ------------------------------------------------------------ printing

    def _printable(self) -> RenderedDocument | None:
        """The document to print now, or None while something stops printing (``_problem``)."""
        if self._problem() is not None or self.busy:
            return None
        return self.document

    def print_to_printer(self) -> None:
        doc = self._printable()
        if doc is None:
            return
        printer = self._new_printer()
        if not self.choose_printer(printer, self):
            return
        self._remember_printer(printer)
        name = printer.printerName() or Path(printer.outputFileName()).name or "printer"
        self._record_then(doc, name, lambda d: self._send(d, printer))

    def print_to_file(self) -> None:
        doc = self._printable()
        if doc is None:
            return
        path = self.choose_file(self, f"{doc.lot_number}-{doc.kind}-{doc.stock}.pdf")
        if not path:
            return
        self._record_then(doc, f"PDF file {Path(path).name}", lambda d: self._write_file(d, Path(path)))

    def _record_then(self, doc: RenderedDocument, printer_name: str, send: Callable[[RenderedDocument], None]) -> None:
        """Record ``doc`` (the document the user chose to print) in the register, then ``send`` it."""
        register, user = self.session.register, self.session.require_user()

        def record() -> PrintJobRecord:
            return rendering.issue(register, doc, user, printer_name)

        self._set_busy(True, f"Recording the print job of {doc.count} in the register…")

        def recorded(result: PrintJobRecord | None, error: BaseException | None) -> None:
            self._set_busy(False)
            if error is not None:
                self._show_message(f"Not printed: {in_words(error)}")
                return
            self.refresh_jobs()
            self.session.archive_changed.emit()
            send(doc)  # the very bytes previewed and archived
            self.session.batches_changed.emit()

        run_task(record, recorded, self)

    def _send(self, doc: RenderedDocument, printer: QPrinter) -> None:
        try:
            outcome = print_with_progress(
                self, doc.pdf, printer, self.offset(), f"{doc.count} {KIND_TITLES[doc.kind].lower()}", doc.pages
            )
        except Exception as exc:  # noqa: BLE001 - shown in words; the job is already recorded
            log_caught(log, exc, f"printing lot {doc.lot_number} after recording it")
            self._show_message(
                f"The printer refused the job after it was recorded: {in_words(exc)} "
                "Account for the labels in the reconciliation."
            )
            return
        self._report(doc, outcome, printer.printerName() or printer.outputFileName())

    def _write_file(self, doc: RenderedDocument, path: Path) -> None:
        try:
            atomic_write(path, doc.pdf)
        except Exception as exc:  # noqa: BLE001
            log_caught(log, exc, f"writing {path}")
            self._show_message(f"The PDF file was not written: {in_words(exc)}")
            return
        self._report(doc, PrintOutcome(doc.pages, doc.pages, False), str(path))

    def _report(self, doc: RenderedDocument, outcome: PrintOutcome, where: str) -> None:
        if outcome.cancelled:
            self._show_message(
                f"Printing was cancelled after {outcome.pages_sent} of {outcome.pages_total} pages. "
                f"The job was recorded as {doc.count} labels issued: account for the unprinted "
                "ones (destroyed or returned) in the reconciliation."
            )
            return
        self.message.hide()
        self.done.setText(
            f"Sent {outcome.pages_sent} page{'s' if outcome.pages_sent != 1 else ''} to {where}, "
            f"recorded in the register and archived."
        )
        self.done.show()

    def print_test(self) -> None:
        """A calibration sheet for the current stock; not a label, not recorded."""
        doc = self.document
        if doc is None:
            return
        printer = self._new_printer()
        if not self.choose_printer(printer, self):
            return
        self._remember_printer(printer)
        try:
            page, cells = self._stock_geometry(doc)
            print_calibration(
                printer,
                page,
                cells,
                self.offset(),
                f"labelapp calibration — {doc.stock} — printer {printer.printerName() or 'PDF'} — "
                f"shift {self.offset().x_mm:+.1f} mm right, {self.offset().y_mm:+.1f} mm down",
            )
        except Exception as exc:  # noqa: BLE001
            log_caught(log, exc, "printing a test label")
            self._show_message(f"The test label was not printed: {in_words(exc)}")
            return
        self.done.setText("Test label sent. Adjust the shift until the outlines sit evenly inside the labels.")
        self.done.show()

    def _stock_geometry(self, doc: RenderedDocument) -> tuple[QSizeF, list[QRectF]]:
        from labelapp.gui.printing import open_pdf

        document, buffer = open_pdf(doc.pdf)
        try:
            page = document.pagePointSize(0)
        finally:
            document.close()
            buffer.close()
        cells = [QRectF(x, y, w, h) for x, y, w, h in rendering.stock_cells(doc.stock)]
        return page, cells or [QRectF(0, 0, page.width(), page.height())]

    # ------------------------------------------------------------ feedback

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.busy = busy
        if busy:
            self.message.hide()
            self.done.setText(text)
            self.done.show()
        self._update()

    def _show_message(self, text: str) -> None:
        self.done.hide()
        self.message.setText(text)
        self.message.show()
