"""Accounts: the first administrator, users and roles, sign-in, lock-out, passwords (21 CFR 11.300)."""

from __future__ import annotations

from labelapp.domain.access import Action
from labelapp.domain.errors import PermissionDenied, RuleViolation
from labelapp.domain.records import AuthenticatedUser, UserRecord
from labelapp.domain.register import Role
from labelapp.services.context import Actor, RegisterContext
from labelapp.services.passwords import check_full_name, check_password, check_username, hash_password
from labelapp.services.user_text import required_reason
from labelapp.store import audit
from labelapp.store.db import Connection
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
        with self._db.write() as conn:
            creator = self._user_creator(conn, role, actor)
            created = UserRepository(conn).add(username, full_name, role, password_hash, creator)
            audit.append(
                conn,
                user=creator,
                action="user.created",
                record_type="user",
                record_id=username,
                new={"username": username, "full_name": full_name, "role": role.value},
            )
        return created

    def _user_creator(self, conn: Connection, role: Role, actor: Actor | None) -> str | None:
        if UserRepository(conn).count() == 0:
            if role is not Role.ADMIN:
                raise RuleViolation("the first account must be an administrator (role admin)")
            return None
        if actor is None:
            raise PermissionDenied("only an administrator can add users (sign in as an admin)")
        return self._ctx.actor(conn, actor, Action.MANAGE_USERS).username

    def authenticate(self, username: str, password: str) -> AuthenticatedUser:
        """Check user name and password; counts failures and locks the account at the limit."""
        return self._ctx.authenticate(username, password)

    def list_users(self) -> list[UserRecord]:
        with self._db.read() as conn:
            return UserRepository(conn).list()

    def get_user(self, username: str) -> UserRecord:
        with self._db.read() as conn:
            return UserRepository(conn).get(username)

    def disable_user(self, username: str, actor: Actor, reason: str) -> UserRecord:
        reason = required_reason(reason)
        with self._db.write() as conn:
            admin = self._ctx.actor(conn, actor, Action.MANAGE_USERS)
            users = UserRepository(conn)
            target = users.get(username)
            if target.role is Role.ADMIN and _active_admins(users) <= 1 and target.active:
                raise RuleViolation("cannot disable the last active administrator")
            users.set_active(username, False)
            audit.append(
                conn,
                user=admin.username,
                action="user.disabled",
                record_type="user",
                record_id=username,
                old={"active": target.active},
                new={"active": False},
                reason=reason,
            )
            return users.get(username)

    def unlock_user(self, username: str, actor: Actor, reason: str | None = None) -> UserRecord:
        with self._db.write() as conn:
            admin = self._ctx.actor(conn, actor, Action.MANAGE_USERS)
            users = UserRepository(conn)
            target = users.get(username)
            users.set_failures(username, 0, False)
            audit.append(
                conn,
                user=admin.username,
                action="user.unlocked",
                record_type="user",
                record_id=username,
                old={"locked": target.locked, "failed_attempts": target.failed_attempts},
                new={"locked": False, "failed_attempts": 0},
                reason=reason,
            )
            return users.get(username)

    def change_password(self, username: str, old_password: str, new_password: str) -> None:
        """A user changes their own password (re-entering the old one)."""
        self._ctx.authenticate(username, old_password)
        check_password(new_password, username, self._ctx.settings().password_min_length)
        new_hash = hash_password(new_password)
        with self._db.write() as conn:
            users = UserRepository(conn)
            self._ctx.actor(conn, username, Action.READ)
            users.set_password_hash(username, new_hash)
            audit.append(conn, user=username, action="user.password_changed", record_type="user", record_id=username)

    def reset_password(self, username: str, new_password: str, actor: Actor, reason: str) -> None:
        """An admin sets a new password (e.g. after a lock-out or a forgotten password)."""
        reason = required_reason(reason)
        check_password(new_password, username, self._ctx.settings().password_min_length)
        new_hash = hash_password(new_password)
        with self._db.write() as conn:
            admin = self._ctx.actor(conn, actor, Action.MANAGE_USERS)
            UserRepository(conn).get(username)
            UserRepository(conn).set_password_hash(username, new_hash)
            audit.append(
                conn,
                user=admin.username,
                action="user.password_reset",
                record_type="user",
                record_id=username,
                reason=reason,
            )


def _active_admins(users: UserRepository) -> int:
    return sum(1 for u in users.list() if u.role is Role.ADMIN and u.active)
