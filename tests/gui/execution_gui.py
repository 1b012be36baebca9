"""Shared data and steps for the GUI tests of the formula editor and batch execution.

The glycine master record and its clean run come from ``tests/store/execution_helpers.py`` (one source of
the data for the register tests and these), with the GUI's people: Alex records, Sam and Pia are
pharmacists, Quinn is QA.
"""

from __future__ import annotations

import io
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1] / "store"))

from execution_helpers import MASTER_RECORD  # noqa: E402
from gui_helpers import GLYCINE, PASSWORDS  # noqa: E402
from PySide6.QtCore import QDate, Qt  # noqa: E402

from labelapp.domain.batch import BatchFile  # noqa: E402
from labelapp.domain.formula import Formula  # noqa: E402
from labelapp.domain.records import BatchRecord, FormulaRecord  # noqa: E402
from labelapp.gui.pages.execution import STEP_COLUMNS, ExecutionPage  # noqa: E402
from labelapp.services import rendering  # noqa: E402
from labelapp.services.calculate import load_batch_file  # noqa: E402
from labelapp.services.register import Register  # noqa: E402

__all__ = ["MASTER_RECORD", "PASSWORDS"]

WAIT = 30_000  # ms: a signature checks a password (Argon2) and a key, on a busy machine
GLYCINE_SCAN = "]d2" + "01" + "00614141999965" + "17" + "280930" + "10" + "GLY24117"  # lot last: no GS needed
QC_PASSING = {"sterility": "no growth", "endotoxin": "0.5", "ph": "5.7", "osmolality": "660", "assay": "99.1"}

LOTS = (  # the example batch's component lots, as received and released
    ("glycine", "GLY24117", "Example Chemical Co.", date(2028, 9, 30), "00614141999965"),
    ("water for injection", "WFI-2611-07", "Example Water Systems", date(2027, 5, 31), None),
)


def formula_with_master_record(version: int = 1) -> Formula:
    example = load_batch_file(GLYCINE).formula.model_dump(mode="json")
    example["version"] = version
    example["master_record"] = MASTER_RECORD
    return Formula.model_validate(example)


def approve_glycine_with_master_record(register: Register, people: dict[str, Any]) -> FormulaRecord:
    """The example facility, and the glycine formula with its master record: added by Sam, approved by Pia."""
    example = load_batch_file(GLYCINE)
    register.settings.set_facility(example.facility, people["admin"])
    formula = formula_with_master_record()
    register.formulas.add(formula, people["sam"])
    return register.formulas.approve(formula.id, str(formula.version), "pia", PASSWORDS["pia"])


def new_batch(register: Register, people: dict[str, Any], units: int = 100) -> BatchRecord:
    example = load_batch_file(GLYCINE)
    data = example.model_dump(mode="json")
    data["formula"] = formula_with_master_record().model_dump(mode="json")
    data["batch"]["lot_number"] = None
    data["batch"]["units"] = units
    return register.batches.new(BatchFile.model_validate(data), people["alex"])


def receive_and_release(register: Register, people: dict[str, Any]) -> None:
    for ingredient, lot, manufacturer, expiry, gtin in LOTS:
        material = register.execution.receive_material(
            ingredient=ingredient, lot=lot, manufacturer=manufacturer, expiry=expiry, user=people["alex"], gtin=gtin
        )
        register.execution.release_material(material.id, "quinn", PASSWORDS["quinn"])


def theoretical_glycine_g(register: Register, batch_id: int) -> Any:
    comp = rendering.registered_batch(register, batch_id).computation
    return next(line.theoretical_g for line in comp.amounts if line.component == "glycine")


# ------------------------------------------------------------ driving the execution page, as a person would


def click(qtbot: Any, widget: Any) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def fill(qtbot: Any, edit: Any, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def sign(qtbot: Any, dialog: Any, username: str, passwords: dict[str, str] = PASSWORDS) -> None:
    fill(qtbot, dialog.username, username)
    fill(qtbot, dialog.password, passwords[username])
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))


def loaded(qtbot: Any, page: ExecutionPage) -> None:
    qtbot.waitUntil(lambda: page.snapshot is not None and bool(page.step_ids), timeout=WAIT)


def entries(page: ExecutionPage, step_id: str) -> int:
    return len(page.snapshot.history(step_id)) if page.snapshot else 0


def record(qtbot: Any, page: ExecutionPage, step_id: str, put: Any = None, enter: bool = False) -> None:
    """Select the step, put its value in the step's own widget, Record (or Enter), wait for it on screen."""
    page.select_step(step_id)
    before = entries(page, step_id)
    if put is not None:
        put(page.input)
    if not enter:
        click(qtbot, page.record_button)
    qtbot.waitUntil(lambda: entries(page, step_id) == before + 1, timeout=WAIT)
    assert page.step_errors.get(step_id) is None


