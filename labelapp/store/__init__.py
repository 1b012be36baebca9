"""The batch register's persistence: SQLAlchemy Core tables, Alembic migrations (``migrations/``),
repositories returning pydantic read-models (``records``), the hash-chained audit trail, lot
allocation and the SHA-256 document archive. No Qt; the use cases are in labelapp.services.register."""
