"""Who may do what in the register, and when an account may act at all.

The services call ``usable`` and ``require`` on every use case with the account as it is in the
database now (a role changed or an account disabled takes effect at once).
"""

from __future__ import annotations

from enum import Enum

from labelapp.domain.errors import AuthenticationError, PermissionDenied
from labelapp.domain.records import AuthenticatedUser, UserRecord
from labelapp.domain.register import Role

T, P, Q, A = Role.TECHNICIAN, Role.PHARMACIST, Role.QA, Role.ADMIN


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
    REVIEW_ACCESS = "review user access"
    RECORD_STEP = "record batch steps"
    VERIFY_STEP = "verify recorded steps"
    RECORD_QC = "record QC results"
    DISPOSITION = "disposition deviations"
    ACKNOWLEDGE = "acknowledge plausibility warnings"
    RECEIVE_MATERIAL = "receive component lots"
    RELEASE_MATERIAL = "release component lots"


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
    Action.REVIEW_ACCESS: frozenset({Q, A}),
    Action.RECORD_STEP: frozenset({T, P}),
    Action.VERIFY_STEP: frozenset({T, P}),
    Action.RECORD_QC: frozenset({P, Q}),
    Action.DISPOSITION: frozenset({P, Q}),
    Action.ACKNOWLEDGE: frozenset({P}),
    Action.RECEIVE_MATERIAL: frozenset({T, P, Q}),
    Action.RELEASE_MATERIAL: frozenset({Q}),
}


def usable(user: UserRecord | None) -> UserRecord:
    if user is None:
        raise AuthenticationError("user name or password is wrong")
    if not user.active:
        raise AuthenticationError(f"the account {user.username!r} is disabled")
    if user.locked:
        raise AuthenticationError(
            f"the account {user.username!r} is locked after too many failed sign-ins; an administrator must unlock it"
        )
    return user


def require(user: UserRecord, action: Action) -> UserRecord:
    if user.role not in PERMISSIONS[action]:
        raise PermissionDenied(f"{user.username} ({user.role.value}) may not {action.value}")
    return user


def as_authenticated(user: UserRecord) -> AuthenticatedUser:
    return AuthenticatedUser(username=user.username, full_name=user.full_name, role=user.role)


def username_of(user: AuthenticatedUser | UserRecord | str) -> str:
    return user if isinstance(user, str) else user.username
