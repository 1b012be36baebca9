"""The audit chain binds the register's state and its entries are signed by their users.

* users: an Ed25519 public key and the private key sealed with the user's password; a temporary
  password flag (must change at next sign-in); the last sign-in.
* audit_log: who signed an entry, the signature, and the state of every row the entry wrote.
* audit_rows: an index of those row states (table, key, hash), insert-only like the log itself.
* archived_documents: the audit head at archiving time (an anchor inside every archived record).
* signatures: each e-signature's own Ed25519 signature over its content, sequence and previous hash.
* audit_head goes: the head is the last entry; removing the tail is caught by the witness file
  outside the database, and PostgreSQL's application role may only insert into and read the log.

Revision ID: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)
APPEND_ONLY = "audit row states are append-only"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("users", sa.Column("public_key", sa.String(64), nullable=True))
    op.add_column("users", sa.Column("sealed_key", sa.Text, nullable=True))
    op.add_column("users", sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("users", sa.Column("last_sign_in_at", UTC, nullable=True))
    op.add_column("users", sa.Column("last_activity_at", UTC, nullable=True))
    op.add_column("audit_log", sa.Column("signer", sa.String(64), nullable=True))
    op.add_column("audit_log", sa.Column("signature", sa.String(128), nullable=True))
    op.add_column("audit_log", sa.Column("row_states", sa.Text, nullable=True))
    op.add_column("archived_documents", sa.Column("anchor_seq", sa.Integer, nullable=True))
    op.add_column("archived_documents", sa.Column("anchor_hash", sa.String(64), nullable=True))
    op.add_column("signatures", sa.Column("signer_signature", sa.String(128), nullable=True))
    op.create_table(
        "audit_rows",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("table_name", sa.String(40), nullable=False),
        sa.Column("row_key", sa.String(200), nullable=False),
        sa.Column("state_sha256", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_rows_row", "audit_rows", ["table_name", "row_key", "seq"])
    op.drop_table("audit_head")
    if dialect == "postgresql":
        for name, when in (("no_change", "BEFORE UPDATE OR DELETE"),):
            op.execute(
                f"CREATE TRIGGER trg_audit_rows_{name} {when} ON audit_rows FOR EACH ROW "
                f"EXECUTE FUNCTION labelapp_forbid('{APPEND_ONLY}')"
            )
        op.execute(
            "CREATE TRIGGER trg_audit_rows_no_truncate BEFORE TRUNCATE ON audit_rows FOR EACH STATEMENT "
            f"EXECUTE FUNCTION labelapp_forbid('{APPEND_ONLY}')"
        )
    else:
        for name, when in (("no_update", "BEFORE UPDATE"), ("no_delete", "BEFORE DELETE")):
            op.execute(
                f"CREATE TRIGGER trg_audit_rows_{name} {when} ON audit_rows BEGIN "
                f"SELECT RAISE(ABORT, 'labelapp-locked: {APPEND_ONLY}'); END"
            )


def downgrade() -> None:
    raise NotImplementedError("the register is never downgraded: restore a backup instead")
