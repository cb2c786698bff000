"""Sessions: every panel's settings in one versioned, human-readable JSON file.

A session reuses each panel's own ``save_settings`` / ``restore_settings`` through
``DictSettings``, a dict-backed stand-in for the two QSettings calls panels make
(``setValue``/``value``), so a panel persists the same way to QSettings and to a session file.
Values that are JSON objects encoded as strings (most panels store ``"state": json.dumps(...)``)
are written expanded, so the file reads as nested JSON rather than escaped strings.

What is saved: the settings of every panel (built panels live; panels not opened in this run
from the app's QSettings, if any), the visible panel and the language (for information only:
opening a session does not switch the language, which would rebuild the window).

What is *not* saved, by decision: training state (weights, optimizer buffers, curves, step
counts). Those are large, binary and
reproducible — every panel is seeded, so re-running the saved settings reproduces the run — and
they would tie the file format to engine internals. A session therefore restores the set-up,
and the panel recomputes from it.

Opening is all-or-nothing: the file is read and validated completely before anything is
touched (a corrupt, foreign or newer-version file raises ``SessionError`` with a message for
the user); then each panel's current settings are captured, the new ones applied, and if any
panel raises or reports an error while applying them, every panel is put back as it was.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from app import i18n
from app.i18n import tr

FORMAT = "gradlab-session"
VERSION = 1
SUFFIX = ".gradlab.json"
MAX_BYTES = 5_000_000  # sessions are a few kB; a huge file is not one
RECENT_KEY = "session/recent"
LAST_DIR_KEY = "session/last_dir"
MAX_RECENT = 8


def app_version() -> str:
    """GradLab's version (installed metadata, else pyproject's default)."""
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("gradlab")
    except (ImportError, PackageNotFoundError):
        return "0.1.0"


class SessionError(ValueError):
    """A session file that cannot be opened; ``str(exc)`` is a message for the user."""


# ---- a dict that panels can use as their QSettings ----------------------------------------------
class DictSettings:
    """The subset of ``QSettings`` panels use, backed by a plain dict (``data``).

    Keys inside ``beginGroup("a")`` are stored as ``"a/key"`` like QSettings does.
    """

    def __init__(self, data: dict[str, Any] | None = None):
        self.data: dict[str, Any] = dict(data or {})
        self._groups: list[str] = []

    def _key(self, key: str) -> str:
        return "/".join([*self._groups, str(key)])

    def beginGroup(self, prefix: str) -> None:  # noqa: N802 - QSettings naming
        self._groups.append(str(prefix).strip("/"))

    def endGroup(self) -> None:  # noqa: N802
        if self._groups:
            self._groups.pop()

    def group(self) -> str:
        return "/".join(self._groups)

    def setValue(self, key: str, value: Any) -> None:  # noqa: N802
        self.data[self._key(key)] = value

    def value(self, key: str, defaultValue: Any = None, type: Any = None) -> Any:  # noqa: N803, A002
        value = self.data.get(self._key(key), defaultValue)
        if type is not None and value is not None:
            try:
                return bool(value) if type is bool and not isinstance(value, str) else type(value)
            except (TypeError, ValueError):
                return defaultValue
        return value

    def contains(self, key: str) -> bool:
        return self._key(key) in self.data

    def remove(self, key: str) -> None:
        full = self._key(key)
        for k in [k for k in self.data if k == full or k.startswith(full + "/")]:
            del self.data[k]

    def allKeys(self) -> list[str]:  # noqa: N802
        prefix = self.group() + "/" if self._groups else ""
        return [k[len(prefix):] for k in self.data if k.startswith(prefix)]

    childKeys = allKeys  # noqa: N815 - flat enough for panels

    def sync(self) -> None:
        """Nothing to flush (QSettings API)."""


# ---- panel settings <-> JSON -------------------------------------------------------------------
def _to_json(value: Any) -> Any:
    """A JSON-friendly form of one settings value (JSON-object strings are expanded)."""
    if isinstance(value, str):
        if value.startswith("{"):
            try:
                decoded = json.loads(value)
            except ValueError:
                return value
            if isinstance(decoded, dict):
                return decoded
        return value
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    return str(value)


def _from_json(value: Any) -> Any:
    """Inverse of ``_to_json``: an expanded object goes back to the JSON string the panel wrote."""
    if isinstance(value, dict):
        return json.dumps(value)
    return value


def capture_panel(panel) -> dict[str, Any]:
    """The panel's settings as a JSON-friendly dict (through its own ``save_settings``)."""
    store = DictSettings()
    panel.save_settings(store)
    return {key: _to_json(value) for key, value in store.data.items()}


