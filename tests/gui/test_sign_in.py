"""Signing in to the desktop app (21 CFR 11.300): the sign-in is recorded, a temporary password must be
changed before anything else (and cannot sign), the window locks after the idle time (content hidden,
key dropped) and unlocks with the password as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gui_helpers import GLYCINE, PASSWORDS
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

from labelapp.domain.errors import AuthenticationError
from labelapp.gui.app import Bootstrap
from labelapp.gui.dialogs.change_password import ChangePasswordDialog
from labelapp.gui.dialogs.login import LoginDialog
from labelapp.gui.dialogs.unlock import UnlockDialog
from labelapp.gui.idle_lock import LockCover
from labelapp.services.calculate import load_batch_file

TEMPORARY = "temporary-pass-0042"
NEW_PASSWORD = "alex-new-pass-0043"
LONG = 600_000  # ms: an idle time no test reaches


def fill(qtbot: Any, widget: QLineEdit, text: str) -> None:
    widget.clear()
    qtbot.keyClicks(widget, text)


def click_ok(qtbot: Any, dialog: Any) -> None:
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)


def new_batch_file() -> Any:
    example = load_batch_file(GLYCINE)
    return example.model_copy(update={"batch": example.batch.model_copy(update={"lot_number": None})})


@pytest.fixture
def boot(qtbot: Any, tmp_path: Path, ui_settings: Any, register: Any) -> Any:
    """The real app on the fixtures' register (people and the glycine formula, when a test asks for them)."""
    bootstrap = Bootstrap(ui_settings, f"sqlite:///{tmp_path / 'register.db'}", idle_lock_ms=LONG)
    yield bootstrap
    if bootstrap.window is not None:
        bootstrap.window.close()
        bootstrap.window.deleteLater()
    bootstrap.close()


def sign_in(qtbot: Any, boot: Bootstrap, username: str, password: str) -> None:
    qtbot.waitUntil(lambda: isinstance(boot.dialog, LoginDialog), timeout=10000)
    dialog = boot.dialog
    assert isinstance(dialog, LoginDialog)
    fill(qtbot, dialog.username, username)
    fill(qtbot, dialog.password, password)
    click_ok(qtbot, dialog)


def test_a_sign_in_in_the_window_is_in_the_audit_trail_signed_by_the_user(qtbot, boot, register, people):
    before = len(register.audit.entries())
    boot.start()
    sign_in(qtbot, boot, "alex", "not-alex-password")
    dialog = boot.dialog
    assert isinstance(dialog, LoginDialog)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10000)
    assert "user name or password is wrong" in dialog.error.text()
    sign_in(qtbot, boot, "alex", PASSWORDS["alex"])
    qtbot.waitUntil(lambda: boot.window is not None and boot.window.isVisible(), timeout=10000)
    qtbot.addWidget(boot.window)
    added = register.audit.entries()[before:]
    assert [(e.action, e.record_id, e.username, e.signer) for e in added] == [
        ("auth.failed", "alex", None, None),  # the wrong password, in nobody's name
        ("user.signed_in", "alex", "alex", "alex"),  # signed with alex's own key
    ]
    assert '"signed_in":true' in (added[1].new_value or "").replace(" ", "")
    assert added[1].signature is not None and added[0].signature is None
    user = register.accounts.get_user("alex")
    assert user.last_sign_in_at is not None and user.failed_attempts == 0
    verification = register.audit.verify()
    assert verification.ok, verification.problems


