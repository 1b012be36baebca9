"""Facility-configurable rules for calculations ([U] items in domain.md are settings, not constants)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class TonicityThresholds(BaseModel):
    """mOsmol/L limits (domain.md 4.5): TRC hypo < 250, hyper >= 375; INS 600; ASPEN 900."""

    model_config = ConfigDict(extra="forbid")

    hypotonic_below: Decimal = Field(default=Decimal(250), gt=0)
    hypertonic_from: Decimal = Field(default=Decimal(375), gt=0)
    peripheral_caution_above: Decimal = Field(default=Decimal(600), gt=0)
    central_line_above: Decimal = Field(default=Decimal(900), gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> "TonicityThresholds":
        seq = [self.hypotonic_below, self.hypertonic_from, self.peripheral_caution_above, self.central_line_above]
        if seq != sorted(seq) or len(set(seq)) != len(seq):
            raise ValueError("thresholds must rise: hypotonic < hypertonic < peripheral caution < central line")
        return self


class CalcSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tonicity: TonicityThresholds = Field(default_factory=TonicityThresholds)
    compounding_day_is_day: int = Field(default=0, ge=0, le=1,
                                        description="0: the compounding day is day 0; 1: it counts as day 1")
    lot_pattern: str = Field(default="{code}-{yy}{mm}{dd}-{seq:02d}",
                             description="fields: code, yyyy, yy, mm, dd, seq")
    component_expiry_warning_days: int = Field(default=30, ge=0, le=365,
                                               description="warn when a lot expires this close to the EXP")
    weigh_tolerance_percent: Decimal = Field(default=Decimal(2), gt=0, le=10,
                                             description="allowed deviation of actual from theoretical weight")
