"""Is this register intact? The audit chain, its signatures, every regulated row, the witness, the archive.

Every regulated row (users, settings, formulas, ingredients, batches with their component lots,
archived documents, print jobs, reconciliations, e-signatures, the executed record, plausibility
acknowledgements) is what the audit trail says it is: each entry carries the state of the rows it
wrote, and ``verify_register`` replays the chain and compares every current row with its last
recorded state, naming the table, the row and the field that differ. Secret columns (password hash,
sealed key) are recorded by their SHA-256 only.

Checked, in one pass (docs/domain.md §6.2):

* the chain: sequence numbers without gaps, each entry linked to the one before, each hash right;
* the signatures: an entry in a user's name is signed with that user's key as the chain registered
  it; keys and roles change only by entries an administrator signed (the first administrator
  registers her own key); an e-signature's own signature and the signer's role for its meaning;
* the state: no regulated row inserted, changed or deleted behind the program's back;
* outside the database: every line of the witness file and every anchor recorded with an archived
  document is in the chain (a cut tail shows), every archived file matches its hash, and no
  half-written temporary file lies in the archive.

``check_rows`` is the quick form for one batch: the rows about to be printed, released or reprinted
must match their last signed state, and the chain must reach the witness head.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, select

from labelapp.domain.access import PERMISSIONS, Action
from labelapp.domain.records import AuditVerification
from labelapp.domain.register import Meaning, Role
from labelapp.store import signing
from labelapp.store.audit import GENESIS, UNSIGNED_ACTIONS, RowRef, entry_hash
from labelapp.store.canonical import canonical_json, iso_utc, sha256_hex
from labelapp.store.schema import (
    acknowledgements,
    archived_documents,
    audit_log,
    audit_rows,
    batches,
    deviations,
    formulas,
    ingredients,
    material_lots,
    print_jobs,
    qc_results,
    reconciliations,
    settings,
    signatures,
    step_entries,
    users,
)

REGULATED: dict[str, tuple[Table, str]] = {
    "users": (users, "username"),
    "settings": (settings, "key"),
    "formulas": (formulas, "id"),
    "ingredients": (ingredients, "id"),
    "batches": (batches, "id"),
    "archived_documents": (archived_documents, "id"),
    "print_jobs": (print_jobs, "id"),
    "reconciliations": (reconciliations, "id"),
    "signatures": (signatures, "id"),
    "step_entries": (step_entries, "id"),
    "deviations": (deviations, "id"),
    "qc_results": (qc_results, "id"),
    "material_lots": (material_lots, "id"),
    "acknowledgements": (acknowledgements, "id"),
}
SECRET_COLUMNS = {"users": frozenset({"password_hash", "sealed_key"})}
# Columns of a users row that only an administrator's signed entry may change (or the first admin's own).
ADMIN_ONLY = frozenset({"role", "active", "public_key", "full_name", "username"})
# What an unsigned entry (a failed sign-in, a lock-out) may change.
UNSIGNED_MAY_CHANGE = frozenset({"failed_attempts", "locked"})
MEANING_ACTION = {
    Meaning.PERFORMED.value: Action.SIGN_PERFORMED,
    Meaning.VERIFIED.value: Action.SIGN_VERIFIED,
    Meaning.RELEASED.value: Action.SIGN_RELEASED,
    Meaning.REJECTED.value: Action.REJECT,
    Meaning.VOIDED.value: Action.VOID,
    Meaning.APPROVED.value: Action.APPROVE_FORMULA,
    Meaning.STEP_VERIFIED.value: Action.VERIFY_STEP,
    Meaning.DISPOSITIONED.value: Action.DISPOSITION,
    Meaning.ACKNOWLEDGED.value: Action.ACKNOWLEDGE,
    Meaning.MATERIAL_RELEASED.value: Action.RELEASE_MATERIAL,
}
MAX_PROBLEMS = 200


# --------------------------------------------------------------------------------- row states


def plain(value: Any) -> Any:
    """A column value as canonical JSON holds it (the same on SQLite and PostgreSQL)."""
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    return str(value)


def state_of(table: str, row: Any) -> dict[str, Any]:
    secret = SECRET_COLUMNS.get(table, frozenset())
    out: dict[str, Any] = {}
    for name, value in row._mapping.items():
        if name in secret and value is not None:
            out[name] = "sha256:" + sha256_hex(str(value))
        else:
            out[name] = plain(value)
    return out


@dataclass(frozen=True)
class RowState:
    table: str
    key: str
    state: dict[str, Any]

    @property
    def sha256(self) -> str:
        return sha256_hex(canonical_json({"table": self.table, "key": self.key, "state": self.state}))

    def as_json(self) -> dict[str, Any]:
        return {"table": self.table, "key": self.key, "state": self.state}


def _select_row(conn: Connection, ref: RowRef) -> Any:
    table, key_column = REGULATED[ref.table]
    return conn.execute(select(table).where(table.c[key_column] == ref.key)).first()


def row_states(conn: Connection, refs: Sequence[RowRef]) -> list[RowState]:
    """The current state of each referenced row (inside the writing transaction)."""
    out = []
    for ref in refs:
        row = _select_row(conn, ref)
        if row is None:
            raise ValueError(f"audit: {ref.table} row {ref.key!r} does not exist")
        out.append(RowState(ref.table, str(ref.key), state_of(ref.table, row)))
    return out


def signature_digest(row_state: dict[str, Any], seq: int, prev_hash: str) -> str:
    """What an e-signature row's own signature covers: its content, the entry's sequence and the previous hash."""
    content = {k: v for k, v in row_state.items() if k not in ("id", "signer_signature")}
    return sha256_hex(canonical_json({"signature": content, "seq": seq, "prev_hash": prev_hash}))


# --------------------------------------------------------------------------------- verification


@dataclass
class _Replay:
    """What the chain says, entry by entry."""

    states: dict[tuple[str, str], tuple[dict[str, Any], int]] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # username -> public key (hex)
    roles: dict[str, str] = field(default_factory=dict)  # username -> role
    problems: list[str] = field(default_factory=list)
    hashes: dict[int, str] = field(default_factory=dict)
    signed: int = 0
    legacy: int = 0
    pending: list[tuple[str, str, str, str]] = field(default_factory=list)  # (problem, key, digest, signature)
    state_recorded: bool = False

    def problem(self, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)


def _differences(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {k for k in set(before) | set(after) if before.get(k) != after.get(k)}


def _check_users_change(
    replay: _Replay, entry: Any, key: str, before: dict[str, Any] | None, after: dict[str, Any]
) -> None:
    where = f"audit entry {entry.seq} ({entry.action})"
    changed = _differences(before or {}, after)
    if entry.signer is None:
        if entry.action == "register.state_recorded":
            return
        if before is None or changed - UNSIGNED_MAY_CHANGE:
            names = ", ".join(sorted(changed - UNSIGNED_MAY_CHANGE)) or "a new account"
            replay.problem(f"{where} is unsigned but changes {names} of user {key!r}: only a signed entry may")
        return
    signer_role = replay.roles.get(entry.signer)
    if changed & ADMIN_ONLY and signer_role != Role.ADMIN.value:
        bootstrap = not replay.roles and after.get("role") == Role.ADMIN.value and entry.signer == key
        key_issue = (
            before is not None
            and before.get("public_key") is None
            and changed & ADMIN_ONLY == {"public_key"}
            and entry.signer == key
        )
        if not (bootstrap or key_issue):
            names = ", ".join(sorted(changed & ADMIN_ONLY))
            replay.problem(
                f"{where} changes {names} of user {key!r} but is signed by {entry.signer!r} "
                f"({signer_role or 'no role'}), not by an administrator"
            )
    if entry.signer != key and changed & {"password_hash", "sealed_key"} and signer_role != Role.ADMIN.value:
        replay.problem(f"{where} changes the password of user {key!r} but is signed by {entry.signer!r}")


def _check_signature_row(replay: _Replay, entry: Any, state: dict[str, Any]) -> None:
    where = f"e-signature {state.get('id')} (audit entry {entry.seq})"
    who = state.get("username")
    if who != entry.signer:
        replay.problem(f"{where} is in {who!r}'s name but the entry is signed by {entry.signer!r}")
        return
    public = replay.keys.get(str(who))
    sig = state.get("signer_signature")
    if not sig or not public or not signing.verify(public, signature_digest(state, entry.seq, entry.prev_hash), sig):
        replay.problem(f"{where} in {who!r}'s name does not verify with their key: forged or altered")
    action = MEANING_ACTION.get(str(state.get("meaning")))
    role = replay.roles.get(str(who))
    if action is not None and (role is None or Role(role) not in PERMISSIONS[action]):
        replay.problem(f"{where}: {who!r} ({role or 'no role'}) may not sign as {state.get('meaning')}")


def _apply_states(replay: _Replay, entry: Any, index: dict[int, list[tuple[str, str]]]) -> None:
    recorded = json.loads(entry.row_states) if entry.row_states else []
    listed = sorted(index.get(entry.seq, []))
    made = sorted((s["table"], s["key"]) for s in recorded)
    if listed != made:
        replay.problem(f"audit entry {entry.seq}: its row index (audit_rows) does not match its row states")
    for item in recorded:
        table, key, state = item["table"], item["key"], item["state"]
        before = replay.states.get((table, key))
        if table == "users":
            _check_users_change(replay, entry, key, before[0] if before else None, state)
            replay.roles[key] = str(state.get("role"))
            if state.get("public_key"):
                replay.keys[key] = str(state["public_key"])
            else:
                replay.keys.pop(key, None)
        if table == "signatures" and entry.signer is not None and before is None:
            _check_signature_row(replay, entry, state)
        replay.states[(table, key)] = (state, entry.seq)


def _check_entry_signature(replay: _Replay, entry: Any) -> None:
    where = f"audit entry {entry.seq} ({entry.action})"
    if entry.signer is None:
        if entry.username is not None:
            replay.problem(f"{where} is in {entry.username!r}'s name but unsigned: written behind the program's back")
        elif entry.action not in UNSIGNED_ACTIONS:
            replay.problem(f"{where} is unsigned: only a failed sign-in may be")
        elif entry.action == "register.state_recorded" and (replay.state_recorded or replay.signed):
            replay.problem(
                f"{where} records the register's state again after signing began: not written by the program"
            )
        return
    replay.signed += 1
    if entry.username != entry.signer:
        replay.problem(f"{where} is in {entry.username!r}'s name but signed by {entry.signer!r}")
        return
    public = replay.keys.get(entry.signer) or _bootstrap_key(replay, entry)
    if public is None:
        replay.problem(f"{where} is signed by {entry.signer!r}, who has no key registered in the chain")
    else:
        forged = f"{where} in {entry.signer!r}'s name: its signature does not verify (forged, altered or replayed)"
        if not entry.signature:
            replay.problem(forged)
        else:  # checked together at the end of the walk, on every core (signing.verify_many)
            replay.pending.append((forged, public, entry.entry_hash, entry.signature))


def _bootstrap_key(replay: _Replay, entry: Any) -> str | None:
    """The first administrator signs the entry that registers her own key; so may a user signed up
    before keys existed (a legacy register), for her own first key."""
    for item in json.loads(entry.row_states or "[]"):
        if item["table"] == "users" and item["key"] == entry.signer and item["state"].get("public_key"):
            before = replay.states.get(("users", entry.signer))
            first_admin = not replay.keys and item["state"].get("role") == Role.ADMIN.value
            legacy_user = before is not None and before[0].get("public_key") is None
            if first_admin or legacy_user:
                return str(item["state"]["public_key"])
    return None


def _walk(conn: Connection, replay: _Replay) -> tuple[int, str, Any]:
    """Replay the chain; returns (last seq, last hash, first bad entry or None)."""
    index: dict[int, list[tuple[str, str]]] = {}
    for r in conn.execute(select(audit_rows.c.seq, audit_rows.c.table_name, audit_rows.c.row_key)):
        index.setdefault(int(r.seq), []).append((r.table_name, r.row_key))
    previous, expected = GENESIS, 1
    rows = conn.execution_options(yield_per=2000).execute(select(audit_log).order_by(audit_log.c.seq, audit_log.c.id))
    for entry in rows:
        link = _link_problem(entry, expected, previous)
        if link:
            rows.close()
            replay.problem(f"audit entry id {entry.id} {link}")
            return expected - 1, previous, entry
        if (
            entry.signer is None
            and entry.row_states is None
            and not replay.signed
            and not replay.state_recorded
            and entry.action != "register.state_recorded"
        ):
            replay.legacy += 1
        else:
            _check_entry_signature(replay, entry)
            _apply_states(replay, entry, index)
            replay.state_recorded = replay.state_recorded or entry.action == "register.state_recorded"
        replay.hashes[entry.seq] = entry.entry_hash
        previous, expected = entry.entry_hash, expected + 1
    stray = sorted(set(index) - set(replay.hashes))
    if stray:
        replay.problem(f"audit_rows lists row states for entries {stray[:5]} that are not in the trail")
    return expected - 1, previous, None


def _link_problem(entry: Any, expected_seq: int, previous_hash: str) -> str | None:
    if entry.seq != expected_seq:
        what = "removed" if entry.seq > expected_seq else "duplicated or moved"
        return f"has sequence number {entry.seq} where {expected_seq} was expected (an entry was {what})"
    if entry.prev_hash != previous_hash:
        return "does not link to the entry before it (an entry was removed, inserted or reordered)"
    if entry_hash(dict(entry._mapping)) != entry.entry_hash:
        return "was altered: its content no longer matches its hash"
    return None


def _field_text(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 60 else text[:57] + "..."


def compare_rows(conn: Connection, replay: _Replay, tables: Iterable[str] = tuple(REGULATED)) -> int:
    """Every current row against its last state in the chain; returns the number of rows checked."""
    checked = 0
    legacy = replay.legacy > 0 and not replay.state_recorded
    for name in tables:
        try:
            checked += _compare_table(conn, replay, name, legacy)
        except Exception as exc:  # noqa: BLE001 - a verifier reports what it cannot read, it does not stop
            replay.problem(
                f"table {name} cannot be read as the program wrote it ({type(exc).__name__}: "
                f"{str(exc)[:120]}): edited behind the program's back"
            )
    return checked


def _compare_table(conn: Connection, replay: _Replay, name: str, legacy: bool) -> int:
    checked = 0
    table, key_column = REGULATED[name]
    present: set[str] = set()
    for row in conn.execute(select(table)):
        checked += 1
        key = str(row._mapping[key_column])
        present.add(key)
        state = state_of(name, row)
        recorded = replay.states.get((name, key))
        if recorded is None:
            if not legacy:
                replay.problem(
                    f"table {name}, row {key}: not recorded in the audit trail (inserted behind the program's back)"
                )
            continue
        for column in sorted(_differences(recorded[0], state)):
            replay.problem(
                f"table {name}, row {key}, field {column}: {_field_text(state.get(column))} in the "
                f"database but {_field_text(recorded[0].get(column))} in the audit trail (entry "
                f"{recorded[1]})"
            )
    for (t, key), (_state, seq) in replay.states.items():
        if t == name and key not in present:
            replay.problem(f"table {name}, row {key}: in the audit trail (entry {seq}) but deleted from the database")
    return checked


def _check_anchors(replay: _Replay, last_seq: int, anchors: Iterable[tuple[int, str, str]]) -> int:
    """(seq, hash, where it was found): each must be in the chain; a seq past the end means a cut tail."""
    n = 0
    for seq, digest, where in anchors:
        n += 1
        found = replay.hashes.get(seq)
        if seq > last_seq:
            replay.problem(
                f"{where} records audit entry {seq}, but the trail ends at {last_seq}: entries at the end were removed"
            )
        elif found != digest:
            replay.problem(
                f"{where} records audit entry {seq} with hash {digest[:16]}..., the trail has "
                f"{(found or 'nothing')[:16]}...: the audit trail was rewritten after that"
            )
    return n


def document_anchors(conn: Connection) -> list[tuple[int, str, str]]:
    rows = conn.execute(
        select(archived_documents.c.id, archived_documents.c.anchor_seq, archived_documents.c.anchor_hash).where(
            archived_documents.c.anchor_seq.is_not(None)
        )
    )
    return [(int(r.anchor_seq), str(r.anchor_hash), f"archived document {r.id}") for r in rows if r.anchor_seq]


@dataclass(frozen=True)
class OutsideEvidence:
    """What lies outside the database: the witness file's lines, anchors given by hand, the archive."""

    witness: Sequence[tuple[int, str]] = ()
    witness_problems: Sequence[str] = ()
    anchors: Sequence[tuple[int, str]] = ()
    archive_problems: Sequence[str] = ()
    notes: Sequence[str] = ()
    documents_checked: int = 0


