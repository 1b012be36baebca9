"""Vial (unit) and carton labels for a batch: preflight, fit to the stock, render the serialized run.

    content = label_content(batch_file, computation, "vial")
    result = render_labels(content, "roll-vial-30ml", count=computation.label_count)
    write_atomic(path, result.pdf)

If the unit label's ingredient list does not fit, it is replaced by "See carton for ingredients." (the
statute lets the list move to the container, §503B(a)(10)(B)(i), docs/domain.md §1.3) and ``ingredients_on_carton`` is
set; the carton label always carries the full list. If anything else does not fit, LabelFitError
names the field and proposes the next larger stock on which the label fits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from labelapp.domain.errors import LabelappError
from labelapp.render.errors import LabelFitError, TemplateError
from labelapp.render.label.content import SEE_CARTON, LabelContent
from labelapp.render.label.fields import LabelKind
from labelapp.render.label.fit import FittedLabel, fit_layout
from labelapp.render.label.preflight import preflight
from labelapp.render.label.run import RunPlan, check_symbol_fits, page_count, render_run, serial_text, serial_value
from labelapp.render.templates.loader import TemplateSet, default_templates
from labelapp.render.templates.stock import Stock

MAX_LABELS = 200_000


@dataclass(frozen=True)
class FitResult:
    fitted: FittedLabel
    ingredients_on_carton: bool


@dataclass(frozen=True)
class LabelRunResult:
    pdf: bytes
    kind: LabelKind
    stock: str
    layout: str
    count: int
    pages: int
    ingredients_on_carton: bool
    sizes: Mapping[str, float]  # zone name -> font size used (pt)
    notes: tuple[str, ...]


def variable_samples(content: LabelContent, count: int) -> dict[str, str]:
    """The widest per-label texts of a run of ``count`` (the last serial)."""
    hri = content.code.with_serial(serial_value(count, count)).human_readable() if content.code else ""
    return {"serial": serial_text(count, count), "barcode_hri": hri}


def _plan(content: LabelContent, fitted: FittedLabel, stock: Stock, count: int) -> RunPlan:
    return RunPlan(
        fitted=fitted,
        stock=stock,
        code=content.code,
        count=count,
        title=content.title,
        subject=f"{count} labels on {stock.name} ({fitted.layout.name})",
    )


def _fit_once(
    content: LabelContent, texts: Mapping[str, str], stock: Stock, templates: TemplateSet, count: int
) -> FittedLabel:
    layout = templates.layout_for(stock, content.kind)
    fitted = fit_layout(layout, texts, stock.name)
    check_symbol_fits(_plan(content, fitted, stock, count))
    return fitted


def try_fit(content: LabelContent, stock: Stock, templates: TemplateSet, count: int) -> FitResult:
    """Fit as is; for a unit label, retry with the ingredients moved to the carton."""
    texts = {**content.texts, **variable_samples(content, count)}
    try:
        return FitResult(_fit_once(content, texts, stock, templates, count), False)
    except LabelFitError:
        if content.kind != "vial" or not texts.get("ingredients"):
            raise
    texts["ingredients"] = SEE_CARTON
    return FitResult(_fit_once(content, texts, stock, templates, count), True)


def _candidates(stock: Stock, templates: TemplateSet, kind: LabelKind) -> list[Stock]:
    """Larger stocks for this kind of label, same medium (roll/sheet) first, then the other.

    A unit label is only sent to stocks made for the same containers (a 5 mL vial label wrapped
    round a 2 mL vial, or a syringe flag on a vial, would hide text under itself); a carton label
    only to stocks made for no container (not to a bag label of the carton's size)."""
    larger = [
        s
        for s in templates.stocks_for(kind)
        if s.area > stock.area + 1e-6 and (s.suits(stock) if kind == "vial" else s.made_for is None)
    ]
    return sorted(larger, key=lambda s: (s.kind != stock.kind, s.area, s.name))


def fit_for_stock(content: LabelContent, stock: Stock, templates: TemplateSet, count: int) -> FitResult:
    try:
        return try_fit(content, stock, templates, count)
    except LabelFitError as exc:
        for candidate in _candidates(stock, templates, content.kind):
            try:
                try_fit(content, candidate, templates, count)
            except (LabelFitError, TemplateError):
                continue
            raise exc.with_suggestion(candidate.name) from None
        raise exc.with_suggestion(None) from None


def render_labels(
    content: LabelContent, stock_name: str, count: int, templates: TemplateSet | None = None
) -> LabelRunResult:
    """Preflight, fit, and render ``count`` serialized labels (serials 1..count) as one PDF."""
    if not 1 <= count <= MAX_LABELS:
        raise LabelappError(f"label count {count} is outside 1..{MAX_LABELS:,}")
    preflight(content)
    templates = templates or default_templates()
    stock = templates.stock(stock_name)
    fit = fit_for_stock(content, stock, templates, count)
    pdf = render_run(_plan(content, fit.fitted, stock, count))
    sizes = MappingProxyType({z.zone.name: z.size for z in fit.fitted.zones})
    notes = content.notes
    if fit.ingredients_on_carton:
        notes += (
            "the ingredient list did not fit the unit label; it reads 'See carton for "
            "ingredients.' and the carton label must carry the full list",
        )
    return LabelRunResult(
        pdf,
        content.kind,
        stock.name,
        fit.fitted.layout.name,
        count,
        page_count(stock, count),
        fit.ingredients_on_carton,
        sizes,
        notes,
    )


def plan_for(content: LabelContent, stock_name: str, count: int, templates: TemplateSet | None = None) -> RunPlan:
    """The fitted plan without rendering (for a specimen on the worksheet or a preview)."""
    preflight(content)
    templates = templates or default_templates()
    stock = templates.stock(stock_name)
    return _plan(content, fit_for_stock(content, stock, templates, count).fitted, stock, count)
