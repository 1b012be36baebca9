"""Text a user types into the register: reasons, comments, notes. Cleaned and bounded in one place."""

from __future__ import annotations

from labelapp.domain.errors import RuleViolation


def required_reason(reason: str | None, what: str = "a reason") -> str:
    cleaned = " ".join((reason or "").split())
    if not cleaned:
        raise RuleViolation(f"{what} is required")
    if len(cleaned) > 2000:
        raise RuleViolation(f"{what} is too long (at most 2000 characters)")
    return cleaned


def optional_text(text: str | None) -> str | None:
    cleaned = " ".join((text or "").split())
    return cleaned or None
