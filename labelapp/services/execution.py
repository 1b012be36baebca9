"""Executing the batch record: technicians record what they did, the record checks it, exceptions open deviations.

Step by step, as it happens: each value is time-stamped (when the step happened, when it was
entered), attributable (who entered it, signed with their key in the audit trail) and checked against
the master record's limit on entry. A correction keeps the original and needs a reason. Steps that
need a verifier take a second person's e-signature. Component lots are scanned (the supplier's GS1
code) or typed, and must be received, released by QA, unexpired and of the formula's ingredient.

Out-of-limit values, late entries, corrections, overrides, exceeded hold times, reprints,
reconciliations outside limits, missing steps, yields outside limits and failed QC results each
open a deviation, which a pharmacist or QA dispositions with an e-signature. Release waits for every
step, every required QC result passing (or its failure dispositioned), a balanced reconciliation and
every deviation closed (``release_blockers``). 21 CFR 211.188, 211.192; docs/domain.md §5.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from labelapp.calc import execution as checks
from labelapp.calc.scan import looks_like_gs1, parse_supplier_code
from labelapp.domain.access import Action
from labelapp.domain.batch import BatchFile
from labelapp.domain.errors import NotFoundError, RuleViolation
from labelapp.domain.execution import (
    Deviation,
    DeviationKind,
    DeviationStatus,
    EntrySource,
    ExecutionStatus,
    MaterialLot,
    MaterialStatus,
    QcResult,
    QcStatus,
    StepEntry,
    StepStatus,
)
from labelapp.domain.mfr import MasterRecord, ProcessStep, StepKind
from labelapp.domain.register import BatchStatus, Meaning
from labelapp.domain.results import BatchComputation
from labelapp.instruments.mtsics import Reading
from labelapp.services import batch_files
from labelapp.services.calculate import calculate
from labelapp.services.context import Acting, Actor, RegisterContext
from labelapp.services.user_text import optional_text, required_reason
from labelapp.store import settings as settings_store
from labelapp.store.audit import RowRef
from labelapp.store.batches import BatchRepository
from labelapp.store.canonical import utc_now
from labelapp.store.db import Connection
from labelapp.store.execution import ExecutionRepository
from labelapp.store.formulas import IngredientRepository

_GRAMS_PER = {"g": Decimal(1), "mg": Decimal("0.001"), "kg": Decimal(1000)}
RECORDING = frozenset({BatchStatus.DRAFT})  # process steps happen before "performed"
TESTING = frozenset({BatchStatus.DRAFT, BatchStatus.COMPOUNDED, BatchStatus.VERIFIED})  # QC comes later
LATE_ENTRY_MINUTES = 30


class Execution:
    def __init__(self, context: RegisterContext):
        self._ctx = context
        self._db = context.db

    # ------------------------------------------------------------ what the batch is

    def _batch(self, conn: Connection, batch_id: int) -> tuple[BatchFile, MasterRecord, BatchComputation]:
        record = BatchRepository(conn).get(batch_id)
        bf = batch_files.batch_from_document(record.document)
        if bf.formula.master_record is None:
            raise RuleViolation(
                f"formula {bf.formula.id} v{bf.formula.version} has no master record steps: this "
                "batch is executed on the paper worksheet"
            )
        settings = settings_store.load(conn).calc_settings()
        comp = calculate(bf, settings, ingredients=batch_files.ingredient_table(IngredientRepository(conn).list()))
        return bf, bf.formula.master_record, comp

    # ------------------------------------------------------------ recording steps

    def record(
        self,
        batch_id: int,
        step_id: str,
        text: str,
        user: Actor,
        *,
        happened_at: datetime | None = None,
        source: EntrySource = EntrySource.TYPED,
        instrument: str | None = None,
    ) -> StepEntry:
        """Record one step's value as it happens; checked on entry; an exception opens its deviation."""
        with self._db.write() as conn:
            who = self._ctx.acting(conn, user, Action.RECORD_STEP)
            return self._record(conn, who, batch_id, step_id, text, happened_at, source, instrument, None, None)

    def record_weight(self, batch_id: int, step_id: str, reading: Reading, balance: str, user: Actor) -> StepEntry:
        """A weight as the balance sent it (a stable MT-SICS reading): recorded with the balance's name, serial
        number and raw answer, so the record shows it was read from the instrument, not typed."""
        if not reading.stable:
            raise RuleViolation(f"{balance}: the reading {reading} is not stable; weigh again")
        factor = _GRAMS_PER.get(reading.unit.strip().lower())
        if factor is None:
            raise RuleViolation(f"{balance}: the balance sent {reading}; set it to weigh in g, mg or kg")
        grams = reading.value * factor
        instrument = f"{balance}" + (f" S/N {reading.serial_number}" if reading.serial_number else "")
        instrument += f" (sent {reading.raw.strip()!r})"
        with self._db.write() as conn:
            who = self._ctx.acting(conn, user, Action.RECORD_STEP)
            _, mr, _ = self._batch(conn, batch_id)
            try:
                kind = mr.step(step_id).kind
            except KeyError:
                kind = None
            if kind is not None and kind is not StepKind.WEIGHT:
                raise RuleViolation(f"step {step_id} is not a weighing; a balance reading cannot be recorded there")
            return self._record(
                conn, who, batch_id, step_id, str(grams), None, EntrySource.BALANCE, instrument, None, None
            )

    def correct(
        self, entry_id: int, text: str, reason: str, user: Actor, *, happened_at: datetime | None = None
    ) -> StepEntry:
        """A corrected value: the original stays on the record, the correction needs a reason and opens a deviation."""
        reason = required_reason(reason, "a reason for the correction")
        with self._db.write() as conn:
            who = self._ctx.acting(conn, user, Action.RECORD_STEP)
            original = ExecutionRepository(conn).entry(entry_id)
            if original.superseded:
                raise RuleViolation(f"entry {entry_id} was already corrected; correct the newest entry")
            entry = self._record(
                conn,
                who,
                original.batch_id,
                original.step_id,
                text,
                happened_at or original.happened_at,
                EntrySource.TYPED,
                None,
                entry_id,
                reason,
            )
            self._open(
                conn,
                who,
                original.batch_id,
                DeviationKind.CORRECTION,
                f"{original.step_id}: {original.value} corrected to {entry.value} by {who.username}: {reason}",
                f"entry {entry_id} -> {entry.id}",
            )
            return entry

    def _record(
        self,
        conn: Connection,
        who: Acting,
        batch_id: int,
        step_id: str,
        text: str,
        happened_at: datetime | None,
        source: EntrySource,
        instrument: str | None,
        corrects: int | None,
        reason: str | None,
    ) -> StepEntry:
        batch = BatchRepository(conn).get(batch_id)
        if batch.status not in RECORDING:
            raise RuleViolation(
                f"lot {batch.lot_number} is {batch.status.value}: process steps are recorded while "
                "the batch is a draft (before it is signed as performed)"
            )
        bf, mr, comp = self._batch(conn, batch_id)
        try:
            step = mr.step(step_id)
        except KeyError:
            known = ", ".join(s.id for s in mr.steps)
            raise NotFoundError(f"formula {bf.formula.id} has no step {step_id!r} (steps: {known})") from None
        now = utc_now()
        when = happened_at or now
        if when.tzinfo is None:
            raise RuleViolation("the time the step happened needs a time zone")
        if when > now + timedelta(minutes=2):
            raise RuleViolation(f"{step.title}: the step cannot have happened in the future ({when:%Y-%m-%d %H:%M})")
        scanned = step.kind is StepKind.COMPONENT and looks_like_gs1(text)  # GS separators are part of a scan
        text = text.strip() if scanned else (optional_text(text, step.title) or "")
        evaluated = checks.evaluate(
            step, text, mr, comp, bf.batch.compounding_date, bf.formula.container.fill_volume_ml
        )
        if step.kind is StepKind.COMPONENT:
            evaluated = self._component(conn, step, text, bf, evaluated)
            source = EntrySource.SCANNED if scanned else source
        repo = ExecutionRepository(conn)
        entry = repo.add_entry(
            batch_id=batch_id,
            step_id=step.id,
            value=evaluated.value,
            numeric=evaluated.numeric,
            unit=evaluated.unit,
            within_limits=evaluated.within_limits,
            limit_text=evaluated.limit_text,
            source=source.value,
            instrument=instrument,
            happened_at=when,
            entered_by=who.username,
            corrects_id=corrects,
            reason=reason,
        )
        who.record(
            conn,
            "step.recorded" if corrects is None else "step.corrected",
            "batch",
            batch_id,
            new={
                "step": step.id,
                "value": entry.value,
                "within_limits": entry.within_limits,
                "happened_at": when,
                "source": source.value,
                "corrects": corrects,
            },
            reason=reason,
            rows=[RowRef("step_entries", entry.id)],
        )
        if evaluated.within_limits is False:
            self._open(conn, who, batch_id, DeviationKind.OUT_OF_LIMIT, evaluated.message, f"entry {entry.id}")
        late = int(settings_store.load(conn).late_entry_minutes)
        if entry.entered_at - when > timedelta(minutes=late):
            self._open(
                conn,
                who,
                batch_id,
                DeviationKind.LATE_ENTRY,
                f"{step.title}: entered {entry.entered_at:%Y-%m-%d %H:%M} UTC for a step done "
                f"{when:%Y-%m-%d %H:%M} UTC, more than {late} minutes later (not contemporaneous)",
                f"entry {entry.id}",
            )
        if step.kind is StepKind.TIME:
            self._check_hold_times(conn, who, batch_id, mr, step, entry)
        if step.kind in (StepKind.UNITS_FILLED, StepKind.INSPECTION):
            self._check_yield(conn, who, batch_id, mr, comp)
        return entry

    def _component(
        self, conn: Connection, step: ProcessStep, text: str, bf: BatchFile, evaluated: checks.Evaluated
    ) -> checks.Evaluated:
        """The lot used, scanned or typed: received, released by QA, unexpired on the compounding date, and a lot
        of this step's ingredient; recorded with its expiry."""
        code = parse_supplier_code(text) if looks_like_gs1(text) else None
        lot = code.lot if code else text.strip()
        found = ExecutionRepository(conn).materials(lot=lot)
        if code and code.gtin:
            found = [m for m in found if m.gtin in (None, code.gtin)]
        if not found:
            raise RuleViolation(
                f"{step.title}: lot {lot!r} has not been received (labelapp materials receive); it cannot be used"
            )
        wanted = (step.component or "").lower()
        table = batch_files.ingredient_table(IngredientRepository(conn).list())
        names = {wanted}
        if wanted in table:
            names |= {n.lower() for n in table.get(wanted).all_names()}
        matching = [m for m in found if m.ingredient.lower() in names]
        if not matching:
            raise RuleViolation(f"{step.title}: lot {lot} is {found[0].ingredient}, not {step.component}")
        material = matching[0]
        if material.status is not MaterialStatus.RELEASED:
            raise RuleViolation(
                f"{step.title}: lot {lot} of {material.ingredient} is {_in_status(material.status)}; only a "
                "lot QA has released may be used"
            )
        if material.expiry < bf.batch.compounding_date:
            raise RuleViolation(
                f"{step.title}: lot {lot} expired {material.expiry.isoformat()}, before compounding "
                f"on {bf.batch.compounding_date.isoformat()}"
            )
        if code and code.expiry and code.expiry != material.expiry:
            raise RuleViolation(
                f"{step.title}: the scanned expiry {code.expiry.isoformat()} differs from the received "
                f"lot's {material.expiry.isoformat()}: check the container"
            )
        declared = [c for c in bf.batch.component_lots if c.component.lower() in names]
        if declared and material.lot not in {c.lot for c in declared}:
            started = ", ".join(c.lot for c in declared)
            raise RuleViolation(
                f"{step.title}: lot {material.lot} is not the {material.ingredient} lot this batch was started "
                f"with ({started}); use that lot"
            )
        return checks.Evaluated(
            f"{material.ingredient} lot {material.lot} (exp {material.expiry.isoformat()}, {material.manufacturer})",
            None,
            "",
            True,
            "received, released, unexpired",
        )

    def _check_hold_times(
        self, conn: Connection, who: Acting, batch_id: int, mr: MasterRecord, step: ProcessStep, entry: StepEntry
    ) -> None:
        holds = mr.limits.hold_times
        limits = {holds.filtration_step: holds.to_filtration_minutes, holds.fill_end_step: holds.to_end_of_fill_minutes}
        limit = limits.get(step.id)
        if limit is None:
            return
        starts = [
            e for e in ExecutionRepository(conn).entries(batch_id) if e.step_id == holds.start_step and not e.superseded
        ]
        if not starts:
            return
        start = datetime.fromisoformat(starts[-1].value)
        end = datetime.fromisoformat(entry.value)
        minutes = (end - start).total_seconds() / 60
        if minutes > limit:
            self._open(
                conn,
                who,
                batch_id,
                DeviationKind.HOLD_TIME,
                f"{step.title} {minutes:.0f} minutes after the end of compounding; the master record allows "
                f"{limit} minutes (211.111)",
                f"entry {entry.id}",
            )

    def _check_yield(
        self, conn: Connection, who: Acting, batch_id: int, mr: MasterRecord, comp: BatchComputation
    ) -> None:
        status = self._status(conn, batch_id)
        if status.accepted is None or status.yield_ok is not False:
            return
        if any(d.kind is DeviationKind.YIELD and d.status is DeviationStatus.OPEN for d in status.deviations):
            return
        self._open(
            conn,
            who,
            batch_id,
            DeviationKind.YIELD,
            f"yield outside the master record's limits: {status.yield_text} (an investigation is required, 211.103)",
            "yield",
        )

    def verify_step(self, entry_id: int, username: str, password: str) -> StepEntry:
        """A second person's e-signature on a recorded step (two-person rule)."""
        signer = self._ctx.signer(username, password, Action.VERIFY_STEP)
        with self._db.write() as conn:
            who = self._ctx.acting(conn, signer, Action.VERIFY_STEP)
            repo = ExecutionRepository(conn)
            entry = repo.entry(entry_id)
            if entry.entered_by == who.username:
                raise RuleViolation(f"{who.username} recorded this step and cannot also verify it (two-person rule)")
            if entry.verified_by:
                raise RuleViolation(f"entry {entry_id} is already verified by {entry.verified_by}")
            if entry.superseded:
                raise RuleViolation(f"entry {entry_id} was corrected; verify the correction")
            signature = who.e_sign(
                conn,
                record_type="step",
                batch_id=entry.batch_id,
                meaning=Meaning.STEP_VERIFIED.value,
                content_sha256=_entry_hash(entry),
                status_at_signing="recorded",
                subject=f"entry:{entry_id}",
            )
            who.record(
                conn,
                "step.verified",
                "batch",
                entry.batch_id,
                new={"entry": entry_id, "step": entry.step_id},
                rows=[RowRef("signatures", signature.id)],
            )
            return repo.entry(entry_id)

    # ------------------------------------------------------------ QC

    def record_qc(
        self,
        batch_id: int,
        spec_id: str,
        result: str,
        *,
        method: str | None,
        analyst: str,
        tested_on: date,
        user: Actor,
        report_pdf: bytes | None = None,
    ) -> QcResult:
        """A release test result; pass or fail is computed against the specification; a failure opens a deviation.
        The lab report PDF is archived under its hash and linked."""
        analyst = required_reason(analyst, "the analyst")
        document_id = None
        if report_pdf is not None:
            if not report_pdf.startswith(b"%PDF-"):
                raise RuleViolation("the lab report must be a PDF file")
            document_id = self._archive_report(batch_id, report_pdf, user, spec_id)
        with self._db.write() as conn:
            who = self._ctx.acting(conn, user, Action.RECORD_QC)
            batch = BatchRepository(conn).get(batch_id)
            if batch.status not in TESTING:
                raise RuleViolation(
                    f"lot {batch.lot_number} is {batch.status.value}; QC results are recorded before release"
                )
            _, mr, comp = self._batch(conn, batch_id)
            try:
                spec = mr.spec(spec_id)
            except KeyError:
                known = ", ".join(s.id for s in mr.specifications)
                raise NotFoundError(f"no release specification {spec_id!r} (specifications: {known})") from None
            if tested_on > utc_now().date():
                raise RuleViolation(f"{spec_id}: the test date {tested_on.isoformat()} is in the future")
            evaluation = checks.qc_result(spec, optional_text(result, spec_id) or "", comp)
            qc = ExecutionRepository(conn).add_qc(
                batch_id=batch_id,
                spec_id=spec_id,
                result=result.strip(),
                numeric=evaluation.numeric,
                unit=evaluation.unit,
                method=(method or spec.method).strip(),
                analyst=analyst,
                tested_on=tested_on,
                passed=evaluation.passed,
                limit_text=evaluation.limit_text,
                report_document_id=document_id,
                entered_by=who.username,
            )
            who.record(
                conn,
                "qc.recorded",
                "batch",
                batch_id,
                new={"spec": spec_id, "result": qc.result, "passed": qc.passed},
                rows=[RowRef("qc_results", qc.id)],
            )
            if not qc.passed:
                self._open(
                    conn,
                    who,
                    batch_id,
                    DeviationKind.QC_FAILURE,
                    f"{spec.test.value} ({spec_id}): {qc.result} does not meet {evaluation.limit_text}",
                    f"qc {qc.id}",
                )
            return qc

    def _archive_report(self, batch_id: int, pdf: bytes, user: Actor, spec_id: str) -> int:
        from labelapp.services.archive import Archive

        return Archive(self._ctx).add(batch_id, "lab_report", pdf, user, f"lab report for {spec_id}").id

    # ------------------------------------------------------------ deviations

    def open_deviation(
        self, batch_id: int, kind: DeviationKind | str, description: str, user: Actor, reference: str = ""
    ) -> Deviation:
        """A deviation opened by a person (an override, an event the program cannot see)."""
        description = required_reason(description, "a description of the deviation")
        if kind not in {k.value for k in DeviationKind}:
            known = ", ".join(k.value for k in DeviationKind)
            raise RuleViolation(f"{kind!r} is not a kind of deviation; use one of: {known}")
        with self._db.write() as conn:
            who = self._ctx.acting(conn, user, Action.RECORD_STEP)
            BatchRepository(conn).get(batch_id)
            return self._open(conn, who, batch_id, DeviationKind(kind), description, reference, by_person=True)

    def _open(
        self,
        conn: Connection,
        who: Acting,
        batch_id: int,
        kind: DeviationKind,
        description: str,
        reference: str,
        by_person: bool = False,
    ) -> Deviation:
        deviation = ExecutionRepository(conn).open_deviation(
            batch_id=batch_id,
            kind=kind.value,
            description=description,
            reference=reference,
            opened_by=who.username if by_person else None,
        )
        who.record(
            conn,
            "deviation.opened",
            "batch",
            batch_id,
            new={"deviation": deviation.number, "kind": kind.value, "description": description},
            rows=[RowRef("deviations", deviation.id)],
        )
        return deviation

    def disposition(
        self,
        deviation_id: int,
        username: str,
        password: str,
        *,
        investigation: str,
        root_cause: str,
        disposition: str,
        capa: str | None = None,
    ) -> Deviation:
        """Close a deviation with its investigation, root cause, CAPA reference and disposition (e-signed, P or QA)."""
        investigation = required_reason(investigation, "the investigation")
        root_cause = required_reason(root_cause, "the root cause")
        disposition = required_reason(disposition, "the disposition")
        capa = optional_text(capa, "the CAPA reference")
        signer = self._ctx.signer(username, password, Action.DISPOSITION)
        with self._db.write() as conn:
            who = self._ctx.acting(conn, signer, Action.DISPOSITION)
            repo = ExecutionRepository(conn)
            deviation = repo.deviation(deviation_id)
            if deviation.status is DeviationStatus.CLOSED:
                raise RuleViolation(f"deviation DEV-{deviation.number} is already closed")
            signature = who.e_sign(
                conn,
                record_type="deviation",
                batch_id=deviation.batch_id,
                meaning=Meaning.DISPOSITIONED.value,
                content_sha256=_deviation_hash(deviation),
                status_at_signing="open",
                reason=disposition,
                subject=f"deviation:{deviation_id}",
            )
            repo.close_deviation(
                deviation_id,
                investigation=investigation,
                root_cause=root_cause,
                capa=capa,
                disposition=disposition,
                closed_by=who.username,
                signature_id=signature.id,
            )
            who.record(
                conn,
                "deviation.closed",
                "batch",
                deviation.batch_id,
                new={"deviation": deviation.number, "disposition": disposition, "capa": capa},
                rows=[RowRef("signatures", signature.id), RowRef("deviations", deviation_id)],
            )
            return repo.deviation(deviation_id)

    def open_for(
        self, conn: Connection, who: Acting, batch_id: int, kind: DeviationKind, description: str, reference: str
    ) -> Deviation | None:
        """Other use cases (reprint, reconciliation) open a deviation inside their own transaction;
        None for a batch executed on paper (no master record: its deviations live on the worksheet)."""
        bf = batch_files.batch_from_document(BatchRepository(conn).get(batch_id).document)
        if bf.formula.master_record is None:
            return None
        return self._open(conn, who, batch_id, kind, description, reference)

    # ------------------------------------------------------------ status and the release gate

    def status(self, batch_id: int) -> ExecutionStatus:
        with self._db.read() as conn:
            return self._status(conn, batch_id)

    def _status(self, conn: Connection, batch_id: int) -> ExecutionStatus:
        record = BatchRepository(conn).get(batch_id)
        bf = batch_files.batch_from_document(record.document)
        repo = ExecutionRepository(conn)
        deviations = repo.deviations(batch_id)
        mr = bf.formula.master_record
        if mr is None:
            blockers = [
                f"deviation DEV-{d.number} ({d.kind.value}) is open"
                for d in deviations
                if d.status is DeviationStatus.OPEN
            ]
            return ExecutionStatus(
                batch_id=batch_id, has_master_record=False, deviations=deviations, release_blockers=blockers
            )
        _, _, comp = self._batch(conn, batch_id)
        entries = [e for e in repo.entries(batch_id) if not e.superseded]
        steps = []
        for step in mr.steps:
            mine = [e for e in entries if e.step_id == step.id]
            verified = bool(mine) and all(e.verified_by for e in mine)
            steps.append(
                StepStatus(
                    step_id=step.id,
                    title=step.title,
                    kind=step.kind.value,
                    required=step.required,
                    verify=step.verify,
                    entries=mine,
                    done=bool(mine),
                    verified=verified,
                )
            )
        units = _last_number(entries, mr, StepKind.UNITS_FILLED)
        inspection = [e for e in entries if mr.step(e.step_id).kind is StepKind.INSPECTION]
        accepted = rejected = None
        if inspection:
            accepted, rejected = checks.inspection_counts(inspection[-1].value)
        fills = sum(1 for e in entries if mr.step(e.step_id).kind is StepKind.FILL_CHECK)
        needed = (
            checks.fill_checks_needed(units or 0, mr.limits.fill_check_every_units)
            if any(s.kind is StepKind.FILL_CHECK for s in mr.steps)
            else 0
        )
        yield_text, yield_ok = "", None
        good = accepted if accepted is not None else units
        if good is not None:
            check = checks.yield_check(good, comp.theoretical_yield_units, mr)
            yield_text, yield_ok = check.text, check.within_limits
        results = repo.qc(batch_id)
        qc = [
            QcStatus(
                spec_id=s.id,
                test=s.test.value,
                method=s.method,
                required=s.required,
                latest=next((r for r in reversed(results) if r.spec_id == s.id), None),
            )
            for s in mr.specifications
        ]
        status = ExecutionStatus(
            batch_id=batch_id,
            has_master_record=True,
            steps=steps,
            fill_checks_needed=needed,
            fill_checks_done=fills,
            units_filled=units,
            accepted=accepted,
            rejected=rejected,
            yield_text=yield_text,
            yield_ok=yield_ok,
            qc=qc,
            deviations=deviations,
        )
        return status.model_copy(update={"release_blockers": _blockers(status)})

    def record_missing_steps(self, conn: Connection, who: Acting, batch_id: int) -> None:
        """When a batch is signed as performed: each required step never recorded opens a deviation."""
        status = self._status(conn, batch_id)
        if not status.has_master_record:
            return
        already = {d.reference for d in status.deviations if d.kind is DeviationKind.MISSING_STEP}
        for step in status.steps:
            if step.required and not step.done and f"step {step.step_id}" not in already:
                self._open(
                    conn,
                    who,
                    batch_id,
                    DeviationKind.MISSING_STEP,
                    f"{step.title} was not recorded before the batch was signed as performed",
                    f"step {step.step_id}",
                )
        if status.fill_checks_done < status.fill_checks_needed and "fill checks" not in already:
            self._open(
                conn,
                who,
                batch_id,
                DeviationKind.MISSING_STEP,
                f"{status.fill_checks_done} fill checks recorded; the master record's frequency needs "
                f"{status.fill_checks_needed} for {status.units_filled} units",
                "fill checks",
            )

    def release_blockers(self, conn: Connection, batch_id: int) -> list[str]:
        return self._status(conn, batch_id).release_blockers

    # ------------------------------------------------------------ received component lots

    def receive_material(
        self,
        *,
        ingredient: str,
        lot: str,
        manufacturer: str,
        expiry: date,
        user: Actor,
        gtin: str | None = None,
        potency_percent: Decimal | None = None,
    ) -> MaterialLot:
        """A received lot, in quarantine until QA releases it. ``ingredient`` must be known to the register."""
        with self._db.write() as conn:
            who = self._ctx.acting(conn, user, Action.RECEIVE_MATERIAL)
            table = batch_files.ingredient_table(IngredientRepository(conn).list())
            name = table.get(ingredient).name
            lot = required_reason(lot, "the lot number")
            material = ExecutionRepository(conn).add_material(
                ingredient=name,
                lot=lot,
                gtin=gtin,
                manufacturer=required_reason(manufacturer, "the manufacturer"),
                expiry=expiry,
                potency_percent=potency_percent,
                received_by=who.username,
            )
            who.record(
                conn,
                "material.received",
                "material",
                material.id,
                new={"ingredient": name, "lot": lot, "expiry": expiry},
                rows=[RowRef("material_lots", material.id)],
            )
            return material

    def release_material(
        self, material_id: int, username: str, password: str, status: MaterialStatus = MaterialStatus.RELEASED
    ) -> MaterialLot:
        """QA releases (or rejects) a received lot, with an e-signature."""
        if status is MaterialStatus.QUARANTINE:
            raise RuleViolation("a lot is released or rejected, not put back in quarantine")
        signer = self._ctx.signer(username, password, Action.RELEASE_MATERIAL)
        with self._db.write() as conn:
            who = self._ctx.acting(conn, signer, Action.RELEASE_MATERIAL)
            repo = ExecutionRepository(conn)
            material = repo.material(material_id)
            if material.status is not MaterialStatus.QUARANTINE:
                raise RuleViolation(f"lot {material.lot} is already {material.status.value}")
            signature = who.e_sign(
                conn,
                record_type="material",
                meaning=Meaning.MATERIAL_RELEASED.value,
                content_sha256=_material_hash(material),
                status_at_signing=status.value,
                subject=f"material:{material_id}",
            )
            repo.set_material_status(material_id, status, who.username, utc_now())
            who.record(
                conn,
                "material.released" if status is MaterialStatus.RELEASED else "material.rejected",
                "material",
                material_id,
                new={"status": status.value},
                rows=[RowRef("signatures", signature.id), RowRef("material_lots", material_id)],
            )
            return repo.material(material_id)

    def materials(self) -> list[MaterialLot]:
        with self._db.read() as conn:
            return ExecutionRepository(conn).materials()

    def entries(self, batch_id: int) -> list[StepEntry]:
        with self._db.read() as conn:
            return ExecutionRepository(conn).entries(batch_id)


