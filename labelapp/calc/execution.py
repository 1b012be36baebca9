"""Checking what a technician records against the master record, as it is entered (pure functions).

``evaluate`` turns the typed (or read, or scanned) text of one step into its value, its unit and
whether it is within the master record's limits, with the limit in words. ``qc_result`` computes
pass or fail of a release test (never typed). ``yield_check`` and ``fill_checks_needed`` follow the
master record's yield limits and sampling frequency. ``formula_diff`` lists what changed between two
formula versions, for the pharmacist who approves the new one. docs/domain.md §5.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from labelapp.calc.format import fmt_number
from labelapp.domain.errors import RuleViolation
from labelapp.domain.formula import Formula
from labelapp.domain.mfr import PASS_FAIL_TESTS, Limits, MasterRecord, ProcessStep, ReleaseSpec, StepKind, TestKind
from labelapp.domain.results import BatchComputation

YES = frozenset({"yes", "y", "true", "pass", "ok", "done"})
NO = frozenset({"no", "n", "false", "fail"})


@dataclass(frozen=True)
class Evaluated:
    value: str  # canonical text stored in the record
    numeric: Decimal | None
    unit: str
    within_limits: bool | None  # None: the step has no limit
    limit_text: str
    message: str = ""  # why it is outside its limit, in words


_THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?")


def number(text: str, what: str) -> Decimal:
    cleaned = text.strip()
    if "," in cleaned:  # 1,500.5 is a thousands separator; 1,5 is a decimal comma and would read as 15
        if not _THOUSANDS.fullmatch(cleaned):
            raise RuleViolation(f"{what}: {text!r}: write the number with a decimal point (1.5), not a comma")
        cleaned = cleaned.replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise RuleViolation(f"{what}: {text!r} is not a number") from None
    if not value.is_finite():
        raise RuleViolation(f"{what}: {text!r} is not a number")
    return value


def _limits(step: ProcessStep, value: Decimal, unit: str, limits: Limits | None) -> Evaluated:
    if limits is None:
        return Evaluated(fmt_number(value), value, unit, None, "")
    ok = limits.holds(value)
    message = "" if ok else f"{step.title}: {fmt_number(value)} {unit} is outside {limits.text()}"
    return Evaluated(fmt_number(value), value, unit, ok, limits.text(), message.replace("  ", " "))


def _theoretical_grams(step: ProcessStep, comp: BatchComputation) -> Decimal:
    for line in comp.amounts:
        if step.component and line.component.lower() == step.component.lower() and line.theoretical_g is not None:
            return line.theoretical_g
    for line in comp.amounts:  # the step may name the component by a synonym: match the supplied form
        if step.component and step.component.lower() in (line.supplied_form.lower(), line.component.lower()):
            if line.theoretical_g is not None:
                return line.theoretical_g
    raise RuleViolation(f"{step.title}: no theoretical amount for {step.component!r} in this batch")


def evaluate(
    step: ProcessStep, text: str, mr: MasterRecord, comp: BatchComputation, today: date, fill_target_ml: Decimal
) -> Evaluated:
    """The value of one entry and whether it is within its limit. Raises RuleViolation for text that is
    not a value of this kind at all (the entry is refused; nothing is recorded)."""
    raw = text.strip()
    if not raw:
        raise RuleViolation(f"{step.title}: enter a value")
    kind = step.kind
    if kind is StepKind.CHECK:
        word = raw.lower()
        if word not in YES | NO:
            raise RuleViolation(f"{step.title}: answer yes or no")
        ok = word in YES
        return Evaluated("yes" if ok else "no", None, "", ok, "yes", "" if ok else f"{step.title}: answered no")
    if kind is StepKind.MEASUREMENT:
        limits = step.limits or (mr.limits.ph if step.id.startswith("ph") else None)
        return _limits(step, number(raw, step.title), (limits.unit if limits else ""), limits)
    if kind is StepKind.WEIGHT:
        grams = number(raw, step.title)
        if grams <= 0:
            raise RuleViolation(f"{step.title}: a weight must be more than 0 g")
        theoretical = _theoretical_grams(step, comp)
        tolerance = mr.limits.weight_tolerance_percent
        limits = Limits(low=theoretical * (1 - tolerance / 100), high=theoretical * (1 + tolerance / 100), unit="g")
        deviation = (grams - theoretical) / theoretical * 100
        ok = limits.holds(grams)
        text_limit = f"{fmt_number(theoretical, places=3)} g ±{fmt_number(tolerance)}%"
        message = (
            ""
            if ok
            else (
                f"{step.title}: {fmt_number(grams)} g is {fmt_number(deviation, places=2)}% from the "
                f"theoretical {fmt_number(theoretical, places=3)} g; limit ±{fmt_number(tolerance)}%"
            )
        )
        return Evaluated(fmt_number(grams), grams, "g", ok, text_limit, message)
    if kind is StepKind.FILTER_INTEGRITY:
        psi = number(raw, step.title)
        minimum = mr.limits.filter_min_bubble_point_psi
        limits = step.limits or (Limits(low=minimum, unit="psi") if minimum is not None else None)
        return _limits(step, psi, "psi", limits)
    if kind is StepKind.FILL_CHECK:
        return _fill(step, raw, mr, fill_target_ml)
    if kind is StepKind.EQUIPMENT:
        return _equipment(step, raw, today)
    if kind is StepKind.TIME:
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            raise RuleViolation(f"{step.title}: write the time as YYYY-MM-DD HH:MM") from None
        return Evaluated(moment.isoformat(timespec="minutes"), None, "", None, "")
    if kind is StepKind.INSPECTION:
        return _inspection(step, raw)
    if kind is StepKind.UNITS_FILLED:
        units = number(raw, step.title)
        if units != units.to_integral_value() or units < 0:
            raise RuleViolation(f"{step.title}: the units filled are a whole number, 0 or more")
        return Evaluated(str(int(units)), units, "units", None, "")
    # COMPONENT: the lot, checked against the received material lots by the service
    return Evaluated(raw, None, "", None, "")


def _fill(step: ProcessStep, raw: str, mr: MasterRecord, target: Decimal) -> Evaluated:
    """'30.9' (mL) or '31.2 g' (weighed: the density turns it into mL)."""
    is_weight = raw.lower().endswith("g") and not raw.lower().endswith("mg")
    value = number(raw.rstrip("gGmLl ").strip(), step.title)
    if is_weight:
        density = mr.limits.density_g_per_ml
        if density is None:
            raise RuleViolation(
                f"{step.title}: a fill weight needs the density in the master record; enter the volume in mL"
            )
        volume = value / density
    else:
        volume = value
    tolerance = mr.limits.fill_tolerance_percent
    limits = Limits(low=target * (1 - tolerance / 100), high=target * (1 + tolerance / 100), unit="mL")
    ok = limits.holds(volume)
    text_limit = f"{fmt_number(target)} mL ±{fmt_number(tolerance)}%"
    shown = f"{fmt_number(value)} g = {fmt_number(volume, places=2)} mL" if is_weight else f"{fmt_number(volume)} mL"
    message = "" if ok else f"{step.title}: {shown} is outside {text_limit}"
    return Evaluated(shown, volume, "mL", ok, text_limit, message)


def _equipment(step: ProcessStep, raw: str, today: date) -> Evaluated:
    """'BAL-0042 2027-03-31': the ID and its calibration due date."""
    parts = raw.split()
    if len(parts) != 2:
        raise RuleViolation(f"{step.title}: enter the equipment ID and its calibration due date (YYYY-MM-DD)")
    try:
        due = date.fromisoformat(parts[1])
    except ValueError:
        raise RuleViolation(f"{step.title}: {parts[1]!r} is not a calibration due date (YYYY-MM-DD)") from None
    ok = due >= today
    message = "" if ok else f"{step.title}: {parts[0]} was due for calibration on {due.isoformat()}"
    return Evaluated(
        f"{parts[0]} (calibration due {due.isoformat()})", None, "", ok, "calibration not past due", message
    )


def _inspection(step: ProcessStep, raw: str) -> Evaluated:
    """'accepted=98 particles=1 cracks=1' -> accepted and rejected counts by defect."""
    counts: dict[str, int] = {}
    for part in raw.replace(",", " ").split():
        name, sep, n = part.partition("=")
        if not sep or not n.strip().isdigit():
            raise RuleViolation(f"{step.title}: write accepted=N and each defect=N, e.g. 'accepted=98 particles=2'")
        counts[name.strip().lower()] = int(n)
    if "accepted" not in counts:
        raise RuleViolation(f"{step.title}: give the accepted count (accepted=N)")
    rejected = {k: v for k, v in counts.items() if k != "accepted"}
    value = json.dumps({"accepted": counts["accepted"], "rejected": rejected}, sort_keys=True)
    return Evaluated(value, Decimal(counts["accepted"]), "units", None, "")


def inspection_counts(value: str) -> tuple[int, int]:
    """(accepted, rejected) of a stored inspection entry."""
    data: dict[str, Any] = json.loads(value)
    return int(data["accepted"]), sum(int(v) for v in data["rejected"].values())


def entry_text(value: str, unit: str) -> str:
    """A stored entry as a person reads it: '30.8 mL', '99 accepted, 1 rejected (particles 1)', '162.349 g'."""
    if value.startswith('{"accepted"'):  # an inspection's counts (_inspection)
        accepted, rejected = inspection_counts(value)
        defects = json.loads(value)["rejected"]
        detail = ", ".join(f"{name} {n}" for name, n in sorted(defects.items()))
        return f"{accepted} accepted, {rejected} rejected" + (f" ({detail})" if detail else "")
    if not unit or value.endswith(unit):
        return value
    return f"{value} {unit}"


def fill_checks_needed(units_filled: int, every: int) -> int:
    """One check at the start and one per ``every`` units after it."""
    return 0 if units_filled <= 0 else 1 + (units_filled - 1) // every


@dataclass(frozen=True)
class YieldCheck:
    percent: Decimal
    within_limits: bool
    text: str


def yield_check(accepted: int, theoretical: int, mr: MasterRecord) -> YieldCheck:
    percent = Decimal(accepted) / Decimal(theoretical) * 100 if theoretical else Decimal(0)
    low, high = mr.yield_limits.low_percent, mr.yield_limits.high_percent
    ok = low <= percent <= high
    text = (
        f"{accepted} accepted of {theoretical} theoretical = {fmt_number(percent, places=1)}% "
        f"(limits {fmt_number(low)}–{fmt_number(high)}%)"
    )
    return YieldCheck(percent, ok, text)


@dataclass(frozen=True)
class QcEvaluation:
    passed: bool
    numeric: Decimal | None
    unit: str
    limit_text: str


def qc_result(spec: ReleaseSpec, result: str, comp: BatchComputation) -> QcEvaluation:
    """Pass or fail of a release test, computed from the result and the specification."""
    raw = result.strip()
    if not raw:
        raise RuleViolation(f"{spec.id}: enter the result")
    if spec.test in PASS_FAIL_TESTS:
        passed = " ".join(raw.lower().split()) == " ".join(spec.expected.lower().split())
        return QcEvaluation(passed, None, "", f"reads '{spec.expected}'")
    if spec.test is TestKind.PARTICULATE:
        return _particulate(spec, raw)
    value = number(raw.split()[0], spec.id)
    if spec.test is TestKind.OSMOLALITY and spec.limits is None:
        calculated = Decimal(comp.osmolarity_mosmol_per_l)
        pct = spec.around_calculated_percent or Decimal(10)
        limits = Limits(low=calculated * (1 - pct / 100), high=calculated * (1 + pct / 100), unit="mOsm/kg")
        text = f"{fmt_number(calculated)} mOsm/kg calculated ±{fmt_number(pct)}%"
    else:
        assert spec.limits is not None  # the specification model requires it for numeric tests
        limits = spec.limits
        text = limits.text()
    unit = {TestKind.ENDOTOXIN: "EU/mL", TestKind.ASSAY: "% of label", TestKind.PH: ""}.get(spec.test, limits.unit)
    return QcEvaluation(limits.holds(value), value, unit or limits.unit, text)


def _particulate(spec: ReleaseSpec, raw: str) -> QcEvaluation:
    """'10um=120 25um=4' particles per container (USP <788>)."""
    counts = {}
    for part in raw.replace(",", " ").split():
        name, _, n = part.partition("=")
        counts[name.strip().lower()] = number(n, spec.id)
    if "10um" not in counts or "25um" not in counts:
        raise RuleViolation(f"{spec.id}: write the counts per container as '10um=N 25um=N'")
    ok10 = spec.limits.holds(counts["10um"]) if spec.limits else True
    ok25 = spec.limits_25um.holds(counts["25um"]) if spec.limits_25um else True
    ten = spec.limits.text() if spec.limits else "-"
    twenty_five = spec.limits_25um.text() if spec.limits_25um else "-"
    text = f">=10 um {ten}; >=25 um {twenty_five}"
    return QcEvaluation(ok10 and ok25, counts["10um"], "per container", text)


def formula_diff(old: Formula, new: Formula) -> list[str]:
    """What changed from ``old`` to ``new``, one line per changed value ('container.fill_volume_ml: 30.8 -> 31')."""
    before, after = _flatten(old.model_dump(mode="json")), _flatten(new.model_dump(mode="json"))
    lines = []
    for key in sorted(set(before) | set(after)):
        if key == "version":
            continue
        a, b = before.get(key, "(none)"), after.get(key, "(none)")
        if a != b:
            lines.append(f"{key}: {a} -> {b}")
    return lines


def _flatten(data: Any, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out |= _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(data, list):
        keyed = all(isinstance(v, dict) and "id" in v for v in data) and data
        for i, v in enumerate(data):
            label = f"{prefix}[{v['id']}]" if keyed else f"{prefix}[{i}]"
            out |= _flatten(v, label)
    else:
        out[prefix] = "(none)" if data is None else str(data)
    return out
