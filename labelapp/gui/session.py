"""What every page shares: the register (the service), who is signed in, workstation settings.

Pages get a ``Session`` through their constructor (composition root: ``gui.app``). The session
owns no rules: it forwards to ``labelapp.services`` and announces changes with signals so pages
refresh themselves.
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

    def __init__(self, register: Register, ui_settings: QSettings, parent: QObject | None = None):
        super().__init__(parent)
        self.register = register
        self.ui_settings = ui_settings
        self._user: AuthenticatedUser | None = None

    @property
    def user(self) -> AuthenticatedUser | None:
        return self._user

    @property
    def username(self) -> str:
        return self._user.username if self._user else ""

    def sign_in(self, user: AuthenticatedUser | None) -> None:
        self._user = user
        self.user_changed.emit(user)

    def require_user(self) -> AuthenticatedUser:
        from labelapp.domain.errors import AuthenticationError

        if self._user is None:
            raise AuthenticationError("nobody is signed in; sign in first (File > Sign in)")
        return self._user
