"""The Optimizers panel's widgets and their arrangement (``OptimizersLayout._build_ui``), apart from
its behaviour (``panel.py``): map and read-out on the left; loss plot tabs, lr curves, the lanes'
table and the hyperparameter editor on the right; splitters sized on first show.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.models.optimizers import KEYS, LANES
from app.panels.optimizers.drawing import lane_colors
from app.panels.optimizers.elided_label import ElidedLabel
from app.panels.optimizers.loss_plot import OptimizerLossPlot
from app.panels.optimizers.why_adam import PlotTabs
from app.panels.optimizers.readout import OptimizerReadout
from app.panels.optimizers.schedule_view import ScheduleBox
from app.panels.optimizers.table import OptimizerTable
from app.widgets.optimizer_editor import OptimizerEditor
from app.widgets.sliders import LabeledSlider
from app.widgets.surface_view import SurfaceView
from engine import surfaces

READOUT_HEIGHT = 250  # fits Adam's read-out: its rule in both forms and the ε note


class OptimizersLayout:
    """Mixin of ``OptimizersPanel``: builds the widgets (the panel connects their behaviour)."""

    # ---- UI ------------------------------------------------------------------------------------------
    def _build_ui(self) -> None:
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)

        row1 = QHBoxLayout()
        surface_label = QLabel(tr("&Surface:"), self.content)
        self.surface_combo = QComboBox(self.content)
        self.surface_combo.setObjectName("surfaceCombo")
        for e in surfaces.entries():
            self.surface_combo.addItem(tr(e.display_name), e.name)
            self.surface_combo.setItemData(self.surface_combo.count() - 1, e.formula, Qt.ItemDataRole.ToolTipRole)
        self.surface_combo.setToolTip(tr("The loss surface the optimizers race on"))
        surface_label.setBuddy(self.surface_combo)
        self.surface_combo.currentIndexChanged.connect(
            lambda i: self.set_surface(self.surface_combo.itemData(i)))
        self.surface_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.formula_label = ElidedLabel(self.content)  # "…" when narrow; the tooltip has it all
        self.formula_label.setObjectName("surfaceFormula")
        self.book_button = QPushButton(tr("&Book preset"), self.content)
        self.book_button.setObjectName("bookPreset")
        self.book_button.setToolTip(
            tr("Deep Learning from Scratch, ch. 6: x²/20 + y² from (−7, 2) with SGD lr 0.95, "
               "Momentum lr 0.1 (m 0.9), AdaGrad lr 1.5, Adam lr 0.3"))
        self.book_button.clicked.connect(self.book_preset)
        self.arrows_box = QCheckBox(tr("&Arrows"), self.content)
        self.arrows_box.setObjectName("showArrows")
        self.arrows_box.setChecked(True)
        self.arrows_box.setToolTip(
            tr("Arrows at the selected optimizer's last update: dashed = −∇f (direction), "
               "solid = the velocity V (Momentum, NAG) or the step actually taken"))
        self.arrows_box.toggled.connect(lambda on: self._change(arrows=bool(on)))
        row1.addWidget(surface_label)
        row1.addWidget(self.surface_combo)
        row1.addWidget(self.formula_label, 1)
        row1.addWidget(self.arrows_box)
        row1.addWidget(self.book_button)
        layout.addLayout(row1)

        row2 = QHBoxLayout()
        self.play_button = QPushButton(tr("▶ &Play"), self.content)
        self.play_button.setObjectName("playButton")
        self.play_button.setToolTip(tr("Animate every path in lock-step") + " (Space)")
        self.play_button.clicked.connect(self.play_pause)
        self.step_button = QPushButton(tr("S&tep"), self.content)
        self.step_button.setObjectName("stepButton")
        self.step_button.setToolTip(tr("Advance every optimizer by exactly one update (→ or N)"))
        self.step_button.clicked.connect(self.step)
        self.reset_button = QPushButton(tr("R&eset"), self.content)
        self.reset_button.setObjectName("resetButton")
        self.reset_button.setToolTip(tr("Back to the start point, all state forgotten (R)"))
        self.reset_button.clicked.connect(self.reset)
        self.speed = LabeledSlider(tr("Speed (steps/s)"), 1, 240, value=self.model.state.speed, decimals=0, log=True,
                                   tooltip=tr("Updates per second while playing"), parent=self.content)
        self.speed.setObjectName("speed")
        self.speed.valueChanged.connect(self.set_speed)
        self.batch = LabeledSlider(tr("Batch size"), 1, 200, value=self.model.state.batch, decimals=0, log=True,
                                   tooltip=tr("Mini-batch size of every lane except GD (data surface only); "
                                              "GD always uses the whole data set"),
                                   parent=self.content)
        self.batch.setObjectName("batchSize")
        self.batch.valueChanged.connect(self.set_batch_size)
        self.status_label = QLabel(self.content)
        self.status_label.setObjectName("raceStatus")
        # its text changes every frame: a fixed size keeps that from re-laying out the panel
        self.status_label.setFixedWidth(self.status_label.fontMetrics().horizontalAdvance(
            " · ".join((tr("step {n}").format(n=8888), tr("{n} racing").format(n=7), tr("all stopped"))) + " ") + 8)
        self.status_label.setToolTip(tr("Race state"))
        for w in (self.play_button, self.step_button, self.reset_button):
            row2.addWidget(w)
        row2.addWidget(self.speed, 2)
        row2.addWidget(self.batch, 2)
        row2.addWidget(self.status_label, 1)
        layout.addLayout(row2)

        self.view = SurfaceView(len(LANES), self.content)
        self.view.setToolTip(
            tr("Click or drag to set the start point; every path restarts from it.\n"
               "With the map focused (Tab), the arrow keys move the start (Shift: bigger steps)."))
        self.view.startPicked.connect(self.set_start)
        self.readout = OptimizerReadout(self.content)
        self.loss_plot = OptimizerLossPlot(len(LANES), self.content)
        self.table = OptimizerTable(
            [(tr(label), lane_colors()[i], tr(tip)) for i, (_k, label, _o, _b, tip) in enumerate(LANES)], self.content)
        self.table.laneToggled.connect(self.set_lane_enabled)
        self.table.laneSelected.connect(self.select_lane)
        self.editor = OptimizerEditor(self.content)
        self.editor.hyperChanged.connect(lambda h: self.set_hyper(KEYS.index(self.model.state.selected), h))
        self.editor.defaultsRequested.connect(self._restore_defaults)

        left = QSplitter(Qt.Orientation.Vertical, self.content)
        left.addWidget(self.view)
        left.addWidget(self.readout)
        left.setStretchFactor(0, 1)  # a bigger window grows the map, not the read-out
        left.setStretchFactor(1, 0)
        right = QSplitter(Qt.Orientation.Vertical, self.content)
        self.plot_tabs = PlotTabs(self.loss_plot, self.content)  # loss | step size per axis | lr sweep
        right.addWidget(self.plot_tabs)
        self.schedule_box = ScheduleBox(self.content)  # the lr curves under the loss plot
        self.schedule_box.scheduleChanged.connect(self.set_schedule)
        self.schedule_box.invalidInput.connect(self.show_error)
        right.addWidget(self.schedule_box)
        board = QWidget(self.content)
        board_layout = QVBoxLayout(board)
        board_layout.setContentsMargins(0, 0, 0, 0)
        board_layout.addWidget(self.table, 1)
        board_layout.addWidget(self.editor)
        right.addWidget(board)
        right.setStretchFactor(0, 1)
        right.setStretchFactor(2, 0)
        self.board = board
        main = QSplitter(Qt.Orientation.Horizontal, self.content)
        main.setObjectName("optimizerSplitter")
        main.addWidget(left)
        main.addWidget(right)
        main.setStretchFactor(0, 3)
        main.setStretchFactor(1, 2)
        layout.addWidget(main, 1)
        self.splitters = (main, left, right)
        self._sized = False

    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """First show: give the map most of the height (splitters start from size hints)."""
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            main, left, right = self.splitters
            w, h = max(main.width(), 600), max(main.height(), 400)
            main.setSizes([int(w * 0.6), w - int(w * 0.6)])
            readout = READOUT_HEIGHT
            left.setSizes([h - readout, readout])
            board = self.table.fit_height() + self.editor.sizeHint().height() + 8
            self.board.setMaximumHeight(board)
            lr_plot = self.schedule_box.sizeHint().height()
            right.setSizes([max(h - board - lr_plot, 150), lr_plot, board])
