"""The executed batch record (21 CFR 211.188, 211.192): what was done, by whom and when, and QA's review.

Page 1 is the review by exception: QA's release decision with its e-signature manifestation (or "NOT
RELEASED" and what still stands in the way), every exception (each deviation with its investigation,
root cause, CAPA, disposition and the signature that closed it) or "No exceptions", and one line per
check of the record. The pages after it are the record itself: the batch and the calculation working,
the component lots used, every step entry with its value, limit, times, author, source, correction and
verification, the fill checks and inspection, the yield, label issuance and reconciliation with its
investigation note, the QC results, the deviations in full, the label specimens, the statements with
the audit anchor, and every e-signature with its meaning (11.50).

Everything printed from the register is plain text (escaped; what a person typed never becomes markup)
and wraps in its cell. The blank paper worksheet (``document.render_worksheet``) stays for formulas
without a master record. docs/domain.md §5, §6.3.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from labelapp.calc.format import fmt_number
from labelapp.domain.batch import BatchFile
from labelapp.domain.execution import (
    Deviation,
    DeviationKind,
    DeviationStatus,
    EntrySource,
    ExecutionStatus,
    QcResult,
    StepEntry,
)
from labelapp.domain.mfr import MasterRecord, ProcessStep, ReleaseSpec, StepKind
from labelapp.domain.records import BatchDetail, SignatureRecord
from labelapp.domain.results import BatchComputation
from labelapp.render.label.run import RunPlan
from labelapp.render.worksheet import sections as sec
from labelapp.render.worksheet.document import build_record, specimens
from labelapp.render.worksheet.inputs import acknowledgement_manifestations
from labelapp.render.worksheet.style import data, grid_table, p

if TYPE_CHECKING:
    from reportlab.platypus import Flowable, Paragraph, Table

    from labelapp.render.worksheet.style import Cell

TITLE = "EXECUTED BATCH PRODUCTION AND CONTROL RECORD"
WIDTH = sec.WIDTH
NONE = "\u2014"  # an em dash: nothing applies here (never a blank box in an executed record)
FINAL_MEANINGS = ("released", "rejected", "voided")
STEP_KINDS = frozenset(
    {
        DeviationKind.OUT_OF_LIMIT,
        DeviationKind.LATE_ENTRY,
        DeviationKind.CORRECTION,
        DeviationKind.OVERRIDE,
        DeviationKind.HOLD_TIME,
        DeviationKind.MISSING_STEP,
    }
)


@dataclass(frozen=True)
class ExecutedRecord:
    """Everything the executed record prints, read from the register in one snapshot.

    ``entries`` are all step entries, corrected ones included; ``qc_results`` every result, retests
    included; ``not_released`` says in words what stands between the batch and release (empty once
    released, rejected or voided); ``people`` maps each user name to "Full Name (role)"."""

    detail: BatchDetail
    execution: ExecutionStatus
    entries: Sequence[StepEntry]
    qc_results: Sequence[QcResult]
    not_released: Sequence[str] = ()
    people: Mapping[str, str] = field(default_factory=dict)
    audit_anchor: tuple[int, str] | None = None


def utc(moment: datetime | None) -> str:
    """'2026-01-15 09:40' (UTC; the column or the sentence says so)."""
    if moment is None:
        return NONE
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


class _Record:
    """The record's data with the look-ups every section needs."""

    def __init__(self, bf: BatchFile, comp: BatchComputation, rec: ExecutedRecord):
        if bf.formula.master_record is None:
            raise ValueError("the executed record needs a formula with a master record")
        self.bf, self.comp, self.rec = bf, comp, rec
        self.mr: MasterRecord = bf.formula.master_record
        self.status = rec.execution
        self.entries = sorted(rec.entries, key=lambda e: e.id)
        self.by_id = {e.id: e for e in self.entries}
        self.correction_of = {e.corrects_id: e for e in self.entries if e.corrects_id is not None}
        self.signatures = list(rec.detail.signatures)
        self.signature_by_id = {s.id: s for s in self.signatures}
        self.signature_by_subject = {s.subject: s for s in self.signatures if s.subject}
        self.documents = {d.id: d.sha256 for d in rec.detail.documents}
        self.deviations = sorted(self.status.deviations, key=lambda d: d.number)
        self.devs_by_ref: dict[str, list[Deviation]] = {}
        for d in self.deviations:
            for ref in _references(d.reference):
                self.devs_by_ref.setdefault(ref, []).append(d)
        self.qc_results = sorted(rec.qc_results, key=lambda r: r.id)

    # ------------------------------------------------------------ look-ups

    def step(self, step_id: str) -> ProcessStep | None:
        try:
            return self.mr.step(step_id)
        except KeyError:
            return None

    def spec(self, spec_id: str) -> ReleaseSpec | None:
        try:
            return self.mr.spec(spec_id)
        except KeyError:
            return None

    def who(self, username: str | None) -> str:
        if not username:
            return NONE
        known = self.rec.people.get(username)
        return f"{known.rsplit(' (', 1)[0]} ({username})" if known else username

    def current(self, kind: StepKind) -> list[StepEntry]:
        return [e for e in self.entries if not e.superseded and (s := self.step(e.step_id)) and s.kind is kind]

    def devs(self, *refs: str) -> list[Deviation]:
        found: dict[int, Deviation] = {}
        for ref in refs:
            for d in self.devs_by_ref.get(ref, []):
                found[d.number] = d
        return [found[n] for n in sorted(found)]

    def final_signature(self) -> SignatureRecord | None:
        final = [s for s in self.signatures if s.record_type == "batch" and s.meaning.value in FINAL_MEANINGS]
        return final[-1] if final else None

    def batch_signature(self, meaning: str) -> SignatureRecord | None:
        found = [s for s in self.signatures if s.record_type == "batch" and s.meaning.value == meaning]
        return found[-1] if found else None

    def reference_text(self, reference: str) -> str:
        """What a deviation's reference points at, in words ('entry 5: Glycine weighed 169.79 g')."""
        parts = []
        for ref in _references(reference):
            kind, _, key = ref.partition(" ")
            if kind == "entry" and key.isdigit() and int(key) in self.by_id:
                e = self.by_id[int(key)]
                step = self.step(e.step_id)
                parts.append(f"entry {e.id}: {step.title if step else e.step_id}: {self.value_text(e)}")
            elif kind == "qc" and key.isdigit():
                result = next((r for r in self.qc_results if r.id == int(key)), None)
                if result is not None:
                    parts.append(f"QC result {result.id}: {result.spec_id} {_qc_value(result)}")
            elif kind == "step":
                step = self.step(key)
                parts.append(f"step {step.title if step else key}")
        return "; ".join(parts) or reference or NONE

    def value_text(self, e: StepEntry) -> str:
        step = self.step(e.step_id)
        kind = step.kind if step else None
        if kind is StepKind.INSPECTION:
            accepted, defects = inspection(e.value)
            rejected = sum(defects.values())
            by_defect = ", ".join(f"{name} {n}" for name, n in defects.items())
            return f"accepted {accepted}; rejected {rejected}" + (f" ({by_defect})" if by_defect else "")
        if kind is StepKind.TIME:
            try:
                return f"{utc(datetime.fromisoformat(e.value))} UTC"
            except ValueError:
                return e.value
        if e.unit == "pH":
            return f"pH {e.value}"
        if e.unit and not e.value.endswith(e.unit):
            return f"{e.value} {e.unit}"
        return e.value


