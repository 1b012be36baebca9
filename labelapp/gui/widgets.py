"""Small reusable widgets: an input with its error message beside it, value read-outs, banners."""

from __future__ import annotations

from typing import Generic, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QHeaderView,
    QLabel,
    QLineEdit,
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


class ErrorLabel(QLabel):
    """A message in words under a field; hidden when there is nothing to say."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
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
    label = QLabel("—")
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    return label


def banner(style: str = INFO_STYLE, name: str = "") -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(style)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def heading(text: str) -> QLabel:
    label = QLabel(text)
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
