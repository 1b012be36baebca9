"""First start (no account in the register): the facility, the first administrator, optionally the
first technician, pharmacist and QA accounts, and the example formulas.

Everything is done through the register: accounts by ``create_user`` (the first one must be an
administrator), the facility by ``set_facility``, example formulas added as drafts by the QA account
and approved by the pharmacist's own e-signature (a second person, as for every formula).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from labelapp.gui.messages import in_words, log_caught
from labelapp.gui.pages.settings import FACILITY_FIELDS
from labelapp.gui.widgets import (
    ERROR_STYLE,
    INFO_STYLE,
    ErrorLabel,
    FieldBox,
    add_row,
    bold_label,
    line_edit,
    plain_label,
)
from labelapp.gui.workers import run_task
from labelapp.services.settings import facility_from_form

if TYPE_CHECKING:
    from labelapp.domain.facility import Facility
    from labelapp.domain.formula import Formula
    from labelapp.domain.records import AuthenticatedUser, FormulaRecord
    from labelapp.gui.dialogs.signature import SignatureDialog
    from labelapp.services.register import Register

log = logging.getLogger(__name__)

TEAM = (("technician", "Technician"), ("pharmacist", "Pharmacist"), ("qa", "Quality assurance"))


@dataclass
class Account:
    username: str
    full_name: str
    password: str
    password_again: str
    role: str

    @property
    def given(self) -> bool:
        return bool(self.username or self.full_name or self.password)


class AccountRow:
    def __init__(self, grid: QGridLayout, row: int, role: str, title: str):
        self.role = role
        self.edits = [line_edit(f"{role}_{k}") for k in ("username", "full_name", "password", "password2")]
        for edit in self.edits[2:]:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        grid.addWidget(plain_label(title), row, 0)
        for col, edit in enumerate(self.edits, start=1):
            grid.addWidget(edit, row, col)

    def account(self) -> Account:
        u, n, p, q = (e.text() for e in self.edits)
        return Account(u.strip(), n.strip(), p, q, self.role)


def example_formulas() -> list[Formula]:
    from labelapp.resources import examples_dir
    from labelapp.services.calculate import load_batch_file

    return [load_batch_file(path).formula for path in sorted(examples_dir().glob("*.json"))]


class FirstStartDialog(QDialog):
    def __init__(self, register: Register, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Welcome to labelapp — first start")
        self.setObjectName("first_start_dialog")
        self.register = register
        self.admin: AuthenticatedUser | None = None
        self.notes: list[str] = []
        self.added_examples = False
        intro = plain_label(
            "The register has no accounts yet. Enter your facility as it must appear on every label, "
            "and create the first administrator. You can add the first technician, pharmacist and "
            "QA accounts now or later (Settings > Users)."
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(INFO_STYLE)
        self.facility_edits = {key: line_edit(f"setup_{key}") for key, _ in FACILITY_FIELDS}
        self.facility = {key: FieldBox(edit) for key, edit in self.facility_edits.items()}
        facility_box = QGroupBox("Facility")
        form = QFormLayout(facility_box)
        for key, title in FACILITY_FIELDS:
            add_row(form, f"{title}:", self.facility[key])
        self.team_grid = QGridLayout()
        for col, title in enumerate(("", "User name", "Printed full name", "Password", "Password again")):
            self.team_grid.addWidget(bold_label(title), 0, col)
        self.accounts = [AccountRow(self.team_grid, 1, "admin", "Administrator (required)")]
        self.accounts += [AccountRow(self.team_grid, i, role, title) for i, (role, title) in enumerate(TEAM, start=2)]
        team_box = QGroupBox("Accounts")
        team_box.setLayout(self.team_grid)
        self.examples = QCheckBox(
            "Add the example formulas (added by the QA account, approved by the pharmacist's e-signature at the end)"
        )
        self.examples.setObjectName("setup_examples")
        self.examples.setChecked(True)
        self.error = ErrorLabel()  # plain text, wrapped, selectable, hidden until there is a message
        self.error.setObjectName("setup_error")
        body = QWidget()
        inner = QVBoxLayout(body)
        for w in (intro, facility_box, team_box, self.examples, self.error):
            inner.addWidget(w)
        inner.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Create")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        self.resize(900, 560)

    def account(self, role: str) -> Account:
        return next(row.account() for row in self.accounts if row.role == role)

    def _problems(self) -> list[str]:
        """Typing checks the user can see at once; the register checks everything else."""
        problems = []
        for row in self.accounts:
            account = row.account()
            if account.given and account.password != account.password_again:
                problems.append(f"{account.role}: the two passwords differ")
        if self.examples.isChecked() and not (self.account("qa").given and self.account("pharmacist").given):
            problems.append("the example formulas need the QA and the pharmacist accounts (or untick the box)")
        return problems

    def submit(self) -> None:
        for box in self.facility.values():
            box.set_errors([])
        try:
            facility = facility_from_form({k: edit.text() for k, edit in self.facility_edits.items()})
        except Exception as exc:  # noqa: BLE001
            log_caught(log, exc, "the facility of the first start")
            self._facility_errors(exc)
            return
        problems = self._problems()
        if problems:
            self._say("; ".join(problems))
            return
        accounts = [row.account() for row in self.accounts if row.account().given]
        examples = self.examples.isChecked()
        self.buttons.setEnabled(False)
        self._say("Creating the accounts…", error=False)
        run_task(lambda: self._create(facility, accounts, examples), self._created, self)

    def _create(self, facility: Facility, accounts: list[Account], examples: bool) -> list[str]:
        """Runs in a worker. The administrator first (the register requires it); then the rest."""
        admin_account, others = accounts[0], accounts[1:]
        reg = self.register
        reg.accounts.create_user(admin_account.username, admin_account.full_name, "admin", admin_account.password)
        self.admin = admin = reg.accounts.authenticate(
            admin_account.username, admin_account.password, record_sign_in=True
        )
        reg.settings.set_facility(facility, admin, "first start")
        notes = []
        created = {}
        for account in others:
            try:
                reg.accounts.create_user(
                    account.username, account.full_name, account.role, account.password, actor=admin
                )
                created[account.role] = account
            except Exception as exc:  # noqa: BLE001 - the administrator exists: report and go on
                log_caught(log, exc, f"creating the {account.role} account")
                notes.append(
                    f"The {account.role} account was not created: {in_words(exc)} (add it in Settings > Users)."
                )
        if examples and "qa" in created:
            qa = reg.accounts.authenticate(created["qa"].username, created["qa"].password)
            for formula in example_formulas():
                reg.formulas.add(formula, qa)
            self.added_examples = True
        return notes

    def _created(self, notes: list[str] | None, error: BaseException | None) -> None:
        self.buttons.setEnabled(True)
        if error is not None:
            if self.admin is None:
                self._say(f"Not created: {in_words(error)}")
                return
            notes = [f"Setup stopped after the administrator was created: {in_words(error)}"]
        self.notes = notes or []
        self.accept()

    def _facility_errors(self, error: BaseException) -> None:
        issues = getattr(error, "issues", [])
        for issue in issues:
            key = issue.path.removeprefix("facility.")
            if key in self.facility:
                self.facility[key].set_errors([issue.message])
        self._say("Check the facility fields." if issues else in_words(error))

    def _say(self, text: str, error: bool = True) -> None:
        self.error.setStyleSheet(ERROR_STYLE if error else INFO_STYLE)
        self.error.setText(text)
        self.error.show()


def approve_examples_dialog(
    register: Register, pharmacist: str, parent: QWidget | None = None
) -> SignatureDialog[list[FormulaRecord]]:
    """The pharmacist's e-signature approving the example formulas added at first start."""
    from labelapp.gui.dialogs.signature import SignatureDialog

    drafts = register.formulas.versions(status="draft")
    names = ", ".join(f"{f.code} v{f.version}" for f in drafts)

    def sign(username: str, password: str, _reason: str | None) -> list[FormulaRecord]:
        return [register.formulas.approve(f.code, f.version, username, password) for f in drafts]

    return SignatureDialog(
        "Approve the example formulas",
        f"As pharmacist, I reviewed and approve these master formulation records: {names}.",
        "approved",
        sign,
        pharmacist,
        "none",
        parent,
    )
