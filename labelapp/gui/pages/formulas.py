"""Formulas: master formula versions, adding a new version (draft) and pharmacist approval.

"New version…" opens the formula editor: the formula's own fields as JSON and its master record (process
steps, in-process limits, release specifications, yield limits) as a form. "Approve…" shows what changed
against the approved version, line by line (``calc.execution.formula_diff``), above the e-signature."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from labelapp.calc.execution import formula_diff
from labelapp.gui.dialogs.formula_approval import FormulaApprovalDialog
from labelapp.gui.dialogs.formula_editor import FormulaEditorDialog
from labelapp.gui.messages import in_words, log_caught
from labelapp.gui.models.records import FormulaTableModel
from labelapp.gui.session import Session
from labelapp.gui.widgets import INFO_STYLE, WARNING_STYLE, banner, heading, read_only_table
from labelapp.services.calculate import load_formula_file, parse_formula_data

if TYPE_CHECKING:
    from labelapp.domain.formula import Formula
    from labelapp.domain.records import FormulaRecord

log = logging.getLogger(__name__)


class FormulasPage(QWidget):
    start_batch_requested = Signal(object)  # FormulaRecord

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("formulas_page")
        self.session = session
        self.model = FormulaTableModel(self)
        self.dialog: QWidget | None = None  # the open dialog (tests drive it)
        self._build()
        session.formulas_changed.connect(self.refresh)

    def _build(self) -> None:
        self.view = QTableView()
        self.view.setObjectName("formulas_table")
        self.view.setModel(self.model)
        read_only_table(self.view)
        self.view.selectionModel().currentRowChanged.connect(self._show_current)
        self.document = QPlainTextEdit()
        self.document.setObjectName("formula_document")
        self.document.setReadOnly(True)
        self.document.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QHBoxLayout()
        for text, slot, name in (
            ("Add version from &file…", self.add_from_file, "formula_add_file"),
            ("&New version…", self.new_version, "formula_new_version"),
            ("&Approve…", self.approve, "formula_approve"),
            ("&Start a batch", self.start_batch, "formula_start_batch"),
        ):
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.message = banner(WARNING_STYLE, "formulas_message")
        self.done = banner(INFO_STYLE, "formulas_done")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(self.document)
        split.setSizes([250, 400])
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Formulas (master formulation records)"))
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.done)
        layout.addWidget(split, 1)

    def refresh(self) -> None:
        try:
            self.model.set_rows(self.session.register.formulas.versions())
        except Exception as exc:  # noqa: BLE001
            log_caught(log, exc, "listing the formulas")
            self._say(self.message, in_words(exc))

    def selected(self) -> FormulaRecord | None:
        index = self.view.currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    def select(self, code: str, version: str) -> None:
        for row, record in enumerate(self.model.rows()):
            if record.code == code and record.version == str(version):
                self.view.selectRow(row)
                return

    def _show_current(self) -> None:
        record = self.selected()
        self.document.setPlainText(json.dumps(record.document_data(), indent=2, ensure_ascii=False) if record else "")

    # ------------------------------------------------------------ actions

    def add_from_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Formula or batch file", str(adapters_examples()), "Formula files (*.json *.yaml *.yml)"
        )
        if path:
            self.add_formula(lambda: load_formula_file(path))

    def add_formula(self, make: Callable[[], Formula]) -> FormulaRecord | None:
        try:
            record = self.session.register.formulas.add(make(), self.session.require_user())
        except Exception as exc:  # noqa: BLE001
            log_caught(log, exc, "adding a formula")
            self._say(self.message, f"Not added: {in_words(exc)}")
            return None
        self._added(record)
        return record

    def _added(self, record: FormulaRecord | None) -> None:
        if record is None:  # an accepted dialog has its record
            return
        self.session.formulas_changed.emit()
        self.select(record.code, record.version)
        self._say(
            self.done,
            f"Formula {record.code} version {record.version} added as a draft; a second "
            "pharmacist approves it before it can start batches.",
        )

    def new_version(self) -> None:
        record = self.selected()
        if record is None:
            self._say(self.message, "Select the formula version to start from.")
            return
        register, session = self.session.register, self.session
        session.require_user()

        def add(formula: Formula) -> FormulaRecord:
            # The user signed in when it is saved (the dialog may stay open across an idle lock).
            return register.formulas.add(formula, session.require_user())

        dialog = FormulaEditorDialog(f"New version of {record.code}", next_version_data(record.document), add, self)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._added(dialog.result_value))
        dialog.open()

    def approve(self) -> None:
        record = self.selected()
        if record is None:
            self._say(self.message, "Select the draft version to approve.")
            return
        register = self.session.register
        try:
            changes, compared_with = self.changes_against_approved(record)
        except Exception as exc:  # noqa: BLE001 - nothing is signed without the changes on screen
            log_caught(log, exc, f"comparing {record.code} version {record.version}")
            self._say(self.message, f"Cannot show what changed: {in_words(exc)}")
            return

        def sign(username: str, password: str, _reason: str | None) -> FormulaRecord:
            return register.formulas.approve(record.code, record.version, username, password)

        dialog = FormulaApprovalDialog(
            f"Approve {record.code} version {record.version}",
            f"As pharmacist, I approve {record.name} ({record.code} version {record.version}) "
            "as the master formulation record; it supersedes the version approved before.",
            sign,
            self.session.username,
            changes,
            compared_with,
            json.dumps(record.document_data(), indent=2, ensure_ascii=False),
            self,
        )
        self.dialog = dialog

        def finished(code: int) -> None:
            self.dialog = None
            if code:
                self.session.formulas_changed.emit()
                self.select(record.code, record.version)
                self._say(self.done, f"{record.code} version {record.version} approved.")

        dialog.finished.connect(finished)
        dialog.open()

    def changes_against_approved(self, record: FormulaRecord) -> tuple[list[str] | None, str]:
        """The diff lines of ``record`` against the approved version of its formula (None: there is none).

        Read here, on the UI thread, before the dialog opens: one short read of the formula's versions and
        a comparison of two documents, so that the dialog never shows a signature without the changes."""
        approved = [
            r for r in self.session.register.formulas.versions(record.code, status="approved") if r.id != record.id
        ]
        if not approved:
            return None, ""
        previous = approved[-1]
        old = parse_formula_data(previous.document_data())
        new = parse_formula_data(record.document_data())
        return formula_diff(old, new), f"version {previous.version} (approved)"

    def start_batch(self) -> None:
        record = self.selected()
        if record is not None:
            self.start_batch_requested.emit(record)

    def _say(self, label: QLabel, text: str) -> None:
        (self.done if label is self.message else self.message).hide()
        label.setText(text)
        label.show()


def adapters_examples() -> Path:
    from labelapp.resources import examples_dir

    return examples_dir()


def next_version_data(document: str) -> dict[str, Any]:
    """A formula version's document with the version number one higher (to edit)."""
    data: dict[str, Any] = json.loads(document)
    data["version"] = int(data.get("version", 0)) + 1
    return data


def next_version_text(document: str) -> str:
    """The JSON of a formula version, pretty-printed, with the version number one higher (to edit)."""
    return json.dumps(next_version_data(document), indent=2, ensure_ascii=False)
