"""The label's strength statement: mEq for electrolytes, mmol for phosphates, USP units, mass (docs/domain.md §2.2).

Every expected line is checked against the product's published label (source in each case): the
figures must match what the manufacturer prints, written the project's way ("per", §2.1).
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal as D

import pytest

from labelapp import resources
from labelapp.calc.strength import CATIONS
from labelapp.domain.errors import InputError
from labelapp.domain.ingredient import IngredientKind
from labelapp.render.label.content import osmolarity_text
from labelapp.services.calculate import calculate, load_batch_file, parse_batch_data, reference_ingredients

EXAMPLES = resources.examples_dir()
WFI = {"ingredient": "water for injection", "role": "vehicle", "label_name": "water for injection"}
WFI_LOT = {"component": "water for injection", "lot": "WFI-1", "manufacturer": "Example Water", "expiry": "2027-05-31"}


def lot(component: str, **extra) -> dict:
    return {
        "component": component,
        "lot": f"L-{len(component)}",
        "manufacturer": "Example Co.",
        "expiry": "2028-01-31",
    } | extra


def product(doc: dict, components: list[dict], volume: str, lots: list[dict] | None = None) -> dict:
    """The glycine example's batch file holding other components in a container of ``volume`` mL."""
    doc = copy.deepcopy(doc)
    doc["formula"].pop("master_record", None)  # the glycine steps do not belong to another product
    doc["formula"]["components"] = [*components, WFI]
    doc["formula"]["container"].update(nominal_volume_ml=volume, fill_volume_ml=volume)
    doc["batch"]["component_lots"] = (lots or [lot(c["ingredient"]) for c in components]) + [WFI_LOT]
    return doc


def active(ingredient: str, amount: str, unit: str = "mg", **extra) -> dict:
    return {"ingredient": ingredient, "role": "active", "amount_per_ml": amount, "unit": unit} | extra


def issues(doc: dict) -> list[tuple[str, str]]:
    with pytest.raises(InputError) as info:
        calculate(parse_batch_data(doc))
    return [(i.path, i.message) for i in info.value.issues]


# --- electrolytes lead in mEq of the cation, the salt weight follows ------------------------------------


@pytest.mark.parametrize(
    ("components", "volume", "lines", "secondary", "source"),
    [
        (
            [active("potassium chloride", "149")],
            "10",
            ["20 mEq per 10 mL (2 mEq/mL)"],
            "potassium chloride 1,490 mg per 10 mL",
            "Hospira Potassium Chloride for Injection Concentrate '20 mEq/10 mL (2 mEq/mL)', 149 mg/mL",
        ),
        (
            [active("sodium chloride", "234")],
            "100",
            ["400 mEq per 100 mL (4 mEq/mL)"],
            "sodium chloride 23,400 mg per 100 mL",
            "Hospira 23.4% Sodium Chloride Injection '400 mEq/100 mL (4 mEq/mL)', 234 mg/mL (DailyMed f9ee49c9)",
        ),
        (
            [active("sodium chloride", "146")],
            "20",
            ["50 mEq per 20 mL (2.5 mEq/mL)"],
            "sodium chloride 2,920 mg per 20 mL",
            "Hospira 14.6% Sodium Chloride Injection '50 mEq/20 mL (2.5 mEq/mL)' (DailyMed 018a8807)",
        ),
        (
            [active("sodium acetate", "164")],
            "20",
            ["40 mEq per 20 mL (2 mEq/mL)"],
            "sodium acetate anhydrous 3,280 mg per 20 mL",
            "Hospira/American Regent sodium acetate 2 mEq/mL = 164 mg/mL (docs/domain.md §4.4)",
        ),
        (
            [active("sodium bicarbonate", "84")],
            "50",
            ["50 mEq per 50 mL (1 mEq/mL)"],
            "sodium bicarbonate 4,200 mg per 50 mL",
            "Sodium Bicarbonate Injection USP 8.4% '50 mEq/50 mL (1 mEq/mL)' (SPL 3867f743); '50 mEq (4.2 g) / 50 mL'",
        ),
    ],
    ids=["KCl 2 mEq/mL", "NaCl 23.4%", "NaCl 14.6%", "sodium acetate 2 mEq/mL", "sodium bicarbonate 8.4%"],
)
def test_electrolyte_leads_in_meq_with_the_salt_weight_after(
    glycine_doc, components, volume, lines, secondary, source
) -> None:
    r = calculate(parse_batch_data(product(glycine_doc, components, volume)))
    assert r.strength_lines == lines, source
    assert r.strength_secondary_text == secondary
    assert [s.basis for s in r.strength_statements] == ["meq"]
    assert r.strength_choices[0].basis == "meq"
    assert r.strength_choices[0].reason.endswith("is an electrolyte (ingredient kind); formula setting: —")


