"""A supplier's GS1 barcode as a scanner types it: GTIN, lot, expiry (parsed by biip, the GS1 library).

Keyboard-wedge scanners send the symbology identifier (``]d2`` for a GS1 DataMatrix, ``]C1`` for
GS1-128) and the group separator (GS, 0x1D) between variable-length AIs; some send neither and put
the AIs in parentheses, as the human-readable text does. All three forms parse. A code that is not
GS1, or whose GTIN check digit is wrong, is refused in words. docs/domain.md §7.3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import biip

from labelapp.domain.errors import RuleViolation


@dataclass(frozen=True)
class SupplierCode:
    gtin: str | None
    lot: str | None
    expiry: date | None
    text: str


def looks_like_gs1(text: str) -> bool:
    t = text.strip()
    return t.startswith(("]d2", "]C1", "]Q3", "(01)", "01", "\x1d")) and any(c.isdigit() for c in t[:6])


def parse_supplier_code(text: str) -> SupplierCode:
    raw = text.strip().replace("\\x1d", "\x1d")
    if raw.startswith("("):  # the human-readable form: "(01)...(17)...(10)..."
        raw = re.sub(r"\((\d{2,4})\)", lambda m: "\x1d" + m[1], raw).lstrip("\x1d")
    result = biip.parse(raw)
    message = result.gs1_message
    if message is None:
        raise RuleViolation(
            f"the scanned code {text[:40]!r} is not a GS1 code with a GTIN, lot and expiry "
            f"({result.gs1_message_error or 'not GS1'}); type the lot instead"
        )
    gtin = lot = None
    expiry = None
    for element in message.element_strings:
        if element.ai.ai == "01":
            if element.gtin_error:
                raise RuleViolation(
                    f"the scanned GTIN {element.value} is not valid ({element.gtin_error}): scan again or type the lot"
                )
            gtin = element.value
        elif element.ai.ai == "10":
            lot = element.value
        elif element.ai.ai == "17":
            expiry = element.date
    if lot is None:
        raise RuleViolation(f"the scanned code {text[:40]!r} carries no lot number (AI 10); type the lot instead")
    return SupplierCode(gtin=gtin, lot=lot, expiry=expiry, text=raw)
