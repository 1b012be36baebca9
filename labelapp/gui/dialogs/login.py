"""Sign in: user name and password, checked by the register (lock-out and all)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from labelapp.gui.messages import in_words
from labelapp.gui.widgets import ErrorLabel, add_row, plain_label
from labelapp.gui.workers import run_task

if TYPE_CHECKING:
    from labelapp.domain.records import AuthenticatedUser
    from labelapp.services.register import Register


class LoginDialog(QDialog):
    def __init__(self, register: Register, where: str = "", username: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Sign in — labelapp")
        self.setObjectName("login_dialog")
        self.register = register
        self.user: AuthenticatedUser | None = None
        self.username = QLineEdit(username)
        self.username.setObjectName("login_username")
        self.password = QLineEdit()
        self.password.setObjectName("login_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = ErrorLabel()  # plain text, wrapped, selectable, hidden until there is a message
        self.error.setObjectName("login_error")
        form = QFormLayout()
        add_row(form, "&User name:", self.username)
        add_row(form, "&Password:", self.password)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Sign in")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if where:
            place = plain_label(f"Register: {where}")
            place.setWordWrap(True)
            layout.addWidget(place)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        (self.password if username else self.username).setFocus()
        self.resize(460, self.sizeHint().height())

    def submit(self) -> None:
        username, password = self.username.text().strip(), self.password.text()
        self.buttons.setEnabled(False)
        run_task(lambda: self.register.accounts.authenticate(username, password, record_sign_in=True), self._done, self)

    def _done(self, user: AuthenticatedUser | None, error: BaseException | None) -> None:
        self.buttons.setEnabled(True)
        self.password.clear()
        if error is not None:
            self.error.setText(in_words(error))
            self.error.show()
            self.password.setFocus()
            return
        self.user = user
        self.accept()
