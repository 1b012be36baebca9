"""The formula editor: the master record as a form (steps, limits, specifications, yield), problems next to
their field or row, and the changes against the approved version shown before a pharmacist signs."""

from __future__ import annotations

import pytest
from execution_gui import MASTER_RECORD, PASSWORDS, approve_glycine_with_master_record
from PySide6.QtCore import Qt

from labelapp.gui.pages import master_record_form as presenter
from labelapp.gui.pages.formulas import FormulasPage

pytestmark = pytest.mark.usefixtures("people")


@pytest.fixture
def mr_glycine(register, people):
    return approve_glycine_with_master_record(register, people)


def open_editor(page, version: str = "1"):
    page.refresh()
    page.select("GLY-50-30", version)
    page.new_version()
    return page.dialog


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def row_of(model, step_id: str) -> int:
    return next(r for r in range(model.rowCount()) if model.value(r, "id") == step_id)


def test_the_master_record_is_edited_as_a_form_and_saved_as_a_draft(
    qtbot, make_session, make_widget, people, mr_glycine, register
):
    page = make_widget(FormulasPage, make_session(people["sam"]))
    editor = open_editor(page)
    steps = editor.steps
    assert [steps.model.value(r, "id") for r in range(steps.model.rowCount())] == [
        s["id"] for s in MASTER_RECORD["steps"]
    ]
    assert editor.edits["weight_tolerance_percent"].text() == "2"
    assert editor.edits["to_filtration_minutes"].text() == "240"
    # a new step after the pH: a second pH check by a second person, moved up above the pH step
    steps.select(row_of(steps.model, "ph-in-process"))
    click(qtbot, steps.buttons["add"])
    new = steps.current_row()
    assert new == row_of(steps.model, "ph-in-process") + 1
    for key, text in (("id", "ph-recheck"), ("title", "pH re-check"), ("low", "5"), ("high", "6"), ("unit", "pH")):
        steps.model.set_value(new, key, text)
    kind = steps.view.indexWidget(steps.model.index(new, 2))  # the kind column is a combo box
    kind.setCurrentIndex(kind.findData("measurement"))
    kind.activated.emit(kind.currentIndex())
    steps.model.setData(steps.model.index(new, 7), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    click(qtbot, steps.buttons["up"])
    assert steps.model.value(new - 1, "id") == "ph-recheck"
    # the component of the glycine weight step is chosen from the formula's components
    component = steps.view.indexWidget(steps.model.index(row_of(steps.model, "glycine-weight"), 6))
    assert [component.itemText(i) for i in range(component.count())] == ["—", "glycine", "water for injection"]
    # the units-filled step removed, the yield and a limit changed, a specification added
    steps.select(row_of(steps.model, "units-filled"))
    click(qtbot, steps.buttons["remove"])
    editor.edits["yield_low_percent"].setText("97")
    editor.edits["fill_check_every_units"].setText("25")
    specs = editor.specifications
    specs.select(specs.model.rowCount() - 1)
    click(qtbot, specs.buttons["add"])
    row = specs.current_row()
    for key, text in (("id", "appearance"), ("method", "visual, against black and white"), ("expected", "clear")):
        specs.model.set_value(row, key, text)
    specs.model.set_value(row, "test", "appearance")
    editor.submit()
    qtbot.waitUntil(lambda: page.dialog is not None and not page.dialog.isVisible(), timeout=10000)
    assert "added as a draft" in page.done.text()
    saved = register.formulas.get("GLY-50-30", "2").document_data()["master_record"]
    ids = [s["id"] for s in saved["steps"]]
    assert ids[ids.index("ph-recheck") + 1] == "ph-in-process" and "units-filled" not in ids
    recheck = saved["steps"][ids.index("ph-recheck")]
    assert recheck["kind"] == "measurement" and recheck["verify"] is True
    assert recheck["limits"] == {"low": "5", "high": "6", "unit": "pH"}
    assert saved["yield_limits"]["low_percent"] == "97" and saved["limits"]["fill_check_every_units"] == 25
    assert saved["specifications"][-1] == {
        "id": "appearance",
        "test": "appearance",
        "method": "visual, against black and white",
        "limits": None,
        "limits_25um": None,
        "around_calculated_percent": None,
        "expected": "clear",
        "required": True,
    }


def test_a_problem_is_shown_next_to_its_field_and_its_row(
    qtbot, make_session, make_widget, people, mr_glycine, register
):
    page = make_widget(FormulasPage, make_session(people["sam"]))
    editor = open_editor(page)
    steps = editor.steps
    ph = row_of(steps.model, "ph-in-process")
    steps.model.set_value(ph, "low", "four")
    editor.edits["weight_tolerance_percent"].setText("")
    editor.edits["density_g_per_ml"].setText("heavy")
    editor.submit()
    assert editor.isVisible()  # nothing saved
    assert steps.model.cell_errors() == {(ph, "low"): ["must be a number, e.g. 99.5"]}
    assert steps.model.problems(ph) == "Low: must be a number, e.g. 99.5"  # in the row's last column
    assert all(not steps.model.problems(r) for r in range(steps.model.rowCount()) if r != ph)
    assert editor.fields["weight_tolerance_percent"].error.text() == "is required"
    assert editor.fields["density_g_per_ml"].error.text() == "must be a number, e.g. 99.5"
    assert editor.fields["fill_tolerance_percent"].error.isHidden()
    assert "Not saved: 3 problems" in editor.summary.text()
    assert editor.tabs.tabText(editor.tab_index["steps"]).endswith("⚠")
    assert editor.tabs.tabText(editor.tab_index["limits"]).endswith("⚠")
    assert not editor.tabs.tabText(editor.tab_index["formula"]).endswith("⚠")
    # the fields fixed; a measurement without its limits (a check of the whole step): its row, at its limits
    editor.edits["weight_tolerance_percent"].setText("2")
    editor.edits["density_g_per_ml"].setText("1.016")
    for key in ("low", "high", "unit"):
        steps.model.set_value(ph, key, "")
    editor.submit()
    assert steps.model.cell_errors() == {(ph, "low"): ["a measurement step needs its limits"]}
    assert editor.fields["weight_tolerance_percent"].error.isHidden()
    assert editor.tabs.tabText(editor.tab_index["limits"]) == editor.tab_titles["limits"]
    # a step naming an ingredient that is not a component of the formula (the register's check, once the names
    # resolve): that cell
    steps.model.set_value(ph, "low", "4.5")
    steps.model.set_value(ph, "high", "6.5")
    lot = row_of(steps.model, "glycine-lot")
    steps.model.set_value(lot, "component", "sodium chloride")
    editor.submit()
    qtbot.waitUntil(lambda: bool(steps.model.cell_errors()), timeout=30_000)
    assert steps.model.cell_errors() == {
        (lot, "component"): [
            "'sodium chloride' is not a component of GLY-50-30 (components: glycine, water for injection)"
        ]
    }
    assert "Not saved: 1 problem" in editor.summary.text() and editor.buttons.isEnabled()
    assert editor.isVisible()
    assert [f.status.value for f in register.formulas.versions() if f.code == "GLY-50-30"] == ["approved"]


def test_the_changes_against_the_approved_version_are_shown_before_the_signature(
    qtbot, make_session, make_widget, people, mr_glycine, register
):
    session = make_session(people["sam"])
    page = make_widget(FormulasPage, session)
    editor = open_editor(page)
    ph = row_of(editor.steps.model, "ph-in-process")
    editor.steps.model.set_value(ph, "high", "7.0")
    editor.edits["weight_tolerance_percent"].setText("3")
    editor.submit()
    qtbot.waitUntil(lambda: register.formulas.versions("GLY-50-30")[-1].version == "2", timeout=10000)
    session.sign_in(people["pia"])
    page.refresh()
    page.select("GLY-50-30", "2")
    page.approve()
    dialog = page.dialog
    assert "2 changes" in dialog.changes_title.text() and "version 1 (approved)" in dialog.changes_title.text()
    assert dialog.change_lines() == [
        "master_record.limits.weight_tolerance_percent: 2  →  3",
        "master_record.steps[ph-in-process].limits.high: 6.5  →  7.0",
    ]
    assert dialog.changes.isVisibleTo(dialog) and dialog.password.isVisibleTo(dialog)  # the diff above the signature
    dialog.password.setText(PASSWORDS["pia"])
    dialog.submit()
    qtbot.waitUntil(lambda: page.dialog is None, timeout=10000)
    assert register.formulas.get("GLY-50-30").version == "2"


def test_a_first_version_has_nothing_to_compare_with(qtbot, make_session, make_widget, people, register):
    from execution_gui import formula_with_master_record

    register.formulas.add(formula_with_master_record(), people["sam"])
    page = make_widget(FormulasPage, make_session(people["pia"]))
    page.refresh()
    page.select("GLY-50-30", "1")
    page.approve()
    dialog = page.dialog
    assert "nothing to compare with" in dialog.changes_title.text()
    assert '"ph-in-process"' in dialog.document.toPlainText() and dialog.document.isVisibleTo(dialog)
    dialog.reject()


def test_the_presenter_keeps_a_master_record_through_the_form():
    from labelapp.domain.mfr import MasterRecord

    form = presenter.form_from_master_record(MASTER_RECORD)
    again = presenter.master_record_data(form)
    assert MasterRecord.model_validate(again) == MasterRecord.model_validate(MASTER_RECORD)
    assert presenter.master_record_data(presenter.form_from_master_record(None)) is None  # paper worksheet
