"""Refuse Qt bindings known to corrupt the interpreter.

PySide6 6.12.0 on Python 3.11 returns ``None``, ``True`` and ``False`` without a new reference
(correct only on 3.12+, where those objects are immortal). Every ``setText()``, ``emit()``... then takes
a reference off ``None`` and after some thousands of calls CPython aborts ("deallocating None"),
losing whatever the technician had typed. pyproject.toml pins PySide6 below 6.12 on Python < 3.12;
this check catches an environment that installed a broken build anyway, before any window opens.
"""

from __future__ import annotations

import sys

from labelapp.domain.errors import LabelappError


def bindings_drop_references(calls: int = 64) -> bool:
    """True when void Qt calls take a reference off None (probed on a throw-away QObject).

    Broken bindings take one reference per call; the count of None also moves by one now and then
    for reasons of its own (seen: 1 start in 12 lost one reference over 8 calls, with the bindings
    labelapp pins), so only a loss of at least half the calls counts."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(calls):
        probe.setObjectName("probe")
    return before - sys.getrefcount(None) >= calls // 2


def check_bindings() -> None:
    if sys.version_info < (3, 12) and bindings_drop_references():
        import PySide6

        raise LabelappError(
            f"PySide6 {PySide6.__version__} is known to crash on Python {sys.version_info.major}."
            f"{sys.version_info.minor}; install the version labelapp pins: pip install 'PySide6<6.12'"
        )
