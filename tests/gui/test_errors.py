from __future__ import annotations

import sys

from labelapp.domain.errors import FieldIssue, InputError
from labelapp.gui.errors import ExceptionHandler
from labelapp.gui.messages import in_words
from labelapp.store.errors import RuleViolation


def test_refusals_are_shown_in_the_services_words():
    assert in_words(RuleViolation("lot X is draft; signing it as verified needs status compounded")) == \
        "lot X is draft; signing it as verified needs status compounded"
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
