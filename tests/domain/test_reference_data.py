"""The shipped ingredient table checked entry by entry: citations, MW against the formula, hydrates,
moiety factors, units entries and concentration ceilings.

A wrong MW or hydrate state puts a wrong number on a vial label. Every MW in the table is recomputed
here from its molecular formula with the CIAAW 2021 standard atomic weights (conventional values for the
elements given as intervals), so a typing error in the YAML fails a test.
"""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest

from labelapp import resources
from labelapp.domain.ingredient import KIND_DEFAULT_BASIS, IngredientKind
from labelapp.domain.reference import IngredientTable, _key

REFERENCE = resources.templates_dir() / "ingredients" / "reference.yaml"
TABLE = IngredientTable.from_files(REFERENCE)
ENTRIES = list(TABLE)
NAMES = [i.name for i in ENTRIES]

# CIAAW, Standard Atomic Weights 2021 (ciaaw.org/atomic-weights.htm); H, C, N, O, Mg, S, Cl, Br are
# published as intervals and are used at their IUPAC conventional values.
ATOMIC_WEIGHT = {
    "H": D("1.008"),
    "C": D("12.011"),
    "N": D("14.007"),
    "O": D("15.999"),
    "F": D("18.998403162"),
    "Na": D("22.98976928"),
    "Mg": D("24.305"),
    "P": D("30.973761998"),
    "S": D("32.06"),
    "Cl": D("35.45"),
    "K": D("39.0983"),
    "Ca": D("40.078"),
    "Cr": D("51.9961"),
    "Mn": D("54.938043"),
    "Co": D("58.933194"),
    "Cu": D("63.546"),
    "Zn": D("65.38"),
    "Se": D("78.971"),
    "Br": D("79.904"),
    "Mo": D("95.95"),
}
WATER = D("18.015")


def formula_weight(formula: str) -> D:
    """'C6H8O7·H2O', '(NH4)6Mo7O24·4H2O', 'C16H14F2N3NaO4S·1.5H2O' -> g/mol."""
    total = D(0)
    for part in formula.split("·"):
        m = re.match(r"^(\d+(?:\.\d+)?)(?=[A-Z(])", part)
        mult = D(m.group(1)) if m else D(1)
        total += mult * _group(part[m.end() :] if m else part)
    return total


def _group(text: str) -> D:
    stack, i = [D(0)], 0
    while i < len(text):
        if text[i] == "(":
            stack.append(D(0))
            i += 1
        elif text[i] == ")":
            m = re.match(r"\d*", text[i + 1 :])
            n = D(m.group()) if m.group() else D(1)
            inner = stack.pop()
            stack[-1] += inner * n
            i += 1 + len(m.group())
        else:
            m = re.match(r"([A-Z][a-z]?)(\d*)", text[i:])
            assert m, f"cannot read {text!r} at {i}"
            stack[-1] += ATOMIC_WEIGHT[m.group(1)] * (D(m.group(2)) if m.group(2) else 1)
            i += len(m.group())
    assert len(stack) == 1, f"unbalanced parentheses in {text!r}"
    return stack[0]


def test_formula_weight_reproduces_textbook_values() -> None:
    """The calculator itself, against values printed in USP monograph headers and labels."""
    assert abs(formula_weight("NaCl") - D("58.44")) < D("0.005")
    assert abs(formula_weight("C6H12O6·H2O") - D("198.17")) < D("0.005")
    assert abs(formula_weight("(C17H19NO3)2·H2SO4·5H2O") - D("758.83")) < D("0.005")
    assert abs(formula_weight("C16H14F2N3NaO4S·1.5H2O") - D("432.4")) < D("0.05")  # Protonix label, 1 decimal
    assert formula_weight("2Zn") == 2 * ATOMIC_WEIGHT["Zn"]


