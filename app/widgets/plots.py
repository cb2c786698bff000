"""pyqtgraph styling shared by every panel: themed background, readable axes, one palette.

``configure()`` sets pyqtgraph's global options once (before the first plot is built);
``make_plot(title, x, y)`` returns a styled ``PlotWidget``; ``pen(i)`` the pen of series i.
Colours are read from ``palette`` when drawing, and every plot styled here repaints its neutral
colours (background, title, axes, legend) on ``palette.signals.changed``: a theme switch
(``app.themes``) reaches plots built before it without anything polling.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QGraphicsItem, QMenu

from app.widgets import palette
from app.widgets.palette import series_color

_configured = False
_zoom = 1.0  # the window's zoom (app.zoom): plots built later start at it

AXIS_FONT_PT = 10
TITLE_SIZE = "11pt"
LEGEND_SIZE_PT = 9.0


def configure() -> None:
    """Global pyqtgraph options: the theme's colours and antialiasing (idempotent)."""
    global _configured
    if not _configured:
        pg.setConfigOptions(background=palette.BACKGROUND, foreground=palette.FOREGROUND, antialias=True)
        _configured = True


def pen(color, width: float = 2.0, dashed: bool = False):
    """A cosmetic pen for series index ``color`` (or a hex colour string)."""
    c = series_color(color) if isinstance(color, int) else color
    style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
    return pg.mkPen(c, width=width, style=style)


def style_plot(plot: pg.PlotItem, title: str = "", x: str = "", y: str = "", grid: bool = True) -> pg.PlotItem:
    """Title, axis labels, grid and fonts for ``plot`` (a PlotItem)."""
    if title:
        plot.setTitle(title, size=f"{float(TITLE_SIZE.removesuffix('pt')) * _zoom:.1f}pt", color=palette.FOREGROUND)
    font = pg.QtGui.QFont()
    font.setPointSizeF(AXIS_FONT_PT * _zoom)
    for side, text in (("bottom", x), ("left", y)):
        axis = plot.getAxis(side)
        axis.setTickFont(font)
        axis.setTextPen(palette.FOREGROUND)
        axis.setPen(palette.MUTED)
        # major and minor ticks only: the third level doubles the grid lines every repaint draws
        axis.setStyle(maxTickLevel=1)
        if text:
            axis.setLabel(text, color=palette.FOREGROUND, **{"font-size": f"{AXIS_FONT_PT * _zoom:.1f}pt"})
    if grid:
        plot.showGrid(x=True, y=True, alpha=0.25)
    # An axis (with its grid lines, which span the whole plot) is replayed from a QPicture on
    # every repaint of anything in the plot: ~20 ms per axis on a 2-core software raster when a
    # curve moves. It changes only with the range, size or theme (each calls update(), which
    # drops the cache), so it is painted once into a device pixmap and blitted afterwards.
    for entry in plot.axes.values():
        entry["item"].setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    plot.setMenuEnabled(False)
    export_only_menu(plot)
    PlotTheme.of(plot)
    return plot


class PlotTheme(QObject):
    """Repaints one plot's neutral colours from ``palette`` on ``palette.signals.changed``.

    A child of the PlotItem, so the connection ends with the plot. ``legends`` added with
    ``add_legend`` are repainted too.
    """

    def __init__(self, plot: pg.PlotItem):
        super().__init__(plot)
        self.setObjectName("plotTheme")
        self.plot = plot
        self.legends: list[pg.LegendItem] = []
        palette.signals.changed.connect(self.recolour)

    @classmethod
    def of(cls, plot: pg.PlotItem) -> "PlotTheme":
        """The plot's PlotTheme (created on first use)."""
        found = plot.findChild(cls, "plotTheme")
        return found if found is not None else cls(plot)

    def recolour(self, *_dark) -> None:
        plot, fg = self.plot, palette.FOREGROUND
        for view in plot.scene().views() if plot.scene() is not None else ():
            if isinstance(view, pg.GraphicsView):
                view.setBackground(palette.BACKGROUND)
        if plot.titleLabel.text:
            plot.titleLabel.setText(plot.titleLabel.text, color=fg)
        for side in ("bottom", "left", "top", "right"):
            axis = plot.getAxis(side)
            axis.setTextPen(fg)
            axis.setPen(palette.MUTED)
            if axis.labelText:
                style = {**axis.labelStyle, "color": fg}
                axis.setLabel(axis.labelText, units=axis.labelUnits, unitPrefix=axis.labelUnitPrefix, **style)
        for legend in self.legends:
            style_legend(legend)


class _ExportOnlyMenu(QMenu):
    """An empty ViewBox menu: right-click shows only pyqtgraph's own "Export…" entry.

    pyqtgraph's full menu (axis ranges, log mode, mouse mode) would fight the panels, which
    manage ranges themselves; its Export dialog (PNG, SVG, CSV, …) is worth keeping.
    """

    def setViewList(self, views) -> None:  # noqa: N802 - called by ViewBox.updateViewLists
        """pyqtgraph's ViewBoxMenu lists linked views here; this menu has no such list."""


def export_only_menu(plot: pg.PlotItem) -> None:
    """Right-click on ``plot`` offers pyqtgraph's Export dialog and nothing else."""
    box = plot.getViewBox()
    box.menu = _ExportOnlyMenu()  # set first, so enabling does not build pyqtgraph's menu (2 ms)
    box.menu.setObjectName("plotExportMenu")
    box.setMenuEnabled(True)


