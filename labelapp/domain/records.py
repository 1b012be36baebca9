"""Read-models the register returns. Plain pydantic: no ORM rows or connections leak upward.

The vocabulary they use (roles, statuses, meanings) is in ``labelapp.domain.register``."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from labelapp.domain.register import BatchStatus, FormulaStatus, Meaning, Role
from labelapp.domain.results import Plausibility


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class UserRecord(Record):
    id: int
    username: str
    full_name: str
    role: Role
    active: bool
    locked: bool
    failed_attempts: int
    created_at: datetime
    created_by: str | None
    password_changed_at: datetime | None = None
    must_change_password: bool = False
    last_sign_in_at: datetime | None = None
    last_activity_at: datetime | None = None
    public_key: str | None = None


class AuthenticatedUser(Record):
    """Who is acting. Services re-check the account (active, unlocked, role) on every call.

    It holds the user's unsealed signing key for the length of the session (never serialised, never
    printed): every entry and e-signature in the user's name is signed with it. ``forget_key`` drops it
    (sign-out, idle lock)."""

    username: str
    full_name: str
    role: Role
    must_change_password: bool = False
    password_change_reason: str | None = None
    _signing_key: Any = PrivateAttr(default=None)

    def with_key(self, key: Any) -> "AuthenticatedUser":
        copy = self.model_copy()
        copy._signing_key = key
        return copy

    @property
    def signing_key(self) -> Any:
        return self._signing_key

    def forget_key(self) -> None:
        self._signing_key = None


class FormulaRecord(Record):
    id: int
    code: str
    version: str
    name: str
    status: FormulaStatus
    document: str = Field(repr=False)
    content_sha256: str
    created_at: datetime
    created_by: str
    approved_at: datetime | None
    approved_by: str | None
    superseded_at: datetime | None

    def document_data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.document)  # written by the app: always a JSON object
        return data


class IngredientRecord(Record):
    id: int
    name: str
    source: Literal["reference", "facility"]
    document: str = Field(repr=False)
    created_at: datetime
    created_by: str | None


class BatchRecord(Record):
    id: int
    lot_number: str
    formula_id: int
    formula_code: str
    formula_version: str
    product_name: str
    status: BatchStatus
    status_reason: str | None
    document: str = Field(repr=False)
    document_sha256: str
    computation: str | None = Field(default=None, repr=False)
    compounded_on: date | None
    expiration_date: date | None
    created_at: datetime
    created_by: str
    updated_at: datetime

    def document_data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.document)  # written by the app: always a JSON object
        return data

    def computation_data(self) -> dict[str, Any] | None:
        return json.loads(self.computation) if self.computation else None


class ArchivedDocumentRecord(Record):
    id: int
    batch_id: int | None
    lot_number: str | None = None
    product_name: str | None = None
    batch_status: BatchStatus | None = None
    kind: str
    sha256: str
    size_bytes: int
    file_name: str
    created_at: datetime
    created_by: str
    reason: str | None
    anchor_seq: int | None = None
    anchor_hash: str | None = None
    integrity: Literal["ok", "missing", "damaged", "unchecked"] = "unchecked"


class PrintJobRecord(Record):
    id: int
    batch_id: int
    job_number: int
    kind: str
    stock: str
    label_count: int
    printer: str
    document_id: int
    document_sha256: str
    is_reprint: bool
    reprint_of: int | None
    reason: str | None
    printed_at: datetime
    printed_by: str


class ReconciliationRecord(Record):
    id: int
    batch_id: int
    issued: int
    applied: int
    specimens: int
    destroyed: int
    returned: int
    difference: int
    investigation_note: str | None
    recorded_at: datetime
    recorded_by: str


class SignatureRecord(Record):
    """A signature manifestation (11.50): printed name, UTC date/time and meaning."""

    id: int
    record_type: Literal["batch", "formula", "step", "deviation", "acknowledgement", "material"]
    subject: str | None = None
    batch_id: int | None
    formula_id: int | None
    username: str
    printed_name: str
    role: Role
    meaning: Meaning
    signed_at: datetime
    content_sha256: str
    status_at_signing: str
    reason: str | None
    signer_signature: str | None = Field(default=None, repr=False)
    content_matches: bool | None = None

    def manifestation(self) -> str:
        return f"{self.printed_name} ({self.username}), {self.meaning.value}, {self.signed_at:%Y-%m-%d %H:%M:%S} UTC"


class ReconciliationStatus(Record):
    labels_issued: int
    latest: ReconciliationRecord | None
    limit: int
    blocks_verification: bool
    explanation: str


class AcknowledgementRecord(Record):
    """A pharmacist's e-signed acknowledgement of one plausibility finding (docs/domain.md §4.8).

    ``item`` is the finding as it stood when signed; ``item_sha256`` binds the acknowledgement to it, so a
    finding whose value or limit changed is a new one that needs its own acknowledgement."""

    id: int
    batch_id: int
    code: str
    item: Plausibility
    item_sha256: str
    reason: str
    signature_id: int
    acknowledged_at: datetime
    acknowledged_by: str
    printed_name: str
    role: Role

    def manifestation(self) -> str:
        return (
            f"[{self.code}] acknowledged by {self.printed_name} ({self.acknowledged_by}), "
            f"{self.acknowledged_at:%Y-%m-%d %H:%M:%S} UTC: {self.reason}"
        )


class BatchDetail(Record):
    batch: BatchRecord
    signatures: list[SignatureRecord]
    print_jobs: list[PrintJobRecord]
    reconciliations: list[ReconciliationRecord]
    documents: list[ArchivedDocumentRecord]
    reconciliation: ReconciliationStatus
    acknowledgements: list[AcknowledgementRecord] = Field(default_factory=list)


class AuditEntryRecord(Record):
    id: int
    seq: int
    at_utc: str
    username: str | None
    action: str
    record_type: str
    record_id: str
    old_value: str | None
    new_value: str | None
    reason: str | None
    prev_hash: str
    entry_hash: str
    signer: str | None = None
    signature: str | None = Field(default=None, repr=False)
    row_states: str | None = Field(default=None, repr=False)


class AuditVerification(Record):
    """Is this register intact? ``problems`` names every table, row and field, entry or file that is not."""

    ok: bool
    entries_checked: int
    head_seq: int | None = None
    head_hash: str | None = None
    first_bad_id: int | None = None
    first_bad_seq: int | None = None
    problem: str | None = None
    problems: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="worth knowing, not a failure (e.g. a stray temp file)")
    signed_entries: int = 0
    legacy_entries: int = 0
    rows_checked: int = 0
    witness_lines: int = 0
    documents_checked: int = 0


class ArchiveCheck(Record):
    checked: int
    damaged: list[ArchivedDocumentRecord]
    missing: list[ArchivedDocumentRecord]

    @property
    def ok(self) -> bool:
        return not self.damaged and not self.missing


class BackupResult(Record):
    folder: str
    database_file: str
    documents_copied: int
    documents_checked: int
    audit_ok: bool
