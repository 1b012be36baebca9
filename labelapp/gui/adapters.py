"""Thin adapters from the GUI to the services it needs (render, settings). No Qt, no rules.

Each function forwards to the service that owns the work: ``labelapp.services.documents`` (label
runs, default stocks, the batch record, issuing labels), ``labelapp.render`` (stock lists) and the
register. Still missing, and what this module does meanwhile:

- ``parse_formula_data(data)`` / ``load_formula_file(path)`` in services (the CLI has a private
  ``_load_formula``); meanwhile ``formula_from_data``.
- a worksheet preview of an unsaved batch goes straight to ``render.worksheet.render_worksheet``
  (no register record exists yet, so ``documents.render_batch_record`` cannot be used).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from labelapp.domain.errors import LabelappError

KINDS = ("vial", "carton", "worksheet")
KIND_TITLES = {"vial": "Vial labels", "carton": "Carton label", "worksheet": "Batch worksheet"}


@dataclass(frozen=True)
class StockInfo:
    name: str
    description: str
    size_text: str
    kind: str               # roll or sheet
    labels_per_page: int


@dataclass(frozen=True)
class Rendered:
    """PDF bytes as the render service produced them, and what they are."""

    kind: str
    pdf: bytes
    stock: str
    count: int
    pages: int
    notes: tuple[str, ...] = field(default=())
    lot_number: str = ""
    provisional: bool = False


def calc_settings(register: Any) -> Any:
    """The calculation settings in force in the register (thresholds, day-0 rule, lot pattern)."""
    return register.settings().calc_settings()


class RenderAdapter:
    """Forwards to ``labelapp.render`` (ReportLab). Everything here runs in worker threads."""

    def stocks(self, kind: str) -> list[StockInfo]:
        if kind == "worksheet":
            return [StockInfo("letter", "US Letter paper, 8.5 x 11 in", "8.5 x 11 in", "sheet", 1)]
        from labelapp.render.templates import default_templates

        return [StockInfo(s.name, s.description, s.size_text(), s.kind, s.labels_per_page)
                for s in default_templates().stocks_for(kind)]

    def cells(self, stock_name: str) -> list[tuple[float, float, float, float]]:
        """Label cells of a stock's page, (x, y from the top, width, height) in points; [] if unknown."""
        if stock_name == "letter":
            return []
        from labelapp.render.templates import default_templates

        stock = default_templates().stock(stock_name)
        if stock.sheet is None:
            return [(0.0, 0.0, stock.width, stock.height)]
        grid = stock.sheet
        return [(grid.margin_left + c * grid.pitch_x, grid.margin_top + r * grid.pitch_y, stock.width, stock.height)
                for r in range(grid.rows) for c in range(grid.columns)]

    def default_stock(self, kind: str, batch_file: Any) -> str:
        """The stock the facility set up for this product (``documents.default_stock``), or ""."""
        if kind == "worksheet":
            return "letter"
        from labelapp.services.documents import default_stock

        try:
            return default_stock(batch_file, kind)
        except LabelappError:
            return ""

    def default_count(self, kind: str, computation: Any) -> int:
        return computation.label_count if kind == "vial" else 1

    def render(self, kind: str, batch_file: Any, computation: Any, stock: str, count: int,
               register: Any = None, batch_id: int | None = None) -> Rendered:
        """A label run on ``stock``; for the worksheet of a registered batch, its batch record as the
        register holds it (signatures, reconciliation, specimens)."""
        if kind == "worksheet" and register is not None and batch_id is not None:
            from labelapp.services.documents import render_batch_record

            pdf = render_batch_record(register, batch_id)
            return Rendered(kind="worksheet", pdf=pdf, stock="letter", count=1, pages=0,
                            lot_number=computation.lot_number, provisional=False)
        if kind == "worksheet":
            return self.worksheet(batch_file, computation)
        from labelapp.services.documents import render_label_run

        result = render_label_run(batch_file, computation, kind, stock, count)
        return Rendered(kind=kind, pdf=result.pdf, stock=result.stock, count=result.count, pages=result.pages,
                        notes=tuple(result.notes), lot_number=computation.lot_number,
                        provisional=bool(computation.lot_provisional))

    def worksheet(self, batch_file: Any, computation: Any) -> Rendered:
        """The worksheet of a batch not yet in the register (no signatures yet); a registered batch's
        record comes from ``services.documents.render_batch_record``."""
        from labelapp.render.worksheet import render_worksheet

        pdf = render_worksheet(batch_file, computation)
        return Rendered(kind="worksheet", pdf=pdf, stock="letter", count=1, pages=0,
                        lot_number=computation.lot_number, provisional=bool(computation.lot_provisional))


