"""Text people type (printed names, reasons, product names) is shown as typed: no label of the app
interprets it as rich text, so a name such as ``<b>…</b> <img src=x>`` is never rendered as markup."""

from __future__ import annotations

from typing import Any

from gui_helpers import GLYCINE
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from labelapp.gui.dialogs.change_password import ChangePasswordDialog
from labelapp.gui.dialogs.first_start import FirstStartDialog
from labelapp.gui.dialogs.login import LoginDialog
from labelapp.gui.dialogs.new_batch import NewBatchDialog
from labelapp.gui.dialogs.reconciliation import ReconciliationDialog
from labelapp.gui.dialogs.reset_password import ResetPasswordDialog
from labelapp.gui.dialogs.signature import SignatureDialog
from labelapp.gui.dialogs.text_editor import TextEditorDialog
from labelapp.gui.dialogs.unlock import UnlockDialog
from labelapp.gui.main_window import PAGES, MainWindow
from labelapp.gui.messages import plain_tooltip
from labelapp.gui.models.records import SignatureTableModel
from labelapp.gui.widgets import message_box

NAME = "<b>Bold</b> <img src=x> Ng"  # a printed name that rich text would render as bold text and an image


def rich_labels(widget: QWidget) -> list[str]:
    """Every label under ``widget`` that would guess or render rich text."""
    return [
        f"{type(label).__name__} {label.objectName()!r}: {label.text()[:60]!r}"
        for label in widget.findChildren(QLabel)
        if label.textFormat() != Qt.TextFormat.PlainText
    ]


def labels_showing(widget: QWidget, text: str) -> list[QLabel]:
    return [label for label in widget.findChildren(QLabel) if text in label.text()]


def test_a_name_with_markup_is_shown_as_typed_everywhere(qtbot, make_session, make_widget, register, people, glycine):
    register.accounts.create_user("ng", NAME, "pharmacist", "ng-pass-000042", actor=people["admin"])
    ng = register.accounts.authenticate("ng", "ng-pass-000042")
    assert ng.full_name == NAME
    window = make_widget(MainWindow, make_session(ng))
    assert window.user_label.text() == f"Signed in: {NAME} (ng, pharmacist)"
    assert window.windowTitle() == f"labelapp — {NAME}"
    for name in PAGES:  # every page, refreshed with the register's data
        window.show_page(name)
    settings = window.page("settings")
    cells = [settings.users.item(r, 1).text() for r in range(settings.users.rowCount())]
    assert NAME in cells  # table cells are drawn as plain text by their delegate
    window.lock(ng)
    assert window.lock_screen.who.text() == f"Signed in: {NAME} (ng)"
    assert labels_showing(window, NAME), "the name is on the status bar and the lock screen"
    assert rich_labels(window) == []
    window.unlock()

    formula = register.formulas.get("GLY-50-30")
    dialogs: list[Any] = [
        UnlockDialog(register, "ng", NAME),
        ChangePasswordDialog(register, ng.model_copy(update={"password_change_reason": "temporary"})),
        ResetPasswordDialog("ng", NAME, lambda _p, _r: None),
        SignatureDialog("Approve", f"As pharmacist, I ({NAME}) approve it.", "approved", lambda *_: None, "ng"),
        LoginDialog(register, register.location, "ng"),
        ReconciliationDialog(104, "GLY-260101-001", lambda *_: None),
        TextEditorDialog("New version", f"Edit the formula of {NAME}.", "{}", lambda text: text),
        NewBatchDialog([formula]),
        FirstStartDialog(register),
        message_box(None, QMessageBox.Icon.Warning, "First start", f"{NAME}: not created", f"{NAME} again"),
    ]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        assert rich_labels(dialog) == [], type(dialog).__name__
    shown = [label.text() for d in dialogs for label in labels_showing(d, NAME)]
    assert len(shown) >= 6 and all(NAME in text for text in shown)


def test_tooltips_of_records_are_escaped(qtbot, register, people, glycine):

    from labelapp.services.calculate import load_batch_file

    register.accounts.create_user("ng", NAME, "technician", "ng-pass-000042", actor=people["admin"])
    ng = register.accounts.authenticate("ng", "ng-pass-000042")
    example = load_batch_file(GLYCINE)
    batch = register.batches.new(
        example.model_copy(update={"batch": example.batch.model_copy(update={"lot_number": None})}), ng
    )
    reason = f"{NAME} typed a comment long enough for a tooltip"
    signature = register.batches.sign(batch.id, "ng", "ng-pass-000042", "performed", reason)
    model = SignatureTableModel()
    model.set_rows([signature])
    assert model.data(model.index(0, 1)) == f"{NAME} (ng)"  # shown as typed
    tip = model.data(model.index(0, 5), Qt.ItemDataRole.ToolTipRole)
    assert tip == plain_tooltip(reason) and "<b>" not in tip and "&lt;b&gt;Bold&lt;/b&gt;" in tip
