"""Properties of the osmolarity and mEq arithmetic that must hold for any ingredient and amount."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelapp.calc.solution import Solute, solve
from labelapp.domain.ingredient import Ingredient, Ion
from labelapp.domain.settings import TonicityThresholds

no_deadline = settings(deadline=None)  # correctness only: never a timing assertion
DEFAULT = TonicityThresholds()
TIGHT = Decimal("1e-20")  # relative: Decimal keeps 28 digits, so only the last digits may differ

ions = st.lists(
    st.builds(
        Ion,
        name=st.sampled_from(["sodium", "potassium", "calcium", "chloride", "sulfate", "acetate"]),
        valence=st.integers(1, 4),
        count=st.integers(1, 6),
    ),
    max_size=3,
    unique_by=lambda i: i.name,
)
ingredients = st.builds(
    Ingredient,
    name=st.text("abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=12),
    mw=st.decimals(min_value="10", max_value="1500", places=2),
    particles=st.integers(0, 10),
    ions=ions.map(tuple),
)
amounts = st.decimals(min_value="0.001", max_value="2000", places=3)
units = st.sampled_from(["g", "mg", "mcg"])


def solute(ing: Ingredient, amount: Decimal, unit: str = "mg") -> Solute:
    return Solute(ingredient=ing, amount_per_ml=amount, unit=unit)


def close(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= TIGHT * max(abs(a), abs(b), Decimal(1))


@no_deadline
@given(ingredients, amounts, ingredients, amounts)
def test_osmolarity_adds_over_solutes(ing_a, amt_a, ing_b, amt_b) -> None:
    a, b = solute(ing_a, amt_a), solute(ing_b, amt_b)
    both, only_a, only_b = solve([a, b], DEFAULT), solve([a], DEFAULT), solve([b], DEFAULT)
    assert close(both.osmolarity_exact, only_a.osmolarity_exact + only_b.osmolarity_exact)
    for ion in set(only_a.meq_per_ml) | set(only_b.meq_per_ml):
        expected = only_a.meq_per_ml.get(ion, Decimal(0)) + only_b.meq_per_ml.get(ion, Decimal(0))
        assert close(both.meq_per_ml[ion], expected)


@no_deadline
@given(ingredients, amounts, st.integers(1, 1000))
def test_osmolarity_and_meq_scale_linearly_with_concentration(ing, amount, k) -> None:
    one, k_times = solve([solute(ing, amount)], DEFAULT), solve([solute(ing, amount * k)], DEFAULT)
    assert close(k_times.osmolarity_exact, one.osmolarity_exact * k)
    for ion, meq in one.meq_per_ml.items():
        assert close(k_times.meq_per_ml[ion], meq * k)


@no_deadline
@given(ingredients, amounts, units)
def test_osmolarity_is_g_per_l_over_mw_times_particles_times_1000(ing, amount, unit) -> None:
    """Independent oracle in exact fractions: mOsmol/L = g/L ÷ MW × n × 1000 (USP ideal osmolarity)."""
    g_per_l = Fraction(amount) * {"g": 1000, "mg": 1, "mcg": Fraction(1, 1000)}[unit]
    expected = g_per_l / Fraction(ing.mw) * ing.particles * 1000
    got = solve([solute(ing, amount, unit)], DEFAULT).osmolarity_exact
    assert abs(Fraction(got) - expected) <= Fraction(TIGHT) * max(expected, 1)


@no_deadline
@given(ingredients, amounts, ingredients, amounts)
def test_zero_particles_contribute_nothing(ing, amount, other, other_amount) -> None:
    inert = ing.model_copy(update={"particles": 0})
    assert solve([solute(inert, amount)], DEFAULT).osmolarity_exact == 0
    with_inert = solve([solute(other, other_amount), solute(inert, amount)], DEFAULT)
    assert with_inert.osmolarity_exact == solve([solute(other, other_amount)], DEFAULT).osmolarity_exact


def test_the_vehicle_contributes_nothing() -> None:
    glycine = Ingredient(name="glycine", mw=Decimal("75.07"), particles=1)
    wfi = Ingredient(name="water for injection", mw=Decimal("18.015"), particles=0, solvent=True)
    result = solve([solute(glycine, Decimal(50)), Solute(ingredient=wfi, amount_per_ml=None, role="vehicle")], DEFAULT)
    assert result.osmolarity_mosmol_per_l == 666
    assert result.components[1].osmolarity_mosmol_per_l is None
    assert result.components[1].label_text == "water for injection q.s."


@no_deadline
@given(st.decimals(min_value="10", max_value="1500", places=2), amounts, st.integers(1, 4), st.integers(1, 6))
def test_meq_is_mmol_times_valence_times_count(mw, amount, valence, count) -> None:
    ing = Ingredient(name="salt", mw=mw, particles=2, ions=(Ion(name="cation", valence=valence, count=count),))
    meq = solve([solute(ing, amount)], DEFAULT).meq_per_ml["cation"]
    mmol_per_ml = amount / mw
    assert close(meq, mmol_per_ml * valence * count)
    single = ing.model_copy(update={"ions": (Ion(name="cation", valence=1, count=1),)})
    assert close(meq, solve([solute(single, amount)], DEFAULT).meq_per_ml["cation"] * valence * count)


@no_deadline
@given(ingredients, amounts)
def test_label_osmolarity_is_the_exact_value_rounded_half_up(ing, amount) -> None:
    result = solve([solute(ing, amount)], DEFAULT)
    assert result.osmolarity_mosmol_per_l == int(result.osmolarity_exact.quantize(Decimal(1), ROUND_HALF_UP))
    assert result.osmolarity_text.endswith(" mOsmol/L (calc)")


# A 1000 g/mol, 1-particle solute: X mg/mL is exactly X mOsmol/L, so rows read as osmolarities.
PROBE = Ingredient(name="probe", mw=Decimal(1000), particles=1)


@pytest.mark.parametrize(
    ("osm", "category", "flags"),
    [
        # The class follows the printed (rounded half-up) value, so label text and flag always agree.
        ("249.4", "hypotonic", ["Hypotonic", "hemolysis"]),
        ("249.5", "iso-osmotic", []),  # prints 250
        ("374.4", "iso-osmotic", []),
        ("374.5", "hypertonic", ["Hypertonic"]),  # prints 375
        ("600.4", "hypertonic", ["Hypertonic"]),  # prints 600: not above 600
        ("600.5", "hypertonic", ["Hypertonic", "Exceeds 600 mOsmol/L", "short peripheral catheters"]),
        ("900.4", "hypertonic", ["Hypertonic", "Exceeds 600 mOsmol/L"]),
        ("900.5", "hypertonic", ["Hypertonic", "Exceeds 900 mOsmol/L", "central venous"]),
    ],
)
def test_tonicity_thresholds(osm: str, category: str, flags: list[str]) -> None:
    """docs/domain.md §4.5: hypo < 250, hyper >= 375, INS caution > 600, central line > 900."""
    tonicity = solve([solute(PROBE, Decimal(osm))], DEFAULT).tonicity
    assert tonicity.category == category
    text = " ".join(tonicity.warnings)
    for flag in flags:
        assert flag in text
    assert bool(tonicity.warnings) == bool(flags)


def test_tonicity_thresholds_are_configurable() -> None:
    strict = TonicityThresholds(
        hypotonic_below=Decimal(280),
        hypertonic_from=Decimal(300),
        peripheral_caution_above=Decimal(600),
        central_line_above=Decimal(900),
    )
    assert solve([solute(PROBE, Decimal(270))], strict).tonicity.category == "hypotonic"
    assert solve([solute(PROBE, Decimal(300))], strict).tonicity.category == "hypertonic"


def test_thresholds_must_rise() -> None:
    with pytest.raises(ValueError, match="thresholds must rise"):
        TonicityThresholds(hypotonic_below=Decimal(400))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(ingredients, amounts), min_size=1, max_size=5, unique_by=lambda t: t[0].name))
def test_total_is_the_sum_of_each_component_line(pairs) -> None:
    """The worksheet shows one line per component; they must add up to the labeled total."""
    result = solve([solute(ing, amt) for ing, amt in pairs], DEFAULT)
    assert close(result.osmolarity_exact, sum(c.osmolarity_mosmol_per_l for c in result.components))


def test_tonicity_class_follows_the_printed_value_at_the_threshold():
    """374.6 prints as 375 mOsmol/L, so it must also be called hypertonic (>= 375)."""
    from labelapp.calc.solution import Solute, solve
    from labelapp.domain.settings import TonicityThresholds
    from labelapp.services.calculate import reference_ingredients

    glycine = reference_ingredients().get("glycine")
    mg_ml = Decimal("374.6") * glycine.mw / 1000  # one particle: mOsmol/L = mg/mL / MW x 1000
    result = solve([Solute(ingredient=glycine, amount_per_ml=mg_ml)], TonicityThresholds())
    assert result.osmolarity_text == "375 mOsmol/L (calc)"
    assert result.tonicity.category == "hypertonic"


def test_ingredient_table_handed_out_is_a_copy_of_the_reference():
    from labelapp.domain.ingredient import Ingredient
    from labelapp.services.calculate import ingredient_table, reference_ingredients

    table = ingredient_table()
    table.add(Ingredient(name="sucrose", mw=Decimal("342.3"), particles=1))
    assert "sucrose" in table
    assert "sucrose" not in reference_ingredients()
