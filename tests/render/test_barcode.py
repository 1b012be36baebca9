"""GS1 DataMatrix: element strings, GTIN from NDC, lot rules, module extraction, and a real decode."""

from __future__ import annotations

import io
import random
from datetime import date

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from render_helpers import decode

from labelapp.render.errors import BarcodeDataError
from labelapp.render.label import barcode
from labelapp.render.label.barcode import GS1_SET_82, Gs1Data, gs1_check_digit, gtin14_from_ndc
from labelapp.render.pdfio import new_canvas, pdf_bytes

EXP = date(2027, 12, 31)


def test_set_82_has_82_characters_and_excludes_at_sign_space_and_hash():
    assert len(GS1_SET_82) == 82
    for bad in "@ #$[]{}^`|~\\\u00e9":
        assert bad not in GS1_SET_82


@pytest.mark.parametrize(
    "body, check",
    [
        ("590123412345", "7"),  # EAN-13 5901234123457 (GS1 example)
        ("0035024204062", "4"),  # GTIN-14 of NDC 50242-040-62; zint computes the same digit
        ("0030045000012", "5"),  # worked by hand below
        ("9999999999999", "7"),  # 9 x (7 x 3 + 6 x 1) = 243 -> 7
    ],
)
def test_gs1_check_digit(body, check):
    assert gs1_check_digit(body) == check


def test_check_digit_hand_computation():
    body = "0030045000012"
    # weights 3,1,3,... from the right: 2x3 + 1x1 + 0 + 0 + 0 + 0 + 5x3 + 4x1 + 0 + 0 + 3x3 + 0 + 0
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    assert total == 6 + 1 + 15 + 4 + 9
    assert gs1_check_digit(body) == str((10 - total % 10) % 10)


@pytest.mark.parametrize(
    "ndc, gtin",
    [
        ("50242-040-62", "00350242040624"),
        ("5024204062", "00350242040624"),
        ("0409-4888-01", "00304094888019"),  # by hand: weighted sum 111 -> 9
        ("12345-6789-1", "00312345678913"),  # by hand: weighted sum 97 -> 3
    ],
)
def test_gtin14_from_ten_digit_ndc(ndc, gtin):
    assert gtin14_from_ndc(ndc) == gtin
    assert gtin[:3] == "003" and gtin[3:13] == ndc.replace("-", "")
    # zint checks the (01) check digit itself: encoding succeeds only with the right one
    barcode.encode(f"[01]{gtin}[17]271231[10]A1")


@pytest.mark.parametrize("ndc", ["50242-0040-62", "502420406", "50242-040-6A", "12345-67-890", "00502420406200", ""])
def test_bad_ndc_refused(ndc):
    with pytest.raises(BarcodeDataError, match="NDC"):
        gtin14_from_ndc(ndc)


def test_wrong_gtin_check_digit_refused_by_us_and_by_zint():
    with pytest.raises(BarcodeDataError, match="check digit"):
        Gs1Data(expiry=EXP, lot="A1", gtin="00350242040629")
    with pytest.raises(BarcodeDataError, match="Bad checksum"):
        barcode.encode("[01]00350242040629[17]271231[10]A1")


@pytest.mark.parametrize(
    "lot, why",
    [
        ("20260115@01", "'@'"),
        ("LOT 1", "' '"),
        ("", "empty"),
        ("A" * 21, "21 characters"),
        ("L\u00d6T", "'\u00d6'"),
    ],
)
def test_lot_outside_gs1_rules_refused(lot, why):
    with pytest.raises(BarcodeDataError, match=why):
        Gs1Data(expiry=EXP, lot=lot)


def test_every_set_82_character_is_accepted_in_a_lot():
    chars = sorted(GS1_SET_82)
    for i in range(0, len(chars), 20):
        lot = "".join(chars[i : i + 20])
        data = Gs1Data(expiry=EXP, lot=lot, serial="1")
        barcode.encode(data.element_string())


def test_element_string_puts_fixed_length_ais_first():
    data = Gs1Data(expiry=EXP, lot="LOT123", serial="0001", gtin="00350242040624")
    assert data.element_string() == "[01]00350242040624[17]271231[10]LOT123[21]0001"
    assert data.human_readable() == "(01)00350242040624(17)271231(10)LOT123(21)0001"
    assert data.transmitted() == "01003502420406241727123110LOT123\x1d210001"
    assert Gs1Data(expiry=EXP, lot="LOT123").element_string() == "[17]271231[10]LOT123"


def test_serial_prefixes_match_full_strings():
    data = Gs1Data(expiry=EXP, lot="G50-1", gtin="00350242040624")
    element, hri = data.serial_prefixes()
    full = barcode.with_serial(data, "0042")
    assert element + "0042" == full.element_string()
    assert hri + "0042" == full.human_readable()


def test_impossible_expiry_refused_by_zint():
    with pytest.raises(BarcodeDataError, match="Invalid"):
        barcode.encode("[17]271331[10]A1")


def _cells(rects):
    return {(x + i, y + j) for x, y, w, h in rects for i in range(w) for j in range(h)}


@settings(max_examples=150, deadline=None)
@given(
    lot=st.text(alphabet=sorted(GS1_SET_82), min_size=1, max_size=20),
    serial=st.integers(min_value=1, max_value=99999),
    shape=st.sampled_from(["square", "any"]),
)
def test_matrix_runs_cover_exactly_the_vector_modules(lot, serial, shape):
    symbol = barcode.encode(f"[17]271231[10]{lot}[21]{serial:05d}", shape)
    assert _cells(barcode.matrix_rects(symbol)) == _cells(barcode.vector_rects(symbol))
    assert barcode.symbol_operators(symbol, 3, 4, 0.5) == barcode.path_operators(
        barcode.matrix_rects(symbol), symbol.rows, 3, 4, 0.5
    )


def test_square_shape_gives_square_symbols():
    symbol = barcode.encode("[17]271231[10]A1", "square")
    assert symbol.rows == symbol.width


def _symbol_pdf(data: Gs1Data, module: float) -> bytes:
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, (144, 144), "t", "t")
    barcode.draw_datamatrix(canvas, data.element_string(), 30, 30, module)
    canvas.showPage()
    return pdf_bytes(canvas)


@pytest.mark.parametrize("gtin", [None, "00350242040624"])
@pytest.mark.parametrize("module_mm", [0.254, 0.34])
def test_round_trip_pdf_raster_decode(gtin, module_mm):
    data = Gs1Data(expiry=EXP, lot="G50-261123-01", serial="0007", gtin=gtin)
    found = decode(_symbol_pdf(data, module_mm * 72 / 25.4), 0, dpi=600)
    assert len(found) == 1
    assert found[0].symbology_identifier == "]d2"  # GS1 DataMatrix
    assert found[0].content_type == zxingcpp.ContentType.GS1
    assert found[0].text == data.human_readable()
    assert found[0].bytes.decode("ascii") == data.transmitted()


def test_round_trip_random_lots():
    rng = random.Random(7)
    for _ in range(5):
        lot = "".join(rng.choice(sorted(GS1_SET_82)) for _ in range(rng.randint(1, 20)))
        data = Gs1Data(expiry=EXP, lot=lot, serial=f"{rng.randint(1, 9999):04d}")
        (found,) = decode(_symbol_pdf(data, 0.34 * 72 / 25.4), 0, dpi=600)
        assert found.bytes.decode("ascii") == data.transmitted()
