"""What the calculations return: each value display-ready, with the working that produced it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from labelapp.domain.ingredient import StrengthBasis


class Working(BaseModel):
    """How a value was obtained, printable on the worksheet: inputs, constants, formula, result."""

    model_config = ConfigDict(frozen=True)

    label: str
    expression: str
    result: str

    def __str__(self) -> str:
        return f"{self.label}: {self.expression} = {self.result}"


class ComponentResult(BaseModel):
    ingredient: str
    label_name: str
    role: str
    grade: str
    mw: Decimal | None = Field(description="None for an ingredient dosed in USP units without a MW")
    particles: int
    amount_per_ml: Decimal | None
    unit: str = Field(description="g, mg, mcg, or units (USP units)")
    mg_per_ml: Decimal | None = Field(description="None for the vehicle and for an amount in USP units")
    percent_w_v: Decimal | None
    mmol_per_l: Decimal | None
    osmolarity_mosmol_per_l: Decimal | None
    meq_per_ml: dict[str, Decimal] = Field(default_factory=dict)
    mmol_per_ml: dict[str, Decimal] = Field(default_factory=dict, description="species dosed in mmol")
    per_ml_text: str = ""
    per_container_text: str = ""
    label_text: str = Field(description="e.g. 'glycine 50 mg' (per mL) or 'water for injection q.s.'")
    workings: list[Working] = Field(default_factory=list)


class Tonicity(BaseModel):
    category: str = Field(description="hypotonic, iso-osmotic or hypertonic")
    warnings: list[str] = Field(default_factory=list)


class WeighLine(BaseModel):
    component: str
    role: str
    lot: str | None
    supplied_form: str
    theoretical_g: Decimal | None = Field(description="None for the vehicle (q.s.) and for a volume measured")
    theoretical_text: str
    theoretical_ml: Decimal | None = Field(
        default=None, description="a units lot given in units per mL: the volume to measure, mL"
    )
    actual_g: Decimal | None = None
    actual_ml: Decimal | None = None
    deviation_percent: Decimal | None = None
    within_tolerance: bool | None = None
    working: Working | None = None


class StrengthLine(BaseModel):
    """One line of the label's strength statement (docs/domain.md §2.1, §2.2)."""

    model_config = ConfigDict(frozen=True)

    basis: StrengthBasis
    components: list[str] = Field(description="ingredients the line states (several for a phosphate's species)")
    subject: str = Field(description="what the amount is of: the active's label name, an ion or a species")
    total_text: str = Field(description="'20 mEq per 10 mL'; named when the label has several lines")
    per_ml_text: str = Field(description="'2 mEq/mL'")
    secondary_text: str = Field(
        default="", description="the salt weight that may follow in smaller type: 'potassium chloride 1,490 mg'"
    )

    @property
    def text(self) -> str:
        return f"{self.total_text} ({self.per_ml_text})"


class StrengthChoice(BaseModel):
    """Which expression leads an active's strength, and why (printed on the batch record)."""

    model_config = ConfigDict(frozen=True)

    component: str = Field(description="ingredient name")
    basis: StrengthBasis
    kind: str = Field(description="the ingredient's kind: electrolyte, phosphate, nonelectrolyte, units")
    formula_setting: StrengthBasis | None = Field(description="FormulaComponent.strength_basis, if set")
    reason: str = Field(
        description="'strength stated in mEq: potassium chloride is an electrolyte (ingredient kind); "
        "formula setting: —'"
    )


PlausibilityKind = Literal["concentration-above-ceiling", "potency-outside-range", "osmolarity-above-ceiling"]


