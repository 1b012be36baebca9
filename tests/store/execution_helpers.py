"""A glycine master record and the steps of a batch executed without exceptions (shared by tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from register_helpers import PASSWORDS, batch_data

from labelapp.domain.batch import BatchFile
from labelapp.services import rendering

MASTER_RECORD = {
    "steps": [
        {"id": "line-clearance", "title": "Line clearance before use", "kind": "check", "verify": True},
        {"id": "balance", "title": "Balance ID and calibration due date", "kind": "equipment"},
        {"id": "glycine-lot", "title": "Glycine lot", "kind": "component", "component": "glycine"},
        {"id": "wfi-lot", "title": "Water for injection lot", "kind": "component", "component": "water for injection"},
        {"id": "glycine-weight", "title": "Glycine weighed", "kind": "weight", "component": "glycine", "verify": True},
        {"id": "compounding-end", "title": "End of compounding", "kind": "time"},
        {
            "id": "ph-in-process",
            "title": "In-process pH",
            "kind": "measurement",
            "limits": {"low": "4.5", "high": "6.5", "unit": "pH"},
        },
        {
            "id": "filter-integrity",
            "title": "Filter integrity (bubble point)",
            "kind": "filter-integrity",
            "verify": True,
        },
        {"id": "filtration-start", "title": "Start of filtration", "kind": "time"},
        {"id": "fill-check", "title": "Fill check", "kind": "fill-check"},
        {"id": "fill-end", "title": "End of fill", "kind": "time"},
        {"id": "inspection", "title": "100% visual inspection", "kind": "inspection"},
        {"id": "units-filled", "title": "Units filled", "kind": "units-filled"},
    ],
    "limits": {
        "weight_tolerance_percent": "2",
        "ph": {"low": "4.5", "high": "6.5", "unit": "pH"},
        "fill_tolerance_percent": "2",
        "fill_check_every_units": 50,
        "density_g_per_ml": "1.016",
        "filter_min_bubble_point_psi": "50",
        "hold_times": {"to_filtration_minutes": 240, "to_end_of_fill_minutes": 480},
    },
    "specifications": [
        {"id": "sterility", "test": "sterility", "method": "USP <71> membrane filtration", "expected": "no growth"},
        {
            "id": "endotoxin",
            "test": "endotoxin",
            "method": "USP <85> kinetic chromogenic",
            "limits": {"high": "11.7", "unit": "EU/mL"},
        },
        {"id": "ph", "test": "ph", "method": "USP <791>", "limits": {"low": "4.5", "high": "6.5"}},
        {
            "id": "osmolality",
            "test": "osmolality",
            "method": "USP <785> freezing point",
            "around_calculated_percent": "10",
        },
        {"id": "assay", "test": "assay", "method": "HPLC", "limits": {"low": "90", "high": "110", "unit": "%"}},
    ],
    "yield_limits": {"low_percent": "95", "high_percent": "102"},
}


def executed_batch_data(units: int = 100) -> dict:
    data = batch_data(units=units)
    data["formula"]["master_record"] = MASTER_RECORD
    return data


def executed_batch_file(units: int = 100) -> BatchFile:
    return BatchFile.model_validate(executed_batch_data(units))


def receive_and_release(reg, who) -> None:
    for ingredient, lot, expiry in (
        ("glycine", "GL-2291", date(2028, 1, 31)),
        ("water for injection", "W-7781", date(2027, 6, 30)),
    ):
        material = reg.execution.receive_material(
            ingredient=ingredient, lot=lot, manufacturer="Spectrum", expiry=expiry, user=who["tech"], gtin=None
        )
        reg.execution.release_material(material.id, "qa", PASSWORDS["qa"])


def theoretical_glycine(reg, batch_id: int) -> Decimal:
    comp = rendering.registered_batch(reg, batch_id).computation
    return next(line.theoretical_g for line in comp.amounts if line.component == "glycine")


def run_clean_batch(reg, who, batch_id: int, units: int = 100, skip: tuple[str, ...] = ()) -> None:
    """Every step recorded in limits, verified where the master record asks, as it happens."""
    tech, ex = who["tech"], reg.execution
    now = datetime.now(UTC)
    grams = theoretical_glycine(reg, batch_id)

    def step(step_id: str, text: str, minutes_ago: int = 0, verify: bool = False) -> None:
        if step_id in skip:
            return
        entry = ex.record(batch_id, step_id, text, tech, happened_at=now - timedelta(minutes=minutes_ago))
        if verify:
            ex.verify_step(entry.id, "pharm", PASSWORDS["pharm"])

    step("line-clearance", "yes", 20, verify=True)
    step("balance", "BAL-0042 2030-03-31", 19)
    step("glycine-lot", "GL-2291", 18)
    step("wfi-lot", "W-7781", 18)
    step("glycine-weight", f"{grams:.2f}", 17, verify=True)
    step("compounding-end", (now - timedelta(minutes=15)).isoformat(timespec="minutes"), 15)
    step("ph-in-process", "5.6", 14)
    step("filter-integrity", "55", 12, verify=True)
    step("filtration-start", (now - timedelta(minutes=12)).isoformat(timespec="minutes"), 12)
    for minutes in (10, 8):
        step("fill-check", "30.8", minutes)
    step("fill-end", (now - timedelta(minutes=5)).isoformat(timespec="minutes"), 5)
    step("inspection", f"accepted={units - 1} particles=1", 3)
    step("units-filled", str(units), 2)


def record_passing_qc(reg, who, batch_id: int, skip: tuple[str, ...] = ()) -> None:
    results = {"sterility": "no growth", "endotoxin": "0.5", "ph": "5.7", "osmolality": "660", "assay": "99.1"}
    for spec_id, result in results.items():
        if spec_id not in skip:
            reg.execution.record_qc(
                batch_id, spec_id, result, method=None, analyst="Lab Analyst", tested_on=date.today(), user=who["qa"]
            )
