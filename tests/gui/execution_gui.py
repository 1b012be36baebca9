"""Shared data and steps for the GUI tests of the formula editor and batch execution.

The glycine master record and its clean run come from ``tests/store/execution_helpers.py`` (one source of
the data for the register tests and these), with the GUI's people: Alex records, Sam and Pia are
pharmacists, Quinn is QA.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1] / "store"))

from execution_helpers import MASTER_RECORD  # noqa: E402
from gui_helpers import GLYCINE, PASSWORDS  # noqa: E402

from labelapp.domain.batch import BatchFile  # noqa: E402
from labelapp.domain.formula import Formula  # noqa: E402
from labelapp.domain.records import BatchRecord, FormulaRecord  # noqa: E402
from labelapp.services import rendering  # noqa: E402
from labelapp.services.calculate import load_batch_file  # noqa: E402
from labelapp.services.register import Register  # noqa: E402

__all__ = ["MASTER_RECORD", "PASSWORDS"]

LOTS = (  # the example batch's component lots, as received and released
    ("glycine", "GLY24117", "Example Chemical Co.", date(2028, 9, 30), "00614141999965"),
    ("water for injection", "WFI-2611-07", "Example Water Systems", date(2027, 5, 31), None),
)


def formula_with_master_record(version: int = 1) -> Formula:
    example = load_batch_file(GLYCINE).formula.model_dump(mode="json")
    example["version"] = version
    example["master_record"] = MASTER_RECORD
    return Formula.model_validate(example)


def approve_glycine_with_master_record(register: Register, people: dict[str, Any]) -> FormulaRecord:
    """The example facility, and the glycine formula with its master record: added by Sam, approved by Pia."""
    example = load_batch_file(GLYCINE)
    register.settings.set_facility(example.facility, people["admin"])
    formula = formula_with_master_record()
    register.formulas.add(formula, people["sam"])
    return register.formulas.approve(formula.id, str(formula.version), "pia", PASSWORDS["pia"])


def new_batch(register: Register, people: dict[str, Any], units: int = 100) -> BatchRecord:
    example = load_batch_file(GLYCINE)
    data = example.model_dump(mode="json")
    data["formula"] = formula_with_master_record().model_dump(mode="json")
    data["batch"]["lot_number"] = None
    data["batch"]["units"] = units
    return register.batches.new(BatchFile.model_validate(data), people["alex"])


def receive_and_release(register: Register, people: dict[str, Any]) -> None:
    for ingredient, lot, manufacturer, expiry, gtin in LOTS:
        material = register.execution.receive_material(
            ingredient=ingredient, lot=lot, manufacturer=manufacturer, expiry=expiry, user=people["alex"], gtin=gtin
        )
        register.execution.release_material(material.id, "quinn", PASSWORDS["quinn"])


def theoretical_glycine_g(register: Register, batch_id: int) -> Any:
    comp = rendering.registered_batch(register, batch_id).computation
    return next(line.theoretical_g for line in comp.amounts if line.component == "glycine")
