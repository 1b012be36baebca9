"""Electronic signature (21 CFR 11.50/11.200): user name, the password again, and the meaning.

The dialog only collects the three and calls the service; every rule (role, two-person rule,
reconciliation, status) is the service's. A refusal is shown in the dialog, in the service's words,
and the dialog stays open so the right person can sign.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from labelapp.gui.messages import in_words
from labelapp.gui.widgets import INFO_STYLE, ErrorLabel, ResultDialog, add_row, bold_label, plain_label
from labelapp.gui.workers import run_task

Signed = TypeVar("Signed")
SignFunction = Callable[[str, str, str | None], Signed]  # (username, password, reason) -> what was signed


class SignatureDialog(ResultDialog[Signed]):
    def __init__(
        self,
        title: str,
        statement: str,
        meaning: str,
        sign: SignFunction[Signed],
        username: str = "",
        reason: str = "none",
        parent: QWidget | None = None,
    ):
        """``reason``: "none" (no field), "optional" or "required" (the service still decides)."""
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("signature_dialog")
        self.sign = sign
        self.statement = plain_label(statement)
        self.statement.setWordWrap(True)
        self.statement.setStyleSheet(INFO_STYLE)
        self.username = QLineEdit(username)
        self.username.setObjectName("sign_username")
        self.password = QLineEdit()
        self.password.setObjectName("sign_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.meaning = bold_label(meaning)
        self.meaning.setObjectName("sign_meaning")
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("sign_reason")
        self.reason.setFixedHeight(70)
        self.error = ErrorLabel()  # plain text, wrapped, selectable, hidden until there is a message
        self.error.setObjectName("sign_error")
        form = QFormLayout()
        add_row(form, "Meaning of this signature:", self.meaning)
        add_row(form, "&User name:", self.username)
        add_row(form, "&Password (again):", self.password)
        if reason != "none":
            add_row(form, "&Reason:" if reason == "required" else "Comment (optional):", self.reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Sign")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.statement)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        (self.password if username else self.username).setFocus()
        self.resize(520, self.sizeHint().height())

    def submit(self) -> None:
        username, password = self.username.text().strip(), self.password.text()
        reason = self.reason.toPlainText().strip() or None
        self.buttons.setEnabled(False)
        self.error.setText("Checking the signature…")
        self.error.show()
        run_task(lambda: self.sign(username, password, reason), self._done, self)

    def _done(self, result: Signed | None, error: BaseException | None) -> None:
        self.buttons.setEnabled(True)
        self.password.clear()
        if error is not None:
            self.error.setText(f"Not signed: {in_words(error)}")
            self.error.show()
            self.password.setFocus()
            return
        self.result_value = result
        self.accept()
