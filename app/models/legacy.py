"""Shared help for ``migrate_legacy``: keep what an old settings dict holds that still fits.

Old QSettings / session values arrive as strings, numbers or garbage. A migration converts
what it recognises and then keeps, key by key, only what the new ``State`` accepts, so one bad
old value is dropped instead of making the whole panel's settings unreadable.
"""

from __future__ import annotations

from typing import Any

from app.models.base import StateError


def keep_valid(state_cls, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` without the entries ``state_cls`` rejects (each key tried on its own)."""
    base = state_cls()
    kept = {}
    for key, value in values.items():
        try:
            base.merged({key: value})
        except StateError:
            continue
        kept[key] = value
    return kept


def number(value: Any, kind=float):
    """``value`` (a number or its text) as ``kind``, or None when it is not one."""
    if isinstance(value, bool):
        return None
    try:
        return kind(float(value)) if kind is int else kind(value)
    except (TypeError, ValueError, OverflowError):
        return None
