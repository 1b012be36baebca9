"""Inputs the worksheet prints when they exist: e-signature manifestations and label counts.

The register fills these in later; until then the worksheet prints blank lines to sign by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from labelapp.domain.errors import LabelappError
from labelapp.domain.records import BatchDetail


@dataclass(frozen=True)
class SignatureManifestation:
    """21 CFR 11.50: printed name, date and time, and meaning of one signature.

    ``step`` names the worksheet line it belongs to (see ``SIGNATURE_STEPS``); a record whose step
    has no line is still printed, in the signature manifest at the end.
    """

    name: str
    role: str
    meaning: str
    signed_at: datetime
    step: str | None = None

    def __post_init__(self) -> None:
        if self.signed_at.tzinfo is None:
            raise LabelappError(f"signature of {self.name}: time must be in UTC, not naive")
        for what in ("name", "meaning"):
            if not getattr(self, what).strip():
                raise LabelappError(f"signature: {what} must not be empty")

    def utc_text(self) -> str:
        return self.signed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")

    def manifestation(self) -> str:
        role = f" ({self.role})" if self.role else ""
        return f"{self.name}{role}, {self.meaning}, {self.utc_text()}"


@dataclass(frozen=True)
class AcknowledgementManifestation:
    """A pharmacist's e-signed acknowledgement of one plausibility finding (docs/domain.md §4.8): who, when,
    what (the finding's code and message as signed) and why."""

    code: str
    message: str
    name: str
    role: str
    signed_at: datetime
    reason: str

    def __post_init__(self) -> None:
        if self.signed_at.tzinfo is None:
            raise LabelappError(f"acknowledgement by {self.name}: time must be in UTC, not naive")

    def manifestation(self) -> str:
        utc = self.signed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        return f"acknowledged by {self.name} ({self.role}), {utc}: {self.reason}"


def acknowledgement_manifestations(detail: BatchDetail) -> list[AcknowledgementManifestation]:
    """Each pharmacist's acknowledgement of a plausibility finding on the batch: who, when, what, why (§4.8)."""
    return [
        AcknowledgementManifestation(
            code=a.code,
            message=a.item.message,
            name=a.printed_name,
            role=a.role.value,
            signed_at=a.acknowledged_at,
            reason=a.reason,
        )
        for a in detail.acknowledgements
    ]


@dataclass(frozen=True)
class ReconciliationCounts:
    """Label reconciliation (docs/domain.md §5.3): A = B + C + E + F; D per SOP."""

    issued: int  # A: printed (issued)
    applied: int  # B: applied to filled units
    specimens: int  # C: attached to the batch record
    retains: int  # D: on QC / retain units (already in B unless the SOP says otherwise)
    destroyed_damaged: int  # E: damaged or misprinted, destroyed (witnessed)
    destroyed_unused: int  # F: unused lot-specific labels, destroyed (witnessed)
    returned: int = 0  # returned to stores (should be 0 for lot-specific labels)
    issued_detail: str = ""  # what A is made of, e.g. "106 vial + 106 carton labels"
    investigation_note: str = ""  # why the counts differ, as typed at reconciliation (211.192)
    recorded: str = ""  # who entered the counts in the register, and when

    def __post_init__(self) -> None:
        for name, value in self.__dict__.items():
            if isinstance(value, int) and value < 0:
                raise LabelappError(f"reconciliation.{name}: must be >= 0")

    @property
    def accounted(self) -> int:
        return self.applied + self.specimens + self.destroyed_damaged + self.destroyed_unused + self.returned

    @property
    def difference(self) -> int:
        return self.issued - self.accounted

    @property
    def balanced(self) -> bool:
        return self.difference == 0


SIGNATURE_STEPS = {
    "line-clearance": "Line clearance before use (211.130(e))",
    "components-verified": "Components verified against the component table",
    "weighing": "Components weighed",
    "weighing-verified": "Weighing verified (211.101(c))",
    "compounding": "Compounding steps performed",
    "compounding-verified": "Compounding steps verified",
    "filtration": "Sterile filtration and integrity test",
    "filling": "Aseptic filling and fill checks",
    "inspection": "100% visual inspection",
    "labeling": "Labeling and 100% label verification",
    "label-reconciliation": "Label reconciliation",
    "yield": "Yield calculated",
    "yield-verified": "Yield verified (211.103)",
    "qc-review": "QC results reviewed",
    "qa-release": "QA review and disposition (211.192)",
}
