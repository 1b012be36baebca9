"""Ingredient reference data: molecular weight, dissociation and ions (docs/domain.md §4.3, §4.4, §4.6)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

PositiveDecimal = Annotated[Decimal, Field(gt=0)]

StrengthBasis = Literal["mass", "meq", "mmol", "units"]


class IngredientKind(StrEnum):
    """How an ingredient is dosed, which decides how the label's strength leads (docs/domain.md §2.1)."""

    ELECTROLYTE = "electrolyte"  # a salt dosed by its ions: strength in mEq (KCl, sodium acetate)
    PHOSPHATE = "phosphate"  # strength in mmol of phosphorus, with the cation's mEq beside it
    NONELECTROLYTE = "nonelectrolyte"  # strength in mass (glycine, dextrose, mannitol, most drugs)
    UNITS = "units"  # USP units (heparin, oxytocin, insulin): no MW or particles of its own
    SOLVENT = "solvent"  # the vehicle (water for injection), q.s.


# The basis a kind's label strength leads with unless ``strength_basis`` says otherwise.
KIND_DEFAULT_BASIS: dict[IngredientKind, StrengthBasis | None] = {
    IngredientKind.ELECTROLYTE: "meq",
    IngredientKind.PHOSPHATE: "mmol",
    IngredientKind.NONELECTROLYTE: "mass",
    IngredientKind.UNITS: "units",
    IngredientKind.SOLVENT: None,
}

_BOOL = TypeAdapter(bool)


