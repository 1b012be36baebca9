"""ISMP and USP <7> number, unit and date formatting (docs/domain.md §2.1, §2.3, §2.7)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelapp.calc.format import banned_in, fmt_amount, fmt_date, fmt_exp, fmt_number, fmt_qty, mass_per_volume_text
from labelapp.services.calculate import calculate_solution


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("5.0"), "5"),  # no trailing zero: "5.0 mg" is read as 50 mg
        (D("5.00"), "5"),
        (D("2.50"), "2.5"),
        (D(".5"), "0.5"),  # always a leading zero: ".5 mg" is read as 5 mg
        (D("0.05"), "0.05"),
        (D("1500"), "1,500"),  # thousands separator from 1,000
        (D("999"), "999"),
        (D("1000"), "1,000"),
        (D("100000"), "100,000"),
        (D("1234567.25"), "1,234,567.25"),
        (D("1E+3"), "1,000"),  # exponent form never leaks onto a label
        (D("2.5E-3"), "0.0025"),
        (D("0"), "0"),
        (D("-0.0"), "0"),
        (1500, "1,500"),
        (0.1, "0.1"),  # a float is taken at its printed value, not its binary one
    ],
)
def test_fmt_number(value, text: str) -> None:
    assert fmt_number(value) == text


@pytest.mark.parametrize(
    ("value", "kw", "text"),
    [
        (D("2.5"), {"places": 0}, "3"),  # half up, not half even (which gives 2)
        (D("0.125"), {"places": 2}, "0.13"),  # half even gives 0.12
        (D("665.5"), {"places": 0}, "666"),
        (D("1.2345"), {"places": 3}, "1.235"),
        (D("1.235"), {"sig": 3}, "1.24"),
        (D("3997.3"), {"sig": 3}, "4,000"),
        (D("0.0004996"), {"sig": 3}, "0.0005"),
        (D("4.0573"), {"sig": 3}, "4.06"),
        (D("1.999"), {"places": 2}, "2"),  # rounding may create a trailing zero: still dropped
    ],
)
def test_rounding_is_half_up(value: D, kw: dict, text: str) -> None:
    assert fmt_number(value, **kw) == text


LABEL_NUMBER = re.compile(r"^-?(0|[1-9]\d{0,2}(,\d{3})*)(\.\d*[1-9])?$")


@settings(deadline=None)
@given(st.decimals(min_value="-1e9", max_value="1e9", allow_nan=False, allow_infinity=False))
def test_any_number_prints_in_label_form_and_keeps_its_value(value: D) -> None:
    text = fmt_number(value)
    assert LABEL_NUMBER.match(text), text
    assert D(text.replace(",", "")) == value


def test_number_space_unit() -> None:
    assert fmt_qty(D("10.0"), "mg") == "10 mg"
    assert fmt_qty(D("0.5"), "mg/mL") == "0.5 mg/mL"
    assert fmt_qty(D("1500"), "mcg") == "1,500 mcg"


def test_strength_total_then_per_ml_text() -> None:
    assert mass_per_volume_text(D("1500"), "mg", D("30")) == "1,500 mg per 30 mL"
    assert mass_per_volume_text(D("15000"), "mcg", D("30.0")) == "15 mg per 30 mL"  # 1,000 mcg or more in mg
    assert mass_per_volume_text(D("999"), "mcg", D("1")) == "999 mcg per 1 mL"
    assert mass_per_volume_text(D("30"), "units", D("500")) == "30 units per 500 mL"


@pytest.mark.parametrize(
    ("amount", "unit", "text"),
    [
        (D("999"), "mcg", "999 mcg"),  # below 1,000 mcg: stays mcg
        (D("999.9"), "mcg", "999.9 mcg"),
        (D("1000"), "mcg", "1 mg"),  # the boundary: 1,000 mcg is 1 mg
        (D("1000.0"), "mcg", "1 mg"),
        (D("1500"), "mcg", "1.5 mg"),
        (D("250000"), "mcg", "250 mg"),
        (D("1500"), "mg", "1,500 mg"),  # only mcg converts: 1,500 mg stays mg (USP <7> example)
        (D("0.5"), "g", "0.5 g"),
        (D("1"), "units", "1 unit"),
        (D("0.06"), "units", "0.06 units"),  # written out: never 'U' or 'IU'
        (D("100000"), "units", "100,000 units"),
    ],
)
def test_amounts_as_a_label_states_them(amount: D, unit: str, text: str) -> None:
    assert fmt_amount(amount, unit) == text
    assert fmt_amount(amount, unit, per_ml=True) == f"{text}/mL"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("5 µg/mL", ["µg"]),  # micro sign U+00B5
        ("5 μg/mL", ["μg"]),  # Greek mu U+03BC
        ("5 cc", ["cc"]),
        ("10 IU", ["IU"]),
        ("10 U per mL", ["U"]),
        ("5 mcg/mL in 10 mL", []),
        ("Use by 2027", []),  # a capital U inside a word is fine
    ],
)
def test_banned_symbols_are_found(text: str, found: list[str]) -> None:
    assert banned_in(text) == found


def test_dates_are_iso_and_exp_prefixed() -> None:
    assert fmt_date(date(2027, 5, 1)) == "2027-05-01"
    assert fmt_exp(date(2027, 5, 31)) == "EXP 2027-05-31"
    assert fmt_exp(date(2028, 2, 29)) == "EXP 2028-02-29"


# --- the same rules on a computed batch -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "unit", "strength", "contains"),
    [
        ("50", "mg", "1,500 mg per 30 mL (50 mg/mL)", "glycine 50 mg;"),
        ("50.0", "mg", "1,500 mg per 30 mL (50 mg/mL)", "glycine 50 mg;"),
        (".5", "mg", "15 mg per 30 mL (0.5 mg/mL)", "glycine 0.5 mg;"),
        ("500", "mcg", "15 mg per 30 mL (500 mcg/mL)", "glycine 500 mcg;"),  # 15,000 mcg is stated in mg
        ("1500", "mcg", "45 mg per 30 mL (1.5 mg/mL)", "glycine 1.5 mg;"),  # 1,500 mcg per mL -> 1.5 mg per mL
        ("999", "mcg", "29.97 mg per 30 mL (999 mcg/mL)", "glycine 999 mcg;"),  # 999 mcg stays mcg
        ("1000", "mcg", "30 mg per 30 mL (1 mg/mL)", "glycine 1 mg;"),  # 1,000 mcg is 1 mg
        ("0.05", "g", "1.5 g per 30 mL (0.05 g/mL)", "glycine 0.05 g;"),
    ],
)
def test_batch_strength_text(glycine_doc, compute, amount, unit, strength, contains) -> None:
    glycine_doc["formula"]["components"][0].update(amount_per_ml=amount, unit=unit)
    r = compute(glycine_doc)
    assert r.strength_text == strength
    assert r.strength_lines == [strength]
    assert contains in r.ingredients_text


def test_glycine_label_texts(glycine_doc, compute) -> None:
    r = compute(glycine_doc)
    assert r.strength_text == "1,500 mg per 30 mL (50 mg/mL)"
    assert r.strength_total_text == "1,500 mg per 30 mL"
    assert r.strength_per_ml_text == "50 mg/mL"
    assert r.quantity_text == "30 mL"
    assert r.package_text == "30 mL Single-Dose Vial. Discard unused portion."
    assert r.ingredients_text == "Each mL contains: glycine 50 mg; water for injection q.s."
    assert r.osmolarity_text == "666 mOsmol/L (calc)"
    assert r.compounded_text == "Compounded 2026-11-23"
    assert r.expiration_text == "EXP 2026-12-23"
    assert r.batch_volume_text == "3,234 mL"


def test_osmolarity_text_uses_thousands_separator() -> None:
    assert calculate_solution(["potassium chloride=149 mg/mL"]).osmolarity_text == "3,997 mOsmol/L (calc)"
    assert calculate_solution(["sodium chloride=23.4%"]).osmolarity_text == "8,008 mOsmol/L (calc)"


def test_meq_text_has_no_trailing_zero() -> None:
    assert calculate_solution(["sodium bicarbonate=8.4%"]).meq_text == "bicarbonate 1 mEq/mL; sodium 1 mEq/mL"
    assert calculate_solution(["magnesium sulfate=50%"]).meq_text == "magnesium 4.06 mEq/mL; sulfate 4.06 mEq/mL"


def test_multiple_dose_package_text(glycine_doc, compute) -> None:
    glycine_doc["formula"]["package_type"] = "multiple-dose"
    assert compute(glycine_doc).package_text == (
        "30 mL Multiple-Dose Vial. Discard 28 days after first puncture unless otherwise specified."
    )


def test_no_label_text_carries_a_banned_symbol(glycine_doc, compute) -> None:
    glycine_doc["formula"]["components"][0].update(amount_per_ml="500", unit="mcg")
    r = compute(glycine_doc)
    texts = [
        r.strength_text,
        r.ingredients_text,
        r.package_text,
        r.osmolarity_text,
        r.expiration_text,
        r.compounded_text,
        r.quantity_text,
        *r.warnings,
    ]
    for text in texts:
        assert banned_in(text) == [], text
        assert not re.search(r"\d[a-zA-Z]", text.replace("mOsmol", "")), f"number glued to unit: {text}"


def test_each_active_is_named_when_there_are_several(glycine_doc, compute):
    """An unnamed '150 mg per 30 mL' on a two-active label would not say what it is."""
    glycine_doc["formula"]["components"].insert(
        1, {"ingredient": "dextrose monohydrate", "role": "active", "amount_per_ml": "5", "unit": "mg"}
    )
    glycine_doc["batch"]["component_lots"].append(
        {"component": "dextrose monohydrate", "lot": "DX1", "manufacturer": "Example Co", "expiry": "2028-01-31"}
    )
    comp = compute(glycine_doc)
    assert comp.strength_lines == [
        "glycine 1,500 mg per 30 mL (50 mg/mL)",
        "dextrose monohydrate 150 mg per 30 mL (5 mg/mL)",
    ]
