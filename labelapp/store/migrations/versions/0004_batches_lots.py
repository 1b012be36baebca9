"""Batches and the per-scope lot counters.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "lot_counters",
        sa.Column("scope", sa.String(40), primary_key=True),
        sa.Column("last_seq", sa.Integer, nullable=False),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lot_number", sa.String(20), nullable=False, unique=True),
        sa.Column("formula_id", sa.Integer, sa.ForeignKey("formulas.id"), nullable=False),
        sa.Column("product_name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("document_sha256", sa.String(64), nullable=False),
        sa.Column("computation", sa.Text, nullable=True),
        sa.Column("compounded_on", sa.Date, nullable=True),
        sa.Column("expiration_date", sa.Date, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("created_by", sa.String(64), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("status_reason", sa.Text, nullable=True),
    )
    op.create_index("ix_batches_status", "batches", ["status"])
    op.create_index("ix_batches_product_name", "batches", ["product_name"])
    op.create_index("ix_batches_compounded_on", "batches", ["compounded_on"])


def downgrade() -> None:
    raise NotImplementedError("the register is never downgraded: restore a backup instead")