def _references(reference: str) -> list[str]:
    """'entry 4 -> 9' is about entries 4 and 9; anything else is one reference."""
    text = reference.strip()
    if text.startswith("entry ") and "->" in text:
        return [f"entry {n.strip()}" for n in text[len("entry ") :].split("->") if n.strip()]
    return [text] if text else []


def inspection(value: str) -> tuple[int, dict[str, int]]:
    """(accepted, {defect: rejected}) of a stored inspection entry."""
    try:
        parsed = json.loads(value)
        return int(parsed["accepted"]), {str(k): int(v) for k, v in sorted(parsed["rejected"].items())}
    except (ValueError, KeyError, TypeError, AttributeError):
        return 0, {}


def _qc_value(r: QcResult) -> str:
    return f"{r.result} {r.unit}".strip() if r.unit and not r.result.endswith(r.unit) else r.result


def _dev_numbers(devs: Sequence[Deviation]) -> str:
    return ", ".join(f"DEV-{d.number}" for d in devs)


def _table(
    rows: Sequence[list[Cell]], widths: Sequence[float], header_rows: int = 1, spans: Sequence[int] = ()
) -> Table:
    """A ruled table whose rows listed in ``spans`` are one cell from the second column to the last."""
    table = grid_table(rows, widths, header_rows=header_rows)
    if spans:
        table.setStyle([("SPAN", (1, row), (-1, row)) for row in spans])
    return table


def _kv(rows: Sequence[tuple[str, Cell]], key_width: float = 150) -> Table:
    return grid_table([[p(k, "cellbold"), v] for k, v in rows], [key_width, WIDTH - key_width], header_rows=0)


# ------------------------------------------------------------------------ page 1


def review(r: _Record) -> list[Flowable]:
    """Page 1: the decision, the exceptions, and every check in one line."""
    out: list[Flowable] = [
        p("Review by exception (21 CFR 211.192)", "h1"),
        p(
            "QA's release decision and signature, every exception with its disposition, and a line for each "
            "check of the record. The executed record follows from page 2.",
            "small",
        ),
        *decision(r),
        sec.heading(f"Exceptions ({len(r.deviations)})" if r.deviations else "Exceptions"),
        *exceptions(r),
        sec.heading("Checks of the record"),
        checks(r),
    ]
    return out


def decision(r: _Record) -> list[Flowable]:
    status = r.rec.detail.batch.status.value
    final = r.final_signature()
    rows: list[tuple[str, Cell]] = []
    if status in FINAL_MEANINGS and final is not None:
        rows.append(("QA release decision" if status == "released" else "Decision", p(status.upper(), "decision")))
        if final.reason:
            rows.append(("Reason", data(final.reason)))
        rows += signature_rows(r, final)
        still_open = [d for d in r.deviations if d.status is DeviationStatus.OPEN]
        if still_open:
            rows.append(
                (
                    f"Open since the batch was {status}",
                    [data(f"\u2022 deviation DEV-{d.number} ({d.kind.value}): see Exceptions") for d in still_open],
                )
            )
    else:
        blockers = list(r.rec.not_released) or ["nothing else stands in the way: the batch awaits QA's decision"]
        what = f"{len(blockers)} release blocker" + ("s" if len(blockers) > 1 else "") if r.rec.not_released else ""
        rows.append(
            (
                "QA release decision",
                [
                    p(f"NOT RELEASED: {what or 'awaiting QA'}", "decision"),
                    data(f"Batch status: {status}. This printout is not a release record."),
                ],
            )
        )
        rows.append(("Release blockers", [data(f"\u2022 {b}") for b in blockers]))
        rows.append(("QA e-signature", p("none: QA has not released or rejected this batch", "cellbold")))
    return [_kv(rows)]


