"""The audit trail: append-only, sequence-numbered, hash-chained, signed, and bound to the rows it wrote.

Each entry records who did what (action, record, old and new values, reason) and, in ``row_states``,
the state of every regulated row the write produced (``store.integrity``). Its hash is

    entry_hash = SHA-256(canonical JSON of {seq, at_utc, username, action, record_type, record_id,
                                            old_value, new_value, reason, prev_hash[, signer, row_states]})

and ``signature`` is the acting user's Ed25519 signature of that hash, so content, sequence number
and the link to the previous entry are all signed (docs/domain.md §6.2). The only unsigned entries
are the ones no user can sign: a failed sign-in and the lock-out it causes. Verification of the
whole register is ``store.integrity.verify_register``.

The head is the last entry; the write lock (``Database.write``) serialises appends, and the unique
``seq`` refuses a fork. After every commit the new head is also written outside the database, to the
witness file (``store.witness``), so that removing entries at the end shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, func, insert, select

from labelapp.domain.records import AuditEntryRecord
from labelapp.store.canonical import canonical_json, iso_utc, sha256_hex, utc_now
from labelapp.store.schema import audit_log, audit_rows

GENESIS = "0" * 64
BASE_FIELDS = (
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
SIGNED_FIELDS = ("signer", "row_states")
HEAD_INFO = "labelapp_audit_head"  # Connection.info key: the head this transaction appended
# Entries no user can sign (the sign-in failed, so no key was unsealed). They may only carry the
# users row's failed_attempts and locked columns (store.integrity enforces it).
UNSIGNED_ACTIONS = frozenset({"auth.failed", "user.locked", "register.state_recorded"})


class Signer(Protocol):
    """An unsealed signing key (``store.signing.SigningKey``)."""

    @property
    def username(self) -> str: ...

    def sign(self, digest_hex: str) -> str: ...


@dataclass(frozen=True)
class RowRef:
    """A regulated row an entry wrote: its table and key (``store.integrity.REGULATED``)."""

    table: str
    key: Any


def _json_or_none(value: Any) -> str | None:
    return None if value is None else canonical_json(value)


def entry_hash(fields: dict[str, Any]) -> str:
    """The hash an entry is chained and signed by. Entries written before signing began (no signer,
    no row states) hash exactly as they did then."""
    hashed = {name: fields[name] for name in BASE_FIELDS}
    for name in SIGNED_FIELDS:
        if fields.get(name) is not None:
            hashed[name] = fields[name]
    return sha256_hex(canonical_json(hashed))


def head(conn: Connection) -> tuple[int, str]:
    """(last sequence number, last entry hash): the anchor printed on records; (0, GENESIS) when empty."""
    last = select(audit_log.c.seq, audit_log.c.entry_hash).order_by(audit_log.c.seq.desc()).limit(1)
    row = conn.execute(last).first()
    return (int(row.seq), str(row.entry_hash)) if row else (0, GENESIS)


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
    signer: Signer | None = None,
    rows: Sequence[RowRef] = (),
) -> AuditEntryRecord:
    """Append one entry. Must run inside ``Database.write()`` (which holds the write lock).

    ``signer`` is the acting user's key; it must be that user's (``user``). ``rows`` are the regulated
    rows this write produced: their state, read now, goes into the entry."""
    from labelapp.store.integrity import row_states  # integrity reads the tables audit writes

    if signer is not None and signer.username != user:
        raise ValueError(f"an entry in {user!r}'s name cannot be signed with {signer.username!r}'s key")
    if signer is None and action not in UNSIGNED_ACTIONS:
        raise ValueError(f"audit entry {action!r} must be signed by the acting user")
    last_seq, last_hash = head(conn)
    states = row_states(conn, rows)
    fields: dict[str, Any] = {
        "seq": last_seq + 1,
        "at_utc": iso_utc(utc_now()),
        "username": user,
        "action": action,
        "record_type": record_type,
        "record_id": str(record_id),
        "old_value": _json_or_none(old),
        "new_value": _json_or_none(new),
        "reason": reason,
        "prev_hash": last_hash,
        "signer": signer.username if signer is not None else None,
        "row_states": canonical_json([s.as_json() for s in states]) if states else None,
    }
    fields["entry_hash"] = entry_hash(fields)
    fields["signature"] = signer.sign(fields["entry_hash"]) if signer is not None else None
    new_id = conn.execute(insert(audit_log).values(**fields).returning(audit_log.c.id)).scalar_one()
    if states:
        conn.execute(
            insert(audit_rows),
            [{"seq": fields["seq"], "table_name": s.table, "row_key": s.key, "state_sha256": s.sha256} for s in states],
        )
    conn.info[HEAD_INFO] = (fields["seq"], fields["entry_hash"])
    return AuditEntryRecord(id=new_id, **fields)


def next_link(conn: Connection) -> tuple[int, str]:
    """(sequence number, previous hash) the next entry will have: what an e-signature is signed over."""
    last_seq, last_hash = head(conn)
    return last_seq + 1, last_hash


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


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())


def hash_at(conn: Connection, seq: int) -> str | None:
    value = conn.execute(select(audit_log.c.entry_hash).where(audit_log.c.seq == seq)).scalar()
    return None if value is None else str(value)
