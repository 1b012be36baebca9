"""The master record form's presenter: a formula's ``master_record`` <-> the form's text, and the services'
issues -> the row, cell or field they are about. No Qt here (tested without windows).

Like the batch form's presenter it holds no rules: the text goes to ``services.calculate.parse_formula_data``
(the pydantic models of ``domain/mfr.py`` and ``domain/formula.py``) and each ``FieldIssue`` path comes back,
e.g. ``master_record.steps[2].limits.low`` -> the Low cell of the third step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from labelapp.domain.errors import FieldIssue
from labelapp.domain.mfr import HoldTimes, InProcessLimits, MasterRecord, StepKind, TestKind, YieldLimits

STEP_COLUMNS = ("id", "title", "kind", "low", "high", "unit", "component", "verify", "instructions")
STEP_TITLES = {
    "id": "Step ID",
    "title": "Title",
    "kind": "Kind",
    "low": "Low",
    "high": "High",
    "unit": "Unit",
    "component": "Component",
    "verify": "2nd person verifies",
    "instructions": "Instructions",
}
SPEC_COLUMNS = ("id", "test", "method", "low", "high", "unit", "around", "high_25um", "expected", "required")
SPEC_TITLES = {
    "id": "Spec ID",
    "test": "Test",
    "method": "Method",
    "low": "Low",
    "high": "High",
    "unit": "Unit",
    "around": "± % of calculated",
    "high_25um": "≥25 µm at most",
    "expected": "Expected (pass reads)",
    "required": "Required",
}
KIND_TITLES = {
    StepKind.CHECK: "check (yes/no)",
    StepKind.MEASUREMENT: "measurement",
    StepKind.EQUIPMENT: "equipment + calibration",
    StepKind.TIME: "time",
    StepKind.COMPONENT: "component lot",
    StepKind.WEIGHT: "weight",
    StepKind.FILTER_INTEGRITY: "filter integrity",
    StepKind.FILL_CHECK: "fill check",
    StepKind.INSPECTION: "visual inspection",
    StepKind.UNITS_FILLED: "units filled",
}
TEST_TITLES = {
    TestKind.STERILITY: "sterility",
    TestKind.ENDOTOXIN: "endotoxins",
    TestKind.PH: "pH",
    TestKind.OSMOLALITY: "osmolality",
    TestKind.ASSAY: "assay",
    TestKind.PARTICULATE: "particulate matter",
    TestKind.APPEARANCE: "appearance",
}

# The in-process limits and yield limits: form key -> (path below master_record, title, unit or hint).
FIELDS: dict[str, tuple[str, str, str]] = {
    "weight_tolerance_percent": ("limits.weight_tolerance_percent", "Component weight tolerance", "± % of theoretical"),
    "ph_low": ("limits.ph.low", "pH, low", ""),
    "ph_high": ("limits.ph.high", "pH, high", ""),
    "fill_tolerance_percent": ("limits.fill_tolerance_percent", "Fill tolerance", "± % of the target fill"),
    "fill_check_every_units": ("limits.fill_check_every_units", "Fill check frequency", "one check every N units"),
    "density_g_per_ml": ("limits.density_g_per_ml", "Density", "g/mL (fill weight ÷ density = volume)"),
    "filter_min_bubble_point_psi": ("limits.filter_min_bubble_point_psi", "Filter minimum bubble point", "psi"),
    "filter_max_diffusion_ml_per_min": ("limits.filter_max_diffusion_ml_per_min", "Filter maximum diffusion", "mL/min"),
    "hold_start_step": ("limits.hold_times.start_step", "Hold time starts at step", "step ID (a time step)"),
    "hold_filtration_step": ("limits.hold_times.filtration_step", "Start of filtration step", "step ID"),
    "to_filtration_minutes": ("limits.hold_times.to_filtration_minutes", "Longest hold to filtration", "minutes"),
    "hold_fill_end_step": ("limits.hold_times.fill_end_step", "End of fill step", "step ID"),
    "to_end_of_fill_minutes": ("limits.hold_times.to_end_of_fill_minutes", "Longest hold to end of fill", "minutes"),
    "yield_low_percent": ("yield_limits.low_percent", "Yield, low", "% of theoretical"),
    "yield_high_percent": ("yield_limits.high_percent", "Yield, high", "% of theoretical"),
}
YIELD_FIELDS = ("yield_low_percent", "yield_high_percent")
LIMIT_FIELDS = tuple(k for k in FIELDS if k not in YIELD_FIELDS)
_BY_PATH = {path: key for key, (path, _, _) in FIELDS.items()}
_BY_PATH["limits.ph"] = "ph_low"
_BY_PATH["yield_limits"] = "yield_low_percent"
_REQUIRED_FIELDS = frozenset(
    {"weight_tolerance_percent", "fill_tolerance_percent", "fill_check_every_units", "yield_low_percent"}
    | {"yield_high_percent", "hold_start_step", "hold_filtration_step", "hold_fill_end_step"}
)

_STEP_CELLS = {
    "limits": "low",
    "limits.low": "low",
    "limits.high": "high",
    "limits.unit": "unit",
    **{k: k for k in ("id", "title", "kind", "component", "verify", "instructions")},
}
_SPEC_CELLS = {
    "limits": "low",
    "limits.low": "low",
    "limits.high": "high",
    "limits.unit": "unit",
    "limits_25um": "high_25um",
    "limits_25um.high": "high_25um",
    "limits_25um.low": "high_25um",
    "around_calculated_percent": "around",
    **{k: k for k in ("id", "test", "method", "expected", "required")},
}
_ROW = re.compile(r"^master_record\.(steps|specifications)\[(\d+)\](?:\.(.+))?$")
# A model-level message that names a path with list indexes first ("steps[2].limits: a measurement ..."):
# pydantic cannot put it in the issue's path, so it is moved there here.
_PATH_FIRST = re.compile(r"^(?P<path>[A-Za-z_]\w*(?:\[\d+\]|\.[A-Za-z_]\w*)*): (?P<msg>.+)$", re.DOTALL)


@dataclass
class MasterRecordForm:
    """What the master record form holds, as text."""

    steps: list[dict[str, str]] = field(default_factory=list)
    specifications: list[dict[str, str]] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class RoutedIssues:
    """Issues sorted by where the form shows them."""

    formula: list[str] = field(default_factory=list)  # the formula's own fields (the JSON editor)
    step_cells: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    step_rows: dict[int, list[str]] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)  # about the steps table as a whole
    spec_cells: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    spec_rows: dict[int, list[str]] = field(default_factory=dict)
    specifications: list[str] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)  # in-process and yield limits
    general: list[str] = field(default_factory=list)  # the master record as a whole

    def count(self) -> int:
        return (
            len(self.formula)
            + sum(map(len, self.step_cells.values()))
            + sum(map(len, self.step_rows.values()))
            + len(self.steps)
            + sum(map(len, self.spec_cells.values()))
            + sum(map(len, self.spec_rows.values()))
            + len(self.specifications)
            + sum(map(len, self.fields.values()))
            + len(self.general)
        )

    def master_record_count(self) -> int:
        return self.count() - len(self.formula)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    return str(value)


def _get(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


# ------------------------------------------------------------ document -> form


def blank_step() -> dict[str, str]:
    return dict.fromkeys(STEP_COLUMNS, "") | {"kind": StepKind.CHECK.value}


def blank_spec() -> dict[str, str]:
    return dict.fromkeys(SPEC_COLUMNS, "") | {"test": TestKind.STERILITY.value, "required": "yes"}


def form_from_master_record(data: dict[str, Any] | None) -> MasterRecordForm:
    """The form for a stored master record (None: a formula executed on paper, the limits at their defaults)."""
    defaults: dict[str, Any] = {
        "limits": InProcessLimits().model_dump(mode="json"),
        "yield_limits": YieldLimits().model_dump(mode="json"),
    }
    source = dict(data) if data else {}
    merged = {
        "limits": {**defaults["limits"], **(source.get("limits") or {})},
        "yield_limits": {**defaults["yield_limits"], **(source.get("yield_limits") or {})},
    }
    merged["limits"]["hold_times"] = {
        **HoldTimes().model_dump(mode="json"),
        **((source.get("limits") or {}).get("hold_times") or {}),
    }
    form = MasterRecordForm()
    form.fields = {key: _text(_get(merged, path)) for key, (path, _, _) in FIELDS.items()}
    for step in source.get("steps") or []:
        row = {k: _text(v) for k, v in step.items() if k not in ("limits",) and not isinstance(v, dict)}
        limits = step.get("limits") or {}
        row |= {"low": _text(limits.get("low")), "high": _text(limits.get("high")), "unit": _text(limits.get("unit"))}
        row["verify"] = _text(bool(step.get("verify")))
        if "required" in step:
            row["required"] = "yes" if step["required"] else "no"
        form.steps.append(dict.fromkeys(STEP_COLUMNS, "") | row)
    for spec in source.get("specifications") or []:
        row = {k: _text(v) for k, v in spec.items() if not isinstance(v, dict)}
        limits, big = spec.get("limits") or {}, spec.get("limits_25um") or {}
        row |= {"low": _text(limits.get("low")), "high": _text(limits.get("high")), "unit": _text(limits.get("unit"))}
        row["high_25um"] = _text(big.get("high"))
        row["around"] = _text(spec.get("around_calculated_percent"))
        row["required"] = "yes" if spec.get("required", True) else ""
        form.specifications.append(dict.fromkeys(SPEC_COLUMNS, "") | row)
    return form


# ------------------------------------------------------------ form -> document


def _limits(row: dict[str, str], low: str = "low", high: str = "high", unit: str = "unit") -> dict[str, str] | None:
    values = {"low": row.get(low, "").strip(), "high": row.get(high, "").strip(), "unit": row.get(unit, "").strip()}
    if not any(values.values()):
        return None
    return {k: v for k, v in values.items() if v}


def _step_data(row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": row.get("id", "").strip(), "title": row.get("title", "").strip()}
    out["kind"] = row.get("kind", "").strip() or None
    if row.get("instructions", "").strip():
        out["instructions"] = row["instructions"].strip()
    limits = _limits(row)
    if limits is not None:
        out["limits"] = limits
    if row.get("component", "").strip():
        out["component"] = row["component"].strip()
    out["verify"] = bool(row.get("verify"))
    if row.get("required") == "no":
        out["required"] = False
    return out


def _spec_data(row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row.get("id", "").strip(),
        "test": row.get("test", "").strip() or None,
        "method": row.get("method", "").strip(),
    }
    limits = _limits(row)
    if limits is not None:
        out["limits"] = limits
    if row.get("high_25um", "").strip():
        out["limits_25um"] = {"high": row["high_25um"].strip()}
    if row.get("around", "").strip():
        out["around_calculated_percent"] = row["around"].strip()
    if row.get("expected", "").strip():
        out["expected"] = row["expected"].strip()
    out["required"] = bool(row.get("required"))
    return out


def master_record_data(form: MasterRecordForm) -> dict[str, Any] | None:
    """The ``master_record`` of the formula document; None when the form has no steps and no specifications
    (the formula is executed on the paper worksheet). Blank required fields go as None so that the service
    reports them; nothing is silently defaulted."""
    if not form.steps and not form.specifications:
        return None
    values: dict[str, Any] = {}
    for key, (path, _, _) in FIELDS.items():
        text = form.fields.get(key, "").strip()
        if not text and key not in _REQUIRED_FIELDS:
            continue
        target = values
        *parents, leaf = path.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = text or None
    limits = values.setdefault("limits", {})
    if "ph" in limits:
        limits["ph"]["unit"] = "pH"
    return {
        "steps": [_step_data(row) for row in form.steps],
        "limits": limits,
        "specifications": [_spec_data(row) for row in form.specifications],
        "yield_limits": values.get("yield_limits", {}),
    }


def with_master_record(formula: dict[str, Any], form: MasterRecordForm) -> dict[str, Any]:
    data = dict(formula)
    master = master_record_data(form)
    if master is None:
        data.pop("master_record", None)
    else:
        data["master_record"] = master
    return data


def check_master_record(data: dict[str, Any]) -> MasterRecord | None:
    """The master record alone (the formula's cross-checks are the formula's); for tests and previews."""
    from labelapp.domain.errors import validated

    master = data.get("master_record")
    return None if master is None else validated(MasterRecord, master, prefix=("master_record",))


# ------------------------------------------------------------ issues -> widgets


def _normalized(issue: FieldIssue) -> tuple[str, str]:
    """A model-level check names its field first in its message; put that field in the path."""
    path, message = issue.path, issue.message
    if path in ("", "master_record"):
        match = _PATH_FIRST.match(message)
        if match and ("[" in match["path"] or path == "master_record"):
            inner = match["path"]
            if path == "master_record" and not inner.startswith("master_record"):
                inner = f"master_record.{inner}"
            return inner, match["msg"]
    return path, message


def route(issues: list[FieldIssue]) -> RoutedIssues:
    routed = RoutedIssues()
    for issue in issues:
        path, message = _normalized(issue)
        row = _ROW.match(path)
        if row:
            table, index, rest = row[1], int(row[2]), row[3] or ""
            cells, rows = (
                (routed.step_cells, routed.step_rows) if table == "steps" else (routed.spec_cells, routed.spec_rows)
            )
            known = _STEP_CELLS if table == "steps" else _SPEC_CELLS
            if rest in known:
                cells.setdefault((index, known[rest]), []).append(message)
            else:
                rows.setdefault(index, []).append(f"{rest}: {message}" if rest else message)
            continue
        if path == "master_record.steps":
            routed.steps.append(message)
            continue
        if path == "master_record.specifications":
            routed.specifications.append(message)
            continue
        if path.startswith("master_record."):
            key = _BY_PATH.get(path.removeprefix("master_record."))
            if key is not None:
                routed.fields.setdefault(key, []).append(message)
            else:
                routed.general.append(f"{path.removeprefix('master_record.')}: {message}")
            continue
        if path == "master_record":
            routed.general.append(message)
            continue
        routed.formula.append(f"{path}: {message}" if path else message)
    return routed
