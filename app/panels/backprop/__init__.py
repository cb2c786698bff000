"""The Backprop panel (assignment 2) and the widgets only it uses."""

from .panel import BackpropPanel

__all__ = ["BackpropPanel"]
