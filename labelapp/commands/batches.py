"""`labelapp batch`: register a batch, print its labels, reconcile, sign, the batch record."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from labelapp.commands.common import (
    add_command,
    add_filters,
    add_json,
    count_arg,
    print_json,
    print_table,
    read_pdf,
    register_options,
    signed_in,
    when,
)
from labelapp.commands.execution import add_batch_parsers
from labelapp.domain.errors import LabelappError
from labelapp.domain.files import atomic_write
from labelapp.domain.records import BatchDetail
from labelapp.domain.results import Plausibility
from labelapp.services.calculate import load_batch_file
from labelapp.services.rendering import (
    BATCH_RECORD_KIND,
    DocumentKind,
    issue,
    render_batch_record,
    render_registered,
    sign_batch,
)


def cmd_batch_new(args: argparse.Namespace) -> int:
    batch_file = load_batch_file(args.file)
    with signed_in(args) as (reg, user, _pw):
        record = reg.batches.new(batch_file, user)
    print(
        f"lot {record.lot_number}: {record.product_name}, formula {record.formula_code} "
        f"v{record.formula_version}, expires {record.expiration_date}, status {record.status.value}"
    )
    return 0


def _print_batch(detail: BatchDetail) -> None:
    b = detail.batch
    print(
        f"lot {b.lot_number} (batch {b.id}): {b.product_name} — {b.status.value.upper()}"
        + (f" ({b.status_reason})" if b.status_reason else "")
    )
    print(f"  formula {b.formula_code} v{b.formula_version}; compounded {b.compounded_on}; expires {b.expiration_date}")
    print(f"  prepared by {b.created_by} {when(b.created_at)}; content SHA-256 {b.document_sha256}")
    for s in detail.signatures:
        flag = "" if s.content_matches is not False else "  ** CONTENT CHANGED SINCE SIGNING **"
        print(f"  signature: {s.manifestation()}{' — ' + s.reason if s.reason else ''}{flag}")
    for j in detail.print_jobs:
        kind = f"reprint of job {j.reprint_of}: {j.reason}" if j.is_reprint else "print"
        print(
            f"  job {j.job_number}: {j.kind} x{j.label_count} on {j.printer} ({j.stock}) by {j.printed_by} "
            f"{when(j.printed_at)} [{kind}] doc {j.document_id}"
        )
    for d in detail.documents:
        print(f"  archived document {d.id}: {d.kind}, {d.size_bytes} bytes, SHA-256 {d.sha256}")
    r = detail.reconciliation
    state = "BLOCKS VERIFICATION" if r.blocks_verification else "ok"
    print(f"  labels issued {r.labels_issued}; reconciliation {state}: {r.explanation}")
    for a in detail.acknowledgements:
        print(f"  plausibility {a.manifestation()}")


def _print_pending(pending: list[Plausibility]) -> None:
    for f in pending:
        print(f"  plausibility [{f.code}] NOT ACKNOWLEDGED, BLOCKS PRINTING: {f.message}")


def cmd_batch_show(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        batch = reg.batches.by_lot(args.lot)
        reg.batches.check_intact(batch.id, f"showing lot {args.lot}")
        detail = reg.batches.detail(batch.id)
        pending = reg.batches.pending_acknowledgements(batch.id)
    if args.json:
        print_json(detail)
    else:
        _print_batch(detail)
        _print_pending(pending)
    return 0


def _batch_criteria(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "lot": args.lot,
        "product": args.product,
        "status": args.status,
        "date_from": args.date_from,
        "date_to": args.date_to,
        "text": getattr(args, "text", None),
        "limit": args.limit,
    }


def cmd_batch_list(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        found = reg.batches.search(**_batch_criteria(args))
    if args.json:
        print_json(found)
        return 0
    print_table(
        [
            [
                b.lot_number,
                b.product_name,
                f"{b.formula_code} v{b.formula_version}",
                b.status.value,
                b.compounded_on,
                b.expiration_date,
                b.created_by,
            ]
            for b in found
        ],
        ["LOT", "PRODUCT", "FORMULA", "STATUS", "COMPOUNDED", "EXPIRES", "PREPARED BY"],
    )
    return 0


def cmd_batch_sign(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, password):
        batch = reg.batches.by_lot(args.lot)
        signed = sign_batch(reg, batch.id, user.username, password, args.meaning, args.comment)
        print(f"lot {args.lot} signed: {signed.signature.manifestation()}")
        if signed.archived_record is not None:
            print(f"lot {args.lot}: released batch record archived, SHA-256 {signed.archived_record.sha256}")
        elif signed.archive_problem:
            raise LabelappError(
                f"lot {args.lot} is released, but its batch record was not archived: {signed.archive_problem}"
            )
    return 0


def cmd_batch_acknowledge(args: argparse.Namespace) -> int:
    """A pharmacist's e-signed acknowledgement of one plausibility finding (docs/domain.md §4.8)."""
    with signed_in(args) as (reg, user, password):
        batch = reg.batches.by_lot(args.lot)
        record = reg.batches.acknowledge(batch.id, args.code, user, password, args.reason)
        pending = reg.batches.pending_acknowledgements(batch.id)
    print(f"lot {args.lot}: {record.manifestation()}")
    if pending:
        print(f"lot {args.lot}: still to acknowledge before labels print: {', '.join(f.code for f in pending)}")
    else:
        print(f"lot {args.lot}: every plausibility finding is acknowledged; labels may be printed")
    return 0


