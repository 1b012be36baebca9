from __future__ import annotations

from PySide6.QtCore import Qt
from test_batch_editor import type_glycine

from labelapp.gui.pages.batch_editor import BatchEditorPage
from labelapp.gui.pages.preview import PreviewPage


def test_preview_follows_the_units_typed(qtbot, make_session, make_widget, people, glycine):
    session = make_session(people["alex"])
    editor = make_widget(BatchEditorPage, session)
    preview = make_widget(PreviewPage, session)
    editor.evaluated.connect(preview.show_evaluation)
    editor.start_new(glycine)
    type_glycine(qtbot, editor)
    qtbot.waitUntil(lambda: preview.current() is not None and preview.current().count == 102, timeout=10000)
    first = preview.current()
    assert first.stock == "roll-vial-30ml"  # the facility's default stock for 30 mL vials
    assert first.pdf.startswith(b"%PDF")
    assert preview.viewer.page_count() == first.pages
    units = editor.editor("units")
    units.selectAll()
    qtbot.keyClicks(units, "40")
    qtbot.waitUntil(lambda: preview.current() is not None and preview.current().count == 42, timeout=10000)
    assert preview.current().pdf != first.pdf
    assert "42 on" in preview.state.text()


def test_preview_goes_blank_while_the_batch_has_problems(qtbot, make_session, make_widget, people, glycine):
    session = make_session(people["alex"])
    editor = make_widget(BatchEditorPage, session)
    preview = make_widget(PreviewPage, session)
    editor.evaluated.connect(preview.show_evaluation)
    editor.start_new(glycine)
    type_glycine(qtbot, editor)
    qtbot.waitUntil(lambda: preview.current() is not None, timeout=10000)
    units = editor.editor("units")
    units.selectAll()
    qtbot.keyClicks(units, "x")
    qtbot.waitUntil(lambda: preview.current() is None and preview.problem.isVisible(), timeout=10000)
    assert not preview.print_button.isEnabled()


def test_a_stock_too_small_is_refused_with_the_next_one_that_fits(qtbot, make_session, make_widget, people, glycine):
    session = make_session(people["alex"])
    editor = make_widget(BatchEditorPage, session)
    preview = make_widget(PreviewPage, session)
    editor.evaluated.connect(preview.show_evaluation)
    editor.start_new(glycine)
    type_glycine(qtbot, editor)
    qtbot.waitUntil(lambda: preview.current() is not None, timeout=10000)
    preview.set_stock("roll-vial-2ml")
    qtbot.waitUntil(lambda: preview.use_suggested.isVisible(), timeout=10000)
    assert "does not fit on stock roll-vial-2ml" in preview.problem.text()
    assert preview.current() is None and not preview.print_button.isEnabled()
    qtbot.mouseClick(preview.use_suggested, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: preview.current() is not None and preview.current().stock == "roll-vial-2ml-wrap-flag", timeout=10000
    )
