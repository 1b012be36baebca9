"""Window geometry and layout state in QSettings ("persist" data, never business settings)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter, QWidget


def save_geometry(settings: QSettings, key: str, widget: QWidget) -> None:
    settings.setValue(f"window/{key}/geometry", widget.saveGeometry())
    if isinstance(widget, QMainWindow):
        settings.setValue(f"window/{key}/state", widget.saveState())


def restore_geometry(settings: QSettings, key: str, widget: QWidget) -> bool:
    geometry = settings.value(f"window/{key}/geometry")
    restored = isinstance(geometry, QByteArray) and widget.restoreGeometry(geometry)
    if isinstance(widget, QMainWindow):
        state = settings.value(f"window/{key}/state")
        if isinstance(state, QByteArray):
            widget.restoreState(state)
    return bool(restored)


def save_splitter(settings: QSettings, key: str, splitter: QSplitter) -> None:
    settings.setValue(f"splitter/{key}", splitter.saveState())


def restore_splitter(settings: QSettings, key: str, splitter: QSplitter) -> None:
    state = settings.value(f"splitter/{key}")
    if isinstance(state, QByteArray):
        splitter.restoreState(state)
