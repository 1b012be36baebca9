"""Formula versions: draft -> approved -> superseded; facility ingredients."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from labelapp.calc.batch import master_record_issues
from labelapp.domain.access import Action
from labelapp.domain.errors import InputError, NotFoundError, RuleViolation
from labelapp.domain.formula import Formula
from labelapp.domain.records import FormulaRecord, IngredientRecord, SignatureRecord
from labelapp.domain.reference import IngredientTable
from labelapp.domain.register import FormulaStatus, Meaning
from labelapp.services import batch_files
from labelapp.services.context import Acting, Actor, RegisterContext
from labelapp.store.audit import RowRef
from labelapp.store.batches import BatchRepository
from labelapp.store.canonical import canonical_hash, model_data, model_document, utc_now
from labelapp.store.db import Connection
from labelapp.store.formulas import FormulaRepository, IngredientRepository


def formula_signing_hash(record: FormulaRecord, status: str) -> str:
    return canonical_hash(
        {"formula_code": record.code, "version": record.version, "document": record.document_data(), "status": status}
    )


class Formulas:
    def __init__(self, context: RegisterContext):
        self._ctx = context
        self._db = context.db

    def add(self, formula: Formula, user: Actor) -> FormulaRecord:
        """Store a new formula version as a draft (it cannot start batches until approved)."""
        code, version, name = batch_files.formula_key(formula)
        document = model_document(formula)
        with self._db.write() as conn:
            author = self._ctx.acting(conn, user, Action.ADD_FORMULA)
            issues = master_record_issues(formula, batch_files.ingredient_table(IngredientRepository(conn).list()))
            if issues:
                raise InputError(issues)
            record = FormulaRepository(conn).add(
                code, version, name, document, canonical_hash(model_data(formula)), author.username
            )
            author.record(
                conn,
                "formula.added",
                "formula",
                record.id,
                new=_formula_summary(record),
                rows=[RowRef("formulas", record.id)],
            )
        return record

    def approve(self, code: str, version: str | int, signer: Actor, password: str) -> FormulaRecord:
        """Pharmacist approval (e-signature). Supersedes the previously approved version."""
        who = self._ctx.signer(signer, password, Action.APPROVE_FORMULA)
        with self._db.write() as conn:
            approver = self._ctx.acting(conn, who, Action.APPROVE_FORMULA)
            formulas = FormulaRepository(conn)
            record = formulas.get(code, str(version))
            self._check_approvable(formulas, record, approver.username)
            now = utc_now()
            self._supersede_current(conn, formulas, record, approver, now)
            signature = approver.e_sign(
                conn,
                record_type="formula",
                formula_id=record.id,
                meaning=Meaning.APPROVED.value,
                content_sha256=formula_signing_hash(record, record.status.value),
                status_at_signing=record.status.value,
            )
            formulas.mark_approved(record.id, approver.username, now)
            approved = formulas.by_id(record.id)
            approver.record(
                conn,
                "formula.approved",
                "formula",
                record.id,
                old={"status": record.status.value},
                new=_formula_summary(approved),
                rows=[RowRef("formulas", record.id), RowRef("signatures", signature.id)],
            )
        return approved

    def _check_approvable(self, formulas: FormulaRepository, record: FormulaRecord, approver: str) -> None:
        if record.status is not FormulaStatus.DRAFT:
            raise RuleViolation(
                f"formula {record.code} version {record.version} is {record.status.value}, only a draft can be approved"
            )
        if record.created_by == approver:
            raise RuleViolation(
                f"{approver} added formula {record.code} version {record.version} and cannot "
                "also approve it (a second person must check it, 21 CFR 211.186(a))"
            )
        current = formulas.approved(record.code)
        if current is not None and current.id > record.id:
            raise RuleViolation(f"a newer version ({current.version}) of formula {record.code} is already approved")

    def _supersede_current(
        self, conn: Connection, formulas: FormulaRepository, record: FormulaRecord, user: Acting, now: datetime
    ) -> None:
        current = formulas.approved(record.code)
        if current is None:
            return
        formulas.mark_superseded(current.id, now)
        user.record(
            conn,
            "formula.superseded",
            "formula",
            current.id,
            old={"status": "approved"},
            new={"status": "superseded", "by_version": record.version},
            rows=[RowRef("formulas", current.id)],
        )

    def get(self, code: str, version: str | int | None = None) -> FormulaRecord:
        """A given version, or else the approved one, or else the newest."""
        with self._db.read() as conn:
            formulas = FormulaRepository(conn)
            if version is not None:
                return formulas.get(code, str(version))
            found = formulas.approved(code) or next(iter(reversed(formulas.list(code))), None)
            if found is None:
                raise NotFoundError(f"no formula {code!r}")
            return found

    def versions(self, code: str | None = None, status: FormulaStatus | str | None = None) -> list[FormulaRecord]:
        with self._db.read() as conn:
            return FormulaRepository(conn).list(code, FormulaStatus(status) if status else None)

    def signatures(self, formula_id: int) -> list[SignatureRecord]:
        with self._db.read() as conn:
            signatures = BatchRepository(conn).signatures(formula_id=formula_id)
            record = FormulaRepository(conn).by_id(formula_id)
        return [
            s.model_copy(
                update={"content_matches": formula_signing_hash(record, s.status_at_signing) == s.content_sha256}
            )
            for s in signatures
        ]

    # ------------------------------------------------------------ ingredients

    def add_ingredient(self, name: str, document: BaseModel | dict[str, Any], user: Actor) -> IngredientRecord:
        """Store a facility-added ingredient (the reference table ships with the program)."""
        with self._db.write() as conn:
            author = self._ctx.acting(conn, user, Action.ADD_INGREDIENT)
            ingredient = batch_files.checked_ingredient(document, IngredientRepository(conn).list())
            if ingredient.name.casefold() != name.strip().casefold():
                raise RuleViolation(
                    f"ingredient name {name!r} differs from the name in its document {ingredient.name!r}"
                )
            text = model_document(ingredient)
            record = IngredientRepository(conn).add(name, "facility", text, author.username)
            author.record(
                conn,
                "ingredient.added",
                "ingredient",
                record.id,
                new=model_data(ingredient),
                rows=[RowRef("ingredients", record.id)],
            )
        return record

    def list_ingredients(self) -> list[IngredientRecord]:
        with self._db.read() as conn:
            return IngredientRepository(conn).list()

    def ingredient_table(self) -> IngredientTable:
        """The table every calculation for this register uses: the reference plus facility ingredients."""
        return batch_files.ingredient_table(self.list_ingredients())


def _formula_summary(record: FormulaRecord) -> dict[str, Any]:
    return {
        "code": record.code,
        "version": record.version,
        "name": record.name,
        "status": record.status.value,
        "content_sha256": record.content_sha256,
    }