def verify_register(conn: Connection, evidence: OutsideEvidence = OutsideEvidence()) -> AuditVerification:
    """The one answer to "is this register intact?"."""
    replay = _Replay()
    last_seq, last_hash, bad = _walk(conn, replay)
    for failed in signing.verify_many([(key, digest, sig) for _, key, digest, sig in replay.pending]):
        replay.problem(replay.pending[failed][0])
    rows_checked = compare_rows(conn, replay) if bad is None else 0
    anchors = [(s, h, "the witness file") for s, h in evidence.witness]
    anchors += [(s, h, "an anchor printed on a record") for s, h in evidence.anchors]
    anchors += document_anchors(conn)
    _check_anchors(replay, last_seq, anchors)
    for text in (*evidence.witness_problems, *evidence.archive_problems):
        replay.problem(text)
    problems = replay.problems
    return AuditVerification(
        ok=not problems,
        entries_checked=last_seq,
        head_seq=last_seq,
        head_hash=last_hash,
        first_bad_id=bad.id if bad is not None else None,
        first_bad_seq=bad.seq if bad is not None else None,
        problem=problems[0] if problems else None,
        problems=list(problems),
        signed_entries=replay.signed,
        legacy_entries=replay.legacy,
        rows_checked=rows_checked,
        witness_lines=len(evidence.witness),
        documents_checked=evidence.documents_checked,
    )


