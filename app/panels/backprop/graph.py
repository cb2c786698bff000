"""The backprop network drawn as a graph: circles for units, lines for weights, a box for the loss.

``BackpropGraph.show_step(trace, index)`` draws what is known after step ``index`` of an
``engine.backprop_trace.Trace``: each node's z and a (forward), ∂L/∂a and ∂L/∂z (backward), each
edge's w, ∂L/∂w and updated w′, and highlights the step's nodes and edges. The scene is laid out
in viewport pixels (re-done on resize) so the text keeps its point size at any window size
instead of being scaled down with the drawing. Colours are read from ``app.widgets.palette``
when drawing (the panel shows the step again after a theme switch), so the card follows the
light or dark theme.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen, QTransform
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsLineItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

from app.i18n import tr
from app.panels.backprop.colors import EDGE, GRADIENT, HIGHLIGHT, UPDATED, readable, themed
from app.widgets import palette
from engine.backprop_trace import fmt, node_name

RADIUS = 24
LOSS_HALF_WIDTH = 60
LABEL_HALF_WIDTH = 56  # of an edge label like “w 0.5 → 0.5059”
NODE_TEXT_HALF_WIDTH = 52  # of the numbers under a node
#: Big windows zoom the drawing (text included) up to MAX_ZOOM once it exceeds DESIGN_SIZE.
DESIGN_SIZE, MAX_ZOOM = (1000, 400), 1.6
LINE_HEIGHT = 16  # of the 9.5 pt node numbers
MAX_GAP = 360  # between layer columns: wider only spreads the labels apart from their edges
#: Edge labels are drawn for every edge of a layer with at most this many edges; in bigger
#: layers only the highlighted edges are labelled (the table lists every weight).
MAX_LABELLED_EDGES = 6


def _card(alpha: int = 225) -> QColor:
    """The translucent background behind labels: the plot background of the theme."""
    c = QColor(palette.BACKGROUND)
    c.setAlpha(alpha)
    return c


def _font(pt: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(pt)
    f.setBold(bold)
    return f


class BackpropGraph(QGraphicsView):
    """The network of the current trace; see the module docstring."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("backpropGraph")
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumSize(420, 260)
        self.setToolTip(tr(
            "The network for one sample. Circles are units (z = weighted sum, a = output), lines are\n"
            "weights; orange marks the current step, blue numbers are gradients, green updated weights."
        ))
        self._trace = None
        self._index = 0
        self._known = None
        self._scale = 1.0
        #: Drawn items by key, for tests: ("node", l, u), ("edge", l, i, j), ("label", l, i, j), ("text", l, u).
        self.items_by_key: dict[tuple, object] = {}

    # ---- public ------------------------------------------------------------------------------
    def show_step(self, trace, index: int, known: dict | None = None) -> None:
        """Draw step ``index``; ``known`` (default: what steps 0…index reveal) is what is shown."""
        self._trace, self._index, self._known = trace, int(index), known
        self._redraw()

    def text_of(self, key: tuple) -> str:
        """The text of a drawn label (``("label", l, i, j)`` or ``("text", l, u)``), '' if none."""
        item = self.items_by_key.get(key)
        return item.text() if isinstance(item, QGraphicsSimpleTextItem) else ""

    def is_highlighted(self, key: tuple) -> bool:
        item = self.items_by_key.get(key)
        return bool(item is not None and item.data(0))

    # ---- drawing -----------------------------------------------------------------------------
    def resizeEvent(self, event):  # noqa: N802 - Qt naming
        super().resizeEvent(event)
        self._redraw()


    def _logical_size(self) -> tuple[float, float]:
        """The drawing's size in scene units: the viewport, shrunk by the zoom of big windows."""
        vp = self.viewport().size()
        self._scale = min(MAX_ZOOM, max(1.0, min(vp.width() / DESIGN_SIZE[0], vp.height() / DESIGN_SIZE[1])))
        return max(vp.width() / self._scale, 420), max(vp.height() / self._scale, 260)

    def _spacing(self, n: int) -> float:
        """Vertical distance between the centres of a column of ``n`` units."""
        return min(150.0, (self._logical_size()[1] - 30) / n)

    def _positions(self, sizes) -> tuple[dict, QPointF]:
        w, h = self._logical_size()
        left, right = 80, 190  # room for the input values / the loss box
        cols = len(sizes)
        gap = min(MAX_GAP, (w - left - right) / max(1, cols - 1))
        left += (w - right - left - gap * (cols - 1)) / 2  # centre a capped drawing
        pos = {}
        for l, n in enumerate(sizes):
            spacing = self._spacing(n)
            for u in range(n):
                pos[(l, u)] = QPointF(left + l * gap, 12 + (h - 30) / 2 + (u - (n - 1) / 2) * spacing)
        loss_at = QPointF(left + (cols - 1) * gap + right - 70, 12 + (h - 30) / 2)
        return pos, loss_at

    def _redraw(self) -> None:
        scene = self.scene()
        scene.clear()
        self.setBackgroundBrush(QColor(palette.BACKGROUND))
        fg, muted, bg = palette.FOREGROUND, palette.MUTED, palette.BACKGROUND
        fill = themed("current")
        self.items_by_key = {}
        trace = self._trace
        if trace is None:
            return
        w, h = self._logical_size()
        self.setTransform(QTransform.fromScale(self._scale, self._scale))
        scene.setSceneRect(QRectF(0, 0, w, h))
        sizes = trace.setup.sizes
        known = trace.known(self._index) if self._known is None else self._known
        step = trace.steps[self._index]
        new = step.reveals
        hot_nodes, hot_edges = set(step.nodes), set(step.edges)
        pos, loss_at = self._positions(sizes)
        last = len(sizes) - 1

        wanted = []  # (not highlighted, edge key) of the labels to place
        for l in range(last):  # edges first, under the nodes
            n_edges = sizes[l] * sizes[l + 1]
            for i in range(sizes[l]):
                for j in range(sizes[l + 1]):
                    key = (l, i, j)
                    hot = key in hot_edges
                    line = QGraphicsLineItem(pos[(l, i)].x(), pos[(l, i)].y(), pos[(l + 1, j)].x(), pos[(l + 1, j)].y())
                    line.setPen(QPen(QColor(HIGHLIGHT if hot else EDGE), 4 if hot else 1.5))
                    line.setData(0, hot)
                    line.setZValue(1 if hot else 0)
                    scene.addItem(line)
                    self.items_by_key[("edge",) + key] = line
                    line.setToolTip("\n".join(self._label_lines(key, trace, known)[0]))  # hover: every weight
                    if hot or n_edges <= MAX_LABELLED_EDGES:
                        wanted.append((not hot, key))
        # highlighted edges' labels first: they get the best places; a label that fits nowhere
        # free is left out (its numbers are in the edge's tooltip and in the table)
        for k in range(sizes[last]):  # outputs → loss
            a, b = pos[(last, k)], loss_at
            line = QGraphicsLineItem(a.x() + RADIUS, a.y(), b.x() - LOSS_HALF_WIDTH, b.y())
            line.setPen(QPen(QColor(muted), 1, Qt.PenStyle.DashLine))
            scene.addItem(line)

        placed = [QRectF(p.x() - RADIUS, p.y() - RADIUS, 2 * RADIUS, 2 * RADIUS) for p in pos.values()]
        self._label_boxes: list[QRectF] = []
        for (l, u), p in pos.items():
            hot = (l, u) in hot_nodes
            circle = QGraphicsEllipseItem(p.x() - RADIUS, p.y() - RADIUS, 2 * RADIUS, 2 * RADIUS)
            circle.setPen(QPen(QColor(HIGHLIGHT if hot else fg), 4 if hot else 1.5))
            circle.setBrush(QBrush(QColor(fill if hot else bg)))
            circle.setZValue(3)
            circle.setData(0, hot)
            circle.setToolTip(self._node_tip(trace, l, u, known))
            scene.addItem(circle)
            self.items_by_key[("node", l, u)] = circle
            name = QGraphicsSimpleTextItem(node_name(sizes, l, u))
            name.setFont(_font(12, bold=True))
            name.setBrush(QColor(fg))
            name.setZValue(4)
            r = name.boundingRect()
            name.setPos(p.x() - r.width() / 2, p.y() - r.height() / 2)
            scene.addItem(name)
            self._node_text(trace, l, u, known, new, p, placed)
        self._bias_labels(trace, known, pos, placed)
        for cold, key in sorted(wanted):  # last: they go where the node numbers and biases are not
            self._edge_label(key, trace, known, new, pos, not cold, placed)

        box = QGraphicsRectItem(loss_at.x() - LOSS_HALF_WIDTH, loss_at.y() - 24, 2 * LOSS_HALF_WIDTH, 48)
        hot = step.phase == "loss"
        box.setPen(QPen(QColor(HIGHLIGHT if hot else fg), 4 if hot else 1.5))
        box.setBrush(QBrush(QColor(fill if hot else bg)))
        box.setData(0, hot)
        box.setToolTip(trace.steps[trace.index_of("loss")].formula if ("loss",) in known else tr("The loss, once the forward pass is done"))
        scene.addItem(box)
        self.items_by_key[("node", "loss")] = box
        target = "t = " + ", ".join(fmt(v) for v in trace.setup.target)
        loss_text = f"L = {fmt(known[('loss',)])}" if ("loss",) in known else "L = ?"
        text = QGraphicsSimpleTextItem(f"{loss_text}\n{target}")
        text.setFont(_font(10, bold=("loss",) in new))
        text.setBrush(QColor(fg))
        r = text.boundingRect()
        text.setPos(loss_at.x() - r.width() / 2, loss_at.y() - r.height() / 2)
        text.setZValue(4)
        scene.addItem(text)
        self.items_by_key[("text", "loss")] = text

    @staticmethod
    def _label_lines(key, trace, known) -> tuple[list[str], str]:
        """An edge label's lines (w, then w → w′ once updated, and ∂ once known) and its colour."""
        w = trace.setup.weights[key[0]][key[1]][key[2]]
        lines = [f"w {fmt(w)}"]
        color = palette.FOREGROUND
        if ("W_new",) + key in known:
            lines = [f"w {fmt(w)} → {fmt(known[('W_new',) + key])}"]
            color = UPDATED
        if ("dW",) + key in known:
            lines.append(f"∂ {fmt(known[('dW',) + key])}")
            if color == palette.FOREGROUND:
                color = readable(GRADIENT)
        return lines, color

    def _edge_label(self, key, trace, known, new, pos, hot, placed: list) -> None:
        """Put edge ``key``'s label at the first fraction along the edge where its box meets no
        box in ``placed`` (circles and labels placed before); labels of different sources prefer
        different fractions. Nothing is drawn if no fraction is free."""
        l, i, j = key
        n_src = trace.setup.sizes[l]
        a, b = pos[(l, i)], pos[(l + 1, j)]
        gap = max(1.0, b.x() - a.x())
        lo = (RADIUS + 8 + LABEL_HALF_WIDTH) / gap
        hi = max(lo, 1 - (NODE_TEXT_HALF_WIDTH + LABEL_HALF_WIDTH) / gap)
        preferred = (lo + hi) / 2 if n_src == 1 else lo + (hi - lo) * i / (n_src - 1)
        lines, color = self._label_lines(key, trace, known)
        text = QGraphicsSimpleTextItem("\n".join(lines))
        text.setFont(_font(9, bold=bool(set(new) & {("dW",) + key, ("W_new",) + key})))
        text.setBrush(QColor(color))
        r = text.boundingRect()
        candidates = sorted({round(t, 3) for t in [preferred, *[0.12 + 0.76 * k / 24 for k in range(25)]]},
                            key=lambda t: abs(t - preferred))
        # free of everything drawn if possible, else free of the other labels and bias tags
        # (then it may touch a node's numbers, drawn over it)
        passes = (placed, self._label_boxes)
        for t, obstacles in ((t, obstacles) for obstacles in passes for t in candidates):
            at = QPointF(a.x() + t * (b.x() - a.x()), a.y() + t * (b.y() - a.y()))
            box = QRectF(at.x() - r.width() / 2 - 3, at.y() - r.height() / 2 - 1, r.width() + 6, r.height() + 2)
            if not any(box.intersects(other) for other in obstacles):
                break
        else:
            return
        placed.append(box)
        self._label_boxes.append(box)
        back = QGraphicsRectItem(box)
        back.setBrush(QBrush(_card()))
        back.setPen(QPen(QColor(HIGHLIGHT if hot else themed("border")), 1.5 if hot else 1))
        back.setZValue(5 if hot else 2)
        text.setZValue(back.zValue() + 0.5)
        text.setPos(at.x() - r.width() / 2, at.y() - r.height() / 2)
        text.setToolTip(tr("∂ is ∂L/∂w (once the backward pass reaches this weight); → the updated weight"))
        self.scene().addItem(back)
        self.scene().addItem(text)
        self.items_by_key[("label",) + key] = text

    def _bias_labels(self, trace, known, pos, placed: list) -> None:
        """Each unit's bias as a small "+b" tag on the upper left of its circle, so the "+ b" of
        z = Σ w·a + b comes from something drawn (→ b′ once the update has computed it)."""
        for l, vec in enumerate(trace.setup.biases):
            for j, value in enumerate(vec):
                text_ = f"+b {fmt(value)}"
                if ("b_new", l, j) in known:
                    text_ += f" → {fmt(known[('b_new', l, j)])}"
                text = QGraphicsSimpleTextItem(text_)
                text.setFont(_font(8.5))
                text.setBrush(QColor(UPDATED if ("b_new", l, j) in known else palette.MUTED))
                r = text.boundingRect()
                p = pos[(l + 1, j)]
                # above the circle, ending at its centre: clear of numbers drawn beside the circle
                text.setPos(p.x() + 6 - r.width(), p.y() - RADIUS - r.height() - 1)
                text.setZValue(6)
                text.setToolTip(tr("The bias b of this unit: z = Σ w·a + b"))
                back = QGraphicsRectItem(text.pos().x() - 2, text.pos().y(), r.width() + 4, r.height())
                back.setBrush(QBrush(_card()))
                back.setPen(QPen(Qt.PenStyle.NoPen))
                back.setZValue(5.8)
                self.scene().addItem(back)
                self.scene().addItem(text)
                placed.append(back.rect())
                self._label_boxes.append(back.rect())
                self.items_by_key[("bias", l, j)] = text

    def _node_text(self, trace, l, u, known, new, p, placed: list) -> None:
        """The node's numbers: forward ones in black, then gradients in blue, under the circle."""
        forward = [f"= {fmt(trace.setup.x[u])}"] if l == 0 else [
            f"{q} = {fmt(known[(q, l, u)])}" for q in ("z", "a") if (q, l, u) in known]
        backward = [f"{label} = {fmt(known[(q, l, u)])}" for q, label in (("da", "∂L/∂a"), ("dz", "∂L/∂z"))
                    if (q, l, u) in known]
        y = p.y() + RADIUS + 2
        n_lines = len(forward) * (l > 0) + len(backward)
        # the next unit's bias tag (a line above its circle) needs room too
        room = 2 * RADIUS + 4 + (n_lines + (l > 0)) * LINE_HEIGHT
        beside = n_lines and self._spacing(trace.setup.sizes[l]) < room
        if beside:  # a crowded column: the numbers go right of the circle, not onto the next node
            y = p.y() - n_lines * LINE_HEIGHT / 2
        for lines, color, keys in ((forward, palette.FOREGROUND, ("z", "a")), (backward, readable(GRADIENT), ("da", "dz"))):
            if not lines:
                continue
            text = QGraphicsSimpleTextItem("\n".join(lines))
            text.setFont(_font(9.5, bold=any((q, l, u) in new for q in keys)))
            text.setBrush(QColor(color))
            r = text.boundingRect()
            if l == 0 and color == palette.FOREGROUND:  # an input's value goes left of its circle
                text.setPos(p.x() - RADIUS - 6 - r.width(), p.y() - r.height() / 2)
            elif beside:
                text.setPos(p.x() + RADIUS + 4, y)
                y += r.height()
            else:
                text.setPos(p.x() - r.width() / 2, y)
                y += r.height()
            back = QGraphicsRectItem(text.pos().x() - 2, text.pos().y(), r.width() + 4, r.height())
            back.setBrush(QBrush(_card()))
            back.setPen(QPen(Qt.PenStyle.NoPen))
            back.setZValue(5.5)
            text.setZValue(6)
            placed.append(back.rect())
            self.scene().addItem(back)
            self.scene().addItem(text)
            self.items_by_key[("text" if color == palette.FOREGROUND else "grad", l, u)] = text

    @staticmethod
    def _node_tip(trace, l, u, known) -> str:
        name = node_name(trace.setup.sizes, l, u)
        parts = [name]
        for q, label in (("z", "weighted sum z"), ("a", "output a"), ("da", "∂L/∂a"), ("dz", "∂L/∂z")):
            if (q, l, u) in known:
                parts.append(f"{tr(label)} = {known[(q, l, u)]:.10g}")
        return "\n".join(parts)
