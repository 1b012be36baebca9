"""A batch: one compounding run of an approved formula version, with the component lots used."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from labelapp.domain.dates import InputDate, InputDateTime
from labelapp.domain.facility import Facility
from labelapp.domain.formula import Formula, omit_unset
from labelapp.domain.lots import lot_problem

# Added after batch files were first stored: left out of the document while unset (see formula.py).
_LOT_ADDED_FIELDS = ("potency_units_per_mg", "potency_units_per_ml", "actual_volume_ml")

_ORDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./#-]*$")


class ComponentLot(BaseModel):
    """The lot of a component actually used, from its certificate of analysis."""

    model_config = ConfigDict(extra="forbid")

    component: str = Field(min_length=1, description="ingredient name of the formula component")
    lot: str = Field(min_length=1, max_length=40)
    manufacturer: str = Field(min_length=2, max_length=80)
    expiry: InputDate = Field(description="expiration or retest date of this lot")
    potency_percent: Decimal = Field(
        default=Decimal(100), gt=Decimal(50), le=Decimal(110), description="assay on the as-is basis, from the CoA"
    )
    supplied_form: str | None = Field(
        default=None, description="ingredient form supplied, if it differs (e.g. a hydrate)"
    )
    actual_amount_g: Decimal | None = Field(default=None, gt=0, description="amount actually weighed, g")
    potency_units_per_mg: Decimal | None = Field(
        default=None,
        gt=0,
        description="for an ingredient dosed in USP units: the lot's potency in USP units per mg, as is, from "
        "the CoA; the amount to weigh is units/mL x mL / (units/mg) (docs/domain.md §4.7)",
    )
    potency_units_per_ml: Decimal | None = Field(
        default=None,
        gt=0,
        description="for an ingredient dosed in USP units supplied as a solution (a stock or an approved "
        "injection): its labeled USP units per mL; the amount is then measured by volume",
    )
    actual_volume_ml: Decimal | None = Field(
        default=None, gt=0, description="volume actually measured, mL (a lot given in units per mL)"
    )

    @model_serializer(mode="wrap")
    def _serialize(self, handler: SerializerFunctionWrapHandler) -> Any:
        return omit_unset(handler(self), _LOT_ADDED_FIELDS)

    @model_validator(mode="after")
    def _units_potency(self) -> "ComponentLot":
        if self.potency_units_per_mg is not None and self.potency_units_per_ml is not None:
            raise ValueError(
                "potency_units_per_ml: give the potency in units per mg (a powder weighed) or in units per mL "
                "(a solution measured), not both"
            )
        if self.actual_volume_ml is not None and self.potency_units_per_ml is None:
            raise ValueError("actual_volume_ml: only a lot given in units per mL (a solution) is measured by volume")
        if self.potency_units_per_ml is not None and self.actual_amount_g is not None:
            raise ValueError(
                "actual_amount_g: a lot given in units per mL is measured by volume; record actual_volume_ml"
            )
        return self

    @field_validator("lot", "manufacturer", "component")
    @classmethod
    def _strip(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("must not be blank")
        return v


class Batch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    formula_id: str = Field(min_length=1)
    formula_version: int = Field(ge=1)
    lot_number: str | None = Field(default=None, description="leave empty to take the next one from the pattern")
    units: int = Field(ge=1, le=100_000, description="number of filled units planned")
    allowance_percent: Decimal = Field(
        default=Decimal(0), ge=0, le=50, description="overage for line and filter loss, % of batch volume"
    )
    compounded_at: InputDateTime = Field(
        description="date and time of compounding, in the facility's local time; hour-based dating counts from it"
    )
    compounded_by: str = Field(min_length=2, max_length=80)
    verified_by: str | None = Field(default=None, max_length=80)
    patient_name: str | None = Field(
        default=None, max_length=80, description="for a named-patient order; otherwise office use"
    )
    order_number: str | None = Field(
        default=None,
        max_length=30,
        description="prescription or order number of a named-patient order; required with patient_name",
    )
    specimen_labels: int = Field(default=2, ge=0, le=50, description="extra labels for the batch record")
    retain_labels: int = Field(default=0, ge=0, le=500, description="extra labels for QC and retain samples")
    component_lots: list[ComponentLot] = Field(default_factory=list)

    @field_validator("lot_number")
    @classmethod
    def _lot(cls, v: str | None) -> str | None:
        if v in (None, ""):
            return None
        v = v.strip()
        problem = lot_problem(v)
        if problem:
            raise ValueError(problem)
        return v

    @field_validator("compounded_by", "verified_by", "patient_name")
    @classmethod
    def _names(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = " ".join(v.split())
        return v or None

    @field_validator("order_number")
    @classmethod
    def _order(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = " ".join(v.split())
        if not v:
            return None
        if not _ORDER.match(v):
            raise ValueError(
                f"{v!r}: write the prescription or order number with letters, digits, spaces and - . / # only"
            )
        return v

    @model_validator(mode="after")
    def _named_patient(self) -> "Batch":
        if self.patient_name and not self.order_number:
            raise ValueError(
                "order_number: is required for a named-patient batch (the prescription or order number "
                "printed beside the patient's name)"
            )
        if self.order_number and not self.patient_name:
            raise ValueError("patient_name: is required with an order number (or leave both empty for office use)")
        return self

    @property
    def compounding_date(self) -> date:
        return self.compounded_at.date()

    @property
    def office_use(self) -> bool:
        return not self.patient_name


class BatchFile(BaseModel):
    """What a batch file holds: the facility, the formula version and the batch itself."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = Field(default=1, ge=1, le=1)
    facility: Facility
    formula: Formula
    batch: Batch
