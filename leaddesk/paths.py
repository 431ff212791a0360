"""Where LeadDesk keeps its files: one place, so tests and users can redirect it.

``LEADDESK_HOME`` moves every folder under one directory (tests point it at ``tmp_path``);
otherwise the platform's conventional user folders are used (platformdirs).
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import PlatformDirs

from leaddesk import APP_NAME

_DIRS = PlatformDirs(APP_NAME, appauthor=False)


def _home() -> Path | None:
    home = os.environ.get("LEADDESK_HOME")
    return Path(home) if home else None


def _folder(name: str, default: str) -> Path:
    home = _home()
    path = home / name if home else Path(default)
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    """User data: the default database lives here."""
    return _folder("data", _DIRS.user_data_dir)


def config_dir() -> Path:
    """User configuration (QSettings lives here when LEADDESK_HOME is set)."""
    return _folder("config", _DIRS.user_config_dir)


def log_dir() -> Path:
    """Crash reports and logs."""
    return _folder("logs", _DIRS.user_log_dir)


def backup_dir() -> Path:
    """Automatic backups (before migrations, undo, and daily)."""
    return _folder("backups", str(Path(_DIRS.user_data_dir) / "backups"))


def default_database() -> str:
    """The database to open when neither ``--db`` nor ``LEADDESK_DB`` says otherwise."""
    return os.environ.get("LEADDESK_DB") or str(data_dir() / "leaddesk.db")
