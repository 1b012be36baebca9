"""The main window: a side list of pages over a stack, menus and shortcuts. It only composes pages
and wires their signals; every page is its own module and talks to the services itself."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QListWidget, QMainWindow, QMessageBox, QSplitter, QStackedWidget, QWidget

from labelapp import __version__
from labelapp.gui.dialogs.new_batch import NewBatchDialog
from labelapp.gui.pages.archive import ArchivePage
from labelapp.gui.pages.audit import AuditPage
from labelapp.gui.pages.batch_editor import BatchEditorPage
from labelapp.gui.pages.batches import BatchesPage
from labelapp.gui.pages.formulas import FormulasPage
from labelapp.gui.pages.preview import PreviewPage
from labelapp.gui.pages.print_page import PrintPage
from labelapp.gui.pages.settings import SettingsPage
from labelapp.gui.pages.verify import VerifyPage
from labelapp.gui.session import Session
from labelapp.gui.window_state import restore_geometry, restore_splitter, save_geometry, save_splitter

PAGES = ("batches", "editor", "preview", "print", "verify", "archive", "formulas", "audit", "settings")
TITLES = {
    "batches": "Batches",
    "editor": "Batch editor",
    "preview": "Label preview",
    "print": "Print",
    "verify": "Verify and release",
    "archive": "Archive",
    "formulas": "Formulas",
    "audit": "Audit log",
    "settings": "Settings",
}


class MainWindow(QMainWindow):
    sign_in_requested = Signal()

    def __init__(self, session: Session, page_options: dict[str, dict[str, Any]] | None = None):
        super().__init__()
        self.setObjectName("main_window")
        self.session = session
        self.setWindowTitle("labelapp")
        options = page_options or {}
        self.pages: dict[str, QWidget] = {
            "batches": BatchesPage(session),
            "editor": BatchEditorPage(session),
            "preview": PreviewPage(session),
            "print": PrintPage(session, **options.get("print", {})),
            "verify": VerifyPage(session),
            "archive": ArchivePage(session, **options.get("archive", {})),
            "formulas": FormulasPage(session),
            "audit": AuditPage(session),
            "settings": SettingsPage(session),
        }
        self._build_shell()
        self._build_menus()
        self._wire()
        self.user_label = QLabel()
        self.statusBar().addPermanentWidget(self.user_label)
        session.user_changed.connect(self._show_user)
        self._show_user(session.user)
        if not restore_geometry(session.ui_settings, "main", self):
            self.resize(1280, 820)
        restore_splitter(session.ui_settings, "main", self.splitter)
        self.show_page(str(session.ui_settings.value("main/page", "batches")))

    # ------------------------------------------------------------ composition

    def page(self, name: str) -> Any:
        return self.pages[name]

    def _build_shell(self) -> None:
        self.nav = QListWidget()
        self.nav.setObjectName("page_list")
        self.stack = QStackedWidget()
        for index, name in enumerate(PAGES):
            self.nav.addItem(TITLES[name])
            self.nav.item(index).setToolTip(f"Ctrl+{index + 1}")
            self.stack.addWidget(self.pages[name])
        self.nav.setMaximumWidth(240)
        self.nav.setMinimumWidth(120)
        self.nav.currentRowChanged.connect(self._page_changed)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([200, 1080])
        self.setCentralWidget(self.splitter)

    def _action(self, menu: Any, text: str, slot: Any, shortcut: Any = None, name: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setObjectName(name)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._action(file_menu, "Sign in as another user…", self.sign_in_requested, "Ctrl+Shift+L")
        self._action(file_menu, "&Print…", self._print, QKeySequence.StandardKey.Print, "action_print")
        self._action(file_menu, "Print to PDF &file…", lambda: self.pages["print"].print_to_file(), "Ctrl+Shift+P")
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        batch_menu = bar.addMenu("&Batch")
        self._action(batch_menu, "&New batch…", self.new_batch, QKeySequence.StandardKey.New, "action_new_batch")
        self._action(batch_menu, "&Save draft", lambda: self.pages["editor"].save(), QKeySequence.StandardKey.Save)
        self._action(batch_menu, "&Find batch", self._find, QKeySequence.StandardKey.Find)
        self._action(batch_menu, "&Refresh", self.refresh_current, QKeySequence.StandardKey.Refresh)
        view_menu = bar.addMenu("&View")
        for index, name in enumerate(PAGES):
            self._action(
                view_menu,
                TITLES[name],
                lambda _=False, n=name: self.show_page(n),
                f"Ctrl+{index + 1}",
                f"action_page_{name}",
            )
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&About labelapp", self._about)

    def _wire(self) -> None:
        p = self.pages
        p["batches"].open_requested.connect(self.open_batch)
        p["batches"].new_requested.connect(self.new_batch)
        p["formulas"].start_batch_requested.connect(self.start_batch)
        p["editor"].evaluated.connect(p["preview"].show_evaluation)
        p["editor"].saved.connect(self._batch_saved)
        p["editor"].preview_requested.connect(lambda: self.show_page("preview"))
        p["preview"].rendered.connect(p["print"].set_document)
        p["preview"].print_requested.connect(lambda: self.show_page("print"))
        self.session.batches_changed.connect(p["print"].refresh_jobs)
        self.session.batches_changed.connect(p["preview"].refresh)  # new signatures on the record

    # ------------------------------------------------------------ navigation

    def show_page(self, name: str) -> None:
        self.nav.setCurrentRow(PAGES.index(name if name in PAGES else "batches"))

    def current_page(self) -> str:
        return PAGES[self.stack.currentIndex()]

    def _page_changed(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        self.session.ui_settings.setValue("main/page", PAGES[row])
        self.refresh_current()

    def refresh_current(self) -> None:
        refresh = getattr(self.stack.currentWidget(), "refresh", None)
        if callable(refresh):
            refresh()

    def _find(self) -> None:
        self.show_page("batches")
        self.pages["batches"].search.setFocus()

    def _print(self) -> None:
        self.show_page("print")
        self.pages["print"].print_to_printer()

    # ------------------------------------------------------------ batches

    def new_batch(self) -> None:
        dialog = NewBatchDialog(self.session.register.formulas.versions(status="approved"), self)
        if dialog.exec() and dialog.chosen() is not None:
            self.start_batch(dialog.chosen())

    def start_batch(self, formula_record: Any) -> None:
        self._select_batch(None, None)
        self.pages["editor"].start_new(formula_record)
        self.show_page("editor")

    def open_batch(self, batch_id: int) -> None:
        self.pages["editor"].open_batch(batch_id)
        record = self.session.register.batches.get(batch_id)
        self._select_batch(batch_id, record.lot_number)
        self.show_page("editor")

    def _batch_saved(self, batch_id: int) -> None:
        self._select_batch(batch_id, self.session.register.batches.get(batch_id).lot_number)

    def _select_batch(self, batch_id: int | None, lot: str | None) -> None:
        self.pages["print"].set_batch(batch_id, lot)
        self.pages["verify"].set_batch(batch_id)
        self.pages["preview"].set_batch(batch_id)

    # ------------------------------------------------------------ window

    def _show_user(self, user: Any) -> None:
        self.user_label.setText(
            f"Signed in: {user.full_name} ({user.username}, {user.role.value})" if user else "Not signed in"
        )
        self.setWindowTitle(f"labelapp — {user.full_name}" if user else "labelapp")

    def _about(self) -> None:
        QMessageBox.about(self, "About labelapp", f"labelapp {__version__}\nRegister: {self.session.register.location}")

    def closeEvent(self, event: QCloseEvent) -> None:
        save_geometry(self.session.ui_settings, "main", self)
        save_splitter(self.session.ui_settings, "main", self.splitter)
        self.pages["editor"].save_state()
        self.session.ui_settings.sync()
        super().closeEvent(event)
