"""The Training panel's learning rate of every update of the planned run, beside loss and accuracy.

The optimizer's schedule (``engine.optimizers.Optimizer.lr_for_updates``) is drawn over the whole
run (epochs × steps per epoch, at most ``MAX_POINTS`` samples), its x axis linked to the loss
plot's, with a marker at the current step: so a drop of the loss can be read against the rate.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from app.i18n import tr
from app.widgets import palette, plots
from app.widgets.palette import OKABE_ITO

MAX_POINTS = 2000
LR_COLOR = OKABE_ITO["bluish_green"]


class LrCurve(pg.PlotWidget):
    """``show_run(trainer, per_epoch)`` draws the planned rates and the current step."""

    def __init__(self, parent=None):
        super().__init__(parent, background=palette.BACKGROUND)
        self.setObjectName("trainingLrPlot")
        self.setToolTip(tr("The learning rate of each update over the whole run (its schedule); "
                           "the dashed line is the current step"))
        item = self.getPlotItem()
        plots.style_plot(item, "", y=tr("lr"), grid=False)
        item.hideButtons()
        for side in ("bottom", "left"):
            item.getAxis(side).enableAutoSIPrefix(False)
        item.setMouseEnabled(x=False, y=False)
        self.curve = item.plot(pen=pg.mkPen(LR_COLOR, width=2))
        self.marker = pg.InfiniteLine(0, angle=90, pen=pg.mkPen(palette.MUTED, style=Qt.PenStyle.DashLine))
        item.addItem(self.marker)
        self.setMinimumHeight(70)
        self._key = None

    def show_run(self, trainer, per_epoch: bool) -> None:
        opt = trainer.optimizer
        per = max(1, trainer.steps_per_epoch)
        total = per * (trainer.epochs or 1)
        scale = 1.0 / per if per_epoch else 1.0
        key = (id(trainer), per_epoch)
        if key != self._key:  # the curve depends only on the run: draw it once
            self._key = key
            steps = np.unique(np.linspace(0, total - 1, min(total, MAX_POINTS)).astype(np.int64))
            rates = opt.lr_for_updates(steps)
            self.curve.setData(steps * scale, rates)
            top = float(rates.max()) if rates.size else 1.0
            self.getPlotItem().setYRange(0.0, top * 1.05 or 1.0, padding=0)
        self.marker.setValue(trainer.step_count * scale)