def test_kcl_example_strength_and_record_text() -> None:
    r = calculate(load_batch_file(EXAMPLES / "potassium-chloride-2meq-ml-10ml.json"))
    assert r.strength_text == "20 mEq per 10 mL (2 mEq/mL)"
    assert r.strength_total_text == "20 mEq per 10 mL"
    assert r.strength_per_ml_text == "2 mEq/mL"
    assert [c.reason for c in r.strength_choices] == [
        "strength stated in mEq: potassium chloride is an electrolyte (ingredient kind); formula setting: —"
    ]
    # the salt weight follows in the body's smaller type; the ions are not said twice
    assert osmolarity_text(r) == "Potassium chloride 1,490 mg per 10 mL. Osmolarity 3,997 mOsmol/L (calc), hypertonic."
    working = next(w for w in r.workings if w.label == "Strength, potassium chloride")
    assert working.expression == "potassium (the cation) 1.999 mEq/mL × 10 mL"
    assert working.result == "20 mEq per 10 mL (2 mEq/mL)"


def test_meq_is_of_the_cation_for_a_divalent_salt(glycine_doc) -> None:
    """Magnesium chloride: 2 mEq of magnesium per mmol (valence 2), equal to the chloride's 2 x 1."""
    doc = product(glycine_doc, [active("magnesium chloride hexahydrate", "203.3")], "10")
    r = calculate(parse_batch_data(doc))
    assert r.strength_lines == ["20 mEq per 10 mL (2 mEq/mL)"]
    assert r.meq_per_ml["magnesium"] == r.meq_per_ml["chloride"]


def test_every_reference_salt_lists_its_cation_first() -> None:
    """The mEq a label states is of the first ion (docs/domain.md §2.2), so the table lists the cation first.
    The exceptions have no cation counted at all and so cannot lead in mEq (the batch checks say so)."""
    anion_only = {"arginine hydrochloride", "cysteine hydrochloride monohydrate"}
    wrong = [
        ing.name
        for ing in reference_ingredients()
        if ing.kind in (IngredientKind.ELECTROLYTE, IngredientKind.PHOSPHATE)
        and ing.ions[0].name not in CATIONS
        and ing.name not in anion_only
    ]
    assert wrong == []
    assert reference_ingredients().get("arginine hydrochloride").default_basis == "mass"


def test_an_electrolyte_without_a_cation_cannot_lead_in_meq(glycine_doc) -> None:
    doc = product(glycine_doc, [active("cysteine hydrochloride monohydrate", "50")], "10")
    [(path, message)] = issues(doc)
    assert path == "formula.components[0].ingredient"
    assert "mEq of chloride, which is not a cation; give the component strength_basis: mass" in message
    doc["formula"]["components"][0]["strength_basis"] = "mass"
    assert calculate(parse_batch_data(doc)).strength_lines == ["500 mg per 10 mL (50 mg/mL)"]


# --- phosphates: mmol of phosphorus, then the cation's mEq ----------------------------------------------