# The formula of every entry as the source names it. An entry added to the YAML without a formula here
# fails test_every_entry_has_a_formula, so its MW cannot go unchecked.
FORMULA = {
    "glycine": "C2H5NO2",
    "dextrose monohydrate": "C6H12O6·H2O",
    "dextrose anhydrous": "C6H12O6",
    "mannitol": "C6H14O6",
    "tromethamine": "C4H11NO3",
    "ascorbic acid": "C6H8O6",
    "sodium ascorbate": "C6H7NaO6",
    "arginine hydrochloride": "C6H14N4O2·HCl",
    "cysteine hydrochloride monohydrate": "C3H7NO2S·HCl·H2O",
    "benzyl alcohol": "C7H8O",
    "levocarnitine": "C7H15NO3",
    "tranexamic acid": "C8H15NO2",
    "aminocaproic acid": "C6H13NO2",
    "sodium chloride": "NaCl",
    "potassium chloride": "KCl",
    "sodium bicarbonate": "NaHCO3",
    "sodium acetate anhydrous": "C2H3NaO2",
    "sodium acetate trihydrate": "C2H3NaO2·3H2O",
    "potassium acetate": "C2H3KO2",
    "sodium lactate": "C3H5NaO3",
    "sodium citrate dihydrate": "C6H5Na3O7·2H2O",
    "sodium thiosulfate pentahydrate": "Na2S2O3·5H2O",
    "potassium gluconate": "C6H11KO7",
    "potassium citrate monohydrate": "C6H5K3O7·H2O",
    "potassium sulfate": "K2SO4",
    "sodium sulfate anhydrous": "Na2SO4",
    "sodium sulfate decahydrate": "Na2SO4·10H2O",
    "ammonium chloride": "NH4Cl",
    "ammonium acetate": "C2H7NO2",
    "ammonium molybdate tetrahydrate": "(NH4)6Mo7O24·4H2O",
    "acetic acid glacial": "C2H4O2",
    "calcium chloride dihydrate": "CaCl2·2H2O",
    "calcium gluconate monohydrate": "C12H22CaO14·H2O",
    "calcium saccharate tetrahydrate": "C6H8CaO8·4H2O",
    "calcium acetate": "C4H6CaO4",
    "magnesium sulfate heptahydrate": "MgSO4·7H2O",
    "magnesium chloride hexahydrate": "MgCl2·6H2O",
    "magnesium gluconate dihydrate": "C12H22MgO14·2H2O",
    "magnesium gluconate anhydrous": "C12H22MgO14",
    "magnesium acetate tetrahydrate": "C4H6MgO4·4H2O",
    "zinc sulfate heptahydrate": "ZnSO4·7H2O",
    "zinc sulfate anhydrous": "ZnSO4",
    "zinc chloride": "ZnCl2",
    "zinc gluconate": "C12H22O14Zn",
    "zinc acetate dihydrate": "C4H6O4Zn·2H2O",
    "sodium phosphate monobasic monohydrate": "NaH2PO4·H2O",
    "sodium phosphate dibasic anhydrous": "Na2HPO4",
    "sodium phosphate dibasic dihydrate": "Na2HPO4·2H2O",
    "sodium phosphate dibasic heptahydrate": "Na2HPO4·7H2O",
    "sodium phosphate dibasic dodecahydrate": "Na2HPO4·12H2O",
    "potassium phosphate monobasic": "KH2PO4",
    "potassium phosphate dibasic": "K2HPO4",
    "sodium glycerophosphate anhydrous": "C3H7Na2O6P",
    "sodium glycerophosphate pentahydrate": "C3H7Na2O6P·5H2O",
    "citric acid monohydrate": "C6H8O7·H2O",
    "citric acid anhydrous": "C6H8O7",
    "edetate disodium dihydrate": "C10H14N2Na2O8·2H2O",
    "edetate disodium anhydrous": "C10H14N2Na2O8",
    "edetate calcium disodium": "C10H12CaN2Na2O8",
    "cupric chloride dihydrate": "CuCl2·2H2O",
    "cupric sulfate pentahydrate": "CuSO4·5H2O",
    "manganese sulfate monohydrate": "MnSO4·H2O",
    "selenious acid": "H2SeO3",
    "chromic chloride hexahydrate": "CrCl3·6H2O",
    "lidocaine hydrochloride monohydrate": "C14H22N2O·HCl·H2O",
    "bupivacaine hydrochloride monohydrate": "C18H28N2O·HCl·H2O",
    "ropivacaine hydrochloride monohydrate": "C17H26N2O·HCl·H2O",
    "ketamine hydrochloride": "C13H16ClNO·HCl",
    "midazolam hydrochloride": "C18H13ClFN3·HCl",
    "fentanyl citrate": "C22H28N2O·C6H8O7",
    "morphine sulfate pentahydrate": "(C17H19NO3)2·H2SO4·5H2O",
    "hydromorphone hydrochloride": "C17H19NO3·HCl",
    "ketorolac tromethamine": "C15H13NO3·C4H11NO3",
    "phenylephrine hydrochloride": "C9H13NO2·HCl",
    "ephedrine sulfate": "(C10H15NO)2·H2SO4",
    "norepinephrine bitartrate monohydrate": "C8H11NO3·C4H6O6·H2O",
    "epinephrine": "C9H13NO3",
    "epinephrine bitartrate": "C9H13NO3·C4H6O6",
    "labetalol hydrochloride": "C19H24N2O3·HCl",
    "diltiazem hydrochloride": "C22H26N2O4S·HCl",
    "esmolol hydrochloride": "C16H25NO4·HCl",
    "vasopressin": "C46H65N15O12S2",
    "succinylcholine chloride dihydrate": "C14H30Cl2N2O4·2H2O",
    "succinylcholine chloride anhydrous": "C14H30Cl2N2O4",
    "rocuronium bromide": "C32H53BrN2O4",
    "vecuronium bromide": "C34H57BrN2O4",
    "neostigmine methylsulfate": "C13H22N2O6S",
    "glycopyrrolate": "C19H28BrNO3",
    "atropine sulfate monohydrate": "(C17H23NO3)2·H2SO4·H2O",
    "ondansetron hydrochloride dihydrate": "C18H19N3O·HCl·2H2O",
    "dexamethasone sodium phosphate": "C22H28FNa2O8P",
    "methylprednisolone sodium succinate": "C26H33NaO8",
    "famotidine": "C8H15N7O2S3",
    "pantoprazole sodium sesquihydrate": "C16H14F2N3NaO4S·1.5H2O",
    "cefazolin sodium": "C14H13N8NaO4S3",
    "vancomycin hydrochloride": "C66H75Cl2N9O24·HCl",
    "thiamine hydrochloride": "C12H17ClN4OS·HCl",
    "pyridoxine hydrochloride": "C8H11NO3·HCl",
    "cyanocobalamin": "C63H88CoN14O14P",
    "folic acid": "C19H19N7O6",
    "phytonadione": "C31H46O2",
    "methylene blue trihydrate": "C16H18ClN3S·3H2O",
    "methylene blue anhydrous": "C16H18ClN3S",
    "caffeine": "C8H10N4O2",
    "caffeine citrate": "C8H10N4O2·C6H8O7",
    "oxytocin": "C43H66N12O12S2",
    "insulin human regular": "C257H383N65O77S6",
    "water for injection": "H2O",
}
# Entries whose MW is not a formula weight, with the reason.
NO_FORMULA = {
    "hyaluronidase human recombinant": "a glycoprotein; the label gives an approximate MW",
    "heparin sodium": "a heterogeneous mixture of glycosaminoglycans; no MW, dosed in USP units",
}
# MW written with fewer digits than 0.05 g/mol resolves: the tolerance is half the last printed digit.
PRINTED_AS_INTEGER = {"insulin human regular": D("0.5")}


