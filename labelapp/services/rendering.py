"""The PDFs of a batch, through one door: preview, print, archive.

* ``preview``: an unsaved batch (a batch file on the command line, the editor's form): labels on a
  stock, or the blank worksheet. Its lot is provisional until the register allocates one.
* ``render_registered``: a batch as the register holds it, computed with the settings in force;
  its "worksheet" is the batch record with signatures, reconciliation and specimens.
* ``issue``: records a rendered document as printed (archived, counted as issued) and returns the
  print job. It never renders again: the bytes previewed are the bytes recorded, archived and sent
  to the printer, by construction. It refuses a document that no longer matches the register (an
  unsaved edit, changed settings, a newer signature) and says so.

Qt-free; the CLI and the GUI both come here (docs/architecture.md walks one batch through it).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from hashlib import sha256
from typing import Literal

from labelapp.domain.batch import BatchFile
from labelapp.domain.errors import LabelappError, RuleViolation
from labelapp.domain.execution import DeviationStatus, ExecutionStatus
from labelapp.domain.records import ArchivedDocumentRecord, BatchDetail, PrintJobRecord, SignatureRecord
from labelapp.domain.register import BatchStatus
from labelapp.domain.results import BatchComputation
from labelapp.domain.settings import CalcSettings
from labelapp.render.label.content import label_content
from labelapp.render.label.render import plan_for, render_labels
from labelapp.render.label.run import RunPlan
from labelapp.render.review import AccessReview, AccessReviewRow, render_access_review
from labelapp.render.templates.loader import default_templates
from labelapp.render.worksheet.document import render_worksheet
from labelapp.render.worksheet.executed import ExecutedRecord, render_executed_record
from labelapp.render.worksheet.inputs import (
    ReconciliationCounts,
    SignatureManifestation,
    acknowledgement_manifestations,
)
from labelapp.services.batches import pending_text
from labelapp.services.calculate import calculate
from labelapp.services.context import Actor
from labelapp.services.register import Register
from labelapp.store.execution import ExecutionRepository

LabelKind = Literal["vial", "carton"]
DocumentKind = Literal["vial", "carton", "worksheet"]
DOCUMENT_KINDS: tuple[DocumentKind, ...] = ("vial", "carton", "worksheet")
KIND_TITLES: dict[DocumentKind, str] = {"vial": "Vial labels", "carton": "Carton label", "worksheet": "Batch worksheet"}
# Document kinds in the register; both label kinds are labeling that 211.125 reconciliation counts.
REGISTER_KIND: dict[DocumentKind, str] = {"vial": "label", "carton": "carton_label", "worksheet": "worksheet"}
BATCH_RECORD_KIND = "batch_record"
WORKSHEET_STOCK = "letter"
# The worksheet line each signature meaning belongs to (render.worksheet.inputs.SIGNATURE_STEPS).
SIGNATURE_STEP = {
    "performed": "compounding",
    "verified": "compounding-verified",
    "released": "qa-release",
    "rejected": "qa-release",
}


@dataclass(frozen=True)
class StockInfo:
    name: str
    description: str
    size_text: str
    kind: str  # roll or sheet
    labels_per_page: int


@dataclass(frozen=True)
class RenderedDocument:
    """PDF bytes and what they are. ``batch_file`` and ``settings`` (labels) or ``audit_head`` (the batch
    record) say what they were made from, so ``issue`` can tell whether they still match the register."""

    kind: DocumentKind
    pdf: bytes
    stock: str
    count: int
    pages: int
    lot_number: str
    provisional: bool
    notes: tuple[str, ...] = field(default=())
    layout: str = ""
    ingredients_on_carton: bool = False
    batch_id: int | None = None
    batch_file: BatchFile | None = field(default=None, repr=False)
    settings: CalcSettings | None = field(default=None, repr=False)
    audit_head: tuple[int, str] | None = None

    @property
    def sha256(self) -> str:
        return sha256(self.pdf).hexdigest()


# ------------------------------------------------------------------------ stocks


def stocks(kind: DocumentKind) -> list[StockInfo]:
    """The stocks a document of this kind can be printed on, smallest label first."""
    if kind == "worksheet":
        return [StockInfo(WORKSHEET_STOCK, "US Letter paper, 8.5 x 11 in", "8.5 x 11 in", "sheet", 1)]
    return [
        StockInfo(s.name, s.description, s.size_text(), s.kind, s.labels_per_page)
        for s in default_templates().stocks_for(kind)
    ]


def stock_cells(stock_name: str) -> list[tuple[float, float, float, float]]:
    """Label cells of a stock's page, (x, y from the top, width, height) in points; [] for paper."""
    if stock_name == WORKSHEET_STOCK:
        return []
    stock = default_templates().stock(stock_name)
    if stock.sheet is None:
        return [(0.0, 0.0, stock.width, stock.height)]
    grid = stock.sheet
    return [
        (grid.margin_left + c * grid.pitch_x, grid.margin_top + r * grid.pitch_y, stock.width, stock.height)
        for r in range(grid.rows)
        for c in range(grid.columns)
    ]


