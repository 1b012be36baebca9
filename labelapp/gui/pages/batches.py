"""Batches: the register's batches, searchable by lot, product and status; open one or start one."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget

from labelapp.gui.messages import in_words, log_caught
from labelapp.gui.models.records import BatchTableModel, SortRole
from labelapp.gui.session import Session
from labelapp.gui.widgets import WARNING_STYLE, banner, heading, plain_label, read_only_table

if TYPE_CHECKING:
    from labelapp.domain.records import BatchRecord

log = logging.getLogger(__name__)

STATUSES = ("", "draft", "compounded", "verified", "released", "rejected", "voided")


class BatchesPage(QWidget):
    open_requested = Signal(int)  # batch id
    new_requested = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("batches_page")
        self.session = session
        self.model = BatchTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self._build()
        self._timer = QTimer(self, singleShot=True, interval=200)
        self._timer.timeout.connect(self.refresh)
        session.batches_changed.connect(self.refresh)

    def _build(self) -> None:
        self.search = QLineEdit()
        self.search.setObjectName("batch_search")
        self.search.setPlaceholderText("Search lot, product or formula…")
        self.search.textChanged.connect(lambda: self._timer.start())
        self.status = QComboBox()
        self.status.setObjectName("batch_status_filter")
        for s in STATUSES:
            self.status.addItem(s.capitalize() if s else "Any status", s)
        self.status.currentIndexChanged.connect(self.refresh)
        search_label, status_label = plain_label("&Find:"), plain_label("S&tatus:")
        search_label.setBuddy(self.search)
        status_label.setBuddy(self.status)
        new = QPushButton("&New batch…")
        new.setObjectName("new_batch")
        new.clicked.connect(self.new_requested)
        self.open_button = QPushButton("&Open")
        self.open_button.clicked.connect(self._open_current)
        bar = QHBoxLayout()
        for w in (search_label, self.search, status_label, self.status):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.open_button)
        bar.addWidget(new)
        self.view = QTableView()
        self.view.setObjectName("batches_table")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(BatchTableModel.COL_UPDATED, Qt.SortOrder.DescendingOrder)
        read_only_table(self.view)
        self.view.activated.connect(self._open_index)
        self.message = banner(WARNING_STYLE, "batches_message")
        self.count = plain_label()
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Batches"))
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count)

    def refresh(self) -> None:
        criteria: dict[str, str | int] = {"limit": 1000}
        if self.search.text().strip():
            criteria["text"] = self.search.text().strip()
        if self.status.currentData():
            criteria["status"] = self.status.currentData()
        try:
            rows = self.session.register.batches.search(**criteria)
        except Exception as exc:  # noqa: BLE001 - a refusal or an unreachable database, in words
            log_caught(log, exc, "searching the batches")
            self.message.setText(in_words(exc))
            self.message.show()
            return
        self.message.hide()
        self.model.set_rows(rows)
        self.count.setText(f"{len(rows)} batch{'es' if len(rows) != 1 else ''}")

    def selected_batch(self) -> BatchRecord | None:
        return self._record(self.view.currentIndex())

    def _record(self, index: QModelIndex) -> BatchRecord | None:
        """The batch of a row of the (sorted) view."""
        return self.model.record(self.proxy.mapToSource(index).row()) if index.isValid() else None

    def _open_index(self, index: QModelIndex) -> None:
        record = self._record(index)
        if record is not None:
            self.open_requested.emit(record.id)

    def _open_current(self) -> None:
        record = self.selected_batch()
        if record is not None:
            self.open_requested.emit(record.id)
