"""One histogram per layer, side by side on shared axes (the book's ch. 6 figure, live).

The point of the figure is comparison *across* layers (saturation building up, activations
collapsing, gradients vanishing), so every layer shares one x range and one y range, and only
the first plot carries y tick labels. Several series can be overlaid per layer (e.g. config A
and B, or train and test) in distinct colours.

API (all on the GUI thread)::

    row = LayerHistogramRow(parent, title="Activations", x_label="output", normalize=True)
    row.set_layers(["Layer 1", "Layer 2", ...])      # rebuilds only when the count changes
    row.set_histograms([(counts, edges), ...], series=0, color="#0072B2", label="A")
    row.set_texts(["μ 0.50  σ 0.43", ...], series=0) # optional line under each layer
    row.clear_series(1)                              # hide series 1 everywhere
    row.histogram(layer, series=0) -> (counts, edges) as given (for tests / read-outs)
    row.heights(layer, series=0)   -> what is drawn (share of values if ``normalize``)
    row.set_title("A: Sigmoid · std 1", x_label="activation output")  # the header line
    row.y_max(skip_value=None)  # the y top its data needs (skip_value: leave out, e.g., ReLU's 0 bin)
    row.set_y_max(v)                                 # pin the y top (None: follow the data)
    share_y_range([row_a, row_b])                    # one y range for several rows
    row.set_x_range(lo, hi)                          # pin x (set_x_range(None): union of the edges)
    row.plot(i)                                      # the PlotItem of layer i, for extra items

Curves are created once per (layer, series); updates only call ``setData``, so a redraw of
ten 30-bin histograms costs a few milliseconds. Ranges are set explicitly (rounded, and only
when they change) instead of auto-ranging, which would re-layout the axes on every update.
"""

from __future__ import annotations

import html
import math
from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal

from app.i18n import tr
from app.widgets import plots
from app.widgets import palette
from app.widgets.palette import qcolor, series_color

#: Fill opacity: two overlaid series must both stay visible.
FILL_ALPHA = 90
TEXT_SIZE = "8pt"
#: Room at both x ends so the edge tick labels (sigmoid's 0 and 1, where saturation piles up)
#: fit: pyqtgraph drops a label that would reach past its axis.
X_PADDING = 0.07


