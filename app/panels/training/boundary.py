"""What the network predicts: a decision-boundary heat map for 2-D data, sample predictions for images.

``DecisionBoundaryView`` (TensorFlow Playground style): the model's class probabilities on a
grid, drawn as a blend of the class colours whose strength is the confidence, under the data
points (train: filled with a white rim; test: filled with a black rim). ``PredictionMosaic``:
a fixed set of test images with the predicted class above each, wrong ones in vermillion.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor

from app.i18n import tr
from app.widgets import plots
from app.widgets import palette
from app.widgets.palette import OKABE_ITO, series_color
from app.widgets.surface_levels import contour_polyline

#: Class colours: blue and vermillion first, as the Playground's blue/orange.
CLASS_COLORS = [series_color(i) for i in range(8)]
#: How strongly a fully confident pixel shows its class colour (the rest is white).
MAX_TINT = 0.5


def class_rgb(n_classes: int) -> np.ndarray:
    """(n_classes, 3) floats in [0, 1]: the colours of the classes, cycling after eight."""
    return np.array([QColor(CLASS_COLORS[k % len(CLASS_COLORS)]).getRgbF()[:3] for k in range(n_classes)])


def probability_image(probs: np.ndarray) -> np.ndarray:
    """(n, n, K) probabilities → (n, n, 3) uint8: the probability-weighted class colour, tinted
    by confidence (uniform = white, certain = ``MAX_TINT`` of the class colour)."""
    probs = np.nan_to_num(np.asarray(probs, dtype=float), nan=0.0)
    k = probs.shape[-1]
    mix = probs @ class_rgb(k)
    confidence = (probs.max(axis=-1, keepdims=True) - 1.0 / k) / (1.0 - 1.0 / k)
    tint = MAX_TINT * np.clip(confidence, 0.0, 1.0)
    rgb = (1.0 - tint) + tint * mix
    return (255 * np.clip(rgb, 0.0, 1.0)).astype(np.uint8)


def boundary_polyline(grid: dict) -> tuple[np.ndarray, np.ndarray]:
    """The lines where the predicted class changes (a class's probability equals the largest
    other one), NaN-separated: a linear network's is visibly straight, however unsure it is."""
    probs = np.nan_to_num(np.asarray(grid["probs"], dtype=float), nan=0.0)
    k = probs.shape[-1]
    xs_all, ys_all = [], []
    for c in range(k if k > 2 else 1):  # two classes: one line serves both
        margin = probs[..., c] - np.delete(probs, c, axis=-1).max(axis=-1)
        x, y = contour_polyline(grid["xs"], grid["ys"], margin, [0.0])
        xs_all += [x, [np.nan]]
        ys_all += [y, [np.nan]]
    return np.concatenate(xs_all), np.concatenate(ys_all)


class DecisionBoundaryView(pg.PlotWidget):
    """``set_points(x_train, y_train, x_test, y_test, bounds)``, then ``set_grid(grid)`` with a
    ``Trainer.decision_grid`` result; ``show_test(bool)``; ``clear_grid()``."""

    def __init__(self, parent=None):
        plots.configure()
        super().__init__(parent, background=palette.BACKGROUND)
        self.setObjectName("decisionBoundary")
        item = self.getPlotItem()
        self.title = tr("Decision boundary")
        plots.style_plot(item, self.title, grid=False)
        item.hideButtons()
        item.setAspectLocked(True)
        item.getViewBox().setMouseEnabled(x=False, y=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        item.addItem(self.image)
        self.line = pg.PlotDataItem(pen=pg.mkPen(palette.FOREGROUND, width=1.5), connect="finite")
        self.line.setToolTip(tr("The boundary between the predicted classes (where two class probabilities are equal)"))
        item.addItem(self.line)
        self.train_points = pg.ScatterPlotItem(size=6, pen=pg.mkPen("w", width=1))
        self.test_points = pg.ScatterPlotItem(size=6, pen=pg.mkPen(palette.FOREGROUND, width=1))
        item.addItem(self.train_points)
        item.addItem(self.test_points)
        self.setToolTip(tr(
            "The network's prediction over the plane: the colour is the predicted class, its "
            "strength the confidence. Dots: training points (white rim) and test points (dark rim)."))
        self.grid = None
        self.setMinimumSize(220, 220)
        palette.signals.changed.connect(self._recolor)

    def _recolor(self, _dark: bool = False) -> None:
        """Background, axes and the test points' outline follow the theme."""
        self.setBackground(palette.BACKGROUND)
        plots.style_plot(self.getPlotItem(), self.title, grid=False)
        self.test_points.setPen(pg.mkPen(palette.FOREGROUND, width=1))
        self.line.setPen(pg.mkPen(palette.FOREGROUND, width=1.5))

    def set_points(self, x_train, y_train, x_test, y_test, bounds) -> None:
        self.set_scatter(x_train, y_train, x_test, y_test)
        x0, x1, y0, y1 = bounds
        self.getPlotItem().setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self.clear_grid()

    def set_scatter(self, x_train, y_train, x_test, y_test) -> None:
        """Only the dots (drawn points edited): range and boundary stay."""
        colors = [pg.mkBrush(c) for c in CLASS_COLORS]
        self.train_points.setData(pos=np.asarray(x_train).reshape(-1, 2), brush=[colors[k % 8] for k in y_train])
        self.test_points.setData(pos=np.asarray(x_test).reshape(-1, 2), brush=[colors[k % 8] for k in y_test])

    def set_title(self, text: str) -> None:
        """A translated title (e.g. which of two side-by-side networks this is)."""
        if text != self.title:
            self.title = text
            plots.style_plot(self.getPlotItem(), text, grid=False)

    def show_test(self, on: bool) -> None:
        self.test_points.setVisible(bool(on))

    def clear_grid(self) -> None:
        self.grid = None
        self.image.clear()
        self.line.setData([], [])

    def set_grid(self, grid: dict) -> None:
        self.grid = grid
        xs, ys = grid["xs"], grid["ys"]
        self.image.setImage(probability_image(grid["probs"]), autoLevels=False, levels=(0, 255))
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        self.image.setRect(QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys)))
        self.line.setData(*boundary_polyline(grid))


