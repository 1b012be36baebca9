"""`labelapp settings`: the register settings and the facility (admin)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from labelapp.commands.common import add_command, register_options, signed_in
from labelapp.domain.errors import LabelappError
from labelapp.services.calculate import load_facility_file


def cmd_settings_show(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        current, facility = reg.settings.current(), reg.settings.facility()
    print(current.model_dump_json(indent=2))
    print(f"facility: {facility.model_dump_json() if facility else '(not set)'}")
    return 0


def cmd_settings_set(args: argparse.Namespace) -> int:
    try:
        value = json.loads(args.value)
    except json.JSONDecodeError:
        value = args.value
    with signed_in(args) as (reg, user, _pw):
        if args.key.partition(".")[0] not in type(reg.settings.current()).model_fields:
            raise LabelappError(f"unknown setting {args.key!r}")
        reg.settings.update(user, {args.key: value}, args.reason)
    print(f"{args.key} = {json.dumps(value)}")
    return 0


def cmd_settings_facility(args: argparse.Namespace) -> int:
    facility = load_facility_file(args.file)
    with signed_in(args) as (reg, user, _pw):
        reg.settings.set_facility(facility, user, args.reason)
    print(f"facility set: {facility.name}, {facility.address}, {facility.phone}")
    return 0


# ---------------------------------------------------------------- parsers


def add_parsers(sub: Any) -> None:
    common = register_options()
    settings = sub.add_parser("settings", help="register settings").add_subparsers(
        dest="settings_command", required=True, metavar="ACTION"
    )
    add_command(settings, "show", cmd_settings_show, common, "show the register settings")
    p = add_command(settings, "set", cmd_settings_set, common, "change a setting (admin)")
    p.add_argument("key", help="a setting, or a dotted path into one, e.g. calc.tonicity.hypertonic_from")
    p.add_argument("value", help="JSON value or plain text")
    p.add_argument("--reason")
    p = add_command(
        settings,
        "facility",
        cmd_settings_facility,
        common,
        "set the facility (name, address, phone) that every new batch must carry (admin)",
    )
    p.add_argument("file", help="a facility file, or a batch file whose facility to use")
    p.add_argument("--reason")