def cmd_batch_print(args: argparse.Namespace) -> int:
    """Render the label runs of a registered batch, record each (archived, issued), then write the files."""
    wanted: tuple[tuple[DocumentKind, str | None, str | None], ...] = (
        ("vial", args.labels, args.stock),
        ("carton", args.carton, args.carton_stock),
    )
    runs = [(kind, out, stock) for kind, out, stock in wanted if out]
    if not runs:
        raise LabelappError("batch print: give --labels OUT.pdf and/or --carton OUT.pdf")
    with signed_in(args) as (reg, user, _pw):
        batch = reg.batches.by_lot(args.lot)
        for kind, out, stock in runs:
            document = render_registered(reg, batch.id, kind, stock, args.count)
            job = issue(reg, document, user, args.printer)
            atomic_write(Path(out), document.pdf)
            print(
                f"lot {args.lot}: {kind} labels x{document.count} on {document.stock} -> {out}; "
                f"print job {job.job_number} recorded for {args.printer}, SHA-256 {job.document_sha256}"
            )
    return 0


def cmd_batch_record(args: argparse.Namespace) -> int:
    """The batch production record as it stands (signatures, reconciliation, specimens)."""
    with signed_in(args) as (reg, user, _pw):
        batch = reg.batches.by_lot(args.lot)
        data = render_batch_record(reg, batch.id).pdf
        if args.archive:  # the very bytes written below, not a second rendering
            record = reg.archive.add(batch.id, BATCH_RECORD_KIND, data, user, args.reason)
            print(f"lot {args.lot}: batch record archived, SHA-256 {record.sha256}")
    atomic_write(Path(args.out), data)
    print(f"lot {args.lot}: batch record -> {args.out}")
    return 0


def cmd_batch_reconcile(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, _pw):
        batch = reg.batches.by_lot(args.lot)
        reg.batches.record_reconciliation(
            batch.id,
            user,
            applied=args.applied,
            specimens=args.specimens,
            destroyed=args.destroyed,
            returned=args.returned,
            investigation_note=args.note,
        )
        status = reg.batches.reconciliation_status(batch.id)
    verdict = "BLOCKS VERIFICATION" if status.blocks_verification else "ok"
    print(f"lot {args.lot}: reconciliation {verdict}: {status.explanation}")
    return 0


def cmd_batch_status(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, password):
        batch = reg.batches.by_lot(args.lot)
        if args.set:
            reg.batches.sign(batch.id, user, password, args.set, args.reason)
        batch = reg.batches.get(batch.id)
        recon = reg.batches.reconciliation_status(batch.id)
    print(
        f"lot {batch.lot_number}: {batch.status.value}" + (f" ({batch.status_reason})" if batch.status_reason else "")
    )
    if batch.status.value in ("draft", "compounded"):
        print(f"  reconciliation: {'blocks verification' if recon.blocks_verification else 'ok'}: {recon.explanation}")
    return 0


def cmd_batch_record_print(args: argparse.Namespace) -> int:
    data = read_pdf(args.pdf)
    with signed_in(args) as (reg, user, _pw):
        batch = reg.batches.by_lot(args.lot)
        job = reg.batches.record_print_job(batch.id, args.kind, args.stock, args.count, args.printer, data, user)
    print(
        f"lot {args.lot}: print job {job.job_number} recorded ({job.kind} x{job.label_count}); "
        f"archived as {job.document_sha256}"
    )
    return 0


