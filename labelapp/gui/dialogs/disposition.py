"""Closing a deviation (21 CFR 211.192): the investigation, its root cause, the CAPA reference and the
disposition, signed by a pharmacist or QA (user name, password again). The service requires each part
and decides who may sign; a refusal is shown in the dialog, which stays open."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFormLayout, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from labelapp.domain.execution import Deviation
from labelapp.gui.dialogs.signature import SignatureDialog
from labelapp.gui.widgets import add_row

# (username, password, investigation, root cause, disposition, CAPA) -> the closed deviation
DispositionFunction = Callable[[str, str, str, str, str, str], Deviation]


class DispositionDialog(SignatureDialog[Deviation]):
    def __init__(self, deviation: Deviation, disposition: DispositionFunction, parent: QWidget | None = None):
        statement = (
            f"DEV-{deviation.number} ({deviation.kind.value}): {deviation.description}\n\n"
            "As pharmacist or QA, I reviewed this deviation and its investigation, and I sign the disposition."
        )
        super().__init__(
            f"Disposition of DEV-{deviation.number}", statement, "dispositioned", self._sign, "", "none", parent
        )
        self.setObjectName("disposition_dialog")
        self._disposition = disposition
        self._values: tuple[str, str, str, str] = ("", "", "", "")
        self.investigation = self._text("disposition_investigation", "what was looked at, and what was found")
        self.root_cause = self._text("disposition_root_cause", "why it happened")
        self.capa = QLineEdit()
        self.capa.setObjectName("disposition_capa")
        self.capa.setPlaceholderText("CAPA reference, e.g. CAPA-12 (optional)")
        self.outcome = self._text("disposition_outcome", "e.g. accepted: no impact on quality")
        fields = QFormLayout()
        add_row(fields, "&Investigation:", self.investigation)
        add_row(fields, "Root &cause:", self.root_cause)
        add_row(fields, "CAP&A:", self.capa)
        add_row(fields, "&Disposition:", self.outcome)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)  # SignatureDialog's own layout
        layout.insertLayout(1, fields)
        self.resize(640, self.sizeHint().height())
        self.investigation.setFocus()

    def _text(self, name: str, placeholder: str) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.setFixedHeight(60)
        edit.setTabChangesFocus(True)
        return edit

    def submit(self) -> None:
        """The four texts are read here, on the UI thread, before the signature runs in a worker."""
        self._values = (
            self.investigation.toPlainText(),
            self.root_cause.toPlainText(),
            self.outcome.toPlainText(),
            self.capa.text(),
        )
        super().submit()

    def _sign(self, username: str, password: str, _reason: str | None) -> Deviation:
        investigation, root_cause, outcome, capa = self._values
        return self._disposition(username, password, investigation, root_cause, outcome, capa)
