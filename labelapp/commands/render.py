"""`labelapp render` (labels, carton labels, batch record as PDF) and `labelapp stocks`."""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

from labelapp.domain.errors import LabelappError
from labelapp.domain.files import atomic_write
from labelapp.services import rendering
from labelapp.services.calculate import calculate, load_batch_file, load_settings
from labelapp.services.rendering import RenderedDocument


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def add_render_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "render",
        help="print vial labels, carton labels and the batch record as PDF",
        description="Render the serialized vial labels, the carton labels and/or the batch "
        "production record of a batch file. Every file is written completely or not "
        "at all; nothing is written if any document cannot be produced.",
    )
    p.add_argument("file", help="batch file (.json or .yaml)")
    p.add_argument("--labels", metavar="OUT.pdf", help="vial (unit) labels, one per unit + extras")
    p.add_argument("--carton", metavar="OUT.pdf", help="carton / container labels (same count)")
    p.add_argument("--worksheet", metavar="OUT.pdf", help="batch production and control record")
    p.add_argument(
        "--stock", metavar="NAME", help="vial label stock (default: by container volume; see `labelapp stocks`)"
    )
    p.add_argument("--carton-stock", metavar="NAME", help="carton label stock (default: the default carton stock)")
    p.add_argument(
        "--extras",
        type=_non_negative,
        metavar="N",
        help="labels beyond the units (batch-record specimens, QC retains); default: "
        "specimen_labels + retain_labels of the batch file",
    )
    p.add_argument("--settings", help="calculation settings file (as for `labelapp calc`)")
    p.set_defaults(func=run_render)


def add_stocks_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "stocks",
        help="list label stocks and the layouts that fit them",
        description="List the label stocks (templates/stocks) with their size and "
        "the layouts (templates/layouts) that fit each.",
    )
    p.set_defaults(func=run_stocks)


@dataclass(frozen=True)
class _Output:
    what: str
    path: Path
    data: bytes
    summary: str


def _outputs_requested(args: argparse.Namespace) -> list[tuple[str, Path]]:
    wanted = [
        (what, Path(path))
        for what, path in (("labels", args.labels), ("carton", args.carton), ("worksheet", args.worksheet))
        if path
    ]
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


def _label_summary(document: RenderedDocument) -> str:
    return (
        f"{document.count} labels on {document.stock} (layout {document.layout}), {document.pages} "
        f"page{'s' if document.pages != 1 else ''}"
    )


def run_render(args: argparse.Namespace) -> int:
    wanted = dict(_outputs_requested(args))
    bf = load_batch_file(args.file)
    comp = calculate(bf, load_settings(args.settings), source=args.file)
    count = bf.batch.units + args.extras if args.extras is not None else comp.label_count
    outputs: list[_Output] = []
    notes = list(rendering.batch_notes(bf, comp))
    if "labels" in wanted:
        vial = rendering.preview(bf, comp, "vial", args.stock, count)
        outputs.append(_Output("labels", wanted["labels"], vial.pdf, _label_summary(vial)))
        notes += [n for n in vial.notes if n not in notes]
        if vial.ingredients_on_carton and "carton" not in wanted:
            notes.append(
                "print the carton labels too (--carton): the vial label refers to them for the ingredient list"
            )
    if "carton" in wanted:
        carton = rendering.preview(bf, comp, "carton", args.carton_stock, count)
        outputs.append(_Output("carton", wanted["carton"], carton.pdf, _label_summary(carton)))
    if "worksheet" in wanted:
        worksheet = rendering.preview_worksheet(bf, comp, args.stock, args.carton_stock, count)
        outputs.append(_Output("worksheet", wanted["worksheet"], worksheet.pdf, "batch record"))
    for out in outputs:  # everything rendered: now write, each file all-or-nothing
        atomic_write(out.path, out.data)
        digest = hashlib.sha256(out.data).hexdigest()
        print(f"{out.what}: {out.path}  {out.summary}, {len(out.data):,} bytes, sha256 {digest}")
    for note in notes:
        print(f"labelapp: note: {note}", file=sys.stderr)
    return 0


def stocks_rows() -> list[tuple[str, ...]]:
    return [("NAME", "KIND", "SIZE", "PER PAGE", "DPI", "LAYOUTS THAT FIT"), *rendering.stock_table()]


def run_stocks(args: argparse.Namespace) -> int:
    rows = stocks_rows()
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1])
    return 0
