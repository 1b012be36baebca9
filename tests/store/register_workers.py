"""Code run in child processes by the register tests (concurrency and crash tests).

Run as a script for the crash tests:  python register_workers.py crash URL ARCHIVE ACTION
(with LABELAPP_FAULT_INJECT set, the process kills itself at that point of the save).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from register_helpers import PASSWORDS, make_batch_file  # noqa: E402

from labelapp.services.register import Register  # noqa: E402


def _same_cost_as_the_tests() -> None:
    """The parent test made the password hashes and seals with cheap parameters; use the same, or every
    sign-in here would re-hash (an extra, correctly audited, write the crash tests would count)."""
    from argon2 import PasswordHasher

    from labelapp.services import passwords
    from labelapp.store import signing

    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    signing.KDF = signing.KdfCost(time_cost=1, memory_kib=1024, parallelism=1)


_same_cost_as_the_tests()


def create_batches(url: str, archive: str, username: str, count: int, barrier, results) -> None:
    """Worker: wait for the others, then register ``count`` batches as fast as possible."""
    reg = Register.open(url, archive_dir=archive)
    try:
        user = reg.accounts.authenticate(username, PASSWORDS[username])
        batch_file = make_batch_file()
        barrier.wait(timeout=120)
        lots = [reg.batches.new(batch_file, user).lot_number for _ in range(count)]
        results.put(("ok", lots))
    except BaseException as exc:  # report, do not hang the parent
        results.put(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        reg.close()


def allocate_lots(url: str, count: int, barrier, results) -> None:
    """Worker: allocate ``count`` lot numbers, one transaction each, without creating batches."""
    from datetime import date

    from labelapp.domain.lots import LotPattern
    from labelapp.store.batches import lot_taken
    from labelapp.store.db import open_database
    from labelapp.store.lots import allocate

    db = open_database(url)
    try:
        pattern = LotPattern("{code}-{yy}{mm}{dd}-{seq:03d}")
        barrier.wait(timeout=120)
        lots = []
        for _ in range(count):
            with db.write() as conn:
                lots.append(allocate(conn, pattern, date(2026, 1, 15), "G50", lot_taken))
        results.put(("ok", lots))
    except BaseException as exc:
        results.put(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        db.dispose()


def crash(url: str, archive: str, action: str) -> None:
    reg = Register.open(url, archive_dir=archive)
    batch = reg.batches.search()[0] if reg.batches.search() else None
    if action == "new_batch":
        reg.batches.new(make_batch_file(), reg.accounts.authenticate("tech", PASSWORDS["tech"]))
    elif action == "print":
        reg.batches.record_print_job(
            batch.id,
            "label",
            "roll",
            10,
            "ZD621",
            b"%PDF-1.4 crash test label",
            reg.accounts.authenticate("tech", PASSWORDS["tech"]),
        )
    elif action == "sign":
        reg.batches.sign(batch.id, "tech", PASSWORDS["tech"], "performed")
    elif action == "archive":
        reg.archive.add(
            batch.id, "batch_record", b"%PDF-1.4 crash test record", reg.accounts.authenticate("qa", PASSWORDS["qa"])
        )
    print("finished without crashing")


if __name__ == "__main__":
    if sys.argv[1] == "crash":
        crash(sys.argv[2], sys.argv[3], sys.argv[4])
