"""The editable component-lots table of the batch form: strings in, strings out.

Cells with a problem get a red background and the message as tooltip; the messages come from the
presenter (which got them from the services). The component column is fixed by the formula.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from labelapp.gui.messages import plain_tooltip
from labelapp.gui.presenters.batch_form import LOT_COLUMNS, LOT_TITLES

Index = QModelIndex | QPersistentModelIndex
ERROR_BRUSH = QBrush(QColor("#fde2e1"))


class ComponentLotsTableModel(QAbstractTableModel):
    edited = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[dict[str, str]] = []
        self._errors: dict[tuple[int, str], list[str]] = {}
        self._read_only = False

    # ------------------------------------------------------------ content

    def set_rows(self, rows: list[dict[str, str]]) -> None:
        self.beginResetModel()
        self._rows = [{key: row.get(key, "") for key in LOT_COLUMNS} for row in rows]
        self._errors = {}
        self.endResetModel()

    def rows(self) -> list[dict[str, str]]:
        return [dict(row) for row in self._rows]

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only

    def set_errors(self, errors: dict[tuple[int, str], list[str]]) -> None:
        changed = set(errors) | set(self._errors)
        self._errors = dict(errors)
        for row, column in changed:
            if row < len(self._rows) and column in LOT_COLUMNS:
                index = self.index(row, LOT_COLUMNS.index(column))
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole])

    def errors(self) -> dict[tuple[int, str], list[str]]:
        return dict(self._errors)

    # ------------------------------------------------------------ Qt model

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(LOT_COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        key = LOT_COLUMNS[index.column()]
        value = self._rows[index.row()][key]
        problems = self._errors.get((index.row(), key))
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return value
        if role == Qt.ItemDataRole.BackgroundRole and problems:
            return ERROR_BRUSH
        if role == Qt.ItemDataRole.ToolTipRole and problems:
            return plain_tooltip("\n".join(problems))
        if role == Qt.ItemDataRole.AccessibleDescriptionRole and problems:
            return "; ".join(problems)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not self._editable(index):
            return False
        key = LOT_COLUMNS[index.column()]
        text = "" if value is None else str(value)
        if self._rows[index.row()][key] == text:
            return False
        self._rows[index.row()][key] = text
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        self.edited.emit()
        return True

    def _editable(self, index: Index) -> bool:
        return not self._read_only and LOT_COLUMNS[index.column()] != "component"

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and self._editable(index):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                return LOT_TITLES[LOT_COLUMNS[section]]
            return str(section + 1)
        return None
