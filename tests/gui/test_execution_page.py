"""Executing a batch through the GUI: step by step as it happens, lots scanned at scanner speed, a weight
from the (simulated) balance, corrections with a reason, second-person verification, QC results with
pass or fail computed, deviations dispositioned with an e-signature, and release on the Verify page."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pdfplumber
import pytest
from execution_gui import (
    GLYCINE_SCAN,
    QC_PASSING,
    WAIT,
    approve_glycine_with_master_record,
    cell,
    click,
    entries,
    fill,
    lab_report,
    loaded,
    new_batch,
    receive_and_release,
    record,
    record_qc,
    run_steps,
    sign,
    sign_in_again,
    theoretical_glycine_g,
)
from PySide6.QtCore import Qt

from labelapp.domain.execution import DeviationKind, DeviationStatus
from labelapp.gui.main_window import MainWindow
from labelapp.gui.pages.execution import BALANCE_PORT_KEY, ExecutionPage
from labelapp.instruments.simulator import SimulatedBalance


@pytest.fixture
def batch(register, people):
    approve_glycine_with_master_record(register, people)
    receive_and_release(register, people)
    return new_batch(register, people)


@pytest.fixture
def window(qtbot, make_session, make_widget, people, batch, tmp_path):
    report = lab_report(tmp_path)
    session = make_session(people["alex"])
    window = make_widget(MainWindow, session, {"execution": {"choose_pdf": lambda _parent: str(report)}})
    window.resize(1360, 860)
    window.open_batch(batch.id)
    window.execute_batch()
    assert window.current_page() == "execution"
    loaded(qtbot, window.page("execution"))
    window.report = report
    return window


def to_verified(qtbot: Any, window: MainWindow, people: dict[str, Any]) -> Any:
    """Performed (Alex), labels reconciled (by Alex, signed in again), verified (Sam), on the Verify page."""
    sign_in_again(window.session, "alex")
    verify_page = window.page("verify")
    window.show_page("verify")
    sign(qtbot, verify_page.sign("performed"), "alex")
    qtbot.waitUntil(lambda: verify_page.dialog is None, timeout=WAIT)
    dialog = verify_page.reconcile()  # no labels were printed in this test: 0 issued, 0 accounted for
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    qtbot.waitUntil(lambda: verify_page.dialog is None, timeout=WAIT)
    sign(qtbot, verify_page.sign("verified"), "sam")
    qtbot.waitUntil(lambda: verify_page.dialog is None, timeout=WAIT)
    assert verify_page.status.text() == "verified"
    return verify_page


def test_a_batch_executed_end_to_end_without_exceptions_releases(qtbot, window, register, batch, people):
    page = window.page("execution")
    grams = f"{theoretical_glycine_g(register, batch.id):.2f}"
    run_steps(qtbot, page, grams)
    assert "in limit" in cell(page, "glycine-weight", "Check and message").text()
    assert cell(page, "glycine-weight", "Verified by").text() == "sam"
    assert "GLY24117" in cell(page, "glycine-lot", "Value").text()
    assert "scanned" in cell(page, "glycine-lot", "By, happened at").text()
    assert page.fill_label.text().startswith("2 of 2 needed for 100 units")
    assert page.inspection_label.text() == "99 accepted, 1 rejected"
    assert "99 accepted of 100 theoretical = 99%" in page.yield_label.text()
    assert "within limits" in page.yield_label.text()

    sign_in_again(page.session, "quinn")  # QA enters the lab's results
    for spec_id, result in QC_PASSING.items():
        assert record_qc(qtbot, page, spec_id, result, report=spec_id == "sterility") == "PASS"
    status = register.execution.status(batch.id)
    sterility = next(q.latest for q in status.qc if q.spec_id == "sterility")
    assert register.archive.read(sterility.report_document_id) == window.report.read_bytes()  # under its hash
    assert status.deviations == [] and status.release_blockers == []
    qtbot.waitUntil(lambda: "Nothing in the executed record stands in the way" in page.blockers.text(), timeout=WAIT)

    verify_page = to_verified(qtbot, window, people)
    sign(qtbot, verify_page.sign("released"), "quinn")
    qtbot.waitUntil(lambda: verify_page.dialog is None, timeout=WAIT)
    assert verify_page.status.text() == "released"
    assert "The released batch record is archived." in verify_page.done.text()
    record_id = next(d.id for d in register.batches.detail(batch.id).documents if d.kind == "batch_record")
    with pdfplumber.open(io.BytesIO(register.archive.read(record_id))) as pdf:
        first_page = pdf.pages[0].extract_text() or ""
    assert batch.lot_number in first_page
    assert "No exceptions" in first_page and "QA release decision RELEASED" in first_page  # review by exception


def test_an_out_of_limit_weight_a_late_entry_and_a_failed_endotoxin_block_release_until_dispositioned(
    qtbot, window, register, batch, people
):
    page = window.page("execution")
    heavy = f"{theoretical_glycine_g(register, batch.id) * 105 / 100:.2f}"
    run_steps(qtbot, page, heavy, ph_happened=datetime.now(UTC) - timedelta(hours=3))
    weight = cell(page, "glycine-weight", "Check and message")
    assert weight.text().startswith("OUT OF LIMIT — DEV-1: Glycine weighed:")
    assert "is 5% from the theoretical" in weight.text() and "limit ±2%" in weight.text()
    assert weight.foreground().color().name() == "#a4000f"  # in red
    assert "(entered " in cell(page, "ph-in-process", "By, happened at").text()

    sign_in_again(page.session, "quinn")
    for spec_id, result in QC_PASSING.items():
        expected = "FAIL" if spec_id == "endotoxin" else "PASS"
        assert record_qc(qtbot, page, spec_id, "25" if spec_id == "endotoxin" else result) == expected
    deviations = register.execution.status(batch.id).deviations
    assert sorted(d.kind for d in deviations) == [
        DeviationKind.LATE_ENTRY,
        DeviationKind.OUT_OF_LIMIT,
        DeviationKind.QC_FAILURE,
    ]
    qtbot.waitUntil(lambda: page.deviations_table.rowCount() == 3, timeout=WAIT)
    assert page.tabs.tabText(2) == "&Deviations (3 open)"
    assert "endotoxin (endotoxin) failed: 25" in page.blockers.text()

    verify_page = to_verified(qtbot, window, people)
    dialog = verify_page.sign("released")
    sign(qtbot, dialog, "quinn")
    qtbot.waitUntil(lambda: "Not signed" in dialog.error.text(), timeout=WAIT)
    for missing in (
        "cannot be released yet",
        "endotoxin (endotoxin) failed: 25",
        "deviation DEV-1 (out-of-limit) is open",
        "(late-entry) is open",
        "(qc-failure) is open",
    ):
        assert missing in dialog.error.text()
    dialog.reject()
    qtbot.waitUntil(lambda: verify_page.dialog is None, timeout=WAIT)

    window.show_page("execution")
    page.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: page.snapshot is not None and page.snapshot.batch.status.value == "verified", timeout=WAIT)
    for number, who in ((1, "alex"), (1, "quinn"), (2, "quinn"), (3, "pia")):
        page.select_deviation(number)
        dialog = page.disposition()
        fill(qtbot, dialog.investigation, "reviewed the batch history and the raw data")
        fill(qtbot, dialog.root_cause, "see investigation INV-7")
        fill(qtbot, dialog.capa, "CAPA-12")
        fill(qtbot, dialog.outcome, "no impact on quality: accepted")
        sign(qtbot, dialog, who)
        if who == "alex":  # a technician may not close a deviation
            qtbot.waitUntil(lambda d=dialog: "Not signed" in d.error.text(), timeout=WAIT)
            assert "may not disposition deviations" in dialog.error.text()
            dialog.reject()
            qtbot.waitUntil(lambda: page.dialog is None, timeout=WAIT)
            continue
        qtbot.waitUntil(lambda: page.dialog is None, timeout=WAIT)
        qtbot.waitUntil(
            lambda n=number: (
                next(d for d in page.snapshot.status.deviations if d.number == n).status is DeviationStatus.CLOSED
            ),
            timeout=WAIT,
        )
    closed = register.execution.status(batch.id)
    assert {(d.closed_by, d.capa) for d in closed.deviations} == {("quinn", "CAPA-12"), ("pia", "CAPA-12")}
    assert closed.release_blockers == []
    qtbot.waitUntil(lambda: "Nothing in the executed record stands in the way" in page.blockers.text(), timeout=WAIT)

    window.show_page("verify")
    sign(qtbot, verify_page.sign("released"), "quinn")
    qtbot.waitUntil(lambda: verify_page.dialog is None, timeout=WAIT)
    assert register.batches.get(batch.id).status.value == "released"
    record_id = next(d.id for d in register.batches.detail(batch.id).documents if d.kind == "batch_record")
    with pdfplumber.open(io.BytesIO(register.archive.read(record_id))) as pdf:
        first_page = pdf.pages[0].extract_text() or ""
    assert "No exceptions" not in first_page and "QA release decision RELEASED" in first_page
    for d in closed.deviations:  # each exception and its disposition on QA's first page
        assert f"DEV-{d.number}" in first_page
    assert first_page.count("CAPA-12") >= 3


def test_a_gs1_scan_at_scanner_speed_and_a_refused_lot_next_to_its_row(
    qtbot, make_session, make_widget, people, batch, register
):
    page = make_widget(ExecutionPage, make_session(people["alex"]))
    page.set_batch(batch.id)
    loaded(qtbot, page)
    page.select_step("glycine-lot")
    water_for_glycine = "]d2" + "01" + "09506000134352" + "10" + "WFI-2611-07"  # a water lot scanned for glycine
    qtbot.keyClicks(page.input.scan, water_for_glycine)
    qtbot.keyClick(page.input.scan, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)  # GS
    qtbot.keyClicks(page.input.scan, "17270531\r")
    qtbot.waitUntil(lambda: "glycine-lot" in page.step_errors, timeout=WAIT)
    refusal = "Not recorded: Glycine lot: lot WFI-2611-07 is water for injection, not glycine"
    assert page.step_error.text() == refusal  # beside the step's input
    qtbot.waitUntil(lambda: cell(page, "glycine-lot", "Check and message").text() == refusal, timeout=WAIT)
    assert register.execution.entries(batch.id) == []

    page.select_step("glycine-lot")
    qtbot.keyClicks(page.input.scan, GLYCINE_SCAN + "\r")  # the whole code in one burst, ending in Enter
    qtbot.waitUntil(lambda: len(register.execution.entries(batch.id)) == 1, timeout=WAIT)
    entry = register.execution.entries(batch.id)[0]
    assert entry.source.value == "scanned" and entry.entered_by == "alex"
    assert entry.value.startswith("glycine lot GLY24117 (exp 2028-09-30")
    qtbot.waitUntil(lambda: "glycine-lot" not in page.step_errors and entries(page, "glycine-lot") == 1, timeout=WAIT)
    assert cell(page, "glycine-lot", "Check and message").text() == "in limit"
    assert page.current_step().id == "wfi-lot"  # step by step: the next one is selected


def test_a_weight_read_from_the_balance(qtbot, make_session, make_widget, people, batch, register, ui_settings):
    grams = f"{theoretical_glycine_g(register, batch.id):.2f}"
    page = make_widget(ExecutionPage, make_session(people["alex"]))
    page.set_batch(batch.id)
    loaded(qtbot, page)
    with SimulatedBalance(grams, "g", serial_number="B021002593", unstable_requests=2, stable_delay_s=0.05) as sim:
        fill(qtbot, page.balance_port, sim.port)
        page.select_step("glycine-weight")
        click(qtbot, page.input.balance_button)
        qtbot.waitUntil(lambda: page.input.value_edit.text() == grams, timeout=WAIT)
    assert ui_settings.value(BALANCE_PORT_KEY) == sim.port  # a workstation setting
    assert "from the balance S/N B021002593" in page.step_done.text()
    click(qtbot, page.record_button)
    qtbot.waitUntil(lambda: len(register.execution.entries(batch.id)) == 1, timeout=WAIT)
    entry = register.execution.entries(batch.id)[0]
    assert (entry.source.value, entry.within_limits) == ("balance", True)
    assert entry.instrument.startswith(f"balance on {sim.port} S/N B021002593 (sent 'S S")  # its own answer
    assert grams in entry.instrument and entry.value == grams
    qtbot.waitUntil(lambda: entries(page, "glycine-weight") == 1, timeout=WAIT)
    assert "in limit" in cell(page, "glycine-weight", "Check and message").text()
    assert "balance" in cell(page, "glycine-weight", "By, happened at").text()

    page.select_step("glycine-weight")  # a balance that is gone: said in words, nothing recorded
    click(qtbot, page.input.balance_button)
    qtbot.waitUntil(lambda: page.step_error.text().startswith("Not read: cannot open"), timeout=WAIT)


def test_a_correction_keeps_the_original_and_needs_a_reason(qtbot, make_session, make_widget, people, batch, register):
    page = make_widget(ExecutionPage, make_session(people["alex"]))
    page.set_batch(batch.id)
    loaded(qtbot, page)
    record(qtbot, page, "ph-in-process", lambda field: qtbot.keyClicks(field.value_edit, "5.2"))
    page.select_step("ph-in-process")
    dialog = page.correct()
    qtbot.keyClicks(dialog.input.value_edit, "5.3")
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    qtbot.waitUntil(lambda: "Not corrected" in dialog.error.text(), timeout=WAIT)
    assert "a reason for the correction is required" in dialog.error.text()
    dialog.reason.setPlainText("the meter was read before it settled")
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    qtbot.waitUntil(lambda: page.dialog is None, timeout=WAIT)
    qtbot.waitUntil(lambda: entries(page, "ph-in-process") == 2, timeout=WAIT)
    assert [(e.value, e.superseded) for e in register.execution.entries(batch.id)] == [("5.2", True), ("5.3", False)]
    page.select_step("ph-in-process")
    table = page.entries_table
    assert table.item(0, 0).font().strikeOut() and table.item(0, 7).text().startswith("corrected")
    assert table.item(1, 7).text() == "corrects 5.2 pH: the meter was read before it settled"
    assert cell(page, "ph-in-process", "Value").text() == "5.3 pH"
    assert [d.kind for d in page.snapshot.status.deviations] == [DeviationKind.CORRECTION]
    assert page.tabs.tabText(2) == "&Deviations (1 open)"
