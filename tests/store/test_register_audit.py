"""Audit trail: append-only (triggers) and hash-chained (edits by someone who drops the triggers)."""

from __future__ import annotations

import pytest
from register_helpers import add_users
from sqlalchemy import text

from labelapp.store.errors import RecordLockedError

TRIGGERS_SQLITE = [
    "trg_audit_log_no_update",
    "trg_audit_log_no_delete",
    "trg_audit_rows_no_update",
    "trg_audit_rows_no_delete",
]


def _fill(reg):
    who = add_users(reg, "tech", "pharm", "qa")
    reg.settings.update(who["admin"], {"reconciliation_limit": 1}, reason="SOP")
    assert reg.audit.verify().ok
    return reg.audit.entries()


def _drop_triggers(conn):
    if conn.dialect.name == "sqlite":
        for name in TRIGGERS_SQLITE:
            conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    else:
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        conn.execute(text("ALTER TABLE audit_rows DISABLE TRIGGER USER"))


def _tamper(reg, *statements, params=None):
    """What someone with a database tool could do: drop the protection, then edit."""
    with reg.database.write() as conn:
        _drop_triggers(conn)
        for statement in statements:
            conn.execute(text(statement), params or {})


def test_program_cannot_update_or_delete_audit_entries(any_reg):
    _fill(any_reg)
    for statement in ("UPDATE audit_log SET reason = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(RecordLockedError, match="append-only"):
            with any_reg.database.write() as conn:
                conn.execute(text(statement))
    assert any_reg.audit.verify().ok


def test_edited_entry_is_named(any_reg):
    entries = _fill(any_reg)
    victim = entries[3]
    _tamper(any_reg, 'UPDATE audit_log SET new_value = \'{"role":"admin"}\' WHERE id = :id', params={"id": victim.id})
    result = any_reg.audit.verify()
    assert not result.ok and result.first_bad_id == victim.id
    assert result.problem == f"audit entry id {victim.id} was altered: its content no longer matches its hash"


def test_edited_timestamp_or_user_is_detected(any_reg):
    entries = _fill(any_reg)
    _tamper(
        any_reg,
        "UPDATE audit_log SET username = 'qa', at_utc = '2020-01-01T00:00:00.000000Z' WHERE id = :id",
        params={"id": entries[-1].id},
    )
    assert any_reg.audit.verify().first_bad_id == entries[-1].id


def test_deleted_entry_is_detected(any_reg):
    entries = _fill(any_reg)
    _tamper(any_reg, "DELETE FROM audit_log WHERE id = :id", params={"id": entries[2].id})
    result = any_reg.audit.verify()
    assert not result.ok and result.first_bad_id == entries[3].id
    assert "sequence number 4 where 3 was expected (an entry was removed)" in result.problem


def test_deleted_last_entries_are_detected_by_the_witness(any_reg):
    entries = _fill(any_reg)
    _tamper(any_reg, "DELETE FROM audit_rows WHERE seq > 3", "DELETE FROM audit_log WHERE seq > 3")
    result = any_reg.audit.verify()
    assert not result.ok and result.head_seq == 3
    assert (
        f"the witness file records audit entry {len(entries)}, but the trail ends at 3: entries at the end "
        "were removed" in result.problems
    )


def test_reordered_entries_are_detected(any_reg):
    entries = _fill(any_reg)
    a, b = entries[1], entries[2]
    _tamper(
        any_reg,
        "UPDATE audit_log SET seq = -1 WHERE id = :a",
        "UPDATE audit_log SET seq = :sa WHERE id = :b",
        "UPDATE audit_log SET seq = :sb WHERE id = :a",
        params={"a": a.id, "b": b.id, "sa": a.seq, "sb": b.seq},
    )
    result = any_reg.audit.verify()
    assert not result.ok and result.first_bad_id == b.id


def test_rewritten_chain_with_renumbering_is_detected(any_reg):
    entries = _fill(any_reg)
    # remove an entry and renumber the rest so the sequence has no gap: the links no longer match
    _tamper(
        any_reg,
        "DELETE FROM audit_log WHERE id = :id",
        "UPDATE audit_log SET seq = seq - 1 WHERE seq > :s",
        params={"id": entries[1].id, "s": entries[1].seq},
    )
    result = any_reg.audit.verify()
    assert not result.ok and result.first_bad_id == entries[2].id


def test_audit_entries_record_old_and_new_values_with_utc_times(any_reg):
    _fill(any_reg)
    change = [e for e in any_reg.audit.entries() if e.action == "settings.changed"][0]
    assert change.username == "admin" and change.reason == "SOP"
    assert change.old_value == '{"reconciliation_limit":0}' and change.new_value == '{"reconciliation_limit":1}'
    assert change.at_utc.endswith("Z")


def _rewrite_whole_chain(reg, seq: int, reason: str) -> None:
    """The worst case: change one entry, then recompute every hash after it and the head."""
    from sqlalchemy import select, update

    from labelapp.store import audit
    from labelapp.store.schema import audit_log

    with reg.database.write() as conn:
        _drop_triggers(conn)
        previous = None
        for row in conn.execute(select(audit_log).order_by(audit_log.c.seq)).all():
            fields = dict(row._mapping)
            if previous is not None:
                fields["prev_hash"] = previous
            if row.seq == seq:
                fields["reason"] = reason
            fields["entry_hash"] = audit.entry_hash(fields)
            conn.execute(
                update(audit_log)
                .where(audit_log.c.id == row.id)
                .values(prev_hash=fields["prev_hash"], reason=fields["reason"], entry_hash=fields["entry_hash"])
            )
            previous = fields["entry_hash"]


def test_an_entry_whose_own_hash_was_recomputed_breaks_the_next_link(any_reg):
    """An editor who fixes the edited entry's hash, but not the links after it, is caught at the next entry."""
    from sqlalchemy import select, update

    from labelapp.store import audit
    from labelapp.store.schema import audit_log

    entries = _fill(any_reg)
    target = entries[1]
    with any_reg.database.write() as conn:
        _drop_triggers(conn)
        row = conn.execute(select(audit_log).where(audit_log.c.seq == target.seq)).one()
        fields = dict(row._mapping) | {"reason": "looks routine"}
        conn.execute(
            update(audit_log)
            .where(audit_log.c.id == row.id)
            .values(reason=fields["reason"], entry_hash=audit.entry_hash(fields))
        )
    result = any_reg.audit.verify()
    assert not result.ok and result.first_bad_seq == target.seq + 1
    assert (
        f"audit entry {target.seq} ({target.action}) in 'admin''s name: its signature does not verify "
        "(forged, altered or replayed)" in result.problems
    )  # the hash was fixed, the signature cannot be
    assert any("does not link to the entry before it" in p for p in result.problems)


def test_an_anchor_printed_on_a_record_catches_a_rewritten_chain(any_reg):
    entries = _fill(any_reg)
    seq, digest = any_reg.audit.anchor()
    assert (seq, digest) == (entries[-1].seq, entries[-1].entry_hash)
    assert any_reg.audit.verify(((seq, digest),)).ok
    _rewrite_whole_chain(any_reg, seq=2, reason="nothing happened here")
    result = any_reg.audit.verify(((seq, digest),))
    assert not result.ok
    # the links are consistent again, but the rewritten entry's signature is not its user's ...
    assert (
        "audit entry 2 (user.created) in 'admin''s name: its signature does not verify (forged, altered or "
        "replayed)" in result.problems
    )
    # ... and neither the witness file nor the printed anchor holds the rewritten hashes
    rewritten = [p for p in result.problems if "the audit trail was rewritten after that" in p]
    assert any(p.startswith("the witness file records audit entry") for p in rewritten)
    assert any(p.startswith(f"an anchor printed on a record records audit entry {seq}") for p in rewritten)


def test_the_batch_record_prints_the_anchor_and_the_cli_checks_it(reg, tmp_path, monkeypatch, capsys):
    import io

    import pdfplumber
    from register_helpers import PASSWORDS, make_batch_file

    from labelapp.cli import main
    from labelapp.services import rendering

    who = add_users(reg, "tech", "pharm", "pharm2", "qa")
    reg.formulas.add(make_batch_file().formula, who["pharm2"])
    reg.formulas.approve("GLY50", "1", "pharm", PASSWORDS["pharm"])
    batch = reg.batches.new(make_batch_file(units=10), who["tech"])
    with pdfplumber.open(io.BytesIO(rendering.render_batch_record(reg, batch.id).pdf)) as pdf:
        text = " ".join((page.extract_text() or "") for page in pdf.pages).replace("\n", " ")
    seq, digest = reg.audit.anchor()
    assert f"entry {seq}, SHA-256 {digest}" in text

    monkeypatch.setenv("LABELAPP_DATABASE_URL", str(reg.database.engine.url.render_as_string(hide_password=False)))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORDS["qa"] + "\n"))
    assert main(["audit", "verify", "--user", "qa", "--password-stdin", "--anchor", f"{seq}:{digest}"]) == 0
    assert "register intact: " in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORDS["qa"] + "\n"))
    assert main(["audit", "verify", "--user", "qa", "--password-stdin", "--anchor", f"{seq}:{'0' * 64}"]) == 2
    assert "rewritten" in capsys.readouterr().err
