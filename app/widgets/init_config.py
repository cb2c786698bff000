"""One configuration of the initialization experiment: activation, weight init, batch norm.

The Initialization panel shows two of these (A and B) so a student changes one setting and
sees its effect against an unchanged reference. The weight choices are the book's (fixed
std 0.01 and 1) plus every initializer in ``engine.init`` and a free std, all from the
registries, so the menu lists exactly what the engine has.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QWidget

from app.i18n import tr
from app.widgets.sliders import LabeledSlider
from engine import activations, init

#: Every elementwise activation (softmax normalizes across units: no per-unit histogram).
ACTIVATIONS = [e.name for e in activations.entries() if e.extra.get("elementwise", True)]

#: (key, label, tooltip) of the fixed-std choices; the registry's other initializers follow.
_FIXED = (
    ("std0.01", "Normal, std 0.01", "W ~ N(0, 0.01²): the book's second figure; sigmoid outputs collapse onto 0.5"),
    ("std1", "Normal, std 1", "W ~ N(0, 1): the book's first figure; sigmoid outputs pile up at 0 and 1"),
)
CUSTOM = "custom"
DEFAULT_CUSTOM_STD = 0.05
_INIT_TIPS = {
    "xavier": "std = √(2/(n_in+n_out)); for 100→100 layers the same as the book's √(1/n) (LeCun)",
    "lecun": "std = √(1/n_in): what the book calls Xavier",
    "he": "std = √(2/n_in): keeps ReLU layers alive (ReLU zeroes half the inputs)",
}


def init_choices() -> list[tuple[str, str, str]]:
    """``(key, label, tooltip)`` of every weight choice, in menu order."""
    out = list(_FIXED)
    for entry in init.REGISTRY.entries():
        if entry.name != "normal":
            out.append((entry.name, entry.display_name, _INIT_TIPS.get(entry.name, entry.formula)))
    out.append((CUSTOM, "Normal, custom std", "W ~ N(0, std²) with the std set below"))
    return out


@dataclass(frozen=True)
class InitConfig:
    """What one column of the comparison runs: ``init_key`` is a key of ``init_choices()``."""

    activation: str = "sigmoid"
    init_key: str = "std1"
    custom_std: float = DEFAULT_CUSTOM_STD
    batchnorm: bool = False

    def __post_init__(self):
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}; choose one of: {', '.join(ACTIVATIONS)}")
        keys = [k for k, _l, _t in init_choices()]
        if self.init_key not in keys:
            raise ValueError(f"unknown weight init {self.init_key!r}; choose one of: {', '.join(keys)}")

    def experiment_kwargs(self) -> dict:
        """The ``ActivationExperiment`` arguments this configuration sets."""
        if self.init_key == "std0.01":
            name, kwargs = "normal", {"std": 0.01}
        elif self.init_key == "std1":
            name, kwargs = "normal", {"std": 1.0}
        elif self.init_key == CUSTOM:
            name, kwargs = "normal", {"std": float(self.custom_std)}
        else:
            name, kwargs = self.init_key, {}
        return {"activation": self.activation, "init": name, "init_kwargs": kwargs, "batchnorm": self.batchnorm}

    def label(self) -> str:
        """Short description, e.g. ``"Sigmoid · std 1"`` or ``"ReLU · He (Kaiming) · BN"``."""
        act = tr(activations.REGISTRY.entry(self.activation).display_name)
        if self.init_key == CUSTOM:
            weights = f"std {self.custom_std:g}"
        elif self.init_key.startswith("std"):
            weights = self.init_key.replace("std", "std ")
        else:
            weights = tr(init.REGISTRY.entry(self.init_key).display_name)
        return f"{act} · {weights}" + (" · BN" if self.batchnorm else "")


class InitConfigEditor(QGroupBox):
    """Activation combo, weight-init combo, custom-std slider and batch-norm check box.

    ``InitConfigEditor("A", title)``; child objectNames end in the suffix (``activationA``,
    ``initA``, ``customStdA`` (a LabeledSlider), ``batchnormA``). ``config()`` /
    ``set_config(cfg)`` (one ``changed`` signal, not one per control); ``changed()`` fires on
    every user edit.
    """

    changed = Signal()

    def __init__(self, suffix: str, title: str, parent: QWidget | None = None):
        super().__init__(title, parent)
        self.setObjectName(f"config{suffix}")
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.activation = QComboBox()
        self.activation.setObjectName(f"activation{suffix}")
        for name in ACTIVATIONS:
            entry = activations.REGISTRY.entry(name)
            self.activation.addItem(tr(entry.display_name), name)
            self.activation.setItemData(self.activation.count() - 1, tr(entry.formula), Qt.ItemDataRole.ToolTipRole)
        self.activation.setToolTip(tr("The activation after every layer (sigmoid/tanh saturate, ReLU can die)"))
        form.addRow(tr("Activation"), self.activation)
        self.init = QComboBox()
        self.init.setObjectName(f"init{suffix}")
        for key, label, tip in init_choices():
            self.init.addItem(tr(label), key)
            self.init.setItemData(self.init.count() - 1, tr(tip), Qt.ItemDataRole.ToolTipRole)
        self.init.setToolTip(tr("How the weights are drawn. Hover an entry for its std."))
        form.addRow(tr("Weights"), self.init)
        self.custom_std = LabeledSlider(
            "", 1e-3, 10.0, DEFAULT_CUSTOM_STD, decimals=4, log=True,
            tooltip=tr("The std of 'Normal, custom std' (log scale, 0.001 … 10)"),
        )
        self.custom_std.setObjectName(f"customStd{suffix}")
        form.addRow("std", self.custom_std)
        self._form = form
        self.batchnorm = QCheckBox(tr("Batch norm before the activation"))
        self.batchnorm.setObjectName(f"batchnorm{suffix}")
        self.batchnorm.setToolTip(tr(
            "Normalize every unit over the batch (γ = 1, β = 0) between the affine map and the activation:\n"
            "the histograms stop depending on the weight scale"
        ))
        form.addRow(self.batchnorm)
        self.activation.currentIndexChanged.connect(self._emit)
        self.init.currentIndexChanged.connect(self._emit)
        self.custom_std.valueChanged.connect(self._on_std)
        self.batchnorm.toggled.connect(self._emit)
        self._sync_enabled()

    def config(self) -> InitConfig:
        return InitConfig(self.activation.currentData(), self.init.currentData(),
                          self.custom_std.value(), self.batchnorm.isChecked())

    def set_config(self, cfg: InitConfig) -> None:
        """Show ``cfg``; emits ``changed`` once if anything differs."""
        if cfg == self.config():
            return
        widgets = (self.activation, self.init, self.custom_std, self.batchnorm)
        for w in widgets:
            w.blockSignals(True)
        try:
            self.activation.setCurrentIndex(self.activation.findData(cfg.activation))
            self.init.setCurrentIndex(self.init.findData(cfg.init_key))
            self.custom_std.setValue(cfg.custom_std)
            self.batchnorm.setChecked(cfg.batchnorm)
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._emit()

    def _on_std(self, _value: float) -> None:
        if self.init.currentData() == CUSTOM:
            self.changed.emit()

    def _emit(self, *_args) -> None:
        self._sync_enabled()
        self.changed.emit()

    def _sync_enabled(self) -> None:
        """The std row is there only for "custom std" (the others fix the std themselves)."""
        custom = self.init.currentData() == CUSTOM
        self.custom_std.setEnabled(custom)
        self._form.setRowVisible(self.custom_std, custom)