def _in_status(status: MaterialStatus) -> str:
    return "in quarantine" if status is MaterialStatus.QUARANTINE else status.value


def _last_number(entries: list[StepEntry], mr: MasterRecord, kind: StepKind) -> int | None:
    found = [e for e in entries if mr.step(e.step_id).kind is kind and e.numeric is not None]
    return int(found[-1].numeric) if found and found[-1].numeric is not None else None


def _blockers(status: ExecutionStatus) -> list[str]:
    out = []
    for step in status.steps:
        if step.required and not step.done:
            out.append(f"step '{step.title}' is not recorded")
        elif step.verify and step.done and not step.verified:
            out.append(f"step '{step.title}' is not verified by a second person")
    if status.fill_checks_done < status.fill_checks_needed:
        out.append(f"{status.fill_checks_done} of {status.fill_checks_needed} fill checks recorded")
    failed_dispositioned = {
        d.reference
        for d in status.deviations
        if d.kind is DeviationKind.QC_FAILURE and d.status is DeviationStatus.CLOSED
    }
    for qc in status.qc:
        if qc.latest is None:
            if qc.required:
                out.append(f"no {qc.test} result ({qc.spec_id})")
        elif not qc.latest.passed and f"qc {qc.latest.id}" not in failed_dispositioned:
            out.append(f"{qc.test} ({qc.spec_id}) failed: {qc.latest.result}")
    for d in status.deviations:
        if d.status is DeviationStatus.OPEN:
            out.append(f"deviation DEV-{d.number} ({d.kind.value}) is open: {d.description[:80]}")
    return out


