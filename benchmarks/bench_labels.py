"""Label-run benchmark: serialized vial labels with a GS1 DataMatrix each, on one core.

    .venv/bin/python benchmarks/bench_labels.py                # 100 / 1,000 / 10,000 labels
    .venv/bin/python benchmarks/bench_labels.py --naive-max 10000   # also the slow loop at 10k

For each size it prints, for the real renderer (labelapp.render.label.render.render_labels: static part
once as a form XObject, the DataMatrix as one path) and for a naive loop (everything drawn on every
page, barcode by ReportLab's own DataMatrix widget): seconds, labels/s, peak traced memory
(tracemalloc, a separate run so tracing does not slow the timed one; "n/m" = not measured), the
process's peak RSS, and bytes per label. Every measurement runs in a fresh process. Then the batch-record
(worksheet) time.

The naive loop's widget cannot encode GS1 (FNC1) data, so it encodes the same characters as plain
ECC200: it is a cost comparison only, never a label to print.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "glycine-50mg-ml-30ml.json"
STOCK = "roll-vial-30ml"


def _content():
    from labelapp.render.label.content import label_content
    from labelapp.services.calculate import calculate, load_batch_file

    bf = load_batch_file(EXAMPLE)
    comp = calculate(bf)
    return bf, comp, label_content(bf, comp, "vial")


def run_fast(count: int) -> int:
    from labelapp.render.label.render import render_labels

    _, _, content = _content()
    return len(render_labels(content, STOCK, count).pdf)


def run_naive(count: int) -> int:
    """Draw every line and a fresh ReportLab DataMatrix widget on every page."""
    import io

    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode import createBarcodeDrawing

    from labelapp.render.label.barcode import with_serial
    from labelapp.render.label.draw import draw_static
    from labelapp.render.label.render import plan_for
    from labelapp.render.label.run import serial_text, serial_value
    from labelapp.render.pdfio import new_canvas, pdf_bytes

    _, _, content = _content()
    plan = plan_for(content, STOCK, count)
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, (plan.stock.width, plan.stock.height), "naive", "naive")
    code = content.code  # GS1 or plain, as the example's computation chose it
    assert code is not None, "the benchmark's example carries a 2D code"
    for index in range(1, count + 1):
        draw_static(canvas, plan.fitted)
        value = with_serial(code, serial_value(index, count)).symbol_text()
        drawing = createBarcodeDrawing("ECC200DataMatrix", value=value, barWidth=0.96)
        renderPDF.draw(drawing, canvas, 205, 40)
        canvas.setFont("LiberationSans", 7)
        canvas.drawString(210, 50, serial_text(index, count))
        canvas.showPage()
    return len(pdf_bytes(canvas))


def run_worksheet(repeats: int) -> list[float]:
    from labelapp.render.label.render import plan_for
    from labelapp.render.worksheet.document import render_worksheet

    bf, comp, content = _content()
    plan = plan_for(content, STOCK, comp.label_count)
    times = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        render_worksheet(bf, comp, label_plan=plan)
        times.append(time.perf_counter() - start)
    return times[1:]  # the first includes platypus imports and font loading


def child(mode: str, variant: str, count: int) -> None:
    """One measurement in this (fresh) process; prints JSON."""
    import resource
    import tracemalloc

    sys.path.insert(0, str(ROOT))
    work = run_fast if variant == "fast" else run_naive
    _content()  # imports, templates, calculation: not part of the label run
    if mode == "memory":
        tracemalloc.start()
    start = time.perf_counter()
    size = work(count)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if mode == "memory" else None
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "bytes": size, "peak": peak, "rss_kb": rss_kb}))


def measure(mode: str, variant: str, count: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, variant, str(count)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(variant: str, count: int, traced: bool = True) -> str:
    timed = measure("time", variant, count)
    peak = f"{measure('memory', variant, count)['peak'] / 1e6:7.1f} MB" if traced else "    n/m   "
    rate = count / timed["seconds"]
    return (
        f"{variant:<6} {count:>7,}  {timed['seconds']:8.2f} s  {rate:9,.0f} labels/s  "
        f"traced peak {peak}  RSS {timed['rss_kb'] / 1024:6.0f} MB  "
        f"{timed['bytes'] / count:7,.0f} bytes/label"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument(
        "--naive-max", type=int, default=1000, help="largest run for the slow naive loop (default 1000: ~80 ms/label)"
    )
    parser.add_argument(
        "--naive-traced-max",
        type=int,
        default=100,
        help="largest naive run also measured under tracemalloc (it is slower)",
    )
    parser.add_argument("--worksheet-repeats", type=int, default=5)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "VARIANT", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return 0
    sys.path.insert(0, str(ROOT))
    print(
        f"python {sys.version.split()[0]}, one core, {EXAMPLE.name} on {STOCK}; render time only "
        "(imports and the batch calculation excluded)"
    )
    for count in (int(s) for s in args.sizes.split(",")):
        print(report("fast", count))
        if count <= args.naive_max:
            print(report("naive", count, traced=count <= args.naive_traced_max))
        else:
            print(f"naive  {count:>7,}  skipped (--naive-max {args.naive_max})")
    times = run_worksheet(args.worksheet_repeats)
    print(
        f"worksheet: median {statistics.median(times):.3f} s, max {max(times):.3f} s over "
        f"{len(times)} runs (after one warm-up run)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
