"""A tab widget that builds a tab's contents the first time it is shown.

Start-up pays only for the visible tab: a panel with four plot tabs builds one PlotWidget at
start instead of four (each costs ~10 ms to build and lays out on every resize).
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget


class LazyTabs(QTabWidget):
    """``add_lazy(factory, title, tooltip)`` adds a tab whose widget ``factory()`` builds on demand.

    ``page(index)`` returns the built widget (building it if needed); ``built(index, widget)``
    fires once per tab when that happens.
    """

    built = Signal(int, QWidget)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._factories: dict[int, Callable[[], QWidget]] = {}
        self._pages: dict[int, QWidget] = {}
        self.currentChanged.connect(self.page)

    def add_lazy(self, factory: Callable[[], QWidget], title: str, tooltip: str = "") -> int:
        host = QWidget()
        layout = QVBoxLayout(host)
        layout.setContentsMargins(0, 0, 0, 0)
        index = self.addTab(host, title)
        if tooltip:
            self.setTabToolTip(index, tooltip)
        self._factories[index] = factory
        if self.currentIndex() == index:
            self.page(index)
        return index

    def is_built(self, index: int) -> bool:
        return index in self._pages

    def page(self, index: int) -> QWidget | None:
        """The contents of tab ``index``, built now if they were not yet."""
        if index < 0:
            return None
        if index not in self._pages:
            factory = self._factories.get(index)
            if factory is None:
                return self.widget(index)
            page = factory()
            self.widget(index).layout().addWidget(page)
            self._pages[index] = page
            self.built.emit(index, page)
        return self._pages[index]