def stock_table() -> list[tuple[str, ...]]:
    """Every stock with its size and the layouts that fit it (`labelapp stocks`)."""
    templates = default_templates()
    rows: list[tuple[str, ...]] = []
    for stock in sorted(templates.stocks.values(), key=lambda s: (s.kind, s.area, s.name)):
        layouts = (
            ", ".join(
                f"{lay.name} ({lay.kind})" for lay in sorted(templates.layouts_for(stock), key=lambda lay: lay.name)
            )
            or "none"
        )
        rows.append((stock.name, stock.kind, stock.size_text(), str(stock.labels_per_page), str(stock.dpi), layouts))
    return rows


def batch_notes(batch_file: BatchFile, computation: BatchComputation) -> tuple[str, ...]:
    """What a user must know about every document of this batch (e.g. a provisional lot)."""
    return label_content(batch_file, computation, "vial").notes


def default_stock(batch_file: BatchFile, kind: DocumentKind) -> str:
    """The stock the facility set up for this product (templates/stocks), or a LabelappError."""
    if kind == "worksheet":
        return WORKSHEET_STOCK
    templates = default_templates()
    if kind == "carton":
        return templates.default_carton_stock().name
    container = batch_file.formula.container
    return templates.default_unit_stock(container.type, float(container.nominal_volume_ml)).name


def default_count(kind: DocumentKind, computation: BatchComputation) -> int:
    """Vial labels: units + specimens + retains; one carton label and one worksheet to look at."""
    return computation.label_count if kind == "vial" else 1


# ------------------------------------------------------------------------ unsaved batches


def preview(
    batch_file: BatchFile,
    computation: BatchComputation,
    kind: DocumentKind,
    stock: str | None = None,
    count: int | None = None,
    settings: CalcSettings | None = None,
    batch_id: int | None = None,
) -> RenderedDocument:
    """Labels of ``kind`` on ``stock`` (default: the product's), ``count`` of them (default: units +
    extras), or the blank worksheet. Refuses rather than clip (LabelFitError names a larger stock)."""
    if kind == "worksheet":
        return preview_worksheet(batch_file, computation, count=count)
    stock = stock or default_stock(batch_file, kind)
    result = render_labels(label_content(batch_file, computation, kind), stock, count or computation.label_count)
    return RenderedDocument(
        kind=kind,
        pdf=result.pdf,
        stock=result.stock,
        count=result.count,
        pages=result.pages,
        lot_number=computation.lot_number,
        provisional=computation.lot_provisional,
        notes=result.notes,
        layout=result.layout,
        ingredients_on_carton=result.ingredients_on_carton,
        batch_id=batch_id,
        batch_file=batch_file,
        settings=settings,
    )


def specimen_plans(
    batch_file: BatchFile,
    computation: BatchComputation,
    vial_stock: str | None = None,
    carton_stock: str | None = None,
    count: int = 1,
) -> dict[LabelKind, RunPlan | None]:
    """The label specimens printed at actual size on the worksheet; None where no label can be drawn
    (the worksheet then says so, and printing refuses anyway)."""
    plans: dict[LabelKind, RunPlan | None] = {}
    wanted: tuple[tuple[LabelKind, str | None], ...] = (("vial", vial_stock), ("carton", carton_stock))
    for kind, stock in wanted:
        try:
            plans[kind] = plan_for(
                label_content(batch_file, computation, kind), stock or default_stock(batch_file, kind), count
            )
        except LabelappError:
            plans[kind] = None
    return plans


