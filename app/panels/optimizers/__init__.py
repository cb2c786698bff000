"""The Optimizers panel (lecture part 2) and the widgets only it uses."""

from app.panels.optimizers.panel import OptimizersPanel

__all__ = ["OptimizersPanel"]
