"""Lengths written as strings with a unit ("3.25in", "25mm", "6pt"), converted to PDF points."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

POINTS_PER = {"in": 72.0, "mm": 72.0 / 25.4, "cm": 720.0 / 25.4, "pt": 1.0}
_LENGTH = re.compile(r"^\s*(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(?P<unit>in|mm|cm|pt)\s*$")
HINT = "must be a length with a unit, e.g. '25mm', '1.5in' or '6pt'"


def parse_length(value: object) -> float:
    """'25mm' -> 70.866 pt. Bare numbers are refused: a unit-less 2 could be inches or points."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"{HINT} (got {value!r})")
    match = _LENGTH.match(value)
    if not match:
        raise ValueError(f"{HINT} (got {value!r})")
    return float(match["number"]) * POINTS_PER[match["unit"]]


def _positive(points: float) -> float:
    if points <= 0:
        raise ValueError("must be > 0")
    return points


def _not_negative(points: float) -> float:
    if points < 0:
        raise ValueError("must be >= 0")
    return points


Length = Annotated[float, BeforeValidator(parse_length)]
PositiveLength = Annotated[float, BeforeValidator(parse_length), AfterValidator(_positive)]
NonNegativeLength = Annotated[float, BeforeValidator(parse_length), AfterValidator(_not_negative)]


def fmt_in(points: float) -> str:
    """72 -> '1in', 126 -> '1.75in' (for listings and messages)."""
    return f"{points / 72.0:.3f}".rstrip("0").rstrip(".") + "in"


def fmt_pt(points: float) -> str:
    return f"{points:.2f}".rstrip("0").rstrip(".") + "pt"
