"""The batch register: use cases over labelapp.store (Qt-free; the GUI and the CLI call this).

Every method that changes something runs in ONE database transaction together with its audit
entry, so a crash leaves the old state or the new one. Methods take the acting user as an
``AuthenticatedUser`` (from ``authenticate``) and re-check the account and its role each time;
signing methods take the password again (21 CFR 11.200). They return pydantic read-models.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection

from labelapp.services.register_archive import ArchiveMixin
from labelapp.services.register_auth import (Action, as_authenticated, check_full_name, check_password,
                                             check_username, hash_password, needs_rehash, password_matches,
                                             require, usable, username_of)
from labelapp.services.register_batches import BatchMixin
from labelapp.services.register_common import loads, required_reason
from labelapp.services.register_formulas import FormulaMixin
from labelapp.store import audit
from labelapp.store import settings as settings_store
from labelapp.store.archive import ArchiveStore
from labelapp.store.backup import backup as backup_store
from labelapp.store.canonical import model_document
from labelapp.store.db import Database, open_database
from labelapp.store.errors import AuthenticationError, PermissionDenied, RuleViolation
from labelapp.store.paths import ARCHIVE_DIR_NAME, default_data_dir
from labelapp.store.records import (AuditEntryRecord, AuditVerification, AuthenticatedUser, BackupResult,
                                    Role, UserRecord)
from labelapp.store.settings import RegisterSettings
from labelapp.store.users import UserRepository

Actor = AuthenticatedUser | UserRecord | str


class Register(FormulaMixin, BatchMixin, ArchiveMixin):
    def __init__(self, database: Database):
        self._db = database
        self._archive: ArchiveStore | None = None

    @classmethod
    def open(cls, url: str | None = None, archive_dir: str | Path | None = None) -> Register:
        """Open the register: $LABELAPP_DATABASE_URL or the SQLite file in the user data folder by default."""
        return cls(open_database(url, archive_dir))

    def close(self) -> None:
        self._db.dispose()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def database(self) -> Database:
        return self._db

    @property
    def location(self) -> str:
        return self._db.where

    # ------------------------------------------------------------ archive location

    @property
    def archive(self) -> ArchiveStore:
        if self._archive is None:
            self._archive = ArchiveStore(self._archive_root())
        return self._archive

    def _archive_root(self) -> Path:
        if self._db.archive_root is not None:
            return self._db.archive_root
        configured = self.settings().archive_dir
        if configured:
            return Path(configured).expanduser()
        if self._db.is_sqlite:
            return self._db.sqlite_path.parent / ARCHIVE_DIR_NAME
        return default_data_dir() / ARCHIVE_DIR_NAME

    # ------------------------------------------------------------ acting users

    def _actor(self, conn: Connection, user: Actor, action: Action) -> UserRecord:
        """The current account behind ``user``, usable and allowed to do ``action``."""
        record = UserRepository(conn).find(username_of(user))
        return require(usable(record), action)

    def _signer(self, user: Actor, password: str, action: Action) -> AuthenticatedUser:
        signer = self.authenticate(username_of(user), password)
        with self._db.read() as conn:
            self._actor(conn, signer, action)
        return signer

    # ------------------------------------------------------------ users

    def has_users(self) -> bool:
        with self._db.read() as conn:
            return UserRepository(conn).count() > 0

    def create_user(self, username: str, full_name: str, role: Role | str, password: str,
                    actor: Actor | None = None) -> UserRecord:
        """Add an account. Without ``actor`` only the very first account, which must be an admin."""
        role = Role(role)
        check_username(username)
        full_name = check_full_name(full_name)
        check_password(password, username, self.settings().password_min_length)
        password_hash = hash_password(password)
        with self._db.write() as conn:
            creator = self._user_creator(conn, role, actor)
            created = UserRepository(conn).add(username, full_name, role, password_hash, creator)
            audit.append(conn, user=creator, action="user.created", record_type="user", record_id=username,
                         new={"username": username, "full_name": full_name, "role": role.value})
        return created

    def _user_creator(self, conn: Connection, role: Role, actor: Actor | None) -> str | None:
        if UserRepository(conn).count() == 0:
            if role is not Role.ADMIN:
                raise RuleViolation("the first account must be an administrator (role admin)")
            return None
        if actor is None:
            raise PermissionDenied("only an administrator can add users (sign in as an admin)")
        return self._actor(conn, actor, Action.MANAGE_USERS).username

    def authenticate(self, username: str, password: str) -> AuthenticatedUser:
        """Check user name and password; counts failures and locks the account at the limit."""
        with self._db.write() as conn:
            outcome = self._check_credentials(conn, username, password)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def _check_credentials(self, conn: Connection, username: str, password: str) -> AuthenticatedUser | Exception:
        users = UserRepository(conn)
        user = users.find(username)
        stored = users.password_hash(username) if user else None
        matches = password_matches(stored, password or "")
        try:
            usable(user)
        except AuthenticationError as exc:
            self._audit_failure(conn, _loggable(username), "account unusable" if user else "unknown user")
            return exc
        if not matches:
            return self._record_failure(conn, user)
        if user.failed_attempts:
            users.set_failures(username, 0, False)
        if needs_rehash(stored):
            users.set_password_hash(username, hash_password(password))
        return as_authenticated(user)

    def _audit_failure(self, conn: Connection, username: str, why: str) -> None:
        audit.append(conn, user=None, action="auth.failed", record_type="user", record_id=username[:64],
                     new={"why": why})

    def _record_failure(self, conn: Connection, user: UserRecord) -> Exception:
        limit = settings_store.load(conn).lockout_attempts
        attempts = user.failed_attempts + 1
        locked = attempts >= limit
        UserRepository(conn).set_failures(user.username, attempts, locked)
        self._audit_failure(conn, user.username, f"wrong password ({attempts} of {limit})")
        if locked:
            audit.append(conn, user=None, action="user.locked", record_type="user", record_id=user.username,
                         old={"locked": False}, new={"locked": True, "failed_attempts": attempts})
            return AuthenticationError(f"wrong password; the account {user.username!r} is now locked "
                                       "(an administrator must unlock it)")
        return AuthenticationError("user name or password is wrong")

    def list_users(self) -> list[UserRecord]:
        with self._db.read() as conn:
            return UserRepository(conn).list()

    def get_user(self, username: str) -> UserRecord:
        with self._db.read() as conn:
            return UserRepository(conn).get(username)

    def disable_user(self, username: str, actor: Actor, reason: str) -> UserRecord:
        reason = required_reason(reason)
        with self._db.write() as conn:
            admin = self._actor(conn, actor, Action.MANAGE_USERS)
            users = UserRepository(conn)
            target = users.get(username)
            if target.role is Role.ADMIN and _active_admins(users) <= 1 and target.active:
                raise RuleViolation("cannot disable the last active administrator")
            users.set_active(username, False)
            audit.append(conn, user=admin.username, action="user.disabled", record_type="user",
                         record_id=username, old={"active": target.active}, new={"active": False}, reason=reason)
            return users.get(username)

    def unlock_user(self, username: str, actor: Actor, reason: str | None = None) -> UserRecord:
        with self._db.write() as conn:
            admin = self._actor(conn, actor, Action.MANAGE_USERS)
            users = UserRepository(conn)
            target = users.get(username)
            users.set_failures(username, 0, False)
            audit.append(conn, user=admin.username, action="user.unlocked", record_type="user", record_id=username,
                         old={"locked": target.locked, "failed_attempts": target.failed_attempts},
                         new={"locked": False, "failed_attempts": 0}, reason=reason)
            return users.get(username)

    def change_password(self, username: str, old_password: str, new_password: str) -> None:
        """A user changes their own password (re-entering the old one)."""
        self.authenticate(username, old_password)
        check_password(new_password, username, self.settings().password_min_length)
        new_hash = hash_password(new_password)
        with self._db.write() as conn:
            usable(UserRepository(conn).find(username))
            UserRepository(conn).set_password_hash(username, new_hash)
            audit.append(conn, user=username, action="user.password_changed", record_type="user",
                         record_id=username)

    def reset_password(self, username: str, new_password: str, actor: Actor, reason: str) -> None:
        """An admin sets a new password (e.g. after a lock-out or a forgotten password)."""
        reason = required_reason(reason)
        check_password(new_password, username, self.settings().password_min_length)
        new_hash = hash_password(new_password)
        with self._db.write() as conn:
            admin = self._actor(conn, actor, Action.MANAGE_USERS)
            UserRepository(conn).get(username)
            UserRepository(conn).set_password_hash(username, new_hash)
            audit.append(conn, user=admin.username, action="user.password_reset", record_type="user",
                         record_id=username, reason=reason)

    # ------------------------------------------------------------ settings

    def settings(self) -> RegisterSettings:
        with self._db.read() as conn:
            return settings_store.load(conn)

    def update_settings(self, actor: Actor, changes: dict[str, Any], reason: str | None = None) -> RegisterSettings:
        with self._db.write() as conn:
            admin = self._actor(conn, actor, Action.CHANGE_SETTINGS)
            current = settings_store.load(conn)
            changes = settings_store.top_level_changes(current, changes)
            updated = settings_store.validated(current, changes)
            for key in changes:
                settings_store.put(conn, key, getattr(updated, key), admin.username)
            audit.append(conn, user=admin.username, action="settings.changed", record_type="settings",
                         record_id="register", old={k: getattr(current, k) for k in changes},
                         new={k: getattr(updated, k) for k in changes}, reason=reason)
        self._archive = None
        return updated

    def set_facility(self, facility: BaseModel, actor: Actor, reason: str | None = None) -> None:
        """Store the facility document; new batches must then carry exactly this facility."""
        document = model_document(facility)
        with self._db.write() as conn:
            admin = self._actor(conn, actor, Action.CHANGE_SETTINGS)
            old = settings_store.get_raw(conn, settings_store.FACILITY_KEY)
            settings_store.put(conn, settings_store.FACILITY_KEY, loads(document), admin.username)
            audit.append(conn, user=admin.username, action="settings.facility", record_type="settings",
                         record_id="facility", old=old, new=loads(document), reason=reason)

    def facility(self) -> dict[str, Any] | None:
        with self._db.read() as conn:
            return settings_store.get_raw(conn, settings_store.FACILITY_KEY)

    # ------------------------------------------------------------ audit trail and backup

    def verify_audit(self, anchors: tuple[tuple[int, str], ...] = ()) -> AuditVerification:
        """The hash chain, and each anchor (seq, hash) printed on a record outside the database.

        A chain recomputed wholesale by someone with database access verifies on its own; it no
        longer matches the anchors printed on earlier batch records."""
        with self._db.read() as conn:
            result = audit.verify(conn)
            if not result.ok:
                return result
            for seq, expected in anchors:
                found = audit.hash_at(conn, seq)
                if found != expected.lower():
                    why = "is missing" if found is None else "has a different hash"
                    return result.model_copy(update={
                        "ok": False, "first_bad_seq": seq,
                        "problem": f"entry {seq} {why} than the anchor printed on a record "
                                   f"({expected[:16]}...): the audit trail was rewritten after that record"})
            return result

    def audit_anchor(self) -> tuple[int, str]:
        """(seq, hash) of the newest audit entry, for printing on a record."""
        with self._db.read() as conn:
            return audit.head(conn)

    def audit_entries(self, record_type: str | None = None, record_id: Any = None,
                      limit: int | None = None, newest_first: bool = False) -> list[AuditEntryRecord]:
        with self._db.read() as conn:
            return audit.entries(conn, record_type, record_id, limit, newest_first)

    def backup(self, destination: str | Path, actor: Actor) -> tuple[BackupResult, list[str]]:
        with self._db.read() as conn:
            who = self._actor(conn, actor, Action.BACKUP).username
        result, problems = backup_store(self._db, self.archive, Path(destination))
        with self._db.write() as conn:
            audit.append(conn, user=who, action="backup.created", record_type="backup", record_id=result.folder[-64:],
                         new=result.model_dump() | {"problems": problems})
        return result, problems


def _loggable(username: str) -> str:
    """A failed sign-in's user name, unless it looks like something else (e.g. a password typed there)."""
    try:
        return check_username(username)
    except RuleViolation:
        return "(not a user name)"


def _active_admins(users: UserRepository) -> int:
    return sum(1 for u in users.list() if u.role is Role.ADMIN and u.active)
