"""Container types and their package statements (docs/domain.md §2.6: FDA package-type guidance, 2018),
and the shipped syringe and bag examples against the labeled values they were checked with."""

from __future__ import annotations

import json

import pytest

from labelapp import resources
from labelapp.domain.errors import InputError
from labelapp.domain.formula import ContainerType
from labelapp.services.calculate import calculate, load_batch_file, parse_batch_data


@pytest.mark.parametrize(
    "container, volume, fill, text",
    [
        ("vial", "30", "30.8", "30 mL Single-Dose Vial. Discard unused portion."),
        ("syringe", "10", "10.3", "10 mL Single-Dose Prefilled Syringe. Discard unused portion."),
        ("bag", "500", "515", "500 mL Single-Dose Bag. Discard unused portion."),
    ],
)
def test_each_container_type_has_its_package_statement(glycine_doc, compute, container, volume, fill, text) -> None:
    glycine_doc["formula"]["container"].update(type=container, nominal_volume_ml=volume, fill_volume_ml=fill)
    assert compute(glycine_doc).package_text == text


@pytest.mark.parametrize("container", ["syringe", "bag"])
def test_a_multiple_dose_syringe_or_bag_is_refused(glycine_doc, compute, container) -> None:
    """Only a vial can be a multiple-dose container; a syringe or bag labeled so would be a lie."""
    glycine_doc["formula"]["container"]["type"] = container
    glycine_doc["formula"]["package_type"] = "multiple-dose"
    with pytest.raises(InputError, match=f"formula.package_type: a {container} is single-dose; only a vial"):
        compute(glycine_doc)


@pytest.mark.parametrize("typed", ["vial", "Vial", " VIAL "])
def test_container_type_is_read_whatever_its_case(glycine_doc, typed) -> None:
    glycine_doc["formula"]["container"]["type"] = typed
    assert parse_batch_data(glycine_doc).formula.container.type is ContainerType.VIAL


@pytest.mark.parametrize("typed", ["ampule", "cartridge", ""])
def test_a_container_type_without_labels_is_refused(glycine_doc, typed) -> None:
    glycine_doc["formula"]["container"]["type"] = typed
    with pytest.raises(InputError, match="formula.container.type: must be 'vial', 'syringe' or 'bag'"):
        parse_batch_data(glycine_doc)


def test_the_schema_lists_the_container_types() -> None:
    from labelapp.domain.batch import BatchFile

    schema = json.dumps(BatchFile.model_json_schema())
    assert '"enum": ["vial", "syringe", "bag"]' in schema


def _example(name: str):
    return calculate(load_batch_file(resources.examples_dir() / name))


def test_magnesium_sulfate_bag_matches_the_labeled_premix() -> None:
    """Magnesium Sulfate in Water for Injection 2 g/50 mL (40 mg/mL): labeled 325 mOsmol/Liter (calc.) and
    0.325 mEq Mg++/mL (Hospira/Pfizer principal display panel, NDC 0409-6729-24)."""
    comp = _example("magnesium-sulfate-2g-50ml-bag.json")
    assert comp.package_text == "50 mL Single-Dose Bag. Discard unused portion."
    assert comp.osmolarity_text == "325 mOsmol/L (calc)"
    assert comp.tonicity.category == "iso-osmotic"
    assert "magnesium 0.325 mEq/mL" in comp.meq_text


def test_phenylephrine_syringe_is_iso_osmotic_in_sodium_chloride() -> None:
    """Phenylephrine hydrochloride 100 mcg/mL in 0.9% sodium chloride: 0.1 / 203.67 x 2 x 1000 = 1 plus
    9 / 58.44 x 2 x 1000 = 308 (the labeled 308 mOsmol/L of 0.9% sodium chloride) = 309 mOsmol/L."""
    comp = _example("phenylephrine-100mcg-ml-10ml-syringe.json")
    assert comp.package_text == "10 mL Single-Dose Prefilled Syringe. Discard unused portion."
    assert comp.osmolarity_text == "309 mOsmol/L (calc)"
    assert comp.tonicity.category == "iso-osmotic"
