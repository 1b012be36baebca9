"""What every register sub-command shares: signing in, printing tables and JSON, parser options.

Every command signs in: ``--user NAME`` (or $LABELAPP_USER) and the password from a prompt, or
the first line of standard input with ``--password-stdin``. Passwords are never taken from the
command line or the environment. Commands that sign (formula approve, batch sign, batch status
--set) use that password as the signature password: the user enters both components.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from labelapp.domain.errors import LabelappError
from labelapp.domain.records import AuthenticatedUser
from labelapp.services.register import Register

ENV_USER = "LABELAPP_USER"
STATUSES = ["draft", "compounded", "verified", "released", "rejected", "voided"]


# ---------------------------------------------------------------- sign-in plumbing


class Passwords:
    """Reads passwords from the terminal, or line by line from stdin (``--password-stdin``)."""

    def __init__(self, from_stdin: bool):
        self.from_stdin = from_stdin

    def read(self, prompt: str) -> str:
        if self.from_stdin:
            line = sys.stdin.readline()
            if not line:
                raise LabelappError("--password-stdin: no password line left on standard input")
            return line.rstrip("\r\n")
        if not sys.stdin.isatty():
            raise LabelappError("no terminal to ask for the password; use --password-stdin")
        return getpass.getpass(prompt)

    def new(self, username: str) -> str:
        first = self.read(f"New password for {username}: ")
        if not self.from_stdin and self.read(f"Repeat the password for {username}: ") != first:
            raise LabelappError("the two passwords differ")
        return first


def passwords_of(args: argparse.Namespace) -> Passwords:
    return Passwords(getattr(args, "password_stdin", False))


def open_register(args: argparse.Namespace) -> Register:
    return Register.open(getattr(args, "database", None), getattr(args, "archive_dir", None))


def username_arg(args: argparse.Namespace) -> str:
    name = getattr(args, "user", None) or os.environ.get(ENV_USER)
    if not name:
        raise LabelappError("sign in with --user NAME (or set LABELAPP_USER)")
    return name


@contextmanager
def signed_in(args: argparse.Namespace) -> Iterator[tuple[Register, AuthenticatedUser, str]]:
    """(register, authenticated user, password) for the duration of one command."""
    reg = open_register(args)
    try:
        name = username_arg(args)
        password = passwords_of(args).read(f"Password for {name}: ")
        yield reg, reg.accounts.authenticate(name, password), password
    finally:
        reg.close()


# ---------------------------------------------------------------- output helpers


def print_json(value: BaseModel | list[Any]) -> None:
    if isinstance(value, list):
        print(json.dumps([json.loads(v.model_dump_json()) for v in value], indent=2, ensure_ascii=False))
    else:
        print(value.model_dump_json(indent=2))


def safe(text: object) -> str:
    """Text for a terminal: control characters (escape sequences, carriage returns) shown escaped, never run."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in str(text))


def print_table(rows: list[list[Any]], headers: list[str]) -> None:
    cells = [headers] + [["" if c is None else safe(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    if not rows:
        print("(none)")


def when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC" if moment else ""


def date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def count_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must not be negative")
    return value


def read_pdf(path: str) -> bytes:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise LabelappError(f"{path}: cannot be read ({exc.strerror})") from None
    if not data.startswith(b"%PDF-"):
        raise LabelappError(f"{path}: is not a PDF file")
    return data


# ---------------------------------------------------------------- parser helpers


def register_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("register")
    group.add_argument(
        "--database",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="sqlite:///FILE or postgresql://... (default: $LABELAPP_DATABASE_URL, else the "
        "SQLite file in the user data folder)",
    )
    group.add_argument(
        "--archive-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="archive folder (default: $LABELAPP_ARCHIVE_DIR, the archive_dir setting, or next to the database)",
    )
    group.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS, help="sign in as NAME ($LABELAPP_USER)")
    group.add_argument(
        "--password-stdin",
        action="store_true",
        default=argparse.SUPPRESS,
        help="read password(s) from standard input, one per line, instead of prompting",
    )
    return common


def add_command(
    sub: Any, name: str, func: Any, common: argparse.ArgumentParser, help_text: str
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
    parser.set_defaults(func=func)
    return parser


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")


def add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lot", help="lot number (part of it)")
    parser.add_argument("--product", help="product name (part of it)")
    parser.add_argument("--status", choices=STATUSES)
    parser.add_argument("--from", dest="date_from", type=date_arg, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", type=date_arg, metavar="YYYY-MM-DD")
    parser.add_argument("--limit", type=int, default=None)
    add_json(parser)
