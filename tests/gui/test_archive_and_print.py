from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pypdfium2
from gui_helpers import GLYCINE

from labelapp.gui.pages.archive import ArchivePage
from labelapp.gui.pages.print_page import PrintPage
from labelapp.services.calculate import load_batch_file
from labelapp.services.rendering import RenderedDocument, render_registered


def saved_batch(register, user, units=3):
    example = load_batch_file(GLYCINE)
    batch = example.batch.model_copy(
        update={"lot_number": None, "units": units, "specimen_labels": 0, "retain_labels": 0}
    )
    record = register.batches.new(example.model_copy(update={"batch": batch}), user)
    return record, render_registered(register, record.id, "vial", "roll-vial-30ml")


def pdf_chooser(folder: Path, printed: list):
    def choose(printer, _parent):
        path = folder / f"out-{len(printed)}.pdf"
        printer.setOutputFormat(printer.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        printer.setResolution(150)
        printed.append(path)
        return True

    return choose


def test_reprint_needs_a_reason_and_prints_the_archived_bytes(
    qtbot, tmp_path, make_session, make_widget, people, glycine, register
):
    record, rendered = saved_batch(register, people["alex"])
    register.batches.record_print_job(
        record.id, "label", "roll-vial-30ml", rendered.count, "Zebra-1", rendered.pdf, people["alex"]
    )
    printed: list[Path] = []
    page = make_widget(ArchivePage, make_session(people["alex"]), choose_printer=pdf_chooser(tmp_path, printed))
    page.refresh()
    assert page.model.rowCount() == 1
    document = page.model.record(0)
    assert document.integrity == "ok"
    page.reprint_with_reason(document, "   ")
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=5000)
    assert "a reason for the reprint is required" in page.message.text()
    page.reprint_with_reason(document, "roll jammed, labels 2-3 damaged")
    qtbot.waitUntil(lambda: "Reprint job" in page.done.text(), timeout=10000)
    job = page.last_reprint
    assert job.is_reprint and job.reason == "roll jammed, labels 2-3 damaged" and job.label_count == 3
    assert len(pypdfium2.PdfDocument(str(printed[-1]))) == 3


def test_an_unsaved_batch_cannot_be_printed(qtbot, make_session, make_widget, people, glycine, register):
    page = make_widget(PrintPage, make_session(people["alex"]))
    page.set_document(
        RenderedDocument(
            kind="vial",
            pdf=b"%PDF-",
            stock="roll-vial-30ml",
            count=3,
            pages=3,
            lot_number="G50-261123-01",
            provisional=True,
        )
    )
    assert not page.print_button.isEnabled() and not page.file_button.isEnabled()
    assert "Save the draft first" in page.what.text()


def test_printing_is_refused_in_words_once_the_batch_is_verified(
    qtbot, tmp_path, make_session, make_widget, people, glycine, register
):
    from gui_helpers import PASSWORDS

    record, rendered = saved_batch(register, people["alex"])
    register.batches.record_print_job(record.id, "label", "roll-vial-30ml", 3, "Zebra-1", rendered.pdf, people["alex"])
    register.batches.sign(record.id, "alex", PASSWORDS["alex"], "performed")
    register.batches.record_reconciliation(record.id, people["alex"], applied=3, specimens=0, destroyed=0, returned=0)
    register.batches.sign(record.id, "sam", PASSWORDS["sam"], "verified")
    printed: list[Path] = []
    page = make_widget(PrintPage, make_session(people["alex"]), choose_printer=pdf_chooser(tmp_path, printed))
    page.set_batch(record.id, record.lot_number)
    page.set_document(rendered)
    page.print_to_printer()
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=10000)
    assert "Not printed" in page.message.text() and "verified" in page.message.text()
    assert not printed[-1].exists()


def test_unsaved_edits_are_never_printed(qtbot, tmp_path, make_session, make_widget, people, glycine, register):
    """The print is made again from the batch as registered; a preview of unsaved edits is refused."""
    from test_batch_editor import type_cell, type_glycine

    from labelapp.gui.main_window import MainWindow

    window = make_widget(
        MainWindow,
        make_session(people["alex"]),
        page_options={"print": {"choose_file": lambda _p, name: str(tmp_path / name)}},
    )
    window.start_batch(glycine)
    editor, preview, printer = window.page("editor"), window.page("preview"), window.page("print")
    type_glycine(qtbot, editor)
    qtbot.waitUntil(lambda: editor.last is not None and editor.last.ok, timeout=10000)
    editor.save()
    qtbot.waitUntil(lambda: editor.batch_id is not None, timeout=10000)
    sooner = (date.today() + timedelta(days=10)).isoformat()
    type_cell(qtbot, editor, 0, "expiry", sooner)  # caps the product expiry; changed on screen, not saved
    qtbot.waitUntil(
        lambda: (
            preview.current() is not None
            and editor.last.computation is not None
            and editor.last.computation.expiration_date.isoformat() == sooner
        ),
        timeout=10000,
    )
    qtbot.waitUntil(printer.file_button.isEnabled, timeout=10000)
    printer.print_to_file()
    qtbot.waitUntil(lambda: not printer.message.isHidden(), timeout=10000)
    assert "not the batch as saved in the register" in printer.message.text()
    assert register.batches.detail(editor.batch_id).print_jobs == []
    assert not list(tmp_path.glob("*.pdf"))
