"""What a label says, built from the batch file and its computation (no layout, no drawing).

Every statement comes from the master formula, the facility record or the calculation; nothing is
made up here. The unit label carries §503B(a)(10)(A); the carton adds (B): MedWatch and directions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from labelapp.calc.format import fmt_number
from labelapp.calc.solution import sum_per_ml
from labelapp.domain.batch import BatchFile
from labelapp.domain.results import BatchComputation, ComponentResult
from labelapp.render.label.barcode import Gs1Data, LabelCode, PlainCode
from labelapp.render.label.fields import LabelKind

COMPOUNDED_STATEMENT = "This is a compounded drug."
NBSP = "\u00a0"  # keeps a caption with its value on one line ("EXP 2026-12-23")
NOT_FOR_RESALE = "Not for resale."
OFFICE_USE_ONLY = "Office Use Only."
RX_ONLY = "Rx only"
MEDWATCH = "Report adverse events: www.fda.gov/medwatch or 1-800-FDA-1088"
SEE_CARTON = "See carton for ingredients."


@dataclass(frozen=True)
class LabelContent:
    """The texts of one kind of label for one lot, the DataMatrix data (serial added per label),
    and the structured elements the preflight checks one by one."""

    kind: LabelKind
    texts: Mapping[str, str]
    code: LabelCode | None  # the 2D code (serial added per label); None: the label carries none
    elements: Mapping[str, str]
    title: str
    office_use: bool = True
    lot_provisional: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def gs1(self) -> Gs1Data | None:
        """The GS1 data of the code, when the code is GS1."""
        return self.code if isinstance(self.code, Gs1Data) else None

    def with_text(self, name: str, text: str) -> "LabelContent":
        texts = dict(self.texts)
        texts[name] = text
        return LabelContent(
            self.kind,
            MappingProxyType(texts),
            self.code,
            self.elements,
            self.title,
            self.office_use,
            self.lot_provisional,
            self.notes,
        )


def facility_text(bf: BatchFile) -> str:
    f = bf.facility
    return f"{f.name} \u2022 {f.address} \u2022 {keep('Tel. ' + f.phone)}"


def keep(text: str) -> str:
    """All spaces non-breaking: the phrase never wraps (it prints with ordinary spaces)."""
    return text.replace(" ", NBSP)


def resale_text(bf: BatchFile) -> str:
    if not bf.batch.office_use:
        return keep(NOT_FOR_RESALE)
    return f"{keep(NOT_FOR_RESALE)} {keep(OFFICE_USE_ONLY)}"


def patient_text(bf: BatchFile) -> str:
    """'Patient: Jordan Example  Order: RX-2611-0042' for a named-patient batch; '' for office use (§1.4)."""
    batch = bf.batch
    if batch.office_use:
        return ""
    # name and order each unbroken; two spaces between them (one non-breaking, so both print), where a
    # line may break
    return f"{keep(f'Patient: {batch.patient_name}')}{NBSP} {keep(f'Order: {batch.order_number}')}"


def active_meq_text(comp: BatchComputation) -> str:
    """mmol/mL and mEq/mL of the ACTIVE components whose strength leads in mass ('calcium 1.36 mEq/mL;
    chloride 1.36 mEq/mL' for calcium chloride 10%, as American Regent labels it after '100 mg/mL').

    An active led in mEq or mmol already states them in its strength line (docs/domain.md §2.2), and
    trace electrolytes of inactive components stay on the worksheet: on a label they would crowd out
    required statements and invite misreading.
    """
    mass_led = {c.component for c in comp.strength_choices if c.basis == "mass"}
    actives = [c for c in comp.components if c.role == "active" and c.ingredient in mass_led]
    return "; ".join(
        part
        for part in (_active_total(actives, "mmol_per_ml", "mmol/mL"), _active_total(actives, "meq_per_ml", "mEq/mL"))
        if part
    )


def _active_total(actives: list[ComponentResult], attr: str, unit: str) -> str:
    """Phosphates are dosed in mmol of phosphorus, electrolytes in mEq: both come before trace ions."""
    totals = sum_per_ml(actives, attr)
    return "; ".join(f"{name} {fmt_number(v, sig=3)} {unit}" for name, v in totals.items())


def _sentence(text: str) -> str:
    return f"{text[:1].upper()}{text[1:]}."


def osmolarity_text(comp: BatchComputation) -> str:
    """'Potassium chloride 1,490 mg per 10 mL. Osmolarity 3,997 mOsmol/L (calc), hypertonic.'

    The salt weight of an active led in mEq comes first, in the body's smaller type: it follows the
    strength as secondary text (USP asks potassium chloride concentrate to state weight and mEq)."""
    parts = [_sentence(comp.strength_secondary_text)] if comp.strength_secondary_text else []
    parts.append(f"Osmolarity {comp.osmolarity_text}, {comp.tonicity.category}.")
    meq = active_meq_text(comp)
    if meq:
        parts.append(_sentence(meq))
    return " ".join(parts)


_NUMBER_UNIT = re.compile(r"(?<=\d) (?=[^\d\s(])")


def strength_line_text(line: str) -> str:
    """A strength line that wraps only between words, never inside '15 mL' or away from its per-mL part:
    '45 mmol per 15 mL (3 mmol/mL)' may break before 'per' or '15 mL (3 mmol/mL)', nowhere else."""
    total, sep, per_ml = line.rpartition(" (")
    if not sep:
        return _NUMBER_UNIT.sub(NBSP, line)
    return f"{_NUMBER_UNIT.sub(NBSP, total)}{NBSP}({keep(per_ml)}"


def route_text(bf: BatchFile) -> str:
    return f"For {bf.formula.route.strip()} use."


def elements_of(bf: BatchFile, comp: BatchComputation) -> dict[str, str]:
    """The 503B(a)(10)(A) elements, one by one, as the preflight checks them."""
    return {
        "facility.name": bf.facility.name,
        "facility.address": bf.facility.address,
        "facility.phone": bf.facility.phone,
        "lot": comp.lot_number,
        "established name": comp.product_name,
        "dosage form and strength": comp.strength_text,
        "quantity": comp.quantity_text,
        "date compounded": comp.compounded_text,
        "expiration date": comp.expiration_text,
        "storage and handling": bf.formula.storage.statement,
        "route": bf.formula.route,
        "ingredients": comp.ingredients_text,
    }


def unit_texts(bf: BatchFile, comp: BatchComputation) -> dict[str, str]:
    return {
        "established_name": comp.product_name,
        "strength": "\n".join(strength_line_text(line) for line in comp.strength_lines) or comp.strength_text,
        "rx_only": RX_ONLY,
        "warnings": " ".join(w.strip() for w in bf.formula.warnings if w.strip()),
        "route": route_text(bf),
        "container": comp.package_text,
        "osmolarity": osmolarity_text(comp),
        "ingredients": comp.ingredients_text,
        "storage": bf.formula.storage.statement,
        "lot": keep(f"LOT {comp.lot_number}"),
        "expiry": keep(comp.expiration_text),
        "compounded_date": keep(comp.compounded_text),
        "compounded_statement": COMPOUNDED_STATEMENT,
        "resale": resale_text(bf),
        "patient": patient_text(bf),
        "facility": facility_text(bf),
        "ndc": f"NDC {bf.formula.ndc}" if bf.formula.ndc else "",
    }


def carton_texts(bf: BatchFile, comp: BatchComputation) -> dict[str, str]:
    texts = unit_texts(bf, comp)
    texts["adverse_events"] = MEDWATCH
    texts["directions"] = bf.formula.directions.strip()
    return texts


def label_code(comp: BatchComputation) -> LabelCode | None:
    """The labels' 2D code as the computation chose it (docs/domain.md §7.3): a GS1 DataMatrix with
    its (01) GTIN and (17) expiry, or (7003) expiry date and time for an hour-based expiry; a plain
    DataMatrix; or none."""
    choice = comp.barcode
    if choice.kind == "gs1":
        assert choice.gtin is not None  # BarcodeChoice of kind gs1 always carries its GTIN
        return Gs1Data(
            expiry=comp.expiration_date, lot=comp.lot_number, gtin=choice.gtin, expiry_time=comp.expiration_time
        )
    if choice.kind == "plain":
        return PlainCode(expiry=comp.expiration_date, lot=comp.lot_number, expiry_time=comp.expiration_time)
    return None


def label_content(bf: BatchFile, comp: BatchComputation, kind: LabelKind) -> LabelContent:
    texts = unit_texts(bf, comp) if kind == "vial" else carton_texts(bf, comp)
    elements = elements_of(bf, comp)
    if not bf.batch.office_use:
        elements["patient name"] = bf.batch.patient_name or ""
        elements["order number"] = bf.batch.order_number or ""
    if kind == "carton":
        elements["directions for use"] = bf.formula.directions
    notes = []
    if comp.lot_provisional:
        notes.append(
            f"lot {comp.lot_number} is provisional (from the lot pattern); the register "
            "allocates the final lot: print production labels from a registered batch"
        )
    title = f"{comp.product_name} {comp.strength_total_text} LOT {comp.lot_number} ({kind} labels)"
    return LabelContent(
        kind,
        MappingProxyType(texts),
        label_code(comp),
        MappingProxyType(elements),
        title,
        bf.batch.office_use,
        comp.lot_provisional,
        tuple(notes),
    )
