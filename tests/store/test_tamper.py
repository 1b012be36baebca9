"""The register against a hostile insider with the database file: triggers dropped, then edit, delete,
insert, forge, replay, reorder, cut the tail. `audit verify` must name what changed, and nothing is
printed, released or reprinted from a tampered record (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from execution_helpers import executed_batch_file, receive_and_release, record_passing_qc, run_clean_batch
from register_helpers import PASSWORDS, add_users
from sqlalchemy import select, text

from labelapp.domain.errors import LabelappError
from labelapp.services import rendering
from labelapp.services.context import RecordTamperedError
from labelapp.store import audit, signing
from labelapp.store.integrity import REGULATED
from labelapp.store.schema import audit_log, audit_rows


def drop_triggers(conn) -> None:
    """What someone with a database tool does first."""
    if conn.dialect.name == "sqlite":
        names = [r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))]
        for name in names:
            conn.execute(text(f"DROP TRIGGER {name}"))
    else:
        for table in [*REGULATED, "audit_log", "audit_rows"]:
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))


def tamper(reg, *statements, **params) -> None:
    """Behind the program's back: no audit entry, no witness line, triggers and foreign keys out of the way."""
    if reg.database.is_sqlite:
        import sqlite3

        raw = sqlite3.connect(reg.database.sqlite_path)  # a plain sqlite3 tool: foreign keys are off by default
        try:
            names = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]
            for name in names:
                raw.execute(f"DROP TRIGGER {name}")
            for statement in statements:
                raw.execute(statement, params)
            raw.commit()
        finally:
            raw.close()
        return
    with reg.database.engine.begin() as conn:
        drop_triggers(conn)
        conn.execute(text("SET LOCAL session_replication_role = replica"))  # foreign keys off too
        for statement in statements:
            conn.execute(text(statement), params)


def problems(reg) -> list[str]:
    result = reg.audit.verify()
    assert not result.ok, "the tampering went unnoticed"
    return result.problems


def released(reg):
    """A register with every regulated table filled: a released glycine batch and its documents."""
    who = add_users(reg, "tech", "pharm", "pharm2", "qa")
    reg.settings.update(who["admin"], {"reconciliation_limit": 1, "calc.osmolarity_ceiling": 600}, "SOP 12")
    reg.formulas.add_ingredient(
        "sucrose", {"name": "sucrose", "mw": "342.30", "particles": 1, "source": "CoA"}, who["qa"]
    )
    reg.formulas.add(executed_batch_file().formula, who["pharm2"])
    reg.formulas.approve("GLY50", "1", "pharm", PASSWORDS["pharm"])
    receive_and_release(reg, who)
    batch = reg.batches.new(executed_batch_file(units=10), who["tech"])
    run_clean_batch(reg, who, batch.id, units=10)  # 9 of 10 accepted: the yield deviation opens
    record_passing_qc(reg, who, batch.id)
    for deviation in reg.execution.status(batch.id).deviations:
        reg.execution.disposition(
            deviation.id, "qa", PASSWORDS["qa"], investigation="counted", root_cause="small batch", disposition="ok"
        )
    # the osmolarity (666 mOsmol/L) is above the facility's ceiling: a pharmacist acknowledges it
    reg.batches.acknowledge(batch.id, "osmolarity-above-ceiling", "pharm", PASSWORDS["pharm"], "hypertonic by design")
    document = rendering.render_registered(reg, batch.id, "vial")
    rendering.issue(reg, document, who["tech"], "ZD621")
    reg.batches.record_reconciliation(batch.id, who["tech"], applied=10, specimens=2, destroyed=0, returned=0)
    reg.batches.sign(batch.id, "tech", PASSWORDS["tech"], "performed")
    reg.batches.sign(batch.id, "pharm", PASSWORDS["pharm"], "verified")
    signed = rendering.sign_batch(reg, batch.id, "qa", PASSWORDS["qa"], "released")
    assert signed.archived_record is not None
    assert reg.audit.verify().ok
    return who, reg.batches.get(batch.id), signed.archived_record


# ------------------------------------------------------------------ the attacks of the issue, one by one


