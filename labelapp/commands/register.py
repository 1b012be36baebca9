"""`labelapp batch|formula|archive|audit|users|settings|backup`: the batch register from the command line.

Every command signs in: ``--user NAME`` (or $LABELAPP_USER) and the password from a prompt, or
the first line of standard input with ``--password-stdin``. Passwords are never taken from the
command line or the environment. Commands that sign (formula approve, batch sign, batch status
--set) use that password as the signature password: the user enters both components.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from labelapp.domain.errors import LabelappError

ENV_USER = "LABELAPP_USER"
STATUSES = ["draft", "compounded", "verified", "released", "rejected", "voided"]


# ---------------------------------------------------------------- sign-in plumbing

class Passwords:
    """Reads passwords from the terminal, or line by line from stdin (``--password-stdin``)."""

    def __init__(self, from_stdin: bool):
        self.from_stdin = from_stdin

    def read(self, prompt: str) -> str:
        if self.from_stdin:
            line = sys.stdin.readline()
            if not line:
                raise LabelappError("--password-stdin: no password line left on standard input")
            return line.rstrip("\r\n")
        if not sys.stdin.isatty():
            raise LabelappError("no terminal to ask for the password; use --password-stdin")
        return getpass.getpass(prompt)

    def new(self, username: str) -> str:
        first = self.read(f"New password for {username}: ")
        if not self.from_stdin and self.read(f"Repeat the password for {username}: ") != first:
            raise LabelappError("the two passwords differ")
        return first


def _passwords(args: argparse.Namespace) -> Passwords:
    return Passwords(getattr(args, "password_stdin", False))


def _open(args: argparse.Namespace):
    from labelapp.services.register import Register
    return Register.open(getattr(args, "database", None), getattr(args, "archive_dir", None))


def _username(args: argparse.Namespace) -> str:
    name = getattr(args, "user", None) or os.environ.get(ENV_USER)
    if not name:
        raise LabelappError("sign in with --user NAME (or set LABELAPP_USER)")
    return name


@contextmanager
def signed_in(args: argparse.Namespace) -> Iterator[tuple[Any, Any, str]]:
    """(register, authenticated user, password) for the duration of one command."""
    reg = _open(args)
    try:
        name = _username(args)
        password = _passwords(args).read(f"Password for {name}: ")
        yield reg, reg.authenticate(name, password), password
    finally:
        reg.close()


# ---------------------------------------------------------------- output helpers

def _print_json(value: Any) -> None:
    if isinstance(value, list):
        print(json.dumps([json.loads(v.model_dump_json()) for v in value], indent=2, ensure_ascii=False))
    else:
        print(value.model_dump_json(indent=2))


def _table(rows: list[list[Any]], headers: list[str]) -> None:
    cells = [headers] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    if not rows:
        print("(none)")


def _when(moment: Any) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC" if moment else ""


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must not be negative")
    return value


def _read_pdf(path: str) -> bytes:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise LabelappError(f"{path}: cannot be read ({exc.strerror})") from None
    if not data.startswith(b"%PDF-"):
        raise LabelappError(f"{path}: is not a PDF file")
    return data


# ---------------------------------------------------------------- users

def cmd_users_add(args: argparse.Namespace) -> int:
    reg = _open(args)
    try:
        passwords = _passwords(args)
        actor = None
        if reg.has_users():
            name = _username(args)
            actor = reg.authenticate(name, passwords.read(f"Password for {name}: "))
        created = reg.create_user(args.username, args.name, args.role, passwords.new(args.username), actor=actor)
    finally:
        reg.close()
    print(f"added user {created.username} ({created.full_name}, {created.role.value})")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        users = reg.list_users()
    if args.json:
        _print_json(users)
        return 0
    _table([[u.username, u.full_name, u.role.value, "active" if u.active else "disabled",
             "locked" if u.locked else "", u.failed_attempts] for u in users],
           ["USER", "NAME", "ROLE", "STATE", "LOCK", "FAILED"])
    return 0


def cmd_users_disable(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, _pw):
        reg.disable_user(args.username, user, args.reason)
    print(f"disabled user {args.username}")
    return 0


def cmd_users_unlock(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, _pw):
        reg.unlock_user(args.username, user, args.reason)
    print(f"unlocked user {args.username}")
    return 0


def cmd_users_password(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, password):
        target = args.username or user.username
        new = _passwords(args).new(target)
        if target == user.username:
            reg.change_password(target, password, new)
        else:
            reg.reset_password(target, new, user, args.reason)
    print(f"password changed for {target}")
    return 0


# ---------------------------------------------------------------- settings

def cmd_settings_show(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        current, facility = reg.settings(), reg.facility()
    print(current.model_dump_json(indent=2))
    print(f"facility: {json.dumps(facility, ensure_ascii=False) if facility else '(not set)'}")
    return 0


def cmd_settings_set(args: argparse.Namespace) -> int:
    try:
        value = json.loads(args.value)
    except json.JSONDecodeError:
        value = args.value
    with signed_in(args) as (reg, user, _pw):
        if args.key.partition(".")[0] not in type(reg.settings()).model_fields:
            raise LabelappError(f"unknown setting {args.key!r}")
        reg.update_settings(user, {args.key: value}, args.reason)
    print(f"{args.key} = {json.dumps(value)}")
    return 0


def cmd_settings_facility(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from labelapp.domain.errors import InputError, issues_from_validation
    from labelapp.domain.facility import Facility
    from labelapp.services.calculate import read_document

    data = read_document(Path(args.file))
    if isinstance(data, dict) and "facility" in data:
        data = data["facility"]
    try:
        facility = Facility.model_validate(data)
    except ValidationError as exc:
        raise InputError(issues_from_validation(exc), source=args.file) from None
    with signed_in(args) as (reg, user, _pw):
        reg.set_facility(facility, user, args.reason)
    print(f"facility set: {facility.name}, {facility.address}, {facility.phone}")
    return 0


# ---------------------------------------------------------------- formulas

def _load_formula(path: str):
    from pydantic import ValidationError

    from labelapp.domain.errors import InputError, issues_from_validation
    from labelapp.domain.formula import Formula
    from labelapp.services.calculate import read_document

    data = read_document(Path(path))
    if isinstance(data, dict) and "formula" in data and "batch" in data:
        data = data["formula"]
    try:
        return Formula.model_validate(data)
    except ValidationError as exc:
        raise InputError(issues_from_validation(exc), source=path) from None


def cmd_formula_add(args: argparse.Namespace) -> int:
    formula = _load_formula(args.file)
    with signed_in(args) as (reg, user, _pw):
        record = reg.add_formula(formula, user)
    print(f"added formula {record.code} version {record.version} ({record.name}) as draft")
    return 0


def cmd_formula_add_ingredient(args: argparse.Namespace) -> int:
    from labelapp.services.calculate import read_document

    data = read_document(Path(args.file))
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise LabelappError(f"{args.file}: an ingredient needs at least name, mw and particles")
    with signed_in(args) as (reg, user, _pw):
        record = reg.add_ingredient(data["name"], data, user)
    print(f"added facility ingredient {record.name}; calculations in this register now know it")
    return 0


def cmd_formula_approve(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, password):
        record = reg.approve_formula(args.code, args.version, user, password)
    print(f"approved formula {record.code} version {record.version}, signed by {user.full_name} at "
          f"{_when(record.approved_at)}")
    return 0


def cmd_formula_list(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        found = reg.list_formulas(args.code, args.status)
    if args.json:
        _print_json(found)
        return 0
    _table([[f.code, f.version, f.name, f.status.value, f.created_by, f.approved_by, _when(f.approved_at)]
            for f in found], ["CODE", "VERSION", "NAME", "STATUS", "ADDED BY", "APPROVED BY", "APPROVED"])
    return 0


def cmd_formula_show(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        record = reg.get_formula(args.code, args.version)
        signatures = reg.formula_signatures(record.id)
    if args.json:
        _print_json(record)
        return 0
    print(f"formula {record.code} version {record.version}: {record.name} [{record.status.value}]")
    print(f"  added by {record.created_by} {_when(record.created_at)}; SHA-256 {record.content_sha256}")
    for s in signatures:
        print(f"  signed: {s.manifestation()}{'' if s.content_matches else '  ** CONTENT CHANGED SINCE SIGNING **'}")
    print(json.dumps(record.document_data(), indent=2, ensure_ascii=False))
    return 0


# ---------------------------------------------------------------- batches

def cmd_batch_new(args: argparse.Namespace) -> int:
    from labelapp.services.calculate import load_batch_file

    batch_file = load_batch_file(args.file)
    with signed_in(args) as (reg, user, _pw):
        record = reg.new_batch(batch_file, user)
    print(f"lot {record.lot_number}: {record.product_name}, formula {record.formula_code} "
          f"v{record.formula_version}, expires {record.expiration_date}, status {record.status.value}")
    return 0


def _print_batch(detail: Any) -> None:
    b = detail.batch
    print(f"lot {b.lot_number} (batch {b.id}): {b.product_name} — {b.status.value.upper()}"
          + (f" ({b.status_reason})" if b.status_reason else ""))
    print(f"  formula {b.formula_code} v{b.formula_version}; compounded {b.compounded_on}; expires {b.expiration_date}")
    print(f"  prepared by {b.created_by} {_when(b.created_at)}; content SHA-256 {b.document_sha256}")
    for s in detail.signatures:
        flag = "" if s.content_matches else "  ** CONTENT CHANGED SINCE SIGNING **"
        print(f"  signature: {s.manifestation()}{' — ' + s.reason if s.reason else ''}{flag}")
    for j in detail.print_jobs:
        kind = f"reprint of job {j.reprint_of}: {j.reason}" if j.is_reprint else "print"
        print(f"  job {j.job_number}: {j.kind} x{j.label_count} on {j.printer} ({j.stock}) by {j.printed_by} "
              f"{_when(j.printed_at)} [{kind}] doc {j.document_id}")
    for d in detail.documents:
        print(f"  archived document {d.id}: {d.kind}, {d.size_bytes} bytes, SHA-256 {d.sha256}")
    r = detail.reconciliation
    state = "BLOCKS VERIFICATION" if r.blocks_verification else "ok"
    print(f"  labels issued {r.labels_issued}; reconciliation {state}: {r.explanation}")


def cmd_batch_show(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        detail = reg.batch_detail(reg.batch_by_lot(args.lot).id)
    if args.json:
        _print_json(detail)
    else:
        _print_batch(detail)
    return 0


def _batch_criteria(args: argparse.Namespace) -> dict[str, Any]:
    return {"lot": args.lot, "product": args.product, "status": args.status, "date_from": args.date_from,
            "date_to": args.date_to, "text": getattr(args, "text", None), "limit": args.limit}


def cmd_batch_list(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        found = reg.list_batches(**_batch_criteria(args))
    if args.json:
        _print_json(found)
        return 0
    _table([[b.lot_number, b.product_name, f"{b.formula_code} v{b.formula_version}", b.status.value,
             b.compounded_on, b.expiration_date, b.created_by] for b in found],
           ["LOT", "PRODUCT", "FORMULA", "STATUS", "COMPOUNDED", "EXPIRES", "PREPARED BY"])
    return 0


def cmd_batch_sign(args: argparse.Namespace) -> int:
    from labelapp.services.documents import archive_batch_record

    with signed_in(args) as (reg, user, password):
        batch = reg.batch_by_lot(args.lot)
        signature = reg.sign(batch.id, user, password, args.meaning, args.comment)
        print(f"lot {args.lot} signed: {signature.manifestation()}")
        if args.meaning == "released":
            record = archive_batch_record(reg, batch.id, user, "batch record as released")
            print(f"lot {args.lot}: released batch record archived, SHA-256 {record.sha256}")
    return 0


def cmd_batch_print(args: argparse.Namespace) -> int:
    """Render the label runs of a registered batch, record each (archived, issued), then write the files."""
    from labelapp.render.pdfio import write_atomic
    from labelapp.services.documents import issue_labels

    runs = [(kind, out, stock) for kind, out, stock in (("vial", args.labels, args.stock),
                                                      ("carton", args.carton, args.carton_stock)) if out]
    if not runs:
        raise LabelappError("batch print: give --labels OUT.pdf and/or --carton OUT.pdf")
    with signed_in(args) as (reg, user, _pw):
        batch = reg.batch_by_lot(args.lot)
        for kind, out, stock in runs:
            printed = issue_labels(reg, batch.id, user, kind, args.printer, stock, args.count)
            write_atomic(Path(out), printed.run.pdf)
            print(f"lot {args.lot}: {kind} labels x{printed.run.count} on {printed.run.stock} -> {out}; "
                  f"print job {printed.job.job_number} recorded for {args.printer}, "
                  f"SHA-256 {printed.job.document_sha256}")
    return 0


def cmd_batch_record(args: argparse.Namespace) -> int:
    """The batch production record as it stands (signatures, reconciliation, specimens)."""
    from labelapp.render.pdfio import write_atomic
    from labelapp.services.documents import BATCH_RECORD_KIND, render_batch_record

    with signed_in(args) as (reg, user, _pw):
        batch = reg.batch_by_lot(args.lot)
        data = render_batch_record(reg, batch.id)
        if args.archive:  # the very bytes written below, not a second rendering
            record = reg.archive_document(batch.id, BATCH_RECORD_KIND, data, user, args.reason)
            print(f"lot {args.lot}: batch record archived, SHA-256 {record.sha256}")
    write_atomic(Path(args.out), data)
    print(f"lot {args.lot}: batch record -> {args.out}")
    return 0


def cmd_batch_reconcile(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, _pw):
        batch = reg.batch_by_lot(args.lot)
        reg.record_reconciliation(batch.id, user, applied=args.applied, specimens=args.specimens,
                                  destroyed=args.destroyed, returned=args.returned, investigation_note=args.note)
        status = reg.reconciliation_status(batch.id)
    verdict = "BLOCKS VERIFICATION" if status.blocks_verification else "ok"
    print(f"lot {args.lot}: reconciliation {verdict}: {status.explanation}")
    return 0


def cmd_batch_status(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, password):
        batch = reg.batch_by_lot(args.lot)
        if args.set:
            reg.sign(batch.id, user, password, args.set, args.reason)
        batch = reg.get_batch(batch.id)
        recon = reg.reconciliation_status(batch.id)
    print(f"lot {batch.lot_number}: {batch.status.value}" + (f" ({batch.status_reason})" if batch.status_reason else ""))
    if batch.status.value in ("draft", "compounded"):
        print(f"  reconciliation: {'blocks verification' if recon.blocks_verification else 'ok'}: {recon.explanation}")
    return 0


def cmd_batch_record_print(args: argparse.Namespace) -> int:
    data = _read_pdf(args.pdf)
    with signed_in(args) as (reg, user, _pw):
        batch = reg.batch_by_lot(args.lot)
        job = reg.record_print_job(batch.id, args.kind, args.stock, args.count, args.printer, data, user)
    print(f"lot {args.lot}: print job {job.job_number} recorded ({job.kind} x{job.label_count}); "
          f"archived as {job.document_sha256}")
    return 0


def cmd_batch_archive(args: argparse.Namespace) -> int:
    data = _read_pdf(args.pdf)
    with signed_in(args) as (reg, user, _pw):
        batch = reg.batch_by_lot(args.lot)
        record = reg.archive_document(batch.id, args.kind, data, user, args.reason)
    print(f"lot {args.lot}: archived document {record.id} ({record.kind}) SHA-256 {record.sha256}")
    return 0


# ---------------------------------------------------------------- archive

def _list_documents(reg: Any, args: argparse.Namespace, text: str | None) -> list:
    return reg.list_documents(lot=args.lot, product=args.product, status=args.status, kind=args.kind, text=text,
                              archived_from=args.date_from, archived_to=args.date_to, limit=args.limit,
                              check=args.check)


def _print_documents(found: list, as_json: bool) -> None:
    if as_json:
        _print_json(found)
        return
    _table([[d.id, d.lot_number, d.product_name, d.batch_status.value if d.batch_status else "", d.kind,
             d.size_bytes, _when(d.created_at), d.created_by, d.sha256[:16], d.integrity] for d in found],
           ["ID", "LOT", "PRODUCT", "STATUS", "KIND", "BYTES", "ARCHIVED", "BY", "SHA-256", "CHECK"])


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
        record = reg.find_document(args.document)
        jobs = reg.document_print_jobs(record.id)
    if args.json:
        _print_json(record)
    else:
        print(f"document {record.id}: {record.kind} for lot {record.lot_number} ({record.product_name}), "
              f"{record.size_bytes} bytes")
        print(f"  SHA-256 {record.sha256}; archived {_when(record.created_at)} by {record.created_by}")
        print(f"  file {record.file_name}: {record.integrity.upper()}")
        for j in jobs:
            print(f"  job {j.job_number}: x{j.label_count} on {j.printer} by {j.printed_by} {_when(j.printed_at)}"
                  + (f" [reprint: {j.reason}]" if j.is_reprint else ""))
    if record.integrity != "ok":
        raise LabelappError(f"archived document {record.id} is {record.integrity}")
    return 0


def cmd_archive_export(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, _pw):
        record = reg.find_document(args.document)
        target = reg.export_document(record.id, args.destination, user)
    print(f"exported document {record.id} to {target} (SHA-256 verified)")
    return 0


def cmd_archive_reprint(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, _pw):
        record = reg.find_document(args.document)
        job, data = reg.reprint(record.id, user, args.reason, args.count, args.printer, args.stock)
        out = Path(args.output)
        from labelapp.store.archive import atomic_write
        atomic_write(out, data)
    print(f"reprint recorded as job {job.job_number} (x{job.label_count}); the archived PDF is in {out}")
    return 0


def cmd_archive_check(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        result = reg.check_archive()
    for d in result.damaged + result.missing:
        print(f"document {d.id} (lot {d.lot_number}, {d.kind}) is {d.integrity.upper()}: {d.file_name}")
    if not result.ok:
        raise LabelappError(f"{len(result.damaged)} damaged and {len(result.missing)} missing of "
                            f"{result.checked} archived documents")
    print(f"all {result.checked} archived documents match their SHA-256")
    return 0


# ---------------------------------------------------------------- audit and backup

def _anchor(text: str) -> tuple[int, str]:
    seq, sep, digest = text.partition(":")
    if not (sep and seq.strip().isdigit() and re.fullmatch(r"[0-9a-fA-F]{64}", digest.strip())):
        raise LabelappError(f"--anchor {text!r}: write SEQ:SHA256 as printed on the batch record, "
                            "e.g. 17:5287a8cb...(64 hex digits)")
    return int(seq), digest.strip().lower()


def cmd_audit_verify(args: argparse.Namespace) -> int:
    anchors = tuple(_anchor(a) for a in args.anchor)
    with signed_in(args) as (reg, _user, _pw):
        result = reg.verify_audit(anchors)
    if not result.ok:
        raise LabelappError(f"audit trail FAILED verification: {result.problem}")
    print(f"audit trail ok: {result.entries_checked} entries; head {result.head_seq} {result.head_hash}")
    return 0


def cmd_audit_show(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        record_type, record_id = args.record_type, args.record_id
        if args.lot:
            record_type, record_id = "batch", reg.batch_by_lot(args.lot).id
        entries = reg.audit_entries(record_type, record_id, args.limit, newest_first=True)
    if args.json:
        _print_json(entries)
        return 0
    for e in reversed(entries):
        print(f"{e.seq:>6} {e.at_utc} {e.username or '-':<12} {e.action:<22} {e.record_type}:{e.record_id}"
              + (f" reason={e.reason!r}" if e.reason else ""))
        if e.old_value:
            print(f"         old {e.old_value}")
        if e.new_value:
            print(f"         new {e.new_value}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, _pw):
        result, problems = reg.backup(args.destination, user)
    print(f"backup written to {result.folder}: database {Path(result.database_file).name}, "
          f"{result.documents_copied} archived documents, audit trail {'ok' if result.audit_ok else 'FAILED'}")
    for problem in problems:
        print(f"  not copied: {problem}")
    if problems:
        raise LabelappError("the backup is incomplete: see the lines above")
    if not result.audit_ok:
        raise LabelappError("the backup is a full copy, but the audit trail in it fails verification: "
                            "run `labelapp audit verify` on the register and investigate before relying on it")
    return 0


# ---------------------------------------------------------------- parsers

def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("register")
    group.add_argument("--database", metavar="URL", default=argparse.SUPPRESS,
                       help="sqlite:///FILE or postgresql://... (default: $LABELAPP_DATABASE_URL, else the "
                            "SQLite file in the user data folder)")
    group.add_argument("--archive-dir", metavar="DIR", default=argparse.SUPPRESS,
                       help="archive folder (default: $LABELAPP_ARCHIVE_DIR, the archive_dir setting, or next to "
                            "the database)")
    group.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS, help="sign in as NAME ($LABELAPP_USER)")
    group.add_argument("--password-stdin", action="store_true", default=argparse.SUPPRESS,
                       help="read password(s) from standard input, one per line, instead of prompting")
    return common


def _cmd(sub: Any, name: str, func: Any, common: argparse.ArgumentParser, help_text: str) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
    parser.set_defaults(func=func)
    return parser


def _add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lot", help="lot number (part of it)")
    parser.add_argument("--product", help="product name (part of it)")
    parser.add_argument("--status", choices=STATUSES)
    parser.add_argument("--from", dest="date_from", type=_date, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", type=_date, metavar="YYYY-MM-DD")
    parser.add_argument("--limit", type=int, default=None)
    _add_json(parser)


def _users_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    users = sub.add_parser("users", help="user accounts").add_subparsers(dest="users_command", required=True,
                                                                          metavar="ACTION")
    p = _cmd(users, "add", cmd_users_add, common, "add a user (the very first user, an admin, needs no sign-in)")
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=["technician", "pharmacist", "qa", "admin"])
    p.add_argument("--name", required=True, help="printed full name used in signatures")
    _add_json(_cmd(users, "list", cmd_users_list, common, "list users"))
    p = _cmd(users, "disable", cmd_users_disable, common, "disable a user (admin)")
    p.add_argument("username")
    p.add_argument("--reason", required=True)
    p = _cmd(users, "unlock", cmd_users_unlock, common, "unlock a locked-out user (admin)")
    p.add_argument("username")
    p.add_argument("--reason")
    p = _cmd(users, "password", cmd_users_password, common, "change your password, or (admin) reset another's")
    p.add_argument("username", nargs="?")
    p.add_argument("--reason", help="required when resetting another user's password")


def _formula_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    formula = sub.add_parser("formula", help="master formula versions").add_subparsers(
        dest="formula_command", required=True, metavar="ACTION")
    _cmd(formula, "add", cmd_formula_add, common, "add a formula version as draft (a formula file or a batch "
         "file)").add_argument("file")
    _cmd(formula, "add-ingredient", cmd_formula_add_ingredient, common,
         "add a facility ingredient (name, mw, particles, ions...; YAML or JSON) for use in formulas"
         ).add_argument("file")
    p = _cmd(formula, "approve", cmd_formula_approve, common, "approve a draft version (pharmacist e-signature)")
    p.add_argument("code")
    p.add_argument("version")
    p = _cmd(formula, "list", cmd_formula_list, common, "list formula versions")
    p.add_argument("--code")
    p.add_argument("--status", choices=["draft", "approved", "superseded"])
    _add_json(p)
    p = _cmd(formula, "show", cmd_formula_show, common, "show a formula version (default: the approved one)")
    p.add_argument("code")
    p.add_argument("--version")
    _add_json(p)


def _batch_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    batch = sub.add_parser("batch", help="batches in the register").add_subparsers(
        dest="batch_command", required=True, metavar="ACTION")
    _cmd(batch, "new", cmd_batch_new, common, "register a batch file; allocates the lot number").add_argument("file")
    p = _cmd(batch, "show", cmd_batch_show, common, "show a batch with signatures, print jobs and reconciliation")
    p.add_argument("lot")
    _add_json(p)
    p = _cmd(batch, "list", cmd_batch_list, common, "list batches (filters combine)")
    _add_filters(p)
    p.add_argument("--text", help="lot or product contains TEXT")
    p = _cmd(batch, "print", cmd_batch_print, common,
             "render the serialized labels of a registered batch, archive and count them, write the PDFs")
    p.add_argument("lot")
    p.add_argument("--labels", metavar="OUT.pdf", help="vial (unit) labels")
    p.add_argument("--carton", metavar="OUT.pdf", help="carton labels")
    p.add_argument("--stock", help="vial label stock (default: by container volume; see `labelapp stocks`)")
    p.add_argument("--carton-stock", help="carton label stock")
    p.add_argument("--count", type=int, help="labels to print (default: units + specimens + retains)")
    p.add_argument("--printer", required=True, help="the printer the PDF is sent to (recorded with the job)")
    p = _cmd(batch, "record", cmd_batch_record, common,
             "write the batch production record with its signatures and reconciliation")
    p.add_argument("lot")
    p.add_argument("--out", required=True, metavar="OUT.pdf")
    p.add_argument("--archive", action="store_true", help="also archive this version of the record")
    p.add_argument("--reason", help="why this version is archived")
    p = _cmd(batch, "sign", cmd_batch_sign, common, "e-sign a batch: performed, verified or released")
    p.add_argument("lot")
    p.add_argument("--meaning", required=True, choices=["performed", "verified", "released"])
    p.add_argument("--comment")
    p = _cmd(batch, "reconcile", cmd_batch_reconcile, common, "record label reconciliation (21 CFR 211.125)")
    p.add_argument("lot")
    for name in ("applied", "specimens", "destroyed", "returned"):
        p.add_argument(f"--{name}", type=_count, required=True)
    p.add_argument("--note", help="investigation note explaining a difference")
    p = _cmd(batch, "status", cmd_batch_status, common, "show the status, or --set rejected/voided with a reason")
    p.add_argument("lot")
    p.add_argument("--set", choices=["rejected", "voided"])
    p.add_argument("--reason")
    p = _cmd(batch, "record-print", cmd_batch_record_print, common,
             "archive a printed PDF and record the print job (labels issued)")
    p.add_argument("lot")
    p.add_argument("--pdf", required=True)
    p.add_argument("--kind", default="label")
    p.add_argument("--count", type=int, required=True, help="labels (or copies) printed")
    p.add_argument("--stock", required=True)
    p.add_argument("--printer", required=True)
    p = _cmd(batch, "archive", cmd_batch_archive, common, "archive a PDF for a batch (e.g. the batch record)")
    p.add_argument("lot")
    p.add_argument("--pdf", required=True)
    p.add_argument("--kind", default="batch_record")
    p.add_argument("--reason")


def _archive_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    archive = sub.add_parser("archive", help="archived PDFs").add_subparsers(
        dest="archive_command", required=True, metavar="ACTION")
    for name, func in (("list", cmd_archive_list), ("search", cmd_archive_search)):
        p = _cmd(archive, name, func, common, f"{name} archived documents (archive dates with --from/--to)")
        if name == "search":
            p.add_argument("text", help="lot or product contains TEXT")
        _add_filters(p)
        p.add_argument("--kind")
        p.add_argument("--check", action="store_true", help="check each file against its SHA-256")
    p = _cmd(archive, "show", cmd_archive_show, common, "show a document and check its bytes")
    p.add_argument("document", help="id or SHA-256 prefix")
    _add_json(p)
    p = _cmd(archive, "export", cmd_archive_export, common, "copy a document out (hash verified)")
    p.add_argument("document")
    p.add_argument("destination")
    p = _cmd(archive, "reprint", cmd_archive_reprint, common,
             "re-issue an archived document as a numbered reprint (writes the PDF to --output)")
    p.add_argument("document")
    p.add_argument("--reason", required=True)
    p.add_argument("--output", required=True, help="where to write the PDF to print")
    p.add_argument("--count", type=int)
    p.add_argument("--printer")
    p.add_argument("--stock")
    _cmd(archive, "check", cmd_archive_check, common, "check every archived document against its SHA-256")


def _audit_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    audit = sub.add_parser("audit", help="the audit trail").add_subparsers(
        dest="audit_command", required=True, metavar="ACTION")
    p = _cmd(audit, "verify", cmd_audit_verify, common, "verify the hash chain; names the first bad entry")
    p.add_argument("--anchor", action="append", default=[], metavar="SEQ:SHA256",
                   help="an audit anchor printed on a batch record; the trail must still contain it (repeatable)")
    p = _cmd(audit, "show", cmd_audit_show, common, "show audit entries (newest last)")
    p.add_argument("--lot")
    p.add_argument("--record-type")
    p.add_argument("--record-id")
    p.add_argument("--limit", type=int, default=50)
    _add_json(p)


def _settings_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    settings = sub.add_parser("settings", help="register settings").add_subparsers(
        dest="settings_command", required=True, metavar="ACTION")
    _cmd(settings, "show", cmd_settings_show, common, "show the register settings")
    p = _cmd(settings, "set", cmd_settings_set, common, "change a setting (admin)")
    p.add_argument("key", help="a setting, or a dotted path into one, e.g. calc.tonicity.hypertonic_from")
    p.add_argument("value", help="JSON value or plain text")
    p.add_argument("--reason")
    p = _cmd(settings, "facility", cmd_settings_facility, common,
             "set the facility (name, address, phone) that every new batch must carry (admin)")
    p.add_argument("file", help="a facility file, or a batch file whose facility to use")
    p.add_argument("--reason")


def add_register_parsers(subparsers: Any) -> None:
    common = _common()
    _batch_parsers(subparsers, common)
    _formula_parsers(subparsers, common)
    _archive_parsers(subparsers, common)
    _audit_parsers(subparsers, common)
    _users_parsers(subparsers, common)
    _settings_parsers(subparsers, common)
    p = _cmd(subparsers, "backup", cmd_backup, common, "write a consistent copy of the database and the archive")
    p.add_argument("destination")
