"""Ingredient reference data: molecular weight, dissociation and ions (docs/domain.md §4.3, §4.4, §4.6)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

PositiveDecimal = Annotated[Decimal, Field(gt=0)]


class Ion(BaseModel):
    """An ion released on dissociation, counted for mEq: mEq = mmol x count x valence."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, description="lower-case ion name, e.g. 'sodium'")
    valence: int = Field(ge=1, le=4)
    count: int = Field(default=1, ge=1, le=6, description="ions of this kind per formula unit")

    @field_validator("name")
    @classmethod
    def _lower(cls, v: str) -> str:
        return v.strip().lower()


class Species(BaseModel):
    """A species dosed in mmol rather than mEq (e.g. phosphorus of a phosphate salt)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, description="lower-case species name, e.g. 'phosphorus'")
    count: int = Field(default=1, ge=1, le=6, description="of this species per formula unit")

    @field_validator("name")
    @classmethod
    def _lower(cls, v: str) -> str:
        return v.strip().lower()


class Ingredient(BaseModel):
    """One chemical form of a substance. Hydrates and salts are entries of their own."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=80)
    synonyms: tuple[str, ...] = ()
    form: str = Field(default="", description="e.g. anhydrous, monohydrate, heptahydrate, hydrochloride")
    mw: PositiveDecimal = Field(description="molecular (formula) weight, g/mol, of this exact form")
    particles: int = Field(ge=0, le=10, description="osmotically active species per formula unit; 0 for the solvent")
    ions: tuple[Ion, ...] = ()
    mmol_of: tuple[Species, ...] = Field(default=(), description="species labeled in mmol, e.g. phosphorus")
    moiety: str | None = Field(default=None, description="active moiety the strength is stated as, if not this form")
    moiety_factor: Decimal = Field(
        default=Decimal(1), gt=0, le=1, description="mass of active moiety per mass of this form"
    )
    solvent: bool = Field(default=False, description="the vehicle (e.g. water for injection): not a solute")
    source: str = Field(default="", description="where the MW and particle count come from")

    @field_validator("name")
    @classmethod
    def _strip(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("must not be blank")
        return v

    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.synonyms)
