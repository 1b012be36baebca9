"""The label's strength statement: which expression leads for each active, and its lines (docs/domain.md §2.1, §2.2).

Each active leads by its basis: the formula's ``strength_basis`` if set, else the ingredient's
(``Ingredient.default_basis``: the reference table's ``strength_basis``, else its kind's default).

- mass: "1,500 mg per 30 mL (50 mg/mL)"; 1,000 mcg or more in mg (§2.3).
- meq: "20 mEq per 10 mL (2 mEq/mL)", the mEq of the salt's cation, which is the first ion of the
  ingredient entry (the reference table lists the cation first; a test holds it to that). For a salt
  whose ions are all counted this equals the anion's mEq, so the figure is the salt's mEq, as commercial
  labels print it (Hospira potassium chloride "20 mEq/10 mL (2 mEq/mL)"). The salt's weight follows in
  smaller type ("potassium chloride 1,490 mg per 10 mL"): the USP monograph for Potassium Chloride for
  Injection Concentrate asks for the content "in terms of weight and of milliequivalents".
- mmol: the phosphate actives together: "phosphorus 45 mmol per 15 mL (3 mmol/mL)", then the mEq of
  their cations, "sodium 60 mEq per 15 mL (4 mEq/mL)" (Fresenius Sodium Phosphates Injection
  "3 mM phosphorus/mL, 4 mEq sodium/mL").
- units: "30 units per 500 mL (0.06 units/mL)", USP units written out (ISMP; USP heparin labeling).

With more than one line, each line starts with what it states (the active's name, or the species or
ion), so no amount stands unnamed. mEq and mmol are printed to 3 significant figures (§2.3).
"""

from __future__ import annotations

from decimal import Decimal

from labelapp.calc.format import fmt_amount, fmt_number, fmt_qty, label_amount, mass_per_volume_text
from labelapp.domain.formula import ComponentRole, FormulaComponent
from labelapp.domain.ingredient import Ingredient, IngredientKind, StrengthBasis
from labelapp.domain.results import ComponentResult, StrengthChoice, StrengthLine, Working

SIG = 3  # mEq and mmol on labels: 3 significant figures (docs/domain.md §2.3)
BASIS_WORDS: dict[StrengthBasis, str] = {"mass": "mass", "meq": "mEq", "mmol": "mmol", "units": "USP units"}

# Ions a strength in mEq may be stated of. The reference table lists a salt's cation first; an entry whose
# first ion is not one of these (cysteine hydrochloride: chloride only) cannot lead in mEq.
CATIONS = frozenset(
    {
        "aluminum",
        "ammonium",
        "calcium",
        "chromium",
        "copper",
        "iron",
        "lithium",
        "magnesium",
        "manganese",
        "potassium",
        "sodium",
        "zinc",
    }
)


def _is(ing: Ingredient) -> str:
    """'is an electrolyte', 'is a phosphate', 'is dosed in USP units'."""
    if ing.kind is IngredientKind.UNITS:
        return "is dosed in USP units"
    word = ing.kind.value
    return f"is an {word}" if word[:1] in "aeiou" else f"is a {word}"


def basis_of(comp: FormulaComponent, ing: Ingredient) -> StrengthBasis:
    """The expression an active's strength leads with."""
    basis = comp.strength_basis or ing.default_basis
    assert basis is not None, f"{ing.name} is the solvent; an active never is"
    return basis


def basis_problem(comp: FormulaComponent, ing: Ingredient) -> str | None:
    """Why this active cannot lead with its basis (a formula setting, or the ingredient's default), or None."""
    if comp.role is not ComponentRole.ACTIVE or ing.solvent:
        return None
    basis = basis_of(comp, ing)
    where = "strength_basis" if comp.strength_basis else "ingredient"
    if basis == "units" and ing.kind is not IngredientKind.UNITS:
        return f"{where}: {ing.name} {_is(ing)}, not dosed in USP units; it cannot lead in units"
    if basis != "units" and ing.kind is IngredientKind.UNITS:
        return f"{where}: {ing.name} is dosed in USP units; its strength leads in units, not {basis}"
    if basis == "meq":
        if not ing.ions:
            return f"{where}: {ing.name} has no ions, so its strength cannot lead in mEq"
        if ing.ions[0].name not in CATIONS:
            return (
                f"{where}: {ing.name} would lead in mEq of {ing.ions[0].name}, which is not a cation; "
                "give the component strength_basis: mass"
            )
    if basis == "mmol" and not ing.mmol_of:
        return f"{where}: {ing.name} has no species dosed in mmol (mmol_of), so its strength cannot lead in mmol"
    return None


def strength_choice(comp: FormulaComponent, ing: Ingredient) -> StrengthChoice:
    """'strength stated in mEq: potassium chloride is an electrolyte (ingredient kind); formula setting: —'."""
    basis = basis_of(comp, ing)
    kind = ing.kind.value
    default = ing.default_basis
    if comp.strength_basis is not None:
        why = f"set in the master formula ({ing.name} {_is(ing)}"
        why += f", which leads in {BASIS_WORDS[default]} by default)" if default else ")"
    elif ing.strength_basis is not None:
        why = (
            f"{ing.name} {_is(ing)}, and the ingredient reference states its strength in "
            f"{BASIS_WORDS[ing.strength_basis]}, as its commercial labels do"
        )
    else:
        why = f"{ing.name} {_is(ing)} (ingredient kind)"
    return StrengthChoice(
        component=ing.name,
        basis=basis,
        kind=kind,
        formula_setting=comp.strength_basis,
        reason=f"strength stated in {BASIS_WORDS[basis]}: {why}; formula setting: {comp.strength_basis or '—'}",
    )


