"""Numbers and dates as they must appear on a label (ISMP, USP <7>; docs/domain.md §2.3).

No trailing zero, always a leading zero, thousands separators from 1,000, a space between number and
unit, 'mcg' never the micro sign, an amount of 1,000 mcg or more in mg, 'units' written out, dates as
YYYY-MM-DD.
"""

from __future__ import annotations

from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal

BANNED_TEXT = {"µg": "mcg", "μg": "mcg", " cc": " mL", " IU": " units", " U ": " units "}


def round_sig(x: Decimal, sig: int) -> Decimal:
    """Round to ``sig`` significant figures, half up."""
    if x == 0:
        return Decimal(0)
    exp = x.adjusted() - sig + 1
    return x.quantize(Decimal(1).scaleb(exp), rounding=ROUND_HALF_UP)


def round_places(x: Decimal, places: int) -> Decimal:
    return x.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fmt_number(x: Decimal | int | float, *, places: int | None = None, sig: int | None = None) -> str:
    """'1500' -> '1,500'; '0.50' -> '0.5'; '.5' -> '0.5'; '5.0' -> '5'."""
    d = x if isinstance(x, Decimal) else Decimal(str(x))
    if sig is not None:
        d = round_sig(d, sig)
    if places is not None:
        d = round_places(d, places)
    text = format(d, ",f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def fmt_measured(x: Decimal, places: int) -> str:
    """A measurement at balance precision (worksheets only): trailing zeros kept, '161.70'."""
    return format(round_places(x, places), ",f")


def fmt_qty(x: Decimal | int, unit: str, *, places: int | None = None, sig: int | None = None) -> str:
    return f"{fmt_number(x, places=places, sig=sig)} {unit}"


def fmt_date(d: date) -> str:
    return d.isoformat()


def fmt_time(t: time) -> str:
    """24-hour clock, minutes: '20:30' (docs/domain.md §3.6)."""
    return t.strftime("%H:%M")


def fmt_exp(d: date, t: time | None = None) -> str:
    """'EXP 2026-12-23'; with an hour-based expiry 'EXP 2026-11-23 20:30'."""
    return f"EXP {d.isoformat()}" + (f" {fmt_time(t)}" if t is not None else "")


def banned_in(text: str) -> list[str]:
    """The error-prone symbols (ISMP) that appear in ``text``."""
    padded = f" {text} "
    return [bad.strip() for bad in BANNED_TEXT if bad in padded]


MCG_PER_MG = Decimal(1000)


def label_amount(amount: Decimal, unit: str) -> tuple[Decimal, str]:
    """The amount in the unit a label states it in: 1,000 mcg or more is given in mg (docs/domain.md §2.3).

    999 mcg stays '999 mcg'; 1,000 mcg is '1 mg'; 1,500 mcg is '1.5 mg'. Other units are kept as they are.
    """
    if unit == "mcg" and amount >= MCG_PER_MG:
        return amount / MCG_PER_MG, "mg"
    return amount, unit


def units_word(amount: Decimal | int) -> str:
    """'units', or 'unit' for exactly one (always written out: never 'U' or 'IU', ISMP)."""
    return "unit" if Decimal(amount) == 1 else "units"


def fmt_amount(amount: Decimal, unit: str, *, per_ml: bool = False) -> str:
    """An amount of a component as a label states it: '1.5 mg' (from 1,500 mcg), '30 units', '50 mg/mL'."""
    value, shown = label_amount(amount, unit)
    if shown == "units":
        shown = units_word(value)
    return fmt_qty(value, f"{shown}/mL" if per_ml else shown)


def mass_per_volume_text(amount: Decimal, unit: str, volume_ml: Decimal) -> str:
    """'1,500 mg per 30 mL'; '15 mg per 30 mL' for 15,000 mcg; '30 units per 500 mL'."""
    return f"{fmt_amount(amount, unit)} per {fmt_qty(volume_ml, 'mL')}"
