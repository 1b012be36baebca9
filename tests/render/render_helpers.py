"""Reading back what the renderer produced: text per zone, character boxes, decoded barcodes."""

from __future__ import annotations

import io
import json
import re
from copy import deepcopy
from datetime import date
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import zxingcpp

from labelapp.services.calculate import calculate, parse_batch_data

CASES = Path(__file__).parent / "cases"
EXAMPLES = Path(__file__).parents[2] / "examples"
KCL_10ML_EXAMPLE = EXAMPLES / "potassium-chloride-2meq-ml-10ml.json"
EPS = 0.01  # pt


def case_data(name: str) -> dict:
    return json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))


def batch_from(data: dict):
    bf = parse_batch_data(deepcopy(data), source="test case")
    return bf, calculate(bf)


def load_case(name: str):
    return batch_from(case_data(name))


def example_data(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def glycine_10ml_data() -> dict:
    """The glycine 50 mg/mL formula filled into a 10 mL vial (500 mg per 10 mL)."""
    data = case_data("glycine-30ml")
    data["formula"]["container"].update(nominal_volume_ml="10", fill_volume_ml="10.5")
    return data


def long_name_data() -> dict:
    data = case_data("glycine-30ml")
    data["formula"]["established_name"] = (
        "Glycine and Sodium Chloride in Water for Injection, Preservative-Free Compounded "
        "Solution for Slow Intravenous Infusion"
    )
    data["formula"]["components"].insert(
        1,
        {
            "ingredient": "sodium chloride",
            "role": "inactive",
            "amount_per_ml": "4.5",
            "unit": "mg",
            "label_name": "sodium chloride",
        },
    )
    data["batch"]["component_lots"].append(_lot("sodium chloride", "NACL-2207"))
    return data


MANY = [
    ("sodium chloride", "4.5"),
    ("potassium chloride", "0.3"),
    ("calcium chloride dihydrate", "0.2"),
    ("magnesium chloride hexahydrate", "0.3"),
    ("sodium acetate trihydrate", "3.9"),
    ("sodium citrate dihydrate", "0.5"),
    ("dextrose monohydrate", "10"),
    ("sodium lactate", "3.1"),
    ("potassium acetate", "0.2"),
    ("zinc sulfate heptahydrate", "0.01"),
]


def many_ingredients_data() -> dict:
    data = case_data("glycine-30ml")
    for i, (name, amount) in enumerate(MANY):
        data["formula"]["components"].insert(
            1 + i, {"ingredient": name, "role": "inactive", "amount_per_ml": amount, "unit": "mg", "label_name": name}
        )
        data["batch"]["component_lots"].append(_lot(name, f"LOT-{i:02d}"))
    return data


def _lot(component: str, lot: str) -> dict:
    return {
        "component": component,
        "lot": lot,
        "manufacturer": "Example Chemical Co.",
        "expiry": "2028-01-31",
        "potency_percent": "100",
    }


# ------------------------------------------------------------------------------- PDF reading


def open_pdf(pdf: bytes) -> pdfplumber.PDF:
    return pdfplumber.open(io.BytesIO(pdf))


def norm(text: str) -> str:
    return " ".join(text.split())


def zone_bbox(rect, origin_x: float, origin_top: float) -> tuple[float, float, float, float]:
    """pdfplumber bbox (x0, top, x1, bottom) of a layout rect on a label at the given origin."""
    return (origin_x + rect.x, origin_top + rect.y, origin_x + rect.right, origin_top + rect.bottom)


def chars_in(page, bbox) -> list[dict]:
    x0, top, x1, bottom = bbox
    return [
        c
        for c in page.chars
        if x0 - EPS <= (c["x0"] + c["x1"]) / 2 <= x1 + EPS and top - EPS <= (c["top"] + c["bottom"]) / 2 <= bottom + EPS
    ]


def zone_text(page, bbox) -> str:
    """The text of the characters lying wholly in the box (within EPS), as pdfplumber reads it."""
    x0, top, x1, bottom = bbox
    grown = (
        max(0, x0 - EPS),
        max(0, top - EPS),
        min(float(page.width), x1 + EPS),
        min(float(page.height), bottom + EPS),
    )
    return norm(page.within_bbox(grown).extract_text() or "")


def inside(char: dict, bbox) -> bool:
    x0, top, x1, bottom = bbox
    return (
        char["x0"] >= x0 - EPS
        and char["x1"] <= x1 + EPS
        and char["top"] >= top - EPS
        and char["bottom"] <= bottom + EPS
    )


# ------------------------------------------------------------------------------- barcodes


def decode(pdf: bytes, page_index: int, dpi: int = 600) -> list:
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[page_index].render(scale=dpi / 72).to_pil().convert("L")
    finally:
        document.close()
    return zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.DataMatrix, text_mode=zxingcpp.TextMode.HRI)


