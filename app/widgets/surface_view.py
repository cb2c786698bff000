"""The loss-surface map: heat map, contour lines, colour bar, minima, start point and racing paths.

Every graphics item is created once, in ``__init__`` (paths: one slot per lane, hidden until
used); afterwards only ``setData``/``setPos`` run, so an animation frame allocates nothing new.
The view is fixed to the surface's bounds (which are also where a path "leaves the view"), and
the mouse sets the start point instead of panning: click, or drag to move it continuously.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QGraphicsItem

from app.i18n import tr
from app.widgets.log_ticks import log_ticks
from app.widgets.palette import FOREGROUND
from app.widgets.plots import style_plot
from app.widgets.surface_levels import SurfaceImage
from app.widgets import palette

#: A light neutral map (white → slate grey, lightness falls linearly): the seven colour-blind-safe
#: path colours stay readable on every part of it, which a hued map (viridis, CET-L12) prevents.
HEAT_MAP = pg.ColorMap([0.0, 0.5, 1.0], [(255, 255, 255), (196, 200, 208), (118, 124, 136)], name="gradlab-slate")
#: The dark theme's map: the same neutral slate ramp, dark at the minimum (where paths end) and
#: lighter uphill, so the map does not glare in a dark window; contours and markers turn light.
DARK_HEAT_MAP = pg.ColorMap([0.0, 0.5, 1.0], [(40, 42, 46), (74, 78, 86), (116, 122, 134)], name="gradlab-slate-dark")
CONTOUR_PEN = pg.mkPen((40, 40, 40, 110), width=1)
GRAD_COLOR = "#444444"
#: Per theme (dark?): colour map, contour colour, −∇f arrow colour.
THEMED = {False: (HEAT_MAP, (40, 40, 40, 110), GRAD_COLOR), True: (DARK_HEAT_MAP, (225, 225, 225, 80), "#B8B8B8")}
_ARROWS = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, 1), Qt.Key.Key_Down: (0, -1)}


class _StartPickViewBox(pg.ViewBox):
    """A ViewBox whose left click / left drag reports view coordinates instead of panning."""

    def __init__(self, on_pick):
        super().__init__(enableMenu=False)
        self._on_pick = on_pick  # on_pick(view point, final): the owner clamps and emits
        self.setMouseEnabled(x=False, y=False)

    def mouseClickEvent(self, ev):
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._on_pick(self.mapSceneToView(ev.scenePos()), final=True)
        else:
            ev.ignore()

    def mouseDragEvent(self, ev, axis=None):
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        self._on_pick(self.mapSceneToView(ev.scenePos()), final=ev.isFinish())

    def wheelEvent(self, ev, axis=None):  # the view is the surface's bounds: no zoom
        ev.ignore()


#: Paths longer than this drop their per-step dots and draw a 1-px line: dense dots only
#: thicken the line, and Qt strokes a wider line through a general path filler that costs 4×
#: as much (5.6 vs 1.5 ms a frame for seven 900-step paths), the largest cost of a long race.
DOTS_MAX = 100
SHORT_WIDTH, LONG_WIDTH = 2.5, 1.0


class _PathSlot:
    """The items of one lane: its path (line + step dots), stop marker and label."""

    def __init__(self, plot: pg.PlotItem, label: str, color: str):
        self.color = color
        self.dots = True
        self.curve = pg.PlotDataItem(
            pen=pg.mkPen(color, width=SHORT_WIDTH), symbol="o", symbolSize=5,
            symbolBrush=pg.mkBrush(color), symbolPen=None, name=label,
        )
        self.stop = pg.ScatterPlotItem(size=16, symbol="x", brush=pg.mkBrush(color), pen=pg.mkPen("k", width=1))
        self.text = pg.TextItem("", color=FOREGROUND, fill=pg.mkBrush(255, 255, 255, 215),
                                border=pg.mkPen(color, width=1.5), anchor=(0, 1))
        for z, item in enumerate((self.curve, self.stop, self.text)):
            item.setZValue(10 + 2 * z)
            plot.addItem(item, ignoreBounds=True)
            item.hide()


class SurfaceView(pg.GraphicsLayoutWidget):
    """The map. ``startPicked(x, y, final)`` fires on click and while dragging.

    ``set_surface(image, bounds, minima, title)`` draws a computed surface; ``set_lanes`` names
    and colours the path slots; ``set_path(i, positions, message)`` updates one path.
    """

    startPicked = Signal(float, float, bool)

    def __init__(self, n_slots: int = 7, parent=None):
        super().__init__(parent)
        self.setObjectName("surfaceView")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setBackground("w")
        self.ci.layout.setContentsMargins(4, 4, 4, 4)
        self.viewbox = _StartPickViewBox(self._pick)
        self.plot: pg.PlotItem = self.addPlot(viewBox=self.viewbox)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        style_plot(self.plot, x="x", y="y", grid=False)
        self.bounds = ((-1.0, 1.0), (-1.0, 1.0))

        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-10)
        self.plot.addItem(self.image)
        self.contours = pg.PlotDataItem(pen=CONTOUR_PEN, connect="finite", antialias=False)
        self.contours.setZValue(-5)
        self.plot.addItem(self.contours)
        self.colorbar = pg.ColorBarItem(
            values=(0, 1), width=16, colorMap=HEAT_MAP,
            interactive=False, colorMapMenu=False,
        )
        self.colorbar.setImageItem(self.image, insert_in=self.plot)
        self.colorbar.axis.setTextPen(FOREGROUND)
        self._log_levels = None  # (lo, hi) of a log colour bar: its labels are fitted to its height
        self.colorbar.axis.geometryChanged.connect(self._fit_log_ticks)

        self.minima = pg.ScatterPlotItem(
            size=16, symbol="star", brush=pg.mkBrush("w"), pen=pg.mkPen("k", width=1.2)
        )
        self.minima.setZValue(5)
        self.plot.addItem(self.minima)
        self.start = pg.ScatterPlotItem(
            size=14, symbol="s", brush=pg.mkBrush(FOREGROUND), pen=pg.mkPen("w", width=2)
        )
        self.start.setZValue(30)
        self.plot.addItem(self.start)
        self.start.setToolTip(tr("Start point: click or drag on the map to move it"))

        # Arrows at the selected path's head: −gradient (direction) and the step / velocity.
        self.grad_line = pg.PlotDataItem(pen=pg.mkPen(GRAD_COLOR, width=2, style=Qt.PenStyle.DashLine))
        self.grad_tip = pg.ArrowItem(headLen=12, tipAngle=35, brush=GRAD_COLOR, pen=None)
        self.vel_line = pg.PlotDataItem(pen=pg.mkPen(FOREGROUND, width=2.5))
        self.vel_tip = pg.ArrowItem(headLen=13, tipAngle=35, brush=FOREGROUND, pen=None)
        for item in (self.grad_line, self.grad_tip, self.vel_line, self.vel_tip):
            item.setZValue(25)
            self.plot.addItem(item, ignoreBounds=True)
            item.hide()
        self._arrows: tuple | None = None

        self.slots = [_PathSlot(self.plot, f"path {i}", "#000000") for i in range(n_slots)]
        # the current point of every path: one item, one setData per frame
        self.heads = pg.ScatterPlotItem(size=11, symbol="o", pen=pg.mkPen("w", width=1.5))
        self.heads.setZValue(11)
        self.plot.addItem(self.heads, ignoreBounds=True)
        self._head_xy = np.full((n_slots, 2), np.nan)
        self._head_brushes = [pg.mkBrush("k")] * n_slots
        self._shown: list[int] = []
        self._key_start = (0.0, 0.0)
        self.viewbox.sigTransformChanged.connect(self._redraw_arrows)
        # hover read-out: x, y and f under the pointer (``value_at`` is set by the panel)
        self.value_at = None
        self.value_name = "f"
        self.hover = pg.TextItem("", color=FOREGROUND, fill=pg.mkBrush(255, 255, 255, 200), anchor=(0, 0))
        self.hover.setZValue(40)
        self.hover.setParentItem(self.viewbox)
        self.hover.setPos(4, 4)
        self.hover.hide()
        self.scene().sigMouseMoved.connect(self._on_hover)
        # Everything but the paths is static during a race: cache it as device pixmaps, so a
        # frame repaints the heat map, contours and axes by blitting (≈2 ms saved). The legend
        # is the loss plot's (and the table's colour swatches): none hides a path here.
        cache = QGraphicsItem.CacheMode.DeviceCoordinateCache
        static = [self.image, self.contours.curve]
        static += [a["item"] for a in self.plot.axes.values()]
        static += [a["item"] for a in self.colorbar.axes.values()]
        for item in static:
            item.setCacheMode(cache)
        self._title = ""
        self._colorbar_label = ""
        if palette.is_dark():
            self.recolour(True)
        palette.signals.changed.connect(self.recolour)

    def recolour(self, dark: bool) -> None:
        """Follow the theme: colour map, contours, markers, arrows, labels (``palette.signals``)."""
        cmap, contour, grad = THEMED[bool(dark)]
        fg, bg = palette.FOREGROUND, palette.BACKGROUND
        self.setBackground(bg)
        self.colorbar.setColorMap(cmap)
        self.colorbar.axis.setTextPen(fg)
        self.colorbar.getAxis("left").setLabel(self._colorbar_label, color=fg)
        self.contours.setPen(pg.mkPen(contour, width=1))
        self.plot.setTitle(self._title, color=fg, size="11pt")
        self.start.setBrush(pg.mkBrush(fg))
        self.start.setPen(pg.mkPen(bg, width=2))
        self.heads.setPen(pg.mkPen(bg, width=1.5))
        self.grad_line.setPen(pg.mkPen(grad, width=2, style=Qt.PenStyle.DashLine))
        self.grad_tip.setStyle(brush=grad)
        self.vel_line.setPen(pg.mkPen(fg, width=2.5))
        self.vel_tip.setStyle(brush=fg)
        for text in [self.hover, *(slot.text for slot in self.slots)]:
            text.setColor(fg)
            text.fill = pg.mkBrush(palette.qcolor(bg, 210))
            text.update()

    # ---- surface -----------------------------------------------------------------------------
    def set_surface(self, img: SurfaceImage, bounds, minima, title: str = "", value_name: str = "f") -> None:
        """Draw ``img``; ``value_name`` names the plotted quantity (colour bar, hover read-out)."""
        (x0, x1), (y0, y1) = bounds
        self.value_name = value_name
        self.bounds = ((float(x0), float(x1)), (float(y0), float(y1)))
        xs, ys = img.xs, img.ys
        dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
        dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
        self.image.setImage(img.image, levels=img.levels, autoLevels=False)
        self.image.setRect(QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys)))
        self.colorbar.setLevels(img.levels)
        self.colorbar.axis.setLogMode(False, img.log)
        # a log bar labels its decades and only the minor ticks whose labels fit (issue #14)
        self._log_levels = tuple(map(float, img.levels)) if img.log else None
        self._fit_log_ticks()
        label = tr("{value} − min {value}  (log scale)").format(value=value_name) if img.log else value_name
        self._colorbar_label = label
        self.colorbar.getAxis("left").setLabel(label, color=palette.FOREGROUND)
        self.contours.setData(img.contour_x, img.contour_y)
        self.minima.setData(pos=np.asarray(minima, dtype=float).reshape(-1, 2))
        self._title = title
        self.plot.setTitle(title, color=palette.FOREGROUND, size="11pt")
        self.viewbox.setLimits(xMin=x0, xMax=x1, yMin=y0, yMax=y1)
        self.viewbox.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def _fit_log_ticks(self) -> None:
        axis = self.colorbar.axis
        if self._log_levels is None:
            axis.setTicks(None)
            return
        label_px = 1.15 * QFontMetrics(axis.style["tickFont"] or self.font()).height()
        axis.setTicks(log_ticks(*self._log_levels, axis.geometry().height(), label_px))

    def set_start(self, x: float, y: float) -> None:
        self.start.setData(pos=[(x, y)])
        self.set_start_hint(x, y)

    # ---- paths ---------------------------------------------------------------------------------
    def set_lanes(self, lanes: list[tuple[str, str, bool]]) -> None:
        """Name, colour and visibility of each slot (call when the set of lanes changes)."""
        for slot, (label, color, shown) in zip(self.slots, lanes):
            if color != slot.color:
                slot.color = color
                slot.curve.setPen(pg.mkPen(color, width=SHORT_WIDTH if slot.dots else LONG_WIDTH))
                slot.curve.setSymbolBrush(pg.mkBrush(color))
                slot.stop.setBrush(pg.mkBrush(color))
                slot.text.border = pg.mkPen(color, width=1.5)
            slot.curve.opts["name"] = label
            slot.curve.setVisible(shown)
            if not shown:
                slot.stop.hide()
                slot.text.hide()
        for slot in self.slots[len(lanes):]:
            for item in (slot.curve, slot.stop, slot.text):
                item.hide()
        self._head_xy[:] = np.nan
        self._head_brushes = [pg.mkBrush(slot.color) for slot in self.slots]
        self._shown = [i for i, (_l, _c, shown) in enumerate(lanes) if shown]

    def set_path(self, i: int, positions: np.ndarray, message: str = "", stop_xy=None) -> None:
        """Show ``positions`` (n, 2) for slot ``i``; a ``message`` marks where the path stopped."""
        slot = self.slots[i]
        dots = len(positions) <= DOTS_MAX
        if dots != slot.dots:
            slot.dots = dots
            slot.curve.setSymbol("o" if dots else None)
            slot.curve.setPen(pg.mkPen(slot.color, width=SHORT_WIDTH if dots else LONG_WIDTH))
        slot.curve.setData(positions[:, 0], positions[:, 1])
        self._head_xy[i] = positions[-1]
        if message:
            inside = positions[-1]
            if len(positions) >= 2 and not self._inside(inside):
                inside = positions[-2]  # the exit point was appended to show the direction
            x, y = self._border_point(inside, stop_xy if stop_xy is not None else inside)
            self._head_xy[i] = (x, y)
            slot.stop.setData(pos=[(x, y)])
            slot.text.setText(message)
            slot.text.setPos(x, y)
            (x0, x1), (y0, y1) = self.bounds
            slot.text.setAnchor((1 if x > (x0 + x1) / 2 else 0, 0 if y > (y0 + y1) / 2 else 1))
            slot.stop.show()
            slot.text.show()
        else:
            slot.stop.hide()
            slot.text.hide()

    def commit_heads(self) -> None:
        """Draw the current point of every shown path (call once after the ``set_path`` calls)."""
        shown = [i for i in self._shown if np.all(np.isfinite(self._head_xy[i]))]
        self.heads.setData(pos=self._head_xy[shown], brush=[self._head_brushes[i] for i in shown])

    def _inside(self, xy) -> bool:
        (x0, x1), (y0, y1) = self.bounds
        return bool(np.all(np.isfinite(xy)) and x0 <= xy[0] <= x1 and y0 <= xy[1] <= y1)

    def _border_point(self, inside, outside) -> tuple[float, float]:
        """Where the segment inside → outside crosses the view's edge (the stop marker's place)."""
        a = np.asarray(inside, dtype=float)
        b = np.asarray(outside, dtype=float)
        if not np.all(np.isfinite(b)) or not np.all(np.isfinite(a)) or self._inside(b):
            return self._clamp(b if np.all(np.isfinite(b)) else a)
        d = b - a
        t = 1.0
        for k, (lo, hi) in enumerate(self.bounds):
            if d[k] > 0:
                t = min(t, (hi - a[k]) / d[k])
            elif d[k] < 0:
                t = min(t, (lo - a[k]) / d[k])
        return self._clamp(a + max(t, 0.0) * d)

    def _clamp(self, xy) -> tuple[float, float]:
        """A finite point inside the view, for a marker of a path that left it or blew up."""
        (x0, x1), (y0, y1) = self.bounds
        x, y = (float(v) for v in xy)
        x = x0 if not math.isfinite(x) and x < 0 else (x1 if not math.isfinite(x) else x)
        y = y0 if not math.isfinite(y) and y < 0 else (y1 if not math.isfinite(y) else y)
        return min(max(x, x0), x1), min(max(y, y0), y1)

    # ---- arrows ----------------------------------------------------------------------------------
    def set_arrows(self, origin=None, neg_grad=None, step=None) -> None:
        """Arrows at ``origin``: −∇f (drawn at 12 % of the view, direction only) and ``step``.

        ``None`` hides them.
        """
        self._arrows = None if origin is None else (origin, neg_grad, step)
        self._redraw_arrows()

    def _redraw_arrows(self, *_):
        items = (self.grad_line, self.grad_tip, self.vel_line, self.vel_tip)
        if self._arrows is None:
            for item in items:
                item.hide()
            return
        origin, neg_grad, step = self._arrows
        (x0, x1), (y0, y1) = self.bounds
        scale = np.array([x1 - x0, y1 - y0]) * 0.12
        g = np.asarray(neg_grad, dtype=float) if neg_grad is not None else None
        if g is not None and np.all(np.isfinite(g)) and np.any(g):
            g = g / (np.hypot(*(g / scale)) or 1.0) * scale  # unit length in view fractions
            self._arrow(self.grad_line, self.grad_tip, origin, g)
        else:
            self.grad_line.hide()
            self.grad_tip.hide()
        v = np.asarray(step, dtype=float) if step is not None else None
        if v is not None and np.all(np.isfinite(v)) and np.any(v):
            self._arrow(self.vel_line, self.vel_tip, origin, v)
        else:
            self.vel_line.hide()
            self.vel_tip.hide()

    def _arrow(self, line, tip, origin, vec):
        ox, oy = float(origin[0]), float(origin[1])
        tx, ty = ox + float(vec[0]), oy + float(vec[1])
        line.setData([ox, tx], [oy, ty])
        a = self.viewbox.mapViewToScene(QPointF(ox, oy))
        b = self.viewbox.mapViewToScene(QPointF(tx, ty))
        angle = math.degrees(math.atan2(b.y() - a.y(), b.x() - a.x()))
        tip.setStyle(angle=angle - 180)
        tip.setPos(tx, ty)
        line.show()
        tip.show()

    # ---- mouse -----------------------------------------------------------------------------------
    def _pick(self, point: QPointF, final: bool) -> None:
        (x0, x1), (y0, y1) = self.bounds
        x = min(max(point.x(), x0), x1)
        y = min(max(point.y(), y0), y1)
        self.startPicked.emit(float(x), float(y), bool(final))

    def widget_pos_of(self, x: float, y: float):
        """Viewport (widget) coordinates of the view point (x, y), e.g. to click there in tests."""
        scene = self.viewbox.mapViewToScene(QPointF(x, y))
        return self.mapFromScene(scene)

    def _on_hover(self, scene_pos) -> None:
        if not self.viewbox.sceneBoundingRect().contains(scene_pos):
            self.hover.hide()
            return
        p = self.viewbox.mapSceneToView(scene_pos)
        text = f"x = {p.x():.3g}   y = {p.y():.3g}"
        if self.value_at is not None:
            text += f"   {self.value_name} = {float(self.value_at(p.x(), p.y())):.4g}"
        self.hover.setText(text.replace("-", "−"))
        self.hover.show()

    def leaveEvent(self, ev):  # noqa: N802 - Qt naming
        self.hover.hide()
        super().leaveEvent(ev)

    # ---- keyboard: arrows move the start point -------------------------------------------------
    def set_start_hint(self, x: float, y: float) -> None:
        """Where the keyboard nudges start from (the panel's current start point)."""
        self._key_start = (float(x), float(y))

    def event(self, ev):
        # With the map focused, the arrow keys move the start point; claim them before the
        # window's shortcuts (→ = Step) see them.
        if ev.type() == QEvent.Type.ShortcutOverride and ev.key() in _ARROWS:
            ev.accept()
            return True
        return super().event(ev)

    def keyPressEvent(self, ev):
        if ev.key() not in _ARROWS:
            return super().keyPressEvent(ev)
        (x0, x1), (y0, y1) = self.bounds
        frac = 0.1 if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier else 0.02
        dx, dy = _ARROWS[ev.key()]
        x, y = self._key_start
        self._pick(QPointF(x + dx * frac * (x1 - x0), y + dy * frac * (y1 - y0)), final=True)
        ev.accept()
