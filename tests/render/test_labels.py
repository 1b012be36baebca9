"""Vial and carton label runs, read back from the PDF: content, geometry, sizes and barcodes."""

from __future__ import annotations

import re
from types import MappingProxyType

import pytest
from render_helpers import (
    EXAMPLES,
    KCL_10ML_EXAMPLE,
    batch_from,
    case_data,
    check_barcodes,
    check_every_char_on_a_label,
    check_label_run,
    example_data,
    glycine_10ml_data,
    load_case,
    long_name_data,
    many_ingredients_data,
    open_pdf,
)

from labelapp.render.errors import LabelFitError, PreflightError
from labelapp.render.label.content import MEDWATCH, NBSP, SEE_CARTON, label_content
from labelapp.render.label.render import render_labels

CARTON_STOCKS = ["roll-carton-4x3", "sheet-avery-5163"]  # made for no container: the carton label's
CASES = {
    "standard": lambda: case_data("glycine-30ml"),
    "long-name": long_name_data,
    "many-ingredients": many_ingredients_data,
}

# What each stock does with each case: "ok", "ok+carton" (ingredients moved to the carton), or
# ("refuse", field, suggested stock or None). Whatever the case's own container, every unit stock
# is tried with its texts. The plain 2 mL wrap, the 2 x 1 in flag and the 5160 cell cannot carry the
# whole 503B(a)(10)(A) list at >= 6 pt and say so with the smallest larger stock made for the same
# containers (the 2 mL wrap-and-flag label, or the 5 mL vial label for the 5160 cell); a refusal on
# a stock with no larger stock for its containers proposes none (a 5 mL label is no fix for a 2 mL
# vial, nor a vial label for a syringe).
EXPECTED = {
    ("standard", "roll-bag-4x2"): "ok",
    ("standard", "roll-bag-4x3"): "ok",
    ("standard", "roll-carton-4x3"): "ok",
    ("standard", "roll-syringe-10ml"): "ok",
    ("standard", "roll-syringe-1ml"): "ok",
    ("standard", "roll-syringe-20ml"): "ok",
    ("standard", "roll-syringe-30ml"): "ok",
    ("standard", "roll-syringe-3ml"): "ok",
    ("standard", "roll-syringe-5ml"): "ok",
    ("standard", "roll-syringe-60ml"): "ok",
    ("standard", "roll-vial-100ml"): "ok",
    ("standard", "roll-vial-10ml"): "ok",
    ("standard", "roll-vial-20ml"): "ok",
    ("standard", "roll-vial-2ml"): ("refuse", "osmolarity", "roll-vial-2ml-wrap-flag"),
    ("standard", "roll-vial-2ml-flag"): ("refuse", "storage", "roll-vial-2ml-wrap-flag"),
    ("standard", "roll-vial-2ml-wrap-flag"): "ok+carton",
    ("standard", "roll-vial-30ml"): "ok",
    ("standard", "roll-vial-50ml"): "ok",
    ("standard", "roll-vial-5ml"): "ok",
    ("standard", "sheet-avery-5160"): ("refuse", "compounded_date", "roll-vial-5ml"),
    ("standard", "sheet-avery-5163"): "ok",
    ("long-name", "roll-bag-4x2"): "ok",
    ("long-name", "roll-bag-4x3"): "ok",
    ("long-name", "roll-carton-4x3"): "ok",
    ("long-name", "roll-syringe-10ml"): ("refuse", "container", None),
    ("long-name", "roll-syringe-1ml"): ("refuse", "expiry", None),
    ("long-name", "roll-syringe-20ml"): "ok",
    ("long-name", "roll-syringe-30ml"): "ok",
    ("long-name", "roll-syringe-3ml"): ("refuse", "expiry", None),
    ("long-name", "roll-syringe-5ml"): ("refuse", "strength", None),
    ("long-name", "roll-syringe-60ml"): "ok",
    ("long-name", "roll-vial-100ml"): "ok",
    ("long-name", "roll-vial-10ml"): ("refuse", "strength", None),
    ("long-name", "roll-vial-20ml"): "ok",
    ("long-name", "roll-vial-2ml"): ("refuse", "established_name", None),
    ("long-name", "roll-vial-2ml-flag"): ("refuse", "container", None),
    ("long-name", "roll-vial-2ml-wrap-flag"): ("refuse", "osmolarity", None),
    ("long-name", "roll-vial-30ml"): ("refuse", "storage", None),
    ("long-name", "roll-vial-50ml"): "ok",
    ("long-name", "roll-vial-5ml"): ("refuse", "established_name", None),
    ("long-name", "sheet-avery-5160"): ("refuse", "ingredients", None),
    ("long-name", "sheet-avery-5163"): ("refuse", "storage", "roll-carton-4x3"),
    ("many-ingredients", "roll-bag-4x2"): "ok",
    ("many-ingredients", "roll-bag-4x3"): "ok",
    ("many-ingredients", "roll-carton-4x3"): "ok",
    ("many-ingredients", "roll-syringe-10ml"): "ok",
    ("many-ingredients", "roll-syringe-1ml"): "ok+carton",
    ("many-ingredients", "roll-syringe-20ml"): "ok",
    ("many-ingredients", "roll-syringe-30ml"): "ok",
    ("many-ingredients", "roll-syringe-3ml"): "ok+carton",
    ("many-ingredients", "roll-syringe-5ml"): "ok+carton",
    ("many-ingredients", "roll-syringe-60ml"): "ok",
    ("many-ingredients", "roll-vial-100ml"): "ok",
    ("many-ingredients", "roll-vial-10ml"): "ok+carton",
    ("many-ingredients", "roll-vial-20ml"): "ok+carton",
    ("many-ingredients", "roll-vial-2ml"): ("refuse", "osmolarity", "roll-vial-2ml-wrap-flag"),
    ("many-ingredients", "roll-vial-2ml-flag"): ("refuse", "storage", "roll-vial-2ml-wrap-flag"),
    ("many-ingredients", "roll-vial-2ml-wrap-flag"): "ok+carton",
    ("many-ingredients", "roll-vial-30ml"): "ok+carton",
    ("many-ingredients", "roll-vial-50ml"): "ok",
    ("many-ingredients", "roll-vial-5ml"): "ok+carton",
    ("many-ingredients", "sheet-avery-5160"): ("refuse", "compounded_date", "roll-vial-5ml"),
    ("many-ingredients", "sheet-avery-5163"): ("refuse", "ingredients", "roll-carton-4x3"),
}


