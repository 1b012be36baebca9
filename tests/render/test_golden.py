"""Golden files: the words of each template's output and where they sit, against
tests/render/expected/<name>.json (tolerance 0.5 pt). A change to a layout, a font or a text shows up
here as a diff to review. After a deliberate change, regenerate and review the JSON diff:

    LABELAPP_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/render/test_golden.py
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from render_helpers import load_case, open_pdf

from labelapp.render.label.content import label_content
from labelapp.render.label.render import plan_for, render_labels
from labelapp.render.worksheet.document import render_worksheet
from labelapp.render.worksheet.inputs import ReconciliationCounts

EXPECTED = Path(__file__).parent / "expected"
TOLERANCE = 0.5  # pt
REGENERATE = os.environ.get("LABELAPP_REGENERATE_GOLDEN") == "1"


def _labels(case: str, kind: str, stock: str, count: int) -> bytes:
    bf, comp = load_case(case)
    return render_labels(label_content(bf, comp, kind), stock, count).pdf


def _worksheet() -> bytes:
    bf, comp = load_case("glycine-30ml")
    vial = plan_for(label_content(bf, comp, "vial"), "roll-vial-30ml", comp.label_count)
    carton = plan_for(label_content(bf, comp, "carton"), "roll-carton-4x3", comp.label_count)
    return render_worksheet(
        bf, comp, label_plan=vial, carton_plan=carton, reconciliation=ReconciliationCounts(106, 100, 2, 4, 0, 4)
    )


CASES = {
    "vial-30ml-roll": lambda: _labels("glycine-30ml", "vial", "roll-vial-30ml", 2),
    "vial-30ml-roll-ndc-patient": lambda: _labels("glycine-ndc-patient", "vial", "roll-vial-30ml", 1),
    "vial-10ml-roll-kcl": lambda: _labels("potassium-chloride-10ml", "vial", "roll-vial-10ml", 2),
    "carton-4x3-roll": lambda: _labels("glycine-30ml", "carton", "roll-carton-4x3", 2),
    "carton-4x2-sheet-5163": lambda: _labels("glycine-30ml", "carton", "sheet-avery-5163", 3),
    "vial-2ml-wrap-flag-roll": lambda: _labels("glycine-2ml", "vial", "roll-vial-2ml-wrap-flag", 2),
    "vial-20ml-roll-phosphates": lambda: _labels("sodium-phosphates-15ml", "vial", "roll-vial-20ml", 1),
    "syringe-10ml-roll": lambda: _labels("phenylephrine-10ml-syringe", "vial", "roll-syringe-10ml", 2),
    "bag-4x2-roll": lambda: _labels("magnesium-sulfate-50ml-bag", "vial", "roll-bag-4x2", 1),
    "worksheet": _worksheet,
}


Word = list  # [text, x0, top, size, font]


def words(pdf: bytes) -> list[list[Word]]:
    with open_pdf(pdf) as doc:
        return [
            [
                [
                    w["text"],
                    round(w["x0"], 2),
                    round(w["top"], 2),
                    round(w["size"], 2),
                    re.sub(r"^[A-Z]{6}\+", "", w["fontname"]),
                ]
                for w in page.extract_words(extra_attrs=["fontname", "size"])
            ]
            for page in doc.pages
        ]


def dump(pages: list[list[Word]]) -> str:
    """One word per line, so a review diff shows exactly which words moved."""
    blocks = []
    for page in pages:
        rows = ",\n".join("  " + json.dumps(w, ensure_ascii=False) for w in page)
        blocks.append(" [\n" + rows + "\n ]")
    return "[\n" + ",\n".join(blocks) + "\n]\n"


def compare(got: list[list[Word]], want: list[list[Word]]) -> list[str]:
    problems = []
    if len(got) != len(want):
        problems.append(f"{len(got)} pages, expected {len(want)}")
    for n, (page, ref) in enumerate(zip(got, want), 1):
        if [w[0] for w in page] != [w[0] for w in ref]:
            problems.append(f"page {n}: words differ: {[w[0] for w in page][:40]}")
            continue
        for w, r in zip(page, ref):
            if abs(w[1] - r[1]) > TOLERANCE or abs(w[2] - r[2]) > TOLERANCE or abs(w[3] - r[3]) > 0.01 or w[4] != r[4]:
                problems.append(f"page {n}: {w} expected {r}")
    return problems


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name):
    path = EXPECTED / f"{name}.json"
    got = words(CASES[name]())
    if REGENERATE:
        path.write_text(dump(got), encoding="utf-8")
    assert path.exists(), f"{path} missing: run with LABELAPP_REGENERATE_GOLDEN=1 and review it"
    want = json.loads(path.read_text(encoding="utf-8"))
    problems = compare(got, want)
    assert not problems, "\n".join(problems[:20])


def test_compare_catches_moved_renamed_resized_words():
    page = [["EXP", 10.0, 5.0, 7.0, "LiberationSans-Bold"]]
    assert not compare([page], [page])
    assert compare([[["EXP", 10.0, 5.8, 7.0, "LiberationSans-Bold"]]], [page])
    assert compare([[["EXQ", 10.0, 5.0, 7.0, "LiberationSans-Bold"]]], [page])
    assert compare([[["EXP", 10.0, 5.0, 6.5, "LiberationSans-Bold"]]], [page])
    assert compare([page, page], [page])
    assert json.loads(dump([page, page])) == [page, page]
