"""Settings written before panels had models (session format 1, old QSettings groups).

Each model module converts its own panel's old flat ``{key: value}`` dict with
``app.models.<panel_id>.migrate_legacy(values)``; this module only finds that function (imported
lazily, so reading a new-format file never imports a model it does not need).
"""

from __future__ import annotations

import importlib
from typing import Any


class NoMigration(LookupError):
    """This GradLab has no model for the panel, so its old settings cannot be read."""


def migrate(panel_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` (what the panel's old ``save_settings`` wrote) as a ``State.from_dict`` dict."""
    name = f"app.models.{panel_id}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:  # the model exists but one of *its* imports is missing
            raise
        raise NoMigration(panel_id) from None
    if not hasattr(module, "migrate_legacy"):
        raise NoMigration(panel_id)
    return module.migrate_legacy(dict(values))
