"""Lot numbers: a configurable pattern and allocation by an atomic per-scope counter.

Pattern fields: {yyyy} {yy} {mm} {dd} {code} (the formula's product code) and the required {seq} (format spec allowed, e.g.
{seq:02d}). The counter's scope is the lot with its sequence blanked out ("G50-260115-#"), so the
sequence restarts whenever the date or product part changes. Allocation is one atomic
``INSERT .. ON CONFLICT DO UPDATE .. RETURNING`` inside the register's write transaction, and the
UNIQUE constraint on batches.lot_number is the final guard.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from datetime import date

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from labelapp.store.canonical import sha256_hex
from labelapp.store.errors import RuleViolation
from labelapp.store.schema import lot_counters

MAX_LOT_LENGTH = 20  # GS1 AI (10)
# A conservative subset of GS1 AI encodable character set 82: no '@' (not in set 82), no quotes,
# no characters that scanners or spreadsheets mangle.
LOT_CHARS = re.compile(r"^[A-Za-z0-9\-./_]+$")
CODE_CHARS = re.compile(r"[^A-Za-z0-9]")
FIELDS = {"yyyy", "yy", "mm", "dd", "seq", "code"}
DEFAULT_PATTERN = "{code}-{yy}{mm}{dd}-{seq:02d}"  # same default as domain.settings
MAX_ATTEMPTS = 10_000


def check_lot(lot: str) -> str:
    if not lot or len(lot) > MAX_LOT_LENGTH:
        raise RuleViolation(f"lot number {lot!r} must be 1 to {MAX_LOT_LENGTH} characters (GS1 AI 10)")
    if not LOT_CHARS.match(lot):
        raise RuleViolation(f"lot number {lot!r} may only use letters, digits and - . / _ (GS1-safe)")
    return lot


def product_code(raw: str) -> str:
    return CODE_CHARS.sub("", raw).upper()[:6]


class LotPattern:
    def __init__(self, pattern: str):
        self.pattern = pattern
        self._fields = self._parse(pattern)
        self.render(date(2099, 12, 31), 99, "ABCDEF")  # a 6-character product code must fit

    @staticmethod
    def _parse(pattern: str) -> set[str]:
        try:
            parsed = list(string.Formatter().parse(pattern))
        except ValueError as exc:
            raise RuleViolation(f"lot pattern {pattern!r} is not valid: {exc}") from None
        fields = {name for _, name, _, _ in parsed if name is not None}
        unknown = fields - FIELDS
        if unknown:
            raise RuleViolation(f"lot pattern {pattern!r} has unknown field(s) {sorted(unknown)}; "
                                f"allowed: {sorted(FIELDS)}")
        if "seq" not in fields:
            raise RuleViolation(f"lot pattern {pattern!r} needs a {{seq}} field")
        literal = "".join(text for text, *_ in parsed)
        if literal and not LOT_CHARS.match(literal):
            raise RuleViolation(f"lot pattern {pattern!r} may only contain letters, digits and - . / _")
        return fields

    @property
    def uses_code(self) -> bool:
        return "code" in self._fields

    def _values(self, day: date, seq: int | str, code: str) -> dict[str, object]:
        return {"yyyy": f"{day.year:04d}", "yy": f"{day.year % 100:02d}", "mm": f"{day.month:02d}",
                "dd": f"{day.day:02d}", "seq": seq, "code": code}

    def render(self, day: date, seq: int, code: str = "") -> str:
        try:
            lot = self.pattern.format(**self._values(day, seq, code))
        except (ValueError, TypeError) as exc:
            raise RuleViolation(f"lot pattern {self.pattern!r} cannot be filled in: {exc}") from None
        return check_lot(lot)

    def scope(self, day: date, code: str = "") -> str:
        blank = re.sub(r"\{seq(:[^}]*)?\}", "#", self.pattern)
        scope = blank.format(**self._values(day, "#", code))
        return scope if len(scope) <= 40 else sha256_hex(scope)[:40]


def _next_seq(conn: Connection, scope: str) -> int:
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = (dialect_insert(lot_counters).values(scope=scope, last_seq=1)
                 .on_conflict_do_update(index_elements=[lot_counters.c.scope],
                                        set_={"last_seq": lot_counters.c.last_seq + 1})
                 .returning(lot_counters.c.last_seq))
    return conn.execute(statement).scalar_one()


def allocate(conn: Connection, pattern: LotPattern, day: date, code: str,
             taken: Callable[[Connection, str], bool]) -> str:
    """Next free lot for this day/code. Skips lots already used (e.g. after a pattern change)."""
    scope = pattern.scope(day, code)
    for _ in range(MAX_ATTEMPTS):
        lot = pattern.render(day, _next_seq(conn, scope), code)
        if not taken(conn, lot):
            return lot
    raise RuleViolation(f"no free lot number left for {scope!r}")
