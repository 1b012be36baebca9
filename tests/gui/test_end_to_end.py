"""The whole path through the real app: first start, a technician types the glycine batch, prints to
a PDF file; the component lots are received and QA releases them; the technician executes the master
record's steps (a pharmacist verifies those that need a second person), QA enters the QC results; the
technician signs, a pharmacist verifies, QA releases; the printed labels are in the archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from execution_gui import GLYCINE_SCAN, QC_PASSING, WAIT, loaded, record_qc, run_steps, theoretical_glycine_g
from PySide6.QtCore import QDate, Qt
from test_batch_editor import GLYCINE_LOTS, type_glycine

from labelapp.domain.execution import MaterialStatus
from labelapp.gui.app import Bootstrap

TEAM = {
    "admin": ("ada", "Ada Admin", "ada-pass-0001"),
    "technician": ("alex", "Alex Rivera", "alex-pass-0002"),
    "pharmacist": ("sam", "Sam Chen, PharmD", "sam-pass-00003"),
    "qa": ("quinn", "Quinn Quality", "quinn-pass-0004"),
}


def fill(qtbot: Any, widget: Any, text: str) -> None:
    widget.clear()
    qtbot.keyClicks(widget, text)


def first_start(qtbot: Any, dialog: Any) -> None:
    facility = {
        "name": "Example Outsourcing Facility LLC",
        "address": "100 Example Way, Springfield, IL 62701",
        "phone": "217-555-0100",
        "fei": "3000000000",
    }
    for key, text in facility.items():
        fill(qtbot, dialog.facility[key].editor, text)
    for row in dialog.accounts:
        username, full_name, password = TEAM[row.role]
        for edit, text in zip(row.edits, (username, full_name, password, password)):
            fill(qtbot, edit, text)
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)


def sign_dialog(qtbot: Any, dialog: Any, username: str, password: str) -> None:
    fill(qtbot, dialog.username, username)
    fill(qtbot, dialog.password, password)
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)


def sign_in(qtbot: Any, boot: Bootstrap, who: str) -> None:
    boot.window.sign_in_requested.emit()
    dialog = boot.dialog
    username, _name, password = TEAM[who]
    fill(qtbot, dialog.username, username)
    fill(qtbot, dialog.password, password)
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: boot.session.username == username, timeout=WAIT)


def receive_lots(qtbot: Any, window: Any) -> None:
    """The technician receives the batch's two component lots (glycine scanned, water typed); QA releases them."""
    materials = window.page("materials")
    window.show_page("materials")
    qtbot.waitUntil(lambda: materials.loads >= 1 and materials.ingredient.findText("glycine") >= 0, timeout=WAIT)
    ingredients = ("glycine", "water for injection")
    for ingredient, (lot, maker, expiry, _potency) in zip(ingredients, GLYCINE_LOTS, strict=True):
        before = materials.loads
        if ingredient == "glycine":  # the supplier's GS1 code: GTIN, expiry and lot
            qtbot.keyClicks(materials.scan, GLYCINE_SCAN + "\r")  # a keyboard-wedge burst
            assert (materials.lot.text(), materials.expiry.date()) == (lot, QDate.fromString(expiry, "yyyy-MM-dd"))
        else:
            fill(qtbot, materials.lot, lot)
            materials.expiry.setDate(QDate.fromString(expiry, "yyyy-MM-dd"))
        materials.ingredient.setCurrentText(ingredient)
        fill(qtbot, materials.manufacturer, maker)
        qtbot.mouseClick(materials.receive_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda b=before: materials.loads > b and materials.selected() is not None, timeout=WAIT)
        assert (materials.selected().lot, materials.selected().status) == (lot, MaterialStatus.QUARANTINE)
        before = materials.loads
        sign_dialog(qtbot, materials.release(MaterialStatus.RELEASED), "quinn", TEAM["qa"][2])
        qtbot.waitUntil(lambda b=before: materials.dialog is None and materials.loads > b, timeout=WAIT)
        assert f"Lot {lot} released by quinn." in materials.done.text()
    assert {(m.lot, m.status) for m in window.session.register.execution.materials()} == {
        ("GLY24117", MaterialStatus.RELEASED),
        ("WFI-2611-07", MaterialStatus.RELEASED),
    }