def mw_tolerance(name: str, mw: D) -> D:
    """0.05 g/mol, or 0.01% for heavy formulas: monograph MWs were computed with older atomic weights
    (Mo 95.94, Zn 65.39, S 32.066), which move a large or heavy-atom formula by up to about 0.01%."""
    return PRINTED_AS_INTEGER.get(name, max(D("0.05"), mw * D("0.0001")))


def test_every_entry_has_a_formula_or_a_reason() -> None:
    missing = [n for n in NAMES if n not in FORMULA and n not in NO_FORMULA]
    assert missing == []
    assert sorted(set(FORMULA) - set(NAMES)) == []  # no formula for an entry that is not in the table


@pytest.mark.parametrize("name", [n for n in NAMES if n in FORMULA])
def test_mw_matches_the_formula(name: str) -> None:
    ing = TABLE.get(name)
    assert ing.mw is not None, f"{name}: no mw"
    computed = formula_weight(FORMULA[name])
    assert abs(ing.mw - computed) <= mw_tolerance(name, ing.mw), (
        f"{name}: mw {ing.mw} but {FORMULA[name]} weighs {computed:.3f}"
    )


# (hydrate, other form, molecules of water between them): the MWs must differ by n x 18.015.
HYDRATE_PAIRS = [
    ("dextrose monohydrate", "dextrose anhydrous", 1),
    ("sodium acetate trihydrate", "sodium acetate anhydrous", 3),
    ("sodium sulfate decahydrate", "sodium sulfate anhydrous", 10),
    ("magnesium gluconate dihydrate", "magnesium gluconate anhydrous", 2),
    ("zinc sulfate heptahydrate", "zinc sulfate anhydrous", 7),
    ("sodium phosphate dibasic dihydrate", "sodium phosphate dibasic anhydrous", 2),
    ("sodium phosphate dibasic heptahydrate", "sodium phosphate dibasic anhydrous", 7),
    ("sodium phosphate dibasic dodecahydrate", "sodium phosphate dibasic anhydrous", 12),
    ("sodium phosphate dibasic dodecahydrate", "sodium phosphate dibasic heptahydrate", 5),
    ("sodium glycerophosphate pentahydrate", "sodium glycerophosphate anhydrous", 5),
    ("citric acid monohydrate", "citric acid anhydrous", 1),
    ("edetate disodium dihydrate", "edetate disodium anhydrous", 2),
    ("succinylcholine chloride dihydrate", "succinylcholine chloride anhydrous", 2),
    ("methylene blue trihydrate", "methylene blue anhydrous", 3),
]


