"""The Backprop panel's colours, read in the current theme when drawing.

One hue per meaning, shared by the graph, the step list and the table: orange marks the
current step (a pale fill behind it), blue gradients, green updated weights. In the dark theme
the fill darkens and Okabe–Ito's blue gives way to its sky blue, which reads on a dark card.
"""

from __future__ import annotations

from app.widgets import palette
from app.widgets.palette import OKABE_ITO

HIGHLIGHT = OKABE_ITO["orange"]
GRADIENT = OKABE_ITO["blue"]
UPDATED = OKABE_ITO["bluish_green"]
LOSS = OKABE_ITO["vermillion"]
EDGE = "#9A9A9A"  # a mid grey: readable on both themes

_LIGHT_DARK = {
    "current": ("#FDF1D6", "#4D3B12"),  # behind the current step (graph nodes, table rows)
    "border": ("#D0D0D0", "#55585C"),  # of the label cards
}
_DARK_TWINS = {GRADIENT: OKABE_ITO["sky_blue"]}


def themed(name: str, dark: bool | None = None) -> str:
    """The ``"current"`` fill or the label ``"border"`` of the current theme (or of ``dark``)."""
    light_value, dark_value = _LIGHT_DARK[name]
    return dark_value if (palette.is_dark() if dark is None else dark) else light_value


def readable(color: str) -> str:
    """``color``, or its lighter twin in the dark theme if it is too dark to read there."""
    return _DARK_TWINS.get(color, color) if palette.is_dark() else color
