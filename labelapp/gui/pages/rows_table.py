"""An editable table of rows (strings in, strings out) with add, remove, move up/down, choice columns shown
as combo boxes, check columns, and each row's problems in its last column (the form's field errors).

Used by the formula editor for the master record's process steps and release specifications. The rows
are plain ``dict[str, str]`` (check columns hold "yes" or ""); keys the table does not show are kept as
they are, so nothing the editor does not know about is lost on the way through.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from labelapp.gui.widgets import ErrorLabel

Index = QModelIndex | QPersistentModelIndex
ERROR_BRUSH = QBrush(QColor("#fde2e1"))
ERROR_TEXT = QBrush(QColor("#a4000f"))
PROBLEMS = "Problems"


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str = "text"  # "text", "choice" (a combo box) or "check" (a check box)
    choices: Callable[[], Sequence[tuple[str, str]]] | None = None  # (value, shown text), for a choice column
    tip: str = ""
    width: int = 0  # a minimum width in characters (0: sized to the contents)


class RowsModel(QAbstractTableModel):
    edited = Signal()

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None):
        super().__init__(parent)
        self.columns = list(columns)
        self._rows: list[dict[str, str]] = []
        self._cell_errors: dict[tuple[int, str], list[str]] = {}
        self._row_errors: dict[int, list[str]] = {}

    # ------------------------------------------------------------ content

    def set_rows(self, rows: Sequence[dict[str, str]]) -> None:
        self.beginResetModel()
        self._rows = [dict(row) for row in rows]
        self._cell_errors, self._row_errors = {}, {}
        self.endResetModel()

    def rows(self) -> list[dict[str, str]]:
        return [dict(row) for row in self._rows]

    def row(self, row: int) -> dict[str, str]:
        return dict(self._rows[row])

    def value(self, row: int, key: str) -> str:
        return self._rows[row].get(key, "")

    def set_value(self, row: int, key: str, text: str) -> None:
        """Set one cell as a user would (tests, and the combo delegate)."""
        self.setData(self.index(row, self._column(key)), text)

    def insert_row(self, at: int, row: dict[str, str]) -> None:
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.insert(at, dict(row))
        self.endInsertRows()
        self._clear_errors()
        self.edited.emit()

    def remove_row(self, at: int) -> None:
        self.beginRemoveRows(QModelIndex(), at, at)
        del self._rows[at]
        self.endRemoveRows()
        self._clear_errors()
        self.edited.emit()

    def move_row(self, at: int, to: int) -> None:
        if not (0 <= at < len(self._rows) and 0 <= to < len(self._rows)) or at == to:
            return
        self.beginMoveRows(QModelIndex(), at, at, QModelIndex(), to + 1 if to > at else to)
        self._rows.insert(to, self._rows.pop(at))
        self.endMoveRows()
        self._clear_errors()
        self.edited.emit()

    def _clear_errors(self) -> None:
        """Rows moved: the messages no longer belong to the rows they name (the next check puts them back)."""
        if self._cell_errors or self._row_errors:
            self.set_errors({}, {})

    def set_errors(self, cells: dict[tuple[int, str], list[str]], rows: dict[int, list[str]]) -> None:
        self._cell_errors, self._row_errors = dict(cells), dict(rows)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.columns)))

    def problems(self, row: int) -> str:
        """The row's messages, as its last column shows them."""
        lines = list(self._row_errors.get(row, []))
        for column in self.columns:
            for message in self._cell_errors.get((row, column.key), []):
                lines.append(f"{column.title}: {message}")
        return "\n".join(lines)

    def cell_errors(self) -> dict[tuple[int, str], list[str]]:
        return dict(self._cell_errors)

    def _column(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    # ------------------------------------------------------------ Qt model

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns) + 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.columns[section].title if section < len(self.columns) else PROBLEMS
            if role == Qt.ItemDataRole.ToolTipRole and section < len(self.columns):
                return self.columns[section].tip or None
        elif role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not index.isValid() or index.column() >= len(self.columns):
            return base
        if self.columns[index.column()].kind == "check":
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = index.row()
        if index.column() >= len(self.columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.problems(row)
            if role == Qt.ItemDataRole.ForegroundRole:
                return ERROR_TEXT
            return None
        column = self.columns[index.column()]
        value = self._rows[row].get(column.key, "")
        problems = self._cell_errors.get((row, column.key))
        if column.kind == "check":
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if value else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.DisplayRole:
                return None
        elif role == Qt.ItemDataRole.DisplayRole:
            return self._shown(column, value)
        elif role == Qt.ItemDataRole.EditRole:
            return value
        if role == Qt.ItemDataRole.BackgroundRole and problems:
            return ERROR_BRUSH
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(problems) if problems else (column.tip or None)
        if role == Qt.ItemDataRole.AccessibleDescriptionRole and problems:
            return "; ".join(problems)
        return None

    def _shown(self, column: Column, value: str) -> str:
        if column.kind == "choice" and column.choices is not None:
            return next((text for v, text in column.choices() if v == value), value)
        return value

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() >= len(self.columns):
            return False
        column = self.columns[index.column()]
        if column.kind == "check":
            if role not in (Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.EditRole):
                return False
            checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, True, "yes")
            text = "yes" if checked else ""
        elif role == Qt.ItemDataRole.EditRole:
            text = "" if value is None else str(value)
        else:
            return False
        if self._rows[index.row()].get(column.key, "") == text:
            return True
        self._rows[index.row()][column.key] = text
        self.dataChanged.emit(index, index)
        self.edited.emit()
        return True


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box for the choice columns (opened as persistent editors, so they always look like one)."""

    def __init__(self, model: RowsModel, parent: QObject | None = None):
        super().__init__(parent)
        self._model = model

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        column = self._model.columns[index.column()]
        if column.kind != "choice" or column.choices is None:
            return super().createEditor(parent, option, index)
        combo = QComboBox(parent)
        combo.setObjectName(f"cell_{column.key}_{index.row()}")
        combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._fill(combo, column, self._model.value(index.row(), column.key))
        persistent = QPersistentModelIndex(index)
        combo.activated.connect(lambda _i: self._model.setData(persistent, combo.currentData()))
        return combo

    def _fill(self, combo: QComboBox, column: Column, current: str) -> None:
        assert column.choices is not None  # only choice columns get a combo
        combo.blockSignals(True)
        combo.clear()
        choices = list(column.choices())
        if current and current not in {v for v, _ in choices}:
            choices.append((current, current))  # a value from the document the list does not know: kept
        for value, text in choices:
            combo.addItem(text, value)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        column = self._model.columns[index.column()]
        if isinstance(editor, QComboBox) and column.kind == "choice":
            self._fill(editor, column, self._model.value(index.row(), column.key))
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData())
            return
        super().setModelData(editor, model, index)


class RowsEditor(QWidget):
    """The table with its buttons (add, remove, move up, move down) and a message line under it."""

    def __init__(
        self,
        name: str,
        columns: Sequence[Column],
        blank: Callable[[], dict[str, str]],
        noun: str,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName(name)
        self.blank = blank
        self.model = RowsModel(columns, self)
        self.view = QTableView()
        self.view.setObjectName(f"{name}_table")
        self.view.setModel(self.model)
        self.delegate = ChoiceDelegate(self.model, self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.view.setTabKeyNavigation(True)
        self.view.setWordWrap(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.model.modelReset.connect(self._rows_changed)
        self.model.rowsInserted.connect(self._rows_changed)
        self.model.rowsRemoved.connect(self._rows_changed)
        self.model.rowsMoved.connect(self._rows_changed)
        self.model.dataChanged.connect(lambda *_: self.view.resizeRowsToContents())
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        for key, text in (
            ("add", f"&Add {noun}"),
            ("remove", "&Remove"),
            ("up", "Move &up"),
            ("down", "Move &down"),
        ):
            button = QPushButton(text)
            button.setObjectName(f"{name}_{key}")
            bar.addWidget(button)
            self.buttons[key] = button
        bar.addStretch(1)
        self.buttons["add"].clicked.connect(self.add)
        self.buttons["remove"].clicked.connect(self.remove)
        self.buttons["up"].clicked.connect(lambda: self.move_selected(-1))
        self.buttons["down"].clicked.connect(lambda: self.move_selected(+1))
        self.error = ErrorLabel()
        self.error.setObjectName(f"{name}_error")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.error)

    def _rows_changed(self, *_: object) -> None:
        """Choice cells as combo boxes on every row; widths fitted once there is something to fit."""
        for row in range(self.model.rowCount()):
            for col, column in enumerate(self.model.columns):
                if column.kind == "choice":
                    self.view.openPersistentEditor(self.model.index(row, col))
        metrics = self.view.fontMetrics()
        for col, column in enumerate(self.model.columns):
            self.view.resizeColumnToContents(col)
            if column.width:
                self.view.setColumnWidth(
                    col, max(self.view.columnWidth(col), metrics.horizontalAdvance("x") * column.width)
                )
        self.view.resizeRowsToContents()

    def refresh_choices(self) -> None:
        """The choices changed (e.g. the formula's components): rebuild the combo boxes."""
        for row in range(self.model.rowCount()):
            for col, column in enumerate(self.model.columns):
                if column.kind == "choice":
                    index = self.model.index(row, col)
                    self.view.closePersistentEditor(index)
                    self.view.openPersistentEditor(index)

    def current_row(self) -> int:
        index = self.view.currentIndex()
        return index.row() if index.isValid() else -1

    def select(self, row: int) -> None:
        self.view.setCurrentIndex(self.model.index(row, 0))
        self.view.selectRow(row)

    def add(self) -> None:
        at = self.current_row() + 1 if self.current_row() >= 0 else self.model.rowCount()
        self.model.insert_row(at, self.blank())
        self.select(at)

    def remove(self) -> None:
        row = self.current_row()
        if row >= 0:
            self.model.remove_row(row)
            if self.model.rowCount():
                self.select(min(row, self.model.rowCount() - 1))

    def move_selected(self, by: int) -> None:
        row = self.current_row()
        if row < 0 or not 0 <= row + by < self.model.rowCount():
            return
        self.model.move_row(row, row + by)
        self.select(row + by)

    def set_errors(
        self, cells: dict[tuple[int, str], list[str]], rows: dict[int, list[str]], general: list[str]
    ) -> None:
        self.model.set_errors(cells, rows)
        self.error.show_messages(general)
        self.view.resizeRowsToContents()
