"""The master formulation record: what a product is, per mL, and how it is packaged and stored."""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from labelapp.domain.dating import StorageCondition
from labelapp.domain.ingredient import StrengthBasis
from labelapp.domain.mfr import MasterRecord
from labelapp.domain.storage import HandlingPhrase, handling_phrase, handling_problem, text_problem
from labelapp.domain.storage import statement as storage_statement

MassUnit = Literal["g", "mg", "mcg"]
# "units": USP units, only for an ingredient of kind units (heparin, oxytocin, insulin; docs/domain.md §2.2)
AmountUnit = Literal["g", "mg", "mcg", "units"]
BANNED_UNITS = {
    "\u00b5g": "mcg",
    "\u03bcg": "mcg",
    "ug": "mcg",
    "cc": "mL",
    "iu": "units (write out)",
    "u": "units (write out)",
}
MG_PER_UNIT = {"g": Decimal(1000), "mg": Decimal(1), "mcg": Decimal("0.001")}
MAX_MG_PER_ML = Decimal(2000)  # no solute reaches 2 g in 1 mL of solution: a wrong unit or a typo
_NDC10 = re.compile(r"^\d{4}-\d{4}-\d{2}$|^\d{5}-\d{3}-\d{2}$|^\d{5}-\d{4}-\d{1}$")


class ComponentRole(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    VEHICLE = "vehicle"


class PackageType(StrEnum):
    SINGLE_DOSE = "single-dose"
    MULTIPLE_DOSE = "multiple-dose"


class ContainerType(StrEnum):
    """The immediate container the unit label goes on; it picks the label stock and the container
    statement ("10 mL Single-Dose Prefilled Syringe", docs/domain.md §2.6, §8.1)."""

    VIAL = "vial"
    SYRINGE = "syringe"
    BAG = "bag"


class Container(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: ContainerType = Field(default=ContainerType.VIAL, description="vial, syringe (prefilled) or bag (IV bag)")
    nominal_volume_ml: Decimal = Field(gt=0, le=5000, description="labeled volume, e.g. 30")
    fill_volume_ml: Decimal = Field(gt=0, le=5500, description="target fill incl. USP <1151> overfill, e.g. 30.8")
    closure: str = Field(default="", description="stopper and seal description")

    @model_validator(mode="after")
    def _fill_not_less(self) -> "Container":
        if self.fill_volume_ml < self.nominal_volume_ml:
            raise ValueError(
                f"fill_volume_ml: {self.fill_volume_ml} mL is less than the labeled {self.nominal_volume_ml} mL"
            )
        if self.fill_volume_ml > self.nominal_volume_ml * Decimal("1.25"):
            raise ValueError(
                f"fill_volume_ml: {self.fill_volume_ml} mL is more than 25% over the labeled "
                f"{self.nominal_volume_ml} mL"
            )
        return self

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, v: object) -> object:
        """' Vial' and 'VIAL' are the vial; anything else must be one of the three types."""
        return v.strip().lower() if isinstance(v, str) else v


# Fields added after formulas were first stored: left out of the stored document while unset, so a
# formula approved before they existed still serializes byte for byte as it was approved (the register
# compares the batch file's formula with the approved document, and signatures hash it).
_COMPONENT_ADDED_FIELDS = ("strength_basis",)


def omit_unset(data: Any, names: tuple[str, ...]) -> Any:
    """``data`` (a serialized model) without the keys in ``names`` whose value is None."""
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if not (k in names and v is None)}
    return data


class FormulaComponent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ingredient: str = Field(min_length=1, description="name or synonym in the ingredient reference")
    role: ComponentRole
    amount_per_ml: Decimal | None = Field(default=None, gt=0, description="amount in 1 mL; none for the vehicle")
    unit: AmountUnit = Field(
        default="mg", description="g, mg or mcg; 'units' (USP units) for an ingredient dosed in units only"
    )
    label_name: str | None = Field(default=None, description="established name printed on the label")
    grade: str = Field(default="USP", description="USP, NF, EP ...")
    strength_basis: StrengthBasis | None = Field(
        default=None,
        description="how this active's label strength leads, when it differs from the ingredient's default "
        "(mass, meq, mmol, units; docs/domain.md §2.2); checked against what the ingredient supports",
    )

    @model_serializer(mode="wrap")
    def _serialize(self, handler: SerializerFunctionWrapHandler) -> Any:
        return omit_unset(handler(self), _COMPONENT_ADDED_FIELDS)

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, v: object) -> object:
        if isinstance(v, str) and v.strip().lower() in BANNED_UNITS:
            raise ValueError(f"{v!r} is not allowed on labels (ISMP); use {BANNED_UNITS[v.strip().lower()]}")
        return v

    @model_validator(mode="after")
    def _amount(self) -> "FormulaComponent":
        if self.role is ComponentRole.VEHICLE and self.amount_per_ml is not None:
            raise ValueError("amount_per_ml: the vehicle is q.s. to volume; leave the amount out")
        if self.role is not ComponentRole.VEHICLE and self.amount_per_ml is None:
            raise ValueError(f"amount_per_ml: is required for an {self.role.value} component")
        if (
            self.amount_per_ml is not None
            and self.unit != "units"
            and self.amount_per_ml * MG_PER_UNIT[self.unit] > MAX_MG_PER_ML
        ):
            raise ValueError(
                f"amount_per_ml: {self.amount_per_ml} {self.unit}/mL is more than 2,000 mg/mL; "
                "check the amount and the unit"
            )
        if self.strength_basis is not None and self.role is not ComponentRole.ACTIVE:
            raise ValueError(
                f"strength_basis: only an active component has a strength on the label; this one is {self.role.value}"
            )
        if self.strength_basis is not None and (self.strength_basis == "units") != (self.unit == "units"):
            if self.unit == "units":
                raise ValueError(f"strength_basis: an amount in USP units leads in units, not {self.strength_basis}")
            raise ValueError(f"strength_basis: units needs the amount in units (unit: units), not {self.unit}")
        return self