def verify(qtbot: Any, page: ExecutionPage, step_id: str, who: str, passwords: dict[str, str] = PASSWORDS) -> None:
    page.select_step(step_id)
    dialog = page.verify()
    sign(qtbot, dialog, who, passwords)
    qtbot.waitUntil(lambda: page.dialog is None, timeout=WAIT)
    qtbot.waitUntil(lambda: all(e.verified_by == who for e in page.snapshot.current(step_id)), timeout=WAIT)


def cell(page: ExecutionPage, step_id: str, column: str) -> Any:
    return page.steps_table.item(page.step_ids.index(step_id), STEP_COLUMNS.index(column))


def answer(value: str) -> Any:
    return lambda field: field.answer.setCurrentIndex(field.answer.findData(value))


def run_steps(
    qtbot: Any,
    page: ExecutionPage,
    grams: str,
    ph_happened: datetime | None = None,
    verifier: tuple[str, dict[str, str]] = ("sam", PASSWORDS),
    units: int = 100,
) -> None:
    """Every step of the glycine master record, through each step's widget, in order; ``verifier`` (a second
    person: user name and the passwords) signs the steps the master record has verified."""
    who, passwords = verifier

    def typed(text: str) -> Any:
        return lambda field: qtbot.keyClicks(field.value_edit, text)

    def equipment(field: Any) -> None:
        qtbot.keyClicks(field.value_edit, "BAL-0042")
        field.due.setDate(QDate(2030, 3, 31))

    def scan(code: str) -> Any:
        return lambda field: qtbot.keyClicks(field.scan, code + "\r")  # a keyboard-wedge burst ending in Enter

    def fill_weight(field: Any) -> None:
        qtbot.keyClicks(field.value_edit, "31.2")
        field.fill_unit.setCurrentIndex(field.fill_unit.findData("g"))

    def inspection(field: Any) -> None:
        field.accepted.setValue(units - 1)
        field.defects["particles"].setValue(1)

    record(qtbot, page, "line-clearance", answer("yes"))
    verify(qtbot, page, "line-clearance", who, passwords)
    record(qtbot, page, "balance", equipment)
    record(qtbot, page, "glycine-lot", scan(GLYCINE_SCAN), enter=True)
    record(qtbot, page, "wfi-lot", scan("WFI-2611-07"), enter=True)  # typed on the keyboard, then Enter
    record(qtbot, page, "glycine-weight", typed(grams))
    verify(qtbot, page, "glycine-weight", who, passwords)
    record(qtbot, page, "compounding-end")  # a time step: the time it happened
    if ph_happened is not None:
        page.select_step("ph-in-process")
        page.set_happened(ph_happened)
    record(qtbot, page, "ph-in-process", typed("5.6"))
    record(qtbot, page, "filter-integrity", typed("55"))
    verify(qtbot, page, "filter-integrity", who, passwords)
    record(qtbot, page, "filtration-start")
    record(qtbot, page, "fill-check", typed("30.8"))
    record(qtbot, page, "fill-check", fill_weight)  # weighed: 31.2 g ÷ 1.016 g/mL
    record(qtbot, page, "fill-end")
    record(qtbot, page, "inspection", inspection)
    record(qtbot, page, "units-filled", lambda field: field.units.setValue(units))


def lab_report(tmp_path: Path) -> Path:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    sheet = canvas.Canvas(out)
    sheet.drawString(72, 720, "Example Lab: sterility USP <71>, no growth after 14 days")
    sheet.save()
    path = tmp_path / "sterility-report.pdf"
    path.write_bytes(out.getvalue())
    return path


def record_qc(qtbot: Any, page: ExecutionPage, spec_id: str, result: str, report: bool = False) -> str:
    page.tabs.setCurrentIndex(1)
    page.select_spec(spec_id)
    fill(qtbot, page.qc_result, result)
    fill(qtbot, page.qc_analyst, "Lee Analyst")
    if report:
        click(qtbot, page.attach_button)
    click(qtbot, page.qc_button)

    def shown() -> bool:
        snap = page.snapshot
        latest = next((q.latest for q in snap.status.qc if q.spec_id == spec_id), None) if snap else None
        return latest is not None and latest.result == result and page.qc_button.isEnabled()

    qtbot.waitUntil(shown, timeout=WAIT)
    return page.qc_table.item(page.spec_ids.index(spec_id), 8).text()  # pass / fail, as computed


def sign_in_again(session: Any, username: str) -> None:
    """``username`` signs in anew (a user signed out has had the signing key dropped from memory)."""
    session.sign_in(session.register.accounts.authenticate(username, PASSWORDS[username]))
