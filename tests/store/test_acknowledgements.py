"""Plausibility findings hold label printing until a pharmacist acknowledges each with an e-signature
(docs/domain.md §4.8), through the services (SQLite and PostgreSQL) and the command line."""

from __future__ import annotations

import io
import json
import re

import pdfplumber
import pytest
import test_register_cli
from register_helpers import PASSWORDS, add_users, batch_data
from test_register_cli import as_user, run

from labelapp.domain.batch import BatchFile
from labelapp.domain.errors import AuthenticationError, PermissionDenied, RuleViolation
from labelapp.services import rendering

env, staffed = test_register_cli.env, test_register_cli.staffed  # the command-line fixtures
OSMOLARITY = "osmolarity-above-ceiling"
POTENCY = "potency-outside-range:glycine"


def _text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return " ".join(" ".join((page.extract_text() or "").split()) for page in doc.pages)


def implausible_data() -> dict:
    """Glycine 50 mg/mL (666 mOsmol/L calc) from a lot whose CoA says 88 %."""
    data = batch_data(units=10)
    data["batch"]["component_lots"][0]["potency_percent"] = "88"
    return data


@pytest.fixture
def who(any_reg):
    return add_users(any_reg, "tech", "pharm", "pharm2", "qa")


@pytest.fixture
def batch(any_reg, who):
    any_reg.settings.update(who["admin"], {"calc.osmolarity_ceiling": 600}, "SOP 31: our products stay below 600")
    bf = BatchFile.model_validate(implausible_data())
    any_reg.formulas.add(bf.formula, who["pharm2"])
    any_reg.formulas.approve("GLY50", "1", "pharm", PASSWORDS["pharm"])
    return any_reg.batches.new(bf, who["tech"])


def print_vial_labels(reg, who, batch_id: int):
    document = rendering.render_registered(reg, batch_id, "vial")
    return rendering.issue(reg, document, who["tech"], "ZD621")


