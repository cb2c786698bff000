"""A labelled slider with a typed value entry, for every numeric hyperparameter.

The slider is for dragging, the spin box for exact values; both stay in sync and emit one
``valueChanged(float)``. Log scale suits learning rates (1e-4 … 10) where a linear slider
would spend its whole length on the large values.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QSlider, QWidget

_TICKS = 1000


class LabeledSlider(QWidget):
    """``label [====o====] [ 0.250 ]`` — a float slider with a value entry.

    ``LabeledSlider("α", 0.0, 1.0, value=0.25, decimals=3, log=False)``; ``value()``,
    ``setValue(v)``, ``setRange(lo, hi)``, signal ``valueChanged(float)``. The slider and the box
    carry ``objectName + "Slider"`` / ``objectName + "Spin"`` once ``setObjectName`` is called.
    """

    valueChanged = Signal(float)

    def __init__(
        self,
        label: str,
        minimum: float,
        maximum: float,
        value: float | None = None,
        decimals: int = 3,
        log: bool = False,
        tooltip: str = "",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        if log and minimum <= 0:
            raise ValueError(f"a log slider needs a positive minimum, got {minimum}")
        if not maximum > minimum:
            raise ValueError(f"slider maximum must exceed minimum, got {minimum}..{maximum}")
        self._log = log
        self._lo, self._hi = float(minimum), float(maximum)
        self.label = QLabel(label, self)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, _TICKS)
        self.spin = QDoubleSpinBox(self)
        self.spin.setDecimals(decimals)
        self.spin.setRange(self._lo, self._hi)
        self.spin.setSingleStep(10 ** -decimals * (10 if decimals > 1 else 1))
        self.spin.setKeyboardTracking(False)  # typing "0.05" must not fire 0, 0.0, 0.05
        self.spin.setMinimumWidth(self.spin.fontMetrics().horizontalAdvance("0000.0000") + 24)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)
        if tooltip:
            for w in (self, self.label, self.slider, self.spin):
                w.setToolTip(tooltip)
        self._value = self._lo
        self.slider.valueChanged.connect(self._from_slider)
        self.spin.valueChanged.connect(self._from_spin)
        self.setValue(self._lo if value is None else value)

    def setObjectName(self, name: str) -> None:  # noqa: N802 - Qt naming
        super().setObjectName(name)
        self.slider.setObjectName(name + "Slider")
        self.spin.setObjectName(name + "Spin")

    def value(self) -> float:
        return self._value

    def setValue(self, value: float) -> None:  # noqa: N802
        v = min(max(float(value), self._lo), self._hi)
        changed = not math.isclose(v, self._value, rel_tol=0, abs_tol=1e-12)
        self._value = v
        self._sync(v)
        if changed:
            self.valueChanged.emit(v)

    def setRange(self, minimum: float, maximum: float) -> None:  # noqa: N802
        self._lo, self._hi = float(minimum), float(maximum)
        self.spin.setRange(self._lo, self._hi)
        self.setValue(self._value)

    def _to_tick(self, v: float) -> int:
        if self._log:
            f = (math.log(v) - math.log(self._lo)) / (math.log(self._hi) - math.log(self._lo))
        else:
            f = (v - self._lo) / (self._hi - self._lo)
        return round(f * _TICKS)

    def _from_tick(self, t: int) -> float:
        f = t / _TICKS
        if self._log:
            return math.exp(math.log(self._lo) + f * (math.log(self._hi) - math.log(self._lo)))
        return self._lo + f * (self._hi - self._lo)

    def _sync(self, v: float) -> None:
        for w, val in ((self.slider, self._to_tick(v)), (self.spin, v)):
            w.blockSignals(True)
            w.setValue(val)
            w.blockSignals(False)

    def _from_slider(self, t: int) -> None:
        v = round(self._from_tick(t), self.spin.decimals())
        self.setValue(v)

    def _from_spin(self, v: float) -> None:
        self.setValue(v)
