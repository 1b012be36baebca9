"""The batch register: one object a front end opens, holding the use cases over one shared context.

    with Register.open() as register:          # $LABELAPP_DATABASE_URL or the user's SQLite file
        user = register.accounts.authenticate("alex", password)
        batch = register.batches.new(batch_file, user)

``accounts``, ``settings``, ``formulas``, ``batches``, ``execution``, ``archive`` and ``audit`` are typed use-case
classes (``labelapp.services.<name>``); what they share is ``services.context.RegisterContext``.
Qt-free: the CLI and the GUI call this; nothing here knows how it is shown.
"""

from __future__ import annotations

from pathlib import Path

from labelapp.services.accounts import Accounts
from labelapp.services.archive import Archive
from labelapp.services.audit import AuditTrail
from labelapp.services.batches import Batches
from labelapp.services.context import RegisterContext
from labelapp.services.execution import Execution
from labelapp.services.formulas import Formulas
from labelapp.services.settings import Settings
from labelapp.store.db import Database, open_database


class Register:
    def __init__(self, database: Database):
        self.context = RegisterContext(database)
        self.accounts = Accounts(self.context)
        self.settings = Settings(self.context)
        self.formulas = Formulas(self.context)
        self.batches = Batches(self.context)
        self.archive = Archive(self.context)
        self.audit = AuditTrail(self.context)
        self.execution = Execution(self.context)

    @classmethod
    def open(cls, url: str | None = None, archive_dir: str | Path | None = None) -> Register:
        """Open the register: $LABELAPP_DATABASE_URL or the SQLite file in the user data folder by default."""
        return cls(open_database(url, archive_dir))

    def close(self) -> None:
        self.context.db.dispose()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def database(self) -> Database:
        return self.context.db

    @property
    def location(self) -> str:
        """Where the register is, in words (for the title bar and error messages)."""
        return self.context.db.where
