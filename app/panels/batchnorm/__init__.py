"""The Batch norm panel (batch normalization step by step) and the widgets only it uses."""

from .panel import ENGINE_ERRORS, BatchNormPanel

__all__ = ["BatchNormPanel", "ENGINE_ERRORS"]
