"""The Compare panel's controls: data, network, the factors to vary with their levels, and seeds.

Every factor of ``engine.experiments.FACTORS`` is one row: a check box ("vary it") and a line
edit with its levels as text ("relu, tanh", "0, 0.2", "off, on", "logspace(0, -4, 16)"). The
form shows a ``State`` (``show_state``) and reports each edit as a partial state dict
(``edited``); it keeps no settings of its own. Hidden widths that cannot be read stay in their
field and are reported by ``problem()`` (the grid will not run until they are fixed).
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
from app.models.compare import DIGITS, State
from app.widgets import palette
from app.widgets.activation_picker import ActivationPicker
from app.widgets.int_spin import int_spin
from app.widgets.optimizer_editor import SciSpinBox

from .level_menu import LevelButton, level_choices
from engine import activations, datasets, experiments, optimizers
from engine.training_setup import parse_hidden

#: Input errors of the grid (``engine.experiments``), shown translated in the banner.
INPUT_ERRORS = (
    "unknown factor {name}; choose one of: {names}",
    "unknown {kind} {name}; choose one of: {names}",
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


def _data_text(name: str) -> str:
    if name == DIGITS:
        return tr("Synthetic digits (images)")
    return tr("{name} (2-D)").format(name=tr(datasets.entry(name).display_name))


class CompareForm(QWidget):
    """``show_state(state)``; ``edited(dict)`` (a partial ``State``) on every valid edit;
    ``problem()``: why the hidden widths cannot be read ("" when they can)."""

    edited = Signal(dict)

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
        for e in datasets.REGISTRY.entries():
            self.data_combo.addItem(_data_text(e.name), e.name)
        self.data_combo.addItem(_data_text(DIGITS), DIGITS)
        self.data_combo.setToolTip(tr("The data every run learns (2-D toy sets, or synthetic 28×28 digits)"))
        self.size_spin = self._spin("compareSize", 20, 20000, tr("Samples in total (train + test)"))
        self.test_spin = QDoubleSpinBox(data_box)
        self.test_spin.setObjectName("compareTestPct")
        self.test_spin.setDecimals(2)
        self.test_spin.setRange(5, 90)
        self.test_spin.setToolTip(tr("Share of the samples held out as the test set, in %"))
        self.test_spin.setKeyboardTracking(False)
        self.hidden_edit = QLineEdit(data_box)
        self.hidden_edit.setObjectName("compareHidden")
        self.hidden_edit.setToolTip(tr("Hidden layer widths, e.g. 100, 100, 100 (1–8 layers)"))
        self.epochs_spin = self._spin("compareEpochs", 1, 1000, tr("Epochs every run trains"))
        self.batch_spin = self._spin("compareBatch", 1, 4096, tr("Mini-batch size"))
        self.optimizer_combo = QComboBox(data_box)
        self.optimizer_combo.setObjectName("compareOptimizer")
        for e in optimizers.entries():
            self.optimizer_combo.addItem(e.display_name, e.name)
        self.optimizer_combo.setToolTip(tr("The optimizer when it is not a factor (with its defaults besides lr)"))
        self.lr_spin = SciSpinBox(1e-6, 10.0, True, data_box)
        self.lr_spin.setObjectName("compareLr")
        self.lr_spin.setToolTip(tr("Learning rate when neither lr nor an optimizer level sets it"))
        self.seeds_spin = self._spin("compareSeeds", 1, 10,
                                     tr("Seeds per configuration (weights, dropout masks, batch order); "
                                        "the curves show the mean ± one standard deviation across them"))
        for label, field in (("Data", self.data_combo), ("Samples", self.size_spin), ("Test %", self.test_spin),
                             ("Hidden", self.hidden_edit),
                             ("Optimizer", self.optimizer_combo), ("lr", self.lr_spin), ("Seeds", self.seeds_spin)):
            form.addRow(tr(label), field)
        self.activation_picker = ActivationPicker(
            activations.elementwise_names(), "compareActivation",
            "Activation of every hidden layer when it is not a factor; α also holds for such levels", data_box)
        form.insertRow(4, tr("Activation"), self.activation_picker)
        nums = QHBoxLayout()  # one row for both, as in the Training panel: the factors stay in view
        nums.addWidget(self.batch_spin)
        nums.addWidget(self.epochs_spin)
        form.insertRow(5, tr("Batch / epochs"), nums)
        layout.addWidget(data_box)

        factor_box = QGroupBox(tr("Factors to vary (tick) and their levels"), self)
        factor_box.setToolTip(tr("Every combination of the ticked factors' levels is one configuration; "
                                 "each runs once per seed"))
        grid = QGridLayout(factor_box)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setVerticalSpacing(3)
        self.checks: dict[str, QCheckBox] = {}
        self.edits: dict[str, QLineEdit] = {}
        self.pickers: dict[str, LevelButton] = {}
        for row, f in enumerate(experiments.FACTORS.values()):
            check = QCheckBox(tr(f.display_name), factor_box)
            check.setObjectName(f"factor_{f.name}")
            edit = QLineEdit(factor_box)
            edit.setObjectName(f"levels_{f.name}")
            allowed = "\n" + tr("Allowed: {choices}").format(choices=", ".join(f.choices)) if f.choices else ""
            tip = tr("{description}. Levels separated by commas.").format(description=tr(f.description)) + allowed
            if f.kind == "float":
                tip += "\n" + tr("logspace(a, b, n): n values from 10^a to 10^b, evenly spaced on a log scale "
                                  "(logspace(0, -4, 4) = 1, 0.1, 0.01, 0.001); linspace(a, b, n): n evenly spaced values")
            check.setToolTip(tr("Vary the {factor}: {tip}").format(factor=tr(f.display_name).lower(), tip=tip))
            edit.setToolTip(tip)
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(lambda _on: self.edited.emit({"vary": self._ticked()}))
            edit.textChanged.connect(lambda text, n=f.name: self.edited.emit({"levels": {n: text}}))
            grid.addWidget(check, row, 0)
            grid.addWidget(edit, row, 1)
            if level_choices(f.name):  # levels picked from a list (the text stays for numbers)
                pick = LevelButton(f.name, edit, factor_box)
                pick.setEnabled(False)
                check.toggled.connect(pick.setEnabled)
                self.pickers[f.name] = pick
            self.checks[f.name], self.edits[f.name] = check, edit
        layout.addWidget(factor_box)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("compareCount")
        self.count_label.setWordWrap(True)
        layout.addWidget(self.count_label)
        for key, spin in (("size", self.size_spin), ("test_pct", self.test_spin), ("epochs", self.epochs_spin),
                          ("batch", self.batch_spin), ("seeds", self.seeds_spin), ("lr", self.lr_spin)):
            spin.valueChanged.connect(lambda v, k=key: self.edited.emit({k: v}))
        self.data_combo.currentIndexChanged.connect(lambda _i: self.edited.emit({"data": self.data_combo.currentData()}))
        self.optimizer_combo.currentIndexChanged.connect(
            lambda _i: self.edited.emit({"optimizer": self.optimizer_combo.currentData()}))
        self.hidden_edit.textChanged.connect(self._on_hidden)
        self.activation_picker.changed.connect(lambda: self.edited.emit(
            {"activation": self.activation_picker.name(), "activation_alpha": self.activation_picker.alpha()}))
        self.show_state(State())
        palette.signals.changed.connect(self._recolor)
        self._recolor()

    def _spin(self, name, lo, hi, tip) -> QSpinBox:
        return int_spin(self, name, lo, hi, tip)

    def _recolor(self, _dark: bool = False) -> None:
        self.count_label.setStyleSheet(f"color: {palette.MUTED}")

    def _ticked(self) -> list[str]:
        return [n for n, check in self.checks.items() if check.isChecked()]

    def _on_hidden(self, text: str) -> None:
        try:
            hidden = parse_hidden(text)
        except ValueError:
            self.edited.emit({})  # nothing to store; the panel shows ``problem()``
            return
        self.edited.emit({"hidden": list(hidden)})

    def problem(self) -> str:
        """Why the hidden widths cannot be read, or ""."""
        try:
            parse_hidden(self.hidden_edit.text())
        except ValueError as exc:
            return str(exc)
        return ""

    def show_state(self, state: State) -> None:
        """Show ``state``'s form fields (no ``edited`` signals)."""
        widgets = [self.data_combo, self.size_spin, self.test_spin, self.hidden_edit, self.epochs_spin,
                   self.batch_spin, self.optimizer_combo, self.lr_spin, self.seeds_spin,
                   *self.checks.values(), *self.edits.values()]
        blocked = [w.blockSignals(True) for w in widgets]
        try:
            self.data_combo.setCurrentIndex(self.data_combo.findData(state.data))
            self.size_spin.setValue(state.size)
            self.test_spin.setValue(state.test_pct)
            try:
                same = parse_hidden(self.hidden_edit.text()) == tuple(state.hidden)
            except ValueError:
                same = False
            if not same:  # keep the user's spelling ("32 32") when it says the same
                self.hidden_edit.setText(", ".join(map(str, state.hidden)))
            self.epochs_spin.setValue(state.epochs)
            self.batch_spin.setValue(state.batch)
            self.optimizer_combo.setCurrentIndex(self.optimizer_combo.findData(state.optimizer))
            self.lr_spin.setValue(state.lr)
            self.seeds_spin.setValue(state.seeds)
            self.activation_picker.set_value(state.activation, state.activation_alpha)
            for name, check in self.checks.items():
                check.setChecked(name in state.vary)
                self.edits[name].setEnabled(name in state.vary)
                if name in self.pickers:
                    self.pickers[name].setEnabled(name in state.vary)
                text = getattr(state.levels, name)
                if self.edits[name].text() != text:
                    self.edits[name].setText(text)
        finally:
            for w, was in zip(widgets, blocked):
                w.blockSignals(was)