def test_sodium_phosphates_example_leads_in_mmol_of_phosphorus_then_sodium_meq() -> None:
    """Fresenius Sodium Phosphates Injection, USP: '3 mM phosphorus/mL, 4 mEq sodium/mL', 276 mg monobasic
    monohydrate + 142 mg dibasic anhydrous per mL (drugs-library label text); 15 mL vial."""
    r = calculate(load_batch_file(EXAMPLES / "sodium-phosphates-3mmol-ml-15ml.json"))
    assert r.strength_lines == [
        "phosphorus 45 mmol per 15 mL (3 mmol/mL)",
        "sodium 60 mEq per 15 mL (4 mEq/mL)",
    ]
    assert [s.subject for s in r.strength_statements] == ["phosphorus", "sodium"]
    assert r.strength_secondary_text == ""  # the salts' weights are in the ingredient list
    # phosphorus and sodium are stated in the strength: the osmolarity statement does not repeat them
    assert osmolarity_text(r) == "Osmolarity 7,001 mOsmol/L (calc), hypertonic."
    assert all(c.basis == "mmol" for c in r.strength_choices)
    assert r.strength_choices[0].reason == (
        "strength stated in mmol: sodium phosphate monobasic monohydrate is a phosphate (ingredient kind); "
        "formula setting: —"
    )


def test_potassium_phosphates_lead_in_mmol_with_potassium_meq(glycine_doc) -> None:
    """Pfizer Potassium Phosphates Injection: 224 mg KH2PO4 + 236 mg K2HPO4 per mL, 'approximately 3 mM' P,
    '4.4 mEq K/mL' (labeling.pfizer.com id=4586); 5 mL vial: 15 mmol, 21.8 mEq at 3 significant figures."""
    doc = product(
        glycine_doc, [active("potassium phosphate monobasic", "224"), active("potassium phosphate dibasic", "236")], "5"
    )
    r = calculate(parse_batch_data(doc))
    assert r.strength_lines == [
        "phosphorus 15 mmol per 5 mL (3 mmol/mL)",
        "potassium 21.8 mEq per 5 mL (4.36 mEq/mL)",
    ]


# --- USP units ------------------------------------------------------------------------------------------


def test_oxytocin_example_states_usp_units_and_adds_no_osmolarity() -> None:
    r = calculate(load_batch_file(EXAMPLES / "oxytocin-30-units-500ml-bag.json"))
    assert r.strength_lines == ["30 units per 500 mL (0.06 units/mL)"]
    assert r.strength_choices[0].basis == "units"
    oxytocin = next(c for c in r.components if c.ingredient == "oxytocin")
    assert (oxytocin.mg_per_ml, oxytocin.osmolarity_mosmol_per_l, oxytocin.meq_per_ml) == (None, None, {})
    assert r.osmolarity_mosmol_per_l == 308  # all of it from the 0.9% sodium chloride (Baxter 308)
    assert r.ingredients_text == "Each mL contains: oxytocin 0.06 units; sodium chloride 9 mg; water for injection q.s."
    assert osmolarity_text(r) == "Osmolarity 308 mOsmol/L (calc), iso-osmotic."


@pytest.mark.parametrize(
    ("amount", "volume", "line", "source"),
    [
        ("100", "250", "25,000 units per 250 mL (100 units/mL)", "Hospira heparin premix '25,000 USP Units/250 mL'"),
        ("40", "500", "20,000 units per 500 mL (40 units/mL)", "Hospira heparin in D5W '20,000 USP Units/500 mL'"),
        ("1000", "30", "30,000 units per 30 mL (1,000 units/mL)", "USP heparin labeling: '30,000 USP Units/30 mL'"),
        ("2", "500", "1,000 units per 500 mL (2 units/mL)", "Pfizer heparin flush bag '1,000 USP units per 500 mL'"),
        ("1", "1000", "1,000 units per 1,000 mL (1 unit/mL)", "one unit per mL is written 'unit'"),
    ],
)
def test_heparin_strengths_as_labeled(glycine_doc, amount, volume, line, source) -> None:
    doc = product(
        glycine_doc,
        [active("heparin", amount, "units")],
        volume,
        [lot("heparin", potency_units_per_mg="180")],
    )
    r = calculate(parse_batch_data(doc))
    assert r.strength_lines == [line], source
    assert r.osmolarity_mosmol_per_l == 0  # heparin adds none of its own; this vehicle is water only