# --------------------------------------------------------------------------------- quick checks


def check_rows(conn: Connection, refs: Sequence[RowRef], witness_head: tuple[int, str] | None) -> list[str]:
    """The rows about to go on paper, each against its last recorded state (whose entry must be intact
    and signed), and the chain head against the witness. Cheap: a few queries, no full replay."""
    from labelapp.store.audit import head

    problems = []
    last_seq, _ = head(conn)
    if witness_head is not None and witness_head[0] > last_seq:
        problems.append(
            f"the witness file records audit entry {witness_head[0]}, but the trail ends at {last_seq}: "
            "entries at the end were removed"
        )
    for ref in refs:
        table, key_column = REGULATED[ref.table]
        row = conn.execute(select(table).where(table.c[key_column] == ref.key)).first()
        last = conn.execute(
            select(audit_rows.c.seq, audit_rows.c.state_sha256)
            .where(audit_rows.c.table_name == ref.table, audit_rows.c.row_key == str(ref.key))
            .order_by(audit_rows.c.seq.desc())
            .limit(1)
        ).first()
        where = f"table {ref.table}, row {ref.key}"
        if row is None:
            problems.append(f"{where}: deleted from the database")
            continue
        current = RowState(ref.table, str(ref.key), state_of(ref.table, row))
        if last is None:
            problems.append(f"{where}: not recorded in the audit trail")
            continue
        entry = conn.execute(select(audit_log).where(audit_log.c.seq == last.seq)).first()
        recorded = _recorded_state(entry, ref)
        if entry is None or entry_hash(dict(entry._mapping)) != entry.entry_hash or recorded is None:
            problems.append(f"{where}: the audit entry {last.seq} that records it was altered or removed")
            continue
        public = _public_key_of(conn, entry.signer, entry.seq) if entry.signer else None
        if public is None or not signing.verify(public, entry.entry_hash, entry.signature or ""):
            problems.append(f"{where}: the audit entry {last.seq} that records it is not validly signed")
            continue
        for column in sorted(_differences(recorded.state, current.state)):
            problems.append(
                f"{where}, field {column}: {_field_text(current.state.get(column))} in the database but "
                f"{_field_text(recorded.state.get(column))} in the audit trail (entry {last.seq})"
            )
    return problems


