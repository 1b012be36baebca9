"""Errors raised while loading templates or producing PDFs. All are LabelappErrors (exit 2, one line)."""

from __future__ import annotations

from labelapp.domain.errors import FieldIssue, InputError, LabelappError


class TemplateError(InputError):
    """A stock or layout file breaks a rule; the message names the file and the field."""


class BarcodeDataError(LabelappError):
    """Data that cannot go into a GS1 DataMatrix (bad lot characters, NDC, date...)."""


class PreflightError(InputError):
    """A label would miss an element §503B(a)(10)(A) requires; nothing is rendered."""


class LabelFitError(LabelappError):
    """Text that does not fit its zone even at the zone's minimum size. Never truncated silently."""

    def __init__(
        self,
        field: str,
        zone: str,
        stock: str,
        layout: str,
        min_size: float,
        suggestion: str | None = None,
        searched: bool = False,
        detail: str | None = None,
    ):
        self.field = field
        self.zone = zone
        self.stock = stock
        self.layout = layout
        self.min_size = min_size
        self.suggestion = suggestion
        self.searched = searched
        self.detail = detail
        super().__init__(self._message())

    def _message(self) -> str:
        why = self.detail or f"even at its {self.min_size:g} pt minimum"
        base = f"{self.field!r} does not fit on stock {self.stock} (layout {self.layout}, zone {self.zone!r}): {why}"
        if self.suggestion:
            return f"{base}; next larger stock that fits: {self.suggestion}"
        if self.searched:
            return f"{base}; no larger stock fits either: shorten the text or add a larger stock"
        return base

    def with_suggestion(self, suggestion: str | None) -> "LabelFitError":
        return LabelFitError(
            self.field, self.zone, self.stock, self.layout, self.min_size, suggestion, searched=True, detail=self.detail
        )


__all__ = ["BarcodeDataError", "FieldIssue", "LabelFitError", "PreflightError", "TemplateError"]
