"""Facility-configurable rules for calculations ([U] items in docs/domain.md are settings, not constants: §0, §9)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from labelapp.domain.errors import FieldIssue, InputError, validated
from labelapp.domain.gs1 import gtin14_problem
from labelapp.domain.lots import DEFAULT_PATTERN, LotPattern


class TonicityThresholds(BaseModel):
    """mOsmol/L limits (docs/domain.md §4.5): TRC hypo < 250, hyper >= 375; INS 600; ASPEN 900."""

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


class PotencyRange(BaseModel):
    """CoA potency, % as is, outside which a component lot needs a pharmacist's acknowledgement (§4.8)."""

    model_config = ConfigDict(extra="forbid")

    min_percent: Decimal = Field(default=Decimal(90), ge=50, le=110)
    max_percent: Decimal = Field(default=Decimal(110), ge=50, le=110)

    @model_validator(mode="after")
    def _ordered(self) -> "PotencyRange":
        if self.min_percent >= self.max_percent:
            raise ValueError("potency range: min_percent must be below max_percent")
        return self


# docs/domain.md §4.8: the highest calculated osmolarity labeled on an approved injection in the reference
# table is Hospira Ammonium Chloride Injection 5 mEq/mL, "10 mOsmol/mL (calc.)"; 10,500 is the top of what
# that two-figure value stands for, so no approved product is flagged. QA may lower it (0 = off).
DEFAULT_OSMOLARITY_CEILING = Decimal(10500)


BarcodeWithoutNdc = Literal["facility-gtin", "plain", "none"]


