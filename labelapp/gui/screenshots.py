"""Developer tool: screenshots of every page with a demo register, for docs/screenshots.

    QT_QPA_PLATFORM=offscreen python -m labelapp.gui.screenshots docs/screenshots

Builds a throw-away register in a temporary folder (never the user's), signs in demo people,
types the glycine example batch, prints its labels to a PDF file, receives and releases its component
lots, executes its master record (one pH out of limit, then dispositioned) and grabs each page.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QSettings, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

if TYPE_CHECKING:
    from labelapp.domain.records import AuthenticatedUser
    from labelapp.services.register import Register

PEOPLE = (
    ("ada", "Ada Admin", "admin"),
    ("alex", "Alex Rivera", "technician"),
    ("sam", "Sam Chen, PharmD", "pharmacist"),
    ("pia", "Pia Park, PharmD", "pharmacist"),
    ("quinn", "Quinn Quality", "qa"),
)
PASSWORD = "demo-password-{}"
DEMO_LOTS = (  # the example batch's component lots, as received: (ingredient, lot, manufacturer, expiry, GTIN)
    ("glycine", "GLY24117", "Example Chemical Co.", date(2028, 9, 30), "00614141999965"),
    ("water for injection", "WFI-2611-07", "Example Water Systems", date(2027, 5, 31), None),
)


def settle(ms: int = 300, until: Callable[[], object] | None = None, timeout_ms: int = 15000) -> None:
    """Let workers finish and events flow (until ``until()`` holds, when given)."""
    waited = 0
    while True:
        QThreadPool.globalInstance().waitForDone(50)
        loop = QEventLoop()
        QTimer.singleShot(50, loop.quit)
        loop.exec()
        waited += 100
        if (until is None and waited >= ms) or (until is not None and until()) or waited > timeout_ms:
            return


def grab(widget: QWidget | None, path: Path) -> None:
    settle(200)
    if widget is None:
        print(f"{path}: nothing to grab", file=sys.stderr)
        return
    widget.grab().save(str(path))
    print(path)


def demo_register(folder: Path) -> tuple[Register, dict[str, AuthenticatedUser]]:
    from labelapp.resources import examples_dir
    from labelapp.services.calculate import load_batch_file
    from labelapp.services.register import Register

    reg = Register.open(f"sqlite:///{folder / 'demo.db'}")
    people: dict[str, AuthenticatedUser] = {}
    for username, full, role in PEOPLE:
        reg.accounts.create_user(username, full, role, PASSWORD.format(username), actor=people.get("ada"))
        people[username] = reg.accounts.authenticate(username, PASSWORD.format(username))
    example = load_batch_file(examples_dir() / "glycine-50mg-ml-30ml.json")
    reg.settings.set_facility(example.facility, people["ada"])
    for path in sorted(examples_dir().glob("*.json")):
        formula = load_batch_file(path).formula
        reg.formulas.add(formula, people["sam"])
        reg.formulas.approve(formula.id, str(formula.version), "pia", PASSWORD.format("pia"))
    return reg, people


def receive_demo_lots(reg: Register, people: dict[str, AuthenticatedUser]) -> None:
    """The example's two lots received and released by QA, and a newer glycine lot still in quarantine."""
    for ingredient, lot, maker, expiry, gtin in DEMO_LOTS:
        material = reg.execution.receive_material(
            ingredient=ingredient, lot=lot, manufacturer=maker, expiry=expiry, user=people["alex"], gtin=gtin
        )
        reg.execution.release_material(material.id, "quinn", PASSWORD.format("quinn"))
    reg.execution.receive_material(
        ingredient="glycine",
        lot="GLY24203",
        manufacturer="Example Chemical Co.",
        expiry=date(2029, 1, 31),
        user=people["alex"],
        gtin="00614141999965",
    )


