"""Formulas, settings, audit and archive pages against a real register (no main window)."""

from __future__ import annotations

import json

from gui_helpers import PASSWORDS

from labelapp.gui.pages.audit import AuditPage
from labelapp.gui.pages.formulas import FormulasPage
from labelapp.gui.pages.settings import SettingsPage


def test_new_formula_version_then_approval_by_a_second_pharmacist(qtbot, make_session, make_widget, people, glycine):
    page = make_widget(FormulasPage, make_session(people["sam"]))
    page.refresh()
    page.select("GLY-50-30", "1")
    page.new_version()
    editor = page.dialog
    data = json.loads(editor.editor.toPlainText())
    assert data["version"] == 2
    data["storage"]["handling"] = ["Protect from light."]
    editor.editor.setPlainText(json.dumps(data))
    editor.submit()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    assert "added as a draft" in page.done.text()

    page.approve()  # Sam added version 2: he may not approve it
    dialog = page.dialog
    dialog.password.setText(PASSWORDS["sam"])
    dialog.submit()
    qtbot.waitUntil(lambda: "Not signed" in dialog.error.text(), timeout=10000)
    assert "cannot also approve it" in dialog.error.text()
    dialog.username.setText("pia")
    dialog.password.setText(PASSWORDS["pia"])
    dialog.submit()
    qtbot.waitUntil(lambda: page.dialog is None, timeout=10000)
    statuses = {(r.version, r.status.value) for r in page.model.rows()}
    assert statuses == {("1", "superseded"), ("2", "approved")}


def test_a_formula_that_breaks_a_rule_is_refused_in_words(qtbot, make_session, make_widget, people, glycine):
    page = make_widget(FormulasPage, make_session(people["sam"]))
    page.refresh()
    page.select("GLY-50-30", "1")
    page.new_version()
    editor = page.dialog
    data = json.loads(editor.editor.toPlainText())
    data["components"][0]["unit"] = "µg"
    editor.editor.setPlainText(json.dumps(data))
    editor.submit()
    assert editor.isVisible() and "not allowed on labels (ISMP); use mcg" in editor.error.text()


def test_only_an_administrator_changes_the_facility(qtbot, make_session, make_widget, people, glycine):
    page = make_widget(SettingsPage, make_session(people["alex"]))
    page.refresh()
    assert page.facility.boxes["name"].editor.text() == "Example Outsourcing Facility LLC"
    page.facility.boxes["phone"].editor.setText("call us")
    page.save_facility()
    assert "is not a phone number" in page.facility.boxes["phone"].error.text()
    page.facility.boxes["phone"].editor.setText("217-555-0199")
    page.save_facility()
    assert "may not change settings" in page.facility.message.text()
    page.session.sign_in(people["admin"])
    page.save_facility()
    assert page.facility.done.isVisible()
    assert page.session.register.settings.facility().phone == "217-555-0199"


def test_audit_page_lists_and_verifies_the_trail(qtbot, make_session, make_widget, people, glycine):
    page = make_widget(AuditPage, make_session(people["quinn"]))
    page.refresh()
    actions = {page.model.record(r).action for r in range(page.model.rowCount())}
    assert {"user.created", "formula.added", "formula.approved"} <= actions
    page.record_type.setCurrentIndex(page.record_type.findData("formula"))
    assert {page.model.record(r).record_type for r in range(page.model.rowCount())} == {"formula"}
    qtbot.keyClicks(page.filter, "approved")
    assert page.proxy.rowCount() >= 1
    page.verify()
    assert "Audit chain intact" in page.done.text()


def test_calculation_settings_are_changed_through_the_register(qtbot, make_session, make_widget, people, glycine):
    page = make_widget(SettingsPage, make_session(people["admin"]))
    page.refresh()
    box = page.calc.boxes["calc.tonicity.hypertonic_from"]
    assert box.editor.text() == "375"
    box.editor.setText("200")  # below the hypotonic limit: the register refuses
    page.save_calc_settings()
    assert "thresholds must rise" in page.calc.message.text()
    box.editor.setText("350")
    page.save_calc_settings()
    assert page.calc.done.text().startswith("Saved: calc.tonicity.hypertonic_from")
    assert page.session.register.settings.current().calc_settings().tonicity.hypertonic_from == 350
