"""PySide6 6.12 on Python 3.11 returns None/True/False without a reference; labelapp.gui pins them."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

import labelapp.gui  # noqa: F401 - importing the package pins the singletons
from labelapp.gui import qtfix


class Emitter(QObject):
    changed = Signal(object, object)


def test_many_void_calls_and_emits_do_not_abort_the_interpreter(qtbot):
    source = Emitter()
    seen = []
    source.changed.connect(lambda a, b: seen.append(a))
    for n in range(200_000):       # unpinned, CPython 3.11 aborts after some thousands
        source.changed.emit(n, None)
        source.setObjectName("x")
    assert len(seen) == 200_000
    if sys.version_info < (3, 12) and qtfix.bindings_drop_references():
        assert qtfix._pinned and sys.getrefcount(None) > qtfix.PIN // 2
