"""What every register use case shares: the database, the archive folder, and who is acting.

The use cases (``accounts``, ``settings``, ``formulas``, ``batches``, ``archive``, ``audit``) each
take one ``RegisterContext``. Every method that changes something runs in ONE database
transaction together with its audit entry, so a crash leaves the old state or the new one. Methods
take the acting user (an ``AuthenticatedUser`` from ``Accounts.authenticate``, a ``UserRecord`` or
a user name) and re-check the account and its role inside the transaction every time; signing
methods take the password again (21 CFR 11.200).
"""

from __future__ import annotations

from pathlib import Path

from labelapp.domain.access import Action, as_authenticated, require, usable, username_of
from labelapp.domain.errors import AuthenticationError, RuleViolation
from labelapp.domain.records import AuthenticatedUser, UserRecord
from labelapp.domain.settings import RegisterSettings
from labelapp.services.passwords import check_username, hash_password, needs_rehash, password_matches
from labelapp.store import audit
from labelapp.store import settings as settings_store
from labelapp.store.archive import ArchiveStore
from labelapp.store.db import Connection, Database
from labelapp.store.paths import ARCHIVE_DIR_NAME, default_data_dir
from labelapp.store.users import UserRepository

Actor = AuthenticatedUser | UserRecord | str


class RegisterContext:
    def __init__(self, database: Database):
        self.db = database
        self._archive: ArchiveStore | None = None

    # ------------------------------------------------------------ archive folder

    @property
    def archive(self) -> ArchiveStore:
        if self._archive is None:
            self._archive = ArchiveStore(self._archive_root())
        return self._archive

    def forget_archive(self) -> None:
        """The archive folder setting changed: find the folder again on next use."""
        self._archive = None

    def _archive_root(self) -> Path:
        if self.db.archive_root is not None:
            return self.db.archive_root
        configured = self.settings().archive_dir
        if configured:
            return Path(configured).expanduser()
        sqlite_file = self.db.sqlite_path
        if sqlite_file is not None:
            return sqlite_file.parent / ARCHIVE_DIR_NAME
        return default_data_dir() / ARCHIVE_DIR_NAME

    def settings(self) -> RegisterSettings:
        with self.db.read() as conn:
            return settings_store.load(conn)

    # ------------------------------------------------------------ acting users

    def actor(self, conn: Connection, user: Actor, action: Action) -> UserRecord:
        """The current account behind ``user``, usable and allowed to do ``action``."""
        record = UserRepository(conn).find(username_of(user))
        return require(usable(record), action)

    def signer(self, user: Actor, password: str, action: Action) -> AuthenticatedUser:
        """The user re-authenticated with the password (an e-signature's two components)."""
        signer = self.authenticate(username_of(user), password)
        with self.db.read() as conn:
            self.actor(conn, signer, action)
        return signer

    def authenticate(self, username: str, password: str) -> AuthenticatedUser:
        """Check user name and password; counts failures and locks the account at the limit."""
        with self.db.write() as conn:
            outcome = self._check_credentials(conn, username, password)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def _check_credentials(
        self, conn: Connection, username: str, password: str
    ) -> AuthenticatedUser | AuthenticationError:
        users = UserRepository(conn)
        user = users.find(username)
        stored = users.password_hash(username) if user else None
        matches = password_matches(stored, password or "")
        try:
            user = usable(user)
        except AuthenticationError as exc:
            self._audit_failure(conn, loggable_username(username), "account unusable" if user else "unknown user")
            return exc
        if not matches or stored is None:
            return self._record_failure(conn, user)
        if user.failed_attempts:
            users.set_failures(username, 0, False)
        if needs_rehash(stored):
            users.set_password_hash(username, hash_password(password))
        return as_authenticated(user)

    def _audit_failure(self, conn: Connection, username: str, why: str) -> None:
        audit.append(
            conn, user=None, action="auth.failed", record_type="user", record_id=username[:64], new={"why": why}
        )

    def _record_failure(self, conn: Connection, user: UserRecord) -> AuthenticationError:
        limit = settings_store.load(conn).lockout_attempts
        attempts = user.failed_attempts + 1
        locked = attempts >= limit
        UserRepository(conn).set_failures(user.username, attempts, locked)
        self._audit_failure(conn, user.username, f"wrong password ({attempts} of {limit})")
        if locked:
            audit.append(
                conn,
                user=None,
                action="user.locked",
                record_type="user",
                record_id=user.username,
                old={"locked": False},
                new={"locked": True, "failed_attempts": attempts},
            )
            return AuthenticationError(
                f"wrong password; the account {user.username!r} is now locked (an administrator must unlock it)"
            )
        return AuthenticationError("user name or password is wrong")


def loggable_username(username: str) -> str:
    """A failed sign-in's user name, unless it looks like something else (e.g. a password typed there)."""
    try:
        return check_username(username)
    except RuleViolation:
        return "(not a user name)"
