"""Register settings (facility-wide, stored in the database, changed by an admin, audited)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import Connection, insert, select, update

from labelapp.domain.errors import FieldIssue, InputError, issues_from_validation
from labelapp.domain.settings import CalcSettings
from labelapp.store.canonical import canonical_json, utc_now
from labelapp.store.lots import DEFAULT_PATTERN, LotPattern
from labelapp.store.schema import settings as settings_table

FACILITY_KEY = "facility"


class RegisterSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    lot_pattern: str = Field(DEFAULT_PATTERN, title="Lot number pattern",
                             description="Fields {yyyy} {yy} {mm} {dd} {code} {seq}; at most 20 characters.")
    reconciliation_limit: int = Field(0, ge=0, title="Label reconciliation limit",
                                      description="Largest unexplained difference (labels) allowed "
                                                  "without an investigation note (21 CFR 211.125(c)).")
    lockout_attempts: int = Field(5, ge=1, le=100, title="Failed sign-ins before lock-out")
    password_min_length: int = Field(10, ge=8, le=128, title="Minimum password length")
    archive_dir: str | None = Field(None, title="Archive folder",
                                    description="Shared folder for archived PDFs (default: next to the database).")
    calc: CalcSettings = Field(default_factory=CalcSettings, title="Calculation settings",
                               description="Tonicity thresholds, day-0 rule, expiry warning, weighing tolerance. "
                                           "Its lot_pattern is ignored: lot_pattern above is the one in force.")

    def calc_settings(self) -> CalcSettings:
        """The calculation settings in force, with the register's lot pattern."""
        return self.calc.model_copy(update={"lot_pattern": self.lot_pattern})

    @field_validator("lot_pattern")
    @classmethod
    def _pattern_ok(cls, value: str) -> str:
        LotPattern(value)
        return value


SETTING_KEYS = tuple(RegisterSettings.model_fields)


def load(conn: Connection) -> RegisterSettings:
    rows = conn.execute(select(settings_table.c.key, settings_table.c.value)
                        .where(settings_table.c.key.in_(SETTING_KEYS))).all()
    return RegisterSettings.model_validate({key: json.loads(value) for key, value in rows})


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
        node = out.setdefault(top, getattr(current, top).model_dump(mode="json")
                              if isinstance(getattr(current, top), BaseModel) else {})
        *parents, leaf = rest.split(".")
        for part in parents:
            if not isinstance(node.get(part), dict):
                raise InputError([FieldIssue(key, "is not a setting")], source="settings")
            node = node[part]
        if leaf not in node:
            raise InputError([FieldIssue(key, "is not a setting")], source="settings")
        node[leaf] = value
    return out


def validated(current: RegisterSettings, changes: dict[str, Any]) -> RegisterSettings:
    data = current.model_dump() | changes
    try:
        return RegisterSettings.model_validate(data)
    except ValidationError as exc:
        raise InputError(issues_from_validation(exc), source="settings") from None


def put(conn: Connection, key: str, value: Any, user: str | None) -> None:
    text = canonical_json(value)
    now = utc_now()
    exists = conn.execute(select(settings_table.c.key).where(settings_table.c.key == key)).first()
    if exists:
        conn.execute(update(settings_table).where(settings_table.c.key == key)
                     .values(value=text, updated_at=now, updated_by=user))
    else:
        conn.execute(insert(settings_table).values(key=key, value=text, updated_at=now, updated_by=user))


def get_raw(conn: Connection, key: str) -> Any | None:
    value = conn.execute(select(settings_table.c.value).where(settings_table.c.key == key)).scalar()
    return None if value is None else json.loads(value)