def _content(case: str, kind: str):
    return label_content(*batch_from(CASES[case]()), kind)


def test_expectation_table_covers_every_stock_and_case(templates):
    assert {s for _, s in EXPECTED} == set(templates.stocks)
    assert {c for c, _ in EXPECTED} == set(CASES)
    assert set(CARTON_STOCKS) == {s.name for s in templates.stocks.values() if s.made_for is None}


@pytest.mark.parametrize("case, stock", sorted(EXPECTED))
def test_every_stock_renders_correctly_or_refuses(case, stock, templates):
    kind = "carton" if stock in CARTON_STOCKS else "vial"
    content = _content(case, kind)
    expected = EXPECTED[(case, stock)]
    count = 32 if stock.startswith("sheet") else 3
    if isinstance(expected, tuple):
        with pytest.raises(LabelFitError) as info:
            render_labels(content, stock, count, templates)
        _, field, suggestion = expected
        assert (info.value.field, info.value.stock, info.value.suggestion) == (field, stock, suggestion)
        message = str(info.value)
        assert f"'{field}' does not fit on stock {stock}" in message
        assert (
            f"next larger stock that fits: {suggestion}" in message
            if suggestion
            else "no larger stock fits either" in message
        )
        if suggestion:  # the suggestion is true: the label renders there
            render_labels(content, suggestion, 1, templates)
        return
    result = render_labels(content, stock, count, templates)
    assert result.ingredients_on_carton == (expected == "ok+carton")
    check_label_run(result, content, templates)
    check_every_char_on_a_label(result, templates)


