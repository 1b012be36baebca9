"""A stored step entry reads as a person would write it (the CLI steps list and the executed record)."""

from __future__ import annotations

from labelapp.calc.execution import _inspection, entry_text
from labelapp.domain.mfr import ProcessStep


def test_a_fill_volume_names_its_unit_once():
    assert entry_text("30.8 mL", "mL") == "30.8 mL"
    assert entry_text("162.349", "g") == "162.349 g"
    assert entry_text("yes", "") == "yes"


def test_an_inspection_reads_as_counts_not_as_stored_data():
    step = ProcessStep.model_construct(title="100% visual inspection")
    stored = _inspection(step, "accepted=98 particles=1 cracks=1")
    assert entry_text(stored.value, stored.unit) == "98 accepted, 2 rejected (cracks 1, particles 1)"
    clean = _inspection(step, "accepted=100")
    assert entry_text(clean.value, clean.unit) == "100 accepted, 0 rejected"
