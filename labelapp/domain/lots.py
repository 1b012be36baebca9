"""Lot numbers: the one place that says what a lot number may be and how a pattern makes one.

A lot number goes into the GS1 DataMatrix as AI (10), so it has at most 20 characters from GS1's
encodable set 82 (docs/domain.md §7). labelapp allows a conservative subset of that set: letters,
digits and ``- . / _``. Quotes, ``%``, ``&`` or ``+`` are GS1-legal but get mangled by scanners,
keyboard wedges and spreadsheets, and a lot number is typed and read back by people.

Patterns (a register setting) use the fields {yyyy} {yy} {mm} {dd} {code} and the required {seq}
(a format spec is allowed on {seq} only, e.g. {seq:02d}). The register allocates {seq} atomically
(``labelapp.store.lots``); a batch file rendered outside the register gets a provisional lot.
"""

from __future__ import annotations

import hashlib
import re
import string
from datetime import date

from labelapp.domain.errors import RuleViolation

MAX_LOT_LENGTH = 20  # GS1 AI (10): X..20
LOT_CHARACTERS = "letters, digits and - . / _"
_LOT_CHARS = re.compile(r"[A-Za-z0-9\-./_]")
_CODE_CHARS = re.compile(r"[^A-Za-z0-9]")
FIELDS = frozenset({"yyyy", "yy", "mm", "dd", "seq", "code"})
DEFAULT_PATTERN = "{code}-{yy}{mm}{dd}-{seq:02d}"
MAX_SCOPE_LENGTH = 40


def lot_problem(lot: str) -> str | None:
    """Why ``lot`` cannot be a lot number, or None if it can."""
    if not lot:
        return "must not be empty"
    if len(lot) > MAX_LOT_LENGTH:
        return f"{lot!r} has {len(lot)} characters; GS1 AI (10) allows at most {MAX_LOT_LENGTH}"
    bad = sorted({c for c in lot if not _LOT_CHARS.fullmatch(c)})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        return f"{lot!r} contains {shown}; a lot number may use {LOT_CHARACTERS} only (GS1-safe)"
    return None


def check_lot(lot: str) -> str:
    """``lot`` itself, or RuleViolation naming what is wrong with it."""
    problem = lot_problem(lot)
    if problem:
        raise RuleViolation(f"lot number: {problem}")
    return lot


def product_code(raw: str) -> str:
    """A formula's product code as a lot pattern uses it: letters and digits, upper case, <= 6."""
    return _CODE_CHARS.sub("", raw).upper()[:6]


class LotPattern:
    """A validated lot pattern. Refuses at construction anything that could make a bad lot number."""

    def __init__(self, pattern: str):
        self.pattern = pattern
        self._fields = self._parse(pattern)
        self._check_widest()

    def _check_widest(self) -> None:
        """The widest values (a 6-character product code, sequence 99) must still make a valid lot."""
        try:
            widest = self.pattern.format(**self._values(date(2099, 12, 31), 99, "ABCDEF"))
        except (ValueError, TypeError):
            widest = ""  # render() below explains the format error
        if len(widest) > MAX_LOT_LENGTH:
            raise RuleViolation(
                f"lot_pattern: {self.pattern!r} makes lot numbers of up to {len(widest)} characters "
                f"(e.g. {widest!r} for a 6-character product code); GS1 AI (10) allows at most "
                f"{MAX_LOT_LENGTH}"
            )
        self.render(date(2099, 12, 31), 99, "ABCDEF")

    @staticmethod
    def _parse(pattern: str) -> frozenset[str]:
        try:
            parsed = list(string.Formatter().parse(pattern))
        except ValueError as exc:
            raise RuleViolation(f"lot_pattern: {pattern!r} is not a valid pattern ({exc})") from None
        fields = frozenset(name for _, name, _, _ in parsed if name is not None)
        unknown = sorted(fields - FIELDS)
        if unknown:
            raise RuleViolation(f"lot_pattern: unknown field {{{unknown[0]}}}; use {sorted(FIELDS)}")
        if "seq" not in fields:
            raise RuleViolation("lot_pattern: must contain {seq} so that lot numbers are unique")
        literal = "".join(text for text, *_ in parsed)
        bad = sorted({c for c in literal if not _LOT_CHARS.fullmatch(c)})
        if bad:
            shown = ", ".join(repr(c) for c in bad)
            raise RuleViolation(
                f"lot_pattern: {pattern!r} contains {shown}; a lot number may use {LOT_CHARACTERS} only (GS1-safe)"
            )
        return fields

    @property
    def uses_code(self) -> bool:
        return "code" in self._fields

    @staticmethod
    def _values(day: date, seq: int | str, code: str) -> dict[str, object]:
        return {
            "yyyy": f"{day.year:04d}",
            "yy": f"{day.year % 100:02d}",
            "mm": f"{day.month:02d}",
            "dd": f"{day.day:02d}",
            "seq": seq,
            "code": code,
        }

    def render(self, day: date, seq: int, code: str = "") -> str:
        """The lot number for ``day``, sequence ``seq`` (1 or more) and product ``code``."""
        if seq < 1:
            raise RuleViolation(f"lot sequence must be 1 or more, not {seq}")
        try:
            lot = self.pattern.format(**self._values(day, seq, code))
        except (ValueError, TypeError) as exc:  # "{yy:02d}" (yy is text), "{seq!x}"
            raise RuleViolation(
                f"lot_pattern: {self.pattern!r} cannot be filled in ({exc}); only {{seq}} takes "
                "a number format such as {seq:03d}"
            ) from None
        problem = lot_problem(lot)
        if problem:
            raise RuleViolation(f"lot_pattern: {problem}")
        return lot

    def scope(self, day: date, code: str = "") -> str:
        """The lot with its sequence blanked out ("G50-260115-#"): the sequence restarts per scope."""
        blank = re.sub(r"\{seq(:[^}]*)?\}", "#", self.pattern)
        scope = blank.format(**self._values(day, "#", code))
        return scope if len(scope) <= MAX_SCOPE_LENGTH else hashlib.sha256(scope.encode()).hexdigest()[:40]
