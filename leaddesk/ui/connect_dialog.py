"""File ▸ Connect to team database…: where the shared PostgreSQL database is and how to log in.

The dialog only asks and shows. ``core.credentials.connect`` opens the database on a worker
thread (a server can take seconds to answer) and keeps or forgets the password in the system
keyring as the user chose; what LeadDesk remembers of the connection is its URL, never the
password.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from leaddesk.core.credentials import (
    DEFAULT_PORT,
    SERVICE,
    TLS_MODES,
    VERIFYING_MODES,
    Connected,
    TeamDatabase,
    connect,
    find_password,
    keyring_problem,
    split_password,
)
from leaddesk.core.db import Database, LoginRefusedError
from leaddesk.core.errors import CancelledError, LeadDeskError
from leaddesk.ui import dialogs, theme
from leaddesk.ui.predictive.problem_label import ProblemLabel
from leaddesk.ui.workers import Worker, call_job

KEYRING_TIP = (
    "The password is kept in this computer's system keyring (Keychain on macOS, Credential "
    f"Manager on Windows, GNOME Keyring or KWallet on Linux) under “{SERVICE}”, locked with "
    "your login. LeadDesk's own settings never hold it. Untick to have it forgotten."
)
CA_FILES = "Certificates (*.crt *.pem *.cer);;All files (*)"


class ConnectDialog(QDialog):
    """The server's address, the login, and the encryption; Connect tries them off the GUI
    thread and either emits ``connected(Database)`` and closes, or says what went wrong."""

    connected = Signal(object)

    def __init__(
        self, url: str | None = None, parent: QWidget | None = None, *, cancel_text: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to a team database")
        self.database: Database | None = None
        self._worker: Worker | None = None
        self._build_fields()
        self._build_layout(cancel_text)
        if url:
            self._fill(url)
        self._show_encryption()
        self._update()
        self.adjustSize()
        self.setMinimumWidth(self.width())

    # -- layout ----------------------------------------------------------------------------
    def _build_fields(self) -> None:
        self.host = QLineEdit()
        self.host.setPlaceholderText("db.example.com")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.port.setGroupSeparatorShown(False)
        self.database_name = QLineEdit()
        self.database_name.setPlaceholderText("leaddesk")
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox("Remember the password in the system keyring")
        self.remember.setToolTip(KEYRING_TIP)
        problem = keyring_problem()
        self._keyring_usable = problem is None
        self.keyring_note = theme.muted(problem or "")
        self.keyring_note.setHidden(self._keyring_usable)
        self.remember.setEnabled(self._keyring_usable)
        self.tls = QComboBox()
        for mode in TLS_MODES:
            self.tls.addItem(mode.label, mode.sslmode)
            self.tls.setItemData(
                self.tls.count() - 1, mode.explanation, Qt.ItemDataRole.ToolTipRole
            )
        self.tls_explanation = theme.muted()
        self.ca_file = QLineEdit()
        self.ca_file.setPlaceholderText("The CA certificate you were given (.crt or .pem)")
        self.ca_button = QPushButton("Choose…")
        self.ca_button.clicked.connect(self.choose_ca_file)
        self.ca_row = _side_by_side(self.ca_file, self.ca_button)
        self.ca_label = QLabel("CA certificate")
        self.problem = ProblemLabel()
        self.busy_text = theme.muted()
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # no steps to count: it moves while the server answers
        self.busy_bar.setMaximumHeight(8)
        self.busy_bar.setTextVisible(False)
        self.busy = QWidget()
        busy = QVBoxLayout(self.busy)
        busy.setContentsMargins(0, 0, 0, 0)
        busy.addWidget(self.busy_text)
        busy.addWidget(self.busy_bar)
        self.busy.hide()

    def _build_layout(self, cancel_text: str) -> None:
        intro = theme.muted(
            "A team shares one PostgreSQL database. Whoever runs it can tell you its address, "
            "its name, and your user name."
        )
        intro.setMinimumWidth(440)
        form = QGridLayout()  # QFormLayout gives wrapped notes too much height
        form.setColumnStretch(1, 1)
        rows: list[tuple[QLabel | str, QWidget]] = [
            ("Server", _side_by_side(self.host, QLabel("Port"), self.port)),
            ("Database", self.database_name),
            ("User name", self.user),
            ("Password", self.password),
            ("", self.remember),
            ("", self.keyring_note),
            ("Encryption", self.tls),
            ("", self.tls_explanation),
            (self.ca_label, self.ca_row),
        ]
        for row, (label, field) in enumerate(rows):
            if label:
                form.addWidget(label if isinstance(label, QLabel) else QLabel(label), row, 0)
            form.addWidget(field, row, 1)
        buttons = QDialogButtonBox()
        self.connect_button = buttons.addButton("Connect", QDialogButtonBox.ButtonRole.AcceptRole)
        self.connect_button.setDefault(True)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        if cancel_text:
            cancel.setText(cancel_text)
        buttons.accepted.connect(self.try_connect)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        # Parts appear and go (the CA file, a problem, the busy bar): the dialog is resized to
        # fit, rather than have its minimum follow, which platforms are not always told of.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.busy)
        layout.addWidget(buttons)
        for edit in (self.host, self.database_name, self.user):
            edit.textChanged.connect(self._update)
        self.tls.currentIndexChanged.connect(self._show_encryption)

    def _fill(self, url: str) -> None:
        """The fields of a known team database, and its password if the user gave it."""
        team = TeamDatabase.from_url(url)
        self.host.setText(team.host)
        self.port.setValue(team.port)
        self.database_name.setText(team.database)
        self.user.setText(team.user)
        self.tls.setCurrentIndex(max(self.tls.findData(team.sslmode), 0))
        self.ca_file.setText(team.sslrootcert)
        password = find_password(url)
        self.password.setText(password or "")
        typed = split_password(url)[1] is not None
        self.remember.setChecked(self._keyring_usable and password is not None and not typed)

    def _update(self) -> None:
        complete = all(e.text().strip() for e in (self.host, self.database_name, self.user))
        self.connect_button.setEnabled(complete and self._worker is None)

    def _show_encryption(self) -> None:
        """What the chosen encryption means, and the CA file for the modes that need one."""
        mode = TLS_MODES[self.tls.currentIndex()]
        self.tls_explanation.setText(mode.explanation)
        verifying = mode.sslmode in VERIFYING_MODES
        self.ca_label.setVisible(verifying)
        self.ca_row.setVisible(verifying)
        self._fit()

    def _fit(self) -> None:
        """Take the height what is shown now needs, at the width the user left."""
        layout = self.layout()
        assert layout is not None
        layout.activate()
        self.resize(self.width(), layout.totalHeightForWidth(self.width()))

    # -- reading the fields ----------------------------------------------------------------
    def team_database(self) -> TeamDatabase:
        return TeamDatabase(
            host=self.host.text().strip(),
            database=self.database_name.text().strip(),
            user=self.user.text().strip(),
            port=self.port.value(),
            sslmode=str(self.tls.currentData()),
            sslrootcert=self.ca_file.text().strip(),
        )

    def url(self) -> str:
        """The URL to connect to and remember: it never holds the password."""
        return self.team_database().url()

    # -- actions ---------------------------------------------------------------------------
    def choose_ca_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "The server's CA certificate", self.ca_file.text(), CA_FILES
        )
        if name:
            self.ca_file.setText(name)

    def try_connect(self) -> None:
        """Connect on the thread pool; the window stays responsive meanwhile."""
        if not self.connect_button.isEnabled():
            return
        team = self.team_database()
        job = partial(connect, team.url(), self.password.text(), remember=self.remember.isChecked())
        worker = Worker(call_job(job, f"Connecting to {team.host}…"))
        worker.signals.finished.connect(self._connected)
        worker.signals.failed.connect(self._failed)
        self._set_busy(worker.start(), f"Connecting to {team.host}:{team.port}…")

    def _set_busy(self, worker: Worker | None, text: str = "") -> None:
        self._worker = worker
        self.busy_text.setText(text)
        self.busy.setVisible(worker is not None)
        for widget in (self.host, self.port, self.database_name, self.user, self.password,
                       self.tls, self.ca_row):  # fmt: skip
            widget.setEnabled(worker is None)
        self.remember.setEnabled(worker is None and self._keyring_usable)
        if worker is not None:
            self.problem.show_problem("")
        self._update()
        self._fit()

    def _connected(self, result: Connected) -> None:
        self._set_busy(None)
        self.database = result.db
        self.connected.emit(result.db)
        self.accept()
        if result.keyring_note:
            dialogs.show_problem(result.keyring_note, self.parentWidget())

    def _failed(self, error: object) -> None:
        self._set_busy(None)
        if isinstance(error, CancelledError):
            return
        if not isinstance(error, LeadDeskError):
            assert isinstance(error, BaseException)
            dialogs.report(error, self)  # a bug: logged and reported
            return
        self.problem.show_problem(str(error))
        if isinstance(error, LoginRefusedError):
            self.password.setFocus()
            self.password.selectAll()
        self._fit()

    def reject(self) -> None:
        """Cancel. A connection already on its way cannot be stopped: it is closed on arrival."""
        if self._worker is not None:
            self._worker.signals.finished.disconnect(self._connected)
            self._worker.signals.finished.connect(_close_unwanted)
            self._worker.cancel()
            self._set_busy(None)
        super().reject()


def _side_by_side(first: QWidget, *others: QWidget) -> QWidget:
    """``first`` taking the room left by ``others``, in one row of a form."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(first, 1)
    for widget in others:
        layout.addWidget(widget)
    return row


def _close_unwanted(result: Connected) -> None:
    result.db.close()


def connect_at_start(url: str) -> Database | None:
    """The team database LeadDesk starts on: connect at once when its password is known, else
    ask for it with the rest filled in. None if the user would rather open their own database.
    """
    dialog = ConnectDialog(url, cancel_text="Open my own database")
    if dialog.password.text():
        dialog.try_connect()
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    dialog.deleteLater()
    return dialog.database if accepted else None
