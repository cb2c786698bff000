"""Loss against step for every racing optimizer, on a log axis when the surface has a minimum.

Plotted is the gap to the best value, f − f*, so a log axis shows how fast each optimizer
converges (straight line = linear convergence). A surface without a minimum in view (the saddle)
is plotted as f on a linear axis instead. Curves are created once; frames only ``setData``.
A log axis labels its decades and only the minor ticks whose labels fit (``log_ticks``): a
short axis no longer piles "0.9 0.8 0.7 …" on each other. The legend follows the theme.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QGraphicsItem

from app.i18n import tr
from app.widgets import palette
from app.widgets.bands import axis_limit
from app.widgets.log_ticks import log_ticks
from app.widgets.plots import style_plot

#: Gaps below this are drawn at it: log10(0) would drop the point.
LOG_FLOOR = 1e-16
THIN_AFTER = 100  # curves longer than this are drawn 1 px wide


def steady_range(current, lo: float, hi: float, keep_fill: float = 0.6, headroom: float = 0.25):
    """A view range for data in [lo, hi] that stays ``current`` while it still shows the data well:
    while it contains [lo, hi] and the data fill at least ``keep_fill`` of it. A new range gets
    ``headroom`` × the data's span on both sides, so a falling loss curve moves into it for many
    frames before the range has to change again. Every change re-lays out the axis and
    regenerates its ticks (~3 ms a frame); with a steady range a frame costs only ``setData``.
    """
    if current is not None:
        c0, c1 = current
        if c0 <= lo and hi <= c1 and (hi - lo) >= keep_fill * (c1 - c0):
            return current
    room = headroom * (hi - lo)
    return (lo - room, hi + room)


class OptimizerLossPlot(pg.PlotWidget):
    """``set_lanes`` names/colours the curves; ``set_curve(i, losses)`` draws lane ``i``."""

    def __init__(self, n_slots: int = 7, parent=None):
        super().__init__(parent, background=palette.BACKGROUND)
        self.setObjectName("optimizerLossPlot")
        self.setToolTip(tr("Loss after each update, one curve per optimizer (log scale: f − f*)"))
        item = self.getPlotItem()
        # no grid: its lines are replayed from a QPicture on every frame (≈3 ms of 8)
        style_plot(item, tr("Loss vs step"), x=tr("step"), grid=False)
        item.hideButtons()
        self.curves = [pg.PlotDataItem(pen=pg.mkPen("k", width=2)) for _ in range(n_slots)]
        for c in self.curves:
            item.addItem(c)
            c.hide()
        # the legend of the whole panel (the map has none, so no path is ever hidden)
        self.legend = pg.LegendItem(offset=(-8, 8))
        self.legend.setParentItem(item.getViewBox())
        # its translucent box cost ~5 ms a frame to fill (software raster); it only changes with
        # the lanes, so it is painted once into a device pixmap and blitted afterwards
        self.legend.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._style_legend()
        self._legend_labels: list[str] = []
        self.offset = 0.0
        self.log = True
        self._ranges: list[tuple[int, float, float] | None] = [None] * n_slots
        self._ticks = None
        self._view_x: tuple[float, float] | None = None  # the view's ranges as last set (see commit)
        self._view_y: tuple[float, float] | None = None
        item.getViewBox().disableAutoRange()
        self.set_scale(True, 0.0)
        item.getAxis("left").geometryChanged.connect(self._fit_ticks)
        palette.signals.changed.connect(self._on_theme)

    def _style_legend(self) -> None:
        self.legend.setBrush(pg.mkBrush(palette.qcolor(palette.BACKGROUND, 210)))
        self.legend.setPen(pg.mkPen(palette.MUTED))
        self.legend.setLabelTextColor(palette.FOREGROUND)

    def _on_theme(self, _dark: bool) -> None:
        self._style_legend()
        self.set_scale(self.log, self.offset)  # the axis label's colour

    def _fit_ticks(self) -> None:
        """Log axis: decades and the minor labels that fit its height; linear: pyqtgraph's own."""
        axis = self.getPlotItem().getAxis("left")
        ticks = None
        if self.log:
            lo, hi = self.getPlotItem().getViewBox().viewRange()[1]
            label_px = 1.15 * QFontMetrics(axis.style["tickFont"] or self.font()).height()
            ticks = log_ticks(lo, hi, axis.geometry().height(), label_px)
        if ticks != self._ticks:  # frames that keep the same labels cost no axis re-layout
            self._ticks = ticks
            axis.setTicks(ticks)

    def set_scale(self, log: bool, offset: float) -> None:
        """Log axis of f − ``offset`` (True) or a linear axis of f (False)."""
        self.log, self.offset = bool(log), float(offset)
        self._view_x = self._view_y = None
        item = self.getPlotItem()
        item.setLogMode(x=False, y=self.log)
        if self.log:
            label = tr("f − f*  (log)") if offset else tr("f  (log)")
        else:
            label = "f"
        item.setLabel("left", label, color=palette.FOREGROUND)
        self._fit_ticks()

    def set_lanes(self, lanes: list[tuple[str, str, bool]]) -> None:
        self._ranges = [None] * len(self.curves)
        self._view_x = self._view_y = None  # a new race fits its view afresh
        for curve, (label, color, shown) in zip(self.curves, lanes):
            curve.setPen(pg.mkPen(color, width=2))
            curve.opts["name"] = label
            curve.setVisible(shown)
        labels = [(label, color) for label, color, shown in lanes if shown]
        if labels != self._legend_labels:
            self._legend_labels = labels
            self.legend.clear()
            for curve, (label, _c, shown) in zip(self.curves, lanes):
                if shown:
                    self.legend.addItem(curve, label)

    def set_curve(self, i: int, losses: np.ndarray) -> None:
        y = np.asarray(losses, dtype=float)
        if self.log:
            y = np.maximum(y - self.offset, LOG_FLOOR)
        y = np.where(np.isfinite(y), y, np.nan)
        curve = self.curves[i]
        width = 2.0 if len(y) <= THIN_AFTER else 1.0  # 1 px: Qt's fast line path (see surface_view)
        if curve.opts["pen"].widthF() != width:
            curve.setPen(pg.mkPen(curve.opts["pen"].color(), width=width))
        curve.setData(np.arange(len(y)), y, connect="finite")
        finite = np.isfinite(y).any()
        self._ranges[i] = (len(y) - 1, float(np.nanmin(y)), float(np.nanmax(y))) if finite else None

    def commit(self) -> None:
        """Fit the view to the shown curves (cheaper than auto-range, which re-measures every
        curve on each ``setData`` and repaints twice)."""
        ranges = [r for c, r in zip(self.curves, self._ranges) if r is not None and c.isVisible()]
        if not ranges:
            return
        n = max(r[0] for r in ranges)
        lo, hi = min(r[1] for r in ranges), max(r[2] for r in ranges)
        if self.log:
            lo, hi = math.log10(lo), math.log10(hi)
        if hi - lo < 1e-9:
            lo, hi = lo - 0.5, hi + 0.5
        pad = 0.04 * (hi - lo)
        x_range = (0.0, axis_limit(n))  # grows in 1-1.5-2-3-5-7.5 jumps ahead of the race
        y_range = steady_range(self._view_y, lo - pad, hi + pad)
        if (x_range, y_range) == (self._view_x, self._view_y):
            return  # the curves still fit: no axis re-layout, no tick regeneration this frame
        self._view_x, self._view_y = x_range, y_range
        self.getPlotItem().getViewBox().setRange(xRange=x_range, yRange=y_range, padding=0)
        self._fit_ticks()