def _recorded_state(entry: Any, ref: RowRef) -> RowState | None:
    if entry is None or not entry.row_states:
        return None
    for item in json.loads(entry.row_states):
        if item["table"] == ref.table and item["key"] == str(ref.key):
            return RowState(item["table"], item["key"], item["state"])
    return None


def _public_key_of(conn: Connection, username: str, at_seq: int) -> str | None:
    """The key the chain had registered for ``username`` when entry ``at_seq`` was signed (the users row
    state of an earlier entry, or of this one when it registers the user's first key)."""
    last = conn.execute(
        select(audit_rows.c.seq)
        .where(audit_rows.c.table_name == "users", audit_rows.c.row_key == username, audit_rows.c.seq < at_seq)
        .order_by(audit_rows.c.seq.desc())
        .limit(1)
    ).first()
    if last is None:  # the entry that registered the first key signs with that key
        last = conn.execute(
            select(audit_rows.c.seq).where(
                audit_rows.c.table_name == "users", audit_rows.c.row_key == username, audit_rows.c.seq == at_seq
            )
        ).first()
    if last is None:
        return None
    entry = conn.execute(select(audit_log.c.row_states).where(audit_log.c.seq == last.seq)).first()
    state = _recorded_state(entry, RowRef("users", username)) if entry is not None else None
    value = state.state.get("public_key") if state else None
    return str(value) if value else None


def temporary_files(root: Path) -> list[Path]:
    """Half-written files a killed process left in the archive (``domain.files.atomic_write`` temp files)."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob(".*.part") if p.is_file())
