from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt

from labelapp.gui.main_window import PAGES, MainWindow


def test_pages_are_reachable_with_ctrl_number(qtbot, make_session, make_widget, people, glycine):
    window = make_widget(MainWindow, make_session(people["alex"]))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    for number, name in enumerate(PAGES, start=1):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier)
        assert window.current_page() == name
    assert "Alex Rivera (alex, technician)" in window.user_label.text()


def test_window_geometry_and_page_are_remembered(qtbot, make_session, people, glycine, ui_settings):
    session = make_session(people["alex"])
    first = MainWindow(session)
    qtbot.addWidget(first)
    first.resize(790, 600)
    first.show()
    first.show_page("archive")
    first.close()
    assert isinstance(ui_settings.value("window/main/geometry"), QByteArray)
    second = MainWindow(session)
    qtbot.addWidget(second)
    second.show()
    assert (second.width(), second.height()) == (790, 600)
    assert second.current_page() == "archive"


def test_batches_page_finds_a_saved_batch(qtbot, make_session, make_widget, people, glycine, register):
    from gui_helpers import GLYCINE

    from labelapp.services.calculate import load_batch_file

    example = load_batch_file(GLYCINE)
    batch = example.model_copy(update={"batch": example.batch.model_copy(update={"lot_number": None})})
    record = register.batches.new(batch, people["alex"])
    window = make_widget(MainWindow, make_session(people["alex"]))
    window.show_page("batches")
    page = window.page("batches")
    assert page.model.rowCount() == 1
    qtbot.keyClicks(page.search, "no such lot")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=5000)
    page.search.clear()
    qtbot.keyClicks(page.search, record.lot_number)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    page.view.selectRow(0)
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    assert window.current_page() == "editor"
    assert window.page("editor").lot_label.text() == record.lot_number
    assert window.page("verify").batch_id == record.id
