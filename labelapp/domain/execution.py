"""The executed batch record's vocabulary and read models: step entries, deviations, QC results, material lots.

Every entry is time-stamped and attributable (who entered it, when the step happened, when it was
entered); a correction keeps the original and needs a reason; out-of-limit values, late entries,
corrections, overrides, exceeded hold times, reprints, reconciliations outside limits, missing
steps and failed QC results open deviations, which a pharmacist or QA dispositions with an
e-signature (21 CFR 211.188, 211.192). docs/domain.md §5.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class EntrySource(StrEnum):
    TYPED = "typed"
    BALANCE = "balance"  # read from a balance (MT-SICS), with its serial number
    SCANNED = "scanned"  # a supplier's GS1 barcode


class DeviationKind(StrEnum):
    OUT_OF_LIMIT = "out-of-limit"
    LATE_ENTRY = "late-entry"
    CORRECTION = "correction"
    OVERRIDE = "override"
    HOLD_TIME = "hold-time"
    REPRINT = "reprint"
    RECONCILIATION = "reconciliation"
    MISSING_STEP = "missing-step"
    QC_FAILURE = "qc-failure"
    YIELD = "yield"
    OTHER = "other"  # opened by a person for an event the program cannot see


class DeviationStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class MaterialStatus(StrEnum):
    QUARANTINE = "quarantine"
    RELEASED = "released"
    REJECTED = "rejected"


class StepEntry(_Record):
    """One recorded value of a process step (or its verification by a second person)."""

    id: int
    batch_id: int
    step_id: str
    value: str = Field(description="as entered, canonical text (a number, yes/no, an ID, a time, JSON)")
    numeric: Decimal | None = None
    unit: str = ""
    within_limits: bool | None = Field(default=None, description="None when the step has no limits")
    limit_text: str = ""
    source: EntrySource = EntrySource.TYPED
    instrument: str | None = None
    happened_at: datetime
    entered_at: datetime
    entered_by: str
    corrects_id: int | None = None
    reason: str | None = None
    superseded: bool = False
    verified_by: str | None = None
    verified_at: datetime | None = None


class Deviation(_Record):
    id: int
    batch_id: int
    number: int = Field(description="per batch: DEV-1, DEV-2 ...")
    kind: DeviationKind
    description: str
    reference: str = Field(default="", description="the step, entry, spec or document it is about")
    opened_at: datetime
    opened_by: str | None = Field(default=None, description="None: opened by the program on an exception")
    status: DeviationStatus = DeviationStatus.OPEN
    investigation: str | None = None
    root_cause: str | None = None
    capa: str | None = None
    disposition: str | None = Field(default=None, description="e.g. 'accepted: no impact on quality'")
    closed_by: str | None = None
    closed_at: datetime | None = None
    signature_id: int | None = None


class QcResult(_Record):
    id: int
    batch_id: int
    spec_id: str
    result: str
    numeric: Decimal | None = None
    unit: str = ""
    method: str
    analyst: str
    tested_on: date
    passed: bool = Field(description="computed against the specification, never typed")
    limit_text: str = ""
    report_document_id: int | None = None
    entered_at: datetime
    entered_by: str


class MaterialLot(_Record):
    """A received lot of a component: quarantined until QA releases it."""

    id: int
    ingredient: str
    lot: str
    gtin: str | None = None
    manufacturer: str
    expiry: date
    potency_percent: Decimal | None = None
    status: MaterialStatus
    received_at: datetime
    received_by: str
    released_at: datetime | None = None
    released_by: str | None = None


class StepStatus(_Record):
    step_id: str
    title: str
    kind: str
    required: bool
    verify: bool
    entries: list[StepEntry] = Field(default_factory=list, description="current entries (not superseded)")
    done: bool
    verified: bool


class QcStatus(_Record):
    spec_id: str
    test: str
    method: str
    required: bool
    latest: QcResult | None = None


class ExecutionStatus(_Record):
    """Where a batch's executed record stands, and what still stands between it and release."""

    batch_id: int
    has_master_record: bool
    steps: list[StepStatus] = Field(default_factory=list)
    fill_checks_needed: int = 0
    fill_checks_done: int = 0
    units_filled: int | None = None
    accepted: int | None = None
    rejected: int | None = None
    yield_text: str = ""
    yield_ok: bool | None = None
    qc: list[QcStatus] = Field(default_factory=list)
    deviations: list[Deviation] = Field(default_factory=list)
    release_blockers: list[str] = Field(default_factory=list)
