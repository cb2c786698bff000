"""Presentation mode's state, Qt-free: the zoom factor and which keys move between scenes.

A zoom is one number (1.0 … 2.5) that scales every font of the window (UI, plot axes, legends,
scene text); stepping it and clamping it is the only logic, kept here so it is testable without
Qt. Presenter remotes send PageDown/PageUp, some Right/Left; B or period blank the screen in
PowerPoint, so they do here too. ``app.zoom`` and ``app.presentation`` are the Qt side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ZOOM_MIN = 1.0
ZOOM_MAX = 2.5
ZOOM_STEP = 0.25
DEFAULT_ZOOM = 1.0

#: Key names (QKeySequence text) → what they do while presenting.
NEXT_KEYS = ("PgDown", "Right")
PREVIOUS_KEYS = ("PgUp", "Left")
BLANK_KEYS = ("B", ".")


def clamp_zoom(value) -> float:
    """``value`` as a zoom in [ZOOM_MIN, ZOOM_MAX], rounded to 0.01; bad values give the default."""
    try:
        z = float(value)
    except (TypeError, ValueError):
        return DEFAULT_ZOOM
    if not math.isfinite(z):
        return DEFAULT_ZOOM
    return round(min(ZOOM_MAX, max(ZOOM_MIN, z)), 2)


def parse_zoom(text: str) -> float:
    """``--zoom`` text → zoom; out of range or not a number is a ValueError naming the range."""
    try:
        z = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"--zoom must be a number from {ZOOM_MIN:g} to {ZOOM_MAX:g}, got {text!r}") from None
    if not (math.isfinite(z) and ZOOM_MIN <= z <= ZOOM_MAX):
        raise ValueError(f"--zoom must be from {ZOOM_MIN:g} to {ZOOM_MAX:g}, got {text!r}")
    return round(z, 2)


@dataclass
class Presentation:
    """Whether the window is presenting, its zoom, and whether the screen is blanked."""

    active: bool = False
    zoom: float = DEFAULT_ZOOM
    blank: bool = False

    def zoom_in(self) -> float:
        self.zoom = clamp_zoom(self.zoom + ZOOM_STEP)
        return self.zoom

    def zoom_out(self) -> float:
        self.zoom = clamp_zoom(self.zoom - ZOOM_STEP)
        return self.zoom

    def zoom_reset(self) -> float:
        self.zoom = DEFAULT_ZOOM
        return self.zoom

    def set_zoom(self, value) -> float:
        self.zoom = clamp_zoom(value)
        return self.zoom

    def scaled(self, size: float) -> float:
        """A font size (points) at the current zoom."""
        return size * self.zoom

    def enter(self) -> None:
        self.active, self.blank = True, False

    def leave(self) -> None:
        self.active, self.blank = False, False

    def toggle_blank(self) -> bool:
        self.blank = self.active and not self.blank
        return self.blank
