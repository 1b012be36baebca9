"""Verify and release: the batch's signatures, reconciliation and print jobs, and the signing steps,
and the plausibility findings that hold label printing until a pharmacist acknowledges each.

Each button opens a dialog that collects a signature or counts and calls the register; the
register enforces the life cycle, roles, the two-person rule and the reconciliation limit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QGridLayout, QPushButton, QTableView, QVBoxLayout, QWidget

from labelapp.gui.dialogs.reconciliation import ReconciliationDialog
from labelapp.gui.dialogs.signature import SignatureDialog
from labelapp.gui.messages import in_words, log_caught
from labelapp.gui.models.records import SignatureTableModel
from labelapp.gui.session import Session
from labelapp.gui.widgets import (
    INFO_STYLE,
    WARNING_STYLE,
    ResultDialog,
    banner,
    heading,
    plain_label,
    read_only_table,
    value_label,
)
from labelapp.gui.workers import run_task
from labelapp.services.rendering import archive_batch_record, sign_batch

if TYPE_CHECKING:
    from labelapp.domain.records import (
        AcknowledgementRecord,
        ArchivedDocumentRecord,
        BatchDetail,
        ReconciliationRecord,
        SignatureRecord,
    )
    from labelapp.domain.results import Plausibility

log = logging.getLogger(__name__)
R = TypeVar("R")

STEPS = {
    "performed": ("Sign as performed…", "I performed the compounding of this batch as recorded."),
    "verified": (
        "Verify…",
        "As pharmacist, I verified this batch record, its calculations, labels and label reconciliation.",
    ),
    "released": ("Release…", "As QA, I reviewed the complete batch record and release this lot for distribution."),
    "rejected": ("Reject…", "I reject this batch; it must not be distributed."),
    "voided": ("Void…", "I void this batch record; it was started in error or abandoned."),
}


class VerifyPage(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("verify_page")
        self.session = session
        self.batch_id: int | None = None
        self.detail: BatchDetail | None = None  # of batch_id, as last read (None: nothing to act on)
        self.pending: list[Plausibility] = []  # its findings no pharmacist has acknowledged yet
        self.dialog: QWidget | None = None  # the open dialog (tests drive it)
        self._build()
        session.batches_changed.connect(self.refresh)
        self._update_buttons()

    def _build(self) -> None:
        self.title = heading("Verify and release")
        self.title.setObjectName("verify_title")
        self.status = value_label("verify_status")
        self.reconciliation = value_label("verify_reconciliation")
        self.issued = value_label("verify_issued")
        facts = QGridLayout()
        for row, (title, label) in enumerate(
            (("Status:", self.status), ("Labels issued:", self.issued), ("Reconciliation:", self.reconciliation))
        ):
            facts.addWidget(plain_label(title), row, 0)
            facts.addWidget(label, row, 1)
        facts.setColumnStretch(1, 1)
        self.message = banner(WARNING_STYLE, "verify_message")
        self.done = banner(INFO_STYLE, "verify_done")
        self.buttons: dict[str, QPushButton] = {}
        actions = QGridLayout()
        for col, meaning in enumerate(("performed", "verified", "released")):
            self.buttons[meaning] = self._button(meaning)
            actions.addWidget(self.buttons[meaning], 0, col)
        self.reconcile_button = QPushButton("Record &reconciliation…")
        self.reconcile_button.setObjectName("reconcile_button")
        self.reconcile_button.clicked.connect(self.reconcile)
        actions.addWidget(self.reconcile_button, 1, 0)
        for col, meaning in enumerate(("rejected", "voided"), start=1):
            self.buttons[meaning] = self._button(meaning)
            actions.addWidget(self.buttons[meaning], 1, col)
        self.archive_button = QPushButton("&Archive batch record (worksheet with signatures)")
        self.archive_button.setObjectName("archive_record_button")
        self.archive_button.clicked.connect(self.archive_record)
        actions.addWidget(self.archive_button, 2, 0, 1, 3)
        actions.setColumnStretch(3, 1)
        self.plausibility = banner(WARNING_STYLE, "verify_plausibility")
        self.plausibility.setTextFormat(Qt.TextFormat.PlainText)  # findings are data, never markup
        self.finding = QComboBox()
        self.finding.setObjectName("acknowledge_choice")
        self.acknowledge_button = QPushButton("Ac&knowledge…")
        self.acknowledge_button.setObjectName("acknowledge_button")
        self.acknowledge_button.clicked.connect(self.acknowledge)
        findings = QGridLayout()
        findings.addWidget(self.finding, 0, 0)
        findings.addWidget(self.acknowledge_button, 0, 1)
        findings.setColumnStretch(0, 1)
        self.signatures = SignatureTableModel(self)
        view = QTableView()
        view.setObjectName("signatures_table")
        view.setModel(self.signatures)
        read_only_table(view)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(facts)
        layout.addWidget(self.message)
        layout.addWidget(self.done)
        layout.addLayout(actions)
        layout.addWidget(self.plausibility)
        layout.addLayout(findings)
        layout.addWidget(heading("Signatures"))
        layout.addWidget(view, 1)

    def _button(self, meaning: str) -> QPushButton:
        button = QPushButton(STEPS[meaning][0])
        button.setObjectName(f"sign_{meaning}")
        button.clicked.connect(lambda: self.sign(meaning))
        return button

    # ------------------------------------------------------------ state

    def set_batch(self, batch_id: int | None) -> None:
        self.batch_id = batch_id
        self.message.hide()
        self.done.hide()
        self.refresh()

    def refresh(self) -> None:
        if self.batch_id is None:
            self.detail = None
            self.title.setText("Verify and release — no batch open")
            self.signatures.set_rows([])
            self._show_pending([])
            self._update_buttons()
            return
        try:
            detail = self.session.register.batches.detail(self.batch_id)
            pending = self.session.register.batches.pending_acknowledgements(self.batch_id)
        except Exception as exc:  # noqa: BLE001
            log_caught(log, exc, f"reading batch {self.batch_id}")
            self.detail = None  # never act on (or show) another batch's record
            self._show_pending([])
            self.title.setText("Verify and release — the batch cannot be read")
            for label in (self.status, self.issued, self.reconciliation):
                label.setText("—")
            self.signatures.set_rows([])
            self._update_buttons()
            self._show_message(in_words(exc))
            return
        self.detail = detail
        batch, rec = detail.batch, detail.reconciliation
        self.title.setText(f"Verify and release — lot {batch.lot_number}, {batch.product_name}")
        self.status.setText(batch.status.value + (f" ({batch.status_reason})" if batch.status_reason else ""))
        self.issued.setText(str(rec.labels_issued))
        blocked = " — blocks verification" if rec.blocks_verification else ""
        self.reconciliation.setText(f"{rec.explanation}{blocked}")
        self.signatures.set_rows(detail.signatures)
        self._show_pending(pending)
        self._update_buttons()

    def _show_pending(self, pending: list[Plausibility]) -> None:
        """The findings that hold label printing, each with its code, and the choice of which to acknowledge."""
        self.pending = pending
        self.finding.clear()
        for f in pending:
            self.finding.addItem(f.code, f.code)
        self.finding.setVisible(bool(pending))
        self.acknowledge_button.setVisible(bool(pending))
        if not pending:
            self.plausibility.hide()
            return
        lines = "\n".join(f"• [{f.code}] {f.message}" for f in pending)
        self.plausibility.setText(f"Labels cannot be printed until a pharmacist acknowledges each finding:\n{lines}")
        self.plausibility.show()

    def _update_buttons(self) -> None:
        """Buttons are enabled whenever a batch is open: the service says no, in words, when it must."""
        loaded = self.detail is not None
        for button in (*self.buttons.values(), self.reconcile_button, self.archive_button):
            button.setEnabled(loaded)
        self.acknowledge_button.setEnabled(loaded and bool(self.pending))

    # ------------------------------------------------------------ actions

    def sign(self, meaning: str) -> SignatureDialog[tuple[SignatureRecord, str]] | None:
        """Open the signature dialog for ``meaning`` (returned, for tests and screenshots)."""
        if self.detail is None:
            return None
        register, batch = self.session.register, self.detail.batch
        batch_id = batch.id  # the batch on screen
        title, statement = STEPS[meaning]
        reason = "required" if meaning in ("rejected", "voided") else "optional"

        def do_sign(username: str, password: str, why: str | None) -> tuple[SignatureRecord, str]:
            signed = sign_batch(register, batch_id, username, password, meaning, why)
            if meaning != "released":
                return signed.signature, ""
            if signed.archive_problem:  # the signature stands; say what is missing
                return signed.signature, (
                    f" The batch record was NOT archived: {signed.archive_problem} Use 'Archive batch record'."
                )
            return signed.signature, " The released batch record is archived."

        dialog = SignatureDialog(
            f"{title.rstrip('…')} lot {batch.lot_number}",
            statement,
            meaning,
            do_sign,
            self.session.username,
            reason,
            self,
        )
        self._run_dialog(dialog, lambda r: f"Signed as {r[0].meaning.value} by {r[0].printed_name}.{r[1]}")
        return dialog

    def acknowledge(self) -> SignatureDialog[AcknowledgementRecord] | None:
        """Open the signature dialog acknowledging the chosen finding (returned, for tests and screenshots)."""
        if self.detail is None or not self.pending:
            return None
        register, batch = self.session.register, self.detail.batch
        batch_id = batch.id  # the batch on screen
        finding = self.pending[max(self.finding.currentIndex(), 0)]

        def do_sign(username: str, password: str, why: str | None) -> AcknowledgementRecord:
            return register.batches.acknowledge(batch_id, finding.code, username, password, why or "")

        dialog = SignatureDialog(
            f"Acknowledge {finding.code} on lot {batch.lot_number}",
            f"As pharmacist, I reviewed this finding and accept the value: {finding.message}",
            "acknowledged",
            do_sign,
            self.session.username,
            "required",
            self,
        )
        self._run_dialog(dialog, lambda r: f"{r.code} acknowledged by {r.printed_name}.")
        return dialog

    def reconcile(self) -> ReconciliationDialog | None:
        """Open the reconciliation dialog (returned, for tests and screenshots)."""
        if self.detail is None:
            return None
        register, session = self.session.register, self.session
        session.require_user()
        batch_id = self.detail.batch.id  # the batch on screen

        def record(counts: dict[str, int], note: str | None) -> ReconciliationRecord:
            # The user signed in when the counts are recorded (the dialog may stay open across an idle lock).
            user = session.require_user()
            return register.batches.record_reconciliation(batch_id, user, investigation_note=note, **counts)

        dialog = ReconciliationDialog(
            self.detail.reconciliation.labels_issued, self.detail.batch.lot_number, record, self
        )
        self._run_dialog(dialog, lambda r: f"Reconciliation recorded: difference {r.difference}.")
        return dialog

    def _run_dialog(self, dialog: ResultDialog[R], done_text: Callable[[R], str]) -> None:
        self.dialog = dialog

        def finished(code: int) -> None:
            self.dialog = None
            if code and dialog.result_value is not None:
                self.done.setText(done_text(dialog.result_value))
                self.done.show()
                self.message.hide()
                self.session.batches_changed.emit()
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()

    def archive_record(self) -> None:
        if self.detail is None:
            return
        register, user, batch_id = self.session.register, self.session.require_user(), self.detail.batch.id

        def work() -> ArchivedDocumentRecord:
            return archive_batch_record(register, batch_id, user, "batch record archived from the GUI")

        self.archive_button.setEnabled(False)

        def done(record: ArchivedDocumentRecord | None, error: BaseException | None) -> None:
            self.archive_button.setEnabled(True)
            if error is not None:
                self._show_message(f"Not archived: {in_words(error)}")
                return
            if record is None:  # archive_batch_record returns the record or raises
                return
            self.done.setText(f"Batch record archived as document {record.id} (SHA-256 {record.sha256[:16]}…).")
            self.done.show()
            self.session.archive_changed.emit()

        run_task(work, done, self)

    def _show_message(self, text: str) -> None:
        self.done.hide()
        self.message.setText(text)
        self.message.show()
