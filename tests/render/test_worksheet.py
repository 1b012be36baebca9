"""The batch production record: header on every page, computed values with working, blanks or
signatures, reconciliation, and a specimen of the real label."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from render_helpers import batch_from, case_data, decode, open_pdf

from labelapp.render.label.render import plan_for
from labelapp.render.worksheet.document import render_worksheet
from labelapp.render.worksheet.inputs import ReconciliationCounts, SignatureManifestation


@pytest.fixture(scope="module")
def plans(glycine, vial, carton, templates):
    count = glycine[1].label_count
    return (plan_for(vial, "roll-vial-30ml", count, templates), plan_for(carton, "roll-carton-4x3", count, templates))


def pages_text(pdf: bytes) -> list[str]:
    with open_pdf(pdf) as doc:
        return [" ".join((p.extract_text() or "").split()) for p in doc.pages]


def cells(pdf: bytes) -> str:
    """Every table cell's text (read cell by cell, so wrapped cells read as written), ' | '-joined."""
    out = []
    with open_pdf(pdf) as doc:
        for page in doc.pages:
            for table in page.extract_tables():
                out += [" ".join(cell.split()) for row in table for cell in row if cell]
    return " | ".join(out)


def test_header_on_every_page_with_page_n_of_n(glycine, plans):
    pdf = render_worksheet(*glycine, label_plan=plans[0], carton_plan=plans[1])
    texts = pages_text(pdf)
    assert len(texts) >= 3
    for n, text in enumerate(texts, 1):
        assert text.startswith("BATCH PRODUCTION AND CONTROL RECORD"), n
        assert f"Page {n} of {len(texts)}" in text
        for needle in (
            "Glycine Injection — 1,500 mg per 30 mL (50 mg/mL)",
            "Formula GLY-50-30 v1",
            "Lot G50-261123-01",
            "Batch 100 units, 3,234 mL",
            "Compounded 2026-11-23",
            "EXP 2026-12-23",
        ):
            assert needle in text, (n, needle)


def test_computed_values_are_printed_with_their_working(glycine):
    bf, comp = glycine
    text = cells(render_worksheet(bf, comp))
    for working in comp.workings:
        for part in (working.label, working.expression, working.result):
            assert " ".join(part.split()) in text, part
    assert "50 g/L ÷ 75.07 g/mol × 1 particle × 1000" in text
    assert "666 mOsmol/L (calc)" in text


def test_components_and_record_sections(glycine):
    pdf = render_worksheet(*glycine)
    text = " ".join(pages_text(pdf)) + " | " + cells(pdf)
    for needle in (
        "GLY24117",
        "Example Chemical Co.",
        "2028-09-30",
        "99.6%",
        "162.35 g",
        "q.s. to 3,234 mL",
        "WFI-2611-07",
        "4. Equipment",
        "Sterile filter 0.2/0.22 µm",
        "5. Pre-use checks",
        "6. Compounding steps",
        "q.s. to 3,234 mL with water for injection",
        "7. Sterile filtration and filter integrity test",
        "Post-use integrity test",
        "8. Aseptic filling and fill-volume checks",
        "30.8 mL per unit (labeled 30 mL + 0.8 mL excess, USP <1151>)",
        "9. Labeling and label reconciliation",
        "106 per run expected",
        "Check: A = B + C + E + F + returned",
        "10. Yield",
        "100 units",
        "11. QC sampling and release testing",
        "USP <71>",
        "USP <85>",
        "Compare with 666 mOsmol/L (calc)",
        "13. QA review and release",
        "This is a compounded drug",
        "Store at 20° to 25°C (68° to 77°F).",
    ):
        assert needle in text, needle


def test_signature_lines_are_blank_without_records(glycine):
    text = " ".join(pages_text(render_worksheet(*glycine)))
    assert "Electronic signatures" not in text
    assert "UTC" not in text


def test_signatures_are_printed_with_name_meaning_and_time(glycine):
    records = [
        SignatureManifestation(
            "Alex Rivera", "Technician", "Performed", datetime(2026, 11, 23, 14, 5, tzinfo=UTC), "weighing"
        ),
        SignatureManifestation(
            "Sam Chen", "Pharmacist", "Approved for release", datetime(2026, 11, 30, 16, 45, tzinfo=UTC), "qa-release"
        ),
        SignatureManifestation("Pat Lee", "QC", "Reviewed", datetime(2026, 11, 29, 9, 0, tzinfo=UTC), "not-a-step"),
    ]
    pdf = render_worksheet(*glycine, signatures=records)
    text = " ".join(pages_text(pdf)) + " | " + cells(pdf)
    assert "Alex Rivera (Technician), Performed, 2026-11-23 14:05 UTC" in text
    assert "Sam Chen (Pharmacist), Approved for release, 2026-11-30 16:45 UTC" in text
    assert "16. Electronic signatures (21 CFR 11.50)" in text
    assert "Pat Lee" in text and "not-a-step" in text  # kept, even with no line of its own


def test_naive_signature_time_is_refused():
    from labelapp.domain.errors import LabelappError

    with pytest.raises(LabelappError, match="UTC"):
        SignatureManifestation("A B", "r", "m", datetime(2026, 1, 1), "qa-release")


@pytest.mark.parametrize(
    "counts, expected",
    [
        (ReconciliationCounts(106, 100, 2, 4, 1, 3), "106 = 106: balanced"),
        (ReconciliationCounts(106, 99, 2, 4, 1, 2), "106 vs 104: DISCREPANCY of 2; investigate (211.192)"),
    ],
)
def test_reconciliation_counts_and_check(glycine, counts, expected):
    assert expected in cells(render_worksheet(*glycine, reconciliation=counts))


