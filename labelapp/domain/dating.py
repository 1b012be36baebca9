"""Dating rules: how many days (or hours) a product may be labeled with, per storage condition.

Rules are data (templates/dating/*.yaml), filled in by QA from the facility's stability program or
kept as documented references (USP <797> tables). Nothing here is hard-coded as law.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class StorageCondition(StrEnum):
    CONTROLLED_ROOM_TEMPERATURE = "controlled room temperature"
    REFRIGERATED = "refrigerated"
    FROZEN = "frozen"


MAX_DAYS = 3650
MAX_HOURS = 720  # 30 days; a longer rule is written in days


class DatingRule(BaseModel):
    """Dating per storage condition, in whole days (``days``) or, for preparations whose life is
    counted in hours (USP <797> Category 1: 12 h / 24 h), in hours (``hours``; docs/domain.md §3.6).
    A condition has one or the other, never both: an hour rule is never rounded to a day."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    title: str = Field(min_length=1)
    kind: str = Field(pattern=r"^(stability-study|reference-table|facility-default)$")
    days: dict[StorageCondition, int] = Field(default_factory=dict, description="days of dating per storage condition")
    hours: dict[StorageCondition, int] = Field(
        default_factory=dict, description="hours of dating per storage condition, counted from the time of compounding"
    )
    source: str = Field(min_length=1, description="the stability study, SOP or table this rule comes from")
    reference_only: bool = Field(
        default=False, description="a published table kept for reference, not the facility's own data"
    )

    @model_validator(mode="after")
    def _days(self) -> "DatingRule":
        if not self.days and not self.hours:
            raise ValueError("days: give the days (or hours) for at least one storage condition")
        for cond, n in self.days.items():
            if not 0 < n <= MAX_DAYS:
                raise ValueError(f"days.{cond.value}: {n} is outside 1..{MAX_DAYS}")
        for cond, n in self.hours.items():
            if not 0 < n <= MAX_HOURS:
                raise ValueError(f"hours.{cond.value}: {n} is outside 1..{MAX_HOURS}")
        both = [c.value for c in self.days if c in self.hours]
        if both:
            raise ValueError(f"hours.{both[0]}: is also given in days; give a condition in days or in hours, not both")
        return self

    @property
    def conditions(self) -> list[StorageCondition]:
        return [c for c in StorageCondition if c in self.days or c in self.hours]
