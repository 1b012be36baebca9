"""Settings: facility, register settings, users, stocks and printers, dating rules, calculation values.

Facility, register settings and users are the register's (an administrator changes them; the
register checks the role and writes the audit trail). Printer per stock and calibration offsets are
this workstation's (QSettings). Dating rules and calculation thresholds are shown read-only.

Users (21 CFR 11.300): each account's state, last sign-in and last password change; an administrator
adds accounts, resets a password to a temporary one and unlocks a locked or expired account; QA and
administrators save the user access review as PDF.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from labelapp.domain.files import atomic_write
from labelapp.domain.register import Role
from labelapp.gui.messages import in_words, log_caught
from labelapp.gui.models.records import display
from labelapp.gui.printing import remembered_printer, stored_offset
from labelapp.gui.session import Session
from labelapp.gui.widgets import (
    INFO_STYLE,
    WARNING_STYLE,
    FieldBox,
    add_row,
    ask_text,
    banner,
    heading,
    line_edit,
    plain_label,
    read_only_table,
)
from labelapp.gui.workers import run_task
from labelapp.services import rendering
from labelapp.services.calculate import reference_dating_rules
from labelapp.services.settings import facility_from_form

if TYPE_CHECKING:
    from labelapp.domain.records import UserRecord
    from labelapp.gui.dialogs.reset_password import ResetPasswordDialog

log = logging.getLogger(__name__)

FileChooser = Callable[[QWidget, str], str | None]  # (parent, suggested file name) -> path, or None

FACILITY_FIELDS = (
    ("name", "Facility name"),
    ("address", "Address (one line)"),
    ("phone", "Phone"),
    ("fei", "FDA registration (FEI)"),
    ("ndc_labeler_code", "NDC labeler code"),
)
REGISTER_FIELDS = (
    ("lot_pattern", "Lot number pattern"),
    ("reconciliation_limit", "Reconciliation limit (labels)"),
    ("lockout_attempts", "Failed sign-ins before lock-out"),
    ("password_min_length", "Minimum password length"),
    ("password_max_age_days", "Password ageing (days; 0: never)"),
    ("account_expiry_days", "Lock accounts unused for (days; 0: never)"),
    ("idle_lock_minutes", "Lock the desktop app after (minutes without input)"),
    ("archive_dir", "Archive folder"),
)
CALC_FIELDS = (
    ("calc.tonicity.hypotonic_below", "Hypotonic below (mOsmol/L)"),
    ("calc.tonicity.hypertonic_from", "Hypertonic from (mOsmol/L)"),
    ("calc.tonicity.peripheral_caution_above", "Peripheral caution above (mOsmol/L)"),
    ("calc.tonicity.central_line_above", "Central line above (mOsmol/L)"),
    ("calc.compounding_day_is_day", "Compounding day counts as day (0 or 1)"),
    ("calc.component_expiry_warning_days", "Warn when a component lot expires within (days)"),
    ("calc.weigh_tolerance_percent", "Weighing tolerance (± %)"),
)
ROLES = ("technician", "pharmacist", "qa", "admin")
USER_COLUMNS = ["User name", "Printed full name", "Role", "State", "Last sign-in (UTC)", "Password changed (UTC)"]


def account_state(user: UserRecord) -> str:
    """Active, disabled or locked (after failed sign-ins, or unused past the account expiry), and
    whether the password must be changed at the next sign-in (an administrator's reset)."""
    state = "disabled" if not user.active else "locked" if user.locked else "active"
    return f"{state}, must change password" if user.must_change_password else state


def user_row(user: UserRecord) -> list[str]:
    return [
        user.username,
        user.full_name,
        user.role.value,
        account_state(user),
        display(user.last_sign_in_at) or "never",
        display(user.password_changed_at) or "—",
    ]


def ask_save_file(parent: QWidget, suggested: str) -> str | None:
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getSaveFileName(parent, "Save the user access review", suggested, "PDF files (*.pdf)")
    return path or None


def _table(headers: list[str], name: str, single: bool = False) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    return read_only_table(table, single=single)


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))


