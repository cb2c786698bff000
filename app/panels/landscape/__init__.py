"""The Landscape panel (``LandscapePanel``) and the widgets only it uses."""

from app.panels.landscape.panel import LandscapePanel

__all__ = ["LandscapePanel"]
