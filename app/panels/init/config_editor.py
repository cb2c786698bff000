"""The editor of one configuration of the initialization experiment (A or B).

The Initialization panel shows two of these so a student changes one setting and sees its
effect against an unchanged reference. The weight choices are the model's (the book's fixed
std 0.01 and 1, every initializer in ``engine.init``, a free std), so the menu lists exactly
what the engine has; this module only adds their labels and tooltips.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QWidget

from app.i18n import tr
from app.models.init import CUSTOM, CUSTOM_STD_RANGE, DEFAULT_CUSTOM_STD, FIXED_STDS, Config, init_keys
from app.widgets.sliders import LabeledSlider
from engine import activations, init

#: Labels and tooltips of the model's own weight choices; the registry's come from its entries.
_LABELS = {
    "std0.01": ("Normal, std 0.01", "W ~ N(0, 0.01²): the book's second figure; sigmoid outputs collapse onto 0.5"),
    "std1": ("Normal, std 1", "W ~ N(0, 1): the book's first figure; sigmoid outputs pile up at 0 and 1"),
    CUSTOM: ("Normal, custom std", "W ~ N(0, std²) with the std set below"),
}
_INIT_TIPS = {
    "xavier": "std = √(2/(n_in+n_out)); for 100→100 layers the same as the book's √(1/n) (LeCun)",
    "lecun": "std = √(1/n_in): what the book calls Xavier",
    "he": "std = √(2/n_in): keeps ReLU layers alive (ReLU zeroes half the inputs)",
}


def init_choices() -> list[tuple[str, str, str]]:
    """``(key, label, tooltip)`` of every weight choice, in menu order (English source texts)."""
    out = []
    for key in init_keys():
        if key in _LABELS:
            out.append((key, *_LABELS[key]))
        else:
            entry = init.REGISTRY.entry(key)
            out.append((key, entry.display_name, _INIT_TIPS.get(key, entry.formula)))
    return out


def config_label(cfg: Config) -> str:
    """Short description, e.g. ``"Sigmoid · std 1"`` or ``"ReLU · He (Kaiming) · BN"``."""
    act = tr(activations.REGISTRY.entry(cfg.activation).display_name)
    if cfg.init == CUSTOM:
        weights = f"std {cfg.custom_std:g}"
    elif cfg.init in FIXED_STDS:
        weights = f"std {FIXED_STDS[cfg.init]:g}"
    else:
        weights = tr(init.REGISTRY.entry(cfg.init).display_name)
    return f"{act} · {weights}" + (" · BN" if cfg.batchnorm else "")


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
        for name in activations.elementwise_names():
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
            "", *CUSTOM_STD_RANGE, DEFAULT_CUSTOM_STD, decimals=4, log=True,
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

    def config(self) -> Config:
        return Config(self.activation.currentData(), self.init.currentData(),
                      min(max(self.custom_std.value(), CUSTOM_STD_RANGE[0]), CUSTOM_STD_RANGE[1]),
                      self.batchnorm.isChecked())

    def set_config(self, cfg: Config) -> None:
        """Show ``cfg``; emits ``changed`` once if anything differs."""
        if cfg == self.config():
            return
        widgets = (self.activation, self.init, self.custom_std, self.batchnorm)
        for w in widgets:
            w.blockSignals(True)
        try:
            self.activation.setCurrentIndex(self.activation.findData(cfg.activation))
            self.init.setCurrentIndex(self.init.findData(cfg.init))
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
