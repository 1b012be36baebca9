"""The documents of a registered batch: labels printed from the register are archived and counted,
the batch record carries the signatures and reconciliation, the release archives the record."""

from __future__ import annotations

import io
from decimal import Decimal

import pdfplumber
import pytest
from register_helpers import PASSWORDS, add_users, make_batch_file

from labelapp.services import documents
from labelapp.store.errors import RuleViolation


@pytest.fixture
def who(reg):
    return add_users(reg, "tech", "pharm", "pharm2", "qa")


@pytest.fixture
def batch(reg, who):
    reg.add_formula(make_batch_file().formula, who["pharm2"])
    reg.approve_formula("GLY50", "1", "pharm", PASSWORDS["pharm"])
    return reg.new_batch(make_batch_file(units=10), who["tech"])


def _text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages)


def test_issued_labels_carry_the_registered_lot_and_are_archived_and_counted(reg, who, batch):
    printed = documents.issue_labels(reg, batch.id, who["tech"], "vial", "ZD621-line-2")
    assert printed.run.count == 12  # 10 units + 2 specimen labels (batch default), 0 retains
    assert printed.job.label_count == 12 and printed.job.printer == "ZD621-line-2"
    assert reg.document_bytes(printed.job.document_id) == printed.run.pdf
    assert f"LOT {batch.lot_number}" in _text(printed.run.pdf)
    assert reg.reconciliation_status(batch.id).labels_issued == 12


def test_registered_batch_uses_the_settings_in_force(reg, who, batch):
    assert documents.registered_batch(reg, batch.id).computation.tonicity.category == "hypertonic"
    reg.update_settings(who["admin"], {"calc.tonicity.hypertonic_from": 700,
                                       "calc.tonicity.peripheral_caution_above": 800}, "test SOP")
    assert documents.registered_batch(reg, batch.id).computation.tonicity.category == "iso-osmotic"


def test_release_record_shows_signatures_and_reconciliation(reg, who, batch):
    documents.issue_labels(reg, batch.id, who["tech"], "vial", "ZD621")
    reg.record_reconciliation(batch.id, who["tech"], applied=10, specimens=2, destroyed=0, returned=0)
    reg.sign(batch.id, "tech", PASSWORDS["tech"], "performed")
    reg.sign(batch.id, "pharm", PASSWORDS["pharm"], "verified")
    reg.sign(batch.id, "qa", PASSWORDS["qa"], "released")
    record = documents.archive_batch_record(reg, batch.id, who["qa"], "as released")
    text = _text(reg.document_bytes(record.id))
    for name, meaning in (("Tom Tech", "performed"), ("Pia Pharmacist", "verified"), ("Quinn Quality", "released")):
        assert f"{name} (" in text and meaning in text
    assert "Labels printed (issued) 12" in text
    assert "12 vial labels; 12 per run expected" in text
    assert "666 mOsmol/L (calc)" in text


def test_labels_cannot_be_issued_once_verified(reg, who, batch):
    documents.issue_labels(reg, batch.id, who["tech"], "vial", "ZD621")
    reg.record_reconciliation(batch.id, who["tech"], applied=10, specimens=2, destroyed=0, returned=0)
    reg.sign(batch.id, "tech", PASSWORDS["tech"], "performed")
    reg.sign(batch.id, "pharm", PASSWORDS["pharm"], "verified")
    with pytest.raises(RuleViolation, match="only be printed before verification"):
        documents.issue_labels(reg, batch.id, who["tech"], "vial", "ZD621")
    assert reg.reconciliation_status(batch.id).labels_issued == 12


def test_issued_labels_are_broken_down_by_kind_on_the_record(reg, who):
    from register_helpers import batch_data

    from labelapp.domain.batch import BatchFile

    data = batch_data(units=10)
    data["formula"]["directions"] = "For intravenous use. Dose as directed by the prescriber."
    bf = BatchFile.model_validate(data)
    reg.add_formula(bf.formula, who["pharm2"])
    reg.approve_formula("GLY50", "1", "pharm", PASSWORDS["pharm"])
    batch = reg.new_batch(bf, who["tech"])
    documents.issue_labels(reg, batch.id, who["tech"], "vial", "ZD621")
    documents.issue_labels(reg, batch.id, who["tech"], "carton", "ZD621")
    reg.record_reconciliation(batch.id, who["tech"], applied=20, specimens=4, destroyed=0, returned=0)
    assert documents.issued_detail(reg.batch_detail(batch.id)) == "12 vial + 12 carton labels"
    text = _text(documents.render_batch_record(reg, batch.id))
    assert "Labels printed (issued) 24 12 vial + 12 carton labels; 12 per run expected" in text
    assert "24 = 24: balanced" in text
