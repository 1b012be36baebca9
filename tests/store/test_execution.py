"""The executed batch record: recorded as it happens, checked on entry, exceptions open deviations,
release waits for them (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from execution_helpers import (
    executed_batch_file,
    receive_and_release,
    record_passing_qc,
    run_clean_batch,
    theoretical_glycine,
)
from register_helpers import PASSWORDS, add_users

from labelapp.domain.errors import NotFoundError, PermissionDenied, RuleViolation
from labelapp.domain.execution import DeviationKind, DeviationStatus
from labelapp.services import rendering


@pytest.fixture
def who(any_reg):
    return add_users(any_reg, "tech", "tech2", "pharm", "pharm2", "qa")


@pytest.fixture
def batch(any_reg, who):
    bf = executed_batch_file()
    any_reg.formulas.add(bf.formula, who["pharm2"])
    any_reg.formulas.approve("GLY50", "1", "pharm", PASSWORDS["pharm"])
    receive_and_release(any_reg, who)
    return any_reg.batches.new(bf, who["tech"])


def to_verified(reg, who, batch_id: int) -> None:
    document = rendering.render_registered(reg, batch_id, "vial")
    rendering.issue(reg, document, who["tech"], "ZD621")
    issued = reg.batches.reconciliation_status(batch_id).labels_issued
    reg.batches.record_reconciliation(batch_id, who["tech"], applied=issued - 2, specimens=2, destroyed=0, returned=0)
    reg.batches.sign(batch_id, "tech", PASSWORDS["tech"], "performed")
    reg.batches.sign(batch_id, "pharm2", PASSWORDS["pharm2"], "verified")


def test_a_batch_executed_without_exceptions_releases(any_reg, who, batch):
    run_clean_batch(any_reg, who, batch.id)
    record_passing_qc(any_reg, who, batch.id)
    to_verified(any_reg, who, batch.id)
    status = any_reg.execution.status(batch.id)
    assert status.deviations == [] and status.release_blockers == [], status.release_blockers
    assert status.yield_ok and "99 accepted of 100 theoretical = 99%" in status.yield_text
    signed = rendering.sign_batch(any_reg, batch.id, "qa", PASSWORDS["qa"], "released")
    assert signed.archived_record is not None
    record = next(d for d in any_reg.batches.detail(batch.id).documents if d.kind == "batch_record")
    any_reg.archive.reprint(record.id, who["pharm"], "copy for the customer complaint file")
    assert any_reg.execution.status(batch.id).deviations == []  # a copy of the record is not a label reprint
    assert any_reg.audit.verify().ok


def test_an_out_of_limit_weight_a_late_entry_and_a_failed_endotoxin_open_three_deviations(any_reg, who, batch):
    grams = theoretical_glycine(any_reg, batch.id)
    run_clean_batch(any_reg, who, batch.id, skip=("glycine-weight", "ph-in-process"))
    heavy = any_reg.execution.record(batch.id, "glycine-weight", f"{grams * 105 / 100:.2f}", who["tech"])
    assert heavy.within_limits is False
    any_reg.execution.verify_step(heavy.id, "pharm", PASSWORDS["pharm"])
    any_reg.execution.record(
        batch.id, "ph-in-process", "5.6", who["tech"], happened_at=datetime.now(UTC) - timedelta(hours=3)
    )
    record_passing_qc(any_reg, who, batch.id, skip=("endotoxin",))
    failed = any_reg.execution.record_qc(
        batch.id, "endotoxin", "25", method=None, analyst="Lab Analyst", tested_on=date.today(), user=who["qa"]
    )
    assert failed.passed is False  # computed, never typed
    to_verified(any_reg, who, batch.id)
    status = any_reg.execution.status(batch.id)
    kinds = sorted(d.kind for d in status.deviations)
    assert kinds == [DeviationKind.LATE_ENTRY, DeviationKind.OUT_OF_LIMIT, DeviationKind.QC_FAILURE]
    weight = next(d for d in status.deviations if d.kind is DeviationKind.OUT_OF_LIMIT)
    assert "5% from the theoretical" in weight.description and "limit ±2%" in weight.description
    with pytest.raises(
        RuleViolation,
        match=r"cannot be released yet: .*endotoxin \(endotoxin\) failed: 25; "
        r".*deviation DEV-1 \(out-of-limit\) is open",
    ):
        any_reg.batches.sign(batch.id, "qa", PASSWORDS["qa"], "released")
    for d in status.deviations:
        any_reg.execution.disposition(
            d.id,
            "qa",
            PASSWORDS["qa"],
            investigation="reviewed the batch history",
            root_cause="see investigation INV-7",
            disposition="no impact: accepted",
            capa="CAPA-12",
        )
    closed = any_reg.execution.status(batch.id)
    assert all(d.status is DeviationStatus.CLOSED and d.closed_by == "qa" for d in closed.deviations)
    assert closed.release_blockers == []
    rendering.sign_batch(any_reg, batch.id, "qa", PASSWORDS["qa"], "released")
    assert any_reg.batches.get(batch.id).status == "released"
    assert any_reg.audit.verify().ok
    # each signature is checked against what it was made over: the step verification against its
    # entry, each disposition against its deviation, the batch signatures against the batch
    signatures = any_reg.batches.signatures(batch.id)
    assert {s.record_type for s in signatures} == {"batch", "step", "deviation"}
    assert [s.subject for s in signatures if not s.content_matches] == []


def test_release_lists_everything_missing(any_reg, who, batch):
    to_verified(any_reg, who, batch.id)  # nothing recorded at all
    status = any_reg.execution.status(batch.id)
    assert sum(1 for d in status.deviations if d.kind is DeviationKind.MISSING_STEP) == 13  # every required step
    with pytest.raises(RuleViolation) as refused:
        any_reg.batches.sign(batch.id, "qa", PASSWORDS["qa"], "released")
    for words in (
        "step 'Line clearance before use' is not recorded",
        "no sterility result (sterility)",
        "deviation DEV-1 (missing-step) is open",
    ):
        assert words in str(refused.value)


def test_component_lots_must_be_received_released_unexpired_and_the_right_ingredient(any_reg, who, batch):
    ex, tech = any_reg.execution, who["tech"]
    with pytest.raises(RuleViolation, match="lot 'NOPE-1' has not been received"):
        ex.record(batch.id, "glycine-lot", "NOPE-1", tech)
    with pytest.raises(RuleViolation, match="lot W-7781 is water for injection, not glycine"):
        ex.record(batch.id, "glycine-lot", "W-7781", tech)
    held = ex.receive_material(
        ingredient="glycine", lot="GL-HOLD", manufacturer="Spectrum", expiry=date(2030, 1, 1), user=tech
    )
    with pytest.raises(RuleViolation, match="GL-HOLD of glycine is in quarantine; only a lot QA has released"):
        ex.record(batch.id, "glycine-lot", "GL-HOLD", tech)
    old = ex.receive_material(
        ingredient="glycine", lot="GL-OLD", manufacturer="Spectrum", expiry=date(2025, 12, 31), user=tech
    )
    ex.release_material(old.id, "qa", PASSWORDS["qa"])
    with pytest.raises(RuleViolation, match="lot GL-OLD expired 2025-12-31, before compounding on 2026-01-15"):
        ex.record(batch.id, "glycine-lot", "GL-OLD", tech)
    with pytest.raises(PermissionDenied, match="may not release component lots"):
        ex.release_material(held.id, "tech", PASSWORDS["tech"])
    scanned = ex.receive_material(
        ingredient="glycine",
        lot="A1B2C3",
        manufacturer="Spectrum",
        expiry=date(2027, 3, 31),
        user=tech,
        gtin="00614141999965",
    )
    ex.release_material(scanned.id, "qa", PASSWORDS["qa"])
    with pytest.raises(
        RuleViolation, match=r"lot A1B2C3 is not the glycine lot this batch was started with \(GL-2291\)"
    ):
        ex.record(batch.id, "glycine-lot", "]d2010061414199996510A1B2C3\x1d17270331", tech)
    entry = ex.record(batch.id, "glycine-lot", "]d2010061414199996510GL-2291\x1d17280131", tech)
    assert entry.source == "scanned" and "glycine lot GL-2291 (exp 2028-01-31" in entry.value


def test_a_correction_keeps_the_original_needs_a_reason_and_opens_a_deviation(any_reg, who, batch):
    ex = any_reg.execution
    first = ex.record(batch.id, "ph-in-process", "5.2", who["tech"])
    with pytest.raises(RuleViolation, match="a reason for the correction is required"):
        ex.correct(first.id, "5.3", "", who["tech"])
    second = ex.correct(first.id, "5.3", "meter read before it settled", who["tech"])
    entries = ex.entries(batch.id)
    assert [(e.value, e.superseded) for e in entries] == [("5.2", True), ("5.3", False)]
    assert second.corrects_id == first.id and second.reason == "meter read before it settled"
    assert [d.kind for d in ex.status(batch.id).deviations] == [DeviationKind.CORRECTION]


def test_a_second_person_verifies_a_step(any_reg, who, batch):
    ex = any_reg.execution
    entry = ex.record(batch.id, "line-clearance", "yes", who["tech"])
    with pytest.raises(RuleViolation, match="tech recorded this step and cannot also verify it"):
        ex.verify_step(entry.id, "tech", PASSWORDS["tech"])
    verified = ex.verify_step(entry.id, "tech2", PASSWORDS["tech2"])
    assert verified.verified_by == "tech2"


def test_values_are_checked_as_they_are_entered(any_reg, who, batch):
    ex, tech = any_reg.execution, who["tech"]
    with pytest.raises(RuleViolation, match="In-process pH: 'five' is not a number"):
        ex.record(batch.id, "ph-in-process", "five", tech)
    with pytest.raises(RuleViolation, match="answer yes or no"):
        ex.record(batch.id, "line-clearance", "maybe", tech)
    with pytest.raises(NotFoundError, match="has no step 'stir'"):
        ex.record(batch.id, "stir", "yes", tech)
    with pytest.raises(RuleViolation, match="cannot have happened in the future"):
        ex.record(batch.id, "ph-in-process", "5.5", tech, happened_at=datetime.now(UTC) + timedelta(hours=1))
    low = ex.record(batch.id, "filter-integrity", "40", tech)
    assert low.within_limits is False and low.limit_text == "at least 50 psi"
    weighed = ex.record(batch.id, "fill-check", "31.5 g", tech)  # a fill weight: the density makes it mL
    assert weighed.value == "31.5 g = 31 mL" and weighed.within_limits is True
    expired = ex.record(batch.id, "balance", "BAL-0042 2025-06-30", tech)
    assert expired.within_limits is False
    assert [d.kind for d in ex.status(batch.id).deviations] == [DeviationKind.OUT_OF_LIMIT] * 2


def test_hold_times_and_reprints_open_deviations(any_reg, who, batch):
    ex, tech = any_reg.execution, who["tech"]
    now = datetime.now(UTC)
    ex.record(
        batch.id,
        "compounding-end",
        (now - timedelta(hours=6)).isoformat(timespec="minutes"),
        tech,
        happened_at=now - timedelta(minutes=20),
    )
    ex.record(batch.id, "filtration-start", now.isoformat(timespec="minutes"), tech)
    held = [d for d in ex.status(batch.id).deviations if d.kind is DeviationKind.HOLD_TIME]
    assert len(held) == 1 and "360 minutes after the end of compounding" in held[0].description
    document = rendering.render_registered(any_reg, batch.id, "vial")
    job = rendering.issue(any_reg, document, tech, "ZD621")
    any_reg.archive.reprint(job.document_id, tech, "roll jammed")
    assert any(d.kind is DeviationKind.REPRINT for d in ex.status(batch.id).deviations)


def test_only_pharmacists_and_qa_disposition_deviations(any_reg, who, batch):
    entry = any_reg.execution.record(batch.id, "ph-in-process", "8.0", who["tech"])
    deviation = any_reg.execution.status(batch.id).deviations[0]
    assert deviation.reference == f"entry {entry.id}"
    with pytest.raises(PermissionDenied, match="may not disposition deviations"):
        any_reg.execution.disposition(
            deviation.id, "tech", PASSWORDS["tech"], investigation="x", root_cause="y", disposition="z"
        )
