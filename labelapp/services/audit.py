"""The audit trail as the front ends see it: verify the chain, read entries, the anchor printed on records."""

from __future__ import annotations

from labelapp.domain.records import AuditEntryRecord, AuditVerification
from labelapp.services.context import RegisterContext
from labelapp.store import audit


class AuditTrail:
    def __init__(self, context: RegisterContext):
        self._ctx = context
        self._db = context.db

    def verify(self, anchors: tuple[tuple[int, str], ...] = ()) -> AuditVerification:
        """The hash chain, and each anchor (seq, hash) printed on a record outside the database.

        A chain recomputed wholesale by someone with database access verifies on its own; it no
        longer matches the anchors printed on earlier batch records."""
        with self._db.read() as conn:
            result = audit.verify(conn)
            if not result.ok:
                return result
            for seq, expected in anchors:
                found = audit.hash_at(conn, seq)
                if found != expected.lower():
                    why = "is missing" if found is None else "has a different hash"
                    return result.model_copy(
                        update={
                            "ok": False,
                            "first_bad_seq": seq,
                            "problem": f"entry {seq} {why} than the anchor printed on a record "
                            f"({expected[:16]}...): the audit trail was rewritten after that record",
                        }
                    )
            return result

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
