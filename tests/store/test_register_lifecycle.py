"""Batch life cycle, formula versions, two-person rule, roles, reconciliation, immutability.

Each test runs on SQLite and on PostgreSQL (the ``any_reg`` fixture)."""

from __future__ import annotations

import pytest
from register_helpers import PASSWORDS, add_users, make_batch_file
from sqlalchemy import text

from labelapp.domain.errors import NotFoundError, PermissionDenied, RuleViolation
from labelapp.store.errors import RecordLockedError

PDF = b"%PDF-1.4 label for lot"


@pytest.fixture
def who(any_reg):
    return add_users(any_reg, "tech", "tech2", "pharm", "pharm2", "qa")


@pytest.fixture
def formula_v1(any_reg, who):
    any_reg.formulas.add(make_batch_file().formula, who["pharm2"])
    return any_reg.formulas.approve("GLY50", "1", "pharm", PASSWORDS["pharm"])


def _to_compounded(reg, who, labels=105):
    batch = reg.batches.new(make_batch_file(), who["tech"])
    reg.batches.record_print_job(
        batch.id, "label", "roll-vial-30ml", labels, "ZD621", PDF + batch.lot_number.encode(), who["tech"]
    )
    reg.batches.sign(batch.id, "tech", PASSWORDS["tech"], "performed")
    return batch


def _to_verified(reg, who):
    batch = _to_compounded(reg, who)
    reg.batches.record_reconciliation(batch.id, who["tech"], applied=100, specimens=2, destroyed=3, returned=0)
    reg.batches.sign(batch.id, "pharm", PASSWORDS["pharm"], "verified")
    return batch


def test_full_life_cycle_draft_to_released(any_reg, who, formula_v1):
    batch = _to_verified(any_reg, who)
    any_reg.archive.add(batch.id, "batch_record", b"%PDF-1.4 batch record", who["qa"])
    any_reg.batches.sign(batch.id, "qa", PASSWORDS["qa"], "released")

    detail = any_reg.batches.detail(batch.id)
    assert detail.batch.status == "released"
    assert detail.batch.lot_number == "G50-260115-01"
    assert [(s.meaning.value, s.printed_name, s.status_at_signing) for s in detail.signatures] == [
        ("performed", "Tom Tech", "draft"),
        ("verified", "Pia Pharmacist", "compounded"),
        ("released", "Quinn Quality", "verified"),
    ]
    assert all(s.content_matches for s in detail.signatures)
    assert all(s.signed_at.tzinfo is not None for s in detail.signatures)
    assert detail.signatures[0].manifestation().startswith("Tom Tech (tech), performed, ")
    assert detail.reconciliation.labels_issued == 105 and not detail.reconciliation.blocks_verification
    assert {d.kind for d in detail.documents} == {"label", "batch_record"}
    stored = any_reg.batches.batch_file(batch.id)
    assert stored.batch.lot_number == batch.lot_number  # the document carries its allocated lot
    assert detail.batch.computation_data()["lot_number"] == batch.lot_number
    assert any_reg.audit.verify().ok


def test_only_an_approved_formula_starts_a_batch(any_reg, who):
    any_reg.formulas.add(make_batch_file().formula, who["pharm2"])
    with pytest.raises(RuleViolation, match="draft; only the approved version"):
        any_reg.batches.new(make_batch_file(), who["tech"])
    with pytest.raises(RuleViolation, match="not in the register"):
        any_reg.batches.new(make_batch_file(version=2), who["tech"])
    assert any_reg.batches.search() == []


def test_new_version_supersedes_and_batches_keep_their_version(any_reg, who, formula_v1):
    first = any_reg.batches.new(make_batch_file(), who["tech"])
    any_reg.formulas.add(make_batch_file(version=2).formula, who["pharm2"])
    v2 = any_reg.formulas.approve("GLY50", "2", "pharm", PASSWORDS["pharm"])
    assert v2.status == "approved"
    assert any_reg.formulas.get("GLY50", "1").status == "superseded"
    assert any_reg.batches.get(first.id).formula_version == "1"
    with pytest.raises(RuleViolation, match="superseded"):
        any_reg.batches.new(make_batch_file(), who["tech"])
    assert any_reg.batches.new(make_batch_file(version=2), who["tech"]).formula_version == "2"
    with pytest.raises(RuleViolation, match="only a draft can be approved"):
        any_reg.formulas.approve("GLY50", "1", "pharm", PASSWORDS["pharm"])


def test_batch_file_must_carry_the_approved_formula_content(any_reg, who, formula_v1):
    edited = make_batch_file()
    edited = edited.model_copy(update={"formula": edited.formula.model_copy(update={"route": "intramuscular"})})
    with pytest.raises(RuleViolation, match="differs from approved"):
        any_reg.batches.new(edited, who["tech"])


