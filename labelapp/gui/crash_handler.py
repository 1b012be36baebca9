"""Unhandled exceptions: logged with their traceback, shown to the user in words, the app goes on.

Nothing is closed or reset, so what was typed stays in the form. Re-entrant errors (an error while
the message is shown) are logged only.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

log = logging.getLogger("labelapp.gui")


def log_file() -> Path:
    import platformdirs

    return Path(platformdirs.user_log_dir("labelapp", appauthor=False)) / "labelapp.log"


def setup_logging(path: Path | None = None) -> Path:
    """The app's log, private to the user (0700 folder, 0600 files): it may name lots and users."""
    path = path or log_file()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    os.close(os.open(path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


class ExceptionHandler:
    """``sys.excepthook`` for the GUI: log, then a dialog in words (never a traceback)."""

    def __init__(self, show: bool = True):
        self.show = show
        self.showing = False
        self.last_message = ""
        self._previous = sys.excepthook
        self._previous_thread_hook = threading.excepthook

    def install(self) -> "ExceptionHandler":
        sys.excepthook = self
        threading.excepthook = self._thread_hook
        return self

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:  # documented as possible: only the type is known
            log.error("unexpected %s in thread %s", args.exc_type.__name__, args.thread)
            return
        self(args.exc_type, args.exc_value, args.exc_traceback)

    def uninstall(self) -> None:
        sys.excepthook = self._previous
        threading.excepthook = self._previous_thread_hook

    def __call__(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        from labelapp.gui.messages import in_words, is_expected

        if issubclass(exc_type, KeyboardInterrupt):
            self._previous(exc_type, exc, tb)
            return
        if is_expected(exc):
            log.warning("refused: %s", exc)
        else:
            log.error("unexpected error", exc_info=(exc_type, exc, tb))
        self.last_message = in_words(exc)
        if self.show and not self.showing and threading.current_thread() is threading.main_thread():
            self._dialog(self.last_message)

    def _dialog(self, text: str) -> None:
        from PySide6.QtWidgets import QApplication, QMessageBox

        from labelapp.gui.widgets import message_box

        if QApplication.instance() is None:
            return
        self.showing = True
        try:
            box = message_box(
                QApplication.activeWindow(),
                QMessageBox.Icon.Warning,
                "labelapp",
                text,
                f"What you typed is still there. Details for support: {log_file()}",
            )
            box.exec()
        finally:
            self.showing = False
