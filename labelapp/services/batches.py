"""Batch life cycle: draft -> compounded -> verified -> released, or rejected / voided.

Signatures are bound to the batch content: each stores the SHA-256 of the canonical batch JSON
plus the status it was signed in. Verification needs a label reconciliation inside the
facility's limit (or an investigation note); the verifier and releaser must be other people than
the one who prepared and performed the batch. A plausibility finding of the batch's calculation
(docs/domain.md §4.8) holds label printing until a pharmacist acknowledges it with an e-signature
bound to the finding.
"""

from __future__ import annotations

import re
from typing import Any

from labelapp.calc.plausibility import CONFIRM
from labelapp.domain.access import Action
from labelapp.domain.batch import BatchFile
from labelapp.domain.errors import RuleViolation
from labelapp.domain.execution import DeviationKind
from labelapp.domain.lots import LotPattern
from labelapp.domain.records import (
    AcknowledgementRecord,
    BatchDetail,
    BatchRecord,
    FormulaRecord,
    PrintJobRecord,
    ReconciliationRecord,
    ReconciliationStatus,
    SignatureRecord,
)
from labelapp.domain.register import FINAL_STATUSES, BatchStatus, FormulaStatus, Meaning
from labelapp.domain.results import BatchComputation, Plausibility
from labelapp.services import batch_files
from labelapp.services.calculate import calculate
from labelapp.services.context import Acting, Actor, RegisterContext
from labelapp.services.execution import Execution, signed_content
from labelapp.services.user_text import optional_text, required_reason
from labelapp.store import settings as settings_store
from labelapp.store.archived_documents import ArchivedDocumentRepository, label_kind
from labelapp.store.audit import RowRef
from labelapp.store.batches import BatchFilter, BatchRepository, lot_taken
from labelapp.store.canonical import canonical_hash, canonical_json, model_data, model_document
from labelapp.store.db import Connection
from labelapp.store.execution import ExecutionRepository
from labelapp.store.faults import crash_point
from labelapp.store.formulas import FormulaRepository, IngredientRepository
from labelapp.store.lots import allocate

S = BatchStatus
TRANSITIONS: dict[Meaning, tuple[BatchStatus, BatchStatus, Action]] = {
    Meaning.PERFORMED: (S.DRAFT, S.COMPOUNDED, Action.SIGN_PERFORMED),
    Meaning.VERIFIED: (S.COMPOUNDED, S.VERIFIED, Action.SIGN_VERIFIED),
    Meaning.RELEASED: (S.VERIFIED, S.RELEASED, Action.SIGN_RELEASED),
}
DISPOSALS: dict[Meaning, tuple[frozenset[BatchStatus], BatchStatus, Action]] = {
    Meaning.REJECTED: (frozenset({S.COMPOUNDED, S.VERIFIED}), S.REJECTED, Action.REJECT),
    Meaning.VOIDED: (frozenset({S.DRAFT, S.COMPOUNDED, S.VERIFIED}), S.VOIDED, Action.VOID),
}
LABEL_PRINTING = frozenset({S.DRAFT, S.COMPOUNDED})
MAX_COUNT = 1_000_000


def batch_signing_hash(batch: BatchRecord, status: str) -> str:
    """SHA-256 of the canonical batch JSON plus the status at signing (what a signature is bound to)."""
    return canonical_hash(
        {
            "lot_number": batch.lot_number,
            "formula_code": batch.formula_code,
            "formula_version": batch.formula_version,
            "document": batch.document_data(),
            "status": status,
        }
    )


def plausibility_hash(item: Plausibility) -> str:
    """SHA-256 of a finding as computed: its code, value, limit, source and message (what is acknowledged)."""
    return canonical_hash(item.model_dump(mode="json"))


def acknowledgement_signing_hash(batch: BatchRecord, item: Plausibility) -> str:
    """What an acknowledgement's e-signature is bound to: the lot and the finding."""
    return canonical_hash(
        {
            "lot_number": batch.lot_number,
            "formula_code": batch.formula_code,
            "formula_version": batch.formula_version,
            "item": item.model_dump(mode="json"),
        }
    )


def current_computation(conn: Connection, batch: BatchRecord) -> BatchComputation:
    """The batch computed with the settings and ingredient table in force, as its labels would be printed."""
    return calculate(
        batch_files.batch_from_document(batch.document),
        settings_store.load(conn).calc_settings(),
        source=f"batch {batch.id}",
        ingredients=batch_files.ingredient_table(IngredientRepository(conn).list()),
    )