def test_the_verifier_of_a_released_batch_changed_to_another_pharmacist(any_reg):
    who, batch, _ = released(any_reg)
    tamper(
        any_reg,
        "UPDATE signatures SET username = 'pharm2', printed_name = 'Paul Pharmacist Two' WHERE meaning = 'verified'",
    )
    found = problems(any_reg)
    assert any(
        p.startswith("table signatures, row ")
        and 'field username: "pharm2" in the database but "pharm" in the audit trail' in p
        for p in found
    ), found
    with pytest.raises(RecordTamperedError, match="field printed_name"):
        rendering.render_batch_record(any_reg, batch.id)


def test_a_released_batch_set_back_to_draft_prints_nothing_more(any_reg):
    who, batch, _ = released(any_reg)
    tamper(any_reg, "UPDATE batches SET status = 'draft' WHERE id = :id", id=batch.id)
    assert any(
        f'table batches, row {batch.id}, field status: "draft" in the database but "released"' in p
        for p in problems(any_reg)
    )
    document_issue = None
    with pytest.raises(RecordTamperedError, match="field status"):
        document_issue = rendering.render_registered(any_reg, batch.id, "vial")
    assert document_issue is None
    with pytest.raises(RecordTamperedError, match=r"printing for lot .*field status"):
        any_reg.batches.record_print_job(batch.id, "label", "roll-vial-30ml", 106, "ZD621", b"%PDF-1.4 x", who["tech"])
    assert len(any_reg.batches.detail(batch.id).print_jobs) == 1


def test_an_archived_record_and_its_row_swapped_for_another_file(any_reg):
    who, batch, record = released(any_reg)
    forged = b"%PDF-1.4 a different batch record"
    sha, size, name = any_reg.context.archive.put(forged)
    tamper(
        any_reg,
        "UPDATE archived_documents SET sha256 = :sha, size_bytes = :size, file_name = :name WHERE id = :id",
        sha=sha,
        size=size,
        name=name,
        id=record.id,
    )
    assert any(f"table archived_documents, row {record.id}, field sha256" in p for p in problems(any_reg))
    with pytest.raises(RecordTamperedError, match=f"reprinting document {record.id}"):
        any_reg.archive.reprint(record.id, who["qa"], "copy for the inspector")


def test_a_technicians_role_changed_to_admin(any_reg):
    released(any_reg)
    tamper(any_reg, "UPDATE users SET role = 'admin' WHERE username = 'tech'")
    assert 'table users, row tech, field role: "admin" in the database but "technician" in the audit trail' in " ".join(
        problems(any_reg)
    )


def test_a_print_jobs_label_count_lowered(any_reg):
    released(any_reg)
    tamper(any_reg, "UPDATE print_jobs SET label_count = 10")
    assert any(
        "table print_jobs" in p and "field label_count: 10 in the database but 12" in p for p in problems(any_reg)
    )


def test_an_entry_appended_in_a_pharmacists_name_with_a_valid_hash(any_reg):
    released(any_reg)
    with any_reg.database.engine.begin() as conn:
        seq, prev = audit.head(conn)
        fields = {
            "seq": seq + 1,
            "at_utc": "2026-12-01T12:00:00.000000Z",
            "username": "pharm",
            "action": "batch.verified",
            "record_type": "batch",
            "record_id": "1",
            "old_value": None,
            "new_value": '{"note":"looks fine"}',
            "reason": None,
            "prev_hash": prev,
            "signer": "pharm",
            "row_states": None,
        }
        fields["entry_hash"] = audit.entry_hash(fields)
        forger = signing.SigningKey("pharm", signing.generate())  # a key of the attacker's own
        fields["signature"] = forger.sign(fields["entry_hash"])
        conn.execute(audit_log.insert().values(**fields))
    assert any(
        f"audit entry {seq + 1} (batch.verified) in 'pharm''s name: its signature does not verify" in p
        for p in problems(any_reg)
    )


def test_the_last_entries_deleted_and_everything_else_fixed(any_reg):
    released(any_reg)
    with any_reg.database.engine.begin() as conn:
        last, _ = audit.head(conn)
    tamper(any_reg, "DELETE FROM audit_rows WHERE seq > :s", "DELETE FROM audit_log WHERE seq > :s", s=last - 3)
    found = problems(any_reg)
    assert (
        f"the witness file records audit entry {last}, but the trail ends at {last - 3}: entries at the end "
        "were removed" in found
    )


