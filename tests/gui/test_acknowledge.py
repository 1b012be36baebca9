"""The verify page shows the plausibility findings that hold label printing and signs a pharmacist's
acknowledgement of each (docs/domain.md §4.8)."""

from __future__ import annotations

from typing import Any

from gui_helpers import GLYCINE, PASSWORDS
from PySide6.QtCore import Qt

from labelapp.gui.pages.verify import VerifyPage
from labelapp.services.calculate import load_batch_file


def sign(qtbot: Any, dialog: Any, username: str, reason: str) -> None:
    for edit, text in ((dialog.username, username), (dialog.password, PASSWORDS[username])):
        edit.clear()
        qtbot.keyClicks(edit, text)
    dialog.reason.setPlainText(reason)
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_a_pharmacist_acknowledges_a_finding_from_the_verify_page(
    qtbot, make_session, make_widget, people, glycine, register
):
    register.settings.update(people["admin"], {"calc.osmolarity_ceiling": 600}, "SOP 31")
    example = load_batch_file(GLYCINE)
    batch = register.batches.new(
        example.model_copy(update={"batch": example.batch.model_copy(update={"lot_number": None})}), people["alex"]
    )
    page = make_widget(VerifyPage, make_session(people["alex"]))
    page.set_batch(batch.id)
    assert page.plausibility.isVisible() and page.acknowledge_button.isEnabled()
    assert page.plausibility.text().startswith(
        "Labels cannot be printed until a pharmacist acknowledges each finding:\n• [osmolarity-above-ceiling] "
        "Osmolarity 666 mOsmol/L (calc) is above the ceiling of 600"
    )
    assert [page.finding.itemText(i) for i in range(page.finding.count())] == ["osmolarity-above-ceiling"]

    qtbot.mouseClick(page.acknowledge_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None and dialog.meaning.text() == "acknowledged"
    assert "Osmolarity 666 mOsmol/L (calc)" in dialog.statement.text()
    sign(qtbot, dialog, "alex", "looks fine")  # a technician may not
    qtbot.waitUntil(lambda: "may not acknowledge plausibility warnings" in dialog.error.text(), timeout=10000)
    assert register.batches.acknowledgements(batch.id) == []

    sign(qtbot, dialog, "sam", "hypertonic by design; diluted before use")
    qtbot.waitUntil(lambda: page.dialog is None, timeout=10000)
    assert page.done.text() == "osmolarity-above-ceiling acknowledged by Sam Chen, PharmD."
    [ack] = register.batches.acknowledgements(batch.id)
    assert (ack.acknowledged_by, ack.reason) == ("sam", "hypertonic by design; diluted before use")
    assert page.pending == [] and not page.plausibility.isVisible() and not page.acknowledge_button.isVisible()
    rows = [[page.signatures.index(r, c).data() for c in (0, 4)] for r in range(page.signatures.rowCount())]
    assert rows == [["acknowledged", "matches"]], rows
