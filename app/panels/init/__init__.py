"""The Initialization panel (lecture part 3) and the widgets only it uses."""

from .panel import InitPanel

__all__ = ["InitPanel"]
