"""The batch form presenter, without any window: text to batch data, issues to widgets."""

from __future__ import annotations

from gui_helpers import GLYCINE

from labelapp.domain.errors import FieldIssue
from labelapp.gui.presenters import batch_form as p
from labelapp.services.calculate import load_batch_file


def glycine_values(**scalars: str) -> p.FormValues:
    example = load_batch_file(GLYCINE).model_dump(mode="json")
    values = p.values_from_batch(example["batch"])
    values.scalars.update(scalars)
    return values


def context() -> tuple[dict, dict]:
    example = load_batch_file(GLYCINE).model_dump(mode="json")
    return example["facility"], example["formula"]


def test_values_round_trip_through_batch_data():
    example = load_batch_file(GLYCINE).model_dump(mode="json")
    values = p.values_from_batch(example["batch"])
    data = p.batch_data(values, example["formula"])
    assert data["units"] == "100"
    assert data["component_lots"][0]["lot"] == "GLY24117"
    assert "supplied_form" not in data["component_lots"][0]  # blank optional: left out


def test_blank_required_fields_are_sent_as_none_never_defaulted():
    values = glycine_values(allowance_percent="", units="  ")
    data = p.batch_data(values, context()[1])
    assert data["allowance_percent"] is None and data["units"] is None
    assert "patient_name" not in data


def test_issues_are_routed_to_fields_cells_lots_and_banner():
    values = glycine_values(units="")
    issues = [
        FieldIssue("batch.units", "must be 1 or more"),
        FieldIssue("batch.component_lots[1].expiry", "lot W expired 2020-01-01"),
        FieldIssue("batch.component_lots", "no lot recorded for component 'x'"),
        FieldIssue("formula.dating_rule", "unknown dating rule 'y'"),
    ]
    routed = p.route(issues, values)
    assert routed.fields == {"units": ["must be 1 or more"]}
    assert routed.cells == {(1, "expiry"): ["lot W expired 2020-01-01"]}
    assert routed.lots == ["no lot recorded for component 'x'"]
    assert routed.general == ["Approved formula, dating_rule: unknown dating rule 'y'"]
    assert routed.count() == 4


def test_evaluate_computes_the_glycine_batch():
    facility, formula = context()
    outcome = p.evaluate(glycine_values(), facility, formula)
    assert outcome.ok and outcome.issues.empty
    assert outcome.computation.osmolarity_mosmol_per_l == 666


def test_evaluate_returns_issues_with_paths_for_bad_input():
    facility, formula = context()
    values = glycine_values(units="0")
    values.lots[0]["expiry"] = "2001-01-31"
    outcome = p.evaluate(values, facility, formula)
    assert not outcome.ok
    assert "units" in outcome.issues.fields
    outcome = p.evaluate(glycine_values(), facility, formula)
    values = glycine_values()
    values.lots[0]["expiry"] = "2001-01-31"
    outcome = p.evaluate(values, facility, formula)
    assert (0, "expiry") in outcome.issues.cells


def test_cell_summary_names_the_component_and_column():
    assert p.cell_summary(0, "expiry", "glycine", ["expired"]) == "glycine, Expiry: expired"


def test_a_blank_required_field_reads_is_required_beside_it():
    facility, formula = context()
    outcome = p.evaluate(glycine_values(units=""), facility, formula)
    assert outcome.issues.fields == {"units": ["is required"]}
