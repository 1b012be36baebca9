"""Lot number allocation by an atomic per-scope counter (the rules themselves: ``labelapp.domain.lots``).

The counter's scope is the lot with its sequence blanked out ("G50-260115-#"), so the sequence
restarts whenever the date or product part changes. Allocation is one atomic
``INSERT .. ON CONFLICT DO UPDATE .. RETURNING`` inside the register's write transaction, and the
UNIQUE constraint on batches.lot_number is the final guard.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from labelapp.domain.errors import RuleViolation
from labelapp.domain.lots import LotPattern
from labelapp.store.schema import lot_counters

MAX_ATTEMPTS = 10_000


def _next_seq(conn: Connection, scope: str) -> int:
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = (
        dialect_insert(lot_counters)
        .values(scope=scope, last_seq=1)
        .on_conflict_do_update(index_elements=[lot_counters.c.scope], set_={"last_seq": lot_counters.c.last_seq + 1})
        .returning(lot_counters.c.last_seq)
    )
    return int(conn.execute(statement).scalar_one())


def allocate(
    conn: Connection, pattern: LotPattern, day: date, code: str, taken: Callable[[Connection, str], bool]
) -> str:
    """Next free lot for this day/code. Skips lots already used (e.g. after a pattern change)."""
    scope = pattern.scope(day, code)
    for _ in range(MAX_ATTEMPTS):
        lot = pattern.render(day, _next_seq(conn, scope), code)
        if not taken(conn, lot):
            return lot
    raise RuleViolation(f"no free lot number left for {scope!r}")
