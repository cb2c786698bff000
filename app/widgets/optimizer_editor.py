"""Hyperparameter editor for one optimizer lane, with spin boxes that suit each parameter.

Learning rates and ε span decades, so their spin boxes step by a factor (×1.25 per arrow press)
and show numbers as ``0.3`` or ``1e-08`` rather than a fixed count of decimals; the decay rates
(momentum, β₁, β₂, γ) live in [0, 1) and step by 0.01.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator, QPalette
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from app.i18n import tr

#: key → (label, tooltip, min, max, log-stepping)
HYPER_SPECS = {
    "lr": ("α (lr)", "Learning rate α: the size of each step (↑/↓ multiply by 1.25)", 1e-6, 100.0, True),
    "momentum": ("m", "Momentum m: how much of the previous velocity is kept (0 = plain SGD)", 0.0, 0.999, False),
    "decay_rate": ("γ", "Decay rate γ (PyTorch's alpha): weight of the old G in the moving average of g²", 0.0, 0.9999, False),
    "beta1": ("β₁", "β₁: decay of the first moment M (momentum part of Adam)", 0.0, 0.9999, False),
    "beta2": ("β₂", "β₂: decay of the second moment V (RMSProp part of Adam)", 0.0, 0.9999, False),
    "eps": ("ε", "ε: keeps the division finite; added outside the square root, as in PyTorch", 0.0, 1.0, True),
}


class SciSpinBox(QDoubleSpinBox):
    """A spin box that shows ``%g`` numbers and, for log-scaled values, steps by a factor."""

    def __init__(self, minimum: float, maximum: float, log_steps: bool, parent=None):
        super().__init__(parent)
        self.log_steps = log_steps
        self.setDecimals(12)
        self.setRange(minimum, maximum)
        self.setSingleStep(0.01)
        self.setKeyboardTracking(False)  # typing applies on Enter / focus out, not per keystroke
        self.setMinimumWidth(76)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.replace("−", "-"))
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        stripped = text.replace("−", "-").strip()
        try:
            v = float(stripped)
        except ValueError:
            ok = stripped == "" or all(c in "0123456789.eE+-" for c in stripped)
            return (QValidator.State.Intermediate if ok else QValidator.State.Invalid), text, pos
        inside = self.minimum() <= v <= self.maximum() and math.isfinite(v)
        return (QValidator.State.Acceptable if inside else QValidator.State.Intermediate), text, pos

    def stepBy(self, steps: int) -> None:
        if not self.log_steps:
            return super().stepBy(steps)
        v = self.value()
        if v <= 0:
            v = max(self.minimum(), 1e-8)
        self.setValue(min(max(v * 1.25 ** steps, self.minimum()), self.maximum()))


class OptimizerEditor(QWidget):
    """One row of spin boxes for the selected lane. ``hyperChanged(dict)`` on any edit."""

    hyperChanged = Signal(dict)
    defaultsRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("optimizerEditor")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self.title = QLabel(self)
        self.title.setObjectName("optimizerEditorTitle")
        layout.addWidget(self.title, 0, Qt.AlignmentFlag.AlignTop)
        # two (label, spin box) pairs per row: Adam's four fit a 1280-px window's side column
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(6)
        self._grid.setVerticalSpacing(2)
        layout.addLayout(self._grid)
        layout.setAlignment(self._grid, Qt.AlignmentFlag.AlignTop)
        layout.addStretch(1)
        self._fields: list[QWidget] = []
        self.spins: dict[str, SciSpinBox] = {}
        self.defaults_button = QPushButton(tr("Defaults"), self)
        self.defaults_button.setObjectName("hyperDefaults")
        self.defaults_button.setToolTip(tr("Restore this optimizer's default hyperparameters (PyTorch's)"))
        self.defaults_button.clicked.connect(self.defaultsRequested)
        layout.addWidget(self.defaults_button, 0, Qt.AlignmentFlag.AlignTop)
        # always two rows high, so selecting another optimizer never re-lays out the panel
        probe = SciSpinBox(0, 1, False)
        self.setMinimumHeight(2 * probe.sizeHint().height() + 2)
        probe.deleteLater()

    def set_lane(self, label: str, color: str, hyper: dict) -> None:
        """Show spin boxes for ``hyper`` (rebuilt only when the set of keys changes)."""
        self.title.setText(f"<span style='color:{color}'>■</span> <b>{label}</b>")
        self.title.setToolTip(tr("Hyperparameters of {name}; changing one restarts the race").format(name=label))
        if list(self.spins) != list(hyper):
            for w in self._fields:
                self._grid.removeWidget(w)
                w.deleteLater()
            self._fields, self.spins = [], {}
            for i, key in enumerate(hyper):
                text, tip, lo, hi, log_steps = HYPER_SPECS.get(key, (key, key, 0.0, 1e6, True))
                tip = tr(tip)
                name = QLabel(text, self)
                name.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # muted, in either theme
                spin = SciSpinBox(lo, hi, log_steps, self)
                spin.setObjectName(f"hyper_{key}")
                spin.setToolTip(tip)
                name.setToolTip(tip)
                name.setBuddy(spin)
                spin.valueChanged.connect(self._emit)
                self._grid.addWidget(name, i // 2, 2 * (i % 2), Qt.AlignmentFlag.AlignRight)
                self._grid.addWidget(spin, i // 2, 2 * (i % 2) + 1)
                self._fields += [name, spin]
                self.spins[key] = spin
        for key, value in hyper.items():
            spin = self.spins[key]
            spin.blockSignals(True)
            spin.setValue(float(value))
            spin.blockSignals(False)

    def values(self) -> dict:
        return {k: s.value() for k, s in self.spins.items()}

    def _emit(self, *_):
        self.hyperChanged.emit(self.values())
