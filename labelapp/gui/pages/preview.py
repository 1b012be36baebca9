"""Label preview: the exact PDF that will print, rendered by the service off the UI thread.

The batch editor's newest valid evaluation arrives through ``show_evaluation``; the page renders
the chosen document (vial labels, carton label, worksheet) on the chosen stock and shows the bytes
with QtPdf. Printing takes ``current()``: the very bytes on screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from labelapp.domain.errors import LabelappError
from labelapp.gui.messages import in_words
from labelapp.gui.pdf_viewer import PdfViewer
from labelapp.gui.session import Session
from labelapp.gui.widgets import INFO_STYLE, WARNING_STYLE, banner, heading, plain_label
from labelapp.gui.workers import LatestTask, run_task
from labelapp.services import rendering
from labelapp.services.rendering import DOCUMENT_KINDS as KINDS
from labelapp.services.rendering import KIND_TITLES, DocumentKind, RenderedDocument, StockInfo

if TYPE_CHECKING:
    from labelapp.domain.batch import BatchFile
    from labelapp.gui.presenters.batch_form import Evaluation


class PreviewPage(QWidget):
    rendered = Signal(object)  # RenderedDocument, the bytes now on screen
    print_requested = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("preview_page")
        self.session = session
        self.evaluation: Evaluation | None = None
        self.batch_id: int | None = None
        self.shown: RenderedDocument | None = None
        self.task = LatestTask(0, self)
        self.task.done.connect(self._on_rendered)
        self.task.started.connect(lambda: self.state.setText("Rendering…"))
        self._stock_lists: dict[DocumentKind, list[StockInfo]] = {}
        self._build()

    def _build(self) -> None:
        self.kind = QComboBox()
        self.kind.setObjectName("preview_kind")
        for kind in KINDS:
            self.kind.addItem(KIND_TITLES[kind], kind)
        self.stock = QComboBox()
        self.stock.setObjectName("preview_stock")
        self.stock.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.stock.setMinimumContentsLength(20)
        self.fit = QComboBox()
        self.fit.setObjectName("preview_zoom")
        for title, mode in (("Actual size", "actual"), ("Fit width", "width"), ("Whole page", "page")):
            self.fit.addItem(title, mode)
        self.fit.currentIndexChanged.connect(self._zoom_changed)
        kind_label, stock_label = plain_label("&Document:"), plain_label("&Stock:")
        kind_label.setBuddy(self.kind)
        stock_label.setBuddy(self.stock)
        self.print_button = QPushButton("&Print…")
        self.print_button.setObjectName("preview_print")
        self.print_button.clicked.connect(self.print_requested)
        bar = QHBoxLayout()
        for w in (kind_label, self.kind, stock_label, self.stock):
            bar.addWidget(w)
        bar.addStretch(1)
        zoom_label = plain_label("&Zoom:")
        zoom_label.setBuddy(self.fit)
        bar2 = QHBoxLayout()
        self.title = heading("Label preview")
        self.state = plain_label("Open or start a batch to see its labels.")
        self.state.setObjectName("preview_state")
        self.state.setWordWrap(True)
        bar2.addWidget(self.state, 1)
        bar2.addWidget(zoom_label)
        bar2.addWidget(self.fit)
        bar2.addWidget(self.print_button)
        self.notes = banner(INFO_STYLE, "preview_notes")
        self.problem = banner(WARNING_STYLE, "preview_problem")
        self.use_suggested = QPushButton()
        self.use_suggested.setObjectName("preview_use_suggested")
        self.use_suggested.hide()
        self.use_suggested.clicked.connect(lambda: self.set_stock(self.use_suggested.property("stock")))
        self.viewer = PdfViewer()
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(bar)
        layout.addLayout(bar2)
        layout.addWidget(self.notes)
        layout.addWidget(self.problem)
        layout.addWidget(self.use_suggested, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.viewer, 1)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.stock.currentIndexChanged.connect(self._stock_changed)
        self.print_button.setEnabled(False)
        self._load_stocks()

    # ------------------------------------------------------------ stocks

    def current_kind(self) -> DocumentKind:
        return KINDS[max(self.kind.currentIndex(), 0)]  # the items are KINDS, in order

    def current_stock(self) -> str:
        return str(self.stock.currentData() or "")

    def set_kind(self, kind: DocumentKind) -> None:
        self.kind.setCurrentIndex(KINDS.index(kind))

    def set_stock(self, name: str) -> None:
        index = self.stock.findData(name)
        if index >= 0:
            self.stock.setCurrentIndex(index)

    def _load_stocks(self) -> None:
        def load() -> dict[DocumentKind, list[StockInfo]]:
            return {kind: rendering.stocks(kind) for kind in KINDS}

        run_task(load, self._on_stocks, self)

    def _on_stocks(self, stocks: dict[DocumentKind, list[StockInfo]] | None, error: BaseException | None) -> None:
        if error is not None:
            self.problem.setText(f"The label stocks cannot be read: {in_words(error)}")
            self.problem.show()
            return
        self._stock_lists = stocks or {}
        self._kind_changed()

    def _kind_changed(self) -> None:
        kind = self.current_kind()
        self.stock.blockSignals(True)
        self.stock.clear()
        for info in self._stock_lists.get(kind, []):
            self.stock.addItem(f"{info.name} ({info.size_text})", info.name)
            self.stock.setItemData(self.stock.count() - 1, info.description, Qt.ItemDataRole.ToolTipRole)
        index = -1
        for key in self._stock_keys(kind):
            index = self.stock.findData(self.session.ui_settings.value(key, ""))
            if index >= 0:
                break
        bf = self.evaluation.batch_file if self.evaluation is not None else None
        if index < 0 and bf is not None:
            index = self.stock.findData(_default_stock(kind, bf))
        self.stock.setCurrentIndex(max(index, 0))
        self.stock.blockSignals(False)
        default = "width" if kind == "worksheet" else "actual"
        zoom = self.fit.findData(self.session.ui_settings.value(f"preview/zoom/{kind}", default))
        self.fit.setCurrentIndex(max(zoom, 0))
        self.viewer.set_fit(self.fit.currentData())
        self.refresh()

    def _zoom_changed(self) -> None:
        self.viewer.set_fit(self.fit.currentData())
        self.session.ui_settings.setValue(f"preview/zoom/{self.current_kind()}", self.fit.currentData())

    def _stock_keys(self, kind: DocumentKind) -> list[str]:
        """Where a stock chosen by hand for this formula is remembered (else the facility's default)."""
        formula = self._formula_id()
        return [f"preview/stock/{kind}/{formula}"] if formula else []

    def _formula_id(self) -> str:
        bf = self.evaluation.batch_file if self.evaluation is not None else None
        return bf.formula.id if bf is not None else ""

    def _stock_changed(self) -> None:
        if self.current_stock():
            for key in self._stock_keys(self.current_kind()):
                self.session.ui_settings.setValue(key, self.current_stock())
        self.refresh()

    # ------------------------------------------------------------ rendering

    def set_batch(self, batch_id: int | None) -> None:
        """The registered batch on screen (its worksheet preview is its batch record)."""
        self.batch_id = batch_id
        self.refresh()

    def show_evaluation(self, evaluation: Evaluation) -> None:
        """The editor's newest result; an invalid one leaves the preview blank, never stale."""
        formula_before = self._formula_id()
        self.evaluation = evaluation
        if self._formula_id() and self._formula_id() != formula_before:
            self._kind_changed()  # pick the stock remembered for this formula
        else:
            self.refresh()

    def refresh(self) -> None:
        evaluation = self.evaluation
        if evaluation is None:
            return
        bf, comp, settings = evaluation.batch_file, evaluation.computation, evaluation.settings
        if bf is None or comp is None:  # not ok
            self._blank("The batch has problems (see the batch editor); nothing to preview until they are fixed.")
            return
        kind, stock = self.current_kind(), self.current_stock()
        if not stock:
            return
        count = rendering.default_count(kind, comp)
        registered = self.batch_id if not comp.lot_provisional else None
        register = self.session.register
        if kind == "worksheet" and registered is not None:  # a registered batch's worksheet is its record
            self.task.request(lambda: rendering.render_batch_record(register, registered))
        else:
            self.task.request(lambda: rendering.preview(bf, comp, kind, stock, count, settings, registered))

    def _blank(self, why: str) -> None:
        self.task.request(lambda: None, immediately=True)
        self.shown = None
        self.viewer.clear()
        self.notes.hide()
        self.problem.setText(why)
        self.problem.show()
        self.print_button.setEnabled(False)

    def _on_rendered(self, result: RenderedDocument | None, error: BaseException | None) -> None:
        if result is None and error is None:
            return  # the empty request of _blank()
        suggestion = getattr(error, "suggestion", None)
        self.use_suggested.setVisible(bool(suggestion))
        if suggestion:
            self.use_suggested.setText(f"Use stock {suggestion}")
            self.use_suggested.setProperty("stock", suggestion)
        if error is not None or result is None:
            self.shown = None
            self.viewer.clear()
            self.problem.setText(in_words(error) if error is not None else "Nothing was rendered.")
            self.problem.show()
            self.state.setText("Not rendered.")
            self.print_button.setEnabled(False)
            return
        self.problem.hide()
        if not self.viewer.set_pdf(result.pdf):
            self.problem.setText("The rendered PDF could not be displayed.")
            self.problem.show()
            return
        self.shown = result
        lot = f"lot {result.lot_number}" + (" (provisional)" if result.provisional else "")
        pages = result.pages or self.viewer.page_count()
        what = "" if result.kind == "worksheet" else f"{result.count} on {result.stock}, "
        self.state.setText(f"{KIND_TITLES[result.kind]}: {what}{pages} page{'s' if pages != 1 else ''}, {lot}.")
        self.notes.setText("\n".join(f"Note: {n}" for n in result.notes))
        self.notes.setVisible(bool(result.notes))
        self.print_button.setEnabled(True)
        self.rendered.emit(result)

    def current(self) -> RenderedDocument | None:
        """The bytes on screen, if they belong to the newest input (nothing pending)."""
        return None if self.task.busy else self.shown


def _default_stock(kind: DocumentKind, batch_file: BatchFile) -> str:
    """The stock the facility set up for this product, or "" when none is (the list then starts at the top)."""
    try:
        return rendering.default_stock(batch_file, kind)
    except LabelappError:
        return ""
