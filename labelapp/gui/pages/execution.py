"""Execute batch: the master record's steps in order, each entered as it happens, checked on entry.

The steps table shows, per step, its limit in words, the current value(s) with who entered them and when,
whether they are within the limit (out of limit in red, with the message), and who verified them. The panel
beside it takes the selected step's value in the widget its kind needs (``step_input.StepInput``): a scan
field for lots (a keyboard-wedge scan ends with Enter), "Read from balance" for weights (the balance port is
a workstation setting), the time it happened (now, unless a late entry is being made: that opens a
deviation), "Correct…" (a new value and a reason) and "Verify…" (a second person's e-signature).

Below: the fill checks against the master record's frequency, the inspection counts, the units filled and
the yield; the QC results per release specification (pass or fail computed by the service, never typed; the
lab report PDF archived under its hash); the deviations with "Disposition…"; and what still stands between
the batch and its release, in words. Every register call runs in a worker (``gui/workers``); a refusal is
shown next to its row.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDateTimeEdit,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from labelapp.calc.format import fmt_number
from labelapp.domain.execution import DeviationStatus, EntrySource, StepEntry
from labelapp.domain.mfr import PASS_FAIL_TESTS, MasterRecord, ProcessStep, ReleaseSpec, StepKind, TestKind
from labelapp.gui.dialogs.disposition import DispositionDialog
from labelapp.gui.dialogs.signature import SignatureDialog
from labelapp.gui.dialogs.step_correction import CorrectionDialog
from labelapp.gui.messages import in_words
from labelapp.gui.pages.master_record_form import KIND_TITLES, TEST_TITLES
from labelapp.gui.pages.step_input import DATE_FORMAT, DATETIME_FORMAT, StepInput, aware
from labelapp.gui.session import Session
from labelapp.gui.widgets import (
    ERROR_STYLE,
    INFO_STYLE,
    WARNING_STYLE,
    ErrorLabel,
    ResultDialog,
    add_row,
    banner,
    bold_label,
    heading,
    line_edit,
    plain_label,
)
from labelapp.gui.workers import LatestTask, run_task

if TYPE_CHECKING:
    from labelapp.domain.execution import Deviation, ExecutionStatus, QcResult
    from labelapp.domain.records import BatchRecord
    from labelapp.domain.results import BatchComputation
    from labelapp.instruments.mtsics import Reading
    from labelapp.services.register import Register

log = logging.getLogger(__name__)

BALANCE_PORT_KEY = "execution/balance_port"
RED = QBrush(QColor("#a4000f"))
RED_BACKGROUND = QBrush(QColor("#fde2e1"))
GREEN = QBrush(QColor("#0b6a0b"))
GREY = QBrush(QColor("#767676"))
STEP_COLUMNS = ("#", "Step", "Kind", "Limit", "Value", "By, happened at", "Check and message", "Verified by")
ENTRY_COLUMNS = ("Value", "Happened", "Entered", "By", "Source", "Check", "Verified by", "Note")
QC_COLUMNS = ("Test", "Spec", "Method", "Specification", "Result", "Analyst", "Tested on", "Lab report", "Pass / fail")
DEVIATION_COLUMNS = ("Deviation", "Kind", "Description", "Opened", "Status", "Closed by", "Disposition")
RESULT_HINTS = {
    TestKind.STERILITY: "what the test read, e.g. no growth",
    TestKind.APPEARANCE: "what it looked like, e.g. clear, colourless",
    TestKind.PARTICULATE: "per container: 10um=N 25um=N",
    TestKind.ENDOTOXIN: "EU/mL, e.g. 0.5",
    TestKind.ASSAY: "% of label, e.g. 99.1",
    TestKind.OSMOLALITY: "mOsm/kg, e.g. 660",
    TestKind.PH: "e.g. 5.7",
}


@dataclass(frozen=True)
class Snapshot:
    """The batch's executed record as last read (in a worker)."""

    batch: BatchRecord
    master: MasterRecord | None
    computation: BatchComputation
    fill_target_ml: Decimal
    status: ExecutionStatus
    entries: list[StepEntry]  # every entry, corrected ones too

    def current(self, step_id: str) -> list[StepEntry]:
        for step in self.status.steps:
            if step.step_id == step_id:
                return list(step.entries)
        return []

    def history(self, step_id: str) -> list[StepEntry]:
        return [e for e in self.entries if e.step_id == step_id]

    def deviation_for(self, entry: StepEntry) -> Deviation | None:
        return next(
            (
                d
                for d in self.status.deviations
                if d.reference == f"entry {entry.id}" and d.kind.value == "out-of-limit"
            ),
            None,
        )


def load_snapshot(register: Register, batch_id: int) -> Snapshot:
    from labelapp.services.rendering import registered_batch

    batch = register.batches.get(batch_id)
    registered = registered_batch(register, batch_id)
    return Snapshot(
        batch=batch,
        master=registered.batch_file.formula.master_record,
        computation=registered.computation,
        fill_target_ml=registered.batch_file.formula.container.fill_volume_ml,
        status=register.execution.status(batch_id),
        entries=register.execution.entries(batch_id),
    )


def read_balance(port: str) -> Reading:
    """A stable weight from the MT-SICS balance on ``port``, carrying the balance's serial number when it tells it."""
    from labelapp.domain.errors import RuleViolation
    from labelapp.instruments.mtsics import BalanceError, MtSicsBalance

    if not port.strip():
        raise RuleViolation("set the balance port first (e.g. /dev/ttyUSB0 or COM3), next to 'Balance port'")
    with MtSicsBalance.open(port.strip()) as balance:
        try:
            balance.serial_number()
        except BalanceError as exc:
            if exc.kind != "syntax_error":  # a balance that does not know I4 still weighs
                raise
        return balance.read_stable()


def grams(reading: Reading) -> Decimal:
    """The reading in grams, as the service will record it (``Execution.record_weight``)."""
    from labelapp.domain.errors import RuleViolation

    factor = {"g": Decimal(1), "mg": Decimal("0.001"), "kg": Decimal(1000)}.get(reading.unit.strip().lower())
    if factor is None:
        raise RuleViolation(f"the balance reports in {reading.unit!r}: set it to grams and read again")
    return reading.value * factor if factor != 1 else reading.value