class Plausibility(BaseModel):
    """A value outside a plausibility limit: printing waits until a pharmacist acknowledges it (§4.8).

    ``code`` is stable for the same finding on the same batch file: "<kind>:<ingredient>" for a component
    (the ingredient's reference name), "<kind>" for the whole solution. ``value``, ``limit`` and ``source``
    say what was found; an acknowledgement belongs to the whole item, so a changed value needs a new one.
    """

    model_config = ConfigDict(frozen=True)

    code: str = Field(description="'concentration-above-ceiling:potassium chloride', 'osmolarity-above-ceiling'")
    kind: PlausibilityKind
    component: str | None = Field(description="ingredient name; None for the whole solution")
    lot: str | None = Field(default=None, description="the component lot, for a potency finding")
    value: Decimal
    limit: Decimal
    unit: str = Field(description="mg/mL, units/mL, %, mOsmol/L")
    source: str = Field(description="where the limit comes from")
    message: str = Field(description="plain words naming the value, the limit and the limit's source")


class Expiry(BaseModel):
    date: dt.date  # the field named date hides the type inside the class body, hence dt.date
    time: dt.time | None = Field(
        default=None, description="expiry time (local, 24 h) of an hour-based rule; None: through the date"
    )
    text: str
    basis: str
    rule: str
    rule_date: dt.date
    rule_time: dt.time | None = None
    hours: int | None = Field(default=None, description="the rule's hours, when it is hour-based")
    capped_by_lot: str | None = None
    reference_only: bool = False
    working: Working


class BarcodeChoice(BaseModel):
    """Which 2D code the labels carry (docs/domain.md §7.3): a GS1 DataMatrix always with its (01)
    GTIN, a plain (non-GS1) DataMatrix, or none."""

    kind: Literal["gs1", "plain", "none"]
    gtin: str | None = Field(default=None, description="the (01) GTIN-14 of a GS1 code")
    basis: str = Field(description="why: the NDC, or the facility setting used without one")


class SolutionComputation(BaseModel):
    """Concentration-only results: an ad-hoc solution or the per-mL part of a formula."""

    components: list[ComponentResult]
    osmolarity_exact: Decimal
    osmolarity_mosmol_per_l: int
    osmolarity_text: str
    osmolarity_working: Working
    tonicity: Tonicity
    meq_per_ml: dict[str, Decimal]
    meq_text: str = ""
    mmol_per_ml: dict[str, Decimal] = Field(default_factory=dict)
    mmol_text: str = ""


class BatchComputation(SolutionComputation):
    lot_number: str
    lot_provisional: bool = Field(description="True when the lot came from the pattern, not the register")
    product_name: str
    strength_text: str = Field(description="'1,500 mg per 30 mL (50 mg/mL)'")
    strength_total_text: str = Field(description="'1,500 mg per 30 mL'")
    strength_per_ml_text: str = Field(description="'50 mg/mL'")
    strength_lines: list[str]
    strength_statements: list[StrengthLine] = Field(
        default_factory=list, description="the strength lines with what each states, in label order"
    )
    strength_choices: list[StrengthChoice] = Field(
        default_factory=list, description="per active: which expression leads and why"
    )
    strength_secondary_text: str = Field(
        default="", description="salt weights that follow the strength in smaller type, '' if none"
    )
    quantity_text: str = Field(description="'30 mL'")
    package_text: str = Field(description="'30 mL Single-Dose Vial. Discard unused portion.'")
    ingredients_text: str = Field(description="'Each mL contains: glycine 50 mg; water for injection q.s.'")
    compounded_date: dt.date
    compounded_text: str
    expiry: Expiry
    expiration_date: dt.date
    expiration_time: dt.time | None = Field(default=None, description="set for an hour-based expiry (docs §3.6)")
    expiration_text: str
    batch_volume_ml: Decimal
    batch_volume_text: str
    theoretical_yield_units: int
    max_fills: int
    amounts: list[WeighLine]
    label_count: int
    barcode: BarcodeChoice
    warnings: list[str]
    acknowledgements_required: list[Plausibility] = Field(
        default_factory=list,
        description="plausibility findings a pharmacist must acknowledge (e-signature) before labels print",
    )
    workings: list[Working]
