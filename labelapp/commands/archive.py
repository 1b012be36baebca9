"""`labelapp archive`: archived PDFs (list, search, show, export, reprint, check)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from labelapp.commands.common import (
    add_command,
    add_filters,
    add_json,
    print_json,
    print_table,
    register_options,
    signed_in,
    when,
)
from labelapp.domain.errors import LabelappError
from labelapp.domain.files import atomic_write
from labelapp.domain.records import ArchivedDocumentRecord
from labelapp.services.register import Register


def _list_documents(reg: Register, args: argparse.Namespace, text: str | None) -> list[ArchivedDocumentRecord]:
    return reg.archive.search(
        lot=args.lot,
        product=args.product,
        status=args.status,
        kind=args.kind,
        text=text,
        archived_from=args.date_from,
        archived_to=args.date_to,
        limit=args.limit,
        check=args.check,
    )


def _print_documents(found: list[ArchivedDocumentRecord], as_json: bool) -> None:
    if as_json:
        print_json(found)
        return
    print_table(
        [
            [
                d.id,
                d.lot_number,
                d.product_name,
                d.batch_status.value if d.batch_status else "",
                d.kind,
                d.size_bytes,
                when(d.created_at),
                d.created_by,
                d.sha256[:16],
                d.integrity,
            ]
            for d in found
        ],
        ["ID", "LOT", "PRODUCT", "STATUS", "KIND", "BYTES", "ARCHIVED", "BY", "SHA-256", "CHECK"],
    )


def cmd_archive_list(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        found = _list_documents(reg, args, None)
    _print_documents(found, args.json)
    return 0


def cmd_archive_search(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        found = _list_documents(reg, args, args.text)
    _print_documents(found, args.json)
    return 0


def cmd_archive_show(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        record = reg.archive.find(args.document)
        jobs = reg.archive.print_jobs(record.id)
    if args.json:
        print_json(record)
    else:
        print(
            f"document {record.id}: {record.kind} for lot {record.lot_number} ({record.product_name}), "
            f"{record.size_bytes} bytes"
        )
        print(f"  SHA-256 {record.sha256}; archived {when(record.created_at)} by {record.created_by}")
        print(f"  file {record.file_name}: {record.integrity.upper()}")
        for j in jobs:
            print(
                f"  job {j.job_number}: x{j.label_count} on {j.printer} by {j.printed_by} {when(j.printed_at)}"
                + (f" [reprint: {j.reason}]" if j.is_reprint else "")
            )
    if record.integrity != "ok":
        raise LabelappError(f"archived document {record.id} is {record.integrity}")
    return 0


def cmd_archive_export(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, _pw):
        record = reg.archive.find(args.document)
        target = reg.archive.export(record.id, args.destination, user)
    print(f"exported document {record.id} to {target} (SHA-256 verified)")
    return 0


def cmd_archive_reprint(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, _pw):
        record = reg.archive.find(args.document)
        job, data = reg.archive.reprint(record.id, user, args.reason, args.count, args.printer, args.stock)
        out = Path(args.output)
        atomic_write(out, data)
    print(f"reprint recorded as job {job.job_number} (x{job.label_count}); the archived PDF is in {out}")
    return 0


def cmd_archive_check(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        result = reg.archive.check()
    for d in result.damaged + result.missing:
        print(f"document {d.id} (lot {d.lot_number}, {d.kind}) is {d.integrity.upper()}: {d.file_name}")
    if not result.ok:
        raise LabelappError(
            f"{len(result.damaged)} damaged and {len(result.missing)} missing of {result.checked} archived documents"
        )
    print(f"all {result.checked} archived documents match their SHA-256")
    return 0


# ---------------------------------------------------------------- parsers


def add_parsers(sub: Any) -> None:
    common = register_options()
    archive = sub.add_parser("archive", help="archived PDFs").add_subparsers(
        dest="archive_command", required=True, metavar="ACTION"
    )
    for name, func in (("list", cmd_archive_list), ("search", cmd_archive_search)):
        p = add_command(archive, name, func, common, f"{name} archived documents (archive dates with --from/--to)")
        if name == "search":
            p.add_argument("text", help="lot or product contains TEXT")
        add_filters(p)
        p.add_argument("--kind")
        p.add_argument("--check", action="store_true", help="check each file against its SHA-256")
    p = add_command(archive, "show", cmd_archive_show, common, "show a document and check its bytes")
    p.add_argument("document", help="id or SHA-256 prefix")
    add_json(p)
    p = add_command(archive, "export", cmd_archive_export, common, "copy a document out (hash verified)")
    p.add_argument("document")
    p.add_argument("destination")
    p = add_command(
        archive,
        "reprint",
        cmd_archive_reprint,
        common,
        "re-issue an archived document as a numbered reprint (writes the PDF to --output)",
    )
    p.add_argument("document")
    p.add_argument("--reason", required=True)
    p.add_argument("--output", required=True, help="where to write the PDF to print")
    p.add_argument("--count", type=int)
    p.add_argument("--printer")
    p.add_argument("--stock")
    add_command(archive, "check", cmd_archive_check, common, "check every archived document against its SHA-256")
