"""Read-out of a batch computation: strength, osmolarity, amounts to weigh, expiry, lot, working.

Shows only what the service computed for the current input; when the input has problems the
values are cleared (never a stale strength next to new input).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from labelapp.gui.widgets import WARNING_STYLE, add_row, heading, plain_label, value_label

if TYPE_CHECKING:
    from labelapp.domain.results import BatchComputation, WeighLine

FIELDS = (
    ("lot", "Lot number"),
    ("product", "Product"),
    ("strength", "Strength"),
    ("osmolarity", "Osmolarity"),
    ("expiry", "Expiry"),
    ("expiry_basis", "Expiry basis"),
    ("volume", "Batch volume"),
    ("yield", "Yield"),
    ("labels", "Labels to issue"),
)


class ComputedPanel(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.values: dict[str, QLabel] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Computed"))
        self.status = plain_label()
        self.status.setObjectName("computed_status")
        self.status.setWordWrap(True)
        self.status.setStyleSheet(WARNING_STYLE)
        self.status.hide()
        layout.addWidget(self.status)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key, title in FIELDS:
            self.values[key] = value_label(f"computed_{key}")
            add_row(form, f"{title}:", self.values[key])
        layout.addLayout(form)
        self.warnings = plain_label()
        self.warnings.setObjectName("computed_warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(WARNING_STYLE)
        self.warnings.hide()
        layout.addWidget(self.warnings)
        layout.addWidget(heading("Amounts to weigh"))
        self.amounts = QTableWidget(0, 4)
        self.amounts.setObjectName("computed_amounts")
        self.amounts.setHorizontalHeaderLabels(["Component (form)", "Lot", "Theoretical", "Weighed"])
        self.amounts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.amounts.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.amounts.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.amounts.setWordWrap(True)
        self.amounts.verticalHeader().hide()
        self.amounts.setMaximumHeight(130)
        layout.addWidget(self.amounts)
        layout.addWidget(heading("Working"))
        self.working = QPlainTextEdit()
        self.working.setObjectName("computed_working")
        self.working.setReadOnly(True)
        self.working.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        layout.addWidget(self.working, 1)

    def text(self, key: str) -> str:
        return self.values[key].text()

    def clear(self, reason: str = "") -> None:
        for label in self.values.values():
            label.setText("—")
        self.status.setText(reason)
        self.status.setVisible(bool(reason))
        self.warnings.hide()
        self.amounts.setRowCount(0)
        self.working.setPlainText("")

    def show_computation(self, c: BatchComputation) -> None:
        lot = c.lot_number + (" (provisional: the register allocates the lot on save)" if c.lot_provisional else "")
        tonicity = c.tonicity.category
        texts = {
            "lot": lot,
            "product": c.product_name,
            "strength": c.strength_text,
            "osmolarity": f"{c.osmolarity_text} — {tonicity}",
            "expiry": c.expiration_text,
            "expiry_basis": c.expiry.basis,
            "volume": c.batch_volume_text,
            "yield": f"{c.theoretical_yield_units} units theoretical (volume allows {c.max_fills} fills)",
            "labels": f"{c.label_count} (units + specimens + retains)",
        }
        self.status.hide()
        for key, value in texts.items():
            self.values[key].setText(value)
        self._show_warnings(c.warnings)
        self._show_amounts(c.amounts)
        self.working.setPlainText("\n".join(str(w) for w in c.workings))

    def _show_warnings(self, warnings: list[str]) -> None:
        self.warnings.setText("Warnings:\n" + "\n".join(f"• {w}" for w in warnings) if warnings else "")
        self.warnings.setVisible(bool(warnings))

    def _show_amounts(self, amounts: list[WeighLine]) -> None:
        self.amounts.setRowCount(len(amounts))
        for row, line in enumerate(amounts):
            weighed = "" if line.actual_g is None else f"{line.actual_g} g"
            if line.within_tolerance is False:
                weighed += "  (outside tolerance)"
            for col, text in enumerate([line.supplied_form, line.lot or "", line.theoretical_text, weighed]):
                self.amounts.setItem(row, col, QTableWidgetItem(text))