class Storage(BaseModel):
    """Storage and handling: one fact (docs/domain.md §2.8). The printed statement is generated from
    ``condition`` and ``handling``; an old formula's free ``text`` is printed instead, once checked
    against the condition (a contradiction is refused, naming both fields)."""

    model_config = ConfigDict(extra="forbid")

    condition: StorageCondition
    handling: list[Annotated[HandlingPhrase, BeforeValidator(handling_phrase)]] = Field(
        default_factory=list, description="handling phrases printed after the temperature range"
    )
    text: str | None = Field(
        default=None,
        min_length=5,
        max_length=200,
        description="free storage statement (old formulas); leave out to generate it from the condition",
    )

    @model_validator(mode="after")
    def _one_fact(self) -> "Storage":
        problem = handling_problem(self.condition, self.handling)
        if problem:
            raise ValueError(f"handling: {problem}")
        if self.text is not None:
            if self.handling:
                raise ValueError(
                    "text: give either the handling phrases or a free text, not both "
                    "(the statement is generated from condition and handling)"
                )
            problem = text_problem(self.text, self.condition)
            if problem:
                raise ValueError(f"text: {self.text!r} {problem}; the printed statement and the dating must agree")
        return self

    @property
    def statement(self) -> str:
        """What the label prints: the free text of an old formula, else the generated statement."""
        return self.text if self.text is not None else storage_statement(self.condition, self.handling)


class Formula(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    version: int = Field(ge=1)
    product_code: str = Field(
        min_length=1, max_length=6, pattern=r"^[A-Z0-9]+$", description="short code used in lot numbers, e.g. G50"
    )
    established_name: str = Field(min_length=2, max_length=120, description="e.g. Glycine Injection")
    tall_man_name: str | None = None
    dosage_form: str = Field(min_length=3, description="e.g. injection, solution")
    route: str = Field(min_length=2, description="e.g. intravenous")
    container: Container
    package_type: PackageType
    components: list[FormulaComponent] = Field(min_length=1)
    storage: Storage
    dating_rule: str = Field(min_length=1, description="name of a dating rule in templates/dating")
    warnings: list[str] = Field(default_factory=list)
    directions: str = Field(default="", max_length=400, description="directions for use (carton label)")
    ndc: str | None = Field(default=None, description="10-digit NDC with hyphens, if assigned")
    master_record: MasterRecord | None = Field(
        default=None, description="process steps, in-process limits, release specifications, yield limits"
    )

    @field_validator("ndc")
    @classmethod
    def _ndc(cls, v: str | None) -> str | None:
        if v in (None, ""):
            return None
        if not _NDC10.match(v):
            raise ValueError(f"{v!r} is not a 10-digit NDC in 4-4-2, 5-3-2 or 5-4-1 form")
        return v

    @model_validator(mode="after")
    def _roles(self) -> "Formula":
        roles = [c.role for c in self.components]
        if ComponentRole.ACTIVE not in roles:
            raise ValueError("components: at least one component must be active")
        if roles.count(ComponentRole.VEHICLE) > 1:
            raise ValueError("components: only one vehicle (q.s.) component is allowed")
        names = [c.ingredient.strip().lower() for c in self.components]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"components: {', '.join(dupes)} listed more than once")
        # master record steps name components of this formula: checked in calc.batch.master_record_issues,
        # after the ingredient names resolve (a misspelt ingredient is one mistake with one message)
        return self

    @property
    def display_name(self) -> str:
        return self.tall_man_name or self.established_name
