"""The seam between the domain documents (labelapp.domain) and the register's stored columns.

The register keeps a formula or batch file whole, as canonical JSON, and breaks out only the
columns it needs to find and lock records. Everything the register needs to know about the
shape of the domain models is in this module.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from labelapp.domain.batch import BatchFile
from labelapp.domain.errors import InputError, issues_from_validation
from labelapp.domain.formula import Formula
from labelapp.store.canonical import canonical_json, model_document
from labelapp.store.errors import RuleViolation


def loads(document: str) -> Any:
    return json.loads(document)


def canonical(data: Any) -> str:
    return canonical_json(data)


def formula_key(formula: Formula) -> tuple[str, str, str]:
    """(code, version, product name) of a formula version."""
    return formula.id, str(formula.version), formula.established_name


def formula_from_document(document: str) -> Formula:
    return Formula.model_validate_json(document)


def batch_from_document(document: str) -> BatchFile:
    return BatchFile.model_validate_json(document)


def check_batch_file(batch_file: BatchFile) -> None:
    batch = batch_file.batch
    if batch.formula_id != batch_file.formula.id or batch.formula_version != batch_file.formula.version:
        raise RuleViolation(f"batch.formula_id/formula_version ({batch.formula_id} v{batch.formula_version}) "
                            f"do not match the formula in the file ({batch_file.formula.id} "
                            f"v{batch_file.formula.version})")
    if batch.lot_number:
        raise RuleViolation(f"batch.lot_number is {batch.lot_number!r}: the register allocates lot numbers; "
                            "leave it empty")


def lot_day(batch_file: BatchFile) -> date:
    return batch_file.batch.compounding_date


def with_lot(batch_file: BatchFile, lot: str) -> BatchFile:
    """The batch file with its allocated lot number, validated again as a whole."""
    data = json.loads(batch_file.model_dump_json())
    data["batch"]["lot_number"] = lot
    try:
        return BatchFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(issues_from_validation(exc), source="batch file") from None


def ingredient_table(records: list[Any]) -> Any:
    """The reference table plus the facility's own ingredients (a name may not shadow another)."""
    from labelapp.domain.ingredient import Ingredient
    from labelapp.services.calculate import ingredient_table as reference_copy

    table = reference_copy()
    for record in records:
        if record.source == "facility":
            table.add(Ingredient.model_validate_json(record.document))
    return table


def checked_ingredient(document: BaseModel | dict, records: list[Any]) -> Any:
    """A facility ingredient validated as such, and not clashing with any known name or synonym."""
    from labelapp.domain.ingredient import Ingredient

    try:
        ingredient = Ingredient.model_validate(document.model_dump() if isinstance(document, BaseModel) else document)
    except ValidationError as exc:
        raise InputError(issues_from_validation(exc), source="ingredient") from None
    ingredient_table(records).add(ingredient)  # refuses a name or synonym already taken, naming it
    return ingredient


def computed(batch_file: BatchFile, settings: Any = None, ingredients: Any = None) -> tuple[str | None, date | None]:
    """(canonical JSON of the calculation, expiration date) with the calculation settings in force and
    the register's ingredient table. Raises the calculator's LabelappError."""
    from labelapp.services.calculate import calculate

    result = calculate(batch_file, settings, ingredients=ingredients)
    expiration = getattr(result, "expiration_date", None)
    return model_document(result), expiration


def batch_index(batch_file: BatchFile) -> dict[str, Any]:
    return {"product_name": batch_file.formula.established_name[:200],
            "compounded_on": batch_file.batch.compounding_date}


def as_model(value: BaseModel | dict) -> str:
    return model_document(value) if isinstance(value, BaseModel) else canonical_json(value)