def test_vial_label_carries_every_503b_element(vial, templates):
    result = render_labels(vial, "roll-vial-30ml", 2, templates)
    with open_pdf(result.pdf) as pdf:
        text = " ".join(pdf.pages[1].extract_text().split())
    for needle in [
        "This is a compounded drug.",
        "Example Outsourcing Facility LLC",
        "100 Example Way, Springfield, IL 62701",
        "Tel. 217-555-0100",
        "LOT G50-261123-01",
        "Glycine Injection",
        "1,500 mg per 30 mL (50 mg/mL)",
        "30 mL Single-Dose Vial. Discard unused portion.",
        "Compounded 2026-11-23",
        "EXP 2026-12-23",
        "Store at 20° to 25°C (68° to 77°F).",
        "Not for resale.",
        "Office Use Only.",
        "Each mL contains: glycine 50 mg; water for injection q.s.",
        "Rx only",
        "For intravenous use.",
        "Osmolarity 666 mOsmol/L (calc)",
        "0002/0002",
    ]:
        assert needle in text, needle
    assert "NDC" not in text  # none assigned in this case
    assert MEDWATCH not in text  # that is the carton's (503B(a)(10)(B))


TEN_ML = {"kcl-example": lambda: example_data(KCL_10ML_EXAMPLE), "glycine-10ml": glycine_10ml_data}


@pytest.mark.parametrize("case", sorted(TEN_ML))
def test_10ml_products_print_on_the_10ml_stock_with_every_element(case, templates):
    """A 10 mL product prints on its own 2.75 x 1.25 in stock: every 503B(a)(10)(A) element, nothing
    below 6 pt or outside its zone or the label, name and strength the largest text, and each
    DataMatrix reads back the printed lot, expiry and serial."""
    bf, comp = batch_from(TEN_ML[case]())
    content = label_content(bf, comp, "vial")
    result = render_labels(content, "roll-vial-10ml", 3, templates)
    assert (result.stock, result.layout) == ("roll-vial-10ml", "vial-10ml")
    assert not result.ingredients_on_carton  # the full list fits today (moving it would be lawful)
    assert min(result.sizes.values()) >= 6.0
    assert (
        result.sizes["title"]
        > result.sizes["strength"]
        > max(size for zone, size in result.sizes.items() if zone not in ("title", "strength"))
    )
    check_label_run(result, content, templates)
    check_every_char_on_a_label(result, templates)
    check_barcodes(result, content, templates, [1, 2, 3])
    with open_pdf(result.pdf) as pdf:
        text = " ".join(pdf.pages[2].extract_text().split())
    needles = [v.replace(NBSP, " ") for k, v in content.texts.items() if k != "ndc"]
    needles += [
        content.elements[k]
        for k in (
            "facility.name",
            "facility.address",
            "facility.phone",
            "lot",
            "established name",
            "expiration date",
            "date compounded",
            "storage and handling",
            "ingredients",
        )
    ]
    for needle in needles + [f"For {bf.formula.route} use.", "Rx only", "0003/0003"]:
        assert " ".join(needle.split()) in text, needle
    assert MEDWATCH not in text


def test_kcl_10ml_example_renders_by_default_on_the_10ml_stock(templates):
    """The shipped example's container (10 mL) picks roll-vial-10ml, and it is not refused."""
    bf, comp = batch_from(example_data(KCL_10ML_EXAMPLE))
    content = label_content(bf, comp, "vial")
    volume = float(bf.formula.container.nominal_volume_ml)
    assert templates.default_unit_stock("vial", volume).name == "roll-vial-10ml"
    result = render_labels(content, "roll-vial-10ml", comp.label_count, templates)
    assert result.count == comp.label_count and result.pages == comp.label_count
    check_label_run(result, content, templates, [1, comp.label_count])
    check_barcodes(result, content, templates, [1, comp.label_count])


def test_carton_adds_medwatch_directions_and_full_ingredients(templates):
    content = _content("many-ingredients", "carton")
    result = render_labels(content, "roll-carton-4x3", 1, templates)
    with open_pdf(result.pdf) as pdf:
        text = " ".join(pdf.pages[0].extract_text().split())
    assert MEDWATCH in text
    assert "Dose as directed by the prescriber." in text
    assert "zinc sulfate heptahydrate 0.01 mg; water for injection q.s." in text
    assert "LOT G50-261123-01 EXP 2026-12-23 SN 0001" in text  # the plain code without an NDC


def test_unit_label_moves_ingredients_to_the_carton_only_when_needed(templates):
    content = _content("many-ingredients", "vial")
    result = render_labels(content, "roll-vial-30ml", 1, templates)
    assert result.ingredients_on_carton
    assert any("the carton label must carry the full list" in n for n in result.notes)
    with open_pdf(result.pdf) as pdf:
        text = " ".join(pdf.pages[0].extract_text().split())
    assert SEE_CARTON in text and "zinc" not in text