class LabelSettings(BaseModel):
    """What the label's 2D code carries when the formula has no NDC (docs/domain.md §7.3).

    A GS1 element string always carries its primary key, the (01) GTIN. With an NDC the GTIN comes
    from it. Without one: ``facility-gtin`` uses the facility's own GTIN-14 (``facility_gtin``);
    ``plain`` prints a non-GS1 DataMatrix (no FNC1, so no scanner reads it as GS1 data) whose text
    is "LOT <lot> EXP <YYYY-MM-DD>[ <HH:MM>] SN <serial>"; ``none`` prints no code (the layout's
    barcode zone stays empty)."""

    model_config = ConfigDict(extra="forbid")

    barcode_without_ndc: BarcodeWithoutNdc = Field(
        default="plain",
        description="facility-gtin: GS1 with the facility's GTIN; plain: a non-GS1 DataMatrix "
        "with lot, expiry and serial; none: no code",
    )
    facility_gtin: str | None = Field(
        default=None, description="GTIN-14 (with its check digit) for products without an NDC"
    )

    @field_validator("facility_gtin", mode="before")
    @classmethod
    def _gtin(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            raise ValueError("must be a GTIN-14 written as 14 digits")
        problem = gtin14_problem(value.strip())
        if problem:
            raise ValueError(problem)
        return value.strip()

    @model_validator(mode="after")
    def _gtin_for_policy(self) -> "LabelSettings":
        if self.barcode_without_ndc == "facility-gtin" and self.facility_gtin is None:
            raise ValueError("facility_gtin: is required when barcode_without_ndc is 'facility-gtin'")
        return self


class CalcSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tonicity: TonicityThresholds = Field(default_factory=TonicityThresholds)
    compounding_day_is_day: int = Field(
        default=0, ge=0, le=1, description="0: the compounding day is day 0; 1: it counts as day 1"
    )
    lot_pattern: str = Field(default=DEFAULT_PATTERN, description="fields: code, yyyy, yy, mm, dd, seq")
    component_expiry_warning_days: int = Field(
        default=30, ge=0, le=365, description="warn when a lot expires this close to the EXP"
    )
    weigh_tolerance_percent: Decimal = Field(
        default=Decimal(2), gt=0, le=10, description="allowed deviation of actual from theoretical weight"
    )
    potency_range_percent: PotencyRange = Field(
        default_factory=PotencyRange,
        description="a component lot's CoA potency outside this range needs a pharmacist's acknowledgement",
    )
    osmolarity_ceiling: Decimal = Field(
        default=DEFAULT_OSMOLARITY_CEILING,
        ge=0,
        le=100000,
        description="mOsmol/L (calc); a batch above it needs a pharmacist's acknowledgement; 0: no ceiling",
    )
    label: LabelSettings = Field(
        default_factory=LabelSettings, description="the 2D code of products without an NDC (docs/domain.md §7.3)"
    )


class RegisterSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    lot_pattern: str = Field(
        DEFAULT_PATTERN,
        title="Lot number pattern",
        description="Fields {yyyy} {yy} {mm} {dd} {code} {seq}; at most 20 characters.",
    )
    reconciliation_limit: int = Field(
        0,
        ge=0,
        title="Label reconciliation limit",
        description="Largest unexplained difference (labels) allowed "
        "without an investigation note (21 CFR 211.125(c)).",
    )
    lockout_attempts: int = Field(5, ge=1, le=100, title="Failed sign-ins before lock-out")
    password_min_length: int = Field(10, ge=8, le=128, title="Minimum password length")
    password_max_age_days: int = Field(
        90,
        ge=0,
        le=3650,
        title="Password ageing (days)",
        description="A password older than this must be changed at sign-in (21 CFR 11.300(b)); 0: never.",
    )
    account_expiry_days: int = Field(
        0,
        ge=0,
        le=3650,
        title="Account expiry after inactivity (days)",
        description="An account unused this long is locked at its next sign-in; an administrator unlocks it. "
        "0: never (docs/domain.md §6.7: set by SOP).",
    )
    late_entry_minutes: int = Field(
        30,
        ge=1,
        le=1440,
        title="Late entry after (minutes)",
        description="A step entered this long after it happened opens a deviation (not contemporaneous, 211.188).",
    )
    idle_lock_minutes: int = Field(
        15,
        ge=1,
        le=480,
        title="Desktop lock after inactivity (minutes)",
        description="The desktop app asks for the password again after this long without input.",
    )
    archive_dir: str | None = Field(
        None, title="Archive folder", description="Shared folder for archived PDFs (default: next to the database)."
    )
    calc: CalcSettings = Field(
        default_factory=CalcSettings,
        title="Calculation settings",
        description="Tonicity thresholds, day-0 rule, expiry warning, weighing tolerance, the 2D code without an NDC. "
        "Its lot_pattern is ignored: lot_pattern above is the one in force.",
    )

    def calc_settings(self) -> CalcSettings:
        """The calculation settings in force, with the register's lot pattern."""
        return self.calc.model_copy(update={"lot_pattern": self.lot_pattern})

    @field_validator("lot_pattern")
    @classmethod
    def _pattern_ok(cls, value: str) -> str:
        LotPattern(value)
        return value


SETTING_KEYS = tuple(RegisterSettings.model_fields)


def top_level_changes(current: RegisterSettings, changes: dict[str, Any]) -> dict[str, Any]:
    """{'calc.tonicity.hypertonic_from': 350} -> {'calc': {... whole calc with that one value changed}}."""
    out: dict[str, Any] = {}
    for key, value in changes.items():
        top, _, rest = key.partition(".")
        if top not in RegisterSettings.model_fields:
            raise InputError([FieldIssue(key, "is not a setting")], source="settings")
        if not rest:
            out[top] = value
            continue
        node = out.setdefault(
            top, getattr(current, top).model_dump(mode="json") if isinstance(getattr(current, top), BaseModel) else {}
        )
        *parents, leaf = rest.split(".")
        for part in parents:
            if not isinstance(node.get(part), dict):
                raise InputError([FieldIssue(key, "is not a setting")], source="settings")
            node = node[part]
        if leaf not in node:
            raise InputError([FieldIssue(key, "is not a setting")], source="settings")
        node[leaf] = value
    return out


def changed_settings(current: RegisterSettings, changes: dict[str, Any]) -> RegisterSettings:
    return validated(RegisterSettings, current.model_dump() | changes, source="settings")