def make_plot(title: str = "", x: str = "", y: str = "", parent=None, name: str = "") -> pg.PlotWidget:
    """A styled ``PlotWidget``; ``name`` becomes its objectName (for tests and style sheets)."""
    configure()
    widget = pg.PlotWidget(parent=parent)
    if name:
        widget.setObjectName(name)
    style_plot(widget.getPlotItem(), title, x, y)
    widget.setMinimumSize(160, 120)
    return widget


_CORNERS = {"top-left": (8, 8), "top-right": (-8, 8), "bottom-left": (8, -8), "bottom-right": (-8, -8)}


def nice_limits(lo: float, hi: float, pad: float = 0.05) -> tuple[float, float]:
    """``[lo, hi]`` padded and rounded outward to a 1-2-5 step, so small data changes keep it.

    A y range that follows every slider tick makes the axes re-layout and repaint on every
    frame; rounded limits change only when the data really outgrows them.
    """
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return -1.0, 1.0
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    span = hi - lo
    lo, hi = lo - pad * span, hi + pad * span
    raw = span / 10
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    return math.floor(lo / step) * step, math.ceil(hi / step) * step


def fit_y(plot: pg.PlotItem, arrays, pad: float = 0.05, log: bool = False) -> None:
    """Set ``plot``'s y range to the rounded limits of ``arrays`` (only if they changed).

    With ``log`` (a plot in log-y mode) the limits are whole decades of the positive values.
    """
    finite = [a[np.isfinite(a)] for a in (np.asarray(x, dtype=float) for x in arrays)]
    if log:
        finite = [np.log10(a[a > 0]) for a in finite]
    finite = [a for a in finite if a.size]
    if not finite:
        return
    lo, hi = min(a.min() for a in finite), max(a.max() for a in finite)
    if log:
        lo, hi = math.floor(lo - 0.05), math.ceil(hi + 0.05)
    else:
        lo, hi = nice_limits(lo, hi, pad)
    current = plot.getViewBox().viewRange()[1]
    if not (math.isclose(current[0], lo, abs_tol=1e-9) and math.isclose(current[1], hi, abs_tol=1e-9)):
        plot.setYRange(lo, hi, padding=0)


def fit_x(plot: pg.PlotItem, lo: float, hi: float) -> None:
    """Set the x range to exactly [lo, hi] unless it already is (saves an axis re-layout)."""
    current = plot.getViewBox().viewRange()[0]
    if not (math.isclose(current[0], lo, abs_tol=1e-9) and math.isclose(current[1], hi, abs_tol=1e-9)):
        plot.setXRange(lo, hi, padding=0)


def add_legend(plot: pg.PlotItem, columns: int = 1, corner: str = "top-left") -> pg.LegendItem:
    """A legend in ``corner`` (top-left, top-right, bottom-left, bottom-right), translucent."""
    if corner not in _CORNERS:
        raise ValueError(f"unknown legend corner {corner!r}; choose one of: {', '.join(_CORNERS)}")
    legend = plot.addLegend(offset=_CORNERS[corner], colCount=columns, labelTextSize=f"{LEGEND_SIZE_PT * _zoom:.1f}pt")
    style_legend(legend)
    PlotTheme.of(plot).legends.append(legend)
    return legend


def style_legend(legend: pg.LegendItem) -> None:
    """The legend's translucent background, frame and text in the theme's colours."""
    legend.setBrush(pg.mkBrush(palette.qcolor(palette.BACKGROUND, 200)))
    legend.setPen(pg.mkPen(palette.MUTED))
    legend.setLabelTextColor(palette.FOREGROUND)



def set_zoom(zoom: float) -> None:
    """The zoom that plots styled from now on start at (``scale_fonts`` re-sizes existing ones)."""
    global _zoom
    _zoom = float(zoom)


def scale_fonts(plot: pg.PlotItem, zoom: float) -> None:
    """Set ``plot``'s tick, axis-label and title fonts to their sizes times ``zoom``.

    The one place plot fonts follow the window's zoom (``app.zoom``): sizes are computed from
    the constants above, so applying a zoom twice does not compound.
    """
    tick = pg.QtGui.QFont()
    tick.setPointSizeF(AXIS_FONT_PT * zoom)
    for side in ("bottom", "left", "top", "right"):
        axis = plot.getAxis(side)
        axis.setTickFont(tick)
        if axis.labelText:
            style = {**axis.labelStyle, "font-size": f"{AXIS_FONT_PT * zoom:.1f}pt"}
            axis.setLabel(axis.labelText, units=axis.labelUnits, unitPrefix=axis.labelUnitPrefix, **style)
    if plot.titleLabel.text:
        title_pt = float(TITLE_SIZE.removesuffix("pt")) * zoom
        plot.titleLabel.setText(plot.titleLabel.text, size=f"{title_pt:.1f}pt")


def scale_legend(legend: pg.LegendItem, zoom: float) -> None:
    """``legend``'s labels at their size times ``zoom`` (entries added later follow too)."""
    size = f"{LEGEND_SIZE_PT * zoom:.1f}pt"
    legend.setLabelTextSize(size)
    for _sample, label in legend.items:
        label.setText(label.text, size=size)
    legend.updateSize()


def tick_font_size(plot: pg.PlotItem, side: str = "bottom") -> float:
    """The point size of ``plot``'s tick labels on ``side`` (the default font's when unset)."""
    font = plot.getAxis(side).style.get("tickFont")
    return (font or pg.QtGui.QFont()).pointSizeF()
