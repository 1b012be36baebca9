"""Archive: SHA-256 names, atomic private writes, damaged/missing detection, export, reprint, queries."""

from __future__ import annotations

import stat
from datetime import date, timedelta

import pytest
from register_helpers import PASSWORDS, make_batch_file

from labelapp.domain.errors import NotFoundError, RuleViolation
from labelapp.store.archive import ArchiveStore, sha256_of
from labelapp.store.errors import ArchiveError

LABEL = b"%PDF-1.4\n% label for the archive test\n"


@pytest.fixture
def printed(reg, people, approved):
    batch = reg.batches.new(make_batch_file(), people["tech"])
    job = reg.batches.record_print_job(batch.id, "label", "roll-vial-30ml", 105, "ZD621", LABEL, people["tech"])
    return batch, job


def test_printed_pdf_is_archived_under_its_sha256_with_private_permissions(reg, printed):
    batch, job = printed
    document = reg.archive.get(job.document_id)
    assert document.sha256 == sha256_of(LABEL) == job.document_sha256
    assert document.size_bytes == len(LABEL) and document.integrity == "ok"
    path = reg.context.archive.path(document.file_name)
    assert path.name == f"{document.sha256}.pdf" and path.read_bytes() == LABEL
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(reg.context.archive.root.stat().st_mode) == 0o700
    assert reg.context.archive.root == reg.database.sqlite_path.parent / "archive"  # next to the database
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".part")]


def test_same_bytes_are_stored_once(tmp_path):
    store = ArchiveStore(tmp_path / "archive")
    assert store.put(LABEL) == store.put(LABEL)
    assert len(list((tmp_path / "archive").rglob("*.pdf"))) == 1
    with pytest.raises(ArchiveError, match="empty"):
        store.put(b"")


def test_damaged_archive_file_is_reported_and_never_reissued(reg, people, printed):
    batch, job = printed
    document = reg.archive.get(job.document_id)
    path = reg.context.archive.path(document.file_name)
    path.write_bytes(LABEL.replace(b"label", b"LABEL"))
    assert reg.archive.get(document.id).integrity == "damaged"
    check = reg.archive.check()
    assert not check.ok and [d.id for d in check.damaged] == [document.id]
    assert reg.archive.search(lot=batch.lot_number, check=True)[0].integrity == "damaged"
    with pytest.raises(ArchiveError, match="damaged"):
        reg.archive.reprint(document.id, people["tech"], reason="jam")
    with pytest.raises(ArchiveError, match="damaged"):
        reg.archive.export(document.id, reg.database.sqlite_path.parent.parent / "out.pdf", people["qa"])
    assert len(reg.batches.detail(batch.id).print_jobs) == 1  # nothing recorded
    path.unlink()
    assert reg.archive.get(document.id).integrity == "missing"
    assert [d.id for d in reg.archive.check().missing] == [document.id]


def test_export_copies_and_verifies(reg, people, printed, tmp_path):
    _, job = printed
    target = reg.archive.export(job.document_id, tmp_path / "copy.pdf", people["qa"])
    assert target.read_bytes() == LABEL
    exported = [e for e in reg.audit.entries() if e.action == "document.exported"]
    assert len(exported) == 1 and exported[0].username == "qa"


def test_reprint_reissues_the_archived_bytes_as_a_numbered_job(reg, people, printed):
    batch, job = printed
    with pytest.raises(RuleViolation, match="reason"):
        reg.archive.reprint(job.document_id, people["tech"], reason="")
    reprint, data = reg.archive.reprint(job.document_id, people["tech"], reason="printer jam, 5 labels", count=5)
    assert data == LABEL
    assert (reprint.job_number, reprint.is_reprint, reprint.reprint_of, reprint.label_count) == (2, True, job.id, 5)
    assert reprint.document_id == job.document_id and reprint.reason == "printer jam, 5 labels"
    entry = reg.audit.entries(record_type="batch", record_id=batch.id, newest_first=True, limit=1)[0]
    assert entry.action == "print.reprint" and entry.reason == "printer jam, 5 labels"


def test_worksheet_can_be_reprinted_after_release_but_labels_cannot(reg, people, printed):
    batch, job = printed
    sheet = reg.batches.record_print_job(
        batch.id, "worksheet", "letter", 1, "LaserJet", b"%PDF-1.4 worksheet", people["tech"]
    )
    reg.batches.sign(batch.id, "tech", PASSWORDS["tech"], "performed")
    reg.batches.record_reconciliation(batch.id, people["tech"], applied=105, specimens=0, destroyed=0, returned=0)
    reg.batches.sign(batch.id, "pharm", PASSWORDS["pharm"], "verified")
    reg.batches.sign(batch.id, "qa", PASSWORDS["qa"], "released")
    with pytest.raises(RuleViolation, match="labels can only be printed before verification"):
        reg.archive.reprint(job.document_id, people["qa"], reason="more labels")
    again, data = reg.archive.reprint(sheet.document_id, people["qa"], reason="copy for the inspector")
    assert data == b"%PDF-1.4 worksheet" and again.is_reprint


def test_archive_document_for_released_batch_and_queries(reg, people, printed):
    batch, job = printed
    other = reg.batches.new(make_batch_file(day=20), people["tech"])
    reg.batches.record_print_job(other.id, "label", "roll", 10, "ZD621", b"%PDF-1.4 other", people["tech"])
    record = reg.archive.add(batch.id, "batch_record", b"%PDF-1.4 record", people["qa"], reason="release")
    assert record.kind == "batch_record" and record.lot_number == batch.lot_number
    assert {d.id for d in reg.archive.search(lot=batch.lot_number)} == {job.document_id, record.id}
    assert [d.lot_number for d in reg.archive.search(lot=other.lot_number)] == [other.lot_number]
    assert len(reg.archive.search(product="Glycine")) == 3
    assert len(reg.archive.search(kind="batch_record")) == 1
    assert len(reg.archive.search(status="draft")) == 3
    assert reg.archive.search(status="released") == []
    today = date.today()
    assert len(reg.archive.search(archived_from=today - timedelta(days=1), archived_to=today + timedelta(days=1))) == 3
    assert reg.archive.search(archived_to=today - timedelta(days=2)) == []
    assert reg.archive.find(record.sha256[:10]).id == record.id
    with pytest.raises(NotFoundError, match="no archived document 'deadbeefdeadbeef'"):
        reg.archive.find("deadbeefdeadbeef")
    with pytest.raises(NotFoundError, match="no batch with id 999"):
        reg.archive.add(999, "label", b"%PDF-1.4", people["qa"])
