from __future__ import annotations

import sys

from labelapp.domain.errors import FieldIssue, InputError, RuleViolation
from labelapp.gui.crash_handler import ExceptionHandler
from labelapp.gui.messages import in_words


def test_refusals_are_shown_in_the_services_words():
    assert (
        in_words(RuleViolation("lot X is draft; signing it as verified needs status compounded"))
        == "lot X is draft; signing it as verified needs status compounded"
    )
    assert in_words(InputError([FieldIssue("batch.units", "is required")])) == "batch.units: is required"


def test_unexpected_errors_are_logged_with_traceback_but_shown_without(caplog):
    handler = ExceptionHandler(show=False)
    try:
        raise KeyError("internal detail")
    except KeyError:
        handler(*sys.exc_info())
    assert "Traceback" not in handler.last_message and "internal detail" not in handler.last_message
    assert "Nothing you typed has been lost" in handler.last_message
    assert any(r.exc_info for r in caplog.records)


def test_the_log_is_private_to_the_user(tmp_path):
    import logging
    import stat

    from labelapp.gui.crash_handler import setup_logging

    path = setup_logging(tmp_path / "logs" / "labelapp.log")
    try:
        logging.getLogger("labelapp.test").warning("lot G50-261123-01 printed")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert "lot G50-261123-01 printed" in path.read_text()
    finally:
        root = logging.getLogger()
        for handler in [h for h in root.handlers if getattr(h, "baseFilename", "") == str(path)]:
            root.removeHandler(handler)
            handler.close()
