"""Errors a user can act on. Each carries a one-line message that names the field and the rule."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import ValidationError


class LabelappError(Exception):
    """Base of every error shown to a user (exit status 2 on the command line, a dialog in the GUI)."""


@dataclass(frozen=True)
class FieldIssue:
    """One problem with one input field; ``path`` is dotted with [i] for list items."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InputError(LabelappError):
    """Input that breaks one or more rules. ``issues`` lets a form put each message next to its field."""

    def __init__(self, issues: list[FieldIssue], source: str | None = None):
        self.issues = list(issues)
        self.source = source
        super().__init__(self._summary())

    def _summary(self) -> str:
        prefix = f"{self.source}: " if self.source else ""
        first = str(self.issues[0]) if self.issues else "invalid input"
        more = len(self.issues) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        return f"{prefix}{first}{tail}"

    def details(self) -> str:
        prefix = f"{self.source}: " if self.source else ""
        return "\n".join(f"{prefix}{issue}" for issue in self.issues)


class UnknownIngredientError(LabelappError):
    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        hint = (f"; closest known: {', '.join(suggestions)}" if suggestions
                else "; run `labelapp ingredients` for the list, or add it to an ingredient table")
        super().__init__(f"unknown ingredient {name!r}{hint}")


def loc_to_path(loc: tuple[int | str, ...]) -> str:
    """('batch', 'component_lots', 1, 'expiry') -> 'batch.component_lots[1].expiry'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _clean_message(err: dict) -> str:
    msg = err["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    if err["type"] == "missing":
        return "is required"
    if err["type"] == "extra_forbidden":
        return "is not a known field (check the spelling)"
    return msg


# A model-level check names the field it is about first: "fill_volume_ml: 29 mL is less than ...".
_FIELD_FIRST = re.compile(r"^(?P<field>[A-Za-z_]\w*(?:\.[\w ]+)*): (?P<msg>.+)$", re.DOTALL)


def issues_from_validation(exc: ValidationError, prefix: tuple[str | int, ...] = ()) -> list[FieldIssue]:
    issues = []
    for err in exc.errors():
        loc = prefix + tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        path, msg = loc_to_path(loc), _clean_message(err)
        m = _FIELD_FIRST.match(msg) if err["type"] == "value_error" else None
        if m:  # put the field in the path, where a form looks for it
            path = f"{path}.{m['field']}" if path else m["field"]
            msg = m["msg"]
        issues.append(FieldIssue(path, msg))
    return issues
