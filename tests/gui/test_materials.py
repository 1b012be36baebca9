"""Component lots: received from the supplier's scanned GS1 code (or typed) into quarantine, released by QA."""

from __future__ import annotations

from datetime import date

from gui_helpers import PASSWORDS
from PySide6.QtCore import QDate, Qt

from labelapp.domain.execution import MaterialStatus
from labelapp.gui.pages.materials import MaterialsPage

WAIT = 30_000


def scan(qtbot, edit, before_gs: str, after_gs: str) -> None:
    """A keyboard-wedge burst: the group separator arrives as Ctrl+], the code ends with Enter."""
    qtbot.keyClicks(edit, before_gs)
    qtbot.keyClick(edit, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, after_gs + "\r")


def test_a_lot_received_from_its_scanned_code_and_released_by_qa(qtbot, make_session, make_widget, people, register):
    session = make_session(people["alex"])
    page = make_widget(MaterialsPage, session)
    page.refresh()
    qtbot.waitUntil(lambda: page.loads == 1, timeout=WAIT)
    assert page.ingredient.findText("glycine") >= 0  # the register's ingredients to choose from
    scan(qtbot, page.scan, "]d2" + "01" + "09506000134352" + "10" + "GL-0042", "17" + "280131")
    assert (page.lot.text(), page.gtin.text()) == ("GL-0042", "09506000134352")
    assert page.expiry.date() == QDate(2028, 1, 31)
    assert page.scan.text() == ""  # ready for the next container
    page.ingredient.setCurrentText("glycine")
    qtbot.keyClicks(page.manufacturer, "Spectrum")
    qtbot.mouseClick(page.receive_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.loads == 2, timeout=WAIT)
    [material] = register.execution.materials()
    assert (material.ingredient, material.lot, material.gtin, material.expiry, material.status) == (
        "glycine",
        "GL-0042",
        "09506000134352",
        date(2028, 1, 31),
        MaterialStatus.QUARANTINE,
    )
    assert "received into quarantine" in page.done.text()
    assert page.selected().lot == "GL-0042" and page.release_button.isEnabled()

    dialog = page.release(MaterialStatus.RELEASED)  # Alex (technician) may not release it
    dialog.password.setText(PASSWORDS["alex"])
    dialog.submit()
    qtbot.waitUntil(lambda: "Not signed" in dialog.error.text(), timeout=WAIT)
    assert "may not release component lots" in dialog.error.text()
    dialog.username.setText("quinn")
    dialog.password.setText(PASSWORDS["quinn"])
    dialog.submit()
    qtbot.waitUntil(lambda: page.dialog is None, timeout=WAIT)
    qtbot.waitUntil(lambda: page.loads == 3, timeout=WAIT)
    [released] = register.execution.materials()
    assert (released.status, released.released_by) == (MaterialStatus.RELEASED, "quinn")
    assert "Lot GL-0042 released by quinn." in page.done.text() and not page.release_button.isEnabled()

    # the next container of the same product: the ingredient and manufacturer come from the earlier lot
    page.ingredient.setCurrentText("")
    page.manufacturer.clear()
    scan(qtbot, page.scan, "]d2" + "01" + "09506000134352" + "10" + "GL-0043", "17" + "280630")
    assert (page.ingredient.currentText(), page.manufacturer.text(), page.lot.text()) == (
        "glycine",
        "Spectrum",
        "GL-0043",
    )


def test_a_bad_scan_and_an_unknown_ingredient_are_refused_in_words(qtbot, make_session, make_widget, people):
    page = make_widget(MaterialsPage, make_session(people["alex"]))
    page.refresh()
    qtbot.waitUntil(lambda: page.loads == 1, timeout=WAIT)
    qtbot.keyClicks(page.scan, "]d2" + "01" + "04012345000013" + "10" + "X1\r")  # a wrong GTIN check digit
    assert "is not valid" in page.scan_error.text() and page.lot.text() == ""
    page.ingredient.setCurrentText("unobtainium")
    qtbot.keyClicks(page.lot, "U-1")
    qtbot.keyClicks(page.manufacturer, "Nobody")
    qtbot.mouseClick(page.receive_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.boxes["ingredient"].error.isVisibleTo(page), timeout=WAIT)
    assert "unknown ingredient 'unobtainium'" in page.boxes["ingredient"].error.text()  # next to its field
    page.gtin.setText("12345")
    qtbot.mouseClick(page.receive_button, Qt.MouseButton.LeftButton)
    assert "8, 12, 13 or 14 digits" in page.boxes["gtin"].error.text()
