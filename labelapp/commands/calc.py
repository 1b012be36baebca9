"""`labelapp calc` and `labelapp schema`."""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from labelapp.calc.format import fmt_number, round_sig
from labelapp.domain.batch import BatchFile
from labelapp.domain.errors import LabelappError
from labelapp.domain.ingredient import Ingredient
from labelapp.domain.results import BatchComputation, ComponentResult, SolutionComputation
from labelapp.services.calculate import calculate, calculate_solution, ingredient_table, load_batch_file, load_settings


def add_calc_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "calc",
        help="compute a batch file or an ad-hoc solution",
        description="Show the computed fields of a batch file, or of a solution given with "
        "--solute, with the working of each value.",
    )
    p.add_argument("file", nargs="?", help="batch file (.json or .yaml)")
    p.add_argument(
        "--solute",
        action="append",
        default=[],
        metavar='"NAME=AMOUNT UNIT"',
        help='e.g. --solute "potassium chloride=149 mg/mL" (repeatable)',
    )
    p.add_argument("--settings", help="calculation settings file (tonicity thresholds, day-0 rule, lot pattern)")
    p.add_argument(
        "--ingredients",
        action="append",
        default=[],
        metavar="FILE",
        help="extra ingredient table (YAML, same form as templates/ingredients/reference.yaml)",
    )
    p.add_argument("--json", action="store_true", help="print JSON with stable keys")
    p.set_defaults(func=run_calc)
    i = sub.add_parser("ingredients", help="list the ingredient reference, or show one by name or synonym")
    i.add_argument("name", nargs="?", help="name or synonym (case-insensitive)")
    i.add_argument("--ingredients", action="append", default=[], metavar="FILE", help="extra ingredient table")
    i.set_defaults(func=run_ingredients)
    s = sub.add_parser("schema", help="print the JSON Schema of a batch file")
    s.set_defaults(func=run_schema)


def _num(x: Decimal | None, sig: int = 6) -> float | None:
    return None if x is None else float(round_sig(x, sig))


def _component_json(c: ComponentResult) -> dict[str, Any]:
    return {
        "ingredient": c.ingredient,
        "label_name": c.label_name,
        "role": c.role,
        "mw_g_per_mol": _num(c.mw),
        "particles": c.particles,
        "amount_per_ml": _num(c.amount_per_ml),
        "unit": c.unit,
        "mg_per_ml": _num(c.mg_per_ml),
        "percent_w_v": _num(c.percent_w_v),
        "mmol_per_l": _num(c.mmol_per_l),
        "osmolarity_mosmol_per_l": _num(c.osmolarity_mosmol_per_l),
        "meq_per_ml": {k: _num(v, 4) for k, v in c.meq_per_ml.items()},
        "mmol_per_ml": {k: _num(v, 4) for k, v in c.mmol_per_ml.items()},
    }


def solution_json(r: SolutionComputation) -> dict[str, Any]:
    return {
        "osmolarity_mosmol_per_l": r.osmolarity_mosmol_per_l,
        "osmolarity_exact_mosmol_per_l": _num(r.osmolarity_exact),
        "osmolarity_text": r.osmolarity_text,
        "tonicity": r.tonicity.category,
        "tonicity_warnings": r.tonicity.warnings,
        "meq_per_ml": {k: _num(v, 4) for k, v in r.meq_per_ml.items()},
        "mmol_per_ml": {k: _num(v, 4) for k, v in r.mmol_per_ml.items()},
        "components": [_component_json(c) for c in r.components],
        "workings": [w.model_dump() for w in [r.osmolarity_working] + [w for c in r.components for w in c.workings]],
    }


def batch_json(r: BatchComputation) -> dict[str, Any]:
    out = solution_json(r)
    out.update(
        {
            "product_name": r.product_name,
            "strength_text": r.strength_text,
            "strength_per_ml_text": r.strength_per_ml_text,
            "strength_lines": r.strength_lines,
            "strength_secondary_text": r.strength_secondary_text,
            "strength_choices": [c.model_dump(mode="json") for c in r.strength_choices],
            "quantity_text": r.quantity_text,
            "package_text": r.package_text,
            "ingredients_text": r.ingredients_text,
            "lot_number": r.lot_number,
            "lot_provisional": r.lot_provisional,
            "compounded_date": r.compounded_date.isoformat(),
            "expiration_date": r.expiration_date.isoformat(),
            "expiration_text": r.expiration_text,
            "expiration_basis": r.expiry.basis,
            "expiration_rule": r.expiry.rule,
            "batch_volume_ml": _num(r.batch_volume_ml),
            "theoretical_yield_units": r.theoretical_yield_units,
            "label_count": r.label_count,
            "amounts_to_weigh": [
                {
                    "component": a.component,
                    "supplied_form": a.supplied_form,
                    "lot": a.lot,
                    "theoretical_g": _num(a.theoretical_g),
                    "theoretical_ml": _num(a.theoretical_ml),
                    "text": a.theoretical_text,
                    "actual_g": _num(a.actual_g),
                    "actual_ml": _num(a.actual_ml),
                    "within_tolerance": a.within_tolerance,
                }
                for a in r.amounts
            ],
            "warnings": r.warnings,
            "acknowledgements_required": [a.model_dump(mode="json") for a in r.acknowledgements_required],
            "workings": [w.model_dump() for w in r.workings],
        }
    )
    return out


