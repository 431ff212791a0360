"""The main window: sidebar, pages, menus, status bar, drag-and-drop and the welcome screen."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSettings, QSize, Qt, QThreadPool
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QWidget,
)

from leaddesk import APP_NAME, paths
from leaddesk.core.backups import Backup, back_up, backup_due, restore
from leaddesk.core.credentials import server_url
from leaddesk.core.db import Database, backup_name
from leaddesk.core.errors import LeadDeskError, NotFoundError
from leaddesk.core.exporting import ExportResult, describe_filter, export_xlsx
from leaddesk.core.leads import LeadFilter, lead_count
from leaddesk.core.queue import build_queue
from leaddesk.core.sample import load_sample
from leaddesk.ui import dialogs, theme
from leaddesk.ui.about_dialog import AboutDialog
from leaddesk.ui.connect_dialog import ConnectDialog
from leaddesk.ui.connection_monitor import ConnectionMonitor
from leaddesk.ui.daily_rescore import DailyRescore
from leaddesk.ui.export_dialog import ExportCounts, ask_export
from leaddesk.ui.pages.dashboard_page import DashboardPage
from leaddesk.ui.pages.import_page import ImportPage, is_spreadsheet
from leaddesk.ui.pages.leads_page import LeadsPage
from leaddesk.ui.pages.predictive_page import PredictivePage
from leaddesk.ui.pages.queue_page import QUEUE_LIMIT, QueuePage
from leaddesk.ui.pages.scoring_page import ScoringPage
from leaddesk.ui.pages.settings_page import SettingsPage
from leaddesk.ui.pages.welcome_page import WelcomePage
from leaddesk.ui.preferences import Preferences
from leaddesk.ui.restore_dialog import Choice, RestoreDialog
from leaddesk.ui.single_instance import InstanceGuard, forward, holder_message
from leaddesk.ui.workers import Worker, call_job, cancel_all, run_with_progress

if TYPE_CHECKING:
    from leaddesk.ui.lead_detail import LeadDetailDialog

PAGES = (
    ("queue", "Queue"),
    ("leads", "Leads"),
    ("scoring", "Scoring"),
    ("predictive", "Predictive"),
    ("import", "Import"),
    ("dashboard", "Dashboard"),
    ("settings", "Settings"),
)
OFFLINE_STYLE = "background: #c62828; color: white; font-weight: bold; padding: 2px 8px;"
DEFAULT_SIZE = QSize(1280, 800)
MINIMUM_SIZE = QSize(960, 600)


class MainWindow(QMainWindow):
    """LeadDesk's one window over one open database."""

    def __init__(self, db: Database, settings: QSettings | None = None) -> None:
        super().__init__()
        self.db = db
        self.settings = settings if settings is not None else QSettings()
        self.preferences = Preferences(self.settings)
        self.worker: Worker | None = None
        self.daily_rescore: DailyRescore | None = None
        self.guard: InstanceGuard | None = None  # see hold_with
        self.backup_worker: Worker | None = None
        self.monitor: ConnectionMonitor | None = None  # a team database's connection
        self._workspace_chosen = False  # the user asked for a page: no welcome screen then
        self._stale: set[QWidget] = set()
        self.setWindowIcon(theme.app_icon())
        self.setAcceptDrops(True)

        self.welcome = WelcomePage()
        self.welcome.import_requested.connect(lambda: self.start_import())
        self.welcome.sample_requested.connect(self.load_sample_data)
        self.welcome.connect_requested.connect(self.connect_team_database)
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setStyleSheet(theme.SIDEBAR_STYLE)
        self.sidebar.setIconSize(QSize(22, 22))
        self.sidebar.setFixedWidth(180)
        for key, label in PAGES:
            QListWidgetItem(theme.icon(key), label, self.sidebar)
        self.pages = QStackedWidget()
        workspace = QWidget()
        row = QHBoxLayout(workspace)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.sidebar)
        row.addWidget(self.pages, 1)
        self.outer = QStackedWidget()
        self.outer.addWidget(self.welcome)
        self.outer.addWidget(workspace)
        self.workspace = workspace
        self.setCentralWidget(self.outer)
        # A fixed minimum instead of one that follows the pages: the window does not jump
        # when pages change, and platforms are not asked to re-propagate size hints.
        layout = self.layout()
        assert layout is not None
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.setMinimumSize(MINIMUM_SIZE)

        self.db_label = QLabel()
        self.count_label = QLabel()
        self.statusBar().addWidget(self.db_label, 1)
        self.statusBar().addPermanentWidget(self.count_label)
        self.offline_label = QLabel("Offline — reconnecting…")
        self.offline_label.setStyleSheet(OFFLINE_STYLE)
        self.offline_label.hide()
        self.statusBar().addPermanentWidget(self.offline_label)
        self._build_menus()
        self._build_pages()
        self.sidebar.currentRowChanged.connect(self._page_changed)
        self._restore_geometry()
        self.refresh()
        self._back_up_daily()

    # -- building -------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.import_action = self._menu_action(
            file_menu, "&Import…", self.start_import, QKeySequence("Ctrl+I")
        )
        self.export_action = self._menu_action(
            file_menu, "&Export…", self.export_leads, QKeySequence("Ctrl+E")
        )
        file_menu.addSeparator()
        self._menu_action(file_menu, "&Open database…", self.open_database)
        self._menu_action(file_menu, "&Connect to team database…", self.connect_team_database)
        self.restore_action = self._menu_action(
            file_menu, "&Restore from backup…", self.restore_backup
        )
        self._menu_action(file_menu, "Load &sample data", self.load_sample_data)
        file_menu.addSeparator()
        self._menu_action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        go_menu = self.menuBar().addMenu("&Go")
        for row, (key, label) in enumerate(PAGES):
            self._menu_action(
                go_menu,
                label,
                partial(self.show_page, key),
                QKeySequence(f"Ctrl+{row + 1}"),
            )
        help_menu = self.menuBar().addMenu("&Help")
        self._menu_action(help_menu, f"&About {APP_NAME}", self.show_about)

    def _menu_action(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda: slot())  # drop ``checked``: slots take their own args
        menu.addAction(action)
        return action

    def _build_pages(self) -> None:
        """Create the pages for the open database (again after opening another one)."""
        while (old := self.pages.widget(0)) is not None:
            self.pages.removeWidget(old)
            old.deleteLater()
        self.queue_page = QueuePage(self.db, self.preferences)
        self.leads_page = LeadsPage(self.db, self.preferences)
        self.scoring_page = ScoringPage(self.db)
        self.predictive_page = PredictivePage(self.db)
        self.import_page = ImportPage(self.db)
        self.dashboard_page = DashboardPage(self.db, preferences=self.preferences)
        self.settings_page = SettingsPage(self.db, self.preferences)
        for page in (
            self.queue_page,
            self.leads_page,
            self.scoring_page,
            self.predictive_page,
            self.import_page,
            self.dashboard_page,
            self.settings_page,
        ):
            self.pages.addWidget(page)
        self.queue_page.leads_changed.connect(lambda: self.refresh(source=self.queue_page))
        self.queue_page.import_requested.connect(lambda: self.start_import())
        self.queue_page.sample_requested.connect(self.load_sample_data)
        self.queue_page.settings_requested.connect(lambda: self.show_page("settings"))
        # The settings page is not refreshed with the data (that would drop unsaved edits);
        # once saved, the queue follows the new rules.
        self.settings_page.settings_changed.connect(lambda: self._stale.add(self.queue_page))
        self.settings_page.leads_changed.connect(lambda: self.refresh(source=self.settings_page))
        self.settings_page.database_requested.connect(self.database_command)
        self.settings_page.region_changed.connect(self._follow_region)
        self._follow_region()
        self.import_page.leads_changed.connect(lambda: self.refresh(source=self.import_page))
        self.import_page.show_leads_requested.connect(self.show_imported_leads)
        self.scoring_page.scores_changed.connect(lambda: self.refresh(source=self.scoring_page))
        self.scoring_page.open_lead_requested.connect(self.show_lead)
        self.predictive_page.predictions_changed.connect(
            lambda: self.refresh(source=self.predictive_page)
        )
        # The editor holds the draft in memory: it reads it again, so nothing added is lost.
        self.predictive_page.draft_changed.connect(self.scoring_page.load_version)
        self.predictive_page.open_draft_requested.connect(self.show_draft)
        self.leads_page.open_lead_requested.connect(self.show_lead)
        self.leads_page.leads_changed.connect(lambda: self.refresh(source=self.leads_page))
        self.leads_page.export_requested.connect(lambda *_: self.export_leads())
        self.dashboard_page.open_leads.connect(self.show_leads_of)
        self.setWindowTitle(
            f"{self.db.path.name if self.db.path else self.db.describe()} — {APP_NAME}"
        )
        if self.daily_rescore is not None:
            self.daily_rescore.stop()
        self.daily_rescore = DailyRescore(self.db, self)
        self.daily_rescore.scores_changed.connect(lambda: self.refresh())
        self.daily_rescore.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.daily_rescore.start()
        self.watch_connection(None if self.db.is_sqlite else ConnectionMonitor(self.db, self))

    def watch_connection(self, monitor: ConnectionMonitor | None) -> None:
        """Say "Offline" while ``monitor`` finds the server gone, and show fresh data once it
        is back (what was read before the drop may be stale). None: a file has no server."""
        if self.monitor is not None:
            self.monitor.stop()
            self.monitor.deleteLater()
        self.monitor = monitor
        self.offline_label.hide()
        if monitor is None:
            return
        monitor.offline.connect(self.offline_label.show)
        monitor.online.connect(self._back_online)
        monitor.start()

    def _back_online(self) -> None:
        self.offline_label.hide()
        self.refresh()

    def _follow_region(self) -> None:
        self.import_page.region = self.preferences.region

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(DEFAULT_SIZE)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        page = self.settings.value("window/page", "queue")
        keys = [key for key, _ in PAGES]
        self.sidebar.setCurrentRow(keys.index(page) if page in keys else 0)

    # -- state ----------------------------------------------------------------------------
    def refresh(self, source: QWidget | None = None) -> None:
        """Data changed: update the status bar, the welcome screen, and the pages.

        ``source`` is the page that made the change and already shows it (the queue keeps its
        list and only drops the called lead, so the next one appears at once).
        """
        with self.db.read() as conn:
            count = lead_count(conn)
        self.db_label.setText(f"Database: {self.db.describe()}")
        self.restore_action.setEnabled(self.db.path is not None)  # a server keeps its own
        self.count_label.setText(f"{count:,} lead{'' if count == 1 else 's'}")
        show_welcome = count == 0 and not self._workspace_chosen
        self.outer.setCurrentWidget(self.welcome if show_welcome else self.workspace)
        self._stale = {
            self.queue_page,
            self.leads_page,
            self.scoring_page,
            self.predictive_page,
            self.import_page,
            self.dashboard_page,
        }
        self._stale.discard(source)
        self._refresh_current()

    def _refresh_current(self) -> None:
        page = self.pages.currentWidget()
        if page in self._stale and self.outer.currentWidget() is self.workspace:
            self._stale.discard(page)
            page.refresh()  # type: ignore[attr-defined]

    def changeEvent(self, event: QEvent) -> None:
        """Light or dark changed: redraw the sidebar's icons in the new text colour."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            for row, (key, _) in enumerate(PAGES):
                item = self.sidebar.item(row)
                if item is not None:
                    item.setIcon(theme.icon(key))

    def _page_changed(self, row: int) -> None:
        self.pages.setCurrentIndex(row)
        self._refresh_current()

    def current_page(self) -> str:
        return PAGES[self.sidebar.currentRow()][0]

    def show_page(self, key: str) -> None:
        """Show the page called ``key`` ("queue", "leads", …), leaving the welcome screen."""
        self._workspace_chosen = True
        self.outer.setCurrentWidget(self.workspace)
        self.sidebar.setCurrentRow([k for k, _ in PAGES].index(key))
        self._refresh_current()

    def show_leads_of(self, lead_filter: LeadFilter, description: str) -> None:
        """The Leads page narrowed to ``lead_filter`` (a click on a dashboard chart)."""
        self.show_page("leads")
        self.leads_page.show_filter(lead_filter, description)

    def show_draft(self, model_id: int) -> None:
        """The Scoring page on the draft the Predictive page's suggestions went into."""
        self.scoring_page.load_version(model_id)
        self.show_page("scoring")

    def show_imported_leads(self, batch_id: int, file_name: str) -> None:
        self.show_page("leads")
        self.leads_page.show_batch(batch_id, file_name)

    def show_lead(self, lead_id: int) -> LeadDetailDialog | None:
        """Open one lead in its detail dialog (None if it was deleted meanwhile)."""
        try:
            from leaddesk.ui.lead_detail import LeadDetailDialog  # numpy: only when opened

            dialog = LeadDetailDialog(self.db, lead_id, self.preferences, self)
        except NotFoundError as exc:
            dialogs.show_problem(str(exc), self)
            return None
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.lead_changed.connect(lambda _id: self.refresh())
        dialog.lead_erased.connect(lambda _id: self.refresh())
        dialog.open()
        return dialog

    # -- commands -------------------------------------------------------------------------
    def start_import(self, path: Path | None = None) -> None:
        """File ▸ Import…, the welcome button and drag-and-drop all come here."""
        self.show_page("import")
        self.import_page.start(path)

    def load_sample_data(self) -> None:
        self.worker = run_with_progress(
            self, load_sample(self.db), "Creating sample leads…", self._sample_loaded
        )

    def _sample_loaded(self, count: int) -> None:
        self.statusBar().showMessage(f"Added {count:,} sample leads.", 8000)
        self.show_page("queue")
        self.refresh()

    def export_leads(self, path: Path | None = None) -> None:
        """File ▸ Export… (and Export… on selected leads): what to export, and where.

        With ``path`` every lead goes to that file without asking (the tests' shortcut).
        """
        page = self.leads_page
        shown = page.model.lead_filter
        order_by, descending = page.model.sort_key()
        if path is None:
            with self.db.read() as conn:
                counts = ExportCounts(
                    all=lead_count(conn),
                    shown=page.model.rowCount(),
                    shown_in_words=describe_filter(shown, page.model.registry),
                    selected=page.selected_count(),
                    queue=len(build_queue(conn, settings=self.preferences.queue_settings(self.db),
                                          owner=None, limit=QUEUE_LIMIT)),
                )  # fmt: skip
            choice = ask_export(self, counts)
            if choice is None:
                return
            scope, path = choice.scope, choice.path
        else:
            scope = "all"
            if path.suffix.lower() not in (".xlsx", ".csv"):
                path = path.with_suffix(path.suffix + ".xlsx")
        filters = {"all": LeadFilter(), "shown": shown, "queue": None}
        lead_filter = filters[scope] if scope in filters else page.selection_filter()[0]
        job = export_xlsx(
            self.db, path, what="queue" if scope == "queue" else "leads",
            lead_filter=lead_filter, order_by=(order_by,), descending=descending,
        )  # fmt: skip
        self.worker = run_with_progress(self, job, "Exporting leads…", self._exported)

    def _exported(self, result: ExportResult) -> None:
        message = f"Exported {result.rows:,} leads to {result.path}."
        if result.warnings:
            dialogs.show_problem(message + "\n\n" + "\n".join(result.warnings), self)
        self.statusBar().showMessage(message, 10000)

    def open_database(self, path: Path | None = None) -> None:
        """File ▸ Open database…: switch this window to another LeadDesk database."""
        if path is None:
            start = str(self.db.path.parent) if self.db.path else str(Path.home())
            name, _ = QFileDialog.getOpenFileName(
                self,
                "Open a LeadDesk database",
                start,
                "LeadDesk databases (*.db *.sqlite *.sqlite3);;All files (*)",
            )
            if not name:
                return
            path = Path(name)
        if not self._hold(path.expanduser().resolve()):
            return
        try:
            db = Database.open(path)
        except LeadDeskError as exc:
            self._hold(self.db.path)  # back to the database still shown
            dialogs.show_problem(f"LeadDesk could not open {path}.\n\n{exc}", self)
            return
        old = self.db
        self._use(db)
        old.close()

    def connect_team_database(self) -> ConnectDialog:
        """File ▸ Connect to team database…: switch this window to a shared database."""
        dialog = ConnectDialog(server_url(self.db), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.connected.connect(self._use_team_database)
        dialog.open()
        return dialog

    def _use_team_database(self, db: Database) -> None:
        old = self.db
        self._use(db)
        old.close()

    def _use(self, db: Database) -> None:
        """Show ``db`` in this window from now on, and open it next time."""
        self.db = db
        self._hold(db.path)
        self._workspace_chosen = False
        self._build_pages()
        self.refresh()
        location = str(db.path) if db.path is not None else server_url(db)
        if location is not None:  # a file, or a team database's URL without its password
            self.settings.setValue("database/last", location)
        self._back_up_daily()

    def hold_with(self, guard: InstanceGuard) -> None:
        """Keep ``guard``'s lock on the database shown, and answer later launches on it."""
        self.guard = guard
        guard.launched.connect(self.come_forward)

    def come_forward(self, open_file: Path | None = None) -> None:
        """LeadDesk was launched again on this database: show this window instead (and import
        the spreadsheet that launch was given)."""
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.show()
        self.raise_()
        self.activateWindow()
        QApplication.alert(self)  # where the system keeps the focus from moving
        if open_file is not None:
            self.start_import(open_file)

    def _hold(self, database: Path | None) -> bool:
        """Move this window's lock to ``database``. When another LeadDesk has it open, bring
        that one forward or say who holds it, and keep the lock where it was."""
        holder = self.guard.claim(database) if self.guard is not None else None
        if holder is None:
            return True
        assert database is not None  # only a file is ever held
        if holder.on_this_computer and forward(database, None):
            self.statusBar().showMessage(
                f"{database.name} is already open in another LeadDesk window, which was "
                "brought forward.",
                10000,
            )
        else:
            dialogs.show_problem(holder_message(holder, database, can_force=False), self)
        return False

    def _back_up_daily(self) -> None:
        """A SQLite database is backed up, in the background, when it opens and the last
        backup is a day old; a problem only goes to the status bar: it must not stop work."""
        try:
            folder = paths.backup_dir()
            due = backup_due(self.db, folder)
        except OSError as exc:
            self._daily_backup_failed(exc)
            return
        if not due:
            return
        job = call_job(partial(back_up, self.db, folder, "daily"), "Backing up the database…")
        self.backup_worker = Worker(job)
        self.backup_worker.signals.finished.connect(self._backed_up_daily)
        self.backup_worker.signals.failed.connect(self._daily_backup_failed)
        self.backup_worker.start()

    def _backed_up_daily(self, _backup: Backup) -> None:
        self.backup_worker = None
        if not self.statusBar().currentMessage():  # news of the user's own work comes first
            self.statusBar().showMessage("Backed up the database (daily)", 5000)

    def _daily_backup_failed(self, error: object) -> None:
        self.backup_worker = None
        if not isinstance(error, LeadDeskError | OSError):
            assert isinstance(error, BaseException)
            raise error  # a bug: the exception hook logs it and tells the user
        self.statusBar().showMessage(f"The daily backup could not be made: {error}", 15000)

    def database_command(self, command: str) -> None:
        """The Settings page's database buttons: open, new, move, back up now, restore."""
        if command == "open":
            self.open_database()
            return
        if command == "restore":
            self.restore_backup()
            return
        folder = self.db.path.parent if self.db.path else Path(paths.default_database()).parent
        titles = {"new": "New LeadDesk database", "move": "Move the database to…",
                  "backup": "Back up the database to…"}  # fmt: skip
        suggested = {"new": folder / "leads.db", "move": folder / "moved" / "leads.db",
                     "backup": paths.backup_dir() / backup_name(self.db, "manual")}  # fmt: skip
        name, _ = QFileDialog.getSaveFileName(
            self, titles[command], str(suggested[command]), "LeadDesk databases (*.db)"
        )
        if not name:
            return
        target = Path(name)
        try:
            if command == "new":
                self.open_database(target)
            elif command == "move":
                self._use(self.db.move_to(target))
                self.statusBar().showMessage(f"The database is now at {target}.", 10000)
            else:
                self.db.backup(target)
                self.statusBar().showMessage(f"Backed up to {target}.", 10000)
        except LeadDeskError as exc:
            dialogs.show_problem(str(exc), self)

    def restore_backup(self) -> RestoreDialog:
        """File ▸ Restore from backup…: the user picks a backup, then the window restores it."""
        assert self.db.path is not None  # the action is disabled for a server database
        dialog = RestoreDialog(self.db.path, paths.backup_dir(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.restore_requested.connect(self._restore)
        dialog.open()
        return dialog

    def _restore(self, choice: Choice) -> None:
        """Put the chosen backup in place of this window's database, and show it."""
        database = self.db.path
        assert database is not None
        self._stop_work()
        self.db.close()  # the file is replaced: no connection may stay open on it
        try:
            kept = restore(choice.path, database, paths.backup_dir())
            self._use(Database.open(database))
        except LeadDeskError as exc:
            self.refresh()
            dialogs.show_problem(f"LeadDesk could not restore {choice.label}.\n\n{exc}", self)
            return
        kept_where = f" The database as it was is kept in {kept}." if kept else ""
        self.statusBar().showMessage(f"Restored {choice.label}.{kept_where}", 20000)

    def _stop_work(self) -> None:
        """Work still running holds a transaction on the database about to be closed: stop it
        at its next step (which rolls it back) and wait for it."""
        cancel_all()
        QThreadPool.globalInstance().waitForDone()

    def show_about(self) -> AboutDialog:
        dialog = AboutDialog(self.db, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.adjustSize()  # settle the layout's size before the window exists
        dialog.open()
        return dialog

    # -- Qt events ------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_spreadsheet(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:  # type: ignore[override]
        self.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        path = _dropped_spreadsheet(event)
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.start_import(path)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.monitor is not None:
            self.monitor.stop()
        self._stop_work()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/page", self.current_page())
        self.settings.sync()
        super().closeEvent(event)


def _dropped_spreadsheet(event: QDropEvent) -> Path | None:
    """The first local spreadsheet file among the dropped URLs, if any."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile():
            path = Path(url.toLocalFile())
            if is_spreadsheet(path):
                return path
    return None
