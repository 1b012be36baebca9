"""Batch form presenter: widget text -> batch file data, and service issues -> the widget they concern.

No Qt here, so it is tested without windows. The presenter holds no rules of its own: what is
valid is decided by ``labelapp.services.calculate`` (pydantic models and the calculator); the
presenter only carries text one way and ``FieldIssue`` paths the other way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from labelapp.domain.errors import FieldIssue

if TYPE_CHECKING:
    from labelapp.domain.batch import BatchFile
    from labelapp.domain.reference import IngredientTable
    from labelapp.domain.results import BatchComputation
    from labelapp.domain.settings import CalcSettings

# Scalar batch fields on the form: key == the path below "batch." == the widget key.
SCALAR_FIELDS = (
    "units",
    "allowance_percent",
    "compounded_at",
    "compounded_by",
    "verified_by",
    "patient_name",
    "order_number",
    "specimen_labels",
    "retain_labels",
)
OPTIONAL_FIELDS = frozenset({"verified_by", "patient_name", "order_number"})
FIELD_TITLES = {
    "units": "Units",
    "allowance_percent": "Allowance %",
    "compounded_at": "Compounded at",
    "compounded_by": "Compounded by",
    "verified_by": "Verified by",
    "patient_name": "Patient",
    "order_number": "Order number",
    "specimen_labels": "Specimen labels",
    "retain_labels": "Retain labels",
    "lot_number": "Lot number",
}

LOT_COLUMNS = ("component", "lot", "manufacturer", "expiry", "potency_percent", "supplied_form", "actual_amount_g")
LOT_TITLES = {
    "component": "Component",
    "lot": "Lot",
    "manufacturer": "Manufacturer",
    "expiry": "Expiry (YYYY-MM-DD)",
    "potency_percent": "Potency %",
    "supplied_form": "Supplied form",
    "actual_amount_g": "Weighed (g)",
}
OPTIONAL_LOT_COLUMNS = frozenset({"supplied_form", "actual_amount_g"})

_LOT_PATH = re.compile(r"^batch\.component_lots\[(\d+)\](?:\.(\w+))?")


@dataclass
class FormValues:
    """What the widgets hold, as typed (strings), plus the fixed context of the batch."""

    scalars: dict[str, str]
    lots: list[dict[str, str]]
    lot_number: str | None = None


@dataclass
class RoutedIssues:
    """Issues sorted by where they are shown."""

    fields: dict[str, list[str]] = field(default_factory=dict)  # widget key -> messages
    cells: dict[tuple[int, str], list[str]] = field(default_factory=dict)  # (row, column) -> messages
    lots: list[str] = field(default_factory=list)  # about the lots table
    general: list[str] = field(default_factory=list)  # formula, facility, other

    @property
    def empty(self) -> bool:
        return not (self.fields or self.cells or self.lots or self.general)

    def count(self) -> int:
        return (
            sum(map(len, self.fields.values()))
            + sum(map(len, self.cells.values()))
            + len(self.lots)
            + len(self.general)
        )


def _text(value: str | None) -> str:
    return (value or "").strip()


def batch_data(values: FormValues, formula: dict[str, Any]) -> dict[str, Any]:
    """The ``batch`` part of a batch file. Blank optional fields are left out; blank required
    fields are sent as None so the service reports them (never silently defaulted)."""
    data: dict[str, Any] = {"formula_id": formula.get("id"), "formula_version": formula.get("version")}
    if values.lot_number:
        data["lot_number"] = values.lot_number
    for key in SCALAR_FIELDS:
        text = _text(values.scalars.get(key))
        if text:
            data[key] = text
        elif key not in OPTIONAL_FIELDS:
            data[key] = None
    data["component_lots"] = [_lot_data(row) for row in values.lots]
    return data


def _lot_data(row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in LOT_COLUMNS:
        text = _text(row.get(key))
        if text:
            out[key] = text
        elif key not in OPTIONAL_LOT_COLUMNS:
            out[key] = None
    return out


def batch_file_data(values: FormValues, facility: dict[str, Any], formula: dict[str, Any]) -> dict[str, Any]:
    return {"schema_version": 1, "facility": facility, "formula": formula, "batch": batch_data(values, formula)}


def values_from_batch(batch: dict[str, Any]) -> FormValues:
    """Widget text for a stored batch (the inverse of ``batch_data``)."""
    scalars = {key: "" if batch.get(key) is None else str(batch[key]) for key in SCALAR_FIELDS}
    lots = [
        {key: "" if lot.get(key) is None else str(lot[key]) for key in LOT_COLUMNS}
        for lot in batch.get("component_lots", [])
    ]
    return FormValues(scalars=scalars, lots=lots, lot_number=batch.get("lot_number"))


def blank_lots(formula: dict[str, Any]) -> list[dict[str, str]]:
    """One row per formula component, potency pre-filled from the usual CoA value of 100%."""
    return [
        {
            "component": c.get("ingredient", ""),
            "lot": "",
            "manufacturer": "",
            "expiry": "",
            "potency_percent": "100",
            "supplied_form": "",
            "actual_amount_g": "",
        }
        for c in formula.get("components", [])
    ]


def route(issues: list[FieldIssue], values: FormValues) -> RoutedIssues:
    """Put each issue where the user will look for it."""
    routed = RoutedIssues()
    for issue in issues:
        path = issue.path
        lot = _LOT_PATH.match(path)
        if lot:
            row, column = int(lot.group(1)), lot.group(2)
            if column in LOT_COLUMNS:
                routed.cells.setdefault((row, column), []).append(issue.message)
            else:
                routed.lots.append(f"row {row + 1}: {issue.message}")
            continue
        if path == "batch.component_lots":
            routed.lots.append(issue.message)
            continue
        key = path.removeprefix("batch.") if path.startswith("batch.") else None
        if key in SCALAR_FIELDS or key == "lot_number":
            routed.fields.setdefault(key, []).append(issue.message)
        else:
            routed.general.append(_general_text(issue))
    return routed


def _general_text(issue: FieldIssue) -> str:
    if issue.path.startswith("formula"):
        return f"Approved formula, {issue.path.removeprefix('formula.')}: {issue.message}"
    if issue.path.startswith("facility"):
        return f"Facility settings, {issue.path.removeprefix('facility.')}: {issue.message}"
    return str(issue)


def cell_summary(row: int, column: str, component: str, messages: list[str]) -> str:
    """'glycine, Expiry: lot GLY1 expired 2026-01-01, before compounding ...'"""
    title = LOT_TITLES.get(column, column).split(" (")[0]
    name = component or f"row {row + 1}"
    return f"{name}, {title}: {'; '.join(messages)}"


@dataclass
class Evaluation:
    """The outcome of one evaluation of the form: a valid batch file and its computation, or issues."""

    values: FormValues
    batch_file: BatchFile | None = None
    computation: BatchComputation | None = None
    settings: CalcSettings | None = None  # the settings the computation used (None: the defaults)
    issues: RoutedIssues = field(default_factory=RoutedIssues)

    @property
    def ok(self) -> bool:
        return self.computation is not None


def evaluate(
    values: FormValues,
    facility: dict[str, Any],
    formula: dict[str, Any],
    settings: CalcSettings | None = None,
    ingredients: IngredientTable | None = None,
) -> Evaluation:
    """Validate and compute through the services (runs in a worker thread; no Qt)."""
    from labelapp.domain.errors import InputError, LabelappError
    from labelapp.services.calculate import calculate, parse_batch_data

    outcome = Evaluation(values=values, settings=settings)
    try:
        outcome.batch_file = batch_file = parse_batch_data(batch_file_data(values, facility, formula))
        outcome.computation = calculate(batch_file, settings, ingredients=ingredients)
    except InputError as exc:
        outcome.issues = route(exc.issues, values)
    except LabelappError as exc:
        outcome.issues = RoutedIssues(general=[str(exc)])
    return outcome
