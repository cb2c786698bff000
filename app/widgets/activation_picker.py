"""The one activation picker of Training, Compare and Landscape: a combo plus its α when it has one.

Leaky ReLU, PReLU and ELU have a parameter α, and its value changes what the network learns:
the lecture's Leaky ReLU uses α = 0.1 while PyTorch's default is 0.01. So wherever one of them
can be picked, α is shown next to it and can be set; for the other activations it is hidden.

The picker's α is ``None`` until the user types one: None means GradLab's default for the
activation (``engine.activations.alpha_default``: 0.1 for Leaky ReLU, 0.25 for PReLU's starting
slope, 1 for ELU), which the spin box shows. Picking another activation goes back to None, so
an α typed for ELU never silently becomes Leaky ReLU's slope.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QWidget

from app.i18n import tr
from engine import activations

#: What α means per activation (the tooltip of the α box).
ALPHA_TIPS = {
    "leaky_relu": "Slope α of Leaky ReLU for x < 0. The lecture uses 0.1, GradLab's default; "
                  "PyTorch's default is 0.01.",
    "prelu": "Slope α that PReLU starts from; training then learns it (PyTorch starts from 0.25).",
    "elu": "α of ELU: for very negative x the output approaches −α (PyTorch's default is 1).",
}


class ActivationPicker(QWidget):
    """``name()``, ``alpha()`` (None: the default), ``set_value(name, alpha)`` without signals;
    ``changed`` after every user edit of either."""

    changed = Signal()

    def __init__(self, names, object_name: str, tip: str, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.combo = QComboBox(self)
        self.combo.setObjectName(object_name)
        for name in names:
            self.combo.addItem(tr(activations.REGISTRY.entry(name).display_name), name)
        self.combo.setToolTip(tr(tip))
        self.alpha_label = QLabel("α", self)
        self.alpha_spin = QDoubleSpinBox(self)
        self.alpha_spin.setObjectName(object_name + "Alpha")
        self.alpha_spin.setDecimals(3)
        self.alpha_spin.setRange(0.001, 10.0)
        self.alpha_spin.setSingleStep(0.01)
        self.alpha_spin.setKeyboardTracking(False)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.alpha_label)
        layout.addWidget(self.alpha_spin)
        self._alpha: float | None = None
        self.combo.currentIndexChanged.connect(self._on_pick)
        self.alpha_spin.valueChanged.connect(self._on_alpha)
        self._show_alpha()

    def name(self) -> str:
        return self.combo.currentData()

    def alpha(self) -> float | None:
        """The α typed by the user, or None for the activation's default."""
        return self._alpha

    def set_value(self, name: str, alpha: float | None) -> None:
        """Show ``name`` and ``alpha`` (None: its default) without emitting ``changed``."""
        was = self.combo.blockSignals(True)
        try:
            self.combo.setCurrentIndex(max(0, self.combo.findData(name)))
        finally:
            self.combo.blockSignals(was)
        self._alpha = None if alpha is None else float(alpha)
        self._show_alpha()

    def _show_alpha(self) -> None:
        name = self.name()
        default = activations.alpha_default(name) if name else None
        for w in (self.alpha_label, self.alpha_spin):
            w.setVisible(default is not None)
        if default is None:
            return
        was = self.alpha_spin.blockSignals(True)
        try:
            self.alpha_spin.setValue(default if self._alpha is None else self._alpha)
        finally:
            self.alpha_spin.blockSignals(was)
        tip = tr(ALPHA_TIPS.get(name, "The activation's parameter α"))
        self.alpha_spin.setToolTip(tip)
        self.alpha_label.setToolTip(tip)

    def _on_pick(self, _index: int) -> None:
        self._alpha = None  # the new activation's own default
        self._show_alpha()
        self.changed.emit()

    def _on_alpha(self, value: float) -> None:
        self._alpha = float(value)
        self.changed.emit()
