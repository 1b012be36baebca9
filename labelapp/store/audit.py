"""The audit trail: append-only, sequence-numbered and hash-chained.

entry_hash = SHA-256(canonical JSON of {seq, at_utc, username, action, record_type, record_id,
old_value, new_value, reason, prev_hash}). ``audit_head`` holds the last sequence number and hash,
so removing entries at the end is detected too. Verification walks the chain in sequence order
and reports the first entry that was altered, removed or moved.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from labelapp.domain.records import AuditEntryRecord, AuditVerification
from labelapp.store.canonical import canonical_json, iso_utc, sha256_hex, utc_now
from labelapp.store.schema import audit_head, audit_log

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq",
    "at_utc",
    "username",
    "action",
    "record_type",
    "record_id",
    "old_value",
    "new_value",
    "reason",
    "prev_hash",
)


def _json_or_none(value: Any) -> str | None:
    return None if value is None else canonical_json(value)


def entry_hash(fields: dict[str, Any]) -> str:
    return sha256_hex(canonical_json({name: fields[name] for name in HASHED_FIELDS}))


def append(
    conn: Connection,
    *,
    user: str | None,
    action: str,
    record_type: str,
    record_id: Any,
    old: Any = None,
    new: Any = None,
    reason: str | None = None,
) -> AuditEntryRecord:
    """Append one entry. Must run inside ``Database.write()`` (which holds the write lock)."""
    head = conn.execute(select(audit_head).where(audit_head.c.id == 1)).one()
    fields = {
        "seq": head.last_seq + 1,
        "at_utc": iso_utc(utc_now()),
        "username": user,
        "action": action,
        "record_type": record_type,
        "record_id": str(record_id),
        "old_value": _json_or_none(old),
        "new_value": _json_or_none(new),
        "reason": reason,
        "prev_hash": head.last_hash,
    }
    fields["entry_hash"] = entry_hash(fields)
    new_id = conn.execute(insert(audit_log).values(**fields).returning(audit_log.c.id)).scalar_one()
    conn.execute(
        update(audit_head).where(audit_head.c.id == 1).values(last_seq=fields["seq"], last_hash=fields["entry_hash"])
    )
    return AuditEntryRecord(id=new_id, **fields)


def entries(
    conn: Connection,
    record_type: str | None = None,
    record_id: Any = None,
    limit: int | None = None,
    newest_first: bool = False,
) -> list[AuditEntryRecord]:
    query = select(audit_log)
    if record_type:
        query = query.where(audit_log.c.record_type == record_type)
    if record_id is not None:
        query = query.where(audit_log.c.record_id == str(record_id))
    query = query.order_by(audit_log.c.seq.desc() if newest_first else audit_log.c.seq)
    if limit:
        query = query.limit(limit)
    return [AuditEntryRecord.model_validate(row._mapping) for row in conn.execute(query)]


def _problem(row: Any, expected_seq: int, previous_hash: str) -> str | None:
    if row.seq != expected_seq:
        what = "removed" if row.seq > expected_seq else "duplicated or moved"
        return f"has sequence number {row.seq} where {expected_seq} was expected (an entry was {what})"
    if row.prev_hash != previous_hash:
        return "does not link to the entry before it (an entry was removed, inserted or reordered)"
    if entry_hash(dict(row._mapping)) != row.entry_hash:
        return "was altered: its content no longer matches its hash"
    return None


def verify(conn: Connection) -> AuditVerification:
    """Walk the whole chain; stop at the first bad entry."""
    head = conn.execute(select(audit_head).where(audit_head.c.id == 1)).one_or_none()
    if head is None:
        return AuditVerification(ok=False, entries_checked=0, problem="the audit trail head row is missing")
    checked, previous = 0, GENESIS
    rows = conn.execution_options(yield_per=1000).execute(select(audit_log).order_by(audit_log.c.seq, audit_log.c.id))
    for row in rows:
        problem = _problem(row, checked + 1, previous)
        if problem:
            rows.close()
            return AuditVerification(
                ok=False,
                entries_checked=checked,
                first_bad_id=row.id,
                first_bad_seq=row.seq,
                problem=f"audit entry id {row.id} {problem}",
                head_seq=head.last_seq,
                head_hash=head.last_hash,
            )
        checked, previous = checked + 1, row.entry_hash
    return _check_head(head, checked, previous)


def _check_head(head: Any, checked: int, last_hash: str) -> AuditVerification:
    result = {"entries_checked": checked, "head_seq": head.last_seq, "head_hash": head.last_hash}
    if head.last_seq != checked or head.last_hash != last_hash:
        return AuditVerification(
            ok=False,
            first_bad_seq=checked + 1,
            **result,
            problem=(
                f"the trail ends at entry {checked} but the head records "
                f"{head.last_seq} entries (entries at the end were removed "
                "or the head was edited)"
            ),
        )
    return AuditVerification(ok=True, **result)


def count(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(audit_log)).scalar_one()


def head(conn: Connection) -> tuple[int, str]:
    """(last sequence number, last entry hash): the anchor printed on records."""
    row = conn.execute(select(audit_head).where(audit_head.c.id == 1)).one()
    return row.last_seq, row.last_hash


def hash_at(conn: Connection, seq: int) -> str | None:
    return conn.execute(select(audit_log.c.entry_hash).where(audit_log.c.seq == seq)).scalar()
