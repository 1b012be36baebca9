"""The master formulation record's execution part (21 CFR 211.186): what to record, and what is acceptable.

Each formula version carries a ``MasterRecord``: ordered process steps, each naming what it records
(a measured value with unit and limits, a yes/no check, an equipment ID with its calibration due
date, a time, a component lot, a weight, a fill check, a filter integrity test, an inspection
count, the units filled) and whether a second person verifies it; the in-process limits (component
weights, pH, fill volume or weight with density, sampling frequency, filter integrity, hold times);
the release specifications (sterility, endotoxins, pH, osmolality, assay, particulate matter,
appearance); and the yield limits beyond which an investigation is required. docs/domain.md §5.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

SLUG = r"^[a-z0-9][a-z0-9-]{0,39}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StepKind(StrEnum):
    CHECK = "check"  # yes/no: line clearance, garbing, dissolved
    MEASUREMENT = "measurement"  # a value with unit and limits: pH, density
    EQUIPMENT = "equipment"  # an equipment ID with its calibration due date
    TIME = "time"  # when something happened (end of compounding, end of fill)
    COMPONENT = "component"  # the lot of a formula component used (scanned or typed)
    WEIGHT = "weight"  # the weighed amount of a component (typed or from the balance)
    FILTER_INTEGRITY = "filter-integrity"  # bubble point (or diffusion) against the filter maker's limit
    FILL_CHECK = "fill-check"  # a fill volume (or weight ÷ density) at the sampling frequency
    INSPECTION = "inspection"  # 100% visual inspection: accepted and rejected by defect
    UNITS_FILLED = "units-filled"  # units filled: the yield is computed from it


class Limits(_Model):
    """Acceptable range of a measured value (either end may be open)."""

    low: Decimal | None = None
    high: Decimal | None = None
    unit: str = Field(default="", max_length=20)

    @model_validator(mode="after")
    def _order(self) -> Limits:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low: is above high")
        return self

    def holds(self, value: Decimal) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def text(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.low is not None and self.high is not None:
            return f"{_n(self.low)} to {_n(self.high)}{unit}"
        if self.low is not None:
            return f"at least {_n(self.low)}{unit}"
        if self.high is not None:
            return f"at most {_n(self.high)}{unit}"
        return "no limit"


def _n(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


class ProcessStep(_Model):
    id: str = Field(pattern=SLUG, description="stable id, e.g. 'ph-in-process'")
    title: str = Field(min_length=2, max_length=120)
    kind: StepKind
    instructions: str = Field(default="", max_length=600)
    limits: Limits | None = Field(default=None, description="for a measurement")
    component: str | None = Field(default=None, description="the formula component (component and weight steps)")
    verify: bool = Field(default=False, description="a second person verifies it (two-person rule)")
    required: bool = True


class HoldTimes(_Model):
    """Maximum minutes from the end of compounding (211.111), between the time steps named here."""

    start_step: str = Field(default="compounding-end", pattern=SLUG, description="the time step that starts the clock")
    filtration_step: str = Field(default="filtration-start", pattern=SLUG)
    fill_end_step: str = Field(default="fill-end", pattern=SLUG)
    to_filtration_minutes: int | None = Field(default=None, ge=1, le=10_080)
    to_end_of_fill_minutes: int | None = Field(default=None, ge=1, le=10_080)


class InProcessLimits(_Model):
    weight_tolerance_percent: Decimal = Field(
        default=Decimal(2), gt=0, le=10, description="actual weight against theoretical, ±%"
    )
    ph: Limits | None = None
    fill_tolerance_percent: Decimal = Field(
        default=Decimal(2), gt=0, le=20, description="fill volume against the target fill, ±%"
    )
    fill_check_every_units: int = Field(default=20, ge=1, le=10_000, description="sampling frequency of fill checks")
    density_g_per_ml: Decimal | None = Field(
        default=None, gt=0, le=3, description="to turn a fill weight into a volume"
    )
    filter_min_bubble_point_psi: Decimal | None = Field(
        default=None, gt=0, le=200, description="from the filter maker's certificate"
    )
    filter_max_diffusion_ml_per_min: Decimal | None = Field(default=None, gt=0, le=1000)
    hold_times: HoldTimes = HoldTimes()


class TestKind(StrEnum):
    STERILITY = "sterility"  # USP <71>: pass = no growth
    ENDOTOXIN = "endotoxin"  # USP <85>: EU/mL at most the limit
    PH = "ph"
    OSMOLALITY = "osmolality"  # measured, mOsm/kg, within a range around the calculated value
    ASSAY = "assay"  # % of label
    PARTICULATE = "particulate"  # USP <788>: per container, >=10 um and >=25 um
    APPEARANCE = "appearance"  # pass/fail against a description


PASS_FAIL_TESTS = frozenset({TestKind.STERILITY, TestKind.APPEARANCE})


class ReleaseSpec(_Model):
    id: str = Field(pattern=SLUG)
    test: TestKind
    method: str = Field(min_length=2, max_length=120, description="e.g. 'USP <71> membrane filtration'")
    limits: Limits | None = Field(default=None, description="numeric tests: the acceptable range")
    limits_25um: Limits | None = Field(default=None, description="particulate matter: the >=25 um limit")
    around_calculated_percent: Decimal | None = Field(
        default=None, gt=0, le=50, description="osmolality: acceptable within ±% of the calculated osmolarity"
    )
    expected: str = Field(
        default="", max_length=200, description="pass/fail tests: what a pass reads, e.g. 'no growth'"
    )
    required: bool = True

    @model_validator(mode="after")
    def _complete(self) -> ReleaseSpec:
        if self.test in PASS_FAIL_TESTS:
            if not self.expected:
                raise ValueError(f"expected: a {self.test.value} specification states what a pass is")
        elif self.test is TestKind.OSMOLALITY:
            if self.limits is None and self.around_calculated_percent is None:
                raise ValueError("limits: give a range or around_calculated_percent for osmolality")
        elif self.limits is None:
            raise ValueError(f"limits: a {self.test.value} specification needs its limits")
        return self


class YieldLimits(_Model):
    low_percent: Decimal = Field(default=Decimal(95), gt=0, le=100)
    high_percent: Decimal = Field(default=Decimal(102), ge=100, le=150)


class MasterRecord(_Model):
    steps: list[ProcessStep] = Field(min_length=1)
    limits: InProcessLimits = InProcessLimits()
    specifications: list[ReleaseSpec] = Field(default_factory=list)
    yield_limits: YieldLimits = YieldLimits()

    @model_validator(mode="after")
    def _unique(self) -> MasterRecord:
        for what, ids in (
            ("steps", [s.id for s in self.steps]),
            ("specifications", [s.id for s in self.specifications]),
        ):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise ValueError(f"{what}: the id {twice[0]!r} is used twice")
        for i, step in enumerate(self.steps):
            if step.kind is StepKind.MEASUREMENT and step.limits is None:
                raise ValueError(f"steps[{i}].limits: a measurement step needs its limits")
            if step.kind in (StepKind.COMPONENT, StepKind.WEIGHT) and not step.component:
                raise ValueError(f"steps[{i}].component: name the formula component this step records")
        return self

    def step(self, step_id: str) -> ProcessStep:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def spec(self, spec_id: str) -> ReleaseSpec:
        for spec in self.specifications:
            if spec.id == spec_id:
                return spec
        raise KeyError(spec_id)