def signature_rows(r: _Record, sig: SignatureRecord) -> list[tuple[str, Cell]]:
    """The 11.50 manifestation, one component a line: printed name, date and time, meaning."""
    return [
        ("Signed by (printed name)", data(f"{sig.printed_name} (user name {sig.username}), {role(sig.role.value)}")),
        ("Date and time", data(f"{utc(sig.signed_at)} UTC")),
        ("Meaning", data(_meaning(sig))),
    ]


def _meaning(sig: SignatureRecord) -> str:
    words = {
        "released": "released: QA reviewed this record and approves the batch for distribution",
        "rejected": "rejected: the batch may not be distributed",
        "voided": "voided: the batch is void and may not be distributed",
        "performed": "performed: the batch was compounded as recorded",
        "verified": "verified: a pharmacist checked the compounding and the record",
        "step-verified": "step verified by a second person",
        "dispositioned": "deviation investigated and dispositioned",
    }
    return words.get(sig.meaning.value, sig.meaning.value)


def role(value: str) -> str:
    return {"qa": "QA"}.get(value, value)


def manifestation(sig: SignatureRecord, with_reason: bool = True) -> str:
    """11.50 in one line: 'Quinn Quality (qa), QA, released, 2026-01-15 10:02 UTC'."""
    reason = f" ({sig.reason})" if sig.reason and with_reason else ""
    return (
        f"{sig.printed_name} ({sig.username}), {role(sig.role.value)}, {sig.meaning.value}{reason}, "
        f"{utc(sig.signed_at)} UTC"
    )


def exceptions(r: _Record) -> list[Flowable]:
    if not r.deviations:
        return [
            p("No exceptions", "big"),
            p(
                "No deviation was opened on this batch. The program opens one on every value outside its limit, "
                "late entry, correction, exceeded hold time, reprint, reconciliation outside its limit, missing "
                "step, yield outside its limits and failed QC result; a person opens one on any other event.",
                "small",
            ),
        ]
    head = ["Deviation", "What happened", "Investigation, root cause, CAPA", "Disposition and e-signature"]
    rows: list[list[Cell]] = [[p(h, "cellbold") for h in head]]
    for d in r.deviations:
        rows.append(
            [
                [p(f"DEV-{d.number}", "cellbold"), data(d.kind.value), p(d.status.value.upper(), "cellbold")],
                [
                    data(d.description),
                    data(f"About: {r.reference_text(d.reference)}", "small"),
                    data(f"Opened by {_opener(r, d)}, {utc(d.opened_at)} UTC", "small"),
                ],
                [
                    data(f"Investigation: {d.investigation or 'not yet entered'}"),
                    data(f"Root cause: {d.root_cause or 'not yet entered'}"),
                    data(f"CAPA: {d.capa or 'none'}"),
                ],
                _closure(r, d),
            ]
        )
    return [grid_table(rows, [52, 190, 142, WIDTH - 384])]


def _opener(r: _Record, d: Deviation) -> str:
    return r.who(d.opened_by) if d.opened_by else "the program (on the exception)"


def _closure(r: _Record, d: Deviation) -> list[Paragraph]:
    if d.status is DeviationStatus.OPEN:
        return [p("OPEN: not dispositioned; it blocks release", "cellbold")]
    out = [data(f"Disposition: {d.disposition or NONE}")]
    sig = r.signature_by_id.get(d.signature_id) if d.signature_id is not None else None
    if sig is not None:
        out.append(data(f"E-signed: {manifestation(sig, with_reason=False)}"))
    else:
        out.append(data(f"Closed by {r.who(d.closed_by)}, {utc(d.closed_at)} UTC (no signature found)"))
    return out


