"""A PDF shown with QtPdf from bytes in memory (no temporary files): the exact bytes that print."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QVBoxLayout, QWidget


class PdfViewer(QWidget):
    loaded = Signal(int)  # page count

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setObjectName("pdf_view")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        palette = self.view.palette()
        palette.setColor(QPalette.ColorRole.Dark, QColor("#8a8f98"))
        self.view.setPalette(palette)
        self._buffer: QBuffer | None = None
        self._data = b""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    @property
    def pdf(self) -> bytes:
        return self._data

    def page_count(self) -> int:
        return self.document.pageCount()

    def set_pdf(self, data: bytes) -> bool:
        """Show ``data``; the previous document is closed first. Returns False if QtPdf refuses it."""
        old = self._buffer
        self.document.close()
        buffer = QBuffer(self)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._buffer, self._data = buffer, data
        self.document.load(buffer)
        if old is not None:
            old.close()
            old.deleteLater()
        ok = self.document.status() == QPdfDocument.Status.Ready
        if ok:
            self.view.pageNavigator().jump(0, QPointF(), self.view.pageNavigator().currentZoom())
        self.loaded.emit(self.document.pageCount() if ok else 0)
        return ok

    def clear(self) -> None:
        self.document.close()
        self._data = b""
        self.loaded.emit(0)

    def set_fit(self, mode: str) -> None:
        modes = {
            "width": QPdfView.ZoomMode.FitToWidth,
            "page": QPdfView.ZoomMode.FitInView,
            "actual": QPdfView.ZoomMode.Custom,
        }
        self.view.setZoomMode(modes[mode])
        if mode == "actual":
            self.view.setZoomFactor(1.0)
