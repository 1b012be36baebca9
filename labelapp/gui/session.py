"""What every page shares: the register (the service), who is signed in, workstation settings.

Pages get a ``Session`` through their constructor (composition root: ``gui.app``). The session
owns no rules: it forwards to ``labelapp.services`` and announces changes with signals so pages
refresh themselves.

The signed-in user carries the unsealed signing key. Signing someone else in drops the previous
user's key; locking (``lock``, after the idle time) drops the key and keeps who was signed in, so
the lock screen can ask that user's password again (``unlock`` with the user signed in anew).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal

if TYPE_CHECKING:
    from labelapp.domain.records import AuthenticatedUser
    from labelapp.services.register import Register


class Session(QObject):
    user_changed = Signal(object)  # AuthenticatedUser | None
    batches_changed = Signal()
    formulas_changed = Signal()
    archive_changed = Signal()
    settings_changed = Signal()
    open_batch_requested = Signal(int)  # batch id
    new_batch_requested = Signal(int)  # formula record id
    locked_changed = Signal(bool)

    def __init__(self, register: Register, ui_settings: QSettings, parent: QObject | None = None):
        super().__init__(parent)
        self.register = register
        self.ui_settings = ui_settings
        self._user: AuthenticatedUser | None = None
        self.locked = False

    @property
    def user(self) -> AuthenticatedUser | None:
        return self._user

    @property
    def username(self) -> str:
        return self._user.username if self._user else ""

    def sign_in(self, user: AuthenticatedUser | None) -> None:
        previous, self._user = self._user, user
        if previous is not None and previous is not user:
            previous.forget_key()  # signed out: nothing more is signed in that user's name here
        self.user_changed.emit(user)

    def lock(self) -> None:
        """The workstation was left alone: drop the signing key until the password is typed again."""
        if self._user is not None:
            self._user.forget_key()
        self.locked = True
        self.locked_changed.emit(True)

    def unlock(self, user: AuthenticatedUser) -> None:
        """``user`` (the same person, or another) authenticated again: the session goes on in that name."""
        self.locked = False
        self.sign_in(user)
        self.locked_changed.emit(False)

    def require_user(self) -> AuthenticatedUser:
        from labelapp.domain.errors import AuthenticationError

        if self._user is None:
            raise AuthenticationError("nobody is signed in; sign in first (File > Sign in)")
        if self.locked:
            raise AuthenticationError("labelapp is locked: type your password to unlock it first")
        return self._user
