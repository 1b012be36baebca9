"""Choose the approved formula version a new batch starts from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from labelapp.gui.widgets import plain_label

if TYPE_CHECKING:
    from labelapp.domain.records import FormulaRecord


class NewBatchDialog(QDialog):
    def __init__(self, formulas: list[FormulaRecord], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("New batch")
        self.setObjectName("new_batch_dialog")
        self.list = QListWidget()
        self.list.setObjectName("new_batch_formulas")
        for record in formulas:
            item = QListWidgetItem(f"{record.name} — {record.code} version {record.version}")
            item.setData(Qt.ItemDataRole.UserRole, record)
            self.list.addItem(item)
        if formulas:
            self.list.setCurrentRow(0)
        self._formulas = list(formulas)
        self.list.itemActivated.connect(lambda _item: self.accept())
        label = plain_label(
            "Approved &formula:"
            if formulas
            else "No formula is approved yet. A pharmacist approves one on the Formulas page."
        )
        label.setWordWrap(True)
        label.setBuddy(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Start batch")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(formulas))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(520, 320)

    def chosen(self) -> FormulaRecord | None:
        row = self.list.currentRow()  # the items are the formulas, in order
        return self._formulas[row] if 0 <= row < len(self._formulas) else None
