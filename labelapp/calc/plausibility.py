"""Plausibility limits whose breach a pharmacist must acknowledge before labels print (docs/domain.md §4.8).

- A component above its ingredient's maximum concentration (solubility, or the highest approved
  concentration, with the source in the ingredient reference).
- A component lot whose CoA potency (% as is) lies outside ``calc.potency_range_percent``.
- An osmolarity above ``calc.osmolarity_ceiling`` (0: no ceiling).

The calculation only finds them; the register records the pharmacist's e-signed acknowledgement and
holds printing until every item of ``BatchComputation.acknowledgements_required`` has one.
"""

from __future__ import annotations

from decimal import Decimal

from labelapp.calc.format import fmt_number
from labelapp.domain.batch import ComponentLot
from labelapp.domain.ingredient import Ingredient
from labelapp.domain.results import ComponentResult, Plausibility, SolutionComputation
from labelapp.domain.settings import DEFAULT_OSMOLARITY_CEILING, CalcSettings

CONFIRM = "A pharmacist must confirm it before labels are printed."


def _concentration(c: ComponentResult, ing: Ingredient) -> Plausibility | None:
    if c.unit == "units":
        value, limit, unit = c.amount_per_ml, ing.max_concentration_units_per_ml, "units/mL"
    else:
        value, limit, unit = c.mg_per_ml, ing.max_concentration_mg_per_ml, "mg/mL"
    if value is None or limit is None or value <= limit:
        return None
    source = ing.max_concentration_source or "ingredient reference"
    return Plausibility(
        code=f"concentration-above-ceiling:{ing.name}",
        kind="concentration-above-ceiling",
        component=ing.name,
        value=value,
        limit=limit,
        unit=unit,
        source=source,
        message=(
            f"{c.label_name} {fmt_number(value)} {unit} is above the maximum concentration of "
            f"{fmt_number(limit)} {unit} for {ing.name} (source: {source}). Check the amount and the unit. "
            f"{CONFIRM}"
        ),
    )


def _potency(lot: ComponentLot, ing: Ingredient, settings: CalcSettings) -> Plausibility | None:
    rng = settings.potency_range_percent
    p = lot.potency_percent
    if rng.min_percent <= p <= rng.max_percent:
        return None
    side, limit = ("below", rng.min_percent) if p < rng.min_percent else ("above", rng.max_percent)
    source = "facility setting calc.potency_range_percent"
    return Plausibility(
        code=f"potency-outside-range:{ing.name}",
        kind="potency-outside-range",
        component=ing.name,
        lot=lot.lot,
        value=p,
        limit=limit,
        unit="%",
        source=source,
        message=(
            f"Lot {lot.lot} of {ing.name} has a CoA potency of {fmt_number(p)}%, {side} the accepted range "
            f"{fmt_number(rng.min_percent)}–{fmt_number(rng.max_percent)}% ({source}). Check the certificate. "
            f"{CONFIRM}"
        ),
    )


def _osmolarity(sol: SolutionComputation, settings: CalcSettings) -> Plausibility | None:
    ceiling = settings.osmolarity_ceiling
    osm = Decimal(sol.osmolarity_mosmol_per_l)
    if ceiling == 0 or osm <= ceiling:
        return None
    source = "facility setting calc.osmolarity_ceiling"
    if ceiling == DEFAULT_OSMOLARITY_CEILING:
        source += (
            " (default: above every approved injection in the ingredient reference; the highest, ammonium "
            "chloride 5 mEq/mL, is labeled 10 mOsmol/mL (calc.), docs/domain.md §4.8)"
        )
    return Plausibility(
        code="osmolarity-above-ceiling",
        kind="osmolarity-above-ceiling",
        component=None,
        value=osm,
        limit=ceiling,
        unit="mOsmol/L",
        source=source,
        message=(
            f"Osmolarity {fmt_number(osm)} mOsmol/L (calc) is above the ceiling of {fmt_number(ceiling)} "
            f"mOsmol/L ({source}). Check the amounts and units. {CONFIRM}"
        ),
    )


def acknowledgements_required(
    sol: SolutionComputation,
    ingredients: dict[str, Ingredient],
    lots: list[tuple[ComponentLot, Ingredient]],
    settings: CalcSettings,
) -> list[Plausibility]:
    """Every plausibility finding: concentrations (component order), potencies (lot order), osmolarity.

    ``lots`` pairs each component lot with its formula ingredient; lots of an ingredient dosed in USP
    units state no percent potency and are not checked here."""
    found: list[Plausibility | None] = [_concentration(c, ingredients[c.ingredient]) for c in sol.components]
    found += [_potency(lot, ing, settings) for lot, ing in lots if ing.default_basis != "units"]
    found.append(_osmolarity(sol, settings))
    return [p for p in found if p is not None]
