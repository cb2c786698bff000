"""The Backprop panel (assignment 2) and the widgets only it uses."""

from .panel import ENGINE_ERRORS, BackpropPanel

__all__ = ["BackpropPanel", "ENGINE_ERRORS"]