def _per(volume_ml: Decimal) -> str:
    return f"per {fmt_qty(volume_ml, 'mL')}"


def _amount_line(c: ComponentResult, basis: StrengthBasis, vol: Decimal) -> StrengthLine:
    assert c.amount_per_ml is not None, f"active {c.ingredient} has no amount per mL"
    return StrengthLine(
        basis=basis,
        components=[c.ingredient],
        subject=c.label_name,
        total_text=mass_per_volume_text(c.amount_per_ml * vol, c.unit, vol),
        per_ml_text=c.per_ml_text,
    )


def _meq_line(c: ComponentResult, ing: Ingredient, vol: Decimal) -> StrengthLine:
    assert c.amount_per_ml is not None, f"active {c.ingredient} has no amount per mL"
    ion = ing.ions[0].name
    per_ml = c.meq_per_ml[ion]
    return StrengthLine(
        basis="meq",
        components=[c.ingredient],
        subject=c.label_name,
        total_text=f"{fmt_number(per_ml * vol, sig=SIG)} mEq {_per(vol)}",
        per_ml_text=f"{fmt_number(per_ml, sig=SIG)} mEq/mL",
        secondary_text=f"{c.label_name} {mass_per_volume_text(c.amount_per_ml * vol, c.unit, vol)}",
    )


def _summed(group: list[ComponentResult], attr: str) -> dict[str, Decimal]:
    """Totals by name in order of first appearance (the phosphate's species, then its cations)."""
    total: dict[str, Decimal] = {}
    for c in group:
        for name, v in getattr(c, attr).items():
            total[name] = total.get(name, Decimal(0)) + v
    return total


def _mmol_lines(group: list[ComponentResult], vol: Decimal) -> list[StrengthLine]:
    names = [c.ingredient for c in group]
    lines = [
        StrengthLine(
            basis="mmol",
            components=names,
            subject=species,
            total_text=f"{species} {fmt_number(v * vol, sig=SIG)} mmol {_per(vol)}",
            per_ml_text=f"{fmt_number(v, sig=SIG)} mmol/mL",
        )
        for species, v in _summed(group, "mmol_per_ml").items()
    ]
    lines += [
        StrengthLine(
            basis="mmol",
            components=names,
            subject=ion,
            total_text=f"{ion} {fmt_number(v * vol, sig=SIG)} mEq {_per(vol)}",
            per_ml_text=f"{fmt_number(v, sig=SIG)} mEq/mL",
        )
        for ion, v in _summed(group, "meq_per_ml").items()
    ]
    return lines


def strength_statements(
    comps: list[ComponentResult], bases: dict[str, StrengthBasis], ingredients: dict[str, Ingredient], vol: Decimal
) -> list[StrengthLine]:
    """The label's strength lines, in the formula's order of actives (the phosphates where the first one is)."""
    actives = [c for c in comps if c.role == ComponentRole.ACTIVE.value]
    lines: list[StrengthLine] = []
    phosphates = [c for c in actives if bases[c.ingredient] == "mmol"]
    for c in actives:
        basis = bases[c.ingredient]
        if basis == "mmol":
            if c is phosphates[0]:
                lines += _mmol_lines(phosphates, vol)
        elif basis == "meq":
            lines.append(_meq_line(c, ingredients[c.ingredient], vol))
        else:
            lines.append(_amount_line(c, basis, vol))
    if len(lines) > 1:  # name every line; species lines already start with theirs
        lines = [
            line
            if line.basis == "mmol"
            else line.model_copy(update={"total_text": f"{line.subject} {line.total_text}"})
            for line in lines
        ]
    return lines


def strength_workings(
    lines: list[StrengthLine], comps: list[ComponentResult], ingredients: dict[str, Ingredient], vol: Decimal
) -> list[Working]:
    """How each strength line's figures come from the per-mL values."""
    by_name = {c.ingredient: c for c in comps}
    per_vol = f"× {fmt_qty(vol, 'mL')}"
    out = []
    for line in lines:
        if line.basis == "mmol":
            attr, unit = ("mmol_per_ml", "mmol") if line.per_ml_text.endswith("mmol/mL") else ("meq_per_ml", "mEq")
            parts = [(by_name[n], getattr(by_name[n], attr).get(line.subject)) for n in line.components]
            terms = " + ".join(f"{fmt_number(v, sig=4)} ({c.ingredient})" for c, v in parts if v is not None)
            expr = f"{line.subject}: {terms} {unit}/mL, {per_vol}"
        elif line.basis == "meq":
            c = by_name[line.components[0]]
            ion = ingredients[c.ingredient].ions[0].name
            expr = f"{ion} (the cation) {fmt_number(c.meq_per_ml[ion], sig=4)} mEq/mL {per_vol}"
        else:
            c = by_name[line.components[0]]
            assert c.amount_per_ml is not None
            expr = f"{fmt_number(c.amount_per_ml)} {c.unit}/mL {per_vol}"
            shown = label_amount(c.amount_per_ml * vol, c.unit)[1]
            if shown != c.unit:
                expr += f"; {fmt_amount(c.amount_per_ml * vol, c.unit)} as 1,000 mcg or more is stated in mg"
        out.append(Working(label=f"Strength, {line.subject}", expression=expr, result=line.text))
    return out
