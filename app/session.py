"""Sessions: every panel's ``State`` in one versioned, human-readable JSON file.

Format 2 (this release) holds ``{"panels": {panel_id: state.to_dict()}}`` and loads through
``State.from_dict``, the same path as QSettings (``app.settings_store``). Format 1 files
(before panels had models: each panel's flat ``save_settings`` dict) still open: each panel's
values go through ``app.models.<panel_id>.migrate_legacy`` first (``app.migration``).

What is saved: the state of every panel (built panels live; the others from QSettings, if
stored), the visible panel and the language (for information: opening a session does not
switch the language, which would rebuild the window). Not saved, by decision: training state
(weights, curves, step counts): large, binary, tied to engine internals, and reproducible since
every panel is seeded.

Opening is all-or-nothing: the file is read and every panel's state validated (``StateError``
names the bad key) before anything is touched; if a panel still fails while applying, every
panel is put back as it was and ``SessionError`` says which panel refused.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from app import i18n
from app.i18n import tr
from app.migration import NoMigration, migrate
from app.settings_store import current_state, stored_dict
from app.version import app_version

FORMAT = "gradlab-session"
VERSION = 2
SUFFIX = ".gradlab.json"
MAX_BYTES = 5_000_000  # sessions are a few kB; a huge file is not one


class SessionError(ValueError):
    """A session file that cannot be opened; ``str(exc)`` is a message for the user."""


# ---- writing -----------------------------------------------------------------------------------
def capture(window) -> dict[str, Any]:
    """The session document for ``window`` (a ``MainWindow``)."""
    panels: dict[str, dict[str, Any]] = {}
    for panel_id in window.panel_ids():
        built = window.built_panel(panel_id)
        if built is not None:
            state = current_state(built)
            if state is not None:
                panels[panel_id] = state.to_dict()
        elif window.persist:
            stored = stored_dict(panel_id)
            if stored is not None:
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


# ---- reading -----------------------------------------------------------------------------------
def _load_json(path: Path) -> Any:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SessionError(tr("{path} is too large to be a GradLab session.").format(path=path.name))
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc
        raise SessionError(tr("Could not read {path}: {reason}").format(path=path, reason=reason)) from None
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SessionError(tr("{path} is not a GradLab session (not a text file).").format(path=path.name)) from None
    except json.JSONDecodeError as exc:
        raise SessionError(
            tr("{path} is damaged: invalid JSON at line {line}, column {column}.").format(
                path=path.name, line=exc.lineno, column=exc.colno)
        ) from None


def read(path: str | os.PathLike, known_panels=None) -> dict[str, Any]:
    """Read a session file and bring it to the current format; ``SessionError`` says what is wrong.

    The result's ``panels`` maps panel ids to ``State.from_dict`` dicts (format 1 migrated).
    Panels unknown to this GradLab (``known_panels``), or whose old settings it cannot migrate,
    are dropped and listed in ``skipped``: a session from a GradLab with another panel still opens.
    """
    path = Path(path)
    doc = _load_json(path)
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
    current = doc.get("current_panel")
    if current is not None and not isinstance(current, str):
        raise SessionError(tr("{path} is damaged: its current panel is not a name.").format(path=path.name))
    skipped = sorted(str(pid) for pid in panels if known_panels is not None and pid not in known_panels)
    out: dict[str, dict[str, Any]] = {}
    for pid, values in panels.items():
        pid = str(pid)
        if pid in skipped:
            continue
        if not isinstance(values, dict):
            raise SessionError(tr("{path} is damaged: the settings of panel {panel} are not a JSON object.").format(
                path=path.name, panel=pid))
        if version == 1:
            try:
                values = migrate(pid, values)
            except NoMigration:
                skipped.append(pid)
                continue
            except (ValueError, TypeError, KeyError) as exc:
                raise SessionError(tr("{path} is damaged: the setting {key} of panel {panel} is wrong ({reason}).").format(
                    path=path.name, key=getattr(exc, "key", "?"), panel=pid, reason=exc)) from None
        out[pid] = values
    language = doc.get("language")
    return {
        "format": FORMAT,
        "version": version,
        "app_version": str(doc.get("app_version", "")),
        "language": language if isinstance(language, str) and language in i18n.LANGUAGES else None,
        "current_panel": current if known_panels is None or current in known_panels else None,
        "panels": out,
        "skipped": sorted(skipped),
        "name": path.name,
    }


def states(window, doc: dict[str, Any]) -> dict[str, Any]:
    """Each panel's ``State`` from ``doc``, all validated before any is shown.

    Raises ``SessionError`` naming the panel and the key (``StateError.key``) of a bad value.
    """
    from app.models.base import StateError

    out = {}
    for pid, values in doc["panels"].items():
        current = current_state(window.panel(pid))
        if current is None:
            continue
        try:
            out[pid] = type(current).from_dict(values)
        except StateError as exc:
            raise SessionError(tr("{path} is damaged: the setting {key} of panel {panel} is wrong ({reason}).").format(
                path=doc.get("name", ""), key=exc.key or "?", panel=pid, reason=exc)) from None
    return out


def apply(window, doc: dict[str, Any]) -> None:
    """Apply a read document to ``window``; on any panel failure, put everything back.

    Raises ``SessionError`` (after the roll-back) naming the panel that refused its settings.
    """
    wanted = states(window, doc)
    targets = {pid: window.panel(pid) for pid in wanted}
    before = {pid: p.state() for pid, p in targets.items()}
    errors_before = {pid: p.last_error for pid, p in targets.items()}
    previous_panel = window.current_panel()
    failure = ""
    for pid, panel in targets.items():
        raised: list[str] = []

        def catch(message: str, raised=raised) -> None:
            raised.append(message)

        panel.errorOccurred.connect(catch)
        try:
            panel.apply_state(wanted[pid])
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
                panel.apply_state(before[pid])
            except Exception:  # noqa: BLE001 - best effort: the original state worked before
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