class PredictionMosaic(pg.PlotWidget):
    """``set_images(images, labels, class_names, image_shape)`` then ``set_predictions(pred)``."""

    COLUMNS = 6

    def __init__(self, parent=None):
        plots.configure()
        super().__init__(parent, background=palette.BACKGROUND)
        self.setObjectName("predictionMosaic")
        item = self.getPlotItem()
        plots.style_plot(item, tr("Test samples: predicted class"), grid=False)
        item.hideAxis("left")
        item.hideAxis("bottom")
        item.hideButtons()
        item.setAspectLocked(True)
        item.getViewBox().setMouseEnabled(x=False, y=False)
        item.getViewBox().invertY(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        item.addItem(self.image)
        self.texts: list[pg.TextItem] = []
        self.labels = np.empty(0, dtype=int)
        self.class_names: tuple[str, ...] = ()
        self.predictions = None
        self.setToolTip(tr("A fixed set of test images and the network's current guess for each "
                           "(vermillion: wrong)"))
        self.setMinimumSize(220, 220)
        palette.signals.changed.connect(self._recolor)

    def _recolor(self, _dark: bool = False) -> None:
        """Background, title and the labels' colour follow the theme."""
        self.setBackground(palette.BACKGROUND)
        plots.style_plot(self.getPlotItem(), tr("Test samples: predicted class"), grid=False)
        if self.predictions is not None:
            self.set_predictions(self.predictions)

    def set_images(self, images, labels, class_names, image_shape) -> None:
        images = np.asarray(images, dtype=float)
        h, w = image_shape
        n = len(images)
        cols = self.COLUMNS
        rows = -(-n // cols)
        pad = 8  # room for the label above each image
        canvas = np.ones((rows * (h + pad), cols * (w + 2)))
        for i, img in enumerate(images):
            r, c = divmod(i, cols)
            canvas[r * (h + pad) + pad:(r + 1) * (h + pad), c * (w + 2):c * (w + 2) + w] = 1.0 - img.reshape(h, w)
        self.image.setImage(canvas, autoLevels=False, levels=(0, 1))
        item = self.getPlotItem()
        for t in self.texts:
            item.removeItem(t)
        self.texts = []
        for i in range(n):
            r, c = divmod(i, cols)
            t = pg.TextItem("", color=palette.FOREGROUND, anchor=(0.5, 0.0))
            t.setPos(c * (w + 2) + w / 2, r * (h + pad) - 1)
            item.addItem(t)
            self.texts.append(t)
        self.labels = np.asarray(labels)
        self.class_names = tuple(class_names)
        self.predictions = None
        item.setRange(xRange=(0, canvas.shape[1]), yRange=(0, canvas.shape[0]), padding=0.01)

    def set_predictions(self, predictions) -> None:
        self.predictions = np.asarray(predictions)
        for t, p, y in zip(self.texts, self.predictions, self.labels):
            name = self.class_names[p] if p < len(self.class_names) else str(p)
            t.setText(name[:7], color=palette.FOREGROUND if p == y else OKABE_ITO["vermillion"])

    def accuracy(self) -> float:
        if self.predictions is None or not len(self.labels):
            return float("nan")
        return float(np.mean(self.predictions == self.labels))