def test_formula_author_cannot_approve_it(any_reg, who):
    any_reg.formulas.add(make_batch_file().formula, who["pharm"])
    with pytest.raises(RuleViolation, match="cannot also approve"):
        any_reg.formulas.approve("GLY50", "1", "pharm", PASSWORDS["pharm"])
    assert any_reg.formulas.get("GLY50", "1").status == "draft"


def test_two_person_rule(any_reg, who, formula_v1):
    batch = any_reg.batches.new(make_batch_file(), who["pharm"])  # a pharmacist prepares it
    any_reg.batches.record_print_job(batch.id, "label", "roll", 10, "ZD621", PDF, who["pharm"])
    any_reg.batches.sign(batch.id, "pharm2", PASSWORDS["pharm2"], "performed")
    any_reg.batches.record_reconciliation(batch.id, who["tech"], applied=10, specimens=0, destroyed=0, returned=0)
    with pytest.raises(RuleViolation, match=r"pharm prepared .*\(two-person rule\)"):
        any_reg.batches.sign(batch.id, "pharm", PASSWORDS["pharm"], "verified")
    with pytest.raises(RuleViolation, match="pharm2 performed"):
        any_reg.batches.sign(batch.id, "pharm2", PASSWORDS["pharm2"], "verified")
    assert any_reg.batches.get(batch.id).status == "compounded"
    assert len(any_reg.batches.signatures(batch.id)) == 1


@pytest.mark.parametrize(
    ("signer", "meaning"),
    [("tech", "verified"), ("qa", "verified"), ("pharm", "released"), ("tech", "released"), ("admin", "performed")],
)
def test_roles_are_checked_when_signing(any_reg, who, formula_v1, signer, meaning):
    batch = _to_compounded(any_reg, who)
    if meaning == "released":
        any_reg.batches.record_reconciliation(batch.id, who["tech"], applied=105, specimens=0, destroyed=0, returned=0)
        any_reg.batches.sign(batch.id, "pharm2", PASSWORDS["pharm2"], "verified")
    before = any_reg.batches.get(batch.id)
    action = {"verified": "verify batches", "released": "release batches", "performed": "sign batches as performed"}
    with pytest.raises(PermissionDenied, match=rf"{signer} \(\w+\) may not {action[meaning]}"):
        any_reg.batches.sign(batch.id, signer, PASSWORDS[signer], meaning)
    assert any_reg.batches.get(batch.id).status == before.status


def test_roles_for_formulas_users_and_settings(any_reg, who):
    with pytest.raises(PermissionDenied, match="may not add formulas"):
        any_reg.formulas.add(make_batch_file().formula, who["tech"])
    any_reg.formulas.add(make_batch_file().formula, who["qa"])
    with pytest.raises(PermissionDenied, match="may not approve formulas"):
        any_reg.formulas.approve("GLY50", "1", "tech", PASSWORDS["tech"])
    with pytest.raises(PermissionDenied, match="may not change settings"):
        any_reg.settings.update(who["qa"], {"reconciliation_limit": 5})
    with pytest.raises(PermissionDenied, match="may not manage users"):
        any_reg.accounts.create_user("eve", "Eve", "admin", "eve-password-1", actor=who["pharm"])
    assert any_reg.settings.current().reconciliation_limit == 0


def test_wrong_password_on_signature_writes_nothing(any_reg, who, formula_v1):
    batch = _to_compounded(any_reg, who)
    any_reg.batches.record_reconciliation(batch.id, who["tech"], applied=105, specimens=0, destroyed=0, returned=0)
    from labelapp.domain.errors import AuthenticationError

    with pytest.raises(AuthenticationError, match="user name or password is wrong"):
        any_reg.batches.sign(batch.id, "pharm", "not-the-password", "verified")
    assert any_reg.batches.get(batch.id).status == "compounded"
    assert [s.meaning for s in any_reg.batches.signatures(batch.id)] == ["performed"]


