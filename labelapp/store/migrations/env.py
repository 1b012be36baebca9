"""Alembic environment for the register. Migrations are only run programmatically, on a
connection that the caller already holds inside a locked transaction (see labelapp.store.db)."""

from alembic import context

from labelapp.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
