"""Expiration date: the dating rule, capped by the earliest component-lot expiry (docs/domain.md §3.2, §3.4)."""

from __future__ import annotations

from datetime import date, timedelta

from labelapp.calc.format import fmt_date, fmt_exp
from labelapp.domain.batch import ComponentLot
from labelapp.domain.dating import DatingRule, StorageCondition
from labelapp.domain.errors import LabelappError
from labelapp.domain.results import Expiry, Working


def rule_days(rule: DatingRule, condition: StorageCondition) -> int:
    try:
        return rule.days[condition]
    except KeyError:
        have = ", ".join(c.value for c in rule.days)
        raise LabelappError(
            f"formula.dating_rule: rule {rule.name!r} gives no days for storage at {condition.value} "
            f"(it covers: {have})"
        ) from None


def rule_expiry(compounded: date, days: int, compounding_day_is_day: int) -> date:
    """Day 0 convention: compounded 2026-11-23 + 30 days -> 2026-12-23; day 1 convention -> 2026-12-22."""
    try:
        return compounded + timedelta(days=days - compounding_day_is_day)
    except OverflowError:
        raise LabelappError(
            f"batch.compounded_at: {fmt_date(compounded)} + {days} days is past the last "
            "date the calendar can hold; check the compounding date"
        ) from None


def earliest_lot(lots: list[ComponentLot]) -> ComponentLot | None:
    return min(lots, key=lambda lot: (lot.expiry, lot.component, lot.lot)) if lots else None


def compute_expiry(
    compounded: date,
    rule: DatingRule,
    condition: StorageCondition,
    lots: list[ComponentLot],
    compounding_day_is_day: int = 0,
) -> Expiry:
    days = rule_days(rule, condition)
    by_rule = rule_expiry(compounded, days, compounding_day_is_day)
    day_word = f"day {compounding_day_is_day}"
    rule_text = (
        f"{rule.title}: {days} days at {condition.value} from {fmt_date(compounded)} "
        f"(compounding day = {day_word}) -> {fmt_date(by_rule)}"
    )
    first = earliest_lot(lots)
    if first is not None and first.expiry < by_rule:
        basis = (
            f"Capped by component lot {first.lot} ({first.component}) expiring {fmt_date(first.expiry)}, "
            f"earlier than the dating rule ({rule_text})."
        )
        final, capped = first.expiry, first.lot
    else:
        basis = f"Dating rule {rule.name}: {rule_text}; source: {rule.source}."
        final, capped = by_rule, None
    lot_part = f"earliest lot expiry {fmt_date(first.expiry)} ({first.lot})" if first else "no component lots"
    working = Working(
        label="Expiration date",
        expression=f"min({fmt_date(by_rule)} by rule {rule.name}, {lot_part})",
        result=fmt_exp(final),
    )
    return Expiry(
        date=final,
        text=fmt_exp(final),
        basis=basis,
        rule=rule.name,
        rule_date=by_rule,
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
