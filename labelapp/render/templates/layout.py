"""Label layouts: the label's fields placed in zones and stacks, plus the DataMatrix zone.

Zones are rectangles measured from the label's top-left corner with a font, a size range and an
alignment. A layout declares the label size it was designed for and fits every stock of that size.
Its validators refuse overlapping zones, zones past the label's edge, a required 503B field left
out, and a drug name or strength that is not the largest text (docs/domain.md §1, §2).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from labelapp.render.label.fields import FIELDS, PRIMARY_FIELDS, REQUIRED_FIELDS, LabelKind
from labelapp.render.templates.stock import NAME, Stock, TemplateModel
from labelapp.render.units import NonNegativeLength, PositiveLength, fmt_in, fmt_pt

MIN_TEXT_SIZE = 6.0  # pt; nothing on any label or worksheet is smaller (docs/domain.md §2.9, §8.3)
MIN_MODULE = 0.254 * 72 / 25.4  # pt; GS1 healthcare minimum X-dimension, 0.254 mm [U: QA to confirm]
SIZE_TOLERANCE = 0.5  # pt; a layout fits a stock when sizes agree this closely
FOLD_CLEARANCE = 1.0 * 72 / 25.4  # pt; text, symbols and stacks keep 1 mm from a fold [U: QA to confirm]


class Size(TemplateModel):
    width: PositiveLength
    height: PositiveLength


class Rect(TemplateModel):
    """x, y from the label's top-left corner (as a designer measures), in any unit."""

    x: NonNegativeLength
    y: NonNegativeLength
    width: PositiveLength
    height: PositiveLength

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def overlaps(self, other: "Rect") -> bool:
        eps = 1e-6
        return (
            self.x < other.right - eps
            and other.x < self.right - eps
            and self.y < other.bottom - eps
            and other.y < self.bottom - eps
        )


class SizeRange(TemplateModel):
    max: PositiveLength
    min: PositiveLength

    @model_validator(mode="after")
    def _order(self) -> "SizeRange":
        if self.min < MIN_TEXT_SIZE - 1e-9:
            raise ValueError(f"min: {fmt_pt(self.min)} is below the {MIN_TEXT_SIZE:g} pt floor")
        if self.max < self.min:
            raise ValueError("max: must be >= min")
        return self


class TextZone(TemplateModel):
    """Text in a fixed rectangle, or (``rect`` left out) one block of a stack."""

    name: str = NAME
    rect: Rect | None = None
    fields: list[str] = Field(min_length=1)
    font: Literal["regular", "bold"] = "regular"
    size: SizeRange
    leading: float = Field(default=1.15, ge=1.0, le=2.0)
    align: Literal["left", "center", "right"] = "left"
    valign: Literal["top", "middle", "bottom"] = "top"
    flow: Literal["paragraphs", "inline"] = "paragraphs"
    bold_fields: list[str] = []
    group: str | None = Field(
        default=None, pattern=r"^[a-z0-9-]+$", description="zones of a group print at one size: the smallest that fits"
    )

    @model_validator(mode="after")
    def _bold_fields(self) -> "TextZone":
        stray = [f for f in self.bold_fields if f not in self.fields]
        if stray:
            raise ValueError(f"bold_fields: {stray[0]!r} is not one of this zone's fields")
        if self.bold_fields and self.flow == "inline":
            raise ValueError("bold_fields: only for flow 'paragraphs' (an inline zone has one font)")
        return self

    @field_validator("fields")
    @classmethod
    def _known(cls, fields: list[str]) -> list[str]:
        for name in fields:
            if name not in FIELDS:
                raise ValueError(f"unknown field {name!r}; known: {', '.join(sorted(FIELDS))}")
        if len(set(fields)) != len(fields):
            raise ValueError("a field is listed twice")
        if any(FIELDS[f].variable for f in fields) and len(fields) > 1:
            raise ValueError("a per-label field (serial, barcode_hri) must be alone in its zone")
        return fields

    @property
    def variable(self) -> bool:
        return FIELDS[self.fields[0]].variable

    @property
    def placed_rect(self) -> Rect:
        """``rect``, which every zone has once placed: a fixed zone always (the layout requires it),
        a zone of a stack once the stack is fitted (``fit.fit_stack`` gives it one)."""
        if self.rect is None:
            raise ValueError(f"zone {self.name!r} has no rect: a zone of a stack is placed by fitting the stack")
        return self.rect


