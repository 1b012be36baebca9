"""Stocks and layouts as data: the shipped set is valid, and every broken file is named with its field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from labelapp.render.errors import TemplateError
from labelapp.render.label.fields import PRIMARY_FIELDS, REQUIRED_FIELDS
from labelapp.render.templates.layout import MIN_TEXT_SIZE
from labelapp.render.templates.loader import display_path, load_templates
from labelapp.render.units import parse_length
from labelapp.resources import templates_dir


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A private copy of the shipped stocks and layouts to break one file at a time."""
    for sub in ("stocks", "layouts"):
        shutil.copytree(templates_dir() / sub, tmp_path / sub)
    return tmp_path


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def error_of(tree: Path) -> str:
    with pytest.raises(TemplateError) as info:
        load_templates(tree)
    return str(info.value)


@pytest.mark.parametrize(
    "text, points", [("3.25in", 234.0), ("25.4mm", 72.0), ("6pt", 6.0), ("2.54cm", 72.0), (" .5in ", 36.0)]
)
def test_lengths_with_units(text, points):
    assert parse_length(text) == pytest.approx(points)


@pytest.mark.parametrize("value", ["3.25", 3.25, "3.25 inches", "in", "", None, True])
def test_lengths_without_a_unit_are_refused(value):
    with pytest.raises(ValueError, match="must be a length with a unit"):
        parse_length(value)


def test_shipped_templates_load_and_pair_up(templates):
    assert len(templates.stocks) >= 7
    for stock in templates.stocks.values():
        assert templates.layouts_for(stock), f"{stock.name} has no layout"
    for layout in templates.layouts.values():
        assert any(layout.fits(s) for s in templates.stocks.values()), f"{layout.name} fits nothing"
        placed = {f for zone in layout.all_zones for f in zone.fields}
        assert REQUIRED_FIELDS[layout.kind] <= placed
        for zone in layout.all_zones:
            assert zone.size.min >= MIN_TEXT_SIZE


def test_shipped_kinds_and_sheets(templates):
    kinds = {s.kind for s in templates.stocks.values()}
    assert kinds == {"roll", "sheet"}
    a5160 = templates.stock("sheet-avery-5160")
    assert (a5160.sheet.columns, a5160.sheet.rows, a5160.labels_per_page) == (3, 10, 30)
    assert a5160.width == pytest.approx(2.625 * 72) and a5160.height == pytest.approx(72)
    a5163 = templates.stock("sheet-avery-5163")
    assert a5163.labels_per_page == 10


def test_display_path_is_relative_to_the_data_root():
    assert display_path(templates_dir() / "stocks" / "roll-vial-30ml.yaml") == "templates/stocks/roll-vial-30ml.yaml"


def test_zero_width_names_file_and_field(tree):
    edit(tree / "stocks" / "roll-vial-30ml.yaml", lambda d: d.update(width="0in"))
    assert error_of(tree).endswith("roll-vial-30ml.yaml: width: must be > 0")


def test_missing_unit_names_file_and_field(tree):
    edit(tree / "stocks" / "roll-vial-10ml.yaml", lambda d: d.update(height="1.25"))
    message = error_of(tree)
    assert "roll-vial-10ml.yaml: height: must be a length with a unit" in message


def test_unknown_key_is_refused(tree):
    edit(tree / "stocks" / "roll-vial-10ml.yaml", lambda d: d.update(widht="2in"))
    assert "roll-vial-10ml.yaml: widht: is not a known field" in error_of(tree)


def test_name_must_match_file(tree):
    edit(tree / "stocks" / "roll-vial-10ml.yaml", lambda d: d.update(name="other"))
    assert "roll-vial-10ml.yaml: name: 'other' must match the file name" in error_of(tree)


def test_sheet_grid_past_the_page(tree):
    edit(tree / "stocks" / "sheet-avery-5160.yaml", lambda d: d["sheet"].update(rows=11))
    assert "sheet-avery-5160.yaml: sheet: the last row ends at 11.5in, past the page height" in error_of(tree)


def test_sheet_pitch_smaller_than_label(tree):
    edit(tree / "stocks" / "sheet-avery-5163.yaml", lambda d: d["sheet"].update(pitch_x="3in"))
    assert "sheet-avery-5163.yaml: sheet.pitch_x: must be >= the label width" in error_of(tree)


def test_bad_yaml_names_the_line(tree):
    (tree / "stocks" / "roll-vial-2ml.yaml").write_text("name: roll-vial-2ml\nwidth: [1in\n")
    assert "roll-vial-2ml.yaml: line 3 column 1: not valid YAML" in error_of(tree)


def _zone(data, name):
    zones = data.get("zones", []) + [z for st in data.get("stacks", []) for z in st["zones"]]
    return next(z for z in zones if z["name"] == name)


def test_text_below_six_points_refused(tree):
    edit(tree / "layouts" / "vial-30ml.yaml", lambda d: _zone(d, "facility")["size"].update(min="5.5pt"))
    assert "vial-30ml.yaml: stacks[1].zones[2].size.min: 5.5pt is below the 6 pt floor" in error_of(tree)