def test_units_are_only_for_an_ingredient_dosed_in_units(glycine_doc) -> None:
    doc = copy.deepcopy(glycine_doc)
    doc["formula"]["components"][0]["unit"] = "units"
    [(path, message)] = issues(doc)
    assert path == "formula.components[0].unit"
    assert "glycine is a nonelectrolyte: use g, mg or mcg" in message
    oxy = product(glycine_doc, [active("oxytocin", "0.02", "mg")], "10", [lot("oxytocin", potency_units_per_mg="580")])
    [(path, message)] = issues(oxy)
    assert (path, message) == (
        "formula.components[0].unit",
        "oxytocin is dosed in USP units: give the amount per mL in units",
    )


def test_units_lot_states_its_potency_in_units(glycine_doc) -> None:
    doc = product(glycine_doc, [active("oxytocin", "0.06", "units")], "500", [lot("oxytocin")])
    [(path, message)] = issues(doc)
    assert path == "batch.component_lots[0].potency_units_per_mg"
    assert "give the lot's potency in units per mg from the CoA" in message
    doc["batch"]["component_lots"][0].update(potency_units_per_mg="580", potency_percent="98")
    [(path, message)] = issues(doc)
    assert path == "batch.component_lots[0].potency_percent"
    assert "not in percent" in message
    glycine = copy.deepcopy(glycine_doc)
    glycine["batch"]["component_lots"][0]["potency_units_per_mg"] = "5"
    [(path, message)] = issues(glycine)
    assert (path, message) == (
        "batch.component_lots[0].potency_units_per_mg",
        "glycine is not dosed in USP units; give its potency as potency_percent",
    )


def test_a_units_ingredient_has_no_other_form_to_be_supplied_as(glycine_doc) -> None:
    doc = product(
        glycine_doc,
        [active("oxytocin", "0.06", "units")],
        "500",
        [lot("oxytocin", potency_units_per_mg="580", supplied_form="vasopressin")],
    )
    [(path, message)] = issues(doc)
    assert path == "batch.component_lots[0].supplied_form"
    assert "vasopressin cannot be supplied for oxytocin" in message


# --- the formula may set the basis, within what the ingredient supports ---------------------------------


def test_formula_setting_leads_in_mass_and_says_so(glycine_doc) -> None:
    doc = product(glycine_doc, [active("potassium chloride", "149", strength_basis="mass")], "10")
    r = calculate(parse_batch_data(doc))
    assert r.strength_lines == ["1,490 mg per 10 mL (149 mg/mL)"]
    assert r.strength_secondary_text == ""
    assert r.strength_choices[0].reason == (
        "strength stated in mass: set in the master formula (potassium chloride is an electrolyte, which leads "
        "in mEq by default); formula setting: mass"
    )
    # led in mass, its ions follow the osmolarity as before (docs/domain.md §2.2)
    assert osmolarity_text(r).endswith("Chloride 2 mEq/mL; potassium 2 mEq/mL.")


def test_ingredient_reference_basis_is_named_as_the_reason(glycine_doc) -> None:
    """Calcium chloride 10%: American Regent labels '100 mg/mL (1.36 mEq/mL)', so the table leads in mass."""
    r = calculate(parse_batch_data(product(glycine_doc, [active("calcium chloride dihydrate", "100")], "10")))
    assert r.strength_lines == ["1,000 mg per 10 mL (100 mg/mL)"]
    assert "the ingredient reference states its strength in mass, as its commercial labels do" in (
        r.strength_choices[0].reason
    )
    assert osmolarity_text(r).endswith("Calcium 1.36 mEq/mL; chloride 1.36 mEq/mL.")