def test_an_edited_released_batch_is_not_printed_under_its_genuine_signatures(any_reg):
    who, batch, _ = released(any_reg)
    with any_reg.database.engine.connect() as conn:
        document = json.loads(
            conn.execute(text("SELECT document FROM batches WHERE id = :id"), {"id": batch.id}).scalar_one()
        )
    document["batch"]["units"] = 90
    document["batch"]["component_lots"][0]["lot"] = "FORGED-1"
    tamper(any_reg, "UPDATE batches SET document = :d WHERE id = :id", d=json.dumps(document), id=batch.id)
    with pytest.raises(RecordTamperedError, match=f"table batches, row {batch.id}, field document"):
        rendering.render_batch_record(any_reg, batch.id)
    with pytest.raises(RecordTamperedError):
        rendering.archive_batch_record(any_reg, batch.id, who["qa"], "again")


# ------------------------------------------------------------------ every regulated table: edit, delete, insert


EDITS = {
    "users": "UPDATE users SET full_name = 'Someone Else' WHERE username = 'qa'",
    "settings": "UPDATE settings SET value = '7' WHERE key = 'reconciliation_limit'",
    "formulas": "UPDATE formulas SET name = 'Glycine 500 mg/mL'",
    "ingredients": "UPDATE ingredients SET document = replace(document, '342.30', '34.23')",
    "batches": "UPDATE batches SET expiration_date = '2030-01-01'",
    "archived_documents": "UPDATE archived_documents SET reason = 'nothing to see'",
    "print_jobs": "UPDATE print_jobs SET printer = 'elsewhere'",
    "reconciliations": "UPDATE reconciliations SET destroyed = 5",
    "signatures": "UPDATE signatures SET meaning = 'released' WHERE meaning = 'performed'",
    "acknowledgements": "UPDATE acknowledgements SET reason = 'someone else decided'",
    "step_entries": "UPDATE step_entries SET value = '5.9' WHERE step_id = 'ph-in-process'",
    "deviations": "UPDATE deviations SET disposition = 'accepted by nobody'",
    "qc_results": "UPDATE qc_results SET result = '0.1' WHERE spec_id = 'endotoxin'",
    "material_lots": "UPDATE material_lots SET expiry = '2031-12-31'",
}


@pytest.mark.parametrize("table", sorted(REGULATED))
def test_an_edit_behind_the_programs_back_is_named(any_reg, table):
    released(any_reg)
    tamper(any_reg, EDITS[table])
    assert any(p.startswith(f"table {table}, row ") and ", field " in p for p in problems(any_reg))


@pytest.mark.parametrize("table", sorted(REGULATED))
def test_a_deleted_row_is_named(any_reg, table):
    released(any_reg)
    with any_reg.database.engine.connect() as conn:
        key_column = REGULATED[table][1]
        key = conn.execute(select(REGULATED[table][0].c[key_column])).scalars().first()
    tamper(any_reg, f"DELETE FROM {table} WHERE {key_column} = :k", k=key)
    assert f"table {table}, row {key}: in the audit trail" in " ".join(problems(any_reg))


@pytest.mark.parametrize("table", sorted(REGULATED))
def test_an_inserted_row_is_named(any_reg, table):
    released(any_reg)
    t, key_column = REGULATED[table]
    with any_reg.database.engine.connect() as conn:
        row = dict(conn.execute(select(t)).mappings().first())
    new_key = "intruder" if key_column in ("username", "key") else 9999
    row[key_column] = new_key
    if table == "batches":
        row["lot_number"] = "G50-INTRUDER"
    if table == "ingredients":
        row["name_key"] = "intruder"
    if table == "formulas":
        row["version"] = "99"
        row["status"] = "draft"
    if table == "print_jobs":
        row["job_number"] = 99
    if table == "acknowledgements":
        row["item_sha256"] = "0" * 64
    if table == "deviations":
        row["number"] = 99
    if table == "material_lots":
        row["lot"] = "INTRUDER-1"
    if "id" in row and key_column != "id":
        row.pop("id")
    with any_reg.database.engine.begin() as conn:
        drop_triggers(conn)
        conn.execute(t.insert().values(**row))
    assert (
        f"table {table}, row {new_key}: not recorded in the audit trail (inserted behind the program's back)"
        in problems(any_reg)
    )


