"""File ▸ Open session / Open recent / Save session as: the window's ``SessionMenu``.

The window builds its File menu and places this object's actions in it; this object owns the
actions, the recent list (kept in QSettings) and the path of the current session.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from app import session
from app.i18n import tr
from app.settings_store import settings

RECENT_KEY = "session/recent"
LAST_DIR_KEY = "session/last_dir"
MAX_RECENT = 8


def recent_sessions() -> list[str]:
    """Recently used session files, newest first; missing files are pruned (and forgotten)."""
    store = settings()
    value = store.value(RECENT_KEY, [])
    if isinstance(value, str):  # QSettings returns a one-item list as a plain string
        value = [value] if value else []
    paths = [str(p) for p in (value or []) if isinstance(p, str) and p]
    kept = [p for p in dict.fromkeys(paths) if Path(p).is_file()][:MAX_RECENT]
    if kept != paths:
        store.setValue(RECENT_KEY, kept)
    return kept


def add_recent(path) -> list[str]:
    """Put ``path`` first in the recent list (at most ``MAX_RECENT``); returns the list."""
    full = str(Path(path).resolve())
    paths = ([full] + [p for p in recent_sessions() if p != full])[:MAX_RECENT]
    store = settings()
    store.setValue(RECENT_KEY, paths)
    store.setValue(LAST_DIR_KEY, str(Path(full).parent))
    return paths


def clear_recent() -> None:
    settings().setValue(RECENT_KEY, [])


class SessionMenu(QObject):
    """``open_action`` (Ctrl+O), ``save_action`` (Ctrl+S), ``recent_menu``; ``current`` path."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.current = ""
        self.open_action = window.make_action(
            "actionOpenSession", tr("&Open session…"), self.open_dialog,
            [QKeySequence.StandardKey.Open], tr("Open a saved session: every panel's settings"))
        self.save_action = window.make_action(
            "actionSaveSession", tr("Save session &as…"), self.save_dialog,
            [QKeySequence.StandardKey.Save], tr("Save every panel's settings to a session file"))
        self.recent_menu = QMenu(tr("Open &recent"), window)
        self.recent_menu.setObjectName("recentSessionsMenu")
        self.recent_menu.aboutToShow.connect(self.fill_recent)
        self.fill_recent()

    def open_path(self, path: str) -> bool:
        """Open ``path``, telling the user what went wrong; True if it opened."""
        try:
            doc = session.open_session(self.window, path)
        except session.SessionError as exc:
            QMessageBox.warning(self.window, tr("Could not open session"), str(exc))
            return False
        add_recent(path)
        self.current = str(path)
        note = tr("Opened session {path}").format(path=Path(path).name)
        if doc["skipped"]:
            note += " " + tr("(skipped panels this GradLab does not have: {names})").format(
                names=", ".join(doc["skipped"]))
        self.window.statusBar().showMessage(note, 8000)
        return True

    def save_path(self, path: str) -> bool:
        try:
            session.save(self.window, path)
        except session.SessionError as exc:
            QMessageBox.warning(self.window, tr("Could not save session"), str(exc))
            return False
        add_recent(path)
        self.current = str(path)
        self.window.statusBar().showMessage(tr("Saved session {path}").format(path=Path(path).name), 8000)
        return True

    def _start_dir(self) -> str:
        return self.current or str(settings().value(LAST_DIR_KEY, "") or Path.home())

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, tr("Open session"), self._start_dir(), tr("GradLab sessions (*.json);;All files (*)"))
        if path:
            self.open_path(path)

    def save_dialog(self) -> None:
        start = self._start_dir()
        if Path(start).is_dir():
            start = str(Path(start) / f"session{session.SUFFIX}")
        path, _ = QFileDialog.getSaveFileName(self.window, tr("Save session as"), start, tr("GradLab sessions (*.json)"))
        if path:
            if not path.lower().endswith(".json"):
                path += session.SUFFIX
            self.save_path(path)

    def fill_recent(self) -> None:
        menu = self.recent_menu
        menu.clear()
        paths = recent_sessions()
        for i, path in enumerate(paths):
            action = QAction(f"&{i + 1} {Path(path).name}" if i < 9 else Path(path).name, menu)
            action.setObjectName(f"actionRecentSession_{i}")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
            menu.addAction(action)
        if not paths:
            menu.addAction(tr("No recent sessions")).setEnabled(False)
        else:
            menu.addSeparator()
            menu.addAction(tr("Clear recent sessions"), clear_recent).setObjectName("actionClearRecentSessions")
