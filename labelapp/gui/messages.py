"""Exceptions in words for people. Refusals from the services are shown as they are written."""

from __future__ import annotations

import html
import logging

from labelapp.domain.errors import InputError, LabelappError


def in_words(error: BaseException) -> str:
    """The message a user reads: the service's own sentence, never a traceback."""
    if isinstance(error, InputError):
        return "\n".join(str(issue) for issue in error.issues) or str(error)
    if isinstance(error, LabelappError):
        return str(error)
    if isinstance(error, MemoryError):
        return "The computer ran out of memory. Close other programs and try again."
    if isinstance(error, OSError):
        where = f" ({error.filename})" if getattr(error, "filename", None) else ""
        return f"The system refused a file or device operation{where}: {error.strerror or error}."
    return (
        "Something went wrong inside labelapp. Nothing you typed has been lost. "
        "The details are in the log file; please tell your administrator."
    )


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` as typed. Qt guesses whether a tooltip is rich text (a name such as
    ``<b>`` would be rendered), so it is handed over as rich text with the text escaped."""
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"


def is_expected(error: BaseException) -> bool:
    """A refusal the user can act on, as opposed to a programming error worth a log traceback."""
    return isinstance(error, LabelappError)


def log_caught(log: logging.Logger, error: BaseException, doing: str) -> None:
    """Log an error a handler caught, with its traceback, before the user reads it in words (so the
    "details are in the log file" of ``in_words`` is true). A refusal is a warning, anything else an error.

    Call it from the ``except`` block (or with the error a worker handed over: its traceback travels along).
    """
    if is_expected(error):
        log.warning("%s refused: %s", doing, error, exc_info=error)
    else:
        log.error("%s failed unexpectedly", doing, exc_info=error)
