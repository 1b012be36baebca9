"""The executed batch record: step entries, deviations, QC results, received component lots.

* step_entries: every value recorded for a master-record step (corrections are new entries that
  point at the one they correct; nothing is updated or deleted);
* deviations: opened by the program on an exception (or by a person), closed by a signed disposition;
* qc_results: release test results with pass or fail computed, and the archived lab report;
* material_lots: received component lots, quarantined until QA releases them;
* signatures.subject: what an e-signature other than a batch or formula step is about
  ("entry:12", "deviation:3", "material:5").

Revision ID: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)
APPEND_ONLY = {
    "step_entries": "recorded steps are never changed: correct them with a new entry",
    "qc_results": "QC results are never changed: record a retest",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("signatures", sa.Column("subject", sa.String(40), nullable=True))
    op.create_table(
        "step_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("step_id", sa.String(40), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("numeric", sa.String(40), nullable=True),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("within_limits", sa.Boolean, nullable=True),
        sa.Column("limit_text", sa.String(200), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("instrument", sa.String(200), nullable=True),
        sa.Column("happened_at", UTC, nullable=False),
        sa.Column("entered_at", UTC, nullable=False),
        sa.Column("entered_by", sa.String(64), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("corrects_id", sa.Integer, sa.ForeignKey("step_entries.id"), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
    )
    op.create_index("ix_step_entries_batch_id", "step_entries", ["batch_id"])
    op.create_table(
        "deviations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("opened_at", UTC, nullable=False),
        sa.Column("opened_by", sa.String(64), sa.ForeignKey("users.username"), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("investigation", sa.Text, nullable=True),
        sa.Column("root_cause", sa.Text, nullable=True),
        sa.Column("capa", sa.String(200), nullable=True),
        sa.Column("disposition", sa.Text, nullable=True),
        sa.Column("closed_by", sa.String(64), sa.ForeignKey("users.username"), nullable=True),
        sa.Column("closed_at", UTC, nullable=True),
        sa.Column("signature_id", sa.Integer, sa.ForeignKey("signatures.id"), nullable=True),
        sa.UniqueConstraint("batch_id", "number", name="uq_deviations_batch_id_number"),
    )
    op.create_index("ix_deviations_batch_id", "deviations", ["batch_id"])
    op.create_table(
        "qc_results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("spec_id", sa.String(40), nullable=False),
        sa.Column("result", sa.Text, nullable=False),
        sa.Column("numeric", sa.String(40), nullable=True),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("method", sa.String(120), nullable=False),
        sa.Column("analyst", sa.String(200), nullable=False),
        sa.Column("tested_on", sa.Date, nullable=False),
        sa.Column("passed", sa.Boolean, nullable=False),
        sa.Column("limit_text", sa.String(200), nullable=False),
        sa.Column("report_document_id", sa.Integer, sa.ForeignKey("archived_documents.id"), nullable=True),
        sa.Column("entered_at", UTC, nullable=False),
        sa.Column("entered_by", sa.String(64), sa.ForeignKey("users.username"), nullable=False),
    )
    op.create_index("ix_qc_results_batch_id", "qc_results", ["batch_id"])
    op.create_table(
        "material_lots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ingredient", sa.String(200), nullable=False),
        sa.Column("lot", sa.String(40), nullable=False),
        sa.Column("gtin", sa.String(14), nullable=True),
        sa.Column("manufacturer", sa.String(80), nullable=False),
        sa.Column("expiry", sa.Date, nullable=False),
        sa.Column("potency_percent", sa.String(20), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("received_by", sa.String(64), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("released_at", UTC, nullable=True),
        sa.Column("released_by", sa.String(64), sa.ForeignKey("users.username"), nullable=True),
        sa.UniqueConstraint("ingredient", "lot", name="uq_material_lots_ingredient_lot"),
    )
    for table, message in APPEND_ONLY.items():
        if dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER trg_{table}_no_change BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW "
                f"EXECUTE FUNCTION labelapp_forbid('{message}')"
            )
        else:
            for name, when in (("no_update", "BEFORE UPDATE"), ("no_delete", "BEFORE DELETE")):
                op.execute(
                    f"CREATE TRIGGER trg_{table}_{name} {when} ON {table} BEGIN "
                    f"SELECT RAISE(ABORT, 'labelapp-locked: {message}'); END"
                )


def downgrade() -> None:
    raise NotImplementedError("the register is never downgraded: restore a backup instead")
