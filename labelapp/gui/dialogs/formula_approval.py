"""Approving a formula version: what changed against the approved version, line by line, then the pharmacist's
e-signature (the signature dialog's own flow: user name, password again, the meaning).

The changes are ``calc.execution.formula_diff`` of the two versions ('container.fill_volume_ml: 30.8 -> 31');
a first version has nothing to compare with, and the whole document is shown instead.
"""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QListWidget, QPlainTextEdit, QVBoxLayout, QWidget

from labelapp.domain.records import FormulaRecord
from labelapp.gui.dialogs.signature import SignatureDialog, SignFunction
from labelapp.gui.widgets import WARNING_STYLE, plain_label

ChangeLines = list[str]


class FormulaApprovalDialog(SignatureDialog[FormulaRecord]):
    def __init__(
        self,
        title: str,
        statement: str,
        sign: SignFunction[FormulaRecord],
        username: str,
        changes: ChangeLines | None,
        compared_with: str,
        document: str = "",
        parent: QWidget | None = None,
    ) -> None:
        """``changes``: the diff lines against ``compared_with`` (None: no approved version before this one)."""
        super().__init__(title, statement, "approved", sign, username, "none", parent)
        self.setObjectName("formula_approval_dialog")
        self.changes_title = plain_label()
        self.changes_title.setObjectName("approval_changes_title")
        self.changes_title.setWordWrap(True)
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.changes = QListWidget()
        self.changes.setObjectName("approval_changes")
        self.changes.setFont(fixed)
        self.changes.setWordWrap(True)
        self.changes.setAlternatingRowColors(True)
        self.document = QPlainTextEdit(document)
        self.document.setObjectName("approval_document")
        self.document.setReadOnly(True)
        self.document.setFont(fixed)
        if changes is None:
            self.changes_title.setText(
                "No approved version of this formula before this one: there is nothing to compare with. "
                "Review the whole formula below before you sign."
            )
            self.changes.hide()
        else:
            self.document.hide()
            if changes:
                n = len(changes)
                self.changes_title.setText(
                    f"<b>{n} change{'s' if n != 1 else ''}</b> against {compared_with} (before → after). "
                    "Review each line before you sign:"
                )
                self.changes.addItems([line.replace(" -> ", "  →  ") for line in changes])
            else:
                self.changes_title.setText(f"Nothing changed against {compared_with} except the version number.")
                self.changes_title.setStyleSheet(WARNING_STYLE)
                self.changes.hide()
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)  # SignatureDialog's own layout
        layout.insertWidget(1, self.changes_title)
        layout.insertWidget(2, self.changes, 1)
        layout.insertWidget(3, self.document, 1)
        self.resize(900, 640)

    def change_lines(self) -> list[str]:
        return [self.changes.item(i).text() for i in range(self.changes.count())]