class BarcodeZone(TemplateModel):
    """Where the DataMatrix goes; the zone includes the 1-module quiet zone on every side."""

    rect: Rect
    module: PositiveLength
    shape: Literal["square", "any"] = "square"
    align: Literal["left", "center", "right"] = "center"
    valign: Literal["top", "middle", "bottom"] = "middle"

    @field_validator("module")
    @classmethod
    def _min_module(cls, module: float) -> float:
        if module < MIN_MODULE - 1e-6:
            raise ValueError("must be >= 0.254mm (GS1 healthcare minimum X-dimension)")
        return module


class Stack(TemplateModel):
    """A column of zones placed top to bottom, each as tall as its text, ``gap`` apart.

    When the column overflows, the text shrinks: first every zone that is not the drug name or
    strength (0.25 pt at a time, each down to its own minimum), then the name and strength. An
    empty zone (no NDC, no warnings) takes no room.
    """

    name: str = NAME
    rect: Rect
    gap: NonNegativeLength = 1.0
    zones: list[TextZone] = Field(min_length=1)

    @model_validator(mode="after")
    def _zones_have_no_rect(self) -> "Stack":
        for i, zone in enumerate(self.zones):
            if zone.rect is not None:
                raise ValueError(f"zones[{i}].rect: a zone in a stack takes its place from the stack; leave rect out")
        return self


class Panel(TemplateModel):
    """One face of a folded label: a flag label's wrap around the container and its two flag faces.

    Panels tile the label; every zone, stack and the DataMatrix lies in one panel and keeps
    ``FOLD_CLEARANCE`` from each fold (a panel edge inside the label), so no text is folded.
    """

    name: str = NAME
    rect: Rect
    description: str = ""


class Layout(TemplateModel):
    name: str = NAME
    description: str = Field(min_length=1)
    kind: LabelKind
    size: Size
    panels: list[Panel] = []
    zones: list[TextZone] = []
    stacks: list[Stack] = []
    barcode: BarcodeZone | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "Layout":
        _check_rects(self)
        _check_inside(self)
        _check_overlaps(self)
        _check_panels(self)
        _check_fields(self)
        _check_prominence(self)
        return self

    def panel_of(self, rect: Rect) -> Panel | None:
        """The panel a zone, stack or symbol lies in (None on an unfolded label)."""
        return next((p for p in self.panels if _within(rect, p.rect)), None)

    @property
    def all_zones(self) -> list[TextZone]:
        return list(self.zones) + [z for stack in self.stacks for z in stack.zones]

    @property
    def barcode_zone(self) -> BarcodeZone:
        """``barcode``, which every loaded layout has (``_check_fields`` requires it)."""
        if self.barcode is None:
            raise ValueError(f"layout {self.name!r} has no barcode zone")
        return self.barcode

    def zone_of(self, field: str) -> TextZone | None:
        return next((z for z in self.all_zones if field in z.fields), None)

    def fits(self, stock: Stock) -> bool:
        return (
            abs(stock.width - self.size.width) <= SIZE_TOLERANCE
            and abs(stock.height - self.size.height) <= SIZE_TOLERANCE
        )


def _check_rects(layout: Layout) -> None:
    if not layout.all_zones:
        raise ValueError("zones: give at least one zone or stack")
    for i, zone in enumerate(layout.zones):
        if zone.rect is None:
            raise ValueError(f"zones[{i}].rect: is required (outside a stack)")
    names = [z.name for z in layout.all_zones] + [s.name for s in layout.stacks]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"zones: the name {twice[0]!r} is used twice")


def _boxes(layout: Layout) -> list[tuple[str, Rect]]:
    boxes = [(f"zones[{i}] ({z.name})", z.placed_rect) for i, z in enumerate(layout.zones)]  # after _check_rects
    boxes += [(f"stacks[{i}] ({s.name})", s.rect) for i, s in enumerate(layout.stacks)]
    if layout.barcode is not None:
        boxes.append(("barcode", layout.barcode.rect))
    return boxes


def _check_inside(layout: Layout) -> None:
    for where, rect in _boxes(layout):
        if rect.right > layout.size.width + 1e-6 or rect.bottom > layout.size.height + 1e-6:
            raise ValueError(
                f"{where}.rect: reaches past the {fmt_in(layout.size.width)} x {fmt_in(layout.size.height)} label"
            )