@pytest.mark.parametrize(("hydrate", "other", "n"), HYDRATE_PAIRS, ids=[p[0] for p in HYDRATE_PAIRS])
def test_hydrate_differs_from_the_other_form_by_its_water(hydrate: str, other: str, n: int) -> None:
    difference = TABLE.get(hydrate).mw - TABLE.get(other).mw
    assert abs(difference - n * WATER) <= D("0.05"), f"{hydrate} - {other} = {difference}, not {n} x 18.015"
    assert TABLE.get(hydrate).particles == TABLE.get(other).particles  # water of hydration is not a solute


def test_every_pair_of_forms_in_the_table_is_checked() -> None:
    """Entries named '<x> anhydrous' and '<x> <n>hydrate' appear in HYDRATE_PAIRS."""
    words = {
        "monohydrate": 1,
        "dihydrate": 2,
        "trihydrate": 3,
        "pentahydrate": 5,
        "heptahydrate": 7,
        "decahydrate": 10,
        "dodecahydrate": 12,
    }
    checked = {(h, o) for h, o, _ in HYDRATE_PAIRS}
    unchecked = []
    for name in NAMES:
        stem, _, last = name.rpartition(" ")
        if last in words and f"{stem} anhydrous" in NAMES and (name, f"{stem} anhydrous") not in checked:
            unchecked.append(name)
    assert unchecked == []


def test_every_entry_cites_its_mw_and_particle_count() -> None:
    """Enforced for the shipped table only; a facility ingredient may carry a short source."""
    assert [n for n in NAMES if not TABLE.get(n).source.strip()] == []
    assert [n for n in NAMES if "particle" not in TABLE.get(n).source.lower()] == []


def test_names_and_synonyms_are_unique() -> None:
    keys = [_key(n) for ing in ENTRIES for n in ing.all_names()]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert duplicates == []


def test_units_entries() -> None:
    units = {i.name: i for i in ENTRIES if i.kind is IngredientKind.UNITS}
    assert sorted(units) == [
        "heparin sodium",
        "hyaluronidase human recombinant",
        "insulin human regular",
        "oxytocin",
        "vasopressin",
    ]
    for ing in units.values():
        assert ing.particles == 0
        assert ing.default_basis == "units"
        assert ing.ions == () and ing.mmol_of == ()
        assert ing.max_concentration_units_per_ml is not None and ing.max_concentration_source
        assert ing.max_concentration_mg_per_ml is None


@pytest.mark.parametrize(
    ("name", "units_per_ml"),
    [
        ("oxytocin", "10"),
        ("vasopressin", "20"),
        ("insulin human regular", "500"),
        ("hyaluronidase human recombinant", "150"),
        ("heparin sodium", "20000"),  # Fresenius Kabi 20,000 USP units per 1 mL vial (DailyMed f67eea4e)
    ],
)
def test_units_ceilings_are_the_highest_approved_products(name: str, units_per_ml: str) -> None:
    assert TABLE.get(name).max_concentration_units_per_ml == D(units_per_ml)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Pitocin", "oxytocin"),
        ("regular insulin", "insulin human regular"),
        ("Hylenex", "hyaluronidase human recombinant"),
        ("Vasostrict", "vasopressin"),
        ("Heparin", "heparin sodium"),
    ],
)
def test_units_entries_are_found_by_synonym(query: str, name: str) -> None:
    assert TABLE.get(query).name == name


