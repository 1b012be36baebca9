"""Lot numbers from a configurable pattern: unique (the register allocates seq), <= 20 chars, GS1-safe."""

from __future__ import annotations

import string
from datetime import date

from labelapp.domain.batch import gs1_lot_problem
from labelapp.domain.errors import LabelappError

FIELDS = {"code", "yyyy", "yy", "mm", "dd", "seq"}


def check_pattern(pattern: str) -> None:
    try:
        names = {f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None}
    except ValueError as exc:
        raise LabelappError(f"lot_pattern: {pattern!r} is not a valid pattern ({exc})") from None
    unknown = names - FIELDS
    if unknown:
        raise LabelappError(f"lot_pattern: unknown field {{{sorted(unknown)[0]}}}; use {sorted(FIELDS)}")
    if "seq" not in names:
        raise LabelappError("lot_pattern: must contain {seq} so that lot numbers are unique")


def format_lot(pattern: str, when: date, seq: int, code: str) -> str:
    check_pattern(pattern)
    if seq < 1:
        raise LabelappError(f"lot sequence must be 1 or more, not {seq}")
    try:
        lot = pattern.format(code=code, yyyy=f"{when.year:04d}", yy=f"{when.year % 100:02d}",
                             mm=f"{when.month:02d}", dd=f"{when.day:02d}", seq=seq)
    except (ValueError, TypeError) as exc:  # a bad format spec: "{yy:02d}" (yy is text), "{seq!x}"
        raise LabelappError(f"lot_pattern: {pattern!r} cannot be filled in ({exc}); only {{seq}} takes a "
                            "number format such as {seq:03d}") from None
    problem = gs1_lot_problem(lot)
    if problem:
        raise LabelappError(f"lot_pattern: {problem}")
    return lot
