"""The register from the command line: a batch from draft to release, and refusals (exit 2, one line,
nothing written)."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest
from register_helpers import PASSWORDS, batch_data

from labelapp.cli import main

LOT = "G50-260115-01"


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("LABELAPP_DATABASE_URL", f"sqlite:///{tmp_path / 'labelapp.db'}")
    monkeypatch.delenv("LABELAPP_USER", raising=False)
    (tmp_path / "batch.json").write_text(json.dumps(batch_data()))
    (tmp_path / "label.pdf").write_bytes(b"%PDF-1.4 label\n")
    (tmp_path / "record.pdf").write_bytes(b"%PDF-1.4 record\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(monkeypatch, capsys, *argv, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def as_user(monkeypatch, capsys, user, *argv, extra: str = ""):
    return run(monkeypatch, capsys, *argv, "--user", user, "--password-stdin", stdin=f"{PASSWORDS[user]}\n{extra}")


@pytest.fixture
def staffed(env, monkeypatch, capsys):
    assert (
        run(
            monkeypatch,
            capsys,
            "users",
            "add",
            "admin",
            "--role",
            "admin",
            "--name",
            "Ada Admin",
            "--password-stdin",
            stdin=PASSWORDS["admin"] + "\n",
        )[0]
        == 0
    )
    for name, role, full in (
        ("tech", "technician", "Tom Tech"),
        ("pharm", "pharmacist", "Pia Pharmacist"),
        ("pharm2", "pharmacist", "Paul Pharmacist"),
        ("qa", "qa", "Quinn Quality"),
    ):
        code, out, err = as_user(
            monkeypatch,
            capsys,
            "admin",
            "users",
            "add",
            name,
            "--role",
            role,
            "--name",
            full,
            extra=PASSWORDS[name] + "\n",
        )
        assert code == 0, err
    return env


def batch_count(env) -> int:
    with sqlite3.connect(env / "labelapp.db") as conn:
        return conn.execute("SELECT count(*) FROM batches").fetchone()[0]


def test_batch_from_draft_to_release(staffed, monkeypatch, capsys):
    steps = [
        ("pharm2", "formula", "add", "batch.json"),
        ("pharm", "formula", "approve", "GLY50", "1"),
        ("tech", "batch", "new", "batch.json"),
        (
            "tech",
            "batch",
            "record-print",
            LOT,
            "--pdf",
            "label.pdf",
            "--count",
            "103",
            "--stock",
            "roll-vial-30ml",
            "--printer",
            "ZD621",
        ),
        ("tech", "batch", "sign", LOT, "--meaning", "performed"),
        (
            "tech",
            "batch",
            "reconcile",
            LOT,
            "--applied",
            "100",
            "--specimens",
            "2",
            "--destroyed",
            "1",
            "--returned",
            "0",
        ),
        ("pharm", "batch", "sign", LOT, "--meaning", "verified"),
        ("qa", "batch", "archive", LOT, "--pdf", "record.pdf"),
        ("qa", "batch", "sign", LOT, "--meaning", "released"),
    ]
    for user, *argv in steps:
        code, out, err = as_user(monkeypatch, capsys, user, *argv)
        assert code == 0, (argv, err)
    code, out, _ = as_user(monkeypatch, capsys, "qa", "batch", "show", LOT)
    assert "RELEASED" in out and "Quinn Quality (qa), released" in out and "Pia Pharmacist (pharm), verified" in out
    code, out, _ = as_user(monkeypatch, capsys, "qa", "batch", "list", "--status", "released")
    assert LOT in out
    code, out, _ = as_user(monkeypatch, capsys, "qa", "archive", "search", "Glycine", "--check")
    # the label run, the record archived by hand, and the record as released (archived by `sign released`)
    assert code == 0 and out.count(LOT) == 3 and out.count("batch_record") == 2
    code, out, _ = as_user(monkeypatch, capsys, "qa", "archive", "export", "2", "copy.pdf")
    assert code == 0 and (staffed / "copy.pdf").read_bytes() == b"%PDF-1.4 record\n"
    code, out, _ = as_user(
        monkeypatch, capsys, "qa", "archive", "reprint", "2", "--reason", "inspector copy", "--output", "again.pdf"
    )
    assert code == 0 and (staffed / "again.pdf").read_bytes() == b"%PDF-1.4 record\n"
    code, out, _ = as_user(monkeypatch, capsys, "qa", "audit", "verify")
    assert code == 0 and out.startswith("register intact: ")
    code, out, _ = as_user(monkeypatch, capsys, "qa", "audit", "show", "--lot", LOT)
    assert "batch.released" in out
    code, out, err = as_user(monkeypatch, capsys, "qa", "backup", str(staffed / "backups"))
    assert code == 0, err
    code, out, err = as_user(monkeypatch, capsys, "tech", "batch", "status", LOT, "--set", "voided", "--reason", "x")
    assert code == 2 and err.count("\n") == 1


def test_wrong_password_exits_2_and_writes_nothing(staffed, monkeypatch, capsys):
    code, out, err = run(
        monkeypatch,
        capsys,
        "formula",
        "add",
        "batch.json",
        "--user",
        "pharm2",
        "--password-stdin",
        stdin="wrong-password\n",
    )
    assert code == 2 and err == "labelapp: error: user name or password is wrong\n"
    code, out, _ = as_user(monkeypatch, capsys, "pharm", "formula", "list")
    assert "(none)" in out


def test_forbidden_and_out_of_order_actions_exit_2(staffed, monkeypatch, capsys):
    code, _, err = as_user(monkeypatch, capsys, "tech", "formula", "add", "batch.json")
    assert code == 2 and "may not add formulas" in err
    code, _, err = as_user(monkeypatch, capsys, "tech", "batch", "new", "batch.json")
    assert code == 2 and "not in the register" in err
    code, _, err = as_user(
        monkeypatch,
        capsys,
        "tech",
        "users",
        "add",
        "eve",
        "--role",
        "admin",
        "--name",
        "Eve",
        extra="eve-password-01\n",
    )
    assert code == 2 and "may not manage users" in err
    assert batch_count(staffed) == 0


def test_password_is_never_taken_from_the_command_line(staffed, monkeypatch, capsys):
    code, _, err = run(monkeypatch, capsys, "audit", "verify", "--user", "qa", "--password", PASSWORDS["qa"])
    assert code == 2 and "unrecognized arguments" in err
    code, _, err = run(monkeypatch, capsys, "audit", "verify", "--user", "qa")  # stdin is not a terminal
    assert code == 2 and "use --password-stdin" in err
    code, _, err = run(monkeypatch, capsys, "audit", "verify", stdin="x\n")
    assert code == 2 and "--user NAME" in err


def test_bad_input_file_exits_2(staffed, monkeypatch, capsys):
    (staffed / "bad.json").write_text('{"facility": {}, ')
    code, _, err = as_user(monkeypatch, capsys, "tech", "batch", "new", "bad.json")
    assert code == 2 and "not valid JSON" in err
    code, _, err = as_user(
        monkeypatch,
        capsys,
        "tech",
        "batch",
        "reconcile",
        LOT,
        "--applied",
        "-1",
        "--specimens",
        "0",
        "--destroyed",
        "0",
        "--returned",
        "0",
    )
    assert code == 2 and "must not be negative" in err


def test_tampered_audit_trail_fails_verification(staffed, monkeypatch, capsys):
    with sqlite3.connect(staffed / "labelapp.db") as conn:
        conn.execute("DROP TRIGGER trg_audit_log_no_update")
        conn.execute('UPDATE audit_log SET new_value = \'{"role":"admin"}\' WHERE seq = 3')
    code, _, err = as_user(monkeypatch, capsys, "qa", "audit", "verify")
    assert code == 2 and "FAILED" in err and "was altered" in err


def test_settings_changed_by_admin_only(staffed, monkeypatch, capsys):
    code, _, err = as_user(monkeypatch, capsys, "qa", "settings", "set", "reconciliation_limit", "2")
    assert code == 2 and "may not change settings" in err
    code, out, _ = as_user(
        monkeypatch, capsys, "admin", "settings", "set", "reconciliation_limit", "2", "--reason", "SOP rev 4"
    )
    assert code == 0
    code, out, _ = as_user(monkeypatch, capsys, "admin", "settings", "show")
    assert '"reconciliation_limit": 2' in out
    code, _, err = as_user(monkeypatch, capsys, "admin", "settings", "set", "lot_pattern", "{yy}@{seq}")
    assert code == 2 and "lot_pattern: " in err and "contains '@'" in err


def test_facility_setting_from_a_batch_file(staffed, monkeypatch, capsys):
    code, out, err = as_user(monkeypatch, capsys, "admin", "settings", "facility", "batch.json", "--reason", "set-up")
    assert code == 0, err
    code, out, _ = as_user(monkeypatch, capsys, "tech", "settings", "show")
    assert "Example Outsourcing LLC" in out
