"""Fit each zone's text: wrap at word boundaries, then shrink step by step to the zone's minimum.

If the text still does not fit, ``LabelFitError`` names the field, zone, stock and layout. Nothing is
ever truncated or squeezed below the minimum. A number and its unit ("1,500 mg", "(50 mg/mL)") are
never split across lines, "q.s." stays with the vehicle, and a non-breaking space (U+00A0) keeps
its neighbours together. A newline in a field's text starts a new paragraph.

Coordinates returned are PDF points from the label's lower-left corner.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from labelapp.domain.errors import LabelappError
from labelapp.render.errors import LabelFitError
from labelapp.render.fonts import BOLD, face, line_metrics, truetype_font
from labelapp.render.label.fields import PRIMARY_FIELDS
from labelapp.render.templates.layout import Layout, Rect, Stack, TextZone

SIZE_STEP = 0.25  # pt
NBSP = "\u00a0"
_NUMBER = re.compile(r"^\(?[~<>≤≥]?\d[\d,.]*$")
_UNIT_START = re.compile(r"^[A-Za-z%°]")
_GLUE_BACK = re.compile(r"^q\.s\.?[;,.]?$")  # "q.s." stays with the vehicle's name


class UnprintableTextError(LabelappError):
    """Text with a character the embedded font cannot draw (it would print as an empty box)."""


@dataclass(frozen=True)
class Line:
    text: str
    x: float
    baseline: float
    width: float
    font: str


@dataclass(frozen=True)
class FittedZone:
    zone: TextZone
    font: str
    size: float
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class FittedLabel:
    layout: Layout
    stock: str
    zones: tuple[FittedZone, ...]

    def zone(self, name: str) -> FittedZone:
        return next(z for z in self.zones if z.zone.name == name)

    def size_of(self, field: str) -> float:
        return next(z.size for z in self.zones if field in z.zone.fields)


@dataclass(frozen=True)
class _Token:
    text: str
    width: float  # at size 1
    field: str
    gap: float = 1.0  # spaces before it when it does not start a line (2 between inline fields)


@dataclass(frozen=True)
class _Paragraph:
    font: str
    space: float  # width of a space at size 1
    tokens: list[_Token]


@dataclass(frozen=True)
class _WrappedLine:
    field: str
    text: str
    width: float  # at size 1
    font: str


class _Overflow(Exception):
    def __init__(self, field: str):
        self.field = field


def tokens(text: str) -> list[str]:
    """Break points: single spaces. A number is glued to the unit that follows it."""
    out: list[str] = []
    for word in (w for w in text.split(" ") if w):
        glue = out and (
            (_NUMBER.match(out[-1].rsplit(NBSP, 1)[-1]) and _UNIT_START.match(word)) or _GLUE_BACK.match(word)
        )
        if glue:
            out[-1] = f"{out[-1]}{NBSP}{word}"
        else:
            out.append(word)
    return out


def check_printable(text: str, font_name: str, field: str) -> None:
    glyphs = truetype_font(font_name).face.charToGlyph
    missing = sorted({ch for ch in text if ord(ch) not in glyphs and ch != "\n"})
    if missing:
        shown = ", ".join(f"U+{ord(ch):04X} {ch!r}" for ch in missing)
        raise UnprintableTextError(f"{field}: character {shown} has no glyph in the label font")


def _width1(text: str, font_name: str) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font_name, 1.0)


def _measure(field: str, text: str, font_name: str, gap: float = 1.0) -> list[_Token]:
    out = []
    for i, tok in enumerate(tokens(text)):
        shown = tok.replace(NBSP, " ")
        out.append(_Token(shown, _width1(shown, font_name), field, gap if i == 0 else 1.0))
    return out


def wrap(toks: list[_Token], space: float, limit: float) -> list[tuple[str, str, float]] | None:
    """Greedy word wrap in size-1 units: [(field of last token, text, width)].

    None when one token alone is wider than the limit (it is never broken inside).
    """
    lines: list[tuple[str, str, float]] = []
    text, width, field = "", 0.0, ""
    for tok in toks:
        if tok.width > limit + 1e-9:
            return None
        gap = space * tok.gap
        if text and width + gap + tok.width > limit + 1e-9:
            lines.append((field, text, width))
            text, width = "", 0.0
        if text:
            text, width = text + " " * round(tok.gap) + tok.text, width + gap + tok.width
        else:
            text, width = tok.text, tok.width
        field = tok.field
    if text:
        lines.append((field, text, width))
    return lines


def _paragraphs(zone: TextZone, texts: Mapping[str, str]) -> list[_Paragraph]:
    """One entry per printed paragraph; inline zones run all their fields into one paragraph."""
    present = [(f, texts.get(f, "").strip()) for f in zone.fields]
    present = [(f, t) for f, t in present if t]
    zone_font = face(zone.font)
    for field, text in present:
        check_printable(text, _font_of(zone, field), field)
    if zone.flow == "inline":
        merged: list[_Token] = []
        for i, (field, text) in enumerate(present):
            merged.extend(_measure(field, " ".join(text.split("\n")), zone_font, 2.0 if i else 1.0))
        return [_Paragraph(zone_font, _width1(" ", zone_font), merged)] if merged else []
    out = []
    for field, text in present:
        font = _font_of(zone, field)
        for part in (p for p in text.split("\n") if p.strip()):
            out.append(_Paragraph(font, _width1(" ", font), _measure(field, part, font)))
    return out


def _font_of(zone: TextZone, field: str) -> str:
    return BOLD if field in zone.bold_fields else face(zone.font)


def _wrap_zone(paragraphs: list[_Paragraph], size: float, width: float) -> list[_WrappedLine]:
    """Every line at ``size`` in ``width``; raises _Overflow when a word is wider than that."""
    limit = width / size
    out: list[_WrappedLine] = []
    for para in paragraphs:
        lines = wrap(para.tokens, para.space, limit)
        if lines is None:
            wide = next(t for t in para.tokens if t.width > limit + 1e-9)
            raise _Overflow(wide.field)
        out.extend(_WrappedLine(field, text, width, para.font) for field, text, width in lines)
    return out


def _height(n_lines: int, size: float, leading: float) -> float:
    """From the top of the first line's box to the bottom of the last (each box is 1 em tall)."""
    return size + (n_lines - 1) * size * leading if n_lines else 0.0


