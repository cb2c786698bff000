"""The Training panel (``TrainingPanel``) and the widgets only it uses."""

from app.panels.training.panel import TrainingPanel

__all__ = ["TrainingPanel"]
