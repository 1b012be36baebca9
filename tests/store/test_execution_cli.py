"""Executing a batch record from the command line: materials received and released, steps recorded (one read
from a simulated balance), an out-of-limit value opening a deviation, a correction, a second-person
verification, QC, a disposition, and the refusals a technician meets on the way."""

from __future__ import annotations

import json
from datetime import date

import pytest
from execution_helpers import executed_batch_data, theoretical_glycine
from test_register_cli import as_user, env, run, staffed  # noqa: F401  (fixtures)

from labelapp.instruments.simulator import SimulatedBalance
from labelapp.services.register import Register

LOT = "G50-260115-01"


@pytest.fixture
def lot(staffed, monkeypatch, capsys):  # noqa: F811
    (staffed / "batch.json").write_text(json.dumps(executed_batch_data()))
    for user, *argv in (
        ("pharm2", "formula", "add", "batch.json"),
        ("pharm", "formula", "approve", "GLY50", "1"),
        ("tech", "batch", "new", "batch.json"),
    ):
        code, _out, err = as_user(monkeypatch, capsys, user, *argv)
        assert code == 0, err
    return staffed


def ok(monkeypatch, capsys, user, *argv) -> str:
    code, out, err = as_user(monkeypatch, capsys, user, *argv)
    assert code == 0, err
    return out


def refused(monkeypatch, capsys, user, *argv) -> str:
    code, out, err = as_user(monkeypatch, capsys, user, *argv)
    assert code == 2, out
    return err


def test_materials_are_quarantined_until_qa_releases_them(lot, monkeypatch, capsys):
    out = ok(
        monkeypatch, capsys, "tech", "materials", "receive", "--ingredient", "glycine", "--lot", "GL-2291",
        "--manufacturer", "Spectrum", "--expiry", "2028-01-31",
    )  # fmt: skip
    assert "in quarantine until QA releases it" in out
    err = refused(monkeypatch, capsys, "tech", "batch", "step", LOT, "glycine-lot", "GL-2291")
    assert "lot GL-2291 of glycine is in quarantine; only a lot QA has released may be used" in err
    err = refused(monkeypatch, capsys, "tech", "materials", "release", "1")
    assert "tech" in err and "release component lots" in err
    assert "released" in ok(monkeypatch, capsys, "qa", "materials", "release", "1")
    listing = ok(monkeypatch, capsys, "tech", "materials", "list")
    assert "GL-2291" in listing and "released" in listing and "qa" in listing
    out = ok(monkeypatch, capsys, "tech", "batch", "step", LOT, "glycine-lot", "GL-2291")
    assert "[received, released, unexpired: within limits]" in out
    steps = ok(monkeypatch, capsys, "tech", "batch", "steps", LOT)
    assert "glycine lot GL-2291 (exp 2028-01-31, Spectrum)" in steps


