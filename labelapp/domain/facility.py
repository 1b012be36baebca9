"""The outsourcing facility whose name, address and phone go on every label (503B(a)(10)(A)(ii))."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

_PHONE = re.compile(r"^[0-9+()\-. ]{7,25}$")


class Facility(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=80)
    address: str = Field(min_length=5, max_length=160, description="street, city, state ZIP on one line")
    phone: str = Field(description="e.g. 555-010-1234")
    fei: str = Field(default="", max_length=20, description="FDA Establishment Identifier / registration number")
    ndc_labeler_code: str | None = Field(default=None, description="4 or 5 digit NDC labeler code, if assigned")

    @field_validator("name", "address")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        v = " ".join(v.split())
        if not v:
            raise ValueError("must not be blank")
        return v

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        v = v.strip()
        if not _PHONE.match(v) or sum(c.isdigit() for c in v) < 7:
            raise ValueError(f"{v!r} is not a phone number (digits, spaces, + ( ) - . only)")
        return v

    @field_validator("ndc_labeler_code")
    @classmethod
    def _labeler(cls, v: str | None) -> str | None:
        if v in (None, ""):
            return None
        if not (v.isdigit() and len(v) in (4, 5)):
            raise ValueError("must be 4 or 5 digits")
        return v
