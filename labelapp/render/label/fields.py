"""The vocabulary of label fields a layout can place, and which ones each kind of label must carry.

A field is one printed statement. ``labelapp.render.label`` fills them from a batch computation;
layouts (``templates/layouts/*.yaml``) say where each goes. The required sets implement
§503B(a)(10)(A) for the unit (vial) label and (A)+(B) for the carton (docs/domain.md §1.1, §1.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LabelKind = Literal["vial", "carton"]


@dataclass(frozen=True)
class FieldInfo:
    title: str
    variable: bool = False  # changes from label to label (drawn per label, not in the static form)


FIELDS: dict[str, FieldInfo] = {
    "established_name": FieldInfo("established name of the drug"),
    "strength": FieldInfo("dosage form and strength (total per total volume, then per mL)"),
    "rx_only": FieldInfo('"Rx only"'),
    "route": FieldInfo("route of administration"),
    "container": FieldInfo("quantity, container type and discard statement"),
    "osmolarity": FieldInfo("calculated osmolarity"),
    "ingredients": FieldInfo("active and inactive ingredients with amounts"),
    "storage": FieldInfo("storage and handling"),
    "lot": FieldInfo("lot number"),
    "compounded_date": FieldInfo("date compounded"),
    "expiry": FieldInfo("expiration date"),
    "compounded_statement": FieldInfo('"This is a compounded drug."'),
    "resale": FieldInfo('"Not for resale" / "Office Use Only"'),
    "patient": FieldInfo("named patient and order number (named-patient batches only)"),
    "facility": FieldInfo("outsourcing facility name, address and phone"),
    "ndc": FieldInfo("NDC, when assigned"),
    "warnings": FieldInfo("cautionary statements from the master formula (e.g. must be diluted)"),
    "adverse_events": FieldInfo("adverse-event reporting (MedWatch)"),
    "directions": FieldInfo("directions for use"),
    "serial": FieldInfo("label serial number, e.g. 0001/1000", variable=True),
    "barcode_hri": FieldInfo("human-readable text of the DataMatrix", variable=True),
}

_UNIT_LABEL = frozenset(
    {
        "established_name",
        "strength",
        "rx_only",
        "route",
        "container",
        "osmolarity",
        "ingredients",
        "storage",
        "lot",
        "compounded_date",
        "expiry",
        "compounded_statement",
        "resale",
        "patient",
        "facility",
        "ndc",
        "warnings",
        "serial",
    }
)

REQUIRED_FIELDS: dict[str, frozenset[str]] = {
    "vial": _UNIT_LABEL,
    "carton": _UNIT_LABEL | {"adverse_events", "directions"},
}

# Fields that may legitimately print nothing (the zone is then left blank). ``patient`` is empty on an
# office-use batch; the preflight requires it for a named patient (docs/domain.md §1.4).
OPTIONAL_TEXT = frozenset({"ndc", "warnings", "barcode_hri", "patient"})

# The statements that must be the largest text on a label (docs/domain.md §2.1, §2.9).
PRIMARY_FIELDS = frozenset({"established_name", "strength"})
