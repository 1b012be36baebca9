"""Containers of every size: each shipped example labels on its default stocks with no flags, the
default depends on the container type, the 2 mL vial carries the whole 503B(a)(10)(A) list, and a
syringe flag names the drug on both faces (docs/domain.md §1.1, §1.3, §2.6, §8.1)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from render_helpers import (
    EXAMPLES,
    batch_from,
    case_data,
    check_barcodes,
    check_every_char_on_a_label,
    check_label_run,
    example_data,
    load_case,
    norm,
    open_pdf,
)

from labelapp.cli import main
from labelapp.render.errors import LabelFitError, TemplateError
from labelapp.render.label.content import MEDWATCH, NBSP, SEE_CARTON, label_content
from labelapp.render.label.draw import folds
from labelapp.render.label.render import render_labels
from labelapp.render.templates.layout import FOLD_CLEARANCE
from labelapp.services import rendering
from labelapp.services.calculate import calculate, load_batch_file

# The unit-label stock each shipped example gets with no --stock (its container type and volume).
DEFAULT_STOCKS = {
    "glycine-50mg-ml-30ml.json": "roll-vial-30ml",
    "potassium-chloride-2meq-ml-10ml.json": "roll-vial-10ml",
    "sodium-bicarbonate-8.4pct-50ml.json": "roll-vial-50ml",
    "sodium-phosphates-3mmol-ml-15ml.json": "roll-vial-20ml",
    "phenylephrine-100mcg-ml-10ml-syringe.json": "roll-syringe-10ml",
    "magnesium-sulfate-2g-50ml-bag.json": "roll-bag-4x2",
    "oxytocin-30-units-500ml-bag.json": "roll-bag-4x3",
}
EXAMPLE_FILES = sorted(p.name for p in EXAMPLES.glob("*.json"))


def test_the_table_names_every_shipped_example():
    assert sorted(DEFAULT_STOCKS) == EXAMPLE_FILES


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_every_example_labels_on_its_default_stocks(name, templates):
    """Unit and carton labels on the stocks the facility set up, every character inside its zone
    and the label, nothing below 6 pt, name and strength the largest text, the DataMatrix readable."""
    bf = load_batch_file(EXAMPLES / name)
    comp = calculate(bf)
    for kind, stock in (("vial", DEFAULT_STOCKS[name]), ("carton", "roll-carton-4x3")):
        assert rendering.default_stock(bf, kind) == stock
        doc = rendering.preview(bf, comp, kind, count=3)
        assert doc.stock == stock
        content = label_content(bf, comp, kind)
        check_label_run(doc, content, templates)
        check_every_char_on_a_label(doc, templates)
        check_barcodes(doc, content, templates, [1, 3], dpi=600 if kind == "vial" else 400)


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_every_example_renders_from_the_command_line_with_no_stock_flag(name, tmp_path, capsys):
    labels, carton = tmp_path / "labels.pdf", tmp_path / "carton.pdf"
    args = ["render", str(EXAMPLES / name), "--labels", str(labels), "--carton", str(carton), "--extras", "0"]
    assert main(args) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert f"on {DEFAULT_STOCKS[name]} (layout" in out and "on roll-carton-4x3 (layout carton-4x3)" in out
    assert labels.stat().st_size > 0 and carton.stat().st_size > 0


# The shipped example filled into another size of its container, for each default unit stock no
# shipped example lands on: every stock the facility gets by default is rendered with a product.
RESIZED = {
    "roll-vial-2ml-wrap-flag": ("glycine-50mg-ml-30ml.json", "2"),
    "roll-vial-5ml": ("glycine-50mg-ml-30ml.json", "5"),
    "roll-vial-100ml": ("sodium-bicarbonate-8.4pct-50ml.json", "100"),
    **{f"roll-syringe-{ml}ml": ("phenylephrine-100mcg-ml-10ml-syringe.json", str(ml)) for ml in (1, 3, 5, 20, 30, 60)},
    "roll-bag-4x2": ("magnesium-sulfate-2g-50ml-bag.json", "250"),
    "roll-bag-4x3": ("magnesium-sulfate-2g-50ml-bag.json", "1000"),
}


def test_every_default_unit_stock_is_rendered_with_a_product(templates):
    defaults = {s.name for s in templates.stocks.values() if s.default_for_containers is not None}
    assert set(RESIZED) | set(DEFAULT_STOCKS.values()) == defaults


@pytest.mark.parametrize("stock", sorted(RESIZED))
def test_every_default_unit_stock_labels_its_product_inside_its_edges(stock, templates):
    """The example resized to the stock's container picks the stock with no --stock; every zone
    prints exactly its fields (so every 503B(a)(10)(A) element the layout requires is there), every
    character inside the label at >= 6 pt, and each DataMatrix decodes to the printed lot, expiry
    and serial."""
    name, volume = RESIZED[stock]
    data = example_data(EXAMPLES / name)
    fill = (Decimal(volume) * Decimal("1.03")).quantize(Decimal("0.1"))
    data["formula"]["container"].update(nominal_volume_ml=volume, fill_volume_ml=str(fill))
    bf, comp = batch_from(data)
    assert rendering.default_stock(bf, "vial") == stock
    content = label_content(bf, comp, "vial")
    result = render_labels(content, stock, 3, templates)
    assert min(result.sizes.values()) >= 6.0
    check_label_run(result, content, templates)
    check_every_char_on_a_label(result, templates)
    check_barcodes(result, content, templates, [1, 3])
    assert content.texts["container"] == comp.package_text
    assert comp.package_text.startswith(f"{Decimal(volume):,} mL Single-Dose")


@pytest.mark.parametrize(
    "container, volume, stock",
    [
        ("vial", 1, "roll-vial-2ml-wrap-flag"),
        ("vial", 2, "roll-vial-2ml-wrap-flag"),
        ("vial", 3, "roll-vial-2ml-wrap-flag"),
        ("vial", 3.5, "roll-vial-5ml"),
        ("vial", 5, "roll-vial-5ml"),
        ("vial", 10, "roll-vial-10ml"),
        ("vial", 15, "roll-vial-20ml"),
        ("vial", 20, "roll-vial-20ml"),
        ("vial", 30, "roll-vial-30ml"),
        ("vial", 50, "roll-vial-50ml"),
        ("vial", 100, "roll-vial-100ml"),
        ("syringe", 1, "roll-syringe-1ml"),
        ("syringe", 3, "roll-syringe-3ml"),
        ("syringe", 5, "roll-syringe-5ml"),
        ("syringe", 10, "roll-syringe-10ml"),
        ("syringe", 20, "roll-syringe-20ml"),
        ("syringe", 30, "roll-syringe-30ml"),
        ("syringe", 60, "roll-syringe-60ml"),
        ("bag", 50, "roll-bag-4x2"),
        ("bag", 250, "roll-bag-4x2"),
        ("bag", 500, "roll-bag-4x3"),
        ("bag", 1000, "roll-bag-4x3"),
    ],
)
def test_the_default_unit_stock_depends_on_container_type_and_volume(container, volume, stock, templates):
    assert templates.default_unit_stock(container, volume).name == stock


@pytest.mark.parametrize("container, largest", [("vial", 100), ("syringe", 60), ("bag", 1000)])
def test_every_volume_up_to_the_largest_has_exactly_one_default(container, largest, templates):
    volumes = [v / 4 for v in range(1, largest * 4 + 1)]  # every 0.25 mL
    assert all(templates.default_unit_stock(container, v) for v in volumes)
    with pytest.raises(TemplateError, match=f"no stock is set up as the default for {largest + 1} mL {container}"):
        templates.default_unit_stock(container, largest + 1)


def test_a_2ml_vial_carries_every_503b_element_at_6pt_or_more(templates):
    """Glycine 50 mg/mL in a 2 mL vial (100 mg per 2 mL), on the 2 mL wrap-and-flag label: every
    503B(a)(10)(A) element (the ingredient list moved to the carton, §1.3), nothing below 6 pt, name
    and strength the largest text, no character within 1 mm of a fold, and the DataMatrix reads
    back the printed lot, expiry and serial."""
    bf, comp = load_case("glycine-2ml")
    assert rendering.default_stock(bf, "vial") == "roll-vial-2ml-wrap-flag"
    content = label_content(bf, comp, "vial")
    result = render_labels(content, "roll-vial-2ml-wrap-flag", 3, templates)
    assert result.layout == "vial-2ml-wrap-flag"
    assert result.ingredients_on_carton
    assert min(result.sizes.values()) >= 6.0
    assert min(result.sizes["title"], result.sizes["strength"]) > max(
        size for zone, size in result.sizes.items() if zone not in ("title", "strength")
    )
    check_label_run(result, content, templates)
    check_every_char_on_a_label(result, templates)
    check_barcodes(result, content, templates, [1, 2, 3])
    layout = templates.layouts["vial-2ml-wrap-flag"]
    xs, _ = folds(layout)
    with open_pdf(result.pdf) as pdf:
        page = pdf.pages[1]
        text = " ".join(_face_text(page, panel) for panel in layout.panels)  # face by face, as read
        for c in page.chars:
            for x in xs:
                assert not (c["x0"] - FOLD_CLEARANCE < x < c["x1"] + FOLD_CLEARANCE), (c["text"], x)
    needles = [v.replace(NBSP, " ") for k, v in content.texts.items() if k not in ("ndc", "warnings", "ingredients")]
    needles += [content.elements[k] for k in ("facility.name", "facility.address", "facility.phone", "lot")]
    for needle in needles + [SEE_CARTON, "2 mL Single-Dose Vial. Discard unused portion.", "0002/0003"]:
        assert norm(needle) in text, needle
    assert "100 mg per 2 mL (50 mg/mL)" in text
    carton = label_content(bf, comp, "carton")
    with open_pdf(render_labels(carton, "roll-carton-4x3", 1, templates).pdf) as pdf:
        carton_text = norm(pdf.pages[0].extract_text())
    assert "Each mL contains: glycine 50 mg; water for injection q.s." in carton_text and MEDWATCH in carton_text


def test_a_2ml_product_too_long_for_its_vial_is_refused_not_sent_to_a_larger_vial(templates):
    """A fit error on the 2 mL label proposes no 5 mL label: wrapped round a 2 mL vial it would hide text."""
    data = case_data("glycine-2ml")  # glycine 50 mg/mL in a 2 mL vial
    data["formula"]["warnings"] = ["CONCENTRATE: must be diluted before use. Contains no preservative."]
    bf, comp = batch_from(data)
    with pytest.raises(LabelFitError, match="no larger stock fits either") as info:
        render_labels(label_content(bf, comp, "vial"), "roll-vial-2ml-wrap-flag", 3, templates)
    assert info.value.suggestion is None


def _face_text(page, panel) -> str:
    r = panel.rect
    return norm(page.within_bbox((r.x, r.y, r.right, r.bottom)).extract_text() or "")


def test_a_syringe_flag_names_the_drug_on_both_faces(templates):
    path = Path(EXAMPLES / "phenylephrine-100mcg-ml-10ml-syringe.json")
    bf, comp = batch_from(example_data(path))
    content = label_content(bf, comp, "vial")
    result = render_labels(content, rendering.default_stock(bf, "vial"), 2, templates)
    layout = templates.layouts[result.layout]
    faces = {p.name: p for p in layout.panels}
    name, strength = content.texts["established_name"], norm(content.texts["strength"])
    with open_pdf(result.pdf) as pdf:
        page = pdf.pages[0]
        front, wrap, back = (_face_text(page, faces[n]) for n in ("flag-front", "wrap", "flag-back"))
    assert name in front and strength in front and "10 mL Single-Dose Prefilled Syringe." in front
    assert name in back and strength in back and "0001/0002" in back
    assert "This is a compounded drug." in wrap and name not in wrap
    check_label_run(result, content, templates)
    check_barcodes(result, content, templates, [1, 2])


def test_fold_marks_only_on_folded_labels(templates):
    bf, comp = load_case("glycine-2ml")
    content = label_content(bf, comp, "vial")
    layout = templates.layouts["vial-2ml-wrap-flag"]
    with open_pdf(render_labels(content, "roll-vial-2ml-wrap-flag", 1, templates).pdf) as pdf:
        marks = sorted({round(line["x0"], 2) for line in pdf.pages[0].lines})
    assert marks == [round(x, 2) for x in folds(layout)[0]] == [72.0, 214.56]
    with open_pdf(render_labels(content, "roll-vial-30ml", 1, templates).pdf) as pdf:
        assert not pdf.pages[0].lines
