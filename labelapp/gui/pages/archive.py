"""Archive: search archived PDFs, open one (hash-checked bytes from the register), reprint with a reason."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from labelapp.gui.messages import in_words, log_caught
from labelapp.gui.models.records import DocumentTableModel, RecordRole
from labelapp.gui.pdf_viewer import PdfViewer
from labelapp.gui.session import Session
from labelapp.gui.widgets import INFO_STYLE, WARNING_STYLE, ask_text, banner, heading, plain_label, read_only_table
from labelapp.gui.workers import run_task

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrinter

    from labelapp.domain.records import ArchivedDocumentRecord, PrintJobRecord
    from labelapp.gui.pages.print_page import PrinterChooser

log = logging.getLogger(__name__)

KINDS = ("", "label", "carton_label", "worksheet", "batch_record")


class ArchivePage(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None, choose_printer: PrinterChooser | None = None):
        super().__init__(parent)
        self.setObjectName("archive_page")
        from labelapp.gui.pages.print_page import ask_printer

        self.choose_printer: PrinterChooser = choose_printer or ask_printer
        self.last_reprint: PrintJobRecord | None = None
        self.session = session
        self.model = DocumentTableModel(self)
        self.opened: ArchivedDocumentRecord | None = None
        self._timer = QTimer(self, singleShot=True, interval=200)
        self._timer.timeout.connect(self.refresh)
        self._build()
        session.archive_changed.connect(self.refresh)

    def _build(self) -> None:
        self.search = QLineEdit()
        self.search.setObjectName("archive_search")
        self.search.setPlaceholderText("Lot, product…")
        self.search.textChanged.connect(lambda: self._timer.start())
        self.kind = QComboBox()
        self.kind.setObjectName("archive_kind")
        for kind in KINDS:
            self.kind.addItem(kind.replace("_", " ") if kind else "Any kind", kind)
        self.kind.currentIndexChanged.connect(self.refresh)
        find_label = plain_label("&Find:")
        find_label.setBuddy(self.search)
        self.reprint_button = QPushButton("&Reprint…")
        self.reprint_button.setObjectName("reprint_button")
        self.reprint_button.clicked.connect(self.reprint)
        self.export_button = QPushButton("&Export copy…")
        self.export_button.clicked.connect(self.export)
        bar = QHBoxLayout()
        for w in (find_label, self.search, plain_label("Kind:"), self.kind):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        bar.addWidget(self.reprint_button)
        self.view = QTableView()
        self.view.setObjectName("archive_table")
        self.view.setModel(self.model)
        read_only_table(self.view)
        self.view.activated.connect(lambda index: self.open_document(index.data(RecordRole)))
        self.message = banner(WARNING_STYLE, "archive_message")
        self.done = banner(INFO_STYLE, "archive_done")
        self.viewer = PdfViewer()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(self.viewer)
        split.setSizes([260, 400])
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Archive"))
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.done)
        layout.addWidget(split, 1)

    def refresh(self) -> None:
        text = self.search.text().strip() or None
        try:
            rows = self.session.register.archive.search(
                text=text, kind=self.kind.currentData() or None, limit=1000, check=True
            )
        except Exception as exc:  # noqa: BLE001
            log_caught(log, exc, "searching the archive")
            self._show(self.message, in_words(exc))
            return
        self.message.hide()
        self.model.set_rows(rows)

    def selected(self) -> ArchivedDocumentRecord | None:
        index = self.view.currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    def open_document(self, record: ArchivedDocumentRecord | None) -> None:
        """Show the archived bytes; the register refuses (in words) if they no longer match their hash."""
        if record is None:
            return
        register = self.session.register

        def done(data: bytes | None, error: BaseException | None) -> None:
            if error is not None:
                self.viewer.clear()
                self._show(self.message, in_words(error))
                return
            if data is None:  # read returns the verified bytes or raises
                return
            self.opened = record
            self.viewer.set_pdf(data)
            self._show(
                self.done,
                f"Document {record.id}: {record.kind.replace('_', ' ')} of lot {record.lot_number}, "
                f"SHA-256 verified ({record.sha256[:16]}…).",
            )

        run_task(lambda: register.archive.read(record.id), done, self)

    def reprint(self) -> None:
        record = self.selected()
        if record is None:
            self._show(self.message, "Select an archived document first.")
            return
        reason, ok = ask_text(
            self, "Reason for the reprint", f"Why is document {record.id} (lot {record.lot_number}) reprinted?"
        )
        if ok:
            self.reprint_with_reason(record, reason)

    def reprint_with_reason(self, record: ArchivedDocumentRecord, reason: str) -> None:
        """Choose the printer, have the register record the reprint (it returns the archived, hash-checked
        bytes) and print exactly those bytes at 100 %."""
        from labelapp.gui.printing import new_printer, remember_printer, remembered_printer

        settings, register, user = self.session.ui_settings, self.session.register, self.session.require_user()
        jobs = register.archive.print_jobs(record.id)
        stock = jobs[0].stock if jobs else ""
        printer = new_printer(remembered_printer(settings, stock))
        if not self.choose_printer(printer, self):
            return
        remember_printer(settings, stock, printer.printerName())
        name = printer.printerName() or f"PDF file {printer.outputFileName()}"

        def done(result: tuple[PrintJobRecord, bytes] | None, error: BaseException | None) -> None:
            if error is not None:
                self._show(self.message, f"Not reprinted: {in_words(error)}")
                return
            if result is None:  # reprint returns the job and its bytes or raises
                return
            job, data = result
            self.last_reprint = job
            self.session.batches_changed.emit()
            self._print_reprint(job, data, printer)

        run_task(lambda: register.archive.reprint(record.id, user, reason, printer=name), done, self)

    def _print_reprint(self, job: PrintJobRecord, data: bytes, printer: QPrinter) -> None:
        from labelapp.gui.printing import print_with_progress, stored_offset

        offset = stored_offset(self.session.ui_settings, printer.printerName(), job.stock)
        try:
            outcome = print_with_progress(self, data, printer, offset, f"reprint job {job.job_number}", 0)
        except Exception as exc:  # noqa: BLE001
            log_caught(log, exc, f"printing reprint job {job.job_number}")
            self._show(
                self.message,
                f"The reprint was recorded (job {job.job_number}) but the printer refused it: {in_words(exc)}",
            )
            return
        state = "cancelled after" if outcome.cancelled else "sent"
        self._show(
            self.done,
            f"Reprint job {job.job_number} recorded ({job.label_count} on {job.stock}); "
            f"{state} {outcome.pages_sent} of {outcome.pages_total} pages.",
        )

    def export(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        record = self.selected()
        if record is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export archived copy", f"{record.lot_number}-{record.kind}.pdf", "PDF files (*.pdf)"
        )
        if not path:
            return
        register, user = self.session.register, self.session.require_user()

        def done(target: Path | None, error: BaseException | None) -> None:
            if error is not None:
                self._show(self.message, f"Not exported: {in_words(error)}")
            else:
                self._show(self.done, f"Exported to {target} (hash checked).")

        run_task(lambda: register.archive.export(record.id, path, user), done, self)

    def _show(self, label: QLabel, text: str) -> None:
        (self.done if label is self.message else self.message).hide()
        label.setText(text)
        label.show()
