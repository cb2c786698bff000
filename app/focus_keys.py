"""Keyboard focus wins over the window's one-key shortcuts.

The window's global actions use bare keys (Space = Play, R = Reset, N/Right = Step). Qt gives a
window shortcut precedence over the focused widget unless that widget claims the key in a
``ShortcutOverride`` event, and checkboxes, buttons, tables and spin boxes do not — so Space on
a focused checkbox started the Compare grid instead of ticking the box, and R with the table
focused cleared the results. ``FocusFirst`` (an application event filter owned by the window)
claims such keys for the focused widget when it uses them itself: Space for buttons, check
boxes, item views and text inputs; letters for item views (keyboard search) and text inputs;
arrows for text inputs, spin boxes, sliders and combo boxes (in a table → still steps). Shortcuts with a modifier (Ctrl+D, …) are untouched.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSlider, QAbstractSpinBox, QApplication,
                               QComboBox, QLineEdit, QPlainTextEdit, QTextEdit, QWidget)

_TEXT = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox)
_ARROWS = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down)


def wants_key(widget: QWidget | None, key: int, modifiers) -> bool:
    """Whether ``widget`` (the focus widget) uses the bare ``key`` itself."""
    mod = Qt.KeyboardModifier
    if widget is None or modifiers & (mod.ControlModifier | mod.AltModifier | mod.MetaModifier):
        return False
    if isinstance(widget, QTextEdit) and widget.isReadOnly():
        return key in _ARROWS
    if key == Qt.Key.Key_Space:
        return isinstance(widget, (QAbstractButton, QAbstractItemView, QComboBox) + _TEXT)
    if key in _ARROWS:
        return isinstance(widget, (QAbstractSlider, QComboBox) + _TEXT)  # tables: → still steps
    if Qt.Key.Key_A <= key <= Qt.Key.Key_Z:
        return isinstance(widget, (QAbstractItemView,) + _TEXT)
    return False


class FocusFirst(QObject):
    """Installed on the application for ``window``; acts only on widgets inside it."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self._window = window
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(obj, QWidget):
            if self._window.isAncestorOf(obj) and wants_key(obj, event.key(), event.modifiers()):
                event.accept()  # the focused widget gets the key as a normal key press
        return False
