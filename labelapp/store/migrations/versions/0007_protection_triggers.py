"""Database triggers that back up the service rules: append-only tables, frozen final batches,
frozen approved formulas. They stop edits made through the program and casual edits with a
database tool; the audit hash chain detects edits made by someone who drops them.

Revision ID: 0007
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FINAL = "('released', 'rejected', 'voided')"
APPEND_ONLY = {
    "audit_log": "the audit trail is append-only",
    "signatures": "electronic signatures cannot be changed or removed",
    "print_jobs": "print job records cannot be changed or removed",
    "archived_documents": "archived document records cannot be changed or removed",
    "reconciliations": "reconciliation records cannot be changed or removed",
}
NO_DELETE = {
    "audit_head": "the audit trail head cannot be removed",
    "batches": "batches are never deleted (void them with a reason)",
    "formulas": "formula versions are never deleted",
    "users": "users are never deleted (disable them)",
}
BATCH_FINAL = "a released, rejected or voided batch cannot change"
FORMULA_FROZEN = "an approved or superseded formula version cannot change"
FORMULA_CHANGED = (
    "OLD.status = 'superseded' OR (OLD.status <> 'draft' AND "
    "(NEW.document <> OLD.document OR NEW.code <> OLD.code OR NEW.version <> OLD.version))"
)


def _sqlite_trigger(name: str, when: str, table: str, message: str, condition: str = "") -> str:
    where = f" WHEN {condition}" if condition else ""
    return (
        f"CREATE TRIGGER {name} {when} ON {table}{where} BEGIN SELECT RAISE(ABORT, 'labelapp-locked: {message}'); END"
    )


def _sqlite_statements() -> list[str]:
    out = []
    for table, message in APPEND_ONLY.items():
        out.append(_sqlite_trigger(f"trg_{table}_no_update", "BEFORE UPDATE", table, message))
        out.append(_sqlite_trigger(f"trg_{table}_no_delete", "BEFORE DELETE", table, message))
    for table, message in NO_DELETE.items():
        out.append(_sqlite_trigger(f"trg_{table}_no_delete", "BEFORE DELETE", table, message))
    out.append(_sqlite_trigger("trg_batches_final", "BEFORE UPDATE", "batches", BATCH_FINAL, f"OLD.status IN {FINAL}"))
    out.append(_sqlite_trigger("trg_formulas_frozen", "BEFORE UPDATE", "formulas", FORMULA_FROZEN, FORMULA_CHANGED))
    for table in ("reconciliations", "signatures"):
        out.append(
            _sqlite_trigger(
                f"trg_{table}_batch_final",
                "BEFORE INSERT",
                table,
                BATCH_FINAL,
                f"(SELECT status FROM batches WHERE id = NEW.batch_id) IN {FINAL}",
            )
        )
    return out


PG_FUNCTIONS = [
    """CREATE FUNCTION labelapp_forbid() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = 'labelapp-locked: ' || TG_ARGV[0];
    END $$""",
    f"""CREATE FUNCTION labelapp_batch_open() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (SELECT status FROM batches WHERE id = NEW.batch_id) IN {FINAL} THEN
            RAISE EXCEPTION USING ERRCODE = '23000', MESSAGE = 'labelapp-locked: ' || TG_ARGV[0];
        END IF;
        RETURN NEW;
    END $$""",
]


def _pg_trigger(
    name: str,
    when: str,
    table: str,
    message: str,
    condition: str = "",
    function: str = "labelapp_forbid",
    level: str = "ROW",
) -> str:
    where = f" WHEN ({condition})" if condition else ""
    return f"CREATE TRIGGER {name} {when} ON {table} FOR EACH {level}{where} EXECUTE FUNCTION {function}('{message}')"


def _pg_statements() -> list[str]:
    out = list(PG_FUNCTIONS)
    for table, message in APPEND_ONLY.items():
        out.append(_pg_trigger(f"trg_{table}_no_change", "BEFORE UPDATE OR DELETE", table, message))
        out.append(_pg_trigger(f"trg_{table}_no_truncate", "BEFORE TRUNCATE", table, message, level="STATEMENT"))
    for table, message in NO_DELETE.items():
        out.append(_pg_trigger(f"trg_{table}_no_delete", "BEFORE DELETE", table, message))
        out.append(_pg_trigger(f"trg_{table}_no_truncate", "BEFORE TRUNCATE", table, message, level="STATEMENT"))
    out.append(_pg_trigger("trg_batches_final", "BEFORE UPDATE", "batches", BATCH_FINAL, f"OLD.status IN {FINAL}"))
    out.append(_pg_trigger("trg_formulas_frozen", "BEFORE UPDATE", "formulas", FORMULA_FROZEN, FORMULA_CHANGED))
    for table in ("reconciliations", "signatures"):
        out.append(
            _pg_trigger(f"trg_{table}_batch_final", "BEFORE INSERT", table, BATCH_FINAL, function="labelapp_batch_open")
        )
    return out


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    statements = _pg_statements() if dialect == "postgresql" else _sqlite_statements()
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the register is never downgraded: restore a backup instead")
