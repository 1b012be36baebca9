"""A GS1 DataMatrix always carries its primary key (01); without an NDC the facility's setting
chooses its own GTIN, a plain (non-GS1) code, or no code (docs/domain.md §7.3)."""

from __future__ import annotations

import json

import pytest
from render_helpers import case_data, check_barcodes, check_label_run, decode, open_pdf, parse_hri

from labelapp.domain.errors import InputError
from labelapp.domain.settings import CalcSettings
from labelapp.render.label.content import label_content
from labelapp.render.label.render import render_labels
from labelapp.services.calculate import calculate, load_settings, parse_batch_data

FACILITY_GTIN = "00350242040624"


def computed(policy: str | None, case: str = "glycine-30ml"):
    settings = (
        CalcSettings()
        if policy is None
        else CalcSettings.model_validate(
            {
                "label": {
                    "barcode_without_ndc": policy,
                    "facility_gtin": FACILITY_GTIN if policy == "facility-gtin" else None,
                }
            }
        )
    )
    bf = parse_batch_data(case_data(case))
    return bf, calculate(bf, settings)


def test_the_default_without_an_ndc_is_a_plain_code():
    assert CalcSettings().label.barcode_without_ndc == "plain"
    _, comp = computed(None)
    assert comp.barcode.kind == "plain" and comp.barcode.gtin is None
    assert "calc.label.barcode_without_ndc = plain" in comp.barcode.basis


@pytest.mark.parametrize("policy", ["plain", "facility-gtin", "none"])
@pytest.mark.parametrize(
    ("kind", "stock", "dpi"), [("vial", "roll-vial-30ml", 600), ("carton", "roll-carton-4x3", 400)]
)
def test_every_policy_renders_a_label_whose_code_says_what_is_printed(templates, policy, kind, stock, dpi):
    bf, comp = computed(policy)
    content = label_content(bf, comp, kind)
    result = render_labels(content, stock, 3, templates)
    check_label_run(result, content, templates)
    check_barcodes(result, content, templates, [1, 2, 3], dpi=dpi)
    symbols = decode(result.pdf, 0, dpi)
    if policy == "none":
        assert content.code is None and symbols == []
        return
    (symbol,) = symbols
    if policy == "plain":
        assert symbol.symbology_identifier == "]d1"
        assert symbol.text == f"LOT {comp.lot_number} EXP 2026-12-23 SN 0001"
    else:
        assert symbol.symbology_identifier == "]d2"
        assert symbol.text == f"(01){FACILITY_GTIN}(17)261223(10){comp.lot_number}(21)0001"
    if kind == "carton":  # the carton prints the code's human-readable text: exactly what it decodes to
        with open_pdf(result.pdf) as pdf:
            assert symbol.text in " ".join(pdf.pages[0].extract_text().split())


def test_with_an_ndc_the_gtin_comes_from_it_whatever_the_setting():
    for policy in ("plain", "facility-gtin", "none"):
        _, comp = computed(policy, "glycine-ndc-patient")
        assert (comp.barcode.kind, comp.barcode.gtin) == ("gs1", "00312345678906")
        assert "from NDC 12345-678-90" in comp.barcode.basis


def test_no_label_path_makes_a_gs1_string_without_its_gtin(templates):
    """Every policy and every kind: a GS1 code is only ever made with its (01) GTIN."""
    for policy in ("plain", "facility-gtin", "none"):
        for case in ("glycine-30ml", "glycine-ndc-patient"):
            bf, comp = computed(policy, case)
            for kind in ("vial", "carton"):
                content = label_content(bf, comp, kind)
                if content.code is not None and content.code.is_gs1:
                    assert content.code.element_string().startswith("[01]")
                    assert list(parse_hri(content.code.human_readable()))[0] == "01"


@pytest.mark.parametrize(
    ("label", "words"),
    [
        ({"barcode_without_ndc": "facility-gtin"}, "facility_gtin: is required when barcode_without_ndc"),
        ({"barcode_without_ndc": "facility-gtin", "facility_gtin": "00350242040629"}, "check digit is 4"),
        ({"facility_gtin": "0035024204062"}, "exactly 14 digits"),
        ({"facility_gtin": 350242040624}, "GTIN-14 written as 14 digits"),
        ({"barcode_without_ndc": "linear"}, "label.barcode_without_ndc: must be 'facility-gtin', 'plain' or 'none'"),
    ],
)
def test_the_setting_is_validated(tmp_path, label, words):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"label": label}), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_settings(path)
    assert words in info.value.details()
