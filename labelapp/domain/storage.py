"""Storage conditions as one fact: the temperature range of each condition, the handling phrases, and
the check that a free-text storage statement agrees with the structured condition (docs/domain.md §2.8).

The ranges are USP <659> vocabulary as worded on DailyMed labels (docs/domain.md §2.8): the printed
statement is generated from this table, so the statement on a label and the condition its expiry was
dated for cannot disagree. An old formula may still carry free text; ``text_problem`` then reads every
temperature and every condition word in it and refuses one that belongs to another condition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from labelapp.domain.dating import StorageCondition


@dataclass(frozen=True)
class TemperatureRange:
    """A labeled storage range in °C, with the °F the label prints beside it (USP <659>)."""

    low_c: int
    high_c: int
    low_f: int
    high_f: int
    statement: str  # what the label prints for the range
    excursion_low_c: int | None = None  # permitted excursions (controlled room temperature only)
    excursion_high_c: int | None = None

    @property
    def accepted_c(self) -> tuple[int, int]:
        """The range a free-text temperature must lie in: the labeled range, or its permitted excursions."""
        low = self.excursion_low_c if self.excursion_low_c is not None else self.low_c
        high = self.excursion_high_c if self.excursion_high_c is not None else self.high_c
        return low, high


# docs/domain.md §2.8 (raw reference §2.6): USP <659>; frozen is the range USP <797> uses for frozen BUDs.
STORAGE_RANGES: dict[StorageCondition, TemperatureRange] = {
    StorageCondition.CONTROLLED_ROOM_TEMPERATURE: TemperatureRange(
        20,
        25,
        68,
        77,
        "Store at 20\u00b0 to 25\u00b0C (68\u00b0 to 77\u00b0F).",
        excursion_low_c=15,
        excursion_high_c=30,
    ),
    StorageCondition.REFRIGERATED: TemperatureRange(
        2, 8, 36, 46, "Store in a refrigerator, 2\u00b0 to 8\u00b0C (36\u00b0 to 46\u00b0F)."
    ),
    StorageCondition.FROZEN: TemperatureRange(
        -25, -10, -13, 14, "Store in a freezer, -25\u00b0 to -10\u00b0C (-13\u00b0 to 14\u00b0F)."
    ),
}


class HandlingPhrase(StrEnum):
    """The handling statements a master formula may add to its storage statement, printed as written."""

    PROTECT_FROM_LIGHT = "Protect from light."
    DO_NOT_FREEZE = "Do not freeze."
    DO_NOT_REFRIGERATE = "Do not refrigerate."
    STORE_IN_CARTON = "Store in carton until time of use."
    # USP <659> controlled room temperature only; the label prints it when the formula lists it
    EXCURSIONS_PERMITTED = "Excursions permitted 15\u201330\u00b0C (59\u201386\u00b0F)."


# A handling phrase that says the opposite of the condition (a frozen product "Do not freeze.").
CONTRADICTING: dict[HandlingPhrase, StorageCondition] = {
    HandlingPhrase.DO_NOT_FREEZE: StorageCondition.FROZEN,
    HandlingPhrase.DO_NOT_REFRIGERATE: StorageCondition.REFRIGERATED,
}


def handling_phrase(value: object) -> object:
    """'protect from light' -> HandlingPhrase.PROTECT_FROM_LIGHT (case, spaces and the final period aside)."""
    if not isinstance(value, str):
        return value
    key = " ".join(value.split()).rstrip(".").lower()
    for phrase in HandlingPhrase:
        if phrase.value.rstrip(".").lower() == key:
            return phrase
    known = "; ".join(f"{p.value!r}" for p in HandlingPhrase)
    raise ValueError(f"{value!r} is not one of the handling phrases: {known}")


def statement(condition: StorageCondition, handling: list[HandlingPhrase]) -> str:
    """The printed storage and handling statement: the condition's range, then each handling phrase."""
    return " ".join([STORAGE_RANGES[condition].statement, *(h.value for h in handling)])


def handling_problem(condition: StorageCondition, handling: list[HandlingPhrase]) -> str | None:
    for phrase in handling:
        if CONTRADICTING.get(phrase) is condition:
            return f"{phrase.value!r} contradicts the storage condition {condition.value!r}"
        crt = StorageCondition.CONTROLLED_ROOM_TEMPERATURE
        if phrase is HandlingPhrase.EXCURSIONS_PERMITTED and condition is not crt:
            return f"{phrase.value!r} applies to controlled room temperature only, not {condition.value!r}"
    if len(set(handling)) != len(handling):
        return "a handling phrase is listed twice"
    return None


