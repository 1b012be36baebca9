"""Start the desktop app: QApplication, error handling, opening the register, sign-in, main window.

This is the composition root: it builds the services (register, render adapter), the Session that
pages share, and the MainWindow. ``labelapp`` with no sub-command calls ``main()``.

Signing in (21 CFR 11.300): the sign-in is recorded in the register (last sign-in, account expiry);
a user whose password is temporary or expired must change it in ``ChangePasswordDialog`` before the
session starts in that name (cancelling signs out). After the register's ``idle_lock_minutes``
without input (``idle_lock.IdleWatcher``) the window locks: the pages are hidden, every other window
is covered, the signing key is dropped, and ``UnlockDialog`` asks the same user's password again
(or lets another user sign in); unlocking shows the window as it was.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from labelapp.gui.binding_check import check_bindings
from labelapp.gui.crash_handler import ExceptionHandler, setup_logging
from labelapp.gui.messages import in_words, log_caught
from labelapp.gui.widgets import message_box
from labelapp.gui.workers import run_task

if TYPE_CHECKING:
    from labelapp.domain.records import AuthenticatedUser
    from labelapp.gui.idle_lock import IdleWatcher, LockCover
    from labelapp.gui.main_window import MainWindow
    from labelapp.gui.session import Session
    from labelapp.services.register import Register

log = logging.getLogger(__name__)
STARTED = time.perf_counter()
D = TypeVar("D", bound=QDialog)
DEFAULT_IDLE_LOCK_MINUTES = 15  # when the register's setting cannot be read


def ui_settings() -> QSettings:
    """Workstation UI state (window geometry, printers, chosen stocks): never business settings."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "labelapp", "labelapp-gui")


def open_register(url: str | None = None) -> Register:
    from labelapp.services.register import Register

    return Register.open(url)


