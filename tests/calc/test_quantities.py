"""Amounts to weigh: batch volume, salt/hydrate form and potency corrections, weighing tolerance."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from labelapp import resources
from labelapp.calc.quantities import batch_volume_ml, grams_text, max_fills
from labelapp.domain.errors import InputError
from labelapp.domain.formula import Container

EXACT = D("1e-20")


def weigh_line(result, component: str):
    (line,) = [a for a in result.amounts if a.component == component]
    return line


def make_dextrose(doc: dict, *, supplied_form: str | None = None, potency: str = "100") -> dict:
    """Dextrose monohydrate 50 mg/mL (D5W strength) in the glycine example's vial and batch."""
    doc["formula"]["components"][0].update(ingredient="dextrose monohydrate", amount_per_ml="50", label_name="dextrose")
    doc["formula"].pop("master_record", None)  # the glycine steps do not belong to a dextrose formula
    lot = doc["batch"]["component_lots"][0]
    lot.update(component="dextrose monohydrate", lot="DEX-2609", potency_percent=potency)
    if supplied_form:
        lot["supplied_form"] = supplied_form
    return doc


@pytest.mark.parametrize(
    ("units", "nominal", "fill", "allowance", "volume"),
    [
        (100, "30", "30.8", "5", "3234"),  # the glycine example
        (1, "10", "10.5", "0", "10.5"),
        (250, "2", "2.2", "10", "605"),
        (60, "50", "50", "5", "3150"),
    ],
)
def test_batch_volume_is_units_times_fill_times_allowance(units, nominal, fill, allowance, volume) -> None:
    container = Container(nominal_volume_ml=D(nominal), fill_volume_ml=D(fill))
    assert batch_volume_ml(units, container, D(allowance)) == D(volume)


def test_glycine_example_amounts(glycine_doc, compute) -> None:
    r = compute(glycine_doc)
    assert r.batch_volume_ml == D("3234")
    glycine = weigh_line(r, "glycine")
    expected = D(50) * D(3234) / 1000 / D("0.996")  # potency 99.6 % on the CoA
    assert abs(glycine.theoretical_g - expected) <= EXACT * expected
    assert glycine.theoretical_text == "162.35 g"
    assert glycine.lot == "GLY24117"
    assert "÷ 99.6% potency" in glycine.working.expression
    wfi = weigh_line(r, "water for injection")
    assert wfi.theoretical_g is None
    assert wfi.theoretical_text == "q.s. to 3,234 mL"
    assert r.max_fills == 105  # floor(3234 / 30.8)
    assert r.label_count == 106  # 100 units + 2 specimen + 4 retain


@pytest.mark.parametrize("potency", ["99.6", "98", "101.5"])
def test_potency_divides_the_amount(glycine_doc, compute, potency) -> None:
    full = weigh_line(compute(glycine_doc), "glycine").theoretical_g
    glycine_doc["batch"]["component_lots"][0]["potency_percent"] = potency
    corrected = weigh_line(compute(glycine_doc), "glycine").theoretical_g
    baseline = full * D("0.996")  # the example's own potency removed
    assert abs(corrected - baseline * 100 / D(potency)) <= EXACT * corrected


def test_anhydrous_dextrose_supplied_for_a_monohydrate_formula(glycine_doc, compute) -> None:
    as_formula = weigh_line(compute(make_dextrose(glycine_doc)), "dextrose monohydrate")
    doc = make_dextrose(glycine_doc, supplied_form="dextrose anhydrous")
    r = compute(doc)
    anhydrous = weigh_line(r, "dextrose monohydrate")
    assert abs(as_formula.theoretical_g - D(50) * D(3234) / 1000) <= EXACT * as_formula.theoretical_g
    ratio = D("180.16") / D("198.17")
    assert abs(anhydrous.theoretical_g - as_formula.theoretical_g * ratio) <= EXACT * anhydrous.theoretical_g
    assert anhydrous.supplied_form == "dextrose anhydrous"
    assert "180.16 ÷ 198.17 g/mol, dextrose anhydrous for dextrose monohydrate" in anhydrous.working.expression
    assert r.osmolarity_mosmol_per_l == 252  # the product is unchanged: same moles per mL


