"""The PostgreSQL role set-up for a shared register: the application may only insert into and read the audit tables.

Run ``grant_statements("labelapp_app")`` as the database owner after the first start (the owner runs
the migrations; the application role cannot change the schema, drop a trigger or alter the audit
tables). docs/postgresql.md prints the same statements for a database administrator.
"""

from __future__ import annotations

import re

AUDIT_TABLES = ("audit_log", "audit_rows")
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_statements(role: str) -> list[str]:
    """SQL that gives ``role`` what the program needs, and on the audit tables only INSERT and SELECT."""
    if not _ROLE.match(role):
        raise ValueError(f"{role!r} is not a plain PostgreSQL role name")
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        *(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {role}" for table in AUDIT_TABLES),
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {role}",
    ]