# ------------------------------------------------------------------ forged, replayed, reordered entries


def test_a_replayed_entry_is_caught(any_reg):
    released(any_reg)
    with any_reg.database.engine.begin() as conn:
        old = dict(conn.execute(select(audit_log).where(audit_log.c.action == "batch.released")).mappings().one())
        seq, prev = audit.head(conn)
        old.pop("id")
        conn.execute(audit_log.insert().values(**(old | {"seq": seq + 1, "prev_hash": prev})))
    found = problems(any_reg)
    assert any("audit entry id" in p and "was altered: its content no longer matches its hash" in p for p in found)


def test_a_replayed_entry_rehashed_still_fails_its_signature(any_reg):
    released(any_reg)
    with any_reg.database.engine.begin() as conn:
        old = dict(conn.execute(select(audit_log).where(audit_log.c.action == "batch.released")).mappings().one())
        seq, prev = audit.head(conn)
        old.pop("id")
        replay = old | {"seq": seq + 1, "prev_hash": prev}
        replay["entry_hash"] = audit.entry_hash(replay)  # the hash is easy; the signature is not
        conn.execute(audit_log.insert().values(**replay))
    assert any(
        f"audit entry {seq + 1} (batch.released) in 'qa''s name: its signature does not verify" in p
        for p in problems(any_reg)
    )


def test_reordered_entries_are_caught(any_reg):
    released(any_reg)
    tamper(
        any_reg,
        "UPDATE audit_log SET seq = -seq WHERE seq IN (4, 5)",
        "UPDATE audit_log SET seq = 100000 WHERE seq = -4",
        "UPDATE audit_log SET seq = 4 WHERE seq = -5",
        "UPDATE audit_log SET seq = 5 WHERE seq = 100000",
    )
    assert any("does not link to the entry before it" in p for p in problems(any_reg))


def test_an_unsigned_entry_may_not_change_an_account(any_reg):
    """A forged "failed sign-in" (the one kind of entry nobody signs) cannot carry a role change."""
    released(any_reg)
    tamper(any_reg, "UPDATE users SET role = 'admin' WHERE username = 'tech'")
    with any_reg.database.engine.begin() as conn:
        users_table = REGULATED["users"][0]
        state = dict(conn.execute(select(users_table).where(users_table.c.username == "tech")).mappings().one())
    from labelapp.store.integrity import RowState, state_of  # noqa: F401 - the program's own canonical form

    with any_reg.database.engine.begin() as conn:
        row = conn.execute(select(REGULATED["users"][0]).where(REGULATED["users"][0].c.username == "tech")).one()
        rs = RowState("users", "tech", state_of("users", row))
        seq, prev = audit.head(conn)
        fields = {
            "seq": seq + 1,
            "at_utc": "2026-12-01T12:00:00.000000Z",
            "username": None,
            "action": "auth.failed",
            "record_type": "user",
            "record_id": "tech",
            "old_value": None,
            "new_value": None,
            "reason": None,
            "prev_hash": prev,
            "signer": None,
            "row_states": json.dumps([rs.as_json()], sort_keys=True),
        }
        fields["entry_hash"] = audit.entry_hash(fields)
        conn.execute(audit_log.insert().values(**fields, signature=None))
        conn.execute(
            audit_rows.insert().values(seq=seq + 1, table_name="users", row_key="tech", state_sha256=rs.sha256)
        )
    assert state["role"] == "admin"
    assert any(
        f"audit entry {seq + 1} (auth.failed) is unsigned but changes role of user 'tech'" in p
        for p in problems(any_reg)
    )


def test_an_untouched_register_verifies_and_a_wrong_password_leaves_no_gap(any_reg):
    released(any_reg)
    with pytest.raises(LabelappError, match="user name or password is wrong"):
        any_reg.accounts.authenticate("tech", "not the password")
    result = any_reg.audit.verify()
    assert result.ok, result.problems
    assert result.signed_entries > 10 and result.rows_checked > 10 and result.witness_lines > 10
