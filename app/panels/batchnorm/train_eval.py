"""Train vs eval mode side by side: the same batch normalized two ways.

In training, batch norm uses the batch's own μ and σ²; in evaluation, the running statistics.
The table puts y (train) beside y (eval) for every sample and feature, and the batch's μ, σ²
beside the running mean and variance after k training batches. The plot draws the largest
|y eval − y train| against k: it falls as the running statistics catch up, down to a floor
that stays, because the running variance is the unbiased N/(N − 1)·σ².
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.i18n import tr
from app.panels.batchnorm.tables import NumberTable, cell
from app.widgets import palette, plots
from engine import batchnorm_trace as bt


class TrainEvalView(QWidget):
    """The table and the sentence: ``show_trace(trace, gap, ratio)``; see the module docstring."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("trainEvalView")
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(2)
        col.addWidget(QLabel(f"<b>{tr('Train vs eval mode')}</b>"))
        self.table = NumberTable("evalTable", tr(
            "y in training mode (normalized with the batch's μ and σ²) next to y in eval mode "
            "(normalized with the running statistics after k training batches)"))
        col.addWidget(self.table, 1)
        self.label = QLabel()
        self.label.setObjectName("evalLabel")
        self.label.setWordWrap(True)
        col.addWidget(self.label)

    def show_trace(self, trace: bt.BNTrace, gap: float, ratio: float) -> None:
        self._trace = trace
        s = trace.setup
        n, d = s.n, s.d
        cols = [label for j in range(d) for label in (tr("train {j}").format(j=j + 1), tr("eval {j}").format(j=j + 1))]
        cells = [[c for j in range(d) for c in (cell(trace.y_train, i, j), cell(trace.y_eval, i, j))] for i in range(n)]
        for batch, running in ((trace.values["mu"], trace.running_mean), (trace.values["var"], trace.running_var)):
            cells.append([c for j in range(d) for c in (cell(batch, 0, j), cell(running, 0, j))])
        rows = [f"y {i + 1}" for i in range(n)] + [tr("μ | running"), tr("σ² | running")]
        self.table.fill(rows, cols, [[t for t, _ in r] for r in cells], tips=[[e for _, e in r] for r in cells])
        self.table.mark({(i, 2 * j + 1): "reads" for i in range(n + 2) for j in range(d)})
        self.table.fit_width()
        self.label.setText(tr(
            "After k = {k} training batches: largest |y eval − y train| = {gap}. Many batches later the running "
            "mean is μ, but the running variance is the unbiased N/(N − 1)·σ², so eval x_n stays "
            "{ratio} × train x_n.").format(k=s.batches, gap=f"<b>{bt.fmt(gap)}</b>", ratio=f"<b>{bt.fmt(ratio)}</b>"))


class EvalGapPlot(QWidget):
    """The largest |y eval − y train| against the training batches k, the current k marked."""

    def __init__(self, parent=None):
        super().__init__(parent)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        self.plot = plots.make_plot(tr("Largest |y eval − y train|"), tr("training batches k"), "", name="evalGapPlot")
        self.plot.setToolTip(tr("How far eval mode is from train mode after k training batches of this batch; "
                                "the dashed line is what the unbiased running variance leaves"))
        col.addWidget(self.plot)
        self._trace = None

    def show_trace(self, trace: bt.BNTrace) -> None:
        self._trace = trace
        self.redraw()

    def redraw(self) -> None:
        """The gap curve over k (colours read now: the theme switch calls this too)."""
        if self._trace is None:
            return
        s = self._trace.setup
        ks = np.arange(0, max(60, 2 * s.batches) + 1)
        gaps = bt.eval_gap(s, ks)
        floor = float(bt.eval_gap(s, [bt.MAX_BATCHES])[0])
        item = self.plot.getPlotItem()
        item.clear()
        item.plot(ks, gaps, pen=plots.pen(palette.series_color(0)))
        item.plot([ks[0], ks[-1]], [floor, floor], pen=plots.pen(palette.MUTED, 1.5, dashed=True))
        item.plot([s.batches], [float(bt.eval_gap(s, [s.batches])[0])], pen=None, symbol="o", symbolSize=9,
                  symbolBrush=palette.series_color(3), symbolPen=palette.series_color(3))