class FormSection(QWidget):
    """Labelled line edits with errors beside them, a Save button and a result line."""

    def __init__(self, fields: tuple[tuple[str, str], ...], prefix: str, save_text: str):
        super().__init__()
        self.boxes: dict[str, FieldBox] = {}
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for key, title in fields:
            self.edits[key] = line_edit(f"{prefix}_{key}")
            self.boxes[key] = FieldBox(self.edits[key])
            add_row(form, f"{title}:", self.boxes[key])
        self.message = banner(WARNING_STYLE, f"{prefix}_message")
        self.done = banner(INFO_STYLE, f"{prefix}_done")
        self.save_button = QPushButton(save_text)
        self.save_button.setObjectName(f"{prefix}_save")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.done)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        layout.addStretch(1)

    def values(self) -> dict[str, str]:
        return {key: edit.text() for key, edit in self.edits.items()}

    def set_values(self, values: dict[str, Any]) -> None:
        for key, box in self.boxes.items():
            value = values.get(key)
            self.edits[key].setText("" if value is None else str(value))
            box.set_errors([])

    def show_error(self, error: BaseException, prefix: str) -> None:
        issues = getattr(error, "issues", None) or []
        placed = False
        for key, box in self.boxes.items():
            mine = [i.message for i in issues if i.path in (f"{prefix}.{key}", key)]
            box.set_errors(mine)
            placed = placed or bool(mine)
        self.done.hide()
        self.message.setText("Not saved: " + ("see the fields above." if placed else in_words(error)))
        self.message.show()

    def show_done(self, text: str) -> None:
        for box in self.boxes.values():
            box.set_errors([])
        self.message.hide()
        self.done.setText(text)
        self.done.show()


