"""Audit trail: read-only, filtered by record type, user, action text; chain integrity on request."""

from __future__ import annotations

import logging

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from labelapp.gui.messages import in_words, log_caught
from labelapp.gui.models.records import AuditTableModel, SortRole
from labelapp.gui.session import Session
from labelapp.gui.widgets import INFO_STYLE, WARNING_STYLE, banner, heading, plain_label

log = logging.getLogger(__name__)

RECORD_TYPES = ("", "batch", "formula", "document", "user", "settings", "ingredient", "backup")


class AuditPage(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("audit_page")
        self.session = session
        self.model = AuditTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self._build()

    def _build(self) -> None:
        self.record_type = QComboBox()
        self.record_type.setObjectName("audit_type")
        for t in RECORD_TYPES:
            self.record_type.addItem(t or "Any record", t)
        self.record_type.currentIndexChanged.connect(self.refresh)
        self.record_id = QLineEdit()
        self.record_id.setObjectName("audit_record_id")
        self.record_id.setPlaceholderText("record id")
        self.record_id.editingFinished.connect(self.refresh)
        self.filter = QLineEdit()
        self.filter.setObjectName("audit_filter")
        self.filter.setPlaceholderText("Filter the rows shown (user, action, reason…)")
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        verify = QPushButton("&Verify the chain")
        verify.clicked.connect(self.verify)
        bar = QHBoxLayout()
        for w in (plain_label("Record:"), self.record_type, self.record_id, plain_label("Filter:"), self.filter):
            bar.addWidget(w)
        bar.addWidget(verify)
        self.view = QTableView()
        self.view.setObjectName("audit_table")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.view.verticalHeader().hide()
        self.message = banner(WARNING_STYLE, "audit_message")
        self.done = banner(INFO_STYLE, "audit_done")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Audit trail (read-only)"))
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.done)
        layout.addWidget(self.view, 1)

    def refresh(self) -> None:
        record_type = self.record_type.currentData() or None
        record_id = self.record_id.text().strip() or None
        try:
            rows = self.session.register.audit.entries(record_type, record_id, limit=2000, newest_first=True)
        except Exception as exc:  # noqa: BLE001
            log_caught(log, exc, "reading the audit trail")
            self.message.setText(in_words(exc))
            self.message.show()
            return
        self.message.hide()
        self.model.set_rows(rows)
        for column, width in enumerate((50, 150, 90, 150, 110, 160, 200)):
            self.view.setColumnWidth(column, width)

    def verify(self) -> None:
        result = self.session.register.audit.verify()
        if result.ok:
            self.message.hide()
            self.done.setText(f"Audit chain intact: {result.entries_checked} entries checked.")
            self.done.show()
        else:
            self.done.hide()
            self.message.setText(f"AUDIT CHAIN BROKEN at entry {result.first_bad_seq}: {result.problem}")
            self.message.show()
