"""Refuse to render a label that would miss an element §503B(a)(10) requires (docs/domain.md §1.1, §1.7).

Two layers: the structured elements (facility phone, lot, storage...) must each be non-empty, and
every field the label kind must print must have text. The layout loader has already checked that
the layout places every required field, so together nothing required can be left off.
"""

from __future__ import annotations

from labelapp.domain.errors import FieldIssue
from labelapp.render.errors import PreflightError
from labelapp.render.label.content import COMPOUNDED_STATEMENT, RX_ONLY, LabelContent
from labelapp.render.label.fields import FIELDS, OPTIONAL_TEXT, REQUIRED_FIELDS

_FIXED = {"compounded_statement": COMPOUNDED_STATEMENT, "rx_only": RX_ONLY}
_BANNED = {"\u00b5": "write mcg, not the micro sign (ISMP)", "\u03bc": "write mcg, not mu (ISMP)"}


def preflight_issues(content: LabelContent) -> list[FieldIssue]:
    issues = [
        FieldIssue(name, f"is missing: required on the {content.kind} label (503B(a)(10))")
        for name, value in content.elements.items()
        if not str(value or "").strip()
    ]
    for name in sorted(REQUIRED_FIELDS[content.kind] - OPTIONAL_TEXT):
        if FIELDS[name].variable:
            continue
        text = content.texts.get(name, "").strip()
        if not text:
            issues.append(
                FieldIssue(name, f"{FIELDS[name].title} is missing: required on the {content.kind} label (503B(a)(10))")
            )
        elif name in _FIXED and not text.startswith(_FIXED[name]):
            issues.append(FieldIssue(name, f"must read {_FIXED[name]!r}"))
    resale = content.texts.get("resale", "").replace("\u00a0", " ")
    if "Not for resale" not in resale:
        issues.append(FieldIssue("resale", "must include 'Not for resale'"))
    if content.office_use and "Office Use Only" not in resale:
        issues.append(FieldIssue("resale", "must include 'Office Use Only' (no named patient)"))
    patient = content.texts.get("patient", "").replace("\u00a0", " ")
    if not content.office_use and not ("Patient: " in patient and "Order: " in patient):
        issues.append(
            FieldIssue("patient", "a named-patient label must print the patient's name and order number (§1.4)")
        )
    if content.office_use and patient.strip():
        issues.append(FieldIssue("patient", "an office-use label names no patient"))
    for name, text in sorted(content.texts.items()):
        for char, why in _BANNED.items():
            if char in text:
                issues.append(FieldIssue(name, why))
    return issues


def preflight(content: LabelContent) -> None:
    issues = preflight_issues(content)
    if issues:
        raise PreflightError(issues, source=f"{content.kind} label")