class LayerHistogramRow(pg.GraphicsLayoutWidget):
    """A row of per-layer histograms with shared axes; see the module docstring for the API.

    ``normalize=True`` draws each histogram as the share of values per bin (so rows with
    different sample counts compare); ``False`` draws raw counts. ``yRangeChanged(float)`` is
    emitted when the y maximum this row wants changes, for rows that share one y range.
    """

    yRangeChanged = Signal(float)

    def __init__(self, parent=None, title: str = "", x_label: str = "", y_label: str = "",
                 normalize: bool = True):
        plots.configure()
        super().__init__(parent)
        self.setBackground(palette.BACKGROUND)
        self.ci.layout.setContentsMargins(2, 2, 2, 2)
        self.ci.layout.setHorizontalSpacing(4)
        self.ci.layout.setVerticalSpacing(0)
        self.normalize = bool(normalize)
        self._title = title
        self._x_label = x_label
        self._y_label = y_label or (tr("share of values") if normalize else tr("count"))
        self._names: list[str] = []
        self._plots: list[pg.PlotItem] = []
        self._labels: list[pg.LabelItem] = []
        self._curves: dict[tuple[int, int], pg.PlotDataItem] = {}
        self._data: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        self._texts: dict[int, list[str]] = {}
        self._colors: dict[int, str] = {}
        self._x_pinned: tuple[float, float] | None = None
        self._y_pinned: float | None = None
        self._header: pg.LabelItem | None = None
        self._applied: tuple | None = None  # the (x, y) ranges last set, to skip no-op re-layouts
        self._last_wanted: float | None = None
        self.setMinimumHeight(150)
        palette.signals.changed.connect(self._recolour)

    def _recolour(self, *_dark) -> None:
        """The theme changed: background, header and the texts under the plots (plots.PlotTheme does the axes)."""
        self.setBackground(palette.BACKGROUND)
        if self._header is not None:
            self._header.setText(self._header_html(), size="10pt", color=palette.FOREGROUND)
        for label in self._labels:
            label.setText(label.text, color=palette.MUTED)
        self._refresh_texts()

    # ---- structure ---------------------------------------------------------------------------
    def layer_names(self) -> list[str]:
        return list(self._names)

    def plot(self, layer: int) -> pg.PlotItem:
        """The PlotItem of ``layer`` (0-based), e.g. to add markers."""
        return self._plots[layer]

    def set_layers(self, names: Sequence[str]) -> None:
        """One plot per name. Same count: only the titles change; otherwise rebuild."""
        names = [str(n) for n in names]
        if len(names) == len(self._plots):
            for p, old, new in zip(self._plots, self._names, names):
                if old != new:
                    p.setTitle(new, size="9pt", color=palette.FOREGROUND)
            self._names = names
            return
        self.ci.clear()
        self._plots, self._labels, self._curves, self._data = [], [], {}, {}
        self._applied = None
        self._names = names
        row = 0
        if self._title or self._x_label:
            self._header = self.ci.addLabel(self._header_html(), row=0, col=0, colspan=max(1, len(names)),
                                            size="10pt", color=palette.FOREGROUND)
            row = 1
        for i, name in enumerate(names):
            p = self.ci.addPlot(row=row, col=i)
            # the x label lives in the header: one per plot would repeat it L times
            plots.style_plot(p, "", y=self._y_label if i == 0 else "")
            p.getAxis("left").enableAutoSIPrefix(False)
            p.getAxis("bottom").enableAutoSIPrefix(False)
            p.setTitle(name, size="9pt", color=palette.FOREGROUND)
            p.hideButtons()
            p.setMouseEnabled(x=False, y=False)
            p.getViewBox().disableAutoRange()
            if i > 0:
                p.getAxis("left").setStyle(showValues=False)
                p.getAxis("left").setWidth(4)
                p.setYLink(self._plots[0])
                p.setXLink(self._plots[0])
            label = self.ci.addLabel("", row=row + 1, col=i, size=TEXT_SIZE, color=palette.MUTED)
            self._plots.append(p)
            self._labels.append(label)
        self._refresh_texts()
        self._refresh_ranges()

    # ---- data ----------------------------------------------------------------------------------
    def set_histograms(self, hists: Sequence[tuple[np.ndarray, np.ndarray]], series: int = 0,
                       color: str | None = None, label: str = "") -> None:
        """Draw ``(counts, edges)`` per layer as ``series`` (extra layers are ignored)."""
        series = int(series)
        if color is not None:
            self._colors[series] = color
        color = self._colors.setdefault(series, series_color(series))
        for i, (counts, edges) in enumerate(list(hists)[: len(self._plots)]):
            counts = np.asarray(counts, dtype=np.float64)
            edges = np.asarray(edges, dtype=np.float64)
            if edges.shape != (counts.size + 1,):
                raise ValueError(f"layer {i}: edges must have len(counts) + 1 = {counts.size + 1} entries, "
                                 f"got {edges.shape}")
            self._data[(i, series)] = (counts, edges)
            curve = self._curves.get((i, series))
            if curve is None:
                curve = pg.PlotDataItem(stepMode="center", fillLevel=0, pen=pg.mkPen(color, width=1.5),
                                        brush=pg.mkBrush(qcolor(color, FILL_ALPHA)), name=label or None)
                self._plots[i].addItem(curve)
                self._curves[(i, series)] = curve
            elif curve.opts["pen"].color().name().lower() != color.lower():
                curve.setPen(pg.mkPen(color, width=1.5))
                curve.setBrush(pg.mkBrush(qcolor(color, FILL_ALPHA)))
            curve.setData(edges, self._heights(counts))
            curve.show()
        self._refresh_ranges()

    def clear_series(self, series: int) -> None:
        """Hide ``series`` in every layer (and forget its data and texts)."""
        for (i, s), curve in self._curves.items():
            if s == series:
                curve.hide()
                self._data.pop((i, s), None)
        self._texts.pop(series, None)
        self._refresh_texts()
        self._refresh_ranges()

    def set_title(self, title: str, x_label: str | None = None) -> None:
        """Change the row's header (and the x description in it)."""
        self._title = title
        if x_label is not None:
            self._x_label = x_label
        if self._header is not None:
            self._header.setText(self._header_html(), size="10pt", color=palette.FOREGROUND)

    def _header_html(self) -> str:
        text = f"<b>{html.escape(self._title)}</b>" if self._title else ""
        if self._x_label:
            text += f"<span style='color:{palette.MUTED}'>{' · ' if text else ''}x: {html.escape(self._x_label)}</span>"
        return text

    def set_texts(self, texts: Sequence[str], series: int = 0) -> None:
        """One short line under each layer for ``series`` (plain text, drawn in its colour)."""
        self._texts[int(series)] = [str(t) for t in texts]
        self._refresh_texts()

    def histogram(self, layer: int, series: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """The ``(counts, edges)`` last given for ``layer`` and ``series``."""
        return self._data[(layer, series)]

    def heights(self, layer: int, series: int = 0) -> np.ndarray:
        """The bar heights drawn for ``layer`` and ``series`` (from the curve itself)."""
        return np.asarray(self._curves[(layer, series)].getData()[1])

    def texts(self, series: int = 0) -> list[str]:
        return list(self._texts.get(series, []))

    def series_shown(self) -> list[int]:
        return sorted({s for (_i, s) in self._data})

    # ---- ranges ----------------------------------------------------------------------------------
    def y_max(self, skip_value: float | None = None) -> float:
        """The top of the y range this row's data needs (rounded up).

        ``skip_value`` leaves out the bin that contains it, e.g. 0 for ReLU: its spike of exact
        zeros would squash every other bar (the book clips it too, with ``ylim``). If nothing
        is left but that bin, it counts after all.
        """
        heights = []
        for counts, edges in self._data.values():
            h = self._heights(counts)
            if skip_value is not None and h.size:
                i = int(np.searchsorted(edges, skip_value, side="right")) - 1
                if 0 <= i < h.size:
                    h = np.delete(h, min(i, h.size - 1))
            if h.size:
                heights.append(h.max())
        top = max(heights, default=0.0)
        if skip_value is not None and top < 0.005:  # everything sits in the skipped bin
            return self.y_max()
        if not math.isfinite(top) or top <= 0:
            return 1.0
        return plots.nice_limits(0.0, top, pad=0.04)[1]

    def set_y_max(self, value: float | None) -> None:
        """Pin the top of the y range (None: follow this row's own data)."""
        self._y_pinned = None if value is None else float(value)
        self._refresh_ranges()

    def set_x_range(self, lo: float | None, hi: float | None = None) -> None:
        """Pin the shared x range (``set_x_range(None)``: the union of the edges)."""
        self._x_pinned = None if lo is None else (float(lo), float(hi))
        self._refresh_ranges()

    def x_range(self) -> tuple[float, float]:
        return tuple(self._plots[0].getViewBox().viewRange()[0]) if self._plots else (0.0, 1.0)

    # ---- internals ---------------------------------------------------------------------------------
    def _heights(self, counts: np.ndarray) -> np.ndarray:
        if not self.normalize:
            return counts
        total = counts.sum()
        return counts / total if total > 0 else np.zeros_like(counts)

    def _refresh_ranges(self) -> None:
        if not self._plots:
            return
        wanted = self.y_max()
        if self._y_pinned is None:
            top = wanted
        else:
            top = self._y_pinned
        if self._x_pinned is not None:
            lo, hi = self._x_pinned
        elif self._data:
            lo = min(e[0] for _c, e in self._data.values())
            hi = max(e[-1] for _c, e in self._data.values())
        else:
            lo, hi = 0.0, 1.0
        first = self._plots[0]
        if self._applied is None or self._applied[0] != (lo, hi):
            first.setXRange(lo, hi, padding=X_PADDING)
        if self._applied is None or self._applied[1] != top:
            first.setYRange(0.0, top, padding=0)
        self._applied = ((lo, hi), top)
        if self._last_wanted != wanted:
            self._last_wanted = wanted
            self.yRangeChanged.emit(wanted)

    def _refresh_texts(self) -> None:
        for i, label in enumerate(self._labels):
            lines = []
            for series in sorted(self._texts):
                texts = self._texts[series]
                if i < len(texts) and texts[i]:
                    color = self._colors.get(series, series_color(series))
                    lines.append(f"<span style='color:{color}'>{html.escape(texts[i])}</span>")
            label.setText("<br>".join(lines) or "&nbsp;", size=TEXT_SIZE)


def share_y_range(rows: Sequence[LayerHistogramRow], skip_value: float | None = None) -> float:
    """Give every row the largest y maximum any of them needs (see ``y_max``); returns it."""
    top = max((row.y_max(skip_value) for row in rows), default=1.0)
    for row in rows:
        row.set_y_max(top)
    return top
