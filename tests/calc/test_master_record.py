"""The master record in a formula: its steps name the formula's own components, and values typed at a step
are read as the technician meant them (docs/domain.md §5)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from labelapp.calc.execution import number
from labelapp.domain.errors import InputError, RuleViolation
from labelapp.services.calculate import parse_batch_data


def _step(doc: dict, step_id: str) -> dict:
    return next(s for s in doc["formula"]["master_record"]["steps"] if s["id"] == step_id)


def test_the_glycine_example_carries_its_master_record(glycine_doc):
    formula = parse_batch_data(glycine_doc).formula
    assert formula.master_record is not None
    kinds = {s.kind.value for s in formula.master_record.steps}
    assert {"component", "weight", "measurement", "fill-check", "inspection", "units-filled"} <= kinds
    assert [s.id for s in formula.master_record.specifications] == [
        "sterility",
        "endotoxin",
        "ph",
        "osmolality",
        "assay",
    ]


def test_a_step_naming_another_ingredient_is_refused_on_its_field(glycine_doc, compute):
    _step(glycine_doc, "glycine-weight")["component"] = "dextrose"
    with pytest.raises(InputError) as excinfo:
        compute(glycine_doc)
    [issue] = excinfo.value.issues
    assert issue.path == "formula.master_record.steps[4].component"
    assert "'dextrose' is not a component of GLY-50-30" in issue.message and "glycine" in issue.message


def test_a_step_may_name_the_component_by_a_synonym(glycine_doc, compute):
    _step(glycine_doc, "wfi-lot")["component"] = "WFI"
    assert compute(glycine_doc).strength_per_ml_text == "50 mg/mL"  # no error: WFI is water for injection


def test_a_misspelt_component_is_one_mistake_with_one_message(glycine_doc, compute):
    glycine_doc["formula"]["components"][0]["ingredient"] = "glycin"
    with pytest.raises(InputError) as excinfo:
        compute(glycine_doc)
    assert [i.path for i in excinfo.value.issues] == ["formula.components[0].ingredient"]


@pytest.mark.parametrize(
    ("text", "value"), [("5.6", "5.6"), ("1,500", "1500"), ("1,500.25", "1500.25"), (" 30.8 ", "30.8")]
)
def test_numbers_as_typed(text, value):
    assert number(text, "Fill check") == Decimal(value)


@pytest.mark.parametrize("text", ["5,6", "1,50", "30,8", "1,5000"])
def test_a_decimal_comma_is_refused_not_read_as_a_thousands_separator(text):
    with pytest.raises(RuleViolation, match="with a decimal point"):
        number(text, "In-process pH")
