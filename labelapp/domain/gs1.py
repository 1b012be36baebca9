"""GS1 numbers the domain decides on: the mod-10 check digit, a GTIN-14, and the GTIN of an NDC
(docs/domain.md §7.3). The symbol itself is drawn in ``labelapp.render.label.barcode``."""

from __future__ import annotations

# NDC segment patterns of the 10-digit NDC (labeler-product-package).
NDC_SEGMENTS = {(4, 4, 2), (5, 3, 2), (5, 4, 1)}


class Gs1NumberError(ValueError):
    """A GTIN or NDC that cannot be used in a GS1 element string."""


def gs1_check_digit(body: str) -> str:
    """GS1 mod-10: weights 3,1,3,... from the rightmost digit of the body."""
    if not body.isdigit():
        raise Gs1NumberError(f"GS1 number {body!r} must be digits only")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def gtin14_problem(gtin: str) -> str | None:
    """Why ``gtin`` is not a GTIN-14 (14 digits, valid check digit), or None."""
    if not (len(gtin) == 14 and gtin.isdigit()):
        return f"GTIN {gtin!r} must have exactly 14 digits"
    if gs1_check_digit(gtin[:13]) != gtin[13]:
        return f"GTIN {gtin!r} has check digit {gtin[13]}; the GS1 mod-10 check digit is {gs1_check_digit(gtin[:13])}"
    return None


def ndc_digits(ndc: str) -> str:
    """The 10 digits of an NDC written 4-4-2, 5-3-2 or 5-4-1 (hyphens optional)."""
    text = ndc.strip()
    if "-" in text:
        parts = text.split("-")
        if len(parts) != 3 or not all(p.isdigit() for p in parts) or tuple(len(p) for p in parts) not in NDC_SEGMENTS:
            raise Gs1NumberError(f"NDC {ndc!r} is not a 10-digit NDC in 4-4-2, 5-3-2 or 5-4-1 form")
        text = "".join(parts)
    if not (len(text) == 10 and text.isdigit()):
        raise Gs1NumberError(
            f"NDC {ndc!r} must have exactly 10 digits (an 11-digit billing form "
            "cannot be turned into a GTIN without knowing where the pad zero is)"
        )
    return text


def gtin14_from_ndc(ndc: str) -> str:
    """Indicator 0 + '03' (the US NDC prefix) + the 10 NDC digits + the check digit."""
    body = "0" + "03" + ndc_digits(ndc)
    return body + gs1_check_digit(body)