def test_a_batch_executed_from_the_terminal(lot, monkeypatch, capsys):
    reg = Register.open(f"sqlite:///{lot / 'labelapp.db'}")
    try:
        grams = theoretical_glycine(reg, reg.batches.by_lot(LOT).id)
    finally:
        reg.close()

    # a weight read from the balance: recorded with its serial number, not typed
    with SimulatedBalance(f"{grams:.2f}", "g", serial_number="B021002593", stable_delay_s=0.05) as sim:
        out = ok(monkeypatch, capsys, "tech", "batch", "step", LOT, "glycine-weight", "--balance", sim.port)
    assert "(balance, " in out and "S/N B021002593" in out and "within limits" in out
    weight_entry = int(out.split("entry ")[1].split(":")[0])

    # the person who weighed cannot verify; a second person can
    err = refused(monkeypatch, capsys, "tech", "batch", "verify-step", str(weight_entry))
    assert "cannot also verify it (two-person rule)" in err
    assert "verified by pharm" in ok(monkeypatch, capsys, "pharm", "batch", "verify-step", str(weight_entry))

    # a decimal comma is refused, not read as 56
    err = refused(monkeypatch, capsys, "tech", "batch", "step", LOT, "ph-in-process", "5,6")
    assert "decimal point" in err
    # out of limits: recorded, and a deviation opens
    out = ok(monkeypatch, capsys, "tech", "batch", "step", LOT, "ph-in-process", "7.2")
    assert "OUT OF LIMITS" in out and "deviation opened: DEV-1 [out-of-limit] OPEN" in out
    ph_entry = int(out.split("entry ")[1].split(":")[0])
    out = ok(monkeypatch, capsys, "tech", "batch", "correct", str(ph_entry), "5.8", "--reason", "misread meter")
    assert f"corrects entry {ph_entry}: misread meter" in out and "DEV-2 [correction] OPEN" in out

    status = ok(monkeypatch, capsys, "qa", "batch", "steps", LOT)
    assert "release waits for:" in status and "DEV-1" in status and "In-process pH" in status
    assert status.count("entry ") >= 2

    # a technician cannot disposition; QA closes with an e-signature
    err = refused(
        monkeypatch, capsys, "tech", "batch", "disposition", LOT, "DEV-1", "--investigation", "x",
        "--root-cause", "y", "--disposition", "z",
    )  # fmt: skip
    assert "disposition deviations" in err
    out = ok(
        monkeypatch, capsys, "qa", "batch", "disposition", LOT, "DEV-1", "--investigation", "meter re-read",
        "--root-cause", "reading error", "--disposition", "accepted: corrected value in limits", "--capa", "CAPA-17",
    )  # fmt: skip
    assert "DEV-1 [out-of-limit] CLOSED" in out and "closed by qa" in out and "CAPA CAPA-17" in out
    listing = ok(monkeypatch, capsys, "qa", "batch", "deviations", LOT, "--json")
    assert [d["status"] for d in json.loads(listing)] == ["closed", "open"]

    # QC: pass and fail are computed, never typed
    out = ok(
        monkeypatch, capsys, "qa", "batch", "qc", LOT, "endotoxin", "12.0", "--analyst", "Lab Analyst",
        "--tested-on", date.today().isoformat(),
    )  # fmt: skip
    assert "FAIL (a deviation is opened)" in out
    err = refused(
        monkeypatch, capsys, "qa", "batch", "qc", LOT, "potency", "99", "--analyst", "A",
        "--tested-on", date.today().isoformat(),
    )  # fmt: skip
    assert "no release specification 'potency'" in err and "endotoxin" in err


def test_step_refusals_name_what_is_wrong(lot, monkeypatch, capsys):
    err = refused(monkeypatch, capsys, "tech", "batch", "step", LOT, "no-such-step", "1")
    assert "has no step 'no-such-step'" in err and "glycine-weight" in err
    err = refused(monkeypatch, capsys, "tech", "batch", "step", LOT, "glycine-weight")
    assert "give the VALUE" in err
    err = refused(monkeypatch, capsys, "tech", "batch", "step", LOT, "glycine-weight", "-3")
    assert "a weight must be more than 0 g" in err
    err = refused(monkeypatch, capsys, "tech", "batch", "step", LOT, "line-clearance", "maybe")
    assert "answer yes or no" in err
    err = refused(monkeypatch, capsys, "tech", "batch", "step", LOT, "glycine-weight", "--balance", "/dev/no-such-tty")
    assert "/dev/no-such-tty" in err
    code, out, err = run(monkeypatch, capsys, "batch", "steps", LOT)
    assert code == 2 and "sign in" in err


def test_a_person_opens_a_deviation_for_an_event_the_program_cannot_see(lot, monkeypatch, capsys):
    out = ok(monkeypatch, capsys, "tech", "batch", "deviation", LOT, "--description", "HEPA alarm in room 2 at 10:40")
    assert "[other] OPEN" in out and "HEPA alarm in room 2 at 10:40" in out
    code, _out, err = as_user(
        monkeypatch, capsys, "tech", "batch", "deviation", LOT, "--kind", "oops", "--description", "x"
    )
    assert code == 2 and "invalid choice: 'oops'" in err