_HRI = re.compile(r"\((\d{2,4})\)([^(]*)")


def parse_hri(text: str) -> dict[str, str]:
    """'(01)0031...(17)261223(10)LOT(21)0001' -> {'01': '0031...', '17': '261223', '10': 'LOT', '21': '0001'}
    (and '(7003)2611232030' -> {'7003': '2611232030'})."""
    return dict(_HRI.findall(text))


def yymmdd(day: date) -> str:
    return day.strftime("%y%m%d")


# ------------------------------------------------------------------------------- label runs


def label_origins(stock, count: int, page_height: float) -> list[tuple[int, float, float]]:
    """(page index, x0, top) of label 1..count in pdfplumber coordinates (no calibration offset)."""
    from labelapp.render.label.run import cell_origin

    if stock.kind == "roll":
        return [(i, 0.0, 0.0) for i in range(count)]
    out = []
    for i in range(count):
        page, slot = divmod(i, stock.labels_per_page)
        x, y = cell_origin(stock, slot)
        out.append((page, x, page_height - (y + stock.height)))
    return out


def expected_texts(content, result, index: int) -> dict[str, str]:
    from labelapp.render.label.content import SEE_CARTON
    from labelapp.render.label.run import serial_text, serial_value

    texts = dict(content.texts)
    if result.ingredients_on_carton:
        texts["ingredients"] = SEE_CARTON
    serial = serial_value(index, result.count)
    texts["serial"] = serial_text(index, result.count)
    texts["barcode_hri"] = content.code.serial_prefixes()[1] + serial if content.code else ""
    return texts


def zone_expected(zone, texts) -> str:
    return norm(" ".join(texts.get(f, "") for f in zone.fields))


def fitted_label(content, result, templates):
    """The fitted layout of a run, re-derived the same way the renderer derives it."""
    from labelapp.render.label.render import try_fit

    fit = try_fit(content, templates.stock(result.stock), templates, result.count)
    assert fit.ingredients_on_carton == result.ingredients_on_carton
    return fit.fitted


def check_label_run(result, content, templates, labels: list[int] | None = None) -> None:
    """Every check a pharmacist would make by eye, on each label (or the listed ones):

    every character inside the label's edges, every zone's text exactly its fields' text (nothing
    cut, nothing misplaced), no character below its zone's minimum or 6 pt, no character outside a
    zone, and the drug name and strength the largest text.
    """
    stock = templates.stock(result.stock)
    fitted = fitted_label(content, result, templates)
    primary = {"established_name", "strength"}
    with open_pdf(result.pdf) as pdf:
        assert len(pdf.pages) == result.pages
        height = float(pdf.pages[0].height)
        origins = label_origins(stock, result.count, height)
        for index in labels or range(1, result.count + 1):
            page_no, x0, top = origins[index - 1]
            page = pdf.pages[page_no]
            label_box = (x0, top, x0 + stock.width, top + stock.height)
            label_chars = chars_in(page, label_box)
            assert label_chars, f"label {index} is empty"
            texts = expected_texts(content, result, index)
            claimed = set()
            primary_sizes, other_sizes = [], []
            for fz in fitted.zones:
                box = zone_bbox(fz.zone.rect, x0, top)
                in_zone = [c for c in label_chars if inside(c, box)]
                claimed.update(id(c) for c in in_zone)
                got = zone_text(page, box) if in_zone else ""
                assert got == zone_expected(fz.zone, texts), f"label {index}, zone {fz.zone.name}: {got!r}"
                for c in in_zone:
                    assert c["size"] >= max(6.0, fz.zone.size.min) - EPS, (fz.zone.name, c)
                sizes = [c["size"] for c in in_zone]
                (primary_sizes if primary & set(fz.zone.fields) else other_sizes).extend(sizes)
            stray = [c["text"] for c in label_chars if id(c) not in claimed]
            assert not stray, f"label {index}: characters outside every zone: {stray[:20]}"
            for c in label_chars:
                assert inside(c, label_box), f"label {index}: {c['text']!r} crosses the edge"
            assert min(primary_sizes) >= max(other_sizes) - EPS


