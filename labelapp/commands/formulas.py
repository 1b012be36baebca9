"""`labelapp formula`: master formula versions (add, approve, list, show) and facility ingredients."""

from __future__ import annotations

import argparse
import json
from typing import Any

from labelapp.commands.common import add_command, add_json, print_json, print_table, register_options, signed_in, when
from labelapp.services.calculate import load_formula_file, load_ingredient_data


def cmd_formula_add(args: argparse.Namespace) -> int:
    formula = load_formula_file(args.file)
    with signed_in(args) as (reg, user, _pw):
        record = reg.formulas.add(formula, user)
    print(f"added formula {record.code} version {record.version} ({record.name}) as draft")
    return 0


def cmd_formula_add_ingredient(args: argparse.Namespace) -> int:
    data = load_ingredient_data(args.file)
    with signed_in(args) as (reg, user, _pw):
        record = reg.formulas.add_ingredient(data["name"], data, user)
    print(f"added facility ingredient {record.name}; calculations in this register now know it")
    return 0


def cmd_formula_approve(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, password):
        record = reg.formulas.approve(args.code, args.version, user, password)
    print(
        f"approved formula {record.code} version {record.version}, signed by {user.full_name} at "
        f"{when(record.approved_at)}"
    )
    return 0


def cmd_formula_list(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        found = reg.formulas.versions(args.code, args.status)
    if args.json:
        print_json(found)
        return 0
    print_table(
        [[f.code, f.version, f.name, f.status.value, f.created_by, f.approved_by, when(f.approved_at)] for f in found],
        ["CODE", "VERSION", "NAME", "STATUS", "ADDED BY", "APPROVED BY", "APPROVED"],
    )
    return 0


def cmd_formula_show(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        record = reg.formulas.get(args.code, args.version)
        signatures = reg.formulas.signatures(record.id)
    if args.json:
        print_json(record)
        return 0
    print(f"formula {record.code} version {record.version}: {record.name} [{record.status.value}]")
    print(f"  added by {record.created_by} {when(record.created_at)}; SHA-256 {record.content_sha256}")
    for s in signatures:
        print(f"  signed: {s.manifestation()}{'' if s.content_matches else '  ** CONTENT CHANGED SINCE SIGNING **'}")
    print(json.dumps(record.document_data(), indent=2, ensure_ascii=False))
    return 0


# ---------------------------------------------------------------- parsers


def add_parsers(sub: Any) -> None:
    common = register_options()
    formula = sub.add_parser("formula", help="master formula versions").add_subparsers(
        dest="formula_command", required=True, metavar="ACTION"
    )
    add_command(
        formula, "add", cmd_formula_add, common, "add a formula version as draft (a formula file or a batch file)"
    ).add_argument("file")
    add_command(
        formula,
        "add-ingredient",
        cmd_formula_add_ingredient,
        common,
        "add a facility ingredient (name, mw, particles, ions...; YAML or JSON) for use in formulas",
    ).add_argument("file")
    p = add_command(formula, "approve", cmd_formula_approve, common, "approve a draft version (pharmacist e-signature)")
    p.add_argument("code")
    p.add_argument("version")
    p = add_command(formula, "list", cmd_formula_list, common, "list formula versions")
    p.add_argument("--code")
    p.add_argument("--status", choices=["draft", "approved", "superseded"])
    add_json(p)
    p = add_command(formula, "show", cmd_formula_show, common, "show a formula version (default: the approved one)")
    p.add_argument("code")
    p.add_argument("--version")
    add_json(p)
