"""The panel registry: panel_id → Panel class, in the order the window shows them.

``--panel NAME`` and the main window both read it. Panels land in separate issues, so an
optional one that is not there yet (ImportError of its own module) is simply left out.
"""

from __future__ import annotations

import importlib

from app.panels.base import Panel

# (panel_id, module, class name), in tab order.
_KNOWN = (
    ("activations", "app.panels.activations", "ActivationsPanel"),
    ("optimizers", "app.panels.optimizers", "OptimizersPanel"),
    ("init", "app.panels.init", "InitPanel"),
    ("training", "app.panels.training", "TrainingPanel"),
    ("landscape", "app.panels.landscape", "LandscapePanel"),
    ("compare", "app.panels.compare", "ComparePanel"),
    ("backprop", "app.panels.backprop", "BackpropPanel"),
)


def _load() -> dict[str, type[Panel]]:
    found: dict[str, type[Panel]] = {}
    for panel_id, module_name, class_name in _KNOWN:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:  # the panel exists but one of *its* imports is missing
                raise
            continue
        found[panel_id] = getattr(module, class_name)
    return found


PANELS: dict[str, type[Panel]] = _load()


def names() -> list[str]:
    return list(PANELS)


def get(name: str) -> type[Panel]:
    """The Panel class for ``name``; unknown names raise ``ValueError`` listing the valid ones."""
    key = str(name).strip().lower()
    if key not in PANELS:
        raise ValueError(f"unknown panel {name!r}; choose one of: {', '.join(PANELS)}")
    return PANELS[key]