def checks(r: _Record) -> Table:
    s = r.status
    steps_required = [x for x in s.steps if x.required]
    recorded = sum(1 for x in steps_required if x.done)
    to_verify = [x for x in s.steps if x.verify and x.done]
    step_devs = [d for d in r.deviations if d.kind in STEP_KINDS and _area(r, d) == "steps"]
    fill_devs = [d for d in r.deviations if _area(r, d) == "fill"]
    yield_devs = [d for d in r.deviations if d.kind is DeviationKind.YIELD]
    label_devs = [d for d in r.deviations if d.kind in (DeviationKind.RECONCILIATION, DeviationKind.REPRINT)]
    qc_devs = [d for d in r.deviations if d.kind is DeviationKind.QC_FAILURE]
    latest = [q.latest for q in s.qc if q.latest is not None]
    passed = sum(1 for q in latest if q.passed)
    failed = [q for q in s.qc if q.latest is not None and not q.latest.passed]
    missing_qc = [q for q in s.qc if q.latest is None and q.required]
    recon = r.rec.detail.reconciliation
    closed = sum(1 for d in r.deviations if d.status is DeviationStatus.CLOSED)
    still_open = [d for d in r.deviations if d.status is DeviationStatus.OPEN]

    def verdict(devs: Sequence[Deviation], incomplete: bool = False) -> Cell:
        if devs:
            return p(f"EXCEPTION: {_dev_numbers(devs)}", "cellbold")
        return p("INCOMPLETE", "cellbold") if incomplete else p("OK", "cell")

    qc_text = f"{len(latest)} of {len(s.qc)} specifications tested: {passed} PASS"
    if failed:
        qc_text += ", " + ", ".join(f"{q.spec_id} FAIL" for q in failed)
    if missing_qc:
        qc_text += "; no result: " + ", ".join(q.spec_id for q in missing_qc)
    if recon.latest is None:
        recon_text = f"{recon.labels_issued} labels issued; no reconciliation recorded"
    else:
        accounted = recon.latest.applied + recon.latest.specimens + recon.latest.destroyed + recon.latest.returned
        recon_text = (
            f"{recon.labels_issued} issued, {accounted} accounted for, difference "
            f"{recon.labels_issued - accounted} (limit {recon.limit})"
        )
        if recon.latest.investigation_note:
            recon_text += f"; note: {recon.latest.investigation_note}"
    accepted_text = (
        f"{s.accepted} accepted, {s.rejected} rejected of {s.units_filled} filled"
        if s.accepted is not None
        else "not recorded"
    )
    rows: list[list[Cell]] = [[p(h, "cellbold") for h in ("Check", "As executed", "Review")]]
    rows += [
        [
            p("Process steps", "cell"),
            data(f"{recorded} of {len(steps_required)} required steps recorded; {len(r.entries)} entries"),
            verdict(step_devs, recorded < len(steps_required)),
        ],
        [
            p("Second-person verification", "cell"),
            data(f"{sum(1 for x in to_verify if x.verified)} of {len(to_verify)} recorded steps that need it"),
            verdict([], any(not x.verified for x in to_verify)),
        ],
        [
            p("Fill checks", "cell"),
            data(f"{s.fill_checks_done} recorded, {s.fill_checks_needed} required"),
            verdict(fill_devs, s.fill_checks_done < s.fill_checks_needed),
        ],
        [p("100% visual inspection", "cell"), data(accepted_text), verdict([], s.accepted is None)],
        [
            p("Yield", "cell"),
            data(s.yield_text or "not computed: no units recorded"),
            verdict(yield_devs, not s.yield_text),
        ],
        [p("Label reconciliation", "cell"), data(recon_text), verdict(label_devs, recon.latest is None)],
        [p("QC release tests", "cell"), data(qc_text), verdict(qc_devs, bool(missing_qc))],
        [
            p("Deviations", "cell"),
            data(f"{len(r.deviations)} opened, {closed} closed" if r.deviations else "none opened"),
            p(f"OPEN: {_dev_numbers(still_open)}", "cellbold") if still_open else p("OK", "cell"),
        ],
    ]
    for meaning, what in (("performed", "Performed"), ("verified", "Verified (pharmacist)")):
        sig = r.batch_signature(meaning)
        rows.append(
            [
                p(what, "cell"),
                data(manifestation(sig)) if sig else p("not signed", "cellbold"),
                p("OK", "cell") if sig else p("INCOMPLETE", "cellbold"),
            ]
        )
    return grid_table(rows, [130, WIDTH - 130 - 110, 110])


def _area(r: _Record, d: Deviation) -> str:
    """Which check of page 1 a deviation belongs to: 'fill', 'steps' or ''."""
    if d.reference == "fill checks":
        return "fill"
    for ref in _references(d.reference):
        kind, _, key = ref.partition(" ")
        if kind == "entry" and key.isdigit() and int(key) in r.by_id:
            step = r.step(r.by_id[int(key)].step_id)
            return "fill" if step is not None and step.kind is StepKind.FILL_CHECK else "steps"
        if kind == "step":
            return "steps"
    return "steps" if d.kind in STEP_KINDS else ""


# ------------------------------------------------------------------------ the executed record


def components(r: _Record) -> list[Flowable]:
    head = [
        "Component (form weighed)",
        "Theoretical",
        "Lot used (entry)",
        "Weighed (entry)",
        "Limit, result",
        "Weighed by, at (UTC)",
        "Verified by, at (UTC)",
    ]
    rows: list[list[Cell]] = [[p(h, "cellbold") for h in head]]
    notes: list[Flowable] = []
    for line in r.comp.amounts:
        names = {line.component.lower(), line.supplied_form.lower()}
        lot_steps = [s for s in r.mr.steps if s.kind is StepKind.COMPONENT and (s.component or "").lower() in names]
        weigh_steps = [s for s in r.mr.steps if s.kind is StepKind.WEIGHT and (s.component or "").lower() in names]
        lots = [e for e in r.entries if not e.superseded and e.step_id in {s.id for s in lot_steps}]
        weights = [e for e in r.entries if not e.superseded and e.step_id in {s.id for s in weigh_steps}]
        if lots:
            lot_cell: Cell = [data(f"{e.value} (entry {e.id})") for e in lots]
        elif lot_steps:
            lot_cell = p("NOT RECORDED", "cellbold")
        else:
            lot_cell = data(f"no lot step in the master record; batch file: {line.lot or NONE}")
        if weights:
            weighed: Cell = [data(f"{r.value_text(e)} (entry {e.id})") for e in weights]
            limit: Cell = [_limit_paragraph(r, e) for e in weights]
            by: Cell = [data(f"{e.entered_by}, {utc(e.entered_at)}") for e in weights]
            verified: Cell = [_verified(r, e, weigh_steps[0]) for e in weights]
        else:
            weighed = p("NOT RECORDED", "cellbold") if weigh_steps else data("q.s. (no weighing step)")
            limit = by = verified = data(NONE)
        rows.append(
            [
                data(f"{line.supplied_form} ({line.role})"),
                data(line.theoretical_text),
                lot_cell,
                weighed,
                limit,
                by,
                verified,
            ]
        )
        if line.lot and lots and not any(line.lot in e.value for e in lots):
            notes.append(
                data(
                    f"{line.supplied_form}: the batch file names lot {line.lot} (its potency is the one in the "
                    f"calculation); the lot recorded at the component step differs.",
                    "warn",
                )
            )
    return [
        sec.heading("3. Components and the lots used (211.188(b)(3), 211.101)"),
        grid_table(rows, [82, 62, 108, 62, 74, 66, WIDTH - 454]),
        *notes,
    ]


