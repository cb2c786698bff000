"""Small multiples: the grid's curves split into a grid of small plots by up to two factors.

With three or four factors one plot of colour × line style cannot be read (24 curves, four
legend entries). Like the book's 4 × 4 batch-norm figure, each small plot holds the
configurations that share one level of the *row* factor and one of the *column* factor; inside
it, colour still encodes the colour factor (line style the rest). The row and column factors
are the grid's first two factors other than the colour factor (``facet_factors``). Plots share
their axes (linked views). Items are created once per configuration and updated with
``setData`` while the grid runs; the cells are rebuilt only when the grid's shape changes.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.i18n import tr
from app.widgets import palette, plots
from engine import experiments

from .plot import METRICS, STYLES, level_colors


def facet_factors(factor_names, color_by: str) -> tuple[str, str]:
    """``(row factor, column factor)``: the first two factors other than ``color_by`` ("" if none)."""
    rest = [n for n in factor_names if n != color_by]
    return (rest[0] if rest else "", rest[1] if len(rest) > 1 else "")


def _name(factor: str, level) -> str:
    return f"{tr(experiments.factor(factor).display_name)} {tr(experiments.format_level(level))}"


class FacetGrid(QWidget):
    """``show_summaries(summaries, factor_names, metric, color_by)``; ``cells``: {(row, col): PlotItem};
    ``curves``: {config_id: PlotDataItem}; ``row_by``/``col_by``: the facet factors."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("compareFacets")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        plots.configure()
        self.widget = pg.GraphicsLayoutWidget(self)
        self.widget.setObjectName("compareFacetsPlot")
        layout.addWidget(self.widget)
        self.setToolTip(tr("Small multiples: one small plot per level of the row and column factors; colour "
                           "shows the colour factor inside each"))
        self.cells: dict[tuple[int, int], pg.PlotItem] = {}
        self.curves: dict[int, pg.PlotDataItem] = {}
        self.row_by = self.col_by = ""
        self.legend: pg.LegendItem | None = None
        self._shape = None
        palette.signals.changed.connect(self._recolor)  # a bound slot: disconnected when this widget goes
        self._recolor()

    def _recolor(self, _dark: bool = False) -> None:
        self.widget.setBackground(palette.BACKGROUND)

    def _rebuild(self, rows, cols, color_by, colors, metric) -> None:
        self.widget.clear()
        self.cells, self.curves = {}, {}
        first = None
        for i, rl in enumerate(rows):
            for j, cl in enumerate(cols):
                title = " · ".join(_name(f, lv) for f, lv in ((self.row_by, rl), (self.col_by, cl)) if f)
                p = self.widget.addPlot(row=i + 1, col=j)
                plots.style_plot(p, title, x=tr("epoch") if i == len(rows) - 1 else "",
                                 y=tr(METRICS[metric]) if j == 0 and i == len(rows) // 2 else "")
                p.hideButtons()
                if first is None:
                    first = p
                else:
                    p.setXLink(first)
                    p.setYLink(first)
                self.cells[(i, j)] = p
        self.legend = pg.LegendItem(labelTextSize="9pt", verSpacing=-4)  # one row above the plots
        self.legend.setBrush(pg.mkBrush(255, 255, 255, 0))
        self.widget.addItem(self.legend, row=0, col=0, colspan=max(1, len(cols)))
        shown = self._levels.get(color_by, [])
        for k, level in enumerate(shown):
            item = pg.PlotDataItem(pen=pg.mkPen(colors[k], width=3))
            self.legend.addItem(item, _name(color_by, level))
        self.legend.setColumnCount(max(1, min(len(shown), 8)))

    def show_summaries(self, summaries, factor_names, metric: str = "test_accuracy", color_by: str = "") -> None:
        names = list(factor_names)
        color_by = color_by if color_by in names else (names[0] if names else "")
        self.row_by, self.col_by = facet_factors(names, color_by)
        self._levels = {n: list(dict.fromkeys(dict(s.config)[n] for s in summaries)) for n in names}
        rows = self._levels.get(self.row_by, [None]) if self.row_by else [None]
        cols = self._levels.get(self.col_by, [None]) if self.col_by else [None]
        colors = level_colors(len(self._levels.get(color_by, []))) if color_by else []
        style_by = next((n for n in names if n not in (color_by, self.row_by, self.col_by)), "")
        shape = (bool(summaries), tuple(names), metric, color_by, tuple(map(repr, rows)), tuple(map(repr, cols)),
                 tuple(map(repr, self._levels.get(color_by, []))))
        if shape != self._shape:
            self._shape = shape
            self._rebuild(rows if summaries else [], cols if summaries else [], color_by, colors, metric)
        for s in summaries:
            cfg = dict(s.config)
            cell = self.cells[(rows.index(cfg[self.row_by]) if self.row_by else 0,
                               cols.index(cfg[self.col_by]) if self.col_by else 0)]
            if s.config_id not in self.curves:
                self.curves[s.config_id] = cell.plot()
            color = colors[self._levels[color_by].index(cfg[color_by])] if color_by else palette.FOREGROUND
            style = STYLES[self._levels[style_by].index(cfg[style_by]) % len(STYLES)] if style_by else STYLES[0]
            mean = s.mean[metric]
            self.curves[s.config_id].setData(np.arange(len(mean), dtype=float), mean)
            self.curves[s.config_id].setPen(pg.mkPen(color, width=2, style=style))
        if self.cells and "accuracy" in metric and metric != "accuracy_gap":
            next(iter(self.cells.values())).setYRange(0, 1, padding=0.02)