def test_reconciliation_blocks_verification_until_explained(any_reg, who, formula_v1):
    batch = _to_compounded(any_reg, who, labels=110)
    with pytest.raises(RuleViolation, match="not reconciled yet"):
        any_reg.batches.sign(batch.id, "pharm", PASSWORDS["pharm"], "verified")
    any_reg.batches.record_reconciliation(batch.id, who["tech"], applied=100, specimens=2, destroyed=3, returned=2)
    status = any_reg.batches.reconciliation_status(batch.id)
    assert status.blocks_verification and status.latest.difference == 3
    with pytest.raises(RuleViolation, match="difference 3, limit 0.*investigation note"):
        any_reg.batches.sign(batch.id, "pharm", PASSWORDS["pharm"], "verified")
    any_reg.batches.record_reconciliation(
        batch.id,
        who["tech"],
        applied=100,
        specimens=2,
        destroyed=3,
        returned=2,
        investigation_note="3 labels torn at the peel bar; destroyed; DEV-26-011",
    )
    any_reg.batches.sign(batch.id, "pharm", PASSWORDS["pharm"], "verified")
    assert any_reg.batches.get(batch.id).status == "verified"
    assert len(any_reg.batches.detail(batch.id).reconciliations) == 2  # history kept


def test_reconciliation_limit_setting_and_reprint_requires_new_reconciliation(any_reg, who, formula_v1):
    any_reg.settings.update(who["admin"], {"reconciliation_limit": 2}, reason="SOP-LBL-004 rev 3")
    batch = _to_compounded(any_reg, who, labels=102)
    any_reg.batches.record_reconciliation(batch.id, who["tech"], applied=100, specimens=0, destroyed=0, returned=0)
    assert not any_reg.batches.reconciliation_status(batch.id).blocks_verification
    doc = any_reg.batches.detail(batch.id).print_jobs[0].document_id
    job, data = any_reg.archive.reprint(doc, who["tech"], reason="roll jammed", count=5)
    assert job.is_reprint and job.job_number == 2 and job.reprint_of is not None
    assert data.startswith(PDF)
    status = any_reg.batches.reconciliation_status(batch.id)
    assert status.labels_issued == 107 and status.blocks_verification


def test_released_batch_is_immutable_in_service_and_database(any_reg, who, formula_v1):
    batch = _to_verified(any_reg, who)
    any_reg.batches.sign(batch.id, "qa", PASSWORDS["qa"], "released")
    with pytest.raises(RuleViolation, match="released"):
        any_reg.batches.void(batch.id, "qa", PASSWORDS["qa"], "mistake")
    with pytest.raises(RuleViolation, match="released"):
        any_reg.batches.record_reconciliation(batch.id, who["tech"], applied=1, specimens=0, destroyed=0, returned=0)
    with pytest.raises(RuleViolation, match="labels can only be printed before verification"):
        any_reg.batches.record_print_job(batch.id, "label", "roll", 5, "ZD621", PDF, who["tech"])
    with pytest.raises(RuleViolation, match="only a draft can be edited"):
        any_reg.batches.update_draft(batch.id, make_batch_file(units=50), who["tech"], "more units")
    db = any_reg.database
    for statement in (
        "UPDATE batches SET status = 'draft' WHERE id = :id",
        "UPDATE batches SET document = '{}' WHERE id = :id",
        "DELETE FROM batches WHERE id = :id",
    ):
        with pytest.raises(RecordLockedError, match="cannot change|never deleted"):
            with db.write() as conn:
                conn.execute(text(statement), {"id": batch.id})
    with pytest.raises(RecordLockedError, match="cannot change|cannot be changed|never deleted"):
        with db.write() as conn:
            conn.execute(
                text(
                    "INSERT INTO reconciliations (batch_id, issued, applied, specimens, destroyed, "
                    "returned, difference, recorded_at, recorded_by) VALUES (:id, 1, 1, 0, 0, 0, 0, "
                    "'2026-01-01 00:00:00', 'tech')"
                ),
                {"id": batch.id},
            )
    assert any_reg.batches.get(batch.id).status == "released"
    assert all(s.content_matches for s in any_reg.batches.signatures(batch.id))


def test_reject_and_void_need_a_reason_and_end_the_batch(any_reg, who, formula_v1):
    draft = any_reg.batches.new(make_batch_file(), who["tech"])
    with pytest.raises(RuleViolation, match="reason"):
        any_reg.batches.void(draft.id, "pharm", PASSWORDS["pharm"], "  ")
    signature = any_reg.batches.void(draft.id, "pharm", PASSWORDS["pharm"], "wrong component lot entered")
    assert signature.meaning == "voided"
    voided = any_reg.batches.get(draft.id)
    assert voided.status == "voided" and voided.status_reason == "wrong component lot entered"
    with pytest.raises(RuleViolation, match="voided"):
        any_reg.batches.sign(draft.id, "tech", PASSWORDS["tech"], "performed")
    compounded = _to_compounded(any_reg, who)
    with pytest.raises(PermissionDenied, match=r"tech \(technician\) may not reject batches"):
        any_reg.batches.reject(compounded.id, "tech", PASSWORDS["tech"], "particles")
    any_reg.batches.reject(compounded.id, "qa", PASSWORDS["qa"], "visible particles in 3 units")
    assert any_reg.batches.get(compounded.id).status == "rejected"
    assert any_reg.batches.search(status="rejected")[0].id == compounded.id


