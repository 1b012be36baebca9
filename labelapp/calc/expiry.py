"""Expiration date: the dating rule, capped by the earliest component-lot expiry (docs/domain.md §3.2, §3.4).

A rule gives days or, for a preparation whose life is counted in hours, hours (§3.6). A day rule gives
a date ("EXP 2026-12-23"). An hour rule counts from the date AND time of compounding and gives a date
and a time ("EXP 2026-11-23 20:30"), never rounded up to a day.

Times are the facility's local wall-clock time as entered in ``batch.compounded_at`` (a time-zone
offset written there is not converted: the label shows the clock the staff read). One safeguard: a
US clock falls back one hour on the first Sunday of November (15 U.S.C. 260a), so a period that
spans that night lasts one hour longer than its wall-clock difference; the expiry time is then
brought forward one hour so the real period never exceeds the rule (springing forward only makes
the wall-clock result earlier, which is safe).

The component-lot cap (§3.4): a lot "expiring 2026-12-10" is usable through that date. It caps a day
rule when it is earlier than the rule's date. It caps an hour rule when the lot's date is before the
date the hours run to: the lot then ends before the hour-based expiry on any reading, and the capped
expiry is the lot's date, printed as a date. A lot expiring on the very day the hours end lasts
through that day, past the expiry time, so it does not cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from labelapp.calc.format import fmt_date, fmt_exp, fmt_time
from labelapp.domain.batch import ComponentLot
from labelapp.domain.dating import DatingRule, StorageCondition
from labelapp.domain.errors import LabelappError
from labelapp.domain.results import Expiry, Working

LOCAL_TIME_NOTE = "facility local time as entered in batch.compounded_at"


@dataclass(frozen=True)
class DatingPeriod:
    amount: int
    unit: Literal["days", "hours"]

    def __str__(self) -> str:
        word = self.unit if self.amount != 1 else self.unit[:-1]
        return f"{self.amount} {word}"


def rule_period(rule: DatingRule, condition: StorageCondition) -> DatingPeriod:
    if condition in rule.hours:
        return DatingPeriod(rule.hours[condition], "hours")
    if condition in rule.days:
        return DatingPeriod(rule.days[condition], "days")
    have = ", ".join(c.value for c in rule.conditions)
    raise LabelappError(
        f"formula.dating_rule: rule {rule.name!r} gives no days or hours for storage at {condition.value} "
        f"(it covers: {have})"
    )


def rule_days(rule: DatingRule, condition: StorageCondition) -> int:
    """The rule's days for ``condition`` (a day rule; hour rules: ``rule_period``)."""
    period = rule_period(rule, condition)
    if period.unit != "days":
        raise LabelappError(f"formula.dating_rule: rule {rule.name!r} gives {period} for {condition.value}, not days")
    return period.amount


def rule_expiry(compounded: date, days: int, compounding_day_is_day: int) -> date:
    """Day 0 convention: compounded 2026-11-23 + 30 days -> 2026-12-23; day 1 convention -> 2026-12-22."""
    try:
        return compounded + timedelta(days=days - compounding_day_is_day)
    except OverflowError:
        raise LabelappError(
            f"batch.compounded_at: {fmt_date(compounded)} + {days} days is past the last "
            "date the calendar can hold; check the compounding date"
        ) from None


def us_fall_back(year: int) -> datetime:
    """01:00 on the first Sunday of November: the wall-clock hour that a US clock shows twice."""
    first = date(year, 11, 1)
    sunday = first + timedelta(days=(6 - first.weekday()) % 7)
    return datetime.combine(sunday, time(1, 0))


def spans_fall_back(start: datetime, end: datetime) -> bool:
    """Whether the wall-clock period [start, end] touches the repeated hour of a US fall-back night."""
    for year in range(start.year, end.year + 1):
        repeated = us_fall_back(year)
        if start < repeated + timedelta(hours=1) and end > repeated:
            return True
    return False


