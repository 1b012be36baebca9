"""The start-up check of Qt's system libraries: ldd parsing, the platform decision, the one-line refusal.

Fake ``ldd`` executables stand in for a machine that lacks libraries; the last tests run the real ldd
on the real xcb plugin (which must find everything on a machine set up by .ci/run).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from labelapp import cli
from labelapp.domain.errors import LabelappError
from labelapp.gui import platform_check as pc

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "install-system-libraries.sh"

LDD_OUTPUT = textwrap.dedent("""\
    \tlinux-vdso.so.1 (0x00007ffd4e5f2000)
    \tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x00007f2c1a000000)
    \tlibxcb-icccm.so.4 => not found
    \tlibxcb-keysyms.so.1 => not found
    \tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f2c19f00000)
    \tlibxcb-icccm.so.4 => not found
    \tlibxcb-keysyms.so.1 => not found
    \t/lib64/ld-linux-x86-64.so.2 (0x00007f2c1a3a0000)
""")


def fake_ldd(folder: Path, output: str) -> Path:
    """An ``ldd`` on PATH that prints ``output`` and records its arguments in folder/ldd-args."""
    folder.mkdir(exist_ok=True)
    (folder / "ldd-output").write_text(output)
    ldd = folder / "ldd"
    ldd.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >> "{folder}/ldd-args"\ncat "{folder}/ldd-output"\n')
    ldd.chmod(ldd.stat().st_mode | stat.S_IEXEC)
    return folder


@pytest.fixture
def x11(monkeypatch):
    """Linux with an X display and no Qt platform chosen: Qt would load the xcb plugin."""
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("DISPLAY", ":0")
    for var in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(ROOT)


def test_ldd_output_gives_each_missing_soname_once_in_order():
    assert pc.parse_ldd(LDD_OUTPUT) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    assert pc.parse_ldd("\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x1)\n") == []
    assert pc.parse_ldd("\tnot a dynamic executable\n") == []


def test_the_import_error_names_the_library_it_could_not_open():
    message = "libglib-2.0.so.0: cannot open shared object file: No such file or directory"
    assert pc.libraries_in_import_error(message) == ["libglib-2.0.so.0"]
    assert pc.libraries_in_import_error("/usr/lib/libfoo.so: cannot open shared object file") == ["/usr/lib/libfoo.so"]
    assert pc.libraries_in_import_error("No module named 'PySide6.QtPdf'") == []


@pytest.mark.parametrize(
    ("env", "platform", "xcb"),
    [
        ({"DISPLAY": ":0"}, "linux", True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, "linux", True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb;wayland"}, "linux", True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", True),
        ({}, "linux", False),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, "linux", False),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        ({"DISPLAY": ":0"}, "darwin", False),
        ({"DISPLAY": ":0"}, "win32", False),
    ],
)
def test_the_xcb_plugin_is_checked_only_where_qt_will_load_it(env, platform, xcb):
    assert pc.platform_is_xcb(env, platform) is xcb


def test_the_refusal_names_the_sonames_the_script_and_the_packages(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert pc.refusal(["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]) == (
        "Qt cannot open a window: missing system libraries libxcb-icccm.so.4, libxcb-keysyms.so.1 "
        "(on Debian/Ubuntu run: bash scripts/install-system-libraries.sh, "
        "or sudo apt-get install libxcb-icccm4 libxcb-keysyms1)"
    )
    assert pc.refusal(["libglib-2.0.so.0", "libgthread-2.0.so.0"], script=None) == (
        "Qt cannot open a window: missing system libraries libglib-2.0.so.0, libgthread-2.0.so.0 "
        "(on Debian/Ubuntu: sudo apt-get install libglib2.0-0)"
    )
    assert pc.refusal(["libunknown.so.7"], script=None) == (
        "Qt cannot open a window: missing system library libunknown.so.7 "
        "(install them with the system's package manager)"
    )


def test_labelapp_refuses_in_one_line_before_qt_opens_anything(x11, tmp_path, monkeypatch, capsys):
    bin_dir = fake_ldd(tmp_path / "bin", LDD_OUTPUT)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(cli.importlib, "import_module", _no_gui_app(cli.importlib.import_module))
    assert cli.main([]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        (
            "labelapp: error: Qt cannot open a window: missing system libraries libxcb-icccm.so.4, "
            "libxcb-keysyms.so.1 (on Debian/Ubuntu run: bash scripts/install-system-libraries.sh, "
            "or sudo apt-get install libxcb-icccm4 libxcb-keysyms1)"
        )
    ]
    # one ldd call, on the xcb plugin only (the Qt modules imported)
    assert (bin_dir / "ldd-args").read_text().splitlines() == [str(pc.xcb_plugin(pc.pyside_dir()))]


def test_a_qt_module_that_cannot_load_is_refused_with_every_missing_library(x11, tmp_path, monkeypatch):
    bin_dir = fake_ldd(
        tmp_path / "bin",
        "\tlibEGL.so.1 => not found\n\tlibglib-2.0.so.0 => not found\n\tlibgthread-2.0.so.0 => not found\n",
    )
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    real_import = pc.importlib.import_module

    def import_module(name: str, *args):
        if name == "PySide6.QtGui":
            raise ImportError("libglib-2.0.so.0: cannot open shared object file: No such file or directory")
        return real_import(name, *args)

    monkeypatch.setattr(pc.importlib, "import_module", import_module)
    with pytest.raises(LabelappError) as refused:
        pc.check()
    assert str(refused.value) == (
        "Qt cannot open a window: missing system libraries libglib-2.0.so.0, libEGL.so.1, libgthread-2.0.so.0 "
        "(on Debian/Ubuntu run: bash scripts/install-system-libraries.sh, "
        "or sudo apt-get install libglib2.0-0 libegl1)"
    )
    checked = (bin_dir / "ldd-args").read_text().splitlines()
    assert [Path(p).name for p in checked] == [*(f.name for f in pc.module_files(pc.pyside_dir())), "libqxcb.so"]


def test_an_import_error_that_names_no_library_is_one_line_too(tmp_path, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setattr(pc.importlib, "import_module", _raises(ImportError("undefined symbol: _ZN7QObject\n  x")))
    monkeypatch.setenv("PATH", str(fake_ldd(tmp_path / "bin", "")))
    with pytest.raises(LabelappError, match=r"^Qt cannot be loaded: undefined symbol: _ZN7QObject x$"):
        pc.check()


def test_no_ldd_means_no_check_of_the_plugin(x11, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no ldd there (musl, a stripped image...)
    pc.check()


def test_sub_commands_do_not_run_the_check(x11, tmp_path, monkeypatch, capsys):
    bin_dir = fake_ldd(tmp_path / "bin", LDD_OUTPUT)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    assert cli.main(["stocks"]) == 0
    assert not (bin_dir / "ldd-args").exists()


def test_the_packages_named_are_those_the_script_installs():
    listed = subprocess.run(
        ["bash", "-c", f'source "{SCRIPT}"; printf "%s\\n" "${{LABELAPP_SYSTEM_LIBRARIES[@]}}"'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert set(pc.DEBIAN_PACKAGES.values()) == set(listed)
    # and each soname sits on its package's line in the script's comments
    lines = {
        line.split()[0]: line for line in SCRIPT.read_text().splitlines() if line.startswith("    lib") and "#" in line
    }
    for soname, package in pc.DEBIAN_PACKAGES.items():
        assert soname in lines[package].split("#", 1)[1], (soname, package)


def test_the_module_imports_no_qt_at_module_level():
    code = (
        "import sys; import labelapp.gui.platform_check; "
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin exists on Linux only")
def test_the_real_xcb_plugin_finds_all_its_libraries_on_this_machine():
    """Real ldd, real plugin: on a machine set up by scripts/install-system-libraries.sh (as .ci/run
    does) nothing is missing. Fails, naming the libraries, on a machine that lacks them."""
    plugin = pc.xcb_plugin(pc.pyside_dir())
    assert plugin.exists()
    missing = pc.ldd_missing([plugin, *pc.module_files(pc.pyside_dir())])
    assert missing == [], pc.refusal(missing)


def _no_gui_app(real_import):
    def import_module(name: str, *args):
        assert name != "labelapp.gui.app", "the GUI was imported although the check refused"
        return real_import(name, *args)

    return import_module


def _raises(exc: BaseException):
    def import_module(name: str, *args):
        raise exc

    return import_module
