"""The seam between the domain's JSON documents (formulas, batch files) and the register's columns.

The register keeps a formula version or a batch file whole, as canonical JSON, and breaks out only
the columns it needs to find and lock records. Everything the register needs to know about the
shape of the domain models is here; the PDFs a batch prints are in ``services.rendering``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pydantic import BaseModel

from labelapp.domain.batch import BatchFile
from labelapp.domain.errors import RuleViolation, validated
from labelapp.domain.formula import Formula
from labelapp.domain.ingredient import Ingredient
from labelapp.domain.records import IngredientRecord
from labelapp.domain.reference import IngredientTable
from labelapp.domain.settings import CalcSettings
from labelapp.services.calculate import calculate, reference_table_copy
from labelapp.store.canonical import model_document


def formula_key(formula: Formula) -> tuple[str, str, str]:
    """(code, version, product name) of a formula version."""
    return formula.id, str(formula.version), formula.established_name


def batch_from_document(document: str) -> BatchFile:
    return BatchFile.model_validate_json(document)


def check_new_batch_file(batch_file: BatchFile) -> None:
    batch = batch_file.batch
    if batch.formula_id != batch_file.formula.id or batch.formula_version != batch_file.formula.version:
        raise RuleViolation(
            f"batch.formula_id/formula_version ({batch.formula_id} v{batch.formula_version}) "
            f"do not match the formula in the file ({batch_file.formula.id} "
            f"v{batch_file.formula.version})"
        )
    if batch.lot_number:
        raise RuleViolation(
            f"batch.lot_number is {batch.lot_number!r}: the register allocates lot numbers; leave it empty"
        )


def lot_day(batch_file: BatchFile) -> date:
    return batch_file.batch.compounding_date


def with_lot(batch_file: BatchFile, lot: str) -> BatchFile:
    """The batch file with its allocated lot number, validated again as a whole."""
    data = json.loads(batch_file.model_dump_json())
    data["batch"]["lot_number"] = lot
    return validated(BatchFile, data, source="batch file")


def ingredient_table(records: list[IngredientRecord]) -> IngredientTable:
    """The reference table plus the facility's own ingredients (a name may not shadow another)."""
    table = reference_table_copy()
    for record in records:
        if record.source == "facility":
            table.add(Ingredient.model_validate_json(record.document))
    return table


def checked_ingredient(document: BaseModel | dict[str, Any], records: list[IngredientRecord]) -> Ingredient:
    """A facility ingredient validated as such, and not clashing with any known name or synonym."""
    data = document.model_dump() if isinstance(document, BaseModel) else document
    ingredient = validated(Ingredient, data, source="ingredient")
    ingredient_table(records).add(ingredient)  # refuses a name or synonym already taken, naming it
    return ingredient


def computed(batch_file: BatchFile, settings: CalcSettings, ingredients: IngredientTable) -> tuple[str, date]:
    """(canonical JSON of the calculation, expiration date) with the calculation settings in force and
    the register's ingredient table. Raises the calculator's LabelappError."""
    result = calculate(batch_file, settings, ingredients=ingredients)
    return model_document(result), result.expiration_date


def batch_index(batch_file: BatchFile) -> dict[str, Any]:
    return {
        "product_name": batch_file.formula.established_name[:200],
        "compounded_on": batch_file.batch.compounding_date,
    }