def hour_expiry(compounded: datetime, hours: int) -> tuple[datetime, bool]:
    """(wall-clock expiry, whether an hour was taken off for a fall-back night), to the minute."""
    start = compounded.replace(tzinfo=None, second=0, microsecond=0)
    try:
        end = start + timedelta(hours=hours)
    except OverflowError:
        raise LabelappError(
            f"batch.compounded_at: {fmt_date(start.date())} + {hours} hours is past the last "
            "date the calendar can hold; check the compounding date"
        ) from None
    if spans_fall_back(start, end):
        return end - timedelta(hours=1), True
    return end, False


def earliest_lot(lots: list[ComponentLot]) -> ComponentLot | None:
    return min(lots, key=lambda lot: (lot.expiry, lot.component, lot.lot)) if lots else None


def _at(moment: datetime) -> str:
    return f"{fmt_date(moment.date())} {fmt_time(moment.time())}"


def compute_expiry(
    compounded: date | datetime,
    rule: DatingRule,
    condition: StorageCondition,
    lots: list[ComponentLot],
    compounding_day_is_day: int = 0,
) -> Expiry:
    period = rule_period(rule, condition)
    rule_time: time | None = None
    if period.unit == "hours":
        if not isinstance(compounded, datetime):
            raise LabelappError(
                f"batch.compounded_at: rule {rule.name!r} counts {period} from the time of compounding; "
                "give the date and time (YYYY-MM-DDTHH:MM)"
            )
        moment, fell_back = hour_expiry(compounded, period.amount)
        by_rule, rule_time = moment.date(), moment.time()
        shift = (
            "; the period spans the night US clocks fall back (first Sunday of November), so one hour is "
            "taken off to keep the real period within the rule"
            if fell_back
            else ""
        )
        rule_text = (
            f"{rule.title}: {period} at {condition.value} from {_at(compounded.replace(tzinfo=None))} "
            f"-> {_at(moment)} ({LOCAL_TIME_NOTE}; counted in hours, never rounded to a day{shift})"
        )
        rule_shown = _at(moment)
    else:
        day = compounded.date() if isinstance(compounded, datetime) else compounded
        by_rule = rule_expiry(day, period.amount, compounding_day_is_day)
        rule_text = (
            f"{rule.title}: {period} at {condition.value} from {fmt_date(day)} "
            f"(compounding day = day {compounding_day_is_day}) -> {fmt_date(by_rule)}"
        )
        rule_shown = fmt_date(by_rule)
    first = earliest_lot(lots)
    final_time: time | None
    if first is not None and first.expiry < by_rule:
        basis = (
            f"Capped by component lot {first.lot} ({first.component}) expiring {fmt_date(first.expiry)}, "
            f"earlier than the dating rule ({rule_text})."
        )
        final, final_time, capped = first.expiry, None, first.lot
    else:
        basis = f"Dating rule {rule.name}: {rule_text}; source: {rule.source}."
        final, final_time, capped = by_rule, rule_time, None
    lot_part = f"earliest lot expiry {fmt_date(first.expiry)} ({first.lot})" if first else "no component lots"
    working = Working(
        label="Expiration date",
        expression=f"min({rule_shown} by rule {rule.name}, {lot_part})",
        result=fmt_exp(final, final_time),
    )
    return Expiry(
        date=final,
        time=final_time,
        text=fmt_exp(final, final_time),
        basis=basis,
        rule=rule.name,
        rule_date=by_rule,
        rule_time=rule_time,
        hours=period.amount if period.unit == "hours" else None,
        capped_by_lot=capped,
        reference_only=rule.reference_only,
        working=working,
    )


def expiry_warnings(exp: Expiry, lots: list[ComponentLot], warning_days: int) -> list[str]:
    out = []
    if exp.reference_only:
        out.append(
            f"Expiry uses the reference rule {exp.rule!r}, not facility stability data; QA must confirm it applies."
        )
    for lot in lots:
        if lot.lot != exp.capped_by_lot and (lot.expiry - exp.date).days <= warning_days:
            out.append(
                f"Component lot {lot.lot} ({lot.component}) expires {fmt_date(lot.expiry)}, within "
                f"{warning_days} days of the product expiry {fmt_date(exp.date)}."
            )
    return out
