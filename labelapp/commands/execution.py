"""`labelapp batch step|steps|correct|verify-step|qc|deviation|disposition` and `labelapp materials`:
executing the batch record from a terminal, as the GUI's execution page does (docs/domain.md §5)."""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from labelapp.calc.execution import entry_text
from labelapp.commands.common import (
    add_command,
    add_json,
    date_arg,
    print_json,
    print_table,
    read_pdf,
    register_options,
    safe,
    signed_in,
    when,
)
from labelapp.domain.errors import LabelappError
from labelapp.domain.execution import Deviation, DeviationKind, ExecutionStatus, MaterialStatus, StepEntry
from labelapp.instruments.mtsics import MtSicsBalance, Reading

# ---------------------------------------------------------------- argument types


def moment_arg(text: str) -> datetime:
    """When a step happened: ISO 8601 with a zone (2026-12-01T09:30+00:00); without a zone it is local time."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date and time (YYYY-MM-DDTHH:MM)") from None
    return moment.astimezone(UTC) if moment.tzinfo is None else moment


def decimal_arg(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"{text!r} is not a number")
    return value


def deviation_arg(text: str) -> int:
    """DEV-3 or 3: the deviation's number within its batch."""
    cleaned = text.strip().upper().removeprefix("DEV-")
    if not cleaned.isdigit() or int(cleaned) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a deviation number (DEV-1, DEV-2, ...)")
    return int(cleaned)


# ---------------------------------------------------------------- printing


def _entry_line(e: StepEntry) -> str:
    verdict = {True: "within limits", False: "OUT OF LIMITS", None: ""}[e.within_limits]
    parts = [f"entry {e.id}: {safe(entry_text(e.value, e.unit))}"]
    if e.limit_text:
        parts.append(f"[{safe(e.limit_text)}: {verdict}]")
    parts.append(f"by {safe(e.entered_by)} at {when(e.happened_at)} ({e.source.value}")
    parts[-1] += f", {safe(e.instrument)})" if e.instrument else ")"
    if e.corrects_id:
        parts.append(f"corrects entry {e.corrects_id}: {safe(e.reason)}")
    if e.verified_by:
        parts.append(f"verified by {safe(e.verified_by)} {when(e.verified_at)}")
    return " ".join(parts)


def _deviation_line(d: Deviation) -> str:
    who = f"opened by {safe(d.opened_by)}" if d.opened_by else "opened by the program"
    text = (
        f"DEV-{d.number} [{d.kind.value}] {d.status.value.upper()}: {safe(d.description)} ({who} {when(d.opened_at)})"
    )
    if d.closed_by:
        text += f"; closed by {safe(d.closed_by)} {when(d.closed_at)}: {safe(d.disposition)}"
        text += f"; root cause: {safe(d.root_cause)}" + (f"; CAPA {safe(d.capa)}" if d.capa else "")
    return text


def _print_status(lot: str, status: ExecutionStatus) -> None:
    print(f"lot {safe(lot)}: executed batch record")
    for step in status.steps:
        flags = [
            "done" if step.done else ("TO DO" if step.required else "optional"),
            *(["verified"] if step.verify and step.verified else []),
            *(["NEEDS VERIFICATION"] if step.verify and step.done and not step.verified else []),
        ]
        print(f"  {step.step_id}: {safe(step.title)} ({step.kind}) — {', '.join(flags)}")
        for entry in step.entries:
            print(f"      {_entry_line(entry)}")
    if status.fill_checks_needed:
        print(f"  fill checks: {status.fill_checks_done} of {status.fill_checks_needed} recorded")
    if status.yield_text:
        print(f"  yield: {safe(status.yield_text)}")
    for qc in status.qc:
        result = qc.latest
        shown = (
            f"{safe(result.result)} ({'PASS' if result.passed else 'FAIL'} against {safe(result.limit_text)}), "
            f"{safe(result.analyst)} {result.tested_on}"
            if result
            else ("NOT RECORDED" if qc.required else "not recorded")
        )
        print(f"  QC {qc.spec_id}: {safe(qc.test)} by {safe(qc.method)} — {shown}")
    for d in status.deviations:
        print(f"  {_deviation_line(d)}")
    if status.release_blockers:
        print("  release waits for:")
        for blocker in status.release_blockers:
            print(f"    - {safe(blocker)}")
    else:
        print("  nothing in the executed record holds up release")


# ---------------------------------------------------------------- batch execution commands


