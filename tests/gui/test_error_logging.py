"""What a GUI handler catches is logged (with its traceback) before the user reads it in words, so the
"details are in the log file" of an unexpected error is true."""

from __future__ import annotations

import logging

from gui_helpers import PASSWORDS

from labelapp.gui.dialogs.login import LoginDialog
from labelapp.gui.pages.batches import BatchesPage


def _boom(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("boom")


def _logged(caplog, logger: str) -> logging.LogRecord:
    found = [r for r in caplog.records if r.name == logger and r.exc_info]
    assert found, f"nothing logged with a traceback on {logger}: {caplog.records}"
    return found[-1]


def test_an_unexpected_error_on_a_page_is_logged_with_its_traceback_and_shown_in_words(
    qtbot, make_session, make_widget, people, register, monkeypatch, caplog
):
    page = make_widget(BatchesPage, make_session(people["alex"]))
    monkeypatch.setattr(register.batches, "search", _boom)
    with caplog.at_level(logging.INFO):
        page.refresh()

    record = _logged(caplog, "labelapp.gui.pages.batches")
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    assert "Traceback (most recent call last)" in caplog.text and "RuntimeError: boom" in caplog.text

    shown = page.message.text()
    assert page.message.isVisible()
    assert "Something went wrong inside labelapp" in shown and "The details are in the log file" in shown
    assert "boom" not in shown and "Traceback" not in shown


def test_an_unexpected_error_in_a_background_task_is_logged_before_it_is_shown(
    qtbot, make_widget, people, register, monkeypatch, caplog
):
    dialog = make_widget(LoginDialog, register, "test register", "alex")
    monkeypatch.setattr(register.accounts, "authenticate", _boom)
    with caplog.at_level(logging.INFO):
        dialog.password.setText(PASSWORDS["alex"])
        dialog.submit()
        qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10000)

    record = _logged(caplog, "labelapp.gui.workers")
    assert record.levelno == logging.ERROR and record.exc_info is not None and record.exc_info[0] is RuntimeError
    assert "RuntimeError: boom" in caplog.text
    assert "The details are in the log file" in dialog.error.text() and "boom" not in dialog.error.text()
    assert dialog.user is None and dialog.isVisible()


def test_a_refusal_is_logged_as_a_warning_and_shown_as_the_service_wrote_it(
    qtbot, make_widget, people, register, caplog
):
    dialog = make_widget(LoginDialog, register, "test register", "alex")
    with caplog.at_level(logging.INFO):
        dialog.password.setText("not the password")
        dialog.submit()
        qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10000)

    record = _logged(caplog, "labelapp.gui.workers")
    assert record.levelno == logging.WARNING
    assert "not the password" not in caplog.text  # the log never holds a password
    assert "Something went wrong" not in dialog.error.text() and dialog.error.text()


def test_when_a_batch_cannot_be_read_the_verify_page_leaves_nothing_to_act_on(
    qtbot, make_session, make_widget, people, glycine, register, monkeypatch, caplog
):
    """A failed read used to keep the previous batch's record on screen, its buttons enabled, while
    the page's batch id named the new batch: a signature would have gone to a batch nobody saw."""
    from gui_helpers import GLYCINE

    from labelapp.gui.pages.verify import VerifyPage
    from labelapp.services.calculate import load_batch_file

    example = load_batch_file(GLYCINE)
    batch = example.model_copy(update={"batch": example.batch.model_copy(update={"lot_number": None})})
    first = register.batches.new(batch, people["alex"])
    second = register.batches.new(batch, people["alex"])
    page = make_widget(VerifyPage, make_session(people["alex"]))
    page.set_batch(first.id)
    assert page.detail is not None and page.buttons["performed"].isEnabled()

    monkeypatch.setattr(register.batches, "detail", _boom)
    with caplog.at_level(logging.INFO):
        page.set_batch(second.id)

    assert page.detail is None and page.sign("performed") is None and page.reconcile() is None
    assert not any(b.isEnabled() for b in (*page.buttons.values(), page.reconcile_button, page.archive_button))
    assert first.lot_number not in page.title.text() and page.signatures.rowCount() == 0
    assert "The details are in the log file" in page.message.text()
    assert _logged(caplog, "labelapp.gui.pages.verify").exc_info[0] is RuntimeError