def test_zone_past_the_label_edge(tree):
    edit(tree / "layouts" / "vial-30ml.yaml", lambda d: _zone(d, "rx")["rect"].update(x="240pt"))
    assert "vial-30ml.yaml: zones[" in error_of(tree) and "reaches past the 3.5in x 1.5in label" in error_of(tree)


def test_overlapping_zones(tree):
    edit(tree / "layouts" / "vial-30ml.yaml", lambda d: _zone(d, "rx")["rect"].update(x="190pt"))
    assert "vial-30ml.yaml: zones[0] (rx).rect: overlaps stacks[0] (main)" in error_of(tree)


def test_zone_in_a_stack_takes_no_rect(tree):
    edit(
        tree / "layouts" / "vial-30ml.yaml",
        lambda d: _zone(d, "title").update(rect={"x": "0pt", "y": "0pt", "width": "10pt", "height": "10pt"}),
    )
    assert "vial-30ml.yaml: stacks[0]: zones[0].rect: a zone in a stack takes its place from the stack" in error_of(
        tree
    )


def test_fixed_zone_needs_a_rect(tree):
    edit(tree / "layouts" / "vial-30ml.yaml", lambda d: _zone(d, "rx").pop("rect"))
    assert "vial-30ml.yaml: zones[0].rect: is required (outside a stack)" in error_of(tree)


def test_required_field_left_out(tree):
    def drop(d):
        zone = _zone(d, "body")
        zone["fields"].remove("storage")

    edit(tree / "layouts" / "vial-30ml.yaml", drop)
    assert "vial-30ml.yaml: zones: a vial label must place storage" in error_of(tree)


def test_carton_requires_medwatch_and_directions(tree):
    def drop(d):
        foot = d["stacks"][1]
        foot["zones"] = [z for z in foot["zones"] if z["name"] != "medwatch"]

    edit(tree / "layouts" / "carton-4x3.yaml", drop)
    assert "carton-4x3.yaml: zones: a carton label must place adverse_events" in error_of(tree)


def test_name_and_strength_must_be_largest(tree):
    edit(tree / "layouts" / "vial-30ml.yaml", lambda d: _zone(d, "rx")["size"].update(max="10pt"))
    message = error_of(tree)
    assert "vial-30ml.yaml: zones (title).size.min: 9pt is smaller than zone 'rx' at its max 10pt" in message


def test_unknown_field_in_zone(tree):
    edit(tree / "layouts" / "vial-30ml.yaml", lambda d: _zone(d, "rx")["fields"].append("logo"))
    assert "vial-30ml.yaml: zones[0].fields: unknown field 'logo'" in error_of(tree)


def test_per_label_field_must_be_alone(tree):
    edit(tree / "layouts" / "vial-30ml.yaml", lambda d: _zone(d, "serial")["fields"].append("ndc"))
    assert "must be alone in its zone" in error_of(tree)


def test_barcode_module_below_gs1_minimum(tree):
    edit(tree / "layouts" / "vial-30ml.yaml", lambda d: d["barcode"].update(module="0.2mm"))
    assert "vial-30ml.yaml: barcode.module: must be >= 0.254mm" in error_of(tree)


def test_two_layouts_for_one_stock_are_ambiguous(tree):
    shutil.copy(tree / "layouts" / "vial-30ml.yaml", tree / "layouts" / "vial-30ml-b.yaml")
    edit(tree / "layouts" / "vial-30ml-b.yaml", lambda d: d.update(name="vial-30ml-b"))
    assert "vial-30ml-b.yaml: size: same kind and size as layout 'vial-30ml'" in error_of(tree)


def test_overlapping_default_volume_ranges(tree):
    edit(
        tree / "stocks" / "roll-vial-30ml.yaml",
        lambda d: d.update(default_for_containers={"types": ["vial"], "over_ml": 15, "max_ml": 30}),
    )
    assert "roll-vial-30ml.yaml: default_for_containers: overlaps stock 'roll-vial-20ml' for vial labels" in error_of(
        tree
    )


def test_a_gap_between_default_volume_ranges_is_refused(tree):
    """Every labeled volume up to the largest has a default: a 4 mL vial must not be left without one."""
    edit(
        tree / "stocks" / "roll-vial-5ml.yaml",
        lambda d: d.update(default_for_containers={"types": ["vial"], "over_ml": 4, "max_ml": 5}),
    )
    message = error_of(tree)
    assert (
        "roll-vial-5ml.yaml: default_for_containers: no stock is the default for vial labels over 3 mL up to 4 mL"
        in (message)
    )


