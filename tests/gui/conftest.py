"""GUI test fixtures: a fresh register, people, the glycine formula and UI settings in tmp_path.

Widgets are made per test through factory fixtures that register them with qtbot (which closes
them); nothing reads or writes the developer's own settings or database.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from gui_helpers import GLYCINE, PASSWORDS, PEOPLE  # noqa: E402,F401
from PySide6.QtCore import QSettings, QThreadPool  # noqa: E402

from labelapp.gui.session import Session  # noqa: E402
from labelapp.services.calculate import load_batch_file  # noqa: E402
from labelapp.services.register import Register  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Never touch the user's register, archive or settings; leave no worker running."""
    monkeypatch.setenv("LABELAPP_DATABASE_URL", f"sqlite:///{tmp_path / 'default.db'}")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    yield
    QThreadPool.globalInstance().waitForDone(10_000)


@pytest.fixture
def ui_settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def register(tmp_path: Path) -> Iterator[Register]:
    reg = Register.open(f"sqlite:///{tmp_path / 'register.db'}")
    yield reg
    QThreadPool.globalInstance().waitForDone(10_000)
    reg.close()


@pytest.fixture
def people(register: Register) -> dict[str, Any]:
    """admin (first account), alex (technician), sam and pia (pharmacists), quinn (QA)."""
    register.accounts.create_user("admin", *PEOPLE["admin"], PASSWORDS["admin"])
    admin = register.accounts.authenticate("admin", PASSWORDS["admin"])
    out = {"admin": admin}
    for name in ("alex", "sam", "pia", "quinn"):
        full, role = PEOPLE[name]
        register.accounts.create_user(name, full, role, PASSWORDS[name], actor=admin)
        out[name] = register.accounts.authenticate(name, PASSWORDS[name])
    return out


@pytest.fixture
def glycine(register: Register, people: dict[str, Any]) -> Any:
    """The example facility, and the glycine formula added by Sam and approved by Pia."""
    example = load_batch_file(GLYCINE)
    register.settings.set_facility(example.facility, people["admin"])
    register.formulas.add(example.formula, people["sam"])
    return register.formulas.approve(example.formula.id, str(example.formula.version), "pia", PASSWORDS["pia"])


@pytest.fixture
def make_session(register: Register, ui_settings: QSettings) -> Callable[..., Session]:
    sessions: list[Session] = []

    def make(user: Any = None) -> Session:
        session = Session(register, ui_settings)
        if user is not None:
            session.sign_in(user)
        sessions.append(session)
        return session

    return make


@pytest.fixture
def make_widget(qtbot: Any) -> Callable[..., Any]:
    """Build a widget, register it with qtbot (closed after the test) and show it."""

    def make(cls: type, *args: Any, show: bool = True, **kwargs: Any) -> Any:
        widget = cls(*args, **kwargs)
        qtbot.addWidget(widget)
        if show:
            widget.resize(1200, 800)
            widget.show()
        return widget

    return make
