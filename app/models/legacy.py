"""Helpers for ``migrate_legacy``: reading what the old ``save_settings`` wrote, keeping what fits.

Before models existed some panels stored their settings as one JSON text under a key
("state"); a migration reads it back (``json_blob``) and keeps each converted top-level value
only if it validates on its own (``keep_valid``), so one garbage value costs that value, not
the whole panel's settings.
"""

from __future__ import annotations

import json

from app.models.base import StateError


def json_blob(values: dict, key: str = "state") -> dict:
    """``values[key]`` decoded (a JSON text or already a dict); {} if missing or unreadable."""
    raw = values.get(key)
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def keep_valid(state_cls, parts: dict) -> dict:
    """``state_cls.to_dict()`` of the defaults merged with every part of ``parts`` that
    validates by itself (the others keep their defaults)."""
    clean = {}
    for key, value in parts.items():
        try:
            state_cls.from_dict({key: value})
        except (StateError, TypeError, ValueError):
            continue
        clean[key] = value
    try:
        return state_cls.from_dict(clean).to_dict()
    except StateError:  # parts valid alone but not together: keep the defaults
        return state_cls.from_dict({}).to_dict()
