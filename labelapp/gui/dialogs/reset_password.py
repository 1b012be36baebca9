"""An administrator resets a user's password to a temporary one (21 CFR 11.300): the temporary
password twice and the reason (both required). The register issues the account a new signing key;
the user must choose a new password at the next sign-in and cannot e-sign before that.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from labelapp.domain.errors import InputError, RuleViolation
from labelapp.gui.dialogs.change_password import password_edit
from labelapp.gui.messages import in_words
from labelapp.gui.widgets import INFO_STYLE, ErrorLabel, FieldBox, ResultDialog, add_row, plain_label
from labelapp.gui.workers import run_task

ResetFunction = Callable[[str, str], None]  # (temporary password, reason) -> None; raises when refused


class ResetPasswordDialog(ResultDialog[bool]):
    def __init__(self, username: str, full_name: str, reset: ResetFunction, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Reset the password of {username}")
        self.setObjectName("reset_password_dialog")
        self.reset = reset
        intro = plain_label(
            f"Set a temporary password for {full_name} ({username}). Tell it to the user in person; "
            "it must be changed at the next sign-in, and the account cannot sign anything before that. "
            "The account gets a new signing key.",
            "reset_intro",
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(INFO_STYLE)
        self.password = FieldBox(password_edit("reset_password"))
        self.again = FieldBox(password_edit("reset_password_again"))
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setObjectName("reset_reason")
        self.reason_edit.setFixedHeight(60)
        self.reason = FieldBox(self.reason_edit)
        form = QFormLayout()
        add_row(form, "&Temporary password:", self.password).setBuddy(self.password.editor)
        add_row(form, "Temporary password &again:", self.again).setBuddy(self.again.editor)
        add_row(form, "&Reason (required):", self.reason).setBuddy(self.reason_edit)
        self.error = ErrorLabel()  # plain text, wrapped, selectable, hidden until there is a message
        self.error.setObjectName("reset_error")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Reset password")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.password.editor.setFocus()
        self.resize(520, self.sizeHint().height())

    def edits(self) -> tuple[QLineEdit, QLineEdit]:
        first, second = self.password.editor, self.again.editor
        assert isinstance(first, QLineEdit) and isinstance(second, QLineEdit)  # built by password_edit
        return first, second

    def submit(self) -> None:
        first, second = (edit.text() for edit in self.edits())
        reason = self.reason_edit.toPlainText().strip()
        for box in (self.password, self.again, self.reason):
            box.set_errors([])
        self.error.hide()
        if first != second:
            self.again.set_errors(["The two passwords differ; type the same temporary password twice."])
            return
        if not reason:
            self.reason.set_errors(["A reason is required (it is kept in the audit trail)."])
            return
        self.buttons.setEnabled(False)
        run_task(lambda: self.reset(first, reason), self._done, self)

    def _done(self, _result: None, error: BaseException | None) -> None:
        self.buttons.setEnabled(True)
        if error is not None:
            text = in_words(error)
            about_input = isinstance(error, RuleViolation | InputError)
            if about_input and text.startswith("the password"):  # the password rules (length, guessable)
                self.password.set_errors([text])
            elif about_input and "reason" in text:
                self.reason.set_errors([text])
            else:
                self.error.setText(f"Not reset: {text}")
                self.error.show()
            return
        for edit in self.edits():
            edit.clear()
        self.result_value = True
        self.accept()