def test_a_reset_user_must_change_the_password_before_anything_else(qtbot, boot, register, people, glycine):
    batch = register.batches.new(new_batch_file(), people["alex"])
    register.accounts.reset_password("alex", TEMPORARY, people["admin"], "forgot the password")
    boot.start()
    sign_in(qtbot, boot, "alex", TEMPORARY)
    qtbot.waitUntil(lambda: isinstance(boot.dialog, ChangePasswordDialog), timeout=10000)
    dialog = boot.dialog
    assert isinstance(dialog, ChangePasswordDialog)
    assert dialog.reason.text().startswith("Your password was reset by an administrator (temporary)")
    assert boot.window is None or not boot.window.isVisible()  # nothing of the app before the change
    assert boot.session is None or boot.session.user is None
    assert register.accounts.get_user("alex").last_sign_in_at is not None  # the sign-in was recorded

    with pytest.raises(AuthenticationError, match="temporary password: change it first"):
        register.batches.new(new_batch_file(), dialog.signed_in)  # no write in that name
    with pytest.raises(AuthenticationError, match="before signing anything"):
        register.batches.sign(batch.id, "alex", TEMPORARY, "performed")  # and no e-signature

    current, new, again = dialog.edits()
    fill(qtbot, current, "not-the-password")
    fill(qtbot, new, NEW_PASSWORD)
    fill(qtbot, again, NEW_PASSWORD)
    click_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: "user name or password is wrong" in dialog.current.errors(), timeout=10000)
    fill(qtbot, current, TEMPORARY)
    fill(qtbot, again, "something-else-0044")
    click_ok(qtbot, dialog)
    assert "differ" in dialog.again.errors()
    fill(qtbot, new, "short")
    fill(qtbot, again, "short")
    click_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: "at least 10 characters" in dialog.new.errors(), timeout=10000)
    assert not dialog.current.errors()

    fill(qtbot, new, NEW_PASSWORD)
    fill(qtbot, again, NEW_PASSWORD)
    click_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: boot.window is not None and boot.window.isVisible(), timeout=10000)
    user = boot.session.user
    assert (user.username, user.must_change_password, user.signing_key is not None) == ("alex", False, True)
    assert dialog.signed_in.signing_key is None  # the temporary sign-in's key is gone
    signature = register.batches.sign(batch.id, "alex", NEW_PASSWORD, "performed")
    assert signature.printed_name == "Alex Rivera"


def test_cancelling_the_password_change_signs_out(qtbot, boot, register, people):
    register.accounts.reset_password("alex", TEMPORARY, people["admin"], "forgot the password")
    boot.start()
    sign_in(qtbot, boot, "sam", PASSWORDS["sam"])
    qtbot.waitUntil(lambda: boot.window is not None and boot.window.isVisible(), timeout=10000)
    qtbot.addWidget(boot.window)
    boot.window.sign_in_requested.emit()  # File > Sign in as another user
    sign_in(qtbot, boot, "alex", TEMPORARY)
    qtbot.waitUntil(lambda: isinstance(boot.dialog, ChangePasswordDialog), timeout=10000)
    changing = boot.dialog
    changing.reject()  # "Sign out"
    assert isinstance(boot.dialog, LoginDialog)  # back to the sign-in dialog
    assert changing.signed_in.signing_key is None
    assert boot.session.username == "sam"  # alex never got a session
    boot.dialog.reject()
    assert boot.session.username == "sam" and boot.dialog is None


def test_cancelling_the_password_change_at_the_first_sign_in_quits(qtbot, boot, register, people):
    register.accounts.reset_password("alex", TEMPORARY, people["admin"], "forgot the password")
    boot.start()
    sign_in(qtbot, boot, "alex", TEMPORARY)
    qtbot.waitUntil(lambda: isinstance(boot.dialog, ChangePasswordDialog), timeout=10000)
    with qtbot.waitSignal(boot.failed, timeout=5000) as quit_signal:
        boot.dialog.reject()
    assert quit_signal.args == [""]  # quit without a message
    assert boot.window is None or not boot.window.isVisible()