def test_specimens_are_the_real_labels(glycine, plans):
    pdf = render_worksheet(*glycine, label_plan=plans[0], carton_plan=plans[1])
    texts = pages_text(pdf)
    page = next(i for i, t in enumerate(texts) if "14. Label specimens" in t)
    assert "Unit (vial) label: stock roll-vial-30ml" in texts[page]
    found = [b.text for p in (page, page + 1) if p < len(texts) for b in decode(pdf, p, 400)]
    # no NDC: the default plain code, exactly the specimen's lot, expiry and serial
    assert found == ["LOT G50-261123-01 EXP 2026-12-23 SN 0001"] * 2


def test_an_hour_based_batch_record_shows_the_times_and_the_basis():
    data = case_data("glycine-ndc-patient")
    data["formula"]["dating_rule"] = "usp797-cat1"
    data["batch"]["compounded_at"] = "2026-11-23T08:30:00"
    bf, comp = batch_from(data)
    text = " ".join(" ".join(pages_text(render_worksheet(bf, comp))).split())
    assert "Compounded 2026-11-23 08:30 | EXP 2026-11-23 20:30" in text  # the header of every page
    assert "2026-11-23 08:30 by Alex Rivera" in text
    assert "12 hours at controlled room temperature from 2026-11-23 08:30 -> 2026-11-23 20:30" in text
    assert "facility local time as entered in batch.compounded_at" in text
    assert "never rounded to a day" in text
    assert "(01) GTIN 00312345678906 from NDC 12345-678-90" in text


def test_no_text_below_seven_points_and_all_inside_the_page(glycine, plans):
    pdf = render_worksheet(*glycine, label_plan=plans[0], carton_plan=plans[1])
    with open_pdf(pdf) as doc:
        for page in doc.pages:
            specimen = [c for c in page.chars if c["size"] < 7]
            for c in page.chars:
                assert 0 <= c["x0"] and c["x1"] <= page.width and 0 <= c["top"]
                assert c["bottom"] <= page.height
            # only the label specimens (actual size) may use their own 6-7 pt text
            assert all(c["size"] >= 6 for c in specimen)
            assert all(c["fontname"].endswith(("LiberationSans", "LiberationSans-Bold")) for c in page.chars)


def test_provisional_lot_is_flagged():
    data = case_data("glycine-30ml")
    data["batch"]["lot_number"] = None
    text = " ".join(pages_text(render_worksheet(*batch_from(data))))
    assert "Lot G50-261123-01 (provisional)" in text
    assert "the register allocates the final lot" in text


def test_worksheet_is_deterministic(glycine, plans):
    assert render_worksheet(*glycine, label_plan=plans[0]) == render_worksheet(*glycine, label_plan=plans[0])


def test_page_count_form_is_defined_once(glycine):
    pdf = render_worksheet(*glycine)
    assert len(re.findall(rb"/Subtype /Form", pdf)) == 1


def test_record_prints_which_strength_expression_leads_and_why():
    from render_helpers import KCL_10ML_EXAMPLE, example_data

    bf, comp = batch_from(example_data(KCL_10ML_EXAMPLE))
    pdf = render_worksheet(bf, comp)
    text = " ".join(pages_text(pdf))
    table = cells(pdf)
    assert "Label strength: 20 mEq per 10 mL (2 mEq/mL) (followed by: potassium chloride 1,490 mg per 10 mL)" in text
    assert "potassium chloride | mEq | strength stated in mEq: potassium chloride is an electrolyte (ingredient " in (
        table
    )
    assert "kind); formula setting: —" in table
    assert "Strength, potassium chloride | potassium (the cation) 1.999 mEq/mL × 10 mL | 20 mEq per 10 mL" in table


def test_record_shows_the_units_weighing_and_the_potency_in_units():
    from render_helpers import EXAMPLES, example_data

    bf, comp = batch_from(example_data(EXAMPLES / "oxytocin-30-units-500ml-bag.json"))
    table = cells(render_worksheet(bf, comp))
    assert (
        "Amount to weigh, oxytocin | 0.06 units/mL × 52,020 mL = 3,121.2 units; ÷ 580 units/mg (lot OXY-2609-02, "
        "CoA) = 5.381 mg | 5.4 mg"
    ) in table
    assert "oxytocin | USP units | strength stated in USP units: oxytocin is dosed in USP units" in table
    assert "580 units/mg" in table  # the component table's potency column
    assert "oxytocin (active) | Example Peptide Co. | OXY-2609-02 | 2027-09-30 | 580 units/mg | 5.4 mg" in table


def test_record_lists_the_findings_a_pharmacist_must_acknowledge():
    from render_helpers import KCL_10ML_EXAMPLE, example_data

    from labelapp.domain.settings import CalcSettings
    from labelapp.services.calculate import calculate, parse_batch_data

    data = example_data(KCL_10ML_EXAMPLE)
    data["formula"]["components"][0]["amount_per_ml"] = "350"
    bf = parse_batch_data(data)
    comp = calculate(bf, CalcSettings())
    text = " ".join(pages_text(render_worksheet(bf, comp)))
    assert "Plausibility: a pharmacist must acknowledge each finding before labels print:" in text
    assert "potassium chloride 350 mg/mL is above the maximum concentration of 340 mg/mL" in text
    assert text.count("potassium chloride 350 mg/mL is above") == 1  # not repeated among the cautions