def test_the_same_volumes_of_another_container_type_do_not_overlap(tree):
    """A 10 mL syringe and a 10 mL vial have different defaults; only the same type can clash."""
    templates = load_templates(tree)
    assert templates.default_unit_stock("vial", 10).name == "roll-vial-10ml"
    assert templates.default_unit_stock("syringe", 10).name == "roll-syringe-10ml"
    edit(
        tree / "stocks" / "roll-syringe-10ml.yaml",
        lambda d: d.update(default_for_containers={"types": ["syringe", "vial"], "over_ml": 5, "max_ml": 10}),
    )
    assert "default_for_containers: overlaps stock 'roll-syringe-10ml' for vial labels" in error_of(tree)


def test_default_range_needs_a_container_type(tree):
    edit(tree / "stocks" / "roll-vial-10ml.yaml", lambda d: d["default_for_containers"].pop("types"))
    assert "roll-vial-10ml.yaml: default_for_containers.types: is required" in error_of(tree)


def test_unknown_container_type_in_a_stock(tree):
    edit(tree / "stocks" / "roll-vial-10ml.yaml", lambda d: d["default_for_containers"].update(types=["ampule"]))
    assert "roll-vial-10ml.yaml: default_for_containers.types[0]: must be 'vial', 'syringe' or 'bag'" in error_of(tree)


def test_a_default_stock_takes_no_fits_containers(tree):
    edit(tree / "stocks" / "roll-vial-10ml.yaml", lambda d: d.update(fits_containers={"types": ["vial"], "max_ml": 10}))
    assert "roll-vial-10ml.yaml: fits_containers: a default stock fits the containers it is the default for" in (
        error_of(tree)
    )


# ------------------------------------------------------------------- folded (flag) labels


def _panel_zone(data, name):
    return next(z for z in data["zones"] if z["name"] == name)


def test_a_zone_across_a_fold_is_refused(tree):
    """Text folded over the flag's edge would be unreadable: a zone must lie in one panel."""
    edit(tree / "layouts" / "vial-2ml-wrap-flag.yaml", lambda d: _panel_zone(d, "serial")["rect"].update(x="30pt"))
    assert "vial-2ml-wrap-flag.yaml: zones[0] (serial).rect: crosses a fold (it lies in no single panel)" in error_of(
        tree
    )


def test_a_zone_too_close_to_a_fold_is_refused(tree):
    edit(tree / "layouts" / "vial-2ml-wrap-flag.yaml", lambda d: _panel_zone(d, "serial")["rect"].update(x="27pt"))
    assert "zones[0] (serial).rect: closer than 1 mm to a fold of panel 'flag-front'" in error_of(tree)


def test_panels_must_cover_the_label(tree):
    edit(tree / "layouts" / "vial-2ml-wrap-flag.yaml", lambda d: d["panels"][2]["rect"].update(width="60pt"))
    assert "vial-2ml-wrap-flag.yaml: panels: must cover the whole label" in error_of(tree)


def test_name_and_strength_repeat_only_on_another_face(tree):
    """Each face of a syringe flag names the drug; a second name on the same face is a layout error."""
    syringe = tree / "layouts" / "syringe-10ml.yaml"
    edit(syringe, lambda d: d["stacks"][0]["zones"].append(dict(d["stacks"][2]["zones"][0], name="title-twice")))
    assert "syringe-10ml.yaml: zones: field 'established_name' is placed in more than one zone" in error_of(tree)


def test_other_fields_are_placed_once_even_on_a_flag(tree):
    edit(
        tree / "layouts" / "syringe-10ml.yaml",
        lambda d: d["stacks"][2]["zones"].append(dict(d["stacks"][1]["zones"][0], name="body-twice")),
    )
    assert "syringe-10ml.yaml: zones: field 'ingredients' is placed in more than one zone" in error_of(tree)


def test_shipped_flags_keep_every_zone_on_one_face(templates):
    flags = [layout for layout in templates.layouts.values() if layout.panels]
    assert {layout.name for layout in flags} == {"vial-2ml-wrap-flag"} | {
        f"syringe-{ml}ml" for ml in (1, 3, 5, 10, 20, 30, 60)
    }
    for layout in flags:
        for stack in layout.stacks:
            assert layout.panel_of(stack.rect) is not None
        for field in ("established_name", "strength"):
            faces = {layout.panel_of(r).name for z, r in _zones_with_rects(layout) if field in z.fields}
            assert len(faces) == (2 if layout.name.startswith("syringe") else 1), (layout.name, field, faces)


def _zones_with_rects(layout):
    out = [(z, z.rect) for z in layout.zones]
    return out + [(z, s.rect) for s in layout.stacks for z in s.zones]


def test_primary_fields_are_name_and_strength():
    assert PRIMARY_FIELDS == {"established_name", "strength"}


def test_a_stock_file_with_a_calibration_offset_is_refused_with_where_it_moved(tree):
    """One calibration mechanism: per printer and stock on the Print page, never in a stock file."""
    path = tree / "stocks" / "roll-vial-2ml.yaml"
    path.write_text(path.read_text() + "printer_offsets: {ZD621: {x: 1mm, y: 0mm}}\n")
    message = error_of(tree)
    assert (
        "roll-vial-2ml.yaml: printer_offsets: printer calibration is set per printer and stock on the "
        "Print page" in message
    )