def test_the_idle_lock_hides_the_window_drops_the_key_and_unlocks_as_it_was(qtbot, boot, register, people, glycine):
    boot.start()
    sign_in(qtbot, boot, "alex", PASSWORDS["alex"])
    qtbot.waitUntil(lambda: boot.window is not None and boot.window.isVisible(), timeout=10000)
    window = boot.window
    qtbot.addWidget(window)
    assert boot.idle.is_running() and boot.idle.timeout_ms == LONG
    window.start_batch(register.formulas.get("GLY-50-30"))
    editor = window.page("editor")
    units = editor.editor("units")
    fill(qtbot, units, "123")  # typed, not saved
    formulas = window.page("formulas")
    formulas.refresh()
    formulas.select("GLY-50-30", "1")
    formulas.new_version()  # a dialog showing the formula, open over the window
    text_dialog = formulas.dialog
    qtbot.waitUntil(text_dialog.isVisible, timeout=5000)
    text_dialog.editor.setPlainText(text_dialog.editor.toPlainText() + " ")

    boot.idle_lock_ms = 300  # as if idle_lock_minutes were changed in the settings
    boot.session.settings_changed.emit()
    qtbot.waitUntil(lambda: boot.locked, timeout=20000)
    assert window.is_locked() and window.lock_screen.isVisible()
    assert not window.splitter.isVisible() and not editor.isVisible()
    inputs = [w for w in window.findChildren(QLineEdit) + window.findChildren(QPlainTextEdit) if w.window() is window]
    assert inputs and not any(w.isVisible() for w in inputs)  # in the window itself (dialogs are windows)
    assert "Alex Rivera (alex)" in window.lock_screen.who.text()
    assert not any(a.isEnabled() for a in window.menuBar().actions())  # no menu, no shortcut
    covers = text_dialog.findChildren(LockCover)
    assert len(covers) == 1 and covers[0].isVisible() and covers[0].geometry() == text_dialog.rect()  # covered
    user = boot.session.user
    assert user.username == "alex" and user.signing_key is None  # the key is dropped
    with pytest.raises(AuthenticationError, match="sign in again"):
        register.batches.new(new_batch_file(), user)
    with pytest.raises(AuthenticationError, match="locked"):
        boot.session.require_user()

    unlock = boot.dialog
    assert isinstance(unlock, UnlockDialog) and unlock.isVisible()
    assert unlock.windowModality() == Qt.WindowModality.ApplicationModal
    unlock.reject()  # Escape does not unlock
    assert boot.locked and unlock.isVisible()
    fill(qtbot, unlock.password, "wrong-password")
    qtbot.mouseClick(unlock.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "user name or password is wrong" in unlock.error.text(), timeout=10000)
    assert boot.locked
    boot.idle_lock_ms = LONG
    fill(qtbot, unlock.password, PASSWORDS["alex"])
    qtbot.mouseClick(unlock.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not boot.locked, timeout=10000)

    assert not window.is_locked() and editor.isVisible() and units.isVisible()
    assert units.text() == "123" and window.current_page() == "editor"  # as it was
    assert text_dialog.isVisible() and text_dialog.editor.toPlainText().endswith(" ")
    assert not any(c.isVisible() for c in text_dialog.findChildren(LockCover))
    assert all(a.isEnabled() for a in window.menuBar().actions())
    again = boot.session.user
    assert again.username == "alex" and again.signing_key is not None
    assert boot.idle.is_running() and boot.idle.timeout_ms == LONG
    text_dialog.reject()


def test_another_user_can_sign_in_at_the_lock_screen(qtbot, boot, register, people, glycine):
    boot.start()
    sign_in(qtbot, boot, "alex", PASSWORDS["alex"])
    qtbot.waitUntil(lambda: boot.window is not None and boot.window.isVisible(), timeout=10000)
    qtbot.addWidget(boot.window)
    boot.window.sign_in_requested.emit()  # someone opened File > Sign in as another user, then left
    pending = boot.dialog
    assert isinstance(pending, LoginDialog) and pending.isVisible()
    boot.lock()
    unlock = boot.dialog
    assert isinstance(unlock, UnlockDialog)
    assert not pending.isVisible()  # the lock screen offers that itself
    qtbot.mouseClick(unlock.other_button, Qt.MouseButton.LeftButton)
    assert isinstance(boot.dialog, LoginDialog)
    boot.dialog.reject()  # nobody signed in: still locked, the prompt is back
    assert boot.locked and isinstance(boot.dialog, UnlockDialog)
    qtbot.mouseClick(boot.dialog.other_button, Qt.MouseButton.LeftButton)
    sign_in(qtbot, boot, "sam", PASSWORDS["sam"])
    qtbot.waitUntil(lambda: not boot.locked, timeout=10000)
    assert boot.session.username == "sam" and not boot.window.is_locked()
    assert boot.session.user.signing_key is not None


def test_the_idle_time_is_the_register_setting_read_at_sign_in_and_after_a_change(
    qtbot, tmp_path, ui_settings, register, people
):
    app = Bootstrap(ui_settings, f"sqlite:///{tmp_path / 'register.db'}")
    app.register = register
    assert app.idle_lock_interval_ms() == 15 * 60_000  # the default, idle_lock_minutes
    register.settings.update(people["admin"], {"idle_lock_minutes": 5})
    assert app.idle_lock_interval_ms() == 5 * 60_000
