"""Label stocks: the physical media, a roll (one page is one label) or a letter sheet of cells.

Printer calibration is not part of a stock: it is one offset per printer and stock, kept on the
workstation and set on the Print page (``labelapp.gui.printing``), so archived PDFs never depend on
which printer printed them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from labelapp.domain.formula import ContainerType
from labelapp.render.units import NonNegativeLength, PositiveLength, fmt_in

NAME = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)


class TemplateModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Size(TemplateModel):
    width: PositiveLength
    height: PositiveLength


class SheetGrid(TemplateModel):
    """Cells in reading order: left to right, then top to bottom."""

    page: Size
    columns: int = Field(gt=0)
    rows: int = Field(gt=0)
    margin_left: NonNegativeLength
    margin_top: NonNegativeLength
    pitch_x: PositiveLength
    pitch_y: PositiveLength


class ContainerRange(TemplateModel):
    """Containers of the ``types`` whose labeled volume V is over ``over_ml`` and at most ``max_ml``
    (over_ml < V <= max_ml). As ``default_for_containers`` it says which products a stock is the
    default unit-label stock for: the ranges of neighbouring stocks meet without a gap or an overlap
    (the loader checks both), so every volume up to the largest has exactly one default."""

    types: list[ContainerType] = Field(min_length=1)
    over_ml: float = Field(default=0, ge=0)
    max_ml: float = Field(gt=0)

    @model_validator(mode="after")
    def _order(self) -> "ContainerRange":
        if self.max_ml <= self.over_ml:
            raise ValueError("max_ml: must be > over_ml")
        if len(set(self.types)) != len(self.types):
            raise ValueError("types: a container type is listed twice")
        return self

    def holds(self, container: ContainerType, volume_ml: float) -> bool:
        return container in self.types and self.over_ml < volume_ml <= self.max_ml

    def text(self) -> str:
        return f"over {self.over_ml:g} mL up to {self.max_ml:g} mL" if self.over_ml else f"up to {self.max_ml:g} mL"


class Stock(TemplateModel):
    name: str = NAME
    description: str = Field(min_length=1)
    kind: Literal["roll", "sheet"]
    width: PositiveLength
    height: PositiveLength
    dpi: int = Field(default=300, ge=150, le=2400)
    media: str = ""
    sheet: SheetGrid | None = None
    default_for_containers: ContainerRange | None = None
    fits_containers: ContainerRange | None = None  # a stock that is no default: the containers it is made for
    default_carton: bool = False

    @model_validator(mode="after")
    def _grid(self) -> "Stock":
        if self.kind == "sheet" and self.sheet is None:
            raise ValueError("sheet: is required when kind is 'sheet'")
        if self.kind == "roll" and self.sheet is not None:
            raise ValueError("sheet: only allowed when kind is 'sheet'")
        if self.sheet is not None:
            _check_grid(self.sheet, self.width, self.height)
        if self.default_for_containers is not None and self.fits_containers is not None:
            raise ValueError("fits_containers: a default stock fits the containers it is the default for; leave it out")
        return self

    @property
    def made_for(self) -> ContainerRange | None:
        """The containers this stock labels (its default range, or ``fits_containers``); None for cartons."""
        return self.default_for_containers or self.fits_containers

    def suits(self, other: "Stock") -> bool:
        """Whether this stock is made for some of the containers ``other`` is made for (same type, an
        overlapping volume range): the only stocks worth proposing when a label does not fit ``other``."""
        mine, theirs = self.made_for, other.made_for
        if theirs is None:
            return True
        if mine is None:
            return False
        return (
            bool(set(mine.types) & set(theirs.types)) and mine.over_ml < theirs.max_ml and theirs.over_ml < mine.max_ml
        )

    @property
    def area(self) -> float:
        return self.width * self.height

    @property
    def sheet_grid(self) -> SheetGrid:
        """``sheet``, which a stock of kind 'sheet' always has (``_grid`` requires it)."""
        if self.sheet is None:
            raise ValueError(f"stock {self.name!r} is a {self.kind} stock, not a sheet of cells")
        return self.sheet

    @property
    def labels_per_page(self) -> int:
        return self.sheet.columns * self.sheet.rows if self.sheet else 1

    def size_text(self) -> str:
        return f"{fmt_in(self.width)} x {fmt_in(self.height)}"


def _check_grid(grid: SheetGrid, width: float, height: float) -> None:
    if grid.pitch_x + 1e-6 < width:
        raise ValueError("sheet.pitch_x: must be >= the label width")
    if grid.pitch_y + 1e-6 < height:
        raise ValueError("sheet.pitch_y: must be >= the label height")
    right = grid.margin_left + (grid.columns - 1) * grid.pitch_x + width
    bottom = grid.margin_top + (grid.rows - 1) * grid.pitch_y + height
    if right > grid.page.width + 1e-6:
        raise ValueError(
            f"sheet: the last column ends at {fmt_in(right)}, past the page width {fmt_in(grid.page.width)}"
        )
    if bottom > grid.page.height + 1e-6:
        raise ValueError(
            f"sheet: the last row ends at {fmt_in(bottom)}, past the page height {fmt_in(grid.page.height)}"
        )