def test_patient_order_with_ndc(templates):
    bf, comp = load_case("glycine-ndc-patient")
    content = label_content(bf, comp, "vial")
    result = render_labels(content, "roll-vial-30ml", 3, templates)
    with open_pdf(result.pdf) as pdf:
        text = " ".join(pdf.pages[0].extract_text().split())
    assert "Not for resale." in text and "Office Use Only" not in text
    assert content.texts["ndc"] == "NDC 12345-678-90"  # check_label_run reads it back from its zone
    assert content.texts["patient"].replace(NBSP, " ") == "Patient: Jordan Example  Order: RX-2611-0042"
    assert "Patient: Jordan Example Order: RX-2611-0042" in text
    assert content.gs1.gtin == "00312345678906"
    check_label_run(result, content, templates)
    check_barcodes(result, content, templates, [1, 2, 3])


def test_barcodes_on_a_roll_read_back_the_printed_values(vial, templates):
    result = render_labels(vial, "roll-vial-30ml", 12, templates)
    check_barcodes(result, vial, templates, [1, 2, 7, 12])


def test_barcodes_on_a_carton_roll(carton, templates):
    result = render_labels(carton, "roll-carton-4x3", 3, templates)
    check_barcodes(result, carton, templates, [1, 3], dpi=400)


def test_sheet_cells_in_reading_order_one_lot_per_sheet(carton, templates):
    result = render_labels(carton, "sheet-avery-5163", 13, templates)
    assert result.pages == 2
    check_label_run(result, carton, templates)
    check_every_char_on_a_label(result, templates)
    check_barcodes(result, carton, templates, [1, 2, 10, 11, 13], dpi=400)
    with open_pdf(result.pdf) as pdf:
        lots = set(re.findall(r"LOT (\S+)", pdf.pages[0].extract_text() + pdf.pages[1].extract_text()))
    assert lots == {"G50-261123-01"}


def test_serials_run_from_one_to_the_count(vial, templates):
    result = render_labels(vial, "roll-vial-30ml", 11, templates)
    with open_pdf(result.pdf) as pdf:
        serials = [re.search(r"(\d{4})/0011", p.extract_text()).group(1) for p in pdf.pages]
    assert serials == [f"{i:04d}" for i in range(1, 12)]


def test_rendering_is_deterministic(vial, templates):
    first = render_labels(vial, "roll-vial-30ml", 5, templates).pdf
    assert render_labels(vial, "roll-vial-30ml", 5, templates).pdf == first


def test_fonts_are_embedded_liberation_sans_and_nothing_else(vial, templates):
    pdf = render_labels(vial, "roll-vial-30ml", 2, templates).pdf
    base_fonts = set(re.findall(rb"/BaseFont\s*/([A-Za-z0-9+\-]+)", pdf))
    assert base_fonts and all(re.fullmatch(rb"[A-Z]{6}\+LiberationSans(-Bold)?", f) for f in base_fonts), base_fonts
    assert b"/FontFile2" in pdf  # TrueType programs embedded
    for base14 in (b"Helvetica", b"Times-Roman", b"Courier", b"ZapfDingbats", b"Symbol"):
        assert base14 not in pdf
    assert b"ASCII85Decode" not in pdf


def test_static_part_is_one_form_used_by_every_page(vial, templates):
    pdf = render_labels(vial, "roll-vial-30ml", 4, templates).pdf
    assert pdf.count(b"/Subtype /Form") == 1


def test_preflight_names_the_missing_element(vial, templates):
    broken = label_content_with(vial, storage="")
    with pytest.raises(PreflightError) as info:
        render_labels(broken, "roll-vial-30ml", 1, templates)
    assert "storage: storage and handling is missing" in info.value.details()


def test_preflight_requires_office_use_only_without_a_patient(vial, templates):
    broken = label_content_with(vial, resale="Not for resale.")
    with pytest.raises(PreflightError, match="Office Use Only"):
        render_labels(broken, "roll-vial-30ml", 1, templates)


def test_preflight_refuses_the_micro_sign(vial, templates):
    broken = label_content_with(vial, ingredients="Each mL contains: cyanocobalamin 100 \u00b5g")
    with pytest.raises(PreflightError, match="mcg"):
        render_labels(broken, "roll-vial-30ml", 1, templates)


