"""What the Initialization panel shows of a result: histograms, gradient magnitudes, the table.

``InitHistograms`` is the Forward / Backward tab widget with one ``LayerHistogramRow`` per
configuration and direction. ``InitNumbers`` is the bottom row: mean |∂L/∂a| per layer on a
log axis (vanishing and exploding gradients show as slopes), the per-layer table and a one-line
summary. Both draw an ``app.models.init.InitModel``'s results and read their colours from the
palette when drawing, so a theme switch (``palette.signals.changed``) only has to redraw.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.models.init import CONFIGS, ZERO_SPIKE, InitModel
from app.panels.init.config_editor import config_label
from app.widgets import plots
from app.widgets.layer_histograms import LayerHistogramRow, share_y_range
from app.widgets.palette import series_color

COLORS = {"A": series_color(0), "B": series_color(1)}
TABLE_COLUMNS = ("", "layer", "mean", "std", "saturated", "f′ < 0.01", "zeros", "dead units", "mean |∂L/∂a|")


def _header(text: str) -> str:
    """A long two-word header on two lines ("dead\nunits"): nine columns share about 520 px."""
    return text.replace(" ", "\n", 1) if len(text) > 9 and " " in text else text


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.0%}" if np.isfinite(v) else "—"


def _num(v: float) -> str:
    return f"{v:.3g}" if np.isfinite(v) else str(v)


class InitHistograms(QTabWidget):
    """Forward and backward histograms per layer for A and B (``act_rows`` / ``grad_rows``)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("initViews")
        self.act_rows: dict[str, LayerHistogramRow] = {}
        self.grad_rows: dict[str, LayerHistogramRow] = {}
        for rows, name, tab, tip in (
            (self.act_rows, "act", tr("Forward: activations"), tr("Histogram of every layer's outputs (all samples × units)")),
            (self.grad_rows, "grad", tr("Backward: gradients ∂L/∂a"),
             tr("Histogram of the gradient reaching every layer's outputs; L = Σ r ⊙ a_L with a fixed random r")),
        ):
            page = QWidget()
            pcol = QVBoxLayout(page)
            pcol.setContentsMargins(0, 0, 0, 0)
            pcol.setSpacing(2)
            for key in CONFIGS:
                row = LayerHistogramRow(page, title=key)
                row.setObjectName(f"{name}Row{key}")
                pcol.addWidget(row, 1)
                rows[key] = row
            self.addTab(page, tab)
            self.setTabToolTip(self.count() - 1, tip)

    def prepare(self, n_layers: int) -> None:
        """Build the plots of ``n_layers`` layers ahead of the first result (≈ 25 ms each)."""
        names = [tr("Layer {i}").format(i=i) for i in range(1, n_layers + 1)]
        for row in (*self.act_rows.values(), *self.grad_rows.values()):
            row.set_layers(names)

    def show_b(self, on: bool) -> None:
        for rows in (self.act_rows, self.grad_rows):
            rows["B"].setVisible(on)

    def draw(self, model: InitModel) -> None:
        keys = [k for k in CONFIGS if k in model.results]
        for key in CONFIGS:
            if key not in model.results:
                self.act_rows[key].clear_series(0)
                self.grad_rows[key].clear_series(0)
        for key in keys:
            res = model.results[key]
            kind = model.kind(key)
            names = [tr("Layer {i}").format(i=layer.index) for layer in res.layers]
            label = config_label(model.results_state.config(key))
            act_row, grad_row = self.act_rows[key], self.grad_rows[key]
            act_row.set_layers(names)
            grad_row.set_layers(names)
            clipped = tr(" (the spike of zeros at 0 is cut off: see 'zeros')") if kind in ZERO_SPIKE else ""
            act_row.set_title(f"{key}: {label}", tr("activation output") + clipped)
            grad_row.set_title(f"{key}: {label}", "∂L/∂a")
            act_row.set_histograms([(layer.counts, res.edges) for layer in res.layers], color=COLORS[key])
            grad_row.set_histograms([(layer.grad_counts, res.grad_edges) for layer in res.layers], color=COLORS[key])
            act_row.set_texts([self._act_text(kind, layer) for layer in res.layers])
            grad_row.set_texts([tr("mean |g| {value}").format(value=_num(layer.grad_mean_abs)) for layer in res.layers])
        self._share_ranges(model, keys)

    @staticmethod
    def _act_text(kind: str, layer) -> str:
        text = f"μ {layer.mean:.2f}  σ {layer.std:.2g}"
        if layer.summary["share_saturated"] is not None:
            text += "  " + tr("sat {share}").format(share=_pct(layer.share_saturated))
        elif kind in ZERO_SPIKE:
            text += "  " + tr("zeros {share}").format(share=_pct(layer.share_zero))
        return text

    def _share_ranges(self, model: InitModel, keys: list[str]) -> None:
        """Same y scale in A and B; same x range too when both show the same kind of values."""
        kinds = {model.kind(k) for k in keys}
        # ReLU's spike of exact zeros (reported as "zeros" under each plot) is clipped, as in
        # the book's fig. 6-14, so the spread of the living units stays visible
        tops = [self.act_rows[k].y_max(0.0 if model.kind(k) in ZERO_SPIKE else None) for k in keys]
        for k in keys:
            self.act_rows[k].set_y_max(max(tops, default=1.0))
        share_y_range([self.grad_rows[k] for k in keys])
        for rows, edges_of, same in ((self.act_rows, "edges", len(kinds) == 1), (self.grad_rows, "grad_edges", True)):
            if same and len(keys) > 1:
                lo = min(getattr(model.results[k], edges_of)[0] for k in keys)
                hi = max(getattr(model.results[k], edges_of)[-1] for k in keys)
                for k in keys:
                    rows[k].set_x_range(lo, hi)
            else:
                for k in keys:
                    rows[k].set_x_range(None)