def cmd_batch_archive(args: argparse.Namespace) -> int:
    data = read_pdf(args.pdf)
    with signed_in(args) as (reg, user, _pw):
        batch = reg.batches.by_lot(args.lot)
        record = reg.archive.add(batch.id, args.kind, data, user, args.reason)
    print(f"lot {args.lot}: archived document {record.id} ({record.kind}) SHA-256 {record.sha256}")
    return 0


# ---------------------------------------------------------------- parsers


def add_parsers(sub: Any) -> None:
    common = register_options()
    batch = sub.add_parser("batch", help="batches in the register").add_subparsers(
        dest="batch_command", required=True, metavar="ACTION"
    )
    add_command(batch, "new", cmd_batch_new, common, "register a batch file; allocates the lot number").add_argument(
        "file"
    )
    p = add_command(
        batch, "show", cmd_batch_show, common, "show a batch with signatures, print jobs and reconciliation"
    )
    p.add_argument("lot")
    add_json(p)
    p = add_command(batch, "list", cmd_batch_list, common, "list batches (filters combine)")
    add_filters(p)
    p.add_argument("--text", help="lot or product contains TEXT")
    p = add_command(
        batch,
        "print",
        cmd_batch_print,
        common,
        "render the serialized labels of a registered batch, archive and count them, write the PDFs",
    )
    p.add_argument("lot")
    p.add_argument("--labels", metavar="OUT.pdf", help="vial (unit) labels")
    p.add_argument("--carton", metavar="OUT.pdf", help="carton labels")
    p.add_argument("--stock", help="vial label stock (default: by container volume; see `labelapp stocks`)")
    p.add_argument("--carton-stock", help="carton label stock")
    p.add_argument("--count", type=int, help="labels to print (default: units + specimens + retains)")
    p.add_argument("--printer", required=True, help="the printer the PDF is sent to (recorded with the job)")
    p = add_command(
        batch,
        "record",
        cmd_batch_record,
        common,
        "write the batch production record with its signatures and reconciliation",
    )
    p.add_argument("lot")
    p.add_argument("--out", required=True, metavar="OUT.pdf")
    p.add_argument("--archive", action="store_true", help="also archive this version of the record")
    p.add_argument("--reason", help="why this version is archived")
    p = add_command(batch, "sign", cmd_batch_sign, common, "e-sign a batch: performed, verified or released")
    p.add_argument("lot")
    p.add_argument("--meaning", required=True, choices=["performed", "verified", "released"])
    p.add_argument("--comment")
    p = add_command(
        batch,
        "acknowledge",
        cmd_batch_acknowledge,
        common,
        "e-sign a pharmacist's acknowledgement of a plausibility finding (labels print once all are acknowledged)",
    )
    p.add_argument("lot")
    p.add_argument("code", help="the finding's code, as `batch show` or `labelapp calc` lists it")
    p.add_argument("--reason", required=True, help="why the value is right (or acceptable)")
    p = add_command(batch, "reconcile", cmd_batch_reconcile, common, "record label reconciliation (21 CFR 211.125)")
    p.add_argument("lot")
    for name in ("applied", "specimens", "destroyed", "returned"):
        p.add_argument(f"--{name}", type=count_arg, required=True)
    p.add_argument("--note", help="investigation note explaining a difference")
    p = add_command(
        batch, "status", cmd_batch_status, common, "show the status, or --set rejected/voided with a reason"
    )
    p.add_argument("lot")
    p.add_argument("--set", choices=["rejected", "voided"])
    p.add_argument("--reason")
    p = add_command(
        batch,
        "record-print",
        cmd_batch_record_print,
        common,
        "archive a printed PDF and record the print job (labels issued)",
    )
    p.add_argument("lot")
    p.add_argument("--pdf", required=True)
    p.add_argument("--kind", default="label")
    p.add_argument("--count", type=int, required=True, help="labels (or copies) printed")
    p.add_argument("--stock", required=True)
    p.add_argument("--printer", required=True)
    p = add_command(batch, "archive", cmd_batch_archive, common, "archive a PDF for a batch (e.g. the batch record)")
    p.add_argument("lot")
    p.add_argument("--pdf", required=True)
    p.add_argument("--kind", default="batch_record")
    p.add_argument("--reason")
    add_batch_parsers(batch, common)
