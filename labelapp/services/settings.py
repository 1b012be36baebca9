"""Register settings and the facility: read by everyone, changed by an administrator, audited."""

from __future__ import annotations

from typing import Any

from labelapp.domain.access import Action
from labelapp.domain.facility import Facility
from labelapp.domain.settings import RegisterSettings, changed_settings, top_level_changes
from labelapp.services.calculate import parse_facility_data
from labelapp.services.context import Actor, RegisterContext
from labelapp.store import settings as settings_store
from labelapp.store.audit import RowRef
from labelapp.store.canonical import model_data


class Settings:
    def __init__(self, context: RegisterContext):
        self._ctx = context
        self._db = context.db

    def current(self) -> RegisterSettings:
        """The settings in force (defaults for any not set)."""
        return self._ctx.settings()

    def update(self, actor: Actor, changes: dict[str, Any], reason: str | None = None) -> RegisterSettings:
        """Change settings given as {'key' or 'dotted.key': value}; all or nothing."""
        with self._db.write() as conn:
            admin = self._ctx.acting(conn, actor, Action.CHANGE_SETTINGS)
            current = settings_store.load(conn)
            top = top_level_changes(current, changes)
            updated = changed_settings(current, top)
            for key in top:
                settings_store.put(conn, key, getattr(updated, key), admin.username)
            admin.record(
                conn,
                "settings.changed",
                "settings",
                "register",
                old={k: getattr(current, k) for k in top},
                new={k: getattr(updated, k) for k in top},
                reason=reason,
                rows=[RowRef("settings", key) for key in top],
            )
        self._ctx.forget_archive()
        return updated

    def set_facility(self, facility: Facility, actor: Actor, reason: str | None = None) -> None:
        """Store the facility; new batches must then carry exactly this facility."""
        data = model_data(facility)
        with self._db.write() as conn:
            admin = self._ctx.acting(conn, actor, Action.CHANGE_SETTINGS)
            old = settings_store.get_raw(conn, settings_store.FACILITY_KEY)
            settings_store.put(conn, settings_store.FACILITY_KEY, data, admin.username)
            admin.record(
                conn,
                "settings.facility",
                "settings",
                "facility",
                old=old,
                new=data,
                reason=reason,
                rows=[RowRef("settings", settings_store.FACILITY_KEY)],
            )

    def facility(self) -> Facility | None:
        with self._db.read() as conn:
            data = settings_store.get_raw(conn, settings_store.FACILITY_KEY)
        return None if data is None else Facility.model_validate(data)


def facility_from_form(values: dict[str, str]) -> Facility:
    """A Facility from form text (blank optional fields left out); InputError with 'facility.<field>' paths."""
    required = ("name", "address", "phone")
    data = {key: value.strip() for key, value in values.items() if value.strip() or key in required}
    return parse_facility_data(data, prefix=("facility",))
