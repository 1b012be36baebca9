"""Lot numbers: pattern rules, GS1-safe, and unique under concurrent allocation (threads, processes,
SQLite and PostgreSQL)."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import date

import pytest
import register_workers
from hypothesis import given
from hypothesis import strategies as st
from register_helpers import PASSWORDS, add_users, make_batch_file
from sqlalchemy import text

from labelapp.domain.errors import RuleViolation
from labelapp.domain.lots import LotPattern, check_lot
from labelapp.render.label.barcode import validate_lot
from labelapp.services.register import Register
from labelapp.store.batches import lot_taken
from labelapp.store.lots import allocate

PROCESSES, PER_PROCESS = 4, 25


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{code}-{yy}{mm}{dd}-{seq:02d}", "G50-260115-07"),
        ("{yy}{mm}{dd}-{seq:02d}", "260115-07"),
        ("{yyyy}{mm}{dd}.{seq}", "20260115.7"),
        ("L{code}{yy}{seq:04d}", "LG50260007"),
    ],
)
def test_patterns_render(pattern, expected):
    assert LotPattern(pattern).render(date(2026, 1, 15), 7, "G50") == expected


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("{yy}{mm}{dd}", "must contain {seq}"),
        ("{yy}{mm}{dd}@{seq}", "letters, digits"),
        ("{lot}-{seq}", "unknown field"),
        ("{code}-{yyyy}{mm}{dd}-PRODUCTION-{seq:03d}", "GS1 AI \\(10\\) allows at most 20"),
        ("{yy}{mm}{dd} {seq}", "letters, digits"),
        ("{seq", "not a valid pattern"),
    ],
)
def test_bad_patterns_refused(pattern, message):
    with pytest.raises(RuleViolation, match=message):
        LotPattern(pattern)


def test_pattern_setting_is_validated(reg, people):
    with pytest.raises(Exception, match="seq"):
        reg.settings.update(people["admin"], {"lot_pattern": "{yy}{mm}{dd}"})
    reg.settings.update(people["admin"], {"lot_pattern": "{yyyy}{mm}{dd}-{seq:02d}"})
    assert reg.settings.current().lot_pattern == "{yyyy}{mm}{dd}-{seq:02d}"


@given(st.text(max_size=30))
def test_check_lot_accepts_only_gs1_safe_lots(candidate):
    try:
        lot = check_lot(candidate)
    except RuleViolation:
        return
    assert validate_lot(lot) == lot  # what check_lot accepts, the GS1 encoder takes
    assert set(lot) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-./_") and len(lot) <= 20


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    st.integers(1, 999),
    st.from_regex(r"[A-Z0-9]{1,6}", fullmatch=True),
)
def test_default_pattern_always_gives_gs1_safe_lots(day, seq, code):
    lot = LotPattern("{code}-{yy}{mm}{dd}-{seq:02d}").render(day, seq, code)
    assert validate_lot(lot) == lot


def test_sequence_restarts_per_day_and_per_product(reg, people, approved):
    lots = [reg.batches.new(make_batch_file(day=d), people["tech"]).lot_number for d in (15, 15, 16, 15)]
    assert lots == ["G50-260115-01", "G50-260115-02", "G50-260116-01", "G50-260115-03"]


def test_a_lot_already_used_is_skipped(reg, people, approved):
    reg.settings.update(people["admin"], {"lot_pattern": "{yy}{mm}{dd}-{seq}"})
    assert reg.batches.new(make_batch_file(), people["tech"]).lot_number == "260115-1"
    with reg.database.write() as conn:  # a counter that lags behind the lots in use (e.g. restored data)
        conn.execute(text("UPDATE lot_counters SET last_seq = 0"))
    assert reg.batches.new(make_batch_file(), people["tech"]).lot_number == "260115-2"


def test_lot_numbers_are_unique_in_the_database(reg, people, approved):
    batch = reg.batches.new(make_batch_file(), people["tech"])
    from labelapp.store.errors import StoreError

    with pytest.raises(Exception) as caught:
        with reg.database.write() as conn:
            conn.execute(
                text(
                    "INSERT INTO batches (lot_number, formula_id, product_name, status, document, "
                    "document_sha256, created_at, created_by, updated_at) SELECT lot_number, formula_id, "
                    "product_name, 'draft', document, document_sha256, created_at, created_by, updated_at "
                    "FROM batches WHERE id = :id"
                ),
                {"id": batch.id},
            )
    assert "UNIQUE" in str(caught.value).upper() or isinstance(caught.value, StoreError)


def test_concurrent_allocation_from_threads(reg):
    db = reg.database
    pattern = LotPattern("{code}-{yy}{mm}{dd}-{seq:03d}")
    lots, errors = [], []
    start = threading.Barrier(8)

    def work():
        try:
            start.wait()
            for _ in range(20):
                with db.write() as conn:
                    lots.append(allocate(conn, pattern, date(2026, 1, 15), "G50", lot_taken))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(lots) == len(set(lots)) == 160
    assert sorted(lots)[-1] == "G50-260115-160"


def _run_processes(target, args_for) -> list[str]:
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args_for(i), barrier, results)) for i in range(PROCESSES)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    errors = [detail for state, detail in outcomes if state != "ok"]
    assert errors == []
    return [lot for _, lots in outcomes for lot in lots]


def test_concurrent_lot_allocation_from_processes(any_url):
    Register.open(any_url).close()  # create and migrate once
    lots = _run_processes(register_workers.allocate_lots, lambda i: (any_url, PER_PROCESS))
    assert len(lots) == len(set(lots)) == PROCESSES * PER_PROCESS


def test_concurrent_new_batches_from_processes(any_url, tmp_path):
    archive = tmp_path / "archive"
    reg = Register.open(any_url, archive_dir=archive)
    who = add_users(reg, "tech", "tech2", "pharm", "pharm2")
    reg.formulas.add(make_batch_file().formula, who["pharm2"])
    reg.formulas.approve("GLY50", "1", "pharm", PASSWORDS["pharm"])
    users = ["tech", "tech2", "pharm", "pharm2"]
    lots = _run_processes(
        register_workers.create_batches, lambda i: (any_url, str(archive), users[i % len(users)], PER_PROCESS)
    )
    assert len(lots) == len(set(lots)) == PROCESSES * PER_PROCESS
    stored = [b.lot_number for b in reg.batches.search()]
    assert sorted(stored) == sorted(lots)
    assert sorted(int(lot.rsplit("-", 1)[1]) for lot in lots) == list(range(1, PROCESSES * PER_PROCESS + 1))
    assert reg.audit.verify().ok
    reg.close()
