"""The Compare panel (assignment 1): experiment grids in worker processes, compared."""

from .panel import ComparePanel

__all__ = ["ComparePanel"]