def test_only_the_vehicle_is_a_solvent() -> None:
    assert [i.name for i in ENTRIES if i.kind is IngredientKind.SOLVENT] == ["water for injection"]
    assert all(i.solvent == (i.kind is IngredientKind.SOLVENT) for i in ENTRIES)


@pytest.mark.parametrize(
    "name",
    [
        "calcium gluconate monohydrate",
        "calcium chloride dihydrate",
        "magnesium sulfate heptahydrate",
        "arginine hydrochloride",
    ],
)
def test_electrolytes_labeled_in_mass_lead_in_mass(name: str) -> None:
    ing = TABLE.get(name)
    assert ing.kind is IngredientKind.ELECTROLYTE and ing.ions
    assert ing.strength_basis == "mass" == ing.default_basis
    assert "strength in mass" in ing.source


def test_default_basis_of_the_table() -> None:
    overridden = {i.name for i in ENTRIES if i.strength_basis is not None}
    assert overridden == {
        "calcium gluconate monohydrate",
        "calcium chloride dihydrate",
        "magnesium sulfate heptahydrate",
        "arginine hydrochloride",
    }
    for ing in ENTRIES:
        if ing.name not in overridden:
            assert ing.default_basis == KIND_DEFAULT_BASIS[ing.kind]
    assert TABLE.get("potassium chloride").default_basis == "meq"
    assert TABLE.get("potassium phosphate monobasic").default_basis == "mmol"
    assert TABLE.get("lidocaine hydrochloride monohydrate").default_basis == "mass"
    assert TABLE.get("cefazolin sodium").default_basis == "mass"  # its sodium is counted, its dose is mass


# (entry, formula of what the label states, atoms or molecules of it per formula unit). The factor in
# the YAML is typed by hand; here it is recomputed from the two formula weights.
MOIETY = {
    "ammonium molybdate tetrahydrate": ("Mo", 7),
    "zinc sulfate heptahydrate": ("Zn", 1),
    "zinc sulfate anhydrous": ("Zn", 1),
    "zinc chloride": ("Zn", 1),
    "cupric chloride dihydrate": ("Cu", 1),
    "cupric sulfate pentahydrate": ("Cu", 1),
    "manganese sulfate monohydrate": ("Mn", 1),
    "selenious acid": ("Se", 1),
    "chromic chloride hexahydrate": ("Cr", 1),
    "edetate disodium dihydrate": ("C10H14N2Na2O8", 1),
    "bupivacaine hydrochloride monohydrate": ("C18H28N2O·HCl", 1),
    "ropivacaine hydrochloride monohydrate": ("C17H26N2O·HCl", 1),
    "ketamine hydrochloride": ("C13H16ClNO", 1),
    "midazolam hydrochloride": ("C18H13ClFN3", 1),
    "fentanyl citrate": ("C22H28N2O", 1),
    "ephedrine sulfate": ("C10H15NO", 2),
    "norepinephrine bitartrate monohydrate": ("C8H11NO3", 1),
    "epinephrine bitartrate": ("C9H13NO3", 1),
    "succinylcholine chloride dihydrate": ("C14H30Cl2N2O4", 1),
    "ondansetron hydrochloride dihydrate": ("C18H19N3O", 1),
    "dexamethasone sodium phosphate": ("C22H30FO8P", 1),
    "methylprednisolone sodium succinate": ("C22H30O5", 1),
    "pantoprazole sodium sesquihydrate": ("C16H15F2N3O4S", 1),
    "cefazolin sodium": ("C14H14N8O4S3", 1),
    "vancomycin hydrochloride": ("C66H75Cl2N9O24", 1),
    "caffeine citrate": ("C8H10N4O2", 1),
}


def test_every_moiety_is_checked() -> None:
    with_moiety = sorted(i.name for i in ENTRIES if i.moiety is not None)
    assert with_moiety == sorted(MOIETY)
    assert all(i.moiety_factor == 1 for i in ENTRIES if i.moiety is None)


