"""Register benchmark: the cost a signed, state-bound audit entry adds to a write, and `audit verify` at scale.

    .venv/bin/python benchmarks/bench_register.py                 # 100,000 entries, SQLite
    .venv/bin/python benchmarks/bench_register.py --entries 20000 --database postgresql+psycopg://...

Prints:
* per write (a reconciliation recorded through the service, with its signed entry, row states and the
  witness line): median and p90 over 200 writes, and the parts: Ed25519 signing, reading the row
  states, the witness append (write + fsync);
* `audit verify` (chain, signatures, every row, witness, archive) on a register of N entries: seconds.

Production argon2 parameters are used for the sign-in (paid once), not inside the timed writes.
Goals (issue): under 5 ms added per write; verify under 10 s at 100,000 entries.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "store"))

from register_helpers import PASSWORDS, add_users, make_batch_file  # noqa: E402

from labelapp.services.register import Register  # noqa: E402
from labelapp.store import audit, signing, witness  # noqa: E402
from labelapp.store.audit import RowRef  # noqa: E402
from labelapp.store.integrity import row_states  # noqa: E402


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"median {statistics.median(ordered):.2f} ms, p90 {ordered[int(len(ordered) * 0.9)]:.2f} ms"


def per_write(reg: Register, who: dict, batch_id: int, n: int = 200) -> None:
    samples = []
    for i in range(n):
        t0 = time.perf_counter()
        reg.batches.record_reconciliation(batch_id, who["tech"], applied=i % 7, specimens=0, destroyed=0, returned=0)
        samples.append((time.perf_counter() - t0) * 1000)
    print(f"write (reconciliation, signed entry + row states + witness): {_ms(samples)}")
    key = who["tech"].signing_key
    t0 = time.perf_counter()
    for _ in range(2000):
        key.sign("ab" * 32)
    print(f"  Ed25519 signing: {(time.perf_counter() - t0) / 2000 * 1e6:.0f} us per entry")
    with reg.database.read() as conn:
        t0 = time.perf_counter()
        for _ in range(500):
            row_states(conn, [RowRef("batches", batch_id), RowRef("reconciliations", 1)])
        print(f"  row states (2 rows read back): {(time.perf_counter() - t0) / 500 * 1000:.2f} ms per entry")
    root = reg.context.archive.root / "scratch"  # not the register's witness file
    t0 = time.perf_counter()
    for i in range(200):
        witness.append(root, 10**9 + i, "ab" * 32)
    print(f"  witness append (write + fsync): {(time.perf_counter() - t0) / 200 * 1000:.2f} ms per entry")


def grow(reg: Register, who: dict, entries: int) -> None:
    """Append entries in large transactions the way the program does (signed, with row states)."""
    key = who["admin"].signing_key
    done = 0
    with reg.database.read() as conn:
        done = audit.head(conn)[0]
    while done < entries:
        with reg.database.engine.begin() as conn:  # no witness per entry: this is set-up, not the measured part
            for _ in range(min(5000, entries - done)):
                audit.append(
                    conn,
                    user="admin",
                    action="settings.changed",
                    record_type="settings",
                    record_id="register",
                    new={"n": done},
                    signer=key,
                    rows=[RowRef("settings", "reconciliation_limit")],
                )
                done += 1
        print(f"  ... {done:,} entries", file=sys.stderr)
    with reg.database.read() as conn:
        seq, digest = audit.head(conn)
    witness.append(reg.context.archive.root, seq, digest)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--database", help="a PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument("--profile", action="store_true", help="print where verify spends its time")
    args = parser.parse_args()
    signing.KDF = signing.KdfCost(time_cost=1, memory_kib=8192, parallelism=1)  # sign-in cost is not measured
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'labelapp.db'}"
        reg = Register.open(url, archive_dir=Path(tmp) / "archive")
        who = add_users(reg, "tech", "pharm", "pharm2", "qa")
        reg.settings.update(who["admin"], {"reconciliation_limit": 1}, "SOP")
        reg.formulas.add(make_batch_file().formula, who["pharm2"])
        reg.formulas.approve("GLY50", "1", "pharm", PASSWORDS["pharm"])
        batch = reg.batches.new(make_batch_file(units=10), who["tech"])
        per_write(reg, who, batch.id)
        grow(reg, who, args.entries)
        if args.profile:
            import cProfile
            import pstats

            with cProfile.Profile() as profile:
                reg.audit.verify()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        t0 = time.perf_counter()
        result = reg.audit.verify()
        seconds = time.perf_counter() - t0
        print(
            f"audit verify, {result.entries_checked:,} entries ({result.signed_entries:,} signed), "
            f"{result.rows_checked} rows: {seconds:.1f} s, intact: {result.ok}"
        )
        if not result.ok:
            print("\n".join(result.problems[:5]))
        reg.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
