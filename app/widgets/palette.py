"""Colour-blind-safe colours (Okabe & Ito 2008), in the order series are assigned.

Eight hues that stay distinguishable under the common colour-vision deficiencies. Yellow comes
last because it is hard to read on the white plot background.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

OKABE_ITO = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "bluish_green": "#009E73",
    "orange": "#E69F00",
    "reddish_purple": "#CC79A7",
    "sky_blue": "#56B4E9",
    "black": "#000000",
    "yellow": "#F0E442",
}
SERIES = list(OKABE_ITO.values())

#: Neutral UI colours (plot background, grid, muted text) shared by all panels.
BACKGROUND = "#FFFFFF"
FOREGROUND = "#222222"
MUTED = "#666666"
ERROR_BG = "#FBE3D6"  # a pale vermillion
ERROR_FG = "#8A2B00"


def series_color(index: int) -> str:
    """The hex colour of series ``index`` (cycles after eight)."""
    return SERIES[int(index) % len(SERIES)]


def qcolor(index_or_hex, alpha: int = 255) -> QColor:
    """A ``QColor`` for a series index or a hex string, with ``alpha`` (0-255)."""
    c = QColor(series_color(index_or_hex) if isinstance(index_or_hex, int) else index_or_hex)
    c.setAlpha(int(alpha))
    return c