def test_preflight_checks_the_elements_too(vial, templates):
    elements = dict(vial.elements, **{"facility.phone": " "})
    broken = type(vial)(vial.kind, vial.texts, vial.code, MappingProxyType(elements), vial.title)
    with pytest.raises(PreflightError, match="facility.phone: is missing"):
        render_labels(broken, "roll-vial-30ml", 1, templates)


def test_carton_preflight_requires_directions(templates):
    data = case_data("glycine-30ml")
    data["formula"]["directions"] = ""
    content = label_content(*batch_from(data), "carton")
    with pytest.raises(PreflightError, match="directions"):
        render_labels(content, "roll-carton-4x3", 1, templates)


def test_label_count_limits(vial, templates):
    from labelapp.domain.errors import LabelappError

    with pytest.raises(LabelappError, match="outside 1"):
        render_labels(vial, "roll-vial-30ml", 0, templates)


def label_content_with(content, **texts):
    return content.with_text(*next(iter(texts.items())))


def test_phosphate_label_states_phosphorus_in_mmol_and_sodium_in_meq(templates):
    """The strength lines carry phosphorus mmol and sodium mEq (Fresenius '3 mM phosphorus/mL, 4 mEq
    sodium/mL'); the osmolarity statement does not repeat them. No vial stock holds this 15 mL label yet
    (two strength lines and the long salt names), so it is checked on the carton, which repeats every field."""
    from labelapp.render.label.content import active_meq_text

    bf, comp = batch_from(example_data(EXAMPLES / "sodium-phosphates-3mmol-ml-15ml.json"))
    assert active_meq_text(comp) == ""
    content = label_content(bf, comp, "carton")
    assert content.texts["strength"].replace(NBSP, " ") == (
        "phosphorus 45 mmol per 15 mL (3 mmol/mL)\nsodium 60 mEq per 15 mL (4 mEq/mL)"
    )
    result = render_labels(content, "roll-carton-4x3", 2, templates)
    with open_pdf(result.pdf) as pdf:
        text = " ".join(pdf.pages[0].extract_text().split())
    for needle in ("phosphorus 45 mmol per 15 mL (3 mmol/mL)", "sodium 60 mEq per 15 mL (4 mEq/mL)"):
        assert needle in text
    assert "Osmolarity 7,001 mOsmol/L (calc), hypertonic." in text
    check_barcodes(result, content, templates, [1, 2])


def test_kcl_label_leads_in_meq_with_the_salt_weight_in_the_body(templates):
    bf, comp = batch_from(example_data(KCL_10ML_EXAMPLE))
    content = label_content(bf, comp, "vial")
    result = render_labels(content, "roll-vial-10ml", 1, templates)
    with open_pdf(result.pdf) as pdf:
        page = pdf.pages[0]
        text = " ".join(page.extract_text().split())
        sizes = {w["text"]: w["size"] for w in page.extract_words(extra_attrs=["size"])}
    assert "20 mEq per 10 mL (2 mEq/mL)" in text
    assert "Potassium chloride 1,490 mg per 10 mL. Osmolarity 3,997 mOsmol/L (calc), hypertonic." in text
    assert "1,490 mg per 10 mL" not in content.texts["strength"].replace(NBSP, " ")
    assert sizes["1,490"] < sizes["mEq"]  # the salt weight is secondary text, smaller than the strength


def test_oxytocin_bag_label_states_usp_units_and_its_datamatrix_reads_back(templates):
    """No stock is the default for a 500 mL bag yet: the unit label prints on the largest vial stock."""
    bf, comp = batch_from(example_data(EXAMPLES / "oxytocin-30-units-500ml-bag.json"))
    content = label_content(bf, comp, "vial")
    result = render_labels(content, "roll-vial-30ml", 3, templates)
    with open_pdf(result.pdf) as pdf:
        text = " ".join(pdf.pages[0].extract_text().split())
    assert "30 units per 500 mL (0.06 units/mL)" in text
    assert "Osmolarity 308 mOsmol/L (calc), iso-osmotic." in text
    assert "500 mL Single-Dose Bag. Discard unused portion." in text
    assert not re.search(r"\d\s*(U|IU)\b", text)  # ISMP: 'units' written out
    check_label_run(result, content, templates)
    check_barcodes(result, content, templates, [1, 3])
