"""Table definitions used by the queries (SQLAlchemy Core). The migrations create the same tables.

Domain documents (formula, batch file, calculation) are kept whole as canonical JSON text; only
the columns needed to find, order and lock records are broken out. A test compares this metadata
with the migrated schema so the two cannot drift apart.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on SQLite (text) and PostgreSQL (timestamptz) alike.

    On SQLite the text is parsed here, and text that is not a date and time (written behind the
    program's back) comes back as it is, so that ``audit verify`` can name it instead of failing."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":  # our own text, not the driver's: see process_result_value
            return lambda value: self.process_bind_param(value, dialect)
        return super().bind_processor(dialect)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        if dialect.name == "sqlite":
            return lambda value: self.process_result_value(value, dialect)
        return super().result_processor(dialect, coltype)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the register stores UTC only")
        value = value.astimezone(UTC)
        return value.strftime(SQLITE_DATETIME) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                return value  # not a date and time: shown as stored
        moment: datetime = value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


class PlainDate(TypeDecorator[date]):
    """A calendar date; on SQLite, text that is not a date comes back as it is (see UTCDateTime)."""

    impl = Date()
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":  # our own text, not the driver's: see process_result_value
            return lambda value: self.process_bind_param(value, dialect)
        return super().bind_processor(dialect)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        if dialect.name == "sqlite":
            return lambda value: self.process_result_value(value, dialect)
        return super().result_processor(dialect, coltype)

    def process_bind_param(self, value: date | None, dialect: Dialect) -> Any:
        return value.isoformat() if value is not None and dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                return value
        return value


SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"  # what SQLAlchemy's SQLite DATETIME has always stored


def _user_fk(name: str, nullable: bool = False) -> Column[str]:
    return Column(name, String(64), ForeignKey("users.username"), nullable=nullable)


settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(64), nullable=True),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("failed_attempts", Integer, nullable=False),
    Column("locked", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=True),
    Column("password_changed_at", UTCDateTime, nullable=False),
    Column("public_key", String(64), nullable=True),
    Column("sealed_key", Text, nullable=True),
    Column("must_change_password", Boolean, nullable=False, server_default=false()),
    Column("last_sign_in_at", UTCDateTime, nullable=True),
    Column("last_activity_at", UTCDateTime, nullable=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", Integer, nullable=False, unique=True),
    Column("at_utc", String(32), nullable=False),
    Column("username", String(64), nullable=True),
    Column("action", String(64), nullable=False),
    Column("record_type", String(40), nullable=False),
    Column("record_id", String(64), nullable=False),
    Column("old_value", Text, nullable=True),
    Column("new_value", Text, nullable=True),
    Column("reason", Text, nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
    Column("signer", String(64), nullable=True),
    Column("signature", String(128), nullable=True),
    Column("row_states", Text, nullable=True),
)
Index("ix_audit_log_record", audit_log.c.record_type, audit_log.c.record_id)

audit_rows = Table(
    "audit_rows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("table_name", String(40), nullable=False),
    Column("row_key", String(200), nullable=False),
    Column("state_sha256", String(64), nullable=False),
)
Index("ix_audit_rows_row", audit_rows.c.table_name, audit_rows.c.row_key, audit_rows.c.seq)

ingredients = Table(
    "ingredients",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("name_key", String(200), nullable=False, unique=True),
    Column("source", String(20), nullable=False),
    Column("document", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    _user_fk("created_by", nullable=True),
)

formulas = Table(
    "formulas",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False),
    Column("version", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("document", Text, nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    _user_fk("created_by"),
    Column("approved_at", UTCDateTime, nullable=True),
    _user_fk("approved_by", nullable=True),
    Column("superseded_at", UTCDateTime, nullable=True),
    UniqueConstraint("code", "version"),
)
Index(
    "uq_formulas_one_approved",
    formulas.c.code,
    unique=True,
    sqlite_where=text("status = 'approved'"),
    postgresql_where=text("status = 'approved'"),
)

lot_counters = Table(
    "lot_counters",
    metadata,
    Column("scope", String(40), primary_key=True),
    Column("last_seq", Integer, nullable=False),
)

batches = Table(
    "batches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("lot_number", String(20), nullable=False, unique=True),
    Column("formula_id", Integer, ForeignKey("formulas.id"), nullable=False),
    Column("product_name", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("document", Text, nullable=False),
    Column("document_sha256", String(64), nullable=False),
    Column("computation", Text, nullable=True),
    Column("compounded_on", PlainDate, nullable=True),
    Column("expiration_date", PlainDate, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    _user_fk("created_by"),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("status_reason", Text, nullable=True),
)
Index("ix_batches_status", batches.c.status)
Index("ix_batches_product_name", batches.c.product_name)
Index("ix_batches_compounded_on", batches.c.compounded_on)

archived_documents = Table(
    "archived_documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=True),
    Column("kind", String(40), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("file_name", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    _user_fk("created_by"),
    Column("reason", Text, nullable=True),
    Column("anchor_seq", Integer, nullable=True),
    Column("anchor_hash", String(64), nullable=True),
)
Index("ix_archived_documents_batch_id", archived_documents.c.batch_id)
Index("ix_archived_documents_sha256", archived_documents.c.sha256)

print_jobs = Table(
    "print_jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    Column("job_number", Integer, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("stock", String(100), nullable=False),
    Column("label_count", Integer, nullable=False),
    Column("printer", String(200), nullable=False),
    Column("document_id", Integer, ForeignKey("archived_documents.id"), nullable=False),
    Column("is_reprint", Boolean, nullable=False),
    Column("reprint_of", Integer, ForeignKey("print_jobs.id"), nullable=True),
    Column("reason", Text, nullable=True),
    Column("printed_at", UTCDateTime, nullable=False),
    _user_fk("printed_by"),
    UniqueConstraint("batch_id", "job_number"),
)

reconciliations = Table(
    "reconciliations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    Column("issued", Integer, nullable=False),
    Column("applied", Integer, nullable=False),
    Column("specimens", Integer, nullable=False),
    Column("destroyed", Integer, nullable=False),
    Column("returned", Integer, nullable=False),
    Column("difference", Integer, nullable=False),
    Column("investigation_note", Text, nullable=True),
    Column("recorded_at", UTCDateTime, nullable=False),
    _user_fk("recorded_by"),
)
Index("ix_reconciliations_batch_id", reconciliations.c.batch_id)

signatures = Table(
    "signatures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("record_type", String(20), nullable=False),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=True),
    Column("formula_id", Integer, ForeignKey("formulas.id"), nullable=True),
    _user_fk("username"),
    Column("printed_name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("meaning", String(20), nullable=False),
    Column("signed_at", UTCDateTime, nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("status_at_signing", String(20), nullable=False),
    Column("reason", Text, nullable=True),
    Column("signer_signature", String(128), nullable=True),
    Column("subject", String(40), nullable=True),
)
Index("ix_signatures_batch_id", signatures.c.batch_id)
Index("ix_signatures_formula_id", signatures.c.formula_id)

step_entries = Table(
    "step_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    Column("step_id", String(40), nullable=False),
    Column("value", Text, nullable=False),
    Column("numeric", String(40), nullable=True),
    Column("unit", String(20), nullable=False),
    Column("within_limits", Boolean, nullable=True),
    Column("limit_text", String(200), nullable=False),
    Column("source", String(20), nullable=False),
    Column("instrument", String(200), nullable=True),
    Column("happened_at", UTCDateTime, nullable=False),
    Column("entered_at", UTCDateTime, nullable=False),
    _user_fk("entered_by"),
    Column("corrects_id", Integer, ForeignKey("step_entries.id"), nullable=True),
    Column("reason", Text, nullable=True),
)
Index("ix_step_entries_batch_id", step_entries.c.batch_id)

deviations = Table(
    "deviations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("kind", String(30), nullable=False),
    Column("description", Text, nullable=False),
    Column("reference", String(200), nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    _user_fk("opened_by", nullable=True),
    Column("status", String(10), nullable=False),
    Column("investigation", Text, nullable=True),
    Column("root_cause", Text, nullable=True),
    Column("capa", String(200), nullable=True),
    Column("disposition", Text, nullable=True),
    _user_fk("closed_by", nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("signature_id", Integer, ForeignKey("signatures.id"), nullable=True),
    UniqueConstraint("batch_id", "number"),
)
Index("ix_deviations_batch_id", deviations.c.batch_id)

qc_results = Table(
    "qc_results",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    Column("spec_id", String(40), nullable=False),
    Column("result", Text, nullable=False),
    Column("numeric", String(40), nullable=True),
    Column("unit", String(20), nullable=False),
    Column("method", String(120), nullable=False),
    Column("analyst", String(200), nullable=False),
    Column("tested_on", PlainDate, nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("limit_text", String(200), nullable=False),
    Column("report_document_id", Integer, ForeignKey("archived_documents.id"), nullable=True),
    Column("entered_at", UTCDateTime, nullable=False),
    _user_fk("entered_by"),
)
Index("ix_qc_results_batch_id", qc_results.c.batch_id)

material_lots = Table(
    "material_lots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ingredient", String(200), nullable=False),
    Column("lot", String(40), nullable=False),
    Column("gtin", String(14), nullable=True),
    Column("manufacturer", String(80), nullable=False),
    Column("expiry", PlainDate, nullable=False),
    Column("potency_percent", String(20), nullable=True),
    Column("status", String(20), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    _user_fk("received_by"),
    Column("released_at", UTCDateTime, nullable=True),
    _user_fk("released_by", nullable=True),
    UniqueConstraint("ingredient", "lot"),
)

acknowledgements = Table(
    "acknowledgements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    Column("code", String(200), nullable=False),
    Column("item", Text, nullable=False),
    Column("item_sha256", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("signature_id", Integer, ForeignKey("signatures.id"), nullable=False),
    Column("acknowledged_at", UTCDateTime, nullable=False),
    _user_fk("acknowledged_by"),
    UniqueConstraint("batch_id", "item_sha256"),
)
Index("ix_acknowledgements_batch_id", acknowledgements.c.batch_id)
