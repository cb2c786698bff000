"""The window's zoom: one factor that scales every font (UI, plot axes and legends, scene text).

``Zoom`` is owned by the main window. Setting it scales the application font (every widget
that inherits it, the scene dock's text included), then walks the window's pyqtgraph plots once
and sets their fonts (``app.widgets.plots.scale_fonts``) and re-fits the controls columns to
their wider labels; panels built later are zoomed as they are built (``apply_to``). The factor
persists in QSettings (``app.settings_store``). Its clamping lives in ``app.models.presentation``.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QLabel, QTableView, QWidget

from app import settings_store
from app.models.presentation import DEFAULT_ZOOM, clamp_zoom
from app.widgets import controls_column, plots

_base_point_size: float | None = None  # the application font's size at zoom 1 (set once)


def base_point_size() -> float:
    """The UI font size at zoom 1.0 (the application font's when the first Zoom was made)."""
    global _base_point_size
    if _base_point_size is None:
        size = QApplication.font().pointSizeF()
        _base_point_size = size if size > 0 else 9.0
    return _base_point_size


def plot_items(root: QWidget, kind=pg.PlotItem) -> list:
    """Every pyqtgraph item of type ``kind`` (PlotItem, LegendItem) in a GraphicsView under ``root``."""
    found: list = []
    for view in root.findChildren(pg.GraphicsView):
        scene = view.scene()
        if scene is not None:
            found += [item for item in scene.items() if isinstance(item, kind) and item not in found]
    return found


class Zoom(QObject):
    """``Zoom(window, persist)``: ``factor``, ``set(z)``, ``changed(float)`` after it was applied."""

    changed = Signal(float)

    def __init__(self, window: QWidget, persist: bool = True):
        super().__init__(window)
        self.window = window
        self.persist = persist
        self.base_size = base_point_size()
        self.factor = settings_store.stored_zoom() if persist else DEFAULT_ZOOM
        self._applied = DEFAULT_ZOOM  # the zoom the window's widgets were last sized for

    def set(self, value) -> float:
        """Zoom to ``value`` (clamped to 1.0 … 2.5), apply it everywhere and remember it."""
        self.factor = clamp_zoom(value)
        self.apply()
        if self.persist:
            settings_store.save_zoom(self.factor)
        self.changed.emit(self.factor)
        return self.factor

    def apply(self) -> None:
        """Apply the current factor to the application font and everything in the window."""
        app = QApplication.instance()
        plots.set_zoom(self.factor)
        font = QApplication.font()
        wanted = base_point_size() * self.factor
        if abs(font.pointSizeF() - wanted) > 1e-6:
            font.setPointSizeF(wanted)
            app.setFont(font)
            # widgets take the new font from a posted event: deliver it now, so the columns
            # below are re-fitted to the new text widths (and callers see the new sizes)
            QCoreApplication.sendPostedEvents(None, QEvent.Type.ApplicationFontChange)
        self.apply_to(self.window)
        self._applied = self.factor

    def apply_to(self, root: QWidget) -> None:
        """Plot fonts and controls columns under ``root`` (a panel just built, or the window)."""
        for plot in plot_items(root):
            plots.scale_fonts(plot, self.factor)
        for legend in plot_items(root, pg.LegendItem):
            plots.scale_legend(legend, self.factor)
        for widget in root.findChildren(QWidget):
            if widget.testAttribute(Qt.WidgetAttribute.WA_SetFont):
                self._scale_own_font(widget)
            elif widget.styleSheet():  # a style sheet's widgets keep the font they were polished with
                widget.setStyleSheet(widget.styleSheet())
        for label in root.findChildren(QLabel):
            self._scale_fixed_width(label)
        for table in root.findChildren(QTableView):
            self._fit_rows(table)
        for column in controls_column.columns(root):
            column.widget().adjustSize()
            controls_column.refit(column)

    def _scale_own_font(self, widget: QWidget) -> None:
        """A widget with a font of its own (bold titles, small notes) grows with the zoom too.

        Its size at zoom 1 is kept in a property the first time it is seen (a widget first seen
        at zoom z is taken to have been sized for z), so zooming never compounds.
        """
        font = widget.font()
        base = widget.property("zoomBasePt")
        if base is None:
            size = font.pointSizeF()
            if size <= 0:
                return  # a pixel-sized font: left as it is
            base = size / self._applied
            widget.setProperty("zoomBasePt", base)
        if abs(font.pointSizeF() - base * self.factor) > 1e-6:
            font.setPointSizeF(base * self.factor)
            widget.setFont(font)

    def _scale_fixed_width(self, label: QLabel) -> None:
        """A label given a fixed width for its longest text (a status read-out) widens with the zoom."""
        width = label.maximumWidth()
        if not 0 < width == label.minimumWidth():
            return
        base = label.property("zoomBaseWidth")
        if base is None:
            base = width / self._applied
            label.setProperty("zoomBaseWidth", base)
        if round(base * self.factor) != width:
            label.setFixedWidth(round(base * self.factor))

    def _fit_rows(self, table: QTableView) -> None:
        """Table rows tall enough for the zoomed text (their default height is fixed in pixels)."""
        header = table.verticalHeader()
        base = table.property("zoomBaseRow")
        if base is None:
            base = header.defaultSectionSize() / self._applied
            table.setProperty("zoomBaseRow", base)
        wanted = max(round(base * self.factor), table.fontMetrics().height() + 4)
        if header.defaultSectionSize() != wanted:
            header.setDefaultSectionSize(wanted)
