"""Accounts on the settings page (21 CFR 11.300): each user's state, last sign-in and password change; the
administrator resets a password to a temporary one and unlocks an account; QA and the administrator
save the user access review as PDF."""

from __future__ import annotations

from typing import Any

import pdfplumber
import pytest
from gui_helpers import PASSWORDS, PEOPLE
from PySide6.QtCore import Qt

from labelapp.domain.errors import AuthenticationError
from labelapp.gui.pages.settings import SettingsPage

TEMPORARY = "temporary-pass-0042"


def user_cells(page: SettingsPage, username: str) -> list[str]:
    for row in range(page.users.rowCount()):
        if page.users.item(row, 0).text() == username:
            return [page.users.item(row, c).text() for c in range(page.users.columnCount())]
    raise AssertionError(f"{username} is not in the users table")


def test_the_administrator_resets_a_password_and_unlocks_an_account(qtbot, make_session, make_widget, register, people):
    register.accounts.authenticate("sam", PASSWORDS["sam"], record_sign_in=True)
    page = make_widget(SettingsPage, make_session(people["admin"]))
    page.refresh()
    page.tabs.setCurrentIndex(2)
    assert page.reset_button.isVisible() and page.unlock_button.isVisible() and page.review_button.isVisible()
    alex = user_cells(page, "alex")
    assert alex[:5] == ["alex", "Alex Rivera", "technician", "active", "never"] and alex[5] != "—"
    assert user_cells(page, "sam")[4] != "never"  # a recorded sign-in

    page.select_user("alex")
    dialog = page.reset_password()
    first, second = dialog.edits()
    first.setText(TEMPORARY)
    second.setText(TEMPORARY + "x")
    dialog.submit()
    assert "differ" in dialog.again.errors()
    second.setText(TEMPORARY)
    dialog.submit()
    assert "reason is required" in dialog.reason.errors()
    first.setText("short")
    second.setText("short")
    dialog.reason_edit.setPlainText("forgot the password")
    dialog.submit()
    qtbot.waitUntil(lambda: "at least 10 characters" in dialog.password.errors(), timeout=10000)
    first.setText(TEMPORARY)
    second.setText(TEMPORARY)
    dialog.submit()
    qtbot.waitUntil(lambda: page.dialog is None, timeout=10000)
    assert user_cells(page, "alex")[3] == "active, must change password"
    assert "must be changed at the next sign-in" in page.user_done.text()
    assert register.accounts.authenticate("alex", TEMPORARY).password_change_reason == "temporary"

    for _ in range(5):  # the lock-out limit (register setting lockout_attempts)
        with pytest.raises(AuthenticationError):
            register.accounts.authenticate("quinn", "wrong-password")
    page.refresh()
    assert user_cells(page, "quinn")[3] == "locked"
    page.unlock_with_reason("quinn", "called the help desk")
    assert user_cells(page, "quinn")[3] == "active"
    assert register.accounts.authenticate("quinn", PASSWORDS["quinn"]).username == "quinn"
    entry = register.audit.entries("user", "quinn", limit=1, newest_first=True)[0]
    assert (entry.action, entry.reason) == ("user.unlocked", "called the help desk")


def test_qa_saves_the_user_access_review_as_pdf(qtbot, tmp_path, make_session, make_widget, register, people):
    chosen: list[str] = []

    def choose(_parent: Any, name: str) -> str:
        chosen.append(name)
        return str(tmp_path / name)

    page = make_widget(SettingsPage, make_session(people["quinn"]), choose_file=choose)
    page.refresh()
    page.tabs.setCurrentIndex(2)
    assert page.review_button.isVisible() and not page.reset_button.isVisible()
    qtbot.mouseClick(page.review_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.user_done.isVisible(), timeout=20000)
    path = tmp_path / chosen[0]
    assert chosen[0].startswith("user-access-review-") and str(path) in page.user_done.text()
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    with pdfplumber.open(path) as pdf:
        text = " ".join(p.extract_text() or "" for p in pdf.pages)
    for username, (full_name, role) in PEOPLE.items():
        assert username in text and full_name in text and role in text

    technician = make_widget(SettingsPage, make_session(people["alex"]))
    assert not technician.review_button.isVisible() and not technician.reset_button.isVisible()