def _first_overflowing(lines: list[_WrappedLine], size: float, zone: TextZone) -> str:
    for i, line in enumerate(lines):
        if _height(i + 1, size, zone.leading) > zone.placed_rect.height + 1e-6:
            return line.field
    return lines[-1].field


def _sizes(zone: TextZone, largest: float | None = None) -> list[float]:
    start = zone.size.max if largest is None else min(zone.size.max, largest)
    sizes, size = [], max(start, zone.size.min)
    while size > zone.size.min + 1e-9:
        sizes.append(round(size, 4))
        size -= SIZE_STEP
    sizes.append(zone.size.min)
    return sizes


def _x(zone: TextZone, width: float) -> float:
    rect = zone.placed_rect
    return rect.x + {"left": 0.0, "center": (rect.width - width) / 2, "right": rect.width - width}[zone.align]


def _place(lines: Sequence[_WrappedLine], size: float, zone: TextZone, label_height: float) -> tuple[Line, ...]:
    above = line_metrics(face(zone.font)).above  # both faces share the descent (0.21 em)
    rect = zone.placed_rect
    slack = rect.height - _height(len(lines), size, zone.leading)
    top = label_height - rect.y - {"top": 0.0, "middle": slack / 2, "bottom": slack}[zone.valign]
    placed = []
    for i, line in enumerate(lines):
        width = line.width * size
        baseline = top - above * size - i * size * zone.leading
        placed.append(Line(line.text, _x(zone, width), baseline, width, line.font))
    return tuple(placed)


def fit_zone(zone: TextZone, texts: Mapping[str, str], label_height: float, largest: float | None = None) -> FittedZone:
    """Largest size (max -> min in 0.25 pt steps) at which the zone's text fits; _Overflow if none.

    ``largest`` caps the starting size (used to print a group of zones at one size).
    """
    paragraphs = _paragraphs(zone, texts)
    last_error = _Overflow(zone.fields[0])
    for size in _sizes(zone, largest):
        try:
            lines = _wrap_zone(paragraphs, size, zone.placed_rect.width)
        except _Overflow as exc:
            last_error = exc
            continue
        if _height(len(lines), size, zone.leading) <= zone.placed_rect.height + 1e-6:
            return FittedZone(zone, face(zone.font), size, _place(lines, size, zone, label_height))
        last_error = _Overflow(_first_overflowing(lines, size, zone))
    raise last_error


def _fit(
    zone: TextZone, texts: Mapping[str, str], layout: Layout, stock: str, largest: float | None = None
) -> FittedZone:
    try:
        return fit_zone(zone, texts, layout.size.height, largest)
    except _Overflow as exc:
        raise LabelFitError(exc.field, zone.name, stock, layout.name, zone.size.min) from None


