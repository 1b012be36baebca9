"""Errors of the register's storage (database, archive files). Each is a LabelappError with one line.

The rule errors (RuleViolation, PermissionDenied, AuthenticationError, NotFoundError) are the
register's vocabulary and live in ``labelapp.domain.errors``."""

from __future__ import annotations

from labelapp.domain.errors import LabelappError


class StoreError(LabelappError):
    """Base of every register (persistence) error."""


class DatabaseUnavailableError(StoreError):
    """The database cannot be opened, created or reached."""


class DatabaseBusyError(StoreError):
    """Another program holds the database lock longer than the busy timeout."""


class RecordLockedError(StoreError):
    """The database refused a change to a released batch or to the append-only audit trail."""


class ArchiveError(StoreError):
    """An archived document is missing or its bytes no longer match its SHA-256."""
