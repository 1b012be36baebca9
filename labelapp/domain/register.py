"""The batch register's vocabulary and access rules: roles, statuses and signature meanings.

Qt-free and database-free: the services enforce the rules written with them (``access``), the
front ends show them, the store persists their values. docs/domain.md §6 (Part 11) and §5 (the batch life cycle).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    TECHNICIAN = "technician"
    PHARMACIST = "pharmacist"
    QA = "qa"
    ADMIN = "admin"


class BatchStatus(StrEnum):
    DRAFT = "draft"
    COMPOUNDED = "compounded"
    VERIFIED = "verified"
    RELEASED = "released"
    REJECTED = "rejected"
    VOIDED = "voided"


FINAL_STATUSES = frozenset({BatchStatus.RELEASED, BatchStatus.REJECTED, BatchStatus.VOIDED})


class FormulaStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    SUPERSEDED = "superseded"


class Meaning(StrEnum):
    """What a signature means (21 CFR 11.50(a)(3))."""

    PERFORMED = "performed"
    VERIFIED = "verified"
    APPROVED = "approved"
    RELEASED = "released"
    REJECTED = "rejected"
    VOIDED = "voided"
    STEP_VERIFIED = "step-verified"  # a second person checked a recorded step (two-person rule)
    DISPOSITIONED = "dispositioned"  # a deviation's investigation and disposition approved
    ACKNOWLEDGED = "acknowledged"  # a plausibility warning reviewed and accepted by a pharmacist
    MATERIAL_RELEASED = "material-released"  # a received component lot released for use
