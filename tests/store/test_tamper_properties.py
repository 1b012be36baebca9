"""Property: whatever the program does, the register verifies; whatever single row is edited behind its back
afterwards, it no longer does."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from register_helpers import PASSWORDS, add_users, make_batch_file

from labelapp.domain.errors import LabelappError
from labelapp.services import rendering
from labelapp.services.register import Register
from labelapp.store.integrity import REGULATED

OPERATIONS = [
    "new_batch",
    "edit_draft",
    "print",
    "reconcile",
    "perform",
    "verify",
    "release",
    "failed_sign_in",
    "setting",
    "ingredient",
    "unlock",
    "void",
    "reprint",
]


def run(reg: Register, who: dict, operations: list[str]) -> None:
    batches: list[int] = []
    for n, operation in enumerate(operations):
        last = batches[-1] if batches else None
        try:
            if operation == "new_batch":
                batches.append(reg.batches.new(make_batch_file(units=5 + n % 4), who["tech"]).id)
            elif operation == "edit_draft" and last:
                bf = reg.batches.batch_file(last)
                edited = bf.model_copy(update={"batch": bf.batch.model_copy(update={"units": 7})})
                reg.batches.update_draft(last, edited, who["tech"], "units recounted")
            elif operation == "print" and last:
                rendering.issue(reg, rendering.render_registered(reg, last, "vial"), who["tech"], "ZD621")
            elif operation == "reconcile" and last:
                issued = reg.batches.reconciliation_status(last).labels_issued
                reg.batches.record_reconciliation(
                    last, who["tech"], applied=issued, specimens=0, destroyed=0, returned=0
                )
            elif operation == "perform" and last:
                reg.batches.sign(last, "tech", PASSWORDS["tech"], "performed")
            elif operation == "verify" and last:
                reg.batches.sign(last, "pharm", PASSWORDS["pharm"], "verified")
            elif operation == "release" and last:
                rendering.sign_batch(reg, last, "qa", PASSWORDS["qa"], "released")
            elif operation == "failed_sign_in":
                reg.accounts.authenticate("tech2", "wrong password here")
            elif operation == "setting":
                reg.settings.update(who["admin"], {"reconciliation_limit": n % 3}, "SOP")
            elif operation == "ingredient":
                reg.formulas.add_ingredient(
                    f"test sugar {n}",
                    {"name": f"test sugar {n}", "mw": "342.3", "particles": 1, "source": "CoA"},
                    who["qa"],
                )
            elif operation == "unlock":
                reg.accounts.unlock_user("tech2", who["admin"], "forgot")
            elif operation == "void" and last:
                reg.batches.void(last, "pharm", PASSWORDS["pharm"], "test")
            elif operation == "reprint" and last:
                docs = reg.archive.search(lot=reg.batches.get(last).lot_number)
                if docs:
                    reg.archive.reprint(docs[0].id, who["tech"], "jammed")
        except LabelappError:
            pass  # a refusal is a normal outcome; it must leave the register intact too


def fresh_register(folder: Path) -> tuple[Register, dict]:
    reg = Register.open(f"sqlite:///{folder / 'labelapp.db'}", archive_dir=folder / "archive")
    who = add_users(reg, "tech", "tech2", "pharm", "pharm2", "qa")
    reg.formulas.add(make_batch_file().formula, who["pharm2"])
    reg.formulas.approve("GLY50", "1", "pharm", PASSWORDS["pharm"])
    return reg, who


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    operations=st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=14),
    pick=st.integers(0, 10**6),
    table=st.sampled_from(sorted(REGULATED)),
)
def test_the_program_keeps_the_register_intact_and_any_edit_shows(fast_password_hashing, operations, pick, table):
    with tempfile.TemporaryDirectory() as tmp:
        reg, who = fresh_register(Path(tmp))
        try:
            run(reg, who, operations)
            result = reg.audit.verify()
            assert result.ok, (operations, result.problems)
            raw = sqlite3.connect(reg.database.sqlite_path)
            try:
                candidates = [
                    name
                    for name in [table, *sorted(REGULATED)]
                    if raw.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
                ]
                table = candidates[0]  # a table with rows (users always has some)
                t, key_column = REGULATED[table]
                rows = raw.execute(f"SELECT * FROM {table}").fetchall()
                columns = [d[0] for d in raw.execute(f"SELECT * FROM {table}").description]
                row = rows[pick % len(rows)]
                editable = [c for c in columns if c != "id"]
                column = editable[pick % len(editable)]
                key = row[columns.index(key_column)]
                value = row[columns.index(column)]
                new = (value + 1) if isinstance(value, int) else ("x" if value is None else f"{value}x")
                for name in [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]:
                    raw.execute(f"DROP TRIGGER {name}")
                raw.execute(f"UPDATE {table} SET {column} = ? WHERE {key_column} = ?", (new, key))
                raw.commit()
            finally:
                raw.close()
            after = reg.audit.verify()
            assert not after.ok, f"an edit of {table}.{column} (row {key}) went unnoticed"
            changed_key = new if column == key_column else key
            assert any(
                f"table {table}, row {changed_key}" in p or f"table {table}, row {key}" in p for p in after.problems
            ), after.problems
        finally:
            reg.close()