def pending_acknowledgements(conn: Connection, batch: BatchRecord) -> list[Plausibility]:
    """The findings of the batch's calculation that no pharmacist has acknowledged as they stand now."""
    done = {a.item_sha256 for a in BatchRepository(conn).acknowledgements(batch.id)}
    return [f for f in current_computation(conn, batch).acknowledgements_required if plausibility_hash(f) not in done]


def pending_text(items: list[Plausibility]) -> str:
    return "; ".join(f"[{f.code}] {f.message.removesuffix(' ' + CONFIRM)}" for f in items)


def check_acknowledged(conn: Connection, batch: BatchRecord, kind: str) -> None:
    """Labels wait until every plausibility finding has a pharmacist's acknowledgement (docs/domain.md §4.8)."""
    if not label_kind(kind):
        return
    pending = pending_acknowledgements(conn, batch)
    if pending:
        raise RuleViolation(
            f"labels for lot {batch.lot_number} cannot be printed until a pharmacist acknowledges "
            f"{'each of these findings' if len(pending) > 1 else 'this finding'} "
            f"(labelapp batch acknowledge {batch.lot_number} CODE --reason ...): {pending_text(pending)}"
        )


def check_count(name: str, value: int, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_COUNT:
        raise RuleViolation(f"{name} must be a whole number from {minimum} to {MAX_COUNT}")
    return value


def check_kind(kind: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", kind or ""):
        raise RuleViolation(f"document kind {kind!r} must be lower-case letters, digits and '_' (e.g. label)")
    return kind


def check_label_printing(batch: BatchRecord, kind: str) -> None:
    if label_kind(kind) and batch.status not in LABEL_PRINTING:
        raise RuleViolation(
            f"lot {batch.lot_number} is {batch.status.value}: labels can only be printed "
            "before verification (reconciliation would no longer hold)"
        )
    if batch.status is S.VOIDED:
        raise RuleViolation(f"lot {batch.lot_number} is voided; nothing can be printed for it")


class Batches:
    def __init__(self, context: RegisterContext):
        self._ctx = context
        self._db = context.db

    # ------------------------------------------------------------ creating and reading

    def new(self, batch_file: BatchFile, user: Actor) -> BatchRecord:
        """Register a batch of an approved formula version; the database allocates its lot number."""
        batch_files.check_new_batch_file(batch_file)
        code, version, _ = batch_files.formula_key(batch_file.formula)
        with self._db.write() as conn:
            creator = self._ctx.acting(conn, user, Action.CREATE_BATCH)
            formula = self._startable_formula(conn, batch_file, code, version)
            self._check_facility(conn, batch_file)
            lot = self._allocate_lot(conn, batch_file)
            record = self._insert_batch(conn, batch_files.with_lot(batch_file, lot), formula, creator)
            crash_point("batch.before_commit")
        return record

    def _startable_formula(self, conn: Connection, batch_file: BatchFile, code: str, version: str) -> FormulaRecord:
        formula = FormulaRepository(conn).find(code, version)
        if formula is None:
            raise RuleViolation(f"formula {code} version {version} is not in the register; add and approve it first")
        if formula.status is not FormulaStatus.APPROVED:
            raise RuleViolation(
                f"formula {code} version {version} is {formula.status.value}; "
                "only the approved version can start a batch"
            )
        if model_document(batch_file.formula) != formula.document:
            raise RuleViolation(
                f"the formula in the batch file differs from approved {code} version {version} "
                "in the register; use the approved master record"
            )
        return formula

    def _check_facility(self, conn: Connection, batch_file: BatchFile) -> None:
        stored = settings_store.get_raw(conn, settings_store.FACILITY_KEY)
        if stored is not None and model_data(batch_file.facility) != stored:
            raise RuleViolation("the facility in the batch file differs from the register's facility settings")

    def _allocate_lot(self, conn: Connection, batch_file: BatchFile) -> str:
        pattern = LotPattern(settings_store.load(conn).lot_pattern)
        return allocate(conn, pattern, batch_files.lot_day(batch_file), batch_file.formula.product_code, lot_taken)

    def _insert_batch(
        self, conn: Connection, batch_file: BatchFile, formula: FormulaRecord, creator: Acting
    ) -> BatchRecord:
        document = model_document(batch_file)
        computation, expiration = batch_files.computed(
            batch_file,
            settings_store.load(conn).calc_settings(),
            batch_files.ingredient_table(IngredientRepository(conn).list()),
        )
        lot_number = batch_file.batch.lot_number
        assert lot_number is not None  # with_lot() put the allocated lot in
        record = BatchRepository(conn).add(
            lot_number=lot_number,
            formula_id=formula.id,
            document=document,
            document_sha256=canonical_hash(model_data(batch_file)),
            computation=computation,
            expiration_date=expiration,
            user=creator.username,
            **batch_files.batch_index(batch_file),
        )
        creator.record(
            conn,
            "batch.created",
            "batch",
            record.id,
            rows=[RowRef("batches", record.id)],
            new={
                "lot_number": record.lot_number,
                "formula": f"{formula.code} v{formula.version}",
                "status": record.status.value,
                "document_sha256": record.document_sha256,
                "expiration_date": expiration,
            },
        )
        return record

    def update_draft(self, batch_id: int, batch_file: BatchFile, user: Actor, reason: str) -> BatchRecord:
        """Correct a draft batch (same formula version, same lot). Not possible once signed."""
        reason = required_reason(reason)
        with self._db.write() as conn:
            editor = self._ctx.acting(conn, user, Action.EDIT_BATCH)
            repo = BatchRepository(conn)
            batch = repo.get(batch_id)
            if batch.status is not S.DRAFT:
                raise RuleViolation(f"lot {batch.lot_number} is {batch.status.value}; only a draft can be edited")
            updated = self._replace_draft(conn, batch, batch_file)
            editor.record(
                conn,
                "batch.edited",
                "batch",
                batch.id,
                rows=[RowRef("batches", batch.id)],
                old={"document": batch.document_data()},
                new={"document": updated.document_data()},
                reason=reason,
            )
        return updated

    def _replace_draft(self, conn: Connection, batch: BatchRecord, batch_file: BatchFile) -> BatchRecord:
        if batch_file.batch.lot_number not in (None, batch.lot_number):
            raise RuleViolation(f"the lot number cannot change (lot {batch.lot_number})")
        code, version, _ = batch_files.formula_key(batch_file.formula)
        if (code, version) != (batch.formula_code, batch.formula_version):
            raise RuleViolation("a draft keeps the formula version it started with; void it and start a new batch")
        self._startable_formula(conn, batch_file, code, version)
        with_lot = batch_files.with_lot(batch_file, batch.lot_number)
        document = model_document(with_lot)
        computation, expiration = batch_files.computed(
            with_lot,
            settings_store.load(conn).calc_settings(),
            batch_files.ingredient_table(IngredientRepository(conn).list()),
        )
        index = batch_files.batch_index(with_lot)
        BatchRepository(conn).replace_document(
            batch.id, document, canonical_hash(model_data(with_lot)), computation, index["compounded_on"], expiration
        )
        return BatchRepository(conn).get(batch.id)

    def get(self, batch_id: int) -> BatchRecord:
        with self._db.read() as conn:
            return BatchRepository(conn).get(batch_id)

    def by_lot(self, lot_number: str) -> BatchRecord:
        with self._db.read() as conn:
            return BatchRepository(conn).by_lot(lot_number)

    def search(self, **criteria: Any) -> list[BatchRecord]:
        """Filter by lot, product, status, formula_code, date_from/date_to (compounded), text, limit."""
        if criteria.get("status"):
            criteria["status"] = BatchStatus(criteria["status"])
        with self._db.read() as conn:
            return BatchRepository(conn).search(BatchFilter(**criteria))

    def check_intact(self, batch_id: int, what: str) -> None:
        """Refuse (RecordTamperedError, naming what differs) a batch whose rows no longer match the signed chain."""
        with self._db.read() as conn:
            self._ctx.require_intact(conn, batch_rows(conn, batch_id), what)

    def batch_file(self, batch_id: int) -> BatchFile:
        """The stored batch file (with its lot number) as the domain model."""
        return batch_files.batch_from_document(self.get(batch_id).document)

    def detail(self, batch_id: int) -> BatchDetail:
        with self._db.read() as conn:
            repo, documents = BatchRepository(conn), ArchivedDocumentRepository(conn)
            batch = repo.get(batch_id)
            acknowledgements = repo.acknowledgements(batch_id)
            return BatchDetail(
                batch=batch,
                signatures=self._checked_signatures(conn, batch, repo.signatures(batch_id), acknowledgements),
                print_jobs=documents.print_jobs(batch_id),
                reconciliations=repo.reconciliations(batch_id),
                documents=documents.for_batch(batch_id),
                reconciliation=self._reconciliation_status(conn, batch),
                acknowledgements=acknowledgements,
            )

    def signatures(self, batch_id: int) -> list[SignatureRecord]:
        """Signature manifestations, each checked against the current batch content."""
        with self._db.read() as conn:
            repo = BatchRepository(conn)
            return self._checked_signatures(
                conn, repo.get(batch_id), repo.signatures(batch_id), repo.acknowledgements(batch_id)
            )

    @staticmethod
    def _checked_signatures(
        conn: Connection,
        batch: BatchRecord,
        signatures: list[SignatureRecord],
        acknowledgements: list[AcknowledgementRecord],
    ) -> list[SignatureRecord]:
        """Each signature checked against what it was made over: the batch, the finding it acknowledged, or
        its step entry or deviation (by subject); a signature over anything else is not judged here (None)."""
        others = signed_content(conn, batch.id)
        bound = {a.signature_id: acknowledgement_signing_hash(batch, a.item) for a in acknowledgements}

        def matches(s: SignatureRecord) -> bool | None:
            if s.record_type == "batch":
                return batch_signing_hash(batch, s.status_at_signing) == s.content_sha256
            if s.record_type == "acknowledgement":
                return None if s.id not in bound else bound[s.id] == s.content_sha256
            current = others.get(s.subject or "")
            return None if current is None else current == s.content_sha256

        return [s.model_copy(update={"content_matches": matches(s)}) for s in signatures]

    # ------------------------------------------------------------ plausibility acknowledgements (§4.8)

    def acknowledgements(self, batch_id: int) -> list[AcknowledgementRecord]:
        with self._db.read() as conn:
            return BatchRepository(conn).acknowledgements(batch_id)

    def pending_acknowledgements(self, batch_id: int) -> list[Plausibility]:
        """The findings that still hold label printing (computed with the settings in force)."""
        with self._db.read() as conn:
            return pending_acknowledgements(conn, BatchRepository(conn).get(batch_id))

    def acknowledge(self, batch_id: int, code: str, user: Actor, password: str, reason: str) -> AcknowledgementRecord:
        """A pharmacist's e-signed acknowledgement of the finding ``code`` as it stands now, with a reason."""
        reason = required_reason(reason, "a reason for the acknowledgement")
        who = self._ctx.signer(user, password, Action.ACKNOWLEDGE)
        with self._db.write() as conn:
            signer = self._ctx.acting(conn, who, Action.ACKNOWLEDGE)
            repo = BatchRepository(conn)
            batch = repo.get(batch_id)
            if batch.status in FINAL_STATUSES:
                raise RuleViolation(f"lot {batch.lot_number} is {batch.status.value}; nothing more can be signed on it")
            self._ctx.require_intact(
                conn, batch_rows(conn, batch_id), f"acknowledging a finding on lot {batch.lot_number}"
            )
            item = self._finding(conn, batch, code)
            item_sha = plausibility_hash(item)
            earlier = next((a for a in repo.acknowledgements(batch_id) if a.item_sha256 == item_sha), None)
            if earlier is not None:
                raise RuleViolation(
                    f"lot {batch.lot_number}: {code} is already {earlier.manifestation().split('] ', 1)[1]}"
                )
            signature = signer.e_sign(
                conn,
                record_type="acknowledgement",
                batch_id=batch.id,
                meaning=Meaning.ACKNOWLEDGED.value,
                content_sha256=acknowledgement_signing_hash(batch, item),
                status_at_signing=batch.status.value,
                reason=reason,
                subject=f"acknowledgement:{item_sha[:24]}",
            )
            record = repo.add_acknowledgement(
                batch_id=batch.id,
                code=item.code,
                item=canonical_json(item.model_dump(mode="json")),
                item_sha256=item_sha,
                reason=reason,
                signature_id=signature.id,
                acknowledged_by=signer.username,
            )
            crash_point("acknowledge.before_commit")
            signer.record(
                conn,
                "batch.acknowledged",
                "batch",
                batch.id,
                rows=[RowRef("signatures", signature.id), RowRef("acknowledgements", record.id)],
                new={
                    "code": item.code,
                    "finding": item.message,
                    "item_sha256": item_sha,
                    "signature_id": signature.id,
                    "meaning": Meaning.ACKNOWLEDGED.value,
                    "printed_name": signer.user.full_name,
                    "content_sha256": signature.content_sha256,
                },
                reason=reason,
            )
        return record

    @staticmethod
    def _finding(conn: Connection, batch: BatchRecord, code: str) -> Plausibility:
        findings = current_computation(conn, batch).acknowledgements_required
        for item in findings:
            if item.code == code:
                return item
        known = ", ".join(f.code for f in findings)
        raise RuleViolation(
            f"lot {batch.lot_number} has no plausibility finding {code!r}; "
            + (f"its findings: {known}" if findings else "its calculation raises none")
        )

    # ------------------------------------------------------------ label reconciliation (211.125)

    def record_reconciliation(
        self,
        batch_id: int,
        user: Actor,
        *,
        applied: int,
        specimens: int,
        destroyed: int,
        returned: int,
        investigation_note: str | None = None,
    ) -> ReconciliationRecord:
        counts = {"applied": applied, "specimens": specimens, "destroyed": destroyed, "returned": returned}
        for name, value in counts.items():
            check_count(name, value)
        note = optional_text(investigation_note)
        with self._db.write() as conn:
            clerk = self._ctx.acting(conn, user, Action.RECONCILE)
            batch = BatchRepository(conn).get(batch_id)
            if batch.status not in LABEL_PRINTING:
                raise RuleViolation(
                    f"lot {batch.lot_number} is {batch.status.value}; reconciliation is recorded before verification"
                )
            issued = ArchivedDocumentRepository(conn).labels_issued(batch_id)
            difference = issued - sum(counts.values())
            record = BatchRepository(conn).add_reconciliation(
                batch_id, counts | {"issued": issued}, difference, note, clerk.username
            )
            limit = settings_store.load(conn).reconciliation_limit
            if abs(difference) > limit:
                Execution(self._ctx).open_for(
                    conn,
                    clerk,
                    batch_id,
                    DeviationKind.RECONCILIATION,
                    f"{issued} labels issued, {sum(counts.values())} accounted for (difference {difference}, limit "
                    f"{limit}): {note or 'no explanation entered'} (211.125)",
                    f"reconciliation {record.id}",
                )
            clerk.record(
                conn,
                "batch.reconciled",
                "batch",
                batch_id,
                rows=[RowRef("reconciliations", record.id)],
                new=counts | {"issued": issued, "difference": difference, "investigation_note": note},
            )
        return record

    def reconciliation_status(self, batch_id: int) -> ReconciliationStatus:
        with self._db.read() as conn:
            return self._reconciliation_status(conn, BatchRepository(conn).get(batch_id))

    def _reconciliation_status(self, conn: Connection, batch: BatchRecord) -> ReconciliationStatus:
        issued = ArchivedDocumentRepository(conn).labels_issued(batch.id)
        history = BatchRepository(conn).reconciliations(batch.id)
        latest = history[-1] if history else None
        limit = settings_store.load(conn).reconciliation_limit
        blocks, why = _reconciliation_verdict(issued, latest, limit)
        return ReconciliationStatus(
            labels_issued=issued, latest=latest, limit=limit, blocks_verification=blocks, explanation=why
        )

    # ------------------------------------------------------------ signatures and disposition

    def sign(
        self, batch_id: int, user: Actor, password: str, meaning: Meaning | str, reason: str | None = None
    ) -> SignatureRecord:
        """E-sign a batch (password re-entered). performed/verified/released move it one step on;
        rejected/voided end it and need a reason."""
        meaning = Meaning(meaning)
        if meaning in DISPOSALS:
            return self._dispose(batch_id, user, password, meaning, reason)
        if meaning not in TRANSITIONS:
            raise RuleViolation("a batch is signed as performed, verified or released (formulas are approved)")
        before, after, action = TRANSITIONS[meaning]
        who = self._ctx.signer(user, password, action)
        with self._db.write() as conn:
            signer = self._ctx.acting(conn, who, action)
            repo = BatchRepository(conn)
            batch = repo.get(batch_id)
            self._ctx.require_intact(conn, batch_rows(conn, batch_id), f"signing lot {batch.lot_number} as {meaning}")
            _check_step(batch, {before}, meaning)
            _check_independent(repo, batch, signer, meaning)
            if meaning is Meaning.VERIFIED:
                self._check_reconciled(conn, batch)
            if meaning is Meaning.PERFORMED:
                Execution(self._ctx).record_missing_steps(conn, signer, batch_id)
            if meaning is Meaning.RELEASED:
                blockers = Execution(self._ctx).release_blockers(conn, batch_id)
                if blockers:
                    raise RuleViolation(f"lot {batch.lot_number} cannot be released yet: " + "; ".join(blockers))
            signature = self._apply_signature(conn, batch, signer, meaning, after, optional_text(reason))
        return signature

    def reject(self, batch_id: int, user: Actor, password: str, reason: str) -> SignatureRecord:
        return self._dispose(batch_id, user, password, Meaning.REJECTED, reason)

    def void(self, batch_id: int, user: Actor, password: str, reason: str) -> SignatureRecord:
        return self._dispose(batch_id, user, password, Meaning.VOIDED, reason)

    def _dispose(
        self, batch_id: int, user: Actor, password: str, meaning: Meaning, reason: str | None
    ) -> SignatureRecord:
        reason = required_reason(reason, f"a reason for the {meaning.value} batch")
        allowed, after, action = DISPOSALS[meaning]
        who = self._ctx.signer(user, password, action)
        with self._db.write() as conn:
            signer = self._ctx.acting(conn, who, action)
            batch = BatchRepository(conn).get(batch_id)
            _check_step(batch, allowed, meaning)
            return self._apply_signature(conn, batch, signer, meaning, after, reason)

    def _check_reconciled(self, conn: Connection, batch: BatchRecord) -> None:
        status = self._reconciliation_status(conn, batch)
        if status.blocks_verification:
            raise RuleViolation(f"lot {batch.lot_number} cannot be verified: {status.explanation}")

    def _apply_signature(
        self,
        conn: Connection,
        batch: BatchRecord,
        signer: Acting,
        meaning: Meaning,
        after: BatchStatus,
        reason: str | None,
    ) -> SignatureRecord:
        repo = BatchRepository(conn)
        signature = signer.e_sign(
            conn,
            record_type="batch",
            batch_id=batch.id,
            meaning=meaning.value,
            content_sha256=batch_signing_hash(batch, batch.status.value),
            status_at_signing=batch.status.value,
            reason=reason,
        )
        repo.set_status(batch.id, after, reason if after in (S.REJECTED, S.VOIDED) else None)
        crash_point("sign.before_commit")
        signer.record(
            conn,
            f"batch.{meaning.value}",
            "batch",
            batch.id,
            rows=[RowRef("signatures", signature.id), RowRef("batches", batch.id)],
            old={"status": batch.status.value},
            new={
                "status": after.value,
                "signature_id": signature.id,
                "meaning": meaning.value,
                "printed_name": signer.user.full_name,
                "content_sha256": signature.content_sha256,
            },
            reason=reason,
        )
        return signature

    # ------------------------------------------------------------ printing

    def record_print_job(
        self, batch_id: int, kind: str, stock: str, count: int, printer: str, pdf_bytes: bytes, user: Actor
    ) -> PrintJobRecord:
        """Archive the printed PDF (before the row) and record the job; label jobs count as issued labels."""
        check_kind(kind)
        check_count("count", count, minimum=1)
        stock, printer = _required_field("stock", stock), _required_field("printer", printer)
        with self._db.read() as conn:  # refuse early, before writing the file
            self._ctx.actor(conn, user, Action.PRINT)
            check_label_printing(BatchRepository(conn).get(batch_id), kind)
            check_acknowledged(conn, BatchRepository(conn).get(batch_id), kind)
        sha, size, name = self._ctx.archive.put(pdf_bytes)
        crash_point("print.after_archive")
        with self._db.write() as conn:
            printer_user = self._ctx.acting(conn, user, Action.PRINT)
            batch = BatchRepository(conn).get(batch_id)
            check_label_printing(batch, kind)
            self._ctx.require_intact(conn, batch_rows(conn, batch_id), f"printing for lot {batch.lot_number}")
            check_acknowledged(conn, batch, kind)
            documents = ArchivedDocumentRepository(conn)
            document = documents.add(
                batch_id=batch_id,
                kind=kind,
                sha256=sha,
                size_bytes=size,
                file_name=name,
                user=printer_user.username,
                reason=None,
            )
            job = documents.add_print_job(
                batch_id=batch_id,
                kind=kind,
                stock=stock,
                label_count=count,
                printer=printer,
                document_id=document.id,
                user=printer_user.username,
            )
            crash_point("print.before_commit")
            printer_user.record(
                conn,
                "print.recorded",
                "batch",
                batch_id,
                new=job_summary(job),
                rows=[RowRef("archived_documents", document.id), RowRef("print_jobs", job.id)],
            )
        return job


def batch_rows(conn: Connection, batch_id: int) -> list[RowRef]:
    """The rows a batch's printed documents are made from: the batch (with its component lots), its
    formula, signatures, print jobs, reconciliations, archived documents, the executed record and the
    plausibility acknowledgements."""
    batch = BatchRepository(conn).get(batch_id)
    documents = ArchivedDocumentRepository(conn)
    refs = [RowRef("batches", batch_id), RowRef("formulas", batch.formula_id)]
    refs += [RowRef("signatures", s.id) for s in BatchRepository(conn).signatures(batch_id)]
    refs += [RowRef("print_jobs", j.id) for j in documents.print_jobs(batch_id)]
    refs += [RowRef("reconciliations", r.id) for r in BatchRepository(conn).reconciliations(batch_id)]
    refs += [RowRef("archived_documents", d.id) for d in documents.for_batch(batch_id)]
    execution = ExecutionRepository(conn)
    refs += [RowRef("step_entries", e.id) for e in execution.entries(batch_id)]
    refs += [RowRef("deviations", d.id) for d in execution.deviations(batch_id)]
    refs += [RowRef("qc_results", q.id) for q in execution.qc(batch_id)]
    refs += [RowRef("acknowledgements", a.id) for a in BatchRepository(conn).acknowledgements(batch_id)]
    return refs


def _required_field(name: str, value: str) -> str:
    cleaned = " ".join((value or "").split())
    if not cleaned or len(cleaned) > 200:
        raise RuleViolation(f"{name} is required (at most 200 characters)")
    return cleaned


def job_summary(job: PrintJobRecord) -> dict[str, Any]:
    return {
        "job_number": job.job_number,
        "kind": job.kind,
        "stock": job.stock,
        "count": job.label_count,
        "printer": job.printer,
        "document_sha256": job.document_sha256,
        "is_reprint": job.is_reprint,
        "reprint_of": job.reprint_of,
    }


def _check_step(batch: BatchRecord, allowed: set[BatchStatus] | frozenset[BatchStatus], meaning: Meaning) -> None:
    if batch.status not in allowed:
        needed = " or ".join(sorted(s.value for s in allowed))
        raise RuleViolation(
            f"lot {batch.lot_number} is {batch.status.value}; signing it as {meaning.value} needs status {needed}"
        )


def _check_independent(repo: BatchRepository, batch: BatchRecord, signer: Acting, meaning: Meaning) -> None:
    """Two-person rule: the verifier and releaser are not who prepared or performed the batch."""
    if meaning is Meaning.PERFORMED:
        return
    earlier = {s.meaning: s.username for s in repo.signatures(batch.id)}
    roles = {"prepared": batch.created_by, "performed": earlier.get(Meaning.PERFORMED)}
    if meaning is Meaning.RELEASED:
        roles["verified"] = earlier.get(Meaning.VERIFIED)
    for did, who in roles.items():
        if who == signer.username:
            raise RuleViolation(
                f"{signer.username} {did} lot {batch.lot_number} and cannot also sign it as "
                f"{meaning.value} (two-person rule)"
            )


def _reconciliation_verdict(issued: int, latest: ReconciliationRecord | None, limit: int) -> tuple[bool, str]:
    if latest is None:
        return True, f"labels are not reconciled yet ({issued} issued)"
    if latest.issued != issued:
        return True, (
            f"labels were printed after the last reconciliation ({issued} issued now, "
            f"{latest.issued} reconciled); reconcile again"
        )
    accounted = latest.applied + latest.specimens + latest.destroyed + latest.returned
    if abs(latest.difference) > limit and not latest.investigation_note:
        return True, (
            f"{issued} labels issued but {accounted} accounted for (difference {latest.difference}, "
            f"limit {limit}); enter an investigation note (21 CFR 211.192)"
        )
    if latest.difference:
        return (
            False,
            f"difference of {latest.difference} label(s) explained: {latest.investigation_note or 'within limit'}",
        )
    return (
        False,
        f"{issued} issued = {latest.applied} applied + {latest.specimens} specimens + "
        f"{latest.destroyed} destroyed + {latest.returned} returned",
    )
