"""Label reconciliation entry (21 CFR 211.125): counts and, if needed, an investigation note.

The register computes the difference against the labels it recorded as issued and decides whether
verification may go ahead; the dialog only collects the counts and shows the service's answer.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from labelapp.domain.records import ReconciliationRecord
from labelapp.gui.messages import in_words
from labelapp.gui.widgets import INFO_STYLE, ErrorLabel, ResultDialog, add_row, plain_label
from labelapp.gui.workers import run_task

RecordFunction = Callable[[dict[str, int], str | None], ReconciliationRecord]  # (counts, note) -> record

COUNTS = (
    ("applied", "Applied to filled units"),
    ("specimens", "Specimens attached to the batch record"),
    ("destroyed", "Destroyed (damaged, misprinted, unused; witnessed)"),
    ("returned", "Returned to stores"),
)


class ReconciliationDialog(ResultDialog[ReconciliationRecord]):
    def __init__(self, issued: int, lot: str, record: RecordFunction, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Label reconciliation — lot {lot}")
        self.setObjectName("reconciliation_dialog")
        self.record = record
        intro = plain_label(
            f"The register recorded {issued} labels issued for lot {lot}. Count every label and enter where each went."
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(INFO_STYLE)
        form = QFormLayout()
        self.counts: dict[str, QSpinBox] = {}
        for key, title in COUNTS:
            box = QSpinBox()
            box.setObjectName(f"reconcile_{key}")
            box.setRange(0, 1_000_000)
            self.counts[key] = box
            add_row(form, f"{title}:", box)
        self.note = QPlainTextEdit()
        self.note.setObjectName("reconcile_note")
        self.note.setFixedHeight(70)
        add_row(form, "Investigation note (if the counts differ):", self.note)
        self.error = ErrorLabel()  # plain text, wrapped, selectable, hidden until there is a message
        self.error.setObjectName("reconcile_error")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Record")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def submit(self) -> None:
        counts = {key: box.value() for key, box in self.counts.items()}
        note = self.note.toPlainText().strip() or None
        self.buttons.setEnabled(False)
        run_task(lambda: self.record(counts, note), self._done, self)

    def _done(self, result: ReconciliationRecord | None, error: BaseException | None) -> None:
        self.buttons.setEnabled(True)
        if error is not None:
            self.error.setText(f"Not recorded: {in_words(error)}")
            self.error.show()
            return
        self.result_value = result
        self.accept()
