"""Label reconciliation (21 CFR 211.125) and electronic signatures (Part 11).

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "reconciliations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("issued", sa.Integer, nullable=False),
        sa.Column("applied", sa.Integer, nullable=False),
        sa.Column("specimens", sa.Integer, nullable=False),
        sa.Column("destroyed", sa.Integer, nullable=False),
        sa.Column("returned", sa.Integer, nullable=False),
        sa.Column("difference", sa.Integer, nullable=False),
        sa.Column("investigation_note", sa.Text, nullable=True),
        sa.Column("recorded_at", UTC, nullable=False),
        sa.Column("recorded_by", sa.String(64), sa.ForeignKey("users.username"), nullable=False),
    )
    op.create_index("ix_reconciliations_batch_id", "reconciliations", ["batch_id"])
    op.create_table(
        "signatures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("record_type", sa.String(20), nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=True),
        sa.Column("formula_id", sa.Integer, sa.ForeignKey("formulas.id"), nullable=True),
        sa.Column("username", sa.String(64), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("printed_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("meaning", sa.String(20), nullable=False),
        sa.Column("signed_at", UTC, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("status_at_signing", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
    )
    op.create_index("ix_signatures_batch_id", "signatures", ["batch_id"])
    op.create_index("ix_signatures_formula_id", "signatures", ["formula_id"])


def downgrade() -> None:
    raise NotImplementedError("the register is never downgraded: restore a backup instead")
