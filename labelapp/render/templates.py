"""Label stocks and layouts as data: YAML files in templates/stocks and templates/layouts.

A *stock* is the physical media: a roll where one page is one label, or a letter sheet of cells
(margins, pitch, per-printer calibration offset). A *layout* places the label's fields in zones
(rectangles measured from the label's top-left corner) with a font, a size range and an alignment,
plus the DataMatrix zone. A layout declares the label size it was designed for; it fits every stock
whose label has that size. Every error names the file and the field, e.g.
``templates/stocks/roll-vial-30ml.yaml: width: must be > 0``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from labelapp.domain.errors import FieldIssue, issues_from_validation
from labelapp.render.errors import TemplateError
from labelapp.render.fields import FIELDS, PRIMARY_FIELDS, REQUIRED_FIELDS, LabelKind
from labelapp.render.units import Length, NonNegativeLength, PositiveLength, fmt_in, fmt_pt
from labelapp.resources import data_root, templates_dir

MIN_TEXT_SIZE = 6.0          # pt; nothing on any label or worksheet is smaller (domain §2.7, §7.3)
MIN_MODULE = 0.254 * 72 / 25.4  # pt; GS1 healthcare minimum X-dimension, 0.254 mm [U: QA to confirm]
SIZE_TOLERANCE = 0.5          # pt; a layout fits a stock when sizes agree this closely

_Name = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Size(_Model):
    width: PositiveLength
    height: PositiveLength


class Offset(_Model):
    x: Length = 0.0
    y: Length = 0.0

    @model_validator(mode="after")
    def _small(self) -> "Offset":
        if abs(self.x) > 18 or abs(self.y) > 18:
            raise ValueError("a calibration offset beyond 0.25in is a wrong stock or printer setup")
        return self


class SheetGrid(_Model):
    """Cells in reading order: left to right, then top to bottom."""

    page: Size
    columns: int = Field(gt=0)
    rows: int = Field(gt=0)
    margin_left: NonNegativeLength
    margin_top: NonNegativeLength
    pitch_x: PositiveLength
    pitch_y: PositiveLength


class ContainerRange(_Model):
    """Nominal container volumes a vial stock is the default for (mL)."""

    min_ml: float = Field(gt=0)
    max_ml: float = Field(gt=0)

    @model_validator(mode="after")
    def _order(self) -> "ContainerRange":
        if self.max_ml < self.min_ml:
            raise ValueError("max_ml: must be >= min_ml")
        return self

    def holds(self, volume_ml: float) -> bool:
        return self.min_ml <= volume_ml <= self.max_ml


class Stock(_Model):
    name: str = _Name
    description: str = Field(min_length=1)
    kind: Literal["roll", "sheet"]
    width: PositiveLength
    height: PositiveLength
    dpi: int = Field(default=300, ge=150, le=2400)
    media: str = ""
    sheet: SheetGrid | None = None
    offset: Offset = Offset()
    printer_offsets: dict[str, Offset] = {}
    default_for_containers: ContainerRange | None = None
    default_carton: bool = False

    @model_validator(mode="after")
    def _grid(self) -> "Stock":
        if self.kind == "sheet" and self.sheet is None:
            raise ValueError("sheet: is required when kind is 'sheet'")
        if self.kind == "roll" and self.sheet is not None:
            raise ValueError("sheet: only allowed when kind is 'sheet'")
        if self.sheet is not None:
            _check_grid(self.sheet, self.width, self.height)
        return self

    @property
    def area(self) -> float:
        return self.width * self.height

    @property
    def labels_per_page(self) -> int:
        return self.sheet.columns * self.sheet.rows if self.sheet else 1

    def size_text(self) -> str:
        return f"{fmt_in(self.width)} x {fmt_in(self.height)}"

    def offset_for(self, printer: str | None) -> Offset:
        if printer is None:
            return self.offset
        return self.printer_offsets.get(printer, self.offset)


def _check_grid(grid: SheetGrid, width: float, height: float) -> None:
    if grid.pitch_x + 1e-6 < width:
        raise ValueError("sheet.pitch_x: must be >= the label width")
    if grid.pitch_y + 1e-6 < height:
        raise ValueError("sheet.pitch_y: must be >= the label height")
    right = grid.margin_left + (grid.columns - 1) * grid.pitch_x + width
    bottom = grid.margin_top + (grid.rows - 1) * grid.pitch_y + height
    if right > grid.page.width + 1e-6:
        raise ValueError(f"sheet: the last column ends at {fmt_in(right)}, past the page width "
                         f"{fmt_in(grid.page.width)}")
    if bottom > grid.page.height + 1e-6:
        raise ValueError(f"sheet: the last row ends at {fmt_in(bottom)}, past the page height "
                         f"{fmt_in(grid.page.height)}")


class Rect(_Model):
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
        return (self.x < other.right - eps and other.x < self.right - eps
                and self.y < other.bottom - eps and other.y < self.bottom - eps)


class SizeRange(_Model):
    max: PositiveLength
    min: PositiveLength

    @model_validator(mode="after")
    def _order(self) -> "SizeRange":
        if self.min < MIN_TEXT_SIZE - 1e-9:
            raise ValueError(f"min: {fmt_pt(self.min)} is below the {MIN_TEXT_SIZE:g} pt floor")
        if self.max < self.min:
            raise ValueError("max: must be >= min")
        return self


class TextZone(_Model):
    """Text in a fixed rectangle, or (``rect`` left out) one block of a stack."""

    name: str = _Name
    rect: Rect | None = None
    fields: list[str] = Field(min_length=1)
    font: Literal["regular", "bold"] = "regular"
    size: SizeRange
    leading: float = Field(default=1.15, ge=1.0, le=2.0)
    align: Literal["left", "center", "right"] = "left"
    valign: Literal["top", "middle", "bottom"] = "top"
    flow: Literal["paragraphs", "inline"] = "paragraphs"
    bold_fields: list[str] = []
    group: str | None = Field(default=None, pattern=r"^[a-z0-9-]+$",
                              description="zones of a group print at one size: the smallest that fits")

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


class BarcodeZone(_Model):
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
            raise ValueError(f"must be >= 0.254mm (GS1 healthcare minimum X-dimension)")
        return module


class Stack(_Model):
    """A column of zones placed top to bottom, each as tall as its text, ``gap`` apart.

    When the column overflows, the text shrinks: first every zone that is not the drug name or
    strength (0.25 pt at a time, each down to its own minimum), then the name and strength. An
    empty zone (no NDC, no warnings) takes no room.
    """

    name: str = _Name
    rect: Rect
    gap: NonNegativeLength = 1.0
    zones: list[TextZone] = Field(min_length=1)

    @model_validator(mode="after")
    def _zones_have_no_rect(self) -> "Stack":
        for i, zone in enumerate(self.zones):
            if zone.rect is not None:
                raise ValueError(f"zones[{i}].rect: a zone in a stack takes its place from the "
                                 "stack; leave rect out")
        return self


class Layout(_Model):
    name: str = _Name
    description: str = Field(min_length=1)
    kind: LabelKind
    size: Size
    zones: list[TextZone] = []
    stacks: list[Stack] = []
    barcode: BarcodeZone | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "Layout":
        _check_rects(self)
        _check_inside(self)
        _check_overlaps(self)
        _check_fields(self)
        _check_prominence(self)
        return self

    @property
    def all_zones(self) -> list[TextZone]:
        return list(self.zones) + [z for stack in self.stacks for z in stack.zones]

    def zone_of(self, field: str) -> TextZone | None:
        return next((z for z in self.all_zones if field in z.fields), None)

    def fits(self, stock: Stock) -> bool:
        return (abs(stock.width - self.size.width) <= SIZE_TOLERANCE
                and abs(stock.height - self.size.height) <= SIZE_TOLERANCE)


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
    boxes = [(f"zones[{i}] ({z.name})", z.rect) for i, z in enumerate(layout.zones)]
    boxes += [(f"stacks[{i}] ({s.name})", s.rect) for i, s in enumerate(layout.stacks)]
    if layout.barcode is not None:
        boxes.append(("barcode", layout.barcode.rect))
    return boxes


def _check_inside(layout: Layout) -> None:
    for where, rect in _boxes(layout):
        if rect.right > layout.size.width + 1e-6 or rect.bottom > layout.size.height + 1e-6:
            raise ValueError(f"{where}.rect: reaches past the {fmt_in(layout.size.width)} x "
                             f"{fmt_in(layout.size.height)} label")


def _check_overlaps(layout: Layout) -> None:
    boxes = _boxes(layout)
    for i, (where, rect) in enumerate(boxes):
        for other_where, other in boxes[i + 1:]:
            if rect.overlaps(other):
                raise ValueError(f"{where}.rect: overlaps {other_where}")


def _check_fields(layout: Layout) -> None:
    placed = [f for z in layout.all_zones for f in z.fields]
    twice = sorted({f for f in placed if placed.count(f) > 1})
    if twice:
        raise ValueError(f"zones: field {twice[0]!r} is placed in more than one zone")
    missing = sorted(REQUIRED_FIELDS[layout.kind] - set(placed))
    if missing:
        raise ValueError(f"zones: a {layout.kind} label must place {', '.join(missing)}")
    for stack in layout.stacks:
        if any(z.variable for z in stack.zones):
            raise ValueError(f"stacks ({stack.name}): per-label fields (serial, barcode_hri) need "
                             "a fixed zone")
    if layout.barcode is None:
        raise ValueError("barcode: is required (GS1 DataMatrix with expiry, lot and serial)")


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
                    "must be the largest text on the label")


# --------------------------------------------------------------------------------------- loading

def display_path(path: Path) -> str:
    """templates/stocks/x.yaml when under the data root, else the path as given."""
    try:
        return path.resolve().relative_to(data_root().resolve()).as_posix()
    except ValueError:
        return str(path)


def _read_yaml(path: Path) -> dict:
    where = display_path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TemplateError([FieldIssue("", f"cannot read: {exc.strerror}")], source=where) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark else ""
        raise TemplateError([FieldIssue("", f"{line}not valid YAML")], source=where) from None
    if not isinstance(data, dict):
        raise TemplateError([FieldIssue("", "must be a mapping of fields")], source=where)
    return data


def _validated(model: type[_Model], path: Path):
    data = _read_yaml(path)
    where = display_path(path)
    try:
        obj = model.model_validate(data)
    except ValidationError as exc:
        raise TemplateError(issues_from_validation(exc), source=where) from None
    if obj.name != path.stem:
        raise TemplateError([FieldIssue("name", f"{obj.name!r} must match the file name "
                                                f"{path.stem!r}")], source=where)
    return obj


def load_stock(path: Path) -> Stock:
    return _validated(Stock, path)


def load_layout(path: Path) -> Layout:
    return _validated(Layout, path)


@dataclass(frozen=True)
class TemplateSet:
    stocks: dict[str, Stock]
    layouts: dict[str, Layout]

    def stock(self, name: str) -> Stock:
        try:
            return self.stocks[name]
        except KeyError:
            known = ", ".join(sorted(self.stocks))
            raise TemplateError([FieldIssue("stock", f"unknown stock {name!r}; known: {known}")]) \
                from None

    def layouts_for(self, stock: Stock) -> list[Layout]:
        return [layout for layout in self.layouts.values() if layout.fits(stock)]

    def layout_for(self, stock: Stock, kind: LabelKind) -> Layout:
        matches = [layout for layout in self.layouts_for(stock) if layout.kind == kind]
        if not matches:
            usable = ", ".join(s.name for s in self.stocks_for(kind)) or "none"
            raise TemplateError([FieldIssue("stock", f"no {kind} layout fits stock {stock.name} "
                                                     f"({stock.size_text()}); {kind} stocks: {usable}")])
        return matches[0]

    def default_vial_stock(self, volume_ml: float) -> Stock:
        found = [s for s in self.stocks.values()
                 if s.default_for_containers and s.default_for_containers.holds(volume_ml)]
        if len(found) != 1:
            why = "no stock is" if not found else f"{len(found)} stocks are"
            raise TemplateError([FieldIssue("stock", f"{why} set up as the default for "
                                                     f"{volume_ml:g} mL containers; name one")])
        return found[0]

    def default_carton_stock(self) -> Stock:
        found = [s for s in self.stocks.values() if s.default_carton]
        if len(found) != 1:
            raise TemplateError([FieldIssue("carton-stock", "no single default carton stock is "
                                                            "set up; name one")])
        return found[0]

    def stocks_for(self, kind: LabelKind) -> list[Stock]:
        """Stocks with a layout of this kind, smallest label first."""
        found = [s for s in self.stocks.values()
                 if any(layout.kind == kind for layout in self.layouts_for(s))]
        return sorted(found, key=lambda s: (s.area, s.width, s.name))


def _check_unique_layouts(layouts: dict[str, Layout], paths: dict[str, Path]) -> None:
    seen: dict[tuple[str, int, int], str] = {}
    for name, layout in sorted(layouts.items()):
        key = (layout.kind, round(layout.size.width), round(layout.size.height))
        if key in seen:
            raise TemplateError([FieldIssue("size", f"same kind and size as layout {seen[key]!r}; "
                                                    "the stock's layout would be ambiguous")],
                                source=display_path(paths[name]))
        seen[key] = name


def _check_default_ranges(stocks: dict[str, Stock], paths: dict[str, Path]) -> None:
    ranged = sorted((s for s in stocks.values() if s.default_for_containers), key=lambda s: s.name)
    for i, stock in enumerate(ranged):
        a = stock.default_for_containers
        for other in ranged[i + 1:]:
            b = other.default_for_containers
            if a.min_ml <= b.max_ml and b.min_ml <= a.max_ml:
                raise TemplateError([FieldIssue("default_for_containers",
                                                f"overlaps stock {other.name!r}; the default stock "
                                                "for a volume would be ambiguous")],
                                    source=display_path(paths[stock.name]))
    cartons = sorted(s.name for s in stocks.values() if s.default_carton)
    if len(cartons) > 1:
        raise TemplateError([FieldIssue("default_carton", f"also set on {cartons[0]!r}; only one "
                                                          "stock can be the default carton")],
                            source=display_path(paths[cartons[1]]))


def load_templates(root: Path | None = None) -> TemplateSet:
    """Every stock and layout under ``root`` (default: the app's templates/ folder)."""
    base = root if root is not None else templates_dir()
    stock_paths = {p.stem: p for p in sorted((base / "stocks").glob("*.yaml"))}
    layout_paths = {p.stem: p for p in sorted((base / "layouts").glob("*.yaml"))}
    stocks = {name: load_stock(p) for name, p in stock_paths.items()}
    layouts = {name: load_layout(p) for name, p in layout_paths.items()}
    _check_unique_layouts(layouts, layout_paths)
    _check_default_ranges(stocks, stock_paths)
    return TemplateSet(stocks, layouts)


_cache: dict[str, TemplateSet] = {}
_cache_lock = threading.Lock()


def default_templates() -> TemplateSet:
    """The app's own templates, loaded once per process (they are read-only data)."""
    with _cache_lock:
        if "default" not in _cache:
            _cache["default"] = load_templates()
        return _cache["default"]
