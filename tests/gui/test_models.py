"""Table models tested without views (vorta's archive-table-model tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import Qt

from labelapp.domain.records import ArchivedDocumentRecord, BatchRecord
from labelapp.domain.register import BatchStatus
from labelapp.gui.messages import plain_tooltip
from labelapp.gui.models.lots import ComponentLotsTableModel
from labelapp.gui.models.records import BatchTableModel, DocumentTableModel, RecordRole, SortRole

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def batch(lot: str, status: BatchStatus = BatchStatus.DRAFT, units_day: int = 23) -> BatchRecord:
    return BatchRecord(
        id=1,
        lot_number=lot,
        formula_id=1,
        formula_code="GLY-50-30",
        formula_version="1",
        product_name="Glycine Injection",
        status=status,
        status_reason=None,
        document="{}",
        document_sha256="0" * 64,
        compounded_on=date(2026, 11, units_day),
        expiration_date=date(2026, 12, units_day),
        created_at=NOW,
        created_by="alex",
        updated_at=NOW,
    )


def test_batch_table_model_shows_lot_product_status_and_dates():
    model = BatchTableModel()
    model.set_rows([batch("G50-261123-01"), batch("G50-261124-01", BatchStatus.RELEASED, 24)])
    assert (model.rowCount(), model.columnCount()) == (2, 8)
    row = [model.data(model.index(1, c)) for c in range(model.columnCount())]
    assert row[:6] == ["G50-261124-01", "Glycine Injection", "GLY-50-30 v1", "released", "2026-11-24", "2026-12-24"]
    assert model.data(model.index(0, 0), RecordRole).lot_number == "G50-261123-01"
    assert model.data(model.index(0, BatchTableModel.COL_COMPOUNDED), SortRole) == "2026-11-23"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Lot"


def test_document_model_shows_a_short_hash_and_the_full_one_as_tooltip():
    doc = ArchivedDocumentRecord(
        id=7,
        batch_id=1,
        lot_number="G50-261123-01",
        product_name="Glycine Injection",
        batch_status=BatchStatus.RELEASED,
        kind="label",
        sha256="ab" * 32,
        size_bytes=12345,
        file_name="ab/ab.pdf",
        created_at=NOW,
        created_by="alex",
        reason=None,
        integrity="ok",
    )
    model = DocumentTableModel()
    model.set_rows([doc])
    assert model.data(model.index(0, 8)) == "abababababababab…"
    assert model.data(model.index(0, 8), Qt.ItemDataRole.ToolTipRole) == plain_tooltip("ab" * 32)
    assert model.data(model.index(0, 7)) == "12,345 bytes"


def test_lots_model_edits_flags_and_errors(qtbot):
    model = ComponentLotsTableModel()
    model.set_rows([{"component": "glycine", "lot": "", "expiry": ""}])
    with qtbot.waitSignal(model.edited):
        assert model.setData(model.index(0, 1), "GLY1")
    assert model.rows()[0]["lot"] == "GLY1"
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable  # the component is the formula's
    assert not model.setData(model.index(0, 0), "other")
    model.set_errors({(0, "expiry"): ["is required"]})
    assert model.data(model.index(0, 3), Qt.ItemDataRole.ToolTipRole) == plain_tooltip("is required")
    assert model.data(model.index(0, 3), Qt.ItemDataRole.BackgroundRole) is not None
    model.set_read_only(True)
    assert not model.setData(model.index(0, 1), "GLY2")
