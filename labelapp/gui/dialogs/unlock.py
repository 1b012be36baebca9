"""Unlock after the idle lock: the same user's password again (the register checks it, lock-out and
all, and opens the signing key anew), or "Sign in as another user".

The dialog cannot be dismissed otherwise (Escape and the close button do nothing): the window stays
locked until someone signs in. ``user`` is the re-authenticated user; ``switch_user`` is set when
another user is to sign in instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from labelapp.gui.messages import in_words
from labelapp.gui.widgets import INFO_STYLE, ErrorLabel, add_row, plain_label
from labelapp.gui.workers import run_task

if TYPE_CHECKING:
    from labelapp.domain.records import AuthenticatedUser
    from labelapp.services.register import Register


class UnlockDialog(QDialog):
    def __init__(self, register: Register, username: str, full_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("labelapp is locked")
        self.setObjectName("unlock_dialog")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        self.register = register
        self.username = username
        self.user: AuthenticatedUser | None = None
        self.switch_user = False
        intro = plain_label(
            f"{full_name} ({username}): labelapp was locked after a time without input. "
            "Type your password to continue where you left off.",
            "unlock_intro",
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(INFO_STYLE)
        self.password = QLineEdit()
        self.password.setObjectName("unlock_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        add_row(form, "&Password:", self.password)
        self.error = ErrorLabel()  # plain text, wrapped, selectable, hidden until there is a message
        self.error.setObjectName("unlock_error")
        self.buttons = QDialogButtonBox()
        self.unlock_button = self.buttons.addButton("&Unlock", QDialogButtonBox.ButtonRole.AcceptRole)
        self.unlock_button.setObjectName("unlock_button")
        self.unlock_button.setDefault(True)
        self.other_button = QPushButton("Sign in as &another user…")
        self.other_button.setObjectName("unlock_other_user")
        self.buttons.addButton(self.other_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(self.submit)
        self.other_button.clicked.connect(self.another_user)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.password.setFocus()
        self.resize(480, self.sizeHint().height())

    def submit(self) -> None:
        password = self.password.text()
        if not password:
            self._say("Type your password.")
            return
        self.buttons.setEnabled(False)
        username = self.username
        run_task(lambda: self.register.accounts.authenticate(username, password, record_sign_in=True), self._done, self)

    def _done(self, user: AuthenticatedUser | None, error: BaseException | None) -> None:
        self.buttons.setEnabled(True)
        self.password.clear()
        if error is not None or user is None:
            self._say(in_words(error or RuntimeError("nobody signed in")))
            self.password.setFocus()
            return
        self.user = user
        self.accept()

    def another_user(self) -> None:
        self.switch_user = True
        self.done(QDialog.DialogCode.Rejected)

    def _say(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def reject(self) -> None:
        """Escape does not unlock, nor dismiss the prompt."""

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.result() or self.switch_user:
            super().closeEvent(event)
        else:
            event.ignore()