def test_form_and_potency_corrections_combine(glycine_doc, compute) -> None:
    line = weigh_line(
        compute(make_dextrose(glycine_doc, supplied_form="anhydrous dextrose", potency="99.2")), "dextrose monohydrate"
    )
    expected = D(50) * D(3234) / 1000 * D("180.16") / D("198.17") / D("0.992")
    assert abs(line.theoretical_g - expected) <= EXACT * expected


def test_supplied_form_of_another_substance_is_refused(glycine_doc, compute) -> None:
    doc = make_dextrose(glycine_doc, supplied_form="sodium chloride")
    with pytest.raises(InputError) as info:
        compute(doc)
    (issue,) = info.value.issues
    assert issue.path == "batch.component_lots[0].supplied_form"
    assert "sodium chloride is not a hydrate form of dextrose monohydrate" in issue.message


@pytest.mark.parametrize(
    ("actual", "within", "dev"),
    [
        ("162.35", True, "0"),
        ("165.5", True, "1.94"),  # inside ±2 %
        ("159.2", True, "-1.94"),
        ("166", False, "2.25"),  # outside
        ("150", False, "-7.61"),
    ],
)
def test_actual_weight_against_tolerance(glycine_doc, compute, actual, within, dev) -> None:
    glycine_doc["batch"]["component_lots"][0]["actual_amount_g"] = actual
    r = compute(glycine_doc)
    line = weigh_line(r, "glycine")
    assert line.actual_g == D(actual)
    assert line.within_tolerance is within
    assert abs(line.deviation_percent - D(dev)) < D("0.005")
    weigh_warnings = [w for w in r.warnings if w.startswith("Weighed")]
    if within:
        assert weigh_warnings == []
    else:
        (warning,) = weigh_warnings
        assert f"Weighed {actual} g of glycine (lot GLY24117)" in warning
        assert "from the theoretical 162.35 g; limit ±2%." in warning


def test_tolerance_limit_itself_is_within(glycine_doc, compute) -> None:
    theoretical = weigh_line(compute(glycine_doc), "glycine").theoretical_g
    glycine_doc["batch"]["component_lots"][0]["actual_amount_g"] = str(theoretical * D("1.02"))
    assert weigh_line(compute(glycine_doc), "glycine").within_tolerance is True


def test_tolerance_comes_from_settings(glycine_doc, compute) -> None:
    glycine_doc["batch"]["component_lots"][0]["actual_amount_g"] = "162.6"  # +0.15 %
    assert weigh_line(compute(glycine_doc), "glycine").within_tolerance is True
    r = compute(glycine_doc, weigh_tolerance_percent="0.1")
    assert weigh_line(r, "glycine").within_tolerance is False
    assert any("limit ±0.1%" in w for w in r.warnings)


def test_sodium_phosphates_example_weighs_both_salts(compute) -> None:
    doc = json.loads((resources.examples_dir() / "sodium-phosphates-3mmol-ml-15ml.json").read_text())
    r = compute(doc)
    volume = r.batch_volume_ml
    for name, mg_per_ml in [
        ("sodium phosphate monobasic monohydrate", 276),
        ("sodium phosphate dibasic anhydrous", 142),
    ]:
        line = weigh_line(r, name)
        potency = next(lot for lot in doc["batch"]["component_lots"] if lot["component"] == name)["potency_percent"]
        expected = D(mg_per_ml) * volume / 1000 * 100 / D(potency)
        assert abs(line.theoretical_g - expected) <= EXACT * expected


@pytest.mark.parametrize(
    ("grams", "text"),
    [
        (D("162.349"), "162.35 g"),  # 0.01 g from 10 g
        (D("10"), "10.00 g"),  # balance precision keeps the zeros (a measurement, not a dose)
        (D("1.5003"), "1.500 g"),
        (D("1234.5"), "1,234.50 g"),
        (D("0.5"), "500.0 mg"),
    ],
)
def test_worksheet_weights_show_balance_precision(grams: D, text: str) -> None:
    assert grams_text(grams) == text


