"""The Optimizers panel's learning-rate schedules: the selected lane's choice and every lr curve.

A compact row picks the selected lane's schedule (``engine.schedules``) and edits its parameters
as text (``step_size=20 gamma=0.5``); below it, the rate of each update for every racing lane,
with a marker at the race's current step and the selected lane's current rate in the label.
The view only shows and forwards: ``scheduleChanged(name, params)`` goes to the panel, which
validates through the model (``ScheduleSetting``) and restarts the race.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.i18n import tr
from app.models.optimizers import KEYS, MAX_STEPS, OptimizersModel
from app.models.schedule_settings import ScheduleSetting, params_text, parse_params
from app.widgets import palette
from app.widgets.plots import style_plot
from engine import schedules

MIN_HORIZON = 200  # the curves show at least this many updates
BUSY_INTERVAL_S = 0.1  # while playing or replaying, redraw at most this often


class ScheduleBox(QWidget):
    """Schedule picker and lr-vs-step plot (see the module docstring)."""

    scheduleChanged = Signal(str, dict)
    invalidInput = Signal(str)  # a parameter text that does not parse (the panel shows it)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("scheduleBox")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        label = QLabel(tr("lr s&chedule:"), self)
        self.combo = QComboBox(self)
        self.combo.setObjectName("scheduleCombo")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(10)
        for e in schedules.entries():
            self.combo.addItem(tr(e.display_name), e.name)
            self.combo.setItemData(self.combo.count() - 1, tr(e.formula), pg.QtCore.Qt.ItemDataRole.ToolTipRole)
        self.combo.setToolTip(tr("How the selected optimizer's learning rate changes from update to update"))
        label.setBuddy(self.combo)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("scheduleParams")
        self.edit.setMinimumWidth(self.edit.fontMetrics().horizontalAdvance("step_size=20"))  # narrow docked panels: the text scrolls
        self.edit.setToolTip(tr("The schedule's parameters as name=value pairs; Enter applies them"))
        self.now_label = QLabel(self)
        self.now_label.setObjectName("currentLr")
        self.now_label.setToolTip(tr("The learning rate of the selected optimizer's last update"))
        row.addWidget(label)
        row.addWidget(self.combo)
        row.addWidget(self.edit, 1)
        row.addWidget(self.now_label)
        layout.addLayout(row)
        self.plot = pg.PlotWidget(self, background=palette.BACKGROUND)
        self.plot.setObjectName("lrPlot")
        self.plot.setToolTip(tr("The learning rate of each update, one curve per racing optimizer"))
        item = self.plot.getPlotItem()
        style_plot(item, tr("Learning rate vs step"), x=tr("step"), grid=False)
        item.hideButtons()
        item.setMouseEnabled(False, False)
        self.plot.setMinimumHeight(110)
        self.curves = [item.plot(pen=pg.mkPen("k", width=2)) for _ in KEYS]
        self.marker = pg.InfiniteLine(0, angle=90, pen=pg.mkPen(palette.MUTED, style=pg.QtCore.Qt.PenStyle.DashLine))
        item.addItem(self.marker)
        layout.addWidget(self.plot, 1)
        self.combo.currentIndexChanged.connect(self._on_name)
        self.edit.editingFinished.connect(self._on_params)
        self._name = ""
        self._drawn_at = 0.0

    # ---- showing -------------------------------------------------------------------------------
    def show_lane(self, setting: ScheduleSetting) -> None:
        """Show the selected lane's schedule (no signal is emitted)."""
        self._name = setting.name
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(self.combo.findData(setting.name))
        self.combo.blockSignals(False)
        self.edit.setText(params_text(setting))
        self.edit.setCursorPosition(0)  # the start of the text, not its end, when it is clipped
        self.edit.setEnabled(bool(setting.params()))

    def follow(self, model: OptimizersModel, colors: list[str], busy: bool) -> None:
        """After an update: ``refresh`` now, or at most every ``BUSY_INTERVAL_S`` when ``busy``."""
        now = time.perf_counter()
        if not busy or now - self._drawn_at > BUSY_INTERVAL_S:
            self._drawn_at = now
            self.refresh(model, colors)

    def refresh(self, model: OptimizersModel, colors: list[str]) -> None:
        """Every racing lane's lr curve, the step marker and the selected lane's current rate."""
        horizon = int(min(MAX_STEPS, max(MIN_HORIZON, 1.25 * model.steps)))
        active = set(model.state.enabled())
        for i, (key, curve) in enumerate(zip(KEYS, self.curves)):
            if key not in active:
                curve.hide()
                continue
            rates = model.lr_curve(key, horizon)
            width = 3 if key == model.state.selected else 1.5
            curve.setData(np.arange(horizon), rates, pen=pg.mkPen(colors[i], width=width))
            curve.show()
        self.marker.setValue(model.steps)
        self.now_label.setText(tr("lr now {lr}").format(lr=f"{model.current_lr(model.state.selected):.4g}"))

    # ---- input ---------------------------------------------------------------------------------
    def _on_name(self, index: int) -> None:
        name = self.combo.itemData(index)
        if name and name != self._name:
            self.scheduleChanged.emit(name, {})

    def _on_params(self) -> None:
        name = self.combo.currentData()
        try:
            params = parse_params(name, self.edit.text())
        except ValueError as exc:
            self.invalidInput.emit(str(exc))
            return
        self.scheduleChanged.emit(name, params)
