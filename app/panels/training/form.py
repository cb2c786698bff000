"""The Training panel's controls: which data (``DatasetChooser``) and which run (``NetworkForm``).

Both emit a frozen dataclass of ``engine.training_setup`` whenever a control changes, so the
panel never reads widgets one by one and the same values build the same run in tests and the
benchmark. Every control restarts the run, which each tooltip says.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.i18n import tr, tr_message
from app.models.training import SOURCE_DEFAULTS, default_hyper, hidden_activations
from app.widgets.activation_picker import ActivationPicker
from app.panels.training.schedule_row import ScheduleRow
from app.widgets.optimizer_editor import OptimizerEditor, SciSpinBox
from app.widgets.palette import series_color
from app.widgets.sliders import LabeledSlider
from engine import datasets, digits, init, optimizers
from engine.training_setup import DataSpec, RunSettings, parse_hidden

RESTARTS = "Changing it starts the run over."


def _tip(widget: QWidget, text: str) -> None:
    widget.setToolTip(tr(text) + "\n" + tr(RESTARTS))


class DatasetChooser(QGroupBox):
    """Data source, noise, size, test share and "Open dataset…". ``specChanged(DataSpec)``."""

    specChanged = Signal(object)
    openRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(tr("Data"), parent)
        self.setObjectName("datasetChooser")
        form = QFormLayout(self)
        form.setContentsMargins(6, 4, 6, 4)
        form.setVerticalSpacing(3)
        self.combo = QComboBox(self)
        self.combo.setObjectName("datasetCombo")
        for e in datasets.REGISTRY.entries():
            self.combo.addItem(tr("{name} (2-D)").format(name=tr(e.display_name)), ("toy", e.name))
            self.combo.setItemData(self.combo.count() - 1, tr(e.formula), 3)  # 3 = ToolTipRole
        self.combo.addItem(tr("Synthetic digits (not MNIST)"), ("digits", "digits"))
        self.combo.setItemData(self.combo.count() - 1, tr(
            "{name}: 28×28 images GradLab draws itself with random distortions, so it works offline"
        ).format(name=tr(digits.NAME)), 3)
        self.combo.addItem(tr("Draw your own (2-D)"), ("drawn", "drawn"))
        self.combo.setItemData(self.combo.count() - 1, tr(
            "Click in the decision-boundary view to add points, shift-click for the other class, "
            "right-click to erase"), 3)
        self.combo.addItem(tr("UCI digits (8×8)"), ("uci", "uci_digits"))
        self.combo.setItemData(self.combo.count() - 1, tr(
            "1,797 real handwritten digits, 8×8 pixels (Alpaydin & Kaynak, UCI ML repository, CC BY 4.0), bundled"), 3)
        _tip(self.combo, "The data to learn: 2-D toy sets (with a decision-boundary view), synthetic "
                         "digits, or real MNIST / Fashion-MNIST found on disk or opened with “Open dataset…”")
        self.open_button = QPushButton(tr("Open dataset…"), self)
        self.open_button.setObjectName("openDatasetButton")
        self.open_button.setToolTip(tr("Load your own CSV table (numeric features, the label last) or MNIST / "
                                       "Fashion-MNIST: IDX files (raw or .gz), mnist.npz or a folder holding them. "
                                       "GradLab never downloads anything."))
        self.open_button.clicked.connect(self.openRequested)
        row = QHBoxLayout()
        row.addWidget(self.combo, 1)
        row.addWidget(self.open_button)
        form.addRow(tr("Set"), row)
        self.noise = LabeledSlider("", 0.0, 0.5, value=0.1, decimals=2, parent=self)
        self.noise.setObjectName("noise")
        form.addRow(tr("Noise"), self.noise)
        self.size = QSpinBox(self)
        self.size.setObjectName("sizeSpin")
        self.size.setKeyboardTracking(False)
        self.size.setRange(20, 70000)
        self.size.setSingleStep(100)
        _tip(self.size, "Number of samples, train and test together")
        self.test_ratio = LabeledSlider("", 0.05, 0.8, value=0.2, decimals=2, parent=self)
        self.test_ratio.setObjectName("testRatio")
        _tip(self.test_ratio, "Share of the samples held out as the test set (never trained on)")
        form.addRow(tr("Samples"), self.size)
        form.addRow(tr("Test share"), self.test_ratio)
        self._source = None
        self.combo.currentIndexChanged.connect(self._on_source)
        self.noise.valueChanged.connect(self._emit)
        self.size.valueChanged.connect(self._emit)
        self.test_ratio.valueChanged.connect(self._emit)
        self._on_source(self.combo.currentIndex(), emit=False)

    # ---- items ------------------------------------------------------------------------------------
    def add_file(self, name: str, path: str, select: bool = False) -> int:
        """List a dataset file or folder (once); returns its index."""
        for i in range(self.combo.count()):
            if self.combo.itemData(i) == ("file", str(path)):
                break
        else:
            self.combo.addItem(f"{name} — {path}", ("file", str(path)))
            i = self.combo.count() - 1
            self.combo.setItemData(i, tr("{name} from {path}").format(name=name, path=path), 3)
        if select:
            self.combo.setCurrentIndex(i)
        return i

    def select(self, source: str, name: str) -> bool:
        for i in range(self.combo.count()):
            if self.combo.itemData(i) == (source, name):
                self.combo.setCurrentIndex(i)
                return True
        return False

    # ---- values -------------------------------------------------------------------------------------
    def spec(self) -> DataSpec:
        source, name = self.combo.currentData()
        return DataSpec(source, name, float(self.noise.value()), int(self.size.value()),
                        float(self.test_ratio.value()))

    def set_spec(self, spec: DataSpec) -> None:
        """Show ``spec`` without emitting (the panel applies it itself)."""
        self.blockSignals(True)
        try:
            if not self.select(spec.source, spec.name) and spec.source == "file":
                self.add_file(tr("data set"), spec.name, select=True)
            self.size.setValue(int(spec.size))
            self.noise.setValue(float(spec.noise))
            self.test_ratio.setValue(float(spec.test_ratio))
        finally:
            self.blockSignals(False)

    def _on_source(self, index: int, emit: bool = True) -> None:
        data = self.combo.itemData(index)
        if data is None:
            return
        source = data[0]
        if source != self._source:
            self._source = source
            size, (lo, hi), noise, noise_max, noise_tip = SOURCE_DEFAULTS[source]
            for w in (self.size, self.noise):
                w.blockSignals(True)
            self.size.setRange(lo, hi)
            self.size.setValue(size)
            self.noise.setEnabled(noise_max > 0)
            self.noise.setValue(noise)
            _tip(self.noise, noise_tip)
            for w in (self.size, self.noise):
                w.blockSignals(False)
        if emit:
            self._emit()

    def _emit(self, *_args) -> None:
        self.specChanged.emit(self.spec())


class NetworkForm(QGroupBox):
    """Layers, activation, init, batch norm, dropout, L2/L1, optimizer, batch, epochs, seed.

    ``settingsChanged(RunSettings)`` on every valid change; ``invalid(message)`` for a bad
    layer list (the last valid settings stay in force).
    """

    settingsChanged = Signal(object)
    invalid = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(tr("Network and training"), parent)
        self.setObjectName("networkForm")
        self.hyper = {e.name: default_hyper(e.name) for e in optimizers.entries()}
        default = RunSettings()
        self._settings = dataclasses.replace(default, hyper={**self.hyper[default.optimizer], **default.hyper})
        form = QFormLayout(self)
        form.setContentsMargins(6, 4, 6, 4)
        form.setVerticalSpacing(3)

        self.hidden_edit = QLineEdit(", ".join(map(str, self._settings.hidden)), self)
        self.hidden_edit.setObjectName("hiddenEdit")
        self.hidden_edit.setValidator(QRegularExpressionValidator(r"[0-9 ,x×]*", self))
        _tip(self.hidden_edit, "Hidden layers: their widths separated by commas, e.g. 32, 32 (press Enter)")
        self.hidden_edit.editingFinished.connect(self._emit)
        form.addRow(tr("Hidden layers"), self.hidden_edit)

        self.activation_picker = ActivationPicker(hidden_activations(), "activationCombo",
                                                  "Activation function of every hidden layer", self)
        self.activation_picker.set_value(self._settings.activation, self._settings.activation_alpha)
        self.activation = self.activation_picker.combo
        _tip(self.activation, "Activation function of every hidden layer")
        self.activation_picker.changed.connect(self._emit)
        self.init = self._combo("initCombo", [(tr(e.display_name), e.name) for e in init.REGISTRY.entries()],
                                self._settings.init, "Weight initialization (He suits ReLU, Xavier suits tanh/sigmoid)")
        form.addRow(tr("Activation"), self.activation_picker)
        form.addRow(tr("Init"), self.init)

        self.batchnorm = QCheckBox(tr("Batch norm"), self)
        self.batchnorm.setObjectName("batchnormCheck")
        _tip(self.batchnorm, "Batch normalization before each activation")
        self.batchnorm.toggled.connect(self._emit)
        form.addRow("", self.batchnorm)
        self.dropout = LabeledSlider("", 0.0, 0.9, value=0.0, decimals=2, parent=self)
        self.dropout.setObjectName("dropout")
        _tip(self.dropout, "Dropout ratio: the share of hidden units dropped in each training pass")
        self.dropout.valueChanged.connect(self._emit)
        form.addRow(tr("Dropout"), self.dropout)
        self.l2 = self._sci("l2Spin", 0.0, 10.0, "L2 weight decay λ: loss + ½·λ·Σ‖W‖²")
        self.l1 = self._sci("l1Spin", 0.0, 10.0, "L1 weight decay: loss + λ₁·Σ|W|; pulls weights towards 0; "
                            "with the proximal step many become exactly 0")
        decay = QHBoxLayout()
        decay.addWidget(self.l2, 1)
        decay.addWidget(self.l1, 1)
        form.addRow("L2 / L1", decay)
        self.l1_proximal = QCheckBox(tr("L1 as a proximal step"), self)
        self.l1_proximal.setObjectName("l1ProximalCheck")
        _tip(self.l1_proximal, "Apply L1 after each optimizer step as a soft-threshold, "
             "W ← sign(W)·max(|W| − lr·λ₁, 0), instead of adding λ₁·sign(W) to the gradient. "
             "Plain subgradient steps overshoot 0 and leave weights near it, never exactly at it; "
             "the proximal step sets them to exactly 0")
        self.l1_proximal.toggled.connect(self._emit)
        form.addRow("", self.l1_proximal)

        self.optimizer = self._combo("optimizerCombo", [(e.display_name, e.name) for e in optimizers.entries()],
                                     self._settings.optimizer, "The update rule")
        form.addRow(tr("Optimizer"), self.optimizer)
        self.editor = OptimizerEditor(self)
        self.editor.defaults_button.hide()
        self.editor.title.hide()
        self.editor.hyperChanged.connect(self._on_hyper)
        form.addRow(self.editor)
        self.schedule = ScheduleRow(self)
        self.schedule.changed.connect(self._on_schedule)
        self.schedule.invalid.connect(self.invalid)
        form.addRow(tr("lr schedule"), self.schedule)

        self.batch_size = self._int("batchSpin", 1, 4096, self._settings.batch_size, "Mini-batch size")
        self.epochs = self._int("epochsSpin", 1, 100000, self._settings.epochs, "Training stops after this many epochs")
        self.seed = self._int("seedSpin", 0, 2**31 - 1, self._settings.seed,
                              "Seed of the initial weights, dropout masks and batch order (the data stays the "
                              "same). Same seed and settings → the same curves")
        nums = QHBoxLayout()
        nums.addWidget(self.batch_size)
        nums.addWidget(self.epochs)
        form.addRow(tr("Batch / epochs"), nums)
        form.addRow(tr("Seed"), self.seed)
        self._show_hyper()

    # ---- builders ---------------------------------------------------------------------------------
    def _combo(self, name, items, current, tip) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        for text, key in items:
            combo.addItem(text, key)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        _tip(combo, tip)
        combo.currentIndexChanged.connect(self._emit)
        return combo

    def _sci(self, name, lo, hi, tip) -> SciSpinBox:
        spin = SciSpinBox(lo, hi, True, self)
        spin.setObjectName(name)
        spin.setValue(0.0)
        spin.setToolTip(tr(tip) + " " + tr("(0 = off)") + "\n" + tr(RESTARTS))
        spin.valueChanged.connect(self._emit)
        return spin

    def _int(self, name, lo, hi, value, tip) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setObjectName(name)
        spin.setRange(lo, hi)
        spin.setValue(int(value))
        spin.setKeyboardTracking(False)
        _tip(spin, tip)
        spin.valueChanged.connect(self._emit)
        return spin

    # ---- values -------------------------------------------------------------------------------------
    def settings(self) -> RunSettings:
        return self._settings

    def set_settings(self, s: RunSettings) -> None:
        """Show ``s`` without emitting."""
        widgets = (self.hidden_edit, self.init, self.batchnorm, self.dropout, self.l2, self.l1,
                   self.l1_proximal, self.optimizer, self.editor, self.batch_size, self.epochs, self.seed)
        for w in widgets:
            w.blockSignals(True)
        try:
            self.hidden_edit.setText(", ".join(map(str, s.hidden)))
            self.activation_picker.set_value(s.activation, s.activation_alpha)
            self.init.setCurrentIndex(max(0, self.init.findData(s.init)))
            self.batchnorm.setChecked(bool(s.batchnorm))
            self.dropout.setValue(float(s.dropout))
            self.l2.setValue(float(s.weight_decay))
            self.l1.setValue(float(s.l1))
            self.l1_proximal.setChecked(bool(s.l1_proximal))
            self.optimizer.setCurrentIndex(max(0, self.optimizer.findData(s.optimizer)))
            self.hyper[s.optimizer] = {**self.hyper[s.optimizer], **s.hyper}
            self.batch_size.setValue(int(s.batch_size))
            self.epochs.setValue(int(s.epochs or 1))
            self.seed.setValue(int(s.seed))
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._settings = dataclasses.replace(s, hyper=dict(self.hyper[s.optimizer]))
        self.schedule.show_schedule(s.schedule, s.schedule_per, self._settings.hyper.get("lr", 0.01))
        self._show_hyper()

    def _on_schedule(self, spec, per: str) -> None:
        self._settings = dataclasses.replace(self._settings, schedule=spec, schedule_per=per)
        self.settingsChanged.emit(self._settings)

    def _show_hyper(self) -> None:
        name = self.optimizer.currentData()
        self.editor.blockSignals(True)
        self.editor.set_lane(self.optimizer.currentText(), series_color(0), self.hyper[name])
        self.editor.blockSignals(False)
        for spin in self.editor.spins.values():
            if not spin.toolTip().endswith(tr(RESTARTS)):
                _tip(spin, spin.toolTip())

    def _on_hyper(self, hyper: dict) -> None:
        self.hyper[self.optimizer.currentData()] = dict(hyper)
        self.schedule.lr = float(hyper.get("lr", self.schedule.lr))
        self._emit()

    def _emit(self, *_args) -> None:
        try:
            hidden = parse_hidden(self.hidden_edit.text())
        except ValueError as exc:
            self.invalid.emit(tr_message(str(exc)))
            return
        name = self.optimizer.currentData()
        if name != self._settings.optimizer:
            self._show_hyper()
        new = dataclasses.replace(  # keeps what this form does not edit (the lr schedule)
            self._settings, hidden=hidden, activation=self.activation_picker.name(),
            activation_alpha=self.activation_picker.alpha(), init=self.init.currentData(),
            batchnorm=self.batchnorm.isChecked(), dropout=float(self.dropout.value()),
            weight_decay=float(self.l2.value()), l1=float(self.l1.value()), optimizer=name,
            hyper=dict(self.hyper[name]), batch_size=int(self.batch_size.value()),
            epochs=int(self.epochs.value()), seed=int(self.seed.value()),
            l1_proximal=self.l1_proximal.isChecked())
        if new != self._settings:
            self._settings = new
            self.settingsChanged.emit(new)