def check_every_char_on_a_label(result, templates) -> None:
    """No character anywhere on a page outside the labels' cells."""
    stock = templates.stock(result.stock)
    with open_pdf(result.pdf) as pdf:
        height = float(pdf.pages[0].height)
        origins = label_origins(stock, result.count, height)
        for page_no, page in enumerate(pdf.pages):
            boxes = [(x, t, x + stock.width, t + stock.height) for p, x, t in origins if p == page_no]
            for c in page.chars:
                assert any(inside(c, b) for b in boxes), (page_no, c["text"], c["x0"], c["top"])


_SERIAL = re.compile(r"^(\d+)/(\d+)$")


def printed_values(page, fitted, x0: float, top: float) -> dict[str, str]:
    """LOT, EXP (with its time, if any), serial and the barcode's human-readable text as PRINTED on one label."""
    out = {}
    for fz in fitted.zones:
        text = zone_text(page, zone_bbox(fz.zone.rect, x0, top))
        if "lot" in fz.zone.fields:
            out["lot"] = re.search(r"LOT (\S+)", text).group(1)
        if "expiry" in fz.zone.fields:
            m = re.search(r"EXP (\d{4}-\d\d-\d\d)(?: (\d\d:\d\d))?", text)
            out["exp"] = m.group(1)
            if m.group(2):
                out["exp_time"] = m.group(2)
        if "serial" in fz.zone.fields:
            out["serial"] = _SERIAL.match(text).group(1)
        if "barcode_hri" in fz.zone.fields:
            out["hri"] = text
    return out


def gs1_expiry(printed: dict[str, str]) -> tuple[str, str]:
    """(AI, value) the printed expiry must have in a GS1 code: (17) YYMMDD, or (7003) YYMMDDHHMM."""
    day = yymmdd(date.fromisoformat(printed["exp"]))
    if "exp_time" in printed:
        return "7003", day + printed["exp_time"].replace(":", "")
    return "17", day


def plain_text(printed: dict[str, str]) -> str:
    """The text a plain (non-GS1) code must carry for the printed values."""
    exp = printed["exp"] + (f" {printed['exp_time']}" if "exp_time" in printed else "")
    return f"LOT {printed['lot']} EXP {exp} SN {printed['serial']}"


def check_barcodes(result, content, templates, labels: list[int], dpi: int = 600) -> None:
    """Each listed label's DataMatrix says exactly the printed lot, expiry and serial: a GS1 code (]d2)
    always with its (01) GTIN, and (7003) for an expiry with a time; a plain code (]d1) exactly the
    text "LOT ... EXP ... SN ..."; no code when the label carries none. Where the label prints the
    code's human-readable text, the decoded text is exactly that."""
    from labelapp.render.label.barcode import Gs1Data, PlainCode

    stock = templates.stock(result.stock)
    fitted = fitted_label(content, result, templates)
    with open_pdf(result.pdf) as pdf:
        height = float(pdf.pages[0].height)
        origins = label_origins(stock, result.count, height)
        pages = sorted({origins[i - 1][0] for i in labels})
        decoded = {p: decode(result.pdf, p, dpi) for p in pages}
        for index in labels:
            page_no, x0, top = origins[index - 1]
            printed = printed_values(pdf.pages[page_no], fitted, x0, top)
            scale = dpi / 72
            mine = [
                b
                for b in decoded[page_no]
                if x0 <= b.position.top_left.x / scale <= x0 + stock.width
                and top <= b.position.top_left.y / scale <= top + stock.height
            ]
            if content.code is None:
                assert mine == [], f"label {index}: a symbol on a label without a code"
                assert printed.get("hri", "") == ""
                continue
            assert len(mine) == 1, f"label {index}: {len(mine)} symbols found"
            symbol = mine[0]
            if "hri" in printed:
                assert symbol.text == printed["hri"]
            if isinstance(content.code, PlainCode):
                assert symbol.symbology_identifier == "]d1"  # not GS1: no FNC1 in first position
                assert symbol.text == plain_text(printed)
                continue
            assert isinstance(content.code, Gs1Data)
            assert symbol.symbology_identifier == "]d2"
            data = parse_hri(symbol.text)
            assert list(data)[0] == "01" and data["01"] == content.code.gtin
            ai, value = gs1_expiry(printed)
            assert data[ai] == value
            assert ({"17", "7003"} - {ai}).isdisjoint(data)
            assert data["10"] == printed["lot"]
            assert data["21"] == printed["serial"]
