"""Change your password (21 CFR 11.300(b)): asked at sign-in when the password is temporary (an
administrator reset it) or older than the register's ``password_max_age_days``.

Until it is changed the user may do nothing else: the register refuses every other write and every
e-signature. The dialog asks the current password again and the new one twice, calls
``accounts.change_password`` and holds the user it returns (signed in with the new password) in
``user``. Refusals are shown in words under the field they concern.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from labelapp.domain.errors import AuthenticationError, InputError, RuleViolation
from labelapp.gui.messages import in_words, log_caught
from labelapp.gui.widgets import WARNING_STYLE, ErrorLabel, FieldBox, add_row, plain_label
from labelapp.gui.workers import run_task

if TYPE_CHECKING:
    from labelapp.domain.records import AuthenticatedUser
    from labelapp.services.register import Register

log = logging.getLogger(__name__)


def change_reason(user: AuthenticatedUser, max_age_days: int | None) -> str:
    if user.password_change_reason == "temporary":
        return (
            "Your password was reset by an administrator (temporary). Choose your own password now: "
            "until then you cannot change or sign anything."
        )
    if user.password_change_reason == "expired":
        age = f"older than {max_age_days} days" if max_age_days else "too old"
        return f"Your password is {age}. Choose a new password now: until then you cannot change or sign anything."
    return "Choose a new password."


def password_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class ChangePasswordDialog(QDialog):
    def __init__(self, register: Register, signed_in: AuthenticatedUser, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Change your password — labelapp")
        self.setObjectName("change_password_dialog")
        self.setModal(True)
        self.register = register
        self.signed_in = signed_in  # with the old password: may do nothing but this
        self.user: AuthenticatedUser | None = None  # signed in with the new password, once changed
        try:
            max_age: int | None = register.settings.current().password_max_age_days
        except Exception as exc:  # noqa: BLE001 - the reason is only words
            log_caught(log, exc, "reading the password age setting")
            max_age = None
        self.reason = plain_label(change_reason(signed_in, max_age), "change_password_reason")
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet(WARNING_STYLE)
        who = plain_label(f"Account: {signed_in.full_name} ({signed_in.username})", "change_password_who")
        who.setWordWrap(True)
        self.current = FieldBox(password_edit("change_password_current"))
        self.new = FieldBox(password_edit("change_password_new"))
        self.again = FieldBox(password_edit("change_password_again"))
        form = QFormLayout()
        add_row(form, "&Current password:", self.current).setBuddy(self.current.editor)
        add_row(form, "&New password:", self.new).setBuddy(self.new.editor)
        add_row(form, "New password &again:", self.again).setBuddy(self.again.editor)
        self.error = ErrorLabel()  # plain text, wrapped, selectable, hidden until there is a message
        self.error.setObjectName("change_password_error")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("C&hange password")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Sign &out")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason)
        layout.addWidget(who)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.current.editor.setFocus()
        self.resize(520, self.sizeHint().height())

    def edits(self) -> tuple[QLineEdit, QLineEdit, QLineEdit]:
        fields = (self.current.editor, self.new.editor, self.again.editor)
        assert all(isinstance(f, QLineEdit) for f in fields)  # built by password_edit
        return fields  # type: ignore[return-value]

    def _clear_errors(self) -> None:
        for box in (self.current, self.new, self.again):
            box.set_errors([])
        self.error.hide()

    def submit(self) -> None:
        current, new, again = (edit.text() for edit in self.edits())
        self._clear_errors()
        if not current:
            self.current.set_errors(["Type your current password (the one you signed in with)."])
            self.current.editor.setFocus()
            return
        if new != again:
            self.again.set_errors(["The two new passwords differ; type the same password twice."])
            self.again.editor.setFocus()
            return
        username = self.signed_in.username
        self.buttons.setEnabled(False)
        run_task(lambda: self.register.accounts.change_password(username, current, new), self._done, self)

    def _done(self, user: AuthenticatedUser | None, error: BaseException | None) -> None:
        self.buttons.setEnabled(True)
        if error is not None or user is None:
            self._show_error(error or RuntimeError("no user returned"))
            return
        for edit in self.edits():
            edit.clear()
        self.user = user
        self.accept()

    def _show_error(self, error: BaseException) -> None:
        current, new, again = self.edits()
        if isinstance(error, AuthenticationError):
            current.clear()
            self.current.set_errors([in_words(error)])
            current.setFocus()
        elif isinstance(error, RuleViolation | InputError):
            new.clear()
            again.clear()
            self.new.set_errors([in_words(error)])
            new.setFocus()
        else:
            self.error.setText(f"The password was not changed: {in_words(error)}")
            self.error.show()