def apply_panel(panel, values: dict[str, Any]) -> None:
    """Restore the panel from ``values`` (through its own ``restore_settings``)."""
    panel.restore_settings(DictSettings({key: _from_json(v) for key, v in values.items()}))


def _stored_panel(panel_id: str) -> dict[str, Any]:
    """What the app's QSettings hold for a panel not built in this run (may be empty)."""
    from app.main_window import settings

    store = settings()
    store.beginGroup(panel_id)
    try:
        return {key: _to_json(store.value(key)) for key in store.allKeys()}
    finally:
        store.endGroup()


# ---- the document ------------------------------------------------------------------------------
def capture(window) -> dict[str, Any]:
    """The session document for ``window`` (a ``MainWindow``)."""
    built = dict(window._panels)
    panels: dict[str, dict[str, Any]] = {}
    for panel_id in window.panel_ids():
        if panel_id in built:
            panels[panel_id] = capture_panel(built[panel_id])
        elif window.persist:
            stored = _stored_panel(panel_id)
            if stored:
                panels[panel_id] = stored
    current = window.current_panel()
    return {
        "format": FORMAT,
        "version": VERSION,
        "app_version": app_version(),
        "language": i18n.language(),
        "current_panel": current.panel_id if current is not None else None,
        "panels": panels,
    }


def dumps(doc: Any, indent: int = 0) -> str:
    """JSON with one key per line but short lists of numbers on one line (easier to read)."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    flat = json.dumps(doc, ensure_ascii=False)
    nested = isinstance(doc, dict) and any(isinstance(v, (dict, list)) for v in doc.values())
    if isinstance(doc, dict) and indent > 1 and len(flat) <= 72 and not nested:
        return flat
    if isinstance(doc, dict) and doc:
        body = ",\n".join(f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {dumps(v, indent + 1)}"
                          for k, v in doc.items())
        return "{\n" + body + "\n" + pad + "}"
    if isinstance(doc, list) and doc and any(isinstance(v, (dict, list)) for v in doc):
        return "[\n" + ",\n".join(inner + dumps(v, indent + 1) for v in doc) + "\n" + pad + "]"
    return flat


def save(window, path: str | os.PathLike) -> Path:
    """Write ``window``'s session to ``path`` (atomically: a temporary file, then a rename)."""
    path = Path(path)
    text = dumps(capture(window)) + "\n"
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        reason = exc.strerror or exc
        raise SessionError(tr("Could not write {path}: {reason}").format(path=path, reason=reason)) from None
    return path


def _check_values(name: str, panel_id: str, values: Any) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise SessionError(tr("{path} is damaged: the settings of panel {panel} are not a JSON object.").format(
            path=name, panel=panel_id))

    def ok(v: Any) -> bool:
        if v is None or isinstance(v, (str, bool, int, float)):
            return True
        if isinstance(v, list):
            return all(ok(x) for x in v)
        if isinstance(v, dict):
            return all(isinstance(k, str) for k in v)
        return False

    for key, value in values.items():
        if not isinstance(key, str) or not ok(value):
            raise SessionError(tr("{path} is damaged: the setting {key} of panel {panel} has an unreadable value.")
                               .format(path=name, key=key, panel=panel_id))
    return values