@pytest.fixture
def boot(qtbot, tmp_path, ui_settings) -> Any:
    out_dir = tmp_path / "printed"
    out_dir.mkdir()
    printed: list[Path] = []

    def choose_printer(printer: Any, _parent: Any) -> bool:
        path = out_dir / f"printer-{len(printed) + 1}.pdf"
        printer.setOutputFormat(printer.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        printer.setResolution(150)
        printed.append(path)
        return True

    options = {
        "print": {"choose_printer": choose_printer, "choose_file": lambda _p, name: str(out_dir / name)},
        "archive": {"choose_printer": choose_printer},
    }
    bootstrap = Bootstrap(ui_settings, f"sqlite:///{tmp_path / 'register.db'}", options)
    bootstrap.printed = printed
    bootstrap.out_dir = out_dir
    yield bootstrap
    if bootstrap.window is not None:
        bootstrap.window.close()
        bootstrap.window.deleteLater()
    bootstrap.close()


def test_first_start_to_released_batch_in_the_archive(qtbot, boot):
    boot.start()
    qtbot.waitUntil(lambda: boot.dialog is not None, timeout=WAIT)
    first_start(qtbot, boot.dialog)
    qtbot.waitUntil(lambda: boot.window is not None and boot.dialog is not None, timeout=WAIT)
    window = boot.window
    qtbot.addWidget(window)
    sign_dialog(qtbot, boot.dialog, "sam", TEAM["pharmacist"][2])  # the pharmacist approves the examples
    qtbot.waitUntil(lambda: boot.dialog is None, timeout=WAIT)
    assert {f.status.value for f in boot.register.formulas.versions()} == {"approved"}

    sign_in(qtbot, boot, "technician")
    glycine = boot.register.formulas.get("GLY-50-30")
    window.start_batch(glycine)
    editor, preview = window.page("editor"), window.page("preview")
    assert window.current_page() == "editor"
    type_glycine(qtbot, editor)
    qtbot.waitUntil(lambda: "666 mOsmol/L" in editor.computed.text("osmolarity"), timeout=WAIT)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(editor.editor("units"), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # File > Save
    qtbot.waitUntil(lambda: editor.batch_id is not None, timeout=WAIT)
    lot = boot.register.batches.get(editor.batch_id).lot_number
    assert editor.lot_label.text() == lot

    window.show_page("preview")
    qtbot.waitUntil(lambda: preview.stock.findData("roll-vial-30ml") >= 0, timeout=WAIT)
    preview.set_stock("roll-vial-30ml")
    qtbot.waitUntil(
        lambda: (
            preview.current() is not None and preview.current().lot_number == lot and not preview.current().provisional
        ),
        timeout=WAIT,
    )
    printer_page = window.page("print")
    window.show_page("print")
    qtbot.waitUntil(lambda: printer_page.file_button.isEnabled(), timeout=WAIT)
    qtbot.mouseClick(printer_page.file_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: printer_page.done.isVisible() and "Sent" in printer_page.done.text(), timeout=WAIT)
    written = boot.out_dir / f"{lot}-vial-roll-vial-30ml.pdf"
    qtbot.waitUntil(lambda: preview.current() is not None, timeout=WAIT)
    assert written.read_bytes() == preview.current().pdf  # what was previewed is what was printed
    assert printer_page.jobs.rowCount() == 1

    receive_lots(qtbot, window)
    execution = window.page("execution")
    window.execute_batch()  # the batch just printed
    assert window.current_page() == "execution"
    loaded(qtbot, execution)
    assert execution.snapshot.batch.lot_number == lot
    grams = f"{theoretical_glycine_g(boot.register, editor.batch_id):.2f}"
    passwords = {username: password for username, _name, password in TEAM.values()}
    run_steps(qtbot, execution, grams, verifier=("sam", passwords))  # each step as it happens; Sam verifies
    sign_in(qtbot, boot, "qa")  # QA enters the lab's results
    for spec_id, result in QC_PASSING.items():
        assert record_qc(qtbot, execution, spec_id, result) == "PASS"
    qtbot.waitUntil(
        lambda: "Nothing in the executed record stands in the way" in execution.blockers.text(), timeout=WAIT
    )
    status = boot.register.execution.status(editor.batch_id)
    assert (status.deviations, status.release_blockers, status.yield_ok) == ([], [], True)

    sign_in(qtbot, boot, "technician")
    verify = window.page("verify")
    window.show_page("verify")
    verify.sign("performed")
    sign_dialog(qtbot, verify.dialog, "alex", TEAM["technician"][2])
    qtbot.waitUntil(lambda: verify.dialog is None, timeout=WAIT)
    assert verify.status.text() == "compounded"

    verify.reconcile()
    verify.dialog.counts["applied"].setValue(100)
    verify.dialog.counts["specimens"].setValue(2)
    qtbot.mouseClick(verify.dialog.buttons.button(verify.dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: verify.dialog is None, timeout=WAIT)

    verify.sign("verified")  # Alex may not verify his own batch
    sign_dialog(qtbot, verify.dialog, "alex", TEAM["technician"][2])
    qtbot.waitUntil(lambda: "Not signed" in verify.dialog.error.text(), timeout=WAIT)
    assert "may not verify batches" in verify.dialog.error.text()
    sign_dialog(qtbot, verify.dialog, "sam", TEAM["pharmacist"][2])
    qtbot.waitUntil(lambda: verify.dialog is None, timeout=WAIT)
    assert verify.status.text() == "verified"

    verify.sign("released")
    sign_dialog(qtbot, verify.dialog, "quinn", TEAM["qa"][2])
    qtbot.waitUntil(lambda: verify.dialog is None, timeout=WAIT)
    assert verify.status.text() == "released"
    assert "The released batch record is archived." in verify.done.text()

    archive = window.page("archive")
    window.show_page("archive")
    qtbot.keyClicks(archive.search, lot)
    qtbot.waitUntil(lambda: archive.model.rowCount() == 2, timeout=WAIT)
    kinds = {archive.model.record(r).kind: archive.model.record(r) for r in range(2)}
    assert set(kinds) == {"label", "batch_record"}
    sheet = pypdfium2.PdfDocument(boot.register.archive.read(kinds["batch_record"].id))
    text = " ".join(sheet[i].get_textpage().get_text_range() for i in range(len(sheet)))
    assert "Quinn Quality" in text and "Sam Chen, PharmD" in text and "released" in text  # the manifest
    record = kinds["label"]
    assert (record.lot_number, record.batch_status.value, record.integrity) == (lot, "released", "ok")
    archive.open_document(record)
    qtbot.waitUntil(lambda: archive.viewer.page_count() == 102, timeout=WAIT)


def test_printing_to_a_printer_keeps_the_exact_page_size(qtbot, boot):
    boot.start()
    qtbot.waitUntil(lambda: boot.dialog is not None, timeout=10000)
    first_start(qtbot, boot.dialog)
    qtbot.waitUntil(lambda: boot.window is not None and boot.dialog is not None, timeout=20000)
    qtbot.addWidget(boot.window)
    sign_dialog(qtbot, boot.dialog, "sam", TEAM["pharmacist"][2])
    qtbot.waitUntil(lambda: boot.dialog is None, timeout=20000)
    sign_in(qtbot, boot, "technician")
    window = boot.window
    window.start_batch(boot.register.formulas.get("GLY-50-30"))
    editor, preview, printer_page = window.page("editor"), window.page("preview"), window.page("print")
    type_glycine(qtbot, editor)
    units = editor.editor("units")
    units.selectAll()
    qtbot.keyClicks(units, "3")
    qtbot.waitUntil(
        lambda: editor.last is not None and editor.last.ok and editor.last.values.scalars["units"] == "3", timeout=10000
    )
    editor.save()
    qtbot.waitUntil(lambda: editor.batch_id is not None, timeout=10000)
    qtbot.waitUntil(lambda: preview.stock.findData("roll-vial-30ml") >= 0, timeout=10000)
    preview.set_stock("roll-vial-30ml")
    qtbot.waitUntil(lambda: printer_page.print_button.isEnabled(), timeout=10000)
    printer_page.offset_x.setValue(0.0)
    printer_page.print_to_printer()
    qtbot.waitUntil(lambda: "Sent 5 pages" in printer_page.done.text(), timeout=20000)
    pdf = pypdfium2.PdfDocument(str(boot.printed[0]))
    assert len(pdf) == 5
    for i in range(len(pdf)):
        width, height = pdf[i].get_size()
        assert abs(width - 252) < 0.5 and abs(height - 108) < 0.5  # 3.5 x 1.5 in, never fitted
    job = boot.register.batches.detail(editor.batch_id).print_jobs[0]
    assert (job.kind, job.label_count, job.stock, job.printed_by) == ("label", 5, "roll-vial-30ml", "alex")
