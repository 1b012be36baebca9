"""Printing PDF bytes at 100 %: exact page sizes, sheets in bands, cancellation, calibration offset."""

from __future__ import annotations

import pypdfium2
import pytest
from gui_helpers import GLYCINE

from labelapp.gui.printing import Offset, PrintError, pdf_printer, print_calibration, print_pdf
from labelapp.services.calculate import calculate, load_batch_file
from labelapp.services.rendering import preview


@pytest.fixture(scope="module")
def glycine_docs():
    bf = load_batch_file(GLYCINE)
    comp = calculate(bf)
    return {
        "vial": preview(bf, comp, "vial", "roll-vial-30ml", 4),
        "carton": preview(bf, comp, "carton", "sheet-avery-5163", 12),
    }


def sizes(path) -> list[tuple[float, float]]:
    return [tuple(round(v, 1) for v in page.get_size()) for page in pypdfium2.PdfDocument(str(path))]


def test_roll_labels_print_on_pages_of_the_label_size(qtbot, tmp_path, glycine_docs):
    out = tmp_path / "roll.pdf"
    outcome = print_pdf(glycine_docs["vial"].pdf, pdf_printer(str(out), 300))
    assert (outcome.pages_sent, outcome.cancelled) == (4, False)
    assert sizes(out) == [(252.0, 108.0)] * 4


def test_letter_sheets_print_on_letter_pages_in_bands(qtbot, tmp_path, glycine_docs):
    out = tmp_path / "sheet.pdf"
    outcome = print_pdf(glycine_docs["carton"].pdf, pdf_printer(str(out), 600))  # 5100 x 6600 px per page
    assert outcome.pages_sent == 2
    assert sizes(out) == [(612.0, 792.0)] * 2


def test_a_cancelled_run_stops_and_says_how_far_it_got(qtbot, tmp_path, glycine_docs):
    outcome = print_pdf(
        glycine_docs["vial"].pdf, pdf_printer(str(tmp_path / "x.pdf"), 150), progress=lambda done, total: done < 2
    )
    assert (outcome.pages_total, outcome.pages_sent, outcome.cancelled) == (4, 2, True)


def test_the_calibration_offset_moves_the_printed_image(qtbot, tmp_path, glycine_docs):
    plain, shifted = tmp_path / "plain.pdf", tmp_path / "shifted.pdf"
    print_pdf(glycine_docs["vial"].pdf, pdf_printer(str(plain), 150), pages=range(1))
    print_pdf(glycine_docs["vial"].pdf, pdf_printer(str(shifted), 150), Offset(2.0, 0.0), pages=range(1))

    def first_dark_column(path) -> int:
        image = pypdfium2.PdfDocument(str(path))[0].render(scale=150 / 72).to_pil().convert("L")
        width, height = image.size
        return next(x for x in range(width) if any(image.getpixel((x, y)) < 128 for y in range(height)))

    moved = first_dark_column(shifted) - first_dark_column(plain)
    assert abs(moved - round(2.0 / 25.4 * 150)) <= 1  # 2 mm at 150 dpi = 12 px


def test_garbage_is_refused_in_words(qtbot, tmp_path):
    with pytest.raises(PrintError, match="cannot be opened for printing"):
        print_pdf(b"not a pdf", pdf_printer(str(tmp_path / "x.pdf")))


def test_calibration_sheet_has_the_stock_page_size(qtbot, tmp_path):
    from PySide6.QtCore import QRectF, QSizeF

    out = tmp_path / "cal.pdf"
    print_calibration(pdf_printer(str(out), 150), QSizeF(252, 108), [QRectF(0, 0, 252, 108)], Offset(), "test")
    assert sizes(out) == [(252.0, 108.0)]