@pytest.mark.parametrize(
    ("component", "path", "words"),
    [
        (active("potassium chloride", "149", strength_basis="mmol"), "strength_basis", "no species dosed in mmol"),
        (active("glycine", "50", strength_basis="meq"), "strength_basis", "glycine has no ions"),
        (active("glycine", "50", strength_basis="units"), "strength_basis", "needs the amount in units"),
        (active("oxytocin", "0.06", "units", strength_basis="mass"), "strength_basis", "leads in units, not mass"),
    ],
    ids=["mmol without species", "meq without ions", "units for a mass", "mass for units"],
)
def test_formula_setting_must_fit_the_ingredient(glycine_doc, component, path, words) -> None:
    lots = [lot(component["ingredient"], potency_units_per_mg="580")] if component["unit"] == "units" else None
    found = issues(product(glycine_doc, [component], "10", lots))
    assert [p for p, _ in found] == [f"formula.components[0].{path}"], found
    assert words in found[0][1]


def test_strength_basis_is_for_an_active_only(glycine_doc) -> None:
    doc = copy.deepcopy(glycine_doc)
    doc["formula"]["components"].insert(
        1, {"ingredient": "sodium chloride", "role": "inactive", "amount_per_ml": "4", "strength_basis": "meq"}
    )
    doc["batch"]["component_lots"].append(lot("sodium chloride"))
    with pytest.raises(InputError) as info:
        parse_batch_data(doc)
    assert "only an active component has a strength on the label" in str(info.value)


# --- several actives: every line names what it states ---------------------------------------------------


def test_mixed_actives_each_line_is_named(glycine_doc) -> None:
    doc = product(glycine_doc, [active("potassium chloride", "2"), active("dextrose monohydrate", "50")], "500")
    r = calculate(parse_batch_data(doc))
    assert r.strength_lines == [
        "potassium chloride 13.4 mEq per 500 mL (0.0268 mEq/mL)",
        "dextrose monohydrate 25,000 mg per 500 mL (50 mg/mL)",
    ]
    assert r.strength_secondary_text == "potassium chloride 1,000 mg per 500 mL"


# --- mcg and mg on the label (docs/domain.md §2.3) -------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "volume", "line"),
    [
        ("999", "1", "999 mcg per 1 mL (999 mcg/mL)"),  # below 1,000 mcg: mcg
        ("1000", "1", "1 mg per 1 mL (1 mg/mL)"),  # 1,000 mcg: mg
        ("1500", "1", "1.5 mg per 1 mL (1.5 mg/mL)"),
        ("50", "10", "500 mcg per 10 mL (50 mcg/mL)"),
        ("50", "20", "1 mg per 20 mL (50 mcg/mL)"),  # the total reaches 1,000 mcg: mg; per mL stays mcg
    ],
)
def test_mcg_of_1000_or_more_is_stated_in_mg(glycine_doc, amount, volume, line) -> None:
    doc = product(glycine_doc, [active("cyanocobalamin", amount, "mcg")], volume)
    r = calculate(parse_batch_data(doc))
    assert r.strength_lines == [line]
    assert "µ" not in r.strength_text and "ug" not in r.strength_text


def test_a_formula_without_a_strength_setting_serializes_as_before() -> None:
    """A formula approved before strength_basis existed must serialize byte for byte as it was approved
    (the register compares it with the approved document); the same for the new lot fields."""
    dumped = json.loads(load_batch_file(EXAMPLES / "glycine-50mg-ml-30ml.json").model_dump_json())
    assert set(dumped["formula"]["components"][0]) == {
        "ingredient",
        "role",
        "amount_per_ml",
        "unit",
        "label_name",
        "grade",
    }
    assert set(dumped["batch"]["component_lots"][0]) == {
        "component",
        "lot",
        "manufacturer",
        "expiry",
        "potency_percent",
        "supplied_form",
        "actual_amount_g",
    }
    oxytocin = json.loads(load_batch_file(EXAMPLES / "oxytocin-30-units-500ml-bag.json").model_dump_json())
    assert oxytocin["batch"]["component_lots"][0]["potency_units_per_mg"] == "580"


def test_amounts_are_decimal_and_exact(glycine_doc) -> None:
    r = calculate(parse_batch_data(product(glycine_doc, [active("potassium chloride", "149")], "10")))
    assert r.strength_statements[0].per_ml_text == "2 mEq/mL"
    assert r.meq_per_ml["potassium"] == D(149) / D("74.55")
