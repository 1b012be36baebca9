"""`labelapp users`: accounts, roles, lock-out and passwords (admin), and your own password."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from labelapp.commands.common import (
    add_command,
    add_json,
    open_register,
    passwords_of,
    print_json,
    print_table,
    register_options,
    signed_in,
    username_arg,
)
from labelapp.domain.files import atomic_write
from labelapp.services.rendering import access_review_pdf


def cmd_users_add(args: argparse.Namespace) -> int:
    reg = open_register(args)
    try:
        passwords = passwords_of(args)
        actor = None
        if reg.accounts.has_users():
            name = username_arg(args)
            actor = reg.accounts.authenticate(name, passwords.read(f"Password for {name}: "))
        created = reg.accounts.create_user(
            args.username, args.name, args.role, passwords.new(args.username), actor=actor
        )
    finally:
        reg.close()
    print(f"added user {created.username} ({created.full_name}, {created.role.value})")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, _user, _pw):
        users = reg.accounts.list_users()
    if args.json:
        print_json(users)
        return 0
    print_table(
        [
            [
                u.username,
                u.full_name,
                u.role.value,
                "active" if u.active else "disabled",
                "locked" if u.locked else "",
                u.failed_attempts,
            ]
            for u in users
        ],
        ["USER", "NAME", "ROLE", "STATE", "LOCK", "FAILED"],
    )
    return 0


def cmd_users_disable(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, _pw):
        reg.accounts.disable_user(args.username, user, args.reason)
    print(f"disabled user {args.username}")
    return 0


def cmd_users_unlock(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, _pw):
        reg.accounts.unlock_user(args.username, user, args.reason)
    print(f"unlocked user {args.username}")
    return 0


def cmd_users_password(args: argparse.Namespace) -> int:
    with signed_in(args) as (reg, user, password):
        target = args.username or user.username
        new = passwords_of(args).new(target)
        if target == user.username:
            reg.accounts.change_password(target, password, new)
            print(f"password changed for {target}; your signing key is sealed with the new one")
        else:
            reg.accounts.reset_password(target, new, user, args.reason)
            print(
                f"temporary password set for {target}: it must be changed at the next sign-in and cannot sign "
                "anything before that; a new signing key was issued"
            )
    return 0


def cmd_users_review(args: argparse.Namespace) -> int:
    """The user access review (who has which role, last sign-in, last password change) as PDF."""
    with signed_in(args) as (reg, user, _pw):
        pdf = access_review_pdf(reg, user)
    atomic_write(Path(args.out), pdf)
    print(f"user access review -> {args.out}")
    return 0


# ---------------------------------------------------------------- parsers


def add_parsers(sub: Any) -> None:
    common = register_options()
    users = sub.add_parser("users", help="user accounts").add_subparsers(
        dest="users_command", required=True, metavar="ACTION"
    )
    p = add_command(users, "add", cmd_users_add, common, "add a user (the very first user, an admin, needs no sign-in)")
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=["technician", "pharmacist", "qa", "admin"])
    p.add_argument("--name", required=True, help="printed full name used in signatures")
    add_json(add_command(users, "list", cmd_users_list, common, "list users"))
    p = add_command(users, "disable", cmd_users_disable, common, "disable a user (admin)")
    p.add_argument("username")
    p.add_argument("--reason", required=True)
    p = add_command(users, "unlock", cmd_users_unlock, common, "unlock a locked-out user (admin)")
    p.add_argument("username")
    p.add_argument("--reason")
    p = add_command(users, "password", cmd_users_password, common, "change your password, or (admin) reset another's")
    p.add_argument("username", nargs="?")
    p.add_argument("--reason", help="required when resetting another user's password")
    p = add_command(
        users,
        "review",
        cmd_users_review,
        common,
        "write the user access review (roles, last sign-in, last password change) as PDF",
    )
    p.add_argument("--out", required=True, metavar="OUT.pdf")
