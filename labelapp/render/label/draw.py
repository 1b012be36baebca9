"""Drawing fitted text on a ReportLab canvas (the static part of a label, once per run)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from labelapp.render.label.fit import FittedLabel, FittedZone
from labelapp.render.templates.layout import Layout

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas


def draw_zone(canvas: Canvas, fitted: FittedZone) -> None:
    if not fitted.lines:
        return
    canvas.setFillGray(0)
    font: str | None = None
    for line in fitted.lines:
        if line.font != font:
            font = line.font
            canvas.setFont(font, fitted.size)
        canvas.drawString(line.x, line.baseline, line.text)


FOLD_MARK = 2.0  # pt from the label's edge; inside the margin, never in a zone
FOLD_MARK_WIDTH = 0.25  # pt, about one dot at 300 dpi


def folds(layout: Layout) -> tuple[list[float], list[float]]:
    """The folds of a folded label: x of each vertical one, y (from the top) of each horizontal one."""
    width, height = layout.size.width, layout.size.height
    xs = sorted({p.rect.right for p in layout.panels if p.rect.right < width - 1e-6})
    ys = sorted({p.rect.bottom for p in layout.panels if p.rect.bottom < height - 1e-6})
    return xs, ys


def draw_fold_marks(canvas: Canvas, layout: Layout) -> None:
    """A short tick at both ends of each fold, so the flag is folded where the layout expects."""
    xs, ys = folds(layout)
    if not xs and not ys:
        return
    width, height = layout.size.width, layout.size.height
    canvas.saveState()
    canvas.setStrokeGray(0)
    canvas.setLineWidth(FOLD_MARK_WIDTH)
    for x in xs:
        canvas.line(x, 0, x, FOLD_MARK)
        canvas.line(x, height - FOLD_MARK, x, height)
    for y in ys:
        canvas.line(0, height - y, FOLD_MARK, height - y)
        canvas.line(width - FOLD_MARK, height - y, width, height - y)
    canvas.restoreState()


def draw_static(canvas: Canvas, label: FittedLabel) -> None:
    """Every zone whose text is the same on all labels of the run, and the fold marks of a flag."""
    for fitted in label.zones:
        if not fitted.zone.variable:
            draw_zone(canvas, fitted)
    draw_fold_marks(canvas, label.layout)


def draw_outlines(canvas: Canvas, label: FittedLabel) -> None:
    """Zone rectangles in light grey: a design aid for layout previews, never on production labels."""
    height = label.layout.size.height
    canvas.saveState()
    canvas.setStrokeGray(0.7)
    canvas.setLineWidth(0.2)
    rects = [z.zone.placed_rect for z in label.zones]
    if label.layout.barcode is not None:
        rects.append(label.layout.barcode.rect)
    for rect in rects:
        canvas.rect(rect.x, height - rect.bottom, rect.width, rect.height, stroke=1, fill=0)
    canvas.restoreState()
