"""docs/postgresql.md's two roles: the workstations' application role runs a whole batch, and may only
insert into and read the audit tables; it cannot edit, delete, truncate, or switch off their triggers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from execution_helpers import executed_batch_file, receive_and_release, record_passing_qc, run_clean_batch
from register_helpers import PASSWORDS, add_users
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from labelapp.services import rendering
from labelapp.services.register import Register
from labelapp.store.pg_roles import grant_statements

pytestmark = pytest.mark.postgres


@pytest.fixture
def roles(pg_admin_url: str) -> Iterator[tuple[str, str]]:
    """(owner URL, application URL): two new login roles and a database owned by the first."""
    tag = uuid.uuid4().hex[:8]
    owner, app, name = f"labelapp_owner_{tag}", f"labelapp_app_{tag}", f"labelapp_roles_{tag}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {owner} LOGIN"))
        conn.execute(text(f"CREATE ROLE {app} LOGIN"))
        conn.execute(text(f'CREATE DATABASE "{name}" OWNER {owner}'))
    base = make_url(pg_admin_url).set(database=name, password=None)
    urls = tuple(base.set(username=role).render_as_string(hide_password=False) for role in (owner, app))
    yield urls[0], urls[1]
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f"DROP ROLE IF EXISTS {app}"))
        conn.execute(text(f"DROP ROLE IF EXISTS {owner}"))
    admin.dispose()


def refused(url: str, sql: str) -> str:
    """The database's refusal of ``sql`` run as the role in ``url`` (the test fails if it is allowed)."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    except DBAPIError as exc:
        return str(exc.orig)
    finally:
        engine.dispose()
    pytest.fail(f"the application role was allowed to run: {sql}")


def test_the_application_role_runs_a_batch_but_cannot_touch_the_audit_trail(roles, tmp_path: Path):
    owner_url, app_url = roles
    Register.open(owner_url, archive_dir=tmp_path / "archive").close()  # the owner's first start: the schema
    owner = create_engine(owner_url)
    with owner.begin() as conn:
        for statement in grant_statements(make_url(app_url).username or ""):
            conn.execute(text(statement))
    owner.dispose()

    reg = Register.open(app_url, archive_dir=tmp_path / "archive")  # every workstation's login from now on
    try:
        who = add_users(reg, "tech", "tech2", "pharm", "pharm2", "qa")
        bf = executed_batch_file()
        reg.formulas.add(bf.formula, who["pharm2"])
        reg.formulas.approve("GLY50", "1", "pharm", PASSWORDS["pharm"])
        receive_and_release(reg, who)
        batch = reg.batches.new(bf, who["tech"])
        run_clean_batch(reg, who, batch.id)
        record_passing_qc(reg, who, batch.id)
        labels = rendering.render_registered(reg, batch.id, "vial")
        rendering.issue(reg, labels, who["tech"], "ZD621")
        issued = reg.batches.reconciliation_status(batch.id).labels_issued
        reg.batches.record_reconciliation(batch.id, who["tech"], applied=issued, specimens=0, destroyed=0, returned=0)
        reg.batches.sign(batch.id, "tech", PASSWORDS["tech"], "performed")
        reg.batches.sign(batch.id, "pharm2", PASSWORDS["pharm2"], "verified")
        signed = rendering.sign_batch(reg, batch.id, "qa", PASSWORDS["qa"], "released")
        assert signed.archived_record is not None
        assert reg.batches.get(batch.id).status == "released"
        report = reg.audit.verify()
        assert report.ok, report.problems
    finally:
        reg.close()

    for sql in (
        "UPDATE audit_log SET username = 'someone-else' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)",
        "DELETE FROM audit_rows",
        "TRUNCATE audit_log CASCADE",
        "UPDATE alembic_version SET version_num = '0001'",
    ):
        assert "permission denied" in refused(app_url, sql), sql
    for sql in (
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "ALTER TABLE batches DISABLE TRIGGER ALL",
        "DROP TABLE audit_rows",
    ):
        assert "must be owner" in refused(app_url, sql), sql
