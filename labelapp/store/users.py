"""Users: accounts, roles, password hashes, signing keys (public key and sealed private key), lock-out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from labelapp.domain.errors import NotFoundError, RuleViolation
from labelapp.domain.records import UserRecord
from labelapp.domain.register import Role
from labelapp.store.canonical import utc_now
from labelapp.store.schema import users


class UserRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(users)).scalar_one())

    def add(
        self,
        username: str,
        full_name: str,
        role: Role,
        password_hash: str,
        created_by: str | None,
        *,
        public_key: str,
        sealed_key: str,
        must_change_password: bool = False,
    ) -> UserRecord:
        if self.find(username) is not None:
            raise RuleViolation(f"user {username!r} already exists")
        now = utc_now()
        self.conn.execute(
            insert(users).values(
                username=username,
                full_name=full_name,
                role=role.value,
                password_hash=password_hash,
                active=True,
                failed_attempts=0,
                locked=False,
                created_at=now,
                created_by=created_by,
                password_changed_at=now,
                public_key=public_key,
                sealed_key=sealed_key,
                must_change_password=must_change_password,
                last_activity_at=now,
            )
        )
        return self.get(username)

    def find(self, username: str) -> UserRecord | None:
        row = self.conn.execute(select(users).where(users.c.username == username)).first()
        return UserRecord.model_validate(row._mapping) if row else None

    def get(self, username: str) -> UserRecord:
        found = self.find(username)
        if found is None:
            raise NotFoundError(f"no user {username!r}")
        return found

    def secrets(self, username: str) -> tuple[str | None, str | None]:
        """(password hash, sealed private key) of an account; (None, None) for an unknown name."""
        row = self.conn.execute(
            select(users.c.password_hash, users.c.sealed_key).where(users.c.username == username)
        ).first()
        return (row.password_hash, row.sealed_key) if row else (None, None)

    def active_with_printed_name(self, full_name: str, other_than: str | None = None) -> list[str]:
        """Active accounts whose printed name is ``full_name`` (ignoring case): a signature shows only that name."""
        rows = self.conn.execute(select(users.c.username, users.c.full_name).where(users.c.active.is_(True)))
        key = full_name.casefold()
        return [r.username for r in rows if r.full_name.casefold() == key and r.username != other_than]

    def list(self) -> list[UserRecord]:
        rows = self.conn.execute(select(users).order_by(users.c.username))
        return [UserRecord.model_validate(row._mapping) for row in rows]

    def _set(self, username: str, **values: Any) -> None:
        self.conn.execute(update(users).where(users.c.username == username).values(**values))

    def set_failures(self, username: str, attempts: int, locked: bool) -> None:
        self._set(username, failed_attempts=attempts, locked=locked)

    def set_active(self, username: str, active: bool) -> None:
        self._set(username, active=active)

    def unlock(self, username: str) -> None:
        self._set(username, failed_attempts=0, locked=False, last_activity_at=utc_now())

    def set_password(
        self,
        username: str,
        password_hash: str,
        sealed_key: str,
        *,
        public_key: str | None = None,
        must_change: bool = False,
    ) -> None:
        """A new password (and with it a re-sealed key, or a new key pair when ``public_key`` is given)."""
        values: dict[str, Any] = {
            "password_hash": password_hash,
            "sealed_key": sealed_key,
            "password_changed_at": utc_now(),
            "must_change_password": must_change,
        }
        if public_key is not None:
            values |= {"public_key": public_key, "last_activity_at": utc_now()}
        self._set(username, **values)

    def rehash(self, username: str, password_hash: str) -> None:
        self._set(username, password_hash=password_hash)

    def issue_key(self, username: str, public_key: str, sealed_key: str) -> None:
        self._set(username, public_key=public_key, sealed_key=sealed_key)

    def record_sign_in(self, username: str, at: datetime) -> None:
        self._set(username, last_sign_in_at=at, last_activity_at=at, failed_attempts=0, locked=False)
