"""Text a user types into the register: reasons, comments, notes. Cleaned and bounded in one place."""

from __future__ import annotations

import unicodedata

from labelapp.domain.errors import RuleViolation


def refuse_control_characters(text: str, what: str) -> str:
    """Text with a control character (an escape sequence, a backspace, a NUL) is refused: it could rewrite
    what a terminal, a log or a report shows. Line breaks and tabs are whitespace, folded by the callers."""
    bad = sorted({c for c in text if unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\r\t"})
    if bad:
        shown = ", ".join(f"U+{ord(c):04X}" for c in bad)
        raise RuleViolation(f"{what} contains a control character ({shown}); type plain text")
    return text


def required_reason(reason: str | None, what: str = "a reason") -> str:
    refuse_control_characters(reason or "", what)
    cleaned = " ".join((reason or "").split())
    if not cleaned:
        raise RuleViolation(f"{what} is required")
    if len(cleaned) > 2000:
        raise RuleViolation(f"{what} is too long (at most 2000 characters)")
    return cleaned


def optional_text(text: str | None, what: str = "the text") -> str | None:
    refuse_control_characters(text or "", what)
    cleaned = " ".join((text or "").split())
    return cleaned or None