# ----------------------------------------------------------------------------- free text

_MINUS = "-\u2212"
_NUM = rf"[{_MINUS}]?\d+(?:\.\d+)?"
_DEG = r"\s*(?:\u00b0|\u00ba|deg(?:rees)?\.?)?\s*"
_SCALE = r"(?P<{0}>[CF])(?![A-Za-z])"
# "20° to 25°C", "2-8 °C", "36°F to 46°F", "-25 to -10 °C", "15–30°C", "between 2 and 8°C"
_RANGE = re.compile(
    rf"(?P<a>{_NUM}){_DEG}(?:(?P<sa>[CF])(?![A-Za-z])\s*)?(?:to|through|and|\u2013|\u2014|-){_DEG}"
    rf"(?P<b>{_NUM}){_DEG}{_SCALE.format('sb')}",
    re.IGNORECASE,
)
_SINGLE = re.compile(rf"(?P<a>{_NUM}){_DEG}{_SCALE.format('s')}", re.IGNORECASE)
_NEGATED = re.compile(r"\b(?:do\s+not|don't|never|avoid|protect\s+from)\s+(?P<what>refrigerat\w*|freez\w*)", re.I)
_WORDS: tuple[tuple[re.Pattern[str], StorageCondition, str], ...] = (
    (re.compile(r"room\s+temperature", re.I), StorageCondition.CONTROLLED_ROOM_TEMPERATURE, "room temperature"),
    (re.compile(r"refrigerat\w*|fridge", re.I), StorageCondition.REFRIGERATED, "refrigerated"),
    (re.compile(r"frozen|freezer|\bfreeze\b", re.I), StorageCondition.FROZEN, "frozen"),
)
_TOLERANCE_C = Decimal("0.6")  # °F written as whole degrees: 46 °F is 7.8 °C, 36 °F is 2.2 °C


def _celsius(value: str, scale: str) -> Decimal:
    number = Decimal(value.replace("\u2212", "-"))
    return number if scale.upper() == "C" else (number - 32) * 5 / 9


def temperatures(text: str) -> list[tuple[str, Decimal, Decimal]]:
    """Every temperature or range written in ``text``: (as written, low °C, high °C)."""
    found: list[tuple[str, Decimal, Decimal]] = []
    taken: list[tuple[int, int]] = []
    for m in _RANGE.finditer(text):
        scale_b = m["sb"]
        a, b = _celsius(m["a"], m["sa"] or scale_b), _celsius(m["b"], scale_b)
        found.append((m.group(0).strip(), min(a, b), max(a, b)))
        taken.append(m.span())
    for m in _SINGLE.finditer(text):
        if any(start <= m.start() < end for start, end in taken):
            continue
        t = _celsius(m["a"], m["s"])
        found.append((m.group(0).strip(), t, t))
    return found


def text_problem(text: str, condition: StorageCondition) -> str | None:
    """Why a free-text storage statement disagrees with ``condition``, or None when it agrees.

    Every temperature must lie in the condition's range (for controlled room temperature, within the
    permitted excursions); a word naming another condition ("refrigerate", "frozen", "room
    temperature") disagrees; so does "do not freeze" on a frozen product; and a statement that names
    no storage temperature or condition at all does not tell the user how to store the product.
    """
    rng = STORAGE_RANGES[condition]
    low, high = rng.accepted_c
    where = f"formula.storage.condition is {condition.value!r} ({rng.low_c}\u00b0 to {rng.high_c}\u00b0C)"
    for written, t_low, t_high in temperatures(text):
        if t_low < low - _TOLERANCE_C or t_high > high + _TOLERANCE_C:
            return f"says {written!r}, but {where}"
    negated = [m["what"].lower() for m in _NEGATED.finditer(text)]
    for what in negated:
        if what.startswith("freez") and condition is StorageCondition.FROZEN:
            return f"says not to freeze, but {where}"
        if what.startswith("refrigerat") and condition is StorageCondition.REFRIGERATED:
            return f"says not to refrigerate, but {where}"
    plain = _NEGATED.sub(" ", text)
    named = False
    for pattern, word_condition, word in _WORDS:
        m = pattern.search(plain)
        if m is None:
            continue
        named = True
        if word_condition is not condition:
            return f"says {m.group(0)!r} ({word}), but {where}"
    if not named and not temperatures(text):
        return (
            f"names no storage temperature; {where}: leave text out so the statement is generated "
            f"({rng.statement!r}), or write the range"
        )
    return None
