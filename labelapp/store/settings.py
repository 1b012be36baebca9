"""Register settings rows (facility-wide, stored in the database, changed by an admin, audited).

The settings model and the rules for changing it are in ``labelapp.domain.settings``."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, insert, select, update

from labelapp.domain.settings import SETTING_KEYS, RegisterSettings
from labelapp.store.canonical import canonical_json, utc_now
from labelapp.store.schema import settings as settings_table

FACILITY_KEY = "facility"


def load(conn: Connection) -> RegisterSettings:
    rows = conn.execute(
        select(settings_table.c.key, settings_table.c.value).where(settings_table.c.key.in_(SETTING_KEYS))
    ).all()
    return RegisterSettings.model_validate({key: json.loads(value) for key, value in rows})


def put(conn: Connection, key: str, value: Any, user: str | None) -> None:
    text = canonical_json(value)
    now = utc_now()
    exists = conn.execute(select(settings_table.c.key).where(settings_table.c.key == key)).first()
    if exists:
        conn.execute(
            update(settings_table)
            .where(settings_table.c.key == key)
            .values(value=text, updated_at=now, updated_by=user)
        )
    else:
        conn.execute(insert(settings_table).values(key=key, value=text, updated_at=now, updated_by=user))


def get_raw(conn: Connection, key: str) -> Any | None:
    value = conn.execute(select(settings_table.c.value).where(settings_table.c.key == key)).scalar()
    return None if value is None else json.loads(value)