def execute_demo_steps(
    reg: Register, people: dict[str, AuthenticatedUser], batch_id: int, until: str | None = None
) -> None:
    """The master record's steps as a technician records them (the pH out of limit), from the first not yet
    recorded up to (not including) ``until``; Sam verifies the steps that need a second person."""
    from labelapp.services.rendering import registered_batch

    comp = registered_batch(reg, batch_id).computation
    grams = next(line.theoretical_g for line in comp.amounts if line.component == "glycine")
    now = datetime.now(UTC)
    at = {"compounding-end": 15, "filtration-start": 12, "fill-end": 5}
    values = [
        ("line-clearance", "yes"),
        ("balance", "BAL-0042 2030-03-31"),
        ("glycine-lot", "GLY24117"),
        ("wfi-lot", "WFI-2611-07"),
        ("glycine-weight", f"{grams:.2f}"),
        ("compounding-end", ""),
        ("ph-in-process", "6.8"),
        ("filter-integrity", "55"),
        ("filtration-start", ""),
        ("fill-check", "30.8"),
        ("fill-check", "30.5"),
        ("fill-end", ""),
        ("inspection", f"accepted={comp.theoretical_yield_units - 1} particles=1"),
        ("units-filled", str(comp.theoretical_yield_units)),
    ]
    done = {e.step_id for e in reg.execution.entries(batch_id)}
    master = registered_batch(reg, batch_id).batch_file.formula.master_record
    verified = {s.id for s in master.steps if s.verify} if master else set()
    for step_id, text in values:
        if step_id == until:
            return
        if step_id in done and step_id != "fill-check":
            continue
        moment = now - timedelta(minutes=at.get(step_id, 1))
        entry = reg.execution.record(
            batch_id, step_id, text or moment.isoformat(timespec="minutes"), people["alex"], happened_at=moment
        )
        if step_id in verified:
            reg.execution.verify_step(entry.id, "sam", PASSWORD.format("sam"))


def record_demo_qc(reg: Register, people: dict[str, AuthenticatedUser], batch_id: int) -> None:
    results = {"sterility": "no growth", "endotoxin": "0.5", "ph": "5.7", "osmolality": "660", "assay": "99.1"}
    for spec_id, result in results.items():
        reg.execution.record_qc(
            batch_id, spec_id, result, method=None, analyst="Lee Analyst", tested_on=date.today(), user=people["quinn"]
        )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    app.setApplicationName("labelapp")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        reg, people = demo_register(folder)
        try:
            shoot(out, folder, reg, people)
        finally:
            QThreadPool.globalInstance().waitForDone(10000)
            reg.close()
    return 0


