"""Errors raised by the batch register. Each is a LabelappError with a one-line message."""

from __future__ import annotations

from labelapp.domain.errors import LabelappError


class StoreError(LabelappError):
    """Base of every register (persistence) error."""


class DatabaseUnavailableError(StoreError):
    """The database cannot be opened, created or reached."""


class DatabaseBusyError(StoreError):
    """Another program holds the database lock longer than the busy timeout."""


class NotFoundError(StoreError):
    """A record asked for by id, lot or name does not exist."""


class RuleViolation(StoreError):
    """The action is not allowed in the record's current state (life cycle, two-person rule...)."""


class PermissionDenied(StoreError):
    """The user's role does not allow the action."""


class AuthenticationError(StoreError):
    """Wrong user name or password, or a locked/disabled account."""


class RecordLockedError(StoreError):
    """The database refused a change to a released batch or to the append-only audit trail."""


class ArchiveError(StoreError):
    """An archived document is missing or its bytes no longer match its SHA-256."""
