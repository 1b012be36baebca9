"""The input for one process step, shaped by its kind, and the scan field for supplier barcodes.

Each kind gets the widget a technician expects (yes/no, a number with its unit, an equipment ID and its
calibration due date, a time, a lot scanned or typed, a weight typed or read from the balance, visual
inspection counts by defect, the units filled); ``text()`` is the step's value as the service reads it
(``calc/execution.evaluate``): the service checks it, the widget only shapes it.

``ScanEdit`` takes a keyboard-wedge scanner's burst of keys: a GS1 code ends with Enter, and the group
separator between variable-length fields arrives as the GS character or as Ctrl+] (how scanners type it
on a keyboard); it is shown as ␝ and handed on as GS (0x1D).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from PySide6.QtCore import QDate, QDateTime, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from labelapp.domain.mfr import StepKind
from labelapp.gui.widgets import add_row, plain_label

GS = "\x1d"
GS_SHOWN = "\u241d"  # SYMBOL FOR GROUP SEPARATOR
DEFECTS = (  # visual inspection, rejected by defect (USP <790>, <1790>)
    ("particles", "Visible particles"),
    ("cracks", "Cracks or chips"),
    ("closure", "Closure or seal defects"),
    ("fill-level", "Fill level"),
    ("cosmetic", "Cosmetic"),
    ("other", "Other"),
)
DATE_FORMAT = "yyyy-MM-dd"
DATETIME_FORMAT = "yyyy-MM-dd HH:mm"


class ScanEdit(QLineEdit):
    """A line edit that keeps the GS separators of a scanned GS1 code (Qt drops control characters)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if event.text() == GS or (ctrl and event.key() == Qt.Key.Key_BracketRight):
            self.insert(GS_SHOWN)
            return
        super().keyPressEvent(event)

    def scanned_text(self) -> str:
        """The text with its group separators as GS characters again (what the scanner sent)."""
        return self.text().replace(GS_SHOWN, GS)


def local_now() -> datetime:
    return datetime.now().astimezone()


def aware(moment: QDateTime) -> datetime:
    """A date-time edit's value as an aware datetime in the workstation's time zone."""
    value = moment.toPython()
    assert isinstance(value, datetime)  # a QDateTime converts to a datetime
    return value.replace(second=0, microsecond=0).astimezone()


