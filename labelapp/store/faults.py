"""Fault injection for crash tests: ``LABELAPP_FAULT_INJECT=<point>`` kills the process at that point.

Only tests set the variable. The points sit inside open transactions and between the archive
write and the database row, so a test can prove that a crash leaves the old or the new state.
"""

from __future__ import annotations

import os
import signal

ENV = "LABELAPP_FAULT_INJECT"


def crash_point(name: str) -> None:
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
