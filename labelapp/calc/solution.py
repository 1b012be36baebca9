"""Per-mL quantities of a solution: mg/mL, % w/v, mmol/L, mEq/mL, osmolarity and tonicity.

mOsmol/L = g/L / MW x particles x 1000 (USP ideal osmolarity), summed over the solutes. An amount in
USP units (heparin, oxytocin, insulin) has no mass, mEq or osmolarity of its own: the vehicle and the
other solutes give the osmolarity (docs/domain.md §2.2, §4.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from labelapp.calc.format import fmt_amount, fmt_number, round_places, round_sig
from labelapp.domain.ingredient import Ingredient
from labelapp.domain.results import ComponentResult, SolutionComputation, Tonicity, Working
from labelapp.domain.settings import TonicityThresholds

TO_MG = {"g": Decimal(1000), "mg": Decimal(1), "mcg": Decimal("0.001")}


@dataclass(frozen=True)
class Solute:
    """One component of a solution: the ingredient, its amount per mL and how it is named."""

    ingredient: Ingredient
    amount_per_ml: Decimal | None
    unit: str = "mg"
    role: str = "active"
    label_name: str | None = None
    grade: str = "USP"


def in_units(s: Solute) -> bool:
    """An amount in USP units (only for an ingredient of kind units)."""
    return s.unit == "units"


def mg_per_ml(s: Solute) -> Decimal | None:
    """mg in 1 mL; None for the vehicle (q.s.) and for an amount in USP units, which has no mass here."""
    if s.amount_per_ml is None or in_units(s):
        return None
    return s.amount_per_ml * TO_MG[s.unit]


def mmol_per_l(mg_ml: Decimal, mw: Decimal) -> Decimal:
    """mg/mL is g/L; g/L / (g/mol) = mol/L; x 1000 = mmol/L."""
    return mg_ml / mw * 1000


def osmolarity(mg_ml: Decimal, ing: Ingredient) -> Decimal:
    return mmol_per_l(mg_ml, ing.formula_weight) * ing.particles


def meq_per_ml(mg_ml: Decimal, ing: Ingredient) -> dict[str, Decimal]:
    mmol_ml = mg_ml / ing.formula_weight
    return {ion.name: mmol_ml * ion.count * ion.valence for ion in ing.ions}


def species_mmol_per_ml(mg_ml: Decimal, ing: Ingredient) -> dict[str, Decimal]:
    mmol_ml = mg_ml / ing.formula_weight
    return {sp.name: mmol_ml * sp.count for sp in ing.mmol_of}


def _mmol_workings(mg_ml: Decimal, ing: Ingredient, mmol: dict[str, Decimal]) -> list[Working]:
    return [
        Working(
            label=f"{sp.name.capitalize()} from {ing.name}",
            expression=f"{fmt_number(mg_ml)} mg/mL ÷ {fmt_number(ing.formula_weight)} mg/mmol × {sp.count}",
            result=f"{fmt_number(mmol[sp.name], sig=3)} mmol/mL",
        )
        for sp in ing.mmol_of
    ]


def osmolarity_working(mg_ml: Decimal, ing: Ingredient, value: Decimal) -> Working:
    particles = "particle" if ing.particles == 1 else "particles"
    return Working(
        label=f"Osmolarity, {ing.name}",
        expression=(
            f"{fmt_number(mg_ml)} g/L ÷ {fmt_number(ing.formula_weight)} g/mol × {ing.particles} {particles} × 1000"
        ),
        result=f"{fmt_number(value, places=1)} mOsmol/L",
    )


def _meq_workings(mg_ml: Decimal, ing: Ingredient, meq: dict[str, Decimal]) -> list[Working]:
    out = []
    for ion in ing.ions:
        out.append(
            Working(
                label=f"{ion.name.capitalize()} from {ing.name}",
                expression=(
                    f"{fmt_number(mg_ml)} mg/mL ÷ {fmt_number(ing.formula_weight)} mg/mmol × {ion.count} × "
                    f"valence {ion.valence}"
                ),
                result=f"{fmt_number(meq[ion.name], sig=3)} mEq/mL",
            )
        )
    return out


def label_name(s: Solute) -> str:
    return s.label_name or s.ingredient.name


def units_component_result(s: Solute, amount: Decimal) -> ComponentResult:
    """An amount in USP units: per-mL units only; no mass, mEq, mmol or osmolarity of its own."""
    ing = s.ingredient
    return ComponentResult(
        ingredient=ing.name,
        label_name=label_name(s),
        role=s.role,
        grade=s.grade,
        mw=ing.mw,
        particles=ing.particles,
        amount_per_ml=amount,
        unit="units",
        mg_per_ml=None,
        percent_w_v=None,
        mmol_per_l=None,
        osmolarity_mosmol_per_l=None,
        per_ml_text=fmt_amount(amount, "units", per_ml=True),
        label_text=f"{label_name(s)} {fmt_amount(amount, 'units')}",
        workings=[
            Working(
                label=f"Osmolarity, {ing.name}",
                expression="dosed in USP units: adds no osmolarity of its own (0 particles); the vehicle "
                "and the other solutes do",
                result="0 mOsmol/L",
            )
        ],
    )


def component_result(s: Solute) -> ComponentResult:
    ing = s.ingredient
    if in_units(s) and s.amount_per_ml is not None:
        return units_component_result(s, s.amount_per_ml)
    mg_ml, amount = mg_per_ml(s), s.amount_per_ml  # both None (q.s.) or both set
    if mg_ml is None or amount is None or ing.solvent:
        return ComponentResult(
            ingredient=ing.name,
            label_name=label_name(s),
            role=s.role,
            grade=s.grade,
            mw=ing.mw,
            particles=ing.particles,
            amount_per_ml=None,
            unit=s.unit,
            mg_per_ml=None,
            percent_w_v=None,
            mmol_per_l=None,
            osmolarity_mosmol_per_l=None,
            label_text=f"{label_name(s)} q.s.",
        )
    osm = osmolarity(mg_ml, ing)
    meq = meq_per_ml(mg_ml, ing)
    species = species_mmol_per_ml(mg_ml, ing)
    mmol = mmol_per_l(mg_ml, ing.formula_weight)
    per_ml = fmt_amount(amount, s.unit, per_ml=True)
    workings = [
        Working(
            label=f"Concentration, {ing.name}",
            expression=f"{fmt_number(mg_ml)} mg/mL ÷ 10",
            result=f"{fmt_number(mg_ml / 10, sig=4)}% w/v",
        ),
        Working(
            label=f"Molarity, {ing.name}",
            expression=f"{fmt_number(mg_ml)} g/L ÷ {fmt_number(ing.formula_weight)} g/mol × 1000",
            result=f"{fmt_number(mmol, places=1)} mmol/L",
        ),
        osmolarity_working(mg_ml, ing, osm),
        *_meq_workings(mg_ml, ing, meq),
        *_mmol_workings(mg_ml, ing, species),
    ]
    return ComponentResult(
        ingredient=ing.name,
        label_name=label_name(s),
        role=s.role,
        grade=s.grade,
        mw=ing.formula_weight,
        particles=ing.particles,
        amount_per_ml=amount,
        unit=s.unit,
        mg_per_ml=mg_ml,
        percent_w_v=mg_ml / 10,
        mmol_per_l=mmol,
        osmolarity_mosmol_per_l=osm,
        meq_per_ml=meq,
        mmol_per_ml=species,
        per_ml_text=per_ml,
        label_text=f"{label_name(s)} {fmt_amount(amount, s.unit)}",
        workings=workings,
    )


def classify_tonicity(osm: Decimal, t: TonicityThresholds) -> Tonicity:
    value = f"{fmt_number(osm, places=0)} mOsmol/L"
    if osm < t.hypotonic_below:
        return Tonicity(
            category="hypotonic",
            warnings=[f"Hypotonic ({value} < {fmt_number(t.hypotonic_below)}): hemolysis risk if given IV undiluted."],
        )
    if osm < t.hypertonic_from:
        return Tonicity(category="iso-osmotic")
    warnings = [f"Hypertonic ({value} ≥ {fmt_number(t.hypertonic_from)})."]
    if osm > t.central_line_above:
        warnings.append(f"Exceeds {fmt_number(t.central_line_above)} mOsmol/L: central venous administration.")
    elif osm > t.peripheral_caution_above:
        warnings.append(
            f"Exceeds {fmt_number(t.peripheral_caution_above)} mOsmol/L: INS advises against "
            "short peripheral catheters."
        )
    return Tonicity(category="hypertonic", warnings=warnings)


def sum_per_ml(components: list[ComponentResult], attr: str) -> dict[str, Decimal]:
    """Totals by name over the components: attr is 'meq_per_ml' (ions) or 'mmol_per_ml' (species)."""
    total: dict[str, Decimal] = {}
    for c in components:
        for ion, v in getattr(c, attr).items():
            total[ion] = total.get(ion, Decimal(0)) + v
    return dict(sorted(total.items()))


def total_osmolarity_working(components: list[ComponentResult], total: Decimal) -> Working:
    parts = [(c, c.osmolarity_mosmol_per_l) for c in components if c.osmolarity_mosmol_per_l is not None]
    if len(parts) == 1:
        c = parts[0][0]
        assert c.mg_per_ml is not None and c.mw is not None, "component_result sets mg/mL and MW with osmolarity"
        p = "particle" if c.particles == 1 else "particles"
        expr = f"{fmt_number(c.mg_per_ml)} g/L ÷ {fmt_number(c.mw)} g/mol × {c.particles} {p} × 1000"
    else:
        expr = " + ".join(f"{fmt_number(osm, places=1)} ({c.ingredient})" for c, osm in parts)
    return Working(
        label="Osmolarity (calc)",
        expression=expr or "no solutes",
        result=f"{fmt_number(total, places=0)} mOsmol/L (calc)",
    )


def solve(solutes: list[Solute], thresholds: TonicityThresholds) -> SolutionComputation:
    components = [component_result(s) for s in solutes]
    total = sum((c.osmolarity_mosmol_per_l or Decimal(0) for c in components), Decimal(0))
    rounded = int(round_places(total, 0))
    meq = sum_per_ml(components, "meq_per_ml")
    species = sum_per_ml(components, "mmol_per_ml")
    return SolutionComputation(
        components=components,
        osmolarity_exact=total,
        osmolarity_mosmol_per_l=rounded,
        osmolarity_text=f"{fmt_number(rounded)} mOsmol/L (calc)",
        osmolarity_working=total_osmolarity_working(components, total),
        tonicity=classify_tonicity(Decimal(rounded), thresholds),  # the class matches the printed number
        meq_per_ml=meq,
        meq_text="; ".join(f"{ion} {fmt_number(v, sig=3)} mEq/mL" for ion, v in meq.items()),
        mmol_per_ml=species,
        mmol_text="; ".join(f"{name} {fmt_number(v, sig=3)} mmol/mL" for name, v in species.items()),
    )


def meq_rounded(meq: dict[str, Decimal], sig: int = 4) -> dict[str, Decimal]:
    return {k: round_sig(v, sig) for k, v in meq.items()}