def test_printing_waits_for_a_pharmacists_acknowledgement_of_each_finding(any_reg, who, batch):
    assert [f.code for f in any_reg.batches.pending_acknowledgements(batch.id)] == [POTENCY, OSMOLARITY]
    document = rendering.render_registered(any_reg, batch.id, "vial")
    assert any(n.startswith("Printing waits for a pharmacist's acknowledgement of: [potency") for n in document.notes)
    with pytest.raises(RuleViolation) as refused:
        rendering.issue(any_reg, document, who["tech"], "ZD621")
    message = str(refused.value)
    assert message.startswith(f"labels for lot {batch.lot_number} cannot be printed until a pharmacist acknowledges")
    assert "[potency-outside-range:glycine] Lot GL-2291 of glycine has a CoA potency of 88%, below" in message
    assert "[osmolarity-above-ceiling] Osmolarity 666 mOsmol/L (calc) is above the ceiling of 600" in message
    with pytest.raises(RuleViolation, match=r"\[osmolarity-above-ceiling\]"):
        any_reg.batches.record_print_job(
            batch.id, "carton_label", "roll-carton-4x3", 1, "ZD621", b"%PDF x", who["tech"]
        )
    assert any_reg.batches.detail(batch.id).print_jobs == []
    # the worksheet (not a label) is not held back: it shows what waits
    record = rendering.render_registered(any_reg, batch.id, "worksheet")
    text = _text(record.pdf)
    assert "[osmolarity-above-ceiling] Osmolarity 666 mOsmol/L (calc) is above the ceiling" in text
    assert text.count("not yet acknowledged: labels cannot be printed") == 2

    # only a pharmacist, with the password, a known code and a reason
    with pytest.raises(PermissionDenied, match="may not acknowledge plausibility warnings"):
        any_reg.batches.acknowledge(batch.id, OSMOLARITY, who["tech"], PASSWORDS["tech"], "fine")
    with pytest.raises(PermissionDenied, match=r"qa \(qa\) may not acknowledge"):
        any_reg.batches.acknowledge(batch.id, OSMOLARITY, who["qa"], PASSWORDS["qa"], "fine")
    with pytest.raises(AuthenticationError):
        any_reg.batches.acknowledge(batch.id, OSMOLARITY, who["pharm"], "wrong-password-1", "fine")
    with pytest.raises(RuleViolation, match="a reason for the acknowledgement is required"):
        any_reg.batches.acknowledge(batch.id, OSMOLARITY, who["pharm"], PASSWORDS["pharm"], "  ")
    with pytest.raises(
        RuleViolation, match=f"no plausibility finding 'osmolality'; its findings: {POTENCY}, {OSMOLARITY}"
    ):
        any_reg.batches.acknowledge(batch.id, "osmolality", who["pharm"], PASSWORDS["pharm"], "fine")

    reason = "hypertonic by design: diluted before use, per the prescriber"
    ack = any_reg.batches.acknowledge(batch.id, OSMOLARITY, who["pharm"], PASSWORDS["pharm"], reason)
    assert (ack.code, ack.acknowledged_by, ack.printed_name, ack.reason) == (
        OSMOLARITY,
        "pharm",
        "Pia Pharmacist",
        reason,
    )
    assert (ack.item.code, ack.item.limit) == (OSMOLARITY, 600)
    with pytest.raises(RuleViolation, match=f"{OSMOLARITY} is already acknowledged by Pia Pharmacist"):
        any_reg.batches.acknowledge(batch.id, OSMOLARITY, who["pharm2"], PASSWORDS["pharm2"], "again")
    with pytest.raises(RuleViolation) as still:
        print_vial_labels(any_reg, who, batch.id)
    assert "[potency-outside-range:glycine]" in str(still.value) and OSMOLARITY not in str(still.value)

    any_reg.batches.acknowledge(batch.id, POTENCY, who["pharm2"], PASSWORDS["pharm2"], "CoA re-checked: assay 88.0 %")
    assert any_reg.batches.pending_acknowledgements(batch.id) == []
    job = print_vial_labels(any_reg, who, batch.id)
    assert job.label_count == 12  # units + specimen and retain labels

    detail = any_reg.batches.detail(batch.id)
    assert [(a.code, a.acknowledged_by) for a in detail.acknowledgements] == [
        (OSMOLARITY, "pharm"),
        (POTENCY, "pharm2"),
    ]
    signed = [s for s in detail.signatures if s.meaning.value == "acknowledged"]
    assert [(s.username, s.record_type, s.reason, s.content_matches) for s in signed] == [
        ("pharm", "acknowledgement", reason, True),
        ("pharm2", "acknowledgement", "CoA re-checked: assay 88.0 %", True),
    ]
    assert [e.action for e in any_reg.audit.entries() if e.action == "batch.acknowledged"] == ["batch.acknowledged"] * 2
    assert any_reg.audit.verify().ok

    text = _text(rendering.render_batch_record(any_reg, batch.id).pdf)
    assert re.search(
        r"— acknowledged by Pia Pharmacist \(pharmacist\), \d{4}-\d\d-\d\d \d\d:\d\d UTC: hypertonic by design", text
    ), text
    assert "acknowledged by Paul Pharmacist (pharmacist)" in text and "CoA re-checked: assay 88.0 %" in text
    assert "not yet acknowledged" not in text


def test_a_changed_finding_needs_a_new_acknowledgement_and_holds_reprints(any_reg, who, batch):
    for code, user in ((OSMOLARITY, "pharm"), (POTENCY, "pharm")):
        any_reg.batches.acknowledge(batch.id, code, who[user], PASSWORDS[user], "checked")
    job = print_vial_labels(any_reg, who, batch.id)
    any_reg.settings.update(who["admin"], {"calc.osmolarity_ceiling": 500}, "SOP 31 rev 2")
    [pending] = any_reg.batches.pending_acknowledgements(batch.id)
    assert pending.code == OSMOLARITY and str(pending.limit) == "500"
    with pytest.raises(
        RuleViolation,
        match=r"\[osmolarity-above-ceiling\] Osmolarity 666 mOsmol/L \(calc\) is above the ceiling of 500",
    ):
        print_vial_labels(any_reg, who, batch.id)
    with pytest.raises(RuleViolation, match=r"until a pharmacist acknowledges this finding"):
        any_reg.archive.reprint(job.document_id, who["tech"], "jammed roll")
    any_reg.batches.acknowledge(batch.id, OSMOLARITY, who["pharm2"], PASSWORDS["pharm2"], "500 is our new ceiling; ok")
    reprint, _ = any_reg.archive.reprint(job.document_id, who["tech"], "jammed roll")
    assert reprint.is_reprint
    text = _text(rendering.render_batch_record(any_reg, batch.id).pdf)
    assert "Acknowledged earlier, for a finding that has since changed or gone:" in text
    assert "is above the ceiling of 600" in text and "acknowledged by Pia Pharmacist" in text
    assert "500 is our new ceiling; ok" in text
    assert any_reg.audit.verify().ok