def balance_name(port: str, reading: Reading) -> str:
    return f"balance S/N {reading.serial_number}" if reading.serial_number else f"balance on {port}"


# ------------------------------------------------------------ words


def when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""


def limit_in_words(step: ProcessStep, snap: Snapshot) -> str:
    """The step's limit before anything is entered (once entered, the entry carries the service's words)."""
    master, comp = snap.master, snap.computation
    assert master is not None  # only steps of a master record are shown
    kind, limits = step.kind, master.limits
    if kind is StepKind.CHECK:
        return "yes"
    if kind is StepKind.MEASUREMENT:
        found = step.limits or (limits.ph if step.id.startswith("ph") else None)
        return found.text() if found else "no limit"
    if kind is StepKind.WEIGHT:
        wanted = (step.component or "").lower()
        theoretical = next(
            (
                line.theoretical_g
                for line in comp.amounts
                if wanted in (line.component.lower(), line.supplied_form.lower()) and line.theoretical_g is not None
            ),
            None,
        )
        tolerance = f"±{fmt_number(limits.weight_tolerance_percent)}%"
        return f"{fmt_number(theoretical, places=3)} g {tolerance}" if theoretical is not None else tolerance
    if kind is StepKind.FILTER_INTEGRITY:
        if step.limits is not None:
            return step.limits.text()
        minimum = limits.filter_min_bubble_point_psi
        return f"at least {fmt_number(minimum)} psi" if minimum is not None else "no limit"
    if kind is StepKind.FILL_CHECK:
        every = limits.fill_check_every_units
        return f"{fmt_number(snap.fill_target_ml)} mL ±{fmt_number(limits.fill_tolerance_percent)}%, one every {every}"
    if kind is StepKind.EQUIPMENT:
        return "calibration not past due"
    if kind is StepKind.COMPONENT:
        return f"a released, unexpired lot of {step.component}"
    if kind is StepKind.TIME:
        holds = limits.hold_times
        minutes = {
            holds.filtration_step: holds.to_filtration_minutes,
            holds.fill_end_step: holds.to_end_of_fill_minutes,
        }
        limit = minutes.get(step.id)
        return f"within {limit} min of {holds.start_step}" if limit else ""
    if kind is StepKind.UNITS_FILLED:
        y = master.yield_limits
        return (
            f"yield {fmt_number(y.low_percent)}–{fmt_number(y.high_percent)}% of {comp.theoretical_yield_units} units"
        )
    return "accepted, and rejected by defect"


def value_in_words(entry: StepEntry, kind: StepKind) -> str:
    value = entry.value
    if kind is StepKind.INSPECTION:
        try:
            data: dict[str, Any] = json.loads(value)
            rejected = ", ".join(f"{k} {v}" for k, v in data["rejected"].items()) or "none"
            return f"{data['accepted']} accepted; rejected: {rejected}"
        except (ValueError, KeyError, TypeError):
            return value
    if kind is StepKind.TIME:
        try:
            return when(datetime.fromisoformat(value))
        except ValueError:
            return value
    if entry.unit and not value.endswith(entry.unit) and kind is not StepKind.COMPONENT:
        return f"{value} {entry.unit}"
    return value


def spec_in_words(spec: ReleaseSpec, comp: BatchComputation) -> str:
    if spec.test in PASS_FAIL_TESTS:
        return f"reads '{spec.expected}'"
    if spec.test is TestKind.PARTICULATE:
        ten = spec.limits.text() if spec.limits else "-"
        big = spec.limits_25um.text() if spec.limits_25um else "-"
        return f"≥10 µm {ten}; ≥25 µm {big} per container"
    if spec.test is TestKind.OSMOLALITY and spec.limits is None:
        pct = fmt_number(spec.around_calculated_percent or Decimal(10))
        return f"{fmt_number(comp.osmolarity_mosmol_per_l)} mOsm/kg calculated ±{pct}%"
    return spec.limits.text() if spec.limits else ""


