"""Passwords (argon2id) and the rules for user names, printed names and passwords (21 CFR 11.300)."""

from __future__ import annotations

import functools
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from labelapp.domain.errors import RuleViolation
from labelapp.services.user_text import refuse_control_characters

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the user name is unknown, so both failures take the same time.

    Made on first use, not at import: hashing costs about 0.2 s that every start would pay."""
    return _hasher.hash("labelapp-timing-equaliser")


def hash_password(password: str) -> str:
    return str(_hasher.hash(password))


def password_matches(stored_hash: str | None, password: str) -> bool:
    try:
        return bool(_hasher.verify(stored_hash or _dummy_hash(), password)) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return bool(_hasher.check_needs_rehash(stored_hash))


def check_username(username: str) -> str:
    if not USERNAME.match(username or ""):
        raise RuleViolation(f"user name {username!r} must be 2-64 lower-case letters, digits, '.', '_' or '-'")
    return username


def check_full_name(full_name: str) -> str:
    refuse_control_characters(full_name or "", "the printed full name")
    cleaned = " ".join((full_name or "").split())
    if not cleaned or len(cleaned) > 200:
        raise RuleViolation("the printed full name is required (at most 200 characters)")
    return cleaned


def check_password(password: str, username: str, min_length: int) -> str:
    if password is None or len(password) < min_length:
        raise RuleViolation(f"the password must have at least {min_length} characters")
    if password.strip().casefold() == username.casefold() or len(set(password)) < 4:
        raise RuleViolation("the password is too easy to guess (user name or too few different characters)")
    return password
