"""The accessors that give the type checker what validation guarantees (a rect, a barcode zone, a sheet grid)."""

from __future__ import annotations

import pytest

from labelapp.render.fonts import REGULAR, register_fonts, truetype_font
from labelapp.render.templates.loader import default_templates


def test_placed_rect_of_fixed_and_stacked_zones() -> None:
    layouts = default_templates().layouts.values()
    fixed = next(z for layout in layouts for z in layout.zones)
    assert fixed.placed_rect is fixed.rect
    stacked = next(z for layout in layouts for stack in layout.stacks for z in stack.zones)
    with pytest.raises(ValueError, match="placed by fitting the stack"):
        stacked.placed_rect  # noqa: B018


def test_barcode_zone_of_every_shipped_layout() -> None:
    for layout in default_templates().layouts.values():
        assert layout.barcode_zone is layout.barcode


def test_sheet_grid_only_on_sheet_stocks() -> None:
    stocks = default_templates().stocks.values()
    sheet = next(s for s in stocks if s.kind == "sheet")
    assert sheet.sheet_grid is sheet.sheet
    roll = next(s for s in stocks if s.kind == "roll")
    with pytest.raises(ValueError, match="not a sheet of cells"):
        roll.sheet_grid  # noqa: B018


def test_truetype_font_refuses_a_base14_font() -> None:
    register_fonts()
    assert truetype_font(REGULAR).fontName == REGULAR
    with pytest.raises(TypeError, match="not an embedded TrueType font"):
        truetype_font("Helvetica")