def shoot(out: Path, folder: Path, reg: Register, people: dict[str, AuthenticatedUser]) -> None:
    from labelapp.gui.dialogs.first_start import FirstStartDialog
    from labelapp.gui.dialogs.login import LoginDialog
    from labelapp.gui.main_window import MainWindow
    from labelapp.gui.presenters.batch_form import values_from_batch
    from labelapp.gui.session import Session
    from labelapp.resources import examples_dir
    from labelapp.services.calculate import load_batch_file

    session = Session(reg, QSettings(str(folder / "ui.ini"), QSettings.Format.IniFormat))
    session.sign_in(people["alex"])
    window = MainWindow(session, {"print": {"choose_file": lambda _p, name: str(folder / name)}})
    window.resize(1360, 860)
    window.show()
    window.start_batch(reg.formulas.get("GLY-50-30"))
    editor = window.page("editor")
    example = load_batch_file(examples_dir() / "glycine-50mg-ml-30ml.json").model_dump(mode="json")
    values = values_from_batch(example["batch"])
    values.lot_number = None
    for key, text in values.scalars.items():
        box = editor.fields[key].editor
        if isinstance(box, QLineEdit):
            box.setText(text)
    bad_lots = [dict(row) for row in values.lots]
    bad_lots[0]["expiry"] = "2026-01-31"
    bad_lots[1]["potency_percent"] = "ninety"
    editor.lots_model.set_rows(bad_lots)
    units = editor.editor("units")
    assert isinstance(units, QLineEdit)  # the units field is a line edit (BatchEditorPage._editor)
    units.setText("0")
    editor.schedule(immediately=True)
    settle(until=lambda: editor.last is not None and not editor.last.ok)
    grab(window, out / "batch-editor-errors.png")
    units.setText(values.scalars["units"])
    editor.lots_model.set_rows(values.lots)
    editor.schedule(immediately=True)
    settle(until=lambda: editor.last is not None and editor.last.ok)
    editor.save()
    settle(until=lambda: editor.batch_id is not None)
    settle(until=lambda: editor.last is not None and editor.last.ok)
    grab(window, out / "batch-editor.png")
    preview = window.page("preview")
    window.show_page("preview")
    settle(until=lambda: preview.stock.findData("roll-vial-30ml") >= 0)
    preview.set_stock("roll-vial-30ml")
    settle(until=lambda: preview.current() is not None)
    grab(window, out / "label-preview.png")
    preview.set_kind("carton")
    settle(until=lambda: (shown := preview.current()) is not None and shown.kind == "carton")
    grab(window, out / "carton-preview.png")
    preview.set_kind("worksheet")
    settle(until=lambda: (shown := preview.current()) is not None and shown.kind == "worksheet")
    grab(window, out / "worksheet-preview.png")
    preview.set_kind("vial")
    settle(until=lambda: (shown := preview.current()) is not None and shown.kind == "vial")
    window.show_page("print")
    window.page("print").print_to_file()
    settle(until=lambda: window.page("print").done.isVisible() and "Sent" in window.page("print").done.text())
    grab(window, out / "print.png")
    batch_id = editor.batch_id
    if batch_id is None:
        raise SystemExit("the demo batch was not saved; see the batch editor's message")
    receive_demo_lots(reg, people)
    window.show_page("materials")
    materials = window.page("materials")
    settle(until=lambda: materials.loads > 0)
    materials.select("GLY24203")
    grab(window, out / "materials.png")
    execute_demo_steps(reg, people, batch_id, until="filter-integrity")
    window.execute_batch()
    execution = window.page("execution")
    settle(until=lambda: execution.snapshot is not None and bool(execution.step_ids))
    execution.select_step("filter-integrity")
    grab(window, out / "execution.png")
    execute_demo_steps(reg, people, batch_id)
    record_demo_qc(reg, people, batch_id)
    execution.refresh()
    settle(until=lambda: execution.snapshot is not None and all(q.latest for q in execution.snapshot.status.qc))
    execution.tabs.setCurrentIndex(1)
    grab(window, out / "execution-qc.png")
    execution.tabs.setCurrentIndex(2)
    grab(window, out / "execution-deviations.png")
    for deviation in reg.execution.status(batch_id).deviations:
        reg.execution.disposition(
            deviation.id,
            "quinn",
            PASSWORD.format("quinn"),
            investigation="pH meter re-checked against pH 4 and 7 buffers; the reading was confirmed",
            root_cause="acid added before the glycine dissolved completely",
            disposition="accepted: release pH 5.7 is within the specification",
            capa="CAPA-12",
        )
    reg.batches.sign(batch_id, "alex", PASSWORD.format("alex"), "performed")
    window.show_page("verify")
    verify = window.page("verify")
    reconciliation = verify.reconcile()
    if reconciliation is None:
        raise SystemExit("the verify page cannot read the demo batch")
    settle(200)
    grab(reconciliation, out / "reconciliation-dialog.png")
    reconciliation.counts["applied"].setValue(104)
    reconciliation.counts["specimens"].setValue(2)
    reconciliation.submit()
    settle(until=lambda: verify.dialog is None)
    signature = verify.sign("verified")
    if signature is None:
        raise SystemExit("the verify page cannot read the demo batch")
    signature.username.setText("alex")
    signature.password.setText(PASSWORD.format("alex"))
    signature.submit()
    settle(until=lambda: "Not signed" in signature.error.text())
    grab(signature, out / "signature-refused.png")
    signature.username.setText("sam")
    signature.password.setText(PASSWORD.format("sam"))
    signature.submit()
    settle(until=lambda: verify.dialog is None)
    grab(window, out / "verify-release.png")
    window.show_page("batches")
    grab(window, out / "batches.png")
    window.show_page("archive")
    archive = window.page("archive")
    archive.view.selectRow(0)
    archive.open_document(archive.selected())
    settle(until=lambda: archive.viewer.page_count() > 0)
    grab(window, out / "archive.png")
    window.show_page("formulas")
    window.page("formulas").select("GLY-50-30", "1")
    grab(window, out / "formulas.png")
    window.show_page("audit")
    grab(window, out / "audit-log.png")
    window.show_page("settings")
    grab(window, out / "settings.png")
    window.page("settings").tabs.setCurrentIndex(3)
    grab(window, out / "settings-stocks.png")
    window.page("settings").tabs.setCurrentIndex(5)
    grab(window, out / "settings-calculation.png")
    shoot_accounts(out, window, reg, people)
    login = LoginDialog(reg, reg.location, "alex")
    login.show()
    grab(login, out / "login.png")
    first = FirstStartDialog(reg)
    first.show()
    grab(first, out / "first-start.png")
    for w in (login, first, window):
        w.close()