class StepInput(QWidget):
    """The value editor for one step; ``submitted`` when Enter is pressed in it (a scan ends with Enter)."""

    submitted = Signal()
    balance_requested = Signal()

    def __init__(self, kind: StepKind, unit: str = "", *, own_time: bool = True, parent: QWidget | None = None):
        """``own_time``: a time step shows its own time field (the page uses its "happened at" instead)."""
        super().__init__(parent)
        self.setObjectName("step_input")
        self.kind = kind
        self.source = "typed"  # "balance" once a reading fills the weight, until it is edited
        self.instrument: str | None = None
        self.value_edit: QLineEdit | None = None
        self.answer: QComboBox | None = None
        self.due: QDateEdit | None = None
        self.time: QDateTimeEdit | None = None
        self.fill_unit: QComboBox | None = None
        self.units: QSpinBox | None = None
        self.accepted: QSpinBox | None = None
        self.defects: dict[str, QSpinBox] = {}
        self.balance_button: QPushButton | None = None
        self.scan: ScanEdit | None = None
        self.hint = plain_label()
        self.hint.setObjectName("step_input_hint")
        self.hint.setWordWrap(True)
        self._build(kind, unit, own_time)

    def _line(self, name: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.returnPressed.connect(self.submitted)
        return edit

    def _build(self, kind: StepKind, unit: str, own_time: bool) -> None:
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        if kind is StepKind.CHECK:
            self.answer = QComboBox()
            self.answer.setObjectName("step_answer")
            for text, value in (("— choose —", ""), ("Yes", "yes"), ("No", "no")):
                self.answer.addItem(text, value)
            row.addWidget(plain_label("Answer:"))
            row.addWidget(self.answer)
        elif kind in (StepKind.MEASUREMENT, StepKind.FILTER_INTEGRITY, StepKind.WEIGHT):
            shown = {StepKind.FILTER_INTEGRITY: "psi", StepKind.WEIGHT: "g"}.get(kind, unit)
            self.value_edit = self._line("step_value", "a number")
            row.addWidget(self.value_edit, 1)
            row.addWidget(plain_label(shown))
            if kind is StepKind.WEIGHT:
                self.value_edit.textEdited.connect(self._typed)
                self.balance_button = QPushButton("Read from &balance")
                self.balance_button.setObjectName("read_balance")
                self.balance_button.clicked.connect(self.balance_requested)
                row.addWidget(self.balance_button)
        elif kind is StepKind.FILL_CHECK:
            self.value_edit = self._line("step_value", "volume, or weight")
            self.fill_unit = QComboBox()
            self.fill_unit.setObjectName("fill_unit")
            self.fill_unit.addItem("mL (volume)", "mL")
            self.fill_unit.addItem("g (weight ÷ density)", "g")
            row.addWidget(self.value_edit, 1)
            row.addWidget(self.fill_unit)
        elif kind is StepKind.EQUIPMENT:
            self.value_edit = self._line("step_value", "equipment ID, e.g. BAL-0042")
            self.due = QDateEdit(QDate.currentDate())
            self.due.setObjectName("calibration_due")
            self.due.setDisplayFormat(DATE_FORMAT)
            self.due.setCalendarPopup(True)
            row.addWidget(self.value_edit, 1)
            row.addWidget(plain_label("calibration due:"))
            row.addWidget(self.due)
        elif kind is StepKind.TIME:
            if own_time:
                self.time = QDateTimeEdit(QDateTime.currentDateTime())
                self.time.setObjectName("step_time")
                self.time.setDisplayFormat(DATETIME_FORMAT)
                self.time.setCalendarPopup(True)
                row.addWidget(plain_label("Time:"))
                row.addWidget(self.time)
            else:
                self.hint.setText("The time recorded is the time it happened (below).")
                row.addWidget(self.hint, 1)
        elif kind is StepKind.COMPONENT:
            self.scan = ScanEdit()
            self.scan.setObjectName("lot_scan")
            self.scan.setPlaceholderText("scan the supplier's barcode, or type the lot, then Enter")
            self.scan.returnPressed.connect(self.submitted)
            row.addWidget(self.scan, 1)
        elif kind is StepKind.INSPECTION:
            form = QFormLayout()
            self.accepted = self._count("inspection_accepted")
            add_row(form, "Accepted:", self.accepted)
            for key, title in DEFECTS:
                self.defects[key] = self._count(f"defect_{key}")
                add_row(form, f"Rejected, {title.lower()}:", self.defects[key])
            row.addLayout(form)
            row.addStretch(1)
        else:  # UNITS_FILLED
            self.units = self._count("units_filled")
            row.addWidget(plain_label("Units filled:"))
            row.addWidget(self.units)
            row.addStretch(1)

    def _count(self, name: str) -> QSpinBox:
        box = QSpinBox()
        box.setObjectName(name)
        box.setRange(0, 1_000_000)
        return box

    def _typed(self, _text: str) -> None:
        self.source, self.instrument = "typed", None

    # ------------------------------------------------------------ value

    def set_text(self, text: str) -> None:
        """Type a value into the main field (tests, and a correction starting from the original)."""
        if self.value_edit is not None:
            self.value_edit.setText(text)
            self._typed(text)
        elif self.scan is not None:
            self.scan.setText(text)

    def set_balance_reading(self, grams: Decimal, instrument: str) -> None:
        assert self.value_edit is not None  # only a weight step reads the balance
        self.value_edit.setText(str(grams))
        self.source, self.instrument = "balance", instrument

    def text(self, happened: datetime | None = None) -> str:
        """The step's value as the service reads it. ``happened``: a time step's time, when it has no field."""
        kind = self.kind
        if self.answer is not None:
            return str(self.answer.currentData() or "")
        if kind is StepKind.EQUIPMENT and self.value_edit is not None and self.due is not None:
            ident = self.value_edit.text().strip()
            return f"{ident} {self.due.date().toString(DATE_FORMAT)}" if ident else ""
        if kind is StepKind.FILL_CHECK and self.value_edit is not None and self.fill_unit is not None:
            value = self.value_edit.text().strip()
            return f"{value} g" if value and self.fill_unit.currentData() == "g" else value
        if self.value_edit is not None:
            return self.value_edit.text().strip()
        if kind is StepKind.TIME:
            moment = aware(self.time.dateTime()) if self.time is not None else (happened or local_now())
            return moment.isoformat(timespec="minutes")
        if self.scan is not None:
            return self.scan.scanned_text()
        if self.accepted is not None:
            parts = [f"accepted={self.accepted.value()}"]
            parts += [f"{key}={box.value()}" for key, box in self.defects.items() if box.value()]
            return " ".join(parts)
        if self.units is not None:
            return str(self.units.value())
        return ""

    def clear(self) -> None:
        for edit in (self.value_edit, self.scan):
            if edit is not None:
                edit.clear()
        if self.answer is not None:
            self.answer.setCurrentIndex(0)
        self.source, self.instrument = "typed", None

    def focus(self) -> None:
        for widget in (self.scan, self.value_edit, self.answer, self.accepted, self.units, self.time):
            if widget is not None:
                widget.setFocus()
                return


def day(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)
