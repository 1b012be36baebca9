"""Work-around for PySide6 6.12 on Python 3.11: its bindings return ``None``, ``True`` and ``False``
without a new reference (correct only on 3.12+, where those objects are immortal, PEP 683).

Every ``setText()``, ``repaint()``, ``processEvents()``, ``Signal.emit()``... then takes one reference
off ``None`` or ``True``, and after some thousands of calls CPython aborts ("deallocating None").
On an affected interpreter ``pin_singletons()`` gives the three objects the effectively infinite
reference count they have on 3.12+, so the lost references never reach zero. It does nothing on
3.12+ or when the bindings are correct (probed once). Remove it when PySide6 is fixed or the
project moves to Python 3.12.
"""

from __future__ import annotations

import ctypes
import sys

PIN = 1 << 40          # ~1e12 lost references before trouble: centuries of clicking
_pinned = False


def bindings_drop_references() -> bool:
    """True when a void Qt call takes a reference off None (probed on a throw-away QObject)."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(8):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before


def pin_singletons() -> bool:
    """Make None, True and False immortal on Python < 3.12 if the bindings need it; idempotent."""
    global _pinned
    if _pinned or sys.version_info >= (3, 12) or not bindings_drop_references():
        return _pinned
    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += PIN
    _pinned = True
    return True