def preview_worksheet(
    batch_file: BatchFile,
    computation: BatchComputation,
    vial_stock: str | None = None,
    carton_stock: str | None = None,
    count: int | None = None,
) -> RenderedDocument:
    """The worksheet of an unsaved batch, with the label specimens of the run it would print."""
    plans = specimen_plans(batch_file, computation, vial_stock, carton_stock, count or computation.label_count)
    pdf = render_worksheet(batch_file, computation, label_plan=plans["vial"], carton_plan=plans["carton"])
    return RenderedDocument(
        kind="worksheet",
        pdf=pdf,
        stock=WORKSHEET_STOCK,
        count=1,
        pages=0,
        lot_number=computation.lot_number,
        provisional=computation.lot_provisional,
    )


# ------------------------------------------------------------------------ registered batches


@dataclass(frozen=True)
class RegisteredBatch:
    batch_id: int
    batch_file: BatchFile
    computation: BatchComputation
    settings: CalcSettings


def registered_batch(register: Register, batch_id: int) -> RegisteredBatch:
    """The batch as the register holds it, computed with the register's settings in force. Refused when the
    register no longer matches its signed audit trail: nothing is shown or printed under false signatures."""
    register.batches.check_intact(batch_id, f"the documents of batch {batch_id}")
    batch_file = register.batches.batch_file(batch_id)
    settings = register.settings.current().calc_settings()
    comp = calculate(batch_file, settings, source=f"batch {batch_id}", ingredients=register.formulas.ingredient_table())
    return RegisteredBatch(batch_id, batch_file, comp, settings)


def render_registered(
    register: Register, batch_id: int, kind: DocumentKind, stock: str | None = None, count: int | None = None
) -> RenderedDocument:
    """A registered batch's labels, or its batch record as it stands now. Labels whose batch has a plausibility
    finding no pharmacist has acknowledged yet say so in their notes (printing them is refused)."""
    if kind == "worksheet":
        return render_batch_record(register, batch_id)
    rb = registered_batch(register, batch_id)
    document = preview(rb.batch_file, rb.computation, kind, stock, count, settings=rb.settings, batch_id=batch_id)
    pending = register.batches.pending_acknowledgements(batch_id)
    if not pending:
        return document
    note = "Printing waits for a pharmacist's acknowledgement of: " + pending_text(pending)
    return replace(document, notes=(*document.notes, note))


def signature_manifestations(detail: BatchDetail) -> list[SignatureManifestation]:
    """11.50: printed name, UTC date and time, meaning, for each signature on the batch."""
    out = []
    for sig in detail.signatures:
        reason = f" ({sig.reason})" if sig.reason else ""
        out.append(
            SignatureManifestation(
                name=sig.printed_name,
                role=sig.role.value,
                meaning=f"{sig.meaning.value}{reason}",
                signed_at=sig.signed_at,
                step=SIGNATURE_STEP.get(sig.meaning.value),
            )
        )
    return out


def reconciliation_counts(detail: BatchDetail, retains: int) -> ReconciliationCounts | None:
    """The latest reconciliation entered, as the worksheet prints it, with its investigation note and who
    entered it; None before any is entered.

    The register records destroyed labels as one count; the worksheet prints it as unused,
    lot-specific labels destroyed (witnessed).
    """
    status = detail.reconciliation
    latest = status.latest
    if latest is None:
        return None
    return ReconciliationCounts(
        issued=status.labels_issued,
        applied=latest.applied,
        specimens=latest.specimens,
        retains=retains,
        destroyed_damaged=0,
        destroyed_unused=latest.destroyed,
        returned=latest.returned,
        issued_detail=issued_detail(detail),
        investigation_note=latest.investigation_note or "",
        recorded=f"{latest.recorded_by}, {latest.recorded_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC",
    )


def issued_detail(detail: BatchDetail) -> str:
    """'106 vial + 106 carton labels': the label print jobs behind the issued count, by kind."""
    names = {REGISTER_KIND["vial"]: "vial", REGISTER_KIND["carton"]: "carton"}
    totals: dict[str, int] = {}
    for job in detail.print_jobs:
        if job.kind in names:
            totals[names[job.kind]] = totals.get(names[job.kind], 0) + job.label_count
    return " + ".join(f"{n} {kind}" for kind, n in totals.items()) + " labels" if totals else ""


# What a batch in each status still needs before QA can release it (docs/domain.md §5.4).
LIFE_CYCLE_BLOCKERS = {
    BatchStatus.DRAFT: "the batch is not signed as performed",
    BatchStatus.COMPOUNDED: "the batch is not verified by a pharmacist",
}
SNAPSHOT_ATTEMPTS = 3
OPEN_DEVIATION_BLOCKER = "deviation DEV-"  # how services.execution words an open deviation as a blocker


