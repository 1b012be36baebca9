"""docs/walkthrough.sh, the command-line batch from users to release, runs as documented on both databases."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parents[2]


def test_walkthrough_from_users_to_release(any_url, tmp_path):
    shim = tmp_path / "labelapp"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m labelapp "$@"\n')
    shim.chmod(0o755)
    env = {**os.environ, "LA": str(shim)}
    env.pop("LABELAPP_DATABASE_URL", None)
    done = subprocess.run(
        ["bash", str(ROOT / "docs" / "walkthrough.sh"), any_url], env=env, capture_output=True, text=True, timeout=1800
    )  # a guard against a hang, not a speed test: ~50 commands on a loaded machine
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    out = done.stdout + done.stderr
    lot = re.search(r"lot (G50-\d{6}-\d{2}): Glycine Injection", out).group(1)
    assert f"lot {lot}: vial labels x106" in out and f"lot {lot}: carton labels x106" in out
    assert "reconciliation ok: 212 issued = 200 applied + 4 specimens + 8 destroyed + 0 returned" in out
    for who, meaning in (("Alex Rivera", "performed"), ("Sam Chen", "verified"), ("Quinn Avery", "released")):
        assert f"signed: {who} (" in out and meaning in out
    assert "nothing in the executed record holds up release" in out
    assert "yield: 99 accepted of 100 theoretical = 99% (limits 95–102%)" in out
    assert "99 accepted, 1 rejected (particles 1)" in out and "30.8 mL [30.8 mL ±2%: within limits]" in out
    assert len(re.findall(r"verified by pharm ", out)) >= 3  # line clearance, glycine weight, filter integrity
    assert "released batch record archived" in out
    assert re.search(r"reprint recorded as job \d+", out)
    assert re.search(r"register intact: \d+ audit entries \(\d+ signed\), \d+ rows match the chain", out)
    work = Path(re.search(r"work folder: (\S+)", out).group(1))
    with pdfplumber.open(work / "record.pdf") as pdf:
        text = "\n".join(p.extract_text() for p in pdf.pages)
    assert f"Lot {lot}" in text and "QA release decision RELEASED" in text
    assert "Signed by (printed name) Quinn Avery (user name qa), QA" in text  # on page 1, the review by exception
    assert "No exceptions" in text