def _table(rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def solution_text(r: SolutionComputation) -> str:
    rows = [("Osmolarity", r.osmolarity_text), ("Tonicity", r.tonicity.category)]
    if r.mmol_text:
        rows.append(("mmol", r.mmol_text))
    if r.meq_text:
        rows.append(("mEq", r.meq_text))
    for c in r.components:
        if c.unit == "units" and c.amount_per_ml is not None:
            rows.append((c.ingredient, f"{c.per_ml_text} (USP units: no osmolarity of its own)"))
        elif c.mg_per_ml is not None:
            rows.append(
                (
                    c.ingredient,
                    f"{fmt_number(c.mg_per_ml or 0, sig=6)} mg/mL, {fmt_number(c.percent_w_v or 0, sig=4)}% "
                    f"w/v, {fmt_number(c.mmol_per_l or 0, places=1)} mmol/L, "
                    f"{fmt_number(c.osmolarity_mosmol_per_l or 0, places=1)} mOsmol/L",
                )
            )
    lines = [_table(rows)]
    if r.tonicity.warnings:
        lines += ["", "Warnings:"] + [f"  - {w}" for w in r.tonicity.warnings]
    lines += ["", "Working:", f"  {r.osmolarity_working}"]
    lines += [f"  {w}" for c in r.components for w in c.workings]
    return "\n".join(lines)


def batch_text(r: BatchComputation) -> str:
    rows = [
        ("Product", r.product_name),
        ("Strength", r.strength_text),
    ]
    if r.strength_secondary_text:
        rows.append(("Salt weight", r.strength_secondary_text))
    rows += [(f"Strength basis, {c.component}", c.reason) for c in r.strength_choices]
    rows += [
        ("Package", r.package_text),
        ("Osmolarity", f"{r.osmolarity_text} [{r.tonicity.category}]"),
    ]
    if r.mmol_text:
        rows.append(("mmol", r.mmol_text))
    if r.meq_text:
        rows.append(("mEq", r.meq_text))
    rows += [
        ("Ingredients", r.ingredients_text),
        ("Lot", r.lot_number + ("  (provisional: the register allocates the final lot)" if r.lot_provisional else "")),
        ("Compounded", r.compounded_date.isoformat()),
        ("Expiry", r.expiration_text),
        ("Expiry basis", r.expiry.basis),
        ("Batch volume", r.batch_volume_text),
        ("Yield", f"{r.theoretical_yield_units} units theoretical (volume allows {r.max_fills} fills)"),
        ("Labels", f"{r.label_count} (units + specimens + retains)"),
    ]
    weigh = [(f"  {a.supplied_form}" + (f" lot {a.lot}" if a.lot else ""), a.theoretical_text) for a in r.amounts]
    lines = [_table(rows), "", "Amounts to weigh:", _table(weigh)]
    acknowledged = {a.message for a in r.acknowledgements_required}
    if r.acknowledgements_required:
        lines += ["", "Needs a pharmacist's acknowledgement before labels print:"]
        lines += [f"  - [{a.code}] {a.message}" for a in r.acknowledgements_required]
    cautions = [w for w in r.warnings if w not in acknowledged]
    if cautions:
        lines += ["", "Warnings:"] + [f"  - {w}" for w in cautions]
    lines += ["", "Working:"] + [f"  {w}" for w in r.workings]
    return "\n".join(lines)


def run_calc(args: argparse.Namespace) -> int:
    settings = load_settings(args.settings)
    table = ingredient_table([Path(p) for p in args.ingredients])
    if args.file and args.solute:
        raise LabelappError("calc: give either a batch FILE or --solute, not both")
    if args.file:
        batch = calculate(load_batch_file(args.file), settings, source=args.file, ingredients=table)
        print(json.dumps(batch_json(batch), indent=2, ensure_ascii=False) if args.json else batch_text(batch))
    elif args.solute:
        solution = calculate_solution(args.solute, settings, ingredients=table)
        print(
            json.dumps(solution_json(solution), indent=2, ensure_ascii=False) if args.json else solution_text(solution)
        )
    else:
        raise LabelappError('calc: give a batch FILE or at least one --solute "NAME=AMOUNT UNIT"')
    return 0


def run_schema(args: argparse.Namespace) -> int:
    print(json.dumps(BatchFile.model_json_schema(), indent=2, ensure_ascii=False))
    return 0


def _ingredient_text(ing: Ingredient) -> str:
    ions = ", ".join(f"{i.name} (valence {i.valence}, x{i.count})" for i in ing.ions) or "none counted"
    rows = [
        ("Name", ing.name),
        ("Synonyms", ", ".join(ing.synonyms) or "-"),
        ("Form", ing.form or "-"),
        ("MW", f"{fmt_number(ing.mw)} g/mol" if ing.mw is not None else "none: dosed in USP units"),
        ("Particles", str(ing.particles)),
        ("Ions", ions),
        ("Source", ing.source or "-"),
    ]
    return _table(rows)


def run_ingredients(args: argparse.Namespace) -> int:
    table = ingredient_table([Path(p) for p in args.ingredients])
    if args.name:
        print(_ingredient_text(table.get(args.name)))
        return 0
    rows = [
        (
            ing.name,
            (f"{fmt_number(ing.mw)} g/mol" if ing.mw is not None else "USP units")
            + f", {ing.particles} particle{'s' if ing.particles != 1 else ''}",
        )
        for ing in table
    ]
    print(_table(rows))
    return 0