def _limit_paragraph(r: _Record, e: StepEntry) -> Paragraph:
    """The limit and the result against it, with the deviations about this entry (a late entry is shown
    with the entry time, a correction under the corrected entry)."""
    limit = e.limit_text or "no limit"
    if e.within_limits is True:
        result = "in limit"
    elif e.within_limits is False:
        result = "OUT OF LIMIT"
    else:
        result = ""
    devs = [d for d in r.devs(f"entry {e.id}") if d.kind not in (DeviationKind.LATE_ENTRY, DeviationKind.CORRECTION)]
    text = limit + (f": {result}" if result else "") + (f" ({_dev_numbers(devs)})" if devs else "")
    return data(text, "cellbold" if e.within_limits is False or devs else "cell")


def _verified(r: _Record, e: StepEntry, step: ProcessStep | None) -> Paragraph:
    if e.verified_by:
        sig = r.signature_by_subject.get(f"entry:{e.id}")
        when = sig.signed_at if sig is not None else e.verified_at
        return data(f"{e.verified_by}, {utc(when)} (e-signed)")
    if e.superseded:
        return data(NONE)
    if step is not None and step.verify:
        return p("NOT VERIFIED", "cellbold")
    return data("not required")


def _source(e: StepEntry) -> str:
    if e.source is EntrySource.BALANCE:
        return f"balance {e.instrument}" if e.instrument else "balance"
    if e.source is EntrySource.SCANNED:
        return "scanned (GS1)"
    return e.source.value + (f", {e.instrument}" if e.instrument else "")


def steps(r: _Record) -> list[Flowable]:
    head = [
        "Entry",
        "Step",
        "Value",
        "Limit, result",
        "Happened (UTC)",
        "Entered (UTC), by",
        "Source",
        "Verified by (UTC)",
    ]
    rows: list[list[Cell]] = [[p(h, "cellbold") for h in head]]
    spans: list[int] = []
    for number, step in enumerate(r.mr.steps, 1):
        mine = [e for e in r.entries if e.step_id == step.id]
        title: list[Paragraph] = [data(f"{number}. {step.title}")]
        if step.instructions:
            title.append(data(step.instructions, "small"))
        if not mine:
            missing = r.devs(f"step {step.id}")
            what = "NOT RECORDED" + (f" ({_dev_numbers(missing)})" if missing else "")
            rows.append(
                [
                    data(NONE),
                    title,
                    p(what if step.required else "not recorded (optional step)", "cellbold"),
                    data(step.limits.text() if step.limits else NONE),
                    data(NONE),
                    data(NONE),
                    data(NONE),
                    data(NONE),
                ]
            )
            continue
        for e in mine:
            value: list[Paragraph] = [data(r.value_text(e), struck=e.superseded)]
            if e.corrects_id is not None:
                value.append(data(f"corrects entry {e.corrects_id}", "small"))
            late = [d for d in r.devs(f"entry {e.id}") if d.kind is DeviationKind.LATE_ENTRY]
            entered = [data(f"{utc(e.entered_at)} {e.entered_by}")]
            if late:
                entered.append(p(f"LATE ENTRY ({_dev_numbers(late)})", "cellbold"))
            rows.append(
                [
                    data(str(e.id)),
                    title if e is mine[0] else data(f"{number}. {step.title} (again)"),
                    value,
                    _limit_paragraph(r, e),
                    data(utc(e.happened_at)),
                    entered,
                    data(_source(e)),
                    _verified(r, e, step),
                ]
            )
            if e.superseded:
                newer = r.correction_of.get(e.id)
                if newer is not None:
                    devs = [d for d in r.devs(f"entry {e.id}") if d.kind is DeviationKind.CORRECTION]
                    note = (
                        f"Corrected by entry {newer.id} ({newer.entered_by}, {utc(newer.entered_at)} UTC): "
                        f"{newer.reason or 'no reason recorded'}" + (f" ({_dev_numbers(devs)})" if devs else "")
                    )
                else:
                    note = "Superseded (corrected)"
                rows.append([data(""), data(note), "", "", "", "", "", ""])
                spans.append(len(rows) - 1)
    table = _table(rows, [30, 86, 84, 90, 50, 62, 52, WIDTH - 454], spans=spans)
    return [
        sec.heading("4. Process steps as executed (211.188(b)(11))"),
        p(
            "Every entry as recorded, in master-record order. A corrected value is struck through and stays "
            "legible; the line under it names the correcting entry and its reason. Times are UTC.",
            "small",
        ),
        table,
    ]


