"""`labelapp render` and `labelapp stocks`: outputs written whole or not at all, one-line errors."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from render_helpers import CASES, open_pdf

from labelapp.cli import main

CASE = str(CASES / "glycine-30ml.json")


def run(*args: str) -> int:
    return main(list(args))


def test_render_writes_all_three_documents(tmp_path, capsys):
    labels, carton, sheet = (tmp_path / n for n in ("labels.pdf", "carton.pdf", "record.pdf"))
    assert run("render", CASE, "--labels", str(labels), "--carton", str(carton), "--worksheet", str(sheet)) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3
    assert out[0].startswith(f"labels: {labels}  106 labels on roll-vial-30ml (layout vial-30ml), 106 pages")
    assert out[1].startswith(f"carton: {carton}  106 labels on roll-carton-4x3")
    for line, path in zip(out, (labels, carton, sheet)):
        assert line.endswith("sha256 " + hashlib.sha256(path.read_bytes()).hexdigest())
    with open_pdf(sheet.read_bytes()) as doc:
        assert "BATCH PRODUCTION AND CONTROL RECORD" in doc.pages[0].extract_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["carton.pdf", "labels.pdf", "record.pdf"]


def test_extras_and_stock_options(tmp_path, capsys):
    out = tmp_path / "l.pdf"
    assert (
        run("render", CASE, "--labels", str(out), "--extras", "0", "--stock", "sheet-avery-5160") == 2
    )  # a 30 mL product does not fit a 5160 cell
    # ... but its whole 503B text fits the 5 mL label, the next larger stock for the 5160's vials
    assert "next larger stock that fits: roll-vial-5ml" in capsys.readouterr().err
    assert not out.exists()
    assert run("render", CASE, "--carton", str(out), "--extras", "5", "--carton-stock", "sheet-avery-5163") == 0
    assert "105 labels on sheet-avery-5163 (layout carton-4x2), 11 pages" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "give at least one of --labels, --carton, --worksheet"),
        (("--labels", "{tmp}/a.pdf", "--stock", "nope"), "unknown stock 'nope'"),
        (("--labels", "{tmp}/a.pdf", "--carton", "{tmp}/a.pdf"), "two outputs name the same file"),
        (("--labels", "{tmp}/a.txt"), "must end in .pdf"),
        (("--labels", "{tmp}/missing/a.pdf"), "does not exist"),
        (("--labels", "{tmp}/a.pdf", "--extras", "-1"), "must be 0 or more"),
        (("--carton", "{tmp}/a.pdf", "--carton-stock", "roll-vial-10ml"), "no carton layout fits stock"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, args, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert run("render", CASE, *args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_a_failure_leaves_an_existing_output_untouched(tmp_path, capsys):
    labels, carton = tmp_path / "labels.pdf", tmp_path / "carton.pdf"
    labels.write_bytes(b"previous run")
    # the vial labels would render; the carton cannot (2 mL stock is a vial stock): nothing is written
    assert run("render", CASE, "--labels", str(labels), "--carton", str(carton), "--carton-stock", "roll-vial-2ml") == 2
    assert labels.read_bytes() == b"previous run"
    assert not carton.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["labels.pdf"]


def test_provisional_lot_and_ingredients_notes_go_to_stderr(tmp_path, capsys):
    from labelapp.resources import examples_dir

    example = examples_dir() / "glycine-50mg-ml-30ml.json"
    assert run("render", str(example), "--labels", str(tmp_path / "l.pdf"), "--extras", "0") == 0
    err = capsys.readouterr().err
    assert "lot G50-261123-01 is provisional" in err


def test_stocks_lists_name_kind_size_and_layouts(capsys):
    assert run("stocks") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "KIND", "SIZE", "PER", "PAGE", "DPI", "LAYOUTS", "THAT", "FIT"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert "roll   3.5in x 1.5in" in rows["roll-vial-30ml"] and "vial-30ml (vial)" in rows["roll-vial-30ml"]
    assert "sheet  2.625in x 1in" in rows["sheet-avery-5160"] and " 30 " in rows["sheet-avery-5160"]
    assert "carton-4x2 (carton)" in rows["sheet-avery-5163"]
    assert "bag-4x3 (vial), carton-4x3 (carton)" in rows["roll-bag-4x3"]
    assert "vial-2ml-wrap-flag (vial)" in rows["roll-vial-2ml-wrap-flag"]
    assert {name for name in rows if name.startswith("roll-syringe-")} == {
        f"roll-syringe-{ml}ml" for ml in (1, 3, 5, 10, 20, 30, 60)
    }
    assert len(rows) == 21


def test_render_package_never_imports_qt(tmp_path):
    code = (
        "import sys\n"
        "from labelapp.cli import main\n"
        f"assert main(['render', {CASE!r}, '--labels', {str(tmp_path / 'l.pdf')!r}, '--worksheet', "
        f"{str(tmp_path / 'w.pdf')!r}, '--extras', '0']) == 0\n"
        "import labelapp.render.label.barcode, labelapp.render.label.fit, labelapp.render.label.render\n"
        "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'PyQt')))\n"
        "assert not qt, qt\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2]
    )
    assert done.returncode == 0, done.stderr


def test_same_pdf_bytes_in_separate_processes(tmp_path):
    """Determinism does not hang on hash seeds, dict order or the clock."""
    digests = set()
    for seed in ("1", "2"):
        out = tmp_path / f"labels-{seed}.pdf"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "labelapp",
                "render",
                CASE,
                "--labels",
                str(out),
                "--worksheet",
                str(tmp_path / f"w-{seed}.pdf"),
                "--extras",
                "0",
            ],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert done.returncode == 0, done.stderr
        digests.add(
            (
                hashlib.sha256(out.read_bytes()).hexdigest(),
                hashlib.sha256((tmp_path / f"w-{seed}.pdf").read_bytes()).hexdigest(),
            )
        )
    assert len(digests) == 1
