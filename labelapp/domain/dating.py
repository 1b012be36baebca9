"""Dating rules: how many days a product may be labeled with, per storage condition.

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


class DatingRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    title: str = Field(min_length=1)
    kind: str = Field(pattern=r"^(stability-study|reference-table|facility-default)$")
    days: dict[StorageCondition, int] = Field(description="days of dating per storage condition")
    source: str = Field(min_length=1, description="the stability study, SOP or table this rule comes from")
    reference_only: bool = Field(
        default=False, description="a published table kept for reference, not the facility's own data"
    )

    @model_validator(mode="after")
    def _days(self) -> "DatingRule":
        if not self.days:
            raise ValueError("days: give the days for at least one storage condition")
        for cond, n in self.days.items():
            if not 0 < n <= 3650:
                raise ValueError(f"days.{cond.value}: {n} is outside 1..3650")
        return self
