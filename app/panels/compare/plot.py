"""The Compare panel's learning curves: one mean curve per configuration with a ± sd band.

Colour encodes the levels of one factor ("colour by"), line style those of another ("style
by"), so a 2-factor grid reads at a glance; more than eight colour levels switch from the
Okabe–Ito palette to the (colour-blind-safe) viridis map. Selected configurations are drawn
bold on top and the others fade. ``export(path)`` writes the plot as PNG or SVG with
pyqtgraph's exporters. Neutral colours are read from ``palette`` when drawing; axes, legend
and placeholder follow a theme switch (``palette.signals.changed``), the panel redraws the curves.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401  (registers pg.exporters)
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainterPath
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from app.i18n import tr
from app.models.compare import PLOT_METRICS as METRICS
from app.widgets import palette, plots
from app.widgets.palette import qcolor, series_color
from app.widgets.bands import BandItem
from engine import experiments

STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine, Qt.PenStyle.DashDotLine,
          Qt.PenStyle.DashDotDotLine)


class Band(BandItem):
    """``BandItem`` with an open outline, so the plot exports to SVG."""

    open_outline = True


def level_colors(n: int) -> list[str]:
    """``n`` distinguishable colours: the palette up to eight, viridis beyond."""
    if n <= 8:
        return [series_color(i) for i in range(n)]
    cmap = pg.colormap.get("viridis")
    return [cmap.map(0.92 * i / (n - 1), mode="qcolor").name() for i in range(n)]


class CompareCurves(QWidget):
    """``show_summaries(summaries, factor_names, metric, color_by, style_by, bands)`` →
    ``{config_id: (colour, dashed)}``; ``highlight(ids)``; ``export(path)``."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("compareCurves")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        plots.configure()
        # a layout, not a PlotWidget: the legend gets its own column and never hides a curve
        self.plot_widget = pg.GraphicsLayoutWidget(self)
        self.plot_widget.setObjectName("compareCurvesPlot")
        self.plot = self.plot_widget.ci.addPlot(row=0, col=0)
        plots.style_plot(self.plot, "", x=tr("epoch"), y=tr(METRICS["test_accuracy"]))
        self.plot.hideButtons()
        for side in ("bottom", "left"):
            self.plot.getAxis(side).enableAutoSIPrefix(False)
        self.legend = pg.LegendItem(labelTextSize="9pt", verSpacing=-4)
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 0))
        column = self._legend_column = self.plot_widget.ci.addLayout(row=0, col=1)
        column.addItem(self.legend, row=0, col=0)
        column.addLabel("", row=1, col=0)  # takes the rest of the height: the legend stays compact
        column.layout.setRowStretchFactor(1, 1)
        self.legend.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.plot_widget.ci.layout.setColumnStretchFactor(0, 1)
        self.placeholder = pg.TextItem(tr("Pick factors and levels, then Run (Space)"), anchor=(0.5, 0.5))
        self.plot.addItem(self.placeholder)
        self.placeholder.setPos(0.5, 0.5)
        self.plot.setXRange(0, 1)
        self.plot.setYRange(0, 1)
        layout.addWidget(self.plot_widget)
        self.setToolTip(tr("Mean learning curve of each configuration across its seeds; the shaded band "
                           "is ± one standard deviation. Select table rows to highlight their curves"))
        self.curves: dict[int, pg.PlotDataItem] = {}
        self.bands: dict[int, Band] = {}
        self.styles: dict[int, tuple[str, Qt.PenStyle]] = {}
        self.selected: set[int] = set()
        self._legend_key = None
        self.clear()
        palette.signals.changed.connect(self._recolor)
        self._recolor()

    def show_progress(self, done: int, total: int, running: bool) -> None:
        """While a grid runs, say how far it is ("3/8 runs") where the curves appear."""
        count = tr("{done}/{total} runs").format(done=done, total=total)
        idle = tr("Pick factors and levels, then Run (Space)")
        self.placeholder.setText(tr("Running… {count}: the curves appear as runs finish").format(count=count)
                                 if running else idle)
        self.plot.setTitle(count if running and done else None, color=palette.MUTED, size="10pt")

    def _recolor(self, _dark: bool = False) -> None:
        """Background, axes and placeholder in the current theme's colours."""
        self.plot_widget.setBackground(palette.BACKGROUND)
        for side in ("bottom", "left"):
            axis = self.plot.getAxis(side)
            axis.setTextPen(palette.FOREGROUND)
            axis.setPen(palette.MUTED)
            self._label(side, axis.labelText)
        self.placeholder.setColor(palette.MUTED)

    def _label(self, side: str, text: str) -> None:
        self.plot.getAxis(side).setLabel(text, color=palette.FOREGROUND, **{"font-size": f"{plots.AXIS_FONT_PT}pt"})

    def clear(self) -> None:
        for item in (*self.curves.values(), *self.bands.values()):
            self.plot.removeItem(item)
        self.curves, self.bands, self.styles = {}, {}, {}
        self.selected = set()
        self.legend.clear()
        self._legend_key = None
        self._legend_column.setMinimumWidth(0)
        self._legend_column.setMaximumWidth(0)
        self.placeholder.show()

    def show_summaries(self, summaries, factor_names, metric: str = "test_accuracy",
                       color_by: str = "", style_by: str = "", bands: bool = True) -> dict:
        if metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r}; choose one of: {', '.join(METRICS)}")
        self._label("left", tr(METRICS[metric]))
        if not summaries:
            self.clear()
            self.plot.setXRange(0, 1)
            self.plot.setYRange(0, 1)
            return {}
        self.placeholder.hide()
        names = list(factor_names)
        color_by = color_by if color_by in names else (names[0] if names else "")
        style_by = style_by if style_by in names and style_by != color_by else ""
        levels = {n: list(dict.fromkeys(dict(s.config)[n] for s in summaries)) for n in names}
        colors = level_colors(len(levels[color_by])) if color_by else [series_color(0)]
        ys = []
        shown = set()
        for s in summaries:
            cfg = dict(s.config)
            color = colors[levels[color_by].index(cfg[color_by])] if color_by else colors[0]
            style = STYLES[levels[style_by].index(cfg[style_by]) % len(STYLES)] if style_by else STYLES[0]
            x = np.arange(len(s.mean[metric]), dtype=float)
            mean, sd = s.mean[metric], s.std[metric]
            curve, band = self._items(s.config_id)
            curve.setData(x, mean)  # in place: a redraw while the grid runs creates no items
            curve.setPen(pg.mkPen(color, width=2, style=style))
            band.setBrush(pg.mkBrush(qcolor(color, 45)))
            band.set_band(x, mean - sd, mean + sd)
            band.setVisible(bands)
            self.styles[s.config_id] = (color, style)
            shown.add(s.config_id)
            ys.append(mean[np.isfinite(mean)])
        for cid in set(self.curves) - shown:  # configurations no longer in the results
            self.plot.removeItem(self.curves.pop(cid))
            self.plot.removeItem(self.bands.pop(cid))
            self.styles.pop(cid, None)
        self.selected &= shown
        self._legend(levels, colors, color_by, style_by)
        n = max(len(s.mean[metric]) for s in summaries) - 1
        self.plot.setXRange(0, max(1, n), padding=0.02)
        if metric == "accuracy_gap":
            self.plot.enableAutoRange(axis="y")
        elif "accuracy" in metric:
            self.plot.setYRange(0, 1.0, padding=0.02)
        else:
            finite = np.concatenate(ys) if ys else np.empty(0)
            finite = finite[np.isfinite(finite)]
            if finite.size:
                hi = min(float(np.percentile(finite, 98)) * 1.1, float(finite.max()))
                self.plot.setYRange(0, max(hi, 1e-3), padding=0.02)
        return {cid: (c, st != Qt.PenStyle.SolidLine) for cid, (c, st) in self.styles.items()}

    def _items(self, cid: int) -> tuple[pg.PlotDataItem, Band]:
        """The curve and band of configuration ``cid``, made on its first appearance only."""
        if cid not in self.curves:
            curve = pg.PlotDataItem()
            curve.setZValue(5)
            self.plot.addItem(curve)
            band = Band(pg.mkBrush(0, 0, 0, 0))
            band.setZValue(-5)
            self.plot.addItem(band)
            self.curves[cid], self.bands[cid] = curve, band
        return self.curves[cid], self.bands[cid]

    def _legend(self, levels, colors, color_by, style_by) -> None:
        key = (color_by, style_by, tuple(colors), tuple((n, tuple(v)) for n, v in levels.items()))
        if key == self._legend_key:
            return  # same entries: no legend re-layout on every redraw while the grid runs
        self._legend_key = key
        self.legend.clear()
        if color_by:
            shown = levels[color_by]
            self.legend.setColumnCount(2 if len(shown) > 10 else 1)  # every level listed, 16 in two columns
            for i in range(len(shown)):
                item = pg.PlotDataItem(pen=pg.mkPen(colors[i], width=3))
                self.legend.addItem(item, f"{tr(experiments.factor(color_by).display_name)} {tr(experiments.format_level(shown[i]))}")
        if style_by:
            for i, level in enumerate(levels[style_by]):
                item = pg.PlotDataItem(pen=pg.mkPen(palette.MUTED, width=2, style=STYLES[i % len(STYLES)]))
                self.legend.addItem(item, f"{tr(experiments.factor(style_by).display_name)} {tr(experiments.format_level(level))}")
        self.legend.updateSize()
        width = self.legend.layout.preferredWidth() + 8
        self._legend_column.setMaximumWidth(width)
        self._legend_column.setMinimumWidth(width)

    def highlight(self, ids) -> None:
        """Bold the curves of ``ids`` and fade the rest (an empty selection shows all alike)."""
        self.selected = set(ids)
        for cid, curve in self.curves.items():
            color, style = self.styles[cid]
            on = not self.selected or cid in self.selected
            width = 3.5 if cid in self.selected else 2
            curve.setPen(pg.mkPen(qcolor(color, 255 if on else 50), width=width, style=style))
            curve.setZValue(10 if cid in self.selected else 5)
            self.bands[cid].setBrush(pg.mkBrush(qcolor(color, 45 if on else 10)))

    def pen_width(self, cid: int) -> float:
        return self.curves[cid].opts["pen"].widthF()

    def export(self, path: str) -> None:
        """Write the plot to ``path``: .png (2× the on-screen size) or .svg."""
        lower = path.lower()
        if lower.endswith(".svg"):
            exporter = pg.exporters.SVGExporter(self.plot)
            vb = self.plot.getViewBox()
            # The exporter cannot parse the "Z" Qt writes for closed paths: the view box's
            # border and its clip shape (a rectangle) are given as open outlines meanwhile.
            r = vb.boundingRect()
            outline = QPainterPath(r.topLeft())
            for corner in (r.topRight(), r.bottomRight(), r.bottomLeft()):  # no return: Qt would write "Z"
                outline.lineTo(corner)
            border, vb.border = vb.border, None
            vb.shape = lambda: outline
            try:
                exporter.export(path)
            finally:
                vb.border = border
                del vb.shape
            return
        elif lower.endswith(".png"):
            exporter = pg.exporters.ImageExporter(self.plot)
            exporter.parameters()["width"] = int(max(800, 2 * self.plot.sceneBoundingRect().width()))
        else:
            raise ValueError(f"export the plot as .png or .svg, got {path!r}")
        exporter.export(path)
