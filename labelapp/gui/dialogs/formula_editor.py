"""A new formula version: the formula's own fields (JSON, as before) and its master record as a form.

Tabs: the formula (JSON without the master record), the process steps (a table: add, remove, move up and
down; per step its ID, title, kind, limits, component, whether a second person verifies it, instructions),
the in-process limits, the release specifications (a table) and the yield limits. OK checks the whole
document with the services (``parse_formula_data``) and puts every problem next to its field, row or cell
(``pages/master_record_form.route``); a valid version is then added as a draft (``register.formulas.add``)
in a worker, and the dialog closes with the new record.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from labelapp.domain.errors import FieldIssue, InputError
from labelapp.domain.formula import Formula
from labelapp.domain.mfr import StepKind, TestKind
from labelapp.domain.records import FormulaRecord
from labelapp.gui.messages import in_words, log_caught
from labelapp.gui.pages import master_record_form as presenter
from labelapp.gui.pages.master_record_form import MasterRecordForm, RoutedIssues
from labelapp.gui.pages.rows_table import Column, RowsEditor
from labelapp.gui.widgets import ERROR_STYLE, INFO_STYLE, ErrorLabel, FieldBox, ResultDialog, line_edit, plain_label
from labelapp.gui.workers import run_task
from labelapp.services.calculate import parse_formula_data

log = logging.getLogger(__name__)

AddFunction = Callable[[Formula], FormulaRecord]  # register.formulas.add, bound to the signed-in user

STEP_TIPS = {
    "id": "lower case letters, digits and hyphens, e.g. ph-in-process (kept from version to version)",
    "low": "measurement steps: the lowest acceptable value (filter integrity: overrides the minimum bubble point)",
    "high": "measurement steps: the highest acceptable value",
    "component": "component and weight steps: the formula component this step records",
    "verify": "a second person verifies this step with an e-signature (two-person rule)",
}
SPEC_TIPS = {
    "low": "numeric tests: the lowest acceptable result",
    "high": "numeric tests: the highest acceptable result (particulate matter: ≥10 µm per container)",
    "around": "osmolality: acceptable within ± this % of the calculated osmolarity (instead of a range)",
    "high_25um": "particulate matter: the ≥25 µm limit per container",
    "expected": "sterility and appearance: what a passing result reads, e.g. 'no growth'",
}


class FormulaEditorDialog(ResultDialog[FormulaRecord]):
    def __init__(self, title: str, formula: dict[str, Any], add: AddFunction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("formula_editor")
        self.add = add
        self.components: list[str] = []
        own = {k: v for k, v in formula.items() if k != "master_record"}
        self._build(json.dumps(own, indent=2, ensure_ascii=False))
        self.load_master_record(formula.get("master_record"))
        self._components_changed()
        self.resize(1240, 760)

    # ------------------------------------------------------------ layout

    def _build(self, text: str) -> None:
        intro = plain_label(
            "A new version is saved as a draft; a second pharmacist reviews what changed and approves it. "
            "The master record (steps, limits, specifications, yield) is what the batch is executed against."
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(INFO_STYLE)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("formula_editor_tabs")
        # the formula's own fields, as JSON
        self.editor = QPlainTextEdit(text)
        self.editor.setObjectName("text_editor")
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.error = ErrorLabel()  # plain text, wrapped, selectable, hidden until there is a message
        self.error.setObjectName("formula_error")
        formula_tab = QWidget()
        formula_layout = QVBoxLayout(formula_tab)
        formula_layout.addWidget(
            plain_label("The formula's own fields (JSON): identity, container, components, storage…")
        )
        formula_layout.addWidget(self.editor, 1)
        formula_layout.addWidget(self.error)
        self._components_timer = QTimer(self, singleShot=True, interval=300)
        self._components_timer.timeout.connect(self._components_changed)
        self.editor.textChanged.connect(self._components_timer.start)
        # the process steps
        kinds = [(k.value, presenter.KIND_TITLES[k]) for k in StepKind]
        step_columns = [
            Column(key, presenter.STEP_TITLES[key], tip=STEP_TIPS.get(key, ""), width=w)
            for key, w in (("id", 16), ("title", 26))
        ]
        step_columns += [
            Column("kind", "Kind", "choice", lambda: kinds, width=22),
            Column("low", "Low", tip=STEP_TIPS["low"], width=6),
            Column("high", "High", tip=STEP_TIPS["high"], width=6),
            Column("unit", "Unit", width=5),
            Column("component", "Component", "choice", self._component_choices, STEP_TIPS["component"], width=18),
            Column("verify", "2nd person verifies", "check", tip=STEP_TIPS["verify"]),
            Column("instructions", "Instructions", width=14),
        ]
        self.steps = RowsEditor("steps", step_columns, presenter.blank_step, "step")
        self.steps.model.edited.connect(self._edited)
        steps_tab = QWidget()
        steps_layout = QVBoxLayout(steps_tab)
        steps_layout.addWidget(
            plain_label("Executed in this order. No steps and no specifications: batches use the paper worksheet.")
        )
        steps_layout.addWidget(self.steps, 1)
        # in-process limits and yield limits
        self.fields: dict[str, FieldBox] = {}
        self.edits: dict[str, QLineEdit] = {}
        limits_tab, limits_form = QWidget(), QFormLayout()
        limits_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key in presenter.LIMIT_FIELDS:
            limits_form.addRow(*self._field_row(key))
        limits_layout = QVBoxLayout(limits_tab)
        limits_layout.addLayout(limits_form)
        limits_layout.addStretch(1)
        tests = [(t.value, presenter.TEST_TITLES[t]) for t in TestKind]
        spec_columns = [
            Column("id", "Spec ID", width=12),
            Column("test", "Test", "choice", lambda: tests, width=18),
            Column("method", "Method", width=26),
        ]
        spec_columns += [
            Column(key, presenter.SPEC_TITLES[key], tip=SPEC_TIPS.get(key, ""), width=6)
            for key in ("low", "high", "unit", "around", "high_25um")
        ]
        spec_columns += [
            Column("expected", "Expected (pass reads)", tip=SPEC_TIPS["expected"], width=14),
            Column("required", "Required", "check"),
        ]
        self.specifications = RowsEditor("specifications", spec_columns, presenter.blank_spec, "specification")
        self.specifications.model.edited.connect(self._edited)
        specs_tab = QWidget()
        specs_layout = QVBoxLayout(specs_tab)
        specs_layout.addWidget(
            plain_label("Release tests: pass or fail is computed from each result against these limits, never typed.")
        )
        specs_layout.addWidget(self.specifications, 1)
        yield_tab, yield_form = QWidget(), QFormLayout()
        for key in presenter.YIELD_FIELDS:
            yield_form.addRow(*self._field_row(key))
        yield_layout = QVBoxLayout(yield_tab)
        yield_layout.addWidget(plain_label("Accepted units against the theoretical yield; outside: an investigation."))
        yield_layout.addLayout(yield_form)
        yield_layout.addStretch(1)
        self.tab_index: dict[str, int] = {}
        for key, widget, name in (
            ("formula", formula_tab, "&Formula"),
            ("steps", steps_tab, "Process &steps"),
            ("limits", limits_tab, "&In-process limits"),
            ("specifications", specs_tab, "Release s&pecifications"),
            ("yield", yield_tab, "&Yield limits"),
        ):
            self.tab_index[key] = self.tabs.addTab(widget, name)
        self.tab_titles = {key: self.tabs.tabText(i) for key, i in self.tab_index.items()}
        self.summary = plain_label()
        self.summary.setObjectName("formula_editor_summary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(ERROR_STYLE)
        self.summary.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Save as draft")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)

    def _field_row(self, key: str) -> tuple[QLabel, FieldBox]:
        _, title, hint = presenter.FIELDS[key]
        edit = line_edit(f"field_{key}", hint)
        edit.setToolTip(hint)
        box = FieldBox(edit)
        self.fields[key], self.edits[key] = box, edit
        label = plain_label(f"{title} ({hint}):" if hint else f"{title}:")
        label.setBuddy(box.editor)
        return label, box

    # ------------------------------------------------------------ content

    def load_master_record(self, data: dict[str, Any] | None) -> None:
        form = presenter.form_from_master_record(data)
        self.steps.model.set_rows(form.steps)
        self.specifications.model.set_rows(form.specifications)
        for key, edit in self.edits.items():
            edit.setText(form.fields.get(key, ""))

    def form(self) -> MasterRecordForm:
        return MasterRecordForm(
            steps=self.steps.model.rows(),
            specifications=self.specifications.model.rows(),
            fields={key: edit.text() for key, edit in self.edits.items()},
        )

    def field(self, key: str) -> FieldBox:
        return self.fields[key]

    def _component_choices(self) -> list[tuple[str, str]]:
        return [("", "—"), *((name, name) for name in self.components)]

    def _components_changed(self) -> None:
        """The component column offers the formula's components as typed in the JSON (when it parses)."""
        try:
            data = json.loads(self.editor.toPlainText())
            names = [str(c["ingredient"]) for c in data["components"] if isinstance(c, dict) and "ingredient" in c]
        except (ValueError, KeyError, TypeError):
            return
        if names != self.components:
            self.components = names
            self.steps.refresh_choices()

    def _edited(self) -> None:
        """Once problems are shown, the summary says to check again (the cells keep their marks until then)."""
        if self.summary.isVisible():
            self.summary.setText("Changed: Save as draft checks the formula again.")

    # ------------------------------------------------------------ saving

    def document(self) -> dict[str, Any]:
        """The formula document the form holds (raises InputError for JSON that does not parse)."""
        from labelapp.domain.files import parse_json_text

        data = parse_json_text(self.editor.toPlainText(), "formula")
        if not isinstance(data, dict):
            raise InputError([FieldIssue("", "the formula must be a JSON object (id, version, components…)")])
        if "master_record" in data:
            raise InputError(
                [FieldIssue("master_record", "edit the master record on its tabs, not in the formula's JSON")]
            )
        return presenter.with_master_record(data, self.form())

    def submit(self) -> None:
        """Check the whole version here (fast, no register), then add it as a draft in a worker."""
        try:
            formula = parse_formula_data(self.document())
        except InputError as exc:
            self.show_issues(presenter.route(exc.issues))
            return
        except Exception as exc:  # noqa: BLE001 - the refusal, in words
            log_caught(log, exc, self.windowTitle())
            self.show_issues(RoutedIssues(formula=[in_words(exc)]))
            return
        self.show_issues(RoutedIssues())
        self.buttons.setEnabled(False)
        self.summary.setStyleSheet(INFO_STYLE)
        self.summary.setText("Saving the draft…")
        self.summary.show()
        run_task(lambda: self.add(formula), self._added, self)

    def _added(self, record: FormulaRecord | None, error: BaseException | None) -> None:
        self.buttons.setEnabled(True)
        if isinstance(error, InputError):  # the register's checks (a step naming another ingredient): each in place
            issues = [FieldIssue(i.path.removeprefix("formula."), i.message) for i in error.issues]
            self.show_issues(presenter.route(issues))
            return
        if error is not None:
            self.show_issues(RoutedIssues(formula=[f"Not saved: {in_words(error)}"]))
            return
        self.result_value = record
        self.accept()

    def show_issues(self, routed: RoutedIssues) -> None:
        self.error.setText("\n".join(routed.formula))
        self.error.setVisible(bool(routed.formula))
        self.steps.set_errors(routed.step_cells, routed.step_rows, routed.steps + routed.general)
        self.specifications.set_errors(routed.spec_cells, routed.spec_rows, routed.specifications)
        for key, box in self.fields.items():
            box.set_errors(routed.fields.get(key, []))
        where = self._tabs_with_problems(routed)
        for key, index in self.tab_index.items():
            title = self.tab_titles[key]
            self.tabs.setTabText(index, f"{title} ⚠" if key in where else title)
        count = routed.count()
        self.summary.setStyleSheet(ERROR_STYLE)
        if count:
            names = ", ".join(self.tab_titles[key].replace("&", "") for key in self.tab_index if key in where)
            fields = "their fields" if count != 1 else "its field"
            problems = f"{count} problem{'s' if count != 1 else ''}"
            self.summary.setText(f"Not saved: {problems}, shown next to {fields} ({names}).")
            self.tabs.setCurrentIndex(self.tab_index[next(k for k in self.tab_index if k in where)])
        self.summary.setVisible(bool(count))

    def _tabs_with_problems(self, routed: RoutedIssues) -> set[str]:
        where = set()
        if routed.formula:
            where.add("formula")
        if routed.step_cells or routed.step_rows or routed.steps or routed.general:
            where.add("steps")
        if routed.spec_cells or routed.spec_rows or routed.specifications:
            where.add("specifications")
        if any(key in presenter.LIMIT_FIELDS for key in routed.fields):
            where.add("limits")
        if any(key in presenter.YIELD_FIELDS for key in routed.fields):
            where.add("yield")
        return where
