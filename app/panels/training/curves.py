"""Loss and accuracy while training: mini-batch values per step, full-set values per epoch.

Each plot shows the raw mini-batch curve faintly and its smoothed version (TensorBoard's
debiased exponential moving average) on top, plus the whole train and test sets evaluated at
each epoch end. The band between the train and test curves is shaded: its width is the
generalization gap, so overfitting is the band opening up while the train curve keeps improving.
Curves are created once; an update only calls ``setData``.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.i18n import tr
from app.widgets import plots
from app.widgets.bands import BandItem, axis_limit
from app.widgets import palette
from app.widgets.palette import OKABE_ITO, qcolor

TRAIN_COLOR = OKABE_ITO["blue"]
TEST_COLOR = OKABE_ITO["vermillion"]
AA = False
#: Neutral greys (light theme, dark theme): the noisy mini-batch values are context, not the message.
BATCH_COLORS = ("#555555", "#AAAAAA")
RAW_COLORS = ("#C8C8C8", "#505050")
LOG_FLOOR = 1e-8  # losses drawn on the log axis no lower than this (log10(0) drops the point)
#: history keys drawn in each plot: (mini-batch, full train set, test set)
METRICS = {"loss": ("loss", "train_loss", "test_loss"),
           "accuracy": ("accuracy", "train_accuracy", "test_accuracy")}


def ema(values, weight: float) -> np.ndarray:
    """TensorBoard's smoothing: debiased EMA ``s_t = w·s_{t−1} + (1 − w)·x_t`` over ``values``.

    Vectorized in blocks short enough that w^(−k) stays finite (no Python loop per point).
    """
    x = np.asarray(values, dtype=float)
    w = float(weight)
    if not 0.0 <= w < 1.0:
        raise ValueError(f"smoothing weight must be in [0, 1), got {weight!r}")
    if w == 0.0 or x.size == 0:
        return x.copy()
    block = max(1, min(x.size, int(300.0 / -math.log(w))))  # w^-block ≤ e^300
    out = np.empty_like(x)
    carry = 0.0  # the undebiased average after the previous block
    k = np.arange(block, dtype=float)
    pw_all = w ** (k + 1.0)
    for start in range(0, x.size, block):
        chunk = x[start:start + block]
        m = chunk.size
        pw = pw_all[:m]  # w^(j+1)
        acc = np.cumsum(chunk / pw) * pw * (1.0 - w) + carry * pw
        out[start:start + m] = acc
        carry = acc[-1]
    t = np.arange(1, x.size + 1, dtype=float)
    return out / (1.0 - w ** t)


class MetricCurves(QWidget):
    """Two stacked plots (loss, accuracy) with a shared x axis, and a one-line gap read-out.

    ``update_curves(series, steps_per_epoch, smoothing, per_epoch)``: ``series`` maps history
    keys to ``(steps, values)``; ``per_epoch`` puts epochs (step / steps_per_epoch) on x.
    ``mark_divergence(step or None)`` draws a line where training diverged.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trainingCurves")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.plots: dict[str, pg.PlotWidget] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.smoothed: dict[str, pg.PlotDataItem] = {}
        self.fills: dict[str, BandItem] = {}
        self.divergence: dict[str, pg.InfiniteLine] = {}
        for metric, (batch, train, test) in METRICS.items():
            plot = plots.make_plot("", x="", y=tr(metric), parent=self, name=f"{metric}Plot")
            item = plot.getPlotItem()
            item.showGrid(x=False, y=False)  # grid lines are replayed on every repaint: costly
            item.hideButtons()
            item.getViewBox().disableAutoRange()
            item.setMouseEnabled(x=False, y=False)
            for side in ("bottom", "left"):
                item.getAxis(side).enableAutoSIPrefix(False)
            if metric == "loss":  # one legend serves both plots
                plots.add_legend(item, columns=3, corner="top-right")
            # the raw curve has up to 2000 points: no antialiasing, and at most ~one point per pixel
            raw = item.plot(pen=pg.mkPen(RAW_COLORS[0], width=1), antialias=False)
            smooth = item.plot(pen=pg.mkPen(BATCH_COLORS[0], width=2), name=tr("mini-batch (smoothed)"), antialias=AA)
            train_c = item.plot(pen=pg.mkPen(TRAIN_COLOR, width=2), name=tr("train set"), antialias=AA)
            test_c = item.plot(pen=pg.mkPen(TEST_COLOR, width=2), name=tr("test set"), antialias=AA)
            raw.setDownsampling(auto=True, method="peak")
            for c in (smooth, train_c, test_c):
                # an antialiased 2-px line of 2000 points costs ~6 ms a repaint; one point per
                # ~2 px looks the same on these smooth curves and costs a tenth
                c.setDownsampling(auto=True, method="mean")
                c.opts["autoDownsampleFactor"] = 0.5
            fill = BandItem(pg.mkBrush(qcolor(TEST_COLOR, 40)))
            item.addItem(fill)
            fill.setZValue(-5)
            line = pg.InfiniteLine(angle=90, pen=pg.mkPen(TEST_COLOR, width=1.5, style=Qt.PenStyle.DashLine),
                                   label=tr("diverged"), labelOpts={"position": 0.9, "color": TEST_COLOR})
            line.hide()
            item.addItem(line)
            self.plots[metric] = plot
            self.curves.update({batch: raw, train: train_c, test: test_c})
            self.smoothed[metric] = smooth
            self.fills[metric] = fill
            self.divergence[metric] = line
            layout.addWidget(plot, 1)
        self.plots["loss"].setToolTip(tr(
            "Loss (cross-entropy + weight penalties). Faint: every mini-batch; bold light blue: "
            "smoothed; dots: the whole train and test sets at each epoch end. The shaded band "
            "is the train/test gap."))
        self.plots["accuracy"].setToolTip(tr(
            "Accuracy: mini-batch (smoothed) and whole train/test sets per epoch. A widening "
            "shaded band while the train accuracy still rises is overfitting."))
        self.plots["accuracy"].setXLink(self.plots["loss"])
        self.plots["accuracy"].getPlotItem().setYRange(0, 1.02, padding=0)
        self.plots["loss"].getPlotItem().getAxis("bottom").setStyle(showValues=False)
        self.x_label = ""
        self.log_loss = False
        self.gap_label = QLabel(self)
        self.gap_label.setObjectName("gapLabel")
        self.gap_label.setToolTip(tr("Generalization gap at the last epoch end: test minus train"))
        # new text every frame must not re-layout (and so repaint) the plots above it
        self.gap_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.gap_label.setWordWrap(True)
        self.gap_label.setFixedHeight(2 * self.gap_label.fontMetrics().lineSpacing() + 2)
        layout.addWidget(self.gap_label)
        self.clear()
        self._recolor()
        palette.signals.changed.connect(self._recolor)

    def _recolor(self, _dark: bool = False) -> None:
        """Backgrounds, axes and the neutral greys follow the theme (``palette.signals.changed``)."""
        dark = int(palette.is_dark())
        for metric, plot in self.plots.items():
            plot.setBackground(palette.BACKGROUND)
            plots.style_plot(plot.getPlotItem(), "", y=tr(metric), grid=False)
            self.curves[METRICS[metric][0]].setPen(pg.mkPen(RAW_COLORS[dark], width=1))
            self.smoothed[metric].setPen(pg.mkPen(BATCH_COLORS[dark], width=2))
        if self.x_label:
            self.plots["accuracy"].getPlotItem().setLabel("bottom", tr(self.x_label), color=palette.FOREGROUND)
        self.gap_label.setStyleSheet(f"color: {palette.MUTED}")

    def clear(self) -> None:
        self._diverged_at = None
        self._marks: dict[str, tuple] = {}
        self._scale = 1.0
        for c in (*self.curves.values(), *self.smoothed.values()):
            c.setData([], [])
        for fill in self.fills.values():
            fill.set_band([], [], [])
        for line in self.divergence.values():
            line.hide()
        self.gap_label.setText(tr("gap (test − train): after the first epoch"))

    def _x_axis(self, per_epoch: bool) -> None:
        label = "epoch" if per_epoch else "step"
        if label != self.x_label:
            self.x_label = label
            self.plots["accuracy"].getPlotItem().setLabel("bottom", tr(label), color=palette.FOREGROUND)

    def update_curves(self, series: dict, steps_per_epoch: int, smoothing: float = 0.6,
                      per_epoch: bool = False) -> None:
        self._x_axis(per_epoch)
        scale = 1.0 / max(1, steps_per_epoch) if per_epoch else 1.0
        last = max((float(s[-1]) for s, _v in series.values() if len(s)), default=0.0)
        x_max = max(last, steps_per_epoch) * scale
        plots.fit_x(self.plots["loss"].getPlotItem(), 0.0, axis_limit(x_max))
        if self._diverged_at is not None:
            for line in self.divergence.values():
                line.setValue(self._diverged_at * scale)
        rescaled = scale != self._scale
        self._scale = scale
        for metric, (batch, train, test) in METRICS.items():
            changed = False
            for key in (batch, train, test):
                steps, values = series.get(key, (np.empty(0), np.empty(0)))
                mark = (len(steps), float(steps[-1]) if len(steps) else None)
                if rescaled or mark != self._marks.get(key):  # per-epoch values change rarely
                    self._marks[key] = mark
                    self.curves[key].setData(steps * scale, values)
                    changed = changed or key != batch
            log = metric == "loss" and self.log_loss
            if changed:
                (s_tr, v_tr), (s_te, v_te) = (series.get(k, (np.empty(0), np.empty(0))) for k in (train, test))
                n = min(len(s_tr), len(s_te))
                lower, upper = v_tr[:n], v_te[:n]
                if log:  # a plain path item: pyqtgraph's log mode does not transform it
                    lower, upper = (np.log10(np.maximum(v, LOG_FLOOR)) for v in (lower, upper))
                self.fills[metric].set_band(s_tr[:n] * scale, lower, upper)
            steps, values = series.get(batch, (np.empty(0), np.empty(0)))
            self.smoothed[metric].setData(steps * scale, ema(values, smoothing))
            if metric == "loss":
                finite = [v[np.isfinite(v)] for _s, v in (series.get(k, (0, np.empty(0))) for k in (train, test))]
                finite.append(ema(values, smoothing))
                if log:
                    finite = [np.maximum(v, LOG_FLOOR) for v in finite]
                plots.fit_y(self.plots["loss"].getPlotItem(), finite, pad=0.05, log=log)
        self._gap_text(series)

    def set_log_loss(self, on: bool) -> None:
        """Loss on a log axis (shows the train loss still falling while the test loss turns up)."""
        self.log_loss = bool(on)
        self.plots["loss"].getPlotItem().setLogMode(x=False, y=self.log_loss)
        self._marks = {}  # redraw everything at the next update

    def _gap_text(self, series: dict) -> None:
        def last(key):
            values = series.get(key, (None, np.empty(0)))[1]
            return float(values[-1]) if len(values) else math.nan

        tr_l, te_l = last("train_loss"), last("test_loss")
        tr_a, te_a = last("train_accuracy"), last("test_accuracy")
        if math.isnan(te_a) or math.isnan(tr_a):
            return
        self.gap_label.setText(tr(
            "Train/test gap — accuracy: train {train_acc} %, test {test_acc} % (gap {acc_gap} pts); "
            "loss: train {train_loss}, test {test_loss} (gap {loss_gap})"
        ).format(train_acc=f"{100 * tr_a:.1f}", test_acc=f"{100 * te_a:.1f}", acc_gap=f"{100 * (tr_a - te_a):+.1f}",
                 train_loss=f"{tr_l:.3g}", test_loss=f"{te_l:.3g}", loss_gap=f"{te_l - tr_l:+.3g}").replace("-", "−"))

    def mark_divergence(self, step: int | None) -> None:
        """Draw (or, with None, hide) the "diverged" line at ``step`` on the next update."""
        self._diverged_at = step
        for line in self.divergence.values():
            line.setVisible(step is not None)
