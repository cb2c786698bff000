"""Settings written before panels had models (session format 1, old QSettings groups).

Each model module converts its own panel's old flat ``{key: value}`` dict with
``app.models.<panel_id>.migrate_legacy(values)``; this module only finds that function (imported
lazily, so reading a new-format file never imports a model it does not need).
"""

from __future__ import annotations

from typing import Any

from app.optional import optional_module


class NoMigration(LookupError):
    """This GradLab has no model for the panel, so its old settings cannot be read."""


def migrate(panel_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` (what the panel's old ``save_settings`` wrote) as a ``State.from_dict`` dict."""
    module = optional_module(f"app.models.{panel_id}")
    if module is None or not hasattr(module, "migrate_legacy"):
        raise NoMigration(panel_id)
    return module.migrate_legacy(dict(values))
