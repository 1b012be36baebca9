"""Read-only table models over lists of register read-models (pydantic records).

Each model declares its columns once: (title, value-of-record). ``set_rows`` replaces the rows;
``RecordRole`` returns the record itself and ``SortRole`` a sortable value. Tested without views.
A model is generic over its record type (``RecordTableModel[BatchRecord]``), so ``record(row)`` and
the column functions are type-checked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

# At run time too (the models' base classes name them); the pages load them anyway through the services.
from labelapp.domain.records import (
    ArchivedDocumentRecord,
    AuditEntryRecord,
    BatchRecord,
    FormulaRecord,
    PrintJobRecord,
    SignatureRecord,
)
from labelapp.gui.messages import plain_tooltip

RecordRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex
R = TypeVar("R")
Column = tuple[str, Callable[[R], object]]  # (title, the shown value of a record)


def display(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value") and isinstance(value.value, str):
        return value.value
    return str(value)


def sort_key(value: object) -> int | float | str:
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return value
    return display(value)


class RecordTableModel(QAbstractTableModel, Generic[R]):
    COLUMNS: Sequence[Column[R]] = ()  # per class (a ClassVar cannot name the record type)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[R] = []

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[R]:
        return list(self._rows)

    def record(self, row: int) -> R:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self._rows[index.row()]
        value = self.COLUMNS[index.column()][1](record)
        if role == Qt.ItemDataRole.DisplayRole:
            return display(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self.tooltip(record, index.column())
            return plain_tooltip(tip) if tip else None
        if role == RecordRole:
            return record
        if role == SortRole:
            return sort_key(value)
        return None

    def tooltip(self, record: R, column: int) -> str | None:
        text = display(self.COLUMNS[column][1](record))
        return text if len(text) > 40 else None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section][0]
        return None


class BatchTableModel(RecordTableModel[BatchRecord]):
    COL_LOT, COL_PRODUCT, COL_FORMULA, COL_STATUS, COL_COMPOUNDED, COL_EXPIRY, COL_BY, COL_UPDATED = range(8)
    COLUMNS = (
        ("Lot", lambda b: b.lot_number),
        ("Product", lambda b: b.product_name),
        ("Formula", lambda b: f"{b.formula_code} v{b.formula_version}"),
        ("Status", lambda b: b.status),
        ("Compounded", lambda b: b.compounded_on),
        ("Expiry", lambda b: b.expiration_date),
        ("Created by", lambda b: b.created_by),
        ("Updated", lambda b: b.updated_at),
    )


class FormulaTableModel(RecordTableModel[FormulaRecord]):
    COL_CODE, COL_VERSION, COL_NAME, COL_STATUS = range(4)
    COLUMNS = (
        ("Code", lambda f: f.code),
        ("Version", lambda f: f.version),
        ("Product", lambda f: f.name),
        ("Status", lambda f: f.status),
        ("Added by", lambda f: f.created_by),
        ("Added", lambda f: f.created_at),
        ("Approved by", lambda f: f.approved_by),
        ("Approved", lambda f: f.approved_at),
    )


class DocumentTableModel(RecordTableModel[ArchivedDocumentRecord]):
    COL_ID, COL_LOT, COL_PRODUCT, COL_KIND, COL_STATUS = range(5)
    COLUMNS = (
        ("Id", lambda d: d.id),
        ("Lot", lambda d: d.lot_number),
        ("Product", lambda d: d.product_name),
        ("Kind", lambda d: d.kind),
        ("Batch status", lambda d: d.batch_status),
        ("Archived", lambda d: d.created_at),
        ("By", lambda d: d.created_by),
        ("Size", lambda d: f"{d.size_bytes:,} bytes"),
        ("SHA-256", lambda d: d.sha256[:16] + "…"),
        ("Integrity", lambda d: d.integrity),
    )

    def tooltip(self, record: ArchivedDocumentRecord, column: int) -> str | None:
        if column == 8:
            return record.sha256
        return super().tooltip(record, column)


class AuditTableModel(RecordTableModel[AuditEntryRecord]):
    COLUMNS = (
        ("#", lambda e: e.seq),
        ("When (UTC)", lambda e: e.at_utc),
        ("User", lambda e: e.username or "(system)"),
        ("Action", lambda e: e.action),
        ("Record", lambda e: f"{e.record_type} {e.record_id}"),
        ("Reason", lambda e: e.reason),
        ("Old", lambda e: e.old_value),
        ("New", lambda e: e.new_value),
    )


class SignatureTableModel(RecordTableModel[SignatureRecord]):
    COLUMNS = (
        ("Meaning", lambda s: s.meaning),
        ("Signed by", lambda s: f"{s.printed_name} ({s.username})"),
        ("Role", lambda s: s.role),
        ("At (UTC)", lambda s: s.signed_at.strftime("%Y-%m-%d %H:%M:%S")),
        ("Content", lambda s: {True: "matches", False: "CHANGED since signing", None: ""}[s.content_matches]),
        ("Reason", lambda s: s.reason),
    )


class PrintJobTableModel(RecordTableModel[PrintJobRecord]):
    COLUMNS = (
        ("Job", lambda j: j.job_number),
        ("Kind", lambda j: j.kind),
        ("Stock", lambda j: j.stock),
        ("Count", lambda j: j.label_count),
        ("Printer", lambda j: j.printer),
        ("Reprint", lambda j: "yes" if j.is_reprint else ""),
        ("Reason", lambda j: j.reason),
        ("At", lambda j: j.printed_at),
        ("By", lambda j: j.printed_by),
    )
