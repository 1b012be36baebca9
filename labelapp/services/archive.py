"""Archive use cases: archive a PDF, reprint (re-issue the archived bytes), query, export, check, back up."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from labelapp.domain.access import Action
from labelapp.domain.errors import NotFoundError, RuleViolation
from labelapp.domain.execution import DeviationKind
from labelapp.domain.records import ArchiveCheck, ArchivedDocumentRecord, BackupResult, PrintJobRecord
from labelapp.domain.register import BatchStatus
from labelapp.services.batches import (
    batch_rows,
    check_acknowledged,
    check_count,
    check_kind,
    check_label_printing,
    job_summary,
)
from labelapp.services.context import Actor, RegisterContext
from labelapp.services.execution import Execution
from labelapp.services.user_text import required_reason
from labelapp.store.archived_documents import ArchivedDocumentRepository, label_kind
from labelapp.store.audit import RowRef
from labelapp.store.backup import backup as backup_store
from labelapp.store.batches import BatchFilter, BatchRepository
from labelapp.store.faults import crash_point

BATCH_RECORD = "batch_record"


class Archive:
    def __init__(self, context: RegisterContext):
        self._ctx = context
        self._db = context.db

    def add(
        self, batch_id: int | None, kind: str, pdf_bytes: bytes, user: Actor, reason: str | None = None
    ) -> ArchivedDocumentRecord:
        """Keep a PDF (e.g. the released batch record). The file is written before its row."""
        check_kind(kind)
        with self._db.read() as conn:
            self._ctx.actor(conn, user, Action.ARCHIVE)
            if batch_id is not None:
                BatchRepository(conn).get(batch_id)
        sha, size, name = self._ctx.archive.put(pdf_bytes)
        crash_point("archive.after_file")
        with self._db.write() as conn:
            author = self._ctx.acting(conn, user, Action.ARCHIVE)
            if batch_id is not None and kind == BATCH_RECORD:
                self._ctx.require_intact(conn, batch_rows(conn, batch_id), "archiving the batch record")
            record = ArchivedDocumentRepository(conn).add(
                batch_id=batch_id,
                kind=kind,
                sha256=sha,
                size_bytes=size,
                file_name=name,
                user=author.username,
                reason=reason,
            )
            author.record(
                conn,
                "document.archived",
                "document",
                record.id,
                new={"batch_id": batch_id, "kind": kind, "sha256": sha, "size": size},
                reason=reason,
                rows=[RowRef("archived_documents", record.id)],
            )
        return record

    def reprint(
        self,
        document_id: int,
        user: Actor,
        reason: str,
        count: int | None = None,
        printer: str | None = None,
        stock: str | None = None,
    ) -> tuple[PrintJobRecord, bytes]:
        """Re-issue an archived document itself (hash checked) as a new numbered print job."""
        reason = required_reason(reason, "a reason for the reprint")
        with self._db.read() as conn:
            self._ctx.actor(conn, user, Action.REPRINT)
            document = ArchivedDocumentRepository(conn).get(document_id)
        if document.batch_id is None:
            raise RuleViolation(f"archived document {document_id} does not belong to a batch; export it instead")
        data = self._ctx.archive.read_verified(document.file_name, document.sha256)
        with self._db.write() as conn:
            who = self._ctx.acting(conn, user, Action.REPRINT)
            check_label_printing(BatchRepository(conn).get(document.batch_id), document.kind)
            self._ctx.require_intact(conn, batch_rows(conn, document.batch_id), f"reprinting document {document_id}")
            check_acknowledged(conn, BatchRepository(conn).get(document.batch_id), document.kind)
            job = self._reprint_job(
                ArchivedDocumentRepository(conn), document, who.username, reason, count, printer, stock
            )
            who.record(
                conn,
                "print.reprint",
                "batch",
                document.batch_id,
                new=job_summary(job),
                reason=reason,
                rows=[RowRef("print_jobs", job.id)],
            )
            if label_kind(document.kind):  # reprinted labels change the count to reconcile; a copy of a record does not
                Execution(self._ctx).open_for(
                    conn,
                    who,
                    document.batch_id,
                    DeviationKind.REPRINT,
                    f"{document.kind} document {document_id} reprinted as job {job.job_number} by "
                    f"{who.username}: {reason}",
                    f"print job {job.id}",
                )
        return job, data

    def _reprint_job(
        self,
        documents: ArchivedDocumentRepository,
        document: ArchivedDocumentRecord,
        user: str,
        reason: str,
        count: int | None,
        printer: str | None,
        stock: str | None,
    ) -> PrintJobRecord:
        if document.batch_id is None:
            raise RuleViolation(f"archived document {document.id} does not belong to a batch; export it instead")
        earlier = documents.jobs_for_document(document.id)
        original = earlier[0] if earlier else None
        count = check_count("count", count if count is not None else (original.label_count if original else 1), 1)
        return documents.add_print_job(
            batch_id=document.batch_id,
            kind=document.kind,
            stock=stock or (original.stock if original else "unspecified"),
            label_count=count,
            printer=printer or (original.printer if original else "unspecified"),
            document_id=document.id,
            user=user,
            is_reprint=True,
            reprint_of=original.id if original else None,
            reason=reason,
        )

    # ------------------------------------------------------------ queries

    def search(
        self,
        *,
        lot: str | None = None,
        product: str | None = None,
        status: BatchStatus | str | None = None,
        kind: str | None = None,
        text: str | None = None,
        archived_from: date | None = None,
        archived_to: date | None = None,
        limit: int | None = None,
        check: bool = False,
    ) -> list[ArchivedDocumentRecord]:
        """Archived documents by lot, product, batch status, kind and archive date range (newest first)."""
        flt = BatchFilter(
            lot=lot, product=product, status=BatchStatus(status) if status else None, text=text, limit=limit
        )
        with self._db.read() as conn:
            found = ArchivedDocumentRepository(conn).search(flt, kind, archived_from, archived_to)
        return [self._with_integrity(d) for d in found] if check else found

    def get(self, document_id: int) -> ArchivedDocumentRecord:
        """One archived document, with its integrity checked (ok / missing / damaged)."""
        with self._db.read() as conn:
            return self._with_integrity(ArchivedDocumentRepository(conn).get(document_id))

    def find(self, reference: str) -> ArchivedDocumentRecord:
        """By id ("12") or by a SHA-256 prefix of at least 8 hex digits."""
        if reference.isdigit():
            if len(reference) > 18:  # beyond any row id the databases can hold
                raise NotFoundError(f"no archived document {reference[:24]}{'…' if len(reference) > 24 else ''}")
            return self.get(int(reference))
        with self._db.read() as conn:
            found = ArchivedDocumentRepository(conn).by_sha(reference.lower()) if len(reference) >= 8 else []
        if not found:
            raise NotFoundError(
                f"no archived document {reference!r} (give its id or at least 8 hex digits of its SHA-256)"
            )
        return self._with_integrity(found[0])

    def print_jobs(self, document_id: int) -> list[PrintJobRecord]:
        with self._db.read() as conn:
            return ArchivedDocumentRepository(conn).jobs_for_document(document_id)

    def read(self, document_id: int) -> bytes:
        """The archived bytes, refused (ArchiveError) if missing or damaged."""
        record = self.get(document_id)
        return self._ctx.archive.read_verified(record.file_name, record.sha256)

    def export(self, document_id: int, destination: str | Path, user: Actor) -> Path:
        """Copy an archived document out (hash checked before and after); logged in the audit trail."""
        with self._db.read() as conn:
            self._ctx.actor(conn, user, Action.EXPORT)
            record = ArchivedDocumentRepository(conn).get(document_id)
        target = self._ctx.archive.export(record.file_name, record.sha256, Path(destination))
        with self._db.write() as conn:
            who = self._ctx.acting(conn, user, Action.EXPORT)
            who.record(
                conn, "document.exported", "document", document_id, new={"sha256": record.sha256, "to": str(target)}
            )
        return target

    def check(self) -> ArchiveCheck:
        """Check every archived document's bytes against its SHA-256."""
        with self._db.read() as conn:
            documents = [self._with_integrity(d) for d in ArchivedDocumentRepository(conn).all()]
        return ArchiveCheck(
            checked=len(documents),
            damaged=[d for d in documents if d.integrity == "damaged"],
            missing=[d for d in documents if d.integrity == "missing"],
        )

    def _with_integrity(self, record: ArchivedDocumentRecord) -> ArchivedDocumentRecord:
        return record.model_copy(update={"integrity": self._ctx.archive.state(record.file_name, record.sha256)})

    def backup(self, destination: str | Path, actor: Actor) -> tuple[BackupResult, list[str]]:
        """A consistent copy of the database and every archived file, checked against their hashes."""
        with self._db.read() as conn:
            self._ctx.acting(conn, actor, Action.BACKUP)
        result, problems = backup_store(self._db, self._ctx.archive, Path(destination))
        with self._db.write() as conn:
            who = self._ctx.acting(conn, actor, Action.BACKUP)
            who.record(
                conn, "backup.created", "backup", result.folder[-64:], new=result.model_dump() | {"problems": problems}
            )
        return result, problems
