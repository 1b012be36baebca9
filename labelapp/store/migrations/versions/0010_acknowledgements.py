"""Pharmacists' acknowledgements of plausibility findings (docs/domain.md §4.8).

* acknowledgements: one row per finding of a batch's calculation that a pharmacist acknowledged, with
  the finding as it stood (canonical JSON and its SHA-256: a changed value is a new finding that needs a
  new acknowledgement), the reason and the e-signature. Append-only; none is added to a released,
  rejected or voided batch.

Revision ID: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)
APPEND_ONLY = "acknowledgements are never changed or removed"
BATCH_FINAL = "a released, rejected or voided batch cannot change"
FINAL = "('released', 'rejected', 'voided')"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "acknowledgements",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("code", sa.String(200), nullable=False),
        sa.Column("item", sa.Text, nullable=False),
        sa.Column("item_sha256", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("signature_id", sa.Integer, sa.ForeignKey("signatures.id"), nullable=False),
        sa.Column("acknowledged_at", UTC, nullable=False),
        sa.Column("acknowledged_by", sa.String(64), sa.ForeignKey("users.username"), nullable=False),
        sa.UniqueConstraint("batch_id", "item_sha256", name="uq_acknowledgements_batch_id_item_sha256"),
    )
    op.create_index("ix_acknowledgements_batch_id", "acknowledgements", ["batch_id"])
    if dialect == "postgresql":
        op.execute(
            "CREATE TRIGGER trg_acknowledgements_no_change BEFORE UPDATE OR DELETE ON acknowledgements "
            f"FOR EACH ROW EXECUTE FUNCTION labelapp_forbid('{APPEND_ONLY}')"
        )
        op.execute(
            "CREATE TRIGGER trg_acknowledgements_no_truncate BEFORE TRUNCATE ON acknowledgements "
            f"FOR EACH STATEMENT EXECUTE FUNCTION labelapp_forbid('{APPEND_ONLY}')"
        )
        op.execute(
            "CREATE TRIGGER trg_acknowledgements_batch_final BEFORE INSERT ON acknowledgements "
            f"FOR EACH ROW EXECUTE FUNCTION labelapp_batch_open('{BATCH_FINAL}')"
        )
        return
    for name, when in (("no_update", "BEFORE UPDATE"), ("no_delete", "BEFORE DELETE")):
        op.execute(
            f"CREATE TRIGGER trg_acknowledgements_{name} {when} ON acknowledgements BEGIN "
            f"SELECT RAISE(ABORT, 'labelapp-locked: {APPEND_ONLY}'); END"
        )
    op.execute(
        "CREATE TRIGGER trg_acknowledgements_batch_final BEFORE INSERT ON acknowledgements "
        f"WHEN (SELECT status FROM batches WHERE id = NEW.batch_id) IN {FINAL} BEGIN "
        f"SELECT RAISE(ABORT, 'labelapp-locked: {BATCH_FINAL}'); END"
    )


def downgrade() -> None:
    raise NotImplementedError("the register is never downgraded: restore a backup instead")
