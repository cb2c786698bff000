"""The Activations panel (lecture part 1) and the widgets only it uses."""

from app.panels.activations.panel import ActivationsPanel

__all__ = ["ActivationsPanel"]
