"""Text fitting: wrap at words, shrink to the zone minimum, and refuse (never truncate) beyond it."""

from __future__ import annotations

import pytest

from labelapp.render.errors import LabelFitError
from labelapp.render.fonts import BOLD, REGULAR, line_metrics, string_width
from labelapp.render.label.fit import UnprintableTextError, _Overflow, fit_layout, fit_zone, tokens
from labelapp.render.templates.layout import TextZone


def zone(width="100pt", height="20pt", size=("8pt", "6pt"), **extra) -> TextZone:
    return TextZone.model_validate(
        {
            "name": "z",
            "rect": {"x": "0pt", "y": "0pt", "width": width, "height": height},
            "fields": extra.pop("fields", ["storage"]),
            "size": {"max": size[0], "min": size[1]},
            **extra,
        }
    )


def lines(fitted):
    return [line.text for line in fitted.lines]


def test_short_text_keeps_the_maximum_size():
    fitted = fit_zone(zone(), {"storage": "Store cold."}, 100)
    assert fitted.size == 8 and lines(fitted) == ["Store cold."]


def test_wraps_at_word_boundaries_and_keeps_every_word():
    text = "Store at 20° to 25°C (68° to 77°F). Protect from light. Do not freeze."
    fitted = fit_zone(zone(height="40pt"), {"storage": text}, 100)
    assert len(fitted.lines) > 1
    assert " ".join(lines(fitted)) == text
    for line in fitted.lines:
        assert line.width <= 100 + 1e-6


def test_shrinks_before_refusing():
    text = "Store at 20° to 25°C (68° to 77°F). Protect from light."
    fitted = fit_zone(zone(height="16pt"), {"storage": text}, 100)
    assert 6 <= fitted.size < 8
    assert " ".join(lines(fitted)) == text


def test_refuses_below_the_minimum_naming_the_field():
    text = "word " * 80
    with pytest.raises(_Overflow) as info:
        fit_zone(zone(height="20pt"), {"storage": text}, 100)
    assert info.value.field == "storage"


def test_a_word_wider_than_the_zone_is_refused_not_broken():
    with pytest.raises(_Overflow) as info:
        fit_zone(zone(width="30pt"), {"storage": "Supercalifragilistic"}, 100)
    assert info.value.field == "storage"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1,500 mg per 30 mL (50 mg/mL)", ["1,500\u00a0mg", "per", "30\u00a0mL", "(50\u00a0mg/mL)"]),
        ("water for injection q.s.", ["water", "for", "injection\u00a0q.s."]),
        ("EXP\u00a02027-05-31 now", ["EXP\u00a02027-05-31", "now"]),
        ("0.5 mg", ["0.5\u00a0mg"]),
        ("20° to 25°C", ["20°", "to", "25°C"]),
    ],
)
def test_numbers_stay_with_their_units(text, expected):
    assert tokens(text) == expected


def test_number_and_unit_never_split_across_lines():
    width = string_width("1,500 mg per 3", REGULAR, 8)
    fitted = fit_zone(
        zone(width=f"{width}pt", height="30pt", size=("8pt", "8pt")), {"storage": "1,500 mg per 30 mL (50 mg/mL)"}, 100
    )
    assert lines(fitted) == ["1,500 mg per", "30 mL", "(50 mg/mL)"]


def test_newline_starts_a_paragraph():
    fitted = fit_zone(zone(height="30pt", fields=["strength"]), {"strength": "276 mg per mL\n142 mg per mL"}, 100)
    assert lines(fitted) == ["276 mg per mL", "142 mg per mL"]


def test_inline_zone_runs_fields_together_with_a_wider_gap():
    fitted = fit_zone(
        zone(width="300pt", fields=["lot", "expiry"], flow="inline"), {"lot": "LOT A1", "expiry": "EXP 2027-05-31"}, 100
    )
    assert lines(fitted) == ["LOT A1  EXP 2027-05-31"]


def test_bold_fields_use_the_bold_face():
    fitted = fit_zone(
        zone(height="30pt", fields=["warnings", "route"], bold_fields=["warnings"]),
        {"warnings": "Must be diluted.", "route": "For intravenous use."},
        100,
    )
    assert [line.font for line in fitted.lines] == [BOLD, REGULAR]


def test_empty_optional_field_prints_nothing():
    fitted = fit_zone(zone(fields=["ndc"]), {"ndc": ""}, 100)
    assert fitted.lines == ()


def test_character_without_a_glyph_is_refused():
    with pytest.raises(UnprintableTextError, match="U\\+4E2D"):
        fit_zone(zone(), {"storage": "Store \u4e2d"}, 100)


def test_line_boxes_stay_inside_the_zone():
    z = zone(height="20pt", size=("8pt", "6pt"))
    fitted = fit_zone(z, {"storage": "Store at 20° to 25°C (68° to 77°F). Protect from light."}, 100)
    top_pdf, bottom_pdf = 100 - z.rect.y, 100 - z.rect.bottom
    metrics = line_metrics(REGULAR)
    assert 0.2 < metrics.below < 0.22 and metrics.above + metrics.below == pytest.approx(1)
    for line in fitted.lines:
        assert line.baseline + metrics.above * fitted.size <= top_pdf + 1e-6
        assert line.baseline - metrics.below * fitted.size >= bottom_pdf - 1e-6


def test_fit_layout_error_names_field_zone_stock_layout(templates, vial):
    layout = templates.layouts["vial-30ml"]
    texts = dict(vial.texts, storage="Store " * 200, serial="0001/0010")
    with pytest.raises(LabelFitError) as info:
        fit_layout(layout, texts, "roll-vial-30ml")
    err = info.value
    assert (err.field, err.zone, err.stock, err.layout) == ("storage", "body", "roll-vial-30ml", "vial-30ml")
    assert "'storage' does not fit on stock roll-vial-30ml (layout vial-30ml, zone 'body')" in str(err)
    assert "6 pt minimum" in str(err)


def test_zones_of_a_group_print_at_one_size(templates, vial):
    layout = templates.layouts["vial-30ml"]
    fitted = fit_layout(layout, dict(vial.texts, serial="0001/0010"), "roll-vial-30ml")
    body = {z.size for z in fitted.zones if z.zone.group == "body"}
    assert len(body) == 1
