"""The app's QSettings store and the panels' states in it (a leaf: nothing of app.* but models).

Each built panel's ``panel.state().to_dict()`` is kept as one JSON string under
``panels/<panel_id>``; restoring goes through ``State.from_dict``, so a stored value that no
longer fits (an older release, a hand edit) is dropped with a warning instead of crashing the
start-up. Tests redirect the store to a temporary folder (tests/conftest.py).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from PySide6.QtCore import QSettings

ORGANIZATION = APPLICATION = "GradLab"
PANEL_GROUP = "panels"

log = logging.getLogger(__name__)


def settings() -> QSettings:
    """The app's settings store (QSettings "GradLab"/"GradLab")."""
    return QSettings(ORGANIZATION, APPLICATION)


def panel_key(panel_id: str) -> str:
    return f"{PANEL_GROUP}/{panel_id}"


def current_state(panel):
    """The panel's ``State``, or None for a panel without a model (nothing to persist)."""
    try:
        return panel.state()
    except NotImplementedError:
        return None


def stored_dict(panel_id: str, store: QSettings | None = None) -> dict[str, Any] | None:
    """The JSON dict stored for ``panel_id`` (None if absent or not a JSON object)."""
    store = store or settings()
    raw = store.value(panel_key(panel_id))
    if raw is None:
        return None
    try:
        value = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        value = None
    if not isinstance(value, dict):
        log.warning("dropped the stored settings of the %s panel: not a JSON object", panel_id)
        store.remove(panel_key(panel_id))
        return None
    return value


def save_panel(panel, store: QSettings | None = None) -> None:
    """Store ``panel.state().to_dict()`` as JSON under ``panels/<panel_id>``."""
    state = current_state(panel)
    if state is not None:
        (store or settings()).setValue(panel_key(panel.panel_id), json.dumps(state.to_dict()))


def legacy_dict(panel_id: str, store: QSettings) -> dict[str, Any] | None:
    """What the release before models stored for ``panel_id`` (group ``<panel_id>/``), migrated.

    The old group is removed either way: it is read once, at the first start after the update.
    """
    from app.migration import NoMigration, migrate

    store.beginGroup(panel_id)
    try:
        values = {key: store.value(key) for key in store.allKeys()}
    finally:
        store.endGroup()
    if not values:
        return None
    store.remove(panel_id)
    try:
        return migrate(panel_id, values)
    except NoMigration:
        return None
    except (ValueError, TypeError, KeyError) as exc:
        log.warning("dropped the old settings of the %s panel: %s", panel_id, exc)
        return None


def restore_panel(panel, store: QSettings | None = None) -> bool:
    """Show the stored state in ``panel``; a bad stored value is dropped with a warning. True if applied."""
    from app.models.base import StateError

    store = store or settings()
    data = stored_dict(panel.panel_id, store)
    if data is None:
        data = legacy_dict(panel.panel_id, store)
    state = current_state(panel) if data is not None else None
    if state is None:
        return False
    try:
        restored = type(state).from_dict(data)
    except StateError as exc:
        log.warning("dropped the stored settings of the %s panel: %s", panel.panel_id, exc)
        store.remove(panel_key(panel.panel_id))
        return False
    panel.apply_state(restored)
    return True


# ---- exercise progress (issue #12): id → "right" | "wrong", one JSON object ------------------------
EXERCISE_KEY = "exercises/progress"


def exercise_progress(store: QSettings | None = None) -> dict[str, str]:
    """Each answered exercise's last result, "right" or "wrong" (a bad stored value counts as none)."""
    raw = (store or settings()).value(EXERCISE_KEY)
    try:
        value = json.loads(raw) if isinstance(raw, str) else {}
    except ValueError:
        value = {}
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if v in ("right", "wrong")}


def save_exercise_result(exercise_id: str, right: bool, store: QSettings | None = None) -> None:
    """Keep the result of the last answer to ``exercise_id``."""
    store = store or settings()
    progress = exercise_progress(store)
    progress[exercise_id] = "right" if right else "wrong"
    store.setValue(EXERCISE_KEY, json.dumps(progress))


def reset_exercise_progress(store: QSettings | None = None) -> None:
    (store or settings()).remove(EXERCISE_KEY)


ZOOM_KEY = "view/zoom"


def stored_zoom(store: QSettings | None = None) -> float:
    """The zoom last chosen (1.0 if none, or if the stored value is bad)."""
    from app.models.presentation import clamp_zoom

    return clamp_zoom((store or settings()).value(ZOOM_KEY, 1.0))


def save_zoom(zoom: float, store: QSettings | None = None) -> None:
    (store or settings()).setValue(ZOOM_KEY, float(zoom))
