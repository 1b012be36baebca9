"""The PDFs of a registered batch through services.rendering: labels printed from the register are
archived and counted, the bytes recorded are the bytes previewed (never rendered twice), a stale
preview is refused, the batch record carries the signatures and reconciliation."""

from __future__ import annotations

import io

import pdfplumber
import pytest
from register_helpers import PASSWORDS, add_users, make_batch_file

from labelapp.domain.errors import RuleViolation
from labelapp.services import rendering


@pytest.fixture
def who(reg):
    return add_users(reg, "tech", "pharm", "pharm2", "qa")


@pytest.fixture
def batch(reg, who):
    reg.formulas.add(make_batch_file().formula, who["pharm2"])
    reg.formulas.approve("GLY50", "1", "pharm", PASSWORDS["pharm"])
    return reg.batches.new(make_batch_file(units=10), who["tech"])


def issue_labels(reg, batch_id, user, kind, printer):
    document = rendering.render_registered(reg, batch_id, kind)
    return document, rendering.issue(reg, document, user, printer)


def _text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages)


def test_issued_labels_carry_the_registered_lot_and_are_archived_and_counted(reg, who, batch):
    document, job = issue_labels(reg, batch.id, who["tech"], "vial", "ZD621-line-2")
    assert document.count == 12  # 10 units + 2 specimen labels (batch default), 0 retains
    assert job.label_count == 12 and job.printer == "ZD621-line-2"
    assert reg.archive.read(job.document_id) == document.pdf  # the previewed bytes, archived as they are
    assert job.document_sha256 == document.sha256
    assert f"LOT {batch.lot_number}" in _text(document.pdf)
    assert reg.batches.reconciliation_status(batch.id).labels_issued == 12


def test_registered_batch_uses_the_settings_in_force(reg, who, batch):
    assert rendering.registered_batch(reg, batch.id).computation.tonicity.category == "hypertonic"
    reg.settings.update(
        who["admin"], {"calc.tonicity.hypertonic_from": 700, "calc.tonicity.peripheral_caution_above": 800}, "test SOP"
    )
    assert rendering.registered_batch(reg, batch.id).computation.tonicity.category == "iso-osmotic"


def test_release_record_shows_signatures_and_reconciliation(reg, who, batch):
    issue_labels(reg, batch.id, who["tech"], "vial", "ZD621")
    reg.batches.record_reconciliation(batch.id, who["tech"], applied=10, specimens=2, destroyed=0, returned=0)
    reg.batches.sign(batch.id, "tech", PASSWORDS["tech"], "performed")
    reg.batches.sign(batch.id, "pharm", PASSWORDS["pharm"], "verified")
    reg.batches.sign(batch.id, "qa", PASSWORDS["qa"], "released")
    record = rendering.archive_batch_record(reg, batch.id, who["qa"], "as released")
    text = _text(reg.archive.read(record.id))
    for name, meaning in (("Tom Tech", "performed"), ("Pia Pharmacist", "verified"), ("Quinn Quality", "released")):
        assert f"{name} (" in text and meaning in text
    assert "Labels printed (issued) 12" in text
    assert "12 vial labels; 12 per run expected" in text
    assert "666 mOsmol/L (calc)" in text


def test_labels_cannot_be_issued_once_verified(reg, who, batch):
    issue_labels(reg, batch.id, who["tech"], "vial", "ZD621")
    reg.batches.record_reconciliation(batch.id, who["tech"], applied=10, specimens=2, destroyed=0, returned=0)
    reg.batches.sign(batch.id, "tech", PASSWORDS["tech"], "performed")
    reg.batches.sign(batch.id, "pharm", PASSWORDS["pharm"], "verified")
    with pytest.raises(RuleViolation, match="only be printed before verification"):
        issue_labels(reg, batch.id, who["tech"], "vial", "ZD621")
    assert reg.batches.reconciliation_status(batch.id).labels_issued == 12


def test_issued_labels_are_broken_down_by_kind_on_the_record(reg, who):
    from register_helpers import batch_data

    from labelapp.domain.batch import BatchFile

    data = batch_data(units=10)
    data["formula"]["directions"] = "For intravenous use. Dose as directed by the prescriber."
    bf = BatchFile.model_validate(data)
    reg.formulas.add(bf.formula, who["pharm2"])
    reg.formulas.approve("GLY50", "1", "pharm", PASSWORDS["pharm"])
    batch = reg.batches.new(bf, who["tech"])
    issue_labels(reg, batch.id, who["tech"], "vial", "ZD621")
    issue_labels(reg, batch.id, who["tech"], "carton", "ZD621")
    reg.batches.record_reconciliation(batch.id, who["tech"], applied=20, specimens=4, destroyed=0, returned=0)
    assert rendering.issued_detail(reg.batches.detail(batch.id)) == "12 vial + 12 carton labels"
    text = _text(rendering.render_batch_record(reg, batch.id).pdf)
    assert "Labels printed (issued) 24 12 vial + 12 carton labels; 12 per run expected" in text
    assert "24 = 24: balanced" in text


def test_a_preview_of_unsaved_edits_is_refused_and_nothing_is_recorded(reg, who, batch):
    from register_helpers import batch_data

    from labelapp.domain.batch import BatchFile
    from labelapp.services.calculate import calculate

    data = batch_data(units=11)
    data["batch"]["lot_number"] = batch.lot_number
    edited = BatchFile.model_validate(data)
    document = rendering.preview(
        edited, calculate(edited), "vial", batch_id=batch.id, settings=reg.settings.current().calc_settings()
    )
    with pytest.raises(RuleViolation, match="not the batch as saved in the register"):
        rendering.issue(reg, document, who["tech"], "ZD621")
    assert reg.batches.detail(batch.id).print_jobs == []


def test_a_preview_made_before_a_settings_change_is_refused(reg, who, batch):
    document = rendering.render_registered(reg, batch.id, "vial")
    reg.settings.update(
        who["admin"], {"calc.tonicity.hypertonic_from": 700, "calc.tonicity.peripheral_caution_above": 800}, "test SOP"
    )
    with pytest.raises(RuleViolation, match="calculation settings changed since this preview"):
        rendering.issue(reg, document, who["tech"], "ZD621")


def test_a_batch_record_preview_is_refused_once_the_register_moved_on(reg, who, batch):
    record = rendering.render_registered(reg, batch.id, "worksheet")
    issue_labels(reg, batch.id, who["tech"], "vial", "ZD621")
    with pytest.raises(RuleViolation, match="batch record changed since this preview"):
        rendering.issue(reg, record, who["tech"], "office laser")
    fresh = rendering.render_registered(reg, batch.id, "worksheet")
    job = rendering.issue(reg, fresh, who["tech"], "office laser")
    assert reg.archive.read(job.document_id) == fresh.pdf


def test_a_provisional_lot_is_never_recorded(reg, who):
    from labelapp.services.calculate import calculate

    bf = make_batch_file(units=10)
    document = rendering.preview(bf, calculate(bf), "vial")
    assert document.provisional
    with pytest.raises(RuleViolation, match="not saved"):
        rendering.issue(reg, document, who["tech"], "ZD621")
