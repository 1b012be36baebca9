"""Facility ingredients and versioned formulas (master records).

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def _user(name: str, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(64), sa.ForeignKey("users.username"), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "ingredients",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False, unique=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        _user("created_by", nullable=True),
    )
    op.create_table(
        "formulas",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        _user("created_by"),
        sa.Column("approved_at", UTC, nullable=True),
        _user("approved_by", nullable=True),
        sa.Column("superseded_at", UTC, nullable=True),
        sa.UniqueConstraint("code", "version"),
    )
    op.create_index(
        "uq_formulas_one_approved",
        "formulas",
        ["code"],
        unique=True,
        sqlite_where=sa.text("status = 'approved'"),
        postgresql_where=sa.text("status = 'approved'"),
    )


def downgrade() -> None:
    raise NotImplementedError("the register is never downgraded: restore a backup instead")
