"""Correcting a recorded step: the new value and the reason (required). The original stays on the record,
marked as corrected; the correction opens a deviation (``register.execution.correct``)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QPlainTextEdit, QVBoxLayout, QWidget

from labelapp.domain.execution import StepEntry
from labelapp.domain.mfr import ProcessStep
from labelapp.gui.messages import in_words
from labelapp.gui.pages.step_input import StepInput
from labelapp.gui.widgets import INFO_STYLE, ErrorLabel, ResultDialog, add_row, plain_label
from labelapp.gui.workers import run_task

CorrectFunction = Callable[[str, str], StepEntry]  # (new value, reason) -> the correcting entry


class CorrectionDialog(ResultDialog[StepEntry]):
    def __init__(
        self,
        step: ProcessStep,
        original: StepEntry,
        shown: str,
        correct: CorrectFunction,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Correct — {step.title}")
        self.setObjectName("correction_dialog")
        self.correct = correct
        intro = plain_label(
            f"Recorded: <b>{shown}</b> by {original.entered_by}. The original stays on the record, marked as "
            "corrected; the correction is signed with your name and opens a deviation."
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(INFO_STYLE)
        unit = step.limits.unit if step.limits else ""
        self.input = StepInput(step.kind, unit)
        if self.input.balance_button is not None:
            self.input.balance_button.hide()  # a correction is typed (the service records it as typed)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("correction_reason")
        self.reason.setFixedHeight(70)
        self.reason.setPlaceholderText("why the recorded value is wrong (required)")
        self.error = ErrorLabel()  # plain text, wrapped, selectable, hidden until there is a message
        self.error.setObjectName("correction_error")
        form = QFormLayout()
        add_row(form, "Correct value:", self.input)
        add_row(form, "&Reason:", self.reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Record correction")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(620, self.sizeHint().height())
        self.input.focus()

    def submit(self) -> None:
        text, reason = self.input.text(), self.reason.toPlainText()
        self.buttons.setEnabled(False)
        run_task(lambda: self.correct(text, reason), self._done, self)

    def _done(self, result: StepEntry | None, error: BaseException | None) -> None:
        self.buttons.setEnabled(True)
        if error is not None:
            self.error.setText(f"Not corrected: {in_words(error)}")
            self.error.show()
            return
        self.result_value = result
        self.accept()
