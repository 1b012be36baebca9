"""The main window: a side list of pages over a stack, menus and shortcuts. It only composes pages
and wires their signals; every page is its own module and talks to the services itself.

``lock``/``unlock`` (the idle lock, driven by ``gui.app``): the central widget is a stack of the
pages and a ``LockScreen``; locking shows the lock screen (the pages are hidden, so nothing of a
batch is painted) and disables every menu action and shortcut; unlocking shows the pages again as
they were, unsaved values and keyboard focus included."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, overload

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QListWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from labelapp import __version__
from labelapp.gui.dialogs.new_batch import NewBatchDialog
from labelapp.gui.idle_lock import LockScreen
from labelapp.gui.pages.archive import ArchivePage
from labelapp.gui.pages.audit import AuditPage
from labelapp.gui.pages.batch_editor import BatchEditorPage
from labelapp.gui.pages.batches import BatchesPage
from labelapp.gui.pages.execution import ExecutionPage
from labelapp.gui.pages.formulas import FormulasPage
from labelapp.gui.pages.materials import MaterialsPage
from labelapp.gui.pages.preview import PreviewPage
from labelapp.gui.pages.print_page import PrintPage
from labelapp.gui.pages.settings import SettingsPage
from labelapp.gui.pages.verify import VerifyPage
from labelapp.gui.session import Session
from labelapp.gui.widgets import message_box, plain_label
from labelapp.gui.window_state import restore_geometry, restore_splitter, save_geometry, save_splitter

if TYPE_CHECKING:
    from labelapp.domain.records import AuthenticatedUser, FormulaRecord

PageName = Literal[
    "batches",
    "editor",
    "execution",
    "preview",
    "print",
    "verify",
    "archive",
    "formulas",
    "materials",
    "audit",
    "settings",
]
PAGES: tuple[PageName, ...] = (  # reached with Ctrl+1 ... Ctrl+9, in this order
    "batches",
    "editor",
    "preview",
    "print",
    "verify",
    "archive",
    "formulas",
    "audit",
    "settings",
)
NAV: tuple[PageName, ...] = (  # the side list, top to bottom
    "batches",
    "editor",
    "execution",
    "preview",
    "print",
    "verify",
    "archive",
    "formulas",
    "materials",
    "audit",
    "settings",
)
SHORTCUTS: dict[PageName, str] = {name: f"Ctrl+{number}" for number, name in enumerate(PAGES, start=1)} | {
    "execution": "Ctrl+E",
    "materials": "Ctrl+M",
}
TITLES = {
    "batches": "Batches",
    "editor": "Batch editor",
    "execution": "Execute batch",
    "preview": "Label preview",
    "print": "Print",
    "verify": "Verify and release",
    "archive": "Archive",
    "formulas": "Formulas",
    "materials": "Component lots",
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
        self.batches_page = BatchesPage(session)
        self.editor_page = BatchEditorPage(session)
        self.execution_page = ExecutionPage(session, **options.get("execution", {}))
        self.preview_page = PreviewPage(session)
        self.print_page = PrintPage(session, **options.get("print", {}))
        self.verify_page = VerifyPage(session)
        self.archive_page = ArchivePage(session, **options.get("archive", {}))
        self.formulas_page = FormulasPage(session)
        self.materials_page = MaterialsPage(session)
        self.audit_page = AuditPage(session)
        self.settings_page = SettingsPage(session, **options.get("settings", {}))
        self.pages: dict[str, QWidget] = {  # by name, for the stack and the menus (in NAV order)
            "batches": self.batches_page,
            "editor": self.editor_page,
            "execution": self.execution_page,
            "preview": self.preview_page,
            "print": self.print_page,
            "verify": self.verify_page,
            "archive": self.archive_page,
            "formulas": self.formulas_page,
            "materials": self.materials_page,
            "audit": self.audit_page,
            "settings": self.settings_page,
        }
        self._build_shell()
        self._build_menus()
        self._wire()
        self.user_label = plain_label()
        self.statusBar().addPermanentWidget(self.user_label)
        session.user_changed.connect(self._show_user)
        self._show_user(session.user)
        if not restore_geometry(session.ui_settings, "main", self):
            self.resize(1280, 820)
        restore_splitter(session.ui_settings, "main", self.splitter)
        self.show_page(str(session.ui_settings.value("main/page", "batches")))

    # ------------------------------------------------------------ composition

    @overload
    def page(self, name: Literal["batches"]) -> BatchesPage: ...
    @overload
    def page(self, name: Literal["editor"]) -> BatchEditorPage: ...
    @overload
    def page(self, name: Literal["execution"]) -> ExecutionPage: ...
    @overload
    def page(self, name: Literal["preview"]) -> PreviewPage: ...
    @overload
    def page(self, name: Literal["print"]) -> PrintPage: ...
    @overload
    def page(self, name: Literal["verify"]) -> VerifyPage: ...
    @overload
    def page(self, name: Literal["archive"]) -> ArchivePage: ...
    @overload
    def page(self, name: Literal["formulas"]) -> FormulasPage: ...
    @overload
    def page(self, name: Literal["materials"]) -> MaterialsPage: ...
    @overload
    def page(self, name: Literal["audit"]) -> AuditPage: ...
    @overload
    def page(self, name: Literal["settings"]) -> SettingsPage: ...
    @overload
    def page(self, name: str) -> QWidget: ...

    def page(self, name: str) -> QWidget:
        """A page by name (tests and screenshots); the window itself uses the typed attributes."""
        return self.pages[name]

    def _build_shell(self) -> None:
        self.nav = QListWidget()
        self.nav.setObjectName("page_list")
        self.stack = QStackedWidget()
        for index, name in enumerate(NAV):
            self.nav.addItem(TITLES[name])
            self.nav.item(index).setToolTip(SHORTCUTS[name])
            self.stack.addWidget(self.pages[name])
        self.nav.setMaximumWidth(240)
        self.nav.setMinimumWidth(120)
        self.nav.currentRowChanged.connect(self._page_changed)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([200, 1080])
        self.lock_screen = LockScreen()
        self.content = QStackedWidget()
        self.content.setObjectName("window_content")
        self.content.addWidget(self.splitter)
        self.content.addWidget(self.lock_screen)
        self._paused_actions: list[QAction] = []
        self._focus_before_lock: QWidget | None = None
        self.setCentralWidget(self.content)

    def _action(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[..., object] | SignalInstance,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        name: str = "",
    ) -> QAction:
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
        self._action(file_menu, "Print to PDF &file…", self.print_page.print_to_file, "Ctrl+Shift+P")
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        batch_menu = bar.addMenu("&Batch")
        self._action(batch_menu, "&New batch…", self.new_batch, QKeySequence.StandardKey.New, "action_new_batch")
        self._action(batch_menu, "&Save draft", self.editor_page.save, QKeySequence.StandardKey.Save)
        self._action(batch_menu, "E&xecute batch", self.execute_batch, None, "action_execute_batch")
        self._action(batch_menu, "&Find batch", self._find, QKeySequence.StandardKey.Find)
        self._action(batch_menu, "&Refresh", self.refresh_current, QKeySequence.StandardKey.Refresh)
        view_menu = bar.addMenu("&View")
        for name in NAV:
            self._action(
                view_menu,
                TITLES[name],
                self.execute_batch if name == "execution" else (lambda _=False, n=name: self.show_page(n)),
                SHORTCUTS[name],
                f"action_page_{name}",
            )
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&About labelapp", self._about)

    def _wire(self) -> None:
        self.batches_page.open_requested.connect(self.open_batch)
        self.batches_page.new_requested.connect(self.new_batch)
        self.formulas_page.start_batch_requested.connect(self.start_batch)
        self.editor_page.evaluated.connect(self.preview_page.show_evaluation)
        self.editor_page.saved.connect(self._batch_saved)
        self.editor_page.preview_requested.connect(lambda: self.show_page("preview"))
        self.preview_page.rendered.connect(self.print_page.set_document)
        self.preview_page.print_requested.connect(lambda: self.show_page("print"))
        self.session.batches_changed.connect(self.print_page.refresh_jobs)
        self.session.batches_changed.connect(self.preview_page.refresh)  # new signatures on the record

    # ------------------------------------------------------------ navigation

    def show_page(self, name: str) -> None:
        self.nav.setCurrentRow(NAV.index(name if name in NAV else "batches"))

    def current_page(self) -> PageName:
        return NAV[self.stack.currentIndex()]

    def _page_changed(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        self.session.ui_settings.setValue("main/page", NAV[row])
        self.refresh_current()

    def refresh_current(self) -> None:
        refresh = getattr(self.stack.currentWidget(), "refresh", None)
        if callable(refresh):
            refresh()

    def _find(self) -> None:
        self.show_page("batches")
        self.batches_page.search.setFocus()

    def _print(self) -> None:
        self.show_page("print")
        self.print_page.print_to_printer()

    # ------------------------------------------------------------ batches

    def new_batch(self) -> None:
        dialog = NewBatchDialog(self.session.register.formulas.versions(status="approved"), self)
        chosen = dialog.chosen() if dialog.exec() else None
        if chosen is not None:
            self.start_batch(chosen)

    def start_batch(self, formula_record: FormulaRecord) -> None:
        self._select_batch(None, None)
        self.editor_page.start_new(formula_record)
        self.show_page("editor")

    def execute_batch(self) -> None:
        """The execution page, for the batch selected on the Batches page (else the one already open)."""
        record = self.batches_page.selected_batch() if self.current_page() == "batches" else None
        if record is not None:
            self.open_batch(record.id)
        self.show_page("execution")

    def open_batch(self, batch_id: int) -> None:
        self.editor_page.open_batch(batch_id)
        record = self.session.register.batches.get(batch_id)
        self._select_batch(batch_id, record.lot_number)
        self.show_page("editor")

    def _batch_saved(self, batch_id: int) -> None:
        self._select_batch(batch_id, self.session.register.batches.get(batch_id).lot_number)

    def _select_batch(self, batch_id: int | None, lot: str | None) -> None:
        self.print_page.set_batch(batch_id, lot)
        self.verify_page.set_batch(batch_id)
        self.preview_page.set_batch(batch_id)
        self.execution_page.set_batch(batch_id)

    # ------------------------------------------------------------ idle lock

    def is_locked(self) -> bool:
        return self.content.currentWidget() is self.lock_screen

    def lock(self, user: AuthenticatedUser | None, minutes: float | None = None) -> None:
        """Hide the pages behind the lock screen and switch off every action (menus and shortcuts)."""
        if self.is_locked():
            return
        focus = QApplication.focusWidget()
        self._focus_before_lock = focus if focus is not None and self.isAncestorOf(focus) else None
        self.lock_screen.show_user(user, minutes)
        self.content.setCurrentWidget(self.lock_screen)
        self._paused_actions = [a for a in self.findChildren(QAction) if a.isEnabled()]
        for action in self._paused_actions:
            action.setEnabled(False)
        self.menuBar().setEnabled(False)

    def unlock(self) -> None:
        """Show the pages again exactly as they were."""
        if not self.is_locked():
            return
        for action in self._paused_actions:
            action.setEnabled(True)
        self._paused_actions = []
        self.menuBar().setEnabled(True)
        self.content.setCurrentWidget(self.splitter)
        focus, self._focus_before_lock = self._focus_before_lock, None
        if focus is not None:
            focus.setFocus()

    # ------------------------------------------------------------ window

    def _show_user(self, user: AuthenticatedUser | None) -> None:
        self.user_label.setText(
            f"Signed in: {user.full_name} ({user.username}, {user.role.value})" if user else "Not signed in"
        )
        self.setWindowTitle(f"labelapp — {user.full_name}" if user else "labelapp")

    def _about(self) -> None:
        text = f"labelapp {__version__}\nRegister: {self.session.register.location}"
        message_box(self, QMessageBox.Icon.Information, "About labelapp", text).exec()

    def closeEvent(self, event: QCloseEvent) -> None:
        save_geometry(self.session.ui_settings, "main", self)
        save_splitter(self.session.ui_settings, "main", self.splitter)
        self.editor_page.save_state()
        self.session.ui_settings.sync()
        super().closeEvent(event)
