"""Use cases that join the calculations, the renderer and the register: the documents of a batch.

Everything a registered batch prints is computed with the settings in force in the register, from
the batch file the register holds (with its allocated lot), and every print is archived and counted
before the bytes are handed to a printer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from labelapp.domain.batch import BatchFile
from labelapp.domain.errors import LabelappError
from labelapp.domain.results import BatchComputation
from labelapp.render.content import label_content
from labelapp.render.label import LabelRunResult, plan_for, render_labels
from labelapp.render.records import ReconciliationCounts, SignatureRecord
from labelapp.render.templates import default_templates
from labelapp.render.worksheet import render_worksheet
from labelapp.services.calculate import calculate

LabelKind = Literal["vial", "carton"]
# Document kinds in the register; both are labeling that 211.125 reconciliation counts.
REGISTER_KIND = {"vial": "label", "carton": "carton_label"}
BATCH_RECORD_KIND = "batch_record"
# The worksheet line each signature meaning belongs to (render.records.SIGNATURE_STEPS).
SIGNATURE_STEP = {"performed": "compounding", "verified": "compounding-verified", "released": "qa-release",
                  "rejected": "qa-release"}


@dataclass(frozen=True)
class RegisteredBatch:
    batch_id: int
    batch_file: BatchFile
    computation: BatchComputation


def registered_batch(register: Any, batch_id: int) -> RegisteredBatch:
    """The batch as the register holds it, computed with the register's settings in force."""
    batch_file = register.batch_file(batch_id)
    comp = calculate(batch_file, register.settings().calc_settings(), source=f"batch {batch_id}",
                     ingredients=register.ingredient_table())
    return RegisteredBatch(batch_id, batch_file, comp)


def default_stock(batch_file: BatchFile, kind: LabelKind) -> str:
    templates = default_templates()
    if kind == "carton":
        return templates.default_carton_stock().name
    return templates.default_vial_stock(float(batch_file.formula.container.nominal_volume_ml)).name


def render_label_run(batch_file: BatchFile, comp: BatchComputation, kind: LabelKind,
                     stock: str | None = None, count: int | None = None,
                     printer: str | None = None) -> LabelRunResult:
    """The serialized label run (units + extras by default) on a stock; refuses rather than clip."""
    stock = stock or default_stock(batch_file, kind)
    content = label_content(batch_file, comp, kind)
    return render_labels(content, stock, count or comp.label_count, printer=printer)


def signature_manifestations(detail: Any) -> list[SignatureRecord]:
    """11.50: printed name, UTC date and time, meaning, for each signature on the batch."""
    out = []
    for sig in detail.signatures:
        reason = f" ({sig.reason})" if sig.reason else ""
        out.append(SignatureRecord(name=sig.printed_name, role=sig.role.value,
                                   meaning=f"{sig.meaning.value}{reason}", signed_at=sig.signed_at,
                                   step=SIGNATURE_STEP.get(sig.meaning.value)))
    return out


def reconciliation_counts(detail: Any, retains: int) -> ReconciliationCounts | None:
    """The latest reconciliation entered, as the worksheet prints it; None before any is entered.

    The register records destroyed labels as one count; the worksheet prints it as unused,
    lot-specific labels destroyed (witnessed).
    """
    status = detail.reconciliation
    latest = status.latest
    if latest is None:
        return None
    return ReconciliationCounts(issued=status.labels_issued, applied=latest.applied, specimens=latest.specimens,
                                retains=retains, destroyed_damaged=0, destroyed_unused=latest.destroyed,
                                returned=latest.returned, issued_detail=issued_detail(detail))


def issued_detail(detail: Any) -> str:
    """'106 vial + 106 carton labels': the label print jobs behind the issued count, by kind."""
    names = {kind: name for name, kind in REGISTER_KIND.items()}
    totals: dict[str, int] = {}
    for job in detail.print_jobs:
        if job.kind in names:
            totals[names[job.kind]] = totals.get(names[job.kind], 0) + job.label_count
    return " + ".join(f"{n} {kind}" for kind, n in totals.items()) + " labels" if totals else ""


def render_batch_record(register: Any, batch_id: int) -> bytes:
    """The batch production record with its signatures, reconciliation and label specimens.

    Signatures, print jobs and reconciliation come from one read of the register (one snapshot)."""
    rb = registered_batch(register, batch_id)
    bf, comp = rb.batch_file, rb.computation
    detail = register.batch_detail(batch_id)
    plans = {}
    for kind in ("vial", "carton"):
        try:
            plans[kind] = plan_for(label_content(bf, comp, kind), default_stock(bf, kind), 1)
        except LabelappError:
            plans[kind] = None  # the worksheet says no specimen could be drawn; printing refuses anyway
    return render_worksheet(bf, comp, label_plan=plans["vial"], carton_plan=plans["carton"],
                            signatures=signature_manifestations(detail),
                            reconciliation=reconciliation_counts(detail, bf.batch.retain_labels),
                            audit_anchor=register.audit_anchor())


@dataclass(frozen=True)
class PrintedRun:
    job: Any                 # the register's PrintJobRecord
    run: LabelRunResult


def issue_labels(register: Any, batch_id: int, user: Any, kind: LabelKind, printer: str,
                 stock: str | None = None, count: int | None = None) -> PrintedRun:
    """Render a label run for a registered batch and record it (archived, counted as issued).

    Call this before the bytes go to the printer: a label that exists on paper exists in the register.
    """
    rb = registered_batch(register, batch_id)
    run = render_label_run(rb.batch_file, rb.computation, kind, stock, count, printer)
    job = register.record_print_job(batch_id, REGISTER_KIND[kind], run.stock, run.count, printer, run.pdf, user)
    return PrintedRun(job, run)


def archive_batch_record(register: Any, batch_id: int, user: Any, reason: str | None = None) -> Any:
    """Render the batch record as it stands now (e.g. after release) and archive it."""
    return register.archive_document(batch_id, BATCH_RECORD_KIND, render_batch_record(register, batch_id), user,
                                     reason)
