"""Batch quantities: batch volume, amounts to weigh corrected for form and potency, q.s., yield."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from labelapp.calc.format import fmt_measured, fmt_number, fmt_qty
from labelapp.calc.solution import Solute, mg_per_ml
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


def weigh_line(
    s: Solute, lot: ComponentLot | None, supplied: Ingredient, volume_ml: Decimal, tolerance_percent: Decimal
) -> WeighLine:
    """grams = mg/mL x mL / 1000 x (MW supplied / MW formula form) / (potency / 100)."""
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
        dev = (lot.actual_amount_g - grams) / grams * 100
        line = line.model_copy(
            update={
                "actual_g": lot.actual_amount_g,
                "deviation_percent": dev,
                "within_tolerance": abs(dev) <= tolerance_percent,
            }
        )
    return line


def deviation_warning(line: WeighLine, tolerance_percent: Decimal) -> str | None:
    if line.within_tolerance is False:
        # weigh_line sets within_tolerance together with actual_g and deviation_percent
        assert line.actual_g is not None and line.deviation_percent is not None
        return (
            f"Weighed {fmt_qty(line.actual_g, 'g')} of {line.supplied_form} (lot {line.lot}) is "
            f"{fmt_number(line.deviation_percent, places=2)}% from the theoretical {line.theoretical_text}; "
            f"limit ±{fmt_number(tolerance_percent)}%."
        )
    return None
