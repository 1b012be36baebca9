"""Batch quantities: batch volume, amounts to weigh corrected for form and potency, q.s., yield.

An active dosed in USP units is weighed from its lot's potency in units per mg, or measured by volume
from a solution whose lot states units per mL (docs/domain.md §4.7).
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from labelapp.calc.format import fmt_measured, fmt_number, fmt_qty
from labelapp.calc.solution import Solute, in_units, mg_per_ml
from labelapp.domain.batch import ComponentLot
from labelapp.domain.formula import Container
from labelapp.domain.ingredient import Ingredient
from labelapp.domain.results import WeighLine, Working


def batch_volume_ml(units: int, container: Container, allowance_percent: Decimal) -> Decimal:
    return units * container.fill_volume_ml * (1 + allowance_percent / 100)


def batch_volume_working(units: int, container: Container, allowance_percent: Decimal, vol: Decimal) -> Working:
    return Working(
        label="Batch volume",
        expression=(
            f"{units} units × {fmt_number(container.fill_volume_ml)} mL fill × "
            f"(1 + {fmt_number(allowance_percent)}% allowance)"
        ),
        result=f"{fmt_number(vol, places=1)} mL",
    )


def max_fills(volume_ml: Decimal, container: Container) -> int:
    return int((volume_ml / container.fill_volume_ml).to_integral_value(rounding=ROUND_FLOOR))


def grams_text(g: Decimal) -> str:
    """Balance precision for the worksheet: 0.01 g from 10 g, 0.001 g below; mg under 1 g."""
    if g >= 10:
        return f"{fmt_measured(g, 2)} g"
    if g >= 1:
        return f"{fmt_measured(g, 3)} g"
    return f"{fmt_measured(g * 1000, 1)} mg"


def ml_text(ml: Decimal) -> str:
    """Measuring precision for a volume on the worksheet: 0.01 mL below 10 mL, 0.1 mL below 100, else 1 mL."""
    if ml >= 100:
        return f"{fmt_measured(ml, 0)} mL"
    if ml >= 10:
        return f"{fmt_measured(ml, 1)} mL"
    return f"{fmt_measured(ml, 2)} mL"


def _with_actual(line: WeighLine, actual: Decimal, theoretical: Decimal, tolerance_percent: Decimal) -> WeighLine:
    dev = (actual - theoretical) / theoretical * 100
    field = "actual_ml" if line.theoretical_ml is not None else "actual_g"
    return line.model_copy(
        update={field: actual, "deviation_percent": dev, "within_tolerance": abs(dev) <= tolerance_percent}
    )


def units_weigh_line(s: Solute, lot: ComponentLot | None, volume_ml: Decimal, tolerance_percent: Decimal) -> WeighLine:
    """USP units needed = units/mL x mL; weighed: mg = units / (units/mg); from a solution: mL = units / (units/mL).

    A lot without its potency in units (the batch checks refuse that) gets no amount rather than a guess."""
    ing, amount = s.ingredient, s.amount_per_ml
    assert amount is not None, "an amount in units is never the vehicle"
    needed = amount * volume_ml
    needed_text = (
        f"{fmt_number(amount)} units/mL × {fmt_number(volume_ml, places=1)} mL = {fmt_number(needed, places=1)} units"
    )
    missing = WeighLine(
        component=ing.name,
        role=s.role,
        lot=lot.lot if lot else None,
        supplied_form=ing.name,
        theoretical_g=None,
        theoretical_text="potency in units per mg or per mL needed",
    )
    if lot is not None and lot.potency_units_per_ml is not None:
        ml = needed / lot.potency_units_per_ml
        text = ml_text(ml)
        line = missing.model_copy(
            update={
                "theoretical_ml": ml,
                "theoretical_text": text,
                "working": Working(
                    label=f"Volume to measure, {ing.name}",
                    expression=f"{needed_text}; ÷ {fmt_number(lot.potency_units_per_ml)} units/mL (lot {lot.lot}) "
                    f"= {fmt_number(ml, sig=4)} mL",
                    result=text,
                ),
            }
        )
        if lot.actual_volume_ml is not None:
            line = _with_actual(line, lot.actual_volume_ml, ml, tolerance_percent)
        return line
    if lot is None or lot.potency_units_per_mg is None:
        return missing
    grams = needed / lot.potency_units_per_mg / 1000
    line = missing.model_copy(
        update={
            "theoretical_g": grams,
            "theoretical_text": grams_text(grams),
            "working": Working(
                label=f"Amount to weigh, {ing.name}",
                expression=f"{needed_text}; ÷ {fmt_number(lot.potency_units_per_mg)} units/mg (lot {lot.lot}, CoA) "
                f"= {fmt_number(grams * 1000, sig=4)} mg",
                result=grams_text(grams),
            ),
        }
    )
    if lot.actual_amount_g is not None:
        line = _with_actual(line, lot.actual_amount_g, grams, tolerance_percent)
    return line


def weigh_line(
    s: Solute, lot: ComponentLot | None, supplied: Ingredient, volume_ml: Decimal, tolerance_percent: Decimal
) -> WeighLine:
    """grams = mg/mL x mL / 1000 x (MW supplied / MW formula form) / (potency / 100)."""
    if in_units(s):
        return units_weigh_line(s, lot, volume_ml, tolerance_percent)
    ing = s.ingredient
    mg_ml = mg_per_ml(s)
    if mg_ml is None or ing.solvent:
        return WeighLine(
            component=ing.name,
            role=s.role,
            lot=lot.lot if lot else None,
            supplied_form=supplied.name,
            theoretical_g=None,
            theoretical_text=f"q.s. to {fmt_number(volume_ml, places=1)} mL",
        )
    potency = lot.potency_percent if lot else Decimal(100)
    form_factor = supplied.formula_weight / ing.formula_weight
    grams = mg_ml * volume_ml / 1000 * form_factor * 100 / potency
    expr = f"{fmt_number(mg_ml)} mg/mL × {fmt_number(volume_ml, places=1)} mL ÷ 1000"
    if supplied.name != ing.name:
        ratio = f"{fmt_number(supplied.formula_weight)} ÷ {fmt_number(ing.formula_weight)} g/mol"
        expr += f" × ({ratio}, {supplied.name} for {ing.name})"
    expr += f" ÷ {fmt_number(potency)}% potency"
    line = WeighLine(
        component=ing.name,
        role=s.role,
        lot=lot.lot if lot else None,
        supplied_form=supplied.name,
        theoretical_g=grams,
        theoretical_text=grams_text(grams),
        working=Working(label=f"Amount to weigh, {supplied.name}", expression=expr, result=grams_text(grams)),
    )
    if lot is not None and lot.actual_amount_g is not None:
        line = _with_actual(line, lot.actual_amount_g, grams, tolerance_percent)
    return line


def deviation_warning(line: WeighLine, tolerance_percent: Decimal) -> str | None:
    if line.within_tolerance is False:
        # weigh_line sets within_tolerance together with the actual amount and deviation_percent
        assert line.deviation_percent is not None
        if line.actual_ml is not None:
            what = f"Measured {fmt_qty(line.actual_ml, 'mL')}"
        else:
            assert line.actual_g is not None
            what = f"Weighed {fmt_qty(line.actual_g, 'g')}"
        return (
            f"{what} of {line.supplied_form} (lot {line.lot}) is "
            f"{fmt_number(line.deviation_percent, places=2)}% from the theoretical {line.theoretical_text}; "
            f"limit ±{fmt_number(tolerance_percent)}%."
        )
    return None
