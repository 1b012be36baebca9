"""Date and date-time input fields that refuse a number.

pydantic reads a number (or a string of digits) as seconds since 1970: ``0`` would become
1970-01-01 and ``7`` a confusing internal message. A date typed as a number is a mistake, so every
date and date-time field of the domain's input models uses these types and says how to write it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator

DATE_WORDS = "must be a date written YYYY-MM-DD"
DATETIME_WORDS = "must be a date and time written YYYY-MM-DDTHH:MM"
_NUMBER = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")


def _is_number(value: object) -> bool:
    if isinstance(value, bool | int | float | Decimal):
        return True
    return isinstance(value, str | bytes) and bool(_NUMBER.match(value if isinstance(value, str) else value.decode()))


def _date(value: object) -> object:
    if _is_number(value):
        raise ValueError(DATE_WORDS)
    return value


def _datetime(value: object) -> object:
    if _is_number(value):
        raise ValueError(DATETIME_WORDS)
    return value


InputDate = Annotated[date, BeforeValidator(_date)]
InputDateTime = Annotated[datetime, BeforeValidator(_datetime)]
