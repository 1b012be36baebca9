"""Users (accounts, roles, password hashes, lock-out state)."""

from __future__ import annotations

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
        return self.conn.execute(select(func.count()).select_from(users)).scalar_one()

    def add(self, username: str, full_name: str, role: Role, password_hash: str, created_by: str | None) -> UserRecord:
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

    def password_hash(self, username: str) -> str | None:
        return self.conn.execute(select(users.c.password_hash).where(users.c.username == username)).scalar()

    def list(self) -> list[UserRecord]:
        rows = self.conn.execute(select(users).order_by(users.c.username))
        return [UserRecord.model_validate(row._mapping) for row in rows]

    def set_failures(self, username: str, attempts: int, locked: bool) -> None:
        self.conn.execute(
            update(users).where(users.c.username == username).values(failed_attempts=attempts, locked=locked)
        )

    def set_active(self, username: str, active: bool) -> None:
        self.conn.execute(update(users).where(users.c.username == username).values(active=active))

    def set_password_hash(self, username: str, password_hash: str) -> None:
        self.conn.execute(
            update(users)
            .where(users.c.username == username)
            .values(password_hash=password_hash, password_changed_at=utc_now())
        )