def test_draft_can_be_corrected_and_keeps_its_lot(any_reg, who, formula_v1):
    draft = any_reg.batches.new(make_batch_file(units=100), who["tech"])
    updated = any_reg.batches.update_draft(draft.id, make_batch_file(units=120), who["tech"], "planned 120 units")
    assert updated.lot_number == draft.lot_number
    assert any_reg.batches.batch_file(draft.id).batch.units == 120
    with pytest.raises(RuleViolation, match="reason"):
        any_reg.batches.update_draft(draft.id, make_batch_file(units=90), who["tech"], "")


def test_batch_file_with_a_lot_number_is_refused(any_reg, who, formula_v1):
    data = make_batch_file().model_dump(mode="json")
    data["batch"]["lot_number"] = "MANUAL-01"
    from labelapp.domain.batch import BatchFile

    with pytest.raises(RuleViolation, match="allocates lot numbers"):
        any_reg.batches.new(BatchFile.model_validate(data), who["tech"])


def test_list_and_search_batches(any_reg, who, formula_v1):
    a = any_reg.batches.new(make_batch_file(day=14), who["tech"])
    b = any_reg.batches.new(make_batch_file(day=16), who["tech"])
    from datetime import date

    assert [x.id for x in any_reg.batches.search(date_from=date(2026, 1, 15))] == [b.id]
    assert [x.id for x in any_reg.batches.search(lot="260114")] == [a.id]
    assert len(any_reg.batches.search(product="glycine")) == 2
    assert len(any_reg.batches.search(text="G50-2601")) == 2
    assert any_reg.batches.search(status="released") == []
    with pytest.raises(NotFoundError, match="no batch with lot number 'NOPE'"):
        any_reg.batches.by_lot("NOPE")


def test_signature_detects_content_changed_behind_its_back(any_reg, who, formula_v1):
    batch = _to_verified(any_reg, who)
    with any_reg.database.write() as conn:  # someone edits the stored batch with a database tool
        conn.execute(
            text("UPDATE batches SET document = replace(document, :old, :new) WHERE id = :id"),
            {"id": batch.id, "old": '"units":100', "new": '"units":900'},
        )
    checks = {s.meaning.value: s.content_matches for s in any_reg.batches.signatures(batch.id)}
    assert checks == {"performed": False, "verified": False}


def test_facility_settings_are_enforced_on_new_batches(any_reg, who, formula_v1):
    from labelapp.domain.facility import Facility

    other = Facility(name="Another Facility", address="2 Side St, Springfield, IL 62701", phone="555-010-9999")
    with pytest.raises(PermissionDenied, match=r"\(qa\) may not change settings"):
        any_reg.settings.set_facility(other, who["qa"])
    any_reg.settings.set_facility(other, who["admin"], reason="initial set-up")
    assert any_reg.settings.facility().name == "Another Facility"
    with pytest.raises(RuleViolation, match="facility in the batch file differs"):
        any_reg.batches.new(make_batch_file(), who["tech"])
    any_reg.settings.set_facility(make_batch_file().facility, who["admin"])
    assert any_reg.batches.new(make_batch_file(), who["tech"]).status == "draft"


def test_facility_ingredients_are_stored(any_reg, who):
    from labelapp.domain.errors import LabelappError
    from labelapp.domain.ingredient import Ingredient

    gluconate = Ingredient(name="sodium gluconate", mw="218.14", particles=2)
    record = any_reg.formulas.add_ingredient("Sodium gluconate", gluconate, who["pharm"])
    assert record.source == "facility" and '"mw":"218.14"' in record.document
    with pytest.raises(LabelappError, match="already"):
        any_reg.formulas.add_ingredient("SODIUM GLUCONATE", gluconate, who["qa"])
    with pytest.raises(PermissionDenied, match="may not add ingredients"):
        any_reg.formulas.add_ingredient("Other", {"name": "other"}, who["tech"])
    assert [i.name for i in any_reg.formulas.list_ingredients()] == ["Sodium gluconate"]


def test_approved_formula_cannot_be_edited_in_the_database(any_reg, who, formula_v1):
    for statement in ("UPDATE formulas SET document = '{}' WHERE id = :id", "DELETE FROM formulas WHERE id = :id"):
        with pytest.raises(RecordLockedError, match="formula"):
            with any_reg.database.write() as conn:
                conn.execute(text(statement), {"id": formula_v1.id})
    assert any_reg.formulas.signatures(formula_v1.id)[0].content_matches
