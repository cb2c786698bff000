"""An integer spin box for a settings form (Compare, Landscape): named, bounded, explained.

Keyboard tracking is off so typing "120" changes the setting once (to 120), not three times
(1, 12, 120): each change may start a computation.
"""

from __future__ import annotations

from PySide6.QtWidgets import QSpinBox, QWidget


def int_spin(parent: QWidget, name: str, lo: int, hi: int, tip: str) -> QSpinBox:
    """A ``QSpinBox`` with objectName ``name``, range [lo, hi] and tooltip ``tip`` (translated)."""
    spin = QSpinBox(parent)
    spin.setObjectName(name)
    spin.setRange(lo, hi)
    spin.setToolTip(tip)
    spin.setKeyboardTracking(False)
    return spin