class Bootstrap(QObject):
    """Opens the register off the UI thread, then first start or sign-in, then the main window."""

    window_ready = Signal(object)  # MainWindow
    failed = Signal(str)

    def __init__(
        self,
        settings: QSettings,
        database_url: str | None = None,
        page_options: dict[str, dict[str, Any]] | None = None,
        parent: QObject | None = None,
        idle_lock_ms: int | None = None,
    ):
        """``idle_lock_ms``: lock after this many milliseconds without input instead of the register's
        ``idle_lock_minutes`` (tests)."""
        super().__init__(parent)
        self.settings = settings
        self.database_url = database_url
        self.page_options = page_options
        self.idle_lock_ms = idle_lock_ms
        self.register: Register | None = None
        self.session: Session | None = None
        self.window: MainWindow | None = None
        self.dialog: QDialog | None = None  # the open dialog (tests drive it)
        self._retired: QDialog | None = None
        self.idle: IdleWatcher | None = None
        self.locked = False
        self._covers: list[LockCover] = []

    def start(self) -> None:
        run_task(lambda: self._open(), self._opened, self)

    def _open(self) -> tuple[Register, bool]:
        register = open_register(self.database_url)
        has_users = register.accounts.has_users()
        # The pages are imported here, after the register, in this one thread: importing them on the
        # GUI thread at the same time raced the register's own lazy imports (pydantic's lazy
        # attributes) and once left a module half-initialised, so the app could not start.
        import labelapp.gui.main_window  # noqa: F401

        return register, has_users

    def _opened(self, result: tuple[Register, bool] | None, error: BaseException | None) -> None:
        if error is not None or result is None:
            self.failed.emit(f"The register cannot be opened: {in_words(error or RuntimeError())}")
            return
        register, has_users = result
        self.register = register
        self._first_start(register) if not has_users else self._sign_in()

    def _show(self, dialog: QDialog, on_finished: Callable[[int], None]) -> None:
        self.dialog = dialog
        dialog.finished.connect(on_finished)
        if self.locked or dialog.windowModality() == Qt.WindowModality.ApplicationModal:
            # Over the covered windows too (open() would make it modal to the main window only).
            dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
            dialog.show()
        else:
            dialog.open()

    def _first_start(self, register: Register) -> None:
        from labelapp.gui.dialogs.first_start import FirstStartDialog

        self._show(FirstStartDialog(register), self._first_start_done)

    def _retire(self, kind: type[D]) -> D:
        """The finished dialog: deleted later by Qt, never by Python while its signal is running."""
        dialog, self.dialog = self.dialog, None
        # By construction: each dialog's finished signal is connected (in _show) to the handler that
        # retires it, and no second dialog opens while one is open (each is modal to the window).
        assert isinstance(dialog, kind), f"expected the open {kind.__name__}, found {dialog!r}"
        self._retired = dialog
        dialog.deleteLater()
        return dialog

    def _first_start_done(self, code: int) -> None:
        from labelapp.gui.dialogs.first_start import FirstStartDialog

        dialog = self._retire(FirstStartDialog)
        if not code or dialog.admin is None or self.register is None:
            self.failed.emit("")
            return
        window = self._main_window(self.register, dialog.admin)
        for note in dialog.notes:
            message_box(window, QMessageBox.Icon.Warning, "First start", note).exec()
        if dialog.added_examples:
            self._approve_examples(self.register, window, dialog.account("pharmacist").username)

    def _approve_examples(self, register: Register, window: MainWindow, pharmacist: str) -> None:
        from labelapp.gui.dialogs.first_start import approve_examples_dialog

        self._show(approve_examples_dialog(register, pharmacist, window), self._examples_done)

    def _examples_done(self, _code: int) -> None:
        from labelapp.gui.dialogs.signature import SignatureDialog

        self._retire(SignatureDialog)
        if self.session is not None:
            self.session.formulas_changed.emit()

    def _sign_in(self) -> None:
        from labelapp.gui.dialogs.login import LoginDialog

        if self.register is None:  # not open (yet): there is nothing to sign in to
            return
        last_user = str(self.settings.value("login/last_user", ""))
        self._show(LoginDialog(self.register, self.register.location, last_user, self.window), self._signed_in)
        if self.window is None:
            QTimer.singleShot(0, self._build_window)

    def _build_window(self) -> None:
        """Build the main window, hidden, while the user types the password."""
        if self.window is None and self.register is not None:
            self._create_window(self.register)

    def _signed_in(self, code: int) -> None:
        from labelapp.gui.dialogs.login import LoginDialog

        dialog = self._retire(LoginDialog)
        if not code or dialog.user is None or self.register is None:
            if self.locked:
                self._ask_unlock()  # nobody else signed in: the window stays locked
            elif self.window is None or not self.window.isVisible():
                self.failed.emit("")
            return
        self.settings.setValue("login/last_user", dialog.user.username)
        self._accept(dialog.user)

    def _accept(self, user: AuthenticatedUser) -> None:
        """A user who authenticated: first a new password if the register asks for one, then the session."""
        from labelapp.gui.dialogs.change_password import ChangePasswordDialog

        if user.must_change_password and self.register is not None:
            self._show(ChangePasswordDialog(self.register, user, self._visible_window()), self._password_changed)
            return
        self._enter(user)

    def _password_changed(self, code: int) -> None:
        from labelapp.gui.dialogs.change_password import ChangePasswordDialog

        dialog = self._retire(ChangePasswordDialog)
        dialog.signed_in.forget_key()  # the user as signed in with the old password: never used
        if code and dialog.user is not None:
            self._enter(dialog.user)
        elif self.locked:
            self._ask_unlock()
        elif self.window is None or not self.window.isVisible():
            self.failed.emit("")  # cancelled at the first sign-in: signed out, and nothing to go back to
        else:
            self._sign_in()  # signed out: back to the sign-in dialog

    def _enter(self, user: AuthenticatedUser) -> None:
        """The session goes on (or starts) in ``user``'s name."""
        if self.register is None:
            return
        if self.locked:
            self._unlock(user)
        elif self.window is None or self.session is None or not self.window.isVisible():
            self._main_window(self.register, user)
        else:
            self.session.sign_in(user)
            self.arm_idle_lock()

    def _visible_window(self) -> MainWindow | None:
        return self.window if self.window is not None and self.window.isVisible() else None

    def _create_window(self, register: Register) -> tuple[Session, MainWindow]:
        from labelapp.gui.idle_lock import IdleWatcher
        from labelapp.gui.main_window import MainWindow
        from labelapp.gui.session import Session

        self.session = session = Session(register, self.settings, self)
        self.window = window = MainWindow(session, self.page_options)
        window.sign_in_requested.connect(self._sign_in)
        self.idle = IdleWatcher()
        self.idle.idle.connect(self.lock)
        session.settings_changed.connect(self.arm_idle_lock)  # idle_lock_minutes may have changed
        return session, window

    # ------------------------------------------------------------ idle lock

    def idle_lock_interval_ms(self) -> int:
        """The idle time before the window locks: the register's ``idle_lock_minutes``, read now."""
        if self.idle_lock_ms is not None:
            return self.idle_lock_ms
        minutes = DEFAULT_IDLE_LOCK_MINUTES
        if self.register is not None:
            try:
                minutes = self.register.settings.current().idle_lock_minutes
            except Exception as exc:  # noqa: BLE001 - lock at the default rather than never
                log_caught(log, exc, "reading the idle lock setting")
        return minutes * 60_000

    def arm_idle_lock(self) -> None:
        """(Re)start counting the idle time, with the setting as it is now (sign-in, settings change)."""
        if self.idle is not None and not self.locked and self.session is not None and self.session.user is not None:
            self.idle.start(self.idle_lock_interval_ms())

    def lock(self) -> None:
        """Hide the window's content and every other window, drop the signing key, ask the password."""
        from labelapp.gui.idle_lock import close_popups, cover_windows

        window, session = self.window, self.session
        if self.locked or window is None or session is None or session.user is None or not window.isVisible():
            return
        if self.idle is not None:
            self.idle.stop()
        self._abandon_dialog()
        close_popups()
        self.locked = True
        session.lock()
        window.lock(session.user, self.idle_lock_interval_ms() / 60_000)
        self._covers = cover_windows(keep=[window])
        self._ask_unlock()

    def _abandon_dialog(self) -> None:
        """A sign-in in progress (another user, a new password) gives way to the lock screen, which
        offers to sign in as another user itself."""
        from labelapp.gui.dialogs.change_password import ChangePasswordDialog

        dialog, self.dialog = self.dialog, None
        if dialog is None:
            return
        dialog.finished.disconnect()
        dialog.reject()
        if isinstance(dialog, ChangePasswordDialog):
            dialog.signed_in.forget_key()
        self._retired = dialog
        dialog.deleteLater()

    def _ask_unlock(self) -> None:
        from labelapp.gui.dialogs.unlock import UnlockDialog

        user = self.session.user if self.session is not None else None
        if self.register is None or user is None:
            return
        self._show(UnlockDialog(self.register, user.username, user.full_name, self.window), self._unlock_done)

    def _unlock_done(self, code: int) -> None:
        from labelapp.gui.dialogs.unlock import UnlockDialog

        dialog = self._retire(UnlockDialog)
        if dialog.switch_user:
            self._sign_in()
        elif code and dialog.user is not None:
            self._accept(dialog.user)
        else:
            self._ask_unlock()

    def _unlock(self, user: AuthenticatedUser) -> None:
        from labelapp.gui.idle_lock import uncover

        self.locked = False
        if self.session is not None:
            self.session.unlock(user)
        uncover(self._covers)
        self._covers = []
        if self.window is not None:
            self.window.unlock()
        self.arm_idle_lock()

    def _main_window(self, register: Register, user: AuthenticatedUser) -> MainWindow:
        if self.window is None or self.session is None:
            session, window = self._create_window(register)
        else:
            session, window = self.session, self.window
        session.sign_in(user)
        window.show()
        window.refresh_current()
        self.arm_idle_lock()
        self.window_ready.emit(window)
        return window

    def close(self) -> None:
        if self.idle is not None:
            self.idle.close()
            self.idle = None
        if self.register is not None:
            self.register.close()


def main(argv: list[str] | None = None) -> int:
    check_bindings()  # refuses (exit 2, one line) bindings that would crash a long session
    os.umask(0o077)  # every file the app writes (logs, exported PDFs, settings) is private to the user
    app = QApplication.instance() or QApplication(sys.argv if argv is None else argv)
    app.setApplicationName("labelapp")
    app.setOrganizationName("labelapp")
    setup_logging()
    handler = ExceptionHandler().install()
    boot = Bootstrap(ui_settings())

    def failed(text: str) -> None:
        if text:
            message_box(None, QMessageBox.Icon.Critical, "labelapp", text).exec()
        app.exit(1 if text else 0)

    boot.failed.connect(failed)
    boot.start()
    try:
        return app.exec()
    finally:
        boot.close()
        handler.uninstall()
