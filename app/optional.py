"""Importing a module that may not be installed (a panel's scenes, a panel's model)."""

from __future__ import annotations

import importlib
from types import ModuleType


def optional_module(name: str) -> ModuleType | None:
    """``name`` imported, or None if that module itself does not exist.

    A module that exists but fails to import one of *its* dependencies still raises: that is a
    bug to see, not an absent module.
    """
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None
