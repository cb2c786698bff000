"""The search mode's results: validation accuracy over (learning rate, weight decay), the best
trials' curves, and a sortable table of every finished trial.

The scatter is the book's picture of §6.5 turned into one plot: each trial is a point at its
learning rate (x) and weight decay (y), both on log axes because both were drawn log-uniformly,
coloured by its final validation accuracy (viridis; the colour bar gives the scale). The best
``top_n`` trials get an outline, so the good region reads at a glance: a band of learning
rates, whatever the weight decay. Next to it, the validation accuracy per epoch of those best
trials (the book's "best 20" curves). The table lists every finished trial best first; a
header click sorts by that column. Neutral colours follow the theme (``palette.signals.changed``).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.models.hparam_search import COLUMNS, SearchModel
from app.widgets import palette, plots

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
CMAP = "viridis"


class _Item(QTableWidgetItem):
    """A cell that sorts by its number (``SORT_ROLE``), not by its text."""

    def __lt__(self, other) -> bool:
        a, b = self.data(SORT_ROLE), other.data(SORT_ROLE)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return a < b
        return str(a) < str(b)


def _text(key: str, value) -> str:
    if key in ("lr", "weight_decay"):
        return f"{value:.3g}"
    if key in ("val_accuracy", "train_accuracy"):
        return f"{100 * value:.1f} %" if math.isfinite(value) else "—"
    if key == "val_loss":
        return f"{value:.4g}"
    if key == "status":
        return tr(value)
    return str(value)


class SearchView(QWidget):
    """``show_results(model, top_n)`` draws a ``SearchModel``; ``clear()``."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("searchView")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        plots.configure()
        self.cmap = pg.colormap.get(CMAP)
        self.plots = pg.GraphicsLayoutWidget(self)
        self.plots.setObjectName("searchPlots")
        self.scatter = self.plots.ci.addPlot(row=0, col=0)
        plots.style_plot(self.scatter, tr("Validation accuracy of every trial"), x=tr("learning rate"),
                         y=tr("weight decay"))
        self.scatter.setLogMode(x=True, y=True)
        self.bar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=self.cmap, interactive=False, width=12)
        self.plots.ci.addItem(self.bar, row=0, col=1)
        self.curves = self.plots.ci.addPlot(row=0, col=2)
        plots.style_plot(self.curves, "", x=tr("epoch"), y=tr("validation accuracy"))
        for plot in (self.scatter, self.curves):
            plot.hideButtons()
            for side in ("bottom", "left"):
                plot.getAxis(side).enableAutoSIPrefix(False)
        self.plots.ci.layout.setColumnStretchFactor(0, 3)
        self.plots.ci.layout.setColumnStretchFactor(2, 2)
        self.placeholder = pg.TextItem(tr("Set the ranges, then Run the search (Space)"), anchor=(0.5, 0.5))
        self.curves.addItem(self.placeholder)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("searchTable")
        self.table.setHorizontalHeaderLabels([tr(h) for _k, h, _t in COLUMNS])
        for col, (_k, _h, tip) in enumerate(COLUMNS):
            self.table.horizontalHeaderItem(col).setToolTip(tr(tip))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSortingEnabled(True)
        self.table.sortItems(0, Qt.SortOrder.AscendingOrder)  # by rank: the best first
        self.table.setToolTip(tr("Every finished trial, best validation accuracy first; click a header to sort"))
        self.csv_button = QPushButton(tr("Export &CSV…"), self)
        self.csv_button.setObjectName("searchExportCsv")
        self.csv_button.setToolTip(tr("Save every finished trial (best first, unrounded) as CSV"))
        self.summary = QLabel(self)
        self.summary.setObjectName("searchSummary")
        self.summary.setWordWrap(True)
        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.summary, 1)
        row.addWidget(self.csv_button)
        lower_layout.addLayout(row)
        lower_layout.addWidget(self.table, 1)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.setObjectName("searchSplitter")
        split.addWidget(self.plots)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.plots.setMinimumHeight(220)
        self.splitter = split
        self._sized = False
        layout.addWidget(split, 1)
        self.items: list = []
        palette.signals.changed.connect(self._recolor)
        self._recolor()
        self.clear()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """First show: three fifths of the height to the plots."""
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            QTimer.singleShot(0, self._initial_sizes)  # once the layout has its real size

    def _initial_sizes(self) -> None:
        h = max(self.splitter.height(), 300)
        self.splitter.setSizes([int(h * 0.6), h - int(h * 0.6)])

    def _recolor(self, _dark: bool = False) -> None:
        self.plots.setBackground(palette.BACKGROUND)
        axis = self.bar.axis  # the colour bar's scale is no PlotItem: the plot theme does not reach it
        axis.setTextPen(palette.FOREGROUND)
        axis.setPen(palette.MUTED)
        axis.setLabel(tr("validation accuracy"), color=palette.FOREGROUND, **{"font-size": f"{plots.AXIS_FONT_PT}pt"})
        self.placeholder.setColor(palette.MUTED)
        self.summary.setStyleSheet(f"color: {palette.MUTED}")

    def clear(self) -> None:
        for plot in (self.scatter, self.curves):
            for item in list(plot.listDataItems()):
                plot.removeItem(item)
        self.table.setSortingEnabled(False)
        self.table.setRowCount(0)
        self.table.setSortingEnabled(True)
        self.summary.setText("")
        self.placeholder.show()
        self.placeholder.setPos(0.5, 0.5)
        self.curves.setXRange(0, 1)
        self.curves.setYRange(0, 1)

    def show_results(self, model: SearchModel, top_n: int) -> None:
        """Draw the finished trials of ``model`` (the best ``top_n`` outlined and as curves)."""
        self.clear()
        if model.search is not None:
            s = model.search
            self.scatter.setXRange(*s.lr_range, padding=0.03)
            self.scatter.setYRange(*s.wd_range, padding=0.03)
        p = model.points()
        if not len(p["trial"]):
            return
        self.placeholder.hide()
        acc = np.nan_to_num(p["val_accuracy"], nan=0.0)
        brushes = [pg.mkBrush(self.cmap.map(float(np.clip(a, 0, 1)), mode="qcolor")) for a in acc]
        ranking = model.ranking()
        best = set(ranking[:top_n])
        outline = pg.mkPen(palette.FOREGROUND, width=1.5)
        pens = [outline if int(t) in best else pg.mkPen(None) for t in p["trial"]]
        self.scatter.plot(p["lr"], p["weight_decay"], pen=None, symbol="o", symbolSize=10,
                          symbolBrush=brushes, symbolPen=pens)
        for trial, val, _train in reversed(model.best_curves(top_n)):  # the best drawn last, on top
            final = float(np.nan_to_num(val[-1], nan=0.0))
            color = self.cmap.map(float(np.clip(final, 0, 1)), mode="qcolor")
            self.curves.plot(np.arange(len(val), dtype=float), np.asarray(val, dtype=float),
                             pen=pg.mkPen(color, width=1.5))
        epochs = max(len(r.curves["test_accuracy"]) for r in model.results.values()) - 1
        self.curves.setXRange(0, max(1, epochs), padding=0.02)
        self.curves.setYRange(0, 1, padding=0.02)
        self.curves.setTitle(tr("Validation accuracy of the best {n} trials").format(n=min(top_n, len(ranking))),
                             size=plots.TITLE_SIZE, color=palette.FOREGROUND)
        rows = model.rows()
        self._fill_table(rows)
        best = rows[0]
        self.summary.setText(tr("Best: validation accuracy {acc} with learning rate {lr} and weight decay {wd} "
                                "({done} trials)").format(acc=_text("val_accuracy", best["val_accuracy"]),
                                                          lr=_text("lr", best["lr"]),
                                                          wd=_text("weight_decay", best["weight_decay"]), done=len(rows)))

    def _fill_table(self, rows: list[dict]) -> None:
        header = self.table.horizontalHeader()
        column, order = header.sortIndicatorSection(), header.sortIndicatorOrder()
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, (key, _h, _t) in enumerate(COLUMNS):
                item = _Item(_text(key, row[key]))
                value = row[key]
                item.setData(SORT_ROLE, -math.inf if isinstance(value, float) and not math.isfinite(value) else value)
                if key != "status":
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.setSortingEnabled(True)
        if 0 <= column < len(COLUMNS):
            self.table.sortItems(column, order)

    def column(self, key: str) -> list:
        """The values of column ``key`` in the rows' current order (tests, scene debugging)."""
        c = [k for k, _h, _t in COLUMNS].index(key)
        return [self.table.item(r, c).data(SORT_ROLE) for r in range(self.table.rowCount())]