def filling(r: _Record) -> list[Flowable]:
    s = r.status
    fills = r.current(StepKind.FILL_CHECK)
    every = r.mr.limits.fill_check_every_units
    rows: list[list[Cell]] = [
        [p(h, "cellbold") for h in ("Entry", "Happened (UTC)", "Fill", "Limit, result", "Entered by")]
    ]
    for e in fills:
        rows.append(
            [
                data(str(e.id)),
                data(utc(e.happened_at)),
                data(r.value_text(e)),
                _limit_paragraph(r, e),
                data(e.entered_by),
            ]
        )
    if not fills:
        rows.append([data(NONE), data(NONE), p("NO FILL CHECK RECORDED", "cellbold"), data(NONE), data(NONE)])
    out: list[Flowable] = [
        sec.heading("5. Filling, fill checks and 100% inspection"),
        data(
            f"Target fill: {sec.fill_text(r.bf)}. Fill checks: {s.fill_checks_done} recorded, "
            f"{s.fill_checks_needed} required (one at the start, then one per {every} units, for "
            f"{s.units_filled if s.units_filled is not None else NONE} units filled).",
            "small",
        ),
        grid_table(rows, [40, 90, 120, 170, WIDTH - 420]),
    ]
    inspected = r.current(StepKind.INSPECTION)
    units = r.current(StepKind.UNITS_FILLED)
    kv: list[tuple[str, Cell]] = []
    if inspected:
        e = inspected[-1]
        accepted, defects = inspection(e.value)
        kv.append(("Accepted", data(f"{accepted} (entry {e.id}, {e.entered_by}, {utc(e.entered_at)} UTC)")))
        kv.append(("Rejected", data(str(sum(defects.values())))))
        kv += [(f"Rejected: {name}", data(str(n))) for name, n in defects.items()]
    else:
        kv.append(("Inspection", p("NOT RECORDED", "cellbold")))
    if units:
        e = units[-1]
        kv.append(("Units filled", data(f"{e.value} (entry {e.id}, {e.entered_by}, {utc(e.entered_at)} UTC)")))
    else:
        kv.append(("Units filled", p("NOT RECORDED", "cellbold")))
    if s.accepted is not None and s.rejected is not None and s.units_filled is not None:
        total = s.accepted + s.rejected
        agrees = "agrees" if total == s.units_filled else f"DIFFERS by {s.units_filled - total}"
        kv.append(
            (
                "Check: accepted + rejected = filled",
                data(f"{s.accepted} + {s.rejected} = {total}; filled {s.units_filled}: {agrees}"),
            )
        )
    out += [sec.heading("100% visual inspection (USP <790>)"), _kv(kv, 170)]
    return out


def yield_section(r: _Record) -> list[Flowable]:
    s, limits = r.status, r.mr.yield_limits
    devs = [d for d in r.deviations if d.kind is DeviationKind.YIELD]
    if s.yield_ok is True:
        verdict: Cell = data("within the master record's limits")
    elif s.yield_ok is False:
        verdict = data(
            f"OUTSIDE THE LIMITS: investigation required ({_dev_numbers(devs) or 'no deviation found'})", "cellbold"
        )
    else:
        verdict = p("NOT COMPUTED: no inspection or units filled recorded", "cellbold")
    rows: list[tuple[str, Cell]] = [
        (
            "Theoretical yield",
            data(f"{r.comp.theoretical_yield_units} units (the batch volume allows {r.comp.max_fills} fills)"),
        ),
        ("Units filled", data(str(s.units_filled) if s.units_filled is not None else NONE)),
        ("Units accepted after inspection", data(str(s.accepted) if s.accepted is not None else NONE)),
        ("% of theoretical = accepted / theoretical x 100", data(s.yield_text or NONE)),
        (
            "Limits (master record, 211.186(b)(7))",
            data(f"{fmt_number(limits.low_percent)}% to {fmt_number(limits.high_percent)}% of theoretical"),
        ),
        ("Result", verdict),
        ("Computed by", data("labelapp, from the inspection and units-filled entries above")),
    ]
    return [sec.heading("6. Yield (211.103)"), _kv(rows, 200)]


