"""Reading templates/stocks/*.yaml and templates/layouts/*.yaml into one checked ``TemplateSet``.

Every error names the file and the field, e.g. ``templates/stocks/roll-vial-30ml.yaml: width:
must be > 0``. The app's own set is loaded once per process (``default_templates``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from labelapp.domain.errors import FieldIssue, validated
from labelapp.domain.files import DataFileError, read_data_file
from labelapp.domain.formula import ContainerType
from labelapp.render.errors import TemplateError
from labelapp.render.label.fields import LabelKind
from labelapp.render.templates.layout import Layout
from labelapp.render.templates.stock import Stock
from labelapp.resources import data_root, templates_dir

T = TypeVar("T", Stock, Layout)

MOVED_KEYS = {
    "offset": "printer calibration is set per printer and stock on the Print page, not in the stock file",
    "printer_offsets": "printer calibration is set per printer and stock on the Print page, not in the stock file",
}


def display_path(path: Path) -> str:
    """templates/stocks/x.yaml when under the data root, else the path as given."""
    try:
        return path.resolve().relative_to(data_root().resolve()).as_posix()
    except ValueError:
        return str(path)


def _read(path: Path) -> dict[str, Any]:
    where = display_path(path)
    try:
        data = read_data_file(path)
    except DataFileError as exc:  # one line naming the file; keep the template-relative name
        raise TemplateError([FieldIssue("", str(exc).removeprefix(f"{path}:").strip())], source=where) from None
    if not isinstance(data, dict):
        raise TemplateError([FieldIssue("", "must be a mapping of fields")], source=where)
    moved = [FieldIssue(key, why) for key, why in MOVED_KEYS.items() if key in data]
    if moved:
        raise TemplateError(moved, source=where)
    return data


def _validated(model: type[T], path: Path) -> T:
    obj = validated(model, _read(path), source=display_path(path), error=TemplateError)
    where = display_path(path)
    if obj.name != path.stem:
        raise TemplateError([FieldIssue("name", f"{obj.name!r} must match the file name {path.stem!r}")], source=where)
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
            raise TemplateError([FieldIssue("stock", f"unknown stock {name!r}; known: {known}")]) from None

    def layouts_for(self, stock: Stock) -> list[Layout]:
        return [layout for layout in self.layouts.values() if layout.fits(stock)]

    def layout_for(self, stock: Stock, kind: LabelKind) -> Layout:
        matches = [layout for layout in self.layouts_for(stock) if layout.kind == kind]
        if not matches:
            usable = ", ".join(s.name for s in self.stocks_for(kind)) or "none"
            raise TemplateError(
                [
                    FieldIssue(
                        "stock",
                        f"no {kind} layout fits stock {stock.name} ({stock.size_text()}); {kind} stocks: {usable}",
                    )
                ]
            )
        return matches[0]

    def default_unit_stock(self, container: ContainerType | str, volume_ml: float) -> Stock:
        """The stock set up (``default_for_containers``) for the unit label of this container type
        and labeled volume: a 10 mL syringe and a 10 mL vial get different labels."""
        kind = ContainerType(container)
        found = [
            s
            for s in self.stocks.values()
            if s.default_for_containers and s.default_for_containers.holds(kind, volume_ml)
        ]
        if len(found) != 1:
            why = "no stock is" if not found else f"{len(found)} stocks are"
            raise TemplateError(
                [FieldIssue("stock", f"{why} set up as the default for {volume_ml:g} mL {kind.value} labels; name one")]
            )
        return found[0]

    def default_carton_stock(self) -> Stock:
        found = [s for s in self.stocks.values() if s.default_carton]
        if len(found) != 1:
            raise TemplateError([FieldIssue("carton-stock", "no single default carton stock is set up; name one")])
        return found[0]

    def stocks_for(self, kind: LabelKind) -> list[Stock]:
        """Stocks with a layout of this kind, smallest label first."""
        found = [s for s in self.stocks.values() if any(layout.kind == kind for layout in self.layouts_for(s))]
        return sorted(found, key=lambda s: (s.area, s.width, s.name))


def _check_unique_layouts(layouts: dict[str, Layout], paths: dict[str, Path]) -> None:
    seen: dict[tuple[str, int, int], str] = {}
    for name, layout in sorted(layouts.items()):
        key = (layout.kind, round(layout.size.width), round(layout.size.height))
        if key in seen:
            raise TemplateError(
                [
                    FieldIssue(
                        "size", f"same kind and size as layout {seen[key]!r}; the stock's layout would be ambiguous"
                    )
                ],
                source=display_path(paths[name]),
            )
        seen[key] = name


def _check_default_ranges(stocks: dict[str, Stock], paths: dict[str, Path]) -> None:
    """For each container type, the default ranges run from 0 mL to the largest without a gap or an
    overlap: every labeled volume up to it has exactly one default stock."""
    for kind in ContainerType:
        ranged = sorted(
            (
                (s, s.default_for_containers)
                for s in stocks.values()
                if s.default_for_containers is not None and kind in s.default_for_containers.types
            ),
            key=lambda pair: (pair[1].over_ml, pair[1].max_ml, pair[0].name),
        )
        reached = 0.0
        for i, (stock, r) in enumerate(ranged):
            if i and r.over_ml < reached - 1e-9:
                other = ranged[i - 1][0]
                raise TemplateError(
                    [
                        FieldIssue(
                            "default_for_containers",
                            f"overlaps stock {other.name!r} for {kind.value} labels; "
                            "the default stock for a volume would be ambiguous",
                        )
                    ],
                    source=display_path(paths[stock.name]),
                )
            if r.over_ml > reached + 1e-9:
                raise TemplateError(
                    [
                        FieldIssue(
                            "default_for_containers",
                            f"no stock is the default for {kind.value} labels over {reached:g} mL up to "
                            f"{r.over_ml:g} mL; ranges must meet (over_ml of one = max_ml of the next smaller)",
                        )
                    ],
                    source=display_path(paths[stock.name]),
                )
            reached = r.max_ml
    cartons = sorted(s.name for s in stocks.values() if s.default_carton)
    if len(cartons) > 1:
        raise TemplateError(
            [FieldIssue("default_carton", f"also set on {cartons[0]!r}; only one stock can be the default carton")],
            source=display_path(paths[cartons[1]]),
        )


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