class SettingsPage(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None, choose_file: FileChooser | None = None):
        """``choose_file(parent, suggested_name)``: where to save the access review (a file dialog; tests)."""
        super().__init__(parent)
        self.setObjectName("settings_page")
        self.session = session
        self.choose_file: FileChooser = choose_file or ask_save_file
        self.user_records: list[UserRecord] = []
        self.dialog: ResetPasswordDialog | None = None  # the open dialog (tests drive it)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settings_tabs")
        self.facility = FormSection(FACILITY_FIELDS, "facility", "Save &facility")
        self.facility.save_button.clicked.connect(self.save_facility)
        self.register_form = FormSection(REGISTER_FIELDS, "register", "Save register &settings")
        self.register_form.save_button.clicked.connect(self.save_register_settings)
        self.tabs.addTab(self.facility, "Facility")
        self.tabs.addTab(self.register_form, "Register")
        self.tabs.addTab(self._users_tab(), "Users")
        self.tabs.addTab(self._stocks_tab(), "Stocks and printers")
        self.tabs.addTab(self._dating_tab(), "Dating rules")
        self.calc = FormSection(CALC_FIELDS, "calc", "Save &calculation settings")
        self.calc.save_button.clicked.connect(self.save_calc_settings)
        self.tabs.addTab(self.calc, "Calculation")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Settings"))
        layout.addWidget(self.tabs, 1)
        session.settings_changed.connect(self.refresh)
        session.user_changed.connect(self._show_role_actions)
        self._show_role_actions()

    # ------------------------------------------------------------ tabs

    def _users_tab(self) -> QWidget:
        tab = QWidget()
        self.users = _table(USER_COLUMNS, "users_table", single=True)
        self.reset_button = QPushButton("&Reset password…")
        self.reset_button.setObjectName("user_reset")
        self.reset_button.setToolTip("Set a temporary password that the user must change at the next sign-in")
        self.reset_button.clicked.connect(self.reset_password)
        self.unlock_button = QPushButton("&Unlock…")
        self.unlock_button.setObjectName("user_unlock")
        self.unlock_button.setToolTip("Unlock an account locked after failed sign-ins or unused past the expiry")
        self.unlock_button.clicked.connect(self.unlock_user)
        self.review_button = QPushButton("User access revie&w (PDF)…")
        self.review_button.setObjectName("access_review")
        self.review_button.setToolTip("Who has which role, last sign-in, last password change, findings")
        self.review_button.clicked.connect(self.save_access_review)
        actions = QHBoxLayout()
        for button in (self.reset_button, self.unlock_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.review_button)
        self.new_user = {key: line_edit(f"user_{key}") for key in ("username", "full_name")}
        self.new_role = QComboBox()
        self.new_role.setObjectName("user_role")
        self.new_role.addItems(ROLES)
        self.new_password = [line_edit("user_password"), line_edit("user_password2")]
        for edit in self.new_password:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        add_row(form, "User name:", self.new_user["username"])
        add_row(form, "Printed full name:", self.new_user["full_name"])
        add_row(form, "Role:", self.new_role)
        add_row(form, "Password:", self.new_password[0])
        add_row(form, "Password again:", self.new_password[1])
        self.user_message = banner(WARNING_STYLE, "user_message")
        self.user_done = banner(INFO_STYLE, "user_done")
        add = QPushButton("&Add user")
        add.setObjectName("user_add")
        add.clicked.connect(self.add_user)
        layout = QVBoxLayout(tab)
        layout.addWidget(self.users, 1)
        layout.addLayout(actions)
        layout.addWidget(plain_label("New account (administrators only):"))
        layout.addLayout(form)
        layout.addWidget(self.user_message)
        layout.addWidget(self.user_done)
        layout.addWidget(add)
        return tab

    def _stocks_tab(self) -> QWidget:
        tab = QWidget()
        self.stocks = _table(
            [
                "Stock",
                "Label size",
                "Kind",
                "Used for",
                "Printer (this workstation)",
                "Calibration (mm)",
                "Description",
            ],
            "stocks_table",
        )
        note = plain_label(
            "Stocks and layouts are data files (templates/stocks, templates/layouts) maintained under "
            "change control. The printer per stock and its calibration are remembered on this "
            "workstation when you print."
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(tab)
        layout.addWidget(note)
        layout.addWidget(self.stocks, 1)
        return tab

    def _dating_tab(self) -> QWidget:
        tab = QWidget()
        self.dating = _table(["Rule", "Title", "Kind", "Days", "Source"], "dating_table")
        layout = QVBoxLayout(tab)
        layout.addWidget(plain_label("Dating rules (templates/dating, QA-controlled data; read-only here):"))
        layout.addWidget(self.dating, 1)
        return tab

    # ------------------------------------------------------------ loading

    def refresh(self) -> None:
        register = self.session.register
        try:
            facility = register.settings.facility()
            self.facility.set_values(facility.model_dump(mode="json", exclude_none=True) if facility else {})
            current = register.settings.current()
            self.register_form.set_values(current.model_dump())
            self.calc.set_values(_flatten({"calc": current.calc.model_dump(mode="json")}))
            self.user_records = register.accounts.list_users()
            _fill(self.users, [user_row(u) for u in self.user_records])
        except Exception as exc:  # noqa: BLE001
            log_caught(log, exc, "reading the settings")
            self.facility.message.setText(in_words(exc))
            self.facility.message.show()
        self._refresh_stocks()
        _fill(
            self.dating,
            [
                [r.name, r.title, r.kind, ", ".join(f"{c.value}: {d}" for c, d in r.days.items()), r.source]
                for r in reference_dating_rules()
            ],
        )

    def _refresh_stocks(self) -> None:
        settings = self.session.ui_settings
        rows: dict[str, list[str]] = {}
        for kind in ("vial", "carton"):
            for info in rendering.stocks(kind):
                if info.name in rows:
                    rows[info.name][3] += f", {kind}"
                    continue
                printer = remembered_printer(settings, info.name)
                offset = stored_offset(settings, printer, info.name)
                rows[info.name] = [
                    info.name,
                    info.size_text,
                    info.kind,
                    kind,
                    printer or "—",
                    f"{offset.x_mm:+.1f} right, {offset.y_mm:+.1f} down",
                    info.description,
                ]
        _fill(self.stocks, list(rows.values()))

    # ------------------------------------------------------------ saving

    def save_facility(self) -> None:
        try:
            facility = facility_from_form(self.facility.values())
            self.session.register.settings.set_facility(facility, self.session.require_user())
        except Exception as exc:  # noqa: BLE001
            log_caught(log, exc, "saving the facility")
            self.facility.show_error(exc, "facility")
            return
        self.facility.show_done("Facility saved. New batches carry it on every label.")

    def save_register_settings(self) -> None:
        register = self.session.register
        current = register.settings.current().model_dump()
        changes: dict[str, str | int | None] = {}
        for key, text in self.register_form.values().items():
            value: str | int | None = text.strip() or None
            if key != "archive_dir" and key != "lot_pattern" and isinstance(value, str):
                value = int(value) if value.isdigit() else value
            if value != current.get(key):
                changes[key] = value
        if not changes:
            self.register_form.show_done("Nothing changed.")
            return
        try:
            register.settings.update(self.session.require_user(), changes)
        except Exception as exc:  # noqa: BLE001
            log_caught(log, exc, "saving the register settings")
            self.register_form.show_error(exc, "settings")
            return
        self.register_form.show_done(f"Saved: {', '.join(changes)}.")
        self.session.settings_changed.emit()

    def save_calc_settings(self) -> None:
        register = self.session.register
        current = _flatten({"calc": register.settings.current().calc.model_dump(mode="json")})
        changes = {key: text.strip() for key, text in self.calc.values().items() if text.strip() != str(current[key])}
        if not changes:
            self.calc.show_done("Nothing changed.")
            return
        try:
            register.settings.update(self.session.require_user(), changes)
        except Exception as exc:  # noqa: BLE001
            log_caught(log, exc, "saving the calculation settings")
            self.calc.show_error(exc, "settings")
            return
        self.calc.show_done(f"Saved: {', '.join(changes)}. New calculations use them.")
        self.session.settings_changed.emit()

    def add_user(self) -> None:
        first, second = (edit.text() for edit in self.new_password)
        if first != second:
            self._user_message("The two passwords differ; type the same password twice.")
            return
        try:
            self.session.register.accounts.create_user(
                self.new_user["username"].text().strip(),
                self.new_user["full_name"].text(),
                self.new_role.currentText(),
                first,
                actor=self.session.require_user(),
            )
        except Exception as exc:  # noqa: BLE001
            log_caught(log, exc, "adding an account")
            self._user_message(f"Not added: {in_words(exc)}")
            return
        for edit in (*self.new_user.values(), *self.new_password):
            edit.clear()
        self._user_done("Account added.")
        self.refresh()

    def _user_message(self, text: str) -> None:
        self.user_done.hide()
        self.user_message.setText(text)
        self.user_message.show()

    def _user_done(self, text: str) -> None:
        self.user_message.hide()
        self.user_done.setText(text)
        self.user_done.show()

    # ------------------------------------------------------------ accounts (21 CFR 11.300)

    def _show_role_actions(self, *_: object) -> None:
        """Buttons for what the signed-in role may do (the register checks again)."""
        user = self.session.user
        role = user.role if user is not None else None
        for button in (self.reset_button, self.unlock_button):
            button.setVisible(role is Role.ADMIN)
        self.review_button.setVisible(role in (Role.ADMIN, Role.QA))

    def selected_user(self) -> UserRecord | None:
        row = self.users.currentRow()
        return self.user_records[row] if 0 <= row < len(self.user_records) else None

    def select_user(self, username: str) -> None:
        for row, record in enumerate(self.user_records):
            if record.username == username:
                self.users.selectRow(row)
                return

    def reset_password(self) -> ResetPasswordDialog | None:
        """Open the reset dialog for the selected account (returned, for tests and screenshots)."""
        from labelapp.gui.dialogs.reset_password import ResetPasswordDialog

        target = self.selected_user()
        if target is None:
            self._user_message("Select the account whose password is to be reset.")
            return None
        register, session, username = self.session.register, self.session, target.username

        def reset(temporary: str, reason: str) -> None:
            register.accounts.reset_password(username, temporary, session.require_user(), reason)

        dialog = ResetPasswordDialog(username, target.full_name, reset, self)
        self.dialog = dialog

        def finished(code: int) -> None:
            self.dialog = None
            if code:
                self.refresh()
                self.select_user(username)
                self._user_done(
                    f"The password of {username} was reset to a temporary one; it must be changed at the next "
                    "sign-in, and the account cannot sign anything before that."
                )
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def unlock_user(self) -> None:
        target = self.selected_user()
        if target is None:
            self._user_message("Select the account to unlock.")
            return
        reason, ok = ask_text(
            self, "Unlock account", f"Why is the account {target.username} unlocked? (kept in the audit trail)"
        )
        if ok:
            self.unlock_with_reason(target.username, reason)

    def unlock_with_reason(self, username: str, reason: str | None) -> None:
        try:
            self.session.register.accounts.unlock_user(username, self.session.require_user(), reason or None)
        except Exception as exc:  # noqa: BLE001
            log_caught(log, exc, f"unlocking {username}")
            self._user_message(f"Not unlocked: {in_words(exc)}")
            return
        self.refresh()
        self.select_user(username)
        self._user_done(f"The account {username} is unlocked; its failed sign-ins are reset.")

    def save_access_review(self) -> None:
        """The user access review as PDF (QA or an administrator), written where the user chooses."""
        register = self.session.register
        try:
            user = self.session.require_user()
        except Exception as exc:  # noqa: BLE001
            self._user_message(in_words(exc))
            return
        today = datetime.now(UTC).strftime("%Y-%m-%d")
        path = self.choose_file(self, f"user-access-review-{today}.pdf")
        if not path:
            return
        target = Path(path)
        self.review_button.setEnabled(False)

        def done(written: Path | None, error: BaseException | None) -> None:
            self.review_button.setEnabled(True)
            if error is not None or written is None:
                self._user_message(f"The access review was not saved: {in_words(error or RuntimeError())}")
                return
            self._user_done(f"User access review saved to {written}.")

        run_task(lambda: atomic_write(target, rendering.access_review_pdf(register, user)), done, self)


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{'calc': {'tonicity': {'x': 1}}} -> {'calc.tonicity.x': 1} (the register's dotted keys)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{path}."))
        else:
            out[path] = value
    return out
