"""The installed Qt bindings keep their references: long sessions must not abort the interpreter."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from labelapp.gui import binding_check as qtfix


class Emitter(QObject):
    changed = Signal(object, object)


def test_installed_bindings_do_not_drop_references_to_none():
    assert not qtfix.bindings_drop_references(), "pyproject.toml must pin a PySide6 that keeps references"
    qtfix.check_bindings()  # and the start-up check lets the app start


def test_many_void_calls_and_emits_do_not_abort_the_interpreter(qtbot):
    source = Emitter()
    seen = []
    source.changed.connect(lambda a, b: seen.append(a))
    before = sys.getrefcount(None)
    for n in range(200_000):  # with PySide6 6.12.0 on 3.11, CPython aborts after some thousands
        source.changed.emit(n, None)
        source.setObjectName("x")
    assert len(seen) == 200_000
    assert sys.getrefcount(None) >= before - 100
