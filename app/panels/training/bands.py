"""Per-layer distributions over time as percentile bands (TensorBoard's "distributions" view).

For every hidden layer and quantity (activations, pre-activations, back-propagated gradients,
weights, weight gradients) the monitor records the percentiles of ``engine.stats.BAND_LEVELS``
a few times per second. Each layer's plot shades the bands between matching percentiles (min–max
palest, ±0.5σ darkest) around the median line, so a distribution collapsing, saturating or
blowing up over training is visible at a glance. History is bounded: every percentile lives in
an ``engine.history.DecimatingSeries``, so a 30-minute run costs the same memory as a short one.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from app.i18n import tr
from app.models.training import QUANTITIES, BandHistory
from app.widgets import plots
from app.widgets.bands import BandItem, axis_limit
from app.widgets import palette
from app.widgets.palette import OKABE_ITO, qcolor
from engine.stats import BAND_LEVELS

BAND_COLOR = OKABE_ITO["reddish_purple"]
#: (low level index, high level index, alpha): outermost band first; the median is level 4
_BANDS = ((0, 8, 35), (1, 7, 60), (2, 6, 90), (3, 5, 130))


class DistributionBands(pg.GraphicsLayoutWidget):
    """``set_layers(names)``, ``set_history(BandHistory)``, ``set_quantity(key)``, ``redraw(x_scale)``."""

    def __init__(self, parent=None):
        plots.configure()
        super().__init__(parent)
        self.setObjectName("distributionBands")
        self.setBackground(palette.BACKGROUND)
        # filled bands of up to 2×400 vertices: antialiased, one repaint costs ~4× as much
        self.setAntialiasing(False)
        self.ci.layout.setContentsMargins(2, 2, 2, 2)
        self.ci.layout.setHorizontalSpacing(4)
        self.history = BandHistory()
        self.quantity = "activation"
        self.names: list[str] = []
        self.plots: list[pg.PlotItem] = []
        self._bands: list[list[BandItem]] = []
        self._medians: list[pg.PlotCurveItem] = []
        self.setToolTip(tr("Percentiles over training, per hidden layer: shaded min–max, ±1.5σ, ±1σ, "
                           "±0.5σ bands (of a normal) around the median line"))
        self.setMinimumHeight(140)
        palette.signals.changed.connect(self._recolor)

    def _recolor(self, _dark: bool = False) -> None:
        """Background, axes and titles follow the theme (``palette.signals.changed``)."""
        self.setBackground(palette.BACKGROUND)
        for p, name in zip(self.plots, self.names):
            plots.style_plot(p, "", grid=False)
            p.setTitle(name, size="9pt", color=palette.FOREGROUND)

    def set_history(self, history: BandHistory) -> None:
        self.history = history

    def set_layers(self, names) -> None:
        """One plot per hidden layer."""
        self.names = [str(n) for n in names]
        self.ci.clear()
        self.plots, self._bands, self._medians = [], [], []
        for i, name in enumerate(self.names):
            p = self.ci.addPlot(row=0, col=i)
            plots.style_plot(p, "", grid=False)
            p.setTitle(name, size="9pt", color=palette.FOREGROUND)
            p.hideButtons()
            p.setMouseEnabled(x=False, y=False)
            p.getViewBox().disableAutoRange()  # rounded ranges set in redraw: fewer re-layouts
            for side in ("left", "bottom"):
                p.getAxis(side).enableAutoSIPrefix(False)
            bands = []
            for _lo, _hi, alpha in _BANDS:
                band = BandItem(pg.mkBrush(qcolor(BAND_COLOR, alpha)))
                p.addItem(band)
                bands.append(band)
            median = pg.PlotCurveItem(pen=pg.mkPen(BAND_COLOR, width=1.5))
            median.setZValue(10)
            p.addItem(median)
            self.plots.append(p)
            self._bands.append(bands)
            self._medians.append(median)

    def set_quantity(self, key: str) -> None:
        if key not in QUANTITIES:
            raise ValueError(f"unknown quantity {key!r}; choose one of: {', '.join(QUANTITIES)}")
        self.quantity = key

    def series(self, layer: int, key: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(steps (n,), percentiles (n, 9))`` recorded for ``layer`` and quantity ``key``."""
        return self.history.series(layer, key or self.quantity)

    def redraw(self, x_scale: float = 1.0) -> None:
        for i, (bands, median) in enumerate(zip(self._bands, self._medians)):
            steps, values = self.series(i)
            x = steps * x_scale
            for band, (lo, hi, _alpha) in zip(bands, _BANDS):
                band.set_band(x, values[:, lo], values[:, hi])
            median.setData(x, values[:, len(BAND_LEVELS) // 2])
            if len(x):
                plot = self.plots[i]
                plots.fit_x(plot, 0.0, axis_limit(float(x[-1])))
                plots.fit_y(plot, [values[:, 0], values[:, -1]], pad=0.05)
