"""`labelapp audit` (verify, show) and `labelapp backup`."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from labelapp.commands.common import add_command, add_json, print_json, register_options, safe, signed_in
from labelapp.domain.errors import LabelappError


def _anchor(text: str) -> tuple[int, str]:
    seq, sep, digest = text.partition(":")
    if not (sep and seq.strip().isdigit() and re.fullmatch(r"[0-9a-fA-F]{64}", digest.strip())):
        raise LabelappError(
            f"--anchor {text!r}: write SEQ:SHA256 as printed on the batch record, e.g. 17:5287a8cb...(64 hex digits)"
        )
    return int(seq), digest.strip().lower()


def cmd_audit_verify(args: argparse.Namespace) -> int:
    anchors = tuple(_anchor(a) for a in args.anchor)
    with signed_in(args) as (reg, _user, _pw):
        result = reg.audit.verify(anchors)
    for note in result.notes:
        print(f"note: {safe(note)}")
    if not result.ok:
        for problem in result.problems:
            print(f"NOT INTACT: {safe(problem)}", file=sys.stderr)
        raise LabelappError(
            f"the register FAILED verification ({len(result.problems)} problem"
            f"{'s' if len(result.problems) != 1 else ''}): {safe(result.problems[0])}"
        )
    print(
        f"register intact: {result.entries_checked} audit entries ({result.signed_entries} signed"
        f"{f', {result.legacy_entries} from before signing' if result.legacy_entries else ''}), "
        f"{result.rows_checked} rows match the chain, {result.witness_lines} witness lines and "
        f"{result.documents_checked} archived documents checked; head {result.head_seq} {result.head_hash}"
    )
    return 0


def cmd_audit_show(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        record_type, record_id = args.record_type, args.record_id
        if args.lot:
            record_type, record_id = "batch", reg.batches.by_lot(args.lot).id
        entries = reg.audit.entries(record_type, record_id, args.limit, newest_first=True)
    if args.json:
        print_json(entries)
        return 0
    for e in reversed(entries):
        print(
            f"{e.seq:>6} {e.at_utc} {e.username or '-':<12} {e.action:<22} {e.record_type}:{e.record_id}"
            + (f" reason={e.reason!r}" if e.reason else "")
        )
        if e.old_value:
            print(f"         old {e.old_value}")
        if e.new_value:
            print(f"         new {e.new_value}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, _pw):
        result, problems = reg.archive.backup(args.destination, user)
    print(
        f"backup written to {result.folder}: database {Path(result.database_file).name}, "
        f"{result.documents_copied} archived documents, audit trail {'ok' if result.audit_ok else 'FAILED'}"
    )
    for problem in problems:
        print(f"  not copied: {problem}")
    if problems:
        raise LabelappError("the backup is incomplete: see the lines above")
    if not result.audit_ok:
        raise LabelappError(
            "the backup is a full copy, but the audit trail in it fails verification: "
            "run `labelapp audit verify` on the register and investigate before relying on it"
        )
    return 0


# ---------------------------------------------------------------- parsers


def add_parsers(sub: Any) -> None:
    common = register_options()
    audit = sub.add_parser("audit", help="the audit trail").add_subparsers(
        dest="audit_command", required=True, metavar="ACTION"
    )
    p = add_command(audit, "verify", cmd_audit_verify, common, "verify the hash chain; names the first bad entry")
    p.add_argument(
        "--anchor",
        action="append",
        default=[],
        metavar="SEQ:SHA256",
        help="an audit anchor printed on a batch record; the trail must still contain it (repeatable)",
    )
    p = add_command(audit, "show", cmd_audit_show, common, "show audit entries (newest last)")
    p.add_argument("--lot")
    p.add_argument("--record-type")
    p.add_argument("--record-id")
    p.add_argument("--limit", type=int, default=50)
    add_json(p)
    p = add_command(sub, "backup", cmd_backup, common, "write a consistent copy of the database and the archive")
    p.add_argument("destination")