def labeling(r: _Record) -> list[Flowable]:
    from reportlab.platypus import Spacer

    detail = r.rec.detail
    recon = detail.reconciliation
    head = ["Job", "Kind", "Labels", "Stock", "Printer", "Printed (UTC), by", "Reprint of, reason", "PDF SHA-256"]
    rows: list[list[Cell]] = [[p(h, "cellbold") for h in head]]
    for job in detail.print_jobs:
        reprint = f"job {job.reprint_of}: {job.reason or NONE}" if job.is_reprint else NONE
        rows.append(
            [
                data(str(job.job_number)),
                data(job.kind),
                data(str(job.label_count)),
                data(job.stock),
                data(job.printer),
                data(f"{utc(job.printed_at)} {job.printed_by}"),
                data(reprint),
                data(job.document_sha256[:16]),
            ]
        )
    if not detail.print_jobs:
        rows.append([data(NONE), p("NO LABELS PRINTED", "cellbold"), *[data(NONE)] * 6])
    out: list[Flowable] = [
        sec.heading("7. Labeling: issuance and reconciliation (211.125)"),
        p("Label issuance: every print job, with the SHA-256 of its archived PDF.", "small"),
        grid_table(rows, [26, 58, 36, 82, 62, 74, 90, WIDTH - 428]),
    ]
    latest = recon.latest
    if latest is None:
        out.append(
            _kv([("Label reconciliation", p(f"NOT RECORDED ({recon.labels_issued} labels issued)", "cellbold"))])
        )
        return out
    accounted = latest.applied + latest.specimens + latest.destroyed + latest.returned
    difference = recon.labels_issued - accounted
    check = (
        f"{recon.labels_issued} = {accounted}: balanced"
        if difference == 0
        else f"{recon.labels_issued} vs {accounted}: DIFFERENCE of {difference} (limit {recon.limit})"
    )
    devs = r.devs(f"reconciliation {latest.id}")
    kv: list[tuple[str, Cell]] = [
        ("A  Labels issued", data(f"{recon.labels_issued}" + (f" ({_issued(r)})" if _issued(r) else ""))),
        ("B  Applied to filled units", data(str(latest.applied))),
        ("C  Specimens (batch record)", data(str(latest.specimens))),
        (
            "   QC / retain units",
            data(f"{r.bf.batch.retain_labels} planned, counted within B"),
        ),
        ("D  Destroyed (witnessed)", data(str(latest.destroyed))),
        ("E  Returned to stores", data(f"{latest.returned} (should be 0 for lot-specific labels)")),
        ("Check: A = B + C + D + E", data(check + (f" ({_dev_numbers(devs)})" if devs else ""), "cellbold")),
        ("Investigation note (211.192)", data(latest.investigation_note or "none entered")),
        ("Recorded by", data(f"{r.who(latest.recorded_by)}, {utc(latest.recorded_at)} UTC")),
        ("Register's check", data(recon.explanation or NONE)),
    ]
    earlier = [x for x in detail.reconciliations if x.id != latest.id]
    if earlier:
        kv.append(
            (
                "Earlier reconciliations (superseded)",
                [
                    data(
                        f"{utc(x.recorded_at)} UTC by {x.recorded_by}: issued {x.issued}, applied {x.applied}, "
                        f"specimens {x.specimens}, destroyed {x.destroyed}, returned {x.returned}"
                        + (f"; note: {x.investigation_note}" if x.investigation_note else "")
                    )
                    for x in earlier
                ],
            )
        )
    out += [
        Spacer(1, 6),
        p("Label reconciliation (the latest entered; printing again needs a new one).", "small"),
        _kv(kv, 170),
    ]
    return out


def _issued(r: _Record) -> str:
    names = {"label": "vial", "carton_label": "carton"}
    totals: dict[str, int] = {}
    for job in r.rec.detail.print_jobs:
        if job.kind in names:
            totals[names[job.kind]] = totals.get(names[job.kind], 0) + job.label_count
    return " + ".join(f"{n} {kind}" for kind, n in totals.items()) + " labels" if totals else ""


def qc(r: _Record) -> list[Flowable]:
    head = [
        "Test (spec)",
        "Method",
        "Specification",
        "Result",
        "Pass / fail",
        "Analyst, tested",
        "Entered (UTC), by",
        "Lab report SHA-256",
    ]
    rows: list[list[Cell]] = [[p(h, "cellbold") for h in head]]
    latest_ids = {q.latest.id for q in r.status.qc if q.latest is not None}
    for spec in r.mr.specifications:
        results = [x for x in r.qc_results if x.spec_id == spec.id]
        if not results:
            rows.append(
                [
                    data(_test_name(spec)),
                    data(spec.method),
                    data(_spec_text(spec)),
                    p("NO RESULT" if spec.required else "not tested (optional)", "cellbold"),
                    data(NONE),
                    data(NONE),
                    data(NONE),
                    data(NONE),
                ]
            )
            continue
        for x in results:
            verdict = "PASS" if x.passed else "FAIL"
            if x.id not in latest_ids:
                verdict += " (earlier result; superseded by a retest)"
            devs = r.devs(f"qc {x.id}")
            sha = r.documents.get(x.report_document_id) if x.report_document_id is not None else None
            rows.append(
                [
                    data(_test_name(spec)),
                    data(x.method),
                    data(x.limit_text or _spec_text(spec)),
                    data(_qc_value(x)),
                    data(verdict + (f" ({_dev_numbers(devs)})" if devs else ""), "cell" if x.passed else "cellbold"),
                    data(f"{x.analyst}, {x.tested_on.isoformat()}"),
                    data(f"{utc(x.entered_at)} {x.entered_by}"),
                    data(sha[:16] if sha else "no report archived"),
                ]
            )
    return [
        sec.heading("8. QC release testing"),
        p("Pass or fail is computed against the master record's specification, never typed.", "small"),
        grid_table(rows, [62, 70, 80, 52, 52, 62, 62, WIDTH - 440]),
    ]


def _test_name(spec: ReleaseSpec) -> str:
    return spec.test.value if spec.id == spec.test.value else f"{spec.test.value} ({spec.id})"


def _spec_text(spec: ReleaseSpec) -> str:
    if spec.expected:
        return f"reads '{spec.expected}'"
    if spec.limits is not None:
        text = spec.limits.text()
        if spec.limits_25um is not None:
            text = f">=10 um {text}; >=25 um {spec.limits_25um.text()}"
        return text
    if spec.around_calculated_percent is not None:
        return f"within ±{fmt_number(spec.around_calculated_percent)}% of the calculated osmolarity"
    return NONE


