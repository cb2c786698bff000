"""The Training panel's widgets: the bar of actions, the controls column and the views.

``TrainingLayout`` builds them, shows a ``State`` in them without emitting
(``_show_state``), shows a built run's data (``_show_run``) and turns each control's change into
a model change (``_on_*``); the panel (``panel.TrainingPanel``) builds the runs.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.models.training import DEFAULT_RATE, QUANTITIES, DataState, NetworkState, State, hidden_activations
from app.panels.training.bands import DistributionBands
from app.models.training_pair import ENSEMBLE, NONE
from app.panels.training.boundary import CLASS_COLORS, PredictionMosaic
from app.panels.training.boundary_pair import BoundaryPair
from app.panels.training.curves import MetricCurves
from app.panels.training.lr_curve import LrCurve
from app.panels.training.form import DatasetChooser, NetworkForm
from app.widgets import controls_column, palette
from app.widgets.layer_histograms import LayerHistogramRow
from app.widgets.sliders import LabeledSlider
from engine.training_setup import PRESETS


class TrainingLayout:
    """Mixin of ``TrainingPanel``: its widgets (see the module docstring)."""

    # ---- UI ------------------------------------------------------------------------------------------
    def _build_ui(self) -> None:
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        bar = QHBoxLayout()
        self.play_button = QPushButton(tr("▶ &Train"), self.content)
        self.play_button.setObjectName("playButton")
        self.play_button.clicked.connect(self.play_pause)
        self.step_button = QPushButton(tr("S&tep"), self.content)
        self.step_button.setObjectName("stepButton")
        self.step_button.setToolTip(tr("Train on exactly one mini-batch (→ or N)"))
        self.step_button.clicked.connect(self.step)
        self.reset_button = QPushButton(tr("&Reset"), self.content)
        self.reset_button.setObjectName("resetButton")
        self.reset_button.setToolTip(tr("Back to step 0 with freshly initialized weights (same seed: same run) (R)"))
        self.reset_button.clicked.connect(self.reset)
        self.speed = LabeledSlider(tr("Speed"), 10, 20000, value=DEFAULT_RATE, decimals=0, log=True,
                                   tooltip=tr("Training steps per second while playing"), parent=self.content)
        self.speed.setObjectName("speed")
        self.speed.valueChanged.connect(lambda v: self._set(speed=float(v)))
        self.full_speed = QCheckBox(tr("Max"), self.content)
        self.full_speed.setObjectName("fullSpeed")
        self.full_speed.setToolTip(tr("Train as fast as the machine can (the views still refresh)"))
        self.full_speed.toggled.connect(lambda on: self._set(max_speed=bool(on)))
        self.smoothing = LabeledSlider(tr("Smoothing"), 0.0, 0.99, value=0.6, decimals=2,
                                       tooltip=tr("Exponential moving average of the mini-batch curves "
                                                  "(TensorBoard's smoothing; 0 = raw)"), parent=self.content)
        self.smoothing.setObjectName("smoothing")
        self.smoothing.valueChanged.connect(self._on_smoothing)
        self.x_unit = QComboBox(self.content)
        self.x_unit.setObjectName("xUnitCombo")
        self.x_unit.addItem(tr("x: step"), "step")
        self.x_unit.addItem(tr("x: epoch"), "epoch")
        self.x_unit.setToolTip(tr("Plot the curves against training steps (mini-batches) or epochs"))
        self.x_unit.currentIndexChanged.connect(self._on_x_unit)
        self.log_loss = QCheckBox(tr("Log loss"), self.content)
        self.log_loss.setObjectName("logLoss")
        self.log_loss.setToolTip(tr("Loss on a logarithmic axis: small losses stay readable, and a test "
                                    "loss that turns up while the train loss keeps falling (overfitting) shows"))
        self.log_loss.toggled.connect(self._on_log_loss)
        for w in (self.play_button, self.step_button, self.reset_button):
            bar.addWidget(w)
        bar.addWidget(self.speed, 2)
        bar.addWidget(self.full_speed)
        bar.addWidget(self.smoothing, 2)
        bar.addWidget(self.x_unit)
        bar.addWidget(self.log_loss)
        self.status_label = QLabel(self.content)
        self.status_label.setObjectName("trainingStatus")
        # its text changes every frame: a fixed size keeps that from re-laying out the panel
        self.status_label.setFixedWidth(self.status_label.fontMetrics().horizontalAdvance(
            " · ".join((tr("step {n}").format(n=888888), tr("epoch {n}").format(n="8888/8888"),
                        tr("{rate} steps/s").format(rate="88,888"), tr("finished")))) + 8)
        self.status_label.setToolTip(tr("Training progress"))
        bar.addWidget(self.status_label)
        layout.addLayout(bar)

        self.chooser = DatasetChooser(self.content)
        self.chooser.specChanged.connect(self._on_spec)
        self.chooser.openRequested.connect(self.open_dataset_dialog)
        self.form = NetworkForm(self.content)
        self.form.settingsChanged.connect(self._on_settings)
        self.form.invalid.connect(self.show_error)
        self.data_label = QLabel(self.content)
        self.data_label.setObjectName("dataLabel")
        self.data_label.setWordWrap(True)
        self.weights_label = QLabel(self.content)
        self.weights_label.setObjectName("weightsLabel")
        self.weights_label.setWordWrap(True)
        self.weights_label.setToolTip(tr("Sparsity of the weight matrices: L1 pulls weights towards 0; only the "
                                         "proximal step sets them to exactly 0"))
        self.preset = QComboBox(self.content)
        self.preset.setObjectName("presetCombo")
        self.preset.addItem(tr("Book experiments…"), None)
        for name in PRESETS:
            self.preset.addItem(tr(name), name)
        self.preset.setToolTip(
            tr("Deep Learning from Scratch §6.4: a deep network overfits 300 training images (train "
               "accuracy → 100 %, test far below); weight decay and dropout narrow the gap. Uses real "
               "MNIST when it is the selected data, else the synthetic digits. Starts the run over."))
        self.preset.activated.connect(lambda i: self.apply_preset(self.preset.itemData(i)))
        self.compare = QComboBox(self.content)
        self.compare.setObjectName("compareCombo")
        self.compare.addItem(tr("Beside it: nothing"), NONE)
        self.compare.addItem(tr("Beside it: dropout as an ensemble"), ENSEMBLE)
        for name in hidden_activations():
            self.compare.addItem(tr("Beside it: the same network with {name}").format(name=name), name)
        self.compare.setToolTip(tr(
            "A second decision boundary next to this network's: the same network with another hidden "
            "activation, trained on the same mini-batches (e.g. identity = a linear network), or the "
            "mean of 100 thinned networks (random dropout masks) against the full network"))
        self.compare.currentIndexChanged.connect(self._on_compare)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 4, 0)
        side_layout.addWidget(self.preset)
        side_layout.addWidget(self.chooser)
        side_layout.addWidget(self._build_drawing(self.content))
        side_layout.addWidget(self.form)
        side_layout.addWidget(self.compare)
        side_layout.addWidget(self.data_label)
        side_layout.addWidget(self.weights_label)
        side_layout.addStretch(1)
        scroll = QScrollArea(self.content)
        scroll.setObjectName("trainingControls")
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        controls_column.register(scroll, fixed=False)
        controls_column.refit(scroll)

        self.boundary_pair = BoundaryPair(self.content)
        self.boundary = self.boundary_pair.main
        self._attach_drawing(self.boundary)
        self.mosaic = PredictionMosaic(self.content)
        self.view_stack = QStackedWidget(self.content)
        self.view_stack.addWidget(self.boundary_pair)
        self.view_stack.addWidget(self.mosaic)
        self.curves = MetricCurves(self.content)
        self.lr_curve = LrCurve(self.content)  # the rate under loss and accuracy, same x axis
        self.lr_curve.setXLink(self.curves.plots["loss"])
        curve_box = QSplitter(Qt.Orientation.Vertical, self.content)
        curve_box.addWidget(self.curves)
        curve_box.addWidget(self.lr_curve)
        curve_box.setStretchFactor(0, 4)
        curve_box.setStretchFactor(1, 1)

        self.quantity = QComboBox(self.content)
        self.quantity.setObjectName("quantityCombo")
        for key, text in QUANTITIES.items():
            self.quantity.addItem(tr(text), key)
        self.quantity.setToolTip(tr("Which per-layer distribution to show: over time (bands) and now (histograms)"))
        self.quantity.currentIndexChanged.connect(self._on_quantity)
        self.layer_note = QLabel(self.content)
        self.layer_note.setObjectName("layerNote")
        head = QHBoxLayout()
        head.addWidget(QLabel(tr("<b>Per layer:</b>"), self.content))
        head.addWidget(self.quantity)
        head.addWidget(self.layer_note, 1)
        self.bands = DistributionBands(self.content)
        self.histograms = LayerHistogramRow(self.content, title="", normalize=True)
        self.histograms.setObjectName("layerHistograms")
        self.histograms.setAntialiasing(False)  # axis-aligned bars: antialiasing only costs time
        self.histograms.setToolTip(tr("The same quantity in the last mini-batch: one histogram per hidden "
                                      "layer, shared axes"))
        layers = QWidget(self.content)
        layers_layout = QVBoxLayout(layers)
        layers_layout.setContentsMargins(0, 0, 0, 0)
        layers_layout.setSpacing(2)
        layers_layout.addLayout(head)
        layers_layout.addWidget(self.bands, 1)
        layers_layout.addWidget(self.histograms, 1)

        top = QSplitter(Qt.Orientation.Horizontal, self.content)
        top.addWidget(self.view_stack)
        top.addWidget(curve_box)
        right = QSplitter(Qt.Orientation.Vertical, self.content)
        right.addWidget(top)
        right.addWidget(layers)
        main = QSplitter(Qt.Orientation.Horizontal, self.content)
        main.setObjectName("trainingSplitter")
        main.addWidget(scroll)
        main.addWidget(right)
        main.setStretchFactor(0, 0)
        main.setStretchFactor(1, 1)
        layout.addWidget(main, 1)
        self.splitters = (main, right, top)
        self._sized = False
        self._recolor(palette.is_dark())
        palette.signals.changed.connect(self._recolor)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """First show: square boundary view, curves beside it, layers below."""
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            main, right, top = self.splitters
            w, h = max(main.width(), 800), max(main.height(), 500)
            side = main.widget(0).minimumWidth()
            main.setSizes([side, w - side])
            upper = int(h * 0.56)
            right.setSizes([upper, h - upper])
            view = min(upper, int((w - side) * 0.45))
            top.setSizes([view, w - side - view])

    def _recolor(self, _dark: bool = False) -> None:
        """Muted labels follow the theme (``palette.signals.changed``)."""
        for label in (self.data_label, self.weights_label, self.layer_note):
            label.setStyleSheet(f"color: {palette.MUTED}")

    # ---- state → widgets ------------------------------------------------------------------------------
    def _show_state(self, state: State) -> None:
        """Show ``state`` in the controls without emitting (the model already holds it)."""
        view = (self.speed, self.full_speed, self.smoothing, self.x_unit, self.log_loss, self.quantity, self.compare)
        for w in view:
            w.blockSignals(True)
        try:
            self.chooser.set_spec(state.data.spec())
            self.form.set_settings(state.network.settings())
            self.speed.setValue(state.speed)
            self.full_speed.setChecked(state.max_speed)
            self.smoothing.setValue(state.smoothing)
            self.x_unit.setCurrentIndex(self.x_unit.findData(state.x_unit))
            self.log_loss.setChecked(state.log_loss)
            self.quantity.setCurrentIndex(self.quantity.findData(state.quantity))
            self.compare.setCurrentIndex(self.compare.findData(state.compare))
        finally:
            for w in view:
                w.blockSignals(False)
        self.speed.setEnabled(not state.max_speed)
        self.control.rate = self.model.rate()
        self.curves.set_log_loss(state.log_loss)
        self.bands.set_quantity(state.quantity)

    def _show_run(self, run) -> None:
        """A new run's data: the boundary or the mosaic, the layer plots and the data line."""
        data = run.data
        self._show_drawing(run.spec.source == "drawn")
        if data.is_2d:
            self.view_stack.setCurrentWidget(self.boundary_pair)
            self.boundary_pair.show_compare(self.model.state.compare if run.partner else NONE, run.settings.activation)
            x_train, x_test = data.view_points(data.x_train), data.view_points(data.x_test)
            self.boundary.set_points(x_train, data.y_train, x_test, data.y_test, data.bounds)
            self.boundary_pair.set_points(x_train, data.y_train, x_test, data.y_test, data.bounds)
            if run.grid is not None:
                self.boundary.set_grid(run.grid)
        else:
            self.view_stack.setCurrentWidget(self.mosaic)
            self.mosaic.set_images(data.x_test[run.samples], data.y_test[run.samples], data.class_names,
                                   data.image_shape)
            if run.predictions is not None:
                self.mosaic.set_predictions(run.predictions)
        names = [tr("Layer {i} ({width})").format(i=i + 1, width=w) for i, w in enumerate(run.settings.hidden)]
        self.bands.set_layers(names)
        self.bands.set_history(run.bands)
        self.histograms.set_layers(names)
        for i in range(len(names)):  # no grid: its lines are replayed on every repaint
            self.histograms.plot(i).showGrid(x=False, y=False)
        self.histograms.clear_series(0)
        self.curves.clear()
        kind = tr("synthetic") if data.synthetic else tr("real")
        self.data_label.setText(tr(
            "{name}: {train} train / {test} test, {inputs} inputs, {classes} classes ({kind}). {steps} steps per epoch."
        ).format(name=tr(data.name), train=len(data.y_train), test=len(data.y_test), inputs=data.n_features,
                 classes=data.n_classes, kind=kind, steps=run.trainer.steps_per_epoch))
        if run.spec.source == "drawn":
            self.data_label.setText(self.data_label.text() + " " + tr(
                "Every drawn point trains and is also shown as the test set."))
        elif data.image_shape is None and data.plane is not None:
            self.data_label.setText(self.data_label.text() + " " + tr(
                "Features standardised; the boundary is shown in the plane of the two principal components."))
        elif run.spec.source == "file" and data.image_shape is None:
            self.data_label.setText(self.data_label.text() + " " + tr("Features standardised."))
        if run.spec.source == "file" and data.image_shape is None:  # a table: its labels as the legend
            legend = ", ".join(f"<span style='color:{CLASS_COLORS[k % 8]}'>●</span> {html.escape(name)}"
                               for k, name in enumerate(data.class_names))
            self.data_label.setText(html.escape(self.data_label.text()) + "<br>" + tr("Classes: {names}").format(
                names=legend))

    # ---- widgets → model ------------------------------------------------------------------------------
    def _on_spec(self, spec) -> None:
        self.apply_state(self.model.state.replace(data=self._with_points(DataState.of(spec))))

    def _on_settings(self, settings) -> None:
        self.apply_state(self.model.state.replace(network=NetworkState.of(settings)))

    def _on_smoothing(self, value: float) -> None:
        self._set(smoothing=float(value))
        self._draw(views=False)

    def _on_x_unit(self, _index: int) -> None:
        self._set(x_unit=self.x_unit.currentData())
        self._draw(views=True)

    def _on_log_loss(self, on: bool) -> None:
        self._set(log_loss=bool(on))
        self.curves.set_log_loss(on)
        self._draw(views=False)

    def _on_compare(self, _index: int) -> None:
        self.apply_state(self.model.state.replace(compare=self.compare.currentData()))

    def _on_quantity(self, _index: int) -> None:
        key = self.quantity.currentData()
        self._set(quantity=key)
        self.bands.set_quantity(key)
        self._hist_range = None
        self._draw(views=True)
