"""GS1 DataMatrix: element strings, GTIN from NDC, lot rules, module extraction, and a real decode."""

from __future__ import annotations

import io
import random
from datetime import date, time

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from render_helpers import decode

from labelapp.render.errors import BarcodeDataError
from labelapp.render.label import barcode
from labelapp.render.label.barcode import GS1_SET_82, Gs1Data, PlainCode, gs1_check_digit, gtin14_from_ndc
from labelapp.render.pdfio import new_canvas, pdf_bytes

EXP = date(2027, 12, 31)
GTIN = "00350242040624"  # NDC 50242-040-62


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
        Gs1Data(expiry=EXP, lot=lot, gtin=GTIN)
    with pytest.raises(BarcodeDataError, match=why):
        PlainCode(expiry=EXP, lot=lot)


def test_every_set_82_character_is_accepted_in_a_lot():
    chars = sorted(GS1_SET_82)
    for i in range(0, len(chars), 20):
        lot = "".join(chars[i : i + 20])
        data = Gs1Data(expiry=EXP, lot=lot, serial="1", gtin=GTIN)
        barcode.encode(data.element_string())


def test_element_string_puts_fixed_length_ais_first():
    data = Gs1Data(expiry=EXP, lot="LOT123", serial="0001", gtin="00350242040624")
    assert data.element_string() == "[01]00350242040624[17]271231[10]LOT123[21]0001"
    assert data.human_readable() == "(01)00350242040624(17)271231(10)LOT123(21)0001"
    assert data.transmitted() == "01003502420406241727123110LOT123\x1d210001"


def test_an_hour_based_expiry_goes_in_ai_7003_yymmddhhmm():
    """GS1 General Specifications AI (7003): expiration date and time, N10 YYMMDDHHMM, local 24-hour time;
    70xx AIs are not of predefined length, so FNC1 (GS) follows (7003) when it is not last."""
    data = Gs1Data(expiry=date(2026, 11, 23), expiry_time=time(20, 30), lot="G50-1", serial="0001", gtin=GTIN)
    assert data.element_string() == "[01]00350242040624[7003]2611232030[10]G50-1[21]0001"
    assert data.human_readable() == "(01)00350242040624(7003)2611232030(10)G50-1(21)0001"
    assert data.transmitted() == "010035024204062470032611232030\x1d10G50-1\x1d210001"
    assert "17" not in dict(data.elements())


def test_a_gs1_element_string_without_its_gtin_cannot_be_made_or_encoded():
    with pytest.raises(TypeError):
        Gs1Data(expiry=EXP, lot="LOT123")  # type: ignore[call-arg]
    for gtin in (None, ""):
        with pytest.raises(BarcodeDataError, match=r"needs the \(01\) GTIN"):
            Gs1Data(expiry=EXP, lot="LOT123", gtin=gtin)  # type: ignore[arg-type]
    for element_string in ("[17]271231[10]A1", "[10]A1[01]00350242040624", "[7003]2611232030[10]A1", ""):
        with pytest.raises(BarcodeDataError, match=r"lacks its \(01\) GTIN"):
            barcode.encode(element_string)


def test_a_plain_code_has_lot_expiry_and_serial_in_words():
    code = PlainCode(expiry=date(2026, 12, 23), lot="G50-261123-01")
    assert code.with_serial("0001").human_readable() == "LOT G50-261123-01 EXP 2026-12-23 SN 0001"
    prefix, hri_prefix = code.serial_prefixes()
    assert prefix == hri_prefix == "LOT G50-261123-01 EXP 2026-12-23 SN "
    timed = PlainCode(expiry=date(2026, 11, 23), expiry_time=time(20, 30), lot="G50-1", serial="0007")
    assert timed.symbol_text() == "LOT G50-1 EXP 2026-11-23 20:30 SN 0007"
    assert not code.is_gs1 and Gs1Data(expiry=EXP, lot="A1", gtin=GTIN).is_gs1


def test_serial_prefixes_match_full_strings():
    data = Gs1Data(expiry=EXP, lot="G50-1", gtin="00350242040624")
    element, hri = data.serial_prefixes()
    full = data.with_serial("0042")
    assert element + "0042" == full.element_string()
    assert hri + "0042" == full.human_readable()


def test_impossible_expiry_refused_by_zint():
    with pytest.raises(BarcodeDataError, match="Invalid"):
        barcode.encode(f"[01]{GTIN}[17]271331[10]A1")


def _cells(rects):
    return {(x + i, y + j) for x, y, w, h in rects for i in range(w) for j in range(h)}


@settings(max_examples=150, deadline=None)
@given(
    lot=st.text(alphabet=sorted(GS1_SET_82), min_size=1, max_size=20),
    serial=st.integers(min_value=1, max_value=99999),
    shape=st.sampled_from(["square", "any"]),
)
def test_matrix_runs_cover_exactly_the_vector_modules(lot, serial, shape):
    symbol = barcode.encode(f"[01]{GTIN}[17]271231[10]{lot}[21]{serial:05d}", shape)
    assert _cells(barcode.matrix_rects(symbol)) == _cells(barcode.vector_rects(symbol))
    assert barcode.symbol_operators(symbol, 3, 4, 0.5) == barcode.path_operators(
        barcode.matrix_rects(symbol), symbol.rows, 3, 4, 0.5
    )


def test_square_shape_gives_square_symbols():
    symbol = barcode.encode(f"[01]{GTIN}[17]271231[10]A1", "square")
    assert symbol.rows == symbol.width


def _symbol_pdf(data: Gs1Data | PlainCode, module: float) -> bytes:
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, (144, 144), "t", "t")
    barcode.draw_datamatrix(canvas, data.symbol_text(), 30, 30, module, gs1=data.is_gs1)
    canvas.showPage()
    return pdf_bytes(canvas)


@pytest.mark.parametrize("gtin", ["00312345678906", GTIN])
@pytest.mark.parametrize("expiry_time", [None, time(20, 30)])
@pytest.mark.parametrize("module_mm", [0.254, 0.34])
def test_round_trip_pdf_raster_decode(gtin, expiry_time, module_mm):
    data = Gs1Data(expiry=EXP, lot="G50-261123-01", serial="0007", gtin=gtin, expiry_time=expiry_time)
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
        data = Gs1Data(expiry=EXP, lot=lot, serial=f"{rng.randint(1, 9999):04d}", gtin=GTIN)
        (found,) = decode(_symbol_pdf(data, 0.34 * 72 / 25.4), 0, dpi=600)
        assert found.bytes.decode("ascii") == data.transmitted()


@pytest.mark.parametrize("expiry_time", [None, time(8, 5)])
def test_a_plain_code_decodes_to_exactly_its_text_and_not_as_gs1(expiry_time):
    code = PlainCode(expiry=EXP, lot="G50-261123-01", serial="0007", expiry_time=expiry_time)
    (found,) = decode(_symbol_pdf(code, 0.34 * 72 / 25.4), 0, dpi=600)
    assert found.symbology_identifier == "]d1"  # no FNC1 first: a scanner never reads it as GS1
    assert found.content_type == zxingcpp.ContentType.Text
    assert found.text == code.human_readable()
