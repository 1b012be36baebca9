"""The expiry a label prints is the one its DataMatrix carries: capped by a component lot, or
hour-based with its time in AI (7003) (docs/domain.md §3.4, §3.6, §7.2)."""

from __future__ import annotations

from datetime import date

import pytest
from render_helpers import batch_from, case_data, check_barcodes, check_label_run, decode, open_pdf, parse_hri, yymmdd

from labelapp.render.label.content import label_content
from labelapp.render.label.render import render_labels
from labelapp.services.rendering import preview


def hour_data(case: str = "glycine-ndc-patient", condition: str = "controlled room temperature") -> dict:
    """The glycine case dated by the USP <797> Category 1 rule (12 h at room temperature, 24 h refrigerated)."""
    data = case_data(case)
    data["formula"]["dating_rule"] = "usp797-cat1"
    data["formula"]["storage"] = {"condition": condition, "handling": []}
    data["batch"]["compounded_at"] = "2026-11-23T08:30:00"
    return data


def test_the_barcode_carries_the_date_capped_by_a_component_lot():
    data = case_data("glycine-ndc-patient")
    by_rule = batch_from(data)[1].expiry.rule_date
    early = date.fromordinal(by_rule.toordinal() - 5)
    data["batch"]["component_lots"][0]["expiry"] = early.isoformat()
    bf, comp = batch_from(data)
    assert comp.expiration_date == early and comp.expiry.capped_by_lot is not None
    document = preview(bf, comp, "vial", "roll-vial-30ml", 2)
    with open_pdf(document.pdf) as pdf:
        text = pdf.pages[0].extract_text()
    assert f"EXP {early.isoformat()}" in text and f"EXP {by_rule.isoformat()}" not in text
    symbols = decode(document.pdf, 0)
    assert len(symbols) == 1
    fields = parse_hri(symbols[0].text)
    assert fields["17"] == yymmdd(early) != yymmdd(by_rule)
    assert fields["10"] == comp.lot_number


def test_the_plain_code_carries_the_capped_date_too():
    data = case_data("glycine-30ml")
    early = date(2026, 12, 10)
    data["batch"]["component_lots"][0]["expiry"] = early.isoformat()
    bf, comp = batch_from(data)
    assert comp.expiration_text == "EXP 2026-12-10"
    (symbol,) = decode(preview(bf, comp, "vial", "roll-vial-30ml", 1).pdf, 0)
    assert symbol.text == f"LOT {comp.lot_number} EXP 2026-12-10 SN 0001"


@pytest.mark.parametrize(
    ("condition", "printed", "ai_7003"),
    [
        ("controlled room temperature", "EXP 2026-11-23 20:30", "2611232030"),  # 12 h from 08:30: the same day
        ("refrigerated", "EXP 2026-11-24 08:30", "2611240830"),  # 24 h
    ],
)
def test_an_hour_based_expiry_prints_its_time_and_the_barcode_carries_ai_7003(templates, condition, printed, ai_7003):
    bf, comp = batch_from(hour_data(condition=condition))
    assert comp.expiration_text == printed
    assert "Compounded 2026-11-23 08:30" == comp.compounded_text
    for kind, stock in (("vial", "roll-vial-30ml"), ("carton", "roll-carton-4x3")):
        content = label_content(bf, comp, kind)
        result = render_labels(content, stock, 3, templates)
        with open_pdf(result.pdf) as pdf:
            text = " ".join(pdf.pages[0].extract_text().split())
        assert printed in text and "Compounded 2026-11-23 08:30" in text
        check_label_run(result, content, templates)
        check_barcodes(result, content, templates, [1, 3], dpi=600 if kind == "vial" else 400)
        (symbol, *_) = decode(result.pdf, 0)
        fields = parse_hri(symbol.text)
        assert fields["7003"] == ai_7003 and "17" not in fields
        assert symbol.text == f"(01)00312345678906(7003){ai_7003}(10){comp.lot_number}(21)0001"


def test_a_component_lot_ending_before_the_hour_based_expiry_day_caps_it_to_a_date(templates):
    data = hour_data(condition="refrigerated")  # 24 h: 2026-11-24 08:30
    data["batch"]["component_lots"][1]["expiry"] = "2026-11-23"
    bf, comp = batch_from(data)
    assert comp.expiration_text == "EXP 2026-11-23" and comp.expiration_time is None
    assert comp.expiry.capped_by_lot == data["batch"]["component_lots"][1]["lot"]
    assert "2026-11-24 08:30" in comp.expiry.basis  # the rule's time it beat stays in the basis
    content = label_content(bf, comp, "vial")
    result = render_labels(content, "roll-vial-30ml", 1, templates)
    check_barcodes(result, content, templates, [1])
    fields = parse_hri(decode(result.pdf, 0)[0].text)
    assert fields["17"] == "261123" and "7003" not in fields


def test_a_lot_expiring_on_the_day_the_hours_end_does_not_cap(templates):
    data = hour_data()  # 12 h: 2026-11-23 20:30
    data["batch"]["component_lots"][1]["expiry"] = "2026-11-23"  # usable through 2026-11-23
    _, comp = batch_from(data)
    assert comp.expiration_text == "EXP 2026-11-23 20:30" and comp.expiry.capped_by_lot is None


def test_an_hour_based_label_without_ndc_carries_the_time_in_its_plain_code(templates):
    bf, comp = batch_from(hour_data("glycine-30ml"))
    content = label_content(bf, comp, "carton")
    result = render_labels(content, "roll-carton-4x3", 2, templates)
    check_barcodes(result, content, templates, [1, 2], dpi=400)
    (symbol,) = decode(result.pdf, 0, dpi=400)
    assert symbol.text == f"LOT {comp.lot_number} EXP 2026-11-23 20:30 SN 0001"
