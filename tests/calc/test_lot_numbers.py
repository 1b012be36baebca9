"""Lot numbers from the configurable pattern: unique (needs {seq}), at most 20 characters, GS1-safe."""

from __future__ import annotations

from datetime import date

import pytest

from labelapp.domain.errors import LabelappError
from labelapp.domain.lots import LotPattern, lot_problem
from labelapp.domain.settings import CalcSettings

DAY = date(2026, 11, 23)
DEFAULT = CalcSettings().lot_pattern


def format_lot(pattern: str, when: date, seq: int, code: str) -> str:
    return LotPattern(pattern).render(when, seq, code)


@pytest.mark.parametrize(
    ("pattern", "when", "seq", "lot"),
    [
        (DEFAULT, DAY, 1, "G50-261123-01"),  # docs/domain.md §7.1 suggested form
        (DEFAULT, DAY, 12, "G50-261123-12"),
        (DEFAULT, DAY, 123, "G50-261123-123"),  # {seq:02d} is a minimum width, not a cap
        (DEFAULT, date(2027, 1, 5), 1, "G50-270105-01"),  # month and day zero-padded
        (DEFAULT, date(2005, 3, 9), 1, "G50-050309-01"),  # two-digit year zero-padded
        ("{yyyy}{mm}{dd}-{seq}", DAY, 35, "20261123-35"),
        ("{code}{yy}{mm}{dd}{seq:03d}", DAY, 7, "G50261123007"),
        ("{mm}{dd}{yyyy}-{seq}", DAY, 4, "11232026-4"),
        ("{seq:05d}", DAY, 42, "00042"),
    ],
)
def test_pattern_fields(pattern: str, when: date, seq: int, lot: str) -> None:
    assert format_lot(pattern, when, seq, "G50") == lot


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("{code}-{lot}-{seq}", "lot_pattern: unknown field {lot}"),
        ("{code}-{yy}{mm}{dd}", "lot_pattern: must contain {seq} so that lot numbers are unique"),
        ("{code}-{{seq}}", "must contain {seq}"),  # escaped braces are not a field
        ("{code}-{seq", "lot_pattern: '{code}-{seq' is not a valid pattern"),
        ("{code}-{yyyy}{mm}{dd}-{seq:08d}", "makes lot numbers of up to 24 characters"),
        ("{yyyy}{mm}{dd}@{seq}", "contains '@'; a lot number may use letters, digits and - . / _ only"),
        ("{code} {seq}", "contains ' '; a lot number may use letters, digits and - . / _ only"),
        ("{code}%{seq}", "contains '%'"),  # GS1-legal, but scanners and spreadsheets mangle it
        ("{code}-{yy:02d}-{seq}", "lot_pattern: '{code}-{yy:02d}-{seq}' cannot be filled in"),
        ("{code}-{seq!x}", "cannot be filled in"),
    ],
)
def test_bad_patterns_are_refused_with_a_reason(pattern: str, message: str) -> None:
    with pytest.raises(LabelappError) as info:
        format_lot(pattern, DAY, 1, "G50")
    assert message in str(info.value)


def test_sequence_starts_at_one() -> None:
    with pytest.raises(LabelappError, match="lot sequence must be 1 or more, not 0"):
        format_lot(DEFAULT, DAY, 0, "G50")


@pytest.mark.parametrize(
    ("lot", "problem"),
    [
        ("G50-261123-01", None),
        ("A" * 20, None),
        ("20170726@35", "contains '@'"),  # the SCA style from docs/domain.md §7.1: not GS1-safe
        ("A" * 21, "has 21 characters; GS1 AI (10) allows at most 20"),
        ("LOT#5", "contains '#'"),
        ("LÖT-1", "contains 'Ö'"),
        ("", "must not be empty"),
    ],
)
def test_gs1_lot_check(lot: str, problem: str | None) -> None:
    found = lot_problem(lot)
    assert (found is None) if problem is None else (problem in found)


def test_batch_takes_the_default_pattern(glycine_doc, compute) -> None:
    r = compute(glycine_doc)
    assert r.lot_number == "G50-261123-01"
    assert r.lot_provisional is True


def test_batch_uses_the_pattern_from_settings(glycine_doc, compute) -> None:
    assert compute(glycine_doc, lot_pattern="{yyyy}{mm}{dd}-{seq}").lot_number == "20261123-1"


def test_batch_bad_pattern_from_settings_is_refused(glycine_doc, compute) -> None:
    with pytest.raises(LabelappError, match=r"lot_pattern: unknown field \{julian\}"):
        compute(glycine_doc, lot_pattern="{julian}-{seq}")


def test_batch_given_lot_number_is_kept(glycine_doc, compute) -> None:
    glycine_doc["batch"]["lot_number"] = "  G50-261123-07 "
    r = compute(glycine_doc)
    assert r.lot_number == "G50-261123-07"
    assert r.lot_provisional is False
