"""Accounts: the first administrator, users and roles, sign-in, lock-out, passwords and keys (21 CFR 11.300).

Each account has an Ed25519 key pair; the private key is sealed with the password (``store.signing``).
A new account's key is registered by the entry its creating administrator signs (the first
administrator signs her own). A password change re-seals the same key; an administrator's reset
issues a new key under a temporary password that must be changed at the next sign-in, and until
then the account cannot e-sign. Printed names (what a signature shows) are unique among active users.
"""

from __future__ import annotations

from labelapp.domain.access import Action
from labelapp.domain.errors import AuthenticationError, PermissionDenied, RuleViolation
from labelapp.domain.records import AuthenticatedUser, UserRecord
from labelapp.domain.register import Role
from labelapp.services.context import Actor, RegisterContext, user_row
from labelapp.services.passwords import check_full_name, check_password, check_username, hash_password
from labelapp.services.user_text import required_reason
from labelapp.store import audit, signing
from labelapp.store.db import Connection
from labelapp.store.signing import SigningKey
from labelapp.store.users import UserRepository


class Accounts:
    def __init__(self, context: RegisterContext):
        self._ctx = context
        self._db = context.db

    def has_users(self) -> bool:
        with self._db.read() as conn:
            return UserRepository(conn).count() > 0

    def create_user(
        self, username: str, full_name: str, role: Role | str, password: str, actor: Actor | None = None
    ) -> UserRecord:
        """Add an account. Without ``actor`` only the very first account, which must be an admin."""
        role = Role(role)
        check_username(username)
        full_name = check_full_name(full_name)
        check_password(password, username, self._ctx.settings().password_min_length)
        password_hash = hash_password(password)
        private = signing.generate()
        sealed = signing.seal(private, password)
        with self._db.write() as conn:
            key = self._creator_key(conn, role, actor, SigningKey(username, private))
            self._check_printed_name(conn, full_name)
            users = UserRepository(conn)
            created = users.add(
                username,
                full_name,
                role,
                password_hash,
                key.username if actor else None,
                public_key=SigningKey(username, private).public_hex,
                sealed_key=sealed,
            )
            audit.append(
                conn,
                user=key.username,
                action="user.created",
                record_type="user",
                record_id=username,
                new={
                    "username": username,
                    "full_name": full_name,
                    "role": role.value,
                    "public_key": created.public_key,
                },
                signer=key,
                rows=[user_row(username)],
            )
        return created

    def _creator_key(self, conn: Connection, role: Role, actor: Actor | None, own: SigningKey) -> SigningKey:
        if UserRepository(conn).count() == 0:
            if role is not Role.ADMIN:
                raise RuleViolation("the first account must be an administrator (role admin)")
            return own  # the first administrator registers her own key
        if actor is None:
            raise PermissionDenied("only an administrator can add users (sign in as an admin)")
        return self._ctx.acting(conn, actor, Action.MANAGE_USERS).key

    @staticmethod
    def _check_printed_name(conn: Connection, full_name: str, other_than: str | None = None) -> None:
        taken = UserRepository(conn).active_with_printed_name(full_name, other_than)
        if taken:
            raise RuleViolation(
                f"the printed name {full_name!r} is already used by the active account {taken[0]!r}: "
                "signatures show the printed name, so it must be unique (add a middle initial "
                "or a title)"
            )

    def authenticate(self, username: str, password: str, *, record_sign_in: bool = False) -> AuthenticatedUser:
        """Check user name and password and open the user's signing key; counts failures and locks the
        account at the limit. ``record_sign_in`` records the sign-in (desktop sessions, commands that write)."""
        return self._ctx.authenticate(username, password, record_sign_in=record_sign_in)

    def list_users(self) -> list[UserRecord]:
        with self._db.read() as conn:
            return UserRepository(conn).list()

    def get_user(self, username: str) -> UserRecord:
        with self._db.read() as conn:
            return UserRepository(conn).get(username)

    def disable_user(self, username: str, actor: Actor, reason: str) -> UserRecord:
        reason = required_reason(reason)
        with self._db.write() as conn:
            admin = self._ctx.acting(conn, actor, Action.MANAGE_USERS)
            users = UserRepository(conn)
            target = users.get(username)
            if target.role is Role.ADMIN and _active_admins(users) <= 1 and target.active:
                raise RuleViolation("cannot disable the last active administrator")
            users.set_active(username, False)
            admin.record(
                conn,
                "user.disabled",
                "user",
                username,
                old={"active": target.active},
                new={"active": False},
                reason=reason,
                rows=[user_row(username)],
            )
            return users.get(username)

    def unlock_user(self, username: str, actor: Actor, reason: str | None = None) -> UserRecord:
        """Unlock after too many failed sign-ins, or re-enable an account that expired from inactivity."""
        with self._db.write() as conn:
            admin = self._ctx.acting(conn, actor, Action.MANAGE_USERS)
            users = UserRepository(conn)
            target = users.get(username)
            users.unlock(username)
            admin.record(
                conn,
                "user.unlocked",
                "user",
                username,
                old={"locked": target.locked, "failed_attempts": target.failed_attempts},
                new={"locked": False, "failed_attempts": 0},
                reason=reason,
                rows=[user_row(username)],
            )
            return users.get(username)

    def change_password(self, username: str, old_password: str, new_password: str) -> AuthenticatedUser:
        """A user changes their own password (the old one again); the signing key is re-sealed with the
        new one. Returns the user signed in with the new password."""
        me = self._ctx.authenticate(username, old_password)
        check_password(new_password, username, self._ctx.settings().password_min_length)
        if new_password == old_password:
            raise RuleViolation("the new password must differ from the old one")
        key = me.signing_key
        assert isinstance(key, SigningKey)  # authenticate() opened it
        new_hash, sealed = hash_password(new_password), signing.seal(key.private, new_password)
        with self._db.write() as conn:
            acting = self._ctx.acting(conn, me, Action.READ, changing_password=True)
            UserRepository(conn).set_password(username, new_hash, sealed)
            acting.record(
                conn,
                "user.password_changed",
                "user",
                username,
                new={"was": me.password_change_reason or "changed by the user"},
                rows=[user_row(username)],
            )
        return self._ctx.authenticate(username, new_password)

    def reset_password(self, username: str, temporary_password: str, actor: Actor, reason: str) -> None:
        """An admin sets a temporary password (after a lock-out or a forgotten password). It must be changed
        at the next sign-in and cannot e-sign before that; the account gets a new signing key."""
        reason = required_reason(reason)
        check_password(temporary_password, username, self._ctx.settings().password_min_length)
        new_hash = hash_password(temporary_password)
        public, sealed = signing.new_sealed_key(temporary_password)
        with self._db.write() as conn:
            admin = self._ctx.acting(conn, actor, Action.MANAGE_USERS)
            if admin.username == username:
                raise RuleViolation("an administrator changes her own password with `users password`, not a reset")
            UserRepository(conn).get(username)
            UserRepository(conn).set_password(username, new_hash, sealed, public_key=public, must_change=True)
            admin.record(
                conn,
                "user.password_reset",
                "user",
                username,
                new={"temporary": True, "public_key": public},
                reason=reason,
                rows=[user_row(username)],
            )

    def require_password_current(self, user: AuthenticatedUser) -> None:
        if user.must_change_password:
            raise AuthenticationError(f"{user.username}: change your {user.password_change_reason} password first")


def _active_admins(users: UserRepository) -> int:
    return sum(1 for u in users.list() if u.role is Role.ADMIN and u.active)