def cmd_steps(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        batch = reg.batches.by_lot(args.lot)
        status = reg.execution.status(batch.id)
    if args.json:
        print_json(status)
    elif not status.has_master_record:
        print(f"lot {safe(args.lot)}: its formula has no master record steps; it is executed on the paper worksheet")
    else:
        _print_status(args.lot, status)
    return 0


def _read_balance(port: str, timeout_s: float) -> Reading:
    with MtSicsBalance.open(port) as balance:
        serial = balance.serial_number()
        reading = balance.read_stable(timeout_s=timeout_s)
    return reading if reading.serial_number else replace(reading, serial_number=serial)


def cmd_step(args: argparse.Namespace) -> int:
    if args.balance and args.value is not None:
        raise LabelappError("batch step: give the VALUE or --balance PORT, not both")
    if not args.balance and args.value is None:
        raise LabelappError("batch step: give the VALUE (or --balance PORT to read the weight from the balance)")
    with signed_in(args) as (reg, user, _pw):
        batch = reg.batches.by_lot(args.lot)
        if args.balance:
            reading = _read_balance(args.balance, args.balance_timeout)
            entry = reg.execution.record_weight(batch.id, args.step, reading, args.balance, user)
        else:
            entry = reg.execution.record(batch.id, args.step, args.value, user, happened_at=args.at)
        status = reg.execution.status(batch.id)
    print(f"lot {safe(args.lot)} {args.step}: {_entry_line(entry)}")
    _print_new_deviations(status, entry)
    return 0


def _print_new_deviations(status: ExecutionStatus, entry: StepEntry) -> None:
    for d in status.deviations:
        if d.reference == f"entry {entry.id}" or d.reference.endswith(f"-> {entry.id}"):
            print(f"  deviation opened: {_deviation_line(d)}")


def cmd_correct(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, _pw):
        entry = reg.execution.correct(args.entry, args.value, args.reason, user, happened_at=args.at)
        status = reg.execution.status(entry.batch_id)
    print(f"{entry.step_id}: {_entry_line(entry)}")
    _print_new_deviations(status, entry)
    return 0


def cmd_verify_step(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, password):
        entry = reg.execution.verify_step(args.entry, user.username, password)
    print(f"{entry.step_id}: {_entry_line(entry)}")
    return 0


def cmd_qc(args: argparse.Namespace) -> int:
    report = read_pdf(args.report) if args.report else None
    with signed_in(args) as (reg, user, _pw):
        batch = reg.batches.by_lot(args.lot)
        qc = reg.execution.record_qc(
            batch.id,
            args.spec,
            args.result,
            method=args.method,
            analyst=args.analyst,
            tested_on=args.tested_on,
            user=user,
            report_pdf=report,
        )
    verdict = "PASS" if qc.passed else "FAIL (a deviation is opened)"
    print(f"lot {safe(args.lot)} QC {qc.spec_id}: {safe(qc.result)} against {safe(qc.limit_text)}: {verdict}")
    if qc.report_document_id:
        print(f"  lab report archived as document {qc.report_document_id}")
    return 0


def cmd_deviation(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, _pw):
        batch = reg.batches.by_lot(args.lot)
        deviation = reg.execution.open_deviation(batch.id, args.kind, args.description, user, args.reference or "")
    print(f"lot {safe(args.lot)}: {_deviation_line(deviation)}")
    return 0


def cmd_deviations(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        batch = reg.batches.by_lot(args.lot)
        deviations = reg.execution.status(batch.id).deviations
    if args.json:
        print_json(deviations)
        return 0
    for d in deviations:
        print(_deviation_line(d))
    if not deviations:
        print("(none)")
    return 0


def cmd_disposition(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, password):
        batch = reg.batches.by_lot(args.lot)
        found = [d for d in reg.execution.status(batch.id).deviations if d.number == args.deviation]
        if not found:
            raise LabelappError(f"lot {args.lot} has no deviation DEV-{args.deviation}")
        closed = reg.execution.disposition(
            found[0].id,
            user.username,
            password,
            investigation=args.investigation,
            root_cause=args.root_cause,
            disposition=args.disposition,
            capa=args.capa,
        )
    print(f"lot {safe(args.lot)}: {_deviation_line(closed)}")
    return 0


# ---------------------------------------------------------------- materials


def cmd_materials_receive(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, _pw):
        material = reg.execution.receive_material(
            ingredient=args.ingredient,
            lot=args.lot,
            manufacturer=args.manufacturer,
            expiry=args.expiry,
            user=user,
            gtin=args.gtin,
            potency_percent=args.potency,
        )
    print(
        f"material {material.id}: {safe(material.ingredient)} lot {safe(material.lot)} "
        f"(exp {material.expiry}) received, in {material.status.value} until QA releases it"
    )
    return 0


def cmd_materials_release(args: argparse.Namespace) -> int:
    status = MaterialStatus.REJECTED if args.reject else MaterialStatus.RELEASED
    with signed_in(args) as (reg, user, password):
        material = reg.execution.release_material(args.id, user.username, password, status)
    print(f"material {material.id}: {safe(material.ingredient)} lot {safe(material.lot)} {material.status.value}")
    return 0


def cmd_materials_list(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        materials = reg.execution.materials()
    if args.json:
        print_json(materials)
        return 0
    print_table(
        [
            [m.id, m.ingredient, m.lot, m.manufacturer, m.expiry, m.status.value, m.received_by, m.released_by]
            for m in materials
        ],
        ["ID", "INGREDIENT", "LOT", "MANUFACTURER", "EXPIRES", "STATUS", "RECEIVED BY", "RELEASED BY"],
    )
    return 0


# ---------------------------------------------------------------- parsers


def add_batch_parsers(batch: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(batch, "steps", cmd_steps, common, "the executed record: steps, entries, QC, deviations, blockers")
    p.add_argument("lot")
    add_json(p)
    p = add_command(batch, "step", cmd_step, common, "record one master-record step as it happens (checked on entry)")
    p.add_argument("lot")
    p.add_argument("step", help="the step id (see `batch steps LOT`)")
    p.add_argument("value", nargs="?", help="the value: a number, yes/no, a lot (typed or scanned GS1), a time")
    p.add_argument("--at", type=moment_arg, metavar="YYYY-MM-DDTHH:MM", help="when it happened (default: now)")
    p.add_argument("--balance", metavar="PORT", help="read a stable weight from the MT-SICS balance on PORT")
    p.add_argument("--balance-timeout", type=float, default=10.0, metavar="S", help="wait for stability (s)")
    p = add_command(batch, "correct", cmd_correct, common, "correct an entry; the original stays, a deviation opens")
    p.add_argument("entry", type=int)
    p.add_argument("value")
    p.add_argument("--reason", required=True)
    p.add_argument("--at", type=moment_arg, metavar="YYYY-MM-DDTHH:MM")
    p = add_command(batch, "verify-step", cmd_verify_step, common, "e-sign an entry as its second person")
    p.add_argument("entry", type=int)
    p = add_command(batch, "qc", cmd_qc, common, "record a release test result; pass or fail is computed")
    p.add_argument("lot")
    p.add_argument("spec", help="the specification id in the master record")
    p.add_argument("result", help="the result as reported (a number, or pass/fail for pass/fail tests)")
    p.add_argument("--analyst", required=True)
    p.add_argument("--tested-on", type=date_arg, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--method", help="default: the specification's method")
    p.add_argument("--report", metavar="REPORT.pdf", help="the lab's report, archived and linked")
    p = add_command(
        batch, "deviation", cmd_deviation, common, "open a deviation by hand (an event the program cannot see)"
    )
    p.add_argument("lot")
    p.add_argument(
        "--kind", default="other", choices=[k.value for k in DeviationKind], help="deviation kind (default: other)"
    )
    p.add_argument("--description", required=True)
    p.add_argument("--reference")
    p = add_command(batch, "deviations", cmd_deviations, common, "the deviations of a batch")
    p.add_argument("lot")
    add_json(p)
    p = add_command(
        batch, "disposition", cmd_disposition, common, "close a deviation with investigation and disposition (e-signed)"
    )
    p.add_argument("lot")
    p.add_argument("deviation", type=deviation_arg, help="DEV-N")
    p.add_argument("--investigation", required=True)
    p.add_argument("--root-cause", required=True)
    p.add_argument("--disposition", required=True)
    p.add_argument("--capa", help="CAPA reference")


def add_material_parsers(sub: Any) -> None:
    common = register_options()
    materials = sub.add_parser("materials", help="received component lots").add_subparsers(
        dest="materials_command", required=True, metavar="ACTION"
    )
    p = add_command(materials, "receive", cmd_materials_receive, common, "receive a lot (quarantined until released)")
    p.add_argument("--ingredient", required=True)
    p.add_argument("--lot", required=True)
    p.add_argument("--manufacturer", required=True)
    p.add_argument("--expiry", type=date_arg, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--gtin")
    p.add_argument("--potency", type=decimal_arg, metavar="PERCENT")
    p = add_command(materials, "release", cmd_materials_release, common, "QA releases (or --reject) a lot, e-signed")
    p.add_argument("id", type=int)
    p.add_argument("--reject", action="store_true")
    p = add_command(materials, "list", cmd_materials_list, common, "received lots and their status")
    add_json(p)
