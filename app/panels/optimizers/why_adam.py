""""Why Adam?" views beside the Optimizers loss plot (issue #15): step size per axis and an lr sweep.

On the book's x²/20 + y² with the book's rates SGD ends lower than Adam, so the loss plot alone
suggests Adam is worse. These two tabs show what Adam buys instead:

* ``StepSizePlot`` — α_eff in x (solid) and in y (dashed) after each step for every racing lane:
  Adam's grows along the flat x and stays small across the steep y; SGD's is lr in both.
* ``LrSweepPlot`` — the loss after N steps against the learning rate (log–log), one curve per
  optimizer, with the threshold line and, under it, the range of rates that get below it.

Both compute with ``engine.lr_sweep`` from the panel's current state (surface, start, each lane's
hyperparameters) when their tab is shown or the state changes while it is shown.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QTabWidget, QVBoxLayout, QWidget

from app.i18n import tr
from app.models.optimizers import KEYS, LANES, OPTIONS
from app.widgets import palette
from app.widgets.plots import add_legend, pen, style_plot
from engine import lr_sweep

THRESHOLD = 0.05  # "gets below" in the sweep: the why-adam scene's threshold
SWEEP_LANES = ("sgd", "momentum", "nag", "adagrad", "rmsprop", "adam")  # one lane per optimizer
FLOOR = 1e-16  # losses below this are drawn at it (log axis)


def _steps_box(value: int, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(1, 500)
    box.setValue(value)
    box.setToolTip(tip)
    return box


class _Tab(QWidget):
    """A plot under a "Steps N" box; ``refresh(state)`` recomputes."""

    def __init__(self, steps_tip: str, parent=None):
        super().__init__(parent)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(2)
        row = QHBoxLayout()
        self.steps = _steps_box(30, steps_tip)
        row.addWidget(QLabel(tr("Steps")))
        row.addWidget(self.steps)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        row.addWidget(self.caption, 1)
        col.addLayout(row)
        self.plot = pg.PlotWidget(background=palette.BACKGROUND)
        col.addWidget(self.plot, 1)
        self.state, self.start = None, None
        self.steps.valueChanged.connect(lambda _v: self.state is not None and self.refresh(self.state, self.start))

    def refresh(self, state, start=None) -> None:
        raise NotImplementedError


class StepSizePlot(_Tab):
    """α_eff per axis over the steps, for every racing lane."""

    def __init__(self, parent=None):
        super().__init__(tr("How many steps to follow"), parent)
        self.plot.setObjectName("stepSizePlot")
        self.plot.setToolTip(tr("The per-coordinate step size α_eff after each step: solid x, dashed y. "
                                "Adam's grows along the flat x and stays small across the steep y; "
                                "SGD's is its lr in both."))
        item = self.plot.getPlotItem()
        style_plot(item, tr("Step size per axis (α_eff)"), x=tr("step"))
        item.setLogMode(y=True)
        self.legend = add_legend(item, corner="bottom-right")
        self.curves: dict[tuple[str, int], np.ndarray] = {}

    def refresh(self, state, start=None) -> None:
        self.state, self.start = state, start
        item = self.plot.getPlotItem()
        item.clear()
        self.legend.clear()
        self.curves = {}
        n = self.steps.value()
        for i, key in enumerate(KEYS):
            if not state.lane(key).enabled:
                continue
            hyper = {**state.hyper(key), **OPTIONS.get(key, {})}
            alpha = lr_sweep.effective_lr_history(state.surface, LANES[i][2], n, start=start, **hyper)
            steps = np.arange(1, n + 1)
            color = palette.series_color(i)
            for axis in (0, 1):
                self.curves[(key, axis)] = alpha[:, axis]
                curve = item.plot(steps, np.maximum(alpha[:, axis], FLOOR), pen=pen(color, 2, dashed=axis == 1))
                if axis == 0:
                    self.legend.addItem(curve, tr(LANES[i][1]))
        adam = self.curves.get(("adam", 0)), self.curves.get(("adam", 1))
        self.caption.setText(tr("Solid: x, dashed: y. Adam after {n} steps: α_eff {x} in x, {y} in y").format(
            n=n, x=f"{adam[0][-1]:.2g}", y=f"{adam[1][-1]:.2g}") if adam[0] is not None else "")


class LrSweepPlot(_Tab):
    """Loss after N steps against the learning rate, every optimizer, log–log."""

    def __init__(self, parent=None):
        super().__init__(tr("Steps each run takes before its loss is read"), parent)
        self.plot.setObjectName("lrSweepPlot")
        self.plot.setToolTip(tr("Each point: one run from the start with that learning rate (other "
                                "hyperparameters as in the table); the loss after N steps. Gaps: the run blew up."))
        item = self.plot.getPlotItem()
        style_plot(item, tr("Loss after N steps vs learning rate"), x=tr("learning rate (log)"))
        item.setLogMode(x=True, y=True)
        self.legend = add_legend(item, columns=3, corner="top-left")
        self.sweeps: dict[str, lr_sweep.Sweep] = {}
        self.ranges: dict[str, tuple[float, float] | None] = {}

    def refresh(self, state, start=None) -> None:
        self.state, self.start = state, start
        item = self.plot.getPlotItem()
        item.clear()
        self.legend.clear()
        n = self.steps.value()
        lrs = lr_sweep.default_lrs()
        self.sweeps, self.ranges = {}, {}
        parts = []
        for key in SWEEP_LANES:
            i = KEYS.index(key)
            hyper = {k: v for k, v in state.hyper(key).items() if k != "lr"}
            s = lr_sweep.sweep(state.surface, LANES[i][2], lrs, n, start=start, hyper=hyper)
            self.sweeps[key], self.ranges[key] = s, s.working_range(THRESHOLD)
            ok = np.isfinite(s.final_loss)
            y = np.where(ok, np.maximum(s.final_loss, FLOOR), np.nan)
            curve = item.plot(lrs, y, pen=pen(palette.series_color(i), 2), connect="finite")
            self.legend.addItem(curve, tr(LANES[i][1]))
            rng = self.ranges[key]
            parts.append(f"{tr(LANES[i][1])} {rng[0]:.2g}–{rng[1]:.2g}" if rng else f"{tr(LANES[i][1])} —")
        item.addItem(pg.InfiniteLine(np.log10(THRESHOLD), angle=0, pen=pen(palette.MUTED, 1, dashed=True)))
        item.setYRange(np.log10(FLOOR), 12, padding=0.02)  # headroom for the legend; blow-ups leave the top
        self.caption.setText(tr("lr that gets below {t} in {n} steps: {ranges}").format(
            t=THRESHOLD, n=n, ranges=", ".join(parts)))


class PlotTabs(QTabWidget):
    """The loss plot with the two "Why Adam?" tabs beside it; ``refresh(state, start)`` recomputes
    the tab on show (the loss tab costs nothing)."""

    def __init__(self, loss_plot: QWidget, parent=None):
        super().__init__(parent)
        self.setObjectName("optimizerPlotTabs")
        self.step_sizes = StepSizePlot()
        self.sweep = LrSweepPlot()
        self.addTab(loss_plot, tr("Loss"))
        self.addTab(self.step_sizes, tr("Step size per axis"))
        self.addTab(self.sweep, tr("lr sweep"))
        self.setTabToolTip(1, tr("Why Adam? Its step size per coordinate over time"))
        self.setTabToolTip(2, tr("Why Adam? The loss after N steps for every learning rate, every optimizer"))
        self._state, self._start = None, None
        self.currentChanged.connect(lambda _i: self._refresh_current())

    def refresh(self, state, start=None) -> None:
        self._state, self._start = state, start
        self._refresh_current()

    def _refresh_current(self) -> None:
        tab = self.currentWidget()
        if self._state is not None and isinstance(tab, _Tab):
            tab.refresh(self._state, self._start)
