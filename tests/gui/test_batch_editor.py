from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from labelapp.gui.pages.batch_editor import BatchEditorPage
from labelapp.gui.presenters.batch_form import LOT_COLUMNS

GLYCINE_LOTS = [
    ("GLY24117", "Example Chemical Co.", "2028-09-30", "99.6"),
    ("WFI-2611-07", "Example Water Systems", "2027-05-31", "100"),
]


def type_cell(qtbot: Any, page: BatchEditorPage, row: int, column: str, text: str) -> None:
    view = page.lots_view
    index = page.lots_model.index(row, LOT_COLUMNS.index(column))
    view.setCurrentIndex(index)  # the view opens the editor (edit triggers: all)
    editor = view.indexWidget(index)
    if editor is None:
        view.edit(index)
        editor = view.indexWidget(index)
    assert editor is not None, "no cell editor opened"
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def type_glycine(qtbot: Any, page: BatchEditorPage) -> None:
    units = page.editor("units")
    units.clear()
    qtbot.keyClicks(units, "100")
    allowance = page.editor("allowance_percent")
    allowance.selectAll()
    qtbot.keyClicks(allowance, "5")
    for row, (lot, maker, expiry, potency) in enumerate(GLYCINE_LOTS):
        type_cell(qtbot, page, row, "lot", lot)
        type_cell(qtbot, page, row, "manufacturer", maker)
        type_cell(qtbot, page, row, "expiry", expiry)
        type_cell(qtbot, page, row, "potency_percent", potency)


def test_typing_the_glycine_batch_shows_666_mosmol(qtbot, make_session, make_widget, people, glycine):
    page = make_widget(BatchEditorPage, make_session(people["alex"]))
    page.start_new(glycine)
    type_glycine(qtbot, page)
    qtbot.waitUntil(lambda: "666 mOsmol/L" in page.computed.text("osmolarity"), timeout=5000)
    assert "hypertonic" in page.computed.text("osmolarity")
    assert "1,500 mg per 30 mL (50 mg/mL)" in page.computed.text("strength")
    assert page.computed.text("expiry").startswith("EXP ")
    assert "provisional" in page.computed.text("lot")


def test_a_bad_field_shows_its_error_beside_it(qtbot, make_session, make_widget, people, glycine):
    page = make_widget(BatchEditorPage, make_session(people["alex"]))
    page.start_new(glycine)
    type_glycine(qtbot, page)
    qtbot.waitUntil(lambda: page.last is not None and page.last.ok, timeout=5000)
    units = page.editor("units")
    units.selectAll()
    qtbot.keyClicks(units, "0")
    qtbot.waitUntil(lambda: page.fields["units"].error.text() != "", timeout=5000)
    assert "must be 1 or more" in page.fields["units"].error.text()
    assert page.computed.text("osmolarity") == "—"
    units.selectAll()
    qtbot.keyClicks(units, "")
    qtbot.keyClick(units, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: page.fields["units"].error.text() == "is required", timeout=5000)


def test_an_expired_component_lot_is_marked_in_its_cell(qtbot, make_session, make_widget, people, glycine):
    page = make_widget(BatchEditorPage, make_session(people["alex"]))
    page.start_new(glycine)
    type_glycine(qtbot, page)
    type_cell(qtbot, page, 0, "expiry", "2001-01-31")
    qtbot.waitUntil(lambda: (0, "expiry") in page.lots_model.errors(), timeout=5000)
    assert "expired 2001-01-31" in page.lots_errors.text()
    assert page.lots_errors.text().startswith("glycine, Expiry:")
