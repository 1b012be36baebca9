"""Component lots: receiving a supplier's lot (quarantined) and QA's release or rejection (e-signature).

A batch step may only use a lot that was received here, released by QA, is unexpired on the compounding
date and is of the step's ingredient (``register.execution``). Receiving: the ingredient, lot, manufacturer,
expiry and (optional) GTIN and potency are typed, or the supplier's GS1 barcode is scanned into the scan
field, which fills the GTIN, lot and expiry (and the ingredient and manufacturer of an earlier lot with the
same GTIN).
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from labelapp.calc.scan import parse_supplier_code
from labelapp.domain.errors import RuleViolation, UnknownIngredientError
from labelapp.domain.execution import MaterialLot, MaterialStatus
from labelapp.gui.dialogs.signature import SignatureDialog
from labelapp.gui.messages import in_words
from labelapp.gui.models.records import RecordTableModel, display
from labelapp.gui.pages.step_input import DATE_FORMAT, ScanEdit, day
from labelapp.gui.session import Session
from labelapp.gui.widgets import (
    INFO_STYLE,
    WARNING_STYLE,
    ErrorLabel,
    FieldBox,
    add_row,
    banner,
    heading,
    line_edit,
    plain_label,
    read_only_table,
)
from labelapp.gui.workers import run_task

if TYPE_CHECKING:
    from labelapp.services.register import Register

log = logging.getLogger(__name__)


class MaterialTableModel(RecordTableModel[MaterialLot]):
    COLUMNS = (
        ("Ingredient", lambda m: m.ingredient),
        ("Lot", lambda m: m.lot),
        ("GTIN", lambda m: m.gtin or ""),
        ("Manufacturer", lambda m: m.manufacturer),
        ("Expiry", lambda m: m.expiry),
        ("Status", lambda m: m.status),
        ("Received", lambda m: f"{display(m.received_at)} by {m.received_by}"),
        ("Released or rejected", lambda m: f"{display(m.released_at)} by {m.released_by}" if m.released_by else ""),
    )


def load(register: Register) -> tuple[list[MaterialLot], list[str]]:
    names = sorted(i.name for i in register.formulas.ingredient_table())
    return register.execution.materials(), names


class MaterialsPage(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("materials_page")
        self.session = session
        self.model = MaterialTableModel(self)
        self.dialog: QWidget | None = None  # the open dialog (tests drive it)
        self.loads = 0  # lists shown (tests wait on it)
        self._select_after: str | None = None  # a lot just received: selected once listed
        self._build()

    def _build(self) -> None:
        self.view = QTableView()
        self.view.setObjectName("materials_table")
        self.view.setModel(self.model)
        read_only_table(self.view)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.release_button = QPushButton("&Release… (QA)")
        self.release_button.setObjectName("release_material")
        self.release_button.clicked.connect(lambda: self.release(MaterialStatus.RELEASED))
        self.reject_button = QPushButton("Re&ject… (QA)")
        self.reject_button.setObjectName("reject_material")
        self.reject_button.clicked.connect(lambda: self.release(MaterialStatus.REJECTED))
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.release_button)
        actions.addWidget(self.reject_button)
        # receiving
        self.scan = ScanEdit()
        self.scan.setObjectName("material_scan")
        self.scan.setPlaceholderText("scan the supplier's GS1 barcode here (GTIN, lot and expiry), or type below")
        self.scan.returnPressed.connect(self.scanned)
        self.scan_error = ErrorLabel()
        self.scan_error.setObjectName("material_scan_error")
        self.ingredient = QComboBox()
        self.ingredient.setObjectName("material_ingredient")
        self.ingredient.setEditable(True)
        self.ingredient.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.lot = line_edit("material_lot", "the supplier's lot number")
        self.manufacturer = line_edit("material_manufacturer", "as on the certificate of analysis")
        self.expiry = QDateEdit(QDate.currentDate().addYears(1))
        self.expiry.setObjectName("material_expiry")
        self.expiry.setDisplayFormat(DATE_FORMAT)
        self.expiry.setCalendarPopup(True)
        self.gtin = line_edit("material_gtin", "optional (14 digits)")
        self.potency = line_edit("material_potency", "optional, % from the certificate of analysis")
        self.boxes = {
            "ingredient": FieldBox(self.ingredient),
            "lot": FieldBox(self.lot),
            "manufacturer": FieldBox(self.manufacturer),
            "expiry": FieldBox(self.expiry),
            "gtin": FieldBox(self.gtin),
            "potency": FieldBox(self.potency),
        }
        form = QFormLayout()
        add_row(form, "&Scan:", self.scan)
        add_row(form, "", self.scan_error)
        for key, title in (
            ("ingredient", "&Ingredient"),
            ("lot", "&Lot"),
            ("manufacturer", "&Manufacturer"),
            ("expiry", "E&xpiry"),
            ("gtin", "&GTIN"),
            ("potency", "&Potency %"),
        ):
            label = plain_label(f"{title}:")
            label.setBuddy(self.boxes[key].editor)
            form.addRow(label, self.boxes[key])
        self.receive_button = QPushButton("Recei&ve (into quarantine)")
        self.receive_button.setObjectName("receive_material")
        self.receive_button.clicked.connect(self.receive)
        self.receive_error = ErrorLabel()
        self.receive_error.setObjectName("receive_error")
        receive_row = QHBoxLayout()
        receive_row.addStretch(1)
        receive_row.addWidget(self.receive_button)
        receive = QGroupBox("Receive a component lot")
        receive_layout = QVBoxLayout(receive)
        receive_layout.addLayout(form)
        receive_layout.addLayout(receive_row)
        receive_layout.addWidget(self.receive_error)
        self.message = banner(WARNING_STYLE, "materials_message")
        self.done = banner(INFO_STYLE, "materials_done")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Component lots (received, quarantined, released by QA)"))
        layout.addWidget(self.message)
        layout.addWidget(self.done)
        layout.addWidget(self.view, 1)
        layout.addLayout(actions)
        layout.addWidget(receive)
        self._update_buttons()

    # ------------------------------------------------------------ list

    def refresh(self) -> None:
        register = self.session.register
        run_task(lambda: load(register), self._loaded, self)

    def _loaded(self, result: tuple[list[MaterialLot], list[str]] | None, error: BaseException | None) -> None:
        if error is not None or result is None:
            self._say(self.message, f"The component lots cannot be read: {in_words(error) if error else ''}")
            return
        materials, names = result
        chosen = self.selected()
        self.model.set_rows(materials)
        if self.ingredient.count() != len(names):
            typed = self.ingredient.currentText()
            self.ingredient.clear()
            self.ingredient.addItems(names)
            self.ingredient.setCurrentText(typed)
        target = self._select_after or (chosen.lot if chosen is not None else None)
        self._select_after = None
        if target is not None:
            self.select(target)
        self.loads += 1
        self._update_buttons()

    def selected(self) -> MaterialLot | None:
        index = self.view.currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    def select(self, lot: str) -> None:
        for row, material in enumerate(self.model.rows()):
            if material.lot == lot:
                self.view.selectRow(row)
                return

    def _update_buttons(self) -> None:
        material = self.selected()
        waiting = material is not None and material.status is MaterialStatus.QUARANTINE
        self.release_button.setEnabled(waiting)
        self.reject_button.setEnabled(waiting)

    # ------------------------------------------------------------ receiving

    def scanned(self) -> None:
        """Fill the form from a scanned supplier code (the scan is checked here; nothing is stored yet)."""
        text = self.scan.scanned_text()
        try:
            code = parse_supplier_code(text)
        except RuleViolation as exc:
            self.scan_error.show_messages([in_words(exc)])
            return
        self.scan_error.show_messages([])
        self.lot.setText(code.lot or "")
        self.gtin.setText(code.gtin or "")
        if code.expiry is not None:
            self.expiry.setDate(day(code.expiry))
        earlier = next((m for m in reversed(self.model.rows()) if code.gtin and m.gtin == code.gtin), None)
        if earlier is not None:
            self.ingredient.setCurrentText(earlier.ingredient)
            self.manufacturer.setText(earlier.manufacturer)
        self.scan.clear()
        (self.manufacturer if not self.manufacturer.text() else self.receive_button).setFocus()

    def receive(self) -> None:
        for box in self.boxes.values():
            box.set_errors([])
        user = self.session.user
        if user is None:
            self.receive_error.show_messages(["Not received: nobody is signed in; sign in first (File > Sign in)"])
            return
        potency: Decimal | None = None
        if self.potency.text().strip():
            try:
                potency = Decimal(self.potency.text().strip())
            except InvalidOperation:
                self.boxes["potency"].set_errors(["must be a number, e.g. 99.5"])
                return
        gtin = self.gtin.text().strip() or None
        if gtin is not None and not (gtin.isdigit() and len(gtin) in (8, 12, 13, 14)):
            self.boxes["gtin"].set_errors(["a GTIN has 8, 12, 13 or 14 digits (or leave it blank)"])
            return
        ingredient, lot, manufacturer = self.ingredient.currentText(), self.lot.text(), self.manufacturer.text()
        expiry = self.expiry.date().toPython()
        assert isinstance(expiry, date)  # a QDate converts to a date
        register = self.session.register
        self.receive_button.setEnabled(False)

        def work() -> MaterialLot:
            return register.execution.receive_material(
                ingredient=ingredient,
                lot=lot,
                manufacturer=manufacturer,
                expiry=expiry,
                user=user,
                gtin=gtin,
                potency_percent=potency,
            )

        run_task(work, self._received, self)

    def _received(self, material: MaterialLot | None, error: BaseException | None) -> None:
        self.receive_button.setEnabled(True)
        if error is not None or material is None:
            text = in_words(error) if error else "no answer"
            if isinstance(error, UnknownIngredientError):
                self.boxes["ingredient"].set_errors([text])
            elif "lot number" in text:
                self.boxes["lot"].set_errors([text])
            elif "manufacturer" in text:
                self.boxes["manufacturer"].set_errors([text])
            self.receive_error.show_messages([f"Not received: {text}"])
            return
        self.receive_error.show_messages([])
        for edit in (self.lot, self.gtin, self.potency):
            edit.clear()
        self._say(
            self.done,
            f"{material.ingredient} lot {material.lot} received into quarantine; QA releases it before it is used.",
        )
        self._select_after = material.lot
        self.refresh()

    # ------------------------------------------------------------ QA

    def release(self, status: MaterialStatus) -> SignatureDialog[MaterialLot] | None:
        material = self.selected()
        if material is None:
            return None
        register = self.session.register
        verb = "release" if status is MaterialStatus.RELEASED else "reject"

        def sign(username: str, password: str, _reason: str | None) -> MaterialLot:
            return register.execution.release_material(material.id, username, password, status)

        dialog: SignatureDialog[MaterialLot] = SignatureDialog(
            f"{verb.capitalize()} lot {material.lot}",
            f"As QA, I {verb} {material.ingredient} lot {material.lot} ({material.manufacturer}, expiry "
            f"{material.expiry.isoformat()}): its certificate of analysis and the container were checked.",
            status.value,
            sign,
            self.session.username,
            "none",
            self,
        )
        self.dialog = dialog

        def finished(code: int) -> None:
            self.dialog = None
            if code and dialog.result_value is not None:
                done = dialog.result_value
                self._say(self.done, f"Lot {done.lot} {done.status.value} by {done.released_by}.")
                self.refresh()
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def _say(self, label: QLabel, text: str) -> None:
        (self.done if label is self.message else self.message).hide()
        label.setText(text)
        label.show()