def deviations(r: _Record) -> list[Flowable]:
    from reportlab.platypus import Spacer

    out: list[Flowable] = [sec.heading("9. Deviations and investigations (211.192)")]
    if not r.deviations:
        out.append(p("No deviation was opened on this batch.", "body"))
        return out
    for d in r.deviations:
        sig = r.signature_by_id.get(d.signature_id) if d.signature_id is not None else None
        rows: list[tuple[str, Cell]] = [
            ("Kind", data(d.kind.value)),
            ("What happened", data(d.description)),
            ("About", data(r.reference_text(d.reference))),
            ("Opened", data(f"by {_opener(r, d)}, {utc(d.opened_at)} UTC")),
            ("Investigation", data(d.investigation or "not yet entered")),
            ("Root cause", data(d.root_cause or "not yet entered")),
            ("CAPA", data(d.capa or "none")),
            ("Disposition", data(d.disposition or "OPEN: not dispositioned", "cell" if d.disposition else "cellbold")),
            (
                "Closed by",
                data(f"{r.who(d.closed_by)}, {utc(d.closed_at)} UTC") if d.closed_by else data(NONE),
            ),
            ("E-signature (11.50)", data(manifestation(sig)) if sig else data(NONE)),
        ]
        block: list[list[Cell]] = [[p(f"DEV-{d.number}: {d.status.value.upper()}", "cellbold"), ""]]
        block += [[p(k, "cellbold"), v] for k, v in rows]
        table = grid_table(
            block,
            [110, WIDTH - 110],
            header_rows=1,
            repeat=False,
        )
        table.setStyle([("SPAN", (0, 0), (-1, 0))])
        out.append(table)
        out.append(Spacer(1, 4))
    return out


def signatures(r: _Record) -> list[Flowable]:
    head = ["Printed name (user)", "Role", "Meaning", "Date/time (UTC)", "What was signed"]
    rows: list[list[Cell]] = [[p(h, "cellbold") for h in head]]
    for s in r.signatures:
        meaning = s.meaning.value + (f" ({s.reason})" if s.reason else "")
        rows.append(
            [
                data(f"{s.printed_name} ({s.username})"),
                data(role(s.role.value)),
                data(meaning),
                data(utc(s.signed_at)),
                data(_subject(r, s)),
            ]
        )
    out: list[Flowable] = [sec.heading("12. Electronic signatures (21 CFR 11.50)")]
    if r.signatures:
        out.append(grid_table(rows, [110, 62, 130, 72, WIDTH - 374]))
    else:
        out.append(p("No electronic signature on this batch yet.", "body"))
    named = sorted(_named(r))
    if named:
        out.append(p("Accounts named on this record (user name: printed name and role).", "small"))
        accounts: list[list[Cell]] = [[p(h, "cellbold") for h in ("User name", "Printed name (role)")]]
        accounts += [[data(u), data(r.rec.people.get(u, "not a known account"))] for u in named]
        out.append(grid_table(accounts, [110, WIDTH - 110]))
    return out


def _subject(r: _Record, s: SignatureRecord) -> str:
    subject = s.subject or ""
    kind, _, key = subject.partition(":")
    if s.record_type == "batch":
        return f"the batch (status at signing: {s.status_at_signing})"
    if kind == "entry" and key.isdigit() and int(key) in r.by_id:
        e = r.by_id[int(key)]
        step = r.step(e.step_id)
        return f"entry {e.id}: {step.title if step else e.step_id}"
    if kind == "deviation" and key.isdigit():
        d = next((d for d in r.deviations if d.id == int(key)), None)
        if d is not None:
            return f"DEV-{d.number} ({d.kind.value})"
    return f"{s.record_type} {subject}".strip()


def _named(r: _Record) -> set[str]:
    names = {e.entered_by for e in r.entries} | {e.verified_by for e in r.entries if e.verified_by}
    names |= {d.opened_by for d in r.deviations if d.opened_by} | {d.closed_by for d in r.deviations if d.closed_by}
    names |= {x.entered_by for x in r.qc_results} | {s.username for s in r.signatures}
    names |= {j.printed_by for j in r.rec.detail.print_jobs} | {x.recorded_by for x in r.rec.detail.reconciliations}
    return names


def story(
    bf: BatchFile,
    comp: BatchComputation,
    record: ExecutedRecord,
    label_plan: RunPlan | None = None,
    carton_plan: RunPlan | None = None,
) -> list[Flowable]:
    from reportlab.platypus import KeepTogether, PageBreak

    r = _Record(bf, comp, record)
    parts: list[list[Flowable]] = [
        sec.summary(bf, comp, on_paper=False),
        sec.computed(comp, acknowledgement_manifestations(record.detail)),
        components(r),
        steps(r),
        filling(r),
        yield_section(r),
        labeling(r),
        qc(r),
        deviations(r),
        specimens(label_plan, carton_plan, title="10. Label specimens (actual size)", approval=""),
        sec.statements(bf, comp, record.audit_anchor, title="11. Statements and audit anchor"),
        signatures(r),
    ]
    flowables: list[Flowable] = [*review(r), PageBreak()]
    # As on the paper worksheet: a section shorter than a page never starts at the foot of one.
    flowables += [KeepTogether(part) if len(part) > 1 else part[0] for part in parts if part]
    return flowables


def title(record: ExecutedRecord) -> str:
    status = record.detail.batch.status.value
    return f"{TITLE} \u2014 {status.upper() if status in FINAL_MEANINGS else 'NOT RELEASED'}"


def render_executed_record(
    bf: BatchFile,
    comp: BatchComputation,
    record: ExecutedRecord,
    *,
    label_plan: RunPlan | None = None,
    carton_plan: RunPlan | None = None,
) -> bytes:
    """The executed batch record PDF, page 1 the review by exception. Deterministic: the same inputs give
    the same bytes."""
    return build_record(bf, comp, story(bf, comp, record, label_plan, carton_plan), title(record))