def registered_batch(register: Any, batch_id: int) -> tuple[Any, Any]:
    """(BatchFile, BatchComputation) of a registered batch, as ``documents.registered_batch`` makes them."""
    from labelapp.services.documents import registered_batch as service

    found = service(register, batch_id)
    return found.batch_file, found.computation


def issue(register: Any, batch_id: int, user: Any, shown: Rendered, printer: str) -> tuple[Any, bytes]:
    """Record a print of the batch's ``shown`` document and return (print job, bytes to send).

    The bytes are made again by the documents service from the batch AS REGISTERED. If they differ
    from what the preview showed (unsaved edits, settings changed since), nothing is recorded or
    printed: the user is told to save or wait for the preview.
    """
    from labelapp.domain.errors import LabelappError
    from labelapp.services import documents

    batch_file, computation = registered_batch(register, batch_id)
    if shown.kind == "worksheet":
        expected = documents.render_batch_record(register, batch_id)
        if expected != shown.pdf:
            raise LabelappError("the previewed batch record is not the one in the register (unsaved changes "
                                "or new signatures): save, wait for the preview to update, then print")
        job = register.record_print_job(batch_id, "worksheet", "letter", 1, printer, expected, user)
        return job, expected
    expected = documents.render_label_run(batch_file, computation, shown.kind, shown.stock, shown.count).pdf
    if expected != shown.pdf:
        raise LabelappError("the preview is not the batch as saved in the register (unsaved changes or the "
                            "settings changed): save the draft, wait for the preview to update, then print")
    printed = documents.issue_labels(register, batch_id, user, shown.kind, printer, shown.stock, shown.count)
    return printed.job, printed.run.pdf


def archive_batch_record(register: Any, batch_id: int, user: Any, reason: str | None = None) -> Any:
    from labelapp.services.documents import archive_batch_record as service

    return service(register, batch_id, user, reason)


def formula_from_data(data: Any, source: str | None = None) -> Any:
    """A Formula from plain data (a formula, or a batch file holding one); issues in words."""
    from pydantic import ValidationError

    from labelapp.domain.errors import FieldIssue, InputError, issues_from_validation
    from labelapp.domain.formula import Formula

    if isinstance(data, dict) and "formula" in data and "batch" in data:
        data = data["formula"]
    if not isinstance(data, dict):
        raise InputError([FieldIssue("", "a formula must be an object (id, version, components…)")], source=source)
    try:
        return Formula.model_validate(data)
    except ValidationError as exc:
        raise InputError(issues_from_validation(exc), source=source) from None


def formula_from_file(path: str) -> Any:
    from pathlib import Path

    from labelapp.services.calculate import read_document

    return formula_from_data(read_document(Path(path)), source=path)


def formula_from_text(text: str) -> Any:
    import json

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LabelappError(f"line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg})") from None
    return formula_from_data(data)


def next_version_text(document: str) -> str:
    """The JSON of a formula version, pretty-printed, with the version number one higher (to edit)."""
    import json

    data = json.loads(document)
    data["version"] = int(data.get("version", 0)) + 1
    return json.dumps(data, indent=2, ensure_ascii=False)


def facility_from_form(values: dict[str, str]) -> Any:
    """A Facility from form text (blank optional fields left out); InputError with field paths."""
    from pydantic import ValidationError

    from labelapp.domain.errors import InputError, issues_from_validation
    from labelapp.domain.facility import Facility

    data = {key: value.strip() for key, value in values.items() if value.strip() or key in ("name", "address", "phone")}
    try:
        return Facility.model_validate(data)
    except ValidationError as exc:
        raise InputError(issues_from_validation(exc, ("facility",))) from None


def reference_dating_rules() -> list[Any]:
    from labelapp.services.calculate import reference_dating_rules as rules

    return list(rules())