def read(path: str | os.PathLike, known_panels=None) -> dict[str, Any]:
    """Read and fully validate a session file; ``SessionError`` says what is wrong.

    Panels unknown to this GradLab (``known_panels``) are dropped, not refused: a session made
    where an optional panel was installed still opens here.
    """
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SessionError(tr("{path} is too large to be a GradLab session.").format(path=path.name))
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc
        raise SessionError(tr("Could not read {path}: {reason}").format(path=path, reason=reason)) from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SessionError(tr("{path} is not a GradLab session (not a text file).").format(path=path.name)) from None
    except json.JSONDecodeError as exc:
        raise SessionError(
            tr("{path} is damaged: invalid JSON at line {line}, column {column}.").format(
                path=path.name, line=exc.lineno, column=exc.colno)
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SessionError(tr("{path} is not a GradLab session file.").format(path=path.name))
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SessionError(tr("{path} is damaged: its version is missing or invalid.").format(path=path.name))
    if version > VERSION:
        raise SessionError(
            tr("{path} was saved by a newer GradLab ({app}, session format {version}); this GradLab reads "
               "format {supported}. Please update GradLab.").format(
                path=path.name, app=doc.get("app_version", "?"), version=version, supported=VERSION)
        )
    panels = doc.get("panels")
    if not isinstance(panels, dict):
        raise SessionError(tr("{path} is damaged: it has no panel settings.").format(path=path.name))
    checked = {str(pid): _check_values(path.name, str(pid), values) for pid, values in panels.items()}
    skipped = sorted(pid for pid in checked if known_panels is not None and pid not in known_panels)
    current = doc.get("current_panel")
    if current is not None and not isinstance(current, str):
        raise SessionError(tr("{path} is damaged: its current panel is not a name.").format(path=path.name))
    language = doc.get("language")
    if not isinstance(language, str) or language not in i18n.LANGUAGES:
        language = None
    return {
        "format": FORMAT,
        "version": version,
        "app_version": str(doc.get("app_version", "")),
        "language": language,
        "current_panel": current if known_panels is None or current in known_panels else None,
        "panels": {pid: v for pid, v in checked.items() if pid not in skipped},
        "skipped": skipped,
    }


def apply(window, doc: dict[str, Any]) -> None:
    """Apply a validated document to ``window``; on any panel failure, put everything back.

    Raises ``SessionError`` (after the roll-back) naming the panel that refused its settings.
    """
    targets = {pid: window.panel(pid) for pid in doc["panels"]}
    before = {pid: capture_panel(p) for pid, p in targets.items()}
    errors_before = {pid: p.last_error for pid, p in targets.items()}
    previous_panel = window.current_panel()
    failure = ""
    for pid, panel in targets.items():
        raised: list[str] = []

        def catch(message: str, raised=raised) -> None:
            raised.append(message)

        panel.errorOccurred.connect(catch)
        try:
            apply_panel(panel, doc["panels"][pid])
        except Exception as exc:  # noqa: BLE001 - any panel failure means roll back
            raised.append(str(exc) or type(exc).__name__)
        finally:
            panel.errorOccurred.disconnect(catch)
        if raised:
            failure = tr("The {panel} panel could not use its settings: {reason}").format(
                panel=tr(panel.title or pid), reason=raised[0])
            break
    if failure:
        for pid, panel in targets.items():
            try:
                apply_panel(panel, before[pid])
            except Exception:  # noqa: BLE001 - best effort: the original settings worked before
                pass
            if errors_before[pid]:
                panel.show_error(errors_before[pid])
            else:
                panel.clear_error()
        if previous_panel is not None:
            window.show_panel(previous_panel.panel_id)
        raise SessionError(failure)
    if doc.get("current_panel") in window.panel_ids():
        window.show_panel(doc["current_panel"])


def open_session(window, path: str | os.PathLike) -> dict[str, Any]:
    """Read, validate and apply ``path``; raises ``SessionError`` and then changes nothing."""
    doc = read(path, known_panels=set(window.panel_ids()))
    apply(window, doc)
    return doc


# ---- recent sessions ---------------------------------------------------------------------------
def _store():
    from app.main_window import settings

    return settings()


def recent_sessions() -> list[str]:
    """Recently used session files, newest first; missing files are pruned (and forgotten)."""
    store = _store()
    value = store.value(RECENT_KEY, [])
    if isinstance(value, str):  # QSettings returns a one-item list as a plain string
        value = [value] if value else []
    paths = [str(p) for p in (value or []) if isinstance(p, str) and p]
    kept = [p for p in dict.fromkeys(paths) if Path(p).is_file()][:MAX_RECENT]
    if kept != paths:
        store.setValue(RECENT_KEY, kept)
    return kept


def add_recent(path: str | os.PathLike) -> list[str]:
    """Put ``path`` first in the recent list (at most ``MAX_RECENT``); returns the list."""
    full = str(Path(path).resolve())
    paths = [full] + [p for p in recent_sessions() if p != full]
    paths = paths[:MAX_RECENT]
    store = _store()
    store.setValue(RECENT_KEY, paths)
    store.setValue(LAST_DIR_KEY, str(Path(full).parent))
    return paths


def clear_recent() -> None:
    _store().setValue(RECENT_KEY, [])


# ---- menu actions ------------------------------------------------------------------------------
def _warn(window, title: str, message: str) -> None:
    QMessageBox.warning(window, title, message)


def open_path(window, path: str) -> bool:
    """Open ``path`` in ``window``, telling the user what went wrong; True if it opened."""
    try:
        doc = open_session(window, path)
    except SessionError as exc:
        _warn(window, tr("Could not open session"), str(exc))
        return False
    add_recent(path)
    window.current_session = str(path)
    note = tr("Opened session {path}").format(path=Path(path).name)
    if doc["skipped"]:
        note += " " + tr("(skipped panels this GradLab does not have: {names})").format(names=", ".join(doc["skipped"]))
    window.statusBar().showMessage(note, 8000)
    return True


def save_path(window, path: str) -> bool:
    try:
        save(window, path)
    except SessionError as exc:
        _warn(window, tr("Could not save session"), str(exc))
        return False
    add_recent(path)
    window.current_session = str(path)
    window.statusBar().showMessage(tr("Saved session {path}").format(path=Path(path).name), 8000)
    return True


def _start_dir(window) -> str:
    current = getattr(window, "current_session", "")
    if current:
        return current
    return str(_store().value(LAST_DIR_KEY, "") or Path.home())


def open_dialog(window) -> None:
    path, _ = QFileDialog.getOpenFileName(
        window, tr("Open session"), _start_dir(window),
        tr("GradLab sessions (*.json);;All files (*)"),
    )
    if path:
        open_path(window, path)


def save_dialog(window) -> None:
    start = _start_dir(window)
    if Path(start).is_dir():
        start = str(Path(start) / f"session{SUFFIX}")
    path, _ = QFileDialog.getSaveFileName(
        window, tr("Save session as"), start, tr("GradLab sessions (*.json)"))
    if path:
        if not path.lower().endswith(".json"):
            path += SUFFIX
        save_path(window, path)


def _fill_recent(window, menu: QMenu) -> None:
    menu.clear()
    paths = recent_sessions()
    for i, path in enumerate(paths):
        label = f"&{i + 1} {Path(path).name}" if i < 9 else Path(path).name
        action = menu.addAction(label)
        action.setObjectName(f"actionRecentSession_{i}")
        action.setToolTip(path)
        action.setStatusTip(path)
        action.triggered.connect(lambda _=False, p=path: open_path(window, p))
    if not paths:
        none = menu.addAction(tr("No recent sessions"))
        none.setEnabled(False)
    else:
        menu.addSeparator()
        menu.addAction(tr("Clear recent sessions"), clear_recent).setObjectName("actionClearRecentSessions")


def find_menu(window, action):
    """The menu-bar menu containing ``action`` (menus are found by content, not by their text)."""
    for top in window.menuBar().actions():
        menu = top.menu()
        if menu is not None and action in menu.actions():
            return menu
    return None


def install(window) -> None:
    """Add Open session… (Ctrl+O), Save session as… (Ctrl+S) and Recent to the File menu."""
    window.current_session = ""
    window.actionOpenSession = window._action(
        "actionOpenSession", tr("&Open session…"), lambda: open_dialog(window),
        [QKeySequence.StandardKey.Open], tr("Open a saved session: every panel's settings"),
    )
    window.actionSaveSession = window._action(
        "actionSaveSession", tr("Save session &as…"), lambda: save_dialog(window),
        [QKeySequence.StandardKey.Save], tr("Save every panel's settings to a session file"),
    )
    file_menu = find_menu(window, window.actionQuit)
    first = file_menu.actions()[0] if file_menu.actions() else None
    file_menu.insertAction(first, window.actionOpenSession)
    recent = QMenu(tr("Open &recent"), file_menu)
    recent.setObjectName("recentSessionsMenu")
    recent.aboutToShow.connect(lambda: _fill_recent(window, recent))
    file_menu.insertMenu(first, recent)
    file_menu.insertAction(first, window.actionSaveSession)
    file_menu.insertSeparator(first)
    window.recent_sessions_menu = recent
    _fill_recent(window, recent)
