"""``labelapp`` with no sub-command runs the real ``gui.app.main()`` (in a child process, because
``QApplication.exit`` leaves the test process's event loops unusable)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

CHILD = textwrap.dedent("""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from labelapp import cli
    from labelapp.gui.dialogs.first_start import FirstStartDialog

    app = QApplication([])

    def close_first_start():
        found = [w for w in app.topLevelWidgets() if isinstance(w, FirstStartDialog) and w.isVisible()]
        if not found:
            QTimer.singleShot(20, close_first_start)
            return
        print("SHOWN", found[0].windowTitle(), flush=True)
        found[0].reject()                      # cancelling the first start quits cleanly

    QTimer.singleShot(0, close_first_start)
    raise SystemExit(cli.main([]))
""")


def test_the_cli_without_a_command_opens_the_first_start_dialog(tmp_path: Path):
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        LABELAPP_DATABASE_URL=f"sqlite:///{tmp_path / 'register.db'}",
    )
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "SHOWN Welcome to labelapp — first start" in done.stdout
    assert list((tmp_path / "state").rglob("labelapp.log"))
