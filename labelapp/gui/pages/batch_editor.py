"""Batch editor: the batch form, each field checked as typed, and the computed values beside it.

Every edit restarts a 150 ms debounce; then the form's text is validated and computed by the
services in a worker thread (``LatestTask``), and only the newest result is shown. Problems come
back as ``FieldIssue`` paths that the presenter routes to the field, the lot cell or the banner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from labelapp.gui.messages import in_words
from labelapp.gui.models.lots import ComponentLotsTableModel
from labelapp.gui.pages.computed_panel import ComputedPanel
from labelapp.gui.presenters import batch_form as presenter
from labelapp.gui.presenters.batch_form import Evaluation, FormValues
from labelapp.gui.session import Session
from labelapp.gui.widgets import (
    INFO_STYLE,
    WARNING_STYLE,
    ErrorLabel,
    FieldBox,
    add_row,
    ask_text,
    banner,
    heading,
    line_edit,
    plain_label,
)
from labelapp.gui.window_state import restore_splitter, save_splitter
from labelapp.gui.workers import LatestTask, run_task

if TYPE_CHECKING:
    from labelapp.domain.records import BatchRecord, FormulaRecord
    from labelapp.domain.reference import IngredientTable
    from labelapp.domain.settings import CalcSettings

DATETIME_FORMAT = "yyyy-MM-dd HH:mm"
PLACEHOLDERS = {
    "units": "e.g. 100",
    "allowance_percent": "e.g. 5",
    "compounded_by": "full name",
    "verified_by": "optional",
    "patient_name": "optional (named-patient order)",
    "order_number": "with a patient: prescription or order number",
    "specimen_labels": "e.g. 2",
    "retain_labels": "e.g. 4",
}


class BatchEditorPage(QWidget):
    evaluated = Signal(object)  # Evaluation: every delivered result, ok or not
    saved = Signal(int)  # batch id
    preview_requested = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("batch_editor_page")
        self.session = session
        self.batch_id: int | None = None
        self.status: str | None = None
        self.facility: dict[str, Any] | None = None
        self.formula: dict[str, Any] | None = None
        self.last: Evaluation | None = None
        self.calc_settings: CalcSettings | None = None
        self.ingredients: IngredientTable | None = None
        self._loading = False
        self.task = LatestTask(150, self)
        self.task.done.connect(self._on_evaluated)
        self.task.started.connect(lambda: self.state.setText("Calculating…"))
        self._build()
        self._set_enabled(False)

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        self.title = heading("No batch open")
        self.title.setObjectName("batch_title")
        self.intro = banner(INFO_STYLE, "batch_intro")
        self.intro.setText(
            "Open a batch from the Batches page, or start a new one from an approved formula "
            "(Batch > New batch…, Ctrl+N)."
        )
        self.intro.show()
        self.general = banner(WARNING_STYLE, "batch_general_issues")
        self.fields: dict[str, FieldBox] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key in presenter.SCALAR_FIELDS:
            box = FieldBox(self._editor(key))
            self.fields[key] = box
            add_row(form, f"&{presenter.FIELD_TITLES[key]}:", box).setBuddy(box.editor)
        self.lot_label = plain_label("allocated by the register on save")
        self.lot_label.setObjectName("batch_lot")
        self.fields["lot_number"] = FieldBox(self.lot_label)
        form.insertRow(0, plain_label("Lot number:"), self.fields["lot_number"])
        self.lots_model = ComponentLotsTableModel(self)
        self.lots_model.edited.connect(self.schedule)
        self.lots_view = QTableView()
        self.lots_view.setObjectName("component_lots")
        self.lots_view.setModel(self.lots_model)
        self.lots_view.setTabKeyNavigation(True)
        self.lots_view.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        header = self.lots_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(presenter.LOT_COLUMNS.index("manufacturer"), QHeaderView.ResizeMode.Stretch)
        self.lots_view.setMinimumHeight(110)
        self.lots_model.modelReset.connect(self._fit_lots_height)
        self.lots_errors = ErrorLabel()
        self.lots_errors.setObjectName("lots_errors")
        lots_label = plain_label("Component &lots (from each certificate of analysis):")
        lots_label.setBuddy(self.lots_view)
        self.save_button = QPushButton("&Save draft")
        self.save_button.setObjectName("save_batch")
        self.save_button.clicked.connect(self.save)
        self.preview_button = QPushButton("&Preview labels")
        self.preview_button.clicked.connect(self.preview_requested)
        self.state = plain_label("")
        self.state.setObjectName("batch_state")
        buttons = QHBoxLayout()
        buttons.addWidget(self.state, 1)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.save_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        for w in (self.title, self.intro, self.general):
            left_layout.addWidget(w)
        left_layout.addLayout(form)
        left_layout.addWidget(lots_label)
        left_layout.addWidget(self.lots_view)
        left_layout.addWidget(self.lots_errors)
        left_layout.addStretch(1)
        left_layout.addLayout(buttons)
        self.computed = ComputedPanel()
        self.computed.clear()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.computed)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        restore_splitter(self.session.ui_settings, "batch_editor", self.splitter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

    def _editor(self, key: str) -> QWidget:
        if key == "compounded_at":
            moment = QDateTimeEdit()
            moment.setObjectName("field_compounded_at")
            moment.setDisplayFormat(DATETIME_FORMAT)
            moment.setCalendarPopup(True)
            moment.dateTimeChanged.connect(self.schedule)
            return moment
        edit = line_edit(f"field_{key}", PLACEHOLDERS.get(key, ""))
        edit.textEdited.connect(self.schedule)
        return edit

    def _fit_lots_height(self) -> None:
        """As tall as its rows (plus a spare line), so the table never hides a component."""
        view = self.lots_view
        rows = max(self.lots_model.rowCount(), 2)
        height = view.horizontalHeader().height() + rows * view.verticalHeader().defaultSectionSize()
        view.setFixedHeight(height + view.horizontalScrollBar().sizeHint().height() + 2 * view.frameWidth() + 4)

    def save_state(self) -> None:
        save_splitter(self.session.ui_settings, "batch_editor", self.splitter)

    # ------------------------------------------------------------ loading

    def editor(self, key: str) -> QWidget:
        return self.fields[key].editor

    def start_new(self, formula_record: FormulaRecord) -> None:
        """A blank batch of an approved formula version, with one lot row per component."""
        user = self.session.user
        self.batch_id, self.status = None, None
        formula = formula_record.document_data()
        self._load_context(formula)
        values = FormValues(scalars=dict.fromkeys(presenter.SCALAR_FIELDS, ""), lots=presenter.blank_lots(formula))
        values.scalars.update(
            compounded_by=user.full_name if user else "",
            allowance_percent="0",
            specimen_labels="2",
            retain_labels="0",
            compounded_at=QDateTime.currentDateTime().toString("yyyy-MM-ddTHH:mm:00"),
        )
        self._fill(values)
        self.title.setText(f"New batch — {formula_record.name} ({formula_record.code} v{formula_record.version})")
        self.lot_label.setText("allocated by the register on save")
        self.editor("units").setFocus()

    def open_batch(self, batch_id: int) -> None:
        record = self.session.register.batches.get(batch_id)
        data = record.document_data()
        self.batch_id, self.status = record.id, record.status.value
        self.facility = data["facility"]
        self.formula = data["formula"]
        self.calc_settings = self.session.register.settings.current().calc_settings()
        self.ingredients = self.session.register.formulas.ingredient_table()
        values = presenter.values_from_batch(data["batch"])
        self._fill(values)
        self.title.setText(f"Lot {record.lot_number} — {record.product_name} — {record.status.value}")
        self.lot_label.setText(record.lot_number)

    def _load_context(self, formula: dict[str, Any]) -> None:
        self.formula = formula
        facility = self.session.register.settings.facility()
        self.facility = facility.model_dump(mode="json") if facility else None
        self.calc_settings = self.session.register.settings.current().calc_settings()
        self.ingredients = self.session.register.formulas.ingredient_table()

    def _fill(self, values: FormValues) -> None:
        self._loading = True
        try:
            for key, box in self.fields.items():
                if key == "lot_number":
                    continue
                text = values.scalars.get(key, "")
                if isinstance(box.editor, QDateTimeEdit):
                    moment = QDateTime.fromString(text[:16], "yyyy-MM-ddTHH:mm")
                    box.editor.setDateTime(moment if moment.isValid() else QDateTime.currentDateTime())
                elif isinstance(box.editor, QLineEdit):
                    box.editor.setText(text)
                box.set_errors([])
            self.lots_model.set_rows(values.lots)
            self._lot_number = values.lot_number
        finally:
            self._loading = False
        editable = self.status in (None, "draft")
        self._set_enabled(True, editable)
        self.intro.setVisible(not editable)
        if not editable:
            self.intro.setText(
                f"This batch is {self.status}: it can no longer be edited. "
                "Corrections go through rejection or voiding and a new batch."
            )
        self.schedule(immediately=True)

    def _set_enabled(self, loaded: bool, editable: bool = True) -> None:
        for key, box in self.fields.items():
            if isinstance(box.editor, QLineEdit):
                box.editor.setReadOnly(not (loaded and editable))
            elif key != "lot_number":
                box.editor.setEnabled(loaded and editable)
        self.lots_model.set_read_only(not (loaded and editable))
        self.save_button.setEnabled(loaded and editable)
        self.preview_button.setEnabled(loaded)

    # ------------------------------------------------------------ evaluation

    def values(self) -> FormValues:
        scalars = {}
        for key in presenter.SCALAR_FIELDS:
            editor = self.editor(key)
            if isinstance(editor, QDateTimeEdit):
                scalars[key] = editor.dateTime().toString("yyyy-MM-ddTHH:mm:00")
            elif isinstance(editor, QLineEdit):
                scalars[key] = editor.text()
        return FormValues(scalars=scalars, lots=self.lots_model.rows(), lot_number=getattr(self, "_lot_number", None))

    def schedule(self, *_: object, immediately: bool = False) -> None:
        if self._loading or self.formula is None:
            return
        values, facility, formula = self.values(), self.facility or {}, self.formula
        settings, ingredients = self.calc_settings, self.ingredients
        self.task.request(
            lambda: presenter.evaluate(values, facility, formula, settings, ingredients), immediately=immediately
        )

    def _on_evaluated(self, outcome: Evaluation | None, error: BaseException | None) -> None:
        if error is not None:  # the worker raised (evaluate itself returns the input's issues)
            self.general.setText(in_words(error))
            self.general.show()
            self.computed.clear("Cannot compute (see the message on the left).")
            return
        if outcome is None:  # evaluate() returns an Evaluation or raises
            return
        self.last = outcome
        self._show_issues(outcome)
        if outcome.computation is not None:
            self.computed.show_computation(outcome.computation)
            self.state.setText("Up to date.")
        else:
            n = outcome.issues.count()
            self.computed.clear(f"Fix the {n} problem{'s' if n != 1 else ''} on the left to see the computed values.")
            self.state.setText(f"{n} problem{'s' if n != 1 else ''} to fix.")
        self.evaluated.emit(outcome)

    def _show_issues(self, outcome: Evaluation) -> None:
        issues = outcome.issues
        for key, box in self.fields.items():
            box.set_errors(issues.fields.get(key, []))
        self.lots_model.set_errors(issues.cells)
        components = [row.get("component", "") for row in outcome.values.lots]
        lines = [
            presenter.cell_summary(row, col, components[row] if row < len(components) else "", msgs)
            for (row, col), msgs in sorted(issues.cells.items())
        ]
        self.lots_errors.show_messages(lines + issues.lots)
        general = list(issues.general)
        if self.facility is None or not self.facility:
            general.insert(0, "The facility (name, address, phone) is not set: an administrator sets it in Settings.")
        self.general.setText("\n".join(general))
        self.general.setVisible(bool(general))

    # ------------------------------------------------------------ saving

    def save(self) -> None:
        if self.formula is None or self.status not in (None, "draft"):
            return
        if self.task.busy or self.last is None or not self.last.ok:
            self.state.setText("Fix the problems first (or wait for the calculation to finish).")
            return
        batch_file = self.last.batch_file
        if batch_file is None:  # an ok evaluation has its batch file (Evaluation.ok); nothing to save otherwise
            return
        reason = ""
        if self.batch_id is not None:
            reason, ok = ask_text(
                self, "Reason for the change", "Why is this draft being changed? (kept in the audit trail)"
            )
            if not ok:
                return
        register, user, batch_id = self.session.register, self.session.require_user(), self.batch_id

        def work() -> BatchRecord:
            if batch_id is None:
                return register.batches.new(batch_file, user)
            return register.batches.update_draft(batch_id, batch_file, user, reason)

        self.save_button.setEnabled(False)
        self.state.setText("Saving…")
        run_task(work, self._on_saved, self)

    def _on_saved(self, record: BatchRecord | None, error: BaseException | None) -> None:
        self.save_button.setEnabled(True)
        if error is not None:
            self.state.setText("Not saved.")
            self.general.setText(f"Not saved: {in_words(error)}")
            self.general.show()
            return
        if record is None:  # the register returns the saved record or raises
            return
        self.state.setText(f"Saved as lot {record.lot_number} (draft).")
        self.open_batch(record.id)
        self.session.batches_changed.emit()
        self.saved.emit(record.id)
