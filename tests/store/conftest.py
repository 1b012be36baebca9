"""Fixtures for the batch register tests: a register on a temporary SQLite file or on PostgreSQL.

PostgreSQL: tests marked ``postgres`` use $LABELAPP_TEST_PG_URL (set by ``source .ci/postgres.sh``).
Without it they FAIL when $CI is set; locally a throwaway server is started from the installed
PostgreSQL binaries (and the tests fail, with a message saying how to get one, if there are none).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import register_pg_server as pg_server
from register_helpers import PASSWORDS, add_users, make_batch_file
from sqlalchemy import create_engine, text

from labelapp.services.register import Register


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """argon2 with its production cost makes every test slow; the code path is the same."""
    from argon2 import PasswordHasher

    from labelapp.services import passwords
    from labelapp.store import signing

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setattr(signing, "KDF", signing.KdfCost(time_cost=1, memory_kib=1024, parallelism=1))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'labelapp.db'}"


@pytest.fixture
def reg(tmp_path: Path) -> Iterator[Register]:
    (tmp_path / "data").mkdir(mode=0o700)
    register = Register.open(f"sqlite:///{tmp_path / 'data' / 'labelapp.db'}")
    yield register
    register.close()


@pytest.fixture
def people(reg: Register) -> dict:
    return add_users(reg, "tech", "tech2", "pharm", "pharm2", "qa")


@pytest.fixture
def approved(reg: Register, people: dict):
    formula = make_batch_file().formula
    reg.formulas.add(formula, people["pharm2"])
    return reg.formulas.approve("GLY50", "1", "pharm", PASSWORDS["pharm"])


# ---------------------------------------------------------------- PostgreSQL


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    url = os.environ.get("LABELAPP_TEST_PG_URL")
    if url:
        yield url
        return
    if os.environ.get("CI"):
        pytest.fail(
            "LABELAPP_TEST_PG_URL is not set: .ci/run must `source .ci/postgres.sh` before pytest "
            "so that the PostgreSQL register tests run",
            pytrace=False,
        )
    server = pg_server.start_local()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh, empty database on the test server for one test."""
    name = f"labelapp_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_url(request, tmp_path: Path) -> str:
    """Runs a test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        (tmp_path / "data").mkdir(mode=0o700, exist_ok=True)
        return f"sqlite:///{tmp_path / 'data' / 'labelapp.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def any_reg(any_url: str, tmp_path: Path) -> Iterator[Register]:
    register = Register.open(any_url, archive_dir=tmp_path / "archive")
    yield register
    register.close()