def not_released(detail: BatchDetail, status: ExecutionStatus) -> list[str]:
    """Why a batch is not released yet, in words (empty once released, rejected or voided). An open
    deviation is named by its number (its full text is in the record's exceptions, never cut short)."""
    if detail.batch.status in (BatchStatus.RELEASED, BatchStatus.REJECTED, BatchStatus.VOIDED):
        return []
    reasons = [LIFE_CYCLE_BLOCKERS[detail.batch.status]] if detail.batch.status in LIFE_CYCLE_BLOCKERS else []
    reasons += [b for b in status.release_blockers if not b.startswith(OPEN_DEVIATION_BLOCKER)]
    reasons += [
        f"deviation DEV-{d.number} ({d.kind.value}) is open: see Exceptions"
        for d in status.deviations
        if d.status is DeviationStatus.OPEN
    ]
    return reasons


def executed_record(
    register: Register, batch_id: int, detail: BatchDetail, anchor: tuple[int, str] | None
) -> ExecutedRecord:
    """What the executed record prints besides the batch: one read of each source (execution status, step
    entries, QC results with retests, accounts)."""
    status = register.execution.status(batch_id)
    entries = register.execution.entries(batch_id)
    with register.database.read() as conn:
        results = ExecutionRepository(conn).qc(batch_id)
    people = {u.username: f"{u.full_name} ({u.role.value})" for u in register.accounts.list_users()}
    return ExecutedRecord(
        detail=detail,
        execution=status,
        entries=tuple(entries),
        qc_results=tuple(results),
        not_released=tuple(not_released(detail, status)),
        people=people,
        audit_anchor=anchor,
    )


def render_batch_record(register: Register, batch_id: int) -> RenderedDocument:
    """The batch production record as it stands now.

    A batch whose formula has a master record gets the executed record (page 1 the review by exception,
    then every entry, QC result, deviation and signature); one executed on paper gets the worksheet with
    its signatures, reconciliation and label specimens. Everything comes from one snapshot: each source is
    read once, between two reads of the audit head; every write appends an audit entry, so an unchanged head
    means no write came in between (otherwise it is read again). That head is the anchor printed on it."""
    for _ in range(SNAPSHOT_ATTEMPTS):
        anchor = register.audit.anchor()
        rb = registered_batch(register, batch_id)
        detail = register.batches.detail(batch_id)
        executed = (
            executed_record(register, batch_id, detail, anchor)
            if rb.batch_file.formula.master_record is not None
            else None
        )
        if register.audit.anchor() == anchor:
            break
    else:
        raise RuleViolation(f"batch {batch_id} kept changing while its record was read: print the record again")
    bf, comp = rb.batch_file, rb.computation
    plans = specimen_plans(bf, comp)
    if executed is not None:
        pdf = render_executed_record(bf, comp, executed, label_plan=plans["vial"], carton_plan=plans["carton"])
    else:
        pdf = render_worksheet(
            bf,
            comp,
            label_plan=plans["vial"],
            carton_plan=plans["carton"],
            signatures=signature_manifestations(detail),
            reconciliation=reconciliation_counts(detail, bf.batch.retain_labels),
            audit_anchor=anchor,
            acknowledgements=acknowledgement_manifestations(detail),
        )
    return RenderedDocument(
        kind="worksheet",
        pdf=pdf,
        stock=WORKSHEET_STOCK,
        count=1,
        pages=0,
        lot_number=comp.lot_number,
        provisional=False,
        batch_id=batch_id,
        batch_file=bf,
        settings=rb.settings,
        audit_head=anchor,
    )


# ------------------------------------------------------------------------ printing


def check_current(register: Register, document: RenderedDocument) -> None:
    """Refuse a document that is not what the register would print now (nothing is recorded)."""
    if document.batch_id is None or document.provisional:
        raise RuleViolation(
            "this batch is not saved: production labels carry the lot number the register "
            "allocates; save the draft first"
        )
    if document.kind == "worksheet":
        if document.audit_head != register.audit.anchor():
            raise RuleViolation(
                "the batch record changed since this preview (a new signature, print or "
                "reconciliation): wait for the preview to update, then print"
            )
        return
    if document.batch_file != register.batches.batch_file(document.batch_id):
        raise RuleViolation(
            "the preview is not the batch as saved in the register (unsaved changes): save the "
            "draft, wait for the preview to update, then print"
        )
    if document.settings != register.settings.current().calc_settings():
        raise RuleViolation(
            "the calculation settings changed since this preview: wait for the preview to update, then print"
        )


