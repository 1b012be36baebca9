"""Formula versions (master formulation records) and facility ingredients."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from labelapp.domain.errors import NotFoundError, RuleViolation
from labelapp.domain.records import FormulaRecord, IngredientRecord
from labelapp.domain.register import FormulaStatus
from labelapp.store.canonical import utc_now
from labelapp.store.schema import formulas, ingredients


class FormulaRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, code: str, version: str, name: str, document: str, sha: str, user: str) -> FormulaRecord:
        if self.find(code, version) is not None:
            raise RuleViolation(f"formula {code} version {version} already exists; add a new version")
        new_id = self.conn.execute(
            insert(formulas)
            .values(
                code=code,
                version=version,
                name=name,
                status=FormulaStatus.DRAFT.value,
                document=document,
                content_sha256=sha,
                created_at=utc_now(),
                created_by=user,
            )
            .returning(formulas.c.id)
        ).scalar_one()
        return self.by_id(new_id)

    def find(self, code: str, version: str) -> FormulaRecord | None:
        row = self.conn.execute(select(formulas).where(formulas.c.code == code, formulas.c.version == version)).first()
        return FormulaRecord.model_validate(row._mapping) if row else None

    def get(self, code: str, version: str) -> FormulaRecord:
        found = self.find(code, version)
        if found is None:
            raise NotFoundError(f"no formula {code} version {version}")
        return found

    def by_id(self, formula_id: int) -> FormulaRecord:
        row = self.conn.execute(select(formulas).where(formulas.c.id == formula_id)).first()
        if row is None:
            raise NotFoundError(f"no formula with id {formula_id}")
        return FormulaRecord.model_validate(row._mapping)

    def approved(self, code: str) -> FormulaRecord | None:
        row = self.conn.execute(
            select(formulas).where(formulas.c.code == code, formulas.c.status == FormulaStatus.APPROVED.value)
        ).first()
        return FormulaRecord.model_validate(row._mapping) if row else None

    def list(self, code: str | None = None, status: FormulaStatus | None = None) -> list[FormulaRecord]:
        query = select(formulas).order_by(formulas.c.code, formulas.c.id)
        if code:
            query = query.where(formulas.c.code == code)
        if status:
            query = query.where(formulas.c.status == status.value)
        return [FormulaRecord.model_validate(row._mapping) for row in self.conn.execute(query)]

    def mark_approved(self, formula_id: int, user: str, at: datetime) -> None:
        self.conn.execute(
            update(formulas)
            .where(formulas.c.id == formula_id)
            .values(status=FormulaStatus.APPROVED.value, approved_by=user, approved_at=at)
        )

    def mark_superseded(self, formula_id: int, at: datetime) -> None:
        self.conn.execute(
            update(formulas)
            .where(formulas.c.id == formula_id)
            .values(status=FormulaStatus.SUPERSEDED.value, superseded_at=at)
        )


class IngredientRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def add(self, name: str, source: str, document: str, user: str | None) -> IngredientRecord:
        key = name.strip().casefold()
        exists = self.conn.execute(select(ingredients.c.id).where(ingredients.c.name_key == key)).first()
        if exists:
            raise RuleViolation(f"ingredient {name!r} is already in the register")
        new_id = self.conn.execute(
            insert(ingredients)
            .values(
                name=name.strip(), name_key=key, source=source, document=document, created_at=utc_now(), created_by=user
            )
            .returning(ingredients.c.id)
        ).scalar_one()
        row = self.conn.execute(select(ingredients).where(ingredients.c.id == new_id)).one()
        return IngredientRecord.model_validate(row._mapping)

    def list(self, source: str | None = None) -> list[IngredientRecord]:
        query = select(ingredients).order_by(ingredients.c.name_key)
        if source:
            query = query.where(ingredients.c.source == source)
        return [IngredientRecord.model_validate(row._mapping) for row in self.conn.execute(query)]