def _an(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


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
    # The default is never kept: _derive_kind fills kind in before validation (a default keeps the field
    # optional in the signature, so an entry may leave it out).
    kind: IngredientKind = Field(
        default=None,
        validate_default=True,
        description="how it is dosed; when omitted: solvent if solvent, phosphate if it "
        "has mmol_of, electrolyte if it has ions, else nonelectrolyte",
    )
    strength_basis: StrengthBasis | None = Field(
        default=None,
        description="how the label's strength leads when it differs from the kind's default "
        "(electrolyte: meq, phosphate: mmol, nonelectrolyte: mass, units: units)",
    )
    mw: PositiveDecimal | None = Field(
        default=None,
        description="molecular (formula) weight, g/mol, of this exact form; optional only for a units ingredient",
    )
    particles: int = Field(
        ge=0,
        le=10,
        description="osmotically active species per formula unit; 0 for the solvent and for a units ingredient",
    )
    ions: tuple[Ion, ...] = ()
    mmol_of: tuple[Species, ...] = Field(default=(), description="species labeled in mmol, e.g. phosphorus")
    moiety: str | None = Field(default=None, description="active moiety the strength is stated as, if not this form")
    moiety_factor: Decimal = Field(
        default=Decimal(1), gt=0, le=1, description="mass of active moiety per mass of this form"
    )
    solvent: bool = Field(default=False, description="the vehicle (e.g. water for injection): not a solute")
    max_concentration_mg_per_ml: PositiveDecimal | None = Field(
        default=None,
        description="plausibility ceiling: solubility in water at 20-25 °C or the highest "
        "concentration in an FDA-approved product",
    )
    max_concentration_units_per_ml: PositiveDecimal | None = Field(
        default=None, description="the same ceiling for a units ingredient, in USP units per mL"
    )
    max_concentration_source: str | None = Field(
        default=None, min_length=1, description="where the ceiling comes from; required with either maximum"
    )
    source: str = Field(default="", description="where the MW and particle count come from")

    @field_validator("name")
    @classmethod
    def _strip(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("must not be blank")
        return v

    @model_validator(mode="before")
    @classmethod
    def _derive_kind(cls, data: Any) -> Any:
        """An entry without ``kind`` gets one from its other fields; ``kind: solvent`` implies solvent: true."""
        if not isinstance(data, dict):
            return data
        kind = data.get("kind")
        if kind is None:
            try:
                is_solvent = _BOOL.validate_python(data.get("solvent", False))
            except ValidationError:
                is_solvent = False  # the solvent field reports its own error
            if is_solvent:
                kind = IngredientKind.SOLVENT
            elif data.get("mmol_of"):
                kind = IngredientKind.PHOSPHATE
            elif data.get("ions"):
                kind = IngredientKind.ELECTROLYTE
            else:
                kind = IngredientKind.NONELECTROLYTE
            data = {**data, "kind": kind}
        elif kind == IngredientKind.SOLVENT and "solvent" not in data:
            data = {**data, "solvent": True}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> "Ingredient":
        kind = self.kind
        if self.solvent != (kind is IngredientKind.SOLVENT):
            if self.solvent:
                raise ValueError(f"kind: is {kind.value} but solvent is true; the vehicle has kind: solvent")
            raise ValueError("solvent: is false but kind is solvent; give solvent: true or another kind")
        if self.mw is None and kind is not IngredientKind.UNITS:
            raise ValueError(f"mw: is required for {_an(kind.value)} ingredient")
        if kind is IngredientKind.UNITS:
            if self.particles != 0:
                raise ValueError(
                    "particles: must be 0 for a units ingredient (it adds no osmolarity of its own; the vehicle does)"
                )
            if self.ions or self.mmol_of:
                raise ValueError("ions: a units ingredient is dosed in USP units; it has no ions or mmol species")
        if kind is IngredientKind.SOLVENT and self.particles != 0:
            raise ValueError("particles: must be 0 for the solvent")
        if kind is IngredientKind.ELECTROLYTE and not self.ions:
            raise ValueError("ions: an electrolyte ingredient needs at least one ion (its strength is in mEq)")
        if kind is IngredientKind.PHOSPHATE and not self.mmol_of:
            raise ValueError("mmol_of: a phosphate ingredient needs the species dosed in mmol, e.g. phosphorus")
        self._check_basis()
        self._check_ceiling()
        return self

    def _check_basis(self) -> None:
        basis, kind = self.strength_basis, self.kind
        if basis is None:
            return
        if kind is IngredientKind.SOLVENT:
            raise ValueError("strength_basis: the solvent has no strength (it is q.s.)")
        if (basis == "units") != (kind is IngredientKind.UNITS):
            raise ValueError(
                f"strength_basis: {basis} does not fit kind {kind.value}; only a units ingredient "
                "leads in units, and a units ingredient leads in nothing else"
            )
        if basis == "meq" and not self.ions:
            raise ValueError("strength_basis: meq needs at least one ion in ions")
        if basis == "mmol" and not self.mmol_of:
            raise ValueError("strength_basis: mmol needs a species in mmol_of")

    def _check_ceiling(self) -> None:
        mg, units, src = (
            self.max_concentration_mg_per_ml,
            self.max_concentration_units_per_ml,
            self.max_concentration_source,
        )
        if mg is not None and units is not None:
            raise ValueError("max_concentration_units_per_ml: give one ceiling, in mg/mL or in units/mL, not both")
        if self.kind is IngredientKind.UNITS and mg is not None:
            raise ValueError("max_concentration_mg_per_ml: a units ingredient takes max_concentration_units_per_ml")
        if self.kind is not IngredientKind.UNITS and units is not None:
            raise ValueError(
                "max_concentration_units_per_ml: only a units ingredient has a ceiling in units/mL; "
                "use max_concentration_mg_per_ml"
            )
        if (mg is not None or units is not None) and src is None:
            field = "max_concentration_mg_per_ml" if mg is not None else "max_concentration_units_per_ml"
            raise ValueError(f"max_concentration_source: is required with {field}")
        if src is not None and mg is None and units is None:
            raise ValueError(
                "max_concentration_source: is given but there is no maximum concentration; give "
                "max_concentration_mg_per_ml (or max_concentration_units_per_ml for units)"
            )

    @property
    def default_basis(self) -> StrengthBasis | None:
        """How the label's strength leads: ``strength_basis`` if set, else the kind's default (None: solvent)."""
        return self.strength_basis or KIND_DEFAULT_BASIS[self.kind]

    @property
    def formula_weight(self) -> Decimal:
        """The MW for a mass-based calculation; an ingredient dosed in USP units has none."""
        if self.mw is None:
            raise ValueError(f"{self.name} is dosed in USP units and has no molecular weight")
        return self.mw

    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.synonyms)