def issue(register: Register, document: RenderedDocument, user: Actor, printer: str) -> PrintJobRecord:
    """Record ``document`` as printed on ``printer`` (archived first, counted as issued) and return the job.

    Call this before the bytes go to the printer: a label that exists on paper exists in the register."""
    check_current(register, document)
    assert document.batch_id is not None  # check_current refused an unsaved batch
    return register.batches.record_print_job(
        document.batch_id, REGISTER_KIND[document.kind], document.stock, document.count, printer, document.pdf, user
    )


def archive_batch_record(
    register: Register, batch_id: int, user: Actor, reason: str | None = None
) -> ArchivedDocumentRecord:
    """Render the batch record as it stands now (e.g. after release) and archive those bytes."""
    record = render_batch_record(register, batch_id)
    return register.archive.add(batch_id, BATCH_RECORD_KIND, record.pdf, user, reason)


@dataclass(frozen=True)
class SignedBatch:
    signature: SignatureRecord
    archived_record: ArchivedDocumentRecord | None
    archive_problem: str | None = None


def sign_batch(
    register: Register, batch_id: int, username: str, password: str, meaning: str, reason: str | None = None
) -> SignedBatch:
    """E-sign a batch as ``username`` (who may not be the one signed in at this workstation). On release
    the signed batch record is archived under the releaser's key; if that fails the signature stands
    and the problem is reported (archive it again with `batch record --archive`)."""
    signer = register.accounts.authenticate(username, password)
    signature = register.batches.sign(batch_id, signer, password, meaning, reason)
    if signature.meaning.value != "released":
        return SignedBatch(signature, None)
    try:
        record = archive_batch_record(register, batch_id, signer, "batch record as released")
    except LabelappError as exc:
        return SignedBatch(signature, None, str(exc))
    return SignedBatch(signature, record)


def access_review_pdf(register: Register, user: Actor) -> bytes:
    """The user access review (roles, last sign-in, last password change, findings) as PDF (QA or admin)."""
    from datetime import timedelta

    from labelapp.domain.access import Action
    from labelapp.store.canonical import utc_now

    with register.database.read() as conn:
        me = register.context.actor(conn, user, Action.REVIEW_ACCESS)
    settings = register.settings.current()
    users = register.accounts.list_users()
    facility = register.settings.facility()
    now = utc_now()

    def day(moment: datetime | None) -> str:
        return moment.strftime("%Y-%m-%d") if moment else "never"

    names = [u.full_name.casefold() for u in users if u.active]
    rows = []
    for u in users:
        findings = []
        if (
            settings.password_max_age_days
            and u.password_changed_at
            and u.password_changed_at < now - timedelta(days=settings.password_max_age_days)
        ):
            findings.append(f"password older than {settings.password_max_age_days} days")
        if (
            u.active
            and settings.account_expiry_days
            and (u.last_activity_at or u.created_at) < now - timedelta(days=settings.account_expiry_days)
        ):
            findings.append(f"unused for more than {settings.account_expiry_days} days")
        if u.active and u.last_sign_in_at is None:
            findings.append("never signed in to the desktop app")
        if u.public_key is None:
            findings.append("no signing key yet (signs in once to get one)")
        if u.active and names.count(u.full_name.casefold()) > 1:
            findings.append("printed name shared with another active account")
        state = (
            "disabled"
            if not u.active
            else "locked"
            if u.locked
            else "must change password"
            if u.must_change_password
            else "active"
        )
        rows.append(
            AccessReviewRow(
                u.username,
                u.full_name,
                u.role.value,
                state,
                day(u.created_at),
                day(u.last_sign_in_at),
                day(u.password_changed_at),
                "; ".join(findings),
                (u.public_key or "-")[:16],
            )
        )
    words = (
        f"passwords expire after {settings.password_max_age_days or 'no'} days; accounts expire after "
        f"{settings.account_expiry_days or 'no'} days unused; {settings.lockout_attempts} failed sign-ins lock "
        f"an account; the desktop app locks after {settings.idle_lock_minutes} minutes idle; passwords have at "
        f"least {settings.password_min_length} characters"
    )
    review = AccessReview(
        facility=facility.name if facility else "(facility not set)",
        register=register.location,
        generated_at=now,
        generated_by=f"{me.full_name} ({me.username}, {me.role.value})",
        settings=words,
        rows=rows,
        audit_head=register.audit.anchor(),
    )
    return render_access_review(review)
