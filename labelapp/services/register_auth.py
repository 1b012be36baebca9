"""Accounts, passwords (argon2id), lock-out and role permissions for the batch register."""

from __future__ import annotations

import functools

import re
from enum import Enum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from labelapp.store.errors import AuthenticationError, PermissionDenied, RuleViolation
from labelapp.store.records import AuthenticatedUser, Role, UserRecord

T, P, Q, A = Role.TECHNICIAN, Role.PHARMACIST, Role.QA, Role.ADMIN
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class Action(Enum):
    """What a role may do. The value is the phrase used in 'may not ...' messages."""

    ADD_FORMULA = "add formulas"
    APPROVE_FORMULA = "approve formulas"
    CREATE_BATCH = "create batches"
    EDIT_BATCH = "edit draft batches"
    PRINT = "record label print jobs"
    ARCHIVE = "archive documents"
    REPRINT = "reprint archived documents"
    RECONCILE = "record label reconciliation"
    SIGN_PERFORMED = "sign batches as performed"
    SIGN_VERIFIED = "verify batches"
    SIGN_RELEASED = "release batches"
    REJECT = "reject batches"
    VOID = "void batches"
    ADD_INGREDIENT = "add ingredients"
    MANAGE_USERS = "manage users"
    CHANGE_SETTINGS = "change settings"
    BACKUP = "make backups"
    READ = "read the register"
    EXPORT = "export archived documents"


PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.ADD_FORMULA: frozenset({P, Q}),
    Action.APPROVE_FORMULA: frozenset({P}),
    Action.CREATE_BATCH: frozenset({T, P}),
    Action.EDIT_BATCH: frozenset({T, P}),
    Action.PRINT: frozenset({T, P}),
    Action.ARCHIVE: frozenset({T, P, Q}),
    Action.REPRINT: frozenset({T, P, Q}),
    Action.RECONCILE: frozenset({T, P}),
    Action.SIGN_PERFORMED: frozenset({T, P}),
    Action.SIGN_VERIFIED: frozenset({P}),
    Action.SIGN_RELEASED: frozenset({Q}),
    Action.REJECT: frozenset({P, Q}),
    Action.VOID: frozenset({P, Q}),
    Action.ADD_INGREDIENT: frozenset({P, Q}),
    Action.MANAGE_USERS: frozenset({A}),
    Action.CHANGE_SETTINGS: frozenset({A}),
    Action.BACKUP: frozenset({P, Q, A}),
    Action.READ: frozenset(Role),
    Action.EXPORT: frozenset(Role),
}

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the user name is unknown, so both failures take the same time.

    Made on first use, not at import: hashing costs about 0.2 s that every start would pay."""
    return _hasher.hash("labelapp-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def check_username(username: str) -> str:
    if not USERNAME.match(username or ""):
        raise RuleViolation(f"user name {username!r} must be 2-64 lower-case letters, digits, '.', '_' or '-'")
    return username


def check_full_name(full_name: str) -> str:
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


def usable(user: UserRecord | None) -> UserRecord:
    if user is None:
        raise AuthenticationError("user name or password is wrong")
    if not user.active:
        raise AuthenticationError(f"the account {user.username!r} is disabled")
    if user.locked:
        raise AuthenticationError(f"the account {user.username!r} is locked after too many failed sign-ins; "
                                  "an administrator must unlock it")
    return user


def require(user: UserRecord, action: Action) -> UserRecord:
    if user.role not in PERMISSIONS[action]:
        raise PermissionDenied(f"{user.username} ({user.role.value}) may not {action.value}")
    return user


def as_authenticated(user: UserRecord) -> AuthenticatedUser:
    return AuthenticatedUser(username=user.username, full_name=user.full_name, role=user.role)


def username_of(user: AuthenticatedUser | UserRecord | str) -> str:
    return user if isinstance(user, str) else user.username
