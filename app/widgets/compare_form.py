"""The Compare panel's controls: data, network, the factors to vary with their levels, and seeds.

Every factor of ``engine.experiments.FACTORS`` is one row: a check box ("vary it") and a line
edit with its levels as text ("relu, tanh", "0, 0.2", "off, on", "logspace(0, -4, 16)"). The
form only *reads* into engine objects (``grid()``); nothing runs until the panel's Run.
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
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr, tr_message
from app.widgets.optimizer_editor import SciSpinBox
from app.widgets.palette import MUTED
from app.models.training import parse_hidden
from engine import datasets, experiments, optimizers
from engine.training_setup import DataSpec, RunSettings

#: Levels offered when a factor is first ticked.
DEFAULT_LEVELS = {
    "dropout": "0, 0.2", "activation": "relu, tanh", "init": "normal, xavier, he",
    "init_std": "logspace(0, -4, 4)", "batchnorm": "off, on", "optimizer": "sgd:0.1, adam:0.01",
    "lr": "0.001, 0.01, 0.1", "weight_decay": "0, 0.1",
}
#: (source, name) per data choice; digits are the image set
DATA_CHOICES = [(("toy", e.name), e.display_name) for e in datasets.REGISTRY.entries()]
DATA_CHOICES.append((("digits", "digits"), "Synthetic digits (images)"))
#: Input errors of the grid (``engine.experiments``), shown translated in the banner.
INPUT_ERRORS = (
    "unknown factor {name}; choose one of: {names}",
    "{factor} levels must be on or off, got {value}",
    "{factor} levels must be numbers, got {value}",
    "bad {factor} level {value}: {description}",
    "{factor} {value} cannot be used here; choose one of: {choices}",
    "write {function}(start, stop, count), got {text}",
    "give at least one {factor} level",
    "factor {name} given twice",
    "factor {name} needs at least one level",
    "give one or more distinct seeds, got {seeds}",
    "hidden layers must be widths separated by commas, e.g. 32, 32; got {text}",
    "give 1 to 8 hidden layers of width 1…1024, got {text}",
)


class CompareForm(QWidget):
    """``grid() -> (factors, seeds, DataSpec, RunSettings)`` (ValueError on bad input);
    ``set_preset(preset)``; ``state()`` / ``set_state(dict)``; ``changed()`` on any edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("compareForm")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)

        data_box = QGroupBox(tr("Data and network"), self)
        form = QFormLayout(data_box)
        form.setContentsMargins(6, 4, 6, 4)
        form.setVerticalSpacing(3)
        self.data_combo = QComboBox(data_box)
        self.data_combo.setObjectName("compareData")
        for value, text in DATA_CHOICES:
            self.data_combo.addItem(tr("{name} (2-D)").format(name=tr(text)) if value[0] == "toy" else tr(text), value)
        self.data_combo.setToolTip(tr("The data every run learns (2-D toy sets, or synthetic 28×28 digits)"))
        self.size_spin = self._spin("compareSize", 20, 20000, 400, tr("Samples in total (train + test)"))
        self.test_spin = QDoubleSpinBox(data_box)
        self.test_spin.setObjectName("compareTestPct")
        self.test_spin.setDecimals(2)
        self.test_spin.setRange(5, 90)
        self.test_spin.setValue(20)
        self.test_spin.setToolTip(tr("Share of the samples held out as the test set, in %"))
        self.test_spin.setKeyboardTracking(False)
        self.hidden_edit = QLineEdit("32, 32", data_box)
        self.hidden_edit.setObjectName("compareHidden")
        self.hidden_edit.setToolTip(tr("Hidden layer widths, e.g. 100, 100, 100 (1–8 layers)"))
        self.epochs_spin = self._spin("compareEpochs", 1, 1000, 40, tr("Epochs every run trains"))
        self.batch_spin = self._spin("compareBatch", 1, 4096, 16, tr("Mini-batch size"))
        self.optimizer_combo = QComboBox(data_box)
        self.optimizer_combo.setObjectName("compareOptimizer")
        for e in optimizers.entries():
            self.optimizer_combo.addItem(e.display_name, e.name)
        self.optimizer_combo.setToolTip(tr("The optimizer when it is not a factor (with its defaults besides lr)"))
        self.lr_spin = SciSpinBox(1e-6, 10.0, True, data_box)
        self.lr_spin.setObjectName("compareLr")
        self.lr_spin.setValue(0.01)
        self.lr_spin.setToolTip(tr("Learning rate when neither lr nor an optimizer level sets it"))
        self.seeds_spin = self._spin("compareSeeds", 1, 10, 2,
                                     tr("Seeds per configuration (weights, dropout masks, batch order); "
                                        "the curves show the mean ± one standard deviation across them"))
        for label, field in (("Data", self.data_combo), ("Samples", self.size_spin), ("Test %", self.test_spin),
                             ("Hidden", self.hidden_edit), ("Epochs", self.epochs_spin), ("Batch", self.batch_spin),
                             ("Optimizer", self.optimizer_combo), ("lr", self.lr_spin), ("Seeds", self.seeds_spin)):
            form.addRow(tr(label), field)
        layout.addWidget(data_box)

        factor_box = QGroupBox(tr("Factors to vary (tick) and their levels"), self)
        factor_box.setToolTip(tr("Every combination of the ticked factors' levels is one configuration; "
                                 "each runs once per seed"))
        grid = QGridLayout(factor_box)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setVerticalSpacing(3)
        self.checks: dict[str, QCheckBox] = {}
        self.edits: dict[str, QLineEdit] = {}
        for row, f in enumerate(experiments.FACTORS.values()):
            check = QCheckBox(tr(f.display_name), factor_box)
            check.setObjectName(f"factor_{f.name}")
            edit = QLineEdit(DEFAULT_LEVELS[f.name], factor_box)
            edit.setObjectName(f"levels_{f.name}")
            allowed = "\n" + tr("Allowed: {choices}").format(choices=", ".join(f.choices)) if f.choices else ""
            tip = tr("{description}. Levels separated by commas.").format(description=tr(f.description)) + allowed
            check.setToolTip(tr("Vary the {factor}: {tip}").format(factor=tr(f.display_name).lower(), tip=tip))
            edit.setToolTip(tip)
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(self.changed)
            edit.textChanged.connect(self.changed)
            grid.addWidget(check, row, 0)
            grid.addWidget(edit, row, 1)
            self.checks[f.name], self.edits[f.name] = check, edit
        layout.addWidget(factor_box)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("compareCount")
        self.count_label.setStyleSheet(f"color: {MUTED}")
        self.count_label.setWordWrap(True)
        layout.addWidget(self.count_label)
        for w in (self.size_spin, self.test_spin, self.epochs_spin, self.batch_spin, self.seeds_spin):
            w.valueChanged.connect(self.changed)
        self.hidden_edit.textChanged.connect(self.changed)
        self.data_combo.currentIndexChanged.connect(self.changed)
        self.optimizer_combo.currentIndexChanged.connect(self.changed)
        self.lr_spin.valueChanged.connect(self.changed)
        self.changed.connect(self._update_count)
        self._update_count()

    def _spin(self, name, lo, hi, value, tip) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setObjectName(name)
        spin.setRange(lo, hi)
        spin.setValue(value)
        spin.setToolTip(tip)
        spin.setKeyboardTracking(False)
        return spin

    # ---- reading ------------------------------------------------------------------------------
    def factors(self) -> dict:
        """Ticked factors → parsed levels (ValueError names the bad one)."""
        return {name: experiments.parse_levels(name, self.edits[name].text())
                for name, check in self.checks.items() if check.isChecked()}

    def data_spec(self) -> DataSpec:
        source, name = self.data_combo.currentData()
        noise = 0.1 if source == "toy" else 0.0
        return DataSpec(source, name, noise, self.size_spin.value(), self.test_spin.value() / 100)

    def settings(self) -> RunSettings:
        return RunSettings(hidden=parse_hidden(self.hidden_edit.text()), optimizer=self.optimizer_combo.currentData(),
                           hyper={"lr": float(self.lr_spin.value())}, batch_size=self.batch_spin.value(),
                           epochs=self.epochs_spin.value())

    def seeds(self) -> tuple[int, ...]:
        return tuple(range(self.seeds_spin.value()))

    def grid(self):
        return self.factors(), self.seeds(), self.data_spec(), self.settings()

    def _update_count(self) -> None:
        try:
            factors, seeds = self.factors(), self.seeds()
            n = 1
            for levels in factors.values():
                n *= len(levels)
            self.count_label.setText(tr("{configs} configurations × {seeds} seeds = {runs} runs").format(
                configs=n, seeds=len(seeds), runs=n * len(seeds)))
        except ValueError as exc:
            self.count_label.setText(f"⚠ {tr_message(str(exc), INPUT_ERRORS)}")

    # ---- writing --------------------------------------------------------------------------------
    def set_preset(self, preset) -> None:
        state = {
            "data": [preset.data.source, preset.data.name], "size": preset.data.size,
            "test_pct": round(preset.data.test_ratio * 100, 2), "hidden": ", ".join(map(str, preset.base.hidden)),
            "epochs": preset.base.epochs, "batch": preset.base.batch_size, "optimizer": preset.base.optimizer,
            "lr": preset.base.hyper.get("lr", 0.01), "seeds": len(preset.seeds),
            "factors": {k: ", ".join(experiments.format_level(v) for v in levels)
                        for k, levels in preset.factors.items()},
        }
        if "init_std" in preset.factors and len(preset.factors["init_std"]) == 16:
            state["factors"]["init_std"] = "logspace(0, -4, 16)"  # the book's exact values
        self.set_state(state)

    def state(self) -> dict:
        return {
            "data": list(self.data_combo.currentData()), "size": self.size_spin.value(),
            "test_pct": self.test_spin.value(), "hidden": self.hidden_edit.text(),
            "epochs": self.epochs_spin.value(), "batch": self.batch_spin.value(),
            "optimizer": self.optimizer_combo.currentData(), "lr": float(self.lr_spin.value()),
            "seeds": self.seeds_spin.value(),
            "factors": {k: e.text() for k, e in self.edits.items() if self.checks[k].isChecked()},
            "levels": {k: e.text() for k, e in self.edits.items()},
        }

    def set_state(self, state: dict) -> None:
        self.blockSignals(True)
        try:
            data = tuple(state.get("data", ()))
            for i in range(self.data_combo.count()):
                if tuple(self.data_combo.itemData(i)) == data:
                    self.data_combo.setCurrentIndex(i)
            if "test_pct" in state:
                self.test_spin.setValue(float(state["test_pct"]))
            for key, spin in (("size", self.size_spin), ("epochs", self.epochs_spin),
                              ("batch", self.batch_spin), ("seeds", self.seeds_spin)):
                if key in state:
                    spin.setValue(int(state[key]))
            if "hidden" in state:
                self.hidden_edit.setText(str(state["hidden"]))
            index = self.optimizer_combo.findData(state.get("optimizer"))
            if index >= 0:
                self.optimizer_combo.setCurrentIndex(index)
            if "lr" in state:
                self.lr_spin.setValue(float(state["lr"]))
            for k, text in dict(state.get("levels", {})).items():
                if k in self.edits:
                    self.edits[k].setText(str(text))
            ticked = dict(state.get("factors", {}))
            for k, check in self.checks.items():
                check.setChecked(k in ticked)
                if k in ticked:
                    self.edits[k].setText(str(ticked[k]))
        finally:
            self.blockSignals(False)
        self._update_count()
        self.changed.emit()
