"""The ingredient model's kind, strength basis, optional MW for units and concentration ceiling rules."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from pydantic import ValidationError

from labelapp.domain.errors import InputError
from labelapp.domain.ingredient import KIND_DEFAULT_BASIS, Ingredient, IngredientKind, Ion, Species
from labelapp.domain.reference import IngredientTable

NA = Ion(name="sodium", valence=1)
P = Species(name="phosphorus")


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        ({"mw": "75.07", "particles": 1}, IngredientKind.NONELECTROLYTE),
        ({"mw": "58.44", "particles": 2, "ions": [NA]}, IngredientKind.ELECTROLYTE),
        ({"mw": "137.99", "particles": 2, "ions": [NA], "mmol_of": [P]}, IngredientKind.PHOSPHATE),
        ({"mw": "18.015", "particles": 0, "solvent": True}, IngredientKind.SOLVENT),
    ],
)
def test_kind_is_derived_when_omitted(fields: dict, kind: IngredientKind) -> None:
    assert Ingredient(name="x", **fields).kind is kind


def test_kind_solvent_alone_sets_the_solvent_flag() -> None:
    wfi = Ingredient(name="w", mw=D("18.015"), particles=0, kind="solvent")
    assert wfi.solvent is True
    assert wfi.default_basis is None


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"solvent": True, "kind": "electrolyte", "ions": [NA]}, ["kind", "solvent is true"]),
        ({"solvent": False, "kind": "solvent"}, ["solvent", "kind is solvent"]),
    ],
)
def test_kind_and_solvent_flag_must_agree(fields: dict, words: list[str]) -> None:
    with pytest.raises(ValidationError) as info:
        Ingredient(name="w", mw=D(18), particles=0, **fields)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize(
    ("kind", "basis"),
    [
        ("electrolyte", "meq"),
        ("phosphate", "mmol"),
        ("nonelectrolyte", "mass"),
        ("units", "units"),
    ],
)
def test_default_basis_follows_the_kind(kind: str, basis: str) -> None:
    fields = {"electrolyte": {"ions": [NA]}, "phosphate": {"ions": [NA], "mmol_of": [P]}}.get(kind, {})
    mw = None if kind == "units" else D(100)
    particles = 0 if kind == "units" else 2
    ing = Ingredient(name="x", kind=kind, mw=mw, particles=particles, **fields)
    assert ing.default_basis == basis == KIND_DEFAULT_BASIS[ing.kind]


def test_strength_basis_overrides_the_kind_default() -> None:
    """Calcium gluconate is an electrolyte whose commercial label leads in mass ('1 g per 10 mL')."""
    ing = Ingredient(
        name="calcium gluconate",
        mw=D("448.39"),
        particles=3,
        ions=[Ion(name="calcium", valence=2)],
        strength_basis="mass",
    )
    assert ing.kind is IngredientKind.ELECTROLYTE
    assert ing.default_basis == "mass"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"strength_basis": "meq"}, "strength_basis: meq needs at least one ion"),
        ({"strength_basis": "mmol", "ions": [NA]}, "strength_basis: mmol needs a species in mmol_of"),
        ({"strength_basis": "units"}, "strength_basis: units does not fit kind nonelectrolyte"),
        ({"strength_basis": "grams"}, "strength_basis"),
    ],
)
def test_strength_basis_must_fit_the_ingredient(fields: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Ingredient(name="x", mw=D(100), particles=2, **fields)


def test_units_ingredient_may_omit_mw() -> None:
    heparin = Ingredient(
        name="heparin sodium",
        kind="units",
        particles=0,
        max_concentration_units_per_ml=20000,
        max_concentration_source="test",
    )
    assert heparin.mw is None
    assert heparin.default_basis == "units"
    oxytocin = Ingredient(name="oxytocin", kind="units", mw=D("1007.19"), particles=0)
    assert oxytocin.mw == D("1007.19")


@pytest.mark.parametrize("kind", ["nonelectrolyte", "electrolyte", "phosphate", "solvent"])
def test_mw_is_required_for_every_kind_but_units(kind: str) -> None:
    fields = {"electrolyte": {"ions": [NA]}, "phosphate": {"ions": [NA], "mmol_of": [P]}}.get(kind, {})
    particles = 0 if kind == "solvent" else 2
    article = "an" if kind[0] in "aeiou" else "a"
    with pytest.raises(ValidationError, match=f"mw: is required for {article} {kind} ingredient"):
        Ingredient(name="x", kind=kind, particles=particles, **fields)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"particles": 1}, "particles: must be 0 for a units ingredient"),
        ({"particles": 0, "ions": [NA]}, "a units ingredient is dosed in USP units"),
        ({"particles": 0, "strength_basis": "mass"}, "strength_basis: mass does not fit kind units"),
        (
            {"particles": 0, "max_concentration_mg_per_ml": 5, "max_concentration_source": "x"},
            "max_concentration_mg_per_ml: a units ingredient takes max_concentration_units_per_ml",
        ),
    ],
)
def test_units_ingredient_rules(fields: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Ingredient(name="x", kind="units", **fields)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "electrolyte"}, "ions: an electrolyte ingredient needs at least one ion"),
        ({"kind": "phosphate", "ions": [NA]}, "mmol_of: a phosphate ingredient needs the species"),
    ],
)
def test_electrolyte_and_phosphate_need_their_species(fields: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Ingredient(name="x", mw=D(100), particles=2, **fields)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"max_concentration_mg_per_ml": "340"},
            "max_concentration_source: is required with max_concentration_mg_per_ml",
        ),
        ({"max_concentration_source": "CRC"}, "max_concentration_source: is given but there is no maximum"),
        (
            {"max_concentration_units_per_ml": "10", "max_concentration_source": "label"},
            "max_concentration_units_per_ml: only a units ingredient",
        ),
        ({"max_concentration_mg_per_ml": "0", "max_concentration_source": "x"}, "greater than 0"),
        ({"max_concentration_mg_per_ml": "10", "max_concentration_source": ""}, "at least 1 character"),
    ],
)
def test_concentration_ceiling_comes_with_its_source(fields: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Ingredient(name="x", mw=D(100), particles=1, **fields)


def test_concentration_ceiling_with_source_is_kept() -> None:
    ing = Ingredient(
        name="x", mw=D(100), particles=1, max_concentration_mg_per_ml="250", max_concentration_source="label"
    )
    assert ing.max_concentration_mg_per_ml == D(250)


def test_the_model_stays_frozen_and_strict() -> None:
    ing = Ingredient(name="x", mw=D(100), particles=1)
    with pytest.raises(ValidationError):
        ing.kind = IngredientKind.UNITS  # type: ignore[misc]
    with pytest.raises(ValidationError, match="extra"):
        Ingredient(name="x", mw=D(100), particles=1, potency="1")


def test_a_short_source_is_allowed_for_a_facility_ingredient() -> None:
    """Only the shipped table must cite every entry (test_reference_data); a facility may enter a short one."""
    assert Ingredient(name="x", mw=D(100), particles=1).source == ""


def test_units_ingredient_loads_and_is_found_in_a_table_file(tmp_path: Path) -> None:
    path = tmp_path / "units.yaml"
    path.write_text(
        "ingredients:\n  - {name: heparin sodium, synonyms: [heparin], kind: units, particles: 0,\n"
        "     max_concentration_units_per_ml: '20000', max_concentration_source: test}\n",
        encoding="utf-8",
    )
    table = IngredientTable.from_files(path)
    assert table.get("Heparin").kind is IngredientKind.UNITS
    assert table.get("heparin sodium").mw is None


def test_table_file_names_the_field_of_a_bad_units_entry(tmp_path: Path) -> None:
    path = tmp_path / "units.yaml"
    path.write_text("ingredients:\n  - {name: heparin sodium, kind: units, particles: 1}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        IngredientTable.from_files(path)
    issue = info.value.issues[0]
    assert issue.path == "ingredients[0].particles"
    assert issue.message.startswith("must be 0 for a units ingredient")


def test_table_file_names_mw_when_it_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("ingredients:\n  - {name: sodium sulfite, particles: 3}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        IngredientTable.from_files(path)
    assert str(info.value.issues[0]) == "ingredients[0].mw: is required for a nonelectrolyte ingredient"


def test_dump_and_reload_round_trip() -> None:
    """Facility ingredients are stored as JSON documents and read back (services.register_documents)."""
    ing = Ingredient(
        name="x",
        mw=D("100.5"),
        particles=2,
        ions=[NA],
        strength_basis="mass",
        max_concentration_mg_per_ml="50",
        max_concentration_source="label",
    )
    again = Ingredient.model_validate_json(ing.model_dump_json())
    assert again == ing
    assert Ingredient.model_validate(ing.model_dump()) == ing
