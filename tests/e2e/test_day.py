"""A user's first day, end to end, through the real main window.

Open LeadDesk on an empty database, import a small Excel contact list through File ▸ Import…
(the same code path as the menu: only the file dialog's answer is given), check the mapping,
import, then work three leads of the queue with the keyboard and check what the database
holds afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from PySide6.QtCore import QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from leaddesk.core.db import Database
from leaddesk.core.leads import get_lead, lead_count
from leaddesk.core.schema import Activity
from leaddesk.ui.gc_guard import GarbageCollector
from leaddesk.ui.main_window import MainWindow
from leaddesk.ui.workers import running_workers

CONTACTS = [
    ("Ada", "Lovelace", "ada@analytical.example", "+44 20 7946 0018", "Analytical Engines",
     "Chief Executive Officer", "United Kingdom"),
    ("Grace", "Hopper", "grace@cobol.example", "+1 202 555 0143", "Cobol Systems",
     "VP Engineering", "United States"),
    ("Alan", "Turing", "alan@bletchley.example", "+44 161 496 0321", "Bletchley Labs",
     "Head of Research", "GB"),
    ("Hedy", "Lamarr", "hedy@spread.example", "+49 30 901820", "Spread Spectrum GmbH",
     "Founder", "Germany"),
    ("Katherine", "Johnson", "katherine@orbit.example", "+1 757 555 0199", "Orbit Analytics",
     "Director of Operations", "USA"),
    ("Linus", "Torvalds", "linus@kernel.example", "+358 9 4242 4242", "Kernel Oy",
     "Software Engineer", "Finland"),
    ("Margaret", "Hamilton", "margaret@apollo.example", "+1 617 555 0110", "Apollo Software",
     "President", "US"),
    ("Tim", "Berners-Lee", "tim@web.example", "+44 20 7946 0999", "Web Foundation",
     "Chief Technology Officer", "UK"),
    ("Radia", "Perlman", "radia@spanning.example", "+1 408 555 0175", "Spanning Tree Inc",
     "Head of Networks", "United States"),
    ("Barbara", "Liskov", "barbara@clu.example", "+33 1 70 36 39 50", "CLU Conseil",
     "Directrice générale", "France"),
]  # fmt: skip

activities = Activity.__table__  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def gui_thread_workers(qtbot: QtBot) -> Iterator[None]:
    """As the app runs: garbage collected in the GUI thread; no worker left running."""
    collector = GarbageCollector().start()
    yield
    qtbot.waitUntil(lambda: running_workers() == 0, timeout=10_000)
    assert QThreadPool.globalInstance().waitForDone(10_000)
    collector.stop()


def contact_list(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Contacts"
    sheet.append(["First Name", "Last Name", "Email", "Phone", "Company", "Job Title", "Country"])
    for row in CONTACTS:
        sheet.append(list(row))
    book.save(path)
    return path


def test_a_day_import_then_three_calls(
    qtbot: QtBot,
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer_dialog: Callable[..., list[str]],
) -> None:
    window = MainWindow(db, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    assert window.outer.currentWidget() is window.welcome

    # File ▸ Import…: the user picks the workbook in the file dialog.
    path = contact_list(tmp_path / "contacts.xlsx")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(path), "Spreadsheets")
    )
    window.import_action.trigger()
    wizard = window.import_page
    qtbot.waitUntil(lambda: wizard.steps.currentIndex() == wizard.MAPPING)
    assert window.current_page() == "import"
    assert wizard.mapping() == {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email": "email",
        "Phone": "phone",
        "Company": "company",
        "Job Title": "job_title",
        "Country": "country",
    }
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.steps.currentIndex() == wizard.REVIEW)
    assert wizard.import_button.text() == "Import 10 leads"
    with qtbot.waitSignal(wizard.leads_changed, timeout=10_000):
        qtbot.mouseClick(wizard.import_button, Qt.MouseButton.LeftButton)
    assert wizard.steps.currentIndex() == wizard.SUMMARY
    assert wizard.stats["created"].text() == "10"
    assert wizard.stats["rejected"].text() == "0"
    assert window.count_label.text() == "10 leads"

    # To the queue with the keyboard (Ctrl+1), and work three leads: 1, 3, 7.
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    queue = window.queue_page
    assert window.current_page() == "queue"
    assert queue.model.rowCount() == 10
    qtbot.waitUntil(queue.list.hasFocus)
    worked = []
    for key in (Qt.Key.Key_1, Qt.Key.Key_3, Qt.Key.Key_7):
        entry = queue.current_entry()
        assert entry is not None
        worked.append(entry.lead_id)
        if key == Qt.Key.Key_3:
            answer_dialog()  # connected: accept the callback offered
        qtbot.keyClick(window.focusWidget(), key)
        qtbot.waitUntil(window.isActiveWindow)  # back from the callback question, if any
        current = queue.current_entry()
        assert current is not None
        assert current.lead_id != entry.lead_id  # the next lead is there at once
    assert queue.model.rowCount() == 7
    assert len(set(worked)) == 3

    # What the database holds now.
    with db.read() as conn:
        calls = conn.execute(
            sa.select(activities.c.lead_id, activities.c.outcome)
            .where(activities.c.kind == "call")
            .order_by(activities.c.id)
        ).all()
        leads = [get_lead(conn, lead_id) for lead_id in worked]
        assert lead_count(conn) == 10
    assert [(c.lead_id, c.outcome) for c in calls] == list(
        zip(worked, ["no-answer", "connected", "do-not-call"], strict=True)
    )
    assert all(lead["attempts"] == 1 for lead in leads)
    assert all(lead["last_contacted_at"] is not None for lead in leads)
    assert [lead["status"] for lead in leads] == ["contacted"] * 3
    assert leads[0]["next_follow_up_at"] is not None  # no answer: retry on the next working day
    assert [lead["do_not_call"] for lead in leads] == [False, False, True]
    assert queue.progress_text.text() == "3 of 50 calls made today"
