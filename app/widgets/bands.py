"""A filled band between two curves (BandItem) and the growing axis limits of banded plots.

Shared by the Training panel's curves and distribution bands and the Compare panel's plot.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPainterPath
from PySide6.QtWidgets import QGraphicsPathItem

#: Mantissas of the x-axis limit: the axis grows in these jumps, so the curve fills ≥ 2/3 of it
#: and the axis (whose re-layout costs a repaint of every tick) changes only a few times a decade.
_GROWTH = (1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0)


def axis_limit(x: float) -> float:
    """The smallest 1-1.5-2-3-5-7.5 × 10^k that is ≥ ``x`` (1 for x ≤ 1)."""
    if not x > 1.0 or not math.isfinite(x):
        return 1.0
    decade = 10.0 ** math.floor(math.log10(x))
    return next(m * decade for m in _GROWTH if m * decade >= x * (1 - 1e-12))


class BandItem(QGraphicsPathItem):
    """A filled band between two curves sharing x: one closed polygon built with NumPy.

    pyqtgraph's ``FillBetweenItem`` rebuilds its path with QPainterPath polygon operations,
    ~1 ms per update; this costs a few percent of that. ``set_band(x, lower, upper)``.
    """

    #: leave the outline open (Qt fills it the same); pyqtgraph's SVG exporter cannot parse the
    #: "Z" that a closed path writes, so exportable plots set this
    open_outline = False

    def __init__(self, brush):
        super().__init__()
        self.setBrush(brush)
        self.setPen(pg.mkPen(None))

    def set_band(self, x, lower, upper) -> None:
        x, lower, upper = (np.asarray(a, dtype=float) for a in (x, lower, upper))
        n = min(len(x), len(lower), len(upper))
        if n < 2:
            self.setPath(QPainterPath())
            return
        xs = np.concatenate([x[:n], x[:n][::-1]])
        ys = np.concatenate([upper[:n], lower[:n][::-1]])
        ok = np.isfinite(ys)
        xs, ys = xs[ok], ys[ok]
        if not self.open_outline:
            path = pg.arrayToQPath(xs, ys, connect="all")
            path.closeSubpath()
            self.setPath(path)
            return
        if len(xs) > 2 and xs[0] == xs[-1] and ys[0] == ys[-1]:
            xs, ys = xs[:-1], ys[:-1]  # sd 0 at the start: Qt would mark the return as a close
        self.setPath(pg.arrayToQPath(xs, ys, connect="all"))
