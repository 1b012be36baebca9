"""Command line: `labelapp` opens the desktop app; sub-commands work headless (no Qt imported)."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from typing import NoReturn

from labelapp import __version__
from labelapp.domain.errors import InputError, LabelappError

log = logging.getLogger("labelapp")

# (module, function) pairs adding sub-commands; a module missing here is a programming error.
COMMAND_MODULES = [
    ("labelapp.commands.calc", "add_calc_parser"),
    ("labelapp.commands.render", "add_render_parser"),
    ("labelapp.commands.render", "add_stocks_parser"),
    ("labelapp.commands.batches", "add_parsers"),
    ("labelapp.commands.formulas", "add_parsers"),
    ("labelapp.commands.archive", "add_parsers"),
    ("labelapp.commands.audit", "add_parsers"),
    ("labelapp.commands.users", "add_parsers"),
    ("labelapp.commands.settings", "add_parsers"),
    ("labelapp.commands.execution", "add_material_parsers"),
]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2, like every other refusal
        raise LabelappError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="labelapp",
        description="Labels and batch records for a 503B outsourcing facility. With no command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"labelapp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module, func in COMMAND_MODULES:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        getattr(mod, func)(sub)
    return parser


def _no_display() -> bool:
    """Linux without X11/Wayland and no explicit Qt platform: Qt would abort with a core dump."""
    return (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    )


def _open_gui() -> int:
    if _no_display():
        raise LabelappError(
            "no display to open the desktop app on (DISPLAY and WAYLAND_DISPLAY are not set); "
            "start it in a desktop session, or use the sub-commands (labelapp --help)"
        )
    try:
        platform_check = importlib.import_module("labelapp.gui.platform_check")
    except ModuleNotFoundError as exc:
        if exc.name not in ("labelapp.gui", "labelapp.gui.platform_check"):
            raise
        build_parser().print_help()
        return 0
    platform_check.check()  # Qt's system libraries, before anything imports Qt (one line, exit 2)
    gui = importlib.import_module("labelapp.gui.app")
    return int(gui.main())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if not argv:
            return _open_gui()
        args = build_parser().parse_args(argv)
        if not getattr(args, "func", None):
            build_parser().print_help()
            return 0
        return args.func(args) or 0
    except InputError as exc:
        print(f"labelapp: error: {exc.details()}", file=sys.stderr)
        return 2
    except LabelappError as exc:
        print(f"labelapp: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("labelapp: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
