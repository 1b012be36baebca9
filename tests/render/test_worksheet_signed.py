"""The paper worksheet once the register has filled some of it in: the reconciliation's investigation note and
who entered it, and QA's disposition as signed (never an empty "Approved / Rejected" box under a signature)."""

from __future__ import annotations

from datetime import UTC, datetime

from test_worksheet import cells, pages_text

from labelapp.render.worksheet.document import render_worksheet
from labelapp.render.worksheet.inputs import ReconciliationCounts, SignatureManifestation

NOTE = "2 labels torn at the splice on the roll and destroyed; witnessed by Tia Tech; see INV-31 <b>as typed</b>"


def test_the_reconciliation_investigation_note_and_who_entered_it_are_printed(glycine):
    counts = ReconciliationCounts(106, 98, 2, 4, 0, 4, investigation_note=NOTE, recorded="tech, 2026-11-23 16:02 UTC")
    text = cells(render_worksheet(*glycine, reconciliation=counts))
    assert "Investigation note (211.192) | " + NOTE in text  # escaped: the markup is printed as typed
    assert "Recorded in the register | tech, 2026-11-23 16:02 UTC" in text
    assert "106 vs 104: DISCREPANCY of 2; investigate (211.192)" in text


def test_no_note_row_without_a_note(glycine):
    text = cells(render_worksheet(*glycine, reconciliation=ReconciliationCounts(106, 100, 2, 4, 0, 4)))
    assert "Investigation note" not in text and "Recorded in the register" not in text


def test_a_released_worksheet_shows_the_decision_as_signed_not_an_empty_box(glycine):
    blank = " ".join(pages_text(render_worksheet(*glycine)))
    assert "[ ] Approved for release [ ] Rejected" in blank  # on paper: boxes to tick by hand
    released = SignatureManifestation(
        "Quinn Quality", "qa", "released", datetime(2026, 11, 30, 16, 45, tzinfo=UTC), "qa-release"
    )
    pdf = render_worksheet(*glycine, signatures=[released])
    text = " ".join(pages_text(pdf))
    assert "[ ]" not in text and "Approved for release" not in text
    assert "RELEASED (e-signed below)" in cells(pdf)
    assert "Quinn Quality (qa), released, 2026-11-30 16:45 UTC" in cells(pdf)
    assert "This batch is executed on the paper worksheet" in text
