"""The scrollable column of controls on the left of a panel (shared by every panel that has one).

A fixed width keeps the plots from jumping when a label changes (e.g. the language), and the
vertical scroll bar keeps every control reachable on a small screen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QWidget


def controls_column(box: QWidget, object_name: str, min_width: int = 270) -> QScrollArea:
    """Wrap ``box`` in a frameless, vertically scrolling column at least ``min_width`` wide."""
    scroll = QScrollArea()
    scroll.setObjectName(object_name)
    scroll.setWidget(box)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    register(scroll, min_width)
    refit(scroll)
    return scroll


def register(scroll: QScrollArea, min_width: int = 0, fixed: bool = True) -> None:
    """Mark ``scroll`` as a controls column: presentation mode can hide it, the zoom re-fits it.

    ``fixed``: its width is fixed to its contents (else only its minimum width follows them).
    """
    scroll.setProperty("controlsColumn", True)
    scroll.setProperty("minWidth", int(min_width))
    scroll.setProperty("fixedWidth", bool(fixed))


def refit(scroll: QScrollArea) -> None:
    """Widen (or narrow) a column to its contents again, e.g. after the fonts were zoomed."""
    min_width = int(scroll.property("minWidth") or 0)
    box = scroll.widget()
    if box is None:
        return
    if scroll.property("fixedWidth") is False:
        scroll.setMinimumWidth(max(min_width, box.sizeHint().width() + scroll.verticalScrollBar().sizeHint().width() + 4))
    else:
        scroll.setFixedWidth(max(min_width, box.sizeHint().width() + 16))


def columns(root: QWidget) -> list[QScrollArea]:
    """Every controls column under ``root``."""
    return [s for s in root.findChildren(QScrollArea) if s.property("controlsColumn")]