class InitNumbers(QWidget):
    """The gradient-magnitude plot, the per-layer table and the summary line."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.magnitude_plot = plots.make_plot("", tr("layer"), tr("mean |∂L/∂a|  (log)"), name="magnitudePlot")
        self.magnitude_plot.setToolTip(
            tr("How much gradient reaches each layer's outputs. The last layer always receives a unit-scale\n"
               "gradient; a line falling toward layer 1 means vanishing gradients, a rising one exploding.")
        )
        self.magnitude_plot.setLogMode(y=True)
        self.magnitude_plot.getAxis("left").enableAutoSIPrefix(False)
        item = self.magnitude_plot.getPlotItem()
        item.disableAutoRange()
        item.setMouseEnabled(x=False, y=False)
        self._decades: tuple[int, int] | None = None
        self.magnitude_curves = {}  # no legend (it would hide lines): the title names A and B in colour
        for key in CONFIGS:
            curve = item.plot(pen=plots.pen(COLORS[key]), symbol="o", symbolSize=7, symbolBrush=COLORS[key],
                              symbolPen=None)
            self.magnitude_curves[key] = curve
        row.addWidget(self.magnitude_plot, 1)
        row.addWidget(self._build_table(), 1)

    def _build_table(self) -> QWidget:
        self.table = QTableWidget(0, len(TABLE_COLUMNS))
        self.table.setObjectName("layerTable")
        self.table.setHorizontalHeaderLabels([_header(tr(c)) for c in TABLE_COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # none clipped
        header.setStretchLastSection(True)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        tips = (tr("configuration"), tr("layer (1 = first hidden layer)"), tr("mean of the activations"),
                tr("std of the activations"), tr("share of sigmoid outputs < 0.01 or > 0.99 (tanh |a| > 0.99): "
                   "derivative ≈ 0"),
                tr("share of outputs whose unit has slope f′ < 0.01 there: each passes back under 1 % of "
                   "the gradient it receives (per unit; large weights can make up for it across the layer)"),
                tr("share of activations exactly 0 (ReLU's negative side)"),
                tr("share of units that are 0 for every sample: they pass no gradient at all"),
                tr("mean |∂L/∂a| reaching the layer's outputs"))
        for i, tip in enumerate(tips):
            self.table.horizontalHeaderItem(i).setToolTip(tip)
        self.table.setToolTip(tr("Per-layer numbers from the engine (— : not defined for this activation)"))
        right = QWidget()
        rcol = QVBoxLayout(right)
        rcol.setContentsMargins(0, 0, 0, 0)
        rcol.addWidget(self.table, 1)
        self.summary = QLabel()
        self.summary.setObjectName("initSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        rcol.addWidget(self.summary)
        right.setMinimumWidth(520)
        return right

    def show_b(self, on: bool) -> None:
        self.magnitude_curves["B"].setVisible(on)

    def draw(self, model: InitModel) -> None:
        keys = [k for k in CONFIGS if k in model.results]
        self._draw_magnitudes(model, keys)
        self._fill_table(model)
        self._fill_summary(model, keys)

    def _draw_magnitudes(self, model: InitModel, keys: list[str]) -> None:
        values = []
        n_layers = 1
        for key in CONFIGS:
            curve = self.magnitude_curves[key]
            if key not in keys:
                curve.setData([], [])
                continue
            g = model.column(key, "grad_mean_abs")
            g = np.where(g > 0, g, np.nan)  # a log axis cannot draw 0
            curve.setData(np.arange(1, len(g) + 1), g, connect="finite")
            values.append(g)
            n_layers = max(n_layers, len(g))
        item = self.magnitude_plot.getPlotItem()
        self._fit_decades(item, values)
        plots.fit_x(item, 0.7, n_layers + 0.3)
        item.getAxis("bottom").setTicks([[(i, str(i)) for i in range(1, n_layers + 1)]])
        names = " ".join(f"<span style='color:{COLORS[k]}'>■ {k}</span>" for k in keys)
        item.setTitle(tr("Gradient reaching each layer {names}").format(names=names), size=plots.TITLE_SIZE)

    def _fit_decades(self, item, values) -> None:
        """Whole decades (at least two), labelled at each decade only: pyqtgraph's own log ticks
        label 0.2 … 0.9 on top of each other when the range spans one or two decades."""
        logs = [np.log10(v[np.isfinite(v) & (v > 0)]) for v in values]
        logs = [v for v in logs if v.size]
        if not logs:
            return
        lo = math.floor(min(v.min() for v in logs) - 0.05)
        hi = math.ceil(max(v.max() for v in logs) + 0.05)
        lo = min(lo, hi - 2)
        if self._decades != (lo, hi):
            self._decades = (lo, hi)
            item.setYRange(lo, hi, padding=0.1)  # room for the edge labels (pyqtgraph drops clipped ones)
            every = max(1, math.ceil((hi - lo) / 8))  # at most about eight labels
            ticks = [(k, f"{10.0 ** k:g}") for k in range(lo, hi + 1) if (k - lo) % every == 0]
            item.getAxis("left").setTicks([ticks, []])

    def _fill_table(self, model: InitModel) -> None:
        """One row per configuration and layer. Only the configuration cell has a colour (its
        series hue, readable in both themes); the numbers use the palette's text colour."""
        rows = model.rows()
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            cells = (row.config, str(row.layer), f"{row.mean:.3f}", f"{row.std:.3g}", _pct(row.saturated),
                     _pct(row.flat), _pct(row.zeros), _pct(row.dead), _num(row.grad_mean_abs))
            for c, text in enumerate(cells):
                item = self.table.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    self.table.setItem(r, c, item)
                item.setText(text)
                if c == 0:
                    item.setForeground(QBrush(QColor(COLORS[row.config])))

    def _fill_summary(self, model: InitModel, keys: list[str]) -> None:
        parts = []
        for key in keys:
            ratio = model.gradient_ratio(key)
            parts.append(
                f"<b style='color:{COLORS[key]}'>{key}</b>: "
                + tr("layer 1 gets {ratio}× the gradient of layer {last}").format(
                    ratio=_num(ratio), last=len(model.results[key].layers))
                + (tr(" (vanishing)") if ratio < 0.1 else tr(" (exploding)") if ratio > 10 else "")
            )
        self.summary.setText(" &nbsp;·&nbsp; ".join(parts))
