"""Small reusable widgets: an input with its error message beside it, value read-outs, banners.

Every label of the app is plain text (``plain_label``): names, reasons, lots and product names are
typed by people, and a QLabel in its default format would render ``<b>`` or ``<img src=x>`` as rich
text. Emphasis is a font (``heading``, ``bold_label``), never markup.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QFrame,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

ERROR_STYLE = "color: #a4000f;"
WARNING_STYLE = "background: #fff4ce; color: #4a3800; border: 1px solid #e0c45c; padding: 6px;"
INFO_STYLE = "background: #e8f1fb; color: #0b3a66; border: 1px solid #9cc1e8; padding: 6px;"
FIELD_ERROR_STYLE = "QLineEdit, QDateTimeEdit { border: 1px solid #c50f1f; background: #fff6f6; }"

View = TypeVar("View", bound=QTableView)
Result = TypeVar("Result")


class ResultDialog(QDialog, Generic[Result]):
    """A dialog whose OK runs a service call: ``result_value`` is what the call returned once accepted."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.result_value: Result | None = None


def plain_label(text: str = "", name: str = "", parent: QWidget | None = None) -> QLabel:
    """A QLabel that shows its text as typed, never as rich text."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    if name:
        label.setObjectName(name)
    return label


def bold_label(text: str = "", name: str = "") -> QLabel:
    label = plain_label(text, name)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def add_row(form: QFormLayout, title: str, field: QWidget | QLayout) -> QLabel:
    """``form.addRow(title, field)`` with a plain-text title label (its ``&`` mnemonic focuses ``field``)."""
    label = plain_label(title)
    if isinstance(field, QWidget):
        label.setBuddy(field)
    form.addRow(label, field)
    return label


def message_box(
    parent: QWidget | None,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    informative: str = "",
    buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok,
) -> QMessageBox:
    """A QMessageBox whose texts are plain (the static helpers guess rich text)."""
    box = QMessageBox(icon, title, text, buttons, parent)
    if informative:
        box.setInformativeText(informative)
    box.setTextFormat(Qt.TextFormat.PlainText)
    for label in box.findChildren(QLabel):
        label.setTextFormat(Qt.TextFormat.PlainText)
    return box


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> tuple[str, bool]:
    """``QInputDialog.getText`` with its label in plain text."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextValue(text)
    for child in dialog.findChildren(QLabel):
        child.setTextFormat(Qt.TextFormat.PlainText)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    value = dialog.textValue()
    dialog.deleteLater()
    return value, accepted


class ErrorLabel(QLabel):
    """A message in words under a field; hidden when there is nothing to say."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setStyleSheet(ERROR_STYLE)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_messages(self, messages: list[str]) -> None:
        text = "\n".join(messages)
        self.setText(text)
        self.setVisible(bool(text))


class FieldBox(QWidget):
    """An input widget with its error label underneath; ``set_errors`` marks the input too."""

    def __init__(self, editor: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.error = ErrorLabel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(editor)
        layout.addWidget(self.error)

    def set_errors(self, messages: list[str]) -> None:
        self.error.show_messages(messages)
        self.editor.setStyleSheet(FIELD_ERROR_STYLE if messages else "")
        self.editor.setAccessibleDescription("; ".join(messages))

    def errors(self) -> str:
        return self.error.text() if self.error.isVisible() or self.error.text() else ""


def line_edit(name: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(False)
    return edit


def value_label(name: str) -> QLabel:
    label = plain_label("—", name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    return label


def banner(style: str = INFO_STYLE, name: str = "") -> QLabel:
    label = plain_label("", name)
    label.setWordWrap(True)
    label.setStyleSheet(style)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def heading(text: str) -> QLabel:
    label = plain_label(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    return label


def hline() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


def read_only_table(view: View, single: bool = True) -> View:
    """Rows selected whole, nothing edited in place, columns sized to their contents, last one stretched."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single:
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().hide()
    return view
