"""Batches, their label reconciliations and their signatures."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, func, insert, or_, select, update

from labelapp.domain.errors import NotFoundError
from labelapp.domain.records import AcknowledgementRecord, BatchRecord, ReconciliationRecord, SignatureRecord
from labelapp.domain.register import BatchStatus
from labelapp.store.canonical import utc_now
from labelapp.store.integrity import plain, state_of
from labelapp.store.schema import acknowledgements, batches, formulas, reconciliations, signatures


@dataclass(frozen=True)
class BatchFilter:
    """All given criteria must match. ``text`` matches lot or product name (case-insensitive)."""

    lot: str | None = None
    product: str | None = None
    status: BatchStatus | None = None
    formula_code: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str | None = None
    limit: int | None = None


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def apply_filter(query: Select[Any], flt: BatchFilter) -> Select[Any]:
    if flt.lot:
        query = query.where(batches.c.lot_number.ilike(_like(flt.lot), escape="\\"))
    if flt.product:
        query = query.where(batches.c.product_name.ilike(_like(flt.product), escape="\\"))
    if flt.status:
        query = query.where(batches.c.status == flt.status.value)
    if flt.formula_code:
        query = query.where(formulas.c.code == flt.formula_code)
    if flt.date_from:
        query = query.where(batches.c.compounded_on >= flt.date_from)
    if flt.date_to:
        query = query.where(batches.c.compounded_on <= flt.date_to)
    if flt.text:
        pattern = _like(flt.text)
        query = query.where(
            or_(batches.c.lot_number.ilike(pattern, escape="\\"), batches.c.product_name.ilike(pattern, escape="\\"))
        )
    return query


def batch_select() -> Select[Any]:
    return select(batches, formulas.c.code.label("formula_code"), formulas.c.version.label("formula_version")).join(
        formulas, batches.c.formula_id == formulas.c.id
    )


def lot_taken(conn: Connection, lot: str) -> bool:
    return conn.execute(select(batches.c.id).where(batches.c.lot_number == lot)).first() is not None


class BatchRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def add(
        self,
        *,
        lot_number: str,
        formula_id: int,
        product_name: str,
        document: str,
        document_sha256: str,
        computation: str | None,
        compounded_on: date | None,
        expiration_date: date | None,
        user: str,
    ) -> BatchRecord:
        now = utc_now()
        new_id = self.conn.execute(
            insert(batches)
            .values(
                lot_number=lot_number,
                formula_id=formula_id,
                product_name=product_name,
                status=BatchStatus.DRAFT.value,
                document=document,
                document_sha256=document_sha256,
                computation=computation,
                compounded_on=compounded_on,
                expiration_date=expiration_date,
                created_at=now,
                created_by=user,
                updated_at=now,
            )
            .returning(batches.c.id)
        ).scalar_one()
        return self.get(new_id)

    def find(self, batch_id: int) -> BatchRecord | None:
        row = self.conn.execute(batch_select().where(batches.c.id == batch_id)).first()
        return BatchRecord.model_validate(row._mapping) if row else None

    def get(self, batch_id: int) -> BatchRecord:
        found = self.find(batch_id)
        if found is None:
            raise NotFoundError(f"no batch with id {batch_id}")
        return found

    def by_lot(self, lot: str) -> BatchRecord:
        row = self.conn.execute(batch_select().where(batches.c.lot_number == lot)).first()
        if row is None:
            raise NotFoundError(f"no batch with lot number {lot!r}")
        return BatchRecord.model_validate(row._mapping)

    def search(self, flt: BatchFilter) -> list[BatchRecord]:
        query = apply_filter(batch_select(), flt).order_by(batches.c.id.desc())
        if flt.limit:
            query = query.limit(flt.limit)
        return [BatchRecord.model_validate(row._mapping) for row in self.conn.execute(query)]

    def set_status(self, batch_id: int, status: BatchStatus, reason: str | None = None) -> None:
        self.conn.execute(
            update(batches)
            .where(batches.c.id == batch_id)
            .values(status=status.value, status_reason=reason, updated_at=utc_now())
        )

    def replace_document(
        self,
        batch_id: int,
        document: str,
        sha: str,
        computation: str | None,
        compounded_on: date | None,
        expiration_date: date | None,
    ) -> None:
        self.conn.execute(
            update(batches)
            .where(batches.c.id == batch_id)
            .values(
                document=document,
                document_sha256=sha,
                computation=computation,
                compounded_on=compounded_on,
                expiration_date=expiration_date,
                updated_at=utc_now(),
            )
        )

    # ------------------------------------------------------------ reconciliation

    def add_reconciliation(
        self, batch_id: int, counts: dict[str, int], difference: int, note: str | None, user: str
    ) -> ReconciliationRecord:
        new_id = self.conn.execute(
            insert(reconciliations)
            .values(
                batch_id=batch_id,
                difference=difference,
                investigation_note=note,
                recorded_at=utc_now(),
                recorded_by=user,
                **counts,
            )
            .returning(reconciliations.c.id)
        ).scalar_one()
        row = self.conn.execute(select(reconciliations).where(reconciliations.c.id == new_id)).one()
        return ReconciliationRecord.model_validate(row._mapping)

    def reconciliations(self, batch_id: int) -> list[ReconciliationRecord]:
        rows = self.conn.execute(
            select(reconciliations).where(reconciliations.c.batch_id == batch_id).order_by(reconciliations.c.id)
        )
        return [ReconciliationRecord.model_validate(row._mapping) for row in rows]

    # ------------------------------------------------------------ signatures

    def add_signature(self, sign: Callable[[dict[str, Any]], str], **values: Any) -> SignatureRecord:
        """Store an e-signature; ``sign(state)`` returns its own Ed25519 signature of the row as stored
        (every column but id and the signature itself). Refuses a row that reads back differently."""
        content: dict[str, Any] = {c.name: None for c in signatures.columns if c.name not in ("id", "signer_signature")}
        content |= {"signed_at": utc_now(), **values}
        signature = sign({k: plain(v) for k, v in content.items()})
        new_id = self.conn.execute(
            insert(signatures).values(**content, signer_signature=signature).returning(signatures.c.id)
        ).scalar_one()
        row = self.conn.execute(select(signatures).where(signatures.c.id == new_id)).one()
        stored = {k: v for k, v in state_of("signatures", row).items() if k not in ("id", "signer_signature")}
        if stored != {k: plain(v) for k, v in content.items()}:
            raise RuntimeError("an e-signature reads back differently from what was signed")
        return SignatureRecord.model_validate(row._mapping)

    def signatures(self, batch_id: int | None = None, formula_id: int | None = None) -> list[SignatureRecord]:
        query = select(signatures).order_by(signatures.c.id)
        if batch_id is not None:
            query = query.where(signatures.c.batch_id == batch_id)
        if formula_id is not None:
            query = query.where(signatures.c.formula_id == formula_id)
        return [SignatureRecord.model_validate(row._mapping) for row in self.conn.execute(query)]

    # ------------------------------------------------------------ plausibility acknowledgements

    def add_acknowledgement(self, **values: Any) -> AcknowledgementRecord:
        new_id = self.conn.execute(
            insert(acknowledgements).values(acknowledged_at=utc_now(), **values).returning(acknowledgements.c.id)
        ).scalar_one()
        return next(a for a in self.acknowledgements(values["batch_id"]) if a.id == new_id)

    def acknowledgements(self, batch_id: int) -> list[AcknowledgementRecord]:
        query = (
            select(acknowledgements, signatures.c.printed_name, signatures.c.role)
            .join(signatures, acknowledgements.c.signature_id == signatures.c.id)
            .where(acknowledgements.c.batch_id == batch_id)
            .order_by(acknowledgements.c.id)
        )
        return [
            AcknowledgementRecord.model_validate(dict(row._mapping) | {"item": json.loads(row.item)})
            for row in self.conn.execute(query)
        ]

    def count(self) -> int:
        return self.conn.execute(select(func.count()).select_from(batches)).scalar_one()
