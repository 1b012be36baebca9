"""`labelapp render` (labels, carton labels, batch record as PDF) and `labelapp stocks`."""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

from labelapp.domain.errors import LabelappError


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def add_render_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "render", help="print vial labels, carton labels and the batch record as PDF",
        description="Render the serialized vial labels, the carton labels and/or the batch "
                    "production record of a batch file. Every file is written completely or not "
                    "at all; nothing is written if any document cannot be produced.")
    p.add_argument("file", help="batch file (.json or .yaml)")
    p.add_argument("--labels", metavar="OUT.pdf", help="vial (unit) labels, one per unit + extras")
    p.add_argument("--carton", metavar="OUT.pdf", help="carton / container labels (same count)")
    p.add_argument("--worksheet", metavar="OUT.pdf", help="batch production and control record")
    p.add_argument("--stock", metavar="NAME", help="vial label stock (default: by container volume; "
                                                   "see `labelapp stocks`)")
    p.add_argument("--carton-stock", metavar="NAME", help="carton label stock (default: the "
                                                          "default carton stock)")
    p.add_argument("--extras", type=_non_negative, metavar="N",
                   help="labels beyond the units (batch-record specimens, QC retains); default: "
                        "specimen_labels + retain_labels of the batch file")
    p.add_argument("--printer", metavar="NAME", help="use this printer's calibration offset from "
                                                     "the stock file")
    p.add_argument("--settings", help="calculation settings file (as for `labelapp calc`)")
    p.set_defaults(func=run_render)


def add_stocks_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stocks", help="list label stocks and the layouts that fit them",
                       description="List the label stocks (templates/stocks) with their size and "
                                   "the layouts (templates/layouts) that fit each.")
    p.set_defaults(func=run_stocks)


@dataclass(frozen=True)
class _Output:
    what: str
    path: Path
    data: bytes
    summary: str


def _outputs_requested(args: argparse.Namespace) -> list[tuple[str, Path]]:
    wanted = [(what, Path(path)) for what, path in (("labels", args.labels), ("carton", args.carton),
                                                     ("worksheet", args.worksheet)) if path]
    if not wanted:
        raise LabelappError("render: give at least one of --labels, --carton, --worksheet")
    paths = [path.resolve() for _, path in wanted]
    if len(set(paths)) != len(paths):
        raise LabelappError("render: two outputs name the same file")
    if Path(args.file).resolve() in paths:
        raise LabelappError("render: an output would overwrite the batch file")
    for what, path in wanted:
        if path.suffix.lower() != ".pdf":
            raise LabelappError(f"render: --{what} {path}: the file name must end in .pdf")
        if not path.parent.resolve().is_dir():
            raise LabelappError(f"render: --{what} {path}: folder {path.parent} does not exist")
    return wanted


def _stock_names(args, bf, templates) -> tuple[str, str]:
    vial = args.stock or templates.default_vial_stock(
        float(bf.formula.container.nominal_volume_ml)).name
    carton = args.carton_stock or templates.default_carton_stock().name
    return vial, carton


def _label_summary(result) -> str:
    return (f"{result.count} labels on {result.stock} (layout {result.layout}), {result.pages} "
            f"page{'s' if result.pages != 1 else ''}")


def run_render(args: argparse.Namespace) -> int:
    from labelapp.render.content import label_content
    from labelapp.render.label import plan_for, render_labels
    from labelapp.render.pdfio import write_atomic
    from labelapp.render.templates import default_templates
    from labelapp.render.worksheet import render_worksheet
    from labelapp.services.calculate import calculate, load_batch_file, load_settings

    wanted = dict(_outputs_requested(args))
    bf = load_batch_file(args.file)
    comp = calculate(bf, load_settings(args.settings), source=args.file)
    count = bf.batch.units + args.extras if args.extras is not None else comp.label_count
    templates = default_templates()
    vial_stock, carton_stock = _stock_names(args, bf, templates)
    vial = label_content(bf, comp, "vial")
    carton = label_content(bf, comp, "carton")
    outputs, notes = [], list(vial.notes)
    if "labels" in wanted:
        result = render_labels(vial, vial_stock, count, templates, args.printer)
        outputs.append(_Output("labels", wanted["labels"], result.pdf, _label_summary(result)))
        notes += [n for n in result.notes if n not in notes]
        if result.ingredients_on_carton and "carton" not in wanted:
            notes.append("print the carton labels too (--carton): the vial label refers to them "
                         "for the ingredient list")
    if "carton" in wanted:
        result = render_labels(carton, carton_stock, count, templates, args.printer)
        outputs.append(_Output("carton", wanted["carton"], result.pdf, _label_summary(result)))
    if "worksheet" in wanted:
        pdf = render_worksheet(bf, comp, label_plan=plan_for(vial, vial_stock, count, templates),
                               carton_plan=plan_for(carton, carton_stock, count, templates))
        outputs.append(_Output("worksheet", wanted["worksheet"], pdf, "batch record"))
    for out in outputs:  # everything rendered: now write, each file all-or-nothing
        write_atomic(out.path, out.data)
        digest = hashlib.sha256(out.data).hexdigest()
        print(f"{out.what}: {out.path}  {out.summary}, {len(out.data):,} bytes, sha256 {digest}")
    for note in notes:
        print(f"labelapp: note: {note}", file=sys.stderr)
    return 0


def stocks_rows(templates) -> list[tuple[str, ...]]:
    rows = [("NAME", "KIND", "SIZE", "PER PAGE", "DPI", "LAYOUTS THAT FIT")]
    for stock in sorted(templates.stocks.values(), key=lambda s: (s.kind, s.area, s.name)):
        layouts = ", ".join(f"{lay.name} ({lay.kind})" for lay in
                            sorted(templates.layouts_for(stock), key=lambda lay: lay.name)) or "none"
        rows.append((stock.name, stock.kind, stock.size_text(), str(stock.labels_per_page),
                     str(stock.dpi), layouts))
    return rows


def run_stocks(args: argparse.Namespace) -> int:
    from labelapp.render.templates import default_templates

    rows = stocks_rows(default_templates())
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1])
    return 0
