"""A label whose expiry is capped by a component lot: text and DataMatrix both carry the capped date."""

from __future__ import annotations

from datetime import date

from render_helpers import batch_from, case_data, decode, open_pdf, parse_hri, yymmdd

from labelapp.services.rendering import preview


def test_the_barcode_carries_the_date_capped_by_a_component_lot():
    data = case_data("glycine-30ml")
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
