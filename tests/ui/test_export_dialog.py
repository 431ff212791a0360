"""The export dialog: the choices it offers, and the file it returns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from leaddesk.ui.export_dialog import ExportChoice, ExportCounts, ExportDialog, ask_export

COUNTS = ExportCounts(
    all=12_408, shown=312, shown_in_words="status new; tier Hot", selected=0, queue=40
)


def dialog(qtbot: QtBot, counts: ExportCounts = COUNTS, folder: Path | None = None) -> Any:
    shown = ExportDialog(counts, folder)
    qtbot.addWidget(shown)
    return shown


def answer_file(monkeypatch: pytest.MonkeyPatch, name: str, file_type: str = "") -> list[Any]:
    asked: list[Any] = []

    def fake(*args: Any) -> tuple[str, str]:
        asked.append(args)
        return name, file_type

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake)
    return asked


def test_the_choices_say_how_many_leads_each_holds(qtbot: QtBot) -> None:
    shown = dialog(qtbot)
    texts = {scope: button.text() for scope, button in shown.buttons.items()}
    assert texts == {
        "all": "All leads (12,408)",
        "shown": "The leads shown (312: status new; tier Hot)",
        "selected": "The selected leads (0)",
        "queue": "Today's call queue (40)",
    }
    assert not shown.buttons["selected"].isEnabled()
    assert shown.scope() == "shown"  # nothing is selected
    assert not shown.ok.isEnabled()  # no file yet
    assert shown.choice() is None


def test_a_selection_is_offered_first(qtbot: QtBot) -> None:
    shown = dialog(qtbot, ExportCounts(10, 10, "all leads", 3, 0))
    assert shown.scope() == "selected"
    assert not shown.buttons["queue"].isEnabled()


def test_the_chosen_file_and_scope_come_back(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = answer_file(monkeypatch, str(tmp_path / "hot leads.csv"))
    shown = dialog(qtbot, folder=tmp_path)
    shown.buttons["all"].setChecked(True)
    qtbot.mouseClick(shown.browse, Qt.MouseButton.LeftButton)

    assert asked[0][2] == str(tmp_path / "leads.xlsx")
    assert shown.ok.isEnabled()
    assert shown.choice() == ExportChoice("all", tmp_path / "hot leads.csv")


def test_the_file_type_picked_gives_a_missing_extension(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_file(monkeypatch, str(tmp_path / "calls"), "CSV file, UTF-8 (*.csv)")
    shown = dialog(qtbot, folder=tmp_path)
    shown.buttons["queue"].setChecked(True)
    shown.choose_file()
    assert shown.choice() == ExportChoice("queue", tmp_path / "calls.csv")

    shown.path_edit.setText(str(tmp_path / "typed.txt"))
    assert shown.path() == tmp_path / "typed.txt.xlsx"


def test_cancelling_the_file_dialog_keeps_the_file(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = dialog(qtbot)
    shown.path_edit.setText(str(tmp_path / "kept.xlsx"))
    answer_file(monkeypatch, "")
    shown.choose_file()
    assert shown.path() == tmp_path / "kept.xlsx"


def test_ask_export_returns_the_choice_or_none(qtbot: QtBot, tmp_path: Path) -> None:
    def press(accept: bool) -> None:
        def respond() -> None:
            modal = QApplication.activeModalWidget()
            if not isinstance(modal, ExportDialog):
                QTimer.singleShot(10, respond)
                return
            modal.path_edit.setText(str(tmp_path / "out.xlsx"))
            modal.accept() if accept else modal.reject()

        QTimer.singleShot(0, respond)

    press(accept=True)
    assert ask_export(None, COUNTS, tmp_path) == ExportChoice("shown", tmp_path / "out.xlsx")
    press(accept=False)
    assert ask_export(None, COUNTS, tmp_path) is None
