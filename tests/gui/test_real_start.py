"""The real ``labelapp`` console script opens its sign-in window on a real X server (Xvfb).

Every other GUI test runs Qt offscreen, which loads neither the xcb platform plugin nor its system
libraries: this one starts the program as the README's first command does, on the xcb plugin under
``xvfb-run``, and waits for the sign-in window to appear on the X server. It fails (never skips) when
xvfb-run or xdotool are missing; .ci/run installs them (xvfb, xauth, xdotool, x11-utils).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.xvfb

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Adm1n-pass-word"
DEADLINE = 120.0  # seconds for the window to appear: generous, this is no timing test


def console_script() -> str:
    """The installed ``labelapp`` script of this Python environment (not ``python -m``)."""
    beside = Path(sys.executable).parent / "labelapp"
    found = str(beside) if beside.exists() else shutil.which("labelapp")
    if not found:
        pytest.fail("the labelapp console script is not installed: pip install -e '.[test]'")
    return found


def tools() -> dict[str, str]:
    found = {name: shutil.which(name) for name in ("xvfb-run", "xdotool")}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not found: this test starts labelapp on a real X server; install "
            "Debian's xvfb, xauth, xdotool and x11-utils (bash .ci/run installs them)"
        )
    return {name: str(path) for name, path in found.items()}


def app_environment(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY")
    }
    env["LABELAPP_DATABASE_URL"] = f"sqlite:///{tmp_path / 'register.db'}"
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
        folder = tmp_path / var.lower()
        folder.mkdir(mode=0o700)
        env[var] = str(folder)
    return env


def add_admin(script: str, env: dict[str, str]) -> None:
    done = subprocess.run(
        [
            script,
            "users",
            "add",
            "admin",
            "--role",
            "admin",
            "--name",
            "A Admin",
            "--password-stdin",
            "--database",
            env["LABELAPP_DATABASE_URL"],
        ],
        check=False,
        input=PASSWORD + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_the_console_script_opens_the_sign_in_window_under_xvfb(tmp_path: Path):
    found = tools()
    script = console_script()
    env = app_environment(tmp_path)
    add_admin(script, env)
    info, auth = tmp_path / "display.txt", tmp_path / "xauthority"
    out, err, xvfb_err = (tmp_path / name for name in ("stdout.txt", "stderr.txt", "xvfb.txt"))
    # The shell records the app's pid and display, then becomes the app (exec).
    command = [
        found["xvfb-run"],
        "-a",
        "-f",
        str(auth),
        "-e",
        str(xvfb_err),
        "-s",
        "-screen 0 1280x1024x24",
        "sh",
        "-c",
        f'echo "$$ $DISPLAY" > "{info}"; exec "$@"',
        "sh",
        script,
    ]
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            command,
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    try:
        window, x_env = wait_for_window(proc, info, auth, found["xdotool"], env)

        def report() -> str:
            return the_app_said(out, err, xvfb_err)

        if not window and proc.poll() is not None:
            pytest.fail(f"labelapp ended with status {proc.returncode} before any 'Sign in' window appeared" + report())
        assert window, f"no 'Sign in' window appeared within {DEADLINE:.0f} s" + report()
        assert proc.poll() is None, f"labelapp ended (status {proc.returncode}) after showing its window" + report()
        close(proc, window, x_env, found["xdotool"])
        # 0: the sign-in dialog was cancelled (Escape) and the app quit; 143: it took our SIGTERM.
        assert proc.returncode in (0, 128 + signal.SIGTERM), f"labelapp exited with {proc.returncode}" + report()
        assert "Traceback" not in err.read_text(errors="replace"), report()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def wait_for_window(
    proc: subprocess.Popen, info: Path, auth: Path, xdotool: str, env: dict[str, str]
) -> tuple[str, dict[str, str]]:
    """Poll the X server until a visible top-level window titled 'Sign in ...' exists (its id), or
    labelapp ends, or the deadline passes ('')."""
    deadline = time.monotonic() + DEADLINE
    x_env: dict[str, str] = {}
    while time.monotonic() < deadline and proc.poll() is None:
        if not x_env and info.exists() and len(info.read_text().split()) == 2:
            pid, display = info.read_text().split()
            x_env = dict(env, DISPLAY=display, XAUTHORITY=str(auth), LABELAPP_PID=pid)
        if x_env:
            found = subprocess.run(
                [xdotool, "search", "--onlyvisible", "--name", "^Sign in"],
                check=False,
                env=x_env,
                capture_output=True,
                text=True,
                timeout=30,
            )
            ids = found.stdout.split()
            if ids:
                return ids[0], x_env
        time.sleep(0.25)
    return "", x_env


def close(proc: subprocess.Popen, window: str, x_env: dict[str, str], xdotool: str) -> None:
    """Cancel the sign-in dialog (Escape quits the app cleanly); SIGTERM if it is still running."""
    subprocess.run(
        [xdotool, "key", "--window", window, "Escape"], check=False, env=x_env, capture_output=True, timeout=30
    )
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.kill(int(x_env["LABELAPP_PID"]), signal.SIGTERM)
        proc.wait(timeout=60)


def the_app_said(out: Path, err: Path, xvfb_err: Path) -> str:
    text = [
        f"\n--- labelapp {name} ---\n{path.read_text(errors='replace')[-4000:]}"
        for name, path in (("stdout", out), ("stderr", err), ("Xvfb stderr", xvfb_err))
        if path.exists()
    ]
    return "".join(text)