def _check_overlaps(layout: Layout) -> None:
    boxes = _boxes(layout)
    for i, (where, rect) in enumerate(boxes):
        for other_where, other in boxes[i + 1 :]:
            if rect.overlaps(other):
                raise ValueError(f"{where}.rect: overlaps {other_where}")


def _within(inner: Rect, outer: Rect) -> bool:
    eps = 1e-6
    return (
        inner.x >= outer.x - eps
        and inner.y >= outer.y - eps
        and inner.right <= outer.right + eps
        and inner.bottom <= outer.bottom + eps
    )


def _check_panels(layout: Layout) -> None:
    if not layout.panels:
        return
    width, height = layout.size.width, layout.size.height
    names = [p.name for p in layout.panels]
    if len(set(names)) != len(names):
        raise ValueError("panels: a panel name is used twice")
    for i, panel in enumerate(layout.panels):
        if panel.rect.right > width + 1e-6 or panel.rect.bottom > height + 1e-6:
            raise ValueError(f"panels[{i}] ({panel.name}).rect: reaches past the label")
        for j, other in enumerate(layout.panels[i + 1 :], i + 1):
            if panel.rect.overlaps(other.rect):
                raise ValueError(f"panels[{i}] ({panel.name}).rect: overlaps panels[{j}] ({other.name})")
    if abs(sum(p.rect.width * p.rect.height for p in layout.panels) - width * height) > 1.0:
        raise ValueError("panels: must cover the whole label (each part of it is one face)")
    for where, rect in _boxes(layout):
        home = layout.panel_of(rect)
        if home is None:
            raise ValueError(f"{where}.rect: crosses a fold (it lies in no single panel)")
        p = home.rect
        folds = [
            (rect.x - p.x, p.x > 1e-6),
            (p.right - rect.right, p.right < width - 1e-6),
            (rect.y - p.y, p.y > 1e-6),
            (p.bottom - rect.bottom, p.bottom < height - 1e-6),
        ]
        if any(inner and gap < FOLD_CLEARANCE - 1e-6 for gap, inner in folds):
            raise ValueError(
                f"{where}.rect: closer than {FOLD_CLEARANCE * 25.4 / 72:g} mm to a fold of panel {home.name!r}"
            )


def _check_fields(layout: Layout) -> None:
    placed = [f for z in layout.all_zones for f in z.fields]
    twice = sorted({f for f in placed if placed.count(f) > 1 and not _repeated_on_faces(layout, f)})
    if twice:
        raise ValueError(f"zones: field {twice[0]!r} is placed in more than one zone")
    missing = sorted(REQUIRED_FIELDS[layout.kind] - set(placed))
    if missing:
        raise ValueError(f"zones: a {layout.kind} label must place {', '.join(missing)}")
    for stack in layout.stacks:
        if any(z.variable for z in stack.zones):
            raise ValueError(f"stacks ({stack.name}): per-label fields (serial, barcode_hri) need a fixed zone")
    if layout.barcode is None:
        raise ValueError("barcode: is required (GS1 DataMatrix with expiry, lot and serial)")


def _zone_rects(layout: Layout) -> list[tuple[TextZone, Rect]]:
    """Each zone with its own rect, or its stack's for a zone of a stack."""
    out = [(z, z.placed_rect) for z in layout.zones]
    return out + [(z, stack.rect) for stack in layout.stacks for z in stack.zones]


def _repeated_on_faces(layout: Layout, field: str) -> bool:
    """The drug name and strength may repeat, once per panel: each face of a flag names the drug."""
    if field not in PRIMARY_FIELDS or not layout.panels:
        return False
    panels = [layout.panel_of(rect) for zone, rect in _zone_rects(layout) if field in zone.fields]
    names = [p.name for p in panels if p is not None]
    return len(names) == len(panels) and len(set(names)) == len(names)


def _check_prominence(layout: Layout) -> None:
    zones = layout.all_zones
    primary = [z for z in zones if PRIMARY_FIELDS & set(z.fields)]
    others = [z for z in zones if not PRIMARY_FIELDS & set(z.fields)]
    for zone in primary:
        if set(zone.fields) - PRIMARY_FIELDS:
            raise ValueError(f"zones ({zone.name}): the name/strength zone may hold nothing else")
        for other in others:
            if zone.size.min < other.size.max:
                raise ValueError(
                    f"zones ({zone.name}).size.min: {fmt_pt(zone.size.min)} is smaller than zone "
                    f"{other.name!r} at its max {fmt_pt(other.size.max)}; drug name and strength "
                    "must be the largest text on the label"
                )
