"""Printing through a real spooler: CUPS with a PDF printer (.ci/cups.sh starts it).

What arrives at the printer must have exactly the stock's page size (never 'fit to page') and one page
per roll label.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pdfplumber
import pytest
from gui_helpers import GLYCINE

from labelapp.gui.printing import new_printer, print_pdf
from labelapp.services.calculate import calculate, load_batch_file
from labelapp.services.rendering import preview

pytestmark = pytest.mark.cups


@pytest.fixture(scope="module")
def cups_queue() -> tuple[str, Path]:
    printer, out = os.environ.get("LABELAPP_TEST_PRINTER"), os.environ.get("LABELAPP_TEST_CUPS_OUT")
    if not (printer and out):
        pytest.fail(
            "LABELAPP_TEST_PRINTER / LABELAPP_TEST_CUPS_OUT are not set: run `source .ci/cups.sh` "
            "(as .ci/run does) so that printing is tested against a real CUPS queue",
            pytrace=False,
        )
    return printer, Path(out)


def _arrived(folder: Path, title: str, timeout_s: float = 90) -> Path:
    deadline = time.monotonic() + timeout_s  # a bound on waiting for the spooler, not a speed assertion
    while time.monotonic() < deadline:
        found = [p for p in folder.glob(f"{title}*.pdf") if p.stat().st_size > 0]
        if found:
            time.sleep(0.5)  # cups-pdf writes the file, then closes it
            return found[0]
        time.sleep(0.25)
    raise AssertionError(f"no job titled {title} arrived in {folder}")


@pytest.mark.parametrize(("stock", "size_in"), [("roll-vial-30ml", (3.5, 1.5)), ("roll-carton-4x3", (4.0, 3.0))])
def test_label_run_arrives_at_the_stock_page_size(qtbot, cups_queue, stock, size_in):
    printer_name, folder = cups_queue
    bf = load_batch_file(GLYCINE)
    comp = calculate(bf)
    kind = "carton" if "carton" in stock else "vial"
    run = preview(bf, comp, kind, stock, count=3)
    printer = new_printer(printer_name)
    title = f"labelapp-test-{uuid.uuid4().hex[:10]}"
    printer.setDocName(title)
    outcome = print_pdf(run.pdf, printer)
    assert (outcome.pages_sent, outcome.cancelled) == (3, False)
    with pdfplumber.open(_arrived(folder, title)) as pdf:
        assert [(round(p.width / 72, 2), round(p.height / 72, 2)) for p in pdf.pages] == [size_in] * 3
