"""Rows of the executed batch record: step entries, deviations, QC results, received component lots."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from labelapp.domain.errors import NotFoundError
from labelapp.domain.execution import Deviation, DeviationStatus, MaterialLot, MaterialStatus, QcResult, StepEntry
from labelapp.store.canonical import utc_now
from labelapp.store.schema import deviations, material_lots, qc_results, signatures, step_entries


def _entry(row: Any) -> dict[str, Any]:
    data = dict(row._mapping)
    data["numeric"] = Decimal(data["numeric"]) if data["numeric"] is not None else None
    return data


class ExecutionRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    # ------------------------------------------------------------ step entries

    def add_entry(self, **values: Any) -> StepEntry:
        numeric = values.pop("numeric", None)
        new_id = self.conn.execute(
            insert(step_entries)
            .values(entered_at=utc_now(), numeric=None if numeric is None else str(numeric), **values)
            .returning(step_entries.c.id)
        ).scalar_one()
        return self.entry(new_id)

    def entry(self, entry_id: int) -> StepEntry:
        for e in self.entries_where(step_entries.c.id == entry_id):
            return e
        raise NotFoundError(f"no recorded step entry {entry_id}")

    def entries(self, batch_id: int) -> list[StepEntry]:
        return self.entries_where(step_entries.c.batch_id == batch_id)

    def entries_where(self, condition: Any) -> list[StepEntry]:
        rows = [_entry(r) for r in self.conn.execute(select(step_entries).where(condition).order_by(step_entries.c.id))]
        if not rows:
            return []
        batch_ids = {r["batch_id"] for r in rows}
        corrected = {
            int(c)
            for (c,) in self.conn.execute(
                select(step_entries.c.corrects_id).where(
                    step_entries.c.batch_id.in_(batch_ids), step_entries.c.corrects_id.is_not(None)
                )
            )
        }
        verified = {}
        for s in self.conn.execute(
            select(signatures.c.subject, signatures.c.username, signatures.c.signed_at).where(
                signatures.c.record_type == "step", signatures.c.batch_id.in_(batch_ids)
            )
        ):
            verified[s.subject] = (s.username, s.signed_at)
        out = []
        for r in rows:
            who, when = verified.get(f"entry:{r['id']}", (None, None))
            out.append(StepEntry(**r, superseded=r["id"] in corrected, verified_by=who, verified_at=when))
        return out

    # ------------------------------------------------------------ deviations

    def open_deviation(
        self, *, batch_id: int, kind: str, description: str, reference: str, opened_by: str | None
    ) -> Deviation:
        number = self.conn.execute(
            select(func.coalesce(func.max(deviations.c.number), 0) + 1).where(deviations.c.batch_id == batch_id)
        ).scalar_one()
        new_id = self.conn.execute(
            insert(deviations)
            .values(
                batch_id=batch_id,
                number=number,
                kind=kind,
                description=description[:2000],
                reference=reference[:200],
                opened_at=utc_now(),
                opened_by=opened_by,
                status=DeviationStatus.OPEN.value,
            )
            .returning(deviations.c.id)
        ).scalar_one()
        return self.deviation(new_id)

    def deviation(self, deviation_id: int) -> Deviation:
        row = self.conn.execute(select(deviations).where(deviations.c.id == deviation_id)).first()
        if row is None:
            raise NotFoundError(f"no deviation {deviation_id}")
        return Deviation.model_validate(row._mapping)

    def deviations(self, batch_id: int) -> list[Deviation]:
        rows = self.conn.execute(
            select(deviations).where(deviations.c.batch_id == batch_id).order_by(deviations.c.number)
        )
        return [Deviation.model_validate(r._mapping) for r in rows]

    def close_deviation(
        self,
        deviation_id: int,
        *,
        investigation: str,
        root_cause: str,
        capa: str | None,
        disposition: str,
        closed_by: str,
        signature_id: int,
    ) -> None:
        self.conn.execute(
            update(deviations)
            .where(deviations.c.id == deviation_id)
            .values(
                status=DeviationStatus.CLOSED.value,
                investigation=investigation,
                root_cause=root_cause,
                capa=capa,
                disposition=disposition,
                closed_by=closed_by,
                closed_at=utc_now(),
                signature_id=signature_id,
            )
        )

    # ------------------------------------------------------------ QC results

    def add_qc(self, **values: Any) -> QcResult:
        numeric = values.pop("numeric", None)
        new_id = self.conn.execute(
            insert(qc_results)
            .values(entered_at=utc_now(), numeric=None if numeric is None else str(numeric), **values)
            .returning(qc_results.c.id)
        ).scalar_one()
        return self.qc_where(qc_results.c.id == new_id)[0]

    def qc(self, batch_id: int) -> list[QcResult]:
        return self.qc_where(qc_results.c.batch_id == batch_id)

    def qc_where(self, condition: Any) -> list[QcResult]:
        return [
            QcResult(**_entry(r))
            for r in self.conn.execute(select(qc_results).where(condition).order_by(qc_results.c.id))
        ]

    # ------------------------------------------------------------ received component lots

    def add_material(
        self,
        *,
        ingredient: str,
        lot: str,
        gtin: str | None,
        manufacturer: str,
        expiry: date,
        potency_percent: Decimal | None,
        received_by: str,
    ) -> MaterialLot:
        new_id = self.conn.execute(
            insert(material_lots)
            .values(
                ingredient=ingredient,
                lot=lot,
                gtin=gtin,
                manufacturer=manufacturer,
                expiry=expiry,
                potency_percent=None if potency_percent is None else str(potency_percent),
                status=MaterialStatus.QUARANTINE.value,
                received_at=utc_now(),
                received_by=received_by,
            )
            .returning(material_lots.c.id)
        ).scalar_one()
        return self.material(new_id)

    def material(self, material_id: int) -> MaterialLot:
        row = self.conn.execute(select(material_lots).where(material_lots.c.id == material_id)).first()
        if row is None:
            raise NotFoundError(f"no received component lot {material_id}")
        return _material(row)

    def materials(self, lot: str | None = None, gtin: str | None = None) -> list[MaterialLot]:
        query = select(material_lots).order_by(material_lots.c.id)
        if lot is not None:
            query = query.where(material_lots.c.lot == lot)
        if gtin is not None:
            query = query.where(material_lots.c.gtin == gtin)
        return [_material(r) for r in self.conn.execute(query)]

    def set_material_status(self, material_id: int, status: MaterialStatus, by: str, at: datetime) -> None:
        self.conn.execute(
            update(material_lots)
            .where(material_lots.c.id == material_id)
            .values(status=status.value, released_by=by, released_at=at)
        )


def _material(row: Any) -> MaterialLot:
    data = dict(row._mapping)
    data["potency_percent"] = Decimal(data["potency_percent"]) if data["potency_percent"] else None
    return MaterialLot(**data)
