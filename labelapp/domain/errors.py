"""Errors a user can act on. Each carries a one-line message that names the field and the rule."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

M = TypeVar("M", bound=BaseModel)


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


class RuleViolation(LabelappError):
    """The action is not allowed in the record's current state (life cycle, two-person rule...)."""


class PermissionDenied(LabelappError):
    """The user's role does not allow the action."""


class AuthenticationError(LabelappError):
    """Wrong user name or password, or a locked, disabled or expired account."""


class NotFoundError(LabelappError):
    """A record asked for by id, lot or name does not exist."""


class UnknownIngredientError(LabelappError):
    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        hint = (
            f"; closest known: {', '.join(suggestions)}"
            if suggestions
            else "; run `labelapp ingredients` for the list, or add it to an ingredient table"
        )
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


def _num(value: object) -> str:
    """A limit as a person writes it: 100,000 and 0.5, not 100000 or 5E-1."""
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = format(d.normalize() if d == d.to_integral_value() else d, ",f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# pydantic's wording for the commonest mistakes, in the words a technician reads next to a field.
# Each takes the error's ``ctx`` (the rule's parameters, e.g. {'ge': 0}).
_PLAIN: dict[str, Callable[[dict[str, Any]], str]] = {
    "greater_than_equal": lambda c: f"must be {_num(c['ge'])} or more",
    "greater_than": lambda c: f"must be more than {_num(c['gt'])}",
    "less_than_equal": lambda c: f"must be {_num(c['le'])} or less",
    "less_than": lambda c: f"must be less than {_num(c['lt'])}",
    "int_parsing": lambda c: "must be a whole number",
    "int_from_float": lambda c: "must be a whole number",
    "int_type": lambda c: "must be a whole number",
    "decimal_parsing": lambda c: "must be a number, e.g. 99.5",
    "decimal_type": lambda c: "must be a number, e.g. 99.5",
    "float_parsing": lambda c: "must be a number, e.g. 99.5",
    "date_parsing": lambda c: "must be a date written YYYY-MM-DD",
    "date_from_datetime_parsing": lambda c: "must be a date written YYYY-MM-DD",
    "date_type": lambda c: "must be a date written YYYY-MM-DD",
    "datetime_parsing": lambda c: "must be a date and time written YYYY-MM-DDTHH:MM",
    "datetime_from_date_parsing": lambda c: "must be a date and time written YYYY-MM-DDTHH:MM",
    "datetime_type": lambda c: "must be a date and time written YYYY-MM-DDTHH:MM",
    "string_too_short": lambda c: (
        "must not be empty" if c["min_length"] == 1 else f"must have at least {c['min_length']} characters"
    ),
    "string_too_long": lambda c: f"must have at most {c['max_length']} characters",
    "missing": lambda c: "is required",
    "extra_forbidden": lambda c: "is not a known field (check the spelling)",
}


def _clean_message(err: ErrorDetails) -> str:
    if err.get("input", ...) is None and err["type"].endswith("_type"):
        return "is required"  # a blank field, not a wrong type
    plain = _PLAIN.get(err["type"])
    if plain is not None:
        try:
            return plain(err.get("ctx") or {})
        except KeyError:
            pass
    msg = err["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    for pydantic_words, plain_words in (
        ("Input should be", "must be"),
        ("Input should have", "must have"),
        ("String should", "must"),
        ("Value should", "must"),
    ):
        if msg.startswith(pydantic_words):
            return plain_words + msg[len(pydantic_words) :]
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


def validated(
    model: type[M],
    data: Any,
    *,
    source: str | None = None,
    prefix: tuple[str | int, ...] = (),
    error: type[InputError] = InputError,
) -> M:
    """``model.model_validate(data)``, or ``error`` (an InputError) with one (field, message) per problem.

    The one place where a pydantic failure becomes the list a form or the command line shows. Text with a
    control character (an escape sequence, a NUL) is refused first, naming its field: printed on a label or a
    record, or shown in a terminal, it could hide or rewrite what people read."""
    control = control_character_issues(data, prefix)
    if control:
        raise error(control, source=source)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(issues_from_validation(exc, prefix), source=source) from None


def _control_characters(text: str) -> list[str]:
    import unicodedata

    return sorted({c for c in text if unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\r\t"})


def control_character_issues(data: Any, prefix: tuple[str | int, ...] = ()) -> list[FieldIssue]:
    """One issue per string in plain data (dicts, lists) holding a control character."""
    issues: list[FieldIssue] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [(prefix, data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            bad = _control_characters(value)
            if bad:
                shown = ", ".join(f"U+{ord(c):04X}" for c in bad)
                issues.append(FieldIssue(loc_to_path(path), f"contains a control character ({shown}); type plain text"))
        elif isinstance(value, dict):
            stack.extend(((*path, str(k)), v) for k, v in value.items())
        elif isinstance(value, list | tuple):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
    return sorted(issues, key=lambda i: i.path)
