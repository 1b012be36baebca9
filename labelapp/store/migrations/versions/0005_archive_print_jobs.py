"""Archived documents (PDFs by SHA-256) and label print jobs.

Revision ID: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "archived_documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("created_by", sa.String(64), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
    )
    op.create_index("ix_archived_documents_batch_id", "archived_documents", ["batch_id"])
    op.create_index("ix_archived_documents_sha256", "archived_documents", ["sha256"])
    op.create_table(
        "print_jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("job_number", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("stock", sa.String(100), nullable=False),
        sa.Column("label_count", sa.Integer, nullable=False),
        sa.Column("printer", sa.String(200), nullable=False),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("archived_documents.id"), nullable=False),
        sa.Column("is_reprint", sa.Boolean, nullable=False),
        sa.Column("reprint_of", sa.Integer, sa.ForeignKey("print_jobs.id"), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("printed_at", UTC, nullable=False),
        sa.Column("printed_by", sa.String(64), sa.ForeignKey("users.username"), nullable=False),
        sa.UniqueConstraint("batch_id", "job_number"),
    )


def downgrade() -> None:
    raise NotImplementedError("the register is never downgraded: restore a backup instead")
