"""The Backprop panel's training loop tab: repeat forward → backward → update N times, see it learn.

One walk through the trace is one gradient-descent update; the loop repeats it (``BackpropModel
.run_loop``, ``engine.backprop_loop``) and plots the loss after every update and every weight's
and bias's value along the way. Below, the history of every "Apply update" and loop so far, each
with its loss before → after and (in the tooltip) every parameter's before → after: nothing
the student did is replaced by the next click.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QPushButton, QSpinBox, QTabWidget, QVBoxLayout, QWidget

from app.i18n import tr
from app.widgets import palette
from app.widgets.plots import pen, style_plot
from engine.backprop_loop import MAX_LOOP
from engine.backprop_trace import fmt


class LoopView(QWidget):
    """``runRequested(n)`` from the button; ``show_loop(history)`` and ``show_updates(updates)``."""

    runRequested = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("backpropLoop")
        col = QVBoxLayout(self)
        col.setContentsMargins(2, 2, 2, 2)
        row = QHBoxLayout()
        self.count = QSpinBox()
        self.count.setObjectName("loopCount")
        self.count.setRange(1, MAX_LOOP)
        self.count.setValue(20)
        self.count.setToolTip(tr("How many updates the loop makes"))
        self.run_button = QPushButton(tr("Run the loop"))
        self.run_button.setObjectName("runLoopButton")
        self.run_button.setToolTip(tr("Repeat forward → backward → update N times on this sample "
                                      "(each time what the steps walk through once)"))
        self.run_button.clicked.connect(lambda: self.runRequested.emit(self.count.value()))
        row.addWidget(self.count)
        row.addWidget(self.run_button, 1)
        col.addLayout(row)
        plots = QHBoxLayout()
        self.loss_plot = pg.PlotWidget(background=palette.BACKGROUND)
        style_plot(self.loss_plot.getPlotItem(), tr("Loss"), x=tr("update"))
        self.param_plot = pg.PlotWidget(background=palette.BACKGROUND)
        style_plot(self.param_plot.getPlotItem(), tr("Weights and biases"), x=tr("update"))
        self.param_plot.setToolTip(tr("Each weight (solid) and bias (dashed) after every update; "
                                      "its name is at the end of its line"))
        for plot in (self.loss_plot, self.param_plot):
            plot.setMinimumHeight(120)
            plots.addWidget(plot, 1)
        col.addLayout(plots, 1)
        self.history = QListWidget()
        self.history.setObjectName("updateHistory")
        self.history.setToolTip(tr("Every update applied so far: the loss before → after (hover: every parameter)"))
        self.history.setMaximumHeight(80)
        col.addWidget(self.history)

    def show_loop(self, history) -> None:
        """Plot ``history`` (``engine.backprop_loop.LoopHistory``)."""
        loss = self.loss_plot.getPlotItem()
        loss.clear()
        params = self.param_plot.getPlotItem()
        params.clear()
        if history is None:
            return
        steps = np.arange(history.n + 1)
        loss.plot(steps, history.losses, pen=pen(palette.FOREGROUND, 2))
        for k, (key, values) in enumerate(history.params.items()):
            color = palette.series_color(k % 8)
            params.plot(steps, values, pen=pen(color, 1.5, dashed=key[0] == "b"))
            label = pg.TextItem(history.names[key], color=color, anchor=(0, 0.5))
            label.setPos(history.n, float(values[-1]))
            params.addItem(label)
        params.setXRange(0, history.n * 1.35, padding=0)  # room for the names at the lines' ends

    def show_updates(self, updates) -> None:
        """List every (label, loss before, loss after, {name: (before, after)}) of the model."""
        self.history.clear()
        for n, (label, before, after, changes) in enumerate(updates, start=1):
            what = tr("Apply update") if label == "update" else tr("{n} updates (loop)").format(n=label.split()[1])
            self.history.addItem(f"{n}. {what}: L {fmt(before)} → {fmt(after)}")
            item = self.history.item(self.history.count() - 1)
            item.setToolTip("\n".join(f"{name}: {fmt(a)} → {fmt(b)}" for name, (a, b) in changes.items()))
        self.history.scrollToBottom()

    def row_texts(self) -> list[str]:
        return [self.history.item(r).text() for r in range(self.history.count())]


def bottom_tabs(steps_list: QWidget, loop: LoopView):
    """The steps list and the loop as two tabs (the panel's bottom right)."""
    tabs = QTabWidget()
    tabs.setObjectName("backpropBottomTabs")
    tabs.addTab(steps_list, tr("Step list"))
    tabs.addTab(loop, tr("Training loop"))
    tabs.setTabToolTip(1, tr("Repeat forward → backward → update N times: the loss curve and each weight's history"))
    tabs.setDocumentMode(True)
    tabs.tabBar().setElideMode(Qt.TextElideMode.ElideRight)
    return tabs