def composite(window: QWidget, dialog: QWidget, path: Path) -> None:
    """The window with a dialog drawn over its middle, as a user sees them (two top-level windows)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QColor, QPainter, QPen

    settle(200)
    picture = window.grab()
    over = dialog.grab()
    at = QPoint((picture.width() - over.width()) // 2, picture.height() * 11 // 20)
    painter = QPainter(picture)
    painter.drawPixmap(at, over)
    painter.setPen(QPen(QColor("#7a7a7a"), 2))  # offscreen windows have no frame: draw one
    painter.drawRect(at.x() - 1, at.y() - 1, over.width() + 1, over.height() + 1)
    painter.end()
    picture.save(str(path))
    print(path)


def shoot_accounts(out: Path, window: QWidget, reg: Register, people: dict[str, AuthenticatedUser]) -> None:
    """Settings > Users with a reset and a locked account, the reset and change-password dialogs, the lock."""
    from labelapp.gui.dialogs.change_password import ChangePasswordDialog
    from labelapp.gui.dialogs.unlock import UnlockDialog
    from labelapp.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    session = window.session
    for username in ("ada", "sam", "quinn"):
        reg.accounts.authenticate(username, PASSWORD.format(username), record_sign_in=True)
    ada = reg.accounts.authenticate("ada", PASSWORD.format("ada"), record_sign_in=True)
    session.sign_in(ada)
    reg.accounts.reset_password("pia", "temporary-0001", ada, "forgot her password (help desk ticket 4711)")
    for _ in range(reg.settings.current().lockout_attempts):
        try:
            reg.accounts.authenticate("quinn", "not-her-password")
        except Exception:  # noqa: BLE001 - each wrong password is refused; the last one locks
            pass
    settings = window.page("settings")
    window.show_page("settings")
    settings.tabs.setCurrentIndex(1)
    grab(window, out / "settings-register.png")
    settings.tabs.setCurrentIndex(2)
    settings.refresh()
    settings.select_user("alex")
    grab(window, out / "settings-users.png")
    reset = settings.reset_password()
    if reset is not None:
        for edit in reset.edits():
            edit.setText("temporary-0002")
        reset.reason_edit.setPlainText("locked out after a holiday; identity checked in person")
        grab(reset, out / "reset-password-dialog.png")
        reset.reject()
    temporary = reg.accounts.authenticate("pia", "temporary-0001", record_sign_in=True)
    change = ChangePasswordDialog(reg, temporary)
    current, new, again = change.edits()
    current.setText("temporary-0001")
    new.setText("pia-new-password-1")
    again.setText("pia-new-password-2")
    change.show()
    change.submit()  # the two new passwords differ: said under the field
    grab(change, out / "change-password-dialog.png")
    change.close()
    temporary.forget_key()
    window.show_page("editor")
    window.lock(ada, 15)
    unlock = UnlockDialog(reg, ada.username, ada.full_name, window)
    unlock.show()
    composite(window, unlock, out / "lock-screen.png")
    unlock.hide()
    window.unlock()


if __name__ == "__main__":
    raise SystemExit(main())
