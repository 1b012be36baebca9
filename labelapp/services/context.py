"""What every register use case shares: the database, the archive folder, and who is acting.

The use cases (``accounts``, ``settings``, ``formulas``, ``batches``, ``archive``, ``audit``) each
take one ``RegisterContext``. Every method that changes something runs in ONE database
transaction together with its audit entry, so a crash leaves the old state or the new one.

Who acts is an ``AuthenticatedUser`` from ``authenticate``: it carries the user's signing key,
unsealed with the password at sign-in, and every audit entry in the user's name is signed with it
(``Acting.record``). The account and its role are re-checked inside each transaction; e-signatures
take the password again (21 CFR 11.200). After each commit the new audit head is written to the
witness file in the archive folder (``store.witness``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from labelapp.domain.access import Action, as_authenticated, require, usable, username_of
from labelapp.domain.errors import AuthenticationError, LabelappError, RuleViolation
from labelapp.domain.records import AuditEntryRecord, AuthenticatedUser, SignatureRecord, UserRecord
from labelapp.domain.register import Role
from labelapp.domain.settings import RegisterSettings
from labelapp.services.passwords import check_username, hash_password, needs_rehash, password_matches
from labelapp.store import audit, integrity, signing, witness
from labelapp.store import settings as settings_store
from labelapp.store.archive import ArchiveStore
from labelapp.store.audit import RowRef
from labelapp.store.batches import BatchRepository
from labelapp.store.canonical import utc_now
from labelapp.store.db import Connection, Database
from labelapp.store.paths import ARCHIVE_DIR_NAME, default_data_dir
from labelapp.store.signing import SigningKey
from labelapp.store.users import UserRepository

Actor = AuthenticatedUser | UserRecord | str


@dataclass(frozen=True)
class Acting:
    """The account doing something now (as the database holds it) and the key its entries are signed with."""

    user: UserRecord
    key: SigningKey

    @property
    def username(self) -> str:
        return self.user.username

    def record(
        self,
        conn: Connection,
        action: str,
        record_type: str,
        record_id: Any,
        *,
        old: Any = None,
        new: Any = None,
        reason: str | None = None,
        rows: Sequence[RowRef] = (),
    ) -> AuditEntryRecord:
        """The signed audit entry of this write, with the state of the rows it wrote."""
        return audit.append(
            conn,
            user=self.username,
            action=action,
            record_type=record_type,
            record_id=record_id,
            old=old,
            new=new,
            reason=reason,
            signer=self.key,
            rows=rows,
        )

    def e_sign(self, conn: Connection, **values: Any) -> SignatureRecord:
        """An e-signature (11.50 manifestation) signed with this user's key over its content and the
        sequence number and previous hash of the entry that will record it (append that entry next)."""
        seq, prev = audit.next_link(conn)

        def sign(state: dict[str, Any]) -> str:
            return self.key.sign(integrity.signature_digest(state, seq, prev))

        return BatchRepository(conn).add_signature(
            sign, username=self.username, printed_name=self.user.full_name, role=self.user.role.value, **values
        )


def user_row(username: str) -> RowRef:
    return RowRef("users", username)


class RegisterContext:
    def __init__(self, database: Database):
        self.db = database
        self._archive: ArchiveStore | None = None
        database.after_commit = self._witness

    # ------------------------------------------------------------ archive folder and witness

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

    def _witness(self, head: tuple[int, str]) -> None:
        witness.append(self.archive.root, *head)

    def witness_head(self) -> tuple[int, str] | None:
        return witness.latest(self.archive.root)

    def settings(self) -> RegisterSettings:
        with self.db.read() as conn:
            return settings_store.load(conn)

    # ------------------------------------------------------------ acting users

    def actor(self, conn: Connection, user: Actor, action: Action) -> UserRecord:
        """The current account behind ``user``, usable and allowed to do ``action`` (reading needs no key)."""
        record = UserRepository(conn).find(username_of(user))
        return require(usable(record), action)

    def acting(self, conn: Connection, user: Actor, action: Action, *, changing_password: bool = False) -> Acting:
        """The current account behind ``user`` with its signing key, allowed to do ``action``. A user signed in
        with a temporary or expired password may do nothing but change it (21 CFR 11.300(b))."""
        record = self.actor(conn, user, action)
        if isinstance(user, AuthenticatedUser) and user.must_change_password and not changing_password:
            raise AuthenticationError(
                f"{record.username} signed in with a{'n' if user.password_change_reason == 'expired' else ''} "
                f"{user.password_change_reason} password: change it first (labelapp users "
                "password, or the desktop app asks at sign-in)"
            )
        return Acting(record, self.key_of(user, record))

    @staticmethod
    def key_of(user: Actor, record: UserRecord) -> SigningKey:
        key = user.signing_key if isinstance(user, AuthenticatedUser) else None
        if not isinstance(key, SigningKey) or key.username != record.username:
            raise AuthenticationError(
                f"{record.username}: sign in again (changes are signed with your key, which "
                "is opened by your password at sign-in)"
            )
        if record.public_key is not None and key.public_hex != record.public_key:
            raise AuthenticationError(
                f"{record.username}: your signing key was replaced (password reset): sign in again"
            )
        return key

    def signer(self, user: Actor, password: str, action: Action) -> AuthenticatedUser:
        """The user re-authenticated with the password (an e-signature's two components)."""
        signer = self.authenticate(username_of(user), password)
        if signer.must_change_password:
            raise AuthenticationError(
                f"{signer.username} must change the {signer.password_change_reason} password "
                "before signing anything (21 CFR 11.300)"
            )
        with self.db.read() as conn:
            self.actor(conn, signer, action)
        return signer

    # ------------------------------------------------------------ signing in

    def authenticate(self, username: str, password: str, *, record_sign_in: bool = False) -> AuthenticatedUser:
        """Check user name and password, open the user's signing key; count failures and lock at the limit.

        The password is checked outside any transaction, so a sign-in never holds the write lock while
        argon2 works; a write happens only when something changes (a failure, a reset failure count, a
        recorded sign-in, a re-hash, a first key)."""
        with self.db.read() as conn:
            users = UserRepository(conn)
            user = users.find(username)
            stored, sealed = users.secrets(username)
            register = settings_store.load(conn)
        matches = password_matches(stored, password or "")
        if user is None or not user.active or user.locked:
            return self._refuse_unusable(username, user)
        if not matches:
            raise self._record_failure(user.username, register)
        self._check_expiry(user, register)
        private = signing.unseal(sealed, password) if sealed else None
        if sealed and private is None:
            raise AuthenticationError(
                f"the signing key of {user.username!r} cannot be opened with this password "
                "(it was altered): an administrator must reset the password, which issues a "
                "new key"
            )
        key = SigningKey(user.username, private or signing.generate())
        self._after_sign_in(user, password, stored, key, issue_key=private is None, record=record_sign_in)
        return self._signed_in(user, key, register)

    def _refuse_unusable(self, username: str, user: UserRecord | None) -> AuthenticatedUser:
        try:
            usable(user)
        except AuthenticationError as exc:
            with self.db.write() as conn:
                self._audit_failure(conn, loggable_username(username), "account unusable" if user else "unknown user")
            raise exc from None
        raise AuthenticationError("user name or password is wrong")  # pragma: no cover - usable() raised

    def _check_expiry(self, user: UserRecord, register: RegisterSettings) -> None:
        days = register.account_expiry_days
        last = user.last_activity_at or user.created_at
        if days and last < utc_now() - timedelta(days=days) and not self._last_active_admin(user):
            with self.db.write() as conn:
                UserRepository(conn).set_failures(user.username, user.failed_attempts, True)
                audit.append(
                    conn,
                    user=None,
                    action="user.locked",
                    record_type="user",
                    record_id=user.username,
                    old={"locked": False},
                    new={"locked": True, "why": f"unused for more than {days} days"},
                    rows=[user_row(user.username)],
                )
            raise AuthenticationError(
                f"the account {user.username!r} has not been used for more than {days} days and "
                "has expired; an administrator must unlock it"
            )

    def _last_active_admin(self, user: UserRecord) -> bool:
        if user.role is not Role.ADMIN:
            return False
        with self.db.read() as conn:
            return sum(1 for u in UserRepository(conn).list() if u.role is Role.ADMIN and u.active) <= 1

    def _after_sign_in(
        self, user: UserRecord, password: str, stored: str | None, key: SigningKey, *, issue_key: bool, record: bool
    ) -> None:
        rehash = stored is not None and needs_rehash(stored)
        if not (user.failed_attempts or rehash or issue_key or record):
            return
        new_hash = hash_password(password) if rehash else None
        sealed = signing.seal(key.private, password) if issue_key else None
        with self.db.write() as conn:
            users = UserRepository(conn)
            usable(users.find(user.username))
            changes: dict[str, Any] = {}
            if record:
                users.record_sign_in(user.username, utc_now())
                changes["signed_in"] = True
            elif user.failed_attempts:
                users.set_failures(user.username, 0, False)
                changes["failed_attempts"] = 0
            if new_hash is not None:
                users.rehash(user.username, new_hash)
                changes["password"] = "re-hashed with the current argon2 parameters"
            if sealed is not None:  # an account from before signing keys: its first key, sealed now
                users.issue_key(user.username, key.public_hex, sealed)
                changes["public_key"] = key.public_hex
            action = "user.signed_in" if record else "user.key_issued" if issue_key else "user.sign_in_reset"
            audit.append(
                conn,
                user=user.username,
                action=action,
                record_type="user",
                record_id=user.username,
                new=changes,
                signer=key,
                rows=[user_row(user.username)],
            )

    def _signed_in(self, user: UserRecord, key: SigningKey, register: RegisterSettings) -> AuthenticatedUser:
        authenticated = as_authenticated(user)
        reason = None
        if user.must_change_password:
            reason = "temporary"
        elif register.password_max_age_days and _older_than(user.password_changed_at, register.password_max_age_days):
            reason = "expired"
        if reason:
            authenticated = authenticated.model_copy(
                update={"must_change_password": True, "password_change_reason": reason}
            )
        return authenticated.with_key(key)

    def _audit_failure(self, conn: Connection, username: str, why: str, known: bool = False) -> None:
        audit.append(
            conn,
            user=None,
            action="auth.failed",
            record_type="user",
            record_id=username[:64],
            new={"why": why},
            rows=[user_row(username)] if known else (),
        )

    def _record_failure(self, username: str, register: RegisterSettings) -> AuthenticationError:
        limit = register.lockout_attempts
        with self.db.write() as conn:
            users = UserRepository(conn)
            user = users.get(username)
            attempts = user.failed_attempts + 1
            locked = attempts >= limit
            users.set_failures(username, attempts, locked)
            self._audit_failure(conn, username, f"wrong password ({attempts} of {limit})", known=not locked)
            if locked:
                audit.append(
                    conn,
                    user=None,
                    action="user.locked",
                    record_type="user",
                    record_id=username,
                    old={"locked": False},
                    new={"locked": True, "failed_attempts": attempts},
                    rows=[user_row(username)],
                )
        if locked:
            return AuthenticationError(
                f"wrong password; the account {username!r} is now locked (an administrator must unlock it)"
            )
        return AuthenticationError("user name or password is wrong")

    # ------------------------------------------------------------ integrity before output

    def require_intact(self, conn: Connection, rows: Sequence[RowRef], what: str) -> None:
        """Refuse to put on paper (or release) rows that no longer match their signed audit entries."""
        try:
            problems = integrity.check_rows(conn, rows, self.witness_head())
        except Exception as exc:  # noqa: BLE001 - a row the program cannot even read was edited behind its back
            problems = [f"a record cannot be read as the program wrote it ({type(exc).__name__}: {str(exc)[:120]})"]
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise RecordTamperedError(
                f"{what} refused: the register no longer matches its signed audit trail: "
                f"{problems[0]}{more}. Run `labelapp audit verify` and call QA"
            )


class RecordTamperedError(LabelappError):
    """A record was changed behind the program's back; nothing is printed, released or reprinted from it."""


def _older_than(moment: datetime | None, days: int) -> bool:
    return moment is not None and moment < utc_now() - timedelta(days=days)


def loggable_username(username: str) -> str:
    """A failed sign-in's user name, unless it looks like something else (e.g. a password typed there)."""
    try:
        return check_username(username)
    except RuleViolation:
        return "(not a user name)"
