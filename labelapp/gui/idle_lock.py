"""The idle lock (21 CFR 11.300): after the register's ``idle_lock_minutes`` without keyboard or mouse
input, the window's content is replaced by a lock screen and the password is asked again.

``IdleWatcher`` is an application-wide event filter: every key press, click, wheel turn or real mouse
move in any window of the app restarts the clock (an elapsed timer, so the filter does no more
than note the moment); a single-shot QTimer checks when the time may be up and emits ``idle``
once. The composition root (``gui.app.Bootstrap``) locks: ``MainWindow.lock`` swaps the page stack
for ``LockScreen`` (the pages are hidden, not painted over) and ``cover_windows`` puts an opaque
cover over every other window of the app (an open dialog keeps its state under it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEvent, QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent, QPalette
from PySide6.QtWidgets import QApplication, QToolTip, QVBoxLayout, QWidget

from labelapp.gui.widgets import heading, plain_label

if TYPE_CHECKING:
    from labelapp.domain.records import AuthenticatedUser

T = QEvent.Type
INPUT_EVENTS = frozenset(
    {
        T.KeyPress,
        T.KeyRelease,
        T.MouseButtonPress,
        T.MouseButtonRelease,
        T.MouseButtonDblClick,
        T.MouseMove,
        T.Wheel,
        T.TouchBegin,
        T.TouchUpdate,
        T.TabletPress,
        T.TabletMove,
        T.InputMethod,
    }
)


class IdleWatcher(QObject):
    """Emits ``idle`` once, ``timeout_ms`` after the last keyboard or mouse input in the application.

    It belongs to the QApplication (never to a Python object whose collection could delete it while
    Qt is calling its filter) and is removed by ``close``."""

    idle = Signal()

    def __init__(self) -> None:
        super().__init__(QCoreApplication.instance())
        self._timeout_ms = 0
        self._since = QElapsedTimer()
        self._last_pos: QPointF | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def timeout_ms(self) -> int:
        return self._timeout_ms

    def is_running(self) -> bool:
        return self._timer.isActive()

    def start(self, timeout_ms: int) -> None:
        """Count ``timeout_ms`` of inactivity from now (again, if it was running)."""
        self._timeout_ms = max(1, int(timeout_ms))
        self._since.start()
        self._timer.start(self._timeout_ms)

    def stop(self) -> None:
        self._timer.stop()

    def close(self) -> None:
        """Stop watching for good: out of the application's event filters, deleted by Qt."""
        self._timer.stop()
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.deleteLater()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._timer.isActive() and event.type() in INPUT_EVENTS and self._is_input(event):
            self._since.restart()
        return False  # only watching: every event goes on to its widget

    def _is_input(self, event: QEvent) -> bool:
        if isinstance(event, QMouseEvent) and event.type() == T.MouseMove:
            # Qt also sends moves when a widget appears under a resting pointer: only a new position counts.
            pos = event.globalPosition()
            if pos == self._last_pos:
                return False
            self._last_pos = pos
        return True

    def _check(self) -> None:
        remaining = self._timeout_ms - self._since.elapsed()
        if remaining > 0:
            self._timer.start(int(remaining))
            return
        self.idle.emit()


def close_popups() -> None:
    """Menus, combo-box lists and tooltips open at lock time (they may show a batch's values)."""
    QToolTip.hideText()
    for _ in range(20):  # nested popups close one at a time
        popup = QApplication.activePopupWidget()
        if popup is None:
            return
        popup.close()


class LockCover(QWidget):
    """An opaque widget over the whole of another window while the app is locked."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setObjectName("lock_cover")
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_NoMousePropagation)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        text = plain_label("labelapp is locked.")
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(text)
        layout.addStretch(1)
        self.setGeometry(window.rect())
        window.installEventFilter(self)
        self.raise_()
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parent() and event.type() in (T.Resize, T.LayoutRequest, T.ChildAdded):
            parent = self.parentWidget()
            if parent is not None:
                self.setGeometry(parent.rect())
                self.raise_()
        return False

    def remove(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            parent.removeEventFilter(self)
        self.hide()
        self.deleteLater()


def cover_windows(keep: list[QWidget]) -> list[LockCover]:
    """Cover every visible window of the app but ``keep`` (the main window has its own lock screen)."""
    return [
        LockCover(window)
        for window in QApplication.topLevelWidgets()
        if window.isVisible()
        and window not in keep
        and window.windowType() not in (Qt.WindowType.ToolTip, Qt.WindowType.Popup)
    ]


def uncover(covers: list[LockCover]) -> None:
    for cover in covers:
        try:
            cover.remove()
        except RuntimeError:  # its window was closed and deleted while locked
            pass


class LockScreen(QWidget):
    """What the main window shows while locked: who was signed in, nothing of the register."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lock_screen")
        self.title = heading("labelapp is locked")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.who = plain_label("", "lock_who")
        self.who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.who.setWordWrap(True)
        self.why = plain_label("", "lock_why")
        self.why.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.why.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        for widget in (self.title, self.who, self.why):
            layout.addWidget(widget)
        layout.addStretch(3)

    def show_user(self, user: AuthenticatedUser | None, minutes: float | None = None) -> None:
        self.who.setText(f"Signed in: {user.full_name} ({user.username})" if user else "Nobody is signed in.")
        after = f" after {minutes:g} minutes without input" if minutes else ""
        self.why.setText(
            f"The window was locked{after}. What was on screen is hidden and the signing key is closed "
            "until the password is typed again; nothing typed has been lost."
        )
