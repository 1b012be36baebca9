"""Rows for archived PDFs and the label print jobs that issued them (the files themselves: store.archive)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Select, func, insert, select

from labelapp.domain.errors import NotFoundError
from labelapp.domain.records import ArchivedDocumentRecord, PrintJobRecord
from labelapp.store import audit
from labelapp.store.batches import BatchFilter, apply_filter
from labelapp.store.canonical import utc_now
from labelapp.store.schema import archived_documents, batches, formulas, print_jobs


def label_kind(kind: str) -> bool:
    """Print jobs of these kinds issue labels that must be reconciled (211.125)."""
    return kind == "label" or kind.endswith("_label")


def _document_select() -> Select[Any]:
    return select(
        archived_documents, batches.c.lot_number, batches.c.product_name, batches.c.status.label("batch_status")
    ).select_from(
        archived_documents.outerjoin(batches, archived_documents.c.batch_id == batches.c.id).outerjoin(
            formulas, batches.c.formula_id == formulas.c.id
        )
    )


def _job_select() -> Select[Any]:
    return select(print_jobs, archived_documents.c.sha256.label("document_sha256")).join(
        archived_documents, print_jobs.c.document_id == archived_documents.c.id
    )


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class ArchivedDocumentRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def add(
        self,
        *,
        batch_id: int | None,
        kind: str,
        sha256: str,
        size_bytes: int,
        file_name: str,
        user: str,
        reason: str | None,
    ) -> ArchivedDocumentRecord:
        """The row of a file already in the archive; it records the audit head at archiving time (an anchor
        ``audit verify`` checks the chain against)."""
        anchor_seq, anchor_hash = audit.head(self.conn)
        new_id = self.conn.execute(
            insert(archived_documents)
            .values(
                anchor_seq=anchor_seq or None,
                anchor_hash=anchor_hash if anchor_seq else None,
                batch_id=batch_id,
                kind=kind,
                sha256=sha256,
                size_bytes=size_bytes,
                file_name=file_name,
                created_at=utc_now(),
                created_by=user,
                reason=reason,
            )
            .returning(archived_documents.c.id)
        ).scalar_one()
        return self.get(new_id)

    def get(self, document_id: int) -> ArchivedDocumentRecord:
        row = self.conn.execute(_document_select().where(archived_documents.c.id == document_id)).first()
        if row is None:
            raise NotFoundError(f"no archived document with id {document_id}")
        return ArchivedDocumentRecord.model_validate(row._mapping)

    def by_sha(self, sha_prefix: str) -> list[ArchivedDocumentRecord]:
        rows = self.conn.execute(
            _document_select()
            .where(archived_documents.c.sha256.like(f"{sha_prefix}%"))
            .order_by(archived_documents.c.id)
        )
        return [ArchivedDocumentRecord.model_validate(row._mapping) for row in rows]

    def search(
        self,
        flt: BatchFilter,
        kind: str | None = None,
        archived_from: date | None = None,
        archived_to: date | None = None,
    ) -> list[ArchivedDocumentRecord]:
        query = apply_filter(_document_select(), flt)
        if kind:
            query = query.where(archived_documents.c.kind == kind)
        if archived_from:
            query = query.where(archived_documents.c.created_at >= _day_start(archived_from))
        if archived_to:
            query = query.where(archived_documents.c.created_at < _day_start(archived_to + timedelta(days=1)))
        query = query.order_by(archived_documents.c.id.desc())
        if flt.limit:
            query = query.limit(flt.limit)
        return [ArchivedDocumentRecord.model_validate(row._mapping) for row in self.conn.execute(query)]

    def all(self) -> list[ArchivedDocumentRecord]:
        rows = self.conn.execute(_document_select().order_by(archived_documents.c.id))
        return [ArchivedDocumentRecord.model_validate(row._mapping) for row in rows]

    def for_batch(self, batch_id: int) -> list[ArchivedDocumentRecord]:
        rows = self.conn.execute(
            _document_select().where(archived_documents.c.batch_id == batch_id).order_by(archived_documents.c.id)
        )
        return [ArchivedDocumentRecord.model_validate(row._mapping) for row in rows]

    # ------------------------------------------------------------ print jobs

    def add_print_job(
        self,
        *,
        batch_id: int,
        kind: str,
        stock: str,
        label_count: int,
        printer: str,
        document_id: int,
        user: str,
        is_reprint: bool = False,
        reprint_of: int | None = None,
        reason: str | None = None,
    ) -> PrintJobRecord:
        number = self.conn.execute(
            select(func.coalesce(func.max(print_jobs.c.job_number), 0) + 1).where(print_jobs.c.batch_id == batch_id)
        ).scalar_one()
        new_id = self.conn.execute(
            insert(print_jobs)
            .values(
                batch_id=batch_id,
                job_number=number,
                kind=kind,
                stock=stock,
                label_count=label_count,
                printer=printer,
                document_id=document_id,
                is_reprint=is_reprint,
                reprint_of=reprint_of,
                reason=reason,
                printed_at=utc_now(),
                printed_by=user,
            )
            .returning(print_jobs.c.id)
        ).scalar_one()
        return self.print_job(new_id)

    def print_job(self, job_id: int) -> PrintJobRecord:
        row = self.conn.execute(_job_select().where(print_jobs.c.id == job_id)).first()
        if row is None:
            raise NotFoundError(f"no print job with id {job_id}")
        return PrintJobRecord.model_validate(row._mapping)

    def print_jobs(self, batch_id: int) -> list[PrintJobRecord]:
        rows = self.conn.execute(
            _job_select().where(print_jobs.c.batch_id == batch_id).order_by(print_jobs.c.job_number)
        )
        return [PrintJobRecord.model_validate(row._mapping) for row in rows]

    def jobs_for_document(self, document_id: int) -> list[PrintJobRecord]:
        rows = self.conn.execute(_job_select().where(print_jobs.c.document_id == document_id).order_by(print_jobs.c.id))
        return [PrintJobRecord.model_validate(row._mapping) for row in rows]

    def labels_issued(self, batch_id: int) -> int:
        return sum(job.label_count for job in self.print_jobs(batch_id) if label_kind(job.kind))
