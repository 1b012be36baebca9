"""Is this register intact? The audit trail as the front ends see it: verify everything, read entries,
the anchor printed on records.

``verify`` is the one command's answer: the chain, its signatures, every regulated row against the
chain, the witness file and the anchors recorded with archived documents (no ``--anchor`` needed),
every archived file against its hash, and stray temporary files (``store.integrity``).
"""

from __future__ import annotations

from labelapp.domain.records import AuditEntryRecord, AuditVerification
from labelapp.services.context import RegisterContext
from labelapp.store import audit, integrity, witness
from labelapp.store.archived_documents import ArchivedDocumentRepository


class AuditTrail:
    def __init__(self, context: RegisterContext):
        self._ctx = context
        self._db = context.db

    def verify(self, anchors: tuple[tuple[int, str], ...] = ()) -> AuditVerification:
        """Everything, in one read snapshot. ``anchors`` are (seq, hash) pairs printed on records."""
        archive = self._ctx.archive
        witness_lines, witness_problems = witness.read(archive.root)
        with self._db.read() as conn:
            documents = ArchivedDocumentRepository(conn).all()
            archive_problems = []
            for d in documents:
                state = archive.state(d.file_name, d.sha256)
                if state != "ok":
                    archive_problems.append(
                        f"archived document {d.id} ({d.kind}, lot {d.lot_number or '-'}) is {state}: {d.file_name}"
                    )
            notes = [
                f"a half-written temporary file lies in the archive (a save was interrupted; nothing refers "
                f"to it, it may be deleted): {p}"
                for p in integrity.temporary_files(archive.root)
            ]
            evidence = integrity.OutsideEvidence(
                witness=witness_lines,
                witness_problems=witness_problems,
                anchors=anchors,
                archive_problems=archive_problems,
                notes=notes,
                documents_checked=len(documents),
            )
            return integrity.verify_register(conn, evidence)

    def anchor(self) -> tuple[int, str]:
        """(seq, hash) of the newest audit entry, for printing on a record."""
        with self._db.read() as conn:
            return audit.head(conn)

    def entries(
        self,
        record_type: str | None = None,
        record_id: object = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[AuditEntryRecord]:
        with self._db.read() as conn:
            return audit.entries(conn, record_type, record_id, limit, newest_first)