def test_max_fills_rounds_down() -> None:
    container = Container(nominal_volume_ml=D(30), fill_volume_ml=D("30.8"))
    assert max_fills(D("3234"), container) == 105
    assert max_fills(D("30.79"), container) == 0


# --- actives dosed in USP units (docs/domain.md §4.7) ------------------------------------------------------

OXYTOCIN = resources.examples_dir() / "oxytocin-30-units-500ml-bag.json"


def oxytocin_doc(**lot) -> dict:
    doc = json.loads(OXYTOCIN.read_text(encoding="utf-8"))
    oxy = doc["batch"]["component_lots"][0]
    if lot:
        oxy.pop("potency_units_per_mg")
        oxy.update(lot)
    return doc


def test_units_active_is_weighed_from_its_potency_in_units_per_mg(compute) -> None:
    """amount to weigh = units/mL x mL / (units/mg): 0.06 x 52,020 = 3,121.2 units / 580 units/mg = 5.381 mg."""
    r = compute(oxytocin_doc())
    assert r.batch_volume_ml == D("52020")  # 100 bags x 510 mL x 1.02
    line = weigh_line(r, "oxytocin")
    assert line.theoretical_g == D("0.06") * D("52020") / D("580") / 1000
    assert line.theoretical_text == "5.4 mg"
    assert line.working.expression == (
        "0.06 units/mL × 52,020 mL = 3,121.2 units; ÷ 580 units/mg (lot OXY-2609-02, CoA) = 5.381 mg"
    )
    assert line.theoretical_ml is None
    nacl = weigh_line(r, "sodium chloride")
    assert nacl.theoretical_text == "468.65 g"  # 9 mg/mL x 52,020 mL / 0.999


def test_units_active_from_a_solution_is_measured_by_volume(compute) -> None:
    """A lot that states units per mL (oxytocin injection 10 USP units/mL) is measured: 3,121.2 / 10 mL."""
    r = compute(oxytocin_doc(potency_units_per_ml="10", actual_volume_ml="313"))
    line = weigh_line(r, "oxytocin")
    assert (line.theoretical_g, line.theoretical_ml) == (None, D("312.12"))
    assert line.theoretical_text == "312 mL"
    assert line.working.expression == (
        "0.06 units/mL × 52,020 mL = 3,121.2 units; ÷ 10 units/mL (lot OXY-2609-02) = 312.1 mL"
    )
    assert line.actual_ml == D("313") and line.within_tolerance is True
    off = compute(oxytocin_doc(potency_units_per_ml="10", actual_volume_ml="330"))
    assert "Measured 330 mL of oxytocin (lot OXY-2609-02) is 5.73% from the theoretical 312 mL" in " ".join(
        off.warnings
    )


def test_actual_weight_of_a_units_active_against_tolerance(compute) -> None:
    r = compute(oxytocin_doc(potency_units_per_mg="580", actual_amount_g="0.0056"))
    line = weigh_line(r, "oxytocin")
    assert line.within_tolerance is False  # 5.6 mg vs 5.381 mg: +4.07%


def test_a_lot_gives_units_per_mg_or_per_ml_not_both() -> None:
    from labelapp.domain.batch import ComponentLot

    base = {"component": "oxytocin", "lot": "X", "manufacturer": "Example Co", "expiry": "2027-01-01"}
    with pytest.raises(ValueError, match="give the potency in units per mg .* not both"):
        ComponentLot(**base, potency_units_per_mg="580", potency_units_per_ml="10")
    with pytest.raises(ValueError, match="only a lot given in units per mL"):
        ComponentLot(**base, potency_units_per_mg="580", actual_volume_ml="3")
    with pytest.raises(ValueError, match="is measured by volume; record actual_volume_ml"):
        ComponentLot(**base, potency_units_per_ml="10", actual_amount_g="3")


@pytest.mark.parametrize(("ml", "text"), [(D("3.125"), "3.13 mL"), (D("61.24"), "61.2 mL"), (D("312.12"), "312 mL")])
def test_worksheet_volumes_show_measuring_precision(ml: D, text: str) -> None:
    from labelapp.calc.quantities import ml_text

    assert ml_text(ml) == text
