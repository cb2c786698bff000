"""Draw your data: clicks in the Training panel's boundary view add and erase points.

Left click adds a point of the class picked in the ``DrawBar`` (up to 5 classes), shift-click
one of the other class (0 ↔ 1), a right click or a right-button drag erases the points near
the pointer, [Clear] removes all, [Export CSV…] saves them. The points live in the panel's
state (``DataState.points``, JSON-safe, saved with the session); the logic is Qt-free in
``app.models.drawn_data``. While a run trains, an edit is swapped into the running trainer
(``drawn_data.live_update``): the network goes on from its current weights and the boundary
follows the new points at the next frame.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from app.i18n import tr
from app.models import drawn_data
from app.models.training import DataState
from app.widgets.palette import series_color
from engine.training_setup import DRAWN_MAX_CLASSES


class DrawBar(QWidget):
    """The class picker, [Clear] and [Export CSV…] shown while the data is drawn."""

    clearRequested = Signal()
    exportRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("drawBar")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(tr("Class"), self))
        self.classes = QComboBox(self)
        self.classes.setObjectName("drawClassCombo")
        for k in range(DRAWN_MAX_CLASSES):
            self.classes.addItem(tr("Class {k}").format(k=k), k)
        self.classes.setToolTip(tr("Click in the decision-boundary view to add a point of this class; "
                                   "shift-click adds one of the other class (0 ↔ 1); right-click or "
                                   "right-drag erases"))
        self.clear_button = QPushButton(tr("Clear"), self)
        self.clear_button.setObjectName("drawClearButton")
        self.clear_button.setToolTip(tr("Remove every drawn point"))
        self.clear_button.clicked.connect(self.clearRequested)
        self.export_button = QPushButton(tr("Export CSV…"), self)
        self.export_button.setObjectName("drawExportButton")
        self.export_button.setToolTip(tr("Save the drawn points as a CSV table (x1, x2, label)"))
        self.export_button.clicked.connect(self.exportRequested)
        row.addWidget(self.classes, 1)
        row.addWidget(self.clear_button)
        row.addWidget(self.export_button)
        self._color()

    def _color(self) -> None:
        for k in range(self.classes.count()):
            self.classes.setItemData(k, series_color(k), Qt.ItemDataRole.DecorationRole)

    def current_class(self) -> int:
        return int(self.classes.currentData())


class DrawInput(QObject):
    """Mouse events on a plot's viewport → ``added(x, y, shift)`` / ``erased(x, y)`` in data units."""

    added = Signal(float, float, bool)
    erased = Signal(float, float)

    def __init__(self, plot, parent: QObject | None = None):
        super().__init__(parent)
        self.plot = plot
        self.enabled = False
        plot.viewport().installEventFilter(self)

    def _data_pos(self, event) -> tuple[float, float]:
        scene = self.plot.mapToScene(event.position().toPoint())
        point = self.plot.getPlotItem().getViewBox().mapSceneToView(QPointF(scene))
        return float(point.x()), float(point.y())

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if not self.enabled:
            return False
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            x, y = self._data_pos(event)
            if event.button() == Qt.MouseButton.LeftButton:
                self.added.emit(x, y, bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
                return True
            if event.button() == Qt.MouseButton.RightButton:
                self.erased.emit(x, y)
                return True
        elif kind == QEvent.Type.MouseMove and event.buttons() & Qt.MouseButton.RightButton:
            self.erased.emit(*self._data_pos(event))
            return True
        elif kind == QEvent.Type.ContextMenu:
            return True  # the right button erases here
        return False


class DrawnPoints:
    """Panel mixin: build the draw bar and input, forward edits to ``app.models.drawn_data``."""

    def _build_drawing(self, parent: QWidget) -> DrawBar:
        self.draw_bar = DrawBar(parent)
        self.draw_bar.clearRequested.connect(lambda: self.edit_points(()))
        self.draw_bar.exportRequested.connect(self.export_drawn_dialog)
        self.draw_bar.setVisible(False)
        return self.draw_bar

    def _attach_drawing(self, view) -> None:
        """Clicks in ``view`` (the boundary view) edit the drawn points while they are the data."""
        self.draw_input = DrawInput(view, self)
        self.draw_input.added.connect(self._on_draw_add)
        self.draw_input.erased.connect(self._on_draw_erase)

    def _show_drawing(self, drawn: bool) -> None:
        self.draw_bar.setVisible(drawn)
        self.draw_input.enabled = drawn
        for control in (self.chooser.size, self.chooser.test_ratio):  # a drawn set is used whole
            control.setEnabled(not drawn)

    def _with_points(self, data: DataState) -> DataState:
        """A data choice from the chooser keeps the drawn points (or starts from the default ones)."""
        points = data.points or self.model.state.data.points
        if data.source == "drawn" and not points:
            points = drawn_data.default_points()
        return data.replace(points=points)

    def _on_draw_add(self, x: float, y: float, shift: bool) -> None:
        cls = self.draw_bar.current_class()
        self.edit_points(drawn_data.add(self.model.state.data.points, x, y,
                                        drawn_data.other_class(cls) if shift else cls))

    def _on_draw_erase(self, x: float, y: float) -> None:
        points = self.model.state.data.points
        left = drawn_data.erase(points, x, y)
        if len(left) != len(points):
            self.edit_points(left)

    def edit_points(self, points: tuple) -> None:
        """The drawn set changed: train on it live if possible, else rebuild (or say what is missing)."""
        self.model.state = self.model.state.replace(data=self.model.state.data.replace(points=tuple(points)))
        run = self.model.run
        live = (run is not None and run.spec.source == "drawn" and not self.is_busy()
                and drawn_data.live_update(run, self.model.state.data.points))
        if live:
            self.model.install_data(run)
            self.boundary.set_scatter(run.data.x_train, run.data.y_train, run.data.x_test, run.data.y_test)
            self._draw(views=True)
            return
        problem = drawn_data.problem(points)
        if problem is not None:
            self._pause()
            self.boundary.set_scatter(*drawn_data.scatter(points))
            self.statusMessage.emit(tr("Draw points of at least two classes to train on"))
            return
        self._rebuild()

    def export_drawn_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Export drawn points"), str(Path.home() / "drawn.csv"),
                                              tr("CSV tables (*.csv)"))
        if path:
            self.export_drawn(path)

    def export_drawn(self, path) -> None:
        try:
            drawn_data.to_csv(path, self.model.state.data.points)
        except (OSError, ValueError) as err:
            self.show_error(str(err))
            return
        self.statusMessage.emit(tr("Saved {n} points to {path}").format(
            n=len(self.model.state.data.points), path=str(path)))
