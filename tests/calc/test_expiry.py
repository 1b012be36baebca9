"""Expiration date: dating rule days from the compounding date, capped by the earliest component lot."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from labelapp.calc.batch import compute_batch
from labelapp.calc.expiry import compute_expiry, expiry_warnings
from labelapp.domain.batch import ComponentLot
from labelapp.domain.dating import DatingRule, StorageCondition
from labelapp.domain.errors import InputError, LabelappError
from labelapp.domain.reference import DatingRules
from labelapp.domain.settings import CalcSettings
from labelapp.services.calculate import parse_batch_data, reference_ingredients

CRT = StorageCondition.CONTROLLED_ROOM_TEMPERATURE


def rule(days: int, *, reference_only: bool = False, name: str = "facility-sop-12") -> DatingRule:
    return DatingRule(
        name=name,
        title="Facility stability SOP 12",
        kind="stability-study",
        days={CRT: days},
        source="Stability study SS-2026-004",
        reference_only=reference_only,
    )


def lot(expiry: date, lot_no: str = "L1", component: str = "glycine") -> ComponentLot:
    return ComponentLot(component=component, lot=lot_no, manufacturer="Example Chemical Co.", expiry=expiry)


@pytest.mark.parametrize(
    ("compounded", "days", "day_is", "expected"),
    [
        (date(2026, 11, 23), 30, 0, date(2026, 12, 23)),  # the glycine example
        (date(2026, 11, 23), 30, 1, date(2026, 12, 22)),  # compounding day counted as day 1
        (date(2026, 1, 31), 30, 0, date(2026, 3, 2)),  # month end, February has 28 days
        (date(2028, 1, 31), 30, 0, date(2028, 3, 1)),  # month end in a leap year
        (date(2026, 1, 31), 1, 0, date(2026, 2, 1)),
        (date(2026, 4, 30), 1, 0, date(2026, 5, 1)),
        (date(2028, 2, 28), 1, 0, date(2028, 2, 29)),  # leap day exists in 2028
        (date(2027, 2, 28), 1, 0, date(2027, 3, 1)),  # and not in 2027
        (date(2028, 2, 29), 1, 0, date(2028, 3, 1)),  # compounded on the leap day
        (date(2028, 2, 29), 365, 0, date(2029, 2, 28)),
        (date(2026, 12, 31), 1, 0, date(2027, 1, 1)),  # year end
        (date(2026, 12, 31), 1, 1, date(2026, 12, 31)),  # 1 day, day-1 convention: the same day
        (date(2026, 12, 2), 30, 0, date(2027, 1, 1)),
        (date(2026, 12, 2), 30, 1, date(2026, 12, 31)),
    ],
)
def test_rule_date_arithmetic(compounded: date, days: int, day_is: int, expected: date) -> None:
    exp = compute_expiry(compounded, rule(days), CRT, [], day_is)
    assert exp.date == exp.rule_date == expected
    assert exp.text == f"EXP {expected.isoformat()}"
    assert exp.capped_by_lot is None
    assert f"compounding day = day {day_is}" in exp.basis


def test_basis_names_rule_days_condition_and_source() -> None:
    exp = compute_expiry(date(2026, 11, 23), rule(30), CRT, [lot(date(2028, 9, 30))])
    assert exp.basis == (
        "Dating rule facility-sop-12: Facility stability SOP 12: 30 days at controlled room "
        "temperature from 2026-11-23 (compounding day = day 0) -> 2026-12-23; "
        "source: Stability study SS-2026-004."
    )


def test_earliest_component_lot_caps_the_date_and_is_named() -> None:
    lots = [lot(date(2027, 6, 1), "LATE", "glycine"), lot(date(2026, 12, 10), "EARLY", "water for injection")]
    exp = compute_expiry(date(2026, 11, 23), rule(30), CRT, lots)
    assert exp.date == date(2026, 12, 10)
    assert exp.rule_date == date(2026, 12, 23)
    assert exp.text == "EXP 2026-12-10"
    assert exp.capped_by_lot == "EARLY"
    assert "Capped by component lot EARLY (water for injection) expiring 2026-12-10" in exp.basis
    assert "2026-12-23" in exp.basis  # the rule date it beat


def test_lot_expiring_on_the_rule_date_does_not_cap() -> None:
    exp = compute_expiry(date(2026, 11, 23), rule(30), CRT, [lot(date(2026, 12, 23), "SAME")])
    assert exp.date == date(2026, 12, 23)
    assert exp.capped_by_lot is None
    assert exp.basis.startswith("Dating rule facility-sop-12")


def test_lot_expiring_one_day_before_the_rule_date_caps() -> None:
    exp = compute_expiry(date(2026, 11, 23), rule(30), CRT, [lot(date(2026, 12, 22), "EDGE")])
    assert (exp.date, exp.capped_by_lot) == (date(2026, 12, 22), "EDGE")


def test_storage_condition_missing_from_rule() -> None:
    with pytest.raises(
        LabelappError,
        match=r"formula\.dating_rule: rule 'facility-sop-12' gives no days or hours for "
        r"storage at frozen \(it covers: controlled room temperature\)",
    ):
        compute_expiry(date(2026, 11, 23), rule(30), StorageCondition.FROZEN, [])


def test_reference_only_rule_warns_qa() -> None:
    exp = compute_expiry(date(2026, 11, 23), rule(30, reference_only=True, name="usp-ref"), CRT, [])
    assert exp.reference_only
    assert expiry_warnings(exp, [], 30) == [
        "Expiry uses the reference rule 'usp-ref', not facility stability data; QA must confirm it applies."
    ]


def test_facility_rule_has_no_qa_warning() -> None:
    exp = compute_expiry(date(2026, 11, 23), rule(30), CRT, [])
    assert expiry_warnings(exp, [], 30) == []


@pytest.mark.parametrize(
    ("lot_expiry", "warned"),
    [
        (date(2027, 1, 22), True),  # 30 days after EXP 2026-12-23: within the warning window
        (date(2027, 1, 23), False),  # 31 days after
    ],
)
def test_lot_expiring_soon_after_the_product_warns(lot_expiry: date, warned: bool) -> None:
    lots = [lot(lot_expiry, "SOON")]
    exp = compute_expiry(date(2026, 11, 23), rule(30), CRT, lots)
    warnings = expiry_warnings(exp, lots, 30)
    assert bool(warnings) == warned
    if warned:
        assert warnings == [
            "Component lot SOON (glycine) expires 2027-01-22, within 30 days of the product expiry 2026-12-23."
        ]


# --- the same rules through a whole batch -------------------------------------------------------------


def test_glycine_example_expiry(glycine_doc, compute) -> None:
    r = compute(glycine_doc)
    assert r.expiration_date == date(2026, 12, 23)
    assert r.expiration_text == "EXP 2026-12-23"
    assert r.expiry.rule == "usp797-cat2-aseptic-sterility-tested"
    assert r.compounded_text == "Compounded 2026-11-23"


def test_day_one_convention_from_settings(glycine_doc, compute) -> None:
    r = compute(glycine_doc, compounding_day_is_day=1)
    assert r.expiration_text == "EXP 2026-12-22"
    assert "compounding day = day 1" in r.expiry.basis


def test_component_lot_caps_batch_expiry(glycine_doc, compute) -> None:
    glycine_doc["batch"]["component_lots"][0]["expiry"] = "2026-12-01"
    r = compute(glycine_doc)
    assert r.expiration_text == "EXP 2026-12-01"
    assert r.expiry.capped_by_lot == "GLY24117"
    assert "GLY24117" in r.expiry.basis and "glycine" in r.expiry.basis


def test_lot_expiring_on_the_compounding_day_is_allowed(glycine_doc, compute) -> None:
    glycine_doc["batch"]["component_lots"][0]["expiry"] = "2026-11-23"
    r = compute(glycine_doc)
    assert r.expiration_date == date(2026, 11, 23)
    assert r.expiry.capped_by_lot == "GLY24117"


def test_lot_expired_the_day_before_compounding_is_refused(glycine_doc, compute) -> None:
    glycine_doc["batch"]["component_lots"][0]["expiry"] = "2026-11-22"
    with pytest.raises(InputError) as info:
        compute(glycine_doc)
    assert [str(i) for i in info.value.issues] == [
        "batch.component_lots[0].expiry: lot GLY24117 expired 2026-11-22, before compounding on 2026-11-23"
    ]


def test_storage_missing_from_rule_is_a_formula_dating_rule_error(glycine_doc, compute) -> None:
    glycine_doc["formula"]["dating_rule"] = "usp797-cat1"
    glycine_doc["formula"]["storage"] = {"condition": "frozen"}
    with pytest.raises(InputError) as info:
        compute(glycine_doc)
    (issue,) = info.value.issues
    assert issue.path == "formula.dating_rule"
    assert "'usp797-cat1' gives no days or hours for storage at frozen" in issue.message


def test_reference_rule_in_batch_gives_qa_warning(glycine_doc, compute) -> None:
    r = compute(glycine_doc)
    assert any(
        "reference rule 'usp797-cat2-aseptic-sterility-tested'" in w and "QA must confirm" in w for w in r.warnings
    )


def test_facility_rule_in_batch_has_no_qa_warning(glycine_doc) -> None:
    glycine_doc["formula"]["dating_rule"] = "facility-sop-12"
    r = compute_batch(parse_batch_data(glycine_doc), reference_ingredients(), DatingRules([rule(60)]), CalcSettings())
    assert r.expiration_text == "EXP 2027-01-22"
    assert not any("reference rule" in w for w in r.warnings)


def test_compounding_date_too_late_for_the_calendar_is_an_error(glycine_doc, compute) -> None:
    glycine_doc["batch"]["compounded_at"] = "9999-12-30T08:00:00"
    for component_lot in glycine_doc["batch"]["component_lots"]:
        component_lot["expiry"] = "9999-12-31"
    with pytest.raises(LabelappError, match=r"batch\.compounded_at: 9999-12-30 \+ 30 days"):
        compute(glycine_doc)


def test_time_of_day_does_not_move_the_date(glycine_doc, compute) -> None:
    glycine_doc["batch"]["compounded_at"] = "2026-11-23T23:59:59"
    assert compute(glycine_doc).expiration_text == "EXP 2026-12-23"


# --- hour-based dating (docs/domain.md §3.6) -----------------------------------------------------------

REF = StorageCondition.REFRIGERATED


def hour_rule(hours: int = 12, condition: StorageCondition = CRT) -> DatingRule:
    return DatingRule(
        name="usp797-cat1-test",
        title="USP <797> Category 1 (reference)",
        kind="reference-table",
        hours={condition: hours},
        source="USP <797> (2023) Category 1",
        reference_only=True,
    )


@pytest.mark.parametrize(
    ("compounded", "hours", "expected"),
    [
        (datetime(2026, 11, 23, 8, 30), 12, datetime(2026, 11, 23, 20, 30)),  # the issue: the same day, 20:30
        (datetime(2026, 11, 23, 8, 30), 24, datetime(2026, 11, 24, 8, 30)),
        (datetime(2026, 11, 23, 13, 45), 12, datetime(2026, 11, 24, 1, 45)),  # past midnight: the next day
        (datetime(2026, 12, 31, 18, 0), 12, datetime(2027, 1, 1, 6, 0)),  # year end
        (datetime(2028, 2, 28, 20, 0), 24, datetime(2028, 2, 29, 20, 0)),  # leap day
        (datetime(2026, 11, 23, 8, 30, 59), 12, datetime(2026, 11, 23, 20, 30)),  # seconds dropped, never rounded up
        # US clocks fall back on 2026-11-01 (01:00-02:00 twice): an hour off keeps the real period <= 12 h
        (datetime(2026, 10, 31, 20, 0), 12, datetime(2026, 11, 1, 7, 0)),
        (datetime(2026, 11, 1, 1, 30), 12, datetime(2026, 11, 1, 12, 30)),
        (datetime(2026, 11, 1, 3, 0), 12, datetime(2026, 11, 1, 15, 0)),  # after the change: as is
        # clocks spring forward on 2026-03-08: the wall-clock result is already earlier than 12 real hours
        (datetime(2026, 3, 7, 20, 0), 12, datetime(2026, 3, 8, 8, 0)),
    ],
)
def test_hour_rules_count_from_the_time_of_compounding(compounded, hours, expected) -> None:
    exp = compute_expiry(compounded, hour_rule(hours), CRT, [], compounding_day_is_day=1)  # day rule n/a
    assert (exp.date, exp.time) == (expected.date(), expected.time())
    assert exp.text == f"EXP {expected:%Y-%m-%d %H:%M}"
    assert exp.hours == hours
    assert "facility local time as entered in batch.compounded_at" in exp.basis
    assert "never rounded to a day" in exp.basis


def test_the_fall_back_night_is_named_in_the_basis() -> None:
    exp = compute_expiry(datetime(2026, 10, 31, 20, 0), hour_rule(12), CRT, [])
    assert "one hour is taken off" in exp.basis
    assert "one hour" not in compute_expiry(datetime(2026, 11, 23, 8, 30), hour_rule(12), CRT, []).basis


def test_a_time_zone_offset_as_entered_is_kept_as_the_wall_clock() -> None:
    aware = datetime.fromisoformat("2026-11-23T08:30:00-06:00")
    exp = compute_expiry(aware, hour_rule(12), CRT, [])
    assert exp.text == "EXP 2026-11-23 20:30"


def test_an_hour_rule_needs_the_time() -> None:
    with pytest.raises(LabelappError, match=r"batch\.compounded_at: rule 'usp797-cat1-test' counts 12 hours"):
        compute_expiry(date(2026, 11, 23), hour_rule(12), CRT, [])


@pytest.mark.parametrize(
    ("lot_expiry", "capped", "text"),
    [
        (date(2026, 11, 23), True, "EXP 2026-11-23"),  # ends before the day the 24 h run to: a date
        (date(2026, 11, 24), False, "EXP 2026-11-24 08:30"),  # usable through 11-24, past 08:30: no cap
        (date(2026, 12, 1), False, "EXP 2026-11-24 08:30"),
    ],
)
def test_the_component_lot_cap_applies_to_hour_based_dates(lot_expiry, capped, text) -> None:
    lots = [lot(lot_expiry, "WFI-1", "water for injection")]
    exp = compute_expiry(datetime(2026, 11, 23, 8, 30), hour_rule(24, REF), REF, lots)
    assert exp.text == text
    assert (exp.capped_by_lot == "WFI-1") is capped
    assert (exp.time is None) is capped
    assert (exp.rule_date, exp.rule_time) == (date(2026, 11, 24), time(8, 30))
    if capped:
        assert exp.basis.startswith("Capped by component lot WFI-1 (water for injection) expiring 2026-11-23")
        assert "2026-11-24 08:30" in exp.basis


def test_day_rules_keep_printing_a_date(glycine_doc, compute) -> None:
    r = compute(glycine_doc)
    assert (r.expiration_text, r.expiration_time, r.compounded_text) == (
        "EXP 2026-12-23",
        None,
        "Compounded 2026-11-23",
    )


def test_usp797_category_1_batch_expires_at_20_30_the_same_day(glycine_doc, compute) -> None:
    glycine_doc["formula"]["dating_rule"] = "usp797-cat1"
    r = compute(glycine_doc)
    assert r.expiration_text == "EXP 2026-11-23 20:30"
    assert r.compounded_text == "Compounded 2026-11-23 08:30"
    assert r.expiry.working.result == "EXP 2026-11-23 20:30"
