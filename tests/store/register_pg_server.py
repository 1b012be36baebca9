"""Start a throwaway PostgreSQL server from the installed binaries (local runs without .ci/postgres.sh)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class LocalServer:
    url: str
    data_dir: Path
    bindir: Path
    prefix: list[str]

    def stop(self) -> None:
        subprocess.run(
            [*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.data_dir / "data"), "-m", "fast", "-w", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.data_dir, ignore_errors=True)


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        pytest.fail(
            "no PostgreSQL server binaries: install them (apt-get install postgresql) or run "
            "`source .ci/postgres.sh` to set LABELAPP_TEST_PG_URL",
            pytrace=False,
        )
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(prefix: list[str], *args: str) -> None:
    done = subprocess.run([*prefix, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(
            f"starting the test PostgreSQL server failed: {' '.join(args[:1])}: "
            f"{(done.stderr or done.stdout).strip()[-500:]}",
            pytrace=False,
        )


def start_local() -> LocalServer:
    bindir = _bindir()
    root = Path(tempfile.mkdtemp(prefix="labelapp-pg-"))
    root.chmod(0o755)
    prefix: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        shutil.chown(root, "postgres", "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    _run(prefix, str(bindir / "initdb"), "-D", str(root / "data"), "-U", "labelapp", "--auth=trust", "-E", "UTF8")
    _run(
        prefix,
        str(bindir / "pg_ctl"),
        "-D",
        str(root / "data"),
        "-l",
        str(root / "server.log"),
        "-w",
        "-t",
        "60",
        "-o",
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
        "start",
    )
    _run(prefix, str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "labelapp", "labelapp_test")
    return LocalServer(f"postgresql+psycopg://labelapp@127.0.0.1:{port}/labelapp_test", root, bindir, prefix)