@pytest.mark.parametrize("name", sorted(MOIETY))
def test_moiety_factor_matches_the_formula_weights(name: str) -> None:
    ing = TABLE.get(name)
    formula, count = MOIETY[name]
    expected = count * formula_weight(formula) / ing.mw
    assert abs(ing.moiety_factor - expected) <= D("0.0005"), f"{name}: {ing.moiety_factor} vs {expected:.5f}"


# Concentration ceilings must not refuse a product that is on the market.
APPROVED_MG_PER_ML = [
    ("potassium chloride", "149", "KCl 2 mEq/mL concentrate (ASHP)"),
    ("sodium bicarbonate", "84", "8.4% (Hospira)"),
    ("magnesium sulfate heptahydrate", "500", "50% (rxlist)"),
    ("calcium gluconate monohydrate", "100", "10% (Fresenius, American Regent)"),
    ("mannitol", "250", "25% (Pfizer/Hospira)"),
    ("ammonium chloride", "267.5", "5 mEq/mL (Hospira)"),
    ("sodium acetate anhydrous", "328", "4 mEq/mL (docs/domain.md §4.4)"),
    ("bupivacaine hydrochloride monohydrate", "7.9", "0.75% as anhydrous, 7.5 / 0.9475 of the monohydrate"),
    ("ropivacaine hydrochloride monohydrate", "10.6", "1% as anhydrous, 10 / 0.9452 of the monohydrate"),
    ("esmolol hydrochloride", "250", "Brevibloc ampul"),
    ("levocarnitine", "200", "Carnitor 1 g/5 mL"),
    ("tranexamic acid", "100", "Cyklokapron"),
    ("aminocaproic acid", "250", "aminocaproic acid injection"),
    ("pyridoxine hydrochloride", "100", "pyridoxine hydrochloride injection (Mylan)"),
    ("cyanocobalamin", "1", "1000 mcg/mL"),
    ("neostigmine methylsulfate", "2.5", "2.5 mg/mL ampul (ASHP)"),
    ("methylprednisolone sodium succinate", "165.7", "125 mg/mL methylprednisolone, reconstituted"),
    ("cupric sulfate pentahydrate", "1.57", "copper 0.4 mg/mL (American Regent)"),
    ("epinephrine bitartrate", "0.0091", "with bupivacaine, 1:200,000"),
]


@pytest.mark.parametrize(("name", "mg_per_ml", "product"), APPROVED_MG_PER_ML, ids=[r[0] for r in APPROVED_MG_PER_ML])
def test_ceiling_admits_the_approved_product(name: str, mg_per_ml: str, product: str) -> None:
    ing = TABLE.get(name)
    assert ing.max_concentration_mg_per_ml is not None, f"{name}: no ceiling"
    assert D(mg_per_ml) <= ing.max_concentration_mg_per_ml, f"{name}: ceiling below {product}"
    assert ing.max_concentration_source


def test_supersaturated_products_take_the_approved_concentration_as_ceiling() -> None:
    """Calcium gluconate (solubility about 1 in 30 of cold water) and mannitol 25% exceed their solubility;
    refusing them would refuse the products on the market, so their ceiling is the approved concentration."""
    gluconate = TABLE.get("calcium gluconate monohydrate")
    assert gluconate.max_concentration_mg_per_ml == D(100)
    assert "supersaturated" in gluconate.max_concentration_source
    assert "saccharate" in gluconate.max_concentration_source
    mannitol = TABLE.get("mannitol")
    assert mannitol.max_concentration_mg_per_ml == D(250)
    assert "supersaturated" in mannitol.max_concentration_source
    assert "warm" in mannitol.max_concentration_source


def test_particles_follow_the_dissociation_convention() -> None:
    """A drug hydrochloride counts cation + chloride (2); a sulfate of two bases counts 3 (docs/domain.md §4.3)."""
    hydrochlorides = [i for i in ENTRIES if i.name.endswith("hydrochloride") or "hydrochloride " in i.name]
    assert len(hydrochlorides) >= 12
    for ing in hydrochlorides:
        expected = 3 if ing.name == "thiamine hydrochloride" else 2  # thiamine carries two chlorides
        assert ing.particles == expected, ing.name
    for name in ("morphine sulfate pentahydrate", "atropine sulfate monohydrate", "ephedrine sulfate"):
        assert TABLE.get(name).particles == 3
    assert TABLE.get("acetic acid glacial").particles == 1
    assert "partly" in TABLE.get("acetic acid glacial").source