def signed_content(conn: Connection, batch_id: int) -> dict[str, str]:
    """The current content hash of each record a batch's non-batch signatures are made over, by the
    signature's subject ('entry:12', 'deviation:3'): a step verification or a disposition is checked
    against its own entry or deviation, never against the batch."""
    repo = ExecutionRepository(conn)
    found = {f"entry:{e.id}": _entry_hash(e) for e in repo.entries(batch_id)}
    found |= {f"deviation:{d.id}": _deviation_hash(d) for d in repo.deviations(batch_id)}
    return found


def _entry_hash(entry: StepEntry) -> str:
    from labelapp.store.canonical import canonical_hash

    return canonical_hash(
        {
            "step": entry.step_id,
            "value": entry.value,
            "happened_at": entry.happened_at,
            "entered_by": entry.entered_by,
            "id": entry.id,
        }
    )


def _deviation_hash(deviation: Deviation) -> str:
    from labelapp.store.canonical import canonical_hash

    return canonical_hash({"id": deviation.id, "kind": deviation.kind.value, "description": deviation.description})


def _material_hash(material: MaterialLot) -> str:
    from labelapp.store.canonical import canonical_hash

    return canonical_hash(
        {"id": material.id, "ingredient": material.ingredient, "lot": material.lot, "expiry": material.expiry}
    )
