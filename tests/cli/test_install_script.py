"""scripts/install-system-libraries.sh, with fake apt-get, dpkg-query, id and sleep on PATH: it installs
only what is missing, waits for another package manager's lock, and does nothing without apt-get."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "install-system-libraries.sh"

FAKES = {
    # installed: the packages listed in $FAKE_INSTALLED, or their t64 renames
    "dpkg-query": 'for pkg; do :; done; case " $FAKE_INSTALLED " in *" $pkg "*) printf "ii ";; *) exit 1;; esac\n',
    # update fails with apt's lock message while $FAKE_DIR/locked-updates counts down
    "apt-get": (
        'echo "$*" >> "$FAKE_DIR/apt-get.log"\n'
        'case "$*" in *update*)\n'
        '  n=$(cat "$FAKE_DIR/locked-updates" 2>/dev/null || echo 0)\n'
        '  if [ "$n" -gt 0 ]; then echo $((n - 1)) > "$FAKE_DIR/locked-updates"\n'
        '    echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 42 (apt-get)" >&2\n'
        "    exit 100; fi;;\n"
        "esac\n"
    ),
    "id": "echo 0\n",
    "sleep": 'echo "$*" >> "$FAKE_DIR/sleep.log"\n',
    # a python3 with venv's ensurepip, unless $FAKE_NO_ENSUREPIP is set
    "python3": '[ -z "$FAKE_NO_ENSUREPIP" ]\n',
}


@pytest.fixture
def fake_system(tmp_path: Path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in FAKES.items():
        path = bin_dir / name
        path.write_text("#!/bin/sh\n" + body)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    for tool in ("bash", "cat", "grep", "env"):  # what the script needs besides the fakes
        real = shutil.which(tool)
        if real:
            (bin_dir / tool).symlink_to(real)

    def run(*args: str, installed: str = "", locked_updates: int = 0, apt: bool = True, ensurepip: bool = True):
        if not apt:
            (bin_dir / "apt-get").unlink(missing_ok=True)
        (tmp_path / "locked-updates").write_text(str(locked_updates))
        env = {
            "PATH": str(bin_dir),
            "FAKE_DIR": str(tmp_path),
            "FAKE_INSTALLED": installed,
            "HOME": str(tmp_path),
            "FAKE_NO_ENSUREPIP": "" if ensurepip else "1",
        }
        done = subprocess.run(
            [str(bin_dir / "bash"), str(SCRIPT), *args],
            check=False,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        log = tmp_path / "apt-get.log"
        return done, (log.read_text().splitlines() if log.exists() else [])

    return run


def listed() -> list[str]:
    out = subprocess.run(
        ["bash", "-c", f'source "{SCRIPT}"; printf "%s\\n" "${{LABELAPP_SYSTEM_LIBRARIES[@]}}"'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.split()


def test_only_the_missing_packages_are_installed_with_the_lock_timeout(fake_system):
    packages = listed()
    installed = " ".join(p if i % 2 else p + "t64" for i, p in enumerate(packages) if p != "libxcb-icccm4")
    done, apt = fake_system("xdotool", installed=installed)
    assert done.returncode == 0, done.stderr
    assert apt[0].endswith("update -qq")
    assert apt[1] == "-o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0 install -y -qq libxcb-icccm4 xdotool"
    assert len(apt) == 2


def test_a_python3_without_venv_gets_python3_venv(fake_system):
    done, apt = fake_system(installed=" ".join(listed()), ensurepip=False)
    assert done.returncode == 0, done.stderr
    assert apt[1].endswith("install -y -qq python3-venv")


def test_nothing_missing_means_no_apt_get_at_all(fake_system):
    done, apt = fake_system(installed=" ".join(listed()))
    assert done.returncode == 0 and apt == [] and done.stderr == ""


def test_another_package_manager_holding_the_lock_is_waited_for(fake_system, tmp_path):
    done, apt = fake_system(installed="", locked_updates=2)
    assert done.returncode == 0, done.stderr
    assert [line.endswith("update -qq") for line in apt] == [True, True, True, False]
    assert "waiting for another package manager to finish (apt lock)" in done.stderr
    assert (tmp_path / "sleep.log").read_text().split() == ["5", "5"]


def test_a_system_without_apt_get_gets_a_one_line_note(fake_system):
    done, _ = fake_system(apt=False)
    assert done.returncode == 0
    assert done.stderr.splitlines() == [
        "install-system-libraries: no apt-get on this system, nothing installed (see the README for other systems)"
    ]


@pytest.mark.skipif(os.name != "posix", reason="bash script")
def test_ci_run_uses_the_scripts_list_and_sets_its_trap_before_any_service_starts():
    run = (ROOT / ".ci" / "run").read_text()
    assert "source scripts/install-system-libraries.sh" in run
    assert "apt_packages=(" not in run and "libxcb" not in run  # no second copy of the list
    trap, postgres, cups = (
        run.index(s) for s in ("trap labelapp_ci_cleanup EXIT", "source .ci/postgres.sh", "source .ci/cups.sh")
    )
    assert trap < postgres < cups
    for helper in (".ci/cups.sh", ".ci/postgres.sh"):
        text = (ROOT / helper).read_text()
        assert "apt-get" not in text.replace("(apt-get)", ""), helper  # through labelapp_apt_install
