"""The batch record of a batch executed in the register (SQLite and PostgreSQL): page 1 is QA's review by
exception, the pages after it the executed record; a formula without a master record keeps the paper worksheet.
What is read back is what pdfplumber extracts from the PDF rendered (and archived at release)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pdfplumber
import pytest
from execution_helpers import (
    executed_batch_file,
    receive_and_release,
    record_passing_qc,
    run_clean_batch,
    theoretical_glycine,
)
from register_helpers import PASSWORDS, add_users, make_batch_file

from labelapp.services import rendering

NOTE = "2 labels torn at the splice and destroyed; witnessed by Tia Tech (INV-31)"


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


def to_verified(reg, who, batch_id: int, note: str | None = NOTE) -> None:
    document = rendering.render_registered(reg, batch_id, "vial")
    rendering.issue(reg, document, who["tech"], "ZD621")
    issued = reg.batches.reconciliation_status(batch_id).labels_issued
    reg.batches.record_reconciliation(
        batch_id, who["tech"], applied=issued - 2, specimens=2, destroyed=0, returned=0, investigation_note=note
    )
    reg.batches.sign(batch_id, "tech", PASSWORDS["tech"], "performed")
    reg.batches.sign(batch_id, "pharm2", PASSWORDS["pharm2"], "verified")


def pages(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [" ".join((page.extract_text() or "").split()) for page in doc.pages]


def cells(pdf: bytes, first: int = 1, last: int | None = None) -> str:
    """Every table cell's text on pages first..last, ' | '-joined (wrapped cells read as written)."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chosen = doc.pages[first - 1 : last]
        return " | ".join(
            " ".join(c.split()) for p in chosen for t in p.extract_tables() for row in t for c in row if c
        )


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def test_a_clean_released_batch_record_says_no_exceptions_over_qa_release(any_reg, who, batch):
    run_clean_batch(any_reg, who, batch.id)
    record_passing_qc(any_reg, who, batch.id)
    to_verified(any_reg, who, batch.id)
    signed = rendering.sign_batch(any_reg, batch.id, "qa", PASSWORDS["qa"], "released")
    assert signed.archived_record is not None
    pdf = any_reg.archive.read(signed.archived_record.id)  # the record as archived at release
    again = rendering.render_batch_record(any_reg, batch.id).pdf
    assert again == rendering.render_batch_record(any_reg, batch.id).pdf  # the same bytes for the same register
    page1, first = pages(pdf)[0], cells(pdf, 1, 1)
    assert page1.startswith("EXECUTED BATCH PRODUCTION AND CONTROL RECORD — RELEASED")
    assert f"Lot {batch.lot_number}" in page1 and "Formula GLY50 v1" in page1
    assert "No exceptions" in page1
    release = signed.signature
    assert "QA release decision | RELEASED" in first
    assert "Signed by (printed name) | Quinn Quality (user name qa), QA" in first
    assert f"Date and time | {utc(release.signed_at)} UTC" in first
    assert "Meaning | released: QA reviewed this record" in first
    assert "[ ]" not in " ".join(pages(pdf))

    rest = cells(pdf, 2)
    weighed = next(e for e in any_reg.execution.entries(batch.id) if e.step_id == "glycine-weight")
    grams = f"{theoretical_glycine(any_reg, batch.id):.2f}".rstrip("0").rstrip(".")
    assert f"{grams} g (entry {weighed.id})" in rest  # the component table: the actual amount weighed
    assert f"tech, {utc(weighed.entered_at)}" in rest  # who weighed it, when
    assert f"pharm, {utc(weighed.verified_at)} (e-signed)" in rest  # who verified it, when
    assert "glycine lot GL-2291 (exp 2028-01-31, Spectrum)" in rest
    assert "99 accepted of 100 theoretical = 99% (limits 95–102%)" in rest
    assert "95% to 102% of theoretical" in rest and "within the master record's limits" in rest
    for test in ("sterility", "endotoxin", "ph", "osmolality", "assay"):
        assert f"| {test} | " in rest and rest.split(f"| {test} | ", 1)[1].split(" | ")[3] == "PASS", test
    assert "Check: A = B + C + D + E | 102 = 102: balanced" in rest
    assert f"Investigation note (211.192) | {NOTE}" in rest


