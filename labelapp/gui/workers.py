"""Background work on the global QThreadPool; results come back on the main thread.

Rule (Picard's AGENTS.md): a worker never touches a widget. ``run_task`` runs ``fn`` in the pool
and calls ``on_done(result, error)`` in the thread that owns ``receiver`` (the GUI thread).
``LatestTask`` adds a debounce and drops every result but the newest, for live previews.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from labelapp.gui.messages import log_caught

log = logging.getLogger(__name__)

T = TypeVar("T")
Callback = Callable[[T | None, BaseException | None], None]  # (result, error): result is None on error


class _Relay(QObject):
    """Lives in the receiver's thread; the queued signal carries the result across threads."""

    finished = Signal(object, object)

    def __init__(self, on_done: Callback[Any], parent: QObject | None = None):
        super().__init__(parent)
        self._on_done = on_done
        self.finished.connect(self._deliver)

    @Slot(object, object)
    def _deliver(self, result: object, error: BaseException | None) -> None:
        try:
            self._on_done(result, error)
        finally:
            self.deleteLater()


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[], object], relay: _Relay):
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        result: object = None
        error: BaseException | None = None
        try:
            result = self._fn()
        except BaseException as exc:  # noqa: BLE001 - logged here (with its traceback), shown in words by on_done
            log_caught(log, exc, f"background task {getattr(self._fn, '__qualname__', self._fn)!s}")
            error = exc
        try:
            self._relay.finished.emit(result, error)
        except RuntimeError:  # the receiver was deleted while the task ran: nobody is waiting
            log.debug("result dropped: receiver gone")


def run_task(
    fn: Callable[[], T], on_done: Callback[T], receiver: QObject | None = None, pool: QThreadPool | None = None
) -> None:
    """Run ``fn()`` off the GUI thread; ``on_done(result, error)`` runs in ``receiver``'s thread."""
    relay = _Relay(on_done, receiver)
    (pool or QThreadPool.globalInstance()).start(_Runnable(fn, relay))


class LatestTask(QObject):
    """Debounced background job where only the newest request's result is delivered.

    Leading and trailing edge: a request after a quiet spell runs at once (a single keystroke shows
    its result without waiting); requests during the following ``delay_ms`` are coalesced and only the
    last one runs when typing pauses. A result whose request has been overtaken by a newer one is
    dropped, so the view never goes back in time.
    """

    started = Signal()
    done = Signal(object, object)  # result, error (newest request only)

    def __init__(self, delay_ms: int = 150, parent: QObject | None = None, pool: QThreadPool | None = None):
        super().__init__(parent)
        self._pool = pool
        self._timer = QTimer(self, singleShot=True, interval=delay_ms)
        self._timer.timeout.connect(self._quiet)
        self._pending: Callable[[], object] | None = None
        self._generation = 0
        self._running = 0

    @property
    def busy(self) -> bool:
        """A request is waiting or running: what is shown may not belong to the newest input."""
        return self._running > 0 or self._pending is not None

    def request(self, fn: Callable[[], object], immediately: bool = False) -> None:
        self._pending = fn
        self._generation += 1
        if immediately:
            self._timer.stop()
            self._launch()
        elif self._timer.isActive():
            self._timer.start()  # still typing: coalesce, run when it pauses
        else:
            self._launch()  # first request after a pause: at once
            self._timer.start()

    def _quiet(self) -> None:
        if self._pending is not None:
            self._launch()
            self._timer.start()

    def _launch(self) -> None:
        fn, self._pending = self._pending, None
        if fn is None:
            return
        generation = self._generation
        self._running += 1
        self.started.emit()
        run_task(fn, lambda result, error: self._finish(generation, result, error), self, self._pool)

    def _finish(self, generation: int, result: object, error: BaseException | None) -> None:
        self._running -= 1
        if generation == self._generation:
            self.done.emit(result, error)
        else:
            log.debug("stale result %d dropped (newest %d)", generation, self._generation)
