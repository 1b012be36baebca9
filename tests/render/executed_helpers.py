"""An executed glycine batch built in memory (no register): the inputs of render_executed_record.

Entry, deviation and signature ids are fixed, so every test can name them; ``executed()`` takes
overrides for what a test is about (a long deviation, a correction, an unreleased batch)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from render_helpers import batch_from, case_data

from labelapp.domain.execution import (
    Deviation,
    DeviationStatus,
    ExecutionStatus,
    QcResult,
    QcStatus,
    StepEntry,
    StepStatus,
)
from labelapp.domain.records import (
    ArchivedDocumentRecord,
    BatchDetail,
    BatchRecord,
    PrintJobRecord,
    ReconciliationRecord,
    ReconciliationStatus,
    SignatureRecord,
)
from labelapp.render.worksheet.executed import ExecutedRecord

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MASTER_RECORD = {
    "steps": [
        {"id": "line-clearance", "title": "Line clearance before use", "kind": "check", "verify": True},
        {"id": "glycine-lot", "title": "Glycine lot", "kind": "component", "component": "glycine"},
        {"id": "glycine-weight", "title": "Glycine weighed", "kind": "weight", "component": "glycine", "verify": True},
        {
            "id": "ph-in-process",
            "title": "In-process pH",
            "kind": "measurement",
            "limits": {"low": "4.5", "high": "6.5", "unit": "pH"},
        },
        {"id": "inspection", "title": "100% visual inspection", "kind": "inspection"},
        {"id": "units-filled", "title": "Units filled", "kind": "units-filled"},
    ],
    "specifications": [
        {"id": "sterility", "test": "sterility", "method": "USP <71> membrane filtration", "expected": "no growth"},
        {"id": "endotoxin", "test": "endotoxin", "method": "USP <85>", "limits": {"high": "11.7", "unit": "EU/mL"}},
    ],
    "yield_limits": {"low_percent": "95", "high_percent": "102"},
}
USERS = {
    "alex": "Alex Rivera (technician)",
    "sam": "Sam Chen (pharmacist)",
    "quinn": "Quinn Quality (qa)",
}


def glycine_executed():
    data = case_data("glycine-30ml")
    data["formula"]["master_record"] = MASTER_RECORD
    return batch_from(data)


def entry(id_: int, step_id: str, value: str, minutes: int, **more) -> StepEntry:
    fields = {
        "id": id_,
        "batch_id": 1,
        "step_id": step_id,
        "value": value,
        "happened_at": T0 + timedelta(minutes=minutes),
        "entered_at": T0 + timedelta(minutes=minutes, seconds=40),
        "entered_by": "alex",
    }
    return StepEntry(**(fields | more))


def signature(id_: int, meaning: str, minutes: int, who: str = "quinn", **more) -> SignatureRecord:
    names = {"alex": ("Alex Rivera", "technician"), "sam": ("Sam Chen", "pharmacist"), "quinn": ("Quinn Quality", "qa")}
    fields = {
        "id": id_,
        "record_type": "batch",
        "batch_id": 1,
        "formula_id": None,
        "username": who,
        "printed_name": names[who][0],
        "role": names[who][1],
        "meaning": meaning,
        "signed_at": T0 + timedelta(minutes=minutes),
        "content_sha256": "0" * 64,
        "status_at_signing": "verified",
        "reason": None,
    }
    return SignatureRecord(**(fields | more))


def clean_entries() -> list[StepEntry]:
    return [
        entry(1, "line-clearance", "yes", 0, within_limits=True, limit_text="yes", verified_by="sam"),
        entry(
            2,
            "glycine-lot",
            "glycine lot GLY24117 (exp 2028-09-30, Example Chemical Co.)",
            5,
            within_limits=True,
            limit_text="received, released, unexpired",
            source="scanned",
        ),
        entry(
            3,
            "glycine-weight",
            "162.36",
            10,
            numeric=Decimal("162.36"),
            unit="g",
            within_limits=True,
            limit_text="162.346 g ±2%",
            source="balance",
            instrument="MT XSR205 SN B123456789",
            verified_by="sam",
        ),
        entry(
            4,
            "ph-in-process",
            "5.6",
            20,
            numeric=Decimal("5.6"),
            unit="pH",
            within_limits=True,
            limit_text="4.5 to 6.5 pH",
        ),
        entry(5, "inspection", '{"accepted": 99, "rejected": {"particles": 1}}', 60, numeric=Decimal(99), unit="units"),
        entry(6, "units-filled", "100", 62, numeric=Decimal(100), unit="units"),
    ]


def qc_result(id_: int, spec_id: str, result: str, passed: bool, limit: str, **more) -> QcResult:
    fields = {
        "id": id_,
        "batch_id": 1,
        "spec_id": spec_id,
        "result": result,
        "method": "USP <71> membrane filtration" if spec_id == "sterility" else "USP <85>",
        "analyst": "Lab Analyst",
        "tested_on": date(2026, 11, 27),
        "passed": passed,
        "limit_text": limit,
        "entered_at": T0 + timedelta(days=4),
        "entered_by": "quinn",
    }
    return QcResult(**(fields | more))


def executed(
    *,
    status: str = "released",
    entries: list[StepEntry] | None = None,
    deviations: list[Deviation] = (),
    signatures: list[SignatureRecord] | None = None,
    note: str | None = "2 labels torn at the splice, destroyed with a witness",
    not_released: tuple[str, ...] = (),
    release_blockers: tuple[str, ...] = (),
) -> ExecutedRecord:
    bf, comp = glycine_executed()
    entries = clean_entries() if entries is None else entries
    qc = [
        qc_result(1, "sterility", "no growth", True, "reads 'no growth'"),
        qc_result(
            2,
            "endotoxin",
            "0.5",
            True,
            "at most 11.7 EU/mL",
            numeric=Decimal("0.5"),
            unit="EU/mL",
            report_document_id=9,
        ),
    ]
    if signatures is None:
        signatures = [
            signature(1, "step-verified", 1, "sam", record_type="step", subject="entry:1"),
            signature(2, "step-verified", 11, "sam", record_type="step", subject="entry:3"),
            signature(3, "performed", 70, "alex", status_at_signing="draft"),
            signature(4, "verified", 80, "sam", status_at_signing="compounded"),
        ]
        if status == "released":
            signatures.append(signature(5, "released", 6000, "quinn"))
    current = [e for e in entries if not e.superseded]
    steps = [
        StepStatus(
            step_id=s["id"],
            title=s["title"],
            kind=s["kind"],
            required=True,
            verify=s.get("verify", False),
            entries=[e for e in current if e.step_id == s["id"]],
            done=any(e.step_id == s["id"] for e in current),
            verified=all(e.verified_by for e in current if e.step_id == s["id"]),
        )
        for s in MASTER_RECORD["steps"]
    ]
    execution = ExecutionStatus(
        batch_id=1,
        has_master_record=True,
        steps=steps,
        units_filled=100,
        accepted=99,
        rejected=1,
        yield_text="99 accepted of 100 theoretical = 99% (limits 95–102%)",
        yield_ok=True,
        qc=[
            QcStatus(spec_id="sterility", test="sterility", method="USP <71>", required=True, latest=qc[0]),
            QcStatus(spec_id="endotoxin", test="endotoxin", method="USP <85>", required=True, latest=qc[1]),
        ],
        deviations=list(deviations),
        release_blockers=list(release_blockers),
    )
    batch = BatchRecord(
        id=1,
        lot_number=comp.lot_number,
        formula_id=1,
        formula_code=bf.formula.id,
        formula_version=str(bf.formula.version),
        product_name=comp.product_name,
        status=status,
        status_reason=None,
        document="{}",
        document_sha256="0" * 64,
        compounded_on=comp.compounded_date,
        expiration_date=None,
        created_at=T0,
        created_by="alex",
        updated_at=T0,
    )
    job = PrintJobRecord(
        id=1,
        batch_id=1,
        job_number=1,
        kind="label",
        stock="roll-vial-30ml",
        label_count=106,
        printer="ZD621",
        document_id=3,
        document_sha256="ab" * 32,
        is_reprint=False,
        reprint_of=None,
        reason=None,
        printed_at=T0 + timedelta(minutes=65),
        printed_by="alex",
    )
    recon = ReconciliationRecord(
        id=1,
        batch_id=1,
        issued=106,
        applied=98,
        specimens=2,
        destroyed=6,
        returned=0,
        difference=0,
        investigation_note=note,
        recorded_at=T0 + timedelta(minutes=68),
        recorded_by="alex",
    )
    report = ArchivedDocumentRecord(
        id=9,
        batch_id=1,
        kind="lab_report",
        sha256="c0ffee" + "1" * 58,
        size_bytes=1000,
        file_name="r.pdf",
        created_at=T0,
        created_by="quinn",
        reason=None,
    )
    detail = BatchDetail(
        batch=batch,
        signatures=signatures,
        print_jobs=[job],
        reconciliations=[recon],
        documents=[report],
        reconciliation=ReconciliationStatus(
            labels_issued=106, latest=recon, limit=0, blocks_verification=False, explanation="balanced"
        ),
    )
    return ExecutedRecord(
        detail=detail,
        execution=execution,
        entries=tuple(entries),
        qc_results=tuple(qc),
        not_released=not_released,
        people=USERS,
        audit_anchor=(123, "f" * 64),
    )


def deviation(number: int, kind: str, description: str, *, closed: bool = True, **more) -> Deviation:
    fields = {
        "id": 100 + number,
        "batch_id": 1,
        "number": number,
        "kind": kind,
        "description": description,
        "reference": "",
        "opened_at": T0 + timedelta(minutes=number),
        "opened_by": None,
        "status": DeviationStatus.CLOSED if closed else DeviationStatus.OPEN,
    }
    if closed:
        fields |= {
            "investigation": "reviewed the balance log and the batch history",
            "root_cause": "operator error, see INV-7",
            "capa": "CAPA-12",
            "disposition": "no impact on quality: accepted",
            "closed_by": "quinn",
            "closed_at": T0 + timedelta(days=5),
        }
    return Deviation(**(fields | more))
