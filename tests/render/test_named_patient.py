"""A named-patient batch prints the patient's name and order number on the unit label and the carton
(docs/domain.md §1.4); the preflight refuses a named-patient label without them."""

from __future__ import annotations

import pytest
from render_helpers import batch_from, case_data, check_barcodes, check_label_run, open_pdf

from labelapp.domain.errors import InputError
from labelapp.render.errors import PreflightError
from labelapp.render.label.content import NBSP, label_content
from labelapp.render.label.fields import REQUIRED_FIELDS
from labelapp.render.label.render import render_labels
from labelapp.services.calculate import parse_batch_data

PRINTED = "Patient: Jordan Example  Order: RX-2611-0042"


def patient_data(case: str = "glycine-30ml") -> dict:
    data = case_data(case)
    data["batch"].update(patient_name="Jordan Example", order_number="RX-2611-0042")
    return data


def test_every_layout_places_the_patient_field(templates):
    assert {"patient"} <= REQUIRED_FIELDS["vial"] and {"patient"} <= REQUIRED_FIELDS["carton"]
    for layout in templates.layouts.values():
        assert layout.zone_of("patient") is not None, layout.name


# Stocks on which the glycine 30 mL case prints (the others refuse it whatever the patient, test_labels.py)
@pytest.mark.parametrize(
    ("kind", "stock"),
    [
        ("vial", "roll-vial-30ml"),
        ("vial", "roll-vial-10ml"),
        ("carton", "roll-carton-4x3"),
        ("carton", "sheet-avery-5163"),
    ],
)
def test_the_unit_label_and_the_carton_print_name_and_order(templates, kind, stock):
    bf, comp = batch_from(patient_data())
    content = label_content(bf, comp, kind)
    assert content.texts["patient"].replace(NBSP, " ") == PRINTED
    assert "Office Use Only" not in content.texts["resale"].replace(NBSP, " ")
    result = render_labels(content, stock, 2, templates)
    with open_pdf(result.pdf) as pdf:
        text = " ".join(pdf.pages[0].extract_text().split())
    assert "Patient: Jordan Example Order: RX-2611-0042" in text  # the extractor folds the two spaces
    check_label_run(result, content, templates)  # the patient zone reads back exactly
    check_barcodes(result, content, templates, [1, 2], dpi=600 if kind == "vial" else 400)


def test_an_office_use_label_names_no_patient(vial):
    assert vial.texts["patient"] == ""
    assert "Office Use Only" in vial.texts["resale"].replace(NBSP, " ")


def test_the_preflight_refuses_a_named_patient_label_without_name_and_order(templates):
    content = label_content(*batch_from(patient_data()), "vial")
    broken = content.with_text("patient", "")
    with pytest.raises(PreflightError, match="must print the patient's name and order number"):
        render_labels(broken, "roll-vial-30ml", 1, templates)


def test_the_preflight_refuses_a_patient_on_an_office_use_label(vial, templates):
    with pytest.raises(PreflightError, match="names no patient"):
        render_labels(vial.with_text("patient", "Patient: X  Order: 1"), "roll-vial-30ml", 1, templates)


@pytest.mark.parametrize(
    ("batch", "words"),
    [
        ({"patient_name": "Jordan Example"}, "batch.order_number: is required for a named-patient batch"),
        ({"patient_name": "Jordan Example", "order_number": "   "}, "batch.order_number: is required"),
        ({"order_number": "RX-1"}, "batch.patient_name: is required with an order number"),
        ({"patient_name": "Jordan Example", "order_number": "RX@1"}, "batch.order_number: 'RX@1': write the"),
        ({"patient_name": "Jordan Example", "order_number": "R" * 31}, "batch.order_number: must have at most 30"),
    ],
)
def test_name_and_order_number_go_together(batch, words):
    data = case_data("glycine-30ml")
    data["batch"].update(batch)
    with pytest.raises(InputError) as info:
        parse_batch_data(data)
    assert words in info.value.details()


def test_the_batch_record_names_patient_and_order():
    from labelapp.render.worksheet.document import render_worksheet

    bf, comp = batch_from(patient_data())
    with open_pdf(render_worksheet(bf, comp)) as pdf:
        text = " ".join(" ".join(p.extract_text() or "" for p in pdf.pages).split())
    assert "named patient: Jordan Example, order RX-2611-0042" in text