def test_no_acknowledgement_on_a_voided_batch_and_none_needed_without_findings(any_reg, who, batch):
    any_reg.batches.void(batch.id, who["pharm"], PASSWORDS["pharm"], "wrong lot of glycine")
    with pytest.raises(RuleViolation, match="is voided; nothing more can be signed on it"):
        any_reg.batches.acknowledge(batch.id, OSMOLARITY, who["pharm"], PASSWORDS["pharm"], "fine")
    plain = BatchFile.model_validate(batch_data(units=10, day=16))
    other = any_reg.batches.new(plain, who["tech"])
    any_reg.settings.update(who["admin"], {"calc.osmolarity_ceiling": 0}, "no ceiling")
    assert any_reg.batches.pending_acknowledgements(other.id) == []
    with pytest.raises(
        RuleViolation, match="has no plausibility finding 'osmolarity-above-ceiling'; its calculation raises none"
    ):
        any_reg.batches.acknowledge(other.id, OSMOLARITY, who["pharm"], PASSWORDS["pharm"], "fine")
    assert print_vial_labels(any_reg, who, other.id).label_count == 12


# ------------------------------------------------------------------ the command line (SQLite)


def test_acknowledge_from_the_command_line(staffed, monkeypatch, capsys):
    (staffed / "batch.json").write_text(json.dumps(implausible_data()))
    for user, *argv in (
        ("admin", "settings", "set", "calc.osmolarity_ceiling", "600", "--reason", "SOP 31"),
        ("pharm2", "formula", "add", "batch.json"),
        ("pharm", "formula", "approve", "GLY50", "1"),
        ("tech", "batch", "new", "batch.json"),
    ):
        code, _out, err = as_user(monkeypatch, capsys, user, *argv)
        assert code == 0, (argv, err)
    lot = "G50-260115-01"
    printing = ("batch", "print", lot, "--labels", "vial.pdf", "--printer", "ZD621")
    code, out, err = as_user(monkeypatch, capsys, "tech", *printing)
    assert code == 2 and out == ""
    assert f"labels for lot {lot} cannot be printed until a pharmacist acknowledges each of these findings" in err
    assert "[potency-outside-range:glycine]" in err and "[osmolarity-above-ceiling]" in err
    assert not (staffed / "vial.pdf").exists()

    code, out, _ = as_user(monkeypatch, capsys, "tech", "batch", "show", lot)
    assert "  plausibility [osmolarity-above-ceiling] NOT ACKNOWLEDGED, BLOCKS PRINTING: Osmolarity 666" in out

    code, _out, err = as_user(monkeypatch, capsys, "tech", "batch", "acknowledge", lot, OSMOLARITY, "--reason", "x")
    assert code == 2 and "tech (technician) may not acknowledge plausibility warnings" in err
    code, _out, err = run(monkeypatch, capsys, "batch", "acknowledge", lot, OSMOLARITY, "--user", "pharm")
    assert code == 2 and "--reason" in err  # argparse: the reason is required

    code, out, err = as_user(
        monkeypatch, capsys, "pharm", "batch", "acknowledge", lot, OSMOLARITY, "--reason", "diluted before use"
    )
    assert code == 0, err
    assert re.match(
        rf"lot {lot}: \[osmolarity-above-ceiling\] acknowledged by Pia Pharmacist \(pharm\), [\d-]+ [\d:]+ UTC: "
        "diluted before use\n",
        out,
    ), out
    assert f"lot {lot}: still to acknowledge before labels print: {POTENCY}" in out
    code, out, err = as_user(
        monkeypatch, capsys, "pharm2", "batch", "acknowledge", lot, POTENCY, "--reason", "CoA re-checked"
    )
    assert code == 0 and "every plausibility finding is acknowledged; labels may be printed" in out, err

    code, out, err = as_user(monkeypatch, capsys, "tech", *printing)
    assert code == 0, err
    assert (staffed / "vial.pdf").exists()
    code, out, _ = as_user(monkeypatch, capsys, "qa", "batch", "show", lot)
    assert "  plausibility [potency-outside-range:glycine] acknowledged by Paul Pharmacist (pharm2)" in out
    assert "NOT ACKNOWLEDGED" not in out
    assert "pharm), acknowledged, " in out  # the signature manifestation among the others