def test_three_deviations_dispositioned_and_released_are_on_page_one(any_reg, who, batch):
    grams = theoretical_glycine(any_reg, batch.id)
    run_clean_batch(any_reg, who, batch.id, skip=("glycine-weight", "ph-in-process"))
    heavy = any_reg.execution.record(batch.id, "glycine-weight", f"{grams * 105 / 100:.2f}", who["tech"])
    any_reg.execution.verify_step(heavy.id, "pharm", PASSWORDS["pharm"])
    any_reg.execution.record(
        batch.id, "ph-in-process", "5.6", who["tech"], happened_at=datetime.now(UTC) - timedelta(hours=3)
    )
    record_passing_qc(any_reg, who, batch.id, skip=("endotoxin",))
    any_reg.execution.record_qc(
        batch.id, "endotoxin", "25", method=None, analyst="Lab Analyst", tested_on=date.today(), user=who["qa"]
    )
    to_verified(any_reg, who, batch.id)
    for n, d in enumerate(any_reg.execution.status(batch.id).deviations, 1):
        any_reg.execution.disposition(
            d.id,
            "qa",
            PASSWORDS["qa"],
            investigation=f"reviewed the batch history for DEV-{n}",
            root_cause=f"see investigation INV-{n}",
            disposition="no impact on quality: accepted",
            capa=f"CAPA-1{n}",
        )
    rendering.sign_batch(any_reg, batch.id, "qa", PASSWORDS["qa"], "released")
    pdf = rendering.render_batch_record(any_reg, batch.id).pdf
    page1 = cells(pdf, 1, 1)
    assert "No exceptions" not in pages(pdf)[0] and "Exceptions (3)" in pages(pdf)[0]
    for n, kind in ((1, "out-of-limit"), (2, "late-entry"), (3, "qc-failure")):
        assert f"DEV-{n} {kind} CLOSED" in page1, kind
        assert f"Investigation: reviewed the batch history for DEV-{n}" in page1
        assert f"CAPA: CAPA-1{n}" in page1
    assert page1.count("Disposition: no impact on quality: accepted") == 3
    assert page1.count("E-signed: Quinn Quality (qa), QA, dispositioned,") == 3
    assert "5% from the theoretical" in page1 and "not contemporaneous" in page1
    assert "QA release decision | RELEASED" in page1
    rest = cells(pdf, 2)
    assert "endotoxin | USP <85> kinetic chromogenic | at most 11.7 EU/mL | 25 EU/mL | FAIL (DEV-3)" in rest
    assert "OUT OF LIMIT (DEV-1)" in rest and "LATE ENTRY (DEV-2)" in rest


def test_a_record_printed_before_release_says_not_released_with_the_blockers(any_reg, who, batch):
    run_clean_batch(any_reg, who, batch.id)
    record_passing_qc(any_reg, who, batch.id, skip=("sterility",))
    to_verified(any_reg, who, batch.id, note=None)
    pdf = rendering.render_batch_record(any_reg, batch.id).pdf
    assert all("— NOT RELEASED" in page for page in pages(pdf))
    page1 = cells(pdf, 1, 1)
    assert "NOT RELEASED: 1 release blocker" in page1
    assert "• no sterility result (sterility)" in page1
    assert "QA e-signature | none: QA has not released or rejected this batch" in page1
    assert "NO RESULT" in cells(pdf, 2)
    draft = any_reg.batches.new(executed_batch_file(), who["tech"])
    first = cells(rendering.render_batch_record(any_reg, draft.id).pdf, 1, 1)
    for blocker in (
        "the batch is not signed as performed",
        "step 'Line clearance before use' is not recorded",
        "no assay result (assay)",
    ):
        assert f"• {blocker}" in first, blocker


def test_the_reconciliation_investigation_note_is_on_the_paper_worksheet_too(any_reg, who):
    any_reg.formulas.add(make_batch_file().formula, who["pharm2"])  # no master record: executed on paper
    any_reg.formulas.approve("GLY50", "1", "pharm", PASSWORDS["pharm"])
    batch = any_reg.batches.new(make_batch_file(units=10), who["tech"])
    rendering.issue(any_reg, rendering.render_registered(any_reg, batch.id, "vial"), who["tech"], "ZD621")
    any_reg.batches.record_reconciliation(
        batch.id, who["tech"], applied=8, specimens=2, destroyed=0, returned=0, investigation_note=NOTE
    )
    pdf = rendering.render_batch_record(any_reg, batch.id).pdf
    text = " ".join(pages(pdf))
    assert text.startswith("BATCH PRODUCTION AND CONTROL RECORD Page 1")  # the paper worksheet, not executed
    assert "Review by exception" not in text and "4. Equipment" in text
    assert f"Investigation note (211.192) | {NOTE}" in cells(pdf)
    assert "Recorded in the register | tech, " in cells(pdf)


def test_a_write_while_the_record_is_read_is_read_again_so_record_and_anchor_agree(any_reg, who, batch, monkeypatch):
    read_status = any_reg.execution.status
    calls = []

    def status_with_a_write_in_between(batch_id):
        calls.append(batch_id)
        status = read_status(batch_id)
        if len(calls) == 1:  # someone opens a deviation while the record is being read
            any_reg.execution.open_deviation(batch_id, "override", "door alarm during filling", who["tech"])
        return status

    monkeypatch.setattr(any_reg.execution, "status", status_with_a_write_in_between)
    record = rendering.render_batch_record(any_reg, batch.id)
    assert len(calls) == 2
    assert record.audit_head == any_reg.audit.anchor()
    assert "door alarm during filling" in cells(record.pdf, 1, 1)