def _item(text: str, tip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if tip or len(text) > 40:
        item.setToolTip(tip or text)
    return item


def _table(name: str, columns: tuple[str, ...], stretch: tuple[str, ...] = ()) -> QTableWidget:
    """A read-only table; the ``stretch`` columns share the width left and wrap their text."""
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(True)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    for title in stretch:
        header.setSectionResizeMode(columns.index(title), QHeaderView.ResizeMode.Stretch)
    header.setStretchLastSection(not stretch)
    header.sectionResized.connect(lambda *_: table.resizeRowsToContents())  # wrapped text follows the width
    return table


class ExecutionPage(QWidget):
    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        choose_pdf: Callable[[QWidget], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("execution_page")
        self.session = session
        self.batch_id: int | None = None
        self.snapshot: Snapshot | None = None
        self.refreshes = 0  # snapshots shown (tests wait on it)
        self.dialog: QWidget | None = None  # the open dialog (tests drive it)
        self.step_ids: list[str] = []
        self.spec_ids: list[str] = []
        self.step_errors: dict[str, str] = {}  # step id -> the refusal of its last entry, in words
        self.input: StepInput | None = None
        self.report_path = ""
        self.reading: tuple[str, Reading, str] | None = None  # (step id, balance reading, port) shown in the field
        self._shown_step = ""
        self._shown_spec = ""
        self._advance_after = ""
        self._happened_by_user = False
        self._setting_happened = False
        self._choose_pdf = choose_pdf or _choose_pdf
        self.loader = LatestTask(50, self)
        self.loader.done.connect(self._loaded)
        self._build()
        self._clock = QTimer(self, interval=20_000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()
        session.batches_changed.connect(self.refresh)
        self._show_nothing("Open a batch (Batches page, or type its lot above), then record each step as it happens.")

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        self.title = heading("Execute batch — no batch open")
        self.title.setObjectName("execution_title")
        self.lot = line_edit("execution_lot", "lot number (or scan the batch label)")
        self.lot.returnPressed.connect(self.open_lot)
        open_lot = QPushButton("&Open lot")
        open_lot.clicked.connect(self.open_lot)
        self.balance_port = line_edit("balance_port", "e.g. /dev/ttyUSB0 or COM3")
        self.balance_port.setText(str(self.session.ui_settings.value(BALANCE_PORT_KEY, "") or ""))
        self.balance_port.editingFinished.connect(self._save_port)
        refresh = QPushButton("Re&fresh")
        refresh.clicked.connect(self.refresh)
        bar = QHBoxLayout()
        for widget in (plain_label("Lot:"), self.lot, open_lot):
            bar.addWidget(widget)
        bar.addSpacing(24)
        bar.addWidget(plain_label("Balance port (this workstation):"))
        bar.addWidget(self.balance_port)
        bar.addStretch(1)
        bar.addWidget(refresh)
        self.blockers = banner(WARNING_STYLE, "release_blockers")
        self.blockers.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.blockers.show()
        self.blockers_area = QScrollArea()
        self.blockers_area.setObjectName("release_blockers_area")
        self.blockers_area.setWidgetResizable(True)
        self.blockers_area.setFrameShape(QFrame.Shape.NoFrame)
        self.blockers_area.setWidget(self.blockers)
        self.blockers_area.setMaximumHeight(118)
        self.blockers_area.hide()
        self.message = banner(WARNING_STYLE, "execution_message")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("execution_tabs")
        self.tabs.addTab(self._steps_tab(), "Process &steps")
        self.tabs.addTab(self._qc_tab(), "&QC results")
        self.tabs.addTab(self._deviations_tab(), "&Deviations")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(bar)
        layout.addWidget(self.blockers_area)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)

    def _steps_tab(self) -> QWidget:
        self.steps_table = _table("steps_table", STEP_COLUMNS, ("Limit", "Value", "Check and message"))
        self.steps_table.currentCellChanged.connect(lambda row, *_: self._select_row(row))
        self.fill_label = plain_label()
        self.fill_label.setObjectName("fill_checks")
        self.inspection_label = plain_label()
        self.inspection_label.setObjectName("inspection_counts")
        self.yield_label = plain_label()
        self.yield_label.setObjectName("yield")
        self.yield_label.setWordWrap(True)
        summary = QHBoxLayout()
        for title, label in (
            ("Fill checks:", self.fill_label),
            ("Visual inspection:", self.inspection_label),
            ("Units filled and yield:", self.yield_label),
        ):
            summary.addWidget(bold_label(title))
            summary.addWidget(label, 1 if label is self.yield_label else 0)
            summary.addSpacing(16)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.steps_table, 1)
        left_layout.addLayout(summary)
        # the entry panel
        self.panel = QGroupBox("Record a step")
        self.panel.setObjectName("entry_panel")
        self.step_facts = plain_label()
        self.step_facts.setObjectName("step_facts")
        self.step_facts.setWordWrap(True)
        self.instructions = plain_label()
        self.instructions.setWordWrap(True)
        self.input_holder = QVBoxLayout()
        self.happened = QDateTimeEdit(QDateTime.currentDateTime())
        self.happened.setObjectName("happened_at")
        self.happened.setDisplayFormat(DATETIME_FORMAT)
        self.happened.setCalendarPopup(True)
        self.happened.dateTimeChanged.connect(self._happened_edited)
        now = QPushButton("&Now")
        now.setObjectName("happened_now")
        now.clicked.connect(self.reset_happened)
        self.happened_note = plain_label("now")
        self.happened_note.setObjectName("happened_note")
        self.happened_note.setWordWrap(True)
        happened_row = QHBoxLayout()
        happened_row.addWidget(self.happened)
        happened_row.addWidget(now)
        happened_row.addWidget(self.happened_note, 1)
        self.record_button = QPushButton("&Record")
        self.record_button.setObjectName("record_step")
        self.record_button.clicked.connect(self.record)
        self.step_error = ErrorLabel()
        self.step_error.setObjectName("step_error")
        self.step_done = plain_label()
        self.step_done.setObjectName("step_done")
        self.step_done.setWordWrap(True)
        form = QFormLayout()
        add_row(form, "Value:", self._input_box())
        add_row(form, "Happened at:", happened_row)
        self.entries_table = _table("entries_table", ENTRY_COLUMNS, ("Value", "Note"))
        self.correct_button = QPushButton("&Correct…")
        self.correct_button.setObjectName("correct_entry")
        self.correct_button.clicked.connect(self.correct)
        self.verify_button = QPushButton("&Verify… (second person)")
        self.verify_button.setObjectName("verify_entry")
        self.verify_button.clicked.connect(self.verify)
        entry_buttons = QHBoxLayout()
        entry_buttons.addWidget(self.correct_button)
        entry_buttons.addWidget(self.verify_button)
        entry_buttons.addStretch(1)
        record_row = QHBoxLayout()
        record_row.addWidget(self.step_done, 1)
        record_row.addWidget(self.record_button)
        entry_column = QVBoxLayout()
        entry_column.addWidget(self.step_facts)
        entry_column.addWidget(self.instructions)
        entry_column.addLayout(form)
        entry_column.addLayout(record_row)
        entry_column.addWidget(self.step_error)
        entry_column.addStretch(1)
        history_column = QVBoxLayout()
        history_title = plain_label("Entries of this step (Correct… and Verify… act on the selected one):")
        history_title.setWordWrap(True)
        history_column.addWidget(history_title)
        history_column.addWidget(self.entries_table, 1)
        history_column.addLayout(entry_buttons)
        panel_layout = QHBoxLayout(self.panel)
        panel_layout.addLayout(entry_column, 2)
        panel_layout.addLayout(history_column, 3)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(left)
        split.addWidget(self.panel)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([3000, 2000])  # the steps get the larger share from the start, not only on a resize
        return split

    def _input_box(self) -> QWidget:
        box = QWidget()
        box.setLayout(self.input_holder)
        self.input_holder.setContentsMargins(0, 0, 0, 0)
        return box

    def _qc_tab(self) -> QWidget:
        self.qc_table = _table("qc_table", QC_COLUMNS, ("Specification", "Result"))
        self.qc_table.currentCellChanged.connect(lambda row, *_: self._select_spec_row(row))
        self.qc_result = line_edit("qc_result")
        self.qc_result.returnPressed.connect(self.record_qc)
        self.qc_method = line_edit("qc_method", "the specification's method")
        self.qc_analyst = line_edit("qc_analyst", "the analyst's name")
        self.qc_tested_on = QDateEdit(QDate.currentDate())
        self.qc_tested_on.setObjectName("qc_tested_on")
        self.qc_tested_on.setDisplayFormat(DATE_FORMAT)
        self.qc_tested_on.setCalendarPopup(True)
        self.attach_button = QPushButton("&Attach lab report PDF…")
        self.attach_button.setObjectName("attach_report")
        self.attach_button.clicked.connect(self.attach_report)
        self.report_label = plain_label("no report attached")
        self.report_label.setObjectName("report_file")
        report_row = QHBoxLayout()
        report_row.addWidget(self.attach_button)
        report_row.addWidget(self.report_label, 1)
        self.qc_button = QPushButton("Record &result")
        self.qc_button.setObjectName("record_qc")
        self.qc_button.clicked.connect(self.record_qc)
        self.qc_spec = plain_label()
        self.qc_spec.setObjectName("qc_spec")
        self.qc_spec.setWordWrap(True)
        self.qc_error = ErrorLabel()
        self.qc_error.setObjectName("qc_error")
        self.qc_done = plain_label()
        self.qc_done.setObjectName("qc_done")
        form = QFormLayout()
        add_row(form, "Specification:", self.qc_spec)
        add_row(form, "Result:", self.qc_result)
        add_row(form, "Method:", self.qc_method)
        add_row(form, "Analyst:", self.qc_analyst)
        add_row(form, "Tested on:", self.qc_tested_on)
        add_row(form, "Lab report:", report_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.qc_done, 1)
        buttons.addWidget(self.qc_button)
        entry = QGroupBox("Enter a result (pass or fail is computed against the specification)")
        entry_layout = QVBoxLayout(entry)
        entry_layout.addLayout(form)
        entry_layout.addLayout(buttons)
        entry_layout.addWidget(self.qc_error)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(self.qc_table, 1)
        layout.addWidget(entry)
        return tab

    def _deviations_tab(self) -> QWidget:
        self.deviations_table = _table("deviations_table", DEVIATION_COLUMNS, ("Description", "Disposition"))
        self.deviations_table.currentCellChanged.connect(lambda *_: self._update_buttons())
        self.disposition_button = QPushButton("&Disposition… (pharmacist or QA)")
        self.disposition_button.setObjectName("disposition_button")
        self.disposition_button.clicked.connect(self.disposition)
        self.deviation_error = ErrorLabel()
        self.deviation_error.setObjectName("deviation_error")
        self.deviation_count = plain_label()
        self.deviation_count.setObjectName("deviation_count")
        buttons = QHBoxLayout()
        buttons.addWidget(self.deviation_count, 1)
        buttons.addWidget(self.disposition_button)
        tab = self.deviations_tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(self.deviations_table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.deviation_error)
        return tab

    # ------------------------------------------------------------ loading

    def set_batch(self, batch_id: int | None) -> None:
        if batch_id != self.batch_id:
            self.step_errors.clear()
            self.snapshot = None
            self._shown_step = ""
        self.batch_id = batch_id
        self.message.hide()
        if batch_id is None:
            self._show_nothing("Open a batch (Batches page, or type its lot above), then record each step.")
            return
        self.refresh()

    def refresh(self) -> None:
        if self.batch_id is None:
            return
        register, batch_id = self.session.register, self.batch_id
        self.loader.request(lambda: load_snapshot(register, batch_id))

    def open_lot(self) -> None:
        lot, register = self.lot.text().strip(), self.session.register
        if not lot:
            return

        def done(record: BatchRecord | None, error: BaseException | None) -> None:
            if error is not None or record is None:
                self._say(f"Not opened: {in_words(error) if error else 'no such lot'}")
                return
            self.set_batch(record.id)

        run_task(lambda: register.batches.by_lot(lot), done, self)

    def _loaded(self, snap: Snapshot | None, error: BaseException | None) -> None:
        if error is not None or snap is None:
            self.snapshot = None
            self._show_nothing(f"The batch cannot be read: {in_words(error) if error else 'nothing came back'}")
            return
        if snap.batch.id != self.batch_id:
            return  # another batch was opened meanwhile; its own load follows
        self.snapshot = snap
        self.refreshes += 1
        batch = snap.batch
        self.title.setText(f"Execute batch — lot {batch.lot_number}, {batch.product_name} ({batch.status.value})")
        if snap.master is None:
            self._show_nothing(
                "This batch's formula version has no master record steps: it is executed on the paper worksheet."
            )
            self.title.setText(f"Execute batch — lot {batch.lot_number} (paper worksheet)")
            return
        self.tabs.setEnabled(True)
        self._show_steps(snap)
        self._show_summary(snap)
        self._show_qc(snap)
        self._show_deviations(snap)
        self._show_blockers(snap)
        self._update_buttons()

    def _show_nothing(self, text: str) -> None:
        self.title.setText("Execute batch — no batch open" if self.batch_id is None else self.title.text())
        for table in (self.steps_table, self.entries_table, self.qc_table, self.deviations_table):
            table.setRowCount(0)
        self.step_ids, self.spec_ids = [], []
        self.blockers_area.hide()
        self.tabs.setEnabled(False)
        self._say(text, INFO_STYLE)
        self._set_input(None)

    # ------------------------------------------------------------ steps

    def _show_steps(self, snap: Snapshot) -> None:
        assert snap.master is not None  # checked by the caller
        selected = self.current_step()
        steps = snap.master.steps
        self.step_ids = [s.id for s in steps]
        table = self.steps_table
        table.blockSignals(True)
        table.setRowCount(len(steps))
        for row, step in enumerate(steps):
            for col, item in enumerate(self._step_items(row, step, snap)):
                table.setItem(row, col, item)
        table.blockSignals(False)
        table.resizeRowsToContents()
        if selected is not None and selected.id in self.step_ids:
            row = self.step_ids.index(selected.id)
            if self._advance_after == selected.id and row + 1 < len(self.step_ids):
                row += 1
        else:
            row = self._next_row(snap)
        self._advance_after = ""
        table.setCurrentCell(row, 1)
        table.scrollTo(table.model().index(row, 1))
        self._select_row(row)

    def _step_items(self, row: int, step: ProcessStep, snap: Snapshot) -> list[QTableWidgetItem]:
        current = snap.current(step.id)
        newest = current[-1] if current else None
        limit = newest.limit_text if newest and newest.limit_text else limit_in_words(step, snap)
        values = "; ".join(value_in_words(e, step.kind) for e in current) or "—"
        recorded = ""
        if newest is not None:
            recorded = f"{newest.entered_by}\n{when(newest.happened_at)}"
            if newest.entered_at - newest.happened_at > timedelta(minutes=5):
                recorded += f"\n(entered {when(newest.entered_at)})"
            if newest.source is not EntrySource.TYPED:
                recorded += f"\n{newest.source.value}"
        out = [e for e in current if e.within_limits is False]
        lines = [self.step_errors[step.id]] if step.id in self.step_errors else []
        for entry in out:
            deviation = snap.deviation_for(entry)
            lines.append(
                f"OUT OF LIMIT — DEV-{deviation.number}: {deviation.description}"
                if deviation
                else f"OUT OF LIMIT: outside {entry.limit_text}"
            )
        if not lines and any(e.within_limits for e in current):
            lines.append("in limit")
        if step.verify:
            names = sorted({e.verified_by for e in current if e.verified_by})
            verified = ", ".join(names) if names else ("needed" if current else "needed after entry")
        else:
            verified = "—"
        items = [
            _item(str(row + 1)),
            _item(step.title, step.instructions),
            _item(step.kind.value, KIND_TITLES.get(step.kind, "")),
            _item(limit),
            _item(values),
            _item(recorded),
            _item("\n".join(lines)),
            _item(verified),
        ]
        if out or step.id in self.step_errors:
            for item in items[4:7]:
                item.setForeground(RED)
            items[6].setBackground(RED_BACKGROUND)
            font = QFont(items[6].font())
            font.setBold(True)
            items[6].setFont(font)
        elif lines:
            items[6].setForeground(GREEN)
        if step.verify and current and not all(e.verified_by for e in current):
            items[7].setForeground(RED)
        return items

    def _next_row(self, snap: Snapshot) -> int:
        """The first step not recorded yet (the page opens where the work is)."""
        for row, step_id in enumerate(self.step_ids):
            if not snap.current(step_id):
                return row
        return 0

    def current_step(self) -> ProcessStep | None:
        row = self.steps_table.currentRow()
        if self.snapshot is None or self.snapshot.master is None or not 0 <= row < len(self.step_ids):
            return None
        return self.snapshot.master.steps[row]

    def select_step(self, step_id: str) -> None:
        self.steps_table.setCurrentCell(self.step_ids.index(step_id), 1)
        self.steps_table.scrollToItem(self.steps_table.currentItem())

    def _select_row(self, row: int) -> None:
        snap = self.snapshot
        if snap is None or snap.master is None or not 0 <= row < len(self.step_ids):
            self._set_input(None)
            return
        step = snap.master.steps[row]
        if step.id != self._shown_step:
            self._shown_step = step.id
            self._set_input(step)
            self.reset_happened()
            self.step_done.clear()
        current = snap.current(step.id)
        limit = current[-1].limit_text if current and current[-1].limit_text else limit_in_words(step, snap)
        verify = " A second person verifies it." if step.verify else ""
        self.panel.setTitle(f"Step {row + 1}: {step.title}")
        self.step_facts.setText(f"{KIND_TITLES.get(step.kind, step.kind.value)} — limit: {limit or 'none'}.{verify}")
        self.instructions.setText(step.instructions)
        self.instructions.setVisible(bool(step.instructions))
        self.step_error.show_messages([self.step_errors[step.id]] if step.id in self.step_errors else [])
        self._show_entries(step, snap)
        self._update_buttons()

    def _set_input(self, step: ProcessStep | None) -> None:
        if self.input is not None:
            self.input_holder.removeWidget(self.input)
            self.input.deleteLater()
            self.input = None
        if step is None:
            return
        unit = (step.limits.unit if step.limits else "") or ("pH" if step.id.startswith("ph") else "")
        self.input = StepInput(step.kind, unit, own_time=False)
        self.input.submitted.connect(self.record)
        self.input.balance_requested.connect(self.read_balance)
        self.input_holder.addWidget(self.input)
        self.input.focus()

    def _show_entries(self, step: ProcessStep, snap: Snapshot) -> None:
        history = snap.history(step.id)
        by_id = {e.id: e for e in history}
        table = self.entries_table
        table.setRowCount(len(history))
        for row, entry in enumerate(history):
            note = ""
            original = by_id.get(entry.corrects_id) if entry.corrects_id is not None else None
            if original is not None:
                note = f"corrects {value_in_words(original, step.kind)}: {entry.reason}"
            if entry.superseded:
                successor = next((e for e in history if e.corrects_id == entry.id), None)
                note = "corrected" + (f" ({successor.reason})" if successor else "")
            check = {True: "in limit", False: "OUT OF LIMIT", None: ""}[entry.within_limits]
            verified = f"{entry.verified_by} {when(entry.verified_at)}" if entry.verified_by else ""
            source = entry.source.value + (f" ({entry.instrument})" if entry.instrument else "")
            cells = (
                value_in_words(entry, step.kind),
                when(entry.happened_at),
                when(entry.entered_at),
                entry.entered_by,
                source,
                check,
                verified,
                note,
            )
            for col, text in enumerate(cells):
                item = _item(text)
                if entry.superseded:
                    item.setForeground(GREY)
                    font = QFont(item.font())
                    font.setStrikeOut(col == 0)
                    item.setFont(font)
                elif entry.within_limits is False and col in (0, 5):
                    item.setForeground(RED)
                table.setItem(row, col, item)
        table.resizeRowsToContents()
        current = [r for r, e in enumerate(history) if not e.superseded]
        if current:
            table.setCurrentCell(current[-1], 0)

    def selected_entry(self) -> StepEntry | None:
        step, snap = self.current_step(), self.snapshot
        if step is None or snap is None:
            return None
        history = snap.history(step.id)
        row = self.entries_table.currentRow()
        return history[row] if 0 <= row < len(history) else None

    # ------------------------------------------------------------ the time it happened

    def reset_happened(self) -> None:
        self._happened_by_user = False
        self._set_happened(QDateTime.currentDateTime())
        self.happened_note.setText("now (an earlier time is a late entry: a deviation)")
        self.happened_note.setStyleSheet("")

    def set_happened(self, moment: datetime) -> None:
        """As if typed: the step happened at ``moment`` (a late entry when long enough ago)."""
        local = moment.astimezone()
        self.happened.setDateTime(QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute)))

    def _set_happened(self, moment: QDateTime) -> None:
        self._setting_happened = True
        try:
            self.happened.setDateTime(moment)
        finally:
            self._setting_happened = False

    def _happened_edited(self) -> None:
        if self._setting_happened:
            return
        self._happened_by_user = True
        self.happened_note.setText("as entered: more than 30 minutes ago opens a late-entry deviation")
        self.happened_note.setStyleSheet(ERROR_STYLE)

    def _tick(self) -> None:
        if not self._happened_by_user:
            self._set_happened(QDateTime.currentDateTime())

    # ------------------------------------------------------------ recording

    def record(self) -> None:
        step, snap, field = self.current_step(), self.snapshot, self.input
        if step is None or snap is None or field is None:
            return
        try:
            user = self.session.require_user()
        except Exception as exc:  # noqa: BLE001 - nobody signed in, in words
            self._step_refused(step.id, exc)
            return
        happened = aware(self.happened.dateTime()) if self._happened_by_user else None
        text = field.text(happened)
        source, instrument = EntrySource(field.source), field.instrument
        register, batch_id = self.session.register, snap.batch.id
        reading = self.reading if self.reading is not None and self.reading[0] == step.id else None
        self.record_button.setEnabled(False)
        self.step_done.setText("Recording…")

        def work() -> StepEntry:
            if source is EntrySource.BALANCE and reading is not None:  # as the balance sent it, with its answer
                _step, weighed, port = reading
                return register.execution.record_weight(batch_id, step.id, weighed, f"balance on {port}", user)
            return register.execution.record(
                batch_id, step.id, text, user, happened_at=happened, source=source, instrument=instrument
            )

        def done(entry: StepEntry | None, error: BaseException | None) -> None:
            self.record_button.setEnabled(True)
            if error is not None or entry is None:
                self._step_refused(step.id, error)
                return
            self.step_errors.pop(step.id, None)
            if reading is not None and self.reading is reading:
                self.reading = None
            check = {True: " — in limit", False: " — OUT OF LIMIT: a deviation is open", None: ""}[entry.within_limits]
            self.step_done.setText(f"Recorded {value_in_words(entry, step.kind)}{check}.")
            if self.input is not None and self._shown_step == step.id:
                self.input.clear()
            self.reset_happened()
            if step.kind is not StepKind.FILL_CHECK and self._shown_step == step.id:
                self._advance_after = step.id  # step by step: the next one is selected once it is shown
            self.refresh()

        run_task(work, done, self)

    def _step_refused(self, step_id: str, error: BaseException | None) -> None:
        text = f"Not recorded: {in_words(error) if error else 'no answer'}"
        self.step_errors[step_id] = text
        self.step_done.clear()
        if self._shown_step == step_id:
            self.step_error.show_messages([text])
            if self.input is not None and self.input.scan is not None:
                self.input.scan.selectAll()  # what was scanned stays visible; the next scan replaces it
                self.input.scan.setFocus()
        self.refresh()

    def read_balance(self) -> None:
        step = self.current_step()
        if step is None or self.input is None or self.input.balance_button is None:
            return
        port, button = self.balance_port.text().strip(), self.input.balance_button
        self._save_port()
        button.setEnabled(False)
        self.step_done.setText("Waiting for a stable weight…")

        def done(result: Reading | None, error: BaseException | None) -> None:
            if self._shown_step != step.id or self.input is None:
                return  # another step was selected meanwhile: the reading is not for it
            button.setEnabled(True)
            if error is None and result is not None:
                try:
                    value = grams(result)
                except Exception as exc:  # noqa: BLE001 - a unit the record cannot take, in words
                    error = exc
            if error is not None or result is None:
                self.step_done.clear()
                self.step_error.show_messages([f"Not read: {in_words(error) if error else 'no answer'}"])
                return
            instrument = balance_name(port, result)
            self.reading = (step.id, result, port)
            self.input.set_balance_reading(value, instrument)
            self.step_error.show_messages([])
            self.step_done.setText(f"Read {value} g from the {instrument}: check it, then Record.")

        run_task(lambda: read_balance(port), done, self)

    def _save_port(self) -> None:
        self.session.ui_settings.setValue(BALANCE_PORT_KEY, self.balance_port.text().strip())

    def correct(self) -> CorrectionDialog | None:
        step, entry = self.current_step(), self.selected_entry()
        if step is None or entry is None:
            return None
        if entry.superseded:
            self.step_error.show_messages(["That entry was already corrected: select the newest entry."])
            return None
        register, user = self.session.register, self.session.user

        def do(text: str, reason: str) -> StepEntry:
            from labelapp.domain.errors import AuthenticationError

            if user is None:
                raise AuthenticationError("nobody is signed in; sign in first (File > Sign in)")
            return register.execution.correct(entry.id, text, reason, user)

        dialog = CorrectionDialog(step, entry, value_in_words(entry, step.kind), do, self)
        self._run_dialog(dialog, lambda e: f"Corrected to {value_in_words(e, step.kind)}; the original stays.")
        return dialog

    def verify(self) -> SignatureDialog[StepEntry] | None:
        step, entry = self.current_step(), self.selected_entry()
        if step is None or entry is None:
            return None
        register = self.session.register

        def sign(username: str, password: str, _reason: str | None) -> StepEntry:
            return register.execution.verify_step(entry.id, username, password)

        dialog: SignatureDialog[StepEntry] = SignatureDialog(
            f"Verify — {step.title}",
            f"As the second person, I verified {step.title}: {value_in_words(entry, step.kind)}, "
            f"recorded by {entry.entered_by} at {when(entry.happened_at)}.",
            "step verified",
            sign,
            "",
            "none",
            self,
        )
        self._run_dialog(dialog, lambda e: f"Verified by {e.verified_by}.")
        return dialog

    def _run_dialog(self, dialog: ResultDialog[Any], done_text: Callable[[Any], str]) -> None:
        self.dialog = dialog

        def finished(code: int) -> None:
            self.dialog = None
            if code and dialog.result_value is not None:
                self.step_done.setText(done_text(dialog.result_value))
                self.refresh()
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()

    # ------------------------------------------------------------ summary and blockers

    def _show_summary(self, snap: Snapshot) -> None:
        status = snap.status
        assert snap.master is not None  # checked by the caller
        every = snap.master.limits.fill_check_every_units
        if status.units_filled is None:
            self.fill_label.setText(
                f"{status.fill_checks_done} done; one every {every} units filled (the count needed follows the units)"
            )
        else:
            self.fill_label.setText(
                f"{status.fill_checks_done} of {status.fill_checks_needed} needed for {status.units_filled} units "
                f"(one every {every})"
            )
        short = status.fill_checks_done < status.fill_checks_needed
        self.fill_label.setStyleSheet(ERROR_STYLE if short else "")
        if status.accepted is None:
            self.inspection_label.setText("not recorded")
        else:
            self.inspection_label.setText(f"{status.accepted} accepted, {status.rejected} rejected")
        units = "not recorded" if status.units_filled is None else f"{status.units_filled} units filled"
        verdict = {True: " — within limits", False: " — OUTSIDE LIMITS (an investigation)", None: ""}[status.yield_ok]
        self.yield_label.setText(f"{units}; yield {status.yield_text or 'not computed yet'}{verdict}")
        self.yield_label.setStyleSheet(ERROR_STYLE if status.yield_ok is False else "")

    def _show_blockers(self, snap: Snapshot) -> None:
        blockers = snap.status.release_blockers
        if blockers:
            self.blockers.setStyleSheet(WARNING_STYLE)
            n = len(blockers)
            self.blockers.setText(
                f"Release waits for {n} thing{'s' if n != 1 else ''}:\n" + "\n".join(f"• {b}" for b in blockers)
            )
        else:
            self.blockers.setStyleSheet(INFO_STYLE)
            self.blockers.setText(
                "Nothing in the executed record stands in the way of release: every step is recorded and "
                "verified, every QC result is in and every deviation is closed."
            )
        lines = self.blockers.text().count("\n") + 1
        self.blockers_area.setFixedHeight(min(118, lines * self.blockers.fontMetrics().lineSpacing() + 22))
        self.blockers_area.show()

    def _update_buttons(self) -> None:
        snap = self.snapshot
        draft = snap is not None and snap.batch.status.value == "draft"
        step, entry = self.current_step(), self.selected_entry()
        self.record_button.setEnabled(draft and step is not None)
        self.record_button.setToolTip("" if draft else "process steps are recorded while the batch is a draft")
        current = entry is not None and not entry.superseded
        self.correct_button.setEnabled(draft and current)
        unverified = entry is not None and not entry.superseded and not entry.verified_by
        self.verify_button.setEnabled(unverified and step is not None and step.verify)
        deviation = self.selected_deviation()
        self.disposition_button.setEnabled(deviation is not None and deviation.status is DeviationStatus.OPEN)

    def _say(self, text: str, style: str = WARNING_STYLE) -> None:
        self.message.setStyleSheet(style)
        self.message.setText(text)
        self.message.show()

    # ------------------------------------------------------------ QC

    def _show_qc(self, snap: Snapshot) -> None:
        assert snap.master is not None  # checked by the caller
        selected = self.current_spec()
        specs = snap.master.specifications
        self.spec_ids = [s.id for s in specs]
        latest = {q.spec_id: q.latest for q in snap.status.qc}
        table = self.qc_table
        table.blockSignals(True)
        table.setRowCount(len(specs))
        for row, spec in enumerate(specs):
            result: QcResult | None = latest.get(spec.id)
            words = result.limit_text if result and result.limit_text else spec_in_words(spec, snap.computation)
            cells = [
                TEST_TITLES.get(spec.test, spec.test.value) + ("" if spec.required else " (optional)"),
                spec.id,
                result.method if result else spec.method,
                words,
                (result.result + (f" {result.unit}" if result.unit else "")) if result else "—",
                result.analyst if result else "",
                result.tested_on.isoformat() if result else "",
                "archived" if result and result.report_document_id else "",
                ("PASS" if result.passed else "FAIL") if result else "",
            ]
            for col, text in enumerate(cells):
                item = _item(text)
                if result is not None and col == 8:
                    item.setForeground(GREEN if result.passed else RED)
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                    if not result.passed:
                        item.setBackground(RED_BACKGROUND)
                table.setItem(row, col, item)
        table.blockSignals(False)
        table.resizeRowsToContents()
        row = self.spec_ids.index(selected.id) if selected and selected.id in self.spec_ids else 0
        if specs:
            table.setCurrentCell(row, 0)
            self._select_spec_row(row)

    def current_spec(self) -> ReleaseSpec | None:
        row = self.qc_table.currentRow()
        if self.snapshot is None or self.snapshot.master is None or not 0 <= row < len(self.spec_ids):
            return None
        return self.snapshot.master.specifications[row]

    def select_spec(self, spec_id: str) -> None:
        self.qc_table.setCurrentCell(self.spec_ids.index(spec_id), 0)

    def _select_spec_row(self, row: int) -> None:
        spec = self.current_spec()
        if spec is None or self.snapshot is None:
            return
        if self._shown_spec != spec.id:
            self._shown_spec = spec.id
            self.qc_result.clear()
            self.qc_method.setText(spec.method)
            self.qc_result.setPlaceholderText(RESULT_HINTS.get(spec.test, ""))
            self.report_path = ""
            self.report_label.setText("no report attached")
            self.qc_error.show_messages([])
            self.qc_done.clear()
        result = next((q.latest for q in self.snapshot.status.qc if q.spec_id == spec.id), None)
        words = result.limit_text if result and result.limit_text else spec_in_words(spec, self.snapshot.computation)
        self.qc_spec.setText(f"{TEST_TITLES.get(spec.test, spec.test.value)} ({spec.id}): {words}")

    def attach_report(self) -> None:
        path = self._choose_pdf(self)
        if path:
            self.report_path = path
            self.report_label.setText(Path(path).name)

    def record_qc(self) -> None:
        spec, snap = self.current_spec(), self.snapshot
        if spec is None or snap is None:
            return
        user = self.session.user
        if user is None:
            self.qc_error.show_messages(["Not recorded: nobody is signed in; sign in first (File > Sign in)"])
            return
        result, method, analyst = self.qc_result.text(), self.qc_method.text().strip(), self.qc_analyst.text()
        tested = self.qc_tested_on.date().toPython()
        assert isinstance(tested, date)  # a QDate converts to a date
        register, batch_id, path = self.session.register, snap.batch.id, self.report_path
        self.qc_button.setEnabled(False)
        self.qc_done.setText("Recording…")

        def work() -> QcResult:
            pdf = Path(path).read_bytes() if path else None
            return register.execution.record_qc(
                batch_id,
                spec.id,
                result,
                method=method or None,
                analyst=analyst,
                tested_on=tested,
                user=user,
                report_pdf=pdf,
            )

        def done(qc: QcResult | None, error: BaseException | None) -> None:
            self.qc_button.setEnabled(True)
            if error is not None or qc is None:
                self.qc_done.clear()
                self.qc_error.show_messages([f"Not recorded: {in_words(error) if error else 'no answer'}"])
                return
            self.qc_error.show_messages([])
            verdict = "PASS" if qc.passed else "FAIL: a deviation is open"
            self.qc_done.setText(f"{spec.id}: {qc.result} — {verdict}.")
            self.qc_result.clear()
            self.report_path = ""
            self.report_label.setText("no report attached")
            self.refresh()

        run_task(work, done, self)

    # ------------------------------------------------------------ deviations

    def _show_deviations(self, snap: Snapshot) -> None:
        deviations = snap.status.deviations
        selected = self.selected_deviation()
        table = self.deviations_table
        table.blockSignals(True)
        table.setRowCount(len(deviations))
        for row, d in enumerate(deviations):
            cells = [
                f"DEV-{d.number}",
                d.kind.value,
                d.description,
                f"{when(d.opened_at)} by {d.opened_by or 'the program'}",
                d.status.value,
                f"{d.closed_by} {when(d.closed_at)}" if d.closed_by else "",
                "; ".join(
                    part
                    for part in (
                        d.disposition,
                        f"root cause: {d.root_cause}" if d.root_cause else "",
                        f"CAPA {d.capa}" if d.capa else "",
                    )
                    if part
                ),
            ]
            for col, text in enumerate(cells):
                item = _item(text)
                if d.status is DeviationStatus.OPEN and col == 4:
                    item.setForeground(RED)
                table.setItem(row, col, item)
        table.blockSignals(False)
        table.resizeRowsToContents()
        ids = [d.id for d in deviations]
        if selected is not None and selected.id in ids:
            table.setCurrentCell(ids.index(selected.id), 0)
        else:
            first_open = next((r for r, d in enumerate(deviations) if d.status is DeviationStatus.OPEN), 0)
            if deviations:
                table.setCurrentCell(first_open, 0)
        still_open = sum(1 for d in deviations if d.status is DeviationStatus.OPEN)
        self.deviation_count.setText(f"{len(deviations)} deviation(s), {still_open} open")
        index = self.tabs.indexOf(self.deviations_tab)
        self.tabs.setTabText(index, f"&Deviations ({still_open} open)" if still_open else "&Deviations")

    def selected_deviation(self) -> Deviation | None:
        snap = self.snapshot
        row = self.deviations_table.currentRow()
        if snap is None or not 0 <= row < len(snap.status.deviations):
            return None
        return snap.status.deviations[row]

    def select_deviation(self, number: int) -> None:
        snap = self.snapshot
        assert snap is not None  # tests select after a load
        row = next(r for r, d in enumerate(snap.status.deviations) if d.number == number)
        self.deviations_table.setCurrentCell(row, 0)

    def disposition(self) -> DispositionDialog | None:
        deviation = self.selected_deviation()
        if deviation is None:
            return None
        register = self.session.register

        def close(
            username: str, password: str, investigation: str, root_cause: str, outcome: str, capa: str
        ) -> Deviation:
            return register.execution.disposition(
                deviation.id,
                username,
                password,
                investigation=investigation,
                root_cause=root_cause,
                disposition=outcome,
                capa=capa or None,
            )

        dialog = DispositionDialog(deviation, close, self)
        self.dialog = dialog

        def finished(code: int) -> None:
            self.dialog = None
            if code and dialog.result_value is not None:
                closed = dialog.result_value
                self.deviation_count.setText(f"DEV-{closed.number} closed by {closed.closed_by}.")
                self.refresh()
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()
        return dialog


def _choose_pdf(parent: QWidget) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, "Lab report", "", "PDF files (*.pdf)")
    return path
