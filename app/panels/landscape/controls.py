"""The Landscape panel's controls column: data and network, optimizers, slice.

``LandscapeControls`` shows a ``State`` without emitting (``show_state``), reads one back
(``read``: ``ValueError`` names a bad field) and emits ``edited`` whenever the user changes a
control; the panel writes the model. Optimizer names are coloured as their lanes, following the
theme (``palette.signals.changed``).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.models.landscape import OPTIMIZERS, LearningRates, State, landscape_activations
from engine.training_setup import parse_hidden
from app.widgets import palette
from app.widgets.activation_picker import ActivationPicker
from app.widgets.int_spin import int_spin
from app.widgets.optimizer_editor import SciSpinBox
from engine import datasets, optimizers

DIRECTION_LABELS = {"pca": "PCA of the paths", "random": "Random (filter-normalised)"}


class LandscapeControls(QWidget):
    """The controls column (see the module docstring)."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        net_box = QGroupBox(tr("Data and network"), self)
        form = QFormLayout(net_box)
        self.dataset_combo = QComboBox(net_box)
        self.dataset_combo.setObjectName("landscapeDataset")
        for e in datasets.REGISTRY.entries():
            self.dataset_combo.addItem(tr(e.display_name), e.name)
        self.dataset_combo.setToolTip(tr("The 2-D training set; its whole training loss is the landscape"))
        self.hidden_edit = QLineEdit(net_box)
        self.hidden_edit.setObjectName("landscapeHidden")
        self.hidden_edit.setToolTip(tr("Hidden layer widths, e.g. 16, 16 (2 inputs and one output per class)"))
        self.activation_picker = ActivationPicker(landscape_activations(), "landscapeActivation",
                                                  "Activation function of every hidden layer", net_box)
        self.activation_combo = self.activation_picker.combo
        self.epochs_spin = self._int_spin("landscapeEpochs", 1, 2000, tr("Epochs every optimizer trains"))
        self.batch_spin = self._int_spin("landscapeBatch", 1, 1000, tr("Mini-batch size (the same batches for all)"))
        self.seed_spin = self._int_spin("landscapeSeed", 0, 99999, tr("Initial weights and batch order"))
        form.addRow(tr("Data set"), self.dataset_combo)
        form.addRow(tr("Hidden"), self.hidden_edit)
        form.addRow(tr("Activation"), self.activation_picker)
        form.addRow(tr("Epochs"), self.epochs_spin)
        form.addRow(tr("Batch size"), self.batch_spin)
        form.addRow(tr("Seed"), self.seed_spin)
        layout.addWidget(net_box)

        opt_box = QGroupBox(tr("Optimizers (same start, same batches)"), self)
        grid = QGridLayout(opt_box)
        grid.setContentsMargins(6, 4, 6, 4)
        self.opt_checks: dict[str, QCheckBox] = {}
        self.lr_spins: dict[str, SciSpinBox] = {}
        for row, name in enumerate(OPTIMIZERS):
            entry = optimizers.REGISTRY.entry(name)
            check = QCheckBox(entry.display_name, opt_box)
            check.setObjectName(f"landscapeOpt_{name}")
            check.setToolTip(entry.formula)
            lr = SciSpinBox(1e-5, 10.0, True, opt_box)
            lr.setObjectName(f"landscapeLr_{name}")
            lr.setToolTip(tr("{name} learning rate").format(name=entry.display_name))
            grid.addWidget(check, row, 0)
            grid.addWidget(QLabel("lr", opt_box), row, 1)
            grid.addWidget(lr, row, 2)
            self.opt_checks[name], self.lr_spins[name] = check, lr
        self.reference_combo = QComboBox(opt_box)
        self.reference_combo.setObjectName("landscapeReference")
        for name in OPTIMIZERS:
            self.reference_combo.addItem(optimizers.REGISTRY.entry(name).display_name, name)
        self.reference_combo.setToolTip(tr("The map is centred on this optimizer's final weights (ticked for you)"))
        grid.addWidget(QLabel(tr("Centre at"), opt_box), len(OPTIMIZERS), 0)
        grid.addWidget(self.reference_combo, len(OPTIMIZERS), 1, 1, 2)
        layout.addWidget(opt_box)

        plane_box = QGroupBox(tr("Slice"), self)
        pform = QFormLayout(plane_box)
        self.directions_combo = QComboBox(plane_box)
        self.directions_combo.setObjectName("landscapeDirections")
        for key, label in DIRECTION_LABELS.items():
            self.directions_combo.addItem(tr(label), key)
        self.directions_combo.setToolTip(
            tr("PCA: the plane the paths move in most (Li et al. §7).\n"
               "Random: filter-normalised Gaussian directions (Li et al. §4); the paths barely show in them."))
        self.resolution_spin = self._int_spin("landscapeResolution", 5, 201, tr("Grid points per side (odd: the centre is on the grid)"))
        self.resolution_spin.setSingleStep(2)
        self.fit_check = QCheckBox(tr("Fit the paths"), plane_box)
        self.fit_check.setObjectName("landscapeFit")
        self.fit_check.setToolTip(tr("Size the grid to hold every projected path (else ± the extent)"))
        self.extent_spin = QDoubleSpinBox(plane_box)
        self.extent_spin.setObjectName("landscapeExtent")
        self.extent_spin.setRange(0.01, 100.0)
        self.extent_spin.setDecimals(2)
        self.extent_spin.setToolTip(tr("Half-width of the grid in direction units (PCA: parameter distance; "
                                       "random: multiples of each filter's norm)"))
        extent_row = QHBoxLayout()
        extent_row.addWidget(self.fit_check)
        extent_row.addWidget(self.extent_spin)
        self.view3d_check = QCheckBox(tr("3-D surface"), plane_box)
        self.view3d_check.setObjectName("landscape3d")
        self.view3d_check.setToolTip(tr("Show the slice as a 3-D surface (needs OpenGL)"))
        pform.addRow(tr("Directions"), self.directions_combo)
        pform.addRow(tr("Resolution"), self.resolution_spin)
        pform.addRow(tr("Extent ±"), extent_row)
        pform.addRow(self.view3d_check)
        layout.addWidget(plane_box)
        self._connect()
        self._recolor()
        palette.signals.changed.connect(self._recolor)

    def _int_spin(self, name: str, lo: int, hi: int, tip: str) -> QSpinBox:
        return int_spin(self, name, lo, hi, tip)

    def _connect(self) -> None:
        emit = lambda *_a: self.edited.emit()  # noqa: E731
        for combo in (self.dataset_combo, self.reference_combo, self.directions_combo):
            combo.currentIndexChanged.connect(emit)
        self.activation_picker.changed.connect(emit)
        for spin in (self.epochs_spin, self.batch_spin, self.seed_spin, self.resolution_spin, self.extent_spin,
                     *self.lr_spins.values()):
            spin.valueChanged.connect(emit)
        for check in (self.fit_check, self.view3d_check, *self.opt_checks.values()):
            check.toggled.connect(emit)
        self.hidden_edit.editingFinished.connect(emit)

    def _recolor(self, _dark: bool = False) -> None:
        for index, name in enumerate(OPTIMIZERS):
            color = palette.series_color(index + 1)
            self.opt_checks[name].setStyleSheet(f"QCheckBox {{ color: {color}; font-weight: bold }}")

    def _widgets(self) -> list[QWidget]:
        return [self.dataset_combo, self.hidden_edit, self.epochs_spin, self.batch_spin,
                self.seed_spin, self.reference_combo, self.directions_combo, self.resolution_spin, self.fit_check,
                self.extent_spin, self.view3d_check, *self.opt_checks.values(), *self.lr_spins.values()]

    def show_state(self, s: State) -> None:
        """Show ``s`` without emitting ``edited``."""
        widgets = self._widgets()
        for w in widgets:
            w.blockSignals(True)
        try:
            self.dataset_combo.setCurrentIndex(max(0, self.dataset_combo.findData(s.dataset)))
            self.hidden_edit.setText(", ".join(str(h) for h in s.hidden))
            self.activation_picker.set_value(s.activation, s.activation_alpha)
            self.epochs_spin.setValue(s.epochs)
            self.batch_spin.setValue(s.batch_size)
            self.seed_spin.setValue(s.seed)
            for name in OPTIMIZERS:
                self.opt_checks[name].setChecked(name in s.optimizers)
                self.lr_spins[name].setValue(float(getattr(s.lr, name)))
            self.reference_combo.setCurrentIndex(max(0, self.reference_combo.findData(s.reference)))
            self.directions_combo.setCurrentIndex(max(0, self.directions_combo.findData(s.directions)))
            self.resolution_spin.setValue(s.resolution)
            self.fit_check.setChecked(s.fit)
            self.extent_spin.setValue(float(s.extent))
            self.view3d_check.setChecked(s.view_3d)
        finally:
            for w in widgets:
                w.blockSignals(False)
        self.extent_spin.setEnabled(not s.fit)

    def read(self, base: State) -> State:
        """The controls as a ``State`` (``base`` gives what they do not show, e.g. the noise).

        The centre's optimizer is always traced: its box is ticked again if it was cleared.
        ``ValueError`` names a bad control (e.g. the hidden layers).
        """
        lrs = LearningRates(**{n: float(spin.value()) for n, spin in self.lr_spins.items()})
        return base.replace(
            dataset=self.dataset_combo.currentData(), hidden=parse_hidden(self.hidden_edit.text()),
            activation=self.activation_picker.name(), activation_alpha=self.activation_picker.alpha(),
            epochs=self.epochs_spin.value(),
            batch_size=self.batch_spin.value(), seed=self.seed_spin.value(),
            optimizers=tuple(n for n in OPTIMIZERS if self.opt_checks[n].isChecked()), lr=lrs,
            reference=self.reference_combo.currentData(), directions=self.directions_combo.currentData(),
            resolution=self.resolution_spin.value(), fit=self.fit_check.isChecked(),
            extent=float(self.extent_spin.value()), view_3d=self.view3d_check.isChecked())
