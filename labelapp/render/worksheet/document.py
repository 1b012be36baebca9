"""The batch production and control record (21 CFR 211.188) as a multi-page PDF.

Header on every page: product and strength, formula id/version, lot, batch size, compounded and
expiry dates, and "Page n of N". N is not known while pages are laid out, so each header draws a
small form XObject that is defined once, with the final count, when the canvas is saved: one pass.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from labelapp.domain.batch import BatchFile
from labelapp.domain.results import BatchComputation
from labelapp.render.fonts import BOLD, REGULAR, register_fonts, string_width
from labelapp.render.label.run import RunPlan, draw_single
from labelapp.render.pdfio import PRODUCER, build_story
from labelapp.render.worksheet import sections as sec
from labelapp.render.worksheet.inputs import AcknowledgementManifestation, ReconciliationCounts, SignatureManifestation
from labelapp.render.worksheet.style import p

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Flowable
    from reportlab.platypus.doctemplate import BaseDocTemplate

PAGE_W, PAGE_H = 8.5 * 72, 11 * 72
MARGIN = 0.6 * 72
HEADER_H = 0.8 * 72
TOTAL_FORM = "pagecount"
HEADER_MIN_SIZE = 7.0
TITLE = "BATCH PRODUCTION AND CONTROL RECORD"


def _canvas_class() -> type[Canvas]:
    from reportlab.pdfgen.canvas import Canvas

    class WorksheetCanvas(Canvas):
        """Defines the page-count form just before the document is written."""

        _code: list[str]  # the current page's operators; set by Canvas, missing from types-reportlab

        def save(self) -> None:
            total = self.getPageNumber() - 1 if not self._code else self.getPageNumber()
            if self._code:
                self.showPage()
            self.beginForm(TOTAL_FORM, 0, -3, 60, 12)
            self.setFont(BOLD, 8)
            self.drawString(0, 0, str(total))
            self.endForm()
            super().save()

    return WorksheetCanvas


def _fit_font(text: str, font: str, size: float, width: float) -> float:
    """Largest size <= ``size`` at which one header line fits; refuses rather than clip."""
    while string_width(text, font, size) > width and size > HEADER_MIN_SIZE:
        size -= 0.25
    if string_width(text, font, size) > width:
        from labelapp.domain.errors import LabelappError

        raise LabelappError(f"worksheet header line too long even at {HEADER_MIN_SIZE:g} pt: {text!r}")
    return size


def header_lines(bf: BatchFile, comp: BatchComputation) -> tuple[str, str, str]:
    lot = comp.lot_number + (" (provisional)" if comp.lot_provisional else "")
    return (
        f"{comp.product_name} \u2014 {comp.strength_text}",
        f"Formula {bf.formula.id} v{bf.formula.version}   |   Lot {lot}   |   Batch "
        f"{bf.batch.units} units, {comp.batch_volume_text}",
        f"{comp.compounded_text}   |   {comp.expiration_text}   |   {bf.facility.name}",
    )


def _draw_header(canvas: Canvas, doc: BaseDocTemplate, lines: tuple[str, str, str], title: str = TITLE) -> None:
    width = PAGE_W - 2 * MARGIN
    top = PAGE_H - MARGIN + 14
    canvas.saveState()
    canvas.setFillGray(0)
    canvas.setFont(BOLD, _fit_font(title, BOLD, 10, width - 90))
    canvas.drawString(MARGIN, top, title)
    label = f"Page {canvas.getPageNumber()} of "
    canvas.setFont(BOLD, 8)
    x = PAGE_W - MARGIN - 60 - string_width(label, BOLD, 8) + 44
    canvas.drawString(x, top, label)
    canvas.saveState()
    canvas.translate(x + string_width(label, BOLD, 8), top)
    canvas.doForm(TOTAL_FORM)
    canvas.restoreState()
    y = top - 14
    for i, text in enumerate(lines):
        font = BOLD if i == 0 else REGULAR
        size = _fit_font(text, font, 10 if i == 0 else 8, width)
        canvas.setFont(font, size)
        canvas.drawString(MARGIN, y, text)
        y -= size + 3.5
    canvas.setLineWidth(0.7)
    canvas.line(MARGIN, y + 1, PAGE_W - MARGIN, y + 1)
    canvas.restoreState()


def _specimen_parts(plan: RunPlan, caption: str) -> list[Flowable]:
    from reportlab.platypus import Flowable

    class LabelSpecimen(Flowable):
        """One label at actual size inside a thin cut line."""

        def __init__(self) -> None:
            super().__init__()
            self.width = plan.stock.width
            self.height = plan.stock.height

        def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
            return self.width, self.height

        def draw(self) -> None:
            canvas = self.canv
            canvas.saveState()
            canvas.setStrokeGray(0.45)
            canvas.setLineWidth(0.4)
            canvas.setDash(2, 2)
            canvas.rect(0, 0, self.width, self.height, stroke=1, fill=0)
            canvas.restoreState()
            draw_single(canvas, plan, 1)

    from reportlab.platypus import Spacer

    return [p(caption, "small"), LabelSpecimen(), Spacer(1, 8)]


def specimens(
    label_plan: RunPlan | None,
    carton_plan: RunPlan | None,
    title: str = "14. Label specimens (actual size)",
    approval: str = "Approved by: ________________  date: __________",
) -> list[Flowable]:
    """The label specimens at actual size; ``approval`` ends each caption (a line to sign on paper)."""
    from reportlab.platypus import KeepTogether

    head = sec.heading(title)
    plans = [(label_plan, "Unit (vial) label"), (carton_plan, "Carton / container label")]
    shown = [(plan, what) for plan, what in plans if plan is not None]
    if not shown:
        return [
            KeepTogether(
                [
                    head,
                    p(
                        "No label specimen: render the labels with this worksheet "
                        "to include one. Attach a printed specimen here.",
                        "small",
                    ),
                ]
            )
        ]
    figures: list[Flowable] = []
    for plan, what in shown:
        caption = (
            f"{what}: stock {plan.stock.name} ({plan.stock.size_text()}), layout "
            f"{plan.fitted.layout.name}; serial 1 of {plan.count} shown. {approval}"
        ).rstrip()
        figures += _specimen_parts(plan, caption)
    return [KeepTogether([head] + figures[:3])] + figures[3:]


def story(
    bf: BatchFile,
    comp: BatchComputation,
    label_plan: RunPlan | None,
    carton_plan: RunPlan | None,
    signatures: Sequence[SignatureManifestation],
    reconciliation: ReconciliationCounts | None,
    audit_anchor: tuple[int, str] | None = None,
    acknowledgements: Sequence[AcknowledgementManifestation] = (),
) -> list[Flowable]:
    sigs = sec.signatures_of(signatures)
    parts = [
        sec.summary(bf, comp),
        sec.computed(comp, acknowledgements),
        sec.components(bf, comp, sigs),
        sec.equipment(),
        sec.pre_use(sigs),
        sec.steps(comp, sigs),
        sec.filtration(sigs),
        sec.filling(bf, sigs),
        sec.reconciliation(comp, bf, reconciliation, sigs),
        sec.yield_section(comp, sigs),
        sec.qc(comp, sigs),
        sec.deviations(),
        sec.release(sigs),
        specimens(label_plan, carton_plan),
        sec.statements(bf, comp, audit_anchor),
        sec.manifest(sigs),
    ]
    from reportlab.platypus import KeepTogether

    # A section shorter than a page never starts at the foot of one (KeepTogether splits a
    # section that is longer than a page as usual).
    return [KeepTogether(part) if len(part) > 1 else part[0] for part in parts if part]


def render_worksheet(
    bf: BatchFile,
    comp: BatchComputation,
    *,
    label_plan: RunPlan | None = None,
    carton_plan: RunPlan | None = None,
    signatures: Sequence[SignatureManifestation] = (),
    reconciliation: ReconciliationCounts | None = None,
    audit_anchor: tuple[int, str] | None = None,
    acknowledgements: Sequence[AcknowledgementManifestation] = (),
) -> bytes:
    """The batch record PDF. Deterministic: the same inputs give the same bytes."""
    flowables = story(bf, comp, label_plan, carton_plan, signatures, reconciliation, audit_anchor, acknowledgements)
    return build_record(bf, comp, flowables)


def build_record(bf: BatchFile, comp: BatchComputation, flowables: list[Flowable], title: str = TITLE) -> bytes:
    """Lay ``flowables`` out on letter pages under the record header ("Page n of N"), deterministically."""
    from reportlab.platypus import SimpleDocTemplate

    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=(PAGE_W, PAGE_H),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER_H - 14,
        bottomMargin=MARGIN,
        invariant=1,
        initialFontName=REGULAR,
        initialFontSize=8,
        title=f"Batch record {comp.product_name} LOT {comp.lot_number}",
        author=PRODUCER,
        subject=f"Formula {bf.formula.id} v{bf.formula.version}",
        creator=PRODUCER,
        producer=PRODUCER,
        keywords=[],  # a list, as BaseDocTemplate documents; joined into the same empty string
    )
    lines = header_lines(bf, comp)

    def on_page(canvas: Canvas, doc_: BaseDocTemplate) -> None:
        _draw_header(canvas, doc_, lines, title)

    build_story(lambda: doc.build(flowables, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=_canvas_class()))
    return buffer.getvalue()
