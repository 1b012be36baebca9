"""Before the desktop app imports Qt: refuse, in one line, a machine without Qt's system libraries.

Two things fail on a fresh Linux machine, each with a message that does not help a user:

- PySide6's own Qt libraries cannot load (a minimal Debian has no libglib-2.0.so.0, libGL.so.1, ...):
  the import raises an ImportError naming only the first missing library, and the app would show a
  traceback;
- the xcb platform plugin cannot load (libxcb-icccm.so.4, libxcb-keysyms.so.1, ...): Qt aborts with
  a core dump and a message that may name a library that is installed (it always names
  libxcb-cursor0).

``check()`` finds the exact missing sonames with one ``ldd`` call (on the xcb plugin, and on the Qt
modules only when one of them did not import) and raises a LabelappError that names them, the
Debian/Ubuntu packages holding them and scripts/install-system-libraries.sh. This module imports
nothing from Qt at module level; PySide6 is located with importlib.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from labelapp.domain.errors import LabelappError

# The Qt modules the desktop app imports (gui/ imports no others).
QT_MODULES = ("QtCore", "QtGui", "QtWidgets", "QtPrintSupport", "QtPdf", "QtPdfWidgets")

# soname -> Debian/Ubuntu package, for the refusal. The packages are those of
# scripts/install-system-libraries.sh (tests/gui/test_platform_check.py keeps the two in step).
DEBIAN_PACKAGES: dict[str, str] = {
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libX11.so.6": "libx11-6",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libbrotlidec.so.1": "libbrotli1",
    "libbrotlicommon.so.1": "libbrotli1",
    "libgssapi_krb5.so.2": "libgssapi-krb5-2",
    "libcups.so.2": "libcups2",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-glx.so.0": "libxcb-glx0",
}

INSTALL_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "install-system-libraries.sh"

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$", re.MULTILINE)
_CANNOT_OPEN = re.compile(r"(\S+?\.so[.0-9]*): cannot open shared object file")


def parse_ldd(output: str) -> list[str]:
    """The sonames that ``ldd`` output reports as "=> not found", first seen first, each once."""
    return _unique(_NOT_FOUND.findall(output))


def libraries_in_import_error(message: str) -> list[str]:
    """The library an ImportError says it could not open ("libGL.so.1: cannot open shared object file")."""
    return _unique(_CANNOT_OPEN.findall(message))


def platform_is_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """True when Qt will load the xcb (X11) plugin: Linux with an X display and no other platform asked
    for. A Wayland session is left to Qt, which prefers its wayland plugin there."""
    if not platform.startswith("linux"):
        return False
    asked = environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if asked:
        return asked == "xcb"
    if environ.get("WAYLAND_DISPLAY") and environ.get("XDG_SESSION_TYPE") == "wayland":
        return False
    return bool(environ.get("DISPLAY"))


def pyside_dir() -> Path | None:
    """PySide6's package folder, found without importing it; None when PySide6 is not installed."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def xcb_plugin(pyside: Path) -> Path:
    return pyside / "Qt" / "plugins" / "platforms" / "libqxcb.so"


def module_files(pyside: Path, modules: Iterable[str] = QT_MODULES) -> list[Path]:
    """The extension files of PySide6's Qt modules (QtCore.abi3.so, ...)."""
    return [path for name in modules for path in sorted(pyside.glob(f"{name}.*so"))]


def ldd_missing(files: Iterable[Path], timeout: float = 20.0) -> list[str]:
    """The libraries that one ``ldd`` run on ``files`` cannot find; [] when ldd itself is missing."""
    paths = [str(path) for path in files if path.exists()]
    ldd = shutil.which("ldd")
    if not paths or ldd is None:
        return []
    try:
        done = subprocess.run(
            [ldd, *paths],
            check=False,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=dict(os.environ, LC_ALL="C"),
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return parse_ldd(done.stdout + "\n" + done.stderr)


def install_hint(missing: Iterable[str], script: Path | None = INSTALL_SCRIPT) -> str:
    """How to install ``missing`` on Debian/Ubuntu: the script (from a source checkout) and the packages."""
    packages = _unique(DEBIAN_PACKAGES[name] for name in missing if name in DEBIAN_PACKAGES)
    apt = f"sudo apt-get install {' '.join(packages)}" if packages else ""
    if script is not None and script.exists():
        shown = _shown_path(script)
        return f"on Debian/Ubuntu run: bash {shown}" + (f", or {apt}" if apt else "")
    return f"on Debian/Ubuntu: {apt}" if apt else "install them with the system's package manager"


def refusal(missing: Iterable[str], script: Path | None = INSTALL_SCRIPT) -> str:
    names = list(missing)
    return (
        f"Qt cannot open a window: missing system librar{'y' if len(names) == 1 else 'ies'} "
        f"{', '.join(names)} ({install_hint(names, script)})"
    )


def check(environ: Mapping[str, str] | None = None) -> None:
    """Raise LabelappError (one line) when Qt or its platform plugin lacks system libraries."""
    environ = os.environ if environ is None else environ
    pyside = pyside_dir()
    if pyside is None:
        raise LabelappError(
            "PySide6 (Qt for Python) is not installed in this Python environment: pip install -e . installs it"
        )
    files: list[Path] = []
    import_error: ImportError | None = None
    try:
        for name in QT_MODULES:
            importlib.import_module(f"PySide6.{name}")
    except ImportError as exc:
        import_error = exc
        files += module_files(pyside)
    if platform_is_xcb(environ):
        files.append(xcb_plugin(pyside))
    missing = ldd_missing(files) if files else []
    if import_error is not None:
        missing = _unique([*libraries_in_import_error(str(import_error)), *missing])
        if not missing:
            raise LabelappError(f"Qt cannot be loaded: {_one_line(import_error)}") from None
    if missing:
        raise LabelappError(refusal(missing))


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def _shown_path(path: Path) -> str:
    """``path`` relative to the working folder when it lies below it (as the README runs it)."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
