"""Colour-blind-safe colours (Okabe & Ito 2008), in the order series are assigned.

Eight hues that stay distinguishable under the common colour-vision deficiencies. Yellow comes
last because it is hard to read on the white plot background. In the dark theme (``set_dark``)
the neutral colours flip and Okabe–Ito's black becomes a mid grey; the seven hues stay, as
each keeps at least 3:1 contrast (the WCAG bar for graphics) against the dark plot background.
Code that wants the current theme reads ``palette.FOREGROUND`` etc. at call time (or calls
``series_color``); names imported with ``from palette import X`` keep the light values.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
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

LIGHT = {"BACKGROUND": BACKGROUND, "FOREGROUND": FOREGROUND, "MUTED": MUTED, "black": OKABE_ITO["black"]}
# Black's dark-theme stand-in is a mid grey: ≥ 4:1 on the dark background *and* ≥ 3:1 on the light
# colour maps the surfaces keep in both themes (a light grey vanished on them).
DARK = {"BACKGROUND": "#1E1F22", "FOREGROUND": "#E4E4E4", "MUTED": "#A8A8A8", "black": "#808080"}
_BLACK_INDEX = list(OKABE_ITO).index("black")


class ThemeSignals(QObject):
    """``changed(dark)`` is emitted after the theme switched; views repaint from the palette.

    Views read colours from this module (or the QPalette) *when they draw*, and connect their
    recolouring to ``signals.changed``; nothing polls.
    """

    changed = Signal(bool)


signals = ThemeSignals()


def set_dark(dark: bool) -> None:
    """Switch the neutral colours (and the series' black) to the dark or the light theme.

    Emits ``signals.changed(dark)`` so that every view recolours itself.
    """
    values = DARK if dark else LIGHT
    globals().update({k: v for k, v in values.items() if k.isupper()})
    SERIES[_BLACK_INDEX] = values["black"]
    signals.changed.emit(bool(dark))


def is_dark() -> bool:
    return BACKGROUND == DARK["BACKGROUND"]


def series_color(index: int) -> str:
    """The hex colour of series ``index`` (cycles after eight)."""
    return SERIES[int(index) % len(SERIES)]


def qcolor(index_or_hex, alpha: int = 255) -> QColor:
    """A ``QColor`` for a series index or a hex string, with ``alpha`` (0-255)."""
    c = QColor(series_color(index_or_hex) if isinstance(index_or_hex, int) else index_or_hex)
    c.setAlpha(int(alpha))
    return c
