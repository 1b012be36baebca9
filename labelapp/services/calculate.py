"""Use cases: read batch, formula, facility and settings files; compute a batch or an ad-hoc solution."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from labelapp import resources
from labelapp.calc.batch import compute_batch
from labelapp.calc.solution import Solute, solve
from labelapp.domain.batch import BatchFile
from labelapp.domain.errors import FieldIssue, InputError, LabelappError, UnknownIngredientError, validated
from labelapp.domain.facility import Facility
from labelapp.domain.files import parse_json_text, read_data_file
from labelapp.domain.formula import Formula
from labelapp.domain.ingredient import Ingredient, IngredientKind
from labelapp.domain.reference import DatingRules, IngredientTable
from labelapp.domain.results import BatchComputation, SolutionComputation
from labelapp.domain.settings import CalcSettings


@cache
def reference_ingredients() -> IngredientTable:
    return IngredientTable.from_files(resources.templates_dir() / "ingredients" / "reference.yaml")


@cache
def reference_dating_rules() -> DatingRules:
    return DatingRules.from_files(*sorted((resources.templates_dir() / "dating").glob("*.yaml")))


def reference_table_copy() -> IngredientTable:
    """A table of its own (the cached reference is never handed out to be changed)."""
    return IngredientTable(reference_ingredients())


def ingredient_table(extra: list[Path] | None = None) -> IngredientTable:
    """The reference table, plus ingredient tables given on the command line (--ingredients)."""
    if not extra:
        return reference_table_copy()
    return IngredientTable.from_files(resources.templates_dir() / "ingredients" / "reference.yaml", *extra)


def parse_batch_data(data: object, source: str | None = None) -> BatchFile:
    if not isinstance(data, dict):
        raise InputError(
            [FieldIssue("", "a batch file must hold an object with facility, formula and batch")], source=source
        )
    return validated(BatchFile, data, source=source)


def load_batch_file(path: str | Path) -> BatchFile:
    return parse_batch_data(read_data_file(path), source=str(path))


def parse_formula_data(data: object, source: str | None = None) -> Formula:
    """A formula version from plain data: a formula, or a batch file holding one."""
    if isinstance(data, dict) and "formula" in data and "batch" in data:
        data = data["formula"]
    if not isinstance(data, dict):
        raise InputError([FieldIssue("", "a formula must be an object (id, version, components…)")], source=source)
    return validated(Formula, data, source=source)


def load_formula_file(path: str | Path) -> Formula:
    return parse_formula_data(read_data_file(path), source=str(path))


def parse_formula_text(text: str) -> Formula:
    """A formula typed or pasted as JSON (the formula page)."""
    return parse_formula_data(parse_json_text(text, "formula"))


def parse_facility_data(data: object, source: str | None = None, prefix: tuple[str | int, ...] = ()) -> Facility:
    """A facility from plain data: a facility, or a batch file holding one."""
    if isinstance(data, dict) and "facility" in data:
        data = data["facility"]
    return validated(Facility, data, source=source, prefix=prefix)


def load_facility_file(path: str | Path) -> Facility:
    return parse_facility_data(read_data_file(path), source=str(path))


def load_ingredient_data(path: str | Path) -> dict[str, Any]:
    """An ingredient document (name, mw, particles, ions...) for the register, from YAML or JSON."""
    data = read_data_file(path)
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise LabelappError(f"{path}: an ingredient needs at least name, mw and particles")
    return data


def load_settings(path: str | Path | None) -> CalcSettings:
    if path is None:
        return CalcSettings()
    return validated(CalcSettings, read_data_file(path) or {}, source=str(path))


def calculate(
    bf: BatchFile,
    settings: CalcSettings | None = None,
    *,
    lot_seq: int = 1,
    ingredients: IngredientTable | None = None,
    source: str | None = None,
) -> BatchComputation:
    try:
        return compute_batch(
            bf,
            ingredients or reference_ingredients(),
            reference_dating_rules(),
            settings or CalcSettings(),
            lot_seq=lot_seq,
        )
    except InputError as exc:
        exc.source = exc.source or source
        raise InputError(exc.issues, source=exc.source) from None


_SOLUTE = re.compile(r"^\s*(?P<name>[^=]+?)\s*=\s*(?P<amount>[-+0-9.,eE]+)\s*(?P<unit>.*?)\s*$")
UNITS_TO_MG_PER_ML = {
    "mg/ml": Decimal(1),
    "g/l": Decimal(1),
    "mcg/ml": Decimal("0.001"),
    "g/ml": Decimal(1000),
    "mg/l": Decimal("0.001"),
    "%": Decimal(10),
    "% w/v": Decimal(10),
    "g/100 ml": Decimal(10),
    "g/100ml": Decimal(10),
}
MOLAR_UNITS = {"meq/ml", "mmol/ml", "mmol/l"}
USP_UNITS = {"units/ml"}  # only for an ingredient dosed in USP units (docs/domain.md §2.2)


_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d*)?$")


def _amount(text: str, spec: str) -> Decimal:
    if "," in text and not _THOUSANDS.match(text):  # "1,5" is 1.5 to half the world, 15 to Python
        raise LabelappError(
            f"--solute {spec!r}: {text!r}: write the decimal point as '.', and commas only "
            "between groups of three digits (1,500)"
        )
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise LabelappError(f"--solute {spec!r}: {text!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise LabelappError(f"--solute {spec!r}: the amount must be greater than 0")
    if value > 2000 * 1000:
        raise LabelappError(f"--solute {spec!r}: {text} is not a plausible concentration")
    return value


def _mg_per_ml_from_molar(value: Decimal, unit: str, ing: Ingredient, spec: str) -> Decimal:
    if unit == "mmol/l":
        return value * ing.formula_weight / 1000
    if unit == "mmol/ml":
        return value * ing.formula_weight
    if not ing.ions:
        raise LabelappError(f"--solute {spec!r}: {ing.name} has no ions, so mEq does not apply")
    ion = ing.ions[0]
    return value / (ion.count * ion.valence) * ing.formula_weight


def parse_solute(spec: str, table: IngredientTable) -> Solute:
    """'potassium chloride=149 mg/mL' -> Solute(KCl, 149 mg per mL); 'oxytocin=0.06 units/mL' in USP units."""
    m = _SOLUTE.match(spec)
    if not m:
        raise LabelappError(f'--solute {spec!r}: write NAME=AMOUNT UNIT, e.g. "potassium chloride=149 mg/mL"')
    try:
        ing = table.get(m["name"])
    except UnknownIngredientError as exc:
        raise LabelappError(f"--solute {spec!r}: {exc}") from None
    if ing.solvent:
        raise LabelappError(f"--solute {spec!r}: {ing.name} is the vehicle, not a solute")
    value = _amount(m["amount"], spec)
    unit = " ".join(m["unit"].lower().split())
    dosed_in_units = ing.kind is IngredientKind.UNITS
    if unit in USP_UNITS or dosed_in_units:
        if not dosed_in_units:
            raise LabelappError(f"--solute {spec!r}: {ing.name} is not dosed in USP units; use a mass or molar unit")
        if unit not in USP_UNITS:
            raise LabelappError(f"--solute {spec!r}: {ing.name} is dosed in USP units: give units/mL")
        return Solute(ingredient=ing, amount_per_ml=value, unit="units", role="active")
    if unit in UNITS_TO_MG_PER_ML:
        mg_ml = value * UNITS_TO_MG_PER_ML[unit]
    elif unit in MOLAR_UNITS:
        mg_ml = _mg_per_ml_from_molar(value, unit, ing, spec)
    else:
        known = ", ".join([*UNITS_TO_MG_PER_ML, *sorted(MOLAR_UNITS), *sorted(USP_UNITS)])
        raise LabelappError(f"--solute {spec!r}: unit {m['unit']!r} not understood; use one of {known}")
    if mg_ml > 2000:
        raise LabelappError(f"--solute {spec!r}: {mg_ml.normalize():f} mg/mL is more than 2,000 mg/mL")
    return Solute(ingredient=ing, amount_per_ml=mg_ml, unit="mg", role="active")


def calculate_solution(
    specs: list[str], settings: CalcSettings | None = None, ingredients: IngredientTable | None = None
) -> SolutionComputation:
    table = ingredients or reference_ingredients()
    solutes = [parse_solute(s, table) for s in specs]
    names = [s.ingredient.name for s in solutes]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise LabelappError(f"--solute: {dupes[0]} given more than once")
    return solve(solutes, (settings or CalcSettings()).tonicity)