class _StackFit:
    """Sizes of a stack's zones, shrunk until the column fits (see templates.Stack)."""

    def __init__(self, stack: Stack, texts: Mapping[str, str], caps: Mapping[str, float]):
        self.stack = stack
        self.paragraphs = [_paragraphs(zone, texts) for zone in stack.zones]
        self.sizes = [
            max(zone.size.min, min(zone.size.max, caps.get(zone.name, zone.size.max))) for zone in stack.zones
        ]

    def wrapped(self) -> list[list[_WrappedLine]]:
        width = self.stack.rect.width
        return [_wrap_zone(paras, size, width) for paras, size in zip(self.paragraphs, self.sizes)]

    def height(self, lines: list[list[_WrappedLine]]) -> float:
        used = [
            _height(len(ls), size, zone.leading) for zone, ls, size in zip(self.stack.zones, lines, self.sizes) if ls
        ]
        return sum(used) + self.stack.gap * max(0, len(used) - 1)

    def shrink(self, only: int | None = None) -> bool:
        """One 0.25 pt step: the given zone, else every secondary zone, else name and strength."""
        zones = self.stack.zones
        if only is not None:
            candidates = [only]
        else:
            secondary = [i for i, z in enumerate(zones) if not PRIMARY_FIELDS & set(z.fields)]
            primary = [i for i in range(len(zones)) if i not in secondary]
            candidates = [i for i in secondary if self.sizes[i] > zones[i].size.min + 1e-9] or [
                i for i in primary if self.sizes[i] > zones[i].size.min + 1e-9
            ]
        moved = False
        for i in candidates:
            if self.sizes[i] > zones[i].size.min + 1e-9:
                self.sizes[i] = max(zones[i].size.min, self.sizes[i] - SIZE_STEP)
                moved = True
        return moved

    def overflowing_field(self, lines: list[list[_WrappedLine]]) -> str:
        top = 0.0
        for zone, ls, size in zip(self.stack.zones, lines, self.sizes):
            for i, line in enumerate(ls):
                if top + size + i * size * zone.leading > self.stack.rect.height + 1e-6:
                    return line.field
            if ls:
                top += _height(len(ls), size, zone.leading) + self.stack.gap
        return self.stack.zones[-1].fields[0]


def _zone_index(stack: Stack, field: str) -> int:
    return next(i for i, z in enumerate(stack.zones) if field in z.fields)


def fit_stack(
    stack: Stack, texts: Mapping[str, str], label_height: float, caps: Mapping[str, float] | None = None
) -> list[FittedZone]:
    """Place the stack's zones top to bottom, shrinking (never truncating) until they fit."""
    state = _StackFit(stack, texts, caps or {})
    while True:
        try:
            lines = state.wrapped()
        except _Overflow as exc:  # a word wider than the column: only a smaller size helps
            if not state.shrink(only=_zone_index(stack, exc.field)):
                raise
            continue
        if state.height(lines) <= stack.rect.height + 1e-6:
            return _place_stack(stack, lines, state.sizes, label_height)
        if not state.shrink():
            raise _Overflow(state.overflowing_field(lines))


def _place_stack(
    stack: Stack, lines: Sequence[Sequence[_WrappedLine]], sizes: Sequence[float], label_height: float
) -> list[FittedZone]:
    out: list[FittedZone] = []
    top = stack.rect.y
    for zone, zone_lines, size in zip(stack.zones, lines, sizes):
        height = _height(len(zone_lines), size, zone.leading)
        rect = Rect.model_construct(x=stack.rect.x, y=top, width=stack.rect.width, height=height)
        placed = zone.model_copy(update={"rect": rect})
        out.append(FittedZone(placed, face(zone.font), size, _place(zone_lines, size, placed, label_height)))
        if zone_lines:
            top += height + stack.gap
    return out


def _fit_stack(
    stack: Stack, texts: Mapping[str, str], layout: Layout, stock: str, caps: Mapping[str, float] | None = None
) -> list[FittedZone]:
    try:
        return fit_stack(stack, texts, layout.size.height, caps)
    except _Overflow as exc:
        zone = stack.zones[_zone_index(stack, exc.field)]
        raise LabelFitError(exc.field, zone.name, stock, layout.name, zone.size.min) from None


def _group_sizes(fitted: list[FittedZone]) -> dict[str, float]:
    sizes: dict[str, float] = {}
    for f in fitted:
        if f.zone.group is not None and f.lines:
            sizes[f.zone.group] = min(sizes.get(f.zone.group, f.size), f.size)
    return sizes


def fit_layout(layout: Layout, texts: Mapping[str, str], stock: str) -> FittedLabel:
    """Fit every fixed zone and stack, then print each group of zones at its smallest size.

    Per-label fields are fitted with the widest sample the caller passes. Shrinking never makes
    text taller, so re-fitting at a group's smaller size always fits.
    """
    fixed = [_fit(zone, texts, layout, stock) for zone in layout.zones]
    stacked = [_fit_stack(stack, texts, layout, stock) for stack in layout.stacks]
    groups = _group_sizes(fixed + [f for st in stacked for f in st])
    fixed = [
        f
        if f.zone.group not in groups or f.size <= groups[f.zone.group]
        else _fit(f.zone, texts, layout, stock, groups[f.zone.group])
        for f in fixed
    ]
    final = list(fixed)
    for stack, fitted in zip(layout.stacks, stacked):
        caps = {z.name: groups[z.group] for z in stack.zones if z.group in groups}
        if any(f.size > caps.get(f.zone.name, f.size) for f in fitted):
            fitted = _fit_stack(stack, texts, layout, stock, caps)
        final += fitted
    return FittedLabel(layout, stock, tuple(final))


def place_variable(label: FittedLabel, fitted: FittedZone, text: str, width: float) -> Line:
    """Position one label's value of a per-label field at the size fitted for the widest sample."""
    zone = fitted.zone
    if width > zone.placed_rect.width + 1e-6:
        raise LabelFitError(zone.fields[0], zone.name, label.stock, label.layout.name, fitted.size)
    return Line(text, _x(zone, width), fitted.lines[0].baseline, width, fitted.font)
