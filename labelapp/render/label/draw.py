"""Drawing fitted text on a ReportLab canvas (the static part of a label, once per run)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from labelapp.render.label.fit import FittedLabel, FittedZone

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


def draw_static(canvas: Canvas, label: FittedLabel) -> None:
    """Every zone whose text is the same on all labels of the run."""
    for fitted in label.zones:
        if not fitted.zone.variable:
            draw_zone(canvas, fitted)


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
