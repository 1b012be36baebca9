"""A plain text editor dialog whose OK runs a callable; its refusal is shown in words, dialog stays open."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDialogButtonBox, QPlainTextEdit, QVBoxLayout, QWidget

from labelapp.gui.messages import in_words, log_caught
from labelapp.gui.widgets import ErrorLabel, ResultDialog, plain_label

log = logging.getLogger(__name__)
Accepted = TypeVar("Accepted")


class TextEditorDialog(ResultDialog[Accepted]):
    def __init__(
        self, title: str, intro: str, text: str, accept_text: Callable[[str], Accepted], parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.accept_text = accept_text
        label = plain_label(intro)
        label.setWordWrap(True)
        self.editor = QPlainTextEdit(text)
        self.editor.setObjectName("text_editor")
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.error = ErrorLabel()  # plain text, wrapped, selectable, hidden until there is a message
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(720, 640)

    def submit(self) -> None:
        try:
            self.result_value = self.accept_text(self.editor.toPlainText())
        except Exception as exc:  # noqa: BLE001 - the refusal, in words
            log_caught(log, exc, self.windowTitle())
            self.error.setText(in_words(exc))
            self.error.show()
            return
        self.accept()
